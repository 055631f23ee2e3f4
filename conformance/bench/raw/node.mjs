// Over 500 lines on purpose: a raw baseline is one self-contained program per runtime, so a
// reader (or a user re-running it) sees every workload written straight against the API.
// Raw Node.js baseline for `netparity bench`: the same workloads as the adapter bench agent,
// written straight against node:net / node:tls / node:dgram / node:crypto as a competent user would
// (event handlers, socket.pipe for echo, write() + 'drain' for backpressure, no copies).
// It is also the fixed peer: the one client every runtime's server is measured with, and
// the one server every runtime's client is measured against.
// Protocol: one JSON argument (conformance/src/in-runtime/bench/protocol.ts), JSON lines on stdout.
import net from "node:net";
import dgram from "node:dgram";
import { readFileSync } from "node:fs";
import tls from "node:tls";
import { createHash } from "node:crypto";
import { handshakeLoops, LatencyRecorder, PARENT_PIPE_ENV, UdpRequestWindow } from "../../dist/bench-lib.js";

const spec = JSON.parse(process.argv[2] ?? "{}");
const base = { runtime: "node", version: process.versions.node };
const emit = (e) => process.stdout.write(`${JSON.stringify(e)}\n`);
const now = () => performance.now();

function fail(e) {
  emit({ event: "error", message: String(e?.stack ?? e) });
  process.exit(1);
}
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
// No program outlives the bench, SIGKILL included: the bench gives stdin as a pipe it never
// writes to, whose end means it has gone (src/in-runtime/common/parent.ts).
if (process.env[PARENT_PIPE_ENV] === "1") {
  process.stdin.once("end", () => process.exit(129));
  process.stdin.once("error", () => process.exit(129));
  process.stdin.resume();
}

// TLS roles: the run's throwaway certificate set, read from the files the bench names.
const pem = spec.tls
  ? { cert: readFileSync(spec.tls.cert), key: readFileSync(spec.tls.key), ca: readFileSync(spec.tls.ca) }
  : null;

// One client context for every connection, as tls.connect's documentation suggests: without
// it each connect builds a fresh context from its options (parses the CA again).
let clientCtx = null;
const clientContext = () => (clientCtx ??= tls.createSecureContext({ ca: pem.ca }));

/** A TCP server, or with spec.tls a TLS one: the same handler either way. */
function createServer(handler) {
  return pem
    ? tls.createServer({ cert: pem.cert, key: pem.key, allowHalfOpen: true }, handler)
    : net.createServer({ allowHalfOpen: true }, handler);
}

/**
 * Binds the server; with spec.reusePort several processes share the port (SO_REUSEPORT,
 * node:net since v22.12.0 / v23.1.0; the bench does not ask for it on older Node).
 */
function listenOn(server) {
  server.listen({ port: spec.port, host: spec.host, ...(spec.reusePort ? { reusePort: true } : {}) }, () =>
    listening(server),
  );
}

function listening(server) {
  emit({ event: "listening", port: server.address().port, pid: process.pid, ...base, impl: "raw" });
}

function linger() {
  setTimeout(() => process.exit(0), 60_000);
}

function pattern(n, seed) {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** A frame as one buffer: 4-byte big-endian length + payload. */
function frame(payload) {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeUInt32BE(payload.length, 0);
  payload.copy ? payload.copy(b, 4) : b.set(payload, 4);
  return b;
}

// ---- servers -------------------------------------------------------------------------

function sinkServer() {
  const server = createServer((s) => {
    let n = 0;
    s.on("data", (c) => {
      n += c.length;
    });
    s.on("end", () => s.end(`${n}\n`));
    s.on("error", () => {});
  });
  server.listen(spec.port, spec.host, () => listening(server));
}

function echoServer() {
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.on("error", () => s.destroy());
    // pipe() handles backpressure and ends the write side after the peer's FIN.
    s.pipe(s);
  });
  server.on("error", () => {});
  listenOn(server);
}

/** Framed transfer receiver: parses frames as they stream by and hashes data in place. */
function transferServer() {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    const HEADER = 0,
      META = 1,
      BODY = 2;
    let state = HEADER;
    const hbuf = Buffer.alloc(4);
    let hfill = 0;
    let left = 0;
    let meta = null;
    let metaBuf = null;
    let metaFill = 0;
    let hash = null;
    let size = 0;
    s.on("data", (c) => {
      let off = 0;
      while (off < c.length) {
        if (state === HEADER) {
          let len;
          if (hfill === 0 && c.length - off >= 4) {
            len = c.readUInt32BE(off);
            off += 4;
          } else {
            while (hfill < 4 && off < c.length) hbuf[hfill++] = c[off++];
            if (hfill < 4) return;
            hfill = 0;
            len = hbuf.readUInt32BE(0);
          }
          if (meta === null) {
            metaBuf = Buffer.allocUnsafe(len);
            metaFill = 0;
            left = len;
            state = META;
          } else if (len === 0) {
            const sha256 = hash.digest("hex");
            const ok = size === meta.size && sha256 === meta.sha256;
            s.end(frame(Buffer.from(JSON.stringify({ ok, name: meta.name, size, sha256 }))));
            return;
          } else {
            left = len;
            state = BODY;
          }
          if (left === 0 && state === META) state = HEADER;
        } else if (state === META) {
          const take = Math.min(left, c.length - off);
          c.copy(metaBuf, metaFill, off, off + take);
          metaFill += take;
          off += take;
          left -= take;
          if (left === 0) {
            meta = JSON.parse(metaBuf.toString("utf8"));
            hash = createHash("sha256");
            state = HEADER;
          }
        } else {
          const take = Math.min(left, c.length - off);
          hash.update(c.subarray(off, off + take));
          size += take;
          off += take;
          left -= take;
          if (left === 0) state = HEADER;
        }
      }
    });
    s.on("error", () => {});
  });
  server.listen(spec.port, spec.host, () => listening(server));
}

