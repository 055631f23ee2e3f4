/**
 * Cell keys and the run's selection. A cell is named by one string in both runtimes'
 * expectation files; the selection says which of the files' entries this run speaks for
 * (an entry for a runtime, scenario, transport or host that was not selected is kept as is).
 */
import type { RuntimeName } from "@netparity/protocol";
import { keyEnd } from "../common/targets.js";
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

/**
 * `scenario/transport/host/server->client`. In a report, a runtime with several versions in the
 * run (`multi`) is written `name@version` at each of its ends
 * (`echo/tcp/127.0.0.1/node@20.20.2->node@22.23.3`); expectation files always key by name.
 * A client on the WinterTC Sockets API (`--apis wintertc`) ends in "+wintertc"
 * (`.../node@20.20.2->node@22.23.3+wintertc`); the adapter's own client keeps the plain end,
 * so native keys never change.
 */
export function cellKey(
  c: {
    scenario: string;
    transport: string;
    host: string;
    server: string;
    client: string;
    serverVersion?: string;
    clientVersion?: string;
    api?: string;
  },
  multi?: ReadonlySet<string>,
): string {
  const s = multi ? keyEnd(c.server, c.serverVersion, multi) : c.server;
  const k = multi ? keyEnd(c.client, c.clientVersion, multi) : c.client;
  return `${c.scenario}/${c.transport}/${c.host}/${s}->${k}${c.api === "wintertc" ? "+wintertc" : ""}`;
}

/** A cell key, from an expectations file or a report (whose ends may carry `@version`). */
export function parseCellKey(key: string): {
  scenario: string;
  transport: string;
  host: string;
  server: string;
  client: string;
  serverVersion?: string;
  clientVersion?: string;
  api: string;
} | null {
  const m = /^([^/]+)\/([^/]+)\/(.+)\/(\w+)(?:@([^/>@\s-][^/>@\s]*))?->(\w+)(?:@([^/>@\s]+?))?(?:\+(wintertc))?$/.exec(
    key,
  );
  if (!m) return null;
  return {
    scenario: m[1]!,
    transport: m[2]!,
    host: m[3]!,
    server: m[4]!,
    client: m[6]!,
    ...(m[5] ? { serverVersion: m[5] } : {}),
    ...(m[7] ? { clientVersion: m[7] } : {}),
    api: m[8] ?? "native",
  };
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
