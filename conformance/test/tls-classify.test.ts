/**
 * The TLS probes' classifiers, fed with evidence recorded from Node 20, Bun 1.4.5 and Deno
 * 2.9.6 (and made-up evidence for the outcomes no runtime shows today): every outcome each
 * classifier can report, and never an unclassified one.
 */
import { NetError, type Runtime, type TlsInfo } from "@netparity/protocol";
import { describe, expect, it } from "vitest";
import {
  type Attempt,
  classifyAlpnMismatch,
  classifyAlpnNone,
  classifyAlpnSelect,
  classifyChunk,
  classifyCipher,
  classifyClientCertAbsent,
  classifyCloseTail,
  classifyHalfClose,
  classifyIpVerification,
  classifyPeer,
  classifyRefusal,
  classifyRsa,
  classifyVerifyOff,
  classifyVersion,
  failureFromEvidence,
  tlsRecords,
} from "../src/in-runtime/probes/tls-classify.js";
import {
  classifyStartTls,
  classifyStartTlsBuffered,
  type Upgrade,
} from "../src/in-runtime/probes/starttls-classify.js";
import { errorEvidence } from "../src/in-runtime/probes/util.js";
import { startTlsProbes } from "../src/in-runtime/probes/starttls.js";
import { tlsProbes } from "../src/in-runtime/probes/tls.js";

// Recorded: the client's tlsInfo() after a default handshake.
const NODE_INFO: TlsInfo = {
  protocol: "TLSv1.3",
  cipher: "TLS_AES_256_GCM_SHA384",
  alpn: null,
  peerSubject: "localhost",
  peerSan: ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"],
};
const BUN_INFO: TlsInfo = { ...NODE_INFO, cipher: "TLS_AES_128_GCM_SHA256" };
const DENO_INFO: TlsInfo = { protocol: null, cipher: null, alpn: null, peerSubject: null, peerSan: null };

const connected = (info: TlsInfo | null): Attempt => ({ state: "connected", info });
const failed = (code: string, shape: string): Attempt => ({ state: "failed", code, shape });
const pending: Attempt = { state: "pending", ms: 2000 };
const untrusted = failed("CERT_UNTRUSTED", "CERT_UNTRUSTED (Error:UNABLE_TO_VERIFY_LEAF_SIGNATURE)");

describe("handshake reports", () => {
  it.each([
    [connected(NODE_INFO), "TLSv1.3"],
    [connected({ ...NODE_INFO, protocol: "TLSv1.2" }), "TLSv1.2"],
    [connected(DENO_INFO), "not reported"],
    [connected(null), "not reported"],
    [untrusted, "no handshake: CERT_UNTRUSTED (Error:UNABLE_TO_VERIFY_LEAF_SIGNATURE)"],
    [pending, "no handshake: handshake hangs"],
  ])("version %j: %s", (a, outcome) => {
    expect(classifyVersion(a)).toBe(outcome);
  });

  it.each([
    [connected(BUN_INFO), "IANA TLS_AES_128_GCM_SHA256"],
    [
      connected({ ...NODE_INFO, cipher: "ECDHE-ECDSA-AES128-GCM-SHA256" }),
      "OpenSSL-style ECDHE-ECDSA-AES128-GCM-SHA256",
    ],
    [connected({ ...NODE_INFO, cipher: "Aes128Gcm" }), "own name Aes128Gcm"],
    [connected(DENO_INFO), "not reported"],
    [pending, "no handshake: handshake hangs"],
  ])("cipher %j: %s", (a, outcome) => {
    expect(classifyCipher(a)).toBe(outcome);
  });

  it.each([
    [connected(NODE_INFO), "subject and SAN"],
    [connected({ ...NODE_INFO, peerSan: null }), "subject only"],
    [connected({ ...NODE_INFO, peerSubject: null }), "SAN only"],
    [connected(DENO_INFO), "not exposed"],
    [untrusted, "no handshake: CERT_UNTRUSTED (Error:UNABLE_TO_VERIFY_LEAF_SIGNATURE)"],
  ])("peer certificate %j: %s", (a, outcome) => {
    expect(classifyPeer(a)).toBe(outcome);
  });
});

