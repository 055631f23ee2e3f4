/**
 * report.html: one self-contained page (inline CSS, inline SVG, a few lines of inline
 * script; nothing loaded from anywhere, so it opens offline and as a CI artifact). It leads
 * with the verdict, the Node API on Bun and Deno (node-api.ts) and what differs (the expectation diff, the probes where runtimes or
 * versions differ, the benchmark ranking), so that much is on screen without scrolling; then
 * a scenario × transport summary whose server × client heatmaps unfold on a click, the whole
 * probe matrix with evidence, reliability, the runs of a merged report, and the charts.
 */
import { barChart, colorFor, formatNumber, type Bar } from "./charts.js";
import { controlsHtml } from "./controls.js";
import { socketsSpecHtml } from "./sockets-spec.js";
import {
  benchRanking,
  cellAt,
  cellSummary,
  cellTargets,
  countCells,
  probeMatrix,
  runViews,
  targetLabel,
  versionsByName,
  type ProbeColumn,
  type ProbeRow,
  type RunView,
} from "./columns.js";
import {
  cellGroups,
  reliabilityLabel,
  reliabilityRows,
  type Report,
  type ReportCell,
  type ReportProbe,
} from "./model.js";
import { differHeading, verdictOf } from "./overview.js";
import { nodeApiComparison, nodeApiHtml } from "./node-api.js";

