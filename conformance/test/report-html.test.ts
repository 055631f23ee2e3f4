/**
 * report.html in a real browser: Debian's chromium driven by playwright-core. The page must
 * load from file:// without console errors or any network request, and show the heatmap,
 * the probe matrix and SVG charts. A screenshot is left in a temp directory for a human.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { renderHtml } from "../src/parent/report/html.js";
import { sampleReport } from "./report-fixture.js";

const CHROMIUM = process.env.NETPARITY_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `report-html: skipped, no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium, or set NETPARITY_CHROMIUM)`,
  );
}

describe.skipIf(!hasChromium)(`report.html in headless Chromium (${CHROMIUM})`, () => {
  it("loads offline without console errors and shows the heatmap, the probe matrix and charts", async () => {
    const { chromium } = await import("playwright-core");
    const dir = mkdtempSync(join(tmpdir(), "netparity-html-"));
    const profile = mkdtempSync(join(tmpdir(), "netparity-chromium-profile-"));
    const file = join(dir, "report.html");
    writeFileSync(file, renderHtml(sampleReport()));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
      timeout: 30_000,
    });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(file).href, { waitUntil: "load", timeout: 20_000 });

      await expect.poll(() => page.locator("table.heatmap").count()).toBe(3);
      expect(await page.locator("table.heatmap").first().isVisible()).toBe(true);
      expect(await page.locator("table.heatmap td.pass").count()).toBeGreaterThan(5);
      expect(await page.locator("table.heatmap td.known").count()).toBe(1);
      expect(await page.locator("table.probe-matrix").isVisible()).toBe(true);
      expect(await page.locator("table.probe-matrix tbody tr").count()).toBe(6);
      const charts = page.locator("svg.chart");
      expect(await charts.count()).toBeGreaterThanOrEqual(3);
      expect(await charts.first().isVisible()).toBe(true);
      const box = await charts.first().boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(await page.locator("svg.chart rect").count()).toBeGreaterThan(9);
      expect(await page.locator("#bench-echo_throughput_64_KiB").isVisible()).toBe(true);

      // The inline script works: "only differing probes" hides the rows where runtimes agree.
      await page.locator("#only-diff").check();
      expect(await page.locator("table.probe-matrix tbody tr:visible").count()).toBe(4);
      await page.locator("#only-diff").uncheck();

      const shot = join(dir, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
      console.log(`report-html: screenshot at ${shot}`);

      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
