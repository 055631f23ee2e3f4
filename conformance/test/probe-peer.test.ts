/**
 * The parent's peer of the `parentPeer` probes (parent/runner/probe-peer.ts): it reads a socket
 * of another process as the kernel sees it (process/socket-view.ts) and resets a connection on
 * request. Here the "other process" is this test process: the socket options it sets must come
 * back from the kernel, read from outside through `ss` and pidfd_getfd, and a reset must arrive
 * as ECONNRESET. Linux with `ss` and python3 (what .ci/run installs) only.
 */
import { spawnSync } from "node:child_process";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSsLine, pythonBinary } from "../src/parent/process/socket-view.js";
import { type ProbePeer, startProbePeer } from "../src/parent/runner/probe-peer.js";

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore", timeout: 20_000 }).status === 0;
const usable = process.platform === "linux" && has("ss", ["-V"]) && has("python3", ["-c", "import os; os.pidfd_open"]);

describe("parseSsLine", () => {
  it("reads the timer and the first process holding the socket", () => {
    const line =
      '0 0 127.0.0.1:56538 127.0.0.1:41237 users:(("node",pid=4406,fd=20)) timer:(keepalive,828ms,0) ino:3622409 sk:f <->';
    expect(parseSsLine(line)).toEqual({ timer: { name: "keepalive", left: "828ms" }, pid: 4406, fd: 20 });
  });
  it("a socket without timer or process", () => {
    expect(parseSsLine("0 0 127.0.0.1:1 127.0.0.1:2 ino:1 sk:2 <->")).toEqual({ timer: null });
  });
});

describe.skipIf(!usable)("the probe peer (this process as the inspected one)", () => {
  let peer: ProbePeer;
  const open: Socket[] = [];
  beforeAll(async () => {
    peer = await startProbePeer();
    // The python3 lookup (a shim may take seconds on a busy machine) happens here, not in a test.
    expect(await pythonBinary()).toHaveProperty("out");
  }, 60_000);
  afterAll(async () => {
    for (const s of open) s.destroy();
    await peer?.close();
  });

  async function dial(): Promise<Socket> {
    const s = connect({ host: peer.host, port: peer.port });
    open.push(s);
    s.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once("connect", () => resolve());
      s.once("error", reject);
    });
    return s;
  }

  async function inspect(s: Socket, ask = true): Promise<Record<string, unknown>> {
    if (ask) s.write("inspect\n");
    let buf = "";
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no answer in 20 s")), 20_000);
      s.on("data", (d: Buffer) => {
        buf += d.toString("latin1");
        const nl = buf.indexOf("\n");
        if (nl === -1) return;
        clearTimeout(t);
        resolve(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      });
    });
  }

  it("sees setKeepAlive(true, 2000) and setNoDelay(true) in the kernel", async () => {
    const s = await dial();
    s.setKeepAlive(true, 2000);
    s.setNoDelay(true);
    const view = await inspect(s);
    expect(view.timer).toMatchObject({ name: "keepalive" });
    expect(view.options).toMatchObject({ SO_KEEPALIVE: 1, TCP_KEEPIDLE: 2, TCP_NODELAY: 1 });
  }, 30_000);

  it("sees them off where nothing set them (the negative case)", async () => {
    const s = await dial();
    s.setNoDelay(false);
    const view = await inspect(s);
    expect(view.timer).toBeNull();
    expect(view.options).toMatchObject({ SO_KEEPALIVE: 0, TCP_NODELAY: 0 });
  }, 30_000);

  it("dials a server of this process and reads the socket it accepted", async () => {
    const { createServer } = await import("node:net");
    const server = createServer({ noDelay: true }, (s) => {
      open.push(s);
      s.setKeepAlive(true, 3000);
      s.write("a");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const control = await dial();
      control.write(`dial ${(server.address() as { port: number }).port}\n`);
      const view = await inspect(control, false);
      expect(view.options).toMatchObject({ SO_KEEPALIVE: 1, TCP_KEEPIDLE: 3, TCP_NODELAY: 1 });
    } finally {
      for (const s of open) s.destroy();
      server.close();
    }
  }, 30_000);

  it("resets the connection on request: the client reads ECONNRESET", async () => {
    const s = await dial();
    const code = new Promise<string | undefined>((resolve) => {
      s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code));
      s.once("end", () => resolve("end"));
    });
    s.resume();
    s.write("reset\n");
    expect(await code).toBe("ECONNRESET");
  }, 10_000);
});
