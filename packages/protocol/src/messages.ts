/**
 * Message contracts of wire contract v1 that are more than raw bytes: the framed transfer's
 * JSON header and reply. Pure: parsing and validation only, no runtime API.
 */
import { fromUtf8, utf8 } from "./bytes.js";

/** Frame 1 of a transfer: what the client says it will send. */
export interface TransferHeader {
  readonly name: string;
  /** Bytes of file data that follow, a non-negative safe integer. */
  readonly size: number;
  /** SHA-256 of the data, 64 lowercase hex digits. */
  readonly sha256: string;
}

/** The server's one reply frame: the size and hash of what it actually received. */
export interface TransferReply {
  readonly ok: boolean;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  /** Present when `ok` is false. */
  readonly error?: string;
  /** Extension: the base name the file was saved under (servers that save, e.g. `--out`). */
  readonly saved?: string;
}

/** A header frame longer than this is refused before it is parsed. */
export const TRANSFER_HEADER_MAX = 64 * 1024;
/** The most a saved file's base name keeps, in UTF-16 code units (file systems allow 255 bytes). */
export const SAFE_NAME_MAX = 120;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256Hex(s: unknown): s is string {
  return typeof s === "string" && SHA256_HEX.test(s);
}

function parseJsonObject(bytes: Uint8Array, what: string): Parsed<Record<string, unknown>> {
  if (bytes.byteLength > TRANSFER_HEADER_MAX)
    return { ok: false, error: `${what} is ${bytes.byteLength} bytes, more than ${TRANSFER_HEADER_MAX}` };
  let text: string;
  try {
    text = fromUtf8(bytes);
  } catch {
    return { ok: false, error: `${what} is not valid UTF-8` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${what} is not JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, error: `${what} is not a JSON object` };
  return { ok: true, value: value as Record<string, unknown> };
}

function checkSize(size: unknown): string | undefined {
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)
    return `"size" must be a non-negative integer, got ${JSON.stringify(size)}`;
  return undefined;
}

/** Validates frame 1 of a transfer. Unknown fields are ignored. */
export function parseTransferHeader(bytes: Uint8Array): Parsed<TransferHeader> {
  const o = parseJsonObject(bytes, "header");
  if (!o.ok) return o;
  const { name, size, sha256 } = o.value;
  const missing = (["name", "size", "sha256"] as const).filter((k) => !(k in o.value));
  if (missing.length) return { ok: false, error: `header lacks ${missing.map((k) => `"${k}"`).join(", ")}` };
  if (typeof name !== "string") return { ok: false, error: `"name" must be a string` };
  const sizeError = checkSize(size);
  if (sizeError) return { ok: false, error: sizeError };
  if (!isSha256Hex(sha256)) return { ok: false, error: `"sha256" must be 64 lowercase hex digits` };
  return { ok: true, value: { name, size: size as number, sha256 } };
}

/** Validates the server's reply frame. */
export function parseTransferReply(bytes: Uint8Array): Parsed<TransferReply> {
  const o = parseJsonObject(bytes, "reply");
  if (!o.ok) return o;
  const { ok, name, size, sha256, error, saved } = o.value;
  if (typeof ok !== "boolean") return { ok: false, error: `reply "ok" must be a boolean` };
  if (typeof name !== "string") return { ok: false, error: `reply "name" must be a string` };
  const sizeError = checkSize(size);
  if (sizeError) return { ok: false, error: `reply ${sizeError}` };
  if (typeof sha256 !== "string") return { ok: false, error: `reply "sha256" must be a string` };
  if (!ok && typeof error !== "string")
    return { ok: false, error: `a reply with "ok": false must carry an "error" string` };
  return {
    ok: true,
    value: {
      ok,
      name,
      size: size as number,
      sha256,
      ...(typeof error === "string" ? { error } : {}),
      ...(typeof saved === "string" ? { saved } : {}),
    },
  };
}

export function encodeTransferHeader(h: TransferHeader): Uint8Array {
  return utf8(JSON.stringify({ name: h.name, size: h.size, sha256: h.sha256 }));
}

export function encodeTransferReply(r: TransferReply): Uint8Array {
  return utf8(
    JSON.stringify({
      ok: r.ok,
      name: r.name,
      size: r.size,
      sha256: r.sha256,
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.saved !== undefined ? { saved: r.saved } : {}),
    }),
  );
}

/**
 * Reduces a client-chosen file name to a base name that is safe to create inside one
 * directory, or null when nothing usable is left. The last path component is kept (both
 * "/" and "\" separate, so "../../etc/passwd" and "C:\x\y" lose their directories),
 * control characters (C0, DEL, C1) are dropped, surrounding white space is trimmed, and
 * "", "." and ".." are refused; the result is cut to SAFE_NAME_MAX characters.
 */
export function safeBaseName(name: string): string | null {
  const parts = name.split(/[/\\]/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  let base = (parts[parts.length - 1] ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  if (base.length > SAFE_NAME_MAX) {
    base = base.slice(0, SAFE_NAME_MAX);
    // Never leave half a surrogate pair at the cut.
    if (/[\ud800-\udbff]$/.test(base)) base = base.slice(0, -1);
  }
  if (base === "" || base === "." || base === "..") return null;
  return base;
}
