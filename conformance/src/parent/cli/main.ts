/**
 * netparity command line: serve, client, run, bench. Pinned contract (see README):
 * exit 0 success, 1 failed check or runtime error, 2 usage error; one-line errors.
 *
 * Each command's implementation is imported when that command runs (the build splits them
 * into chunks): a `client` or `serve` call does not load the runner, the reports or the bench.
 */
import { Command, CommanderError } from "commander";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import { FAULTS_HELP, FaultSyntaxError, parseFaults } from "../faults/index.js";
import { RELIABILITY_CASES } from "../reliability/cases.js";
import { CONTROLS } from "../runner/controls.js";
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from "../../in-runtime/scenarios/serve-util.js";
import { TRANSFER_DEFAULT_MAX_SIZE } from "../../in-runtime/scenarios/transfer.js";
import { TIME_REQUEST_MAX } from "../../in-runtime/scenarios/time.js";
import { DEFAULT_SERVERNAME, parseAlpn, parseKeyType } from "./tls.js";
import { toolVersion } from "./version.js";
import { parseRounds, parseTarget, parseWorkloads } from "../bench/options.js";
import { defaultWorkloads, optInWorkloads, workloadsMeasuring } from "../bench/workloads/index.js";
import {
  TRANSPORTS,
  UsageError,
  parseDurationOption,
  parseNonNegativeInt,
  parsePort,
  parseScenario,
  parseTransport,
  parseHost,
  parseUnixPath,
} from "../common/usage.js";
import { stopWhenParentPipeEnds } from "../process/parent-pipe.js";
import { bareSpecifiers, parseApi, parseApiList, parseSpecifier, parseSpecifierList } from "../common/targets.js";
import { defaultRuntimeNames } from "../common/runtime-descriptors.js";
import { apiNames, DEFAULT_API } from "../../in-runtime/common/apis.js";
import { registerBisect } from "./bisect.js";
import { registerSite } from "./site.js";
import { netnsSupport } from "../process/netns.js";
import { PROBES } from "../../in-runtime/probes/catalogue.js";
import { loadScenarioModules } from "../runner/scenario-modules.js";
import { registerToolCommands } from "./commands-tools.js";
import {
  RUNTIME_HELP,
  RUNTIMES_HELP,
  apisHelp,
  binaries,
  binaryOptions,
  defaultTransport,
  extra,
  idList,
  oneTarget,
  parserErrorLine,
  scenarioModuleOption,
  scenarioModulePaths,
  scenarioOptions,
  targets,
  tlsFlags,
  typedDefaults,
  unknownOptionsFirst,
} from "./options.js";

