import { echo } from "./echo.js";
import { greet } from "./greet.js";
import { helloUdp } from "./hello-udp.js";
import { httpGetScenario } from "./http-get.js";
import { ipmsg } from "./ipmsg.js";
import { starttls } from "./starttls.js";
import { time } from "./time.js";
import { transfer } from "./transfer.js";
import type { Scenario } from "./types.js";

export const SCENARIOS: Record<string, Scenario> = {
  echo,
  greet,
  "hello-udp": helloUdp,
  "http-get": httpGetScenario,
  ipmsg,
  starttls,
  time,
  transfer,
};
export type { Scenario, RoleOptions, ClientResult, RunningServer, Check } from "./types.js";
