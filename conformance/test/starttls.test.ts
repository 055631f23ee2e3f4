/**
 * The starttls scenario's wire, against a foreign client (node:net, then node:tls over the same
 * socket, in this process): "STARTTLS\n" is answered "OK\n", then TLS verified against the
 * server's CA, then echo; any other first line gets "ERR\n". And the negative case: the
 * scenario's client against a server that does not upgrade (plaintext echo) fails, saying why.
 */
import { readFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { describe, expect, it } from "vitest";
import { writeCertificates } from "../src/parent/certs/generate.js";
import { BIN, cli, spawnJson } from "./peer-helpers.js";

const STEP_MS = 5_000;

/** Connects and resolves with the first "\n"-terminated line after writing `line`. */
function ask(port: number, line: string): Promise<{ socket: Socket; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no answer"));
    }, STEP_MS);
    let text = "";
    const onData = (d: Buffer) => {
      text += d.toString("latin1");
      if (!text.includes("\n")) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      resolve({ socket, answer: text });
    };
    socket.on("error", reject);
    socket.on("connect", () => socket.write(line));
    socket.on("data", onData);
  });
}

describe("starttls scenario", () => {
  it("a node:tls client upgrades after OK and gets its echo; another first line gets ERR", {
    timeout: 60_000,
  }, async () => {
    const server = spawnJson(process.execPath, [BIN, "serve", "starttls", "--runtime", "node", "--transport", "tls"]);
    try {
      const ready = (await server.first) as { port: number; ca: string };
      const ca = readFileSync(ready.ca, "utf8");
      const { socket, answer } = await ask(ready.port, "STARTTLS\n");
      expect(answer).toBe("OK\n");
      const payload = Buffer.from("inside tls ".repeat(1000));
      const echoed = await new Promise<Buffer>((resolve, reject) => {
        const tls = tlsConnect({ socket, ca, servername: "localhost" });
        const chunks: Buffer[] = [];
        const timer = setTimeout(() => {
          tls.destroy();
          reject(new Error("echo timed out"));
        }, STEP_MS);
        tls.on("secureConnect", () => tls.end(payload));
        tls.on("data", (d: Buffer) => chunks.push(d));
        tls.on("error", reject);
        tls.on("end", () => {
          clearTimeout(timer);
          tls.destroy();
          resolve(Buffer.concat(chunks));
        });
      });
      expect(echoed.equals(payload)).toBe(true);
      const other = await ask(ready.port, "HELLO\n");
      other.socket.destroy();
      expect(other.answer).toBe("ERR\n");
    } finally {
      await server.stop();
    }
  });

  it("its client against a server that does not upgrade fails on the answer", { timeout: 60_000 }, async () => {
    const server = spawnJson(process.execPath, [BIN, "serve", "echo", "--runtime", "node", "--transport", "tcp"]);
    const certs = await writeCertificates({ prefix: "netparity-starttls-test-" });
    try {
      const ready = (await server.first) as { port: number };
      const r = cli([
        "client",
        "starttls",
        "--runtime",
        "node",
        "--transport",
        "tls",
        "--port",
        String(ready.port),
        "--ca",
        certs.ca,
      ]);
      expect(r.code, r.stderr).toBe(1);
      const result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as {
        checks?: Array<{ name: string; ok: boolean; detail?: string }>;
      };
      const check = result.checks?.find((c) => c.name === "the server answers OK");
      expect(check?.ok).toBe(false);
      // The plaintext echo server sent the command back.
      expect(check?.detail).toContain("STARTTLS");
    } finally {
      await server.stop();
      await certs.remove();
    }
  });
});
