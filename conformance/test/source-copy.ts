/**
 * Packing the workspace packages as another project gets them, without touching this tree: a
 * copy of the sources whose `npm pack` (and its prepack build) writes only inside the copy.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
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

/** The tarballs of `workspaces`, packed from a fresh source copy and installed into an empty project. */
export interface InstalledTarballs {
  sources: string;
  packDir: string;
  project: string;
  tarballs: string[];
}

/**
 * Packs `workspaces` (in dependency order: a package's prepack build reads the ones before it
 * from their dist/) from a copy of the sources, and installs the tarballs into an empty ES
 * module project named `name` (third-party dependencies from the registry). `remove` deletes
 * the three directories.
 */
export function installTarballs(workspaces: readonly string[], name: string): InstalledTarballs {
  const packDir = mkdtempSync(join(tmpdir(), `netparity-${name}-pack-`));
  const project = mkdtempSync(join(tmpdir(), `netparity-${name}-user-`));
  const sources = sourceCopy();
  for (const w of workspaces) {
    const r = sh("npm", ["pack", "-w", w, "--pack-destination", packDir, "--silent"], sources, 300_000);
    if (r.code !== 0) throw new Error(`npm pack -w ${w}: ${r.out}`);
  }
  const tarballs = readdirSync(packDir).map((f) => join(packDir, f));
  if (tarballs.length !== workspaces.length)
    throw new Error(`npm pack wrote ${tarballs.length} tarballs for ${workspaces.length} packages`);
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name, private: true, type: "module" }, null, 2)}\n`);
  const r = sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs], project, 480_000);
  if (r.code !== 0) throw new Error(`npm install of the tarballs: ${r.out}`);
  return { sources, packDir, project, tarballs };
}

/** Removes what installTarballs made. */
export function removeInstalled(i: InstalledTarballs | undefined): void {
  for (const d of i ? [i.packDir, i.project, i.sources] : []) rmSync(d, { recursive: true, force: true });
}
