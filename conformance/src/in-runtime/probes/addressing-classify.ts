/**
 * The classifiers of the bind-address probes (`addr.default-host`, `addr.empty-host`): pure
 * functions of the recorded evidence, so each outcome is unit-tested with evidence recorded
 * from a real runtime (test/probe-classify.test.ts) and a change in a runtime shows up as a
 * different outcome, never as the same label.
 */

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
