/**
 * Writes the static site of `netparity site` into a directory: the pages (site-html.ts), the
 * dataset and its JSON Schema under data/, and per runtime release a shields.io endpoint badge
 * under badges/ with the same badge rendered as SVG by badge-maker (shields.io's own renderer),
 * for a page or README that should not depend on shields.io. Layout in docs/site.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { makeBadge } from "badge-maker";
import { dirname, join } from "node:path";
import type { SiteDataset } from "./site-data.js";
import {
  badgeOf,
  renderBenchPage,
  renderLanding,
  renderProbePage,
  renderProbesIndex,
  renderReleasePage,
  renderReleasesIndex,
  renderRunsPage,
} from "./site-html.js";
import { SITE_JSON_SCHEMA, type EndpointBadge } from "./site-schema.js";

/** Every file of the site, path relative to its root → content. */
export function siteFiles(d: SiteDataset): Map<string, string> {
  const files = new Map<string, string>();
  const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;
  files.set("index.html", renderLanding(d));
  files.set("runs.html", renderRunsPage(d));
  files.set("bench.html", renderBenchPage(d));
  files.set("probes/index.html", renderProbesIndex(d));
  for (const p of d.probes) files.set(`probes/${p.id}.html`, renderProbePage(d, p.id));
  files.set("releases/index.html", renderReleasesIndex(d));
  for (const r of d.releases) {
    files.set(`releases/${r.slug}.html`, renderReleasePage(d, r));
    const badge = badgeOf(r);
    files.set(`badges/${r.slug}.json`, json(badge));
    files.set(`badges/${r.slug}.svg`, `${badgeSvg(badge)}\n`);
  }
  files.set("data/site.json", json(d));
  files.set("data/site.schema.json", json(SITE_JSON_SCHEMA));
  // GitHub Pages: serve the files as they are (no Jekyll processing).
  files.set(".nojekyll", "");
  return files;
}

/** The endpoint badge as shields.io draws it (flat style). */
export function badgeSvg(b: EndpointBadge): string {
  return makeBadge({ label: b.label, message: b.message, color: b.color, style: "flat" });
}

/** Writes the site into `dir` (created); returns the paths written. */
export function writeSite(dir: string, d: SiteDataset): string[] {
  const out: string[] = [];
  for (const [rel, text] of siteFiles(d)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    out.push(path);
  }
  return out;
}
