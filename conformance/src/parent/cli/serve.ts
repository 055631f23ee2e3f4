import { resolve } from "node:path";
import type { RuntimeName, Transport } from "@netparity/protocol";
import { startAgent } from "../runner/agent-process.js";
import { requireApi, requireTransport, runtimeRuns } from "./preflight.js";
import { DEFAULT_API, type ApiName } from "../../in-runtime/common/apis.js";
import { transportOf } from "../../in-runtime/common/transports.js";
import { UsageError } from "../common/usage.js";
import { writeCertificates, type CertificateFiles } from "../certs/generate.js";
import { serverTlsFiles, type TlsFlags } from "./tls.js";

export interface ServeOptions {
  runtime: RuntimeName;
  transport: Transport;
  host: string;
  port: number;
  path?: string;
  /** The server end's API (default native): "node" serves on node:* through the Node adapter. */
  api?: ApiName;
  tls?: TlsFlags;
  extra: Record<string, string | number | boolean>;
  binaries: Partial<Record<RuntimeName, string>>;
}

/**
 * Runs a scenario's server inside the chosen runtime and relays its JSON lines. SIGINT or
 * SIGTERM stops the server cleanly (exit 0); a server that cannot start exits 1 with one line.
 * Over TLS without --cert/--key, a throwaway CA and server certificate are made for the
 * server's lifetime and the listening line names the CA file ("ca") for clients to trust.
 */
export async function serve(scenario: string, o: ServeOptions): Promise<number> {
  requireTransport(scenario, o.transport);
  const api = requireApi(o.runtime, o.api ?? DEFAULT_API, "server", o.transport);
  if (transportOf(o.transport).addressing === "path" && !o.path)
    throw new UsageError(`--transport ${o.transport} needs --path`);
  const tlsFiles = serverTlsFiles(o.transport, o.tls ?? {});
  if (!runtimeRuns(o.runtime, o.binaries)) return 1;
  let generated: CertificateFiles | undefined;
  if (tlsFiles === "generate") generated = await writeCertificates(o.tls?.keyType ? { keyType: o.tls.keyType } : {});
  const tls =
    tlsFiles === "generate"
      ? { cert: generated!.cert, key: generated!.key, ...(o.tls?.alpn ? { alpn: o.tls.alpn } : {}) }
      : tlsFiles;
  const ca = generated?.ca ?? o.tls?.ca;
  const agent = startAgent(
    o.runtime,
    {
      role: "server",
      scenario,
      transport: o.transport,
      host: o.host,
      port: o.port,
      ...(o.path ? { path: o.path } : {}),
      ...(tls ? { tls } : {}),
      extra: o.extra,
      ...(api !== DEFAULT_API ? { api } : {}),
    },
    o.binaries,
    { onStderr: (s) => process.stderr.write(s) },
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void agent.stop({ graceMs: 5000 });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const ready = await agent.next(30_000);
    if (!ready) {
      process.stderr.write(`netparity: ${o.runtime} server exited before listening\n`);
      return 1;
    }
    if (ready.event === "error") {
      process.stderr.write(`netparity: ${ready.code}: ${ready.message}\n`);
      return ready.code === "USAGE" ? 2 : 1;
    }
    process.stdout.write(
      `${JSON.stringify(ca && ready.event === "listening" ? { ...ready, ca: resolve(ca) } : ready)}\n`,
    );
    for (;;) {
      const e = await agent.next(2 ** 31 - 1);
      if (!e) break;
      if (e.event !== "stopped") process.stdout.write(`${JSON.stringify(e)}\n`);
    }
    const code = await agent.exited;
    return stopping ? 0 : typeof code === "number" ? code : 1;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await agent.stop();
    await generated?.remove();
  }
}
