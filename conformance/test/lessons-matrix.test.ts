/**
 * The classic lessons (greet, hello-udp, http-get) on 127.0.0.1 and ::1, greet over Unix
 * sockets, plus echo on ::1: IPv6 cells pass where the runtime supports IPv6 and are
 * "unsupported" (never failed) where its features say it does not. A smoke selection of
 * pairings per scenario (every runtime once as server and once as client; all nine with
 * NETPARITY_FULL_MATRIX=1); the whole matrix is `npm run conformance`'s.
 */
import { describe, expect, it } from "vitest";
import type { CellResult } from "../src/parent/runner/matrix.js";
import { expectUnsupportedByFeatures, lazyMatrix, matrixPairs } from "./helpers.js";

const HOSTS = ["127.0.0.1", "::1"];
const LESSONS = ["greet", "hello-udp", "http-get"];

/** The pairings of one scenario, the same on both hosts; the rotation alternates between scenarios. */
const pairsOf = (scenario: string) => matrixPairs(LESSONS.indexOf(scenario));

describe("lessons matrix", () => {
  const get = lazyMatrix({
    scenarios: LESSONS,
    transports: ["tcp", "udp", "unix"],
    hosts: HOSTS,
    clientTimeoutMs: 60_000,
    // greet over Unix sockets takes the other rotation than greet over tcp.
    pairs: (at) => (at.transport === "unix" ? matrixPairs(1) : pairsOf(at.scenario)),
  });
  const cell = async (scenario: string, transport: string, host: string, server: string, client: string) => {
    const c = (await get()).cells.find(
      (x) =>
        x.scenario === scenario &&
        x.transport === transport &&
        x.host === host &&
        x.server === server &&
        x.client === client,
    );
    expect(c, `${scenario}/${transport} ${host} ${server}→${client} ran`).toBeDefined();
    return c!;
  };
  /** Pass, or unsupported only because a runtime's features say it lacks IPv6 or Unix sockets. */
  const expectPass = async (c: CellResult) => {
    if (c.status === "unsupported") {
      expectUnsupportedByFeatures(c, (await get()).runtimes);
      return;
    }
    expect(c.status, c.reason).toBe("pass");
    expect(c.checks.length).toBeGreaterThan(0);
    expect(c.checks.every((k) => k.ok)).toBe(true);
  };

  for (const host of HOSTS) {
    it.each(pairsOf("greet"))(
      `greet/tcp ${host} server=%s client=%s: 50 concurrent clients welcomed, every reply right, closed after exit`,
      async (s, c) => {
        const x = await cell("greet", "tcp", host, s, c);
        await expectPass(x);
        if (x.status === "pass") {
          expect(x.metrics.clients).toBeGreaterThanOrEqual(50);
          expect(x.metrics.replies).toBe(x.metrics.messages);
        }
      },
    );
    it.each(pairsOf("hello-udp"))(`hello-udp ${host} server=%s client=%s`, async (s, c) => {
      const x = await cell("hello-udp", "udp", host, s, c);
      await expectPass(x);
      if (x.status === "pass") expect(x.metrics.answered).toBe(x.metrics.names);
    });
    it.each(pairsOf("http-get"))(
      `http-get ${host} server=%s client=%s: Content-Length, chunked and 404`,
      async (s, c) => {
        const x = await cell("http-get", "tcp", host, s, c);
        await expectPass(x);
        if (x.status === "pass") expect(x.metrics.chunks).toBeGreaterThan(4);
      },
    );
  }
  it.each(matrixPairs(1))("greet/unix server=%s client=%s", async (s, c) => {
    await expectPass(await cell("greet", "unix", "unix", s, c));
  });

  it("every tcp/udp lesson cell has an ::1 twin", async () => {
    const { cells } = await get();
    const on = (host: string) =>
      cells
        .filter((c) => c.host === host)
        .map((c) => `${c.scenario}/${c.transport} ${c.server}->${c.client}`)
        .sort();
    const v4 = on("127.0.0.1");
    expect(v4).toHaveLength(LESSONS.reduce((n, s) => n + pairsOf(s).length, 0));
    expect(on("::1")).toEqual(v4);
  });
});

describe("echo on ::1", () => {
  const TRANSPORTS = ["tcp", "udp"] as const;
  const get = lazyMatrix({
    scenarios: ["echo"],
    transports: [...TRANSPORTS],
    hosts: ["::1"],
    extra: { size: 256 * 1024, count: 20 },
    pairs: (at) => matrixPairs(at.transport === "tcp" ? 0 : 1),
  });
  for (const [i, transport] of TRANSPORTS.entries()) {
    it.each(matrixPairs(i))(`echo/${transport} ::1 server=%s client=%s`, async (s, c) => {
      const { runtimes, cells } = await get();
      const x = cells.find((k) => k.transport === transport && k.server === s && k.client === c);
      expect(x, "cell ran").toBeDefined();
      expect(x!.host).toBe("::1");
      if (x!.status === "unsupported") {
        expectUnsupportedByFeatures(x!, runtimes);
        expect(x!.reason).toMatch(/\bipv6\b/);
        return;
      }
      expect(x!.status, x!.reason).toBe("pass");
    });
  }
});
