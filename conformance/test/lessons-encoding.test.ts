/**
 * The lessons' own wire: gbk text (`--encoding gbk`) and the unframed greeting protocol
 * (`greet --wire raw`), against Python peers written like the lesson, on every runtime.
 */
import { describe, expect, it } from "vitest";
import { isNetError } from "@netparity/protocol";
import { textCodec } from "../src/in-runtime/scenarios/text-codec.js";
import { greetNames } from "../src/in-runtime/scenarios/greet.js";
import { RUNTIMES } from "./helpers.js";
import { BIN, PEERS, cli, hasPython, python, spawnJson } from "./peer-helpers.js";

describe("text codecs", () => {
  it("gbk: the bytes Python's str.encode('gbk') gives, decoded back by the runtime's TextDecoder", () => {
    const gbk = textCodec("gbk");
    // "Hello, 张三!".encode("gbk") in Python
    expect(Buffer.from(gbk.encode("Hello, 张三!")).toString("hex")).toBe("48656c6c6f2c20d5c5c8fd21");
    expect(gbk.decode(Buffer.from("c0eec0d7", "hex"))).toBe("李雷");
    // The lesson's FeiQ message, full-width comma included.
    expect(gbk.decode(gbk.encode("您好，欢迎进入飞秋"))).toBe("您好，欢迎进入飞秋");
  });

  it("gbk: a character it lacks is ENCODING_UNREPRESENTABLE naming it, never '?'", () => {
    const gbk = textCodec("gbk");
    expect(gbk.canEncode("🌍")).toBe(false);
    let err: unknown;
    try {
      gbk.encode("Hello, 🌍!");
    } catch (e) {
      err = e;
    }
    expect(isNetError(err, "ENCODING_UNREPRESENTABLE"), String(err)).toBe(true);
    expect((err as Error).message).toContain("U+1F30D");
  });

  it("invalid bytes are ENCODING_INVALID; a lone surrogate cannot be UTF-8; unknown names are EINVAL", () => {
    expect(() => textCodec("gbk").decode(new Uint8Array([0x81]))).toThrow(/not valid gbk/);
    expect(() => textCodec("utf-8").decode(new Uint8Array([0xff]))).toThrow(/not valid UTF-8/);
    expect(() => textCodec("utf-8").encode("a\ud800b")).toThrow(/lone surrogate/);
    expect(() => textCodec("latin1")).toThrow(/unknown text encoding/);
  });

  it("greet names: only what the encoding has, and no empty message on the raw wire", () => {
    const framed = greetNames(textCodec("utf-8"), "framed");
    const raw = greetNames(textCodec("gbk"), "raw");
    expect(framed).toContain("");
    expect(raw).not.toContain("");
    expect(raw).toContain("张三");
    expect(raw.every((n) => textCodec("gbk").canEncode(n))).toBe(true);
    expect(raw).not.toContain("🌍");
  });
});

describe.skipIf(!hasPython)("the lessons' Python programs against netparity, gbk", () => {
  for (const runtime of RUNTIMES) {
    it(`serve greet --runtime ${runtime} --wire raw --encoding gbk: the lesson's client sends "张三" unframed and gets "Hello, 张三!" in gbk`, async () => {
      const server = spawnJson(process.execPath, [
        BIN,
        "serve",
        "greet",
        "--runtime",
        runtime,
        "--wire",
        "raw",
        "--encoding",
        "gbk",
      ]);
      try {
        const ready = await server.first;
        expect(ready).toMatchObject({ event: "listening", scenario: "greet", runtime });
        const py = python("greet_raw_client.py", [String(ready.port), "--name", "张三", "--name", "Ada"]);
        expect(py.code, py.stdout + py.stderr).toBe(0);
        const replies = py.json.replies as Array<{ sent: string; reply: string; hex: string }>;
        expect(replies[0]).toEqual({ sent: "张三", reply: "Hello, 张三!", hex: "48656c6c6f2c20d5c5c8fd21" });
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      } finally {
        server.kill();
      }
    });

    it(`serve hello-udp --runtime ${runtime} --encoding gbk: a gbk datagram is answered in gbk`, async () => {
      const server = spawnJson(process.execPath, [
        BIN,
        "serve",
        "hello-udp",
        "--runtime",
        runtime,
        "--transport",
        "udp",
        "--encoding",
        "gbk",
      ]);
      try {
        const ready = await server.first;
        const py = python("hello_udp_gbk_client.py", [String(ready.port), "--name", "张三", "--name", "李雷"]);
        expect(py.code, py.stdout + py.stderr).toBe(0);
        const replies = py.json.replies as Array<{ sent: string; hex: string }>;
        expect(replies.map((r) => r.hex)).toEqual(["48656c6c6f2c20d5c5c8fd21", "48656c6c6f2c20c0eec0d721"]);
      } finally {
        server.kill();
      }
    });

    it(`client greet --runtime ${runtime} --wire raw --encoding gbk against the lesson's threaded Python server`, async () => {
      const server = spawnJson("python3", [`${PEERS}/greet_raw_server.py`, "--encoding", "gbk"]);
      try {
        const ready = await server.first;
        const r = cli([
          "client",
          "greet",
          "--runtime",
          runtime,
          "--port",
          String(ready.port),
          "--wire",
          "raw",
          "--encoding",
          "gbk",
          "--clients",
          "10",
          "--messages",
          "4",
        ]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, metrics: { replies: 40 }, output: "raw wire, gbk" });
      } finally {
        server.kill();
      }
    });
  }

  it("a gbk client and a UTF-8 server do not understand each other: the check fails (negative)", async () => {
    // gbk "张三" (d5 c5 c8 fd) is not UTF-8; the server closes that connection.
    const server = spawnJson(process.execPath, [BIN, "serve", "greet", "--runtime", "node"]);
    try {
      const ready = await server.first;
      const r = cli(["client", "greet", "--runtime", "deno", "--port", String(ready.port), "--encoding", "gbk"]);
      expect(r.code, r.stdout).toBe(1);
      expect(JSON.parse(r.stdout).ok).toBe(false);
    } finally {
      server.kill();
    }
  });

  it("client time --encoding gbk --format with an emoji exits 1 with ENCODING_UNREPRESENTABLE", async () => {
    const server = spawnJson(process.execPath, [BIN, "serve", "time", "--runtime", "node", "--transport", "udp"]);
    try {
      const ready = await server.first;
      const r = cli([
        "client",
        "time",
        "--runtime",
        "bun",
        "--transport",
        "udp",
        "--port",
        String(ready.port),
        "--encoding",
        "gbk",
        "--format",
        "现在 %H 🌍",
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).error).toMatchObject({ code: "ENCODING_UNREPRESENTABLE" });
      expect(cli(["serve", "greet", "--runtime", "node", "--encoding", "latin1"]).code).toBe(2);
    } finally {
      server.kill();
    }
  });
});
