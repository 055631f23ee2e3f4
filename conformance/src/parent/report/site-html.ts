/**
 * The pages of `netparity site`, rendered from the dataset (site-data.ts) alone: plain HTML
 * with inline CSS, no script, no font, no image from anywhere, and relative links only, so
 * the site reads the same from file://, from GitHub Pages and without JavaScript. The landing
 * page leads with the runtimes' standing and the probes they differ on, so both fit on the
 * first screen (1280×800).
 */
import semver from "semver";
import { formatNumber, RUNTIME_COLORS } from "./charts.js";
import { htmlEscape as esc } from "./html.js";
import type { SiteDataset, SiteOutcome, SiteRelease } from "./site-data.js";
import type { EndpointBadge } from "./site-schema.js";

const CSS = `
:root{--ink:#1f2328;--mute:#656d76;--line:#d0d7de;--soft:#f6f8fa;--diff:#fff4e5;--ok:#1a7f37;--bad:#cf222e}
*{box-sizing:border-box}body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;padding:16px 24px;max-width:1240px}
h1{font-size:20px;margin:0 0 2px}h2{font-size:16px;margin:18px 0 6px}nav{margin:0 0 10px;color:var(--mute)}nav a{margin-right:12px}
.meta{color:var(--mute);margin:0 0 8px}a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;margin:0 0 6px}th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}th{background:var(--soft);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}.rt{font-weight:600}.v{color:var(--mute);font-size:12px}
tr.differs td.o, td.changed{background:var(--diff)}.ok{color:var(--ok)}.bad{color:var(--bad)}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px}
.cols{display:flex;gap:24px;flex-wrap:wrap}.small{font-size:12px;color:var(--mute)}
`;

