/** Which addresses a runtime binds and connects to: `localhost`, the default host, IPv6, dual stack. */
import type { DatagramSocket, Listener, Runtime } from "@netparity/protocol";
import { classifyBind, type BindEvidence } from "./addressing-classify.js";
import type { Probe, ProbeOutcome } from "./types.js";
import { codeOf, errorEvidence, errorShape, hostOf, scoped, settle, tcpPort, type Scope } from "./util.js";

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
async function bindProbe(rt: Runtime, hostname: string | undefined): Promise<ProbeOutcome> {
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
      evidence = { error: errorEvidence(e) as Extract<BindEvidence, { error: unknown }>["error"] };
    }
    return { ...classifyBind(evidence), evidence };
  });
}

export const addressingProbes: Probe[] = [
  {
    id: "addr.localhost-listen",
    title: 'listen on "localhost": the address the runtime binds',
    async run(rt) {
      return scoped(async (scope) => {
        const l = await tryListen(rt, scope, "localhost", 0);
        if (!isListener(l)) {
          return {
            outcome: errorShape(l),
            evidence: errorEvidence(l),
            explanation: "Listening on the name localhost failed.",
          };
        }
        const reported = hostOf(l.address);
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
        const on = reachable.join(" + ") || "nothing";
        return {
          outcome: reported === on ? reported : `reports ${reported}, on ${on}`,
          evidence: { address: l.address, reachableOn: reachable },
          explanation: `A listener asked for "localhost" reports ${reported} and accepts clients on ${on}.`,
        };
      });
    },
  },
  {
    id: "addr.localhost-connect",
    title: 'connect to "localhost" with listeners on both 127.0.0.1 and ::1',
    async run(rt) {
      return scoped(async (scope) => {
        // One port on both loopbacks, so the address the client picked shows which family won.
        let v4: Listener | undefined;
        let v6: Listener | undefined;
        const attempts: unknown[] = [];
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
        if (!v4 || !v6) {
          return {
            outcome: "no-dual-loopback",
            evidence: { attempts },
            explanation: "Could not listen on the same port on 127.0.0.1 and ::1, so the choice cannot be observed.",
          };
        }
        const port = tcpPort(v4.address);
        const r = await settle(rt, rt.connect({ transport: "tcp", hostname: "localhost", port }), 2000);
        if (r.state === "resolved") scope.conn(r.value);
        else if (r.state === "pending")
          return {
            outcome: "connect-hangs",
            evidence: { port },
            explanation: "Connecting to localhost did not finish within 2 s.",
          };
        if (r.state === "rejected")
          return {
            outcome: errorShape(r.error),
            evidence: errorEvidence(r.error),
            explanation: "Connecting to localhost failed although both loopbacks listen.",
          };
        const remote = hostOf(r.value.remoteAddress);
        return {
          outcome: remote,
          evidence: { remote: r.value.remoteAddress, local: r.value.localAddress, connectMs: r.ms },
          explanation: `With both loopbacks listening, a client connecting to "localhost" reaches ${remote}.`,
        };
      });
    },
  },
  {
    id: "addr.localhost-udp",
    title: 'bind a datagram socket to "localhost"',
    needs: ["udp"],
    async run(rt) {
      return scoped(async (scope) => {
        try {
          const d = scope.dgram(await rt.bindDatagram({ hostname: "localhost", port: 0 }));
          return {
            outcome: d.address.hostname,
            evidence: { address: d.address },
            explanation: `A datagram socket bound to "localhost" reports ${d.address.hostname}.`,
          };
        } catch (e) {
          return {
            outcome: errorShape(e),
            evidence: errorEvidence(e),
            explanation: "Binding a datagram socket to the name localhost failed.",
          };
        }
      });
    },
  },
  {
    id: "addr.default-host",
    title: "listen without a hostname (the runtime's native default bind address)",
    run: (rt) => bindProbe(rt, undefined),
  },
  {
    id: "addr.empty-host",
    title: 'listen with an empty hostname ""',
    run: (rt) => bindProbe(rt, ""),
  },
  {
    id: "ipv6.loopback-tcp",
    title: "TCP over the IPv6 loopback ::1",
    needs: ["ipv6"],
    async run(rt) {
      return scoped(async (scope) => {
        let l: Listener;
        try {
          l = scope.listener(await rt.listen({ transport: "tcp", hostname: "::1", port: 0 }));
        } catch (e) {
          return { outcome: errorShape(e), evidence: errorEvidence(e), explanation: "Listening on ::1 failed." };
        }
        const port = tcpPort(l.address);
        const [c, s] = await Promise.all([rt.connect({ transport: "tcp", hostname: "::1", port }), l.accept()]);
        scope.conn(c);
        if (s) scope.conn(s);
        await c.write(new Uint8Array([6]));
        const got = s ? await settle(rt, s.read(), 2000) : undefined;
        const ok = got?.state === "resolved" && got.value?.[0] === 6;
        return {
          outcome: ok ? "supported" : "no-data",
          evidence: { listener: l.address, clientLocal: c.localAddress, serverRemote: s?.remoteAddress ?? null },
          explanation: ok
            ? "A listener on ::1 accepts an IPv6 client and bytes flow; addresses are reported without brackets."
            : "Bytes sent over ::1 did not arrive.",
        };
      });
    },
  },
  {
    id: "ipv6.loopback-udp",
    title: "UDP over the IPv6 loopback ::1",
    needs: ["ipv6", "udp"],
    async run(rt) {
      return scoped(async (scope) => {
        let a: DatagramSocket | undefined;
        let b: DatagramSocket | undefined;
        try {
          a = scope.dgram(await rt.bindDatagram({ hostname: "::1", port: 0 }));
          b = scope.dgram(await rt.bindDatagram({ hostname: "::1", port: 0 }));
        } catch (e) {
          return {
            outcome: errorShape(e),
            evidence: errorEvidence(e),
            explanation: "Binding a datagram socket on ::1 failed.",
          };
        }
        await a.send(new Uint8Array([1, 2, 3]), { hostname: "::1", port: b.address.port });
        const r = await settle(rt, b.receive(), 1000);
        const ok = r.state === "resolved" && r.value?.data.byteLength === 3;
        return {
          outcome: ok ? "supported" : r.state === "rejected" ? errorShape(r.error) : "not-delivered",
          evidence: { address: b.address, from: r.state === "resolved" ? (r.value?.from ?? null) : null },
          explanation: ok
            ? "Datagrams travel over ::1 and the sender's address is reported as ::1."
            : "A datagram sent over ::1 was not received.",
        };
      });
    },
  },
  {
    id: "ipv6.dual-stack",
    title: 'does a listener on "::" accept an IPv4 client?',
    needs: ["ipv6"],
    async run(rt) {
      return scoped(async (scope) => {
        let l: Listener;
        try {
          l = scope.listener(await rt.listen({ transport: "tcp", hostname: "::", port: 0 }));
        } catch (e) {
          return { outcome: errorShape(e), evidence: errorEvidence(e), explanation: "Listening on :: failed." };
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
            outcome: "ipv6-only",
            evidence: { listener: l.address, connect: r.state === "rejected" ? errorEvidence(r.error) : "pending" },
            explanation: "A listener on :: does not take IPv4 clients (IPV6_V6ONLY is on).",
          };
        }
        scope.conn(r.value);
        const s = await settle(rt, accepted, 2000);
        if (s.state === "resolved" && s.value) scope.conn(s.value);
        const peer = s.state === "resolved" && s.value ? hostOf(s.value.remoteAddress) : "?";
        return {
          outcome: `accepts IPv4 as ${peer}`,
          evidence: { listener: l.address, serverSeesClient: peer, clientSeesServer: r.value.remoteAddress },
          explanation: `A listener on :: is dual-stack: a 127.0.0.1 client is accepted and reported as ${peer}.`,
        };
      });
    },
  },
];
