/**
 * Behaviour probes record what a runtime does rather than pass or fail it. Each probe runs
 * inside one runtime (through the agent), against the Runtime interface, and returns the
 * observed outcome as a short stable value, the evidence behind it and a one-line
 * explanation. Reports compare outcomes across runtimes; expectations files pin them.
 */
import type { Features, Runtime } from "@netparity/protocol";

export interface ProbeOutcome {
  /** Short, stable, machine-comparable value, e.g. "127.0.0.1", "merged", "EMSGSIZE", "unsupported". */
  outcome: string;
  /** What was observed: numbers, error codes, messages, byte counts. JSON-safe. */
  evidence: Record<string, unknown>;
  /** One sentence a reader understands without the code. */
  explanation: string;
}

export interface Probe {
  /** Stable identifier used in reports and expectations, e.g. "udp.max-datagram". */
  readonly id: string;
  readonly title: string;
  /** Features the probe needs; where one is false the outcome is "unsupported" without running. */
  readonly needs?: ReadonlyArray<keyof Features>;
  run(rt: Runtime): Promise<ProbeOutcome>;
}

export interface ProbeResult extends ProbeOutcome {
  id: string;
  title: string;
  ms: number;
  /** Set when the probe itself threw: the outcome is then "error". */
  error?: { code: string; message: string };
}