export function htmlEscape(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Only http(s) links to issues are made clickable; anything else is shown as text. */
function issueLink(url: string | undefined): string {
  if (!url) return "";
  return /^https:\/\/[^\s"'<>]+$/.test(url)
    ? ` <a class="issue" href="${htmlEscape(url)}" rel="noreferrer">issue</a>`
    : ` <span class="issue">${htmlEscape(url)}</span>`;
}

const CSS = `
:root{--ok:#1f9d55;--fail:#d64545;--err:#8b1e1e;--uns:#b8bec7;--known:#e8973a;--ink:#1f2328;--mute:#656d76;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);margin:0;padding:24px;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:14px 0 6px}
.meta{color:var(--mute);margin:0 0 12px}.badges{display:flex;gap:8px;flex-wrap:wrap;margin:10px 0}
.badge{border-radius:12px;padding:2px 10px;background:var(--soft);border:1px solid var(--line)}.badge.ok{background:#dafbe1;border-color:#aceebb}.badge.bad{background:#ffebe9;border-color:#ffcecb}
.grid{display:flex;flex-wrap:wrap;gap:18px}
table{border-collapse:collapse}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:var(--soft);font-weight:600}
.heatmap td.cell{width:84px;height:34px;text-align:center;color:#fff;font-weight:600;cursor:default}
.heatmap td.pass{background:var(--ok)}.heatmap td.fail{background:var(--fail)}.heatmap td.error{background:var(--err)}.heatmap td.unsupported{background:var(--uns);color:var(--ink)}
.heatmap td.known{background:repeating-linear-gradient(45deg,var(--known),var(--known) 6px,#f3b46b 6px,#f3b46b 12px)}
.heatmap td.off{outline:3px solid #000;outline-offset:-3px}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:3px;color:#fff}.legend .unsupported{color:var(--ink)}
.legend .pass{background:var(--ok)}.legend .fail{background:var(--fail)}.legend .error{background:var(--err)}.legend .unsupported{background:var(--uns)}.legend .known{background:var(--known)}
.node-api td.node-api-differs{background:#fff8c5}.node-api code{font-size:12px}
.probe-matrix{width:100%}.probe-matrix td.o{min-width:170px}.probe-matrix code{font-size:12px}
.probe-matrix tr.same td.o{background:#fbfbfc}.probe-matrix td.o.h0{background:#e6f0ff}.probe-matrix td.o.h1{background:#fff4d6}.probe-matrix td.o.h2{background:#efe6ff}.probe-matrix td.o.h3{background:#e3f7ef}
.probe-matrix td.o.error{background:#ffebe9}.probe-matrix td.o.unsupported{color:var(--mute)}.probe-matrix td.o.off{outline:2px solid var(--fail);outline-offset:-2px}
details summary{cursor:pointer}pre{white-space:pre-wrap;word-break:break-word;font-size:11.5px;background:var(--soft);padding:6px;margin:4px 0;max-width:420px}
.diff td:first-child{font-weight:600;color:var(--fail)}.notes{color:var(--mute)}
svg.chart{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:6px;overflow:visible}
svg .chart-title{font-weight:600;font-size:13px;fill:var(--ink)}svg .chart-unit{font-weight:400;fill:var(--mute)}svg .label,svg .value,svg .tick{font-size:11px;fill:var(--ink)}svg .tick{fill:var(--mute)}
svg .grid{stroke:var(--line);stroke-width:1}svg .whisker{stroke:var(--ink);stroke-width:1.5}
.controls{margin:6px 0 10px}.controls label{margin-right:14px}
.verdict{font-size:17px;font-weight:600;margin:8px 0 2px}.verdict.ok{color:var(--ok)}.verdict.bad{color:var(--fail)}
#differences{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:6px;padding:4px 14px 10px;margin:14px 0}
#differences.ok{border-left-color:var(--ok)}#differences h2{margin-top:8px}
table.probe-diff td.o{min-width:150px}table.probe-diff tr.changed td:first-child,table.probe-matrix tr.changed td:first-child{border-left:4px solid var(--fail)}
.tag{display:inline-block;font-size:11px;border-radius:8px;padding:0 6px;margin-left:4px;background:#ffebe9;color:var(--err)}
table.cell-summary td.sum{min-width:110px}table.cell-summary td.sum.pass summary{color:var(--ok)}table.cell-summary td.sum.off summary{color:var(--fail);font-weight:600}
table.cell-summary td.sum.known summary{color:#b3661a}table.cell-summary td.sum.unsupported summary{color:var(--mute)}
table.cell-summary details[open]{padding-bottom:6px}table.cell-summary .run{color:var(--mute);font-size:12px;margin:6px 0 2px}
.ranking td.n{text-align:right}
`;

// Filters the probe matrix: only rows where runtimes differ, and a text search.
const SCRIPT = `
(function(){
  var only=document.getElementById('only-diff'),q=document.getElementById('probe-filter');
  function apply(){
    var rows=document.querySelectorAll('.probe-matrix tbody tr'),t=(q&&q.value||'').toLowerCase();
    for(var i=0;i<rows.length;i++){var r=rows[i];var hide=(only&&only.checked&&r.classList.contains('same'))||(t&&r.textContent.toLowerCase().indexOf(t)<0);r.style.display=hide?'none':'';}
  }
  if(only)only.addEventListener('change',apply);if(q)q.addEventListener('input',apply);
})();
`;

function cellClass(c: ReportCell): string {
  const known = c.verdict === "ok" && (c.status === "fail" || c.status === "error");
  return `cell ${known ? "known" : c.status}${c.verdict !== "ok" ? " off" : ""}`;
}

function cellText(c: ReportCell): string {
  if (c.status === "pass") return "pass";
  if (c.status === "unsupported") return "n/a";
  return c.verdict === "ok" ? "known" : c.status.toUpperCase();
}

/** One scenario/transport group's server × client heatmap within one run. */
function heatmap(view: RunView, label: string, cells: ReportCell[]): string {
  const { servers, clients } = cellTargets(view, cells);
  const name = (t: { name: string; version: string }): string => htmlEscape(targetLabel(t, view.versions));
  const out = [
    `<table class="heatmap" data-group="${htmlEscape(label)}"${view.id ? ` data-run="${htmlEscape(view.id)}"` : ""}><thead><tr><th>server \\ client</th>${clients.map((x) => `<th>${name(x)}</th>`).join("")}</tr></thead><tbody>`,
  ];
  for (const server of servers) {
    const tds = clients.map((client) => {
      const c = cellAt(cells, server, client);
      if (!c) return `<td></td>`;
      const tip = `${c.server} ${c.serverVersion} → ${c.client} ${c.clientVersion}: ${c.status}${c.reason ? ` — ${c.reason}` : ""} (${Math.round(c.durationMs)} ms)`;
      return `<td class="${cellClass(c)}" title="${htmlEscape(tip)}">${cellText(c)}</td>`;
    });
    out.push(`<tr><th>${name(server)}</th>${tds.join("")}</tr>`);
  }
  out.push(`</tbody></table>`);
  return out.join("");
}

/**
 * The scenario × transport summary: each cell "9/9" (pairings that passed, of all), which
 * unfolds to its server × client heatmap (one per run in a merged report). A group with a
 * result that differs from the expectations is unfolded from the start.
 */
function cellSection(r: Report): string {
  const views = runViews(r);
  const sum = cellSummary(r.cells);
  const out: string[] = [];
  out.push(
    `<p class="legend"><span class="pass">pass</span><span class="fail">fail</span><span class="error">error</span><span class="known">known failing</span><span class="unsupported">unsupported</span> a black frame marks a result that differs from the expectations. Click a count for its server × client table.</p>`,
  );
  out.push(
    `<table class="cell-summary"><thead><tr><th>scenario</th>${sum.columns.map((k) => `<th>${htmlEscape(k)}</th>`).join("")}</tr></thead><tbody>`,
  );
  for (const sc of sum.scenarios) {
    const tds = sum.columns.map((k) => {
      const cs = sum.at(sc, k);
      if (!cs.length) return `<td></td>`;
      const n = countCells(cs);
      const cls = n.off ? "off" : n.pass === n.total ? "pass" : n.known ? "known" : "unsupported";
      const extra = [
        n.known ? `${n.known} known` : "",
        n.unsupported ? `${n.unsupported} n/a` : "",
        n.off ? `${n.off} ≠` : "",
      ]
        .filter(Boolean)
        .join(", ");
      const maps = views
        .map((v) => {
          const vc = cs.filter((c) => v.cells.includes(c));
          if (!vc.length) return "";
          return `${v.label ? `<div class="run">${htmlEscape(v.label)}</div>` : ""}${heatmap(v, `${sc}/${k}`, vc)}`;
        })
        .join("");
      return `<td class="sum ${cls}" data-group="${htmlEscape(`${sc}/${k}`)}"><details${n.off ? " open" : ""}><summary>${n.pass}/${n.total}${extra ? ` <span class="notes">(${htmlEscape(extra)})</span>` : ""}</summary>${maps}</details></td>`;
    });
    out.push(`<tr><th>${htmlEscape(sc)}</th>${tds.join("")}</tr>`);
  }
  out.push(`</tbody></table>`);
  return out.join("");
}

function probeCell(p: ReportProbe | undefined, hue: Map<string, number>, differs: boolean): string {
  if (!p) return `<td class="o"></td>`;
  const cls = ["o"];
  if (p.outcome === "error" || p.outcome === "timeout") cls.push("error");
  else if (p.outcome === "unsupported") cls.push("unsupported");
  else if (differs) cls.push(`h${(hue.get(p.outcome) ?? 0) % 4}`);
  if (p.verdict !== "ok") cls.push("off");
  const expected =
    p.verdict !== "ok"
      ? `<div><b>expected</b> ${htmlEscape(p.expected ? (p.expected.status === "supported" ? (p.expected.outcome ?? "") : p.expected.status) : "(no entry)")}</div>`
      : "";
  return `<td class="${cls.join(" ")}"><details><summary>${p.verdict !== "ok" ? "⚠ " : ""}${htmlEscape(p.outcome)}</summary>${expected}<div>${htmlEscape(p.explanation)}</div><pre>${htmlEscape(JSON.stringify(p.evidence, null, 1))}</pre><div class="notes">${p.ms} ms${issueLink(p.expected?.issue)}</div></details></td>`;
}

function probeTableRows(rows: ProbeRow[], columns: ProbeColumn[]): string {
  return rows
    .map((row) => {
      const hue = new Map<string, number>();
      for (const p of row.byColumn.values()) if (!hue.has(p.outcome)) hue.set(p.outcome, hue.size);
      const tag = row.changed ? `<span class="tag">changed in ${htmlEscape(row.changedIn.join(", "))}</span>` : "";
      return `<tr class="${row.changed ? "changed differs" : row.differs ? "differs" : "same"}" data-probe="${htmlEscape(row.id)}"><td><code>${htmlEscape(row.id)}</code>${tag}<br><span class="notes">${htmlEscape(row.title)}</span></td>${columns.map((c) => probeCell(row.byColumn.get(c.key), hue, row.differs)).join("")}</tr>`;
    })
    .join("");
}

function probeHead(columns: ProbeColumn[]): string {
  return `<thead><tr><th>probe</th>${columns.map((c) => `<th>${htmlEscape(c.label)}</th>`).join("")}</tr></thead>`;
}

function probeSection(r: Report): string {
  const { rows, columns } = probeMatrix(r);
  if (!rows.length) return `<p class="notes">No probes in this run.</p>`;
  return [
    `<div class="controls"><label><input type="checkbox" id="only-diff"> only probes where outcomes differ</label><label>filter <input type="search" id="probe-filter" placeholder="tcp., udp., EADDRINUSE…"></label></div>`,
    `<table class="probe-matrix">${probeHead(columns)}<tbody>${probeTableRows(rows, columns)}</tbody></table>`,
  ].join("");
}

/** Charts of what every run has: cell durations, throughput/latency metrics, probe time. */
function charts(r: Report): string {
  const out: string[] = [];
  const versions = versionsByName(r);
  const multiRun = (r.runs?.length ?? 0) > 1;
  const end = (c: ReportCell): string =>
    `${targetLabel({ name: c.server, version: c.serverVersion }, versions)}→${targetLabel({ name: c.client, version: c.clientVersion }, versions)}${multiRun && c.run ? ` · ${c.run}` : ""}`;
  for (const g of cellGroups(r.cells)) {
    const ran = g.cells.filter((c) => c.status !== "unsupported");
    if (!ran.length) continue;
    const bars: Bar[] = ran.map((c) => ({
      label: end(c),
      value: Math.round(c.durationMs),
      color: colorFor(c.server),
      tip: `${c.server} ${c.serverVersion} server → ${c.client} ${c.clientVersion} client: ${Math.round(c.durationMs)} ms (${c.status})`,
    }));
    out.push(barChart({ title: `${g.label}: cell duration`, unit: "ms", bars }));
    const metricNames = [...new Set(ran.flatMap((c) => Object.keys(c.metrics)))].filter(
      (m) => /bytesPerSec$/i.test(m) || /Ms$/.test(m),
    );
    for (const m of metricNames) {
      const perSec = /bytesPerSec$/i.test(m);
      const mb: Bar[] = ran
        .filter((c) => typeof c.metrics[m] === "number" && c.metrics[m]! >= 0)
        .map((c) => {
          const v = perSec ? c.metrics[m]! / (1024 * 1024) : c.metrics[m]!;
          return {
            label: end(c),
            value: v,
            color: colorFor(c.server),
            tip: `${c.server} → ${c.client}: ${formatNumber(v)} ${perSec ? "MiB/s" : "ms"}`,
          };
        });
      if (mb.length) out.push(barChart({ title: `${g.label}: ${m}`, unit: perSec ? "MiB/s" : "ms", bars: mb }));
    }
  }
  const perRuntime = new Map<string, number>();
  for (const p of r.probes) {
    const k = `${p.runtime} ${p.version}${multiRun && p.run ? ` · ${p.run}` : ""}`;
    perRuntime.set(k, (perRuntime.get(k) ?? 0) + p.ms);
  }
  if (perRuntime.size)
    out.push(
      barChart({
        title: "probe catalogue: total time",
        unit: "ms",
        bars: [...perRuntime].map(([label, value]) => ({ label, value })),
      }),
    );
  return out.length
    ? `<div class="grid">${out.join("")}</div>`
    : `<p class="notes">Nothing ran, so there is nothing to chart.</p>`;
}

/** "Which runtime to deploy": the bench's ranking, best first, ratios to the best with their 95 % intervals. */
function deployRanking(r: Report): string {
  const rs = r.bench?.ranking ?? [];
  if (!rs.length) return "";
  const width = Math.max(...rs.map((x) => x.rows.length));
  const f = (n: number | null): string => (n === null ? "–" : n.toFixed(2));
  const out = [
    `<h2 id="deploy">Which runtime to deploy</h2>`,
    `<p class="notes">${htmlEscape(r.bench?.rankingContext ?? "")}. Each runtime through netparity's adapter, best first; the others as a ratio to the best with its 95% bootstrap interval; "tie" where the interval reaches the best.</p>`,
    `<table class="ranking"><thead><tr><th>workload</th><th>runtime as</th>${Array.from({ length: width }, (_, i) => `<th>#${i + 1}</th>`).join("")}</tr></thead><tbody>`,
  ];
  for (const e of rs) {
    const cells = e.rows.map((x) => {
      const cost = x.cpuSecondsPer !== null ? ` · ${f(x.cpuSecondsPer)} CPU s/${x.cpuUnit}` : "";
      const text =
        x.standing === "best"
          ? `<b>${htmlEscape(x.runtime)}</b> ${formatNumber(x.median)} ${htmlEscape(e.unit)} (best)`
          : `${htmlEscape(x.runtime)} ${f(x.ratioToBest)}${x.ci95 ? ` [${f(x.ci95[0])}, ${f(x.ci95[1])}]` : ""}${x.standing === "tie" ? " tie" : ""}`;
      return `<td title="${htmlEscape(`${x.runtime} ${x.version ?? ""}`)}">${text}${htmlEscape(cost)}${x.peerBound ? " (peer-bound)" : ""}</td>`;
    });
    out.push(
      `<tr><td>${htmlEscape(e.workload)}</td><td>${htmlEscape(e.role)}</td>${cells.join("")}${"<td></td>".repeat(width - cells.length)}</tr>`,
    );
  }
  out.push(`</tbody></table>`);
  return out.join("");
}

/** The bench's targets: throughput and CPU-cost ratios with their verdicts, and the unstable rows. */
function benchVerdicts(r: Report): string {
  const vs = r.bench?.verdicts ?? [];
  const un = r.bench?.unstable ?? [];
  if (!vs.length && !un.length) return "";
  const f = (n: number | null): string => (n === null ? "–" : n.toFixed(2));
  const ci = (c: [number, number] | null): string => (c ? ` [${f(c[0])}, ${f(c[1])}]` : "");
  const out: string[] = [];
  if (vs.length) {
    out.push(
      `<h3 id="bench-verdicts">Targets: throughput and CPU cost</h3>`,
      `<p class="notes">A row is met when its throughput ratio or its CPU-cost ratio (adapter over raw CPU seconds per unit, lower is better) is decided within its target and neither is decided against it; intervals of paired rows are of per-round ratios.</p>`,
      `<table class="ranking"><thead><tr><th>target</th><th>runtime</th><th>role</th><th>ratio</th><th>throughput</th><th>CPU cost</th><th>CPU verdict</th><th>row</th><th>notes</th></tr></thead><tbody>`,
    );
    for (const v of vs)
      out.push(
        `<tr><td>${htmlEscape(`${v.name} ≥ ${v.target}`)}</td><td>${htmlEscape(v.runtime)}</td><td>${htmlEscape(v.role)}</td><td class="n">${f(v.ratio)}${ci(v.ci95)}${v.paired ? " (paired)" : ""}</td><td>${v.throughputVerdict}</td><td class="n">${v.cpu ? `${f(v.cpu.ratio)}${ci(v.cpu.ci95)} (≤ ${f(v.cpu.target)})` : "–"}</td><td>${v.cpu?.verdict ?? "–"}</td><td><b>${v.verdict}</b></td><td>${htmlEscape(v.notes.join("; "))}</td></tr>`,
      );
    out.push(`</tbody></table>`);
  }
  if (un.length)
    out.push(
      `<h3>Unstable rows</h3><ul class="notes">${un
        .map(
          (u) =>
            `<li>${htmlEscape(`${u.workload}, ${u.row}: ${u.reason}; samples ${u.samples.map((x) => formatNumber(x)).join(", ")}`)}</li>`,
        )
        .join("")}</ul>`,
    );
  return out.join("");
}

function benchCharts(r: Report): string {
  const ws = r.bench?.workloads ?? [];
  if (!ws.length) return "";
  const out = [`${deployRanking(r)}${benchVerdicts(r)}<h2 id="bench">Benchmarks</h2><div class="grid">`];
  for (const w of ws) {
    const bars: Bar[] = w.results.map((x) => ({
      label: `${x.runtime}${x.role ? ` (${x.role})` : ""}${x.run && (r.runs?.length ?? 0) > 1 ? ` · ${x.run}` : ""}`,
      value: x.median,
      min: x.min,
      max: x.max,
      tip: `${x.runtime}${x.version ? ` ${x.version}` : ""}${x.role ? ` ${x.role}` : ""}: median ${formatNumber(x.median)} ${w.unit} (min ${formatNumber(x.min)}, max ${formatNumber(x.max)})`,
    }));
    const better = w.higherIsBetter === false ? "lower is better" : "higher is better";
    out.push(
      `<div>${barChart({ title: w.name, unit: `${w.unit}, ${better}`, bars, id: `bench-${w.name.replace(/[^\w-]/g, "_")}` })}${w.description ? `<p class="notes">${htmlEscape(w.description)}</p>` : ""}</div>`,
    );
  }
  out.push(`</div>`);
  return out.join("");
}

/** The benchmark ranking of the differences section: per workload, best median first. */
function rankingHtml(r: Report): string {
  const ranking = benchRanking(r);
  if (!ranking.length) return "";
  const rows = ranking
    .map(
      (w) =>
        `<tr><td>${htmlEscape(w.workload)} <span class="notes">(${htmlEscape(w.unit)}, ${w.higherIsBetter ? "higher" : "lower"} is better)</span></td>${w.results.map((x, i) => `<td>${i + 1}. ${htmlEscape(x.label)} <b>${htmlEscape(formatNumber(x.median))}</b></td>`).join("")}</tr>`,
    )
    .join("");
  return `<h3>Benchmark ranking</h3><table class="ranking"><tbody>${rows}</tbody></table>`;
}

/** Each reliability case against each runtime's server (and its client where one is used). */
function reliabilityHtml(view: RunView): string {
  const rows = view.reliability;
  if (!rows.length) return "";
  const rts = view.targets.filter((t) => rows.some((r) => r.runtime === t.name && r.version === t.version));
  const out = [
    `<h2 id="reliability${view.id ? `-${htmlEscape(view.id)}` : ""}">Reliability${view.label ? ` · ${htmlEscape(view.label)}` : ""}</h2>`,
    `<p class="notes">Bad input, faults, load and lifecycle: each case against each runtime's server (and its client where one is used).</p>`,
  ];
  out.push(
    `<table class="reliability"><thead><tr><th>case</th>${rts.map((rt) => `<th>${htmlEscape(targetLabel(rt, view.versions))}</th>`).join("")}</tr></thead><tbody>`,
  );
  for (const t of reliabilityRows(rows)) {
    const cells = rts.map((rt) => {
      const r = t.all.find((x) => x.runtime === rt.name && x.version === rt.version);
      if (!r) return "<td></td>";
      const cls = r.status === "pass" ? "pass" : r.status === "unsupported" ? "unsupported" : "fail";
      const bg =
        r.status === "pass" ? "#dafbe1" : r.status === "unsupported" || r.verdict === "ok" ? "#f3f4f6" : "#ffebe9";
      const issue = r.expected?.issue ? ` <a href="${htmlEscape(r.expected.issue)}">issue</a>` : "";
      return `<td class="${cls}" style="background:${bg};padding:4px 8px" title="${htmlEscape(r.detail)}">${htmlEscape(reliabilityLabel(r))} <span class="notes">${(r.durationMs / 1000).toFixed(1)} s</span>${issue}</td>`;
    });
    out.push(
      `<tr><td><code>${htmlEscape(t.id)}</code><br><span class="notes">${htmlEscape(t.title)}</span></td>${cells.join("")}</tr>`,
    );
  }
  out.push("</tbody></table>");
  return out.join("\n");
}

function diffTable(r: Report): string {
  const e = r.expectations;
  if (!e) return `<p class="notes">Expectations were not compared in this run.</p>`;
  const out: string[] = [];
  if (e.diffs.length) {
    out.push(
      `<table class="diff"><thead><tr><th>kind</th><th>what</th><th>expected</th><th>got</th><th>why</th></tr></thead><tbody>`,
    );
    for (const d of e.diffs) {
      const run = (d as { run?: string }).run;
      const what = `${d.subject === "probe" ? `probe ${d.key} on ${d.runtimes.join(", ")}` : d.key}${run ? ` · ${run}` : ""}`;
      out.push(
        `<tr><td>${htmlEscape(d.kind)}</td><td><code>${htmlEscape(what)}</code></td><td>${htmlEscape(d.expected)}</td><td>${htmlEscape(d.actual)}</td><td>${htmlEscape(d.detail ?? "")}${issueLink(d.issue)}${d.versions.length ? `<div class="notes">${htmlEscape(d.versions.join("; "))}</div>` : ""}</td></tr>`,
      );
    }
    out.push(`</tbody></table>`);
  } else out.push(`<p>Every result matches the expectations in <code>${htmlEscape(e.dir)}</code>.</p>`);
  if (e.notes.length)
    out.push(
      `<details class="notes"><summary>${e.notes.length} note${e.notes.length === 1 ? "" : "s"}</summary><ul>${e.notes.map((n) => `<li>${htmlEscape(n.kind)}: ${htmlEscape(n.message)}</li>`).join("")}</ul></details>`,
    );
  return out.join("");
}

/** What differs, first on the page: the expectation diff, differing probes, the bench ranking. */
function differences(r: Report, ok: boolean): string {
  const { rows, columns } = probeMatrix(r);
  const differing = rows.filter((x) => x.differs);
  const probes = rows.length
    ? `<h3>${htmlEscape(
        differHeading(
          r,
          differing.some((x) => x.changed),
        ),
      )}</h3>${
        differing.length
          ? `<table class="probe-diff">${probeHead(columns)}<tbody>${probeTableRows(differing, columns)}</tbody></table>`
          : `<p>Every probe has the same outcome everywhere.</p>`
      }`
    : "";
  return `<section id="differences" class="${ok ? "ok" : "bad"}"><h2>What differs</h2><h3>Against the expectations</h3>${diffTable(r)}${probes}${rankingHtml(r)}</section>`;
}

function runsHtml(r: Report): string {
  if (!r.runs?.length) return "";
  const rows = r.runs
    .map((x) => {
      const m = x.machine;
      return `<tr><td><b>${htmlEscape(x.id)}</b><div class="notes">${htmlEscape(x.source)}</div></td><td>${x.runtimes.map((y) => `${htmlEscape(y.name)} ${htmlEscape(y.version)}`).join(", ")}</td><td>${htmlEscape(m.os)} · ${htmlEscape(m.arch)} · ${m.cpuCount}× ${htmlEscape(m.cpuModel)}</td><td>${x.summary.ok ? "ok" : "<b>not ok</b>"} · ${x.summary.cells.pass}/${x.summary.cells.total} cells pass · ${x.summary.probes.total} probes</td><td>${htmlEscape(x.generatedAt)}</td></tr>`;
    })
    .join("");
  return `<h2 id="runs">Runs</h2><table class="runs"><thead><tr><th>run</th><th>runtimes</th><th>machine</th><th>result</th><th>when</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderHtml(r: Report): string {
  const s = r.summary;
  const m = r.machine;
  const v = verdictOf(r);
  const meta = r.runs?.length
    ? `${r.runs.length} runs merged: ${r.runs.map((x) => htmlEscape(x.id)).join(", ")} · ${htmlEscape(r.generatedAt)}`
    : `${r.runtimes.map((x) => `<b>${x.name}</b> ${htmlEscape(x.version)}${x.error ? ` <span class="notes">(${htmlEscape(x.error)})</span>` : ""}`).join(" · ")}<br>${htmlEscape(m.os)} · kernel ${htmlEscape(m.kernel)} · ${htmlEscape(m.arch)} · ${m.cpuCount}× ${htmlEscape(m.cpuModel)} · ${formatNumber(m.memoryBytes / 1024 ** 3)} GiB · ${htmlEscape(r.generatedAt)}`;
  const body = [
    `<h1>netparity report</h1>`,
    `<p class="verdict ${v.ok ? "ok" : "bad"}" id="verdict">${v.ok ? "✔" : "✘"} ${htmlEscape(v.headline)}</p>`,
    `<div class="badges"><span class="badge ${v.ok ? "ok" : "bad"}">${s.cells.total} cells: ${s.cells.pass} pass, ${s.cells.fail + s.cells.error} fail, ${s.cells.unsupported} unsupported</span><span class="badge">${s.probes.total} probe results, ${s.probes.differing} probes differ</span><span class="badge">${(s.durationMs / 1000).toFixed(1)} s</span></div>`,
    `<p class="meta">${meta}</p>`,
    nodeApiHtml(nodeApiComparison(r), htmlEscape),
    differences(r, v.ok),
    `<h2 id="matrix">Server × client</h2>${r.cells.length ? cellSection(r) : `<p class="notes">No cells in this run.</p>`}`,
    `<h2 id="probes">Behaviour probes</h2>${probeSection(r)}`,
    ...r.probeErrors.map(
      (e) =>
        `<p class="badge bad">probes did not run in ${e.runtime}${e.run ? ` (${htmlEscape(e.run)})` : ""}: ${htmlEscape(e.error)}</p>`,
    ),
    ...runViews(r).map(reliabilityHtml),
    runsHtml(r),
    controlsHtml(r.controls ?? [], htmlEscape),
    socketsSpecHtml(r.socketsSpec ?? [], htmlEscape),
    `<h2 id="charts">Charts</h2><p class="notes">Bar colour: the server's runtime (<span style="color:#3c873a">node</span>, <span style="color:#c98a3d">bun</span>, <span style="color:#4a5bd4">deno</span>).</p>${charts(r)}`,
    benchCharts(r),
    `<p class="notes">schema ${htmlEscape(r.schema)} · ${htmlEscape(r.command.join(" "))}</p>`,
  ].join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>netparity report</title><style>${CSS}</style></head>
<body>
${body}
<script>${SCRIPT}</script>
</body></html>
`;
}
