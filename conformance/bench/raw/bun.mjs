// Over 500 lines on purpose: a raw baseline is one self-contained program per runtime, so a
// reader (or a user re-running it) sees every workload written straight against the API.
// Raw Bun baseline for `netparity bench`: the adapter bench agent's workloads written straight
// against Bun.listen / Bun.connect (with `tls` for the TLS roles) / Bun.udpSocket / Bun.CryptoHasher
// (https://bun.sh/docs/api/tcp),
// as a competent user would: one handler object per listener, per-socket state in `socket.data`,
// partial writes kept and finished on `drain` (Bun's write() returns the bytes the kernel took).
// Protocol: one JSON argument (conformance/src/in-runtime/bench/protocol.ts), JSON lines on stdout.
import { handshakeLoops, LatencyRecorder, PARENT_PIPE_ENV, UdpRequestWindow } from "../../dist/bench-lib.js";

const spec = JSON.parse(Bun.argv[2] ?? "{}");
const base = { runtime: "bun", version: Bun.version };
const emit = (e) => console.log(JSON.stringify(e));
const now = () => performance.now();
const enc = new TextEncoder();
const dec = new TextDecoder();

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
if (Bun.env[PARENT_PIPE_ENV] === "1") {
  void (async () => {
    const reader = Bun.stdin.stream().getReader();
    try {
      while (!(await reader.read()).done);
    } catch {
      // a failed read ends stdin as well
    }
    process.exit(129);
  })();
}

// TLS roles: the run's throwaway certificate set, read from the files the bench names.
const pem = spec.tls
  ? {
      cert: await Bun.file(spec.tls.cert).text(),
      key: await Bun.file(spec.tls.key).text(),
      ca: await Bun.file(spec.tls.ca).text(),
    }
  : null;

const listening = (port) => emit({ event: "listening", port, pid: process.pid, ...base, impl: "raw" });
const linger = () => setTimeout(() => process.exit(0), 60_000);

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

/** Writes what it can now and queues the rest for `drain`; returns false once something is queued. */
function send(s, buf) {
  const st = s.data;
  if (st.out.length) {
    st.out.push(buf);
    return false;
  }
  const n = s.write(buf);
  if (n === buf.length) return true;
  if (n < 0) throw new Error("write on a closed socket");
  st.out.push(buf.subarray(n));
  return false;
}

/** The `drain` handler: continues queued writes; true once everything is out. */
function flush(s) {
  const st = s.data;
  while (st.out.length) {
    const b = st.out[0];
    const n = s.write(b);
    if (n < 0) return false;
    if (n < b.length) {
      st.out[0] = b.subarray(n);
      return false;
    }
    st.out.shift();
  }
  return true;
}

// ---- servers -------------------------------------------------------------------------

function listen(handlers) {
  const server = Bun.listen({
    hostname: spec.host,
    port: spec.port,
    allowHalfOpen: true,
    // scaling: several processes on one port (SO_REUSEPORT), the kernel spreads connections.
    ...(spec.reusePort ? { reusePort: true } : {}),
    ...(pem ? { tls: { cert: pem.cert, key: pem.key } } : {}),
    socket: handlers,
  });
  listening(server.port);
}

function sinkServer() {
  listen({
    open(s) {
      s.data = { n: 0, out: [] };
    },
    data(s, d) {
      s.data.n += d.length;
    },
    end(s) {
      s.end(`${s.data.n}\n`);
    },
    error() {},
  });
}

function echoServer() {
  listen({
    open(s) {
      s.data = { out: [], fin: false };
      s.setNoDelay(true);
    },
    data(s, d) {
      // Stop reading while the peer is not taking our writes: backpressure.
      if (!send(s, d)) s.pause();
    },
    drain(s) {
      if (!flush(s)) return;
      if (s.data.fin) s.shutdown();
      else s.resume();
    },
    end(s) {
      if (s.data.out.length) s.data.fin = true;
      else s.shutdown();
    },
    error() {},
  });
}

