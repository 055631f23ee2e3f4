/**
 * How the time client judges a reply: the requests it sends (formats, each with the check its
 * reply gets), and the checks themselves, against this client's clock and the server's UTC
 * offset (learnt from the first, "%z", request).
 */
import { strftime, type BrokenDownTime } from "@netparity/protocol";
import type { Checks } from "./types.js";

/** What an empty request means. */
export const DEFAULT_TIME_FORMAT = "%Y-%m-%d %X";

/** What a request asks and how its reply is judged. */
export interface Probe {
  /** The strftime format (without the nonce). */
  format: string;
  /** Which check to apply to the reply text (nonce removed). */
  check: "zoned" | "local" | "exact" | "zone" | "shape";
  /** For "shape": the reply must match. */
  shape?: RegExp;
}

export const PROBES: Probe[] = [
  // First: it tells the server's UTC offset, which the later exact checks rely on.
  { format: "%Y-%m-%d %H:%M:%S %z", check: "zoned" },
  { format: "%Y-%m-%d %H:%M:%S", check: "local" },
  { format: DEFAULT_TIME_FORMAT, check: "local" },
  { format: "%a %A %b %B %d %H %I %j %m %M %p %S %U %w %W %y %Y", check: "exact" },
  { format: "%c|%x|%X", check: "exact" },
  { format: "Zeit %H時 ✓", check: "exact" },
  { format: "时间 %H时%M分 √", check: "exact" },
  { format: "100%% sure, %%Y is literal: %%%Y", check: "exact" },
  { format: "no directives at all", check: "exact" },
  { format: "%Z", check: "zone" },
];

export const STAMP = /^(-?\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?$/;
export const SLACK_MS = 2000;

/** Milliseconds since the epoch of "Y-m-d H:M:S" read as UTC, and its zone offset in minutes if given. */
export function parseStamp(text: string): { wallMs: number; offsetMinutes?: number } | null {
  const m = STAMP.exec(text);
  if (!m) return null;
  const wallMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (m[7] === undefined) return { wallMs };
  const off = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === "-" ? -1 : 1);
  return { wallMs, offsetMinutes: off };
}

/** The broken-down time of `ms` in a zone `offsetMinutes` east of UTC (zone name unknown). */
export function brokenDownAt(ms: number, offsetMinutes: number): BrokenDownTime {
  const d = new Date(ms + offsetMinutes * 60_000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const yearDay = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  return {
    year,
    month,
    day,
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
    yearDay,
    utcOffsetMinutes: offsetMinutes,
    zoneName: "",
  };
}

/** Every rendering of `format` for the whole seconds in [fromMs - slack, toMs + slack]. */
export function expectedRenderings(format: string, fromMs: number, toMs: number, offsetMinutes: number): Set<string> {
  const out = new Set<string>();
  const first = Math.floor((fromMs - SLACK_MS) / 1000) * 1000;
  for (let s = first; s <= toMs + SLACK_MS && out.size < 64; s += 1000)
    out.add(strftime(format, brokenDownAt(s, offsetMinutes)));
  return out;
}

export interface Exchange {
  /** The reply without the nonce, or null when none came. */
  reply: string | null;
  /** The raw reply was not valid UTF-8 / lacked the nonce. */
  problem?: string;
  sentMs: number;
  receivedMs: number;
}

export function judge(checks: Checks, probe: Probe, ex: Exchange, state: { offset?: number }): void {
  const name = `format ${JSON.stringify(probe.format)}`;
  if (ex.reply === null) {
    checks.fail(name, ex.problem ?? "no reply");
    return;
  }
  const reply = ex.reply;
  const shown = JSON.stringify(reply);
  switch (probe.check) {
    case "zoned": {
      const p = parseStamp(reply);
      if (!p || p.offsetMinutes === undefined) {
        checks.fail(name, `reply ${shown} is not "YYYY-mm-dd HH:MM:SS ±hhmm"`);
        return;
      }
      state.offset = p.offsetMinutes;
      const at = p.wallMs - p.offsetMinutes * 60_000;
      checks.expect(
        name,
        at >= ex.sentMs - SLACK_MS - 1000 && at <= ex.receivedMs + SLACK_MS,
        `reply ${shown} is ${((at - ex.receivedMs) / 1000).toFixed(1)} s from this client's clock (allowed ±2 s)`,
      );
      return;
    }
    case "local": {
      const p = parseStamp(reply);
      if (!p) {
        checks.fail(name, `reply ${shown} is not "YYYY-mm-dd HH:MM:SS"`);
        return;
      }
      const offset = state.offset ?? 0;
      const at = p.wallMs - offset * 60_000;
      checks.expect(
        name,
        at >= ex.sentMs - SLACK_MS - 1000 && at <= ex.receivedMs + SLACK_MS,
        `reply ${shown} at the server's UTC offset ${offset} min is ${((at - ex.receivedMs) / 1000).toFixed(1)} s from this client's clock (allowed ±2 s)`,
      );
      return;
    }
    case "exact": {
      if (state.offset === undefined) {
        checks.fail(name, "the server's UTC offset is unknown (the %z request failed)");
        return;
      }
      const want = expectedRenderings(probe.format, ex.sentMs, ex.receivedMs, state.offset);
      checks.expect(
        name,
        want.has(reply),
        `reply ${shown}; expected one of ${[...want]
          .slice(0, 3)
          .map((s) => JSON.stringify(s))
          .join(", ")}…`,
      );
      return;
    }
    case "zone":
      // The zone's name is the server's business; it must be a short printable word.
      checks.expect(name, /^[\x21-\x7e]{1,32}$/.test(reply), `reply ${shown} is not a short printable zone name`);
      return;
    case "shape":
      checks.expect(name, probe.shape!.test(reply), `reply ${shown} does not match ${String(probe.shape)}`);
      return;
  }
}
