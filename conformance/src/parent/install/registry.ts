/**
 * The npm registry, through npm itself: `npm view <pkg> versions dist-tags --json` honours the
 * user's npm configuration (registry, proxy, auth in .npmrc and npm_config_* variables), so a
 * mirror or a private registry works as it does for `npm install`.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import semver from "semver";

/** The part of a packument that resolving needs. */
export interface Packument {
  name: string;
  versions: string[];
  distTags: Record<string, string>;
}

export type PackumentSource = (pkg: string) => Promise<Packument>;

/** Why a packument could not be had: the package (or registry) does not know it, or the registry is unreachable. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly kind: "not-found" | "unreachable",
  ) {
    super(message);
  }
}

/**
 * The npm command to run: the one running us (npx and npm scripts set npm_execpath), else the
 * npm bundled next to this Node (on Windows `npm.cmd` cannot be run without a shell), else
 * `npm` on PATH.
 */
export function npmCommand(args: string[]): { cmd: string; args: string[] } {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.js$/.test(cli)) return { cmd: process.execPath, args: [cli, ...args] };
  if (process.platform === "win32") {
    const bundled = join(dirname(process.execPath), "node_modules", "npm", "bin", "npm-cli.js");
    if (existsSync(bundled)) return { cmd: process.execPath, args: [bundled, ...args] };
  }
  return { cmd: "npm", args };
}

const NETWORK_CODES =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET_TIMEOUT|FETCH_ERROR|CERT_|SELF_SIGNED)/;

/** The packument of `pkg` from the configured registry. */
export const npmView: PackumentSource = (pkg) =>
  new Promise((resolve, reject) => {
    // One retry, soon: a registry that is down should cost seconds, not npm's default minute.
    const { cmd, args } = npmCommand([
      "view",
      pkg,
      "versions",
      "dist-tags",
      "--json",
      "--fetch-retries=1",
      "--fetch-retry-mintimeout=1000",
      "--fetch-retry-maxtimeout=3000",
    ]);
    execFile(cmd, args, { timeout: 90_000, maxBuffer: 32 * 1024 * 1024, encoding: "utf8" }, (err, stdout, stderr) => {
      const text = `${stdout}\n${stderr}`;
      if (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT")
          return reject(new RegistryError(`cannot ask the npm registry: ${cmd} was not found`, "unreachable"));
        const code = /"code":\s*"(\w+)"/.exec(stdout)?.[1] ?? /npm error code (\w+)/.exec(stderr)?.[1] ?? "";
        if (code === "E404" || /\b404\b/.test(text))
          return reject(new RegistryError(`${pkg} is not on the npm registry`, "not-found"));
        const net = NETWORK_CODES.exec(`${code} ${text}`)?.[1];
        const why = net ?? (err.killed ? "timed out" : code || stderr.trim().split("\n").pop() || err.message);
        // npm names the URL it asked ("request to https://registry.example/pkg failed").
        const url = /request to (\S+?)\/?(?:@[^/\s]+%2f|[^/\s]+)? failed/i.exec(text)?.[1];
        return reject(
          new RegistryError(`the npm registry is unreachable (${why}${url ? ` at ${url}` : ""})`, "unreachable"),
        );
      }
      try {
        resolve(parsePackument(pkg, JSON.parse(stdout)));
      } catch (e) {
        reject(new RegistryError(`unexpected answer from npm view ${pkg}: ${(e as Error).message}`, "unreachable"));
      }
    });
  });

/**
 * `npm view --json` with two fields gives `{ versions, "dist-tags" }`; a registry document
 * (`GET /<pkg>`) has `versions` as an object and `dist-tags`. Both are accepted, so a test
 * fixture may be either.
 */
export function parsePackument(pkg: string, x: unknown): Packument {
  const o = x as { name?: string; versions?: unknown; "dist-tags"?: unknown };
  if (!o || typeof o !== "object") throw new Error("not an object");
  const versions = Array.isArray(o.versions)
    ? o.versions.map(String)
    : typeof o.versions === "string"
      ? [o.versions]
      : o.versions && typeof o.versions === "object"
        ? Object.keys(o.versions)
        : [];
  const tags = o["dist-tags"] && typeof o["dist-tags"] === "object" ? (o["dist-tags"] as Record<string, string>) : {};
  return { name: o.name ?? pkg, versions: versions.filter((v) => semver.valid(v)), distTags: { ...tags } };
}

export type Resolution = { version: string } | { error: string };

/**
 * The exact version a range or dist-tag names in a packument: a dist-tag by its name, a
 * semver range by the highest version it allows (pre-releases only when the range names one).
 */
export function resolveVersion(range: string, p: Packument): Resolution {
  const tagged = p.distTags[range];
  if (tagged)
    return p.versions.includes(tagged)
      ? { version: tagged }
      : { error: `dist-tag ${range} names ${tagged}, which ${p.name} does not list` };
  if (!semver.validRange(range))
    return { error: `${p.name} has no dist-tag "${range}" (it has ${Object.keys(p.distTags).join(", ") || "none"})` };
  const v = semver.maxSatisfying(p.versions, range);
  if (v) return { version: v };
  return { error: `no version of ${p.name} matches ${range} (${describeVersions(p.versions)})` };
}

/** "20.0.0 … 26.12.1, 683 versions" */
function describeVersions(versions: string[]): string {
  const stable = versions.filter((v) => !semver.prerelease(v)).sort(semver.compare);
  if (!stable.length) return "no released versions";
  return `it has ${stable[0]} … ${stable[stable.length - 1]}, ${stable.length} releases`;
}
