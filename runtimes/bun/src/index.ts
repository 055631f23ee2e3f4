// netparity Runtime adapter for Bun, over Bun's native socket API.
// TCP, TLS and Unix: https://bun.sh/docs/api/tcp  UDP: https://bun.sh/docs/api/udp
import type { Features, Hasher, Host, Runtime, Signal } from "@netparity/protocol";
import { bunFileSystem } from "./fs.js";
import { startTls } from "./starttls.js";
import { connect, listen } from "./stream.js";
import { bindDatagram } from "./datagram.js";

if (typeof (globalThis as { Bun?: unknown }).Bun === "undefined") {
  throw new Error(
    "@netparity/runtime-bun was loaded outside Bun (globalThis.Bun is undefined); use the adapter of the runtime you are running in",
  );
}

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

const host: Host = {
  args: Bun.argv.slice(2),
  env: (name) => Bun.env[name],
  // console.log writes synchronously in Bun, so a line is out before a following exit();
  // process.stdout.write loses buffered lines when the reader is slow and the process exits.
  // A single string argument is printed verbatim (no %-format processing).
  stdoutLine: (line) => console.log(line),
  stderrLine: (line) => console.error(line),
  // Bun has no signal API of its own; its node:process emits signals natively.
  onSignal: (signal: Signal, handler) => void process.on(signal, handler),
  // Bun's own stdin stream reports the end of a pipe whose writer died (tried with SIGKILL).
  onStdinEnd: (handler) =>
    void (async () => {
      const reader = Bun.stdin.stream().getReader();
      try {
        while (!(await reader.read()).done);
      } catch {
        // a failed read ends stdin as well
      }
      handler();
    })(),
  exit: (code) => process.exit(code),
  // Bun.nanoseconds() is monotonic, counted from process start.
  now: () => Bun.nanoseconds() / 1e6,
  cpuUsage: () => {
    const { user, system } = process.cpuUsage();
    return { user, system };
  },
  rss: () => process.memoryUsage.rss(),
  pid: () => process.pid,
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
