// Raw Deno baseline for `netparity bench`: the adapter bench agent's workloads written straight
// against Deno.listen / Deno.connect / Deno.listenDatagram (https://docs.deno.com/api/deno/~/Deno.listen),
// and Deno.listenTls / Deno.connectTls for the TLS roles,
// as a competent user would: one async loop per connection, one reused read buffer per
// connection, write() looped until the whole buffer is taken (it may write only part).
// sha256 is Deno's node:crypto createHash, the same native hash the adapter uses.
// Protocol: one JSON argument (conformance/src/in-runtime/bench/protocol.ts), JSON lines on stdout.
import { createHash } from "node:crypto";
import { handshakeLoops, LatencyRecorder, PARENT_PIPE_ENV, UdpRequestWindow } from "../../dist/bench-lib.js";

const spec = JSON.parse(Deno.args[0] ?? "{}");
const base = { runtime: "deno", version: Deno.version.deno };
const enc = new TextEncoder();
const dec = new TextDecoder();
const emit = (e) => {
  const b = enc.encode(`${JSON.stringify(e)}\n`);
  for (let off = 0; off < b.length; ) off += Deno.stdout.writeSync(b.subarray(off));
};
const now = () => performance.now();
const READ_BUFFER = 64 * 1024;

function fail(e) {
  emit({ event: "error", message: String(e?.stack ?? e) });
  Deno.exit(1);
}
globalThis.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  fail(e.reason);
});
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
Deno.addSignalListener("SIGINT", () => Deno.exit(0));
// No program outlives the bench, SIGKILL included: the bench gives stdin as a pipe it never
// writes to, whose end means it has gone (src/in-runtime/common/parent.ts).
if (Deno.env.get(PARENT_PIPE_ENV) === "1") {
  void (async () => {
    const buf = new Uint8Array(1024);
    try {
      while ((await Deno.stdin.read(buf)) !== null);
    } catch {
      // a failed read ends stdin as well
    }
    Deno.exit(129);
  })();
}

// TLS roles: the run's throwaway certificate set, read from the files the bench names.
const pem = spec.tls
  ? {
      cert: Deno.readTextFileSync(spec.tls.cert),
      key: Deno.readTextFileSync(spec.tls.key),
      ca: Deno.readTextFileSync(spec.tls.ca),
    }
  : null;

const listening = (port) => emit({ event: "listening", port, pid: Deno.pid, ...base, impl: "raw" });
const linger = () => setTimeout(() => Deno.exit(0), 60_000);

