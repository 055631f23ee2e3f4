/** Unix domain stream sockets: availability, reported addresses, the socket file's life. */
import type { Listener } from "@netparity/protocol";
import type { Probe } from "./types.js";
import {
  classifySocketFile,
  classifyUnixRoundTrip,
  type SocketFileEvidence,
  UNIX_MESSAGE,
  type UnixRoundTripEvidence,
} from "./unix-classify.js";
import { errorEvidence, readText, scoped, socketPath } from "./util.js";

export const unixProbes: Probe[] = [
  {
    id: "unix.roundtrip",
    title: "Unix socket: listen, connect, exchange bytes; which addresses are reported",
    needs: ["unix"],
    classify: classifyUnixRoundTrip,
    async collect(rt) {
      return scoped(async (scope) => {
        const path = await socketPath(rt, scope);
        let l: Listener;
        try {
          l = scope.listener(await rt.listen({ transport: "unix", path }));
        } catch (e) {
          return errorEvidence(e) satisfies UnixRoundTripEvidence;
        }
        const [c, s] = await Promise.all([rt.connect({ transport: "unix", path }), l.accept()]);
        scope.conn(c);
        if (s) scope.conn(s);
        await c.write(new TextEncoder().encode(UNIX_MESSAGE));
        await c.closeWrite();
        const got = s ? await readText(rt, s, 2000) : { text: "", eof: false };
        const p = (a: { transport: string; path?: string }): string =>
          a.transport === "unix" ? (a.path === path ? "<path>" : JSON.stringify(a.path ?? "")) : a.transport;
        return {
          listener: p(l.address),
          clientLocal: p(c.localAddress),
          clientRemote: p(c.remoteAddress),
          serverLocal: s ? p(s.localAddress) : null,
          serverRemote: s ? p(s.remoteAddress) : null,
          serverGot: got.text,
        } satisfies UnixRoundTripEvidence;
      });
    },
  },
  {
    id: "unix.socket-file-after-close",
    title: "is the socket file removed when the listener closes, and can the path be reused?",
    needs: ["unix"],
    classify: classifySocketFile,
    async collect(rt) {
      return scoped(async (scope) => {
        const path = await socketPath(rt, scope);
        const l = await rt.listen({ transport: "unix", path });
        const existsWhileOpen = await rt.fs.exists(path);
        await l.close();
        const existsAfter = await rt.fs.exists(path);
        let relisten: SocketFileEvidence["relisten"] = "ok";
        try {
          scope.listener(await rt.listen({ transport: "unix", path }));
        } catch (e) {
          relisten = errorEvidence(e);
        }
        return { existsWhileOpen, existsAfterClose: existsAfter, relisten } satisfies SocketFileEvidence;
      });
    },
  },
];
