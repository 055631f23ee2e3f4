/** TCP stream behaviour: half-close, large writes, backpressure, closing and resets, options. */
import type { Connection, Listener, Runtime } from "@netparity/protocol";
import { median } from "../common/stats.js";
import {
  type AbortOpenEvidence,
  type BackpressureEvidence,
  type CloseAfterReadEvidence,
  type ClosePendingReadEvidence,
  type ConnectAbortEvidence,
  classifyAbortOpen,
  classifyBackpressure,
  classifyCloseAfterRead,
  classifyClosePendingRead,
  classifyConnectAbort,
  classifyKeepAlive,
  classifyNoDelay,
  classifyReadChunk,
  classifyRebind,
  classifyResetUnread,
  classifyTcpHalfClose,
  classifyTcpReusePort,
  classifyWrite64,
  classifyWriteAfterClose,
  HALF_CLOSE_REPLY,
  type HalfCloseEvidence,
  type KeepAliveEvidence,
  type NoDelayEvidence,
  type ReadChunkEvidence,
  type RebindEvidence,
  type ResetUnreadEvidence,
  type SettledEvidence,
  type TcpReusePortEvidence,
  type Write64Evidence,
  type WriteAfterCloseEvidence,
} from "./tcp-classify.js";
import type { Probe } from "./types.js";
import {
  codeOf,
  errorEvidence,
  mib,
  type Settled,
  readAtLeast,
  readOutcome,
  readText,
  scoped,
  settle,
  sleep,
  tcpPair,
  tcpPort,
} from "./util.js";

const enc = new TextEncoder();

/** How a call settled, as evidence: "resolved", "pending", or the error. */
function settledEvidence(r: Settled<unknown>): SettledEvidence {
  return r.state === "rejected" ? errorEvidence(r.error) : r.state;
}

/**
 * Write-write-read round trips: two 1-byte writes, then wait for the 1-byte answer the
 * server sends once it has both. With Nagle on, the second byte waits for the ACK of the
 * first, which the server delays (~40 ms on Linux), so each round trip takes that long.
 */
async function writeWriteRead(rt: Runtime, client: Connection, rounds: number): Promise<number[]> {
  const out: number[] = [];
  const one = new Uint8Array([1]);
  for (let i = 0; i < rounds; i++) {
    const t0 = rt.host.now();
    await client.write(one);
    await client.write(one);
    const r = await settle(rt, client.read(), 1000);
    if (r.state !== "resolved" || r.value === null) throw new Error(`no answer in round ${i}`);
    out.push(Math.round((rt.host.now() - t0) * 100) / 100);
  }
  return out;
}

async function answerPairs(server: Connection): Promise<void> {
  let have = 0;
  const reply = new Uint8Array([2]);
  for (;;) {
    const c = await server.read().catch(() => null);
    if (c === null) return;
    have += c.byteLength;
    while (have >= 2) {
      have -= 2;
      await server.write(reply).catch(() => undefined);
    }
  }
}

