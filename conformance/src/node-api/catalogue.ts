/**
 * The Node API probe family (`nodeapi.*`): probes written against node:net, node:tls and
 * node:dgram on purpose, run by an agent under `--api node` (the agent entries carry them,
 * like the Node adapter: conformance/agents/*.ts). Each is registered once with its classifier.
 */
import type { Probe } from "../in-runtime/probes/types.js";
import { dgramTlsProbes } from "./dgram-tls.js";
import { multicastProbes } from "./multicast.js";
import { netProbes } from "./net.js";
import { peerProbes } from "./peer.js";
import { nodeError } from "./kit.js";
import type { NodeApiProbe } from "./types.js";

export const NODE_API_PROBE_DEFS: readonly NodeApiProbe[] = [
  ...netProbes,
  ...peerProbes,
  ...dgramTlsProbes,
  ...multicastProbes,
];

/** The family as probes of the catalogue: `needs: ["tls"]` brings the parent's certificates. */
export const NODE_API_PROBES: readonly Probe[] = NODE_API_PROBE_DEFS.map((p) => ({
  id: p.id,
  title: p.title,
  ...(p.tls ? { needs: ["tls"] as const } : {}),
  ...(p.peer ? { parentPeer: true } : {}),
  ...(p.netns ? { netns: true } : {}),
  classify: (evidence: unknown) => p.classify(evidence as object),
  collect: async (_rt, ctx) => {
    try {
      return await p.record(ctx);
    } catch (e) {
      // A node:* call that throws is the runtime's behaviour, recorded like any other.
      return { threw: { ...nodeError(e), ...(e instanceof Error ? { message: e.message } : {}) } };
    }
  },
}));
