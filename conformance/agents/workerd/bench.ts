/**
 * The bench client inside workerd (`netparity bench --runtimes ...,workerd`): the bench agent's
 * client roles (bulk, echo round trips) on the Worker's connect() Runtime, the same code the
 * other runtimes' bench agents run. The events go out as JSON lines of a streamed response
 * while the client runs, so the parent sees `start` before the measured part and `result`
 * after it, as from any bench program. TCP only: a Worker reads no certificate files.
 */
import type { BenchEvent, WorkerdBenchRequest } from "../../src/in-runtime/bench/protocol.js";
import { runBenchClient } from "../../src/in-runtime/bench/agent.js";
import { workerdRuntime } from "./runtime.js";

export function benchResponse(req: WorkerdBenchRequest, waitUntil: (p: Promise<unknown>) => void): Response {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const send = (e: BenchEvent): Promise<void> => writer.write(encoder.encode(`${JSON.stringify(e)}\n`));
  const logs: string[] = [];
  const rt = workerdRuntime(req.version, undefined, (l) => void logs.push(l));
  const spec = req.bench;
  const work = (async () => {
    try {
      if (spec.role.endsWith("-server")) throw new Error(`workerd runs bench clients only, not "${spec.role}"`);
      if (spec.tls) throw new Error("workerd's bench client runs over tcp only (a Worker reads no certificate files)");
      const result = await runBenchClient(rt, spec, null, () => void send({ event: "start" }));
      await send({ event: "result", runtime: rt.runtime, version: req.version, ...result });
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      await send({ event: "error", message: [message, ...logs].join("\n") });
    } finally {
      await writer.close();
    }
  })();
  waitUntil(work);
  return new Response(readable, { headers: { "content-type": "application/x-ndjson" } });
}
