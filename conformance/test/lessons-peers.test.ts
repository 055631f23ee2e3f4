/**
 * The lessons through the CLI against foreign peers written like the classic Python
 * lessons: Python clients talk to `netparity serve greet|hello-udp` in each runtime, and
 * `netparity client http-get --url` fetches from Python's own http.server.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("non-http URLs are a usage error (exit 2, one line); plain http only", () => {
    for (const url of ["https://127.0.0.1:1/", "ftp://127.0.0.1/", "not a url"]) {
      const r = cli(["client", "http-get", "--runtime", "node", "--url", url]);
      expect(r.code, url).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^netparity: --url: /);
    }
  });
});
