/** Datagram behaviour: sizes, empty datagrams, ICMP errors, reusePort, broadcast. */
import type { DatagramSocket, Runtime } from "@netparity/protocol";
import {
  classifyBroadcast,
  classifyEmptyDatagram,
  classifyMaxDatagram,
  classifyOversize,
  classifyUdpReusePort,
  classifyUnreachable,
  type EmptyDatagramEvidence,
  type SizeTrial,
  type UdpReusePortEvidence,
  type UnreachableEvidence,
} from "./udp-classify.js";
import type { Probe } from "./types.js";
import { codeOf, errorEvidence, scoped, settle, sleep, type Scope } from "./util.js";

async function udpPair(
  rt: Runtime,
  scope: Scope,
  hostname = "127.0.0.1",
): Promise<{ a: DatagramSocket; b: DatagramSocket }> {
  const a = scope.dgram(await rt.bindDatagram({ hostname, port: 0 }));
  const b = scope.dgram(await rt.bindDatagram({ hostname, port: 0 }));
  return { a, b };
}

/** Sends one datagram of `size` bytes from a to b; says whether it arrived whole. */
async function trySize(
  rt: Runtime,
  a: DatagramSocket,
  b: DatagramSocket,
  size: number,
  hostname: string,
): Promise<SizeTrial> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 0xff;
  const s = await settle(rt, a.send(data, { hostname, port: b.address.port }), 1000);
  if (s.state === "rejected")
    return { size, send: codeOf(s.error), received: null, intact: false, error: errorEvidence(s.error) };
  if (s.state === "pending") return { size, send: "pending", received: null, intact: false };
  const r = await settle(rt, b.receive(), 500);
  if (r.state !== "resolved" || r.value === null) {
    // A receive that outlives this trial would steal the next trial's datagram: close-and-rebind is
    // not possible on the same port, so the caller stops at the first loss.
    return {
      size,
      send: "ok",
      received: null,
      intact: false,
      ...(r.state === "rejected" ? { error: errorEvidence(r.error) } : {}),
    };
  }
  const got = r.value.data;
  let intact = got.byteLength === size;
  for (let i = 0; intact && i < size; i += 97) intact = got[i] === data[i];
  return { size, send: "ok", received: got.byteLength, intact };
}

export const udpProbes: Probe[] = [
  {
    id: "udp.max-datagram",
    title: "largest datagram sent and received whole on 127.0.0.1 (1472, 9216, 65507 bytes)",
    needs: ["udp"],
    classify: classifyMaxDatagram,
    async collect(rt) {
      return scoped(async (scope) => {
        const { a, b } = await udpPair(rt, scope);
        const trials: SizeTrial[] = [];
        for (const size of [1472, 9216, 65507]) {
          const t = await trySize(rt, a, b, size, "127.0.0.1");
          trials.push(t);
          if (!t.intact) break;
        }
        return { trials };
      });
    },
  },
  {
    id: "udp.oversize",
    title: "a 65508-byte datagram on 127.0.0.1 (one byte over the IPv4 limit)",
    needs: ["udp"],
    classify: classifyOversize,
    async collect(rt) {
      return scoped(async (scope) => {
        const { a, b } = await udpPair(rt, scope);
        return await trySize(rt, a, b, 65508, "127.0.0.1");
      });
    },
  },
  {
    id: "udp.empty-datagram",
    title: "is an empty (0-byte) datagram delivered?",
    needs: ["udp"],
    classify: classifyEmptyDatagram,
    async collect(rt) {
      return scoped(async (scope) => {
        const { a, b } = await udpPair(rt, scope);
        const to = { hostname: "127.0.0.1", port: b.address.port };
        const s = await settle(rt, a.send(new Uint8Array(0), to), 1000);
        if (s.state === "rejected") return errorEvidence(s.error) satisfies EmptyDatagramEvidence;
        // A marker after it tells "dropped" from "slow".
        await a.send(new Uint8Array([0x4d]), to);
        const first = await settle(rt, b.receive(), 1000);
        if (first.state !== "resolved" || first.value === null)
          return {
            first:
              first.state === "rejected" ? errorEvidence(first.error) : first.state === "pending" ? "pending" : "null",
          } satisfies EmptyDatagramEvidence;
        return {
          firstReceivedBytes: first.value.data.byteLength,
          from: first.value.from,
        } satisfies EmptyDatagramEvidence;
      });
    },
  },
  {
    id: "udp.unreachable-port",
    title: "sending to a closed port: is ICMP port-unreachable reported?",
    needs: ["udp"],
    classify: classifyUnreachable,
    async collect(rt) {
      return scoped(async (scope) => {
        const a = scope.dgram(await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 }));
        const gone = await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 });
        const port = gone.address.port;
        gone.close();
        const first = await settle(rt, a.send(new Uint8Array([1]), { hostname: "127.0.0.1", port }), 1000);
        await sleep(50);
        const second = await settle(rt, a.send(new Uint8Array([2]), { hostname: "127.0.0.1", port }), 1000);
        const recv = await settle(rt, a.receive(), 300);
        const recvLabel =
          recv.state === "rejected"
            ? codeOf(recv.error)
            : recv.state === "pending"
              ? "nothing"
              : recv.value === null
                ? "null"
                : "data";
        return {
          firstSend: first.state === "rejected" ? errorEvidence(first.error) : first.state,
          secondSend: second.state === "rejected" ? errorEvidence(second.error) : second.state,
          receive: recv.state === "rejected" ? errorEvidence(recv.error) : recvLabel,
        } satisfies UnreachableEvidence;
      });
    },
  },
  {
    id: "udp.reuseport",
    title: "two datagram sockets on one port with reusePort",
    needs: ["udp"],
    classify: classifyUdpReusePort,
    async collect(rt) {
      return scoped(async (scope) => {
        let a: DatagramSocket;
        try {
          a = scope.dgram(await rt.bindDatagram({ hostname: "127.0.0.1", port: 0, reusePort: true }));
        } catch (e) {
          return { bind: "first", ...errorEvidence(e) } satisfies UdpReusePortEvidence;
        }
        try {
          const b = scope.dgram(
            await rt.bindDatagram({ hostname: "127.0.0.1", port: a.address.port, reusePort: true }),
          );
          // Who gets a datagram now: Linux gives SO_REUSEADDR sockets' unicast to the newest one.
          const c = scope.dgram(await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 }));
          for (let i = 0; i < 4; i++)
            await c.send(new Uint8Array([i]), { hostname: "127.0.0.1", port: a.address.port });
          const got = { first: 0, second: 0 };
          for (const [name, s] of [
            ["first", a],
            ["second", b],
          ] as const) {
            for (;;) {
              const r = await settle(rt, s.receive(), 150);
              if (r.state !== "resolved" || !r.value) break;
              got[name]++;
            }
          }
          return { port: a.address.port, received: got } satisfies UdpReusePortEvidence;
        } catch (e) {
          return { bind: "second", ...errorEvidence(e) } satisfies UdpReusePortEvidence;
        }
      });
    },
  },
  {
    id: "udp.broadcast",
    title: "SO_BROADCAST: can it be switched on and off?",
    needs: ["udp"],
    classify: classifyBroadcast,
    async collect(rt) {
      return scoped(async (scope) => {
        const a = scope.dgram(await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 }));
        const attempt = (on: boolean): string => {
          try {
            a.setBroadcast(on);
            return "ok";
          } catch (e) {
            return codeOf(e);
          }
        };
        const on = attempt(true);
        const off = attempt(false);
        return { setTrue: on, setFalse: off };
      });
    },
  },
];
