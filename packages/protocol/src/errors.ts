/**
 * Normalized network errors. Every adapter maps its runtime's own error onto one of
 * these stable codes and keeps the original as `cause`, so reports can key on `code`
 * while the evidence of what the runtime really said is never lost.
 */
export const NET_ERROR_CODES = [
  "EADDRINUSE",
  "EADDRNOTAVAIL",
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EMSGSIZE",
  "ENOENT",
  "EEXIST",
  "EACCES",
  "EINVAL",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAFNOSUPPORT",
  // Name resolution: the name does not exist (ENOTFOUND) or the resolver could not answer now (EAI_AGAIN).
  "ENOTFOUND",
  "EAI_AGAIN",
  // No such device: e.g. a multicast join on an interface address no interface has.
  "ENODEV",
  "ENOTSUP",
  "ABORTED",
  "CLOSED",
  "FRAME_TOO_LARGE",
  // HTTP: a response head (status line and headers) longer than the client's limit.
  "HEAD_TOO_LARGE",
  "UNEXPECTED_EOF",
  "PROTOCOL",
  // Text: a character the chosen encoding (e.g. gbk) has no bytes for; never replaced by "?".
  "ENCODING_UNREPRESENTABLE",
  // Text: bytes that are not valid in the chosen encoding.
  "ENCODING_INVALID",
  // TLS: the peer's certificate chain ends at a CA this side does not trust (or is self-signed).
  "CERT_UNTRUSTED",
  // TLS: the certificate is valid but not for the name (SNI / servername) that was asked for.
  "CERT_HOSTNAME_MISMATCH",
  // TLS: the certificate (or one in its chain) is outside its validity period.
  "CERT_EXPIRED",
  // TLS: the handshake failed for another reason (no shared protocol or cipher, bad record, alert).
  "TLS_HANDSHAKE",
  // TLS: this side's own certificate or key cannot be used (not PEM, key does not match the certificate).
  "TLS_CREDENTIALS",
  "UNKNOWN",
] as const;

export type NetErrorCode = (typeof NET_ERROR_CODES)[number];

export class NetError extends Error {
  override readonly name = "NetError";
  readonly code: NetErrorCode;
  /** The syscall or operation that failed, e.g. "connect", "listen", "write". */
  readonly operation: string | undefined;
  /**
   * Set when the runtime's own API accepted what the adapter refused to keep the contract
   * (e.g. a certificate that failed verification): the upstream issue of that runtime bug.
   * Reports show such a refusal apart from one the runtime made itself.
   */
  readonly runtimeAccepted: string | undefined;

  constructor(
    code: NetErrorCode,
    message: string,
    options?: { cause?: unknown; operation?: string; runtimeAccepted?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.operation = options?.operation;
    this.runtimeAccepted = options?.runtimeAccepted;
  }

  toJSON(): { code: NetErrorCode; message: string; operation?: string; runtimeAccepted?: string; cause?: unknown } {
    return {
      code: this.code,
      message: this.message,
      ...(this.operation ? { operation: this.operation } : {}),
      ...(this.runtimeAccepted ? { runtimeAccepted: this.runtimeAccepted } : {}),
      ...(this.cause !== undefined ? { cause: describeCause(this.cause) } : {}),
    };
  }
}

export function isNetError(e: unknown, code?: NetErrorCode): e is NetError {
  return e instanceof NetError && (code === undefined || e.code === code);
}

/** A short, JSON-safe description of whatever a runtime threw. */
export function describeCause(cause: unknown): { name?: string; code?: string; message: string } {
  if (cause && typeof cause === "object") {
    const c = cause as { name?: unknown; code?: unknown; message?: unknown };
    return {
      ...(typeof c.name === "string" ? { name: c.name } : {}),
      ...(typeof c.code === "string" ? { code: c.code } : {}),
      message: typeof c.message === "string" ? c.message : String(cause),
    };
  }
  return { message: String(cause) };
}

const ERRNO_NAMES: Record<string, NetErrorCode> = Object.fromEntries(NET_ERROR_CODES.map((c) => [c, c])) as Record<
  string,
  NetErrorCode
>;

/**
 * Map a runtime error onto a NetError. Node and Bun put the errno name in `code`;
 * Deno uses error classes (Deno.errors.ConnectionRefused ...) whose `name` is mapped by
 * the Deno adapter before calling this. Messages are searched last, as a fallback.
 */
export function toNetError(cause: unknown, operation?: string, fallback: NetErrorCode = "UNKNOWN"): NetError {
  if (cause instanceof NetError) return cause;
  const c = (cause ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  let code: NetErrorCode | undefined;
  if (typeof c.code === "string") code = ERRNO_NAMES[c.code] ?? aliasCode(c.code);
  const message = typeof c.message === "string" ? c.message : String(cause);
  if (!code) {
    const m = /\b(E[A-Z]{3,})\b/.exec(message);
    if (m?.[1]) code = ERRNO_NAMES[m[1]] ?? aliasCode(m[1]);
  }
  return new NetError(code ?? fallback, message, {
    cause,
    ...(operation ? { operation } : {}),
  });
}

function aliasCode(code: string): NetErrorCode | undefined {
  switch (code) {
    case "ERR_SOCKET_CLOSED":
    case "ERR_STREAM_DESTROYED":
    case "ERR_STREAM_WRITE_AFTER_END":
      return "CLOSED";
    case "ERR_SOCKET_CONNECTION_TIMEOUT":
      return "ETIMEDOUT";
    case "ERR_SOCKET_DGRAM_NOT_RUNNING":
      return "CLOSED";
    case "ABORT_ERR":
      return "ABORTED";
    case "EPERM":
      return "EACCES";
    case "EOPNOTSUPP":
      return "ENOTSUP";
    default:
      return undefined;
  }
}
