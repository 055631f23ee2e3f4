/**
 * The Runtime a Worker can offer, for the scenarios' clients: connections through workerd's
 * `connect()` from `cloudflare:sockets` (https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/),
 * the WinterTC Sockets API's reference implementation, seen as `Connection`s by the same facade
 * as `--apis wintertc` (in-runtime/scenarios/wintertc.ts). A Worker has no listen, no datagrams
 * and no file system: those reject with ENOTSUP, and `features` says so.
 *
 * Clocks: workerd advances `performance.now()` and `Date.now()` only across I/O (a Spectre
 * mitigation), so durations measured here count waiting on the network, not computation.
 */
import { connect } from "cloudflare:sockets";
import { createHash } from "node:crypto";
import { NetError, type Features, type Host, type Runtime } from "@netparity/protocol";
import type { Socket } from "@netparity/sockets/core";
import { overDraftConnect } from "../../src/in-runtime/scenarios/wintertc.js";

const FEATURES: Features = {
  tcp: true,
  udp: false,
  unix: false,
  ipv6: true,
  halfClose: true,
  reusePort: false,
  broadcast: false,
  multicast: false,
  sourceSpecificMulticast: false,
  // connect() takes no AbortSignal in workerd.
  connectSignal: false,
  tls: true,
  // startTls() of a Socket opened with secureTransport "starttls" (the facade's startTls).
  startTlsClient: true,
  startTlsServer: false,
  // Reads come from the socket's ReadableStream, a new chunk each time.
  reusesReadBuffer: false,
};

const notInWorker = (what: string): Promise<never> =>
  Promise.reject(new NetError("ENOTSUP", `a Worker has no ${what}: workerd is a client end only`));

/**
 * The workerd Runtime. `trustedCa`: the CA the generated config's network service trusts (PEM);
 * a TLS connection asking to trust another CA is ENOTSUP, since workerd takes trust from its
 * config, never per connection. `log` receives stdout and stderr lines.
 */
export function workerdRuntime(version: string, trustedCa: string | undefined, log: (line: string) => void): Runtime {
  const host: Host = {
    args: [],
    env: () => undefined,
    stdoutLine: log,
    stderrLine: log,
    onSignal: () => {},
    onStdinEnd: () => {},
    exit: (code) => {
      throw new NetError("ENOTSUP", `a Worker cannot exit (code ${code})`);
    },
    now: () => performance.now(),
    cpuUsage: () => null,
    rss: () => null,
    pid: () => -1,
  };
  const base: Runtime = {
    runtime: "workerd",
    version,
    features: FEATURES,
    listen: () => notInWorker("listen"),
    connect: () => notInWorker("connect"),
    bindDatagram: () => notInWorker("datagram sockets"),
    startTls: () => notInWorker("startTls on a Connection"),
    sha256: () => {
      const h = createHash("sha256");
      return { update: (b) => void h.update(b), digestHex: () => h.digest("hex") };
    },
    fs: {
      create: () => notInWorker("file system"),
      rename: () => notInWorker("file system"),
      remove: () => notInWorker("file system"),
      exists: () => notInWorker("file system"),
      kind: () => notInWorker("file system"),
      mkdirp: () => notInWorker("file system"),
      tempDir: () => notInWorker("file system"),
      readText: () => notInWorker("file system"),
    },
    host,
  };
  return overDraftConnect(base, (ca) => {
    if (ca !== undefined && ca !== trustedCa)
      throw new NetError("ENOTSUP", "workerd trusts a CA through its config's network service, not per connection", {
        operation: "connect",
      });
    return bracketIpv6;
  });
}

/**
 * workerd joins `hostname` and `port` as `hostname:port` before parsing them (api/sockets.c++,
 * `kj::str(record.hostname, ":", record.port)`), so an IPv6 literal must come in brackets
 * (`[::1]`, RFC 2732's form): `{ hostname: "::1" }` fails with "invalid authority". The
 * scenarios name hosts as the other runtimes take them (`::1`); docs/workerd.md records this.
 *
 * `startTls()` then verifies the server against that bracketed text, which is no DNS name
 * ("TLS configuration: invalid dns name", an internal error to the Worker); workerd's
 * `startTls` takes `{ expectedServerHostname }` (TlsOptions of @cloudflare/workers-types, an
 * option beyond the draft), so a socket of a bracketed literal passes the name it verifies:
 * the `sni` asked at connect, else the literal without brackets.
 */
const bracketIpv6: typeof connect = (address, options) => {
  if (typeof address !== "object" || !address.hostname.includes(":") || address.hostname.startsWith("["))
    return connect(address, options);
  const socket = connect({ ...address, hostname: `[${address.hostname}]` }, options);
  const expectedServerHostname = options?.sni ?? address.hostname;
  const startTls = socket.startTls as (tls?: { expectedServerHostname: string }) => Socket;
  // A view with live getters (Object.assign would copy the values once).
  const view = {
    get readable() {
      return socket.readable;
    },
    get writable() {
      return socket.writable;
    },
    get opened() {
      return socket.opened;
    },
    get closed() {
      return socket.closed;
    },
    get upgraded() {
      return socket.upgraded;
    },
    close: (reason?: unknown) => socket.close(reason),
    startTls: () => startTls.call(socket, { expectedServerHostname }),
  };
  return view as unknown as Socket;
};
