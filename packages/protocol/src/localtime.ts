/**
 * The host's side of the time service: the local time the runtime's `Date` sees (TZ is
 * honoured by Node, Bun and Deno) and the zone abbreviation glibc would print for it. Kept
 * apart from strftime.ts, which only formats the fields it is given.
 */
import { daysFromCivil } from "./calendar.js";
import type { BrokenDownTime } from "./strftime.js";
import { ZONE_ABBREVIATIONS } from "./strftime-zones.js";

/**
 * The broken-down local time of `date` in the zone the runtime uses for `Date`'s local getters
 * (TZ is honoured by Node, Bun and Deno). `zoneName` overrides what %Z prints; by default it is
 * the tz database abbreviation glibc would print for the same zone and offset (see zoneAbbreviation).
 */
export function localTime(date: Date, zoneName?: string): BrokenDownTime {
  const year = date.getFullYear();
  const month = date.getMonth() + 1;
  const day = date.getDate();
  const utcOffsetMinutes = 0 - date.getTimezoneOffset() || 0; // never -0
  return {
    year,
    month,
    day,
    hour: date.getHours(),
    minute: date.getMinutes(),
    second: date.getSeconds(),
    weekday: date.getDay(),
    yearDay: daysFromCivil(year, month, day) - daysFromCivil(year, 1, 1) + 1,
    utcOffsetMinutes,
    zoneName: zoneName ?? zoneAbbreviation(date, utcOffsetMinutes),
  };
}

/** Per zone id, per offset key ("60", "120d"): [first year, abbreviation ("" = numeric)] ascending. */
type ZoneIndex = Map<string, Map<string, [number, string][]>>;
let zoneIndex: ZoneIndex | undefined;

function zoneTable(): ZoneIndex {
  if (!zoneIndex) {
    zoneIndex = new Map();
    for (const [signature, zones] of Object.entries(ZONE_ABBREVIATIONS)) {
      const byKey = new Map<string, [number, string][]>();
      for (const part of signature ? signature.split(",") : []) {
        const eq = part.indexOf("=");
        const [first, ...later] = part.slice(eq + 1).split("/");
        const history: [number, string][] = [[-Infinity, first!]];
        for (const l of later) history.push([Number(l.slice(0, l.indexOf(":"))), l.slice(l.indexOf(":") + 1)]);
        byKey.set(part.slice(0, eq), history);
      }
      for (const z of zones.split(" ")) zoneIndex.set(z, byKey);
    }
  }
  return zoneIndex;
}

/** Whether `date` is in daylight time: its offset is above the smaller of 1 January's and 1 July's. */
function isDaylight(date: Date, utcOffsetMinutes: number): boolean {
  const jan = new Date(date.getTime());
  jan.setFullYear(date.getFullYear(), 0, 1);
  jan.setHours(12, 0, 0, 0);
  const jul = new Date(jan.getTime());
  jul.setMonth(6, 1);
  return utcOffsetMinutes > Math.min(-jan.getTimezoneOffset(), -jul.getTimezoneOffset());
}

/**
 * What glibc's %Z prints for the runtime's local zone at `date`: the tz database abbreviation
 * ("UTC", "CET"/"CEST", "EST"/"EDT", "IST"), or for zones that have none the numeric form the
 * tz database uses instead ("+03", "+0530", "-0330"). Intl's own short names are not used
 * directly because they differ ("GMT+1" for CET, "GMT+5:30" for IST).
 *
 * The zone is the IANA id from `Intl.DateTimeFormat().resolvedOptions().timeZone`. A POSIX TZ
 * string such as "CET-1CEST" has no id; the offset's numeric form is printed for it. Checked
 * against Python for every tz database zone at five dates: all agree except a few legacy ids
 * that ICU renames (MET, WET, Eire) and Antarctica/Troll before 2005.
 */
export function zoneAbbreviation(date: Date, utcOffsetMinutes: number = -date.getTimezoneOffset()): string {
  let zoneId: string | undefined;
  let intlName: string | undefined;
  try {
    zoneId = new Intl.DateTimeFormat("en-US").resolvedOptions().timeZone;
    intlName = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
      .formatToParts(date)
      .find((p) => p.type === "timeZoneName")?.value;
  } catch {
    // An engine without time zone support in Intl: fall back to the numeric form.
  }
  const known = zoneId === undefined ? undefined : zoneTable().get(zoneId);
  let abbr: string | undefined;
  if (known) {
    const year = date.getFullYear();
    const history = known.get(`${utcOffsetMinutes}${isDaylight(date, utcOffsetMinutes) ? "d" : ""}`) ?? [];
    for (const [from, name] of history) if (from <= year) abbr = name;
    if (abbr === "") abbr = undefined;
  }
  if (abbr === undefined) {
    // Only an id the table does not know (newer than its tz data) can use Intl's name.
    abbr = !known && intlName && /^[A-Za-z]+$/.test(intlName) ? intlName : numericZone(utcOffsetMinutes);
  }
  // ICU folds TZ=GMT and Etc/GMT into "UTC"; its short name still says which one it was.
  if (abbr === "UTC" && intlName === "GMT") abbr = "GMT";
  return abbr;
}

/** The tz database's numeric abbreviation: "+03", "-0330", "+0545". */
function numericZone(offsetMinutes: number): string {
  const a = Math.abs(offsetMinutes);
  const hh = String(Math.trunc(a / 60)).padStart(2, "0");
  const mm = a % 60 === 0 ? "" : String(a % 60).padStart(2, "0");
  return (offsetMinutes < 0 ? "-" : "+") + hh + mm;
}