function udpServer() {
  const sock = dgram.createSocket(spec.host.includes(":") ? "udp6" : "udp4");
  sock.on("message", (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
  sock.on("error", () => {});
  sock.bind(spec.port, spec.host, () =>
    emit({ event: "listening", port: sock.address().port, pid: process.pid, ...base, impl: "raw" }),
  );
}

// ---- clients -------------------------------------------------------------------------

function connect() {
  return new Promise((resolve, reject) => {
    const opts = { host: spec.host, port: spec.port, allowHalfOpen: true };
    // TLS: resolves at 'secureConnect', once the certificate was verified against the run's CA.
    const s = pem ? tls.connect({ ...opts, secureContext: clientContext() }, ready) : net.connect(opts, ready);
    function ready() {
      s.off("error", reject);
      resolve(s);
    }
    s.once("error", reject);
  });
}

/** Writes `bytes` from `block`, honouring backpressure, then half-closes; resolves with the answer. */
async function sendAndAnswer(s, writeAll) {
  let answer = "";
  s.setEncoding("utf8");
  const done = new Promise((resolve, reject) => {
    s.on("data", (d) => (answer += d));
    s.on("end", resolve);
    s.on("error", reject);
  });
  await writeAll();
  s.end();
  await done;
  s.destroy();
  return answer;
}

function write(s, buf) {
  return s.write(buf) ? null : new Promise((resolve) => s.once("drain", resolve));
}

async function bulkOnce(bytes, block) {
  const s = await connect();
  const t0 = now();
  const answer = await sendAndAnswer(s, async () => {
    let left = bytes;
    while (left > 0) {
      const n = Math.min(left, block.length);
      left -= n;
      const w = write(s, n === block.length ? block : block.subarray(0, n));
      if (w) await w;
    }
  });
  const secs = (now() - t0) / 1000;
  if (Number(answer.trim()) !== bytes) throw new Error(`sink counted ${answer.trim()} of ${bytes}`);
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

/** One new TLS connection: handshake, `msg` out, half-close, the echo back until the server's FIN. */
function handshakeOnce(msg) {
  return connect().then(
    (s) =>
      new Promise((resolve, reject) => {
        let got = 0;
        s.on("data", (c) => (got += c.length));
        s.on("end", () => {
          s.destroy();
          if (got === msg.length) resolve();
          else reject(new Error(`echo returned ${got} of ${msg.length} bytes`));
        });
        s.on("error", (e) => {
          s.destroy();
          reject(e);
        });
        s.end(msg);
      }),
  );
}

/** `connections` loops of handshakeOnce: warm-up seconds, then the measured seconds. */
async function handshakeClient() {
  const msg = pattern(spec.size ?? 64, 5);
  const r = await handshakeLoops(
    spec,
    () => () => handshakeOnce(msg),
    now,
    () => emit({ event: "start" }),
  );
  emit({ event: "result", ...r, ...base });
  linger();
}

async function rttClient() {
  const size = spec.size ?? 64;
  const msg = pattern(size, 2);
  const s = await connect();
  s.setNoDelay(true);
  const hist = new LatencyRecorder();
  const warmUntil = now() + (spec.warmup ?? 0) * 1000;
  let measuring = false;
  let t0 = 0,
    tEnd = 0,
    t = 0,
    n = 0,
    got = 0;
  await new Promise((resolve, reject) => {
    s.on("error", reject);
    s.on("end", () => reject(new Error("echo server closed the connection")));
    s.on("data", (c) => {
      got += c.length;
      if (got < size) return;
      got -= size;
      const t1 = now();
      if (measuring) {
        hist.record(t1 - t);
        n++;
        if (t1 >= tEnd || n >= 50_000_000) {
          t = t1;
          return resolve();
        }
      } else if (t1 >= warmUntil) {
        measuring = true;
        emit({ event: "start" });
        t0 = now();
        tEnd = t0 + (spec.seconds ?? 2) * 1000;
      }
      t = now();
      s.write(msg);
    });
    t = now();
    s.write(msg);
  });
  s.removeAllListeners("end");
  s.end();
  s.destroy();
  emit({ event: "result", ok: true, seconds: (t - t0) / 1000, messages: n, latency: hist.stats(), ...base });
  linger();
}

async function transferOnce(bytes, block, sha) {
  const frameSize = spec.size ?? 64 * 1024;
  const s = await connect();
  const t0 = now();
  let reply = Buffer.alloc(0);
  const done = new Promise((resolve, reject) => {
    s.on("data", (d) => (reply = Buffer.concat([reply, d])));
    s.on("end", resolve);
    s.on("error", reject);
  });
  const hdr = (n) => {
    const h = Buffer.allocUnsafe(4);
    h.writeUInt32BE(n, 0);
    return h;
  };
  s.write(frame(Buffer.from(JSON.stringify({ name: "bench.bin", size: bytes, sha256: sha }))));
  let sent = 0,
    at = 0;
  while (sent < bytes) {
    const n = Math.min(frameSize, bytes - sent, block.length - at);
    s.write(hdr(n));
    const w = write(s, block.subarray(at, at + n));
    sent += n;
    at = (at + n) % block.length;
    if (w) await w;
  }
  s.write(hdr(0));
  await done;
  s.destroy();
  const secs = (now() - t0) / 1000;
  const r = JSON.parse(reply.subarray(4).toString("utf8"));
  if (!r.ok || r.size !== bytes || r.sha256 !== sha) throw new Error(`transfer not verified: ${JSON.stringify(r)}`);
  return secs;
}

function shaOf(block, bytes) {
  const h = createHash("sha256");
  for (let left = bytes; left > 0; left -= block.length)
    h.update(left >= block.length ? block : block.subarray(0, left));
  return h.digest("hex");
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
  const sock = dgram.createSocket(spec.host.includes(":") ? "udp6" : "udp4");
  await new Promise((resolve) => sock.bind(0, spec.host.includes(":") ? "::1" : "127.0.0.1", resolve));
  const w = new UdpRequestWindow((text) => sock.send(text, spec.port, spec.host), now);
  sock.on("message", (msg) => w.onReply(msg.toString("utf8")));
  const r = await w.run({
    window: spec.window ?? 8,
    warmupSeconds: spec.warmup ?? 0,
    seconds: spec.seconds ?? 2,
    onStart: () => emit({ event: "start" }),
  });
  sock.close();
  emit({ event: "result", ok: true, ...r, ...base });
  linger();
}

/** `connections` clients at once, each a ping-pong of `size`-byte messages. */
async function concClient() {
  const count = spec.connections ?? 10;
  const size = spec.size ?? 1024;
  const msg = pattern(size, 4);
  let errors = 0;
  const conns = [];
  const connecting = [];
  // At most 64 connects in flight: a thousand SYNs at once overflow any default accept
  // backlog and turn into 1 s SYN retransmits, which is the kernel's story, not the server's.
  let next = 0;
  const opener = async () => {
    while (next < count) {
      next++;
      await connect().then(
        (s) => conns.push(s),
        () => errors++,
      );
    }
  };
  for (let i = 0; i < Math.min(64, count); i++) connecting.push(opener());
  // Bounded: a connect that has not happened within 30 s counts as an error.
  await Promise.race([Promise.all(connecting), new Promise((r) => setTimeout(r, 30_000))]);
  errors = count - conns.length; // refused, failed or still pending
  const hist = new LatencyRecorder();
  let measuring = false,
    stopping = false,
    messages = 0;
  const warmUntil = now() + (spec.warmup ?? 0) * 1000;
  let tEnd = Infinity;
  let t0 = 0;
  let finished = 0;
  let resolveAll;
  const all = new Promise((r) => (resolveAll = r));
  const done = () => {
    if (++finished === conns.length) resolveAll();
  };
  for (const s of conns) {
    s.setNoDelay(true);
    let got = 0;
    let sentAtTime = now();
    let over = false;
    const end = (err) => {
      if (over) return;
      over = true;
      if (err && !stopping) errors++;
      s.destroy();
      done();
    };
    s.on("error", (e) => end(e));
    s.on("end", () => end(stopping ? null : new Error("closed")));
    s.on("data", (c) => {
      got += c.length;
      while (got >= size) {
        got -= size;
        const t = now();
        if (measuring) {
          messages++;
          hist.record(t - sentAtTime);
        }
        if (stopping) return end(null);
        sentAtTime = t;
        s.write(msg);
      }
    });
    s.write(msg);
  }
  if (conns.length === 0) resolveAll();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await sleep(Math.max(0, warmUntil - now()));
  measuring = true;
  emit({ event: "start" });
  t0 = now();
  tEnd = t0 + (spec.seconds ?? 2) * 1000;
  await sleep(tEnd - now());
  measuring = false;
  const seconds = (now() - t0) / 1000;
  stopping = true;
  // Every connection ends after its message in flight; bounded by 10 s.
  await Promise.race([all, sleep(10_000)]);
  for (const s of conns) s.destroy();
  emit({ event: "result", ok: errors === 0, seconds, messages, errors, latency: hist.stats(), ...base });
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
  "conc-client": concClient,
};
const role = roles[spec.role];
if (!role) fail(`role ${spec.role} is not offered by the raw node program`);
else Promise.resolve(role()).catch(fail);
