/**
 * The `wintertc.*` probes (probes of `connect()`) against their registered classifiers, as
 * probe-evidence.test.ts does for the catalogue and the Node API family.
 *
 * fixtures/probe-evidence-wintertc.json is report.json's probe entries of a real run: the
 * probes on @netparity/sockets in node, bun and deno (`--apis wintertc`) and on workerd's own
 * `cloudflare:sockets`. Each recorded evidence, replayed through the family's classifier, must
 * give back the recorded outcome; every probe of the family must have evidence on all four.
 * Outcomes no implementation showed are fed constructed evidence, so every label is checked.
 */
import { describe, expect, it } from "vitest";
import { WINTERTC_PROBES } from "../src/in-runtime/probes/catalogue.js";
import recorded from "./fixtures/probe-evidence-wintertc.json" with { type: "json" };

// biome-ignore lint/suspicious/noExplicitAny: recorded JSON, typed by the classifier that reads it
type Ev = any;

interface Recorded {
  id: string;
  runtime: string;
  version: string;
  outcome: string;
  evidence: Ev;
}
const RECORDED = recorded.probes as Recorded[];

function verdictOf(id: string, evidence: Ev): { outcome: string; explanation: string } {
  const probe = WINTERTC_PROBES.find((p) => p.id === id);
  if (!probe) throw new Error(`no probe ${id} in the wintertc family`);
  return probe.classify(evidence);
}

const socketErr = { name: "SocketError", message: "SocketError: x", socketError: true };
const plainErr = { name: "Error", message: "proxy request failed", socketError: false };
const upgraded = { upgradedBefore: false, upgradedAfter: true, upgradedLater: true, upgradedNew: false, sent: "abc" };

const CONSTRUCTED: Array<[string, Ev, string]> = [
  ["wintertc.half-close", { sockets: "none given" }, "unsupported"],
  [
    "wintertc.half-close",
    { failedAt: "start the echo peer", error: plainErr },
    "failed at start the echo peer: Error, not a SocketError",
  ],
  [
    "wintertc.half-close",
    { closeWrite: "rejected", echoed: "", readEnd: "done", sent: "ab" },
    "closing the writable rejected",
  ],
  ["wintertc.half-close", { closeWrite: "resolved", echoed: "a", readEnd: "done", sent: "ab" }, "echo cut by our FIN"],
  [
    "wintertc.half-close",
    { closeWrite: "resolved", echoed: "ab", readEnd: "pending", sent: "ab" },
    "read pending after our FIN",
  ],
  [
    "wintertc.allow-half-open-default",
    { read: "bye", write: "resolved", peerReceived: "after fin" },
    "writable open after the peer's FIN",
  ],
  [
    "wintertc.allow-half-open-default",
    { read: "bye", write: "resolved", peerReceived: "" },
    "write resolved, not delivered",
  ],
  [
    "wintertc.allow-half-open-default",
    { read: "bye", write: "pending", peerReceived: "" },
    "write pending after the peer's FIN",
  ],
  [
    "wintertc.closed-on-peer-fin",
    { unread: "resolved", read: "resolved" },
    "closed resolved unread, resolved once read",
  ],
  [
    "wintertc.opened-closed-order",
    { connected: ["opened resolved", "close() called"], refused: [] },
    "opened resolved < close() called; refused: nothing settled",
  ],
  ["wintertc.error-refused", { thrown: socketErr }, "connect() throws SocketError"],
  ["wintertc.error-refused", { opened: "pending", closed: "pending" }, "opened pending"],
  [
    "wintertc.starttls",
    { ...upgraded, echo: "", echoError: plainErr },
    "echo over TLS failed: Error, not a SocketError; upgraded false→true→true, new socket false",
  ],
  [
    "wintertc.starttls",
    { ...upgraded, echo: "a" },
    "echo over TLS differs; upgraded false→true→true, new socket false",
  ],
  ["wintertc.alpn", { offered: ["a"], server: ["b"], alpn: null, opened: "resolved" }, "alpn null"],
  [
    "wintertc.alpn",
    { offered: ["a"], server: ["a"], alpn: "absent", opened: "rejected", openedError: socketErr },
    "opened rejected: SocketError",
  ],
];

describe("the wintertc probe family", () => {
  it("every probe is registered once, with its classifier", () => {
    expect(WINTERTC_PROBES.length).toBeGreaterThanOrEqual(8);
    expect(new Set(WINTERTC_PROBES.map((p) => p.id)).size).toBe(WINTERTC_PROBES.length);
    for (const p of WINTERTC_PROBES) expect(p.id.startsWith("wintertc."), p.id).toBe(true);
  });

  it("every probe has evidence recorded on node, bun, deno and workerd; every recorded id is registered", () => {
    for (const { id } of WINTERTC_PROBES)
      expect(
        RECORDED.filter((r) => r.id === id)
          .map((r) => r.runtime)
          .sort(),
        id,
      ).toEqual(["bun", "deno", "node", "workerd"]);
    expect(RECORDED.filter((r) => !WINTERTC_PROBES.some((p) => p.id === r.id))).toEqual([]);
  });

  it.each(RECORDED.map((r) => [`${r.id} on ${r.runtime} ${r.version}`, r] as const))("%s", (_, r) => {
    const v = verdictOf(r.id, r.evidence);
    expect(v.outcome).toBe(r.outcome);
    expect(v.explanation.length).toBeGreaterThan(10);
  });

  it.each(CONSTRUCTED.map(([id, e, outcome]) => [id, outcome, e] as const))(
    "constructed: %s → %s",
    (id, outcome, e) => {
      expect(verdictOf(id, e).outcome).toBe(outcome);
    },
  );

  it("no outcome is UNKNOWN-like, and none names a port", () => {
    const outcomes = [...CONSTRUCTED.map(([id, e]) => verdictOf(id, e).outcome), ...RECORDED.map((r) => r.outcome)];
    for (const x of outcomes) {
      expect(x).not.toMatch(/UNKNOWN|unknown|\?/);
      expect(x).not.toMatch(/:\d{2,5}\b/);
    }
  });
});
