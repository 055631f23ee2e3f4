import type { Transport } from "@netparity/protocol";
import type { ProbeResult } from "./probes/types.js";

/** What the runner asks of one agent process: passed as a single JSON argument. */
export interface AgentSpec {
  role: "server" | "client" | "features" | "contract" | "probes" | "reliability";
  /** Probes only: run just these probe ids (all when absent). */
  probes?: string[];
  scenario: string;
  transport: Transport;
  host: string;
  port: number;
  path?: string;
  extra: Record<string, string | number | boolean>;
  /** Client only: give up after this long. */
  timeoutMs?: number;
}

/** The lines an agent prints on stdout, one JSON object each. */
export type AgentEvent =
  | { event: "listening"; scenario: string; runtime: string; version: string; transport: Transport; host?: string; port?: number; path?: string; pid: number }
  | { event: "result"; scenario: string; runtime: string; version: string; transport: Transport; ok: boolean; checks: unknown[]; metrics: Record<string, number>; output?: string; error?: { code: string; message: string }; durationMs: number }
  | { event: "error"; runtime: string; version: string; code: string; message: string }
  | { event: "stopped"; runtime: string }
  | { event: "contract"; runtime: string; version: string; features: Record<string, boolean>; results: Array<{ name: string; status: string; detail?: string; ms: number }> }
  | { event: "features"; runtime: string; version: string; features: Record<string, boolean> }
  | { event: "probes"; runtime: string; version: string; features: Record<string, boolean>; results: ProbeResult[] };