function page(title: string, depth: number, body: string): string {
  const up = "../".repeat(depth);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><nav><a href="${up}index.html">netparity results</a><a href="${up}probes/index.html">probes</a><a href="${up}releases/index.html">runtime releases</a><a href="${up}bench.html">bench ranking</a><a href="${up}runs.html">runs</a><a href="${up}data/site.json">dataset (JSON)</a></nav>
${body}
</body></html>
`;
}

const byVersion = (a: string, b: string): number => {
  const va = semver.valid(semver.coerce(a));
  const vb = semver.valid(semver.coerce(b));
  return va && vb && va !== vb ? semver.compare(va, vb) : a.localeCompare(b);
};
const day = (iso: string): string => iso.slice(0, 16).replace("T", " ");
const dot = (runtime: string): string =>
  `<span class="dot" style="background:${RUNTIME_COLORS[runtime] ?? "#888"}"></span>`;
const releaseLink = (r: { runtime: string; version: string; slug?: string }, up: string): string =>
  `<a href="${up}releases/${esc(r.slug ?? `${r.runtime}-${r.version}`)}.html">${dot(r.runtime)}<span class="rt">${esc(r.runtime)}</span> ${esc(r.version)}</a>`;
const probeLink = (id: string, up: string): string => `<a href="${up}probes/${esc(id)}.html">${esc(id)}</a>`;
const share = (c: { total: number; pass: number }): string =>
  c.total ? `<span class="${c.pass === c.total ? "ok" : "bad"}">${c.pass}/${c.total}</span>` : "—";

function standingTable(d: SiteDataset): string {
  const rows = d.standing
    .map(
      (s) =>
        `<tr><td>${releaseLink(s, "")}</td><td>${day(s.startedAt)}</td><td class="num">${share(s.cells)}</td><td class="num">${s.probes}</td><td class="num">${s.differFromNode === null ? "—" : s.differFromNode}</td><td class="num">${share(s.reliability)}</td><td><img src="badges/${esc(s.slug)}.svg" alt="${esc(`${badgeOf(s).label}: ${badgeOf(s).message}`)}" height="20"></td></tr>`,
    )
    .join("");
  return `<table id="standing"><thead><tr><th>runtime (latest release)</th><th>run started</th><th>cells passed</th><th>probes</th><th>differ from node</th><th>reliability passed</th><th>badge</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function differencesTable(d: SiteDataset): string {
  if (!d.differences.length) return `<p id="differences">The current releases agree on every probe.</p>`;
  const head = d.standing.map((s) => `<th>${dot(s.runtime)}${esc(s.runtime)} ${esc(s.version)}</th>`).join("");
  const rows = d.differences
    .map((x) => {
      const cells = d.standing
        .map((s) => {
          const o = x.outcomes.find((y) => y.runtime === s.runtime && y.version === s.version);
          return `<td class="o" title="${esc(o?.explanation ?? "")}">${o ? esc(o.outcome) : "—"}</td>`;
        })
        .join("");
      return `<tr class="differs"><td>${probeLink(x.probe, "")}</td>${cells}</tr>`;
    })
    .join("");
  return `<table id="differences"><thead><tr><th>probe</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderLanding(d: SiteDataset): string {
  const first = d.runs[0];
  const last = d.runs.at(-1);
  const span =
    first && last ? `${d.runs.length} runs from ${day(first.startedAt)} to ${day(last.startedAt)} UTC` : "no runs";
  const all = d.probes
    .map(
      (p) =>
        `<tr${p.differs ? ' class="differs"' : ""}><td>${probeLink(p.id, "")}</td><td>${esc(p.title)}</td><td class="num">${new Set(p.results.map((r) => r.outcome)).size}</td></tr>`,
    )
    .join("");
  return page(
    "netparity: socket behaviour of Node.js, Bun and Deno by release",
    0,
    `<h1>netparity: socket behaviour of Node.js, Bun and Deno, by release</h1>
<p class="meta">${span}; generated ${day(d.generatedAt)} UTC by netparity ${esc(d.tool.version)}.</p>
<h2>Current standing</h2>
${standingTable(d)}
<h2>Where the current releases differ (${d.differences.length} of ${d.probes.length} probes)</h2>
${differencesTable(d)}
<h2>Every probe</h2>
<table><thead><tr><th>probe</th><th>what it asks</th><th>outcomes seen</th></tr></thead><tbody>${all}</tbody></table>`,
  );
}

export function renderProbePage(d: SiteDataset, id: string): string {
  const p = d.probes.find((x) => x.id === id);
  if (!p) throw new Error(`no probe ${id} in the dataset`);
  const runtimes = [...new Set(p.results.map((r) => r.runtime))];
  const prev = new Map<string, string>();
  const rows: string[] = [];
  for (const run of d.runs) {
    const here = p.results.filter((r) => r.run === run.id);
    if (!here.length) continue;
    const cells = runtimes
      .map((rt) => {
        // Several releases of one runtime in one run share its column, oldest first; each is
        // compared with the runtime's newest release in the run before, not with each other.
        const list = here.filter((r) => r.runtime === rt).sort((a, b) => byVersion(a.version, b.version));
        if (!list.length) return "<td>—</td>";
        const before = prev.get(rt);
        let changedHere = false;
        const lines = list.map((r) => {
          const changed = before !== undefined && before !== r.outcome;
          changedHere ||= changed;
          return `<span title="${esc(r.explanation)}"><span class="v">${esc(r.version)}</span><br>${esc(r.outcome)}${changed ? ` <span class="small">(was ${esc(before)})</span>` : ""}</span>`;
        });
        prev.set(rt, list.at(-1)!.outcome);
        return `<td class="${changedHere ? "changed" : ""}">${lines.join("<br>")}</td>`;
      })
      .join("");
    rows.push(`<tr data-run="${esc(run.id)}"><td>${day(run.startedAt)}</td><td>${esc(run.id)}</td>${cells}</tr>`);
  }
  const explained = new Map<string, SiteOutcome>();
  for (const r of p.results) explained.set(`${r.runtime}|${r.outcome}`, r);
  const list = [...explained.values()]
    .map(
      (r) =>
        `<li>${dot(r.runtime)}<b>${esc(r.runtime)}</b> ${esc(r.version)}: <b>${esc(r.outcome)}</b>. ${esc(r.explanation)}</li>`,
    )
    .join("");
  return page(
    `${p.id}: netparity`,
    1,
    `<h1>${esc(p.id)}</h1><p class="meta">${esc(p.title)}${p.differs ? " · the current releases differ" : ""}</p>
<h2>Outcome per runtime and release, run by run</h2>
<table id="history"><thead><tr><th>run started</th><th>run</th>${runtimes.map((r) => `<th>${dot(r)}${esc(r)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>
<p class="small">A shaded result differs from the runtime's newest release in the run before. A run with several releases of one runtime lists each in that runtime's column.</p>
<h2>What each outcome means</h2><ul>${list}</ul>`,
  );
}

export function renderReleasePage(d: SiteDataset, rel: SiteRelease): string {
  const node = d.probes.map((p) => ({
    p,
    mine: p.results.find((r) => r.run === rel.run && r.runtime === rel.runtime && r.version === rel.version),
    ref: p.results.find((r) => r.run === rel.run && r.runtime === "node" && r.version === rel.nodeVersion),
  }));
  const rows = node
    .filter((x) => x.mine)
    .map(({ p, mine, ref }) => {
      const differs = rel.nodeVersion !== null && ref !== undefined && ref.outcome !== mine!.outcome;
      return `<tr${differs ? ' class="differs"' : ""}><td>${probeLink(p.id, "../")}</td><td class="o" title="${esc(mine!.explanation)}">${esc(mine!.outcome)}</td>${rel.nodeVersion === null ? "" : `<td>${ref ? esc(ref.outcome) : "—"}</td>`}</tr>`;
    })
    .join("");
  const runs = d.runs
    .filter((r) => rel.runs.includes(r.id))
    .map(
      (r) =>
        `<li>${day(r.startedAt)} · ${esc(r.id)} · ${r.runtimes.map((t) => `${esc(t.name)} ${esc(t.version)}`).join(", ")}</li>`,
    )
    .join("");
  const bench = d.bench.flatMap((b) =>
    b.rows
      .filter((x) => x.runtime === rel.runtime && x.version === rel.version)
      .map(
        (x) =>
          `<tr><td>${esc(b.workload)}</td><td>${esc(b.role)}</td><td class="num">${x.rank}</td><td class="num">${formatNumber(x.median)} ${esc(b.unit)}</td><td>${esc(x.standing)}</td><td>${day(b.startedAt)}</td></tr>`,
      ),
  );
  const badge = badgeOf(rel);
  return page(
    `${rel.runtime} ${rel.version}: netparity`,
    1,
    `<h1>${dot(rel.runtime)}${esc(rel.runtime)} ${esc(rel.version)}</h1>
<p><img src="../badges/${esc(rel.slug)}.svg" alt="${esc(`${badge.label}: ${badge.message}`)}" height="20"></p>
<p class="meta">${esc(badge.label)}: ${esc(badge.message)} · latest run ${esc(rel.run)} (${day(rel.startedAt)}) · cells passed ${share(rel.cells)} · reliability passed ${share(rel.reliability)} · <a href="../badges/${esc(rel.slug)}.json">badge endpoint</a></p>
<h2>Probes${rel.nodeVersion ? ` beside node ${esc(rel.nodeVersion)} in the same run` : ""}</h2>
<table id="probes"><thead><tr><th>probe</th><th>${esc(rel.runtime)} ${esc(rel.version)}</th>${rel.nodeVersion === null ? "" : `<th>node ${esc(rel.nodeVersion)}</th>`}</tr></thead><tbody>${rows}</tbody></table>
${bench.length ? `<h2>Bench ranking</h2><table><thead><tr><th>workload</th><th>role</th><th>rank</th><th>median</th><th>standing</th><th>run started</th></tr></thead><tbody>${bench.join("")}</tbody></table>` : ""}
<h2>Runs</h2><ul>${runs}</ul>`,
  );
}

export function renderReleasesIndex(d: SiteDataset): string {
  const rows = d.releases
    .map(
      (r) =>
        `<tr><td>${releaseLink(r, "../")}</td><td class="num">${r.runs.length}</td><td>${day(r.startedAt)}</td><td class="num">${r.probes}</td><td class="num">${r.differFromNode ?? "—"}</td><td class="num">${share(r.cells)}</td><td><a href="../badges/${esc(r.slug)}.json">badge</a></td></tr>`,
    )
    .join("");
  return page(
    "Runtime releases: netparity",
    1,
    `<h1>Runtime releases</h1><table><thead><tr><th>release</th><th>runs</th><th>latest run</th><th>probes</th><th>differ from node</th><th>cells passed</th><th>badge</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export function renderProbesIndex(d: SiteDataset): string {
  const rows = d.probes
    .map(
      (p) =>
        `<tr${p.differs ? ' class="differs"' : ""}><td>${probeLink(p.id, "../")}</td><td>${esc(p.title)}</td></tr>`,
    )
    .join("");
  return page("Probes: netparity", 1, `<h1>Probes</h1><table><tbody>${rows}</tbody></table>`);
}

export function renderBenchPage(d: SiteDataset): string {
  if (!d.bench.length)
    return page(
      "Bench ranking: netparity",
      0,
      `<h1>Bench ranking by release</h1><p>No run of this site had a benchmark ranking (netparity bench --report-dir into the run's directory).</p>`,
    );
  const groups = new Map<string, SiteDataset["bench"]>();
  for (const b of d.bench)
    (
      groups.get(`${b.workload} (${b.role})`) ??
      groups.set(`${b.workload} (${b.role})`, []).get(`${b.workload} (${b.role})`)!
    ).push(b);
  const sections = [...groups]
    .map(([name, list]) => {
      const rows = list
        .flatMap((b) =>
          b.rows.map(
            (x) =>
              `<tr><td>${day(b.startedAt)}</td><td class="num">${x.rank}</td><td>${dot(x.runtime)}${esc(x.runtime)} ${esc(x.version ?? "")}</td><td class="num">${formatNumber(x.median)} ${esc(b.unit)}</td><td class="num">${x.ratioToBest === null ? "—" : x.ratioToBest.toFixed(2)}</td><td>${esc(x.standing)}</td></tr>`,
          ),
        )
        .join("");
      return `<h2>${esc(name)}, ${list[0]!.higherIsBetter ? "higher" : "lower"} is better</h2><table><thead><tr><th>run started</th><th>rank</th><th>release</th><th>median</th><th>ratio to best</th><th>standing</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join("");
  return page("Bench ranking: netparity", 0, `<h1>Bench ranking by release</h1>${sections}`);
}

export function renderRunsPage(d: SiteDataset): string {
  const rows = [...d.runs]
    .reverse()
    .map(
      (r) =>
        `<tr><td>${day(r.startedAt)}</td><td>${esc(r.id)}</td><td>${r.runtimes.map((t) => `${esc(t.name)} ${esc(t.version)}`).join(", ")}</td><td class="num">${share(r.cells)}</td><td class="num">${r.probes}</td><td class="num">${share(r.reliability)}</td><td class="small">${esc(r.machine)}</td></tr>`,
    )
    .join("");
  return page(
    "Runs: netparity",
    0,
    `<h1>Runs</h1><table><thead><tr><th>started (UTC)</th><th>run</th><th>releases</th><th>cells passed</th><th>probe results</th><th>reliability passed</th><th>machine</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

/** The shields.io endpoint badge of a release: "netparity · bun 1.4.5: 62 probes, 4 differ from node". */
export function badgeOf(r: SiteRelease): EndpointBadge {
  const cellsOk = r.cells.total === 0 || r.cells.pass === r.cells.total;
  const message =
    r.differFromNode === null
      ? `${r.probes} probes${r.cells.total ? `, ${r.cells.pass}/${r.cells.total} cells pass` : ""}`
      : `${r.probes} probes, ${r.differFromNode} differ from node`;
  return {
    schemaVersion: 1,
    label: `netparity · ${r.runtime} ${r.version}`,
    message,
    color: cellsOk ? "blue" : "orange",
  };
}
