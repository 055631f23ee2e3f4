/**
 * Which pairings a bench run measures. Each workload runs with each runtime as the server
 * (against one fixed client, node raw) and as the client (against the same fixed server),
 * through our adapter and through the runtime's raw API, plus the Python thread-per-connection
 * server where the workload has one; the decoder runs alone in each runtime.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { BenchSpec } from "../../in-runtime/bench/protocol.js";
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
  /** Units of work for CPU-per-unit: bytes or messages, from a result. */
  kind: "bytes" | "messages" | "decoder" | "iperf3";
}

/** The cells of `o.workloads` for `runtimes` (those that answered with a version), in run order. */
export function planCells(o: BenchOptions, p: Params, runtimes: RuntimeName[], python: boolean): Cell[] {
  const fixed = program("node", "raw", o.binaries);
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
