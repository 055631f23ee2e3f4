/**
 * The classic lessons (greet, hello-udp, http-get) on every server × client pairing, on
 * 127.0.0.1 and ::1, plus echo on ::1: IPv6 cells pass where the runtime supports IPv6 and
 * are "unsupported" (never failed) where its features say it does not.
 */
import { describe, expect, it } from "vitest";
import { runMatrix, type CellResult, type RuntimeInfo } from "../src/parent/runner/matrix.js";
import { RUNTIMES, expectUnsupportedByFeatures } from "./helpers.js";

const HOSTS = ["127.0.0.1", "::1"];
const pairs = RUNTIMES.flatMap((s) => RUNTIMES.map((c) => [s, c] as const));

describe("lessons matrix", () => {
  let run: Promise<{ runtimes: RuntimeInfo[]; cells: CellResult[] }> | undefined;
  const get = () =>
    (run ??= runMatrix({
      runtimes: RUNTIMES,
      scenarios: ["greet", "hello-udp", "http-get"],
      transports: ["tcp", "udp", "unix"],
      hosts: HOSTS,
      clientTimeoutMs: 60_000,
    }));
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
    it.each(pairs)(
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
    it.each(pairs)(`hello-udp ${host} server=%s client=%s`, async (s, c) => {
      const x = await cell("hello-udp", "udp", host, s, c);
      await expectPass(x);
      if (x.status === "pass") expect(x.metrics.answered).toBe(x.metrics.names);
    });
    it.each(pairs)(`http-get ${host} server=%s client=%s: Content-Length, chunked and 404`, async (s, c) => {
      const x = await cell("http-get", "tcp", host, s, c);
      await expectPass(x);
      if (x.status === "pass") expect(x.metrics.chunks).toBeGreaterThan(4);
    });
  }
  it.each(pairs)("greet/unix server=%s client=%s", async (s, c) => {
    await expectPass(await cell("greet", "unix", "unix", s, c));
  });

  it("every tcp/udp lesson cell has an ::1 twin", async () => {
    const { cells } = await get();
    const v4 = cells.filter((c) => c.host === "127.0.0.1").length;
    const v6 = cells.filter((c) => c.host === "::1").length;
    expect(v4).toBe(27);
    expect(v6).toBe(v4);
  });
});

describe("echo on ::1", () => {
  let run: Promise<{ runtimes: RuntimeInfo[]; cells: CellResult[] }> | undefined;
  const get = () =>
    (run ??= runMatrix({
      runtimes: RUNTIMES,
      scenarios: ["echo"],
      transports: ["tcp", "udp"],
      hosts: ["::1"],
      extra: { size: 256 * 1024, count: 20 },
    }));
  for (const transport of ["tcp", "udp"] as const) {
    it.each(pairs)(`echo/${transport} ::1 server=%s client=%s`, async (s, c) => {
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
