import type { RuntimeName, Transport } from "@netparity/protocol";
import { startAgent } from "../runner/agent-process.js";
import { requireTransport, runtimeRuns } from "./preflight.js";
import { parseHttpUrl } from "../../in-runtime/scenarios/http-get.js";
import { DEFAULT_API, type ApiName } from "../../in-runtime/common/apis.js";
import { namingAddress, transportOf } from "../../in-runtime/common/transports.js";
import { UsageError } from "../common/usage.js";
import { requireApi } from "./preflight.js";
import { DEFAULT_SERVERNAME, clientTlsFiles, type TlsFlags } from "./tls.js";

export interface ClientOptions {
  runtime: RuntimeName;
  transport: Transport;
  host: string;
  port: number;
  path?: string;
  timeoutMs: number;
  /** The client end's API: `wintertc` connects through @netparity/sockets (tcp and tls), `node` on node:*. */
  api?: ApiName;
  tls?: TlsFlags;
  extra: Record<string, string | number | boolean>;
  binaries: Partial<Record<RuntimeName, string>>;
}

/** Runs a scenario's client inside the chosen runtime; prints its one JSON result line. */
export async function client(scenario: string, o: ClientOptions): Promise<number> {
  const url = typeof o.extra.url === "string" ? urlTarget(o.extra.url) : undefined;
  if (url) o = { ...o, host: url.host, port: url.port, transport: url.transport };
  requireTransport(scenario, o.transport);
  const api = requireApi(o.runtime, o.api ?? DEFAULT_API, "client", o.transport);
  const byPath = transportOf(o.transport).addressing === "path";
  if (byPath ? !o.path : !o.port)
    throw new UsageError(byPath ? `--transport ${o.transport} needs --path` : "--port is required (the server's port)");
  // An https URL names the server the certificate must be valid for, as a browser takes it.
  const tls = clientTlsFiles(o.transport, o.tls ?? {}, url ? null : DEFAULT_SERVERNAME);
  if (!runtimeRuns(o.runtime, o.binaries)) return 1;
  const agent = startAgent(
    o.runtime,
    {
      role: "client",
      scenario,
      transport: o.transport,
      host: o.host,
      port: o.port,
      ...(o.path ? { path: o.path } : {}),
      ...(tls ? { tls } : {}),
      extra: o.extra,
      timeoutMs: o.timeoutMs,
      ...(api !== DEFAULT_API ? { api } : {}),
    },
    o.binaries,
    { onStderr: (s) => process.stderr.write(s) },
  );
  try {
    const e = await agent.next(o.timeoutMs + 15_000);
    if (!e) {
      process.stderr.write(`netparity: ${o.runtime} client exited without a result\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(e)}\n`);
    // The JSON line is for scripts (pinned); a person also gets one line saying what failed.
    if (e.event === "error") {
      process.stderr.write(`netparity: ${scenario} client on ${o.runtime}: ${e.code}: ${e.message}\n`);
      return e.code === "USAGE" ? 2 : 1;
    }
    if (e.event === "result" && e.ok) return 0;
    if (e.event === "result") {
      const failed = e.checks.find((c) => !c.ok);
      const why = e.error
        ? `${e.error.code}: ${byPath ? e.error.message : namingAddress(e.error.message, o.transport, o.host, o.port)}`
        : failed
          ? `${failed.name}: ${failed.detail ?? "failed"}`
          : "failed";
      process.stderr.write(`netparity: ${scenario} client on ${o.runtime} failed: ${oneLine(why)}\n`);
    }
    return 1;
  } finally {
    await agent.stop();
  }
}

/** `--url` (http-get): the server address and the transport come from the URL (https: tls). */
function urlTarget(url: string): { host: string; port: number; transport: Transport } {
  try {
    const t = parseHttpUrl(url);
    return { host: t.hostname, port: t.port, transport: t.tls ? "tls" : "tcp" };
  } catch (e) {
    throw new UsageError(`--url: ${(e as Error).message}`);
  }
}

/** At most one line of 300 characters. */
function oneLine(text: string): string {
  const t = text.replace(/\s*\n\s*/g, " ");
  return t.length > 300 ? `${t.slice(0, 299)}…` : t;
}
