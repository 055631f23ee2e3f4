/**
 * STARTTLS echo: a plaintext TCP connection that the client upgrades to TLS in the middle, as
 * SMTP, IMAP and the database protocols do. Wire: the client sends the line "STARTTLS\n"; the
 * server answers "OK\n" and from its next byte on speaks TLS as the server of the run's
 * certificate; inside TLS, RFC 862 echo as the `echo` scenario over tls (the client's half-close
 * is close_notify + FIN, the server finishes echoing, then closes). Any other first line is
 * answered "ERR\n" and the connection closed.
 *
 * The server upgrades the accepted connection itself (`rt.startTls`, role "server"): only
 * runtimes whose adapter can (`features.startTlsServer`: Node) serve it; the client upgrades
 * with `rt.startTls` (role "client"), which the adapters and the WinterTC facade
 * (`secureTransport: "starttls"`, then `startTls()`) provide. It runs over the tls transport,
 * whose certificates and trust it uses, on 127.0.0.1 and ::1.
 */
import {
  NetError,
  Prng,
  equalBytes,
  fromUtf8,
  isNetError,
  utf8,
  type Connection,
  type Runtime,
} from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import { echoConnection } from "./echo.js";
import { SERVER_LIMIT_OPTIONS, serveConnections } from "./serve-util.js";
import {
  Checks,
  mutationOf,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";

const COMMAND = "STARTTLS\n";

const MUTATIONS = {
  "no-upgrade": 'the server answers "OK" but never starts TLS: it keeps echoing in plaintext (a stripped STARTTLS)',
} as const;
/** The longest first line a server reads before it answers ERR. */
const MAX_LINE = 64;

/** Reads one "\n"-terminated line (at most MAX_LINE bytes); what came after it is returned too. */
async function readLine(conn: Connection): Promise<{ line: string; rest: number }> {
  let bytes = new Uint8Array(0);
  for (;;) {
    const i = bytes.indexOf(0x0a);
    if (i >= 0) return { line: fromUtf8(bytes.subarray(0, i + 1)), rest: bytes.byteLength - i - 1 };
    if (bytes.byteLength > MAX_LINE) return { line: fromUtf8(bytes), rest: 0 };
    const chunk = await conn.read();
    if (chunk === null) return { line: fromUtf8(bytes), rest: 0 };
    const next = new Uint8Array(bytes.byteLength + chunk.byteLength);
    next.set(bytes);
    next.set(chunk, bytes.byteLength);
    bytes = next;
  }
}

async function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  if (!rt.features.startTlsServer)
    throw new NetError("ENOTSUP", `${rt.runtime} ${rt.version} cannot upgrade an accepted connection (startTlsServer)`);
  const { cert, key } = options.tls ?? {};
  if (!cert || !key) throw new NetError("EINVAL", "a certificate and a key are required for the STARTTLS server");
  const noUpgrade = mutationOf(options, "starttls", MUTATIONS) === "no-upgrade";
  const listener = await rt.listen({ transport: "tcp", hostname: options.host, port: options.port });
  return serveConnections(rt, listener, options, log, async (conn, ctx) => {
    const { line, rest } = await readLine(conn);
    // A client that sent more than the command before the answer would be mixing plaintext into the handshake.
    if (line !== COMMAND || rest !== 0) {
      await conn.write(utf8("ERR\n"));
      await conn.closeWrite();
      return;
    }
    await conn.write(utf8("OK\n"));
    if (noUpgrade) return echoConnection(conn);
    if (!ctx.startTls) throw new NetError("ENOTSUP", "this server cannot upgrade its connections");
    // Closed with the handler's end by serveConnections, as the plaintext connection would be.
    await echoConnection(await ctx.startTls({ cert, key }));
  });
}

/** Sends `payload` inside TLS, half-closes, and reads the echo to its end. */
async function echoInside(conn: Connection, payload: Uint8Array): Promise<Uint8Array> {
  const writer = (async () => {
    await conn.write(payload);
    await conn.closeWrite();
  })();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const c = await conn.read();
    if (c === null) break;
    chunks.push(c.slice());
    n += c.byteLength;
  }
  await writer;
  const out = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

async function client(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const { ca, servername } = options.tls ?? {};
  const trust = { ...(ca !== undefined ? { ca } : {}), ...(servername ? { servername } : {}) };
  const size = Math.min(Number(options.extra.size ?? 65_543), 1_048_576);
  const payload = new Prng(Number(options.extra.seed ?? 1)).bytes(size);
  const plain = await rt.connect({
    transport: "tcp",
    hostname: options.host,
    port: options.port,
    startTls: trust,
  });
  let tls: Connection | undefined;
  try {
    await plain.write(utf8(COMMAND));
    const answer = await withTimeout(readLine(plain), 10_000, "the server's answer to STARTTLS");
    if (
      !checks.expect(
        "the server answers OK",
        answer.line === "OK\n" && answer.rest === 0,
        `got ${JSON.stringify(answer.line)}`,
      )
    )
      return { ok: false, checks: checks.list, metrics: {} };
    try {
      tls = await withTimeout(
        rt.startTls(plain, { role: "client", hostname: options.host, tls: trust }),
        10_000,
        "the TLS handshake after STARTTLS",
      );
    } catch (e) {
      // A server that said OK and did not start TLS (or a certificate that failed) ends here.
      const code = isNetError(e) ? e.code : "ERROR";
      checks.fail("TLS after STARTTLS", `${code}: ${e instanceof Error ? e.message : String(e)}`);
      return { ok: false, checks: checks.list, metrics: {} };
    }
    checks.expect("TLS after STARTTLS", (tls.tlsInfo?.() ?? null) !== null, "the upgraded connection reports no TLS");
    const t0 = rt.host.now();
    const got = await withTimeout(echoInside(tls, payload), 30_000, `echo of ${size} bytes inside TLS`);
    checks.expect(
      `echo ${size} B inside TLS`,
      equalBytes(got, payload),
      `sent ${size} B, got ${got.byteLength} B${got.byteLength === size ? " that differ" : ""}`,
    );
    return { ok: checks.ok, checks: checks.list, metrics: { echoMs: Math.round(rt.host.now() - t0) } };
  } finally {
    (tls ?? plain).close();
  }
}

export const starttls: Scenario = {
  name: "starttls",
  summary: 'plaintext "STARTTLS\\n", "OK\\n", then the connection upgraded to TLS and echoed inside it',
  transports: ["tls"],
  needs: { server: ["startTlsServer"], client: ["startTlsClient"] },
  mutations: MUTATIONS,
  options: SERVER_LIMIT_OPTIONS,
  serve,
  client,
};