export const tcpProbes: Probe[] = [
  {
    id: "tcp.half-close",
    title: "half-close: can the server still write after the client's FIN?",
    needs: ["halfClose"],
    classify: classifyTcpHalfClose,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        await client.write(enc.encode("ping"));
        await client.closeWrite();
        const first = await readText(rt, server, 2000);
        if (!first.eof) return { serverGot: first.text, serverSawEof: false } satisfies HalfCloseEvidence;
        const w = await settle(
          rt,
          server.write(enc.encode(HALF_CLOSE_REPLY)).then(() => server.closeWrite()),
          2000,
        );
        if (w.state !== "resolved")
          return { serverGot: first.text, serverSawEof: true, write: settledEvidence(w) } satisfies HalfCloseEvidence;
        const back = await readText(rt, client, 2000);
        return {
          serverGot: first.text,
          serverSawEof: true,
          write: "resolved",
          clientGot: back.text,
          clientSawEof: back.eof,
        } satisfies HalfCloseEvidence;
      });
    },
  },
  {
    id: "tcp.write-64mib",
    title: "one 64 MiB write to a peer that is not reading yet",
    classify: classifyWrite64,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        const size = 64 * 1024 * 1024;
        const data = new Uint8Array(size);
        const t0 = rt.host.now();
        const write = client.write(data);
        const early = await settle(rt, write, 1000);
        if (early.state === "rejected") return errorEvidence(early.error) satisfies Write64Evidence;
        const tRead = rt.host.now();
        const got = await readAtLeast(rt, server, size, 3000);
        const late = early.state === "resolved" ? early : await settle(rt, write, 500);
        return {
          bytes: size,
          resolvedBeforeReadMs: early.state === "resolved" ? early.ms : null,
          resolvedAfterReaderStartedMs:
            early.state === "pending" && late.state === "resolved" ? Math.round(rt.host.now() - tRead) : null,
          writeAfterRead: settledEvidence(late),
          readerGotBytes: got.bytes,
          readerGotMiB: mib(got.bytes),
          readMs: Math.round(rt.host.now() - tRead),
          totalMs: Math.round(rt.host.now() - t0),
        } satisfies Write64Evidence;
      });
    },
  },
  {
    id: "tcp.backpressure-unread",
    title: "how much can be written to a peer that never reads?",
    classify: classifyBackpressure,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client } = await tcpPair(rt, scope);
        const chunk = new Uint8Array(256 * 1024);
        const cap = 128 * 1024 * 1024;
        let accepted = 0;
        const t0 = rt.host.now();
        while (accepted < cap) {
          const r = await settle(rt, client.write(chunk), 250);
          if (r.state === "rejected")
            return { acceptedMiB: mib(accepted), error: errorEvidence(r.error) } satisfies BackpressureEvidence;
          if (r.state === "pending")
            return {
              acceptedMiB: mib(accepted),
              chunkKiB: 256,
              ms: Math.round(rt.host.now() - t0),
              ended: "write waits",
            } satisfies BackpressureEvidence;
          accepted += chunk.byteLength;
        }
        return { acceptedMiB: mib(accepted), ended: "cap reached" } satisfies BackpressureEvidence;
      });
    },
  },
  {
    id: "tcp.close-pending-read",
    title: "close() while a read is pending",
    classify: classifyClosePendingRead,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        const pending = server.read();
        await sleep(30);
        server.close();
        const r = await settle(rt, pending, 1000);
        const peer = await readOutcome(rt, client, 1000);
        const closed = await settle(rt, server.closed, 1000);
        return {
          pendingRead:
            r.state === "rejected"
              ? errorEvidence(r.error)
              : r.state === "pending"
                ? "pending"
                : r.value === null
                  ? "resolved null"
                  : "resolved data",
          afterMs: r.ms,
          peer: peer.detail,
          closedPromise: closed.state,
        } satisfies ClosePendingReadEvidence;
      });
    },
  },
  {
    id: "tcp.close-after-read",
    title: 'close() right after a read resolved (the pull API\'s "close in the data callback")',
    classify: classifyCloseAfterRead,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        await client.write(new Uint8Array(1024));
        const first = await settle(rt, server.read(), 2000);
        if (first.state !== "resolved" || first.value === null)
          return {
            firstRead:
              first.state === "resolved" ? "eof" : first.state === "rejected" ? codeOf(first.error) : "pending",
          } satisfies CloseAfterReadEvidence;
        const n = first.value.byteLength;
        server.close(); // same tick as the read's continuation
        const next = await readOutcome(rt, server, 500);
        const write = await settle(rt, server.write(new Uint8Array(1)), 500);
        const peer = await readOutcome(rt, client, 1000);
        return {
          firstReadBytes: n,
          nextRead: next.detail,
          write: settledEvidence(write),
          peer: peer.detail,
        } satisfies CloseAfterReadEvidence;
      });
    },
  },
  {
    id: "tcp.reset-unread",
    title: "what the peer sees when a connection is closed with unread received data",
    classify: classifyResetUnread,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        await client.write(new Uint8Array(64 * 1024));
        await sleep(100);
        server.close(); // 64 KiB received but never read by the application
        const peer = await readOutcome(rt, client, 1500);
        const w = await settle(rt, client.write(new Uint8Array(1)), 500);
        return { peerRead: peer.detail, peerWriteAfter: settledEvidence(w) } satisfies ResetUnreadEvidence;
      });
    },
  },
  {
    id: "tcp.write-after-peer-close",
    title: "writing to a connection the peer has closed",
    classify: classifyWriteAfterClose,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        server.close();
        await sleep(50);
        const results: string[] = [];
        let firstError: unknown;
        for (let i = 0; i < 6 && firstError === undefined; i++) {
          const r = await settle(rt, client.write(new Uint8Array(1024)), 500);
          results.push(r.state === "rejected" ? codeOf(r.error) : r.state);
          if (r.state === "rejected") firstError = r.error;
          await sleep(30);
        }
        return {
          writes: results,
          error: firstError === undefined ? null : errorEvidence(firstError),
        } satisfies WriteAfterCloseEvidence;
      });
    },
  },
  {
    id: "tcp.nodelay-default",
    title: "is Nagle's algorithm on by default (TCP_NODELAY off)?",
    classify: classifyNoDelay,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        const answering = answerPairs(server);
        // No runtime offers a getter for TCP_NODELAY, so the default is measured: write-write-read.
        const byDefault = await writeWriteRead(rt, client, 8);
        client.setNoDelay(true);
        const noDelay = await writeWriteRead(rt, client, 8);
        client.close();
        server.close();
        await answering;
        // Always eight rounds, never empty; the upper middle keeps the reported value a measured one.
        const d = median(byDefault, "upper");
        const n = median(noDelay, "upper");
        return {
          medianDefaultMs: d,
          medianNoDelayMs: n,
          defaultRoundsMs: byDefault,
          noDelayRoundsMs: noDelay,
          readable: "no getter in any runtime's API",
        } satisfies NoDelayEvidence & { readable: string };
      });
    },
  },
  {
    id: "tcp.keepalive",
    title: "can SO_KEEPALIVE be set?",
    classify: classifyKeepAlive,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client } = await tcpPair(rt, scope);
        if (typeof client.setKeepAlive !== "function") return { method: "absent" } satisfies KeepAliveEvidence;
        try {
          client.setKeepAlive(true, 1000);
          client.setKeepAlive(false);
        } catch (e) {
          return errorEvidence(e) satisfies KeepAliveEvidence;
        }
        return { enabledWithDelayMs: 1000, readable: "no getter in any runtime's API" } satisfies KeepAliveEvidence;
      });
    },
  },
  {
    id: "tcp.connect-abort",
    title: "an AbortSignal aborted right after connect() is called (connect timeout)",
    needs: ["connectSignal"],
    classify: classifyConnectAbort,
    async collect(rt) {
      return scoped(async (scope) => {
        const l = scope.listener(await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 }));
        const ac = new AbortController();
        const p = rt.connect({ transport: "tcp", hostname: "127.0.0.1", port: tcpPort(l.address), signal: ac.signal });
        // The reason AbortSignal.timeout() gives: a connect timeout is this abort, later.
        ac.abort(new DOMException("connect timed out", "TimeoutError"));
        const r = await settle(rt, p, 2000);
        if (r.state === "resolved") r.value.close();
        const arrived = await settle(rt, l.accept(), 300);
        if (arrived.state === "resolved") arrived.value?.close();
        const serverSaw = arrived.state === "resolved" && arrived.value ? "connection" : "nothing";
        return { connect: settledEvidence(r), afterMs: r.ms, listenerSaw: serverSaw } satisfies ConnectAbortEvidence;
      });
    },
  },
  {
    id: "tcp.abort-open",
    title: "aborting the connect signal of an open connection",
    needs: ["connectSignal"],
    classify: classifyAbortOpen,
    async collect(rt) {
      return scoped(async (scope) => {
        const l = scope.listener(await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 }));
        const ac = new AbortController();
        const [c, s] = await Promise.all([
          rt.connect({ transport: "tcp", hostname: "127.0.0.1", port: tcpPort(l.address), signal: ac.signal }),
          l.accept(),
        ]);
        scope.conn(c);
        if (s) scope.conn(s);
        const pending = c.read();
        ac.abort();
        const local = await settle(rt, pending, 1000);
        const peer = s ? (await readOutcome(rt, s, 1000)).detail : { ended: "none" as const };
        return {
          localRead:
            local.state === "rejected"
              ? errorEvidence(local.error)
              : local.state === "resolved"
                ? local.value === null
                  ? "eof"
                  : "data"
                : "pending",
          peer,
        } satisfies AbortOpenEvidence;
      });
    },
  },
  {
    id: "tcp.read-chunk-max",
    title: "largest chunk one read() returns",
    classify: classifyReadChunk,
    async collect(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        const size = 8 * 1024 * 1024;
        const w = client.write(new Uint8Array(size)).catch(() => undefined);
        await sleep(50); // let the socket buffers fill so reads can return as much as they can
        const got = await readAtLeast(rt, server, size, 3000);
        await w;
        return {
          maxChunk: got.maxChunk,
          reads: got.chunks,
          bytes: got.bytes,
          averageChunk: Math.round(got.bytes / Math.max(1, got.chunks)),
        } satisfies ReadChunkEvidence;
      });
    },
  },
  {
    id: "tcp.rebind-time-wait",
    title: "listen again at once on a port whose connection is in TIME_WAIT",
    classify: classifyRebind,
    async collect(rt) {
      return scoped(async (scope) => {
        const l = scope.listener(await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 }));
        const port = tcpPort(l.address);
        const [c, s] = await Promise.all([rt.connect({ transport: "tcp", hostname: "127.0.0.1", port }), l.accept()]);
        scope.conn(c);
        if (s) scope.conn(s);
        await c.write(new Uint8Array([1]));
        await s?.read();
        // The server closes first, so its side (bound to `port`) is the one left in TIME_WAIT.
        s?.close();
        await readOutcome(rt, c, 1000);
        c.close();
        await l.close();
        await sleep(20);
        try {
          const again = scope.listener(await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port }));
          return { port, address: again.address } satisfies RebindEvidence;
        } catch (e) {
          return { port, ...errorEvidence(e) } satisfies RebindEvidence;
        }
      });
    },
  },
  {
    id: "tcp.reuseport",
    title: "two listeners on one port with reusePort",
    classify: classifyTcpReusePort,
    async collect(rt) {
      return scoped(async (scope) => {
        const a = scope.listener(
          await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0, reusePort: true }),
        );
        const port = tcpPort(a.address);
        let b: Listener;
        try {
          b = scope.listener(await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port, reusePort: true }));
        } catch (e) {
          return { featuresReusePort: rt.features.reusePort, ...errorEvidence(e) } satisfies TcpReusePortEvidence;
        }
        // Which listener gets each of 8 clients: Linux balances SO_REUSEPORT groups by hash.
        const counts = { first: 0, second: 0 };
        for (let i = 0; i < 8; i++) {
          const c = scope.conn(await rt.connect({ transport: "tcp", hostname: "127.0.0.1", port }));
          void c;
        }
        for (const [name, l] of [
          ["first", a],
          ["second", b],
        ] as const) {
          for (;;) {
            const r = await settle(rt, l.accept(), 150);
            if (r.state !== "resolved" || !r.value) break;
            scope.conn(r.value);
            counts[name]++;
          }
        }
        return { featuresReusePort: rt.features.reusePort, accepted: counts } satisfies TcpReusePortEvidence;
      });
    },
  },
];
