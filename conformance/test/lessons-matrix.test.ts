/**
 * The classic lessons (greet, hello-udp, http-get) on 127.0.0.1, hello-udp also on ::1, greet
 * over Unix sockets, plus echo over tcp on ::1: IPv6 cells pass where the runtime supports
 * IPv6 and are "unsupported" (never failed) where its features say it does not. A smoke
 * selection of pairings per scenario (every runtime once as server and once as client; all
 * nine, and every lesson on ::1, with NETPARITY_FULL_MATRIX=1); the whole matrix, every
 * lesson on both hosts, is `npm run conformance`'s.
 */
import { describe, expect, it } from "vitest";
import type { CellResult } from "../src/parent/runner/matrix.js";
import { FULL_MATRIX, expectUnsupportedByFeatures, lazyMatrix, matrixPairs } from "./helpers.js";

const HOSTS = ["127.0.0.1", "::1"];
const LESSONS = ["greet", "hello-udp", "http-get"];

/** The pairings of one scenario, the same on both hosts; the rotation alternates between scenarios. */
const pairsOf = (scenario: string) => matrixPairs(LESSONS.indexOf(scenario));
/** The lessons run on a host: on ::1 the datagram one (echo/tcp below is the stream one), or all. */
const lessonsOn = (host: string): string[] => (host === "::1" && !FULL_MATRIX ? ["hello-udp"] : LESSONS);

describe("lessons matrix", () => {
  const get = lazyMatrix({
    scenarios: LESSONS,
    transports: ["tcp", "udp", "unix"],
    hosts: HOSTS,
    clientTimeoutMs: 60_000,
    // greet over Unix sockets takes the other rotation than greet over tcp.
    pairs: (at) =>
      at.transport === "unix" ? matrixPairs(1) : lessonsOn(at.host).includes(at.scenario) ? pairsOf(at.scenario) : [],
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
    const on = lessonsOn(host);
    it.each(on.includes("greet") ? pairsOf("greet") : [])(
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
    it.each(on.includes("hello-udp") ? pairsOf("hello-udp") : [])(
      `hello-udp ${host} server=%s client=%s`,
      async (s, c) => {
        const x = await cell("hello-udp", "udp", host, s, c);
        await expectPass(x);
        if (x.status === "pass") expect(x.metrics.answered).toBe(x.metrics.names);
      },
    );
    it.each(on.includes("http-get") ? pairsOf("http-get") : [])(
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

  it("every lesson cell run on ::1 has its 127.0.0.1 twin", async () => {
    const { cells } = await get();
    const on = (host: string, scenarios: string[]) =>
      cells
        .filter((c) => c.host === host && scenarios.includes(c.scenario))
        .map((c) => `${c.scenario}/${c.transport} ${c.server}->${c.client}`)
        .sort();
    expect(on("127.0.0.1", LESSONS)).toHaveLength(LESSONS.reduce((n, s) => n + pairsOf(s).length, 0));
    const v6 = on("::1", LESSONS);
    expect(v6).toHaveLength(lessonsOn("::1").reduce((n, s) => n + pairsOf(s).length, 0));
    expect(v6).toEqual(on("127.0.0.1", lessonsOn("::1")));
  });
});

describe("echo on ::1", () => {
  // Over udp on ::1: hello-udp above (and every echo/udp ::1 cell in `npm run conformance`).
  const TRANSPORTS = FULL_MATRIX ? (["tcp", "udp"] as const) : (["tcp"] as const);
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
