/**
 * Runs one probe inside a real Node, Bun or Deno process, for tests. The agent has no probe
 * role yet, so this bundles a two-line entry (adapter + probe) per runtime with the same
 * esbuild settings as build.mjs and runs it with the same command line as an agent.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { RuntimeName } from "@netparity/protocol";
import { PACKAGE_ROOT, agentCommand, DIST } from "../src/runner/runtimes.js";
import type { ProbeResult } from "../src/probes/types.js";

const ADAPTER: Record<RuntimeName, { pkg: string; name: string }> = {
  node: { pkg: "@netparity/runtime-node", name: "nodeRuntime" },
  bun: { pkg: "@netparity/runtime-bun", name: "bunRuntime" },
  deno: { pkg: "@netparity/runtime-deno", name: "denoRuntime" },
};

/** `module` is a path relative to conformance/src/probes exporting `exportName: Probe`. */
export async function runProbeIn(runtime: RuntimeName, module: string, exportName: string, timeoutMs = 30_000): Promise<ProbeResult> {
  const dir = mkdtempSync(join(tmpdir(), "netparity-probe-test-"));
  try {
    const a = ADAPTER[runtime];
    const contents = `
      import { ${a.name} as rt } from "${a.pkg}";
      import { ${exportName} as probe } from "./${module}";
      const t0 = rt.host.now();
      try {
        const r = await probe.run(rt);
        rt.host.stdoutLine(JSON.stringify({ id: probe.id, title: probe.title, ...r, ms: Math.round(rt.host.now() - t0) }));
        rt.host.exit(0);
      } catch (e) {
        rt.host.stdoutLine(JSON.stringify({ id: probe.id, title: probe.title, outcome: "error", evidence: {}, explanation: String(e), ms: 0,
          error: { code: e?.code ?? "ERROR", message: e?.message ?? String(e) } }));
        rt.host.exit(1);
      }`;
    const outfile = join(dir, `probe-${runtime}.js`);
    await build({
      stdin: { contents, resolveDir: join(PACKAGE_ROOT, "src", "probes"), loader: "ts", sourcefile: "probe-entry.ts" },
      bundle: true,
      format: "esm",
      target: "es2022",
      logLevel: "warning",
      outfile,
      ...(runtime === "node" ? { platform: "node" as const, target: "node20" } : { platform: "neutral" as const, external: runtime === "bun" ? ["bun", "node:*"] : ["node:*"] }),
    });
    // Same binary and flags as an agent, with the probe bundle in place of the agent bundle.
    const { cmd, args } = agentCommand(runtime, "");
    const agentFile = join(DIST, `agent-${runtime}.js`);
    const argv = args.slice(0, -1).map((x) => (x === agentFile ? outfile : x));
    return await new Promise<ProbeResult>((resolve, reject) => {
      const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.once("close", (code) => {
        clearTimeout(timer);
        const line = out.trim().split("\n").pop() ?? "";
        try {
          resolve(JSON.parse(line) as ProbeResult);
        } catch {
          reject(new Error(`${runtime} probe exited ${code} without a result: ${err.slice(-500)}`));
        }
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
