import { isNetError } from "@netparity/protocol";

/**
 * The draft's SocketError (section "SocketError"): a TypeError whose message starts with
 * "SocketError: ". `code` is an extension: the stable netparity code of the failure
 * (ECONNREFUSED, CERT_UNTRUSTED, ...) where there is one; the runtime's error is the `cause`.
 * @example new SocketError("connection failed").message // "SocketError: connection failed"
 */
export class SocketError extends TypeError {
  override readonly name = "SocketError";
  /** Extension: the netparity NetError code behind this error, e.g. "ECONNREFUSED". */
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(`SocketError: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}

/** A SocketError for `e` as it came from an adapter (a NetError) or from anything else. */
export function toSocketError(e: unknown, what: string): SocketError {
  if (e instanceof SocketError) return e;
  if (isNetError(e)) return new SocketError(`${what}: ${e.code}: ${e.message}`, { cause: e, code: e.code });
  return new SocketError(`${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
