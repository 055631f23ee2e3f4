import type { RuntimeName, Transport } from "@netparity/protocol";
import { runMatrix, type CellResult, type MatrixOptions } from "../src/parent/runner/matrix.js";
import { startAgent } from "../src/parent/runner/agent-process.js";
import type { AgentEvent } from "../src/in-runtime/agent-protocol.js";

export const RUNTIMES: RuntimeName[] = ["node", "bun", "deno"];

/** Every server × client pairing of RUNTIMES. */
export const PAIRS = RUNTIMES.flatMap((s) => RUNTIMES.map((c) => [s, c] as const));

/** The matrix of `options` over RUNTIMES, run once on first use and shared by a file's tests. */
export function lazyMatrix(options: Omit<MatrixOptions, "runtimes">): () => Promise<CellResult[]> {
  let cells: Promise<CellResult[]> | undefined;
  return () => (cells ??= runMatrix({ runtimes: RUNTIMES, ...options }).then((r) => r.cells));
}

/** The cell of one pairing, or undefined when the matrix has none. */
export function cellOf(cells: CellResult[], transport: Transport, server: RuntimeName, client: RuntimeName): CellResult | undefined {
  return cells.find((c) => c.transport === transport && c.server === server && c.client === client);
}

/** Runs the adapter contract inside `runtime` and returns its event. */
export async function runContractIn(runtime: RuntimeName): Promise<Extract<AgentEvent, { event: "contract" }>> {
  const agent = startAgent(runtime, { role: "contract" });
  try {
    const e = await agent.next(110_000);
    if (!e || e.event !== "contract") throw new Error(`${runtime} contract run gave ${JSON.stringify(e)}; stderr: ${agent.stderr()}`);
    return e;
  } finally {
    await agent.stop();
  }
}
