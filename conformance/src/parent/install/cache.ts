/**
 * The runtime cache: one directory per installed version, `<cache>/<name>/<version>/`, holding
 * the per-platform npm package (platform.ts) and `netparity-runtime.json` with the exact
 * version the binary reports. Installs go into a temporary directory that is renamed into
 * place, under a lock per version (proper-lockfile: a lock directory whose mtime the holder
 * keeps fresh; a lock left by a killed process goes stale and is taken over), so two runs
 * installing the same version end with one install, and a reader never sees half of one.
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { isRuntimeName, RUNTIME_NAMES, type RuntimeName } from "@netparity/protocol";
import semver from "semver";
import { platformPackage, type PlatformPackage } from "./platform.js";
import { npmCommand } from "./registry.js";
import { runtimeOf } from "../common/runtime-descriptors.js";
import { DRIVERS } from "../runner/runtimes.js";

/**
 * proper-lockfile, loaded when an install or a prune needs a lock: requiring it patches fs
 * (graceful-fs), which every CLI start would otherwise pay for.
 */
async function lockLibrary(): Promise<typeof import("proper-lockfile")> {
  return (await import("proper-lockfile")).default;
}

export const META_FILE = "netparity-runtime.json";

export interface InstalledRuntime {
  name: RuntimeName;
  /** The version the binary reports (e.g. "22.23.3"). */
  version: string;
  /** The npm package and version installed. */
  pkg: string;
  pkgVersion: string;
  /** Absolute path of the binary. */
  binary: string;
  /** The version's directory in the cache. */
  dir: string;
  installedAt: string;
  /** How long the install took (download included). */
  installMs: number;
}

/** Installs `pkg@version` into `dir` (an empty directory with a package.json). */
export type Installer = (dir: string, pkg: string, version: string) => Promise<void>;

/**
 * NETPARITY_CACHE, else the user's cache directory: $XDG_CACHE_HOME/netparity or
 * ~/.cache/netparity (Linux), ~/Library/Caches/netparity (macOS), %LOCALAPPDATA%\netparity\Cache.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.NETPARITY_CACHE) return env.NETPARITY_CACHE;
  const home = env.HOME || homedir();
  if (platform === "darwin") return join(home, "Library", "Caches", "netparity");
  if (platform === "win32") return join(env.LOCALAPPDATA || join(home, "AppData", "Local"), "netparity", "Cache");
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "netparity");
}

export function versionDir(root: string, name: RuntimeName, version: string): string {
  return join(root, name, version);
}

/** The installed version in `dir`, or undefined when it is missing or incomplete. */
export function readInstalled(dir: string): InstalledRuntime | undefined {
  const file = join(dir, META_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, "utf8")) as Omit<InstalledRuntime, "binary" | "dir"> & { bin: string };
    const binary = join(dir, m.bin);
    if (!isRuntimeName(m.name) || !existsSync(binary)) return undefined;
    return {
      name: m.name,
      version: m.version,
      pkg: m.pkg,
      pkgVersion: m.pkgVersion,
      binary,
      dir,
      installedAt: m.installedAt,
      installMs: m.installMs,
    };
  } catch {
    return undefined;
  }
}

/** Every complete install in the cache, by runtime then version. */
export function listInstalled(root: string = cacheRoot()): InstalledRuntime[] {
  const out: InstalledRuntime[] = [];
  for (const name of RUNTIME_NAMES) {
    const d = join(root, name);
    if (!existsSync(d)) continue;
    for (const v of readdirSync(d)) {
      if (!semver.valid(v)) continue;
      const i = readInstalled(join(d, v));
      if (i) out.push(i);
    }
  }
  // Runtimes in node, bun, deno order (the loop's), versions ascending within each.
  return out.sort((a, b) => (a.name === b.name ? semver.compare(a.pkgVersion, b.pkgVersion) : 0));
}

/** The cached install of exactly `version` of `name`, if there is one. */
export function findInstalled(root: string, name: RuntimeName, version: string): InstalledRuntime | undefined {
  return readInstalled(versionDir(root, name, version));
}

/** Bytes under `path` (files and symlinks themselves, not what links point to). */
export function diskSize(path: string): number {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(path)) n += diskSize(join(path, e));
  return n;
}

export const npmInstall: Installer = (dir, pkg, version) =>
  new Promise((resolve, reject) => {
    const { cmd, args } = npmCommand([
      "install",
      "--prefix",
      dir,
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
      `${pkg}@${version}`,
    ]);
    execFile(cmd, args, { cwd: dir, timeout: 15 * 60_000, maxBuffer: 8 * 1024 * 1024 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const line = String(stderr).trim().split("\n").filter(Boolean).slice(-2).join(" | ");
      reject(new Error(`npm install ${pkg}@${version} failed: ${line || err.message}`));
    });
  });

/** Runs `binary --version` and returns the version in its answer ("v22.23.3", "deno 2.7.1 (…)"). */
export function binaryVersion(binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ["--version"], { timeout: 30_000, encoding: "utf8" }, (err, out) => {
      if (err) return reject(new Error(`${binary} --version failed: ${err.message.split("\n")[0]}`));
      const m = /(\d+\.\d+\.\d+[\w.+-]*)/.exec(out);
      if (!m?.[1]) return reject(new Error(`${binary} --version printed no version: ${out.trim().slice(0, 80)}`));
      resolve(m[1]);
    });
  });
}

