/** Which addresses a runtime binds and connects to: `localhost`, the default host, IPv6, dual stack. */
import type { DatagramSocket, Listener, Runtime } from "@netparity/protocol";
import {
  type BindEvidence,
  classifyBind,
  classifyDualStack,
  classifyIpv6Tcp,
  classifyIpv6Udp,
  classifyLocalhostConnect,
  classifyLocalhostListen,
  classifyLocalhostUdp,
  type DualStackEvidence,
  type Ipv6TcpEvidence,
  type Ipv6UdpEvidence,
  type LocalhostConnectEvidence,
  type LocalhostListenEvidence,
  type LocalhostUdpEvidence,
} from "./addressing-classify.js";
import type { Probe } from "./types.js";
import { codeOf, errorEvidence, hostOf, scoped, settle, tcpPort, type Scope } from "./util.js";

async function tryListen(rt: Runtime, scope: Scope, hostname: string, port: number): Promise<Listener | unknown> {
  try {
    return scope.listener(await rt.listen({ transport: "tcp", hostname, port }));
  } catch (e) {
    return e;
  }
}

function isListener(x: unknown): x is Listener {
  return typeof x === "object" && x !== null && "accept" in x;
}

/**
 * Listens with `hostname` (undefined: left out of the runtime's own listen call), then tries a
 * client on each loopback: what the listener reports and who reaches it is the evidence.
 */
async function bindProbe(rt: Runtime, hostname: string | undefined): Promise<BindEvidence> {
  return scoped(async (scope) => {
    let evidence: BindEvidence;
    try {
      const l = scope.listener(
        await rt.listen({ transport: "tcp", ...(hostname !== undefined ? { hostname } : {}), port: 0 }),
      );
      // Only loopback clients: the listener is closed again within milliseconds.
      const port = tcpPort(l.address);
      const reach: Record<string, string> = {};
      for (const host of ["127.0.0.1", "::1"]) {
        const r = await settle(rt, rt.connect({ transport: "tcp", hostname: host, port }), 1000);
        if (r.state === "resolved") {
          reach[host] = "connected";
          r.value.close();
        } else reach[host] = r.state === "rejected" ? codeOf(r.error) : "pending";
      }
      evidence = { address: { hostname: hostOf(l.address), port }, loopbackClients: reach };
    } catch (e) {
      evidence = { error: errorEvidence(e) };
    }
    return evidence;
  });
}

