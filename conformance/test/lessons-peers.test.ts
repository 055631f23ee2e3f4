/**
 * The lessons through the CLI against foreign peers written like the classic Python
 * lessons: Python clients talk to `netparity serve greet|hello-udp` in each runtime, and
 * `netparity client http-get --url` fetches from Python's own http.server, plain and behind ssl.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeCertificates, type CertificateFiles } from "../src/parent/certs/generate.js";
import { parseHttpUrl } from "../src/in-runtime/scenarios/http-get.js";
import { RUNTIMES } from "./helpers.js";
import { BIN, PEERS, cli, hasPython, python, spawnJson, type Spawned } from "./peer-helpers.js";

describe.skipIf(!hasPython)("Python clients against netparity servers", () => {
  for (const runtime of RUNTIMES) {
    it(`serve greet --runtime ${runtime}: 50 concurrent Python clients welcomed and greeted, SIGTERM exits 0`, async () => {
      const server = spawnJson(process.execPath, [BIN, "serve", "greet", "--runtime", runtime]);
      try {
        const ready = await server.first;
        expect(ready).toMatchObject({ event: "listening", scenario: "greet", runtime });
        const py = python("greet_client.py", [String(ready.port), "--clients", "50", "--messages", "4"]);
        expect(py.code, py.stdout + py.stderr).toBe(0);
        expect(py.json).toMatchObject({ ok: true, welcomed: 50, replies: 200, closed: 50 });
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      } finally {
        server.kill();
      }
    });

    it(`serve hello-udp --runtime ${runtime}: a Python client gets "Hello, X!" for every name`, async () => {
      const server = spawnJson(process.execPath, [
        BIN,
        "serve",
        "hello-udp",
        "--runtime",
        runtime,
        "--transport",
        "udp",
      ]);
      try {
        const ready = await server.first;
        expect(ready).toMatchObject({ event: "listening", scenario: "hello-udp", transport: "udp" });
        const py = python("hello_udp_client.py", [String(ready.port)]);
        expect(py.code, py.stdout + py.stderr).toBe(0);
        expect(py.json.answered).toBe(py.json.names);
      } finally {
        server.kill();
      }
    });
  }

  it("greet over a Unix socket (bun) and hello-udp over ::1 (deno), Python clients", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netparity-greet-"));
    const path = join(dir, "greet.sock");
    const unix = spawnJson(process.execPath, [
      BIN,
      "serve",
      "greet",
      "--runtime",
      "bun",
      "--transport",
      "unix",
      "--path",
      path,
    ]);
    const v6 = spawnJson(process.execPath, [
      BIN,
      "serve",
      "hello-udp",
      "--runtime",
      "deno",
      "--transport",
      "udp",
      "--host",
      "::1",
    ]);
    try {
      await unix.first;
      const py = python("greet_client.py", ["0", "--unix", path, "--clients", "20"]);
      expect(py.code, py.stdout + py.stderr).toBe(0);
      const ready = await v6.first;
      expect(ready.host).toBe("::1");
      const py6 = python("hello_udp_client.py", [String(ready.port), "--host", "::1"]);
      expect(py6.code, py6.stdout + py6.stderr).toBe(0);
    } finally {
      unix.kill();
      v6.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasPython)("client http-get --url against Python's http.server", () => {
  let server: Spawned | undefined;
  let port = 0;
  let dir = "";
  const file = "x".repeat(12_345);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netparity-www-"));
    writeFileSync(join(dir, "page.txt"), file);
    server = spawnJson("python3", [join(PEERS, "http_server.py"), dir]);
    port = Number((await server.first).port);
  });
  afterAll(() => {
    if (server) server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const runtime of RUNTIMES) {
    it(`${runtime}: a Content-Length file, a chunked body, and a 404`, () => {
      const plain = cli(["client", "http-get", "--runtime", runtime, "--url", `http://127.0.0.1:${port}/page.txt`]);
      expect(plain.code, plain.stdout + plain.stderr).toBe(0);
      const p = JSON.parse(plain.stdout) as { ok: boolean; metrics: Record<string, number>; output: string };
      expect(p.metrics).toMatchObject({ status: 200, bodyBytes: file.length, chunked: 0 });
      expect(p.output).toMatch(/^HTTP\/1\.[01] 200 /);

      const chunked = cli(["client", "http-get", "--runtime", runtime, "--url", `http://127.0.0.1:${port}/chunked`]);
      expect(chunked.code, chunked.stdout + chunked.stderr).toBe(0);
      const c = JSON.parse(chunked.stdout) as { metrics: Record<string, number> };
      expect(c.metrics).toMatchObject({
        status: 200,
        chunked: 1,
        chunks: 300,
        bodyBytes: 300 * "chunk line 0000\n".length,
      });

      const missing = cli(["client", "http-get", "--runtime", runtime, "--url", `http://127.0.0.1:${port}/nope`]);
      expect(JSON.parse(missing.stdout).metrics.status).toBe(404);
    });
  }

  it("URLs other than http:// and https:// are a usage error (exit 2, one line)", () => {
    for (const url of ["ftp://127.0.0.1/", "not a url", "https://user:pw@127.0.0.1:1/"]) {
      const r = cli(["client", "http-get", "--runtime", "node", "--url", url]);
      expect(r.code, url).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^netparity: --url: /);
    }
    // TLS flags with a plain http:// URL are refused, not ignored.
    const ca = cli(["client", "http-get", "--runtime", "node", "--url", "http://127.0.0.1:1/", "--ca", BIN]);
    expect(ca.code, ca.stderr).toBe(2);
    expect(ca.stderr).toMatch(/--ca needs --transport tls/);
  });

  it("parseHttpUrl: https is tls on port 443 by default, http tcp on 80", () => {
    expect(parseHttpUrl("https://localhost/a?b=1")).toEqual({
      hostname: "localhost",
      port: 443,
      host: "localhost",
      path: "/a?b=1",
      tls: true,
    });
    expect(parseHttpUrl("http://[::1]:8080")).toEqual({
      hostname: "::1",
      port: 8080,
      host: "[::1]:8080",
      path: "/",
      tls: false,
    });
  });
});

describe("serve http-get --transport tls, fetched by https URL", () => {
  RUNTIMES.forEach((runtime, i) => {
    const other = RUNTIMES[(i + 1) % RUNTIMES.length]!;
    it(`${runtime} server: a throwaway CA in the listening line; a ${other} client fetches /chunked with it`, async () => {
      const server = spawnJson(
        process.execPath,
        [BIN, "serve", "http-get", "--runtime", runtime, "--transport", "tls"],
        {},
        30_000,
      );
      try {
        const ready = (await server.first) as { transport?: string; port?: number; ca?: string };
        expect(ready, server.stderr()).toMatchObject({ event: "listening", scenario: "http-get", transport: "tls" });
        expect(typeof ready.ca).toBe("string");
        const r = cli([
          "client",
          "http-get",
          "--runtime",
          other,
          "--url",
          `https://localhost:${ready.port}/chunked`,
          "--ca",
          ready.ca!,
        ]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ transport: "tls", metrics: { status: 200, chunked: 1 } });
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      } finally {
        server.kill();
      }
    });
  });
});

describe.skipIf(!hasPython)("client http-get --url https:// against Python's http.server behind ssl", () => {
  let server: Spawned | undefined;
  let certs: CertificateFiles | undefined;
  let port = 0;
  let dir = "";
  const file = "s".repeat(23_456);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netparity-www-"));
    writeFileSync(join(dir, "page.txt"), file);
    certs = await writeCertificates();
    server = spawnJson("python3", [join(PEERS, "https_server.py"), dir, "--cert", certs.cert, "--key", certs.key]);
    port = Number((await server.first).port);
  });
  afterAll(async () => {
    if (server) server.kill();
    await certs?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  function get(runtime: string, url: string, args: string[] = []) {
    const r = cli(["client", "http-get", "--runtime", runtime, "--url", url, ...args]);
    let e: { ok?: boolean; metrics?: Record<string, number>; output?: string; error?: { code: string } } = {};
    try {
      e = JSON.parse(r.stdout);
    } catch {
      // asserted through the exit code and `out`
    }
    return { code: r.code, e, out: r.stdout + r.stderr };
  }

  for (const runtime of RUNTIMES) {
    it(`${runtime}: with --ca, a Content-Length file and a chunked body; the name is the URL's host`, () => {
      const plain = get(runtime, `https://localhost:${port}/page.txt`, ["--ca", certs!.ca]);
      expect(plain.code, plain.out).toBe(0);
      expect(plain.e.metrics).toMatchObject({ status: 200, bodyBytes: file.length, chunked: 0 });
      expect(plain.e.output).toMatch(/^HTTP\/1\.[01] 200 /);
      // An IP literal in the URL is checked against the certificate's IP SANs.
      const chunked = get(runtime, `https://127.0.0.1:${port}/chunked`, ["--ca", certs!.ca]);
      expect(chunked.code, chunked.out).toBe(0);
      expect(chunked.e.metrics).toMatchObject({ status: 200, chunked: 1, chunks: 300 });
    });

    it(`${runtime}: without --ca exit 1 naming CERT_UNTRUSTED; --servername other.example a mismatch`, () => {
      const untrusted = get(runtime, `https://localhost:${port}/page.txt`);
      expect([untrusted.code, untrusted.e.error?.code], untrusted.out).toEqual([1, "CERT_UNTRUSTED"]);
      const mismatch = get(runtime, `https://localhost:${port}/page.txt`, [
        "--ca",
        certs!.ca,
        "--servername",
        "other.example",
      ]);
      expect([mismatch.code, mismatch.e.error?.code], mismatch.out).toEqual([1, "CERT_HOSTNAME_MISMATCH"]);
    });
  }
});
