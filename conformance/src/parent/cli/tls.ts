/** The TLS flags of `serve` and `client`: file paths checked here, read by the agent. */
import { isSecure } from "../../in-runtime/common/transports.js";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Transport } from "@netparity/protocol";
import type { AgentTlsFiles } from "../../in-runtime/agent-protocol.js";
import type { KeyType } from "../certs/generate.js";
import { UsageError } from "../common/usage.js";

export interface TlsFlags {
  cert?: string;
  key?: string;
  ca?: string;
  servername?: string;
  alpn?: string[];
  /** serve: the key of a generated certificate. */
  keyType?: KeyType;
}

export function parseKeyType(value: string): KeyType {
  if (value !== "ecdsa" && value !== "rsa")
    throw new UsageError(`invalid --key-type "${value}" (expected ecdsa or rsa)`);
  return value;
}

/** The SNI and verified name `client --transport tls` uses unless --servername says otherwise. */
export const DEFAULT_SERVERNAME = "localhost";

export function parseAlpn(value: string): string[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length || list.some((p) => p.length > 255))
    throw new UsageError(`invalid --alpn "${value}" (comma-separated protocol names, e.g. h2,http/1.1)`);
  return list;
}

function file(flag: string, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UsageError(`${flag} ${path}: no such file`);
  return abs;
}

/** Refuses TLS flags without --transport tls, so a forgotten --transport is not a silent plaintext run. */
function onlyWithTls(transport: Transport, flags: TlsFlags): void {
  if (isSecure(transport)) return;
  const given = (["cert", "key", "ca", "servername", "alpn", "keyType"] as const).filter((k) => flags[k] !== undefined);
  if (given.length) throw new UsageError(`--${given[0] === "keyType" ? "key-type" : given[0]} needs --transport tls`);
}

/** The server's files: both --cert and --key, or neither (the caller then generates them). */
export function serverTlsFiles(transport: Transport, flags: TlsFlags): AgentTlsFiles | "generate" | undefined {
  onlyWithTls(transport, flags);
  if (flags.servername !== undefined) throw new UsageError("--servername is a client option");
  if (!isSecure(transport)) return undefined;
  if ((flags.cert === undefined) !== (flags.key === undefined))
    throw new UsageError("--cert and --key go together (or neither: a throwaway CA and certificate are made)");
  if (flags.cert !== undefined && flags.keyType !== undefined)
    throw new UsageError("--key-type chooses the key of a generated certificate; your --cert has its own");
  if (flags.cert === undefined) {
    if (flags.ca !== undefined)
      throw new UsageError("--ca on serve names the CA of your --cert; give --cert and --key");
    return "generate";
  }
  return {
    cert: file("--cert", flags.cert)!,
    key: file("--key", flags.key)!,
    ...(flags.alpn ? { alpn: flags.alpn } : {}),
  };
}

/** `defaultServername` null: none, so the runtime verifies the name the client connects to. */
export function clientTlsFiles(
  transport: Transport,
  flags: TlsFlags,
  defaultServername: string | null = DEFAULT_SERVERNAME,
): AgentTlsFiles | undefined {
  onlyWithTls(transport, flags);
  if (!isSecure(transport)) return undefined;
  if (flags.cert !== undefined || flags.key !== undefined)
    throw new UsageError("--cert and --key are server options (client certificates are not supported yet)");
  const ca = file("--ca", flags.ca);
  const servername = flags.servername ?? defaultServername;
  return {
    ...(ca ? { ca } : {}),
    ...(servername !== null ? { servername } : {}),
    ...(flags.alpn ? { alpn: flags.alpn } : {}),
  };
}
