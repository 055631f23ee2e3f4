/**
 * `--scenario-module PATH`: users' own scenarios (a module default-exporting
 * `defineScenario({...})`, TypeScript or JavaScript). Each module is bundled with the agent
 * once per runtime, as the built-in scenarios are at build time, into a temporary directory
 * whose agents then replace dist/'s for the whole command; the parent imports the modules
 * too (bundled for Node) to know their names and transports.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import { registerUserScenarios } from "../../in-runtime/scenarios/user.js";
import type { Scenario } from "../../in-runtime/scenarios/types.js";
import { UsageError } from "../common/usage.js";
import { runtimeDescriptors, type RuntimeDescriptor } from "../common/runtime-descriptors.js";
import { PACKAGE_ROOT, useAgentBundles } from "./runtimes.js";

/**
 * Where our packages' entry points are. A checkout (with src/) bundles their sources, as
 * build.mjs does; an installed copy their built dist/. Users' imports of `netparity` and
 * `@netparity/*` resolve to these same files, so one copy of each (one NetError class) is in
 * an agent whatever directory the module lives in.
 */
function entryPoints(): { agent: string; aliases: Record<string, string> } {
  const fromSource = existsSync(join(PACKAGE_ROOT, "src", "in-runtime", "agent.ts"));
  const require = createRequire(join(PACKAGE_ROOT, "package.json"));
  const entry = (pkg: string): string => {
    const dir = dirname(require.resolve(`${pkg}/package.json`));
    return join(dir, fromSource ? "src/index.ts" : "dist/index.js");
  };
  const aliases: Record<string, string> = {
    netparity: join(PACKAGE_ROOT, fromSource ? "src/index.ts" : "dist/index.js"),
    "@netparity/protocol": entry("@netparity/protocol"),
  };
  for (const { adapter } of runtimeDescriptors()) if (adapter) aliases[adapter.pkg] = entry(adapter.pkg);
  return { agent: join(PACKAGE_ROOT, fromSource ? "src/in-runtime/agent.ts" : "dist/agent-lib.js"), aliases };
}

/**
 * The agent entry of one runtime with the users' modules: its adapter, and the adapters of the
 * further APIs it offers (the Node adapter for `node`, where the runtime's native API is another).
 */
function agentSource(
  d: RuntimeDescriptor & { adapter: NonNullable<RuntimeDescriptor["adapter"]> },
  agent: string,
  imports: string,
  list: string,
): string {
  const nodeAdapter = runtimeDescriptors().find((r) => r.nativeIs === "node")?.adapter;
  const carriesNode = d.apis.node !== undefined && d.nativeIs !== "node" && nodeAdapter;
  return [
    `import { ${d.adapter.value} as runtime } from ${JSON.stringify(d.adapter.pkg)};`,
    ...(carriesNode ? [`import { ${nodeAdapter.value} as nodeApi } from ${JSON.stringify(nodeAdapter.pkg)};`] : []),
    `import { runAgent } from ${JSON.stringify(agent)};`,
    imports,
    `void runAgent(runtime, ${carriesNode ? "{ apis: { node: nodeApi } }" : "{}"}, ${list});`,
    "",
  ].join("\n");
}

/** The runtimes whose agent `--scenario-module` bundles: those with an adapter package. */
function withAdapters(): Array<RuntimeDescriptor & { adapter: NonNullable<RuntimeDescriptor["adapter"]> }> {
  return runtimeDescriptors().filter(
    (d): d is RuntimeDescriptor & { adapter: NonNullable<RuntimeDescriptor["adapter"]> } => d.adapter !== undefined,
  );
}

let loaded: { dir: string; scenarios: Scenario[] } | undefined;

/**
 * Bundles and registers the scenario modules; afterwards every agent this process starts
 * runs them. A module that does not load or define a valid scenario is a usage error.
 * Call once per process (the CLI does, before parsing the command).
 */
export async function loadScenarioModules(paths: readonly string[]): Promise<Scenario[]> {
  if (loaded) throw new Error("scenario modules are loaded once per process");
  const files = paths.map((p) => resolve(p));
  for (const f of files) if (!existsSync(f)) throw new UsageError(`--scenario-module: ${f} does not exist`);
  // esbuild is a native package: loaded on demand, and never bundled into the CLI.
  const { build } = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "netparity-scenarios-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const { agent, aliases } = entryPoints();
  const common = {
    bundle: true,
    format: "esm" as const,
    target: "es2022",
    logLevel: "silent" as const,
    legalComments: "none" as const,
    alias: aliases,
  };
  const imports = files.map((f, i) => `import s${i} from ${JSON.stringify(f)};`).join("\n");
  const list = `[${files.map((_, i) => `s${i}`).join(", ")}]`;
  try {
    await Promise.all([
      // The parent's copy: only to read each module's name and transports.
      ...files.map((f, i) =>
        build({
          ...common,
          entryPoints: [f],
          outfile: join(dir, `module-${i}.mjs`),
          platform: "node",
          target: "node20",
        }),
      ),
      // A runtime without an adapter package (workerd: its Worker carries its own Runtime)
      // keeps its built agent: users' scenarios do not run in it yet (docs/workerd.md).
      ...withAdapters().map((d) =>
        build({
          ...common,
          stdin: {
            contents: agentSource(d, agent, imports, list),
            resolveDir: PACKAGE_ROOT,
            sourcefile: `agent-${d.name}.ts`,
            loader: "ts",
          },
          outfile: join(dir, d.agent.bundle),
          ...(d.bundle.platform === "node"
            ? { platform: "node" as const, target: "node20" }
            : {
                platform: "neutral" as const,
                mainFields: ["module", "main"],
                external: [...d.bundle.external],
              }),
        }),
      ),
    ]);
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors;
    const first = errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : "";
    throw new UsageError(`--scenario-module: ${first ? `${where}${first.text}` : (e as Error).message}`);
  }
  const scenarios: Scenario[] = [];
  for (let i = 0; i < files.length; i++) {
    try {
      const mod = (await import(pathToFileURL(join(dir, `module-${i}.mjs`)).href)) as { default?: unknown };
      scenarios.push(...registerUserScenarios(SCENARIOS, [mod.default]));
    } catch (e) {
      throw new UsageError(`--scenario-module ${files[i]}: ${(e as Error).message}`);
    }
  }
  useAgentBundles(dir);
  loaded = { dir, scenarios };
  return scenarios;
}
