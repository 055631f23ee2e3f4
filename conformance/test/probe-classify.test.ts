/**
 * The probes' classifiers, fed evidence recorded from real runs (node 20.20.2, bun 1.4.5,
 * deno 2.9.6 on Linux), one case per outcome a classifier can report, so that a change in a
 * runtime yields a different outcome, never the same label. Evidence no runtime here produces
 * (an IPv6-only default, say with net.ipv6.bindv6only=1) is constructed and marked so.
 */
import { describe, expect, it } from "vitest";
import { classifyBind, type BindEvidence } from "../src/in-runtime/probes/addressing-classify.js";

describe("addr.default-host / addr.empty-host: classifyBind", () => {
  const cases: Array<[string, BindEvidence, string]> = [
    [
      "node, no hostname (recorded)",
      { address: { hostname: "::", port: 42149 }, loopbackClients: { "127.0.0.1": "connected", "::1": "connected" } },
      "dual-stack ::",
    ],
    [
      "deno, no hostname (recorded)",
      {
        address: { hostname: "0.0.0.0", port: 41067 },
        loopbackClients: { "127.0.0.1": "connected", "::1": "ECONNREFUSED" },
      },
      "IPv4 0.0.0.0",
    ],
    [
      "bun, no hostname or an empty one (recorded)",
      {
        error: {
          code: "UNKNOWN",
          message: 'Expected either "hostname" or "unix"',
          cause: { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" },
        },
      },
      "refused (TypeError:ERR_INVALID_ARG_TYPE)",
    ],
    [
      "deno, an empty hostname (recorded)",
      { error: { code: "UNKNOWN", message: "invalid empty host: ''", cause: { name: "URIError" } } },
      "refused (URIError)",
    ],
    [
      "a listener on :: that IPv4 clients cannot reach (constructed: bindv6only=1)",
      { address: { hostname: "::", port: 1 }, loopbackClients: { "127.0.0.1": "ECONNREFUSED", "::1": "connected" } },
      "IPv6-only ::",
    ],
    [
      "a listener on :: nobody reaches (constructed)",
      { address: { hostname: "::", port: 1 }, loopbackClients: { "127.0.0.1": "pending", "::1": "ECONNREFUSED" } },
      ":: unreachable",
    ],
    [
      "0.0.0.0 that refuses the IPv4 loopback (constructed)",
      {
        address: { hostname: "0.0.0.0", port: 1 },
        loopbackClients: { "127.0.0.1": "ECONNREFUSED", "::1": "ECONNREFUSED" },
      },
      "0.0.0.0 unreachable",
    ],
    [
      "a default of the IPv4 loopback (constructed)",
      {
        address: { hostname: "127.0.0.1", port: 1 },
        loopbackClients: { "127.0.0.1": "connected", "::1": "ECONNREFUSED" },
      },
      "loopback 127.0.0.1",
    ],
    [
      "a default of the IPv6 loopback (constructed)",
      { address: { hostname: "::1", port: 1 }, loopbackClients: { "127.0.0.1": "ECONNREFUSED", "::1": "connected" } },
      "loopback ::1",
    ],
    [
      "any other address (constructed)",
      { address: { hostname: "localhost", port: 1 }, loopbackClients: { "127.0.0.1": "connected" } },
      "binds localhost",
    ],
    [
      "a thrown value that is not a NetError (constructed)",
      { error: { thrown: { name: "RangeError" } } },
      "refused (RangeError)",
    ],
  ];
  it.each(cases)("%s → %s", (_, evidence, outcome) => {
    const r = classifyBind(evidence);
    expect(r.outcome).toBe(outcome);
    expect(r.outcome).not.toMatch(/UNKNOWN/);
    expect(r.explanation.length).toBeGreaterThan(10);
  });
  it("every outcome above is distinct: no two kinds of evidence share a label", () => {
    const labels = cases.map(([, e]) => classifyBind(e).outcome);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
