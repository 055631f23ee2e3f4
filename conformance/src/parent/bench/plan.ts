/**
 * Which pairings a bench run measures. Each workload (its descriptor in workloads/) runs with
 * each runtime as the server (against one fixed client) and as the client (against one fixed
 * server), the fastest raw program of its group as calibrate.ts measured it, through our
 * adapter and through the runtime's raw API, plus the Python thread-per-connection server
 * where the workload has one; a workload without a server (the decoder) runs alone in each
 * runtime. With `--apis`, each runtime is measured in every asked API it offers on that end
 * and the workload measures: `bun+node` is the Node adapter and raw node:net on Bun.
 */
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { BenchSpec, BenchTlsFiles } from "../../in-runtime/bench/protocol.js";
import { DEFAULT_API, type ApiName, type End } from "../../in-runtime/common/apis.js";
import type { KeyType } from "../certs/generate.js";
import { endApi } from "../common/targets.js";
import { HOST, type Params } from "./params.js";
import { hasRaw, program, pythonProgram, type Program } from "./programs.js";
import type { BenchOptions } from "./types.js";
import { workload, workloadNames, type MeasureKind, type WorkloadSpec } from "./workloads/index.js";

export type { WorkloadSpec };

/** One measured pairing: a server program (or none) and a client program with their specs. */
export interface Cell {
  workload: string;
  key: string;
  server: { prog: Program; spec: BenchSpec } | null;
  client: { prog: Program; spec: BenchSpec };
  /** The result entries this cell's samples feed (one cell can be both "node raw as server" and "node raw as client"). */
  entries: Array<{ role: "server" | "client"; subject: "server" | "client" }>;
  /**
   * Units of work for CPU-per-unit: bytes, messages or handshakes, from a result; "load" is
   * messages with the closed-loop maximum as the value, "idle" the server's RSS per idle
   * connection.
   */
  kind: MeasureKind;
  /** Server processes sharing the port with SO_REUSEPORT (scaling); default 1. */
  servers?: number;
  /** false: no taskset for this cell (scaling spreads servers over every CPU). */
  pin?: boolean;
  /** --target: the server is `netparity serve bench` on another host, named here ("node adapter at 10.0.0.2:9000"). */
  remote?: string;
}

/** The TLS key types the workloads need a certificate set for (their descriptors' `keyTypes`). */
export function keyTypesFor(workloads: readonly string[]): KeyType[] {
  const out = new Set<KeyType>();
  for (const n of workloadNames()) if (workloads.includes(n)) for (const k of workload(n).keyTypes ?? []) out.add(k);
  return [...out];
}

/** The fixed peer of each group and role: the raw program of this runtime (see calibrate.ts). */
export type Peers = Record<string, { server: RuntimeName; client: RuntimeName }>;

/** The specs of `o.workloads` with the sizes of `p`, from their registered descriptors, in report order. */
export function workloadSpecs(
  o: Pick<BenchOptions, "workloads">,
  p: Params,
  certs: Partial<Record<KeyType, BenchTlsFiles>> = {},
): WorkloadSpec[] {
  const wl = new Set(o.workloads);
  return workloadNames()
    .filter((n) => wl.has(n))
    .flatMap((n) => workload(n).specs({ p, certs, host: HOST }));
}

/** The transport a spec's programs speak, for the APIs' and runtimes' limits. */
function transportOf(s: BenchSpec): Transport {
  return s.role.startsWith("udp") ? "udp" : s.tls ? "tls" : "tcp";
}

/**
 * The ends measured on `end` of a pairing: each runtime in each asked API the workload
 * measures and the runtime offers there (its descriptor), once each (`node` on Node is its
 * native end; `native` on workerd is its `wintertc`).
 */
export function measuredEnds(
  w: Pick<WorkloadSpec, "apis" | "client">,
  asked: readonly ApiName[],
  runtimes: readonly RuntimeName[],
  end: End,
): Array<{ runtime: RuntimeName; api: ApiName }> {
  const measures = w.apis ?? [DEFAULT_API];
  const out: Array<{ runtime: RuntimeName; api: ApiName }> = [];
  for (const runtime of runtimes)
    for (const a of asked) {
      // The end's own API decides (workerd's `native` is its `wintertc`).
      const api = endApi(runtime, a, end, transportOf(w.client));
      if (api && measures.includes(api) && !out.some((x) => x.runtime === runtime && x.api === api))
        out.push({ runtime, api });
    }
  return out;
}

/**
 * The cells of `o.workloads` for `runtimes` (those that answered with a version), in run
 * order; `certs` holds the run's certificate files per key type (see keyTypesFor); `peers`
 * the fixed peer of each group (default: node raw).
 */
