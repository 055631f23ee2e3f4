/**
 * `netparity site REPORT... --out DIR`: a static site from any number of runs (report
 * directories, report.json files, merged reports), see docs/site.md. Exit 0 written, 2 usage
 * (a path that is not a netparity report, no report given).
 */
import type { Command } from "commander";
import { UsageError } from "../common/usage.js";
import { loadReport, ReportReadError } from "../report/load.js";
import { buildSiteDataset, SITE_SCHEMA, type SiteInput } from "../report/site-data.js";
import { toolVersion } from "./version.js";

export async function site(o: { inputs: string[]; out: string }): Promise<number> {
  if (!o.inputs.length) throw new UsageError("give at least one report directory or report.json");
  const inputs: SiteInput[] = o.inputs.map((path) => {
    try {
      const { report, file } = loadReport(path);
      return { report, source: file };
    } catch (e) {
      if (e instanceof ReportReadError) throw new UsageError(e.message);
      throw e;
    }
  });
  const d = buildSiteDataset(inputs, { toolVersion: toolVersion() });
  // Loaded here, not at start-up: its renderers and badge-maker (with anafanafo's width tables,
  // a third of the CLI bundle) would otherwise be evaluated by every command of the CLI.
  const { writeSite } = await import("../report/site.js");
  const written = writeSite(o.out, d);
  process.stdout.write(
    `wrote ${written.length} files to ${o.out}: ${d.runs.length} runs, ${d.releases.length} runtime releases, ${d.probes.length} probes, ${d.differences.length} differ now (dataset ${SITE_SCHEMA}: ${o.out}/data/site.json)\n`,
  );
  return 0;
}

/** Registers `site` on the program. */
export function registerSite(prog: Command): void {
  prog
    .command("site")
    .description(
      "a static results site from runs: standing, differences, each probe's history, each release, bench ranking, a JSON dataset and badges",
    )
    .argument(
      "<reports...>",
      "report directories, report.json files or merged reports; each run is dated by when it started",
    )
    .requiredOption("--out <dir>", "where to write the site")
    .action(async (reports: string[], o: { out: string }) => {
      process.exitCode = await site({ inputs: reports, out: o.out });
    });
}
