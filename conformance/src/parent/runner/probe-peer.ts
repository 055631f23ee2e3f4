/**
 * The parent's side of the probes that need a peer outside the runtime (`parentPeer` probes):
 * a TCP server on 127.0.0.1 the probe agent connects to. What the probe asks for is done here,
 * in Node's parent, never by the runtime under test:
 *
 *   "inspect\n"  the parent answers one JSON line: the probe's end of this connection as the
 *                kernel sees it (process/socket-view.ts: `ss` and the socket's options);
 *   "reset\n"    the parent resets the connection (an RST, Node's resetAndDestroy());
 *   "dial P\n"   the parent connects to 127.0.0.1:P (the probe's server) and, once that server
 *                has written to it (its 'connection' handler has run), answers one JSON line:
 *                the server's accepted socket as the kernel sees it.
 *
 * Anything else closes the connection. The server lives for one probe run and is closed after it.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { kernelSocketView, pythonBinary } from "../process/socket-view.js";

export interface ProbePeer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Longest command line the peer reads before it gives up on a connection. */
const MAX_LINE = 64;

/** How long the probe's server may take to write to the parent's dialed connection. */
const ACCEPTED_MS = 2000;

/** "dial P": the accepted end of a connection from the parent to the probe's server, read from outside. */
function dial(control: Socket, port: number, track: (s: Socket) => void): void {
  let answered = false;
  const answer = (view: unknown): void => {
    if (answered) return;
    answered = true;
    if (!control.destroyed) control.write(`${JSON.stringify(view)}\n`);
  };
  const unseen = (why: string) => answer({ timer: null, options: { unread: why }, unlisted: why });
  const d = connect({ host: "127.0.0.1", port });
  track(d);
  control.once("close", () => d.destroy());
  const t = setTimeout(() => unseen(`the probe's server wrote nothing within ${ACCEPTED_MS} ms`), ACCEPTED_MS);
  d.on("error", (e: NodeJS.ErrnoException) => {
    clearTimeout(t);
    unseen(`dial failed: ${e.code ?? e.message}`);
  });
  d.once("data", () => {
    clearTimeout(t);
    void kernelSocketView(port, d.localPort ?? 0).then(answer);
  });
}

function serve(s: Socket, track: (s: Socket) => void): void {
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
      } else if (/^dial \d{1,5}$/.test(line) && Number(line.slice(5)) > 0 && Number(line.slice(5)) < 65536) {
        dial(s, Number(line.slice(5)), track);
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
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const server: Server = createServer((s) => {
    track(s);
    serve(s, track);
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
