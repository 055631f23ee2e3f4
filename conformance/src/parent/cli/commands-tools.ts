/**
 * The commands around runs: the runtime cache, diff, merge, init and the sockets spec suite.
 * Each registers itself on the program; main.ts lists the registrations.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { parseRuntimeList } from "../common/usage.js";
import { defaultRuntimeNames } from "../common/runtime-descriptors.js";
import { diff } from "./diff.js";
import { init } from "./init.js";
import { merge } from "./merge.js";
import { binaries, binaryOptions } from "./options.js";
import { toolVersion } from "./version.js";
import { parseSpecifiers, runtimesInstall, runtimesList, runtimesPrune } from "./runtimes.js";
import { socketsSpec } from "./sockets-spec.js";

/** `runtimes list|install|prune`, `diff`, `merge`, `init`, `sockets-spec`. */
export function registerToolCommands(prog: Command): void {
  const runtimesCmd = prog
    .command("runtimes")
    .description("the cache of runtime versions installed from npm (NETPARITY_CACHE, default ~/.cache/netparity)");
  runtimesCmd
    .command("list")
    .description("installed runtime versions: name, version, size, binary")
    .option("--json", "print JSON instead of a table", false)
    .action((o) => {
      process.exitCode = runtimesList({ json: o.json });
    });
  runtimesCmd
    .command("install")
    .description("resolve specifiers against the npm registry and install them into the cache")
    .argument("<specifiers...>", "name@version, name@range or name@dist-tag (node@22 bun@1.3.0 deno@latest)")
    .action(async (specs: string[]) => {
      process.exitCode = await runtimesInstall(parseSpecifiers(specs));
    });
  runtimesCmd
    .command("prune")
    .description("remove every cached version, or every one the specifiers given do not match")
    .argument("[keep...]", "specifiers to keep: node (all of node), node@22 (a range), deno@2.7.1")
    .option("--dry-run", "list what would be removed, remove nothing", false)
    .action(async (keep: string[], o) => {
      process.exitCode = await runtimesPrune(parseSpecifiers(keep), { dryRun: o.dryRun });
    });

  prog
    .command("diff")
    .description(
      "what changed between two reports (report.json files or report directories); exit 0 same, 1 changed, 2 usage",
    )
    .argument("<a>", "the report before: a report.json or a directory with one")
    .argument("<b>", "the report after")
    .option("--markdown", "print GitHub Markdown (for a PR comment) instead of a table", false)
    .addOption(
      new Option("--json", "print the diff as JSON (schema netparity.diff/1)").default(false).conflicts("markdown"),
    )
    .addHelpText(
      "after",
      `
Results are paired by kind and id and runtime: by name when each report has one version of
that runtime (node 20 against node 22 is a change of node's results), else by name and
version (what has no partner is added or removed). A benchmark result differs only when
each median lies outside the other report's spread (its ci95 when present, else min-max).`,
    )
    .action((a: string, b: string, o) => {
      process.exitCode = diff({ a, b, format: o.json ? "json" : o.markdown ? "markdown" : "table" });
    });

  prog
    .command("merge")
    .description(
      "one report from several runs (versions, machines, operating systems): writes report.json, report.md, junit.xml and report.html",
    )
    .argument("<reports...>", "report directories or report.json files; each run is named by its directory")
    .requiredOption("--report-dir <dir>", "where to write the merged report files")
    .action((reports: string[], o) => {
      process.exitCode = merge({
        inputs: reports,
        reportDir: o.reportDir,
        toolVersion: toolVersion(),
        command: ["netparity", ...process.argv.slice(2)],
      });
    });

  prog
    .command("init")
    .description(
      "write a starter scenario, an expectations directory and a GitHub Actions workflow into a project (never overwrites)",
    )
    .option("--dir <dir>", "the project directory", ".")
    .action((o: { dir: string }) => {
      init(o.dir);
      process.exitCode = 0;
    });

  const specCmd = prog
    .command("sockets-spec")
    .description(
      "the WinterTC Sockets API spec suite: @netparity/sockets inside each runtime, and @arrowood.dev/socket on node (see docs/sockets.md); exit 0 when @netparity/sockets passes every normative check",
    )
    .option("--runtimes <list>", "comma-separated runtimes", parseRuntimeList, defaultRuntimeNames())
    .option("--no-polyfill", "skip the comparison row (@arrowood.dev/socket on node)")
    .option("--json", "print the suite's results as JSON instead of the Markdown table", false)
    .option(
      "--report-dir <dir>",
      "also write sockets-spec.json and report.json with the results as its socketsSpec section (a run's report.json there keeps its results)",
    );
  binaryOptions(specCmd).action(async (o) => {
    process.exitCode = await socketsSpec({
      runtimes: o.runtimes,
      polyfill: o.polyfill,
      json: o.json,
      binaries: binaries(o),
      ...(o.reportDir ? { reportDir: o.reportDir } : {}),
      command: ["netparity", ...process.argv.slice(2)],
    });
  });
}
