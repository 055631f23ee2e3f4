import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RuntimeName } from "@netparity/protocol";
import { denoRunFlags, platformPackageOf, runtimeOf, type RuntimeDescriptor } from "../common/runtime-descriptors.js";
import { startWorkerdAgent, workerdVersion } from "../workerd/index.js";

export { denoRunFlags };

/**
 * The drivers a descriptor's `driver` names: how such a runtime's agent starts (one role, as a
 * Harness of AgentEvents) and how its binary's version is read.
 */
export const DRIVERS = {
  workerd: { start: startWorkerdAgent, version: workerdVersion },
} as const satisfies Record<NonNullable<RuntimeDescriptor["driver"]>, unknown>;

/**
 * conformance/ — the package root, whether running from src/ (tests), dist/ (CLI) or an
 * installed copy (node_modules/netparity, which has no build.mjs).
 */
export const PACKAGE_ROOT = findUp(dirname(fileURLToPath(import.meta.url)), "package.json");
export const DIST = join(PACKAGE_ROOT, "dist");

let agentBundles = DIST;
/**
 * Runs agents from `dir` (each runtime's agent bundle, agent-node.js...) instead of dist/: the
 * bundles that carry users' scenarios (`--scenario-module`, see scenario-modules.ts).
 */
export function useAgentBundles(dir: string): void {
  agentBundles = dir;
}

function findUp(from: string, marker: string): string {
  let d = from;
  for (let i = 0; i < 10; i++) {
    if (existsSync(join(d, marker))) return d;
    d = dirname(d);
  }
  throw new Error(`cannot find the netparity package root from ${from}`);
}

/**
 * Binaries: a flag wins, then NETPARITY_<RUNTIME>, then what the runtime's descriptor says (the
 * parent's own executable, or the npm-installed binary), then the name on PATH.
 */
export function runtimeBinary(rt: RuntimeName, overrides: Partial<Record<RuntimeName, string>> = {}): string {
  const flag = overrides[rt];
  if (flag) return flag;
  const env = process.env[`NETPARITY_${rt.toUpperCase()}`];
  if (env) return env;
  const d = runtimeOf(rt);
  if (d.binary.self) return process.execPath;
  const fromPackage = platformPackageBinary(d);
  if (fromPackage) return fromPackage;
  const bin = d.binary.npmBin ?? rt;
  let dir = PACKAGE_ROOT;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "node_modules", ".bin", bin);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return bin;
}

/** The binary in the platform package the descriptor names (workerd), installed in node_modules. */
export function platformPackageBinary(d: RuntimeDescriptor): string | undefined {
  const p = platformPackageOf(d, process.platform, process.arch);
  if (!p) return undefined;
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve(`${p.pkg}/package.json`)), p.bin);
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** The command line that runs the agent bundle for `rt` with one JSON argument (its descriptor's). */
export function agentCommand(
  rt: RuntimeName,
  spec: unknown,
  overrides: Partial<Record<RuntimeName, string>> = {},
): { cmd: string; args: string[] } {
  const d = runtimeOf(rt);
  return {
    cmd: runtimeBinary(rt, overrides),
    args: [...d.runArgs({ write: true }), join(agentBundles, d.agent.bundle), JSON.stringify(spec)],
  };
}

/**
 * The built agent bundle of a runtime run by a driver (workerd's Worker): always dist/'s, since
 * `--scenario-module` bundles only runtimes with an adapter package.
 */
export function driverBundle(rt: RuntimeName): string {
  return join(DIST, runtimeOf(rt).agent.bundle);
}

const versionCache = new Map<string, string>();
/** The exact version string of a runtime binary, or an error message. */
export function runtimeVersion(
  rt: RuntimeName,
  overrides: Partial<Record<RuntimeName, string>> = {},
): { version?: string; error?: string } {
  const bin = runtimeBinary(rt, overrides);
  const key = `${rt}:${bin}`;
  const cached = versionCache.get(key);
  if (cached) return { version: cached };
  try {
    const driver = runtimeOf(rt).driver;
    if (driver) {
      const v = DRIVERS[driver].version(bin);
      versionCache.set(key, v);
      return { version: v };
    }
    const out = execFileSync(bin, ["--version"], {
      encoding: "utf8",
      timeout: 15_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const m = /(\d+\.\d+\.\d+[\w.-]*)/.exec(out);
    const v = m?.[1] ?? out.trim();
    versionCache.set(key, v);
    return { version: v };
  } catch (e) {
    return { error: `${rt} binary "${bin}" did not run: ${(e as Error).message.split("\n")[0]}` };
  }
}
