/**
 * Private IPv4 subnets made of network namespaces, for the programs that must not touch a
 * real network: the IPMsg sweep of a /24 and the multicast probes. Every address here exists
 * only inside namespaces this module created; `remove()` deletes them all (and with them
 * every veth and bridge inside). Needs root and iproute2; `netnsSupport()` says why not.
 *
 * Layout of `createSubnet(n)`: one namespace holds a bridge (multicast snooping off, so a
 * group's datagrams reach every port), and each of the n hosts is a namespace whose `eth0`
 * is a veth into that bridge, with address 10.A.B.i/24 (i = 1..n), `lo` up and a multicast
 * route (224.0.0.0/4 via eth0: a namespace has no default route). Run a program on host i
 * with the `ip netns exec` wrapper: `{ netns: subnet.hosts[i].netns }` (see wrappers.ts).
 *
 * @example
 * const net = createSubnet(2);
 * try { startAgent("node", spec, {}, { wrap: { netns: net.hosts[0].netns } }); } finally { net.remove(); }
 */
import { spawnSync } from "node:child_process";

/** The `host` of a matrix cell that runs between the hosts of a subnet (cell keys, tables). */
export const SUBNET_HOST = "subnet";

export interface SubnetHost {
  /** The namespace's name, for `ip netns exec`. */
  readonly netns: string;
  /** Its IPv4 address on the subnet, e.g. "10.214.7.1". */
  readonly address: string;
}

export interface Subnet {
  /** "10.A.B.0/24". */
  readonly cidr: string;
  readonly hosts: readonly SubnetHost[];
  /** Deletes every namespace of the subnet. Idempotent. */
  remove(): void;
}

let support: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether this process can create network namespaces, and why not. */
export function netnsSupport(): { ok: true } | { ok: false; reason: string } {
  if (support) return support;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) support = { ok: false, reason: "needs root to create network namespaces (ip netns)" };
  else if (spawnSync("ip", ["-V"]).status !== 0) support = { ok: false, reason: "needs iproute2 (`ip`)" };
  else if (spawnSync("ip", ["netns", "list"]).status !== 0)
    support = { ok: false, reason: "`ip netns` does not work here" };
  else support = { ok: true };
  return support;
}

function ip(...args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${(r.stderr || r.error?.message || "").trim()}`);
}

let made = 0;

/** Names that do not collide with another run's (interface names are limited to 15 bytes). */
function tag(): string {
  made++;
  return `${(process.pid % 46656).toString(36).padStart(3, "0")}${(made % 36).toString(36)}`;
}

/** A /24 with `hostCount` hosts (1-250) joined by a bridge; see the module comment. */
export function createSubnet(hostCount: number): Subnet {
  if (!Number.isInteger(hostCount) || hostCount < 1 || hostCount > 250)
    throw new RangeError(`hostCount must be 1-250, got ${hostCount}`);
  const t = tag();
  const bridgeNs = `np${t}br`;
  const a = 200 + (process.pid % 50);
  const b = (process.pid >> 6) % 250;
  const cidr = `10.${a}.${b}.0/24`;
  const namespaces = [bridgeNs];
  const hosts: SubnetHost[] = [];
  const remove = (): void => {
    for (const ns of namespaces.splice(0).reverse()) spawnSync("ip", ["netns", "del", ns], { timeout: 10_000 });
  };
  try {
    ip("netns", "add", bridgeNs);
    ip("-n", bridgeNs, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
    ip("-n", bridgeNs, "link", "set", "br0", "up");
    for (let i = 1; i <= hostCount; i++) {
      const ns = `np${t}h${i}`;
      const hostEnd = `v${t}h${i}`;
      const bridgeEnd = `v${t}b${i}`;
      ip("netns", "add", ns);
      namespaces.push(ns);
      ip("link", "add", hostEnd, "type", "veth", "peer", "name", bridgeEnd);
      ip("link", "set", bridgeEnd, "netns", bridgeNs);
      ip("-n", bridgeNs, "link", "set", bridgeEnd, "master", "br0", "up");
      ip("link", "set", hostEnd, "netns", ns);
      ip("-n", ns, "link", "set", hostEnd, "name", "eth0");
      const address = `10.${a}.${b}.${i}`;
      ip("-n", ns, "addr", "add", `${address}/24`, "dev", "eth0");
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "set", "eth0", "up");
      ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0");
      hosts.push({ netns: ns, address });
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { cidr, hosts, remove };
}
