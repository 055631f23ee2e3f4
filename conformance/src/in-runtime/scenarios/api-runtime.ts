/**
 * Which Runtime an end written against an API runs on, inside an agent: the agent's own
 * adapter (native), a facade over it that every agent carries (wintertc: @netparity/sockets),
 * or an adapter the agent entry passes in (node: the Node adapter). The conformance agent and
 * the bench agent both ask here.
 */
import type { Runtime } from "@netparity/protocol";
import { DEFAULT_API, type ApiName, type End } from "../common/apis.js";
import { winterTcRuntime } from "./wintertc.js";

/** The facade APIs (apis.ts `facade`) and the function that puts each over an adapter. */
export const FACADES: Partial<Record<ApiName, (rt: Runtime) => Runtime>> = { wintertc: winterTcRuntime };

/**
 * The Runtime a role runs on for `api` (for "features", a facade's are its adapter's), or an
 * error message when this agent cannot take that API. `carried`: the adapters of further APIs
 * the agent entry passed in.
 */
export function runtimeForApi(
  rt: Runtime,
  carried: Partial<Record<ApiName, Runtime>> | undefined,
  api: ApiName,
  role: End | "features",
): Runtime | string {
  if (api === DEFAULT_API) return rt;
  const facade = FACADES[api];
  if (facade) return role === "features" ? rt : facade(rt);
  return carried?.[api] ?? `this agent does not carry the ${api} API`;
}
