/**
 * strftime for the time service of wire contract v1: C/POSIX-locale output, byte for byte as
 * glibc (2.36) and Python's `time.strftime` produce it, written in pure ECMAScript so every
 * runtime formats the same way.
 */
import { daysFromCivil } from "./calendar.js";

/** A broken-down local time (C's `struct tm`, with 1-based month and year day). */
export interface BrokenDownTime {
  /** Full year, e.g. 2024 (0 and negative years are allowed, as in glibc). */
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  /** 1-31. */
  readonly day: number;
  /** 0-23. */
  readonly hour: number;
  /** 0-59. */
  readonly minute: number;
  /** 0-60. */
  readonly second: number;
  /** 0 = Sunday ... 6 = Saturday. */
  readonly weekday: number;
  /** 1-366. */
  readonly yearDay: number;
  /** Minutes east of UTC, e.g. 60 for CET, -300 for EST, 330 for IST. */
  readonly utcOffsetMinutes: number;
  /** What %Z prints, e.g. "UTC", "CEST", "EST", "+03". */
  readonly zoneName: string;
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Conversions glibc knows, and those it also accepts with an E or O modifier. */
const CONVERSIONS = "abcdeghjklmnprstuwxyzABCDFGHIMPRSTUVWXYZ%";
const E_OK = "cnprstuxyzCPRTXYZ%";
const O_OK = "bdeghjklmnprstuwyzBCGHIMPRSTUVWZ%";
/** Wider fields are refused: a format read from the network must not make us build a huge string. */
export const STRFTIME_MAX_WIDTH = 1024;
const MAX_WIDTH = STRFTIME_MAX_WIDTH;
const SUBFORMATS: Record<string, string> = {
  c: "%a %b %e %H:%M:%S %Y",
  D: "%m/%d/%y",
  F: "%Y-%m-%d",
  r: "%I:%M:%S %p",
  R: "%H:%M",
  T: "%H:%M:%S",
  x: "%m/%d/%y",
  X: "%H:%M:%S",
};

/**
 * Formats `t` like C's strftime in the C/POSIX locale (glibc 2.36, which is what Python's
 * `time.strftime` on Linux calls).
 *
 * Conversions: `%a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %s
 * %S %t %T %u %U %V %w %W %x %X %y %Y %z %Z %%`. C-locale forms: `%c` = `%a %b %e %H:%M:%S %Y`,
 * `%x` = `%m/%d/%y`, `%X` = `%H:%M:%S`, `%r` = `%I:%M:%S %p`, `%p` AM/PM, `%P` am/pm; `%U`
 * weeks start on Sunday, `%W` on Monday (days before the first one are week 00), `%V %G %g`
 * are ISO 8601; `%s` is seconds since the epoch (from the fields and `utcOffsetMinutes`);
 * `%Y %G %C` are not zero-padded (year 999 is "999", as glibc prints it).
 *
 * glibc's extensions are honoured too: flags `_` (pad with spaces), `-` (no padding), `0`
 * (pad with zeros), `^` (upper case), `#` (swap case); a field width (`%10Y`); and the `E`
 * and `O` modifiers, which change nothing in the C locale.
 *
 * A field width above STRFTIME_MAX_WIDTH (1024) throws a RangeError rather than building a
 * huge string from a format that came off the network.
 *
 * Anything else is copied through: text that is not a directive (UTF-8 included), an unknown
 * directive such as `%Q` (printed as "%Q", with its flags and width, as glibc does), and a lone
 * `%` at the end of the format (printed as "%").
 */
export function strftime(format: string, t: BrokenDownTime): string {
  let out = "";
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;

    let pad = "";
    let upcase = false;
    let changeCase = false;
    for (; i < n; i++) {
      const c = format[i]!;
      if (c === "_" || c === "-" || c === "0") pad = c;
      else if (c === "^") upcase = true;
      else if (c === "#") changeCase = true;
      else break;
    }
    let width = 0;
    while (i < n && format.charCodeAt(i) >= 48 && format.charCodeAt(i) <= 57) {
      width = width * 10 + (format.charCodeAt(i) - 48);
      i++;
    }
    if (width > MAX_WIDTH) throw new RangeError(`strftime field width ${width} exceeds ${MAX_WIDTH}`);
    let modifier = "";
    if (i < n && (format[i] === "E" || format[i] === "O")) modifier = format[i++]!;

    if (i >= n) {
      // Format ends inside a directive: glibc copies what there is ("%" alone stays "%").
      out += padTo(format.slice(pct), width, pad);
      break;
    }
    const conv = format[i++]!;
    const known = CONVERSIONS.includes(conv) && (modifier === "" || (modifier === "E" ? E_OK : O_OK).includes(conv));
    if (!known) {
      // glibc applies # to %b and %h before it rejects their E modifier: "%#Eb" prints "%#EB".
      const up = upcase || (changeCase && modifier === "E" && (conv === "b" || conv === "h"));
      out += padTo(applyCase(format.slice(pct, i), up, false), width, pad);
      continue;
    }
    out += convert(conv, t, pad, width, upcase, changeCase);
  }
  return out;
}

