/**
 * The adapter contract: runtime-neutral checks of the Runtime interface, run inside each
 * runtime by the agent (`role: "contract"`) and asserted by vitest on Node. One file, three
 * runtimes: a check that passes on Node and fails on Bun is a finding, not a flaky test.
 */
import {
  NetError,
  Prng,
  equalBytes,
  isNetError,
  utf8,
  type Connection,
  type Runtime,
  type StartTlsOptions,
} from "@netparity/protocol";
import { assert, type CheckResult, fail, judgedRun, runBounded, skip } from "../common/check.js";
import { sleep, withTimeout } from "../common/timing.js";

/** One contract check on one runtime: its name and how it ended (common/check.ts). */
export interface ContractResult extends CheckResult<"pass" | "fail" | "skip"> {
  name: string;
}

async function expectNetError(p: Promise<unknown>, codes: string[], what: string): Promise<NetError> {
  try {
    await p;
  } catch (e) {
    assert(e instanceof NetError, `${what}: expected a NetError, got ${String(e)}`);
    assert(codes.includes(e.code), `${what}: expected ${codes.join(" or ")}, got ${e.code} (${e.message})`);
    assert(
      e.cause !== undefined || e.code === "ABORTED" || e.code === "CLOSED",
      `${what}: NetError ${e.code} lost the runtime's error (no cause)`,
    );
    return e;
  }
  fail(`${what}: expected ${codes.join(" or ")}, but it succeeded`);
}

/** Options no handshake could use: for checks that must end before one. */
function bogusStartTls(role: "client" | "server"): StartTlsOptions {
  return role === "client"
    ? { role, tls: { ca: "not a certificate" } }
    : { role, tls: { cert: "not a certificate", key: "not a key" } };
}

/** A refusal the adapter decides itself (no runtime error behind it, so no cause is required). */
async function expectCode(p: Promise<unknown>, code: string, what: string): Promise<void> {
  try {
    await withTimeout(p, 2000, what);
  } catch (e) {
    assert(e instanceof NetError, `${what}: expected a NetError, got ${String(e)}`);
    assert(e.code === code, `${what}: expected ${code}, got ${e.code} (${e.message})`);
    return;
  }
  fail(`${what}: expected ${code}, but it succeeded`);
}

async function pair(
  rt: Runtime,
  hostname = "127.0.0.1",
): Promise<{ client: Connection; server: Connection; close: () => Promise<void> }> {
  const l = await rt.listen({ transport: "tcp", hostname, port: 0 });
  assert(l.address.transport === "tcp", "tcp listener reports a tcp address");
  const [client, server] = await Promise.all([
    rt.connect({ transport: "tcp", hostname, port: l.address.port }),
    l.accept(),
  ]);
  assert(server, "accept returned a connection");
  return {
    client,
    server,
    close: async () => {
      client.close();
      server.close();
      await l.close();
    },
  };
}

async function readAll(
  conn: Connection,
  limit = 256 * 1024 * 1024,
): Promise<{ bytes: number; hash: string; chunks: Uint8Array[] }> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const c = await conn.read();
    if (c === null) break;
    chunks.push(c.slice());
    bytes += c.byteLength;
    assert(bytes <= limit, "read more than expected");
  }
  return { bytes, hash: "", chunks };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** What the parent hands the contract: two unrelated certificate sets (PEM), for the credential checks. */
export interface ContractCerts {
  main: { cert: string; key: string };
  other: { cert: string; key: string };
}

type Check = (rt: Runtime, certs: ContractCerts | undefined) => Promise<string | undefined>;

/**
 * A name that cannot resolve, and no resolver is asked: `.invalid` is reserved (RFC 6761) and a
 * label over 63 bytes fits no DNS query, so getaddrinfo fails before sending one (strace on the
 * three runtimes: nothing to port 53, unlike a short `.invalid` name).
 */
const UNRESOLVABLE = `${"x".repeat(70)}.invalid`;

