/**
 * Every probe of the catalogue against its registered classifier. A probe is registered once,
 * with the pure function that turns its evidence into its outcome (`Probe.classify`, from the
 * probe's *-classify.ts file); the runner and this test use that same function.
 *
 * fixtures/probe-evidence.json is report.json's probe evidence of a real run on node 20.20.2,
 * bun 1.4.5 and deno 2.9.6 (Linux): each recorded evidence, replayed through the registry's
 * classifier, must give back the recorded outcome, and every probe of the catalogue must have
 * recorded evidence. The udp.multicast-* entries come from a run as root, inside the network
 * namespace the runner makes for them (recorded.netns).
 * The outcomes no runtime here shows are fed with the smallest evidence that produces them,
 * marked "constructed", so every outcome a classifier can report is checked, and two different
 * kinds of evidence never share a label.
 */
import { describe, expect, it } from "vitest";
import { PROBES, probeById } from "../src/in-runtime/probes/catalogue.js";
import { NODE_API_PROBES } from "../src/node-api/catalogue.js";
import { codeOfEvidence, type ErrorEvidence, shapeOf } from "../src/in-runtime/probes/errors-classify.js";
import recorded from "./fixtures/probe-evidence.json" with { type: "json" };

// Evidence is JSON from a report: each registered classifier states the shape it reads.
// biome-ignore lint/suspicious/noExplicitAny: recorded JSON, typed by the classifier that reads it
type Ev = any;

/** Every registered probe: the catalogue over the Runtime interface and the Node API family. */
const ALL_PROBES = [...PROBES, ...NODE_API_PROBES];
const registered = (id: string) => probeById(id) ?? NODE_API_PROBES.find((p) => p.id === id);

/** The registry's verdict on `evidence` for probe `id`; throws for an id the catalogue does not have. */
function verdictOf(id: string, evidence: Ev): { outcome: string; explanation: string } {
  const probe = registered(id);
  if (!probe) throw new Error(`no probe ${id} in the catalogue`);
  return probe.classify(evidence);
}

interface Recorded {
  id: string;
  runtime: string;
  version: string;
  outcome: string;
  evidence: Ev;
}
const RECORDED = recorded.probes as Recorded[];

describe("the catalogue", () => {
  it("every probe is registered once, with its classifier", () => {
    expect(PROBES.length).toBeGreaterThan(50);
    expect(new Set(PROBES.map((p) => p.id)).size).toBe(PROBES.length);
    for (const p of PROBES) expect(typeof p.classify, p.id).toBe("function");
    expect(NODE_API_PROBES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(ALL_PROBES.map((p) => p.id)).size).toBe(ALL_PROBES.length);
    for (const p of NODE_API_PROBES) expect(typeof p.classify, p.id).toBe("function");
  });

  it("every recorded probe id is in the catalogue", () => {
    const unknown = [...new Set(RECORDED.map((r) => r.id))].filter((id) => !registered(id));
    expect(unknown).toEqual([]);
  });

  it("every probe id has evidence recorded on node, bun and deno", () => {
    for (const { id } of ALL_PROBES) {
      const runtimes = RECORDED.filter((r) => r.id === id)
        .map((r) => r.runtime)
        .sort();
      expect(runtimes, id).toEqual(["bun", "deno", "node"]);
    }
  });
});

describe("recorded evidence gives back the recorded outcome", () => {
  const cases = RECORDED.filter((r) => r.outcome !== "unsupported").map(
    (r) => [`${r.id} on ${r.runtime} ${r.version}`, r] as const,
  );
  it("the recording holds evidence", () => expect(cases.length).toBeGreaterThan(150));
  it.each(cases)("%s", (_, r) => {
    const verdict = verdictOf(r.id, r.evidence);
    expect(verdict.outcome).toBe(r.outcome);
    expect(verdict.explanation.trim().length, "an explanation").toBeGreaterThan(10);
    expect(verdict.explanation, "one line").not.toContain("\n");
  });
});

/** errorEvidence() of a NetError, as the adapters make them. */
const netErr = (code: string, name?: string, causeCode?: string): ErrorEvidence => ({
  code,
  message: `${code} message`,
  cause: name === undefined ? null : { name, ...(causeCode ? { code: causeCode } : {}), message: "m" },
});
const read = (ended: string, extra: Ev = {}): Ev => ({ ended, afterMs: 1, ...extra });
/** The multicast probes' evidence around the calls each case varies. */
const mc = { group: "239.255.77.1", interfaceAddress: "10.0.0.1" };
const ssm = { group: "232.1.77.5", source: "10.0.0.1" };
const joined = { group: "239.255.77.4", addMembership: "ok", "setMulticastLoopback(true)": "ok" };
const ttl = (before: Ev, after: Ev): Ev => ({
  "setMulticastTTL(4) before joining": before,
  addMembership: "ok",
  "setMulticastTTL(4) after joining": after,
});

/**
 * The outcomes no runtime here produced in the recording, each from the smallest evidence that
 * produces it (constructed), with the label it must give. Together with the recording, every
 * label each classifier can return.
 */
