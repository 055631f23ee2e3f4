// A module that takes a built-in scenario's name: refused (exit 2), never replacing echo.
import { defineScenario } from "netparity";
import reverse from "./reverse.mjs";

export default defineScenario({ ...reverse, name: "echo" });
