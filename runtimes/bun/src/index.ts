// netparity Runtime adapter for Bun, over Bun's native socket API.
// TCP, TLS and Unix: https://bun.sh/docs/api/tcp  UDP: https://bun.sh/docs/api/udp
import "./guard.js";
import type { Features, Hasher, Runtime } from "@netparity/protocol";
import { bunFileSystem } from "./fs.js";
import { host } from "./host.js";
import { startTls } from "./starttls.js";
import { connect, listen } from "./stream.js";
import { bindDatagram } from "./datagram.js";

const features: Features = {
  tcp: true,
  udp: true,
  unix: true,
  ipv6: true,
  // shutdown() is a real shutdown(fd, SHUT_WR) and the socket keeps reading afterwards
  // (https://github.com/oven-sh/bun/pull/35932); listeners and clients use allowHalfOpen.
  halfClose: true,
  // Bun.listen honours reusePort (SO_REUSEPORT); Bun.udpSocket has no such option, so a
  // datagram socket asking for it gets ENOTSUP.
  reusePort: true,
  broadcast: true,
  // udpSocket addMembership & co since Bun 1.2.3 (https://github.com/oven-sh/bun/pull/10381).
  multicast: true,
  sourceSpecificMulticast: true,
  // Emulated: Bun.connect takes no signal; see connect() in stream.ts.
  connectSignal: true,
  // Bun.listen / Bun.connect with `tls`. Half-close holds over TLS too: shutdown() sends
  // close_notify then FIN and the socket keeps reading (checked on Bun 1.4.5 against
  // Python's ssl, which saw a clean close_notify EOF, both as client and as server); older
  // Bun lost the FIN or the write side (oven-sh/bun#34498, #35535, #40384).
  tls: true,
  // socket.upgradeTLS, client side only (see starttls.ts).
  startTlsClient: true,
  startTlsServer: false,
  // Each read is the chunk a data callback delivered; nothing is reused.
  reusesReadBuffer: false,
};

function sha256(): Hasher {
  const hasher = new Bun.CryptoHasher("sha256");
  return {
    update: (bytes) => void hasher.update(bytes),
    digestHex: () => hasher.digest("hex"),
  };
}

export const bunRuntime = {
  runtime: "bun",
  version: Bun.version,
  features,
  listen,
  connect,
  bindDatagram,
  startTls,
  sha256,
  fs: bunFileSystem,
  host,
} as const satisfies Runtime;

export default bunRuntime;
