/**
 * Runtimes as data: everything the parent, the build and the tests need to know about a
 * runtime lives in its descriptor here. Adding a runtime is one descriptor, one agent entry
 * file (`agents/<name>.ts`) and an adapter package (CONTRIBUTING, "Adding a runtime"):
 * `--runtimes`, `--apis`, binary lookup, the agent's command line, the build's bundles, the
 * vitest aliases and `--scenario-module` bundles all read this list.
 *
 * Read by build.mjs and vitest.config.ts as well, so it imports nothing but types.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { ApiName, End } from "../../in-runtime/common/apis.js";

export interface RuntimeDescriptor {
  /** The name in `--runtimes`, cell keys and expectation files (`expectations/<name>.json`). */
  readonly name: RuntimeName;
  readonly title: string;
  /** How its binary is found: `--<name>-bin`, then `NETPARITY_<NAME>`, then this. */
  readonly binary: {
    /** The parent's own executable (node runs the parent). */
    readonly self?: boolean;
    /** An npm package's binary in node_modules/.bin (bun, deno), else this name on PATH. */
    readonly npmBin?: string;
    /**
     * The per-platform npm packages that hold the binary, by `${process.platform}-${process.arch}`,
     * found in node_modules (workerd: its shim package installs one of them), and the binary's
     * path inside (`.exe` added on win32). Also what `name@version` installs into the cache.
     */
    readonly platformPackages?: { readonly packages: Readonly<Record<string, string>>; readonly bin: string };
  };
  /**
   * The adapter package and the value it exports (`satisfies Runtime`). Absent for a runtime
   * whose agent carries its own Runtime (workerd's Worker): `--scenario-module` skips it.
   */
  readonly adapter?: { readonly pkg: string; readonly value: string; readonly source: string };
  /** The agent entry (conformance/agents/) and its bundle in dist/. */
  readonly agent: { readonly entry: string; readonly bundle: string };
  /** The bench agent entry and bundle, where the runtime has one. */
  readonly benchAgent?: { readonly entry: string; readonly bundle: string };
  /** How esbuild bundles for it: Node's platform, or neutral with these imports left to the runtime. */
  readonly bundle: { readonly platform: "node" } | { readonly platform: "neutral"; readonly external: string[] };
  /** The tsconfig that typechecks its agent entries under its own typings. */
  readonly typings: string;
  /**
   * Arguments before the bundle path (`deno run` and its permissions). `write`: the agent's
   * scenarios save files (transfer --out); the bench programs do not.
   */
  readonly runArgs: (o: { write: boolean }) => string[];
  /**
   * The APIs this runtime offers and on which ends. An API offered on no end is absent.
   * `native` must be offered, or else `ownApi`.
   */
  readonly apis: Partial<Record<ApiName, readonly End[]>>;
  /** An API that on this runtime is its native one (Node's `node` API is its adapter): such an end is the native end. */
  readonly nativeIs?: ApiName;
  /**
   * For a runtime with no socket API of its own (a Worker has only `connect()`): the API its
   * ends take when `native` is asked. They keep that API's key (`node->workerd+wintertc`, as
   * `node->bun+wintertc`), so `--apis native` and `--apis wintertc` plan the same ends.
   */
  readonly ownApi?: ApiName;
  /**
   * How its agent runs when it is not a process given the bundle and one JSON argument:
   * `workerd`, a Worker under a generated config driven over HTTP (parent/workerd/); that
   * driver also reads its version (`--version` prints only a build date).
   */
  readonly driver?: "workerd";
  /**
   * Opt-in: not in the default `--runtimes` (CI time, a binary not on every platform), and
   * skipped with one line when its binary is missing instead of failing the run.
   */
  readonly optional?: boolean;
}

/**
 * `deno run` flags for our self-contained bundles: datagram sockets are behind --unstable-net,
 * and no config or lock file is looked for.
 */
export function denoRunFlags(o: { write: boolean }): string[] {
  return [
    "run",
    "--quiet",
    "--unstable-net",
    "--no-config",
    "--no-lock",
    "--no-prompt",
    "--allow-net",
    "--allow-read",
    ...(o.write ? ["--allow-write"] : []),
    "--allow-env",
    "--allow-sys",
  ];
}

const BOTH: readonly End[] = ["server", "client"];
const CLIENT: readonly End[] = ["client"];

