/**
 * Behaviour probes record what a runtime does rather than pass or fail it. Each probe runs
 * inside one runtime (through the agent), against the Runtime interface, and returns the
 * observed outcome as a short stable value, the evidence behind it and a one-line
 * explanation. Reports compare outcomes across runtimes; expectations files pin them.
 */
import type { Features, Runtime } from "@netparity/protocol";
import type { ConnectLike, SpecPeers } from "../common/draft-sockets.js";

export interface ProbeOutcome {
  /** Short, stable, machine-comparable value, e.g. "127.0.0.1", "merged", "EMSGSIZE", "unsupported". */
  outcome: string;
  /** What was observed: numbers, error codes, messages, byte counts. JSON-safe. */
  evidence: Record<string, unknown>;
  /** One sentence a reader understands without the code. */
  explanation: string;
}

/**
 * A probe is registered once, with its classifier: `collect` records what the runtime does (the
 * evidence), `classify` decides the outcome from that evidence alone. The catalogue runs one
 * after the other, and the tests replay recorded evidence through the same `classify`.
 */
export interface Probe<E extends object = object> {
  /** Stable identifier used in reports and expectations, e.g. "udp.max-datagram". */
  readonly id: string;
  readonly title: string;
  /** Features the probe needs; where one is false the outcome is "unsupported" without running. */
  readonly needs?: ReadonlyArray<keyof Features>;
  /**
   * Runs only inside a network namespace the parent creates (it sends to multicast groups);
   * the parent then passes `ctx.multicast`.
   */
  readonly netns?: boolean;
  /**
   * Needs the parent as its peer (`ctx.parentPeer`): the parent reads the probe's socket as the
   * kernel sees it, or resets the connection, from outside the runtime (parent/runner/probe-peer.ts).
   */
  readonly parentPeer?: boolean;
  /** Runs inside the runtime and returns the evidence (JSON-safe), never an outcome. */
  collect(rt: Runtime, ctx: ProbeContext): Promise<E>;
  /**
   * The pure function (from the probe's `*-classify.ts` file, no runtime API) from the evidence
   * to the short stable outcome and its explanation.
   */
  classify(evidence: E): ProbeVerdict;
}

/** One throwaway certificate set as PEM text: a CA, and a server certificate it signed with its key. */
export interface CertPems {
  ca: string;
  cert: string;
  key: string;
}

/** The certificate sets the TLS probes use, each with its own CA. */
export interface ProbeCerts {
  /** Valid for localhost, 127.0.0.1 and ::1 (ECDSA P-256). */
  main: CertPems;
  /** Valid for the same names, but expired yesterday. */
  expired: CertPems;
  /** Valid only for "other.example". */
  other: CertPems;
  /** As `main`, with an RSA-2048 key. */
  rsa?: CertPems;
}

/** What the parent handed the probes run besides the runtime; probes that need nothing ignore it. */
export interface ProbeContext {
  /** Absent when the parent gave no certificates: TLS probes then report "unsupported: no certificates". */
  certs?: ProbeCerts;
  /** Inside the parent's network namespace: the address of its interface with the multicast route. */
  multicast?: { interfaceAddress: string };
  /**
   * The `connect()` under test for the `wintertc.*` probes (@netparity/sockets in node, bun and
   * deno, `cloudflare:sockets` in workerd), trusting the `main` CA, and the peers it talks to.
   */
  sockets?: { implementation: string; connect: ConnectLike; peers: SpecPeers };
  /**
   * A TCP server in the parent on this host and port: send "inspect\n" and it answers one JSON
   * line, the probe's end of that connection as the kernel sees it; "reset\n" and it resets the
   * connection (a real RST). Absent when the parent gave none: such probes then report "unsupported".
   */
  parentPeer?: { host: string; port: number };
}

export interface ProbeResult extends ProbeOutcome {
  id: string;
  title: string;
  ms: number;
  /** Set when the probe itself threw: the outcome is then "error". */
  error?: { code: string; message: string };
}

/** What a probe's classifier decides from the recorded evidence: the outcome and its explanation. */
export type ProbeVerdict = Pick<ProbeOutcome, "outcome" | "explanation">;
