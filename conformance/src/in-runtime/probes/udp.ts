/** Datagram behaviour: sizes, empty datagrams, ICMP errors, reusePort, broadcast. */
import type { DatagramSocket, Runtime } from "@netparity/protocol";
import type { Probe } from "./types.js";
import { codeOf, errorEvidence, errorShape, scoped, settle, sleep, type Scope } from "./util.js";

async function udpPair(
  rt: Runtime,
  scope: Scope,
  hostname = "127.0.0.1",
): Promise<{ a: DatagramSocket; b: DatagramSocket }> {
  const a = scope.dgram(await rt.bindDatagram({ hostname, port: 0 }));
  const b = scope.dgram(await rt.bindDatagram({ hostname, port: 0 }));
  return { a, b };
}

interface SizeTrial {
  size: number;
  send: string;
  received: number | null;
  intact: boolean;
  error?: Record<string, unknown>;
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
    async run(rt) {
      return scoped(async (scope) => {
        const { a, b } = await udpPair(rt, scope);
        const trials: SizeTrial[] = [];
        let largest = 0;
        for (const size of [1472, 9216, 65507]) {
          const t = await trySize(rt, a, b, size, "127.0.0.1");
          trials.push(t);
          if (!t.intact) break;
          largest = size;
        }
        const truncated = trials.find((t) => t.received !== null && t.received !== t.size);
        return {
          outcome: largest ? String(largest) : "none",
          evidence: { trials },
          explanation: truncated
            ? `Datagrams up to ${largest} bytes arrive whole; ${truncated.size} bytes arrived truncated to ${truncated.received} (detectable only by comparing lengths).`
            : `Datagrams up to ${largest} bytes (the IPv4 maximum is 65507) are sent and received whole; no truncation.`,
        };
      });
    },
  },
  {
    id: "udp.oversize",
    title: "a 65508-byte datagram on 127.0.0.1 (one byte over the IPv4 limit)",
    needs: ["udp"],
    async run(rt) {
      return scoped(async (scope) => {
        const { a, b } = await udpPair(rt, scope);
        const t = await trySize(rt, a, b, 65508, "127.0.0.1");
        const outcome =
          t.send !== "ok"
            ? `send fails ${t.send}`
            : t.received === null
              ? "silently dropped"
              : t.intact
                ? "delivered"
                : `truncated to ${t.received}`;
        return {
          outcome,
          evidence: { ...t },
          explanation:
            t.send !== "ok"
              ? `Sending one byte more than the IPv4 maximum fails at once with ${t.send}: the error is detectable by the sender.`
              : t.received === null
                ? "The oversized send resolved but nothing arrived: the loss is not detectable by the sender."
                : `The oversized datagram was ${outcome}.`,
        };
      });
    },
  },
  {
    id: "udp.empty-datagram",
    title: "is an empty (0-byte) datagram delivered?",
    needs: ["udp"],
    async run(rt) {
      return scoped(async (scope) => {
        const { a, b } = await udpPair(rt, scope);
        const to = { hostname: "127.0.0.1", port: b.address.port };
        const s = await settle(rt, a.send(new Uint8Array(0), to), 1000);
        if (s.state === "rejected")
          return {
            outcome: `send fails ${codeOf(s.error)}`,
            evidence: errorEvidence(s.error),
            explanation: "Sending an empty datagram is refused.",
          };
        // A marker after it tells "dropped" from "slow".
        await a.send(new Uint8Array([0x4d]), to);
        const first = await settle(rt, b.receive(), 1000);
        if (first.state !== "resolved" || first.value === null)
          return {
            outcome: "nothing received",
            evidence: { first: first.state },
            explanation: "Neither the empty datagram nor the marker after it arrived.",
          };
        const n = first.value.data.byteLength;
        return {
          outcome: n === 0 ? "delivered" : "not delivered",
          evidence: { firstReceivedBytes: n, from: first.value.from },
          explanation:
            n === 0
              ? "An empty datagram is sent and received as a 0-byte datagram (the time protocol's empty request relies on it)."
              : "The empty datagram never arrived; the next datagram came first.",
        };
      });
    },
  },
  {
    id: "udp.unreachable-port",
    title: "sending to a closed port: is ICMP port-unreachable reported?",
    needs: ["udp"],
    async run(rt) {
      return scoped(async (scope) => {
        const a = scope.dgram(await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 }));
        const gone = await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 });
        const port = gone.address.port;
        gone.close();
        const first = await settle(rt, a.send(new Uint8Array([1]), { hostname: "127.0.0.1", port }), 1000);
        await sleep(50);
        const second = await settle(rt, a.send(new Uint8Array([2]), { hostname: "127.0.0.1", port }), 1000);
        const recv = await settle(rt, a.receive(), 300);
        const label = (x: typeof first): string =>
          x.state === "rejected" ? codeOf(x.error) : x.state === "resolved" ? "ok" : "pending";
        const recvLabel =
          recv.state === "rejected"
            ? codeOf(recv.error)
            : recv.state === "pending"
              ? "nothing"
              : recv.value === null
                ? "null"
                : "data";
        const silent = label(first) === "ok" && label(second) === "ok" && recvLabel === "nothing";
        return {
          outcome: silent ? "silent" : `send ${label(first)}/${label(second)}; receive ${recvLabel}`,
          evidence: {
            firstSend: first.state === "rejected" ? errorEvidence(first.error) : first.state,
            secondSend: second.state === "rejected" ? errorEvidence(second.error) : second.state,
            receive: recv.state === "rejected" ? errorEvidence(recv.error) : recvLabel,
          },
          explanation: silent
            ? "Datagrams to a closed port vanish without an error: the ICMP port-unreachable is not reported on an unconnected socket."
            : "The ICMP port-unreachable from the first datagram is reported to the program.",
        };
      });
    },
  },
  {
    id: "udp.reuseport",
    title: "two datagram sockets on one port with reusePort",
    needs: ["udp"],
    async run(rt) {
      return scoped(async (scope) => {
        let a: DatagramSocket;
        try {
          a = scope.dgram(await rt.bindDatagram({ hostname: "127.0.0.1", port: 0, reusePort: true }));
        } catch (e) {
          return {
            outcome: `first bind ${errorShape(e)}`,
            evidence: errorEvidence(e),
            explanation: "A datagram socket cannot even be bound with reusePort.",
          };
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
          return {
            outcome: "both bound",
            evidence: { port: a.address.port, received: got },
            explanation: `Two sockets share the port; of 4 datagrams the first got ${got.first}, the second ${got.second}.`,
          };
        } catch (e) {
          return {
            outcome: errorShape(e),
            evidence: errorEvidence(e),
            explanation: "The second datagram socket with reusePort fails: the runtime does not share the port.",
          };
        }
      });
    },
  },
  {
    id: "udp.broadcast",
    title: "SO_BROADCAST: can it be switched on and off?",
    needs: ["udp"],
    async run(rt) {
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
        const outcome = on === "ok" && off === "ok" ? "settable" : `on ${on}, off ${off}`;
        return {
          outcome,
          evidence: { setTrue: on, setFalse: off },
          explanation:
            outcome === "settable"
              ? "setBroadcast(true) and setBroadcast(false) both work (no broadcast is sent by this probe)."
              : `setBroadcast(true) gives ${on}, setBroadcast(false) gives ${off}.`,
        };
      });
    },
  },
];
