/**
 * The fault list of `netparity run --faults` and of the fault proxy: comma-separated names,
 * some with a value. TCP faults act on tcp and unix connections, UDP faults on datagrams;
 * `latency` and `seed` apply to both.
 *
 *   slicer[=N]        re-segment every chunk into 1-byte and random 1..N-byte writes (default 512)
 *   latency=D         hold every chunk / datagram D before forwarding it (order kept)
 *   bandwidth=R       at most R bytes per second in each direction (e.g. 1MiB/s, 256KiB)
 *   reset=N           after N bytes (both directions together) reset both connections (RST)
 *   slow-close=D      pass a FIN on D after it arrived
 *   blackhole         accept connections, read and discard, never connect upstream nor answer
 *   drop=P            drop each datagram with probability P (0..1)
 *   dup=P             send each datagram twice with probability P (alias: duplicate)
 *   reorder=P         hold a datagram back and send it after the next one with probability P
 *   truncate=P        cut a datagram to a random shorter length with probability P
 *   corrupt=P         flip one bit in a fraction P of the bytes (tcp/unix) or of the datagrams (udp)
 *   replace=N         replace the Nth byte of each connection (both directions counted together,
 *                     from 1) by its complement
 *   seed=N            seed of every random choice, so a run repeats (default 1)
 *
 * Durations take ms or s (20ms, 1.5s; a bare number is ms); sizes take the units of
 * --size (64KiB, 1MiB); a bandwidth may end in /s.
 */

import { parseByteSize } from "../common/size.js";

export interface FaultSpec {
  slicer?: { maxPiece: number };
  latencyMs?: number;
  bandwidthBytesPerSec?: number;
  resetAfterBytes?: number;
  slowCloseMs?: number;
  blackhole?: boolean;
  drop?: number;
  duplicate?: number;
  reorder?: number;
  truncate?: number;
  /** tcp/unix: each byte has one bit flipped with this probability; udp: each datagram. */
  corrupt?: number;
  /** The 1-based position, both directions of a connection together, of the byte replaced. */
  replaceByte?: number;
  seed: number;
}

export const FAULT_NAMES = [
  "slicer",
  "latency",
  "bandwidth",
  "reset",
  "slow-close",
  "blackhole",
  "drop",
  "dup",
  "duplicate",
  "reorder",
  "truncate",
  "corrupt",
  "replace",
  "seed",
] as const;

export const FAULTS_HELP = `comma-separated faults for every client's path (a fault proxy in this process):
  tcp/unix: slicer[=N], latency=D, bandwidth=R, reset=N, slow-close=D, blackhole,
            corrupt=P (one bit flipped in a fraction P of the bytes), replace=N (the Nth byte)
  udp:      drop=P, dup=P, reorder=P, truncate=P, corrupt=P (of the datagrams), latency=D
  seed=N makes every random choice repeat (default 1)
  e.g. --faults slicer,latency=20ms,bandwidth=1MiB/s  or  --faults drop=0.2,dup=0.1,seed=7`;

export class FaultSyntaxError extends Error {
  override readonly name = "FaultSyntaxError";
}

export const DEFAULT_SLICER_PIECE = 512;

function duration(name: string, v: string | undefined): number {
  const m = v === undefined ? null : /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(v.trim());
  if (!m) throw new FaultSyntaxError(`${name} needs a duration, e.g. ${name}=20ms (got ${JSON.stringify(v ?? "")})`);
  const n = Number(m[1]) * ((m[2] ?? "ms").toLowerCase() === "s" ? 1000 : 1);
  return Math.round(n);
}

function size(name: string, v: string | undefined): number {
  // Every size may end in /s, not only the bandwidth: the fault list has always allowed it.
  const n = v === undefined ? null : parseByteSize(v, { perSecond: true });
  if (n === null)
    throw new FaultSyntaxError(`${name} needs a byte size, e.g. ${name}=64KiB (got ${JSON.stringify(v ?? "")})`);
  return n;
}

function probability(name: string, v: string | undefined): number {
  const n = v === undefined ? NaN : Number(v);
  if (!/^\d*\.?\d+$/.test(v ?? "") || !(n >= 0 && n <= 1))
    throw new FaultSyntaxError(
      `${name} needs a probability between 0 and 1, e.g. ${name}=0.1 (got ${JSON.stringify(v ?? "")})`,
    );
  return n;
}

