/**
 * `netparity bisect <probe-id | cell-key> --runtime R --good V1 --bad V2`: which release of R
 * changed a probe's outcome or a cell's result (docs/bisect.md). The releases come from the
 * per-platform npm package that `runtimes install` installs (install/), each one tried is
 * installed into the cache and only that probe or cell runs, through the runner's agents.
 * Exit 0 found, 1 the outcome never changed, 2 usage, 3 undecided (flaky, or a failure).
 */
import type { Command } from "commander";
import semver from "semver";
import type { RuntimeName, Transport } from "@netparity/protocol";
import { PROBES } from "../../in-runtime/probes/catalogue.js";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import { DEFAULT_API, type ApiName } from "../../in-runtime/common/apis.js";
import { endApi, foldApi, formatEnd, parseApi } from "../common/targets.js";
import { UsageError, parseRuntime } from "../common/usage.js";
import { cacheRoot, ensureInstalled, type Installer } from "../install/cache.js";
import { currentHost, platformPackage, UnsupportedPlatformError, type Host } from "../install/platform.js";
import { npmView, RegistryError, resolveVersion, type Packument, type PackumentSource } from "../install/registry.js";
import { runMatrix, type CellResult, type TargetInput } from "../runner/matrix.js";
import { runProbesIn } from "../runner/probes.js";
import { parseCellKey } from "../verdict/keys.js";
import { bisectReleases, maxReleasesTried, releasesBetween, type BisectResult } from "./bisect-search.js";

export const BISECT_SCHEMA = "netparity.bisect/1";

/** What is bisected: one probe inside R, or one cell with R at one or both ends. */
export type BisectTarget =
  | { kind: "probe"; id: string }
  | {
      kind: "cell";
      key: string;
      scenario: string;
      transport: string;
      host: string;
      server: RuntimeName;
      client: RuntimeName;
      /** Each end's API ("native" for a key's end without `+api`). */
      serverApi: ApiName;
      clientApi: ApiName;
    };

export interface BisectOptions {
  target: string;
  runtime: string;
  api?: string;
  good: string;
  bad: string;
  json: boolean;
  includePrereleases: boolean;
}