describe("ALPN", () => {
  it.each([
    [connected(NODE_INFO), null, "none (null)"],
    [connected(DENO_INFO), undefined, "none (null)"],
    [connected({ ...NODE_INFO, alpn: "h2" }), null, "agreed without offers: client h2, server null"],
    [pending, null, "no handshake: handshake hangs"],
  ])("none %j / server %j: %s", (a, server, outcome) => {
    expect(classifyAlpnNone(a, server)).toBe(outcome);
  });

  it.each([
    [connected({ ...NODE_INFO, alpn: "h2" }), "h2", "server preference (h2)"],
    [connected({ ...NODE_INFO, alpn: "http/1.1" }), "http/1.1", "client preference (http/1.1)"],
    [connected({ ...NODE_INFO, alpn: "h3" }), "h3", "other (h3)"],
    [connected(NODE_INFO), null, "none agreed"],
    [connected({ ...NODE_INFO, alpn: "h2" }), "http/1.1", "ends disagree: client h2, server http/1.1"],
    // The server end never arrived: judged by the client alone.
    [connected({ ...NODE_INFO, alpn: "h2" }), undefined, "server preference (h2)"],
    [failed("TLS_HANDSHAKE", "TLS_HANDSHAKE (Error:EPROTO)"), undefined, "no handshake: TLS_HANDSHAKE (Error:EPROTO)"],
  ])("select %j / server %j: %s", (a, server, outcome) => {
    expect(classifyAlpnSelect(a, server, "h2", "http/1.1")).toBe(outcome);
  });

  it.each([
    [failed("TLS_HANDSHAKE", "TLS_HANDSHAKE (InvalidData)"), "fails: TLS_HANDSHAKE"],
    [connected(NODE_INFO), "connects, alpn null"],
    [connected({ ...NODE_INFO, alpn: "h2" }), "connects, alpn h2"],
    [pending, "handshake hangs"],
  ])("mismatch %j: %s", (a, outcome) => {
    expect(classifyAlpnMismatch(a)).toBe(outcome);
  });
});

describe("verification", () => {
  it.each([
    [connected(NODE_INFO), "verified"],
    [
      failed("CERT_HOSTNAME_MISMATCH", "CERT_HOSTNAME_MISMATCH (InvalidData)"),
      "fails: CERT_HOSTNAME_MISMATCH (InvalidData)",
    ],
    [pending, "fails: handshake hangs"],
  ])("IP SAN %j: %s", (a, outcome) => {
    expect(classifyIpVerification(a)).toBe(outcome);
  });

  it.each([
    [untrusted, "CERT_UNTRUSTED (Error:UNABLE_TO_VERIFY_LEAF_SIGNATURE)"],
    [failed("CERT_EXPIRED", "CERT_EXPIRED (InvalidData)"), "CERT_EXPIRED (InvalidData)"],
    [connected(NODE_INFO), "connected (not refused)"],
    [pending, "handshake hangs"],
  ])("refusal %j: %s", (a, outcome) => {
    expect(classifyRefusal(a)).toBe(outcome);
  });

  it.each([
    [connected(BUN_INFO), "connected"],
    [failed("ENOTSUP", "ENOTSUP (no cause)"), "unsupported: ENOTSUP"],
    [untrusted, "refused: CERT_UNTRUSTED (Error:UNABLE_TO_VERIFY_LEAF_SIGNATURE)"],
    [pending, "refused: handshake hangs"],
  ])("verify off %j: %s", (a, outcome) => {
    expect(classifyVerifyOff(a)).toBe(outcome);
  });

  it.each([
    [connected(DENO_INFO), "connected"],
    [failed("TLS_HANDSHAKE", "TLS_HANDSHAKE (Error:EPROTO)"), "fails: TLS_HANDSHAKE (Error:EPROTO)"],
    [pending, "fails: handshake hangs"],
  ])("RSA %j: %s", (a, outcome) => {
    expect(classifyRsa(a)).toBe(outcome);
  });
});