function convert(
  conv: string,
  t: BrokenDownTime,
  pad: string,
  width: number,
  upcase: boolean,
  changeCase: boolean,
): string {
  // `text` is glibc's cpy(): case conversion, then padding to the width.
  const text = (s: string, up: boolean, low: boolean): string => padTo(applyCase(s, up, low), width, pad);
  const num = (digits: number, value: number): string => formatNumber(value, Math.max(digits, width), pad, width);
  const spaceNum = (digits: number, value: number): string =>
    formatNumber(value, Math.max(digits, width), pad === "" ? "_" : pad, width);
  const yday0 = t.yearDay - 1;

  switch (conv) {
    case "a":
      return text(DAYS[t.weekday]!.slice(0, 3), upcase || changeCase, false);
    case "A":
      return text(DAYS[t.weekday]!, upcase || changeCase, false);
    case "b":
    case "h":
      return text(MONTHS[t.month - 1]!.slice(0, 3), upcase || changeCase, false);
    case "B":
      return text(MONTHS[t.month - 1]!, upcase || changeCase, false);
    case "c":
    case "D":
    case "F":
    case "r":
    case "R":
    case "T":
    case "x":
    case "X":
      // Subformats are expanded with default flags; only ^ and the width apply to the result.
      return text(strftime(SUBFORMATS[conv]!, t), upcase, false);
    case "C":
      return num(1, Math.floor(t.year / 100));
    case "d":
      return num(2, t.day);
    case "e":
      return spaceNum(2, t.day);
    case "g":
    case "G":
    case "V": {
      const iso = isoWeek(t.year, yday0, t.weekday);
      if (conv === "g") return num(2, ((iso.year % 100) + 100) % 100);
      if (conv === "G") return num(1, iso.year);
      return num(2, iso.week);
    }
    case "H":
      return num(2, t.hour);
    case "I":
      return num(2, hour12(t.hour));
    case "j":
      return num(3, t.yearDay);
    case "k":
      return spaceNum(2, t.hour);
    case "l":
      return spaceNum(2, hour12(t.hour));
    case "m":
      return num(2, t.month);
    case "M":
      return num(2, t.minute);
    case "n":
      return padTo("\n", width, pad);
    case "t":
      return padTo("\t", width, pad);
    case "p":
      return text(t.hour < 12 ? "AM" : "PM", upcase && !changeCase, changeCase);
    case "P":
      return text(t.hour < 12 ? "am" : "pm", false, true);
    case "s": {
      // glibc builds the digits itself here: the width pads with spaces unless the flag is 0.
      const s = String(epochSeconds(t));
      return padTo(s, width, pad);
    }
    case "S":
      return num(2, t.second);
    case "u":
      return num(1, ((t.weekday + 6) % 7) + 1);
    case "U":
      return num(2, Math.trunc((yday0 - t.weekday + 7) / 7));
    case "w":
      return num(1, t.weekday);
    case "W":
      return num(2, Math.trunc((yday0 - ((t.weekday + 6) % 7) + 7) / 7));
    case "y":
      return num(2, ((t.year % 100) + 100) % 100);
    case "Y":
      return num(1, t.year);
    case "z": {
      // glibc writes the sign as its own padded item, then the number hhmm padded to 4 digits.
      const off = t.utcOffsetMinutes;
      const a = Math.abs(off);
      return padTo(off < 0 ? "-" : "+", width, pad) + num(4, Math.trunc(a / 60) * 100 + (a % 60));
    }
    case "Z":
      return text(t.zoneName, upcase && !changeCase, changeCase);
    case "%":
      return padTo("%", width, pad);
    default:
      throw new Error(`unreachable strftime conversion ${conv}`);
  }
}

/** glibc's add(): pads on the left to `width`, with zeros for the 0 flag, else spaces. */
function padTo(s: string, width: number, pad: string): string {
  return s.length >= width ? s : (pad === "0" ? "0" : " ").repeat(width - s.length) + s;
}

function applyCase(s: string, up: boolean, low: boolean): string {
  return low ? s.toLowerCase() : up ? s.toUpperCase() : s;
}

/** glibc's DO_NUMBER: pad the digits to `digits` (zeros, or spaces for _, none for -), then add(). */
function formatNumber(value: number, digits: number, pad: string, width: number): string {
  const sign = value < 0 ? "-" : "";
  const abs = String(Math.abs(value));
  let s = sign + abs;
  if (pad !== "-" && s.length < digits) {
    s = pad === "_" ? " ".repeat(digits - s.length) + s : sign + "0".repeat(digits - s.length) + abs;
  }
  return padTo(s, width, pad);
}

function hour12(h: number): number {
  return h % 12 === 0 ? 12 : h % 12;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Days from the start of the ISO week-based year (glibc's iso_week_days); negative = previous. */
function isoWeekDays(yday0: number, wday: number): number {
  const big = (Math.trunc(366 / 7) + 2) * 7;
  return yday0 - ((yday0 - wday + 4 + big) % 7) + 4 - 1;
}

function isoWeek(year: number, yday0: number, wday: number): { year: number; week: number } {
  let days = isoWeekDays(yday0, wday);
  if (days < 0) {
    year--;
    days = isoWeekDays(yday0 + 365 + (isLeap(year) ? 1 : 0), wday);
  } else {
    const d = isoWeekDays(yday0 - (365 + (isLeap(year) ? 1 : 0)), wday);
    if (d >= 0) {
      year++;
      days = d;
    }
  }
  return { year, week: Math.trunc(days / 7) + 1 };
}

function epochSeconds(t: BrokenDownTime): number {
  const days = daysFromCivil(t.year, t.month, t.day);
  return days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - t.utcOffsetMinutes * 60;
}
