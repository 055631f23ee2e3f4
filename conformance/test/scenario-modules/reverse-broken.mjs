// The reverse scenario with a server that does not reverse: its client's check must fail.
import { defineScenario } from "netparity";
import reverse from "./reverse.mjs";

export default defineScenario({
  ...reverse,
  async handle(conn) {
    for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) await conn.write(chunk);
  },
});
