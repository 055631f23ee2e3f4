/**
 * A Node API probe: what it records through node:* and the classifier that judges it, registered
 * together (catalogue.ts turns them into the probes the agents run under `--api node`).
 */
import type { ProbeContext, ProbeVerdict } from "../in-runtime/probes/types.js";

export interface NodeApiProbe<E extends object = object> {
  readonly id: string;
  readonly title: string;
  /** Certificates from the parent (ctx.certs) are needed: the probe runs with them or reports it did not. */
  readonly tls?: boolean;
  record(ctx: ProbeContext): Promise<E>;
  classify(evidence: E): ProbeVerdict;
}

/** Keeps the evidence type of one probe while listing probes of different evidence together. */
export function nodeApiProbe<E extends object>(p: NodeApiProbe<E>): NodeApiProbe {
  return p as unknown as NodeApiProbe;
}
