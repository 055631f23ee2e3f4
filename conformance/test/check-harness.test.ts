/**
 * The in-runtime check words (src/in-runtime/common/check.ts) that the adapter contract, the
 * sockets spec suite and the probe runner share: how a bounded run ends, and the pass/fail/skip
 * verdict the judging harnesses report from it.
 */
import { NetError } from "@netparity/protocol";
import { describe, expect, it } from "vitest";
import { assert, fail, judgedRun, runBounded, skip } from "../src/in-runtime/common/check.js";
import { TIMED_OUT, within } from "../src/in-runtime/common/timing.js";

const now = () => performance.now();
const never = () => new Promise<never>(() => {});

describe("runBounded", () => {
  it("done: the body's value", async () => {
    const r = await runBounded(now, async () => "seen", 1000);
    expect(r).toMatchObject({ state: "done", value: "seen" });
  });

  it("skipped: skip() with its reason", async () => {
    const r = await runBounded(now, async () => skip("features.udp is false"), 1000);
    expect(r).toMatchObject({ state: "skipped", reason: "features.udp is false" });
  });

  it("failed: assert() and fail() and any other error", async () => {
    const a = await runBounded(now, async () => assert(false, "bytes differ"), 1000);
    const f = await runBounded(now, async () => fail("no reply"), 1000);
    const n = await runBounded(
      now,
      async () => {
        throw new NetError("ECONNRESET", "reset by peer");
      },
      1000,
    );
    expect(a.state === "failed" && (a.error as Error).message).toBe("bytes differ");
    expect(f.state === "failed" && (f.error as Error).message).toBe("no reply");
    expect(n.state === "failed" && n.error).toBeInstanceOf(NetError);
  });

  it("timeout: a body still running at the deadline", async () => {
    const r = await runBounded(now, never, 20);
    expect(r).toMatchObject({ state: "timeout", limitMs: 20 });
  });
});

describe("judgedRun: the contract's and the spec suite's verdict", () => {
  it.each([
    [
      { state: "done", value: undefined, ms: 1 },
      { status: "pass", ms: 1 },
    ],
    [
      { state: "done", value: "64 KiB in 3 reads", ms: 1 },
      { status: "pass", detail: "64 KiB in 3 reads", ms: 1 },
    ],
    [
      { state: "skipped", reason: "no certificates", ms: 1 },
      { status: "skip", detail: "no certificates", ms: 1 },
    ],
    [
      { state: "failed", error: new NetError("EPIPE", "broken pipe"), ms: 1 },
      { status: "fail", detail: "EPIPE: broken pipe", ms: 1 },
    ],
    [
      { state: "failed", error: "a string", ms: 1 },
      { status: "fail", detail: "a string", ms: 1 },
    ],
    [
      { state: "timeout", limitMs: 20_000, ms: 20_001 },
      { status: "fail", detail: "ETIMEDOUT: the check timed out after 20000 ms", ms: 20_001 },
    ],
  ] as const)("%j → %j", (ran, verdict) => {
    expect(judgedRun(ran, "the check")).toEqual(verdict);
  });

  it("words a failure as the harness asks (the spec suite: the message alone)", () => {
    const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
    expect(judgedRun({ state: "timeout", limitMs: 5, ms: 6 }, "opened", message)).toEqual({
      status: "fail",
      detail: "opened timed out after 5 ms",
      ms: 6,
    });
  });
});

describe("within", () => {
  it("the value, a rejection, or TIMED_OUT", async () => {
    expect(await within(Promise.resolve(7), 1000)).toBe(7);
    await expect(within(Promise.reject(new Error("x")), 1000)).rejects.toThrow("x");
    expect(await within(never(), 10)).toBe(TIMED_OUT);
  });
});
