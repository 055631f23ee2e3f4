/** TCP stream behaviour: half-close, large writes, backpressure, closing and resets, options. */
import type { Connection, Listener, Runtime } from "@netparity/protocol";
import { median } from "../common/stats.js";
import type { Probe } from "./types.js";
import {
  codeOf,
  errorEvidence,
  errorShape,
  mib,
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
    async run(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        await client.write(enc.encode("ping"));
        await client.closeWrite();
        const first = await readText(rt, server, 2000);
        if (!first.eof)
          return {
            outcome: "no-eof",
            evidence: { serverGot: first.text },
            explanation: "The server never saw the client's FIN as end of stream.",
          };
        const w = await settle(
          rt,
          server.write(enc.encode("pong after FIN")).then(() => server.closeWrite()),
          2000,
        );
        if (w.state !== "resolved") {
          return {
            outcome: w.state === "rejected" ? `server write fails ${codeOf(w.error)}` : "server write hangs",
            evidence: { write: w.state === "rejected" ? errorEvidence(w.error) : "pending" },
            explanation: "After the client's FIN the server can no longer write: the runtime closed the socket on EOF.",
          };
        }
        const back = await readText(rt, client, 2000);
        const ok = back.text === "pong after FIN";
        return {
          outcome: ok ? "server writes after FIN" : "reply lost",
          evidence: { serverGot: first.text, clientGot: back.text, clientSawEof: back.eof },
          explanation: ok
            ? "The server reads EOF after the client's FIN and can still answer; the client receives the answer, then EOF."
            : "The server's answer after the client's FIN did not reach the client.",
        };
      });
    },
  },
  {
    id: "tcp.write-64mib",
    title: "one 64 MiB write to a peer that is not reading yet",
    async run(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        const size = 64 * 1024 * 1024;
        const data = new Uint8Array(size);
        const t0 = rt.host.now();
        const write = client.write(data);
        const early = await settle(rt, write, 1000);
        if (early.state === "rejected")
          return {
            outcome: `fails ${codeOf(early.error)}`,
            evidence: errorEvidence(early.error),
            explanation: "The 64 MiB write failed.",
          };
        const tRead = rt.host.now();
        const got = await readAtLeast(rt, server, size, 3000);
        const late = early.state === "resolved" ? early : await settle(rt, write, 500);
        const evidence = {
          bytes: size,
          resolvedBeforeReadMs: early.state === "resolved" ? early.ms : null,
          resolvedAfterReaderStartedMs:
            early.state === "pending" && late.state === "resolved" ? Math.round(rt.host.now() - tRead) : null,
          readerGotMiB: mib(got.bytes),
          readMs: Math.round(rt.host.now() - tRead),
          totalMs: Math.round(rt.host.now() - t0),
        };
        if (early.state === "resolved") {
          return {
            outcome: "buffered",
            evidence,
            explanation: `The write resolved after ${early.ms} ms with the peer not reading: the runtime buffers the whole 64 MiB in user space.`,
          };
        }
        if (late.state === "resolved" && got.bytes === size) {
          return {
            outcome: "waits-for-reader",
            evidence,
            explanation:
              "The write stays pending until the peer reads (backpressure); it resolves once the kernel took the last byte.",
          };
        }
        return {
          outcome: late.state === "rejected" ? `fails ${codeOf(late.error)}` : "never-resolves",
          evidence,
          explanation: "The write did not complete even though the peer read.",
        };
      });
    },
  },
  {
    id: "tcp.backpressure-unread",
    title: "how much can be written to a peer that never reads?",
    async run(rt) {
      return scoped(async (scope) => {
        const { client } = await tcpPair(rt, scope);
        const chunk = new Uint8Array(256 * 1024);
        const cap = 128 * 1024 * 1024;
        let accepted = 0;
        const t0 = rt.host.now();
        while (accepted < cap) {
          const r = await settle(rt, client.write(chunk), 250);
          if (r.state === "rejected")
            return {
              outcome: `fails ${codeOf(r.error)}`,
              evidence: { acceptedMiB: mib(accepted), error: errorEvidence(r.error) },
              explanation: "A write to an unread peer failed.",
            };
          if (r.state === "pending") {
            return {
              outcome: "write-waits",
              evidence: { acceptedMiB: mib(accepted), chunkKiB: 256, ms: Math.round(rt.host.now() - t0) },
              explanation: `Writes resolve until about ${mib(accepted)} MiB sit in the socket buffers, then a write waits for the reader: backpressure is signalled.`,
            };
          }
          accepted += chunk.byteLength;
        }
        return {
          outcome: "never-waits",
          evidence: { acceptedMiB: mib(accepted) },
          explanation:
            "128 MiB were accepted without the peer reading: the runtime buffers without bound and never signals backpressure.",
        };
      });
    },
  },
  {
    id: "tcp.close-pending-read",
    title: "close() while a read is pending",
    async run(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        const pending = server.read();
        await sleep(30);
        server.close();
        const r = await settle(rt, pending, 1000);
        const local =
          r.state === "pending"
            ? "stays pending"
            : r.state === "rejected"
              ? `rejects ${codeOf(r.error)}`
              : r.value === null
                ? "resolves null"
                : "data";
        const peer = await readOutcome(rt, client, 1000);
        const closed = await settle(rt, server.closed, 1000);
        return {
          outcome: `read ${local}; peer ${peer.label}`,
          evidence: {
            pendingRead: r.state === "rejected" ? errorEvidence(r.error) : r.state,
            afterMs: r.ms,
            peer: peer.detail,
            closedPromise: closed.state,
          },
          explanation: `Closing a connection under a pending read makes that read ${local}; the peer's read gives ${peer.label}.`,
        };
      });
    },
  },
  {
    id: "tcp.close-after-read",
    title: 'close() right after a read resolved (the pull API\'s "close in the data callback")',
    async run(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        await client.write(new Uint8Array(1024));
        const first = await settle(rt, server.read(), 2000);
        if (first.state !== "resolved" || first.value === null)
          return { outcome: "no-data", evidence: {}, explanation: "The first read did not deliver data." };
        const n = first.value.byteLength;
        server.close(); // same tick as the read's continuation
        const next = await readOutcome(rt, server, 500);
        const write = await settle(rt, server.write(new Uint8Array(1)), 500);
        const peer = await readOutcome(rt, client, 1000);
        const writeLabel = write.state === "rejected" ? codeOf(write.error) : write.state;
        return {
          outcome: `next read ${next.label}; write ${writeLabel}; peer ${peer.label}`,
          evidence: {
            firstReadBytes: n,
            nextRead: next.detail,
            write: write.state === "rejected" ? errorEvidence(write.error) : write.state,
            peer: peer.detail,
          },
          explanation: `After close() in the read continuation the next read gives ${next.label}, a write ${writeLabel === "rejected" ? "rejects" : writeLabel}, and the peer sees ${peer.label}.`,
        };
      });
    },
  },
  {
    id: "tcp.reset-unread",
    title: "what the peer sees when a connection is closed with unread received data",
    async run(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        await client.write(new Uint8Array(64 * 1024));
        await sleep(100);
        server.close(); // 64 KiB received but never read by the application
        const peer = await readOutcome(rt, client, 1500);
        const w = await settle(rt, client.write(new Uint8Array(1)), 500);
        const wl = w.state === "rejected" ? codeOf(w.error) : w.state === "resolved" ? "ok" : "pending";
        return {
          outcome: `peer read ${peer.label}; next write ${wl}`,
          evidence: {
            peerRead: peer.detail,
            peerWriteAfter: w.state === "rejected" ? errorEvidence(w.error) : w.state,
          },
          explanation:
            peer.label === "ECONNRESET"
              ? "Unread bytes were still in the kernel's receive buffer, so close() sent RST: the peer's read fails with ECONNRESET."
              : wl === "ok"
                ? `The peer reads ${peer.label} and can still write once: the runtime had already pulled the bytes into user space, so close() sent a plain FIN.`
                : `The peer reads ${peer.label} (a FIN came first), and its next write fails with ${wl} (the RST for the unread bytes followed).`,
        };
      });
    },
  },
  {
    id: "tcp.write-after-peer-close",
    title: "writing to a connection the peer has closed",
    async run(rt) {
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
          outcome: firstError === undefined ? "writes keep succeeding" : `fails ${codeOf(firstError)}`,
          evidence: { writes: results, error: firstError === undefined ? null : errorEvidence(firstError) },
          explanation:
            firstError === undefined
              ? "Writes to a closed peer kept resolving; the failure is not reported to the writer."
              : `Write #${results.length} after the peer closed fails with ${codeOf(firstError)} (the first is accepted by the kernel and answered with RST).`,
        };
      });
    },
  },
  {
    id: "tcp.nodelay-default",
    title: "is Nagle's algorithm on by default (TCP_NODELAY off)?",
    async run(rt) {
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
        const outcome =
          d > 20 && n < 10 ? "nagle on (noDelay false)" : d < 10 ? "nagle off (noDelay true)" : "inconclusive";
        return {
          outcome,
          evidence: {
            medianDefaultMs: d,
            medianNoDelayMs: n,
            defaultRoundsMs: byDefault,
            noDelayRoundsMs: noDelay,
            readable: "no getter in any runtime's API",
          },
          explanation:
            outcome === "inconclusive"
              ? `Write-write-read took ${d} ms by default and ${n} ms with setNoDelay(true): no clear Nagle signature.`
              : `Write-write-read round trips take ${d} ms by default and ${n} ms after setNoDelay(true), so new sockets have Nagle ${outcome.startsWith("nagle on") ? "on" : "off"}.`,
        };
      });
    },
  },
  {
    id: "tcp.keepalive",
    title: "can SO_KEEPALIVE be set?",
    async run(rt) {
      return scoped(async (scope) => {
        const { client } = await tcpPair(rt, scope);
        if (typeof client.setKeepAlive !== "function") {
          return {
            outcome: "not exposed",
            evidence: { method: "absent" },
            explanation: "The adapter offers no setKeepAlive: the runtime's native API does not expose SO_KEEPALIVE.",
          };
        }
        try {
          client.setKeepAlive(true, 1000);
          client.setKeepAlive(false);
        } catch (e) {
          return { outcome: `fails ${codeOf(e)}`, evidence: errorEvidence(e), explanation: "setKeepAlive threw." };
        }
        return {
          outcome: "settable",
          evidence: { enabledWithDelayMs: 1000, readable: "no getter in any runtime's API" },
          explanation:
            "SO_KEEPALIVE can be switched on and off on an open connection (it cannot be read back to confirm).",
        };
      });
    },
  },
  {
    id: "tcp.connect-abort",
    title: "an AbortSignal aborted right after connect() is called (connect timeout)",
    needs: ["connectSignal"],
    async run(rt) {
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
        const label = r.state === "resolved" ? "connects anyway" : r.state === "rejected" ? codeOf(r.error) : "hangs";
        return {
          outcome: label,
          evidence: {
            connect: r.state === "rejected" ? errorEvidence(r.error) : r.state,
            afterMs: r.ms,
            listenerSaw: serverSaw,
          },
          explanation:
            r.state === "rejected"
              ? `An abort right after connect() rejects it with ${label} (the abort reason is kept as cause); the listener saw ${serverSaw}.`
              : "The abort did not stop connect().",
        };
      });
    },
  },
  {
    id: "tcp.abort-open",
    title: "aborting the connect signal of an open connection",
    needs: ["connectSignal"],
    async run(rt) {
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
        const peer = s ? await readOutcome(rt, s, 1000) : { label: "none", detail: {} };
        const localLabel =
          local.state === "rejected"
            ? codeOf(local.error)
            : local.state === "resolved"
              ? local.value === null
                ? "eof"
                : "data"
              : "pending";
        return {
          outcome: `local read ${localLabel}; peer ${peer.label}`,
          evidence: {
            localRead: local.state === "rejected" ? errorEvidence(local.error) : localLabel,
            peer: peer.detail,
          },
          explanation: `Aborting the signal of an open connection ${localLabel === "pending" ? "leaves it open" : "closes it"}: the pending read gives ${localLabel}, the peer sees ${peer.label}.`,
        };
      });
    },
  },
  {
    id: "tcp.read-chunk-max",
    title: "largest chunk one read() returns",
    async run(rt) {
      return scoped(async (scope) => {
        const { client, server } = await tcpPair(rt, scope);
        const size = 8 * 1024 * 1024;
        const w = client.write(new Uint8Array(size)).catch(() => undefined);
        await sleep(50); // let the socket buffers fill so reads can return as much as they can
        const got = await readAtLeast(rt, server, size, 3000);
        await w;
        let bucket = 1024;
        while (bucket < got.maxChunk) bucket *= 2;
        return {
          outcome: `≤ ${bucket / 1024} KiB`,
          evidence: {
            maxChunk: got.maxChunk,
            reads: got.chunks,
            bytes: got.bytes,
            averageChunk: Math.round(got.bytes / Math.max(1, got.chunks)),
          },
          explanation: `Reading 8 MiB took ${got.chunks} reads; the largest returned ${got.maxChunk} bytes (the size of the runtime's read buffer).`,
        };
      });
    },
  },
  {
    id: "tcp.rebind-time-wait",
    title: "listen again at once on a port whose connection is in TIME_WAIT",
    async run(rt) {
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
          return {
            outcome: "rebinds",
            evidence: { port, address: again.address },
            explanation:
              "The port is listened on again at once although a connection on it is in TIME_WAIT: the runtime sets SO_REUSEADDR on listeners.",
          };
        } catch (e) {
          return {
            outcome: errorShape(e),
            evidence: { port, ...errorEvidence(e) },
            explanation:
              "Listening again on the port failed while its last connection is in TIME_WAIT (no SO_REUSEADDR).",
          };
        }
      });
    },
  },
  {
    id: "tcp.reuseport",
    title: "two listeners on one port with reusePort",
    async run(rt) {
      return scoped(async (scope) => {
        const a = scope.listener(
          await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0, reusePort: true }),
        );
        const port = tcpPort(a.address);
        let b: Listener;
        try {
          b = scope.listener(await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port, reusePort: true }));
        } catch (e) {
          return {
            outcome: errorShape(e),
            evidence: { featuresReusePort: rt.features.reusePort, ...errorEvidence(e) },
            explanation:
              "A second listener with reusePort on the same port fails: the option is not honoured (SO_REUSEPORT is not set).",
          };
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
        return {
          outcome: "both listen",
          evidence: { featuresReusePort: rt.features.reusePort, accepted: counts },
          explanation: `Both listeners bind the port with reusePort; 8 clients were spread ${counts.first}/${counts.second} by the kernel.`,
        };
      });
    },
  },
];
