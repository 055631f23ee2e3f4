import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { STRFTIME_MAX_WIDTH, localTime, strftime, zoneAbbreviation, type BrokenDownTime } from "../src/index.js";
import { fcRuns } from "./fc-config.js";

function t(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  weekday: number,
  yearDay: number,
  utcOffsetMinutes: number,
  zoneName: string,
): BrokenDownTime {
  return { year, month, day, hour, minute, second, weekday, yearDay, utcOffsetMinutes, zoneName };
}

// Expected strings produced with Python 3.11 time.strftime on glibc 2.36 (C locale), from
// time.localtime() under the TZ named in the label (UTC unless said otherwise).
// The t(...) fields are that struct_time: weekday 0 = Sunday, yearDay 1-based, offset in minutes.
const KNOWN: [string, BrokenDownTime, string, string][] = [
  [
    "1 January 2023 (Sun)",
    t(2023, 1, 1, 0, 0, 0, 0, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sun Sunday 001 01 00 52 2022 22 7 0",
  ],
  [
    "1 January 2024 (Mon)",
    t(2024, 1, 1, 0, 0, 0, 1, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Mon Monday 001 00 01 01 2024 24 1 1",
  ],
  [
    "1 January 2019 (Tue)",
    t(2019, 1, 1, 0, 0, 0, 2, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Tue Tuesday 001 00 00 01 2019 19 2 2",
  ],
  [
    "1 January 2025 (Wed)",
    t(2025, 1, 1, 0, 0, 0, 3, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Wed Wednesday 001 00 00 01 2025 25 3 3",
  ],
  [
    "1 January 2015 (Thu)",
    t(2015, 1, 1, 0, 0, 0, 4, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Thu Thursday 001 00 00 01 2015 15 4 4",
  ],
  [
    "1 January 2021 (Fri)",
    t(2021, 1, 1, 0, 0, 0, 5, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Fri Friday 001 00 00 53 2020 20 5 5",
  ],
  [
    "1 January 2022 (Sat)",
    t(2022, 1, 1, 0, 0, 0, 6, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sat Saturday 001 00 00 52 2021 21 6 6",
  ],
  [
    "31 December 2024",
    t(2024, 12, 31, 23, 59, 59, 2, 366, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w %Y-%m-%d %T",
    "Tue Tuesday 366 52 53 01 2025 25 2 2 2024-12-31 23:59:59",
  ],
  [
    "31 December 2023",
    t(2023, 12, 31, 23, 59, 59, 0, 365, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w %Y-%m-%d %T",
    "Sun Sunday 365 53 52 52 2023 23 7 0 2023-12-31 23:59:59",
  ],
  [
    "31 December 2021",
    t(2021, 12, 31, 23, 59, 59, 5, 365, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w %Y-%m-%d %T",
    "Fri Friday 365 52 52 52 2021 21 5 5 2021-12-31 23:59:59",
  ],
  [
    "31 December 2000",
    t(2000, 12, 31, 23, 59, 59, 0, 366, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w %Y-%m-%d %T",
    "Sun Sunday 366 53 52 52 2000 00 7 0 2000-12-31 23:59:59",
  ],
  [
    "31 December 1900",
    t(1900, 12, 31, 23, 59, 59, 1, 365, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w %Y-%m-%d %T",
    "Mon Monday 365 52 53 01 1901 01 1 1 1900-12-31 23:59:59",
  ],
  [
    "week numbers 2017-01-01",
    t(2017, 1, 1, 6, 0, 0, 0, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sun Sunday 001 01 00 52 2016 16 7 0",
  ],
  [
    "week numbers 2018-01-01",
    t(2018, 1, 1, 6, 0, 0, 1, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Mon Monday 001 00 01 01 2018 18 1 1",
  ],
  [
    "week numbers 2017-01-07",
    t(2017, 1, 7, 6, 0, 0, 6, 7, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sat Saturday 007 01 01 01 2017 17 6 6",
  ],
  [
    "week numbers 2017-01-08",
    t(2017, 1, 8, 6, 0, 0, 0, 8, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sun Sunday 008 02 01 01 2017 17 7 0",
  ],
  [
    "week numbers 2018-01-07",
    t(2018, 1, 7, 6, 0, 0, 0, 7, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sun Sunday 007 01 01 01 2018 18 7 0",
  ],
  [
    "week numbers 2018-01-08",
    t(2018, 1, 8, 6, 0, 0, 1, 8, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Mon Monday 008 01 02 02 2018 18 1 1",
  ],
  [
    "week numbers 2020-12-31",
    t(2020, 12, 31, 6, 0, 0, 4, 366, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Thu Thursday 366 52 52 53 2020 20 4 4",
  ],
  [
    "week numbers 2021-01-03",
    t(2021, 1, 3, 6, 0, 0, 0, 3, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sun Sunday 003 01 00 53 2020 20 7 0",
  ],
  [
    "week numbers 2021-01-04",
    t(2021, 1, 4, 6, 0, 0, 1, 4, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Mon Monday 004 01 01 01 2021 21 1 1",
  ],
  [
    "week numbers 2008-12-29",
    t(2008, 12, 29, 6, 0, 0, 1, 364, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Mon Monday 364 52 52 01 2009 09 1 1",
  ],
  [
    "week numbers 2010-01-03",
    t(2010, 1, 3, 6, 0, 0, 0, 3, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Sun Sunday 003 01 00 53 2009 09 7 0",
  ],
  [
    "week numbers 2026-01-01",
    t(2026, 1, 1, 6, 0, 0, 4, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Thu Thursday 001 00 00 01 2026 26 4 4",
  ],
  [
    "week numbers 2027-01-01",
    t(2027, 1, 1, 6, 0, 0, 5, 1, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Fri Friday 001 00 00 53 2026 26 5 5",
  ],
  [
    "week numbers 2016-02-29",
    t(2016, 2, 29, 6, 0, 0, 1, 60, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Mon Monday 060 09 09 09 2016 16 1 1",
  ],
  [
    "week numbers 2024-12-30",
    t(2024, 12, 30, 6, 0, 0, 1, 365, 0, "UTC"),
    "%a %A %j %U %W %V %G %g %u %w",
    "Mon Monday 365 52 53 01 2025 25 1 1",
  ],
  ["%a", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%a>", "<Thu>"],
  ["%A", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%A>", "<Thursday>"],
  ["%b", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%b>", "<Jul>"],
  ["%B", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%B>", "<July>"],
  ["%c", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%c>", "<Thu Jul  4 15:06:07 2024>"],
  ["%C", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%C>", "<20>"],
  ["%d", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%d>", "<04>"],
  ["%D", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%D>", "<07/04/24>"],
  ["%e", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%e>", "< 4>"],
  ["%F", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%F>", "<2024-07-04>"],
  ["%g", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%g>", "<24>"],
  ["%G", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%G>", "<2024>"],
  ["%h", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%h>", "<Jul>"],
  ["%H", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%H>", "<15>"],
  ["%I", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%I>", "<03>"],
  ["%j", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%j>", "<186>"],
  ["%k", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%k>", "<15>"],
  ["%l", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%l>", "< 3>"],
  ["%m", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%m>", "<07>"],
  ["%M", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%M>", "<06>"],
  ["%n", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%n>", "<\n>"],
  ["%p", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%p>", "<PM>"],
  ["%r", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%r>", "<03:06:07 PM>"],
  ["%R", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%R>", "<15:06>"],
  ["%s", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%s>", "<1720098367>"],
  ["%S", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%S>", "<07>"],
  ["%t", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%t>", "<\t>"],
  ["%T", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%T>", "<15:06:07>"],
  ["%u", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%u>", "<4>"],
  ["%U", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%U>", "<26>"],
  ["%V", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%V>", "<27>"],
  ["%w", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%w>", "<4>"],
  ["%W", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%W>", "<27>"],
  ["%x", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%x>", "<07/04/24>"],
  ["%X", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%X>", "<15:06:07>"],
  ["%y", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%y>", "<24>"],
  ["%Y", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%Y>", "<2024>"],
  ["%z", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%z>", "<+0200>"],
  ["%Z", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%Z>", "<CEST>"],
  ["%%", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "<%%>", "<%>"],
  [
    "every directive at once",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%a %A %b %B %c %d %H %I %j %m %M %p %S %U %w %W %x %X %y %Y %z %Z %%",
    "Thu Thursday Jul July Thu Jul  4 15:06:07 2024 04 15 03 186 07 06 PM 07 26 4 27 07/04/24 15:06:07 24 2024 +0200 CEST %",
  ],
  ["time service default", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%Y-%m-%d %X", "2024-07-04 15:06:07"],
  ["UTF-8 passthrough", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "Zeit: %H時%M分 ✓", "Zeit: 15時06分 ✓"],
  ["UTF-8 only", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "über ✓ 日本 🕒", "über ✓ 日本 🕒"],
  ["empty format", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "", ""],
  ["no directives", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "plain text", "plain text"],
  ["odd %%", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%%", "%"],
  ["odd 100%% sure", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "100%% sure", "100% sure"],
  ["odd %%%Y%%", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%%%Y%%", "%2024%"],
  ["odd %Q", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%Q", "%Q"],
  ["odd a%Qb", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "a%Qb", "a%Qb"],
  ["odd %5Q", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%5Q", "  %5Q"],
  ["odd %-Q", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%-Q", "%-Q"],
  ["odd %^q", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%^q", "%^Q"],
  ["odd %", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%", "%"],
  ["odd abc%", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "abc%", "abc%"],
  ["odd %-", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%-", "%-"],
  ["odd %5", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%5", "   %5"],
  ["odd %E", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%E", "%E"],
  ["odd %Ey", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%Ey", "24"],
  ["odd %Ed", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%Ed", "%Ed"],
  ["odd %Oy", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%Oy", "24"],
  ["odd %OY", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%OY", "%OY"],
  ["odd %+", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%+", "%+"],
  ["odd %v", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%v", "%v"],
  ["odd %f", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%f", "%f"],
  ["odd %1", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%1", "%1"],
  ["00:00 12-hour", t(2024, 5, 5, 0, 0, 0, 0, 126, 0, "UTC"), "%H %I %l %k %p %P %r", "00 12 12  0 AM am 12:00:00 AM"],
  ["00:01 12-hour", t(2024, 5, 5, 0, 1, 0, 0, 126, 0, "UTC"), "%H %I %l %k %p %P %r", "00 12 12  0 AM am 12:01:00 AM"],
  [
    "11:59 12-hour",
    t(2024, 5, 5, 11, 59, 0, 0, 126, 0, "UTC"),
    "%H %I %l %k %p %P %r",
    "11 11 11 11 AM am 11:59:00 AM",
  ],
  ["12:00 12-hour", t(2024, 5, 5, 12, 0, 0, 0, 126, 0, "UTC"), "%H %I %l %k %p %P %r", "12 12 12 12 PM pm 12:00:00 PM"],
  ["12:01 12-hour", t(2024, 5, 5, 12, 1, 0, 0, 126, 0, "UTC"), "%H %I %l %k %p %P %r", "12 12 12 12 PM pm 12:01:00 PM"],
  [
    "23:59 12-hour",
    t(2024, 5, 5, 23, 59, 0, 0, 126, 0, "UTC"),
    "%H %I %l %k %p %P %r",
    "23 11 11 23 PM pm 11:59:00 PM",
  ],
  ["flags %-d %-m %-H %-j", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%-d %-m %-H %-j", "4 7 15 186"],
  ["flags %_d %_m %_H %_j", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%_d %_m %_H %_j", " 4  7 15 186"],
  ["flags %0e %0k %0l", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%0e %0k %0l", "04 15 03"],
  [
    "flags %^a %^A %^b %^B %^p %^Z",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%^a %^A %^b %^B %^p %^Z",
    "THU THURSDAY JUL JULY PM CEST",
  ],
  [
    "flags %#a %#A %#b %#p %#Z %#P",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%#a %#A %#b %#p %#Z %#P",
    "THU THURSDAY JUL pm cest pm",
  ],
  [
    "flags %10Y %5y %3d %-5d %_5d %05d",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%10Y %5y %3d %-5d %_5d %05d",
    "0000002024 00024 004     4     4 00004",
  ],
  [
    "flags %05a %-5a %_5a %8B",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%05a %-5a %_5a %8B",
    "00Thu   Thu   Thu     July",
  ],
  [
    "flags %6z %_6z %-6z %06z",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%6z %_6z %-6z %06z",
    "     +000200      +   200      +   200 00000+000200",
  ],
  ["flags %030c", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%030c", "000000Thu Jul  4 15:06:07 2024"],
  ["flags %-30c", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%-30c", "      Thu Jul  4 15:06:07 2024"],
  ["flags %^c", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%^c", "THU JUL  4 15:06:07 2024"],
  ["flags %#c", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%#c", "Thu Jul  4 15:06:07 2024"],
  [
    "flags %12s %-12s %012s %_12s",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%12s %-12s %012s %_12s",
    "  1720098367   1720098367 001720098367   1720098367",
  ],
  ["flags %5%", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%5%", "    %"],
  ["flags %^#p %#^a", t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"), "%^#p %#^a", "pm THU"],
  [
    "flags %Ec %EC %Ex %EX %Ey %EY",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%Ec %EC %Ex %EX %Ey %EY",
    "Thu Jul  4 15:06:07 2024 20 07/04/24 15:06:07 24 2024",
  ],
  [
    "flags %Od %Oe %OH %OI %Om %OM %OS %Ou %OU %OV %Ow %OW %Oy",
    t(2024, 7, 4, 15, 6, 7, 4, 186, 120, "CEST"),
    "%Od %Oe %OH %OI %Om %OM %OS %Ou %OU %OV %Ow %OW %Oy",
    "04  4 15 03 07 06 07 4 26 27 4 27 24",
  ],
  ["UTC", t(2024, 1, 15, 12, 0, 0, 1, 15, 0, "UTC"), "%z %Z %H:%M", "+0000 UTC 12:00"],
  ["GMT", t(2024, 1, 15, 12, 0, 0, 1, 15, 0, "GMT"), "%z %Z %H:%M", "+0000 GMT 12:00"],
  ["Asia/Kolkata +05:30", t(2024, 1, 15, 12, 0, 0, 1, 15, 330, "IST"), "%z %Z %H:%M", "+0530 IST 12:00"],
  ["America/New_York winter", t(2024, 1, 15, 12, 0, 0, 1, 15, -300, "EST"), "%z %Z %H:%M", "-0500 EST 12:00"],
  ["America/New_York summer", t(2024, 7, 15, 12, 0, 0, 1, 197, -240, "EDT"), "%z %Z %H:%M", "-0400 EDT 12:00"],
  ["Europe/Berlin winter", t(2024, 1, 15, 12, 0, 0, 1, 15, 60, "CET"), "%z %Z %H:%M", "+0100 CET 12:00"],
  ["Europe/Berlin summer", t(2024, 7, 15, 12, 0, 0, 1, 197, 120, "CEST"), "%z %Z %H:%M", "+0200 CEST 12:00"],
  ["America/St_Johns -03:30", t(2024, 1, 15, 12, 0, 0, 1, 15, -210, "NST"), "%z %Z %H:%M", "-0330 NST 12:00"],
  ["Asia/Kathmandu +05:45", t(2024, 1, 15, 12, 0, 0, 1, 15, 345, "+0545"), "%z %Z %H:%M", "+0545 +0545 12:00"],
  ["America/Sao_Paulo -03", t(2024, 1, 15, 12, 0, 0, 1, 15, -180, "-03"), "%z %Z %H:%M", "-0300 -03 12:00"],
  ["Pacific/Chatham +13:45", t(2024, 1, 15, 12, 0, 0, 1, 15, 825, "+1345"), "%z %Z %H:%M", "+1345 +1345 12:00"],
  ["Europe/London summer", t(2024, 7, 15, 12, 0, 0, 1, 197, 60, "BST"), "%z %Z %H:%M", "+0100 BST 12:00"],
  ["Europe/Dublin summer", t(2024, 7, 15, 12, 0, 0, 1, 197, 60, "IST"), "%z %Z %H:%M", "+0100 IST 12:00"],
  ["Europe/Dublin winter", t(2024, 1, 15, 12, 0, 0, 1, 15, 0, "GMT"), "%z %Z %H:%M", "+0000 GMT 12:00"],
  [
    "epoch -62135596800",
    t(1, 1, 1, 0, 0, 0, 1, 1, 0, "UTC"),
    "%Y %C %y %G %g %F %c %s",
    "1 0 01 1 01 1-01-01 Mon Jan  1 00:00:00 1 -62135596800",
  ],
  [
    "epoch -31000000000",
    t(987, 8, 25, 16, 53, 20, 6, 237, 0, "UTC"),
    "%Y %C %y %G %g %F %c %s",
    "987 9 87 987 87 987-08-25 Sat Aug 25 16:53:20 987 -31000000000",
  ],
  [
    "epoch 0",
    t(1970, 1, 1, 0, 0, 0, 4, 1, 0, "UTC"),
    "%Y %C %y %G %g %F %c %s",
    "1970 19 70 1970 70 1970-01-01 Thu Jan  1 00:00:00 1970 0",
  ],
  [
    "epoch 253402300799",
    t(9999, 12, 31, 23, 59, 59, 5, 365, 0, "UTC"),
    "%Y %C %y %G %g %F %c %s",
    "9999 99 99 9999 99 9999-12-31 Fri Dec 31 23:59:59 9999 253402300799",
  ],
];

describe("strftime: known outputs (Python time.strftime)", () => {
  it.each(KNOWN)("%s", (_label, time, format, expected) => {
    expect(strftime(format, time)).toBe(expected);
  });
});

interface Fixture {
  format: string;
  specs: string[];
  grid: {
    tz: string;
    epoch: number;
    t: [number, number, number, number, number, number, number, number, number, string];
    out: string[];
  }[];
  /** [tz, epoch, year, month, day, hour, minute, second, weekday, yearDay, offsetMinutes, zone, expected] */
  batch: [string, number, number, number, number, number, number, number, number, number, number, string, string][];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/strftime.json", import.meta.url), "utf8")) as Fixture;

const fromFields = (f: readonly (number | string)[]): BrokenDownTime =>
  t(...(f as [number, number, number, number, number, number, number, number, number, string]));

describe("strftime: fixture generated once with Python (test/fixtures/gen_strftime.py)", () => {
  for (const g of fixture.grid) {
    it(`every conversion x flag x width x modifier at ${g.t.slice(0, 6).join(",")} ${g.tz}`, () => {
      const time = fromFields(g.t);
      const mismatches = fixture.specs
        .map((spec, i) => ({ spec, want: g.out[i], got: strftime(spec, time) }))
        .filter((m) => m.got !== m.want);
      expect(mismatches).toEqual([]);
      expect(fixture.specs.length).toBeGreaterThan(1000);
    });
  }

  it(`${fixture.batch.length} random times in 14 zones with "${fixture.format}"`, () => {
    const mismatches = fixture.batch
      .map((row) => ({ row, got: strftime(fixture.format, fromFields(row.slice(2, 12))) }))
      .filter((m) => m.got !== m.row[12]);
    expect(mismatches).toEqual([]);
    expect(fixture.batch.length).toBeGreaterThan(250);
  });
});

describe("localTime and %Z under TZ", () => {
  const savedTz = process.env.TZ;
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it("reproduces Python's struct_time and output for every fixture row (Node re-reads TZ)", () => {
    const mismatches: unknown[] = [];
    for (const row of fixture.batch) {
      const [tz, epoch] = row;
      process.env.TZ = tz;
      const date = new Date(epoch * 1000);
      const lt = localTime(date);
      const want = fromFields(row.slice(2, 12));
      if (JSON.stringify(lt) !== JSON.stringify(want)) mismatches.push({ tz, epoch, lt, want });
      else if (strftime(fixture.format, lt) !== row[12])
        mismatches.push({ tz, epoch, got: strftime(fixture.format, lt) });
    }
    expect(mismatches).toEqual([]);
  });

  // From the Python table above (%Z under each TZ): a tz abbreviation where the tz database has
  // one, its numeric form where it has none.
  const zones: [string, string, string, string][] = [
    ["UTC", "2024-01-15T12:00:00Z", "UTC", "+0000"],
    ["GMT", "2024-01-15T12:00:00Z", "GMT", "+0000"],
    ["Etc/UTC", "2024-07-15T12:00:00Z", "UTC", "+0000"],
    ["Europe/Berlin", "2024-01-15T12:00:00Z", "CET", "+0100"],
    ["Europe/Berlin", "2024-07-15T12:00:00Z", "CEST", "+0200"],
    ["America/New_York", "2024-01-15T12:00:00Z", "EST", "-0500"],
    ["America/New_York", "2024-07-15T12:00:00Z", "EDT", "-0400"],
    ["Asia/Kolkata", "2024-01-15T12:00:00Z", "IST", "+0530"],
    ["Asia/Calcutta", "2024-01-15T12:00:00Z", "IST", "+0530"],
    ["America/St_Johns", "2024-01-15T12:00:00Z", "NST", "-0330"],
    ["Asia/Kathmandu", "2024-01-15T12:00:00Z", "+0545", "+0545"],
    ["America/Sao_Paulo", "2024-01-15T12:00:00Z", "-03", "-0300"],
    ["Pacific/Chatham", "2024-01-15T12:00:00Z", "+1345", "+1345"],
    ["Europe/London", "2024-07-15T12:00:00Z", "BST", "+0100"],
    ["Europe/Dublin", "2024-07-15T12:00:00Z", "IST", "+0100"],
    ["Europe/Dublin", "2024-01-15T12:00:00Z", "GMT", "+0000"],
    ["Asia/Tokyo", "2024-01-15T12:00:00Z", "JST", "+0900"],
  ];
  it.each(zones)("TZ=%s at %s prints %s and %s", (tz, iso, zoneName, offset) => {
    process.env.TZ = tz;
    const date = new Date(iso);
    expect(zoneAbbreviation(date)).toBe(zoneName);
    expect(strftime("%Z %z", localTime(date))).toBe(`${zoneName} ${offset}`);
  });

  it("an explicit zone name overrides the abbreviation", () => {
    process.env.TZ = "UTC";
    expect(strftime("%Z", localTime(new Date(0), "Zulu"))).toBe("Zulu");
  });
});

/** Independent reference for the numeric fields, from Date's UTC arithmetic only. */
function reference(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(y, 0, 1);
  const day0 = new Date(0);
  day0.setUTCFullYear(y, d.getUTCMonth(), d.getUTCDate());
  const DAY = 86_400_000;
  const yday0 = Math.round((day0.getTime() - jan1.getTime()) / DAY);
  // Week of the year starting at the first Sunday (or Monday); days before it are week 0.
  const weekFrom = (firstWeekday: number): number => {
    const first = jan1.getTime() + ((firstWeekday - jan1.getUTCDay() + 7) % 7) * DAY;
    return day0.getTime() < first ? 0 : Math.floor((day0.getTime() - first) / (7 * DAY)) + 1;
  };
  const p = (n: number, w: number): string => String(n).padStart(w, "0");
  const year = y < 0 ? `-${String(-y)}` : String(y);
  return `${year}-${p(d.getUTCMonth() + 1, 2)}-${p(d.getUTCDate(), 2)} ${p(d.getUTCHours(), 2)}:${p(d.getUTCMinutes(), 2)}:${p(
    d.getUTCSeconds(),
    2,
  )} ${p(yday0 + 1, 3)} ${p(weekFrom(0), 2)} ${p(weekFrom(1), 2)} ${d.getUTCDay()}`;
}

/** The broken-down UTC time of `ms`, computed with Date's UTC getters. */
function utcFields(ms: number): BrokenDownTime {
  const d = new Date(ms);
  const jan1 = new Date(0);
  jan1.setUTCFullYear(d.getUTCFullYear(), 0, 1);
  const day0 = new Date(0);
  day0.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return t(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCDay(),
    Math.round((day0.getTime() - jan1.getTime()) / 86_400_000) + 1,
    0,
    "UTC",
  );
}

describe("strftime: properties", () => {
  const MIN_MS = -62_135_596_800_000; // 0001-01-01
  const MAX_MS = 253_402_300_799_000; // 9999-12-31T23:59:59

  it("numeric fields agree with an independent Date-based reference", () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS }), (ms) => {
        expect(strftime("%Y-%m-%d %H:%M:%S %j %U %W %w", utcFields(ms))).toBe(reference(ms));
      }),
      fcRuns(2000),
    );
  });

  it("%s, %G-W%V-%u agree with Date arithmetic (ISO week of the Thursday)", () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS + 7 * 86_400_000, max: MAX_MS - 7 * 86_400_000 }), (ms) => {
        const d = new Date(ms);
        const wdayMon = (d.getUTCDay() + 6) % 7;
        const thursday = new Date(ms + (3 - wdayMon) * 86_400_000);
        const isoYear = thursday.getUTCFullYear();
        const jan1 = new Date(0);
        jan1.setUTCFullYear(isoYear, 0, 1);
        const dayOfThursday = new Date(0);
        dayOfThursday.setUTCFullYear(isoYear, thursday.getUTCMonth(), thursday.getUTCDate());
        const week = Math.floor(Math.round((dayOfThursday.getTime() - jan1.getTime()) / 86_400_000) / 7) + 1;
        const want = `${Math.floor(ms / 1000)} ${isoYear}-W${String(week).padStart(2, "0")}-${wdayMon + 1}`;
        expect(strftime("%s %G-W%V-%u", utcFields(ms))).toBe(want);
      }),
      fcRuns(1000),
    );
  });

  it("text without % is copied through unchanged (any Unicode)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const text = s.replaceAll("%", "");
        expect(strftime(text, utcFields(0))).toBe(text);
        expect(strftime(`${text}%%${text}`, utcFields(0))).toBe(`${text}%${text}`);
      }),
      fcRuns(300),
    );
  });

  // A directive is built from its parts so that its width never exceeds the limit: flags,
  // a width of 0..STRFTIME_MAX_WIDTH, a modifier, then a known or unknown conversion.
  // A format may end inside a directive ("%", "%_12E"), so that one comes only last.
  const flags = fc.string({ unit: fc.constantFrom(..."_-0^#"), maxLength: 4 });
  const width = fc.oneof(
    fc.constant(""),
    fc.integer({ min: 1, max: 12 }).map(String),
    fc.integer({ min: 1, max: STRFTIME_MAX_WIDTH }).map(String),
    fc.constant(String(STRFTIME_MAX_WIDTH)),
  );
  const modifier = fc.constantFrom("", "E", "O");
  const conversion = fc.constantFrom(..."aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%Q+é✓");
  const directive = fc.tuple(flags, width, modifier, conversion).map((parts) => `%${parts.join("")}`);
  const unfinished = fc.tuple(flags, width, modifier).map((parts) => `%${parts.join("")}`);
  const text = fc.string({ unit: fc.constantFrom(..."abc 123:-é✓"), maxLength: 6 });
  const format = fc
    .tuple(fc.array(fc.oneof(directive, text), { maxLength: 8 }), fc.option(unfinished))
    .map(([pieces, tail]) => pieces.join("") + (tail ?? ""));

  it(`never throws for a format whose field widths are all within ${STRFTIME_MAX_WIDTH}`, () => {
    fc.assert(
      fc.property(format, (f) => {
        expect(typeof strftime(f, utcFields(1_700_000_000_000))).toBe("string");
      }),
      fcRuns(500),
    );
  });

  it(`throws a RangeError for any field width above ${STRFTIME_MAX_WIDTH}`, () => {
    fc.assert(
      fc.property(
        flags,
        fc.integer({ min: STRFTIME_MAX_WIDTH + 1, max: 1_000_000_000 }),
        modifier,
        fc.option(conversion),
        (f, w, m, c) => {
          expect(() => strftime(`%${f}${w}${m}${c ?? ""}`, utcFields(0))).toThrow(RangeError);
        },
      ),
      fcRuns(300),
    );
  });
});

describe("strftime: limits", () => {
  it(`refuses a field width above ${STRFTIME_MAX_WIDTH}`, () => {
    const time = utcFields(0);
    expect(strftime(`%${STRFTIME_MAX_WIDTH}Y`, time)).toHaveLength(STRFTIME_MAX_WIDTH);
    expect(() => strftime(`%${STRFTIME_MAX_WIDTH + 1}Y`, time)).toThrow(RangeError);
    expect(() => strftime("%99999999999999999999d", time)).toThrow(RangeError);
  });

  it('"%1220" (a width above the limit and no conversion) throws a RangeError, by design', () => {
    // Found by fast-check (seed 703544715) when the property's formats had unbounded widths.
    expect(() => strftime("%1220", utcFields(0))).toThrow(
      new RangeError(`strftime field width 1220 exceeds ${STRFTIME_MAX_WIDTH}`),
    );
  });
});
