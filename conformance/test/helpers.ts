import { Prng, type RuntimeName, type Transport } from "@netparity/protocol";
import { beforeAll, expect } from "vitest";
import { runMatrix, type CellResult, type MatrixOptions, type RuntimeInfo } from "../src/parent/runner/matrix.js";
import { startAgent } from "../src/parent/runner/agent-process.js";
import type { AgentEvent } from "../src/in-runtime/agent-protocol.js";

export const RUNTIMES: RuntimeName[] = ["node", "bun", "deno"];

/** Every server × client pairing of RUNTIMES. */
export const PAIRS = RUNTIMES.flatMap((s) => RUNTIMES.map((c) => [s, c] as const));

export type MatrixRun = Awaited<ReturnType<typeof runMatrix>>;

/** The time a matrix hook allows per planned cell (an upper bound, not an expectation). */
const MATRIX_CELL_BUDGET_MS = 20_000;

/** The matrix of `options` over RUNTIMES (cells and the runtimes' features), run once on first use and shared by a file's tests. */
export function lazyMatrix(options: Omit<MatrixOptions, "runtimes">): () => Promise<MatrixRun> {
  let run: Promise<MatrixRun> | undefined;
  const get = () => (run ??= runMatrix({ runtimes: RUNTIMES, ...options }));
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
  const agent = startAgent(runtime, { role: "contract" });
  try {
    const e = await agent.next(110_000);
    if (e?.event !== "contract")
      throw new Error(`${runtime} contract run gave ${JSON.stringify(e)}; stderr: ${agent.stderr()}`);
    return e;
  } finally {
    await agent.stop();
  }
}

/** `n` bytes from the protocol's seeded generator: the same seed gives the same bytes in every run. */
export function seededBytes(n: number, seed: number): Buffer {
  const b = new Prng(seed).bytes(n);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
