/**
 * Packing the workspace packages as another project gets them, without touching this tree: a
 * copy of the sources whose `npm pack` (and its prepack build) writes only inside the copy.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";

export const REPO = join(PACKAGE_ROOT, "..");

/** The environment without npm's own variables, so a nested npm acts as in a fresh shell. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

export function sh(cmd: string, args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = {}) {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...cleanEnv(), NO_COLOR: "1", ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, stdout: r.stdout ?? "" };
}

/**
 * A copy of the repository's sources (no node_modules, build output or git data) whose
 * node_modules links every installed package and re-makes the workspace links inside the copy.
 * npm pack's prepack builds there: the dist/ bundles that the other test files, running at the
 * same time, start their agents and CLI from are never rewritten under them.
 */
export function sourceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "netparity-src-"));
  const skip = /[/\\](node_modules|dist|\.git|\.turbo)([/\\]|$)/;
  cpSync(REPO, dir, { recursive: true, verbatimSymlinks: true, filter: (from) => !skip.test(from.slice(REPO.length)) });
  const link = (from: string, to: string): void => {
    // A workspace package is a relative link (../conformance): the same text points into the copy.
    if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else symlinkSync(from, to);
  };
  const modules = join(REPO, "node_modules");
  mkdirSync(join(dir, "node_modules"));
  for (const name of readdirSync(modules)) {
    const from = join(modules, name);
    if (!name.startsWith("@") || lstatSync(from).isSymbolicLink()) {
      link(from, join(dir, "node_modules", name));
      continue;
    }
    mkdirSync(join(dir, "node_modules", name));
    for (const sub of readdirSync(from)) link(join(from, sub), join(dir, "node_modules", name, sub));
  }
  return dir;
}
