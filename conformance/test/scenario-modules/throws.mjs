// A client that throws a coded error: the cell fails with that code.
import { defineScenario } from "netparity";
import reverse from "./reverse.mjs";

export default defineScenario({
  ...reverse,
  name: "throws",
  async client(_conn, _runtime, check) {
    check("connected", true);
    const e = new Error("the protocol said no");
    e.code = "EPROTO_NO";
    throw e;
  },
});
