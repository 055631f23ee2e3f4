/**
 * The built-in bench workloads, registered in report order (a facade API's workload after the
 * TLS ones). Importing this module registers them; the registry's functions are re-exported.
 */
import { facadeApis, type ApiName } from "../../../in-runtime/common/apis.js";
import { HOST, params } from "../params.js";
import { bulk } from "./bulk.js";
import { concurrency } from "./concurrency.js";
import { decoder } from "./decoder.js";
import { echo } from "./echo.js";
import { facadeWorkload } from "./facade.js";
import { idleMemory } from "./idle-memory.js";
import { loadLatency } from "./load-latency.js";
import { registerWorkload, workload, workloadNames } from "./registry.js";
import { scaling } from "./scaling.js";
import { tlsBulk } from "./tls-bulk.js";
import { tlsHandshake } from "./tls-handshake.js";
import { transfer } from "./transfer.js";
import { udp } from "./udp.js";

for (const w of [
  bulk,
  transfer,
  echo,
  concurrency,
  udp,
  decoder,
  tlsHandshake,
  tlsBulk,
  ...facadeApis().map(facadeWorkload),
  scaling,
  loadLatency,
  idleMemory,
])
  registerWorkload(w);

export * from "./registry.js";
export type { BenchWorkload, MeasureKind, SpecContext, WorkloadSpec } from "./types.js";
export { HANDSHAKE_KEYS } from "./tls-handshake.js";

/** The workloads that measure ends on `api` (their specs' `apis`), for help texts. */
export function workloadsMeasuring(api: ApiName): string[] {
  const p = params({ quick: true, runtimes: [], workloads: [], pin: false, binaries: {} });
  return workloadNames().filter((n) =>
    workload(n)
      .specs({ p, certs: {}, host: HOST })
      .some((s) => s.apis?.includes(api)),
  );
}
