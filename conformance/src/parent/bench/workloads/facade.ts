/**
 * A facade API's cost (`wintertc`: @netparity/sockets): each runtime's bulk and echo clients
 * through the facade and through the adapter, in the same rounds, against the same calibrated
 * fixed server. One workload per facade API of the API registry, named after it.
 */
import { apiOf, type ApiName } from "../../../in-runtime/common/apis.js";
import { WINTERTC_ADAPTER_TARGET } from "../../verdict/targets.js";
import { bulk } from "./bulk.js";
import { echo } from "./echo.js";
import type { BenchWorkload } from "./types.js";

export function facadeWorkload(api: ApiName): BenchWorkload {
  const pkg = apiOf(api).facade?.package ?? api;
  const of = (name: string) => (name.endsWith("-bulk") ? bulk : echo);
  return {
    name: api,
    default: false,
    summary: `bulk and echo clients on ${pkg} vs the adapter`,
    specs: (ctx) =>
      [bulk, echo].flatMap((w) =>
        w.specs(ctx).map((s) => ({
          ...s,
          workload: `${api}-${s.workload}`,
          roles: "client" as const,
          python: false,
          apis: ["native" as ApiName],
          clientImpls: ["adapter", api],
        })),
      ),
    title: (name, p) => {
      const t = of(name)
        .title(name, p)
        .title.replace(/, one connection$/, "");
      return { title: `${t}, client on ${pkg} vs the adapter`, unit: of(name).title(name, p).unit };
    },
    params: (name, p) => of(name).params(name, p),
    rankImpl: api,
    order: [`${api}-bulk`, `${api}-echo`],
    clientRatio: { numerator: api, denominator: "adapter", target: WINTERTC_ADAPTER_TARGET },
  };
}
