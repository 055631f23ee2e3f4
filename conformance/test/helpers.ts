import { Prng, type RuntimeName, type Transport } from "@netparity/protocol";
import { beforeAll, expect } from "vitest";
import {
  runMatrix,
  type CellPlan,
  type CellResult,
  type MatrixOptions,
  type RuntimeInfo,
} from "../src/parent/runner/matrix.js";
import { startAgent } from "../src/parent/runner/agent-process.js";
import { writeCertificateSets } from "../src/parent/certs/generate.js";
import type { AgentEvent } from "../src/in-runtime/agent-protocol.js";

export const RUNTIMES: RuntimeName[] = ["node", "bun", "deno"];

/** Every server × client pairing of RUNTIMES. */
export const PAIRS = RUNTIMES.flatMap((s) => RUNTIMES.map((c) => [s, c] as const));

export type Pair = (typeof PAIRS)[number];

/**
 * `NETPARITY_FULL_MATRIX=1`: the matrix tests run every pairing. Without it they run a smoke
 * selection: the whole matrix is proven by `npm run conformance` (every scenario, transport,
 * host and pairing, compared with the expectations), which `.ci/run` runs after `npm test`.
 */
export const FULL_MATRIX = process.env.NETPARITY_FULL_MATRIX === "1";

/**
 * Three pairings of two different runtimes in which every runtime is once the server and once
 * the client. Rotation 0 is node→bun, bun→deno, deno→node; rotation 1 the other three
 * (node→deno, bun→node, deno→bun), so a file that alternates them meets all six.
 */
export function smokePairs(rotation: number): Pair[] {
  const shift = 1 + (Math.abs(rotation) % (RUNTIMES.length - 1));
  return RUNTIMES.map((s, i) => [s, RUNTIMES[(i + shift) % RUNTIMES.length]!] as const);
}

/** The pairings a matrix test runs: `smokePairs(rotation)`, or every one with NETPARITY_FULL_MATRIX=1. */
export function matrixPairs(rotation: number): Pair[] {
  return FULL_MATRIX ? PAIRS : smokePairs(rotation);
}

/**
 * The six pairings of two different runtimes (both rotations), or every one with
 * NETPARITY_FULL_MATRIX=1: for a matrix whose same-runtime pairings `npm run conformance`
 * proves (the reliability cases run server and client of one runtime) and whose cross pairings
 * nothing else runs.
 */
export function crossPairs(): Pair[] {
  return FULL_MATRIX ? PAIRS : [...smokePairs(0), ...smokePairs(1)];
}

export type MatrixRun = Awaited<ReturnType<typeof runMatrix>>;

/** The time a matrix hook allows per planned cell (an upper bound, not an expectation). */
const MATRIX_CELL_BUDGET_MS = 20_000;

/** Where a planned cell is: its scenario, transport and host. */
export type CellPlace = Pick<CellPlan, "scenario" | "transport" | "host">;

export interface LazyMatrixOptions extends Omit<MatrixOptions, "runtimes" | "select"> {
  /** The pairings to run at each place (default: every pairing, PAIRS). */
  pairs?: (at: CellPlace) => readonly Pair[];
}

/**
 * The matrix of `options` over RUNTIMES (cells and the runtimes' features), run once on first
 * use and shared by a file's tests; with `pairs`, only those pairings at each place.
 */
export function lazyMatrix(options: LazyMatrixOptions): () => Promise<MatrixRun> {
  const { pairs, ...rest } = options;
  const select = pairs
    ? (c: CellPlan) => pairs(c).some(([s, k]) => s === c.server.name && k === c.client.name)
    : undefined;
  let run: Promise<MatrixRun> | undefined;
  const get = () => (run ??= runMatrix({ runtimes: RUNTIMES, ...rest, ...(select ? { select } : {}) }));
  // The whole matrix runs in a hook whose time limit grows with its size, not in whichever
  // test asks first: a 90-cell matrix on a busy 2-core machine takes longer than one test's
  // limit, and that is load, not a failure. Each cell still has its own client timeout.
  const planned =
    options.scenarios.length *
    Math.max(1, options.transports.length) *
    Math.max(1, options.hosts?.length ?? 1) *
    Math.max(1, options.apis?.length ?? 1) *
    PAIRS.length;
  beforeAll(
    async () => {
      await get();
    },
    Math.max(120_000, planned * MATRIX_CELL_BUDGET_MS),
  );
  return get;
}

/** The cell of one pairing, or undefined when the matrix has none. */
export function cellOf(
  cells: CellResult[],
  transport: Transport,
  server: RuntimeName,
  client: RuntimeName,
): CellResult | undefined {
  return cells.find((c) => c.transport === transport && c.server === server && c.client === client);
}

/**
 * Asserts that `cell` is unsupported because the features its server or client reported say
 * so: the reason ("<runtime> <version> lacks <feature>, ...") names the cell's server or
 * client at the version it reported, and every feature named is one the cell needs (its
 * transport, and ipv6 on an IPv6 host) and is `false` in that runtime's features.
 */
export function expectUnsupportedByFeatures(cell: CellResult, runtimes: RuntimeInfo[]): void {
  expect(cell.status).toBe("unsupported");
  const m = /^(\S+) (\S+) lacks (.+)$/.exec(cell.reason ?? "");
  expect(m, `reason names a runtime and what it lacks: ${cell.reason}`).not.toBeNull();
  const [, name, version, features] = m!;
  expect([cell.server, cell.client]).toContain(name);
  const info = runtimes.find((r) => r.name === name);
  expect(info?.version).toBe(version);
  const needed: string[] = [cell.transport, ...(cell.host.includes(":") ? ["ipv6"] : [])];
  const named = features!.split(", ");
  for (const f of named) {
    expect(needed, `${cell.reason}: a feature the cell needs`).toContain(f);
    expect(info!.features[f] ?? false, `${name} reported feature ${f} (or did not report it)`).toBe(false);
  }
}

/** Runs the adapter contract inside `runtime` and returns its event. */
export async function runContractIn(runtime: RuntimeName): Promise<Extract<AgentEvent, { event: "contract" }>> {
  const certs = await writeCertificateSets({ main: {}, other: {} }, "netparity-contract-");
  const agent = startAgent(runtime, { role: "contract", certs: certs.sets });
  try {
    const e = await agent.next(110_000);
    if (e?.event !== "contract")
      throw new Error(`${runtime} contract run gave ${JSON.stringify(e)}; stderr: ${agent.stderr()}`);
    return e;
  } finally {
    await agent.stop();
    await certs.remove();
  }
}

/** `n` bytes from the protocol's seeded generator: the same seed gives the same bytes in every run. */
export function seededBytes(n: number, seed: number): Buffer {
  const b = new Prng(seed).bytes(n);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