function transferServer() {
  const HEADER = 0,
    META = 1,
    BODY = 2;
  listen({
    open(s) {
      s.data = {
        state: HEADER,
        h: new Uint8Array(4),
        hfill: 0,
        left: 0,
        meta: null,
        metaBuf: null,
        metaFill: 0,
        hash: null,
        size: 0,
        out: [],
      };
    },
    data(s, c) {
      const st = s.data;
      let off = 0;
      while (off < c.length) {
        if (st.state === HEADER) {
          let len;
          if (st.hfill === 0 && c.length - off >= 4) {
            len = ((c[off] << 24) >>> 0) + ((c[off + 1] << 16) | (c[off + 2] << 8) | c[off + 3]);
            off += 4;
          } else {
            while (st.hfill < 4 && off < c.length) st.h[st.hfill++] = c[off++];
            if (st.hfill < 4) return;
            st.hfill = 0;
            const h = st.h;
            len = ((h[0] << 24) >>> 0) + ((h[1] << 16) | (h[2] << 8) | h[3]);
          }
          if (st.meta === null) {
            st.metaBuf = new Uint8Array(len);
            st.metaFill = 0;
            st.left = len;
            st.state = META;
          } else if (len === 0) {
            const sha256 = st.hash.digest("hex");
            const ok = st.size === st.meta.size && sha256 === st.meta.sha256;
            send(s, frame(enc.encode(JSON.stringify({ ok, name: st.meta.name, size: st.size, sha256 }))));
            if (st.out.length === 0) s.shutdown();
            else st.fin = true;
            return;
          } else {
            st.left = len;
            st.state = BODY;
          }
        } else if (st.state === META) {
          const take = Math.min(st.left, c.length - off);
          st.metaBuf.set(c.subarray(off, off + take), st.metaFill);
          st.metaFill += take;
          off += take;
          st.left -= take;
          if (st.left === 0) {
            st.meta = JSON.parse(dec.decode(st.metaBuf));
            st.hash = new Bun.CryptoHasher("sha256");
            st.state = HEADER;
          }
        } else {
          const take = Math.min(st.left, c.length - off);
          st.hash.update(c.subarray(off, off + take));
          st.size += take;
          off += take;
          st.left -= take;
          if (st.left === 0) st.state = HEADER;
        }
      }
    },
    drain(s) {
      if (flush(s) && s.data.fin) s.shutdown();
    },
    error() {},
  });
}

async function udpServer() {
  const sock = await Bun.udpSocket({
    hostname: spec.host,
    port: spec.port,
    socket: {
      data(sock, buf, port, addr) {
        sock.send(buf, port, addr);
      },
    },
  });
  listening(sock.port);
}

// ---- clients -------------------------------------------------------------------------

/**
 * Connects with `handlers`; `state` becomes socket.data. Over TLS the `ready` handler runs at
 * the end of a verified handshake (`open` fires at the TCP connect), over TCP at `open`.
 */
function connect(state, handlers, ready) {
  const socket = { ...handlers };
  if (pem)
    socket.handshake = (s, ok, err) => {
      if (ok) ready(s);
      else {
        s.end();
        handlers.error?.(s, err ?? new Error("TLS handshake refused"));
      }
    };
  else socket.open = ready;
  return Bun.connect({
    hostname: spec.host,
    port: spec.port,
    allowHalfOpen: true,
    // Verified against the run's CA; rejectUnauthorized makes a failed verification close the socket.
    ...(pem ? { tls: { ca: pem.ca, rejectUnauthorized: true } } : {}),
    data: state,
    socket,
  });
}

/** One connection that writes `total` bytes produced by `next()` then half-closes, and collects the answer. */
function streamOnce(pieces) {
  return new Promise((resolve, reject) => {
    const answer = [];
    const pump = (s) => {
      const st = s.data;
      for (;;) {
        if (st.out.length && !flush(s)) return;
        const p = pieces();
        if (p === null) {
          s.shutdown();
          return;
        }
        if (!send(s, p)) return;
      }
    };
    connect(
      { out: [] },
      {
        drain: pump,
        data(_s, d) {
          answer.push(d);
        },
        end(s) {
          s.end();
        },
        close(_s, err) {
          if (err) reject(err);
          else resolve(Buffer.concat(answer));
        },
        error(_s, err) {
          reject(err);
        },
        connectError(_s, err) {
          reject(err);
        },
      },
      pump,
    ).catch(reject);
  });
}

