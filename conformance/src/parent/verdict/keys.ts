/**
 * Cell keys and the run's selection. A cell is named by one string in both runtimes'
 * expectation files; the selection says which of the files' entries this run speaks for
 * (an entry for a runtime, scenario, transport or host that was not selected is kept as is).
 */
import type { RuntimeName } from "@netparity/protocol";
import { SUBNET_HOST } from "../process/netns.js";

export interface Selection {
  runtimes: RuntimeName[];
  scenarios: string[];
  transports: string[];
  hosts: string[];
  /** Probe ids run, or undefined for the whole catalogue. */
  probes?: string[];
}

export function cellKey(c: {
  scenario: string;
  transport: string;
  host: string;
  server: string;
  client: string;
}): string {
  return `${c.scenario}/${c.transport}/${c.host}/${c.server}->${c.client}`;
}

export function parseCellKey(
  key: string,
): { scenario: string; transport: string; host: string; server: string; client: string } | null {
  const m = /^([^/]+)\/([^/]+)\/(.+)\/(\w+)->(\w+)$/.exec(key);
  if (!m) return null;
  return { scenario: m[1]!, transport: m[2]!, host: m[3]!, server: m[4]!, client: m[5]! };
}

export function inSelection(key: string, sel: Selection): boolean {
  const k = parseCellKey(key);
  if (!k) return false;
  // Unix cells and subnet cells (between network namespaces) have one host of their own.
  const hostOk = k.transport === "unix" || k.host === SUBNET_HOST ? true : sel.hosts.includes(k.host);
  return (
    sel.runtimes.includes(k.server as RuntimeName) &&
    sel.runtimes.includes(k.client as RuntimeName) &&
    sel.scenarios.includes(k.scenario) &&
    sel.transports.includes(k.transport) &&
    hostOk
  );
}

/** A probe that threw or ran out of time failed; any other outcome is an observation. */
export function isProbeFailure(outcome: string): boolean {
  return outcome === "error" || outcome === "timeout";
}
