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
  /** Client APIs run (default ["native"]): a "+wintertc" cell is in the selection only with "wintertc". */
  apis?: string[];
}

export function cellKey(c: {
  scenario: string;
  transport: string;
  host: string;
  server: string;
  client: string;
  api?: string;
}): string {
  // A client on the WinterTC Sockets API (`--apis wintertc`) is "<runtime>+wintertc"; the
  // adapter's own client keeps the plain runtime name, so native keys never change.
  return `${c.scenario}/${c.transport}/${c.host}/${c.server}->${c.client}${c.api === "wintertc" ? "+wintertc" : ""}`;
}

export function parseCellKey(
  key: string,
): { scenario: string; transport: string; host: string; server: string; client: string; api: string } | null {
  const m = /^([^/]+)\/([^/]+)\/(.+)\/(\w+)->(\w+)(?:\+(wintertc))?$/.exec(key);
  if (!m) return null;
  return { scenario: m[1]!, transport: m[2]!, host: m[3]!, server: m[4]!, client: m[5]!, api: m[6] ?? "native" };
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
    (sel.apis ?? ["native"]).includes(k.api) &&
    hostOk
  );
}

/** A probe that threw or ran out of time failed; any other outcome is an observation. */
export function isProbeFailure(outcome: string): boolean {
  return outcome === "error" || outcome === "timeout";
}
