// The baseline for the framed-transfer measurement: the same bytes over the runtime's own raw
// socket API with its native sha256, no framing, no adapter. Runs in Node, Bun or Deno.
//   <runtime> raw-transfer.mjs server            prints {"port":N}; per connection: sha256 of
//                                                 every byte until FIN, then 64 hex digits back
//   <runtime> raw-transfer.mjs client PORT SIZE  sends SIZE bytes in 128 KiB writes, half-closes,
//                                                 reads the digest; prints {"ok","ms","bytesPerSec"}
import { createHash } from "node:crypto";

const CHUNK = 128 * 1024;
const runtime = typeof Deno !== "undefined" ? "deno" : typeof Bun !== "undefined" ? "bun" : "node";
const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const print = (o) => console.log(JSON.stringify(o));

function payload(size) {
  const data = new Uint8Array(size);
  for (let off = 0; off < size; off += 65536) crypto.getRandomValues(data.subarray(off, Math.min(size, off + 65536)));
  return data;
}

// Bun's native incremental hash (https://bun.sh/docs/api/hashing#bun-cryptohasher); Node and
// Deno use node:crypto, which is native in both (Deno: Rust ops), as their adapters do.
function hasher() {
  if (runtime === "bun") {
    const h = new Bun.CryptoHasher("sha256");
    return { update: (b) => h.update(b), hex: () => h.digest("hex") };
  }
  const h = createHash("sha256");
  return { update: (b) => h.update(b), hex: () => h.digest("hex") };
}

async function nodeServer() {
  const net = await import("node:net");
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    const h = hasher();
    s.on("data", (d) => h.update(d));
    s.on("end", () => s.end(h.hex()));
    s.on("error", () => {});
  });
  server.listen(0, "127.0.0.1", () => print({ port: server.address().port }));
}

async function nodeClient(port, data) {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    let reply = "";
    s.setEncoding("utf8");
    s.on("data", (d) => (reply += d));
    s.on("end", () => resolve(reply));
    s.on("error", reject);
    s.on("connect", () => {
      let off = 0;
      const pump = () => {
        while (off < data.length) {
          const piece = data.subarray(off, off + CHUNK);
          off += piece.length;
          if (!s.write(piece)) return void s.once("drain", pump);
        }
        s.end();
      };
      pump();
    });
  });
}

function bunServer() {
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    allowHalfOpen: true,
    socket: {
      open(s) {
        s.data = hasher();
      },
      data(s, d) {
        s.data.update(d);
      },
      end(s) {
        s.write(s.data.hex());
        s.end();
      },
    },
  });
  print({ port: server.port });
}

function bunClient(port, data) {
  return new Promise((resolve, reject) => {
    let off = 0;
    let reply = "";
    const pump = (s) => {
      while (off < data.length) {
        const n = s.write(data.subarray(off, off + CHUNK));
        off += n;
        if (n < Math.min(CHUNK, data.length - (off - n))) return; // wait for drain
      }
      s.shutdown();
    };
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      allowHalfOpen: true,
      socket: {
        open: pump,
        drain: pump,
        data(_s, d) {
          reply += new TextDecoder().decode(d);
        },
        end(s) {
          s.end();
          resolve(reply);
        },
        close() {
          resolve(reply);
        },
        error(_s, e) {
          reject(e);
        },
      },
    }).catch(reject);
  });
}

async function denoServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  print({ port: listener.addr.port });
  for await (const conn of listener) {
    (async () => {
      const h = hasher();
      const buf = new Uint8Array(256 * 1024);
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        h.update(buf.subarray(0, n));
      }
      const out = new TextEncoder().encode(h.hex());
      for (let off = 0; off < out.length; ) off += await conn.write(out.subarray(off));
      conn.close();
    })().catch(() => conn.close());
  }
}

async function denoClient(port, data) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  for (let off = 0; off < data.length; ) off += await conn.write(data.subarray(off, Math.min(data.length, off + CHUNK)));
  await conn.closeWrite();
  let reply = "";
  const buf = new Uint8Array(1024);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    reply += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  return reply;
}

const [role, portArg, sizeArg] = args;
if (role === "server") {
  if (runtime === "node") await nodeServer();
  else if (runtime === "bun") bunServer();
  else await denoServer();
} else if (role === "client") {
  const port = Number(portArg);
  const size = Number(sizeArg);
  const data = payload(size);
  const h = hasher();
  h.update(data);
  const want = h.hex();
  const t0 = performance.now();
  const got = await (runtime === "node" ? nodeClient(port, data) : runtime === "bun" ? bunClient(port, data) : denoClient(port, data));
  const ms = performance.now() - t0;
  print({ ok: got === want, ms, bytesPerSec: Math.round(size / (ms / 1000)) });
  if (typeof Deno !== "undefined") Deno.exit(0);
  else process.exit(0);
} else {
  console.error("usage: raw-transfer.mjs server | client PORT SIZE");
}