const DESCRIPTORS: RuntimeDescriptor[] = [
  {
    name: "node",
    title: "Node.js",
    binary: { self: true },
    adapter: { pkg: "@netparity/runtime-node", value: "nodeRuntime", source: "runtimes/node/src/index.ts" },
    agent: { entry: "agents/node.ts", bundle: "agent-node.js" },
    benchAgent: { entry: "agents/bench-node.ts", bundle: "bench-node.js" },
    bundle: { platform: "node" },
    typings: "tsconfig.json",
    runArgs: () => [],
    apis: { native: BOTH, node: BOTH, wintertc: CLIENT },
    nativeIs: "node",
  },
  {
    name: "bun",
    title: "Bun",
    binary: { npmBin: "bun" },
    adapter: { pkg: "@netparity/runtime-bun", value: "bunRuntime", source: "runtimes/bun/src/index.ts" },
    agent: { entry: "agents/bun.ts", bundle: "agent-bun.js" },
    benchAgent: { entry: "agents/bench-bun.ts", bundle: "bench-bun.js" },
    bundle: { platform: "neutral", external: ["bun", "node:*"] },
    typings: "agents/tsconfig.bun.json",
    runArgs: () => [],
    apis: { native: BOTH, node: BOTH, wintertc: CLIENT },
  },
  {
    name: "deno",
    title: "Deno",
    binary: { npmBin: "deno" },
    adapter: { pkg: "@netparity/runtime-deno", value: "denoRuntime", source: "runtimes/deno/src/index.ts" },
    agent: { entry: "agents/deno.ts", bundle: "agent-deno.js" },
    benchAgent: { entry: "agents/bench-deno.ts", bundle: "bench-deno.js" },
    bundle: { platform: "neutral", external: ["node:*"] },
    typings: "agents/tsconfig.deno.json",
    runArgs: denoRunFlags,
    apis: { native: BOTH, node: BOTH, wintertc: CLIENT },
  },
  {
    name: "workerd",
    title: "workerd (Cloudflare Workers)",
    binary: {
      platformPackages: {
        packages: {
          "linux-x64": "@cloudflare/workerd-linux-64",
          "linux-arm64": "@cloudflare/workerd-linux-arm64",
          "darwin-x64": "@cloudflare/workerd-darwin-64",
          "darwin-arm64": "@cloudflare/workerd-darwin-arm64",
          "win32-x64": "@cloudflare/workerd-windows-64",
        },
        bin: "bin/workerd",
      },
    },
    agent: { entry: "agents/workerd.ts", bundle: "agent-workerd.js" },
    // The same Worker runs the bench clients (agents/workerd/bench.ts; bulk and echo).
    benchAgent: { entry: "agents/workerd.ts", bundle: "agent-workerd.js" },
    // A Worker module: workerd's host modules stay imports.
    bundle: { platform: "neutral", external: ["cloudflare:*", "node:*"] },
    typings: "agents/tsconfig.workerd.json",
    runArgs: () => [],
    // A Worker has no listen: connect() (WinterTC's) on the client end is all it offers.
    apis: { wintertc: CLIENT },
    ownApi: "wintertc",
    driver: "workerd",
    optional: true,
  },
];

const REGISTRY = new Map<string, RuntimeDescriptor>(DESCRIPTORS.map((d) => [d.name, d]));

/** The built-in descriptors, in their order (node, bun, deno, workerd), for the build and the test config. */
export const BUILTIN_RUNTIMES: readonly RuntimeDescriptor[] = DESCRIPTORS;

/** Every registered runtime's name, in registration order. */
export function runtimeNames(): RuntimeName[] {
  return [...REGISTRY.keys()] as RuntimeName[];
}

/** The default of `--runtimes`: every runtime but the opt-in ones (`optional`, workerd). */
export function defaultRuntimeNames(): RuntimeName[] {
  return [...REGISTRY.values()].filter((d) => !d.optional).map((d) => d.name);
}

/** Whether `name` offers any API on `end` (workerd offers no server end: never a server, probe or reliability case). */
export function offersEnd(name: RuntimeName | string, end: End): boolean {
  return Object.values(runtimeOf(name).apis).some((ends) => ends?.includes(end));
}

/**
 * The npm package that holds `d`'s binary on this platform and the binary's path in it, or
 * undefined when `d` has no such packages or none for this platform.
 */
export function platformPackageOf(
  d: RuntimeDescriptor,
  platform: string,
  arch: string,
): { pkg: string; bin: string } | undefined {
  const p = d.binary.platformPackages;
  const pkg = p?.packages[`${platform}-${arch}`];
  return p && pkg ? { pkg, bin: platform === "win32" ? `${p.bin}.exe` : p.bin } : undefined;
}

export function isKnownRuntime(name: string): name is RuntimeName {
  return REGISTRY.has(name);
}

/** The descriptor of a registered runtime; an unknown name is a programming error. */
export function runtimeOf(name: RuntimeName | string): RuntimeDescriptor {
  const d = REGISTRY.get(name);
  if (!d) throw new Error(`unknown runtime "${name}"`);
  return d;
}

/** Every registered descriptor, in order. */
export function runtimeDescriptors(): RuntimeDescriptor[] {
  return [...REGISTRY.values()];
}

/**
 * Adds a runtime (tests; a new runtime is one entry in DESCRIPTORS). Returns the function that
 * removes it again.
 */
export function registerRuntime(d: RuntimeDescriptor): () => void {
  if (REGISTRY.has(d.name)) throw new Error(`runtime "${d.name}" is already registered`);
  const own = d.ownApi ?? "native";
  if (!d.apis[own]?.length) throw new Error(`runtime "${d.name}": its native API (or ownApi) must be offered`);
  REGISTRY.set(d.name, d);
  return () => void REGISTRY.delete(d.name);
}
