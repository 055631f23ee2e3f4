import type { RuntimeName } from "@netparity/protocol";
import { writeCertificates } from "../certs/generate.js";
import { socketsSpecMarkdown, socketsSpecScore } from "../report/sockets-spec.js";
import { runSocketsSpecIn, type SocketsSpecEvent, type SocketsSpecTarget } from "../runner/sockets-spec.js";
import { runtimeOf } from "../common/runtime-descriptors.js";
import { runtimeVersion } from "../runner/runtimes.js";
import { runtimeRuns } from "./preflight.js";

export interface SocketsSpecOptions {
  runtimes: RuntimeName[];
  /** Also run the suite on Node against @arrowood.dev/socket (the comparison row). */
  polyfill: boolean;
  json: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
}

/**
 * `netparity sockets-spec`: the WinterTC Sockets spec suite inside each runtime (and against the
 * polyfill), as a Markdown table with each implementation's deviations. Exit 0 when every
 * normative check passed for @netparity/sockets in every runtime (the polyfill's row is
 * information), 1 otherwise.
 */
export async function socketsSpec(o: SocketsSpecOptions): Promise<number> {
  const runtimes: RuntimeName[] = [];
  for (const rt of o.runtimes) {
    // An opt-in runtime (workerd) that is not here is skipped with one line, as in `run`.
    const missing = runtimeOf(rt).optional ? runtimeVersion(rt, o.binaries).error : undefined;
    if (missing) process.stderr.write(`netparity: ${rt} skipped: ${missing}\n`);
    else if (!runtimeRuns(rt, o.binaries)) return 1;
    else runtimes.push(rt);
  }
  const certs = await writeCertificates({ prefix: "netparity-sockets-spec-" });
  const events: SocketsSpecEvent[] = [];
  try {
    const targets: SocketsSpecTarget[] = [...runtimes, ...(o.polyfill ? (["polyfill"] as const) : [])];
    for (const t of targets) {
      process.stderr.write(`[sockets-spec] ${t === "polyfill" ? "@arrowood.dev/socket on node" : t}\n`);
      events.push(
        await runSocketsSpecIn(t, { ca: certs.ca, cert: certs.cert, key: certs.key }, { binaries: o.binaries }),
      );
    }
  } finally {
    await certs.remove();
  }
  process.stdout.write(o.json ? `${JSON.stringify(events, null, 2)}\n` : socketsSpecMarkdown(events));
  const ours = events.filter((e) => e.implementation === "@netparity/sockets");
  return ours.every((e) => {
    const s = socketsSpecScore(e);
    return s.passed === s.run;
  })
    ? 0
    : 1;
}
