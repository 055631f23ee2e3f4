/**
 * What the raw baseline programs share with the adapter bench agent: measurement, never the
 * workload, and the rule that none of them outlives the bench (PARENT_PIPE_ENV). Bundled to
 * dist/bench-lib.js (one ES module, no imports) so that plain JS programs on Node, Bun and
 * Deno can import it by relative path.
 */
export { handshakeLoops } from "./handshake-loops.js";
export { LatencyRecorder } from "./latency.js";
export { UdpRequestWindow } from "./udp-window.js";
export { PARENT_PIPE_ENV } from "../common/parent.js";