function none(name: string, v: string | undefined): void {
  if (v !== undefined) throw new FaultSyntaxError(`${name} takes no value (got ${name}=${v})`);
}

export function parseFaults(text: string): FaultSpec {
  const spec: FaultSpec = { seed: 1 };
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new FaultSyntaxError("--faults needs at least one fault");
  for (const item of items) {
    const eq = item.indexOf("=");
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : item.slice(eq + 1).trim();
    switch (name) {
      case "slicer": {
        const n = value === undefined ? DEFAULT_SLICER_PIECE : size(name, value);
        if (n < 1) throw new FaultSyntaxError("slicer needs a piece size of at least 1 byte");
        spec.slicer = { maxPiece: n };
        break;
      }
      case "latency":
        spec.latencyMs = duration(name, value);
        break;
      case "bandwidth": {
        const n = size(name, value);
        if (n < 1) throw new FaultSyntaxError("bandwidth needs at least 1 byte per second");
        spec.bandwidthBytesPerSec = n;
        break;
      }
      case "reset":
        spec.resetAfterBytes = size(name, value);
        break;
      case "slow-close":
        spec.slowCloseMs = duration(name, value);
        break;
      case "blackhole":
        none(name, value);
        spec.blackhole = true;
        break;
      case "drop":
        spec.drop = probability(name, value);
        break;
      case "dup":
      case "duplicate":
        spec.duplicate = probability(name, value);
        break;
      case "reorder":
        spec.reorder = probability(name, value);
        break;
      case "truncate":
        spec.truncate = probability(name, value);
        break;
      case "corrupt":
        spec.corrupt = probability(name, value);
        break;
      case "replace": {
        if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1)
          throw new FaultSyntaxError(
            `replace needs the position of a byte, counted from 1 (got ${JSON.stringify(value ?? "")})`,
          );
        spec.replaceByte = Number(value);
        break;
      }
      case "seed": {
        if (value === undefined || !/^\d+$/.test(value))
          throw new FaultSyntaxError(`seed needs a non-negative integer (got ${JSON.stringify(value ?? "")})`);
        spec.seed = Number(value);
        break;
      }
      default:
        throw new FaultSyntaxError(`unknown fault "${name}" (expected ${FAULT_NAMES.join(", ")})`);
    }
  }
  return spec;
}

/** The spec written back in the --faults syntax (for reports and log lines). */
export function formatFaults(s: FaultSpec): string {
  const parts: string[] = [];
  if (s.slicer) parts.push(s.slicer.maxPiece === DEFAULT_SLICER_PIECE ? "slicer" : `slicer=${s.slicer.maxPiece}`);
  if (s.latencyMs !== undefined) parts.push(`latency=${s.latencyMs}ms`);
  if (s.bandwidthBytesPerSec !== undefined) parts.push(`bandwidth=${s.bandwidthBytesPerSec}/s`);
  if (s.resetAfterBytes !== undefined) parts.push(`reset=${s.resetAfterBytes}`);
  if (s.slowCloseMs !== undefined) parts.push(`slow-close=${s.slowCloseMs}ms`);
  if (s.blackhole) parts.push("blackhole");
  if (s.drop !== undefined) parts.push(`drop=${s.drop}`);
  if (s.duplicate !== undefined) parts.push(`dup=${s.duplicate}`);
  if (s.reorder !== undefined) parts.push(`reorder=${s.reorder}`);
  if (s.truncate !== undefined) parts.push(`truncate=${s.truncate}`);
  if (s.corrupt !== undefined) parts.push(`corrupt=${s.corrupt}`);
  if (s.replaceByte !== undefined) parts.push(`replace=${s.replaceByte}`);
  parts.push(`seed=${s.seed}`);
  return parts.join(",");
}

/**
 * Whether the spec loses or cuts datagrams (UDP clients then run with --lossy). Corruption is
 * not in it: a client must report a corrupted reply, never wait for a better one.
 */
export function hasUdpFaults(s: FaultSpec): boolean {
  return Boolean(s.drop || s.duplicate || s.reorder || s.truncate);
}
