/**
 * The parent's side of the probes that need a peer outside the runtime (`parentPeer` probes):
 * a TCP server on 127.0.0.1 the probe agent connects to. What the probe asks for is done here,
 * in Node's parent, never by the runtime under test:
 *
 *   "inspect\n"  the parent answers one JSON line: the probe's end of this connection as the
 *                kernel sees it (process/socket-view.ts: `ss` and the socket's options);
 *   "reset\n"    the parent resets the connection (an RST, Node's resetAndDestroy()).
 *
 * Anything else closes the connection. The server lives for one probe run and is closed after it.
 */
import { createServer, type Server, type Socket } from "node:net";
import { kernelSocketView, pythonBinary } from "../process/socket-view.js";

export interface ProbePeer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Longest command line the peer reads before it gives up on a connection. */
const MAX_LINE = 64;

function serve(s: Socket): void {
  let buf = "";
  s.setEncoding("latin1");
  s.on("error", () => undefined);
  s.on("data", (d: string) => {
    buf += d;
    for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line === "inspect") {
        void kernelSocketView(s.remotePort ?? 0, s.localPort ?? 0).then((view) => {
          if (!s.destroyed) s.write(`${JSON.stringify(view)}\n`);
        });
      } else if (line === "reset") {
        s.resetAndDestroy();
        return;
      } else {
        s.destroy();
        return;
      }
    }
    if (buf.length > MAX_LINE) s.destroy();
  });
}

export async function startProbePeer(): Promise<ProbePeer> {
  // Looked up while the agent starts, not during the first probe's time.
  void pythonBinary();
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    serve(s);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    host: "127.0.0.1",
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
