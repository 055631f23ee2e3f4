#!/usr/bin/env node
// Records the platform packages that the package registry reachable from this machine does
// not serve (e.g. @deno/darwin-arm64) in package-lock.json, so `npm ci` accepts the lock.
//
// npm writes a lock without optional dependencies it cannot fetch, and `npm ci` then
// rejects that same lock as out of sync ("Missing: @deno/darwin-arm64@ from lock file";
// npm/cli#9846, npm/cli#4828). The entries added here carry the platform (`os`/`cpu`)
// npm needs to skip them on other machines; where the package is needed, npm resolves it
// by name and version as usual.
//
// Usage: node .ci/lockfile-optional.mjs [--check]   (run after `npm install <pkg>`)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lockPath = join(root, "package-lock.json");

function missing() {
  let out = "";
  try {
    execFileSync("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
  return [...out.matchAll(/Missing: (@?[^@\s]+)@\S* from lock file/g)].map((m) => m[1]);
}

function platformOf(name) {
  const os = /darwin/.test(name)
    ? "darwin"
    : /win32|windows/.test(name)
      ? "win32"
      : /freebsd/.test(name)
        ? "freebsd"
        : /android/.test(name)
          ? "android"
          : /linux/.test(name)
            ? "linux"
            : undefined;
  const cpu = /arm64|aarch64/.test(name)
    ? "arm64"
    : /x64|-64\b|x86_64/.test(name)
      ? "x64"
      : /ia32/.test(name)
        ? "ia32"
        : undefined;
  const libc = /musl/.test(name) ? "musl" : /glibc|gnu/.test(name) ? "glibc" : undefined;
  return { os, cpu, libc };
}

const names = missing();
if (process.argv.includes("--check")) {
  if (names.length) {
    console.error(
      `package-lock.json lacks ${names.length} optional package(s): ${names.join(", ")}; run node .ci/lockfile-optional.mjs`,
    );
    process.exit(1);
  }
  console.log("package-lock.json: npm ci accepts it");
  process.exit(0);
}
if (!names.length) {
  console.log("package-lock.json: nothing to add");
  process.exit(0);
}
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const pkgs = lock.packages;
for (const name of names) {
  const parent = Object.entries(pkgs).find(([, p]) => p.optionalDependencies && name in p.optionalDependencies);
  if (!parent) throw new Error(`no package in the lock declares ${name} as optional`);
  const [, p] = parent;
  const { os, cpu, libc } = platformOf(name);
  if (!os || !cpu) throw new Error(`cannot tell the platform of ${name}`);
  pkgs[`node_modules/${name}`] = {
    version: p.optionalDependencies[name],
    ...(p.dev ? { dev: true } : {}),
    optional: true,
    os: [os],
    cpu: [cpu],
    ...(libc ? { libc: [libc] } : {}),
  };
  console.log(`added ${name}@${p.optionalDependencies[name]} (${os}/${cpu}${libc ? `/${libc}` : ""})`);
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
const left = missing();
if (left.length) {
  console.error(`still missing: ${left.join(", ")}`);
  process.exit(1);
}
console.log("package-lock.json: npm ci accepts it now");