describe("client certificate absent", () => {
  it.each([
    [{ listen: "ENOTSUP" }, "unsupported: ENOTSUP"],
    [{ listen: "EINVAL" }, "listen fails: EINVAL"],
    [{ listen: null, attempt: connected(NODE_INFO), roundTrip: "ok" }, "connected"],
    [{ listen: null, attempt: connected(NODE_INFO), roundTrip: "eof" }, "dropped after handshake: eof"],
    [{ listen: null, attempt: connected(NODE_INFO), roundTrip: "ECONNRESET" }, "dropped after handshake: ECONNRESET"],
    [{ listen: null, attempt: connected(NODE_INFO) }, "dropped after handshake: no round trip"],
    [{ listen: null, attempt: failed("TLS_HANDSHAKE", "TLS_HANDSHAKE (Error:EPROTO)") }, "refused: TLS_HANDSHAKE"],
    [{ listen: null, attempt: pending }, "handshake hangs"],
  ])("%j: %s", (o, outcome) => {
    expect(classifyClientCertAbsent(o)).toBe(outcome);
  });
});

describe("half-close", () => {
  const expected = "pong after FIN";
  it.each([
    [{ closeWrite: "ok", serverSawEof: true, serverWrite: "ok", clientGot: expected }, "server writes after FIN"],
    [{ closeWrite: "ok", serverSawEof: true, serverWrite: "ok", clientGot: "" }, "reply lost"],
    [{ closeWrite: "ok", serverSawEof: true, serverWrite: "EPIPE" }, "server write fails EPIPE"],
    [{ closeWrite: "ok", serverSawEof: true, serverWrite: "pending" }, "server write hangs"],
    [{ closeWrite: "ok", serverSawEof: false }, "no-eof"],
    [{ closeWrite: "ENOTSUP", serverSawEof: false }, "closeWrite fails ENOTSUP"],
  ])("%j: %s", (o, outcome) => {
    expect(classifyHalfClose({ ...o, expected })).toBe(outcome);
  });
});

describe("close_notify", () => {
  // Recorded by the relay after close(): Bun and Deno sent 24 bytes, one TLS 1.3 record of
  // outer type 23 and length 19 (an encrypted alert); Node sent nothing.
  const ALERT_13 = new Uint8Array([23, 3, 3, 0, 19, ...new Uint8Array(19)]);

  it("reads record headers, and says when the last record is cut", () => {
    expect(tlsRecords(ALERT_13)).toEqual({ records: [{ type: 23, length: 19 }], partial: false });
    expect(tlsRecords(new Uint8Array(0))).toEqual({ records: [], partial: false });
    expect(tlsRecords(ALERT_13.subarray(0, 10))).toEqual({ records: [{ type: 23, length: 19 }], partial: true });
    expect(tlsRecords(new Uint8Array([21, 3, 3]))).toEqual({ records: [], partial: true });
  });

  const alert13 = [{ type: 23, length: 19 }];
  it.each([
    [alert13, "eof", false, "close_notify then FIN"],
    [alert13, "eof", true, "close_notify then FIN after the peer closed"],
    [[{ type: 21, length: 2 }], "eof", false, "close_notify then FIN"],
    [[{ type: 21, length: 26 }], "ECONNRESET", false, "close_notify then reset"],
    [alert13, "pending", true, "close_notify, no FIN"],
    [alert13, "EPIPE", false, "close_notify then fails EPIPE"],
    [[], "eof", false, "FIN without close_notify"],
    [[], "eof", true, "FIN without close_notify, after the peer closed"],
    [[], "ECONNRESET", false, "reset"],
    [[], "EPIPE", false, "fails EPIPE"],
    [[], "pending", true, "nothing sent, no FIN"],
    [[{ type: 23, length: 16401 }], "eof", false, "other records then FIN"],
  ])("%j, end %s, after peer close %s: %s", (records, end, afterPeer, outcome) => {
    expect(classifyCloseTail(records, end, afterPeer)).toBe(outcome);
  });
});

describe("largest read", () => {
  it.each([
    [16384, "≤ 16 KiB"],
    [524288, "≤ 512 KiB"],
    [1000, "≤ 1 KiB"],
    [65537, "≤ 128 KiB"],
    [0, "no data"],
  ])("%d bytes: %s", (n, outcome) => {
    expect(classifyChunk(n)).toBe(outcome);
  });
});

