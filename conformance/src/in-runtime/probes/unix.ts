/** Unix domain stream sockets: availability, reported addresses, the socket file's life. */
import type { Listener } from "@netparity/protocol";
import type { Probe } from "./types.js";
import {
  classifyLongPath,
  classifySocketFile,
  LONG_UNIX_PATH_BYTES,
  type LongPathEvidence,
  classifyUnixRoundTrip,
  type SocketFileEvidence,
  UNIX_MESSAGE,
  type UnixRoundTripEvidence,
} from "./unix-classify.js";
import { codeOf, errorEvidence, readText, scoped, socketPath } from "./util.js";

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
  {
    id: "unix.path-too-long",
    title: `listening on a ${LONG_UNIX_PATH_BYTES}-byte Unix socket path (sun_path holds 107 and a NUL): refused or truncated?`,
    needs: ["unix"],
    classify: classifyLongPath,
    async collect(rt) {
      return scoped(async (scope) => {
        const dir = await rt.fs.tempDir("netparity-probe-");
        const enc = new TextEncoder();
        const fill = LONG_UNIX_PATH_BYTES - enc.encode(`${dir}/.sock`).byteLength;
        const path = `${dir}/${"l".repeat(Math.max(1, fill))}.sock`;
        // ASCII only: a prefix of n bytes is the first n characters.
        const prefix107 = path.slice(0, 107);
        const prefix108 = path.slice(0, 108);
        scope.defer(async () => {
          for (const p of [path, prefix107, prefix108]) await rt.fs.remove(p).catch(() => undefined);
          await rt.fs.remove(dir).catch(() => undefined);
        });
        const bytes = enc.encode(path).byteLength;
        let l: Listener;
        try {
          l = scope.listener(await rt.listen({ transport: "unix", path }));
        } catch (e) {
          return { bytes, listen: errorEvidence(e) } satisfies LongPathEvidence;
        }
        const a = l.address;
        const reported =
          a.transport !== "unix"
            ? a.transport
            : a.path === path
              ? "<path>"
              : `${enc.encode(a.path ?? "").byteLength} bytes`;
        const kind = (p: string): Promise<string | null> => rt.fs.kind(p).catch((e) => `error ${codeOf(e)}`);
        const evidence: LongPathEvidence = {
          bytes,
          listen: "ok",
          reported,
          atPath: await kind(path),
          atPrefix107: await kind(prefix107),
          atPrefix108: await kind(prefix108),
        };
        try {
          scope.conn(await rt.connect({ transport: "unix", path }));
          evidence.connect = "ok";
        } catch (e) {
          evidence.connect = errorEvidence(e);
        }
        return evidence;
      });
    },
  },
];