export function program(userScenarios: readonly string[] = []): Command {
  const prog = new Command("netparity")
    .description("Run the same socket programs on Node.js, Bun and Deno, in every server/client pairing.")
    .version(toolVersion(), "--version", "print netparity's version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // The parser's own errors as every other: one line, beginning "netparity:".
      outputError: (s, write) => write(`${parserErrorLine(s)}\n`),
    });
  const scenarioList = Object.keys(SCENARIOS).join("|");

  const serveCmd = prog
    .command("serve")
    .description(
      "run a scenario's server inside a runtime; prints one JSON 'listening' line; SIGINT/SIGTERM stop it (exit 0)",
    )
    .argument("<scenario>", `${scenarioList}, or bench (the servers of bench --target)`, (v: string) =>
      v === "bench" ? v : parseScenario(v),
    )
    .requiredOption("--runtime <name>", RUNTIME_HELP, parseSpecifier)
    .option(
      "--transport <t>",
      `${TRANSPORTS.join(", ")} (default: tcp, or the scenario's only transport, udp for hello-udp and ipmsg)`,
      parseTransport,
    )
    .option("--host <addr>", "address to bind (::1 or [::1] for IPv6)", parseHost, "127.0.0.1")
    .option("--port <n>", "port to bind (0: ephemeral, printed in the ready line)", parsePort, 0)
    .option("--path <file>", "socket path for --transport unix (ignored by tcp, udp and tls)", parseUnixPath)
    .option(
      "--cert <file>",
      "--transport tls: PEM certificate chain (default: a throwaway CA and certificate are made)",
    )
    .option("--key <file>", "--transport tls: PEM private key of --cert")
    .option("--ca <file>", "--transport tls: the CA of --cert, named in the listening line for clients")
    .option("--alpn <list>", "--transport tls: ALPN protocols offered, comma-separated", parseAlpn)
    .option(
      "--key-type <type>",
      "--transport tls: key of the generated certificate, ecdsa (P-256) or rsa (2048)",
      parseKeyType,
    )
    .option("--api <api>", `the API the server is written against (${apisHelp()})`, parseApi, "native")
    .addHelpText(
      "after",
      `
Safe defaults (docs/reliability.md):
  bind address         127.0.0.1 (--host)
  connections at once  ${DEFAULT_MAX_CONNECTIONS} (--max-connections); more are closed at once with a log line
  idle timeout         ${DEFAULT_IDLE_TIMEOUT_MS} ms (--idle-timeout): per frame for time/greet/transfer, per read or write otherwise
  frame length         16 MiB for transfer frames, ${TIME_REQUEST_MAX / 1024} KiB for time requests and greet messages (FRAME_TOO_LARGE, closed)
  transfer size        ${TRANSFER_DEFAULT_MAX_SIZE / 1024 ** 3} GiB (--max-size); files only inside --out, never overwritten

TLS (--transport tls): without --cert/--key a throwaway CA and a server certificate for
localhost, 127.0.0.1 and ::1 are made in a temp directory (removed when the server stops);
the listening line names the CA file as "ca": pass it to clients (client --ca).

The lessons' own programs (docs/lessons.md):
  serve greet --wire raw --encoding gbk       unframed gbk greetings, one read per message
  serve hello-udp --transport udp --encoding gbk [--group 239.1.2.3 --host 0.0.0.0]
  serve ipmsg --transport udp --host 0.0.0.0 --port 2425 --encoding gbk   (FeiQ receiver)`,
    );
  binaryOptions(scenarioOptions(scenarioModuleOption(serveCmd), "server")).action(async (scenario: string, o) => {
    const t = await oneTarget(o.runtime, binaries(o));
    if (scenario === "bench") {
      if (o.api !== DEFAULT_API)
        throw new UsageError("serve bench: the bench servers are the native API's (no --api yet)");
      process.exitCode = await (await import("../bench/serve.js")).serveBench({
        runtime: t.runtime,
        host: o.host,
        port: o.port,
        binaries: t.binaries,
      });
      return;
    }
    process.exitCode = await (await import("./serve.js")).serve(scenario, {
      runtime: t.runtime,
      transport: o.transport ?? defaultTransport(scenario),
      host: o.host,
      port: o.port,
      ...(o.path ? { path: o.path } : {}),
      api: o.api,
      tls: tlsFlags(o),
      extra: extra(serveCmd, o),
      binaries: t.binaries,
    });
  });

  const clientCmd = prog
    .command("client")
    .description(
      "run a scenario's client inside a runtime against any server; prints one JSON result line; exit 0 pass, 1 fail",
    )
    .argument("<scenario>", scenarioList, parseScenario)
    .requiredOption("--runtime <name>", RUNTIME_HELP, parseSpecifier)
    .option(
      "--transport <t>",
      `${TRANSPORTS.join(", ")} (default: tcp, or the scenario's only transport, udp for hello-udp and ipmsg)`,
      parseTransport,
    )
    .option("--host <addr>", "server address (::1 or [::1] for IPv6)", parseHost, "127.0.0.1")
    .option("--port <n>", "server port", parsePort, 0)
    .option("--path <file>", "server socket path for --transport unix (ignored by tcp, udp and tls)", parseUnixPath)
    .option("--ca <file>", "--transport tls: PEM CA to trust (default: the runtime's default store)")
    .option(
      "--servername <name>",
      `--transport tls: SNI and the name the certificate must be valid for (default ${DEFAULT_SERVERNAME}; with an https --url, its host)`,
    )
    .option("--alpn <list>", "--transport tls: ALPN protocols to offer, comma-separated", parseAlpn)
    .option("--timeout <ms>", "give up after this many milliseconds", parseNonNegativeInt("--timeout"), 120_000)
    .option("--api <api>", `the API the client is written against (${apisHelp()})`, parseApi, "native");
  binaryOptions(scenarioOptions(scenarioModuleOption(clientCmd), "client")).action(async (scenario: string, o) => {
    const t = await oneTarget(o.runtime, binaries(o));
    process.exitCode = await (await import("./client.js")).client(scenario, {
      runtime: t.runtime,
      transport: o.transport ?? defaultTransport(scenario),
      host: o.host,
      port: o.port,
      ...(o.path ? { path: o.path } : {}),
      timeoutMs: o.timeout,
      api: o.api,
      tls: tlsFlags(o),
      extra: extra(clientCmd, o),
      binaries: t.binaries,
    });
  });

  const runCmd = prog
    .command("run")
    .description("the conformance matrix: every scenario × transport × server runtime × client runtime")
    .option("--runtimes <list>", RUNTIMES_HELP, parseSpecifierList, bareSpecifiers(defaultRuntimeNames()))
    .option(
      "--scenarios <list>",
      "comma-separated scenarios (default: every built-in one; with --scenario-module, the modules' scenarios)",
      (v: string) => v.split(",").map(parseScenario),
      userScenarios.length ? [...userScenarios] : Object.keys(SCENARIOS),
    )
    .option("--transports <list>", "comma-separated transports", (v: string) => v.split(",").map(parseTransport), [
      ...TRANSPORTS,
    ])
    .option(
      "--apis <list>",
      `APIs of the cells' ends, comma-separated (${apisHelp()}): every runtime in every API it offers on each end; an end on another API than native is named runtime+api (bun+node->deno); client-only APIs pair with native servers`,
      parseApiList,
      ["native"],
    )
    .option("--no-ipv6", "skip the ::1 cells (by default tcp/udp/tls cells run on 127.0.0.1 and ::1)")
    .option("--json", "print the report (report.json's content) on stdout instead of tables", false)
    .option("--report-dir <dir>", "write report.json, report.md, junit.xml and report.html into this directory")
    .option("--expectations <dir>", "expectation files to compare with (default: the package's expectations/)")
    .option("--no-expectations", "do not compare with expectations: exit 1 when any cell fails")
    .option(
      "--update-expectations",
      "rewrite the expectation files from this run (keeps issue links of unchanged entries)",
      false,
    )
    .option("--probes <ids>", "comma-separated probe ids to run (default: the whole catalogue)", idList("--probes"))
    .option("--no-probes", "skip the behaviour probes")
    .option(
      "--reliability <ids>",
      `comma-separated reliability cases to run (default: all of ${RELIABILITY_CASES.map((c) => c.id).join(", ")})`,
      idList("--reliability"),
    )
    .option("--no-reliability", "skip the reliability section (faults, bad input, load, lifecycle)")
    .option(
      "--negative-controls",
      "also run every client of the selection once against a server that is wrong on purpose (mutated, or behind a corrupting proxy); a client that does not fail with a check naming the problem fails the run (docs/controls.md)",
      false,
    )
    .addHelpText(
      "after",
      `
Network namespaces (root and iproute2): the ipmsg cells run between the hosts of a private
10.x.y.0/24 the runner makes (host "subnet"), the udp.multicast-* probes inside a namespace
of their own; both are removed at the end. Without root a default run leaves them out with
one line saying why; asked for by name they are reported unsupported with the reason.`,
    )
    .option("--faults <list>", FAULTS_HELP, (v: string) => {
      try {
        return parseFaults(v);
      } catch (e) {
        if (e instanceof FaultSyntaxError) throw new UsageError(`--faults: ${e.message}`);
        throw e;
      }
    });
  binaryOptions(scenarioOptions(scenarioModuleOption(runCmd), "both")).action(async (o) => {
    if (o.updateExpectations && o.expectations === false)
      throw new UsageError("--update-expectations and --no-expectations contradict each other");
    // What runs only between network namespaces (root) leaves the default run without root,
    // with one line saying so; asked for by name, it is reported unsupported with the reason.
    const netns = netnsSupport();
    if (!netns.ok) {
      const skipped: string[] = [];
      if (runCmd.getOptionValueSource("scenarios") === "default") {
        const subnet = (o.scenarios as string[]).filter((n) => SCENARIOS[n]?.subnet);
        if (subnet.length) {
          o.scenarios = (o.scenarios as string[]).filter((n) => !SCENARIOS[n]?.subnet);
          skipped.push(`scenario ${subnet.join(", ")}`);
        }
      }
      if (o.probes === undefined) {
        o.probes = PROBES.filter((p) => !p.netns).map((p) => p.id);
        skipped.push(
          `probes ${PROBES.filter((p) => p.netns)
            .map((p) => p.id)
            .join(", ")}`,
        );
      }
      if (skipped.length) process.stderr.write(`netparity: skipped ${skipped.join("; ")}: ${netns.reason}\n`);
    }
    process.exitCode = await (await import("./run.js")).run({
      runtimes: await targets(o.runtimes, binaries(o)),
      scenarios: o.scenarios,
      transports: o.transports,
      apis: o.apis,
      hosts: o.ipv6 ? ["127.0.0.1", "::1"] : ["127.0.0.1"],
      json: o.json,
      binaries: binaries(o),
      extra: extra(runCmd, o),
      ...(o.reportDir ? { reportDir: o.reportDir } : {}),
      ...(o.expectations === false
        ? { expectationsDir: null }
        : typeof o.expectations === "string"
          ? { expectationsDir: o.expectations }
          : {}),
      updateExpectations: o.updateExpectations,
      ...(o.probes === false ? { probes: [] } : Array.isArray(o.probes) ? { probes: o.probes } : {}),
      ...(o.reliability === false
        ? { reliability: [] }
        : Array.isArray(o.reliability)
          ? { reliability: o.reliability }
          : {}),
      ...(o.faults ? { faults: o.faults } : {}),
      ...(o.negativeControls ? { controls: CONTROLS } : {}),
      command: ["netparity", ...process.argv.slice(2)],
    });
  });

  const benchCmd = prog
    .command("bench")
    .description(
      "the performance comparison: each runtime's adapter against its raw API and the baselines (see docs/bench.md)",
    )
    .option("--quick", "a smoke check in under a minute (small sizes, one round)", false)
    .option("--runtimes <list>", RUNTIMES_HELP, parseSpecifierList, bareSpecifiers(defaultRuntimeNames()))
    .option(
      "--apis <list>",
      `APIs of the measured programs, comma-separated (${apisHelp()}): each runtime in every asked API it offers and the workload measures (bun+node: the Node adapter and raw node:net on Bun; a client-only API measures clients)`,
      parseApiList,
      ["native"],
    )
    .option(
      "--workloads <list>",
      `comma-separated, or all (every workload, the opt-in ${optInWorkloads()
        .map((w) => w.name)
        .join(", ")} too; see Workloads below)`,
      parseWorkloads,
      defaultWorkloads(),
    )
    .option(
      "--rounds <n>",
      "interleaved rounds (default 5, 1 with --quick), or auto: add rounds to the rows whose target is undecided until every target is decided or --budget is spent",
      parseRounds,
    )
    .option(
      "--budget <duration>",
      "wall-clock budget of --rounds auto (e.g. 10m; default 15m)",
      parseDurationOption("budget"),
    )
    .option("--report-dir <dir>", "write bench.json and bench.md there")
    .option("--json", "print the JSON report instead of Markdown", false)
    .option("--no-pin", "do not pin server and client to separate CPUs with taskset")
    .option(
      "--target <host:port>",
      "run the client-side workloads (bulk, echo, transfer) against `netparity serve bench --runtime R` on another host",
      parseTarget,
    )
    .addHelpText(
      "after",
      `
Workloads (docs/bench.md):
  default   ${defaultWorkloads().join(", ")}
            the first answer, each with its target: about 15 minutes at 5 rounds on 2 cores
${optInWorkloads()
  .map((w, i) => `  ${i === 0 ? "opt-in  " : "        "}  ${w.name.padEnd(14)} ${w.summary}`)
  .join("\n")}
  --workloads all runs every one (about three times as long); --workloads udp,echo any subset.

APIs (--apis, docs/bench.md): the workloads that measure each besides native
${apiNames()
  .filter((a) => a !== DEFAULT_API)
  .map((a) => `  ${a.padEnd(10)}${workloadsMeasuring(a).join(", ")}`)
  .join("\n")}
  e.g. --apis native,node adds bun+node and deno+node; workerd in --runtimes (a client-only
  runtime) is measured as a client where its API is listed.`,
    );
  binaryOptions(benchCmd).action(async (o) => {
    process.exitCode = await (await import("../bench/cli.js")).bench({
      quick: o.quick,
      runtimes: await targets(o.runtimes, binaries(o)),
      apis: o.apis,
      workloads: o.workloads,
      ...(o.rounds ? { rounds: o.rounds } : {}),
      ...(o.budget ? { budgetSeconds: o.budget } : {}),
      ...(o.target ? { target: o.target } : {}),
      ...(o.reportDir ? { reportDir: o.reportDir } : {}),
      json: o.json,
      pin: o.pin,
      binaries: binaries(o),
    });
  });

  registerToolCommands(prog);
  typedDefaults(prog);
  unknownOptionsFirst(prog);
  registerBisect(prog);
  registerSite(prog);
  return prog;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const modules = scenarioModulePaths(argv);
    const userScenarios = modules.length ? (await loadScenarioModules(modules)).map((s) => s.name) : [];
    const prog = program(userScenarios);
    await prog.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are "errors" to commander; usage mistakes were printed already.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help" || e.code === "commander.version")
        return 0;
      if (e.code === "commander.invalidArgument" && e.cause instanceof UsageError) return 2;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`netparity: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`netparity: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}

stopWhenParentPipeEnds();
const code = await main(process.argv.slice(2));
process.exitCode = code;