describe("without certificates", () => {
  it.each([...tlsProbes, ...startTlsProbes].map((p) => [p.id, p] as const))(
    "%s says so without touching the runtime",
    async (_id, probe) => {
      const evidence = await probe.collect({} as Runtime, {});
      expect(evidence).toEqual({ certificates: "none given" });
      expect(probe.classify(evidence).outcome).toBe("unsupported: no certificates");
      expect(probe.needs).toContain("tls");
    },
  );
});

describe("STARTTLS", () => {
  const upgraded = (info: TlsInfo | null, roundTrip = "ok"): Upgrade => ({ state: "upgraded", info, roundTrip });
  const refused = (code: string, shape: string): Upgrade => ({ state: "failed", code, shape });
  // Recorded: startTls as a client (all three) and as a server (Node; ENOTSUP from Bun and Deno).
  it.each([
    [upgraded(NODE_INFO), true, "upgraded"],
    [upgraded(BUN_INFO), true, "upgraded"],
    [upgraded(DENO_INFO), true, "upgraded"],
    [refused("ENOTSUP", "ENOTSUP (NetError)"), false, "unsupported (ENOTSUP)"],
    [refused("ENOTSUP", "ENOTSUP (NetError)"), true, "ENOTSUP, though features says supported"],
    [upgraded(NODE_INFO), false, "upgraded, though features says unsupported"],
    [upgraded(NODE_INFO, "pong lost"), true, "upgraded, no round trip: pong lost"],
    [
      refused("TLS_HANDSHAKE", "TLS_HANDSHAKE (Error:ERR_SSL_WRONG_VERSION_NUMBER)"),
      true,
      "failed: TLS_HANDSHAKE (Error:ERR_SSL_WRONG_VERSION_NUMBER)",
    ],
    [{ state: "pending", ms: 2000 } as Upgrade, true, "handshake hangs"],
  ])("%j, features %s: %s", (u, featured, outcome) => {
    expect(classifyStartTls(u, featured)).toBe(outcome);
  });

  // Recorded: Node (the reply is put back for the TLS layer), Bun (startTls refuses), Deno (rustls reads it).
  it.each([
    [
      refused("TLS_HANDSHAKE", "TLS_HANDSHAKE (Error:ERR_SSL_WRONG_VERSION_NUMBER)"),
      null,
      "handshake broken: TLS_HANDSHAKE (Error:ERR_SSL_WRONG_VERSION_NUMBER)",
    ],
    [refused("PROTOCOL", "PROTOCOL (NetError)"), null, "refused before the handshake (PROTOCOL)"],
    [refused("TLS_HANDSHAKE", "TLS_HANDSHAKE (InvalidData)"), null, "handshake broken: TLS_HANDSHAKE (InvalidData)"],
    [upgraded(NODE_INFO), null, "lost"],
    [upgraded(NODE_INFO), "OK\r\n", "readable after the upgrade"],
    [upgraded(NODE_INFO, "ping lost"), null, "upgraded, no round trip: ping lost"],
    [refused("ENOTSUP", "ENOTSUP (NetError)"), null, "unsupported (ENOTSUP)"],
    [refused("ECONNRESET", "ECONNRESET (Error)"), null, "failed: ECONNRESET (Error)"],
    [{ state: "pending", ms: 2000 } as Upgrade, null, "handshake hangs"],
  ])("unread reply, %j, first read %j: %s", (u, firstRead, outcome) => {
    expect(classifyStartTlsBuffered(u, firstRead)).toBe(outcome);
  });
});

/**
 * Bun before 1.4 completes a handshake whose certificate failed verification
 * (oven-sh/bun#33846, #34798); the Bun adapter refuses it and marks the NetError with
 * runtimeAccepted. Its outcome must differ from a refusal the runtime made itself.
 */
