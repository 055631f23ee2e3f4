import { SocketError } from "./errors.js";
import type { AnySocketAddress } from "./types.js";

/**
 * The draft's AnySocketAddress ("anysocketaddress-type"): a `{ hostname, port }` dictionary
 * or a "hostname:port" string. An IPv6 literal is written in brackets in a string
 * ("[::1]:443"); in the dictionary it may come with or without them. A malformed address
 * throws a SocketError ("connect-section": connect may throw one "if the input address is
 * incorrectly formatted"). Port 0 cannot be connected to and is refused here too.
 * @example parseAddress("[::1]:8080") // { hostname: "::1", port: 8080 }
 */
export function parseAddress(address: AnySocketAddress): { hostname: string; port: number } {
  if (typeof address === "string") {
    let hostname: string;
    let port: string;
    if (address.startsWith("[")) {
      const m = /^\[([^\]]+)\]:([^:]*)$/.exec(address);
      if (!m) throw new SocketError(`malformed address "${address}": expected "[ipv6]:port"`);
      hostname = m[1] ?? "";
      port = m[2] ?? "";
    } else {
      const i = address.lastIndexOf(":");
      if (i < 0) throw new SocketError(`malformed address "${address}": no port (expected "hostname:port")`);
      if (address.indexOf(":") !== i)
        throw new SocketError(`malformed address "${address}": an IPv6 address is written in brackets, "[::1]:port"`);
      hostname = address.slice(0, i);
      port = address.slice(i + 1);
    }
    if (!/^\d{1,5}$/.test(port)) throw new SocketError(`malformed address "${address}": the port is not a number`);
    return { hostname: checkHostname(hostname, address), port: checkPort(Number(port), address) };
  }
  if (typeof address !== "object" || address === null)
    throw new SocketError(`malformed address: expected "hostname:port" or { hostname, port }, got ${typeof address}`);
  const { hostname, port } = address as { hostname?: unknown; port?: unknown };
  if (typeof hostname !== "string") throw new SocketError("malformed address: hostname is not a string");
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  const n = typeof port === "number" ? port : typeof port === "string" && /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  return { hostname: checkHostname(bare, hostname), port: checkPort(n, String(port)) };
}

function checkHostname(hostname: string, input: string): string {
  if (hostname === "" || /[\s/?#@]/.test(hostname)) throw new SocketError(`malformed address "${input}": bad hostname`);
  return hostname;
}

function checkPort(port: number, input: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new SocketError(`malformed address "${input}": the port must be an integer from 1 to 65535`);
  return port;
}

/** "host:port", IPv6 in brackets, as SocketInfo's remoteAddress/localAddress ("socketinfo-dictionary"). */
export function formatAddress(a: { transport: string; hostname?: string; port?: number; path?: string }): string {
  if (a.hostname === undefined) return a.path ?? "";
  return `${a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname}:${a.port}`;
}
