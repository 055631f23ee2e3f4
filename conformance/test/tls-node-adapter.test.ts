import { connect as netConnect } from "node:net";
import { isNetError, type Connection, type Listener } from "@netparity/protocol";
import { nodeRuntime as rt } from "@netparity/runtime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCertificates } from "../src/parent/certs/generate.js";

type Pem = Awaited<ReturnType<typeof generateCertificates>>;

async function readAll(conn: Connection): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 100_000; i++) {
    const c = await conn.read();
    if (c === null) return Buffer.concat(parts);
    parts.push(c);
  }
  throw new Error("too many chunks");
}

/** An echo server: reads to close_notify, writes everything back, then half-closes. */
function echoLoop(listener: Listener): void {
  void (async () => {
    for (;;) {
      const conn = await listener.accept();
      if (!conn) return;
      void readAll(conn)
        .then((b) => conn.write(b))
        .then(() => conn.closeWrite())
        .catch(() => {})
        .finally(() => conn.close());
    }
  })();
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    const c = (await p) as Connection;
    c.close();
    return "connected";
  } catch (e) {
    return isNetError(e) ? e.code : `not a NetError: ${String(e)}`;
  }
}

describe("node adapter over TLS", () => {
  let pem: Pem;
  let other: Pem;
  beforeAll(async () => {
    [pem, other] = await Promise.all([generateCertificates(), generateCertificates()]);
  });

  describe.each(["127.0.0.1", "::1"])("on %s", (host) => {
    let listener: Listener;
    beforeAll(async () => {
      listener = await rt.listen({
        transport: "tls",
        hostname: host,
        port: 0,
        tls: { cert: pem.cert, key: pem.key, alpn: ["np/1"] },
      });
      echoLoop(listener);
    });
    afterAll(() => listener.close());
    const port = (): number => (listener.address.transport === "tcp" ? listener.address.port : 0);

    it("echoes through a half-close (close_notify + FIN) and reports the handshake", async () => {
      expect(listener.address.transport).toBe("tcp");
      const conn = await rt.connect({
        transport: "tls",
        hostname: host,
        port: port(),
        tls: { ca: pem.ca, alpn: ["np/1"] },
      });
      try {
        const info = conn.tlsInfo?.();
        expect(info?.protocol).toBe("TLSv1.3");
        expect(info?.alpn).toBe("np/1");
        expect(info?.cipher).toMatch(/^TLS_/);
        expect(info?.peerSubject).toBe("localhost");
        expect(info?.peerSan).toContain("DNS:localhost");
        const payload = Buffer.alloc(300_000, 7);
        await conn.write(payload);
        await conn.closeWrite();
        expect((await readAll(conn)).equals(payload)).toBe(true);
      } finally {
        conn.close();
      }
    });

    it("names the certificate problem", async () => {
      const p = port();
      expect(await codeOf(rt.connect({ transport: "tls", hostname: host, port: p, tls: { ca: other.ca } }))).toBe(
        "CERT_UNTRUSTED",
      );
      expect(await codeOf(rt.connect({ transport: "tls", hostname: host, port: p, tls: {} }))).toBe("CERT_UNTRUSTED");
      expect(
        await codeOf(
          rt.connect({ transport: "tls", hostname: host, port: p, tls: { ca: pem.ca, servername: "other.example" } }),
        ),
      ).toBe("CERT_HOSTNAME_MISMATCH");
      // An IP servername is checked against the IP SANs and not sent as SNI.
      expect(
        await codeOf(rt.connect({ transport: "tls", hostname: host, port: p, tls: { ca: pem.ca, servername: host } })),
      ).toBe("connected");
      expect(
        await codeOf(
          rt.connect({ transport: "tls", hostname: host, port: p, tls: { ca: pem.ca, servername: "10.1.2.3" } }),
        ),
      ).toBe("CERT_HOSTNAME_MISMATCH");
      expect(await codeOf(rt.connect({ transport: "tls", hostname: host, port: p, tls: { verify: false } }))).toBe(
        "connected",
      );
    });

    it("keeps serving after plaintext garbage; a plaintext server is a handshake failure", {
      timeout: 20_000,
    }, async () => {
      await new Promise<void>((resolve) => {
        const s = netConnect({ host, port: port() }, () => s.end("GET / HTTP/1.0\r\n\r\n"));
        s.on("error", () => resolve());
        s.on("close", () => resolve());
        s.resume();
      });
      const conn = await rt.connect({ transport: "tls", hostname: host, port: port(), tls: { ca: pem.ca } });
      await conn.write(new Uint8Array([1, 2, 3]));
      await conn.closeWrite();
      expect([...(await readAll(conn))]).toEqual([1, 2, 3]);
      conn.close();
      // A plaintext server that answers the ClientHello with text.
      const plain = await rt.listen({ transport: "tcp", hostname: host, port: 0 });
      void plain.accept().then(async (c) => {
        await c?.write(new TextEncoder().encode("HTTP/1.0 400 Bad Request\r\n\r\n")).catch(() => {});
        await c?.closeWrite().catch(() => {});
      });
      try {
        const pp = plain.address.transport === "tcp" ? plain.address.port : 0;
        expect(await codeOf(rt.connect({ transport: "tls", hostname: host, port: pp, tls: { ca: pem.ca } }))).toBe(
          "TLS_HANDSHAKE",
        );
      } finally {
        await plain.close();
      }
    });
  });

  it("reports an expired certificate", async () => {
    const expired = await generateCertificates({ expired: true });
    const l = await rt.listen({
      transport: "tls",
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: expired.cert, key: expired.key },
    });
    try {
      const port = l.address.transport === "tcp" ? l.address.port : 0;
      expect(await codeOf(rt.connect({ transport: "tls", hostname: "127.0.0.1", port, tls: { ca: expired.ca } }))).toBe(
        "CERT_EXPIRED",
      );
    } finally {
      await l.close();
    }
  });

  it("has tls in its features and reads text files", async () => {
    expect(rt.features.tls).toBe(true);
    expect(await codeOf(rt.fs.readText("/nonexistent/netparity.pem"))).toBe("ENOENT");
  });
});
