/**
 * The API axis of a target. A cell end is a runtime in one version speaking one API:
 *
 * - `native`: the runtime's own socket API through its adapter (Bun.listen, Deno.connect,
 *   node:net on Node). The default; a native end keeps v1's key (`bun`).
 * - `node`: the Node socket API (node:net, node:tls, node:dgram), the Node adapter run
 *   unchanged on any runtime that provides those modules (`bun+node`).
 * - `wintertc`: the WinterTC Sockets API `connect()` (@netparity/sockets over the adapter);
 *   the draft has TCP clients only, so a client end over tcp or tls (`node+wintertc`).
 *
 * APIs are data: what an API offers on which end and over which transports is said here
 * once; which runtime provides which API is said by the runtime's descriptor
 * (parent/common/runtime-descriptors.ts). Pure data, bundled into the agents too.
 */
import type { Transport } from "@netparity/protocol";

export type ApiName = "native" | "node" | "wintertc";
export type End = "server" | "client";

export interface ApiDescriptor {
  readonly name: ApiName;
  /** The ends this API can take: a client-only API has no servers. */
  readonly ends: readonly End[];
  /** The transports it has; undefined: every transport the runtime's adapter has. */
  readonly transports?: readonly Transport[];
  /** One line for help texts. */
  readonly description: string;
  /**
   * A facade over the runtime's own adapter that every agent carries (not an adapter an agent
   * entry passes in), and the package that provides it: the bench measures its cost over the
   * adapter (`netparity bench --workloads <name>`).
   */
  readonly facade?: { readonly package: string };
}

/** The API an end has when none is named. Its ends keep v1's keys (no `+api`). */
export const DEFAULT_API: ApiName = "native";

const DESCRIPTORS: ApiDescriptor[] = [
  { name: "native", ends: ["server", "client"], description: "the runtime's own socket API (its adapter)" },
  { name: "node", ends: ["server", "client"], description: "node:net, node:tls and node:dgram (the Node adapter)" },
  {
    name: "wintertc",
    ends: ["client"],
    transports: ["tcp", "tls"],
    description: "connect() of the WinterTC Sockets API (@netparity/sockets; clients over tcp and tls)",
    facade: { package: "@netparity/sockets" },
  },
];

const REGISTRY = new Map<string, ApiDescriptor>(DESCRIPTORS.map((d) => [d.name, d]));

/** Every API, in registration order (native first). */
export function apiNames(): ApiName[] {
  return [...REGISTRY.keys()] as ApiName[];
}

export function isApiName(name: string): name is ApiName {
  return REGISTRY.has(name);
}

export function apiOf(name: ApiName | string): ApiDescriptor {
  const d = REGISTRY.get(name);
  if (!d) throw new Error(`unknown API "${name}"`);
  return d;
}

/** Whether `api` can take `end` over `transport` (its own limits; the runtime's are its descriptor's). */
export function apiSupports(api: ApiName | string, end: End, transport: Transport): boolean {
  const d = apiOf(api);
  return d.ends.includes(end) && (d.transports === undefined || d.transports.includes(transport));
}

/** The facade APIs (`facade`), in registration order. */
export function facadeApis(): ApiName[] {
  return [...REGISTRY.values()].filter((d) => d.facade).map((d) => d.name);
}

/**
 * Adds an API (tests; a new API is one entry in DESCRIPTORS). Returns the function that
 * removes it again.
 */
export function registerApi(d: ApiDescriptor): () => void {
  if (REGISTRY.has(d.name)) throw new Error(`API "${d.name}" is already registered`);
  REGISTRY.set(d.name, d);
  return () => void REGISTRY.delete(d.name);
}
