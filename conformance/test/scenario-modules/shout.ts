// A datagram scenario of one's own, in TypeScript: the server answers each datagram
// upper-cased; the client retries a lost one a few times, as a UDP client should.
import { defineScenario } from "netparity";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export default defineScenario({
  name: "shout",
  transports: ["udp"],
  async handleDatagram(datagram, socket) {
    await socket.send(encoder.encode(decoder.decode(datagram.data).toUpperCase()), datagram.from);
  },
  async clientDatagram(socket, server, runtime, check) {
    const text = `hi from ${runtime.runtime}`;
    const pending = socket.receive();
    let reply: string | undefined;
    for (let attempt = 0; attempt < 5 && reply === undefined; attempt++) {
      await socket.send(encoder.encode(text), server);
      const got = await Promise.race([pending, new Promise<"late">((r) => setTimeout(() => r("late"), 500))]);
      if (got !== "late") reply = got === null ? "" : decoder.decode(got.data);
    }
    check("shouted", reply === text.toUpperCase(), `sent ${JSON.stringify(text)}, got ${JSON.stringify(reply)}`);
  },
});
