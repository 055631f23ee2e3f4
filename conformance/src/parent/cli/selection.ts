/**
 * A run that selects nothing must not pass: `run --scenarios transfer --transports udp` once
 * printed "0 cells … all results match the expectations" and exited 0, a CI job green forever.
 * These checks turn an empty selection, and a fault that no selected cell goes through, into
 * usage errors that say why.
 */
import type { Transport } from "@netparity/protocol";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import { type FaultSpec, formatFaults } from "../faults/index.js";
import { UsageError } from "../common/usage.js";

/** The transports of the selection that at least one selected scenario runs over. */
export function transportsWithCells(scenarios: readonly string[], transports: readonly Transport[]): Transport[] {
  return transports.filter((t) => scenarios.some((s) => SCENARIOS[s]?.transports.includes(t)));
}

/** Throws a UsageError when scenarios × transports is empty, naming what each scenario runs over. */
export function requireCells(scenarios: readonly string[], transports: readonly Transport[]): void {
  if (transportsWithCells(scenarios, transports).length) return;
  const over = scenarios.map((s) => `${s} runs over ${SCENARIOS[s]?.transports.join(", ") ?? "nothing"}`).join("; ");
  throw new UsageError(
    `--scenarios ${scenarios.join(",")} with --transports ${transports.join(",")} selects no cell (${over})`,
  );
}

/** Which transports each fault acts on (spec.ts): the stream half and the datagram half. */
const STREAM: readonly Transport[] = ["tcp", "unix", "tls"];
const DATAGRAM: readonly Transport[] = ["udp"];
const BOTH: readonly Transport[] = [...STREAM, ...DATAGRAM];

function faultTransports(spec: FaultSpec): Array<[string, readonly Transport[]]> {
  const out: Array<[string, readonly Transport[]]> = [];
  const one = (key: keyof FaultSpec, on: readonly Transport[]): void => {
    if (spec[key] === undefined || spec[key] === false) return;
    out.push([formatFaults({ [key]: spec[key], seed: spec.seed } as FaultSpec).split(",")[0]!, on]);
  };
  one("slicer", STREAM);
  one("latencyMs", BOTH);
  one("bandwidthBytesPerSec", STREAM);
  one("resetAfterBytes", STREAM);
  one("slowCloseMs", STREAM);
  one("blackhole", STREAM);
  one("drop", DATAGRAM);
  one("duplicate", DATAGRAM);
  one("reorder", DATAGRAM);
  one("truncate", DATAGRAM);
  one("corrupt", BOTH);
  one("replaceByte", STREAM);
  return out;
}

/** Throws a UsageError naming each fault that acts on none of the transports with cells. */
export function requireFaultsApply(spec: FaultSpec, withCells: readonly Transport[]): void {
  const idle = faultTransports(spec).filter(([, on]) => !on.some((t) => withCells.includes(t)));
  if (!idle.length) return;
  const list = idle.map(([name, on]) => `${name} acts on ${on.join("/")} only`).join("; ");
  throw new UsageError(
    `--faults ${idle.map(([n]) => n).join(",")} applies to no selected cell (${list}; the cells run over ${withCells.join(", ")})`,
  );
}
