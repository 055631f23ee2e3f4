/**
 * `netparity site` from recorded reports (test/fixtures/site: two real runs with different
 * runtime versions, trimmed, and the report `netparity merge` made of them): the dataset
 * validates against its JSON Schema (ajv), the runs given twice count once, the badges say
 * what the README promises; then Debian's Chromium opens the site from file:// with
 * JavaScript off and every request other than file:// blocked: the landing page's first
 * screen (1280×800) shows the differences, a probe page shows its history over both runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../src/parent/report/model.js";
import { buildSiteDataset, type SiteDataset } from "../src/parent/report/site-data.js";
import { renderProbePage } from "../src/parent/report/site-html.js";
import { SITE_JSON_SCHEMA } from "../src/parent/report/site-schema.js";
import { cli } from "./peer-helpers.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "site");
const INPUTS = ["run-a", "run-b", "merged"].map((d) => join(FIXTURES, d));
const CHROMIUM = process.env.NETPARITY_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(
    `site: browser checks skipped, no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium, or set NETPARITY_CHROMIUM)`,
  );

const tmp = mkdtempSync(join(tmpdir(), "netparity-site-"));
const out = join(tmp, "site");
let data: SiteDataset;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  const r = cli(["site", ...INPUTS, "--out", out], 120_000);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^wrote \d+ files to .*: 2 runs, 6 runtime releases, \d+ probes, \d+ differ now/);
  data = JSON.parse(readFileSync(join(out, "data", "site.json"), "utf8")) as SiteDataset;
});

describe("netparity site: the dataset and the badges", () => {
  it("validates against its JSON Schema, and the schema rejects a broken dataset", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const written = JSON.parse(readFileSync(join(out, "data", "site.schema.json"), "utf8"));
    expect(written).toEqual(JSON.parse(JSON.stringify(SITE_JSON_SCHEMA)));
    const validate = ajv.compile(written);
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    const broken = structuredClone(data) as unknown as { runs: Array<{ startedAt: string }> };
    broken.runs[0]!.startedAt = "last tuesday";
    expect(validate(broken)).toBe(false);
    expect(validate({ ...data, schema: "netparity.site/2" })).toBe(false);
  });

  it("two runs, each once although the merged report holds both, oldest first by start", () => {
    expect(data.runs).toHaveLength(2);
    const [a, b] = data.runs;
    expect(a!.startedAt < b!.startedAt).toBe(true);
    expect(a!.runtimes.map((r) => `${r.name} ${r.version}`)).not.toEqual(
      b!.runtimes.map((r) => `${r.name} ${r.version}`),
    );
    // startedAt: the report's end less its duration.
    const report = JSON.parse(readFileSync(join(FIXTURES, "run-a", "report.json"), "utf8"));
    expect(Date.parse(a!.startedAt)).toBe(Date.parse(report.generatedAt) - report.summary.durationMs);
  });

  it("the standing is each runtime's release of the latest run, with the differences between them", () => {
    const latest = data.runs.at(-1)!;
    expect(data.standing.map((s) => s.runtime)).toEqual(["node", "bun", "deno"]);
    for (const s of data.standing) expect(s.run).toBe(latest.id);
    expect(data.differences.length).toBeGreaterThan(0);
    for (const d of data.differences) expect(new Set(d.outcomes.map((o) => o.outcome)).size).toBeGreaterThan(1);
  });

  it("one endpoint badge per release, counting the probes that differ from node in the same run", () => {
    for (const r of data.releases) {
      const badge = JSON.parse(readFileSync(join(out, "badges", `${r.slug}.json`), "utf8"));
      expect(badge).toMatchObject({ schemaVersion: 1, label: `netparity · ${r.runtime} ${r.version}` });
      // The same badge drawn by badge-maker, for pages that should not depend on shields.io.
      const svg = readFileSync(join(out, "badges", `${r.slug}.svg`), "utf8");
      expect(svg).toContain(`aria-label="${badge.label}: ${badge.message}"`);
      if (r.runtime === "node") expect(badge.message).toMatch(/^\d+ probes/);
      else expect(badge.message).toBe(`${r.probes} probes, ${r.differFromNode} differ from node`);
      // Recount from the probes' history: this release's outcome against node's in its run.
      if (r.runtime !== "node") {
        let n = 0;
        for (const p of data.probes) {
          const mine = p.results.find((x) => x.run === r.run && x.runtime === r.runtime && x.version === r.version);
          const ref = p.results.find((x) => x.run === r.run && x.runtime === "node" && x.version === r.nodeVersion);
          if (mine && ref && mine.outcome !== ref.outcome) n++;
        }
        expect(r.differFromNode).toBe(n);
      }
    }
  });

  it("a path that is not a report is a usage error", () => {
    const r = cli(["site", tmp, "--out", join(tmp, "x")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no report\.json in this directory/);
  });
});

describe("a run with two releases of one runtime (constructed from run-b)", () => {
  // run-b with node 22.11.0 added beside 22.23.5: its probes copied, tcp.reuseport as 22.11 has it.
  const report = JSON.parse(readFileSync(join(FIXTURES, "run-b", "report.json"), "utf8")) as Report;
  const node = report.runtimes.find((r) => r.name === "node")!;
  report.runtimes.push({ ...node, version: "22.11.0" });
  const older = report.probes
    .filter((p) => p.runtime === "node")
    .map((p) => ({
      ...p,
      version: "22.11.0",
      ...(p.id === "tcp.reuseport" ? { outcome: "EADDRINUSE (Error)", explanation: "constructed" } : {}),
    }));
  report.probes.push(...older);
  const d = buildSiteDataset([{ report, source: "two-nodes/report.json" }], { toolVersion: "test" });

  it("both node releases are releases; the others are compared with the newest node of the run", () => {
    expect(d.releases.filter((r) => r.runtime === "node").map((r) => r.version)).toEqual(["22.11.0", "22.23.5"]);
    expect(d.standing.find((s) => s.runtime === "node")!.version).toBe("22.23.5");
    for (const r of d.releases.filter((x) => x.runtime !== "node")) expect(r.nodeVersion).toBe("22.23.5");
  });

  it("the probe page lists both releases in node's column, as many cells as headings in every row", () => {
    const html = renderProbePage(d, "tcp.reuseport");
    const heads = (/<thead><tr>(.*?)<\/tr><\/thead>/.exec(html)?.[1] ?? "").match(/<th>/g)?.length;
    const rows = [...html.matchAll(/<tr data-run="[^"]*">(.*?)<\/tr>/g)].map((m) => m[1]!.match(/<td/g)?.length);
    expect(rows).toEqual([heads]);
    // Oldest release first, and two releases of one run are not "changed" against each other.
    expect(html.indexOf(">22.11.0<")).toBeGreaterThan(0);
    expect(html.indexOf(">22.11.0<")).toBeLessThan(html.indexOf(">22.23.5<"));
    expect(html).not.toContain("(was ");
  });
});

describe.skipIf(!hasChromium)(`netparity site in headless Chromium (${CHROMIUM}), JavaScript off`, () => {
  it("first screen shows the differences, a probe page its history, no request leaves the page", async () => {
    const { chromium } = await import("playwright-core");
    const profile = mkdtempSync(join(tmp, "profile-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      viewport: { width: 1280, height: 800 },
      timeout: 30_000,
    });
    const left: string[] = [];
    const loaded: string[] = [];
    try {
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file://")) {
          loaded.push(url);
          return route.continue();
        }
        left.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      await page.goto(pathToFileURL(join(out, "index.html")).href, { waitUntil: "load", timeout: 20_000 });

      // Above the fold: the standing, the differences heading and the first differing probes.
      const diff = page.locator("#differences");
      const firstRow = diff.locator("tbody tr").first();
      await expect.poll(() => firstRow.count()).toBe(1);
      const box = await firstRow.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.y + box!.height).toBeLessThanOrEqual(800);
      const rowsOnScreen = await diff
        .locator("tbody tr")
        .evaluateAll((rows) => rows.filter((r) => r.getBoundingClientRect().bottom <= 800).length);
      expect(rowsOnScreen).toBeGreaterThanOrEqual(Math.min(5, data.differences.length));
      expect(await firstRow.locator("td").first().innerText()).toBe(data.differences[0]!.probe);
      expect(await page.locator("#standing tbody tr").count()).toBe(data.standing.length);
      await page.screenshot({ path: join(tmp, "landing.png") });

      // Every link of the landing page stays inside the site and leads to a file it has.
      const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
      expect(hrefs.length).toBeGreaterThan(data.probes.length);
      for (const h of hrefs) {
        expect(h).not.toMatch(/^[a-z]+:|^\/\//i);
        expect(existsSync(resolve(out, h)), h).toBe(true);
      }

      // A probe whose outcome changed between the runs on node: its history shows both.
      const changed = data.probes.find((p) => {
        const node = p.results.filter((r) => r.runtime === "node");
        return new Set(node.map((r) => r.outcome)).size > 1;
      });
      expect(changed, "a probe whose node outcome differs between the two runs").toBeDefined();
      await page.goto(pathToFileURL(join(out, "probes", `${changed!.id}.html`)).href, { waitUntil: "load" });
      const rows = page.locator("#history tbody tr");
      expect(await rows.count()).toBe(2);
      for (const [i, run] of data.runs.entries()) expect(await rows.nth(i).getAttribute("data-run")).toBe(run.id);
      const node = changed!.results.filter((r) => r.runtime === "node");
      const text = await page.locator("#history").innerText();
      for (const r of node) {
        expect(text).toContain(r.version);
        expect(text).toContain(r.outcome);
      }
      expect(await page.locator("#history td.changed").count()).toBeGreaterThanOrEqual(1);

      // A release page and the bench page render from file:// as well.
      const rel = data.standing[1]!;
      await page.goto(pathToFileURL(join(out, "releases", `${rel.slug}.html`)).href, { waitUntil: "load" });
      expect(await page.locator("h1").innerText()).toContain(`${rel.runtime} ${rel.version}`);
      await page.goto(pathToFileURL(join(out, "bench.html")).href, { waitUntil: "load" });
      expect(await page.locator("h1").innerText()).toBe("Bench ranking by release");
    } finally {
      await context.close();
    }
    expect(left).toEqual([]);
    expect(loaded.length).toBeGreaterThanOrEqual(4);
    expect(loaded.every((u) => fileURLToPath(u).startsWith(out) || dirname(fileURLToPath(u)) === out)).toBe(true);
  });
});
