/**
 * Which pairings a bench run measures. Each workload runs with each runtime as the server
 * (against one fixed client) and as the client (against one fixed server), the fastest raw
 * program of its group as calibrate.ts measured it,
 * through our adapter and through the runtime's raw API, plus the Python thread-per-connection
 * server where the workload has one; the decoder runs alone in each runtime. The wintertc
 * workload measures clients only: through @netparity/sockets and through the adapter.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { BenchSpec, BenchTlsFiles } from "../../in-runtime/bench/protocol.js";
import type { KeyType } from "../certs/generate.js";
import { HOST, type Params } from "./params.js";
import { program, pythonProgram, type Program } from "./programs.js";
import type { BenchOptions } from "./types.js";

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
  kind: "bytes" | "messages" | "handshakes" | "decoder" | "iperf3" | "load" | "idle";
  /** Server processes sharing the port with SO_REUSEPORT (scaling); default 1. */
  servers?: number;
  /** false: no taskset for this cell (scaling spreads servers over every CPU). */
  pin?: boolean;
  /** --target: the server is `netparity serve bench` on another host, named here ("node adapter at 10.0.0.2:9000"). */
  remote?: string;
}

/** tls-handshake runs once per key type: ECDSA P-256 and RSA-2048 cost very different signatures. */
export const HANDSHAKE_KEYS: readonly KeyType[] = ["ecdsa", "rsa"];

/** The TLS key types each workload needs a certificate set for. */
export function keyTypesFor(workloads: readonly string[]): KeyType[] {
  const out = new Set<KeyType>();
  if (workloads.includes("tls-handshake")) for (const k of HANDSHAKE_KEYS) out.add(k);
  if (workloads.includes("tls-bulk")) out.add("ecdsa");
  return [...out];
}

/**
 * One workload's pairing: the server and client specs, and whether runtimes are measured in
 * both roles, as the server only or as the client only. `group` names the fixed peer it uses
 * (one calibration per group: the concurrency levels share one; wintertc-bulk and
 * wintertc-echo use bulk's and echo's, the same specs).
 */
export interface WorkloadSpec {
  workload: string;
  group: string;
  server: BenchSpec;
  client: BenchSpec;
  kind: Cell["kind"];
  roles: "both" | "server" | "client";
  python: boolean;
  /** The programs measured as the client (default: the adapter and raw). */
  clientImpls?: readonly ("adapter" | "raw" | "wintertc")[];
  servers?: number;
  pin?: boolean;
  /** The fixed peer's implementation: the raw programs, or (for roles only the agent has) the adapter agent. */
  peerImpl?: "raw" | "adapter";
  /** A fixed peer that is not calibrated (idle-memory: memory, not speed, is measured), with the reason. */
  fixedPeer?: { runtime: RuntimeName; impl: "raw" | "adapter"; reason: string };
}

/** The fixed peer of each group and role: the raw program of this runtime (see calibrate.ts). */
export type Peers = Record<string, { server: RuntimeName; client: RuntimeName }>;

