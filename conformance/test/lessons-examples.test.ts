/**
 * The side-by-side page stays real: each raw echo server in docs/examples runs with its
 * runtime and echoes 1 MiB through a half-close, and docs/side-by-side.md quotes every
 * example file and the neutral echo handler exactly.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RuntimeName } from "@netparity/protocol";
import { PACKAGE_ROOT, runtimeBinary } from "../src/parent/runner/runtimes.js";
import { seededBytes } from "./helpers.js";
import { spawnJson } from "./peer-helpers.js";

const DOCS = join(PACKAGE_ROOT, "docs");
// The three runtimes with a listen (workerd is a client end only).
const EXAMPLES: Record<Exclude<RuntimeName, "workerd">, { file: string; args: string[] }> = {
  node: { file: "echo-node.mjs", args: [] },
  bun: { file: "echo-bun.js", args: [] },
  deno: { file: "echo-deno.js", args: ["run", "--quiet", "--no-config", "--no-lock", "--allow-net"] },
};

function echoThrough(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const s = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error("no echo within 20 s"));
    }, 20_000);
    s.on("data", (d: Buffer) => got.push(d));
    s.on("end", () => {
      clearTimeout(timer);
      s.end();
      resolve(Buffer.concat(got));
    });
    s.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.end(payload); // write everything, then half-close
  });
}

describe("raw echo examples (docs/examples)", () => {
  for (const [runtime, ex] of Object.entries(EXAMPLES) as Array<[RuntimeName, (typeof EXAMPLES)["node"]]>) {
    it(`${runtime} ${ex.file}: 1 MiB echoed, then the server closes after the client's FIN`, async () => {
      const server = spawnJson(runtimeBinary(runtime), [...ex.args, join(DOCS, "examples", ex.file)]);
      try {
        const ready = (await server.first) as { port: number };
        expect(ready.port).toBeGreaterThan(0);
        const payload = seededBytes(1024 * 1024, 1);
        const back = await echoThrough(ready.port, payload);
        expect(back.length).toBe(payload.length);
        expect(back.equals(payload)).toBe(true);
      } finally {
        server.kill();
      }
    });
  }
});

describe("docs/side-by-side.md quotes real code", () => {
  const page = readFileSync(join(DOCS, "side-by-side.md"), "utf8");
  const blocks = [...page.matchAll(/<!-- (file|excerpt): (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => ({
    kind: m[1]!,
    path: m[2]!,
    code: m[3]!,
  }));

  it("has the three raw examples and the neutral version", () => {
    expect(blocks.filter((b) => b.kind === "file").map((b) => b.path)).toEqual([
      "examples/echo-node.mjs",
      "examples/echo-bun.js",
      "examples/echo-deno.js",
    ]);
    expect(blocks.filter((b) => b.kind === "excerpt").length).toBeGreaterThanOrEqual(1);
  });

  it.each(["file", "excerpt"])("every %s block matches its source", (kind) => {
    const mine = blocks.filter((x) => x.kind === kind);
    expect(mine.length, `${kind} blocks`).toBeGreaterThan(0);
    for (const b of mine) {
      const source = readFileSync(join(DOCS, b.path), "utf8");
      if (kind === "file") expect(b.code, b.path).toBe(source);
      else expect(source.includes(b.code), `${b.path} no longer contains:\n${b.code}`).toBe(true);
    }
  });
});
