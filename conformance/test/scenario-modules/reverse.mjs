// A scenario of one's own, as a user writes it: the server reads a line until the client
// half-closes and answers it reversed; the client checks the answer.
import { defineScenario } from "netparity";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(conn) {
  const parts = [];
  for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read())
    parts.push(decoder.decode(chunk, { stream: true }));
  parts.push(decoder.decode());
  return parts.join("");
}

export default defineScenario({
  name: "reverse",
  transports: ["tcp"],
  async handle(conn) {
    const text = await readAll(conn);
    await conn.write(encoder.encode([...text].reverse().join("")));
  },
  async client(conn, runtime, check) {
    const text = `hello from ${runtime.runtime}`;
    await conn.write(encoder.encode(text));
    await conn.closeWrite();
    const reply = await readAll(conn);
    const expected = [...text].reverse().join("");
    check("reversed", reply === expected, `sent ${JSON.stringify(text)}, got ${JSON.stringify(reply)}`);
  },
});