export interface InstallOptions {
  root?: string;
  installer?: Installer;
  platform?: PlatformPackage;
  /** How long to wait for another process installing the same version (default 15 min). */
  waitMs?: number;
  /** A lock whose holder stopped refreshing it for this long is taken over (default 30 s). */
  staleMs?: number;
  /** Told when this call waits for another installer, and when it installs. */
  onEvent?: (e: "waiting" | "installing") => void;
}

/**
 * `name` at exactly `version` (an npm version of its platform package) from the cache,
 * installing it first when it is not there. Concurrent calls, in one process or several,
 * install once.
 */
export async function ensureInstalled(
  name: RuntimeName,
  version: string,
  o: InstallOptions = {},
): Promise<InstalledRuntime & { installed: boolean }> {
  const root = o.root ?? cacheRoot();
  const dir = versionDir(root, name, version);
  const have = readInstalled(dir);
  if (have) return { ...have, installed: false };
  mkdirSync(join(root, name), { recursive: true });
  const staleMs = o.staleMs ?? 30_000;
  const waitMs = o.waitMs ?? 15 * 60_000;
  const tick = Math.min(1000, Math.max(50, Math.floor(staleMs / 10)));
  let release: (() => Promise<void>) | undefined;
  let waited = false;
  const deadline = Date.now() + waitMs;
  const lockfile = await lockLibrary();
  while (!release) {
    try {
      release = await lockfile.lock(dir, {
        realpath: false,
        lockfilePath: `${dir}.lock`,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 3)),
        onCompromised: () => {
          // Another process took the lock over (we stalled past `stale`); the rename below
          // still never exposes a partial install, so carry on.
        },
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
      if (Date.now() > deadline)
        throw new Error(
          `${name} ${version}: another process has been installing it for over ${Math.round(waitMs / 1000)} s (lock ${dir}.lock)`,
        );
      if (!waited) o.onEvent?.("waiting");
      waited = true;
      await new Promise((r) => setTimeout(r, tick));
      const done = readInstalled(dir);
      if (done) return { ...done, installed: false };
    }
  }
  try {
    // The holder before us may have finished between our check and our lock.
    const done = readInstalled(dir);
    if (done) return { ...done, installed: false };
    o.onEvent?.("installing");
    const plat = o.platform ?? platformPackage(name);
    const tmp = join(root, name, `.${version}.tmp-${process.pid}-${Date.now()}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const t0 = performance.now();
    try {
      writeFileSync(
        join(tmp, "package.json"),
        `${JSON.stringify({ private: true, description: "netparity runtime cache" })}\n`,
      );
      await (o.installer ?? npmInstall)(tmp, plat.pkg, version);
      const bin = join("node_modules", plat.pkg, plat.bin);
      if (!existsSync(join(tmp, bin))) throw new Error(`${plat.pkg}@${version} has no ${plat.bin}`);
      // A runtime run by a driver reads its version its own way (workerd prints only its build
      // date; its version is its npm package's).
      const driver = runtimeOf(name).driver;
      const reported = driver ? DRIVERS[driver].version(join(tmp, bin)) : await binaryVersion(join(tmp, bin));
      if (semver.valid(reported) && !semver.eq(reported, version))
        throw new Error(`${plat.pkg}@${version} installed a binary that says it is ${reported}`);
      const meta = {
        name,
        version: reported,
        pkg: plat.pkg,
        pkgVersion: version,
        bin,
        installedAt: new Date().toISOString(),
        installMs: Math.round(performance.now() - t0),
      };
      writeFileSync(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
      // A leftover without its meta file is an interrupted install from before the lock.
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const now = readInstalled(dir);
    if (!now) throw new Error(`${name} ${version}: the install in ${dir} is incomplete`);
    return { ...now, installed: true };
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Removes installs from the cache: all of them, or those `keep` does not match. Each removal
 * takes the version's lock, so an install in progress is never removed under its installer.
 * Also removes leftovers of interrupted installs.
 */
export async function prune(
  root: string,
  keep: (i: InstalledRuntime) => boolean = () => false,
): Promise<{ removed: InstalledRuntime[]; freed: number }> {
  const removed: InstalledRuntime[] = [];
  let freed = 0;
  const lockfile = await lockLibrary();
  for (const i of listInstalled(root)) {
    if (keep(i)) continue;
    const release = await lockfile
      .lock(i.dir, {
        realpath: false,
        lockfilePath: `${i.dir}.lock`,
        stale: 30_000,
        retries: { retries: 60, minTimeout: 500, maxTimeout: 1000 },
      })
      .catch(() => undefined);
    if (!release) continue;
    try {
      const size = diskSize(i.dir);
      rmSync(i.dir, { recursive: true, force: true });
      freed += size;
      removed.push(i);
    } finally {
      await release().catch(() => undefined);
    }
  }
  for (const name of RUNTIME_NAMES) {
    const d = join(root, name);
    if (!existsSync(d)) continue;
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      // An interrupted install's temporary directory, older than a minute (not one being written now).
      if (e.startsWith(".") && e.includes(".tmp-") && Date.now() - statSync(p).mtimeMs > 60_000) {
        freed += diskSize(p);
        rmSync(p, { recursive: true, force: true });
      }
    }
  }
  return { removed, freed };
}
