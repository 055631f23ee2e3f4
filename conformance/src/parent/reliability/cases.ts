/**
 * The reliability catalogue: bad input, faults, load and lifecycle, each run from the Node
 * parent against servers (and, where the runtime's own side matters, clients) of one
 * runtime. Every case is bounded in time, kills what it started, and ends by showing that
 * the server still serves a normal client.
 */
import { FAULT_CASES } from "./fault-cases.js";
import { HARDENING_CASES } from "./hardening-cases.js";
import { LIFECYCLE_CASES } from "./lifecycle-cases.js";
import { TLS_CASES } from "./tls-cases.js";
import type { ReliabilityCase } from "./types.js";

export { LOAD_CLIENTS } from "./lifecycle-cases.js";
export { STREAM_CORRUPTION, STREAM_FAULTS, UDP_CORRUPTION, UDP_FAULTS } from "./fault-cases.js";

/** Every case, in the order a run goes through them (hardening, load and lifecycle, faults, TLS). */
export const RELIABILITY_CASES: readonly ReliabilityCase[] = [
  ...HARDENING_CASES,
  ...LIFECYCLE_CASES,
  ...FAULT_CASES,
  ...TLS_CASES,
];
