/**
 * The WinterTC Sockets API spec suite: each normative statement of the draft (index.bs of
 * WinterTC55/proposal-sockets-api) as a check named by its section anchor, run inside a
 * runtime against one implementation of `connect` (netparity's facade, or another one such
 * as @arrowood.dev/socket on Node). The draft's open questions are probes: they record what
 * the implementation does ("observed") and pass or fail nothing.
 */
import type { Runtime } from "@netparity/protocol";
import { type CheckResult, type CheckStatus, runBounded } from "../common/check.js";
import { timeoutDetail, withTimeout } from "../common/timing.js";
import { CONNECT_CHECKS } from "./connect-checks.js";
import type { Ctx, SocketsImplementation, SpecCheck, SpecHooks } from "./harness.js";
import { localPeers, type PemSet, type SpecPeers } from "./servers.js";
import { SOCKET_CHECKS } from "./socket-checks.js";
import { STARTTLS_CHECKS } from "./starttls-checks.js";

export type { ConnectLike, ConnectOptionsLike, SocketLike, SocketsImplementation, SpecHooks } from "./harness.js";

/** What an agent entry can add for the spec suite: starts counting unhandled rejections (from then on, for the suite only). */
export interface SpecHostHooks {
  watchUnhandledRejections?(): () => number;
}

/** One statement of the draft checked on one implementation (how it ended: common/check.ts). */
export interface SpecResult extends CheckResult {
  /** The draft's section anchor, e.g. "close-method". */
  section: string;
  name: string;
  kind: "normative" | "probe";
  /** A probe is "observed" with its outcome in `detail`. */
  status: CheckStatus;
}

/** Every check of the suite, in the draft's order of sections. */
export const SPEC: readonly SpecCheck[] = [...CONNECT_CHECKS, ...SOCKET_CHECKS, ...STARTTLS_CHECKS];

/** Upper bound of one check of the suite. */
const CHECK_TIMEOUT_MS = 20_000;

/**
 * Runs every check of SPEC (or those whose name contains `only`), each with its own peers:
 * made with `rt`'s listen, or by `peers` (a runtime without a listen: remote-peers.ts).
 */
export async function runSocketsSpec(
  rt: Runtime,
  impl: SocketsImplementation,
  pems: PemSet | undefined,
  hooks: SpecHooks = {},
  only?: string,
  peers: SpecPeers = localPeers(rt, pems),
): Promise<SpecResult[]> {
  const results: SpecResult[] = [];
  for (const check of SPEC) {
    if (only && !check.name.includes(only)) continue;
    const cleanups: Array<() => unknown> = [];
    let observed: string | undefined;
    const ctx: Ctx = {
      rt,
      impl,
      pems,
      hooks,
      peers,
      connect: impl.connect,
      defer: (f) => cleanups.push(f),
      server: async (make) => {
        const s = await make;
        cleanups.push(() => s.close());
        return s;
      },
      observe: (o) => {
        observed = o;
      },
    };
    const t0 = rt.host.now();
    const base = { section: check.section, name: check.name, kind: check.kind };
    const ran = await runBounded(
      () => rt.host.now(),
      () => check.run(ctx),
      CHECK_TIMEOUT_MS,
    );
    // The spec suite words a failure by its message alone (no NetError code before it).
    const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
    const detail =
      ran.state === "failed"
        ? message(ran.error)
        : ran.state === "timeout"
          ? timeoutDetail(check.name, ran.limitMs)
          : "";
    if (ran.state === "done")
      results.push(
        check.kind === "probe"
          ? { ...base, status: "observed", detail: observed ?? "(nothing recorded)", ms: 0 }
          : { ...base, status: "pass", ms: 0 },
      );
    else if (ran.state === "skipped") results.push({ ...base, status: "skip", detail: ran.reason, ms: 0 });
    else if (check.kind === "probe") results.push({ ...base, status: "observed", detail: `error: ${detail}`, ms: 0 });
    else results.push({ ...base, status: "fail", detail, ms: 0 });
    for (const f of cleanups.reverse()) {
      try {
        await withTimeout(
          Promise.resolve(f()).catch(() => {}),
          2000,
          "cleanup",
        );
      } catch {
        // a cleanup that hangs is not this check's verdict
      }
    }
    const last = results[results.length - 1];
    if (last) last.ms = Math.round(rt.host.now() - t0);
  }
  return results;
}
