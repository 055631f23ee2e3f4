/**
 * Which pairings a bench run measures. Each workload runs with each runtime as the server
 * (against one fixed client, node raw) and as the client (against the same fixed server),
 * through our adapter and through the runtime's raw API, plus the Python thread-per-connection
 * server where the workload has one; the decoder runs alone in each runtime.
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
  /** Units of work for CPU-per-unit: bytes, messages or handshakes, from a result. */
  kind: "bytes" | "messages" | "handshakes" | "decoder" | "iperf3";
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
 * The cells of `o.workloads` for `runtimes` (those that answered with a version), in run
 * order; `certs` holds the run's certificate files per key type (see keyTypesFor).
 */
export function planCells(
  o: BenchOptions,
  p: Params,
  runtimes: RuntimeName[],
  python: boolean,
  certs: Partial<Record<KeyType, BenchTlsFiles>> = {},
): Cell[] {
  const fixed = program("node", "raw", o.fixedPeerBinaries ?? o.binaries);
  const wl = new Set(o.workloads);
  const cells: Cell[] = [];
  const byKey = new Map<string, Cell>();
  const progs = (rt: RuntimeName) => [program(rt, "adapter", o.binaries), program(rt, "raw", o.binaries)];
  const add = (
    workload: string,
    server: Cell["server"],
    client: Cell["client"],
    role: "server" | "client",
    kind: Cell["kind"],
  ): void => {
    const key = `${workload}|${server ? `${server.prog.runtime}/${server.prog.impl}` : "-"}|${client.prog.runtime}/${client.prog.impl}`;
    const subject = role;
    const existing = byKey.get(key);
    if (existing) {
      existing.entries.push({ role, subject });
      return;
    }
    const cell: Cell = { workload, key, server, client, entries: [{ role, subject }], kind };
    byKey.set(key, cell);
    cells.push(cell);
  };
  const both = (
    workload: string,
    serverSpec: BenchSpec,
    clientSpec: BenchSpec,
    kind: Cell["kind"],
    withPython: boolean,
  ): void => {
    for (const rt of runtimes)
      for (const prog of progs(rt))
        add(workload, { prog, spec: serverSpec }, { prog: fixed, spec: clientSpec }, "server", kind);
    if (withPython && python)
      add(workload, { prog: pythonProgram(), spec: serverSpec }, { prog: fixed, spec: clientSpec }, "server", kind);
    for (const rt of runtimes)
      for (const prog of progs(rt))
        add(workload, { prog: fixed, spec: serverSpec }, { prog, spec: clientSpec }, "client", kind);
  };
  const base = { host: HOST, port: 0 };
  if (wl.has("bulk")) {
    both(
      "bulk",
      { ...base, role: "sink-server" },
      { ...base, role: "bulk-client", bytes: p.bulkBytes, warmup: p.bulkWarmup },
      "bytes",
      true,
    );
  }
  if (wl.has("transfer")) {
    both(
      "transfer",
      { ...base, role: "transfer-server" },
      { ...base, role: "transfer-client", bytes: p.transferBytes, warmup: p.transferWarmup, size: p.frame },
      "bytes",
      false,
    );
  }
  if (wl.has("echo")) {
    both(
      "echo",
      { ...base, role: "echo-server" },
      { ...base, role: "rtt-client", size: p.echoSize, seconds: p.seconds, warmup: p.warmup },
      "messages",
      true,
    );
  }
  if (wl.has("wintertc")) {
    // The WinterTC Sockets facade's cost: each runtime's bulk and echo clients through it and
    // through the adapter, in the same rounds, against the fixed server.
    const facade = [
      [
        "wintertc-bulk",
        { ...base, role: "sink-server" },
        { ...base, role: "bulk-client", bytes: p.bulkBytes, warmup: p.bulkWarmup },
        "bytes",
      ],
      [
        "wintertc-echo",
        { ...base, role: "echo-server" },
        { ...base, role: "rtt-client", size: p.echoSize, seconds: p.seconds, warmup: p.warmup },
        "messages",
      ],
    ] as const;
    for (const [workload, serverSpec, clientSpec, kind] of facade)
      for (const rt of runtimes)
        for (const impl of ["adapter", "wintertc"] as const)
          add(
            workload,
            { prog: fixed, spec: serverSpec },
            { prog: program(rt, impl, o.binaries), spec: clientSpec },
            "client",
            kind,
          );
  }
  if (wl.has("concurrency")) {
    for (const n of p.concLevels) {
      const client: BenchSpec = {
        ...base,
        role: "conc-client",
        connections: n,
        size: p.concSize,
        seconds: p.seconds,
        warmup: p.warmup,
      };
      for (const rt of runtimes)
        for (const prog of progs(rt))
          add(
            `concurrency-${n}`,
            { prog, spec: { ...base, role: "echo-server" } },
            { prog: fixed, spec: client },
            "server",
            "messages",
          );
      if (python)
        add(
          `concurrency-${n}`,
          { prog: pythonProgram(), spec: { ...base, role: "echo-server" } },
          { prog: fixed, spec: client },
          "server",
          "messages",
        );
    }
  }
  if (wl.has("udp")) {
    both(
      "udp",
      { ...base, role: "udp-server", udpMode: "echo" },
      { ...base, role: "udp-client", window: p.udpWindow, seconds: p.seconds, warmup: p.warmup / 2 },
      "messages",
      true,
    );
  }
  // TLS: the same roles as bulk and echo, with the run's throwaway certificates; there is no
  // Python TLS server.
  if (wl.has("tls-handshake")) {
    for (const k of HANDSHAKE_KEYS) {
      const tls = certs[k];
      if (!tls) continue;
      both(
        `tls-handshake-${k}`,
        { ...base, role: "echo-server", tls },
        {
          ...base,
          role: "handshake-client",
          tls,
          connections: p.handshakeInFlight,
          size: p.handshakeSize,
          seconds: p.seconds,
          warmup: p.warmup,
        },
        "handshakes",
        false,
      );
    }
  }
  if (wl.has("tls-bulk") && certs.ecdsa) {
    const tls = certs.ecdsa;
    both(
      "tls-bulk",
      { ...base, role: "sink-server", tls },
      { ...base, role: "bulk-client", tls, bytes: p.tlsBulkBytes, warmup: p.tlsBulkWarmup },
      "bytes",
      false,
    );
  }
  if (wl.has("decoder")) {
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

/** "echo: bun adapter <- node raw", for progress lines and errors. */
export function describeCell(c: Cell): string {
  return `${c.workload}: ${c.server ? `${c.server.prog.runtime} ${c.server.prog.impl}` : ""}${c.server ? " <- " : ""}${c.client.prog.runtime} ${c.client.prog.impl}`;
}
