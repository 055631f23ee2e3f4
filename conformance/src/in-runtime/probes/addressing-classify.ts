/**
 * The classifiers of the addressing probes (`addr.*`, `ipv6.*`): pure
 * functions of the recorded evidence, so each outcome is unit-tested with evidence recorded
 * from a real runtime (test/probe-classify.test.ts) and a change in a runtime shows up as a
 * different outcome, never as the same label.
 */
import { isErrorEvidence, shapeOf, type ErrorEvidence } from "./errors-classify.js";
import type { ProbeVerdict } from "./types.js";

/** What a bind probe records: the listener's address and which loopback clients got in, or the error. */
export type BindEvidence =
  | {
      address: { hostname: string; port: number };
      /** "connected", or how the connect ended (an error code, "pending"). */
      loopbackClients: Record<string, string>;
    }
  | {
      /** errorEvidence() of the listen call that failed. */
      error: { code?: string; message?: string; cause?: { name?: string; code?: string } | null; thrown?: unknown };
    };

/** The runtime's own error as a short label: its class name, and its code where it has one. */
function causeLabel(e: Extract<BindEvidence, { error: unknown }>["error"]): string {
  const c = e.cause ?? (e.thrown as { name?: string; code?: string } | undefined);
  const name = c?.name ?? e.code ?? "error";
  return c?.code && c.code !== name ? `${name}:${c.code}` : name;
}

/**
 * "dual-stack ::" (both loopbacks reach it), "IPv6-only ::", "IPv4 0.0.0.0", "loopback 127.0.0.1"
 * and the like, "refused (<the runtime's error>)" when listening failed, "binds <address>" otherwise.
 */
export function classifyBind(e: BindEvidence): { outcome: string; explanation: string } {
  if ("error" in e) {
    const label = causeLabel(e.error);
    return {
      outcome: `refused (${label})`,
      explanation: `The runtime refuses to listen there (${label}: ${e.error.message ?? "no message"}).`,
    };
  }
  const bound = e.address.hostname;
  const v4 = e.loopbackClients["127.0.0.1"] === "connected";
  const v6 = e.loopbackClients["::1"] === "connected";
  const reach = `127.0.0.1 client: ${e.loopbackClients["127.0.0.1"] ?? "not tried"}, ::1 client: ${e.loopbackClients["::1"] ?? "not tried"}`;
  let outcome: string;
  if (bound === "::" || bound === "[::]") outcome = v4 && v6 ? "dual-stack ::" : v6 ? "IPv6-only ::" : `:: unreachable`;
  else if (bound === "0.0.0.0") outcome = v4 ? "IPv4 0.0.0.0" : "0.0.0.0 unreachable";
  else if (bound === "127.0.0.1" || bound === "::1") outcome = `loopback ${bound}`;
  else outcome = `binds ${bound}`;
  return { outcome, explanation: `The listener binds ${bound} (${reach}).` };
}

/** An address as a probe records it (the Runtime's Address). */
export type AddressEvidence = { transport: string; hostname?: string; port?: number; path?: string };

/** The host part of an address: the hostname, or "unix:<path>". */
export function hostOfEvidence(a: AddressEvidence): string {
  return a.transport === "unix" ? `unix:${a.path}` : (a.hostname ?? "no hostname");
}

/** addr.localhost-listen: the listener's reported address and the loopbacks that reach it, or the listen error. */
export type LocalhostListenEvidence = { address: AddressEvidence; reachableOn: string[] } | ErrorEvidence;

export function classifyLocalhostListen(e: LocalhostListenEvidence): ProbeVerdict {
  if (isErrorEvidence(e)) return { outcome: shapeOf(e), explanation: "Listening on the name localhost failed." };
  const reported = hostOfEvidence(e.address);
  const on = e.reachableOn.join(" + ") || "nothing";
  return {
    outcome: reported === on ? reported : `reports ${reported}, on ${on}`,
    explanation: `A listener asked for "localhost" reports ${reported} and accepts clients on ${on}.`,
  };
}

/** addr.localhost-connect: which loopback a client of "localhost" reached, with listeners on both. */
export type LocalhostConnectEvidence =
  | { attempts: string[] }
  | { port: number; connect: "pending" }
  | { remote: AddressEvidence; local: AddressEvidence; connectMs: number }
  | ErrorEvidence;