export const CONTRACT: Record<string, Check> = {
  "tcp: listen on port 0 reports the bound address and a real port": async (rt) => {
    const l = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
    try {
      assert(l.address.transport === "tcp" && l.address.port > 0, `port ${JSON.stringify(l.address)}`);
      assert(l.address.hostname === "127.0.0.1", `hostname ${l.address.hostname}`);
    } finally {
      await l.close();
    }
  },
  "tcp: connection addresses are numeric and match the listener": async (rt) => {
    const p = await pair(rt);
    try {
      const ca = p.client.remoteAddress;
      const sa = p.server.localAddress;
      assert(ca.transport === "tcp" && sa.transport === "tcp", "tcp addresses");
      assert(
        ca.port === sa.port && ca.hostname === "127.0.0.1",
        `client sees ${JSON.stringify(ca)}, server ${JSON.stringify(sa)}`,
      );
      const cl = p.client.localAddress;
      const sr = p.server.remoteAddress;
      assert(
        cl.transport === "tcp" && sr.transport === "tcp" && cl.port === sr.port,
        `client local ${JSON.stringify(cl)} vs server remote ${JSON.stringify(sr)}`,
      );
    } finally {
      await p.close();
    }
  },
  "tcp: 4 MiB written in one call arrives intact and in order": async (rt) => {
    const p = await pair(rt);
    try {
      const data = new Prng(7).bytes(4 * 1024 * 1024);
      const [, got] = await Promise.all([
        (async () => {
          await p.client.write(data);
          await p.client.closeWrite().catch(() => p.client.close());
        })(),
        readAll(p.server),
      ]);
      const all = concat(got.chunks);
      assert(equalBytes(all, data), `received ${all.byteLength} bytes, differing from what was sent`);
      return `${got.chunks.length} reads`;
    } finally {
      await p.close();
    }
  },
  "tcp: read returns null after the peer half-closes, and the other direction still works": async (rt) => {
    if (!rt.features.halfClose) skip("features.halfClose is false");
    const p = await pair(rt);
    try {
      await p.client.write(utf8("ping"));
      await p.client.closeWrite();
      const got = await readAll(p.server);
      assert(new TextDecoder().decode(concat(got.chunks)) === "ping", "server got ping then EOF");
      await p.server.write(utf8("pong after FIN"));
      await p.server.closeWrite();
      const back = await readAll(p.client);
      assert(
        new TextDecoder().decode(concat(back.chunks)) === "pong after FIN",
        "client got the reply written after its FIN",
      );
    } finally {
      await p.close();
    }
  },
  "tcp: a write larger than the buffers completes once the slow peer reads (backpressure, partial writes)": async (
    rt,
  ) => {
    const p = await pair(rt);
    try {
      const data = new Prng(9).bytes(32 * 1024 * 1024);
      const sent = rt.sha256();
      sent.update(data);
      const want = sent.digestHex();
      let writeDone = false;
      const writer = p.client.write(data).then(() => {
        writeDone = true;
      });
      await sleep(200);
      const doneEarly = writeDone;
      const h = rt.sha256();
      let n = 0;
      while (n < data.byteLength) {
        const c = await p.server.read();
        if (!c) break;
        h.update(c);
        n += c.byteLength;
      }
      await writer;
      assert(
        n === data.byteLength && h.digestHex() === want,
        `got ${n} of ${data.byteLength} bytes (hash ${n === data.byteLength ? "differs" : "n/a"})`,
      );
      return doneEarly
        ? "the write resolved before the peer read (runtime buffered 32 MiB)"
        : "the write waited for the reader";
    } finally {
      await p.close();
    }
  },
  "tcp: close() is idempotent; read after close gives null and write rejects": async (rt) => {
    const p = await pair(rt);
    try {
      p.client.close();
      p.client.close();
      assert((await p.client.read()) === null, "read after close is null");
      await expectNetError(p.client.write(utf8("x")), ["CLOSED", "EPIPE", "ECONNRESET"], "write after close");
      await withTimeout(p.client.closed, 2000, "closed promise");
    } finally {
      await p.close();
    }
  },
  "tcp: the peer sees EOF or ECONNRESET once the other side closes": async (rt) => {
    const p = await pair(rt);
    try {
      p.client.close();
      const r = await withTimeout(
        p.server.read().then(
          (c) => (c === null ? "eof" : "data"),
          (e: unknown) => (isNetError(e) ? e.code : "other"),
        ),
        3000,
        "read on the peer",
      );
      assert(r === "eof" || r === "ECONNRESET", `peer read gave ${r}`);
      return r;
    } finally {
      await p.close();
    }
  },
  "tcp: connecting to a closed port is ECONNREFUSED": async (rt) => {
    const l = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
    const port = l.address.transport === "tcp" ? l.address.port : 0;
    await l.close();
    await expectNetError(rt.connect({ transport: "tcp", hostname: "127.0.0.1", port }), ["ECONNREFUSED"], "connect");
  },
  "tcp: a name that does not resolve is ENOTFOUND or EAI_AGAIN": async (rt) => {
    const to = { transport: "tcp", hostname: UNRESOLVABLE, port: 9 } as const;
    return (await expectNetError(rt.connect(to), ["ENOTFOUND", "EAI_AGAIN"], "connect to an unresolvable name")).code;
  },
  "unix: listening on a path in a missing directory is ENOENT": async (rt) => {
    if (!rt.features.unix) skip("features.unix is false");
    const dir = await rt.fs.tempDir("netparity-unix-");
    try {
      await expectNetError(
        rt.listen({ transport: "unix", path: `${dir}/missing/s.sock` }),
        ["ENOENT"],
        "listen in a missing directory",
      );
    } finally {
      await rt.fs.remove(dir);
    }
  },
  "tls: a certificate that is not PEM is TLS_CREDENTIALS": async (rt) => {
    if (!rt.features.tls) skip("features.tls is false");
    await expectNetError(
      rt.listen({
        transport: "tls",
        hostname: "127.0.0.1",
        port: 0,
        tls: { cert: "not a certificate", key: "not a key" },
      }),
      ["TLS_CREDENTIALS"],
      "listen with a certificate that is not PEM",
    );
  },
  "tls: a key that does not match the certificate is TLS_CREDENTIALS": async (rt, certs) => {
    if (!rt.features.tls) skip("features.tls is false");
    assert(certs, "the contract run was given no certificates");
    await expectNetError(
      rt.listen({
        transport: "tls",
        hostname: "127.0.0.1",
        port: 0,
        tls: { cert: certs.main.cert, key: certs.other.key },
      }),
      ["TLS_CREDENTIALS"],
      "listen with another certificate's key",
    );
  },
  "tcp: listening twice on one port is EADDRINUSE": async (rt) => {
    const l = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
    try {
      const port = l.address.transport === "tcp" ? l.address.port : 0;
      await expectNetError(
        rt.listen({ transport: "tcp", hostname: "127.0.0.1", port }),
        ["EADDRINUSE"],
        "second listen",
      );
    } finally {
      await l.close();
    }
  },
  "tcp: accept() gives null once the listener is closed": async (rt) => {
    const l = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
    const pending = l.accept();
    await l.close();
    assert((await withTimeout(pending, 2000, "accept after close")) === null, "pending accept resolved null");
    assert((await l.accept()) === null, "accept after close is null");
  },
  "tcp: connect honours an aborted AbortSignal": async (rt) => {
    if (!rt.features.connectSignal) skip("features.connectSignal is false");
    const l = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
    try {
      const port = l.address.transport === "tcp" ? l.address.port : 0;
      const ac = new AbortController();
      ac.abort();
      await expectNetError(
        rt.connect({ transport: "tcp", hostname: "127.0.0.1", port, signal: ac.signal }),
        ["ABORTED"],
        "aborted connect",
      );
    } finally {
      await l.close();
    }
  },
  // Certificates are not available here: the checks stop before a handshake, and the
  // upgrades themselves are the tls.starttls-* probes.
  "startTls: a role features says is unsupported rejects with ENOTSUP": async (rt) => {
    const roles = (["client", "server"] as const).filter((r) =>
      r === "client" ? !rt.features.startTlsClient : !rt.features.startTlsServer,
    );
    // Nothing to refuse: a pass, since a skip is only for a capability the features deny.
    if (roles.length === 0) return "both roles supported";
    for (const role of roles) {
      const p = await pair(rt);
      try {
        await expectCode(rt.startTls(p.client, bogusStartTls(role)), "ENOTSUP", `startTls as ${role}`);
      } finally {
        await p.close();
      }
    }
    return `ENOTSUP for ${roles.join(" and ")}`;
  },
  "startTls: with a read pending it rejects with PROTOCOL": async (rt) => {
    const role = rt.features.startTlsClient ? "client" : rt.features.startTlsServer ? "server" : null;
    if (role === null) skip("features.startTlsClient is false");
    const p = await pair(rt);
    try {
      const pending = p.client.read();
      pending.catch(() => undefined);
      await expectCode(
        rt.startTls(p.client, bogusStartTls(role)),
        "PROTOCOL",
        `startTls as ${role} with a read pending`,
      );
    } finally {
      await p.close();
    }
    return undefined;
  },
  "tcp: IPv6 loopback ::1": async (rt) => {
    if (!rt.features.ipv6) skip("features.ipv6 is false");
    const p = await pair(rt, "::1");
    try {
      assert(
        p.client.remoteAddress.transport === "tcp" && p.client.remoteAddress.hostname === "::1",
        `remote ${JSON.stringify(p.client.remoteAddress)}`,
      );
      await p.client.write(utf8("v6"));
      const c = await p.server.read();
      assert(c && new TextDecoder().decode(c) === "v6", "bytes over ::1");
    } finally {
      await p.close();
    }
  },
  "unix: listen, connect, exchange, EADDRINUSE on a second bind": async (rt) => {
    if (!rt.features.unix) skip("features.unix is false");
    const dir = await rt.fs.tempDir("netparity-contract-");
    const path = `${dir}/c.sock`;
    const l = await rt.listen({ transport: "unix", path });
    try {
      assert(l.address.transport === "unix" && l.address.path === path, `address ${JSON.stringify(l.address)}`);
      const [c, s] = await Promise.all([rt.connect({ transport: "unix", path }), l.accept()]);
      assert(s, "accepted");
      await c.write(utf8("hello unix"));
      if (rt.features.halfClose) await c.closeWrite();
      const got = rt.features.halfClose ? concat((await readAll(s)).chunks) : ((await s.read()) ?? new Uint8Array());
      assert(new TextDecoder().decode(got) === "hello unix", "bytes over unix socket");
      c.close();
      s.close();
      await expectNetError(rt.listen({ transport: "unix", path }), ["EADDRINUSE"], "second unix bind");
    } finally {
      await l.close();
      await rt.fs.remove(path).catch(() => {});
      await rt.fs.remove(dir).catch(() => {});
    }
  },
  "unix: connecting to a missing socket file is ENOENT or ECONNREFUSED": async (rt) => {
    if (!rt.features.unix) skip("features.unix is false");
    await expectNetError(
      rt.connect({ transport: "unix", path: `/tmp/netparity-no-such-socket-${rt.host.pid()}` }),
      ["ENOENT", "ECONNREFUSED"],
      "connect",
    );
  },
  "udp: datagrams round-trip with the sender's address; receive() is null after close": async (rt) => {
    if (!rt.features.udp) skip("features.udp is false");
    const a = await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 });
    const b = await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 });
    try {
      assert(a.address.port > 0 && a.address.hostname === "127.0.0.1", `address ${JSON.stringify(a.address)}`);
      const payload = new Prng(3).bytes(1400);
      await a.send(payload, { hostname: "127.0.0.1", port: b.address.port });
      const d = await withTimeout(b.receive(), 2000, "receive");
      assert(d && equalBytes(d.data, payload), "same bytes");
      assert(d.from.port === a.address.port && d.from.hostname === "127.0.0.1", `from ${JSON.stringify(d.from)}`);
      const pending = b.receive();
      b.close();
      assert(
        (await withTimeout(pending, 2000, "receive after close")) === null,
        "pending receive resolves null after close",
      );
    } finally {
      a.close();
      b.close();
    }
  },
  "udp: binding a used port is EADDRINUSE": async (rt) => {
    if (!rt.features.udp) skip("features.udp is false");
    const a = await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 });
    try {
      await expectNetError(
        rt.bindDatagram({ hostname: "127.0.0.1", port: a.address.port }),
        ["EADDRINUSE"],
        "second bind",
      );
    } finally {
      a.close();
    }
  },
  "sha256: known vector and incremental updates": async (rt) => {
    const h = rt.sha256();
    h.update(utf8("abc"));
    const abc = h.digestHex();
    assert(abc === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", `sha256("abc") = ${abc}`);
    const data = new Prng(5).bytes(100_000);
    const one = rt.sha256();
    one.update(data);
    const parts = rt.sha256();
    for (let i = 0; i < data.byteLength; i += 7919) parts.update(data.subarray(i, i + 7919));
    assert(one.digestHex() === parts.digestHex(), "split updates give the same digest");
  },
  "fs: create exclusive, write, rename, exists, remove": async (rt) => {
    const dir = await rt.fs.tempDir("netparity-fs-");
    const a = `${dir}/a.part`;
    const b = `${dir}/b`;
    const f = await rt.fs.create(a, { exclusive: true });
    await f.write(utf8("data"));
    await f.close();
    await expectNetError(rt.fs.create(a, { exclusive: true }), ["EEXIST"], "second exclusive create");
    await rt.fs.rename(a, b);
    assert((await rt.fs.exists(b)) && !(await rt.fs.exists(a)), "renamed");
    await rt.fs.remove(b);
    assert(!(await rt.fs.exists(b)), "removed");
    await rt.fs.remove(dir);
  },
};

export async function runContract(rt: Runtime, only?: string, certs?: ContractCerts): Promise<ContractResult[]> {
  const out: ContractResult[] = [];
  for (const [name, check] of Object.entries(CONTRACT)) {
    if (only && !name.includes(only)) continue;
    const ran = await runBounded(
      () => rt.host.now(),
      () => check(rt, certs),
      CHECK_TIMEOUT_MS,
    );
    out.push({ name, ...judgedRun(ran, name) });
  }
  return out;
}

/** Upper bound of one contract check. */
const CHECK_TIMEOUT_MS = 20_000;
