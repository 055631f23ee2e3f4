/**
 * A Node API probe: what it records through node:* and the classifier that judges it, registered
 * together (catalogue.ts turns them into the probes the agents run under `--api node`).
 */
import type { ProbeContext, ProbeVerdict } from "../in-runtime/probes/types.js";
import type { NodeErrorEvidence } from "./kit.js";

/** The evidence of a probe whose node:* calls threw before it could record anything else. */
export interface ThrewEvidence {
  threw: NodeErrorEvidence;
}

/** Every Node API probe's classifier says so when the runtime threw during the probe's setup. */
export function classifyThrew(e: ThrewEvidence): ProbeVerdict {
  const what = e.threw.code ?? e.threw.name ?? "a non-error";
  return {
    outcome: `throws ${what}`,
    explanation: `A node:* call of the probe threw ${what}${e.threw.message ? `: ${e.threw.message}` : ""}.`,
  };
}

export interface NodeApiProbe<E extends object = object> {
  readonly id: string;
  readonly title: string;
  /** Certificates from the parent (ctx.certs) are needed: the probe runs with them or reports it did not. */
  readonly tls?: boolean;
  /** The parent is its peer (ctx.parentPeer): it reads the probe's socket from outside the runtime, or resets it. */
  readonly peer?: boolean;
  /** Runs inside a network namespace the parent makes (multicast), with ctx.multicast. */
  readonly netns?: boolean;
  record(ctx: ProbeContext): Promise<E>;
  classify(evidence: E): ProbeVerdict;
}

/** Keeps the evidence type of one probe while listing probes of different evidence together. */
export function nodeApiProbe<E extends object>(p: NodeApiProbe<E>): NodeApiProbe<E | ThrewEvidence> {
  return {
    ...p,
    classify: (e) => ("threw" in e ? classifyThrew(e as ThrewEvidence) : p.classify(e as E)),
  };
}
