/**
 * The probe catalogue inside each real runtime, on a smoke selection: the probes the issue
 * named and the TLS probes with the parent's certificates, each with an outcome, evidence and a
 * one-line explanation, and the exact runtime version. Every probe on every runtime is
 * `npm run conformance`'s (.ci/run): a default run runs the whole catalogue and fails on an
 * outcome its expectation entry does not name; probe-evidence.test.ts replays every recorded
 * outcome's evidence through its classifier (the outcome and a one-line explanation).
 */
import { describe, expect, it } from "vitest";
import { PROBES } from "../src/in-runtime/probes/catalogue.js";
import { runProbesIn, type RuntimeProbes } from "../src/parent/runner/probes.js";
import { runtimeVersion } from "../src/parent/runner/runtimes.js";
import { RUNTIMES } from "./helpers.js";

describe("probe catalogue", () => {
  it("has at least 20 probes with unique ids and titles", () => {
    expect(PROBES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(PROBES.map((p) => p.id)).size).toBe(PROBES.length);
    for (const p of PROBES) {
      expect(p.id).toMatch(/^[a-z0-9]+\.[a-z0-9-]+$/);
      expect(p.title.length).toBeGreaterThan(5);
    }
  });
});

/** The smoke selection: what the checks below name, in catalogue order. */
const SMOKE = [
  "tcp.half-close",
  "udp.max-datagram",
  "udp.oversize",
  "err.econnrefused",
  "addr.localhost-listen",
  "tls.untrusted-ca",
  "tls.hostname-mismatch",
  "tls.expired",
  "tls.half-close",
  "tls.starttls-client",
  "tls.starttls-server",
];

// One runtime at a time: several probes measure time and fill socket buffers.
describe.each(RUNTIMES)("probes in %s", (runtime) => {
  let run: RuntimeProbes | undefined;
  const get = async () => (run ??= await runProbesIn(runtime, { only: SMOKE }));

  it("returns one result per selected probe in catalogue order, naming the exact runtime version", async () => {
    const r = await get();
    expect(r.error).toBeUndefined();
    expect(r.results.map((x) => x.id)).toEqual(PROBES.map((p) => p.id).filter((id) => SMOKE.includes(id)));
    expect(r.results).toHaveLength(SMOKE.length);
    expect(r.version).toBe(runtimeVersion(runtime).version);
  });

  it("every result has an outcome, evidence and a one-line explanation, and none failed or timed out", async () => {
    const results = (await get()).results;
    expect(results).toHaveLength(SMOKE.length);
    for (const p of results) {
      const where = `${runtime} ${p.id}: ${JSON.stringify(p)}`;
      expect(p.outcome, where).toMatch(/\S/);
      expect(["error", "timeout"], where).not.toContain(p.outcome);
      expect(p.error, where).toBeUndefined();
      expect(typeof p.evidence, where).toBe("object");
      if (p.outcome !== "unsupported") expect(Object.keys(p.evidence).length, where).toBeGreaterThan(0);
      expect(p.explanation.trim().length, where).toBeGreaterThan(10);
      expect(p.explanation, where).not.toContain("\n");
      expect(p.ms, where).toBeLessThanOrEqual(5000);
    }
  });

  it("records what the issue asks for: localhost, half-close, UDP sizes, error shapes", async () => {
    const by = new Map((await get()).results.map((p) => [p.id, p]));
    expect(by.get("tcp.half-close")!.outcome).toBe("server writes after FIN");
    expect(by.get("udp.max-datagram")!.outcome).toBe("65507");
    expect(by.get("udp.oversize")!.outcome).toMatch(/EMSGSIZE|dropped|truncated/);
    const refused = by.get("err.econnrefused")!;
    expect(refused.outcome).toMatch(/^ECONNREFUSED \(/);
    // The runtime's own error is the evidence of its message shape.
    expect(refused.evidence.cause).toMatchObject({ message: expect.any(String) });
    expect(by.get("addr.localhost-listen")!.evidence.address).toBeDefined();
  });

  it("runs the selected tls.* probes with the parent's certificates, each classified", async () => {
    const tls = (await get()).results.filter((p) => p.id.startsWith("tls."));
    expect(tls).toHaveLength(SMOKE.filter((id) => id.startsWith("tls.")).length);
    for (const p of tls) {
      const where = `${runtime} ${p.id}: ${JSON.stringify(p)}`;
      expect(["error", "timeout", "unsupported", "unsupported: no certificates"], where).not.toContain(p.outcome);
      expect(p.outcome, where).not.toMatch(/unknown/i);
      expect(Object.keys(p.evidence).length, where).toBeGreaterThan(0);
    }
    const by = new Map(tls.map((p) => [p.id, p]));
    expect(by.get("tls.untrusted-ca")!.outcome).toMatch(/^CERT_UNTRUSTED \(/);
    expect(by.get("tls.hostname-mismatch")!.outcome).toMatch(/^CERT_HOSTNAME_MISMATCH \(/);
    expect(by.get("tls.expired")!.outcome).toMatch(/^CERT_EXPIRED \(/);
    expect(by.get("tls.half-close")!.outcome).toBe("server writes after FIN");
    // Every runtime upgrades as a client; as a server, "upgraded" or an ENOTSUP its features announce.
    expect(by.get("tls.starttls-client")!.outcome).toBe("upgraded");
    expect(["upgraded", "unsupported (ENOTSUP)"]).toContain(by.get("tls.starttls-server")!.outcome);
  });
});
