/**
 * The handshake workload's client loop, shared by the adapter bench agent and the raw
 * programs: only the one connection (`newLoop`) is runtime-specific, the counting is not.
 */

export interface HandshakeLoops {
  /** New TLS connections at once (default 4). */
  connections?: number;
  warmup?: number;
  /** Measured seconds (default 2). */
  seconds?: number;
}

/**
 * `connections` loops of one handshake each until a deadline: warm-up seconds, then `start()`,
 * then the measured seconds; a failed connection counts as an error and the loop goes on.
 * `newLoop` makes one loop's handshake function (a loop may keep its own buffers).
 */
export async function handshakeLoops(
  spec: HandshakeLoops,
  newLoop: () => () => Promise<void>,
  now: () => number,
  start: () => void,
): Promise<{ ok: boolean; seconds: number; handshakes: number; errors: number }> {
  const inFlight = Math.max(1, spec.connections ?? 4);
  const runFor = async (seconds: number): Promise<{ handshakes: number; errors: number }> => {
    const until = now() + seconds * 1000;
    let handshakes = 0;
    let errors = 0;
    const loop = async (): Promise<void> => {
      const once = newLoop();
      for (let i = 0; i < 10_000_000 && now() < until; i++) {
        try {
          await once();
          handshakes++;
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, loop));
    return { handshakes, errors };
  };
  if (spec.warmup) await runFor(spec.warmup);
  start();
  const t0 = now();
  const r = await runFor(spec.seconds ?? 2);
  return { ok: r.errors === 0, seconds: (now() - t0) / 1000, ...r };
}