export const addressingProbes: Probe[] = [
  {
    id: "addr.localhost-listen",
    title: 'listen on "localhost": the address the runtime binds',
    classify: classifyLocalhostListen,
    async collect(rt) {
      return scoped(async (scope) => {
        const l = await tryListen(rt, scope, "localhost", 0);
        if (!isListener(l)) return errorEvidence(l) satisfies LocalhostListenEvidence;
        // The reported hostname may be the name itself (Bun echoes it), so the family that
        // really listens is found by connecting to each loopback.
        const port = tcpPort(l.address);
        const reachable: string[] = [];
        for (const host of ["127.0.0.1", "::1"]) {
          const r = await settle(rt, rt.connect({ transport: "tcp", hostname: host, port }), 1000);
          if (r.state === "resolved") {
            reachable.push(host);
            r.value.close();
          }
        }
        return { address: l.address, reachableOn: reachable } satisfies LocalhostListenEvidence;
      });
    },
  },
  {
    id: "addr.localhost-connect",
    title: 'connect to "localhost" with listeners on both 127.0.0.1 and ::1',
    classify: classifyLocalhostConnect,
    async collect(rt) {
      return scoped(async (scope) => {
        // One port on both loopbacks, so the address the client picked shows which family won.
        let v4: Listener | undefined;
        let v6: Listener | undefined;
        const attempts: string[] = [];
        for (let i = 0; i < 5 && !v6; i++) {
          const a = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
          const b = await tryListen(rt, scope, "::1", tcpPort(a.address));
          if (isListener(b)) {
            v4 = scope.listener(a);
            v6 = b;
          } else {
            attempts.push(codeOf(b));
            await a.close();
          }
        }
        if (!v4 || !v6) return { attempts } satisfies LocalhostConnectEvidence;
        const port = tcpPort(v4.address);
        const r = await settle(rt, rt.connect({ transport: "tcp", hostname: "localhost", port }), 2000);
        if (r.state === "resolved") scope.conn(r.value);
        else if (r.state === "pending") return { port, connect: "pending" } satisfies LocalhostConnectEvidence;
        if (r.state === "rejected") return errorEvidence(r.error) satisfies LocalhostConnectEvidence;
        return {
          remote: r.value.remoteAddress,
          local: r.value.localAddress,
          connectMs: r.ms,
        } satisfies LocalhostConnectEvidence;
      });
    },
  },
  {
    id: "addr.localhost-udp",
    title: 'bind a datagram socket to "localhost"',
    needs: ["udp"],
    classify: classifyLocalhostUdp,
    async collect(rt) {
      return scoped(async (scope) => {
        try {
          const d = scope.dgram(await rt.bindDatagram({ hostname: "localhost", port: 0 }));
          return { address: d.address } satisfies LocalhostUdpEvidence;
        } catch (e) {
          return errorEvidence(e) satisfies LocalhostUdpEvidence;
        }
      });
    },
  },
  {
    id: "addr.default-host",
    title: "listen without a hostname (the runtime's native default bind address)",
    classify: classifyBind,
    collect: (rt) => bindProbe(rt, undefined),
  },
  {
    id: "addr.empty-host",
    title: 'listen with an empty hostname ""',
    classify: classifyBind,
    collect: (rt) => bindProbe(rt, ""),
  },
  {
    id: "ipv6.loopback-tcp",
    title: "TCP over the IPv6 loopback ::1",
    needs: ["ipv6"],
    classify: classifyIpv6Tcp,
    async collect(rt) {
      return scoped(async (scope) => {
        let l: Listener;
        try {
          l = scope.listener(await rt.listen({ transport: "tcp", hostname: "::1", port: 0 }));
        } catch (e) {
          return errorEvidence(e) satisfies Ipv6TcpEvidence;
        }
        const port = tcpPort(l.address);
        const [c, s] = await Promise.all([rt.connect({ transport: "tcp", hostname: "::1", port }), l.accept()]);
        scope.conn(c);
        if (s) scope.conn(s);
        await c.write(new Uint8Array([6]));
        const got = s ? await settle(rt, s.read(), 2000) : undefined;
        const serverRead = !got
          ? "no server end"
          : got.state === "resolved"
            ? got.value === null
              ? "eof"
              : Array.from(got.value.subarray(0, 4))
            : got.state === "rejected"
              ? codeOf(got.error)
              : "pending";
        return {
          listener: l.address,
          clientLocal: c.localAddress,
          serverRemote: s?.remoteAddress ?? null,
          serverRead,
        } satisfies Ipv6TcpEvidence;
      });
    },
  },
  {
    id: "ipv6.loopback-udp",
    title: "UDP over the IPv6 loopback ::1",
    needs: ["ipv6", "udp"],
    classify: classifyIpv6Udp,
    async collect(rt) {
      return scoped(async (scope) => {
        let a: DatagramSocket | undefined;
        let b: DatagramSocket | undefined;
        try {
          a = scope.dgram(await rt.bindDatagram({ hostname: "::1", port: 0 }));
          b = scope.dgram(await rt.bindDatagram({ hostname: "::1", port: 0 }));
        } catch (e) {
          return errorEvidence(e) satisfies Ipv6UdpEvidence;
        }
        await a.send(new Uint8Array([1, 2, 3]), { hostname: "::1", port: b.address.port });
        const r = await settle(rt, b.receive(), 1000);
        return {
          address: b.address,
          from: r.state === "resolved" && r.value ? r.value.from : null,
          receive:
            r.state === "resolved"
              ? r.value
                ? { bytes: r.value.data.byteLength }
                : "null"
              : r.state === "rejected"
                ? { error: errorEvidence(r.error) }
                : "pending",
        } satisfies Ipv6UdpEvidence;
      });
    },
  },
  {
    id: "ipv6.dual-stack",
    title: 'does a listener on "::" accept an IPv4 client?',
    needs: ["ipv6"],
    classify: classifyDualStack,
    async collect(rt) {
      return scoped(async (scope) => {
        let l: Listener;
        try {
          l = scope.listener(await rt.listen({ transport: "tcp", hostname: "::", port: 0 }));
        } catch (e) {
          return errorEvidence(e) satisfies DualStackEvidence;
        }
        const port = tcpPort(l.address);
        const accepted = l.accept();
        const r = await settle(rt, rt.connect({ transport: "tcp", hostname: "127.0.0.1", port }), 2000);
        if (r.state !== "resolved") {
          void accepted.then(
            (s) => s?.close(),
            () => undefined,
          );
          return {
            listener: l.address,
            connect: r.state === "rejected" ? errorEvidence(r.error) : "pending",
          } satisfies DualStackEvidence;
        }
        scope.conn(r.value);
        const s = await settle(rt, accepted, 2000);
        if (s.state === "resolved" && s.value) scope.conn(s.value);
        const peer = s.state === "resolved" && s.value ? hostOf(s.value.remoteAddress) : null;
        return {
          listener: l.address,
          serverSeesClient: peer,
          clientSeesServer: r.value.remoteAddress,
        } satisfies DualStackEvidence;
      });
    },
  },
];
