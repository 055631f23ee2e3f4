/**
 * Cell keys and the run's selection. A cell is named by one string in both runtimes'
 * expectation files; the selection says which of the files' entries this run speaks for
 * (an entry for a runtime, scenario, transport or host that was not selected is kept as is).
 */
import type { RuntimeName } from "@netparity/protocol";
import { DEFAULT_API, type ApiName } from "../../in-runtime/common/apis.js";
import { apiPattern, apiSuffix, foldApi, keyEnd, sideApis, type EndName } from "../common/targets.js";
import { SUBNET_HOST } from "../process/netns.js";

export interface Selection {
  runtimes: RuntimeName[];
  scenarios: string[];
  transports: string[];
  hosts: string[];
  /** Probe ids run, or undefined for the whole catalogue. */
  probes?: string[];
  /**
   * APIs run (default ["native"]): a cell is in the selection when each end's API is one its
   * side took (`+wintertc` clients only with `wintertc`; native servers when no asked API serves).
   */
  apis?: string[];
}

/**
 * `scenario/transport/host/server->client`, each end `runtime[@version][+api]`. In a report, a
 * runtime with several versions in the run (`multi`) is written `name@version` at each of its
 * ends (`echo/tcp/127.0.0.1/node@20.20.2->node@22.23.3`); expectation files always key by name.
 * An end on another API than the runtime's own ends in `+api`: `bun+node->deno` (a server on
 * node:net in Bun), `.../node@20.20.2->node@22.23.3+wintertc` (a client on the WinterTC Sockets
 * API); native ends keep v1's form, so native keys never change.
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
    /** The client end's API (absent: native). */
    api?: string;
    /** The server end's API (absent: native). */
    serverApi?: string;
  },
  multi?: ReadonlySet<string>,
): string {
  const s = (multi ? keyEnd(c.server, c.serverVersion, multi) : c.server) + apiSuffix(c.serverApi);
  const k = (multi ? keyEnd(c.client, c.clientVersion, multi) : c.client) + apiSuffix(c.api);
  return `${c.scenario}/${c.transport}/${c.host}/${s}->${k}`;
}

/** The two ends of a parsed key as end names (for labels and `formatEnd`). */
export function keyEnds(k: NonNullable<ReturnType<typeof parseCellKey>>): { server: EndName; client: EndName } {
  return {
    server: { name: k.server, ...(k.serverVersion ? { version: k.serverVersion } : {}), api: k.serverApi },
    client: { name: k.client, ...(k.clientVersion ? { version: k.clientVersion } : {}), api: k.api },
  };
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
  /** The client end's API ("native" when the end has no `+api`). */
  api: string;
  /** The server end's API ("native" when the end has no `+api`). */
  serverApi: string;
} | null {
  const apis = apiPattern();
  const m = new RegExp(
    `^([^/]+)/([^/]+)/(.+)/(\\w+)(?:@([^/>@\\s-][^/>@\\s]*?))?(?:\\+(${apis}))?->(\\w+)(?:@([^/>@\\s]+?))?(?:\\+(${apis}))?$`,
  ).exec(key);
  if (!m) return null;
  return {
    scenario: m[1]!,
    transport: m[2]!,
    host: m[3]!,
    server: m[4]!,
    client: m[7]!,
    ...(m[5] ? { serverVersion: m[5] } : {}),
    ...(m[8] ? { clientVersion: m[8] } : {}),
    api: m[9] ?? DEFAULT_API,
    serverApi: m[6] ?? DEFAULT_API,
  };
}

export function inSelection(key: string, sel: Selection): boolean {
  const k = parseCellKey(key);
  if (!k) return false;
  // Unix cells and subnet cells (between network namespaces) have one host of their own.
  const hostOk = k.host === k.transport || k.host === SUBNET_HOST ? true : sel.hosts.includes(k.host);
  const apis = (sel.apis ?? [DEFAULT_API]) as ApiName[];
  return (
    sel.runtimes.includes(k.server as RuntimeName) &&
    sel.runtimes.includes(k.client as RuntimeName) &&
    sel.scenarios.includes(k.scenario) &&
    sel.transports.includes(k.transport) &&
    sideApis(apis, "client").some((a) => foldApi(k.client, a) === k.api) &&
    sideApis(apis, "server").some((a) => foldApi(k.server, a) === k.serverApi) &&
    hostOk
  );
}

/** A probe that threw or ran out of time failed; any other outcome is an observation. */
export function isProbeFailure(outcome: string): boolean {
  return outcome === "error" || outcome === "timeout";
}
