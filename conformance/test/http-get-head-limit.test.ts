/**
 * `client http-get` reads a response head of at most --max-head bytes (default 64 KiB): a server
 * that sends 1 025 headers (about 1 MB of head, 16 times the limit) gets HEAD_TOO_LARGE, exit 1,
 * on node, bun and deno; --max-head raises the limit; a head within the limit is read as before.
 */
import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { parseResponse } from "../src/in-runtime/scenarios/http-get.js";
import { RUNTIMES } from "./helpers.js";
import { spawn } from "node:child_process";
import { BIN } from "./peer-helpers.js";

/** The CLI without blocking this process: the test's server answers meanwhile. */
function cli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const enc = new TextEncoder();

/** A server that answers every request with `headers` headers of `width` bytes, then "ok". */
async function bigHeadServer(headers: number, width: number): Promise<{ server: Server; port: number }> {
  const line = `X-Filler: ${"f".repeat(width)}\r\n`;
  const head = `HTTP/1.1 200 OK\r\nContent-Length: 2\r\n${line.repeat(headers)}Connection: close\r\n\r\n`;
  const server = createServer((s) => {
    s.on("error", () => {});
    s.once("data", () => s.end(`${head}ok`));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as { port: number }).port };
}

describe("http-get response head limit", () => {
  it("parseResponse refuses a head over the limit, even without its end", () => {
    const head = `HTTP/1.1 200 OK\r\nX: ${"y".repeat(100)}\r\n\r\nbody`;
    expect(parseResponse(enc.encode(head), 200).status).toBe(200);
    expect(() => parseResponse(enc.encode(head), 50)).toThrow(/HEAD_TOO_LARGE|longer than 50 bytes/);
    expect(() => parseResponse(enc.encode("HTTP/1.1 200 OK\r\nX: yyyyyyyyyyyyyyyyyyyyyy"), 20)).toThrow(
      /longer than 20 bytes/,
    );
  });

  for (const runtime of RUNTIMES) {
    it(`${runtime}: 1 025 headers fail with HEAD_TOO_LARGE; --max-head 2MiB reads them; a small head passes`, async () => {
      const big = await bigHeadServer(1_025, 1000);
      const small = await bigHeadServer(10, 100);
      try {
        const url = `http://127.0.0.1:${big.port}/`;
        const r = await cli(["client", "http-get", "--runtime", runtime, "--url", url], 60_000);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        const e = JSON.parse(r.stdout.trim().split("\n")[0]!);
        expect(e).toMatchObject({ event: "result", ok: false, error: { code: "HEAD_TOO_LARGE" } });
        expect(e.error.message).toContain("longer than 65536 bytes");

        const raised = await cli(
          ["client", "http-get", "--runtime", runtime, "--url", url, "--max-head", "2MiB"],
          60_000,
        );
        expect(raised.code, raised.stdout + raised.stderr).toBe(0);

        const ok = await cli(
          ["client", "http-get", "--runtime", runtime, "--url", `http://127.0.0.1:${small.port}/`],
          60_000,
        );
        expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      } finally {
        big.server.close();
        small.server.close();
      }
    }, 120_000);
  }
});
