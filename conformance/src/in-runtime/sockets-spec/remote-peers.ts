/**
 * The spec suite's peers in another process, for a runtime that has no listen (a Worker):
 * `servePeers` runs in a runtime that has one and makes the peers of servers.ts on request;
 * `remotePeers` is the SpecPeers the suite uses on the other side, over the connect() under
 * test. The control protocol is one connection per request: a JSON line in, a JSON line out.
 *
 *   {"op":"echo","hostname":"::1","tls":{"alpn":["np/1"]}} -> {"id":1,"port":40001}
 *   {"op":"fin"} | {"op":"startTls"}                        -> {"id":2,"port":40002}
 *   {"op":"refusedPort"}                                     -> {"port":40003}
 *   {"op":"received","id":2,"index":0}                       -> {"hex":"6166746572"}
 *   {"op":"close","id":2}                                    -> {}
 *   anything that failed                                     -> {"error":"message"}
 */
import { fromUtf8, utf8, type Connection, type Runtime } from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import type { ConnectLike } from "./harness.js";
import { localPeers, type PemSet, type SpecPeers, type TestServer } from "./servers.js";

type Request =
  | { op: "echo"; hostname?: string; tls?: { alpn?: string[] } }
  | { op: "fin" }
  | { op: "startTls" }
  | { op: "refusedPort" }
  | { op: "received"; id: number; index: number }
  | { op: "close"; id: number };

type Answer = { id?: number; port?: number; hex?: string; error?: string };

/** Upper bound of one control request, and of waiting for a connection's bytes. */
const CONTROL_MS = 10_000;

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const fromHex = (h: string): Uint8Array => new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));

async function readLine(c: Connection): Promise<string> {
  let text = "";
  while (!text.includes("\n")) {
    const chunk = await c.read();
    if (chunk === null) break;
    text += fromUtf8(chunk);
  }
  return text.split("\n")[0] ?? "";
}

/**
 * Serves the suite's peers, made with `rt`'s listen, to requests on a control port on
 * 127.0.0.1. Returns that port and a close that ends the control listener and every peer.
 */
export async function servePeers(
  rt: Runtime,
  pems: PemSet | undefined,
): Promise<{ port: number; close(): Promise<void> }> {
  const local = localPeers(rt, pems);
  const servers = new Map<number, TestServer>();
  let next = 1;
  const keep = (s: TestServer): Answer => {
    const id = next++;
    servers.set(id, s);
    return { id, port: s.port };
  };
  const answer = async (req: Request): Promise<Answer> => {
    switch (req.op) {
      case "echo":
        return keep(await local.echo(req.hostname, req.tls));
      case "fin":
        return keep(await local.fin());
      case "startTls":
        return keep(await local.startTls());
      case "refusedPort":
        return { port: await local.refusedPort() };
      case "received": {
        const s = servers.get(req.id);
        if (!s) throw new Error(`no peer ${req.id}`);
        return { hex: toHex(await withTimeout(s.received(req.index), CONTROL_MS, "the peer's connection")) };
      }
      case "close": {
        const s = servers.get(req.id);
        servers.delete(req.id);
        await s?.close();
        return {};
      }
    }
  };
  const listener = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
  void (async () => {
    for (;;) {
      const c = await listener.accept().catch(() => null);
      if (!c) return;
      void (async () => {
        let out: Answer;
        try {
          out = await answer(JSON.parse(await readLine(c)) as Request);
        } catch (e) {
          out = { error: e instanceof Error ? e.message : String(e) };
        }
        try {
          await c.write(utf8(`${JSON.stringify(out)}\n`));
          await c.closeWrite();
        } finally {
          c.close();
        }
      })();
    }
  })();
  const a = listener.address;
  return {
    port: a.transport === "unix" ? 0 : a.port,
    close: async () => {
      await listener.close();
      for (const s of servers.values()) await s.close().catch(() => {});
      servers.clear();
    },
  };
}

/** The peers `servePeers` makes on `hostname:port`, asked through `connect` (the one under test). */
export function remotePeers(control: { hostname: string; port: number }, connect: ConnectLike): SpecPeers {
  const ask = async (req: Request): Promise<Answer> => {
    const s = connect(`${control.hostname}:${control.port}`);
    try {
      return await withTimeout(
        (async () => {
          const writer = s.writable.getWriter();
          await writer.write(utf8(`${JSON.stringify(req)}\n`));
          await writer.close();
          const reader = s.readable.getReader();
          const decoder = new TextDecoder();
          let text = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            text += decoder.decode(value, { stream: true });
          }
          const a = JSON.parse(text) as Answer;
          if (a.error !== undefined) throw new Error(`peers: ${a.error}`);
          return a;
        })(),
        CONTROL_MS,
        `peers: ${req.op}`,
      );
    } finally {
      await s.close().catch(() => {});
    }
  };
  const server = async (req: Request): Promise<TestServer> => {
    const a = await ask(req);
    const id = a.id ?? 0;
    return {
      port: a.port ?? 0,
      received: async (index) => fromHex((await ask({ op: "received", id, index })).hex ?? ""),
      close: async () => void (await ask({ op: "close", id })),
    };
  };
  return {
    echo: (hostname, tls) => server({ op: "echo", ...(hostname ? { hostname } : {}), ...(tls ? { tls } : {}) }),
    fin: () => server({ op: "fin" }),
    startTls: () => server({ op: "startTls" }),
    refusedPort: async () => (await ask({ op: "refusedPort" })).port ?? 0,
  };
}