const CONSTRUCTED: Array<[string, Ev, string]> = [
  [
    "addr.localhost-listen",
    { address: { transport: "tcp", hostname: "localhost" }, reachableOn: ["::1"] },
    "reports localhost, on ::1",
  ],
  ["addr.localhost-listen", { address: { transport: "tcp", hostname: "::1" }, reachableOn: ["::1"] }, "::1"],
  ["addr.localhost-listen", netErr("ENOTFOUND", "Error", "EAI_NONAME"), "ENOTFOUND (Error:EAI_NONAME)"],
  ["addr.localhost-connect", { attempts: ["EADDRINUSE"] }, "no-dual-loopback"],
  ["addr.localhost-connect", { port: 1, connect: "pending" }, "connect-hangs"],
  ["addr.localhost-connect", netErr("ECONNREFUSED", "Error"), "ECONNREFUSED (Error)"],
  ["addr.localhost-connect", { remote: { transport: "tcp", hostname: "::1" }, local: {}, connectMs: 1 }, "::1"],
  ["addr.localhost-udp", netErr("ENOTFOUND", "Error", "EAI_NONAME"), "ENOTFOUND (Error:EAI_NONAME)"],
  ["ipv6.loopback-tcp", netErr("EADDRNOTAVAIL", "Error"), "EADDRNOTAVAIL (Error)"],
  ["ipv6.loopback-tcp", { listener: {}, clientLocal: {}, serverRemote: null, serverRead: "eof" }, "no-data"],
  ["ipv6.loopback-udp", netErr("EADDRNOTAVAIL", "Error"), "EADDRNOTAVAIL (Error)"],
  ["ipv6.loopback-udp", { address: {}, from: null, receive: "pending" }, "not-delivered"],
  [
    "ipv6.loopback-udp",
    { address: {}, from: null, receive: { error: netErr("ECONNRESET", "Error") } },
    "ECONNRESET (Error)",
  ],
  ["ipv6.dual-stack", netErr("EAFNOSUPPORT", "Error"), "EAFNOSUPPORT (Error)"],
  ["ipv6.dual-stack", { listener: {}, connect: netErr("ECONNREFUSED", "Error") }, "ipv6-only"],
  [
    "ipv6.dual-stack",
    { listener: {}, serverSeesClient: null, clientSeesServer: {} },
    "accepts IPv4, server end not accepted",
  ],
  ["tcp.half-close", { serverGot: "ping", serverSawEof: false }, "no-eof"],
  ["tcp.half-close", { serverGot: "ping", serverSawEof: true, write: "pending" }, "server write hangs"],
  [
    "tcp.half-close",
    { serverGot: "ping", serverSawEof: true, write: netErr("EPIPE", "Error") },
    "server write fails EPIPE",
  ],
  ["tcp.half-close", { serverGot: "ping", serverSawEof: true, write: "resolved", clientGot: "" }, "reply lost"],
  ["tcp.write-64mib", netErr("ENOBUFS", "Error"), "fails ENOBUFS"],
  ["tcp.write-64mib", { bytes: 8, resolvedBeforeReadMs: 3, writeAfterRead: "resolved", readerGotBytes: 8 }, "buffered"],
  [
    "tcp.write-64mib",
    { bytes: 8, resolvedBeforeReadMs: null, writeAfterRead: "resolved", readerGotBytes: 7 },
    "resolves, reader short",
  ],
  [
    "tcp.write-64mib",
    { bytes: 8, resolvedBeforeReadMs: null, writeAfterRead: "pending", readerGotBytes: 8 },
    "never-resolves",
  ],
  [
    "tcp.write-64mib",
    { bytes: 8, resolvedBeforeReadMs: null, writeAfterRead: netErr("ECONNRESET", "Error"), readerGotBytes: 8 },
    "fails ECONNRESET",
  ],
  ["tcp.backpressure-unread", { acceptedMiB: 1, error: netErr("EPIPE", "Error") }, "fails EPIPE"],
  ["tcp.backpressure-unread", { acceptedMiB: 128, ended: "cap reached" }, "never-waits"],
  ["tcp.close-pending-read", { pendingRead: "pending", afterMs: 1, peer: read("eof") }, "read stays pending; peer eof"],
  [
    "tcp.close-pending-read",
    { pendingRead: "resolved data", afterMs: 1, peer: read("pending") },
    "read data; peer pending",
  ],
  [
    "tcp.close-pending-read",
    { pendingRead: netErr("CLOSED"), afterMs: 1, peer: read("rejected", { error: netErr("ECONNRESET", "Error") }) },
    "read rejects CLOSED; peer ECONNRESET",
  ],
  ["tcp.close-after-read", { firstRead: "pending" }, "no-data"],
  [
    "tcp.close-after-read",
    { firstReadBytes: 1, nextRead: read("data", { bytes: 1 }), write: "resolved", peer: read("pending") },
    "next read data; write resolved; peer pending",
  ],
  [
    "tcp.reset-unread",
    { peerRead: read("rejected", { error: netErr("ECONNRESET", "Error") }), peerWriteAfter: "pending" },
    "peer read ECONNRESET; next write pending",
  ],
  ["tcp.write-after-peer-close", { writes: ["resolved", "resolved"], error: null }, "writes keep succeeding"],
  ["tcp.nodelay-default", { medianDefaultMs: 15, medianNoDelayMs: 15 }, "inconclusive"],
  ["tcp.keepalive", { method: "absent" }, "not exposed"],
  ["tcp.keepalive", netErr("ENOTSUP"), "fails ENOTSUP"],
  ["tcp.connect-abort", { connect: "resolved", afterMs: 1, listenerSaw: "connection" }, "connects anyway"],
  ["tcp.connect-abort", { connect: "pending", afterMs: 1, listenerSaw: "nothing" }, "hangs"],
  ["tcp.abort-open", { localRead: "pending", peer: read("pending") }, "local read pending; peer pending"],
  ["tcp.abort-open", { localRead: "data", peer: { ended: "none" } }, "local read data; peer none"],
  ["tcp.read-chunk-max", { maxChunk: 0, reads: 0, bytes: 0 }, "no data"],
  ["tcp.read-chunk-max", { maxChunk: 1000, reads: 1, bytes: 1000 }, "≤ 1 KiB"],
  ["tcp.rebind-time-wait", { port: 1, ...netErr("EADDRINUSE", "Error") }, "EADDRINUSE (Error)"],
  [
    "tcp.sticky",
    { runtime: "x", writeSizes: [5, 5], readSizes: [10], unframedBytesIntact: true, framed: { intact: 2 } },
    "merged",
  ],
  [
    "tcp.sticky",
    { runtime: "x", writeSizes: [5, 5], readSizes: [5, 5], unframedBytesIntact: true, framed: { intact: 2 } },
    "separate",
  ],
  [
    "tcp.sticky",
    { runtime: "x", writeSizes: [10], readSizes: [5, 5], unframedBytesIntact: true, framed: { intact: 1 } },
    "split",
  ],
  [
    "tcp.sticky",
    { runtime: "x", writeSizes: [10], readSizes: [5, 5], unframedBytesIntact: false, framed: { intact: 1 } },
    "bytes-lost",
  ],
  [
    "tcp.sticky",
    { runtime: "x", writeSizes: [10], readSizes: [5, 5], unframedBytesIntact: true, framed: { intact: 0 } },
    "split; framing-failed",
  ],
  [
    "udp.max-datagram",
    {
      trials: [
        { size: 1472, send: "ok", received: 1472, intact: true },
        { size: 9216, send: "ok", received: null, intact: false },
      ],
    },
    "1472",
  ],
  [
    "udp.max-datagram",
    { trials: [{ size: 1472, send: "EMSGSIZE", received: null, intact: false }] },
    "none (1472: send fails EMSGSIZE)",
  ],
  [
    "udp.max-datagram",
    { trials: [{ size: 1472, send: "ok", received: null, intact: false }] },
    "none (1472: nothing received)",
  ],
  [
    "udp.max-datagram",
    { trials: [{ size: 1472, send: "ok", received: 1000, intact: false }] },
    "none (1472: truncated to 1000)",
  ],
  [
    "udp.max-datagram",
    { trials: [{ size: 1472, send: "ok", received: 1472, intact: false }] },
    "none (1472: corrupted)",
  ],
  ["udp.oversize", { size: 65508, send: "ok", received: null, intact: false }, "silently dropped"],
  ["udp.oversize", { size: 65508, send: "ok", received: 65508, intact: true }, "delivered"],
  ["udp.oversize", { size: 65508, send: "ok", received: 65507, intact: false }, "truncated to 65507"],
  ["udp.empty-datagram", netErr("EINVAL", "Error"), "send fails EINVAL"],
  ["udp.empty-datagram", { first: "pending" }, "nothing received"],
  ["udp.empty-datagram", { first: netErr("ECONNREFUSED", "Error") }, "receive fails ECONNREFUSED"],
  ["udp.empty-datagram", { firstReceivedBytes: 1, from: {} }, "not delivered"],
  [
    "udp.unreachable-port",
    { firstSend: "resolved", secondSend: netErr("ECONNREFUSED", "Error"), receive: "nothing" },
    "send ok/ECONNREFUSED; receive nothing",
  ],
  ["udp.reuseport", { bind: "second", ...netErr("EADDRINUSE", "Error") }, "EADDRINUSE (Error)"],
  ["udp.broadcast", { setTrue: "ENOTSUP", setFalse: "ok" }, "on ENOTSUP, off ok"],
  ["udp.multicast-join", { ...mc, addMembership: netErr("ENOTSUP") }, "ENOTSUP"],
  [
    "udp.multicast-join",
    { ...mc, addMembership: "ok", "setMulticastLoopback(true)": "ok", received: false },
    "not received",
  ],
  [
    "udp.multicast-join",
    { ...mc, addMembership: "ok", "setMulticastLoopback(true)": netErr("ENOTSUP"), received: false },
    "not received; setMulticastLoopback(true) ENOTSUP",
  ],
  [
    "udp.multicast-join",
    { ...mc, addMembership: "ok", "setMulticastLoopback(true)": netErr("ENOTSUP"), received: true },
    "received; setMulticastLoopback(true) ENOTSUP",
  ],
  ["udp.multicast-loopback-default", { group: "g", addMembership: netErr("ENODEV", "Error") }, "join fails ENODEV"],
  [
    "udp.multicast-ttl",
    { "setMulticastTTL(4) before joining": "ok", addMembership: netErr("ENODEV", "Error") },
    "settable; join fails ENODEV",
  ],
  [
    "udp.multicast-ttl",
    { "setMulticastTTL(4) before joining": netErr("ENOTSUP"), addMembership: netErr("ENODEV", "Error") },
    "ENOTSUP; join fails ENODEV",
  ],
  ["udp.multicast-ttl", { ...ttl("ok", "ok"), "setMulticastTTL(300)": "ok" }, "settable; 300: accepted"],
  [
    "udp.multicast-ttl",
    { ...ttl(netErr("ENOTSUP"), netErr("ENOTSUP")), "setMulticastTTL(300)": netErr("ENOTSUP") },
    "ENOTSUP, after joining ENOTSUP; 300: ENOTSUP",
  ],
  ["udp.multicast-leave", { group: "g", addMembership: netErr("ENODEV", "Error") }, "join fails ENODEV"],
  ["udp.multicast-leave", { ...joined, receivedAsMember: true, dropMembership: netErr("ENOTSUP") }, "ENOTSUP"],
  [
    "udp.multicast-leave",
    {
      ...joined,
      receivedAsMember: true,
      dropMembership: "ok",
      receivedAfterLeaving: true,
      "second dropMembership": "ok",
    },
    "still receiving; leaving twice: ok",
  ],
  [
    "udp.multicast-leave",
    {
      ...joined,
      receivedAsMember: false,
      dropMembership: "ok",
      receivedAfterLeaving: false,
      "second dropMembership": "ok",
    },
    "never received; leaving twice: ok",
  ],
  [
    "udp.multicast-leave",
    {
      ...joined,
      receivedAsMember: false,
      dropMembership: "ok",
      receivedAfterLeaving: true,
      "second dropMembership": "ok",
    },
    "received only after leaving; leaving twice: ok",
  ],
  [
    "udp.multicast-leave",
    {
      ...joined,
      "setMulticastLoopback(true)": netErr("ENOTSUP"),
      receivedAsMember: false,
      dropMembership: "ok",
      receivedAfterLeaving: false,
      "second dropMembership": netErr("EADDRNOTAVAIL"),
    },
    "never received; leaving twice: EADDRNOTAVAIL; setMulticastLoopback(true) ENOTSUP",
  ],
  [
    "udp.multicast-source-specific",
    { ...ssm, addSourceMembership: "ok", "sender setMulticastLoopback(true)": "ok", received: false },
    "not received",
  ],
  [
    "udp.multicast-source-specific",
    { ...ssm, addSourceMembership: "ok", "sender setMulticastLoopback(true)": netErr("ENOTSUP"), received: false },
    "not received; sender setMulticastLoopback(true) ENOTSUP",
  ],
  ["udp.multicast-bad-interface", { group: "g", interfaceAddress: "192.0.2.77" }, "accepted"],
  [
    "udp.multicast-bad-interface",
    { group: "g", interfaceAddress: "192.0.2.77", error: netErr("EADDRNOTAVAIL", "Error") },
    "EADDRNOTAVAIL (Error)",
  ],
  ["unix.roundtrip", netErr("EACCES", "Error"), "EACCES (Error)"],
  [
    "unix.roundtrip",
    {
      listener: "<path>",
      clientLocal: '""',
      clientRemote: "<path>",
      serverLocal: null,
      serverRemote: null,
      serverGot: "",
    },
    "no-data",
  ],
  [
    "unix.socket-file-after-close",
    { existsWhileOpen: true, existsAfterClose: true, relisten: netErr("EADDRINUSE", "Error") },
    "file left behind; relisten EADDRINUSE (Error)",
  ],
  [
    "unix.socket-file-after-close",
    { existsWhileOpen: true, existsAfterClose: true, relisten: "ok" },
    "file left behind; relisten ok",
  ],
  [
    "unix.path-too-long",
    { bytes: 120, listen: "ok", reported: "<path>", atPath: "socket", connect: "ok" },
    "bound whole path; connect ok",
  ],
  [
    "unix.path-too-long",
    {
      bytes: 120,
      listen: "ok",
      reported: "107 bytes",
      atPath: null,
      atPrefix107: "socket",
      connect: netErr("ENOENT", "Error"),
    },
    "truncated to 107 bytes; connect ENOENT (Error)",
  ],
  [
    "unix.path-too-long",
    { bytes: 120, listen: "ok", reported: "<path>", atPath: null, atPrefix107: null, atPrefix108: null, connect: "ok" },
    "listening, no socket file found; connect ok",
  ],
  ["unix.path-too-long", { bytes: 120, listen: netErr("ENAMETOOLONG", "Error") }, "refused: ENAMETOOLONG (Error)"],
  ["err.econnrefused", { succeeded: true }, "succeeds"],
  ["err.econnrefused", netErr("ECONNREFUSED"), "ECONNREFUSED (no cause)"],
  ["err.econnrefused", { ...netErr("UNKNOWN"), cause: { message: "no name" } }, "unmapped (unnamed)"],
  ["tcp.keepalive", netErr("UNKNOWN", "TypeError", "ERR_X"), "fails unmapped ERR_X"],
  ["err.econnrefused", { thrown: { name: "TypeError", message: "x" } }, "non-NetError TypeError"],
  ["err.econnrefused", { thrown: { message: "a string" } }, "non-NetError non-error"],
  ["tls.half-close", { afterMs: 1, error: netErr("CERT_UNTRUSTED", "Error") }, "no connection: CERT_UNTRUSTED (Error)"],
  ["tls.close-notify", netErr("ECONNRESET", "Error"), "no round trip: ECONNRESET"],
  ["tls.close-notify", { pendingAfterMs: 2000 }, "no connection: handshake hangs"],
  ["tls.largest-read", { afterMs: 1, clientInfo: null }, "no connection: connected (not refused)"],
  ["tls.client-cert-absent", { listen: netErr("ENOTSUP") }, "unsupported: ENOTSUP"],
  ["tls.starttls-buffered", { pendingAfterMs: 2000, firstRead: null }, "handshake hangs"],
  // The round trip before the close hung: not the same evidence, nor label, as a handshake that hung.
  ["tls.close-notify", { roundTrip: "pending", afterMs: 2000 }, "no round trip: pending"],
  ["tls.starttls-client", { plaintext: "no reply" }, "no plaintext reply"],
  ["tls.starttls-server", { plaintext: "no connection" }, "no plaintext connection"],
  ["tls.starttls-server", { plaintext: "no command" }, "no plaintext command"],
  // Probes that did not run record why; their classifier reads that too.
  ["tls.default-version", { certificates: "none given" }, "unsupported: no certificates"],
  ["udp.multicast-join", { reason: "no network namespace" }, "unsupported"],
  // Bun before 1.4 completes the handshake; the adapter refuses it (oven-sh/bun#33846, #34798).
  [
    "tls.untrusted-ca",
    {
      afterMs: 1,
      error: {
        ...netErr("CERT_UNTRUSTED", "Error", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"),
        runtimeAccepted: "oven-sh/bun#33846",
      },
    },
    "refused by adapter (CERT_UNTRUSTED); runtime accepted",
  ],
  [
    "tls.hostname-mismatch",
    {
      afterMs: 1,
      error: {
        ...netErr("CERT_HOSTNAME_MISMATCH", "Error", "ERR_TLS_CERT_ALTNAME_INVALID"),
        runtimeAccepted: "oven-sh/bun#33846",
      },
    },
    "refused by adapter (CERT_HOSTNAME_MISMATCH); runtime accepted",
  ],
  [
    "tls.expired",
    {
      afterMs: 1,
      error: { ...netErr("CERT_EXPIRED", "Error", "CERT_HAS_EXPIRED"), runtimeAccepted: "oven-sh/bun#33846" },
    },
    "refused by adapter (CERT_EXPIRED); runtime accepted",
  ],
  [
    "tls.starttls-client",
    {
      afterMs: 1,
      error: { ...netErr("CERT_UNTRUSTED", "Error"), runtimeAccepted: "oven-sh/bun#34798" },
      featuresStartTlsClient: true,
    },
    "failed: refused by adapter (CERT_UNTRUSTED); runtime accepted",
  ],
  // The Node API probes: the outcomes node, bun and deno did not show in the recording.
  ...nodeApiConstructed(),
];

/** Constructed evidence of the `nodeapi.*` classifiers' other outcomes. */
function nodeApiConstructed(): Array<[string, Ev, string]> {
  const hc = (x: Ev): Ev => ({
    allowHalfOpen: true,
    serverGot: "ping",
    serverSawEnd: true,
    serverEvents: [],
    clientGot: "",
    clientSawEnd: false,
    ...x,
  });
  const sc = (x: Ev): Ev => ({
    callbackWhileOpen: false,
    callbackAfterClientEnd: true,
    newConnect: { code: "ECONNREFUSED" },
    openStillEchoes: true,
    ...x,
  });
  const bp = (x: Ev): Ev => ({
    falseAfterWrites: 40,
    writableLength: 65536,
    drainWhileUnread: false,
    drainAfterRead: true,
    ...x,
  });
  return [
    ["nodeapi.half-close.tcp-allow", hc({ serverSawEnd: false }), "server sees no end"],
    ["nodeapi.half-close.tcp-allow", hc({ serverWrite: "ok" }), "reply lost"],
    ["nodeapi.half-close.tcp-auto", hc({ serverWrite: { name: "Error", code: "EPIPE" } }), "server write fails EPIPE"],
    ["nodeapi.half-close.unix-allow", hc({ serverWrite: "not called" }), "server write callback not called"],
    ["nodeapi.half-close.tls-allow", { notRun: "no certificates" }, "unsupported: no certificates"],
    ["nodeapi.events.peer-end", { events: [] }, "no events"],
    ["nodeapi.events.server-reset", { events: ["end", "close(false)"] }, "end close(false)"],
    [
      "nodeapi.events.peer-reset",
      { notRun: "net.Socket has no resetAndDestroy()" },
      "unsupported: net.Socket has no resetAndDestroy()",
    ],
    ["nodeapi.reset.method", { method: "resetAndDestroy", type: "undefined" }, "absent (undefined)"],
    [
      "nodeapi.reset.write-after",
      {
        eventsBeforeWrite: ["end", "close(false)"],
        writeReturned: false,
        callback: "not called",
        eventsAfterWrite: [],
      },
      "end close(false); cb not called",
    ],
    [
      "nodeapi.reset.write-after",
      {
        eventsBeforeWrite: [],
        writeReturned: { name: "Error", code: "EPIPE" },
        callback: "not called",
        eventsAfterWrite: [],
      },
      "no events; write throws EPIPE",
    ],
    ["nodeapi.pause-in-connection", { sent: 5000, bytesWhilePaused: 5000, bytesAfterResume: 0 }, "data while paused"],
    [
      "nodeapi.pause-in-connection",
      { sent: 5000, bytesWhilePaused: 0, bytesAfterResume: 10 },
      "after resume 10 of 5000 bytes",
    ],
    ["nodeapi.write.backpressure", bp({ falseAfterWrites: null }), "write() never false"],
    ["nodeapi.write.backpressure", bp({ writableLength: 0 }), "false, writableLength 0"],
    ["nodeapi.write.backpressure", bp({ drainWhileUnread: true }), "drain without reader"],
    ["nodeapi.write.backpressure", bp({ drainAfterRead: false }), "no drain after read"],
    ["nodeapi.timeout", { timeoutFired: false, destroyedAfter: false }, "no timeout event"],
    ["nodeapi.timeout", { timeoutFired: true, afterMs: 3, destroyedAfter: false }, "timeout early"],
    ["nodeapi.timeout", { timeoutFired: true, afterMs: 101, destroyedAfter: true }, "timeout, socket destroyed"],
    ["nodeapi.server-close.callback", sc({ callbackWhileOpen: true }), "callback while open"],
    ["nodeapi.server-close.callback", sc({ callbackAfterClientEnd: false }), "callback never"],
    [
      "nodeapi.server-close.callback",
      sc({ callbackError: { name: "Error", code: "ERR_SERVER_NOT_RUNNING" } }),
      "callback after last connection (ERR_SERVER_NOT_RUNNING)",
    ],
    ["nodeapi.server-close.new-connect", sc({ newConnect: "connected" }), "accepted after close()"],
    ["nodeapi.server-close.new-connect", sc({ newConnect: "pending" }), "connect hangs"],
    ["nodeapi.server-close.open-connection", sc({ openStillEchoes: false }), "open connection broken"],
    ["nodeapi.error.refused", { noError: "connected" }, "no error: connected"],
    ["nodeapi.error.refused", { error: { name: "TypeError" } }, "no code (TypeError), no syscall, no errno"],
    [
      "nodeapi.bytes",
      { sent: 1000, clientWritten: 1000, clientRead: 0, serverRead: 1000, serverWritten: 1000 },
      "client w1000 r0, server r1000 w1000",
    ],
    [
      "nodeapi.listening.timing",
      { addressSync: "port", listeningSync: true, order: ["listening"] },
      "address port at return, 'listening' sync",
    ],
    [
      "nodeapi.listening.timing",
      { addressSync: "null", listeningSync: false, order: ["microtask", "timer", "listening"] },
      "address null at return, 'listening' after a timer",
    ],
    [
      "nodeapi.listening.timing",
      { addressSync: "null", listeningSync: false, order: ["listening", "microtask"] },
      "address null at return, 'listening' before microtasks",
    ],
    [
      "nodeapi.listening.timing",
      { addressSync: "null", listeningSync: false, order: ["microtask"] },
      "address null at return, 'listening' not within a timer",
    ],
    ["nodeapi.tls.authorized", { error: { name: "Error", code: "ECONNRESET" } }, "fails ECONNRESET"],
    ["nodeapi.tls.alpn", { error: { name: "Error", code: "ECONNRESET" } }, "fails ECONNRESET"],
    ["nodeapi.tls.alpn", { notRun: "no certificates" }, "unsupported: no certificates"],
    ["nodeapi.tls.peer-certificate", { authorized: true, authorizationError: null }, "no certificate"],
    [
      "nodeapi.tls.peer-certificate",
      { authorized: true, authorizationError: null, peerCert: { keys: ["subject"], subjectCN: null, hasSan: false } },
      "no CN, lacks issuer subjectaltname valid_from valid_to fingerprint256 serialNumber",
    ],
    ["nodeapi.tls.peer-certificate", { error: { name: "Error", code: "EPROTO" } }, "fails EPROTO"],
    ["nodeapi.tls.unverified", { notRun: "no certificates" }, "unsupported: no certificates"],
    // Deno 2.7.1's node:tls Server.listen(port, host, cb) threw this (recorded in the versions run).
    [
      "nodeapi.tls.alpn",
      { threw: { name: "TypeError", message: "callback?.call is not a function" } },
      "throws TypeError",
    ],
    [
      "nodeapi.half-close.tls-allow",
      { threw: { name: "Error", code: "ERR_INVALID_ARG_TYPE" } },
      "throws ERR_INVALID_ARG_TYPE",
    ],
    ...nodeApiPeerConstructed(),
    ...nodeApiTlsDgramConstructed(),
  ];
}

/** Constructed evidence of the parent-peer probes' other outcomes (kernel view, a real RST). */
function nodeApiPeerConstructed(): Array<[string, Ev, string]> {
  const ka = { calls: "setKeepAlive(true, 1000)" };
  const opts = (x: Ev): Ev => ({
    SO_KEEPALIVE: 1,
    TCP_KEEPIDLE: 1,
    TCP_KEEPINTVL: 1,
    TCP_KEEPCNT: 10,
    TCP_NODELAY: 0,
    ...x,
  });
  const timer = { name: "keepalive", left: "900ms" };
  const reset = (x: Ev): Ev => ({
    eventsBeforeWrite: ["error(ECONNRESET)", "close(true)"],
    writeReturned: false,
    callback: { name: "Error", code: "ERR_STREAM_DESTROYED" },
    eventsAfterWrite: [],
    error: { name: "Error", code: "ECONNRESET", syscall: "read", errno: -104 },
    ...x,
  });
  return [
    ["nodeapi.kernel.keepalive", { notRun: "no parent peer" }, "unsupported: no parent peer"],
    [
      "nodeapi.kernel.keepalive",
      { ...ka, noAnswer: "no answer within 4.5 s" },
      "unsupported: no answer from the parent",
    ],
    [
      "nodeapi.kernel.keepalive",
      { ...ka, kernel: { timer: null, options: { unread: "socket not listed" }, unlisted: "socket not listed by ss" } },
      "socket not seen by the kernel",
    ],
    [
      "nodeapi.kernel.keepalive",
      { ...ka, kernel: { timer: null, options: { unread: "ss: ENOENT" }, unlisted: "ss: ENOENT" } },
      "unsupported: no kernel view",
    ],
    [
      "nodeapi.kernel.keepalive",
      { ...ka, kernel: { timer, options: { unread: "pidfd_getfd: Operation not permitted" } } },
      "unsupported: socket options unreadable from outside",
    ],
    [
      "nodeapi.kernel.keepalive",
      { ...ka, kernel: { timer, options: opts({ SO_KEEPALIVE: 0 }) } },
      "off, yet a keep-alive timer",
    ],
    [
      "nodeapi.kernel.keepalive",
      { ...ka, kernel: { timer: null, options: opts({ TCP_KEEPIDLE: 7200 }) } },
      "on, idle 7200 s, interval 1 s, count 10, no timer",
    ],
    // Deno 2.7.1 (the versions run): setKeepAlive(true, 1000) left the kernel socket untouched.
    [
      "nodeapi.kernel.keepalive",
      {
        ...ka,
        kernel: {
          timer: null,
          options: { SO_KEEPALIVE: 0, TCP_KEEPIDLE: 7200, TCP_KEEPINTVL: 75, TCP_KEEPCNT: 9, TCP_NODELAY: 0 },
        },
      },
      "off",
    ],
    ["nodeapi.kernel.nodelay", { notRun: "no parent peer" }, "unsupported: no parent peer"],
    [
      "nodeapi.kernel.nodelay",
      { calls: "setNoDelay(true)", kernel: { timer: null, options: { unread: "python3: ENOENT" } } },
      "unsupported: socket options unreadable from outside",
    ],
    ["nodeapi.events.parent-reset", { notRun: "no parent peer" }, "unsupported: no parent peer"],
    ["nodeapi.error.reset", { notRun: "no parent peer" }, "unsupported: no parent peer"],
    ["nodeapi.reset.write-after-parent", { notRun: "no parent peer" }, "unsupported: no parent peer"],
    // Bun 1.3.0 (the versions run): the peer's RST read as a clean end.
    [
      "nodeapi.error.reset",
      reset({
        eventsBeforeWrite: ["end", "finish", "close(false)"],
        callback: { name: "Error", code: "EPIPE" },
        error: null,
      }),
      "no 'error' event (end finish close(false))",
    ],
    [
      "nodeapi.events.parent-reset",
      reset({ eventsBeforeWrite: ["end", "finish", "close(false)"], error: null }),
      "end finish close(false)",
    ],
    [
      "nodeapi.reset.write-after-parent",
      reset({ eventsBeforeWrite: ["end", "finish", "close(false)"], callback: { name: "Error", code: "EPIPE" } }),
      "end finish close(false); cb EPIPE",
    ],
  ];
}

/** Constructed evidence of the TLS session, TLS half-close, dgram bind and multicast probes' other outcomes. */
function nodeApiTlsDgramConstructed(): Array<[string, Ev, string]> {
  const session = { protocol: "TLSv1.3", sessionFrom: "event", firstReused: false };
  return [
    ["nodeapi.tls.session-reuse", { notRun: "no certificates" }, "unsupported: no certificates"],
    // Bun 1.3.0 (the versions run): neither a 'session' event nor getSession() within a second.
    ["nodeapi.tls.session-reuse", { protocol: "TLSv1.3", sessionFrom: "none", firstReused: false }, "no session"],
    ["nodeapi.tls.session-reuse", session, "second not connected"],
    [
      "nodeapi.tls.session-reuse",
      { ...session, second: { name: "Error", code: "ECONNRESET" } },
      "second fails ECONNRESET",
    ],
    [
      "nodeapi.tls.session-reuse",
      { ...session, sessionFrom: "getSession()", second: true },
      "reused (session from getSession())",
    ],
    [
      "nodeapi.tls.session-reuse",
      { threw: { name: "TypeError", message: "callback?.call is not a function" } },
      "throws TypeError",
    ],
    ["nodeapi.dgram.multicast-membership", { notRun: "no network namespace" }, "unsupported: no network namespace"],
    ["nodeapi.dgram.multicast-loopback-off", { notRun: "no network namespace" }, "unsupported: no network namespace"],
    // Deno 2.7.1 (the versions run): no IPv4 membership through node:dgram.
    [
      "nodeapi.dgram.multicast-membership",
      {
        steps: {
          addMembership: { name: "Error", code: "EINVAL", syscall: "addMembership", errno: -22 },
          setMulticastInterface: { name: "Error", code: "ERR_NOT_IMPLEMENTED" },
          setMulticastLoopback: "ok",
          heard: false,
          dropMembership: { name: "Error", code: "EINVAL", syscall: "dropMembership", errno: -22 },
          heardAfterDrop: false,
        },
      },
      "addMembership EINVAL (+2 failed); not heard",
    ],
    [
      "nodeapi.dgram.multicast-membership",
      {
        steps: {
          addMembership: "ok",
          setMulticastInterface: "ok",
          setMulticastLoopback: "ok",
          heard: true,
          dropMembership: "ok",
          heardAfterDrop: true,
        },
      },
      "heard; still heard after dropMembership",
    ],
    [
      "nodeapi.dgram.multicast-membership",
      {
        steps: {
          addMembership: "ok",
          setMulticastInterface: "ok",
          setMulticastLoopback: "ok",
          heard: true,
          dropMembership: "ok",
          heardAfterDrop: { name: "Error", code: "EBADF" },
        },
      },
      "heard; after dropMembership send fails EBADF",
    ],
    [
      "nodeapi.dgram.multicast-loopback-off",
      {
        steps: {
          addMembership: "ok",
          setMulticastInterface: "ok",
          setMulticastLoopback: "ok",
          heard: { name: "Error", code: "EPERM" },
        },
      },
      "send fails EPERM",
    ],
    [
      "nodeapi.dgram.multicast-loopback-off",
      { steps: { addMembership: "ok", setMulticastInterface: "ok", setMulticastLoopback: "ok", heard: true } },
      "heard",
    ],
    [
      "nodeapi.half-close.tls-auto",
      {
        allowHalfOpen: false,
        serverGot: "ping",
        serverSawEnd: true,
        serverEvents: [],
        serverWrite: { name: "Error", code: "ERR_SOCKET_CLOSED" },
        clientGot: "",
        clientSawEnd: true,
      },
      "server write fails ERR_SOCKET_CLOSED",
    ],
    [
      "nodeapi.dgram.bind-not-local",
      { steps: { error: { name: "Error", code: "EADDRNOTAVAIL", errno: 99 }, syscall: "none", errno: 99 } },
      "error=EADDRNOTAVAIL syscall=none errno=99",
    ],
  ];
}

describe("constructed evidence: the outcomes no runtime here shows", () => {
  it.each(CONSTRUCTED.map(([id, e, outcome]) => [id, outcome, e] as const))("%s → %s", (id, outcome, e) => {
    expect(verdictOf(id, e).outcome).toBe(outcome);
  });

  it("no outcome, recorded or constructed, is UNKNOWN-like", () => {
    const outcomes = [...CONSTRUCTED.map(([id, e]) => verdictOf(id, e).outcome), ...RECORDED.map((r) => r.outcome)];
    expect(outcomes.length).toBeGreaterThan(200);
    for (const x of outcomes) expect(x).not.toMatch(/UNKNOWN|unknown|\?/);
  });
});

describe("shapeOf / codeOfEvidence", () => {
  it.each<[ErrorEvidence, string, string]>([
    [netErr("EADDRINUSE", "AddrInUse"), "EADDRINUSE (AddrInUse)", "EADDRINUSE"],
    [netErr("EADDRINUSE", "Error", "EADDRINUSE"), "EADDRINUSE (Error)", "EADDRINUSE"],
    [
      netErr("UNKNOWN", "TypeError", "ERR_INVALID_ARG_TYPE"),
      "unmapped (TypeError:ERR_INVALID_ARG_TYPE)",
      "unmapped ERR_INVALID_ARG_TYPE",
    ],
    [netErr("ENOTSUP"), "ENOTSUP (no cause)", "ENOTSUP"],
    [{ thrown: { name: "RangeError", message: "x" } }, "non-NetError RangeError", "RangeError"],
  ])("%j → %s", (e, shape, code) => {
    expect(shapeOf(e)).toBe(shape);
    expect(codeOfEvidence(e)).toBe(code);
  });
});
