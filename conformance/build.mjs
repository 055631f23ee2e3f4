// Bundles the CLI (for Node) and one agent per runtime (its descriptor) into dist/. Each agent bundle is a
// single self-contained ES module, so Bun and Deno run it without resolving workspace
// packages or node_modules. The only `node:` import left in the Deno bundle is the
// adapter's node:crypto (Deno's built-in incremental sha256; see runtimes/deno).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { rmSync } from "node:fs";

const here = dirname(fileURLToPath(import.meta.url));
const neutral = { platform: "neutral", mainFields: ["module", "main"] };
const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  sourcemap: "linked",
  logLevel: "warning",
  legalComments: "none",
  // Our workspace packages from their sources (their "exports" name them under this
  // condition), so a change in protocol or an adapter needs no separate build first.
  conditions: ["netparity:source"],
};

/**
 * The runtime descriptors (src/parent/common/runtime-descriptors.ts), compiled on the fly:
 * the agents to bundle are data there, not a list here.
 */
export async function runtimeDescriptors() {
  const out = await build({
    ...common,
    entryPoints: [join(here, "src/parent/common/runtime-descriptors.ts")],
    platform: "node",
    write: false,
    sourcemap: false,
  });
  const code = out.outputFiles[0].text;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  return mod.BUILTIN_RUNTIMES;
}

export async function buildAll() {
  const runtimes = await runtimeDescriptors();
  // The CLI's chunks are named by their content: a rebuild removes the last build's first, so
  // no stale chunk is left in dist/ (or in the package).
  rmSync(join(here, "dist", "cli"), { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      // dist/cli.js, and beside it in dist/cli/ the chunks it imports only when a command needs
      // them (certificates, the site's renderers and badge fonts, ...): every CLI call parses
      // only what it runs, not the whole 3 MB bundle.
      entryPoints: { cli: join(here, "src/parent/cli/main.ts") },
      outdir: join(here, "dist"),
      splitting: true,
      chunkNames: "cli/[name]-[hash]",
      platform: "node",
      target: "node20",
      // esbuild bundles users' scenario modules at run time (--scenario-module): a native
      // package, loaded from node_modules.
      external: ["esbuild"],
      // commander is CommonJS; give its require() calls a real require inside the ES module.
      banner: {
        js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
      },
    }),
    // One agent (and one bench agent) per runtime, as its descriptor says.
    ...runtimes.flatMap((d) =>
      // A bench agent that is the agent itself (workerd's Worker) is built once.
      [d.agent, d.benchAgent !== undefined && d.benchAgent.bundle !== d.agent.bundle ? d.benchAgent : undefined]
        .filter(Boolean)
        .map((a) =>
          build({
            ...common,
            ...(d.bundle.platform === "node"
              ? { platform: "node", target: "node20" }
              : { ...neutral, external: [...d.bundle.external] }),
            entryPoints: [join(here, a.entry)],
            outfile: join(here, "dist", a.bundle),
          }),
        ),
    ),
    // The WinterTC Sockets spec suite against the Node-only polyfill @arrowood.dev/socket
    // (CommonJS: its require() calls get a real require, as the CLI's do).
    build({
      ...common,
      entryPoints: [join(here, "agents/sockets-polyfill.ts")],
      outfile: join(here, "dist/sockets-polyfill-node.js"),
      platform: "node",
      target: "node20",
      banner: {
        js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
      },
    }),
    // The spec suite's peers for a runtime without a listen (workerd), served from Node.
    build({
      ...common,
      entryPoints: [join(here, "agents/sockets-spec-peers.ts")],
      outfile: join(here, "dist/sockets-spec-peers-node.js"),
      platform: "node",
      target: "node20",
    }),
    // `netparity bench`: the measurement helpers the raw baselines in bench/raw/ import
    // (mainFields: hdr-histogram-js has only "main").
    build({
      ...common,
      ...neutral,
      entryPoints: [join(here, "src/in-runtime/bench/lib.ts")],
      outfile: join(here, "dist/bench-lib.js"),
    }),
    // The installed package's pieces: `import { defineScenario } from "netparity"`, and the
    // runtime-neutral agent that --scenario-module bundles with each runtime's adapter and the
    // user's modules. Our other packages stay imports, so an agent has one copy of each.
    build({
      ...common,
      ...neutral,
      entryPoints: [join(here, "src/index.ts")],
      outfile: join(here, "dist/index.js"),
      external: ["@netparity/*"],
    }),
    build({
      ...common,
      ...neutral,
      entryPoints: [join(here, "src/in-runtime/agent.ts")],
      outfile: join(here, "dist/agent-lib.js"),
      // The adapters and protocol stay imports (aliased when users' agents are bundled);
      // @netparity/sockets' core is bundled in, so the installed CLI does not need it.
      external: ["@netparity/protocol", "@netparity/runtime-*"],
    }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  await buildAll();
  console.log(`netparity: built dist/ in ${Date.now() - t0} ms`);
}
