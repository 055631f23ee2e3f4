/**
 * TLS against foreign peers: a Python ssl echo server and client, OpenSSL's s_client and s_server,
 * driven through the CLI as a user would. Each runtime's server and client get the same tests.
 */
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeCertificates, type CertificateFiles } from "../src/parent/certs/generate.js";
import { RUNTIMES } from "./helpers.js";
import { BIN, PEERS, cli, hasPython, python, spawnJson, type Spawned } from "./peer-helpers.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
if (!hasPython) console.warn("tls-peers: python3 is missing; the Python ssl peer tests are skipped");
if (!hasOpenssl) console.warn("tls-peers: openssl is missing; the s_client tests are skipped");

type Listening = { port: number; ca: string; host: string };

async function serveTls(runtime: string, extra: string[] = []): Promise<{ server: Spawned; ready: Listening }> {
  const server = spawnJson(
    process.execPath,
    [BIN, "serve", "echo", "--runtime", runtime, "--transport", "tls", ...extra],
    {},
    30_000,
  );
  try {
    const ready = (await server.first) as unknown as Listening & { event: string; transport: string };
    expect(ready, server.stderr()).toMatchObject({ event: "listening", transport: "tls" });
    return { server, ready };
  } catch (e) {
    server.kill();
    throw e;
  }
}

/** Plaintext bytes to a TLS port, then wait for the server to drop them. */
function garbage(host: string, port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host, port }, () => s.end("GET / HTTP/1.0\r\n\r\nnot a ClientHello"));
    s.setTimeout(10_000, () => s.destroy());
    s.on("error", () => resolve());
    s.on("close", () => resolve());
    s.resume();
  });
}

describe.each(RUNTIMES)("%s tls server", (runtime) => {
  it.skipIf(!hasPython)(
    "answers Python ssl with a verified chain over TLS 1.3, also after plaintext garbage",
    async () => {
      const { server, ready } = await serveTls(runtime);
      try {
        expect(existsSync(ready.ca), "the listening line names the CA file").toBe(true);
        const args = [String(ready.port), "--ca", ready.ca, "--bytes", "300000"];
        const first = python("tls_echo_client.py", args);
        expect(first.code, first.stdout + first.stderr).toBe(0);
        expect(first.json).toMatchObject({ ok: true, verified: true, version: "TLSv1.3", received: 300000 });
        await garbage("127.0.0.1", ready.port);
        const again = python("tls_echo_client.py", args);
        expect(again.code, again.stdout + again.stderr + server.stderr()).toBe(0);
        // Without the CA, Python's default store does not trust the throwaway CA.
        const untrusted = python("tls_echo_client.py", [String(ready.port)]);
        expect(untrusted.code).toBe(1);
        expect(untrusted.json).toMatchObject({ ok: false, verified: false });
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
        expect(existsSync(ready.ca), "the throwaway CA is removed when the server stops").toBe(false);
      } finally {
        server.kill();
      }
    },
  );

  it.skipIf(!hasOpenssl)("answers openssl s_client on ::1: TLS 1.3, Verification: OK, the bytes echoed", async () => {
    // s_client never half-closes (-ign_eof): the idle timeout ends the connection.
    const { server, ready } = await serveTls(runtime, ["--host", "::1", "--idle-timeout", "1500"]);
    try {
      expect(ready.host).toBe("::1");
      const r = spawnSync(
        "openssl",
        [
          "s_client",
          "-connect",
          `[::1]:${ready.port}`,
          "-CAfile",
          ready.ca,
          "-servername",
          "localhost",
          "-verify_return_error",
          "-tls1_3",
          "-brief",
          "-ign_eof",
        ],
        { input: "hello netparity\n", encoding: "utf8", timeout: 20_000 },
      );
      expect(r.stderr).toContain("Verification: OK");
      expect(r.stderr).toContain("Protocol version: TLSv1.3");
      expect(r.stdout).toContain("hello netparity");
      const bad = spawnSync(
        "openssl",
        ["s_client", "-connect", `[::1]:${ready.port}`, "-verify_return_error", "-brief"],
        {
          input: "",
          encoding: "utf8",
          timeout: 20_000,
        },
      );
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/unable to get local issuer certificate|certificate verify failed/);
    } finally {
      server.kill();
    }
  });
});

/**
 * Our clients against a foreign TLS server. How each runtime names a failed verification
 * through the CLI (exit 1, CERT_UNTRUSTED, CERT_HOSTNAME_MISMATCH) is lessons-peers.test.ts's
 * (https against Python) and the s_server test's below; an unknown CA, a hostname mismatch and
 * an expired certificate on every runtime are the tls.untrusted-ca, tls.hostname-mismatch and
 * tls.expired probes of `npm run conformance`.
 */