async function bulkOnce(bytes, block) {
  let left = bytes;
  const t0 = now();
  const answer = await streamOnce(() => {
    if (left === 0) return null;
    const n = Math.min(left, block.length);
    left -= n;
    return n === block.length ? block : block.subarray(0, n);
  });
  const secs = (now() - t0) / 1000;
  const text = dec.decode(answer).trim();
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
  const hist = new LatencyRecorder();
  const warmUntil = now() + (spec.warmup ?? 0) * 1000;
  let measuring = false;
  let t0 = 0,
    tEnd = 0,
    t = 0,
    n = 0,
    got = 0;
  let sock;
  await new Promise((resolve, reject) => {
    connect(
      { out: [] },
      {
        data(s, c) {
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
          send(s, msg);
        },
        drain: flush,
        end() {
          reject(new Error("echo server closed the connection"));
        },
        error(_s, e) {
          reject(e);
        },
        connectError(_s, e) {
          reject(e);
        },
      },
      (s) => {
        sock = s;
        s.setNoDelay(true);
        t = now();
        send(s, msg);
      },
    ).catch(reject);
  });
  sock.end();
  emit({ event: "result", ok: true, seconds: (t - t0) / 1000, messages: n, latency: hist.stats(), ...base });
  linger();
}

/** One new TLS connection: handshake, `msg` out, half-close, the echo back until the server's FIN. */
function handshakeOnce(msg) {
  return new Promise((resolve, reject) => {
    let got = 0;
    connect(
      { out: [] },
      {
        data(_s, d) {
          got += d.length;
        },
        drain(s) {
          if (flush(s)) s.shutdown();
        },
        end(s) {
          s.end();
        },
        close(_s, err) {
          if (err) reject(err);
          else if (got === msg.length) resolve();
          else reject(new Error(`echo returned ${got} of ${msg.length} bytes`));
        },
        error(_s, err) {
          reject(err);
        },
        connectError(_s, err) {
          reject(err);
        },
      },
      (s) => {
        if (send(s, msg)) s.shutdown();
      },
    ).catch(reject);
  });
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

function shaOf(block, bytes) {
  const h = new Bun.CryptoHasher("sha256");
  for (let left = bytes; left > 0; left -= block.length)
    h.update(left >= block.length ? block : block.subarray(0, left));
  return h.digest("hex");
}

async function transferOnce(bytes, block, sha) {
  const frameSize = spec.size ?? 64 * 1024;
  const parts = [frame(enc.encode(JSON.stringify({ name: "bench.bin", size: bytes, sha256: sha })))];
  let sent = 0,
    at = 0,
    i = 0,
    done = false;
  const t0 = now();
  const reply = await streamOnce(() => {
    if (i < parts.length) return parts[i++];
    if (done) return null;
    if (sent === bytes) {
      done = true;
      return new Uint8Array(4);
    }
    const n = Math.min(frameSize, bytes - sent, block.length - at);
    const h = new Uint8Array(4);
    new DataView(h.buffer).setUint32(0, n);
    parts.push(block.subarray(at, at + n));
    sent += n;
    at = (at + n) % block.length;
    return h;
  });
  const secs = (now() - t0) / 1000;
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
  let w;
  const sock = await Bun.udpSocket({
    hostname: spec.host.includes(":") ? "::1" : "127.0.0.1",
    port: 0,
    socket: {
      data(_sock, buf) {
        w.onReply(dec.decode(buf));
      },
    },
  });
  w = new UdpRequestWindow((text) => sock.send(text, spec.port, spec.host), now);
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
if (!role) fail(`role ${spec.role} is not offered by the raw bun program`);
else Promise.resolve(role()).catch(fail);
