import { NetError, toNetError, type NetErrorCode } from "@netparity/protocol";

/**
 * Deno reports failures as error classes (Deno.errors.*) rather than errno names, so the
 * class name is mapped first. Newer Deno versions also set an errno `code` on some of them,
 * which `toNetError` picks up for everything not listed here.
 */
const BY_CLASS: Record<string, NetErrorCode> = {
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  ConnectionAborted: "ECONNABORTED",
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  BrokenPipe: "EPIPE",
  TimedOut: "ETIMEDOUT",
  NotFound: "ENOENT",
  AlreadyExists: "EEXIST",
  PermissionDenied: "EACCES",
  // A missing --allow-* flag: the process may not do it, which is what EACCES means to callers.
  NotCapable: "EACCES",
  NetworkUnreachable: "ENETUNREACH",
  NotSupported: "ENOTSUP",
  UnexpectedEof: "UNEXPECTED_EOF",
  // A resource closed under a pending or later op (we closed it ourselves).
  BadResource: "CLOSED",
  Interrupted: "CLOSED",
  NotConnected: "CLOSED",
  AbortError: "ABORTED",
};

export function denoNetError(cause: unknown, operation: string): NetError {
  if (cause instanceof NetError) return cause;
  const name = (cause as { name?: unknown } | null)?.name;
  const code = typeof name === "string" ? BY_CLASS[name] : undefined;
  if (code) {
    const message = (cause as { message?: unknown }).message;
    return new NetError(code, typeof message === "string" ? message : String(cause), { cause, operation });
  }
  const byResolver = resolverCode(cause);
  if (byResolver) {
    const message = (cause as { message?: unknown }).message;
    return new NetError(byResolver, typeof message === "string" ? message : String(cause), { cause, operation });
  }
  const byErrno = osErrorCode(cause);
  if (byErrno) {
    const message = (cause as { message?: unknown }).message;
    return new NetError(byErrno, typeof message === "string" ? message : String(cause), { cause, operation });
  }
  return toNetError(cause, operation);
}

/**
 * An errno without a Deno.errors class comes as a plain Error whose message ends in
 * "(os error N)", e.g. a multicast join on a missing interface: "No such device (os error 19)".
 * Only Linux's numbers are mapped, and only where they are told apart nowhere else.
 */
const LINUX_ERRNO: Record<number, NetErrorCode> = { 19: "ENODEV", 22: "EINVAL", 95: "ENOTSUP", 99: "EADDRNOTAVAIL" };

function osErrorCode(cause: unknown): NetErrorCode | undefined {
  if (Deno.build.os !== "linux") return undefined;
  const message = (cause as { message?: unknown } | null)?.message;
  const m = typeof message === "string" ? /\(os error (\d+)\)$/.exec(message) : null;
  return m ? LINUX_ERRNO[Number(m[1])] : undefined;
}

/**
 * A failed name lookup is a plain Error "failed to lookup address information: <gai_strerror>"
 * with no code (Deno resolves with the C library's getaddrinfo): EAI_NONAME's "Name or service
 * not known" is ENOTFOUND, as Node and Bun name it; EAI_AGAIN's "Temporary failure in name
 * resolution" is EAI_AGAIN.
 */
function resolverCode(cause: unknown): NetErrorCode | undefined {
  const message = (cause as { message?: unknown } | null)?.message;
  if (typeof message !== "string" || !/failed to lookup address information/i.test(message)) return undefined;
  return /temporary failure/i.test(message) ? "EAI_AGAIN" : "ENOTFOUND";
}

/** True for the errors Deno raises on an op whose resource was closed by this process. */
export function isClosedResource(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted;
}