describe.skipIf(!hasPython)("tls clients against a Python ssl echo server", () => {
  let good: CertificateFiles;
  let server: Spawned | undefined;
  let port = 0;
  beforeAll(async () => {
    good = await writeCertificates();
    server = spawnJson(
      "python3",
      [join(PEERS, "tls_echo_server.py"), "--cert", good.cert, "--key", good.key],
      {},
      30_000,
    );
    port = Number((await server.first).port);
  });
  afterAll(async () => {
    server?.kill();
    await good?.remove();
  });

  it.each(RUNTIMES)("%s client passes with --ca", (runtime) => {
    const r = cli([
      "client",
      "echo",
      "--runtime",
      runtime,
      "--transport",
      "tls",
      "--port",
      String(port),
      "--size",
      "1MiB",
      "--ca",
      good.ca,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe.skipIf(!hasOpenssl)("tls clients against openssl s_server -www", () => {
  let certs: CertificateFiles;
  let server: Spawned | undefined;
  let port = 0;
  beforeAll(async () => {
    certs = await writeCertificates();
    // s_server takes a port, not 0: ask the kernel for a free one first (loopback only).
    port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    // `-www` answers every request with an HTTP/1.0 status page, then closes.
    server = spawnJson(
      "openssl",
      ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", certs.cert, "-key", certs.key, "-www", "-quiet"],
      {},
      30_000,
    );
    // It prints nothing when ready: wait until it accepts a TCP connection (bounded).
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const c = connect({ host: "127.0.0.1", port }, () => {
          c.destroy();
          resolve(true);
        });
        c.on("error", () => resolve(false));
      });
      if (up) break;
      if (Date.now() > deadline) throw new Error(`openssl s_server did not listen: ${server.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    server?.kill();
    await certs?.remove();
  });

  const get = (runtime: string, args: string[]) =>
    cli(["client", "http-get", "--runtime", runtime, "--url", `https://localhost:${port}/`, ...args]);

  it.each(RUNTIMES)(
    "%s client: https against OpenSSL passes with --ca, fails naming CERT_UNTRUSTED without",
    (runtime) => {
      const ok = get(runtime, ["--ca", certs.ca]);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, transport: "tls", metrics: { status: 200 } });
      const bad = get(runtime, []);
      expect(bad.code, bad.stdout + bad.stderr).toBe(1);
      expect(bad.stdout).toContain("CERT_UNTRUSTED");
    },
  );
});

describe("tls flags", () => {
  it("--help documents them", () => {
    const serve = cli(["serve", "--help"]);
    for (const flag of ["--cert", "--key", "--ca", "--alpn", "tls"]) expect(serve.stdout).toContain(flag);
    const client = cli(["client", "--help"]);
    for (const flag of ["--ca", "--servername", "--alpn", "localhost"]) expect(client.stdout).toContain(flag);
  });

  it("serve --key-type rsa makes an RSA-2048 certificate that a client verifies", async () => {
    const { server, ready } = await serveTls("node", ["--key-type", "rsa"]);
    try {
      const cert = new X509Certificate(readFileSync(join(dirname(ready.ca), "cert.pem")));
      expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const r = cli([
        "client",
        "echo",
        "--runtime",
        "bun",
        "--transport",
        "tls",
        "--port",
        String(ready.port),
        "--ca",
        ready.ca,
        "--size",
        "64KiB",
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    } finally {
      server.kill();
    }
  });

  it("refuses flags that do not fit, with exit 2", () => {
    const cases: string[][] = [
      ["serve", "echo", "--runtime", "node", "--transport", "tls", "--cert", BIN],
      ["serve", "echo", "--runtime", "node", "--ca", BIN],
      ["client", "echo", "--runtime", "node", "--transport", "tls", "--port", "1", "--ca", "/nonexistent/ca.pem"],
      ["client", "echo", "--runtime", "node", "--port", "1", "--servername", "localhost"],
      ["serve", "udp", "--runtime", "node", "--transport", "tls"],
      ["serve", "hello-udp", "--runtime", "node", "--transport", "tls"],
      ["serve", "echo", "--runtime", "node", "--key-type", "rsa"],
      ["serve", "echo", "--runtime", "node", "--transport", "tls", "--key-type", "dsa"],
      ["serve", "echo", "--runtime", "node", "--transport", "tls", "--key-type", "rsa", "--cert", BIN, "--key", BIN],
    ];
    for (const args of cases) {
      const r = cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
