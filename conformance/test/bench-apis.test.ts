/**
 * The bench's API axis at its ends, with the smallest runs (never timed): the Node adapter
 * inside Bun's and Deno's bench agents (`bun+node`, `deno+node`), raw node:net on Deno, and
 * workerd's `connect()` client (`workerd+wintertc`), which streams `start` before its result
 * and leaves no process behind. Each program is stopped in `finally`.
 */
import { describe, expect, it } from "vitest";
import type { BenchEvent, BenchSpec } from "../src/in-runtime/bench/protocol.js";
import { program, type Proc } from "../src/parent/bench/programs.js";
import { runtimeVersion } from "../src/parent/runner/runtimes.js";

const HOST = "127.0.0.1";
const workerd = runtimeVersion("workerd");

/** Runs `client` (an rtt-client for 50 ms) against the echo server on `port`: its start and result events, and its PID. */
async function roundTrips(
  client: ReturnType<typeof program>,
  port: number,
): Promise<{ events: BenchEvent[]; pid: number }> {
  const spec: BenchSpec = { role: "rtt-client", host: HOST, port, size: 64, seconds: 0.05, warmup: 0 };
  const c = client.start(spec, null, false);
  try {
    const start = await c.next(30_000, "start");
    const result = await c.next(30_000, "result");
    return { events: [start, result].filter((e): e is BenchEvent => e !== null), pid: c.pid };
  } finally {
    await c.stop();
  }
}

function expectRoundTrips(events: BenchEvent[], who: string): void {
  expect(
    events.map((e) => e.event),
    who,
  ).toEqual(["start", "result"]);
  const r = events[1] as Extract<BenchEvent, { event: "result" }>;
  expect(r.ok, who).toBe(true);
  expect(r.messages, who).toBeGreaterThan(0);
}

describe("bench programs on another API", () => {
  it("bun+node serves echo; deno+node (adapter and raw node:net) and workerd+wintertc measure round trips against it", async () => {
    const server: Proc = program("bun", "adapter", {}, "node").start(
      { role: "echo-server", host: HOST, port: 0 },
      null,
      false,
    );
    try {
      const ready = await server.next(30_000, "listening");
      expect(ready?.event, server.stderr()).toBe("listening");
      const port = ready?.event === "listening" ? ready.port : 0;
      for (const impl of ["adapter", "raw"]) {
        const p = program("deno", impl, {}, "node");
        expect(p.runtime).toBe("deno+node");
        expectRoundTrips((await roundTrips(p, port)).events, `deno+node ${impl}`);
      }
      if (!workerd.version) {
        console.warn(`workerd client skipped: ${workerd.error}`);
        return;
      }
      const w = program("workerd", "adapter", {}, "wintertc");
      expect(w.runtime).toBe("workerd+wintertc");
      const { events, pid } = await roundTrips(w, port);
      expectRoundTrips(events, "workerd+wintertc");
      expect(() => process.kill(pid, 0), "workerd is gone").toThrow();
    } finally {
      await server.stop();
    }
  });
});