function pattern(n, seed) {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function frame(payload) {
  const b = new Uint8Array(4 + payload.length);
  new DataView(b.buffer).setUint32(0, payload.length);
  b.set(payload, 4);
  return b;
}

async function writeAll(conn, buf) {
  let off = 0;
  while (off < buf.length) off += await conn.write(off === 0 ? buf : buf.subarray(off));
}

// ---- servers -------------------------------------------------------------------------

function serve(handle) {
  // A TLS connection handshakes on its first read; the handler is the same as over TCP.
  const listener = pem
    ? Deno.listenTls({ hostname: spec.host, port: spec.port, cert: pem.cert, key: pem.key })
    : // scaling: several processes on one port (SO_REUSEPORT; needs --unstable-net, which the bench passes).
      Deno.listen({ hostname: spec.host, port: spec.port, ...(spec.reusePort ? { reusePort: true } : {}) });
  listening(listener.addr.port);
  void (async () => {
    for await (const conn of listener) {
      handle(conn)
        .catch(() => {})
        .finally(() => {
          try {
            conn.close();
          } catch {
            // already closed
          }
        });
    }
  })();
}

function sinkServer() {
  serve(async (conn) => {
    const buf = new Uint8Array(READ_BUFFER);
    let n = 0;
    for (;;) {
      const r = await conn.read(buf);
      if (r === null) break;
      n += r;
    }
    await writeAll(conn, enc.encode(`${n}\n`));
    await conn.closeWrite();
  });
}

function echoServer() {
  serve(async (conn) => {
    // Deno.TlsConn has no setNoDelay.
    if (!pem) conn.setNoDelay(true);
    const buf = new Uint8Array(READ_BUFFER);
    for (;;) {
      const r = await conn.read(buf);
      if (r === null) break;
      await writeAll(conn, buf.subarray(0, r));
    }
    await conn.closeWrite();
  });
}

function transferServer() {
  serve(async (conn) => {
    const buf = new Uint8Array(READ_BUFFER);
    const h = new Uint8Array(4);
    let hfill = 0;
    const HEADER = 0,
      META = 1,
      BODY = 2;
    let state = HEADER,
      left = 0,
      meta = null,
      metaBuf = null,
      metaFill = 0,
      hash = null,
      size = 0;
    for (;;) {
      const r = await conn.read(buf);
      if (r === null) return;
      let off = 0;
      while (off < r) {
        if (state === HEADER) {
          let len;
          if (hfill === 0 && r - off >= 4) {
            len = ((buf[off] << 24) >>> 0) + ((buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]);
            off += 4;
          } else {
            while (hfill < 4 && off < r) h[hfill++] = buf[off++];
            if (hfill < 4) break;
            hfill = 0;
            len = ((h[0] << 24) >>> 0) + ((h[1] << 16) | (h[2] << 8) | h[3]);
          }
          if (meta === null) {
            metaBuf = new Uint8Array(len);
            metaFill = 0;
            left = len;
            state = META;
          } else if (len === 0) {
            const sha256 = hash.digest("hex");
            const ok = size === meta.size && sha256 === meta.sha256;
            await writeAll(conn, frame(enc.encode(JSON.stringify({ ok, name: meta.name, size, sha256 }))));
            await conn.closeWrite();
            return;
          } else {
            left = len;
            state = BODY;
          }
        } else if (state === META) {
          const take = Math.min(left, r - off);
          metaBuf.set(buf.subarray(off, off + take), metaFill);
          metaFill += take;
          off += take;
          left -= take;
          if (left === 0) {
            meta = JSON.parse(dec.decode(metaBuf));
            hash = createHash("sha256");
            state = HEADER;
          }
        } else {
          const take = Math.min(left, r - off);
          hash.update(buf.subarray(off, off + take));
          size += take;
          off += take;
          left -= take;
          if (left === 0) state = HEADER;
        }
      }
    }
  });
}

function udpServer() {
  const sock = Deno.listenDatagram({ transport: "udp", hostname: spec.host, port: spec.port });
  listening(sock.addr.port);
  void (async () => {
    const buf = new Uint8Array(READ_BUFFER);
    for (;;) {
      const [data, from] = await sock.receive(buf);
      await sock.send(data, from);
    }
  })();
}

// ---- clients -------------------------------------------------------------------------

// TLS: the certificate is verified against the run's CA (and Deno's roots) for the IP literal.
const connect = () =>
  pem
    ? Deno.connectTls({ hostname: spec.host, port: spec.port, caCerts: [pem.ca] })
    : Deno.connect({ hostname: spec.host, port: spec.port });

async function readAnswer(conn) {
  const buf = new Uint8Array(READ_BUFFER);
  const parts = [];
  for (;;) {
    const r = await conn.read(buf);
    if (r === null) break;
    parts.push(buf.slice(0, r));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function bulkOnce(bytes, block) {
  const conn = await connect();
  const t0 = now();
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, block.length);
    await writeAll(conn, n === block.length ? block : block.subarray(0, n));
    left -= n;
  }
  await conn.closeWrite();
  const text = dec.decode(await readAnswer(conn)).trim();
  const secs = (now() - t0) / 1000;
  conn.close();
  if (Number(text) !== bytes) throw new Error(`sink counted ${text} of ${bytes}`);
  return secs;
}

async function bulkClient() {
  const block = pattern(256 * 1024, 1);
  if (spec.warmup) await bulkOnce(spec.warmup, block);
  emit({ event: "start" });
  const bytes = spec.bytes ?? 2 ** 30;
  const seconds = await bulkOnce(bytes, block);
  emit({ event: "result", ok: true, seconds, bytes, ...base });
  linger();
}

async function rttClient() {
  const size = spec.size ?? 64;
  const msg = pattern(size, 2);
  const conn = await connect();
  conn.setNoDelay(true);
  const buf = new Uint8Array(READ_BUFFER);
  const once = async () => {
    await writeAll(conn, msg);
    for (let got = 0; got < size; ) {
      const r = await conn.read(buf);
      if (r === null) throw new Error("echo server closed the connection");
      got += r;
    }
  };
  const warmUntil = now() + (spec.warmup ?? 0) * 1000;
  for (let i = 0; i < 10_000_000 && now() < warmUntil; i++) await once();
  const hist = new LatencyRecorder();
  emit({ event: "start" });
  const t0 = now();
  const until = t0 + (spec.seconds ?? 2) * 1000;
  let t = t0,
    n = 0;
  while (n < 50_000_000 && t < until) {
    await once();
    const t1 = now();
    hist.record(t1 - t);
    t = t1;
    n++;
  }
  await conn.closeWrite();
  conn.close();
  emit({ event: "result", ok: true, seconds: (t - t0) / 1000, messages: n, latency: hist.stats(), ...base });
  linger();
}

/** One new TLS connection: handshake, `msg` out, half-close, the echo back until the server's FIN. */
async function handshakeOnce(msg, buf) {
  const conn = await connect();
  try {
    await conn.handshake();
    await writeAll(conn, msg);
    await conn.closeWrite();
    let got = 0;
    for (let i = 0; i < 1000; i++) {
      const r = await conn.read(buf);
      if (r === null) break;
      got += r;
    }
    if (got !== msg.length) throw new Error(`echo returned ${got} of ${msg.length} bytes`);
  } finally {
    conn.close();
  }
}

/** `connections` loops of handshakeOnce: warm-up seconds, then the measured seconds. */
async function handshakeClient() {
  const msg = pattern(spec.size ?? 64, 5);
  const r = await handshakeLoops(
    spec,
    () => {
      const buf = new Uint8Array(READ_BUFFER);
      return () => handshakeOnce(msg, buf);
    },
    now,
    () => emit({ event: "start" }),
  );
  emit({ event: "result", ...r, ...base });
  linger();
}

function shaOf(block, bytes) {
  const h = createHash("sha256");
  for (let left = bytes; left > 0; left -= block.length)
    h.update(left >= block.length ? block : block.subarray(0, left));
  return h.digest("hex");
}

async function transferOnce(bytes, block, sha) {
  const frameSize = spec.size ?? 64 * 1024;
  const conn = await connect();
  const t0 = now();
  await writeAll(conn, frame(enc.encode(JSON.stringify({ name: "bench.bin", size: bytes, sha256: sha }))));
  const h = new Uint8Array(4);
  const view = new DataView(h.buffer);
  for (let sent = 0, at = 0; sent < bytes; ) {
    const n = Math.min(frameSize, bytes - sent, block.length - at);
    view.setUint32(0, n);
    await writeAll(conn, h);
    await writeAll(conn, block.subarray(at, at + n));
    sent += n;
    at = (at + n) % block.length;
  }
  view.setUint32(0, 0);
  await writeAll(conn, h);
  const reply = await readAnswer(conn);
  const secs = (now() - t0) / 1000;
  conn.close();
  const r = JSON.parse(dec.decode(reply.subarray(4)));
  if (!r.ok || r.size !== bytes || r.sha256 !== sha) throw new Error(`transfer not verified: ${JSON.stringify(r)}`);
  return secs;
}

async function transferClient() {
  const block = pattern(1024 * 1024, 3);
  const bytes = spec.bytes ?? 256 * 2 ** 20;
  if (spec.warmup) await transferOnce(spec.warmup, block, shaOf(block, spec.warmup));
  const sha = shaOf(block, bytes);
  emit({ event: "start" });
  const seconds = await transferOnce(bytes, block, sha);
  emit({ event: "result", ok: true, seconds, bytes, ...base });
  linger();
}

async function udpClient() {
  const sock = Deno.listenDatagram({
    transport: "udp",
    hostname: spec.host.includes(":") ? "::1" : "127.0.0.1",
    port: 0,
  });
  const to = { transport: "udp", hostname: spec.host, port: spec.port };
  const w = new UdpRequestWindow((text) => sock.send(enc.encode(text), to).catch(() => {}), now);
  const receiver = (async () => {
    const buf = new Uint8Array(READ_BUFFER);
    for (;;) {
      let data;
      try {
        [data] = await sock.receive(buf);
      } catch {
        return; // closed
      }
      w.onReply(dec.decode(data));
    }
  })();
  const r = await w.run({
    window: spec.window ?? 8,
    warmupSeconds: spec.warmup ?? 0,
    seconds: spec.seconds ?? 2,
    onStart: () => emit({ event: "start" }),
  });
  sock.close();
  await receiver;
  emit({ event: "result", ok: true, ...r, ...base });
  linger();
}

const roles = {
  "sink-server": sinkServer,
  "echo-server": echoServer,
  "transfer-server": transferServer,
  "udp-server": udpServer,
  "bulk-client": bulkClient,
  "handshake-client": handshakeClient,
  "rtt-client": rttClient,
  "transfer-client": transferClient,
  "udp-client": udpClient,
};
const role = roles[spec.role];
if (!role) fail(`role ${spec.role} is not offered by the raw deno program`);
else Promise.resolve(role()).catch(fail);
