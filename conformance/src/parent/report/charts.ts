/** Inline SVG bar charts for report.html: no library, no script, just markup. */

export interface Bar {
  label: string;
  value: number;
  min?: number;
  max?: number;
  color?: string;
  /** Tooltip text; defaults to label and value. */
  tip?: string;
}

export const RUNTIME_COLORS: Record<string, string> = { node: "#3c873a", bun: "#c98a3d", deno: "#4a5bd4" };

export function colorFor(label: string): string {
  for (const [rt, c] of Object.entries(RUNTIME_COLORS)) if (label.startsWith(rt)) return c;
  return "#6b7280";
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString("en-US");
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above v, so the axis ticks are round numbers. */
export function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** A horizontal bar chart; min/max, where given, are drawn as a whisker over the bar. */
export function barChart(opts: { title: string; unit: string; bars: Bar[]; width?: number; id?: string }): string {
  const width = opts.width ?? 560;
  const labelW = Math.min(200, Math.max(80, ...opts.bars.map((b) => b.label.length * 6.6 + 12)));
  const valueW = 78;
  const plotW = width - labelW - valueW;
  const barH = 16;
  const gap = 6;
  const top = 30;
  const height = top + opts.bars.length * (barH + gap) + 22;
  const max = niceCeil(Math.max(1e-9, ...opts.bars.map((b) => Math.max(b.value, b.max ?? 0))));
  const x = (v: number): number => labelW + (Math.max(0, v) / max) * plotW;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" ${opts.id ? `id="${esc(opts.id)}" ` : ""}width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(opts.title)}">`,
  );
  parts.push(
    `<text x="0" y="16" class="chart-title">${esc(opts.title)} <tspan class="chart-unit">(${esc(opts.unit)})</tspan></text>`,
  );
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const gx = x(v);
    parts.push(`<line x1="${gx.toFixed(1)}" y1="${top - 4}" x2="${gx.toFixed(1)}" y2="${height - 18}" class="grid"/>`);
    parts.push(
      `<text x="${gx.toFixed(1)}" y="${height - 5}" class="tick" text-anchor="middle">${esc(formatNumber(v))}</text>`,
    );
  }
  opts.bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const w = Math.max(1, x(b.value) - labelW);
    const tip = b.tip ?? `${b.label}: ${formatNumber(b.value)} ${opts.unit}`;
    parts.push(`<g class="bar"><title>${esc(tip)}</title>`);
    parts.push(`<text x="${labelW - 6}" y="${y + barH - 4}" class="label" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(
      `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" rx="2" fill="${esc(b.color ?? colorFor(b.label))}"/>`,
    );
    if (b.min !== undefined && b.max !== undefined) {
      const y0 = y + barH / 2;
      parts.push(
        `<line x1="${x(b.min).toFixed(1)}" y1="${y0}" x2="${x(b.max).toFixed(1)}" y2="${y0}" class="whisker"/>`,
      );
      parts.push(
        `<line x1="${x(b.min).toFixed(1)}" y1="${y0 - 4}" x2="${x(b.min).toFixed(1)}" y2="${y0 + 4}" class="whisker"/>`,
      );
      parts.push(
        `<line x1="${x(b.max).toFixed(1)}" y1="${y0 - 4}" x2="${x(b.max).toFixed(1)}" y2="${y0 + 4}" class="whisker"/>`,
      );
    }
    parts.push(
      `<text x="${(x(Math.max(b.value, b.max ?? 0)) + 5).toFixed(1)}" y="${y + barH - 4}" class="value">${esc(formatNumber(b.value))}</text>`,
    );
    parts.push(`</g>`);
  });
  parts.push(`</svg>`);
  return parts.join("");
}