describe("a refusal the adapter made after the runtime accepted", () => {
  // Recorded: tls.untrusted-ca on Bun 1.3.14 (the adapter's refusal) and on Bun 1.4.5 (Bun's own).
  const BUN_1_3_14 = {
    code: "CERT_UNTRUSTED",
    message: "unable to verify the first certificate (Bun accepted it; refused by the adapter, oven-sh/bun#33846)",
    operation: "handshake",
    runtimeAccepted: "oven-sh/bun#33846",
    cause: {
      name: "Error",
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      message: "unable to verify the first certificate",
    },
  };
  const BUN_1_4_5 = {
    code: "CERT_UNTRUSTED",
    message: "unable to verify the first certificate",
    operation: "handshake",
    cause: {
      name: "Error",
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      message: "unable to verify the first certificate",
    },
  };

  it("errorEvidence() records NetError.runtimeAccepted, and only when it is set", () => {
    const cause = Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" });
    const marked = new NetError("CERT_EXPIRED", "certificate has expired (…)", {
      cause,
      operation: "handshake",
      runtimeAccepted: "oven-sh/bun#33846",
    });
    expect(errorEvidence(marked)).toMatchObject({ code: "CERT_EXPIRED", runtimeAccepted: "oven-sh/bun#33846" });
    expect(errorEvidence(new NetError("CERT_EXPIRED", "m", { cause }))).not.toHaveProperty("runtimeAccepted");
    expect(JSON.parse(JSON.stringify(marked))).toMatchObject({ runtimeAccepted: "oven-sh/bun#33846" });
  });

  it("reads the marker from the evidence; the shape stays the runtime's error", () => {
    expect(failureFromEvidence(BUN_1_3_14)).toEqual({
      state: "failed",
      code: "CERT_UNTRUSTED",
      shape: "CERT_UNTRUSTED (Error:UNABLE_TO_VERIFY_LEAF_SIGNATURE)",
      runtimeAccepted: "oven-sh/bun#33846",
    });
    expect(failureFromEvidence(BUN_1_4_5)).not.toHaveProperty("runtimeAccepted");
    expect(failureFromEvidence({ thrown: { name: "TypeError", message: "x" } })).not.toHaveProperty("runtimeAccepted");
  });

  it("the refusal probes tell the adapter's refusal from the runtime's", () => {
    const adapter = classifyRefusal(failureFromEvidence(BUN_1_3_14));
    const runtime = classifyRefusal(failureFromEvidence(BUN_1_4_5));
    expect(adapter).toBe("refused by adapter (CERT_UNTRUSTED); runtime accepted");
    expect(runtime).toBe("CERT_UNTRUSTED (Error:UNABLE_TO_VERIFY_LEAF_SIGNATURE)");
  });

  // Constructed: the same marker on other codes and in the probes that need a handshake first.
  const accepted = (code: string, shape: string): Attempt => ({
    state: "failed",
    code,
    shape,
    runtimeAccepted: "oven-sh/bun#33846",
  });
  it.each([
    [
      classifyRefusal(
        accepted("CERT_HOSTNAME_MISMATCH", "CERT_HOSTNAME_MISMATCH (Error:ERR_TLS_CERT_ALTNAME_INVALID)"),
      ),
      "refused by adapter (CERT_HOSTNAME_MISMATCH); runtime accepted",
    ],
    [
      classifyRefusal(accepted("CERT_EXPIRED", "CERT_EXPIRED (Error:CERT_HAS_EXPIRED)")),
      "refused by adapter (CERT_EXPIRED); runtime accepted",
    ],
    [
      classifyVersion(
        accepted("CERT_HOSTNAME_MISMATCH", "CERT_HOSTNAME_MISMATCH (Error:ERR_TLS_CERT_ALTNAME_INVALID)"),
      ),
      "no handshake: refused by adapter (CERT_HOSTNAME_MISMATCH); runtime accepted",
    ],
    [
      classifyStartTls(
        {
          state: "failed",
          code: "CERT_UNTRUSTED",
          shape: "CERT_UNTRUSTED (Error:X)",
          runtimeAccepted: "oven-sh/bun#34798",
        },
        true,
      ),
      "failed: refused by adapter (CERT_UNTRUSTED); runtime accepted",
    ],
  ])("constructed: %s", (got, outcome) => {
    expect(got).toBe(outcome);
  });
});