/** The specs of `o.workloads` with the sizes of `p` (the decoder has none: it runs alone). */
export function workloadSpecs(
  o: Pick<BenchOptions, "workloads">,
  p: Params,
  certs: Partial<Record<KeyType, BenchTlsFiles>> = {},
): WorkloadSpec[] {
  const wl = new Set(o.workloads);
  const base = { host: HOST, port: 0 };
  const out: WorkloadSpec[] = [];
  const add = (s: Omit<WorkloadSpec, "group"> & { group?: string }): void => {
    out.push({ group: s.workload, ...s });
  };
  if (wl.has("bulk"))
    add({
      workload: "bulk",
      server: { ...base, role: "sink-server" },
      client: { ...base, role: "bulk-client", bytes: p.bulkBytes, warmup: p.bulkWarmup },
      kind: "bytes",
      roles: "both",
      python: true,
    });
  if (wl.has("transfer"))
    add({
      workload: "transfer",
      server: { ...base, role: "transfer-server" },
      client: { ...base, role: "transfer-client", bytes: p.transferBytes, warmup: p.transferWarmup, size: p.frame },
      kind: "bytes",
      roles: "both",
      python: false,
    });
  if (wl.has("echo"))
    add({
      workload: "echo",
      server: { ...base, role: "echo-server" },
      client: { ...base, role: "rtt-client", size: p.echoSize, seconds: p.seconds, warmup: p.warmup },
      kind: "messages",
      roles: "both",
      python: true,
    });
  if (wl.has("wintertc")) {
    // The WinterTC Sockets facade's cost: each runtime's bulk and echo clients through it and
    // through the adapter, in the same rounds, against the same calibrated fixed server.
    add({
      workload: "wintertc-bulk",
      group: "bulk",
      server: { ...base, role: "sink-server" },
      client: { ...base, role: "bulk-client", bytes: p.bulkBytes, warmup: p.bulkWarmup },
      kind: "bytes",
      roles: "client",
      python: false,
      clientImpls: ["adapter", "wintertc"],
    });
    add({
      workload: "wintertc-echo",
      group: "echo",
      server: { ...base, role: "echo-server" },
      client: { ...base, role: "rtt-client", size: p.echoSize, seconds: p.seconds, warmup: p.warmup },
      kind: "messages",
      roles: "client",
      python: false,
      clientImpls: ["adapter", "wintertc"],
    });
  }
  if (wl.has("concurrency"))
    for (const n of p.concLevels)
      add({
        workload: `concurrency-${n}`,
        group: "concurrency",
        server: { ...base, role: "echo-server" },
        client: {
          ...base,
          role: "conc-client",
          connections: n,
          size: p.concSize,
          seconds: p.seconds,
          warmup: p.warmup,
        },
        kind: "messages",
        roles: "server",
        python: true,
      });
  if (wl.has("udp"))
    add({
      workload: "udp",
      server: { ...base, role: "udp-server", udpMode: "echo" },
      client: { ...base, role: "udp-client", window: p.udpWindow, seconds: p.seconds, warmup: p.warmup / 2 },
      kind: "messages",
      roles: "both",
      python: true,
    });
  // TLS: the same roles as bulk and echo, with the run's throwaway certificates; there is no
  // Python TLS server.
  if (wl.has("tls-handshake"))
    for (const k of HANDSHAKE_KEYS) {
      const tls = certs[k];
      if (!tls) continue;
      add({
        workload: `tls-handshake-${k}`,
        server: { ...base, role: "echo-server", tls },
        client: {
          ...base,
          role: "handshake-client",
          tls,
          connections: p.handshakeInFlight,
          size: p.handshakeSize,
          seconds: p.seconds,
          warmup: p.warmup,
        },
        kind: "handshakes",
        roles: "both",
        python: false,
      });
    }
  if (wl.has("tls-bulk") && certs.ecdsa)
    add({
      workload: "tls-bulk",
      server: { ...base, role: "sink-server", tls: certs.ecdsa },
      client: { ...base, role: "bulk-client", tls: certs.ecdsa, bytes: p.tlsBulkBytes, warmup: p.tlsBulkWarmup },
      kind: "bytes",
      roles: "both",
      python: false,
    });
  if (wl.has("scaling"))
    for (const n of p.scalingServers)
      add({
        workload: `scaling-${n}`,
        group: "scaling",
        server: { ...base, role: "echo-server", reusePort: true },
        client: {
          ...base,
          role: "conc-client",
          connections: p.scalingConnections,
          size: p.concSize,
          seconds: p.seconds,
          warmup: p.warmup,
        },
        kind: "messages",
        roles: "server",
        python: false,
        servers: n,
        pin: false,
      });
  if (wl.has("load-latency"))
    add({
      workload: "load-latency",
      server: { ...base, role: "echo-server" },
      client: {
        ...base,
        role: "load-client",
        connections: p.loadConnections,
        size: p.echoSize,
        seconds: p.seconds,
        warmup: p.warmup,
        fractions: p.loadFractions,
      },
      kind: "load",
      roles: "server",
      python: false,
      peerImpl: "adapter",
    });
  if (wl.has("idle-memory"))
    for (const n of p.idleLevels)
      add({
        workload: `idle-memory-${n}`,
        group: "idle-memory",
        // No idle deadline and room for every connection: the adapter's server defaults would close them.
        server: { ...base, role: "echo-server", maxConnections: n + 1024, idleTimeoutMs: 0 },
        client: { ...base, role: "idle-client", connections: n, seconds: p.idleHoldSeconds },
        kind: "idle",
        roles: "server",
        python: false,
        fixedPeer: {
          runtime: "node",
          impl: "adapter",
          reason: "memory, not speed, is measured: the client only holds connections open",
        },
      });
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
  const progs = (rt: RuntimeName) => [program(rt, "adapter", o.binaries), program(rt, "raw", o.binaries)];
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
    const peer = peers[w.group] ?? { server: "node", client: "node" };
    // Several versions of a runtime are measured in passes against the same peers: the peer
    // runs on the run's default binaries, never on a version under test.
    const peerBins = o.fixedPeerBinaries ?? o.binaries;
    const fixedClient = w.fixedPeer
      ? program(w.fixedPeer.runtime, w.fixedPeer.impl, peerBins)
      : program(peer.client, w.peerImpl ?? "raw", peerBins);
    const fixedServer = program(peer.server, w.peerImpl ?? "raw", peerBins);
    const extra = { ...(w.servers ? { servers: w.servers } : {}), ...(w.pin === false ? { pin: false } : {}) };
    if (w.roles !== "client")
      for (const rt of runtimes)
        if (!unsupported[w.group]?.[rt])
          for (const prog of progs(rt))
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
      for (const rt of runtimes)
        for (const prog of w.clientImpls ? w.clientImpls.map((i) => program(rt, i, o.binaries)) : progs(rt))
          add(w.workload, { prog: fixedServer, spec: w.server }, { prog, spec: w.client }, "client", w.kind);
  }
  if (o.workloads.includes("decoder")) {
    const base = { host: HOST, port: 0 };
    for (const rt of runtimes) {
      const prog = program(rt, "adapter", o.binaries);
      add(
        "decoder",
        null,
        {
          prog,
          spec: { ...base, role: "decoder", seconds: p.decoderSeconds, streamBytes: p.decoderStream, chunk: 64 * 1024 },
        },
        "client",
        "decoder",
      );
    }
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
