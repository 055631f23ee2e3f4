/**
 * The rows' names of measured ends: a runtime, or `runtime+api` for an end on another API than
 * its own (`bun+node`, `workerd+wintertc`), as run's cell keys name them (common/targets.ts).
 */
import { apiNames, DEFAULT_API } from "../../in-runtime/common/apis.js";
import { runtimeDescriptors } from "../common/runtime-descriptors.js";

/** The runtime of a row's program: "bun" for "bun+node" ("bun 1.3.0" for "bun 1.3.0+node" of a pass). */
export function baseRuntime(label: string): string {
  return label.split("+")[0]!;
}

/**
 * Row labels of registered runtimes (`node`, `bun+node`; not python, iperf3, openssl), once
 * each: native ends first in registration order, then the other APIs' ends in API order.
 */
export function measuredRuntimeOrder(labels: readonly string[]): string[] {
  const runtimes = runtimeDescriptors().map((d) => d.name as string);
  const apis = apiNames() as string[];
  const key = (l: string): [number, number] => {
    const [base, api = DEFAULT_API] = l.split("+") as [string, string?];
    return [apis.indexOf(api), runtimes.indexOf(baseRuntime(base))];
  };
  return [...new Set(labels)]
    .filter((l) => runtimes.includes(baseRuntime(l)))
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return x[0] - y[0] || x[1] - y[1];
    });
}
