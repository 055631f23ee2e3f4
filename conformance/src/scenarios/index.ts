import { echo } from "./echo.js";
import type { Scenario } from "./types.js";

export const SCENARIOS: Record<string, Scenario> = { echo };
export type { Scenario, RoleOptions, ClientResult, RunningServer, Check } from "./types.js";
