/**
 * The WinterTC Sockets API's Socket as code outside the facade sees it (structurally, so that
 * @netparity/sockets, `cloudflare:sockets` and a polyfill all fit), and the peers a check or a
 * probe of `connect()` talks to. The spec suite (sockets-spec/) and the `wintertc.*` probes
 * (probes/wintertc.ts) both use them; the peers themselves are made in sockets-spec/servers.ts
 * (with a runtime's listen) or reached in another process (sockets-spec/remote-peers.ts).
 */

import { TIMED_OUT, within } from "./timing.js";

export interface SocketLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened?: Promise<{ remoteAddress?: string | null; localAddress?: string | null; alpn?: string | null }>;
  readonly closed: Promise<void>;
  readonly upgraded?: boolean;
  close(reason?: unknown): Promise<void>;
  startTls(): SocketLike;
}

export interface ConnectOptionsLike {
  secureTransport?: string;
  allowHalfOpen?: boolean;
  sni?: string;
  alpn?: string[];
}

export type ConnectLike = (address: unknown, options?: ConnectOptionsLike) => SocketLike;

export interface PemSet {
  ca: string;
  cert: string;
  key: string;
}

export interface TestServer {
  port: number;
  /** Bytes the `index`-th accepted connection received, once it ended; rejects when there is none. */
  received(index: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * The peers as the checks and probes ask for them. In a runtime with a listen they run in the
 * same process (`localPeers`); where there is none (a Worker), in another process reached over
 * a control connection (remote-peers.ts). The checks see no difference.
 */
export interface SpecPeers {
  /** RFC 862 echo over TCP (or TLS with `tls`, with the run's certificate), on `hostname`. */
  echo(hostname?: string, tls?: { alpn?: string[] }): Promise<TestServer>;
  /** Writes "bye" and half-closes at once, then reads what comes after its FIN. */
  fin(): Promise<TestServer>;
  /** A plaintext "STARTTLS\n" answered "OK\n", then TLS echo. */
  startTls(): Promise<TestServer>;
  /** A port on 127.0.0.1 nothing listens on. */
  refusedPort(): Promise<number>;
}

/** How a promise of the draft (`opened`, `closed`, a write) stood after a wait. */
export type SettleState = "resolved" | "rejected" | "pending";

/** Whether `p` settled within `ms`, and how; "pending" when it did not or there is no promise. */
export async function stateOf(p: Promise<unknown> | undefined, ms: number): Promise<SettleState> {
  if (!p) return "pending";
  const r = await within(
    p.then(
      () => "resolved" as const,
      () => "rejected" as const,
    ),
    ms,
  );
  return r === TIMED_OUT ? "pending" : r;
}
