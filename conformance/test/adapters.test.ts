/**
 * The adapter contract (src/in-runtime/contract/adapter-contract.ts) run inside each real runtime.
 * A "skip" is only accepted where the adapter's own `features` says the capability is
 * missing; the skip reason names that feature.
 */
import { describe, expect, it } from "vitest";
import type { Features } from "@netparity/protocol";
import { CONTRACT } from "../src/in-runtime/contract/adapter-contract.js";
import { RUNTIMES, runContractIn } from "./helpers.js";

describe.each(RUNTIMES)("%s adapter contract", (runtime) => {
  let run: Awaited<ReturnType<typeof runContractIn>> | undefined;
  const get = async () => (run ??= await runContractIn(runtime));

  it("reports its exact version and features", async () => {
    const r = await get();
    expect(r.runtime).toBe(runtime);
    expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.features.tcp).toBe(true);
    expect(r.results.map((x) => x.name)).toEqual(Object.keys(CONTRACT));
  });

  it.each(Object.keys(CONTRACT))("%s", async (name) => {
    const r = (await get()).results.find((x) => x.name === name)!;
    if (r.status === "skip") {
      expect(r.detail).toMatch(/^features\.\w+ is false$/);
      const feature = /^features\.(\w+)/.exec(r.detail!)![1]! as keyof Features;
      expect((await get()).features[feature]).toBe(false);
      return;
    }
    expect(r.status, `${runtime}: ${name}: ${r.detail}`).toBe("pass");
  });
});