export function planCells(
  o: BenchOptions,
  p: Params,
  runtimes: RuntimeName[],
  python: boolean,
  certs: Partial<Record<KeyType, BenchTlsFiles>> = {},
  peers: Peers = {},
  /** Runtimes that cannot be measured in a group, with the reason (scaling on Node before v22.12). */
  unsupported: Record<string, Partial<Record<RuntimeName, string>>> = {},
): Cell[] {
  const cells: Cell[] = [];
  const byKey = new Map<string, Cell>();
  const asked = o.apis?.length ? o.apis : [DEFAULT_API];
  const add = (
    workload: string,
    server: Cell["server"],
    client: Cell["client"],
    role: "server" | "client",
    kind: Cell["kind"],
    extra: Pick<Cell, "servers" | "pin"> = {},
  ): void => {
    const key = `${workload}|${server ? `${server.prog.runtime}/${server.prog.impl}` : "-"}|${client.prog.runtime}/${client.prog.impl}`;
    const subject = role;
    const existing = byKey.get(key);
    if (existing) {
      existing.entries.push({ role, subject });
      return;
    }
    const cell: Cell = { workload, key, server, client, entries: [{ role, subject }], kind, ...extra };
    byKey.set(key, cell);
    cells.push(cell);
  };
  for (const w of workloadSpecs(o, p, certs)) {
    if (!w.server) {
      // Alone in each runtime's adapter agent (the decoder): no peer, no API.
      for (const rt of runtimes)
        add(w.workload, null, { prog: program(rt, "adapter", o.binaries), spec: w.client }, "client", w.kind);
      continue;
    }
    const peer = peers[w.group] ?? { server: "node", client: "node" };
    // Several versions of a runtime are measured in passes against the same peers: the peer
    // runs on the run's default binaries, never on a version under test.
    const peerBins = o.fixedPeerBinaries ?? o.binaries;
    const fixedClient = w.fixedPeer
      ? program(w.fixedPeer.runtime, w.fixedPeer.impl, peerBins)
      : program(peer.client, w.peerImpl ?? "raw", peerBins);
    const fixedServer = program(peer.server, w.peerImpl ?? "raw", peerBins);
    const extra = { ...(w.servers ? { servers: w.servers } : {}), ...(w.pin === false ? { pin: false } : {}) };
    // An API's raw program (native: the runtime's own; node: raw/node.mjs on that runtime)
    // where it has one; a client-only facade API has none.
    const progs = (rt: RuntimeName, api: ApiName, impls: readonly string[]): Program[] =>
      impls.filter((i) => i !== "raw" || hasRaw(api)).map((i) => program(rt, i, o.binaries, api));
    if (w.roles !== "client")
      for (const { runtime: rt, api } of measuredEnds(w, asked, runtimes, "server"))
        if (!unsupported[w.group]?.[rt])
          for (const prog of progs(rt, api, ["adapter", "raw"]))
            add(w.workload, { prog, spec: w.server }, { prog: fixedClient, spec: w.client }, "server", w.kind, extra);
    if (w.python && python)
      add(
        w.workload,
        { prog: pythonProgram(), spec: w.server },
        { prog: fixedClient, spec: w.client },
        "server",
        w.kind,
      );
    if (w.roles !== "server")
      for (const { runtime: rt, api } of measuredEnds(w, asked, runtimes, "client"))
        for (const prog of progs(rt, api, w.clientImpls ?? ["adapter", "raw"]))
          add(w.workload, { prog: fixedServer, spec: w.server }, { prog, spec: w.client }, "client", w.kind);
  }
  return cells;
}

/**
 * --target: every runtime's adapter and raw client of the served workloads against the remote
 * bench server (TARGET_PORTS: bulk on the base port, echo on +1, transfer on +2).
 */
export function targetCells(
  o: BenchOptions,
  p: Params,
  runtimes: RuntimeName[],
  target: { host: string; port: number },
  offsets: Record<string, number>,
  label: string,
): Cell[] {
  const cells: Cell[] = [];
  for (const w of workloadSpecs({ workloads: o.workloads.filter((x) => x in offsets) }, p)) {
    if (!w.server) continue;
    const spec = { ...w.client, host: target.host, port: target.port + offsets[w.workload]! };
    for (const rt of runtimes)
      for (const impl of ["adapter", "raw"] as const) {
        const prog = program(rt, impl, o.binaries);
        cells.push({
          workload: w.workload,
          key: `${w.workload}|remote|${rt}/${impl}`,
          server: null,
          client: { prog, spec },
          entries: [{ role: "client", subject: "client" }],
          kind: w.kind,
          remote: label,
        });
      }
  }
  return cells;
}

/** "echo: bun adapter <- node raw", for progress lines and errors. */
export function describeCell(c: Cell): string {
  if (c.remote) return `${c.workload}: ${c.remote} <- ${c.client.prog.runtime} ${c.client.prog.impl}`;
  return `${c.workload}: ${c.server ? `${c.server.prog.runtime} ${c.server.prog.impl}` : ""}${c.server ? " <- " : ""}${c.client.prog.runtime} ${c.client.prog.impl}`;
}
