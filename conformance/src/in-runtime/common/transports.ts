/**
 * Transports as data. What a transport is (a byte stream or datagrams, secure or not, addressed
 * by host and port or by a path, which transport a proxy in between sees) lives here once;
 * code asks the descriptor (`transportOf(t).secure`) instead of comparing names. A new
 * transport is its adapter work plus one descriptor here (see CONTRIBUTING, "Adding a
 * transport"); the scenarios that run on it say so in their own `transports`.
 */
import type { Transport } from "@netparity/protocol";

export interface TransportDescriptor {
  readonly name: Transport;
  /** A byte stream with half-close (tcp, unix, tls), or datagrams (udp). */
  readonly kind: "stream" | "datagram";
  /** Encrypted and authenticated (certificates, SNI, ALPN apply). */
  readonly secure: boolean;
  /** Where an end is: a host and a port (`ip`: 127.0.0.1 and ::1 cells), or a filesystem path. */
  readonly addressing: "ip" | "path";
  /** What a proxy between client and server carries: tls is TLS records over tcp. */
  readonly carrier: Transport;
  /** The scheme of a URL over this transport, where one exists (http-get). */
  readonly httpScheme?: "http" | "https";
  /** One line for help texts. */
  readonly description: string;
}

const DESCRIPTORS: TransportDescriptor[] = [
  {
    name: "tcp",
    kind: "stream",
    secure: false,
    addressing: "ip",
    carrier: "tcp",
    httpScheme: "http",
    description: "TCP",
  },
  { name: "udp", kind: "datagram", secure: false, addressing: "ip", carrier: "udp", description: "UDP datagrams" },
  {
    name: "unix",
    kind: "stream",
    secure: false,
    addressing: "path",
    carrier: "unix",
    description: "Unix stream sockets",
  },
  {
    name: "tls",
    kind: "stream",
    secure: true,
    addressing: "ip",
    carrier: "tcp",
    httpScheme: "https",
    description: "TLS over TCP",
  },
];

const REGISTRY = new Map<string, TransportDescriptor>(DESCRIPTORS.map((d) => [d.name, d]));

/** Every transport, in the order of the command line's defaults (tcp, udp, unix, tls). */
export function transportNames(): Transport[] {
  return [...REGISTRY.keys()] as Transport[];
}

export function isTransport(name: string): name is Transport {
  return REGISTRY.has(name);
}

/** The descriptor of a transport; an unknown name is a programming error. */
export function transportOf(name: Transport | string): TransportDescriptor {
  const d = REGISTRY.get(name);
  if (!d) throw new Error(`unknown transport "${name}"`);
  return d;
}

/** Whether `t` is encrypted (the scenarios then take certificates, the parent makes them). */
export function isSecure(t: Transport | string): boolean {
  return transportOf(t).secure;
}

/**
 * `message` naming the host and port once, as a person types them: an IPv6 host in brackets
 * (`[::1]:7`). A runtime that names the address unbracketed (Node: "connect ECONNREFUSED ::1:7")
 * has it bracketed in place; one that does not name it (Bun, Deno) gets `tcp [::1]:7: ` before it.
 */
export function namingAddress(message: string, transport: string, host: string, port: number): string {
  const bare = `${host}:${port}`;
  const where = host.includes(":") ? `[${host}]:${port}` : bare;
  if (message.includes(where)) return message;
  if (message.includes(bare)) return message.replace(bare, where);
  return `${transport} ${where}: ${message}`;
}
