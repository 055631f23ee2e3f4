/** Unix domain stream sockets: availability, reported addresses, the socket file's life. */
import type { Listener } from "@netparity/protocol";
import type { Probe } from "./types.js";
import { errorEvidence, errorShape, readText, scoped, socketPath } from "./util.js";

export const unixProbes: Probe[] = [
  {
    id: "unix.roundtrip",
    title: "Unix socket: listen, connect, exchange bytes; which addresses are reported",
    needs: ["unix"],
    async run(rt) {
      return scoped(async (scope) => {
        const path = await socketPath(rt, scope);
        let l: Listener;
        try {
          l = scope.listener(await rt.listen({ transport: "unix", path }));
        } catch (e) {
          return {
            outcome: errorShape(e),
            evidence: errorEvidence(e),
            explanation: "Listening on a Unix socket path failed.",
          };
        }
        const [c, s] = await Promise.all([rt.connect({ transport: "unix", path }), l.accept()]);
        scope.conn(c);
        if (s) scope.conn(s);
        await c.write(new TextEncoder().encode("over unix"));
        await c.closeWrite();
        const got = s ? await readText(rt, s, 2000) : { text: "", eof: false };
        const p = (a: { transport: string; path?: string }): string =>
          a.transport === "unix" ? (a.path === path ? "<path>" : JSON.stringify(a.path ?? "")) : a.transport;
        const seen = `client remote ${p(c.remoteAddress)}, server remote ${s ? p(s.remoteAddress) : "?"}`;
        return {
          outcome: got.text === "over unix" ? "supported" : "no-data",
          evidence: {
            listener: p(l.address),
            clientLocal: p(c.localAddress),
            clientRemote: p(c.remoteAddress),
            serverLocal: s ? p(s.localAddress) : null,
            serverRemote: s ? p(s.remoteAddress) : null,
          },
          explanation: `Bytes flow over a Unix stream socket; ${seen} (an unbound client socket has no path).`,
        };
      });
    },
  },
  {
    id: "unix.socket-file-after-close",
    title: "is the socket file removed when the listener closes, and can the path be reused?",
    needs: ["unix"],
    async run(rt) {
      return scoped(async (scope) => {
        const path = await socketPath(rt, scope);
        const l = await rt.listen({ transport: "unix", path });
        const existsWhileOpen = await rt.fs.exists(path);
        await l.close();
        const existsAfter = await rt.fs.exists(path);
        let relisten = "ok";
        let error: Record<string, unknown> | null = null;
        try {
          scope.listener(await rt.listen({ transport: "unix", path }));
        } catch (e) {
          relisten = errorShape(e);
          error = errorEvidence(e);
        }
        return {
          outcome: `${existsAfter ? "file left behind" : "file removed"}; relisten ${relisten}`,
          evidence: { existsWhileOpen, existsAfterClose: existsAfter, relisten: error ?? "ok" },
          explanation: existsAfter
            ? `Closing the listener leaves the socket file; listening on the path again gives ${relisten}.`
            : "Closing the listener removes the socket file, so the path can be listened on again at once.",
        };
      });
    },
  },
];
