/**
 * Where workerd comes from and which version it is. The `workerd` npm package is a shim whose
 * install script links a per-platform package, `@cloudflare/workerd-<os>-<arch>`, that alone
 * holds the binary (`bin/workerd`); netparity uses that package directly (a devDependency pins
 * the default version, other versions come through the runtime cache like node, bun, deno).
 * workerd prints only its build date (`workerd 2026-11-23`), so the version netparity reports
 * is the npm package's (`1.20261123.1`), read next to the binary.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { platformPackageOf, runtimeOf } from "../common/runtime-descriptors.js";

/**
 * The per-platform npm package that holds workerd for this machine (its descriptor's
 * `platformPackages`), or undefined when there is none.
 */
export function workerdPlatformPackage(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): { pkg: string; bin: string } | undefined {
  return platformPackageOf(runtimeOf("workerd"), platform, arch);
}

/**
 * The version of the workerd `binary`: its npm package's version when it lives in one
 * (`<pkg>/bin/workerd`), else the date it prints. Throws when the binary does not run.
 */
export function workerdVersion(binary: string): string {
  const out = execFileSync(binary, ["--version"], {
    encoding: "utf8",
    timeout: 15_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pkg = join(dirname(binary), "..", "package.json");
  if (existsSync(pkg)) {
    const m = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
    if (m.name?.startsWith("@cloudflare/workerd-") && m.version) return m.version;
  }
  const date = /(\d{4}-\d{2}-\d{2})/.exec(out)?.[1];
  if (!date) throw new Error(`${binary} --version printed no version: ${out.trim().slice(0, 80)}`);
  return date;
}

/**
 * The compatibility date to give the Worker: the binary's own build date (a newer one is
 * refused by workerd), from the npm version `1.YYYYMMDD.n` or a bare date.
 */
export function compatibilityDate(version: string): string {
  const m = /^1\.(\d{4})(\d{2})(\d{2})\./.exec(version) ?? /^(\d{4})-(\d{2})-(\d{2})$/.exec(version);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : "2024-09-23";
}