/** What tests replace: the registry, the installer, the cache, or the run of one release. */
export interface BisectDeps {
  packuments?: PackumentSource;
  installer?: Installer;
  root?: string;
  host?: Host;
  /** The outcome at one installed release (default: install it and run the probe or cell). */
  outcomeAt?: (version: string) => Promise<string>;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/**
 * The probe id or cell key, checked against the catalogue and the runtime; usage errors name the
 * mistake. A cell key's `+api` ends are kept; `--api` gives the API of --runtime's ends that the
 * key leaves native, and contradicting the key is a usage error.
 */
export function parseBisectTarget(
  text: string,
  runtime: RuntimeName,
  api: ApiName | undefined,
): {
  target: BisectTarget;
  api: ApiName;
} {
  if (PROBES.some((p) => p.id === text)) {
    if (api && api !== DEFAULT_API)
      throw new UsageError(
        `${text} is a probe: probes run on the runtime's native API (--api ${api} applies to cells)`,
      );
    return { target: { kind: "probe", id: text }, api: DEFAULT_API };
  }
  const k = text.includes("/") ? parseCellKey(text) : null;
  if (!k)
    throw new UsageError(
      `"${text}" is neither a probe id (e.g. tcp.reuseport) nor a cell key (e.g. echo/tcp/127.0.0.1/node->deno)`,
    );
  if (k.serverVersion || k.clientVersion)
    throw new UsageError(`${text}: write the cell key without versions; --good and --bad give ${runtime}'s`);
  const sc = SCENARIOS[k.scenario];
  if (!sc)
    throw new UsageError(`${text}: unknown scenario "${k.scenario}" (expected ${Object.keys(SCENARIOS).join(", ")})`);
  if (!(sc.transports as readonly string[]).includes(k.transport))
    throw new UsageError(`${text}: ${k.scenario} does not run over ${k.transport}`);
  for (const end of [k.server, k.client]) parseRuntime(end);
  if (k.server !== runtime && k.client !== runtime)
    throw new UsageError(`${text}: neither end is ${runtime}; bisect changes the version of --runtime's ends`);
  const ends = [
    { role: "server" as const, name: k.server, keyApi: k.serverApi as ApiName },
    { role: "client" as const, name: k.client, keyApi: k.api as ApiName },
  ];
  // --api reaches every end of --runtime that the key leaves native and that can take it.
  const chosen: ApiName[] = ends.map(({ role, name, keyApi }) => {
    if (name !== runtime || !api || api === keyApi) return keyApi;
    if (keyApi !== DEFAULT_API) throw new UsageError(`${text}: the ${role} end is +${keyApi} but --api is ${api}`);
    return endApi(name, api, role, k.transport as Parameters<typeof endApi>[3]) ?? keyApi;
  });
  if (api && api !== DEFAULT_API && !ends.some((e, i) => e.name === runtime && foldApi(runtime, api) === chosen[i]))
    throw new UsageError(`${text}: no end of ${runtime} can take the ${api} API over ${k.transport}`);
  const [serverApi, clientApi] = chosen as [ApiName, ApiName];
  return {
    target: {
      kind: "cell",
      key: `${k.scenario}/${k.transport}/${k.host}/${formatEnd({ name: k.server, api: serverApi })}->${formatEnd({ name: k.client, api: clientApi })}`,
      scenario: k.scenario,
      transport: k.transport,
      host: k.host,
      server: k.server as RuntimeName,
      client: k.client as RuntimeName,
      serverApi,
      clientApi,
    },
    api: api ?? (k.server === runtime ? serverApi : clientApi),
  };
}

/** A cell's result as an outcome: its status, and for a failure the names of the checks that failed. */
export function cellOutcome(c: CellResult): string {
  if (c.status !== "fail") return c.status;
  const failed = [...new Set(c.checks.filter((x) => !x.ok).map((x) => x.name))].sort();
  return failed.length ? `fail: ${failed.join(", ")}` : "fail";
}

/** Runs the probe or cell once with `binary` as R's binary. */
async function runOnce(
  target: BisectTarget,
  runtime: RuntimeName,
  version: string,
  binary: string,
  note: (line: string) => void,
): Promise<string> {
  if (target.kind === "probe") {
    const r = await runProbesIn(runtime, { binaries: { [runtime]: binary }, only: [target.id] });
    const hit = r.results.find((x) => x.id === target.id);
    if (hit) return hit.outcome;
    note(`${runtime} ${version}: ${r.error ?? "the probe gave no result"}`);
    return "did not run";
  }
  // The runner's own matrix, narrowed to this one cell: it probes both ends, makes the
  // certificates or the subnet the cell needs, and removes them again.
  const at = (name: RuntimeName): TargetInput =>
    name === runtime ? { name, spec: `${name}@${version}`, version, binary } : name;
  const ends = target.server === target.client ? [at(target.server)] : [at(target.server), at(target.client)];
  const { cells } = await runMatrix({
    runtimes: ends,
    scenarios: [target.scenario],
    transports: [target.transport as Transport],
    hosts: [target.host],
    apis: [...new Set([target.serverApi, target.clientApi])],
    select: (p) =>
      p.server.name === target.server &&
      p.client.name === target.client &&
      (p.serverApi ?? DEFAULT_API) === target.serverApi &&
      (p.api ?? DEFAULT_API) === target.clientApi,
  });
  const cell = cells[0];
  if (!cell) {
    note(`${runtime} ${version}: the cell was not planned (does ${runtime} ${version} offer these ends?)`);
    return "did not run";
  }
  if (cell.reason && cell.status !== "pass") note(`${runtime} ${version}: ${cell.status}: ${cell.reason}`);
  return cellOutcome(cell);
}

function resolveOne(flag: string, value: string, p: Packument): string {
  const r = resolveVersion(value, p);
  if ("error" in r) throw new UsageError(`--${flag} ${value}: ${r.error}`);
  return r.version;
}

/** The command; returns its exit code. */
export async function bisect(o: BisectOptions, deps: BisectDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const err = deps.err ?? ((s: string) => void process.stderr.write(s));
  const log = (line: string): void => err(`netparity bisect: ${line}\n`);
  const runtime = parseRuntime(o.runtime);
  const { target, api } = parseBisectTarget(o.target, runtime, o.api === undefined ? undefined : parseApi(o.api));

  let pkg: string;
  try {
    pkg = platformPackage(runtime, deps.host ?? currentHost()).pkg;
  } catch (e) {
    if (e instanceof UnsupportedPlatformError) throw new UsageError(e.message);
    throw e;
  }
  let packument: Packument;
  try {
    packument = await (deps.packuments ?? npmView)(pkg);
  } catch (e) {
    if (e instanceof RegistryError) throw new UsageError(`listing ${runtime}'s releases: ${e.message}`);
    throw e;
  }
  const good = resolveOne("good", o.good, packument);
  const bad = resolveOne("bad", o.bad, packument);
  if (good === bad) throw new UsageError(`--good and --bad are both ${runtime} ${good}`);
  if (semver.gt(good, bad))
    throw new UsageError(`--good ${good} is newer than --bad ${bad}: give the older release as --good`);
  const releases = releasesBetween(packument.versions, good, bad, o.includePrereleases);
  const what = target.kind === "probe" ? `probe ${target.id}` : `cell ${target.key}`;
  log(
    `${what} on ${runtime}: ${releases.length} releases of ${pkg} from ${good} to ${bad}${o.includePrereleases ? " (pre-releases included)" : ""}; at most ${maxReleasesTried(releases.length)} to try`,
  );

  const root = deps.root ?? cacheRoot();
  const outcomeAt =
    deps.outcomeAt ??
    (async (version: string): Promise<string> => {
      const i = await ensureInstalled(runtime, version, {
        root,
        ...(deps.installer ? { installer: deps.installer } : {}),
        ...(deps.host ? { platform: platformPackage(runtime, deps.host) } : {}),
        onEvent: (e) =>
          log(
            e === "waiting"
              ? `waiting for another process installing ${runtime} ${version}`
              : `installing ${pkg}@${version}`,
          ),
      });
      return runOnce(target, runtime, version, i.binary, log);
    });

  const t0 = performance.now();
  let result: BisectResult;
  try {
    result = await bisectReleases({
      releases,
      outcomeAt,
      onStep: (s, tried, most) =>
        log(
          `[${s.rerun ? "rerun" : `${tried}/${most}`}] ${runtime} ${s.version}: ${s.outcome}${releases.at(-1) === s.version && !s.rerun ? " (the bad release's outcome)" : ""}`,
        ),
    });
  } catch (e) {
    log(`stopped: ${(e as Error).message}`);
    return 3;
  }
  const seconds = (performance.now() - t0) / 1000;
  const runs = result.steps.length;
  const counts = `${result.releasesTried} of ${releases.length} releases tried, ${runs} runs, ${seconds.toFixed(1)} s`;

  if (o.json) {
    out(
      `${JSON.stringify(
        {
          schema: BISECT_SCHEMA,
          target: target.kind === "probe" ? { probe: target.id } : { cell: target.key },
          runtime,
          api,
          package: pkg,
          good,
          bad,
          releases: releases.length,
          ...result,
          runs,
          seconds: Math.round(seconds * 10) / 10,
        },
        null,
        2,
      )}\n`,
    );
  } else if (result.kind === "found") {
    out(
      `${runtime} ${result.first} is the first release with the new outcome of ${what}\n` +
        `  ${runtime} ${result.last}: ${result.before}\n` +
        `  ${runtime} ${result.first}: ${result.after}\n` +
        `  ${counts}\n`,
    );
  } else if (result.kind === "unchanged") {
    out(
      `the outcome of ${what} did not change between ${runtime} ${good} and ${bad}: ${result.outcome} at both\n  ${counts}\n`,
    );
  } else {
    out(
      `flaky: ${what} gave two outcomes at ${runtime} ${result.version} (${result.outcomes[0]}, then ${result.outcomes[1]}); no release named\n  ${counts}\n`,
    );
  }
  return result.kind === "found" ? 0 : result.kind === "unchanged" ? 1 : 3;
}

/** Registers `bisect` on the program. */
export function registerBisect(prog: Command): void {
  prog
    .command("bisect")
    .description(
      "the first release of a runtime whose outcome of a probe or cell is the bad release's; exit 0 found, 1 never changed, 2 usage, 3 flaky",
    )
    .argument("<target>", "a probe id (tcp.reuseport) or a cell key (echo/tcp/127.0.0.1/node->deno)")
    .requiredOption("--runtime <name>", "the runtime whose releases are searched: node, bun or deno")
    .option(
      "--api <api>",
      "the API of --runtime's ends in a cell the key leaves native: native, node or wintertc (default: the key's)",
    )
    .requiredOption("--good <version>", "a release with the old outcome (a version, range or dist-tag)")
    .requiredOption("--bad <version>", "a release with the new outcome")
    .option("--include-prereleases", "also try the pre-releases between the two (bun's canaries)", false)
    .option("--json", `print the result as JSON (schema ${BISECT_SCHEMA})`, false)
    .addHelpText(
      "after",
      `
The releases are the per-platform npm package's (as runtimes install uses), each tried one is
installed into the cache (NETPARITY_CACHE). The bad release runs first; the two releases at
the boundary run twice, and a failure to run is repeated at once: an outcome that does not
repeat stops the search with "flaky" (exit 3). See docs/bisect.md.`,
    )
    .action(async (target: string, o: Omit<BisectOptions, "target">) => {
      process.exitCode = await bisect({ ...o, target });
    });
}
