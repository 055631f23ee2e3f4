import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { abortError, closeQuietly, Fifo, isNetError, raceAbort } from "../src/index.js";
import { fcRuns } from "./fc-config.js";

describe("Fifo", () => {
  it("gives back what was pushed, in order, across any interleaving of push, shift and drain", () => {
    // An operation: a number pushes it, "shift" takes one, "drain" takes all (a model array alongside).
    const op = fc.oneof(fc.integer(), fc.constant("shift" as const), fc.constant("drain" as const));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const q = new Fifo<number>();
        let model: number[] = [];
        for (const o of ops) {
          if (o === "shift") expect(q.shift()).toBe(model.shift());
          else if (o === "drain") {
            expect(q.drain()).toEqual(model);
            model = [];
          } else {
            q.push(o);
            model.push(o);
          }
          expect(q.length).toBe(model.length);
          expect(q.peek()).toBe(model[0]);
        }
      }),
      fcRuns(200),
    );
  });

  it("keeps order through its compaction (more than 1024 shifted while items remain)", () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    for (let i = 0; i < 3000; i++) expect(q.shift()).toBe(i);
    for (let i = 5000; i < 6000; i++) q.push(i);
    expect(q.drain()).toEqual(Array.from({ length: 3000 }, (_, i) => 3000 + i));
    expect(q.shift()).toBeUndefined();
  });
});

describe("abortError", () => {
  it("is a NetError ABORTED naming the operation, with the signal's reason as cause", () => {
    const c = new AbortController();
    c.abort("stop");
    const e = abortError(c.signal);
    expect(isNetError(e) && e.code).toBe("ABORTED");
    expect(e.message).toBe("connect aborted");
    expect(e.operation).toBe("connect");
    expect(e.cause).toBe("stop");
    expect(abortError(c.signal, "accept").message).toBe("accept aborted");
  });
});

describe("raceAbort", () => {
  it("without a signal is the work itself", async () => {
    const work = Promise.resolve(7);
    expect(raceAbort(work, undefined, () => {})).toBe(work);
  });

  it("resolves with the work when no abort comes", async () => {
    const discarded: number[] = [];
    await expect(raceAbort(Promise.resolve(7), new AbortController().signal, (v) => discarded.push(v))).resolves.toBe(
      7,
    );
    expect(discarded).toEqual([]);
  });

  it("passes the work's rejection through", async () => {
    const boom = new Error("boom");
    await expect(raceAbort(Promise.reject(boom), new AbortController().signal, () => {})).rejects.toBe(boom);
  });

  it("rejects with ABORTED at the abort, and hands a value that arrives later to discard", async () => {
    const c = new AbortController();
    let resolveWork!: (v: string) => void;
    const work = new Promise<string>((r) => (resolveWork = r));
    const discarded: string[] = [];
    const raced = raceAbort(work, c.signal, (v) => discarded.push(v), "accept");
    c.abort("enough");
    await expect(raced).rejects.toMatchObject({ code: "ABORTED", operation: "accept", cause: "enough" });
    resolveWork("late connection");
    await work;
    expect(discarded).toEqual(["late connection"]);
  });
});

describe("closeQuietly", () => {
  it("closes, and swallows the error of a resource already closed", () => {
    let closes = 0;
    closeQuietly({ close: () => void closes++ });
    expect(closes).toBe(1);
    expect(() =>
      closeQuietly({
        close: () => {
          throw new Error("BadResource: already closed");
        },
      }),
    ).not.toThrow();
  });
});
