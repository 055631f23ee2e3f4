/**
 * report.html in a real browser: Debian's chromium driven by playwright-core. The page must
 * load from file:// without console errors or any network request, and show the heatmap,
 * the probe matrix and SVG charts. What differs must be on screen without scrolling in a
 * 1280×800 window. Screenshots are left in a temp directory for a human.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { renderHtml } from "../src/parent/report/html.js";
import { mergeReports } from "../src/parent/report/merge.js";
import { sampleReport, sampleReportWithNode } from "./report-fixture.js";

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
      // The heatmaps are folded into the scenario × transport summary; the group that differs
      // from the expectations (time/udp) is unfolded, the all-pass one opens on a click.
      expect(await page.locator("table.cell-summary").isVisible()).toBe(true);
      expect(await page.locator('td.sum[data-group="echo/tcp"] summary').textContent()).toBe("9/9");
      expect(await page.locator('table.heatmap[data-group="time/udp"]').isVisible()).toBe(true);
      const echo = page.locator('table.heatmap[data-group="echo/tcp"]');
      expect(await echo.isVisible()).toBe(false);
      await page.locator('td.sum[data-group="echo/tcp"] summary').click();
      expect(await echo.isVisible()).toBe(true);
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
  /** The differences section and its first row lie inside a 1280×800 viewport at scroll 0. */
  async function differencesOnScreen(page: Page, dir: string, name: string): Promise<void> {
    expect(await page.evaluate("window.scrollY")).toBe(0);
    const section = page.locator("#differences");
    const box = await section.boundingBox();
    expect(box, "no #differences section").not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    // The heading and the first difference are visible without scrolling.
    for (const sel of ["#differences h2", "#differences table tbody tr"]) {
      const b = await page.locator(sel).first().boundingBox();
      expect(b, sel).not.toBeNull();
      expect(b!.y, sel).toBeGreaterThanOrEqual(0);
      expect(b!.y + b!.height, sel).toBeLessThanOrEqual(800);
    }
    const shot = join(dir, name);
    await page.screenshot({ path: shot });
    expect(existsSync(shot)).toBe(true);
    console.log(`report-html: first screen at ${shot}`);
  }

  it("shows what differs without scrolling in a 1280×800 window (a run, and a merge of two node versions)", async () => {
    const { chromium } = await import("playwright-core");
    const dir = mkdtempSync(join(tmpdir(), "netparity-html-first-screen-"));
    const profile = mkdtempSync(join(tmpdir(), "netparity-chromium-profile-"));
    const run = join(dir, "run.html");
    writeFileSync(run, renderHtml(sampleReport()));
    const merged = join(dir, "merged.html");
    writeFileSync(
      merged,
      renderHtml(
        mergeReports(
          [
            { report: sampleReportWithNode("20.20.2", { same: true }), source: "node-20/report.json" },
            { report: sampleReportWithNode("22.23.3"), source: "node-22/report.json" },
          ],
          { command: ["netparity", "merge"], toolVersion: "0.1.0" },
        ),
      ),
    );
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      viewport: { width: 1280, height: 800 },
      timeout: 30_000,
    });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(run).href, { waitUntil: "load", timeout: 20_000 });
      await differencesOnScreen(page, dir, "run-first-screen.png");
      // The differences come before every detail section.
      const top = async (sel: string): Promise<number> => (await page.locator(sel).first().boundingBox())!.y;
      expect(await top("#differences")).toBeLessThan(await top("#matrix"));
      expect(await top("#matrix")).toBeLessThan(await top("#probes"));
      expect(await page.locator("table.probe-diff tbody tr").count()).toBe(4);

      await page.goto(pathToFileURL(merged).href, { waitUntil: "load", timeout: 20_000 });
      await differencesOnScreen(page, dir, "merged-first-screen.png");
      // The probe × version matrix: the row whose outcome changed between node versions first.
      const first = page.locator("table.probe-diff tbody tr").first();
      expect(await first.getAttribute("data-probe")).toBe("tcp.reuseport");
      expect(await first.locator(".tag").textContent()).toBe("changed in node");
      expect(await page.locator("table.probe-diff thead th").allInnerTexts()).toEqual([
        "probe",
        "node 20.20.2",
        "node 22.23.3",
        "bun 1.4.5",
        "deno 2.9.6",
      ]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