export function classifyLocalhostConnect(e: LocalhostConnectEvidence): ProbeVerdict {
  if (isErrorEvidence(e))
    return {
      outcome: shapeOf(e),
      explanation: "Connecting to localhost failed although both loopbacks listen.",
    };
  if ("attempts" in e)
    return {
      outcome: "no-dual-loopback",
      explanation: "Could not listen on the same port on 127.0.0.1 and ::1, so the choice cannot be observed.",
    };
  if ("connect" in e)
    return { outcome: "connect-hangs", explanation: "Connecting to localhost did not finish within 2 s." };
  const remote = hostOfEvidence(e.remote);
  return {
    outcome: remote,
    explanation: `With both loopbacks listening, a client connecting to "localhost" reaches ${remote}.`,
  };
}

/** addr.localhost-udp: the address a datagram socket bound to "localhost" reports, or the bind error. */
export type LocalhostUdpEvidence = { address: AddressEvidence } | ErrorEvidence;

export function classifyLocalhostUdp(e: LocalhostUdpEvidence): ProbeVerdict {
  if (isErrorEvidence(e))
    return { outcome: shapeOf(e), explanation: "Binding a datagram socket to the name localhost failed." };
  const host = hostOfEvidence(e.address);
  return { outcome: host, explanation: `A datagram socket bound to "localhost" reports ${host}.` };
}

/** ipv6.loopback-tcp: what the server read of the one byte (6) the client sent over ::1, or the listen error. */
export type Ipv6TcpEvidence =
  | {
      listener: AddressEvidence;
      clientLocal: AddressEvidence;
      serverRemote: AddressEvidence | null;
      /** The first bytes the server read, or "eof", "pending", an error code, "no server end". */
      serverRead: number[] | string;
    }
  | ErrorEvidence;

export function classifyIpv6Tcp(e: Ipv6TcpEvidence): ProbeVerdict {
  if (isErrorEvidence(e)) return { outcome: shapeOf(e), explanation: "Listening on ::1 failed." };
  const ok = Array.isArray(e.serverRead) && e.serverRead[0] === 6;
  return ok
    ? {
        outcome: "supported",
        explanation:
          "A listener on ::1 accepts an IPv6 client and bytes flow; addresses are reported without brackets.",
      }
    : {
        outcome: "no-data",
        explanation: `Bytes sent over ::1 did not arrive (the server's read: ${JSON.stringify(e.serverRead)}).`,
      };
}

/** ipv6.loopback-udp: how the receive of a 3-byte datagram over ::1 ended, or the bind error. */
export type Ipv6UdpEvidence =
  | {
      address: AddressEvidence;
      from: AddressEvidence | null;
      receive: { bytes: number } | "null" | "pending" | { error: ErrorEvidence };
    }
  | ErrorEvidence;

export function classifyIpv6Udp(e: Ipv6UdpEvidence): ProbeVerdict {
  if (isErrorEvidence(e)) return { outcome: shapeOf(e), explanation: "Binding a datagram socket on ::1 failed." };
  const r = e.receive;
  if (typeof r === "object" && "bytes" in r && r.bytes === 3)
    return {
      outcome: "supported",
      explanation: "Datagrams travel over ::1 and the sender's address is reported as ::1.",
    };
  return {
    outcome: typeof r === "object" && "error" in r ? shapeOf(r.error) : "not-delivered",
    explanation: "A datagram sent over ::1 was not received.",
  };
}

/** ipv6.dual-stack: whether a 127.0.0.1 client reaches a listener on "::", and as whom the server sees it. */
export type DualStackEvidence =
  | { listener: AddressEvidence; connect: ErrorEvidence | "pending" }
  | {
      listener: AddressEvidence;
      /** The client's address as the server reports it; null when the server end was not accepted. */
      serverSeesClient: string | null;
      clientSeesServer: AddressEvidence;
    }
  | ErrorEvidence;

export function classifyDualStack(e: DualStackEvidence): ProbeVerdict {
  if (isErrorEvidence(e)) return { outcome: shapeOf(e), explanation: "Listening on :: failed." };
  if ("connect" in e)
    return {
      outcome: "ipv6-only",
      explanation: "A listener on :: does not take IPv4 clients (IPV6_V6ONLY is on).",
    };
  if (e.serverSeesClient === null)
    return {
      outcome: "accepts IPv4, server end not accepted",
      explanation:
        "A 127.0.0.1 client connects to a listener on ::, but the listener did not hand over the connection.",
    };
  return {
    outcome: `accepts IPv4 as ${e.serverSeesClient}`,
    explanation: `A listener on :: is dual-stack: a 127.0.0.1 client is accepted and reported as ${e.serverSeesClient}.`,
  };
}
