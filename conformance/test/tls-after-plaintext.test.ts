/**
 * A TLS echo server that was sent plaintext (`GET / HTTP/1.0`) still serves the next, verified
 * TLS client in full: 50 rounds per runtime, with a second core kept busy by a bounded busy
 * loop, since the one failure seen (a Bun server answering the first TLS client after a
 * plaintext connection with 0 bytes) came under load.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNTIMES, seededBytes } from "./helpers.js";
import { BIN, spawnJson } from "./peer-helpers.js";

const ROUNDS = 50;
const STEP_MS = 5_000;

/** Sends plaintext and waits until the server closes (or a bounded wait ends). */
function plaintext(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = netConnect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => s.destroy(), STEP_MS);
    s.on("connect", () => s.write("GET / HTTP/1.0\r\n\r\n"));
    s.on("data", () => {});
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One verified TLS echo: sends `payload`, half-closes, returns what came back. */
function tlsEcho(port: number, ca: string, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = tlsConnect({ host: "127.0.0.1", port, ca, servername: "localhost" });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`TLS echo timed out after ${STEP_MS} ms, ${Buffer.concat(chunks).length} bytes back`));
    }, STEP_MS);
    s.on("secureConnect", () => s.end(payload));
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on("end", () => {
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(chunks));
    });
  });
}

describe("a TLS echo server serves a verified client after plaintext", () => {
  let busy: ChildProcess | undefined;
  beforeAll(() => {
    // A second core busy for at most 90 s; killed in afterAll.
    busy = spawn(process.execPath, ["-e", "const end = Date.now() + 90000; while (Date.now() < end) {}"], {
      stdio: "ignore",
    });
  });
  afterAll(() => {
    busy?.kill("SIGKILL");
  });

  it.each(RUNTIMES)(
    `%s: ${ROUNDS} rounds of plaintext then TLS echo`,
    async (runtime) => {
      const s = spawnJson(
        process.execPath,
        [BIN, "serve", "echo", "--runtime", runtime, "--transport", "tls"],
        {},
        30_000,
      );
      try {
        const listening = (await s.first) as { port: number; ca: string };
        const ca = readFileSync(listening.ca, "utf8");
        const failures: string[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          await plaintext(listening.port);
          const payload = seededBytes(1000 + i * 37, i + 1);
          const back = await tlsEcho(listening.port, ca, payload).catch((e: Error) => e);
          if (back instanceof Error) failures.push(`round ${i}: ${back.message}`);
          else if (!back.equals(payload)) failures.push(`round ${i}: sent ${payload.length} bytes, got ${back.length}`);
        }
        expect(failures, s.stderr()).toEqual([]);
      } finally {
        s.kill();
      }
    },
    120_000,
  );
});
