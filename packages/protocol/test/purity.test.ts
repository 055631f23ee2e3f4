import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error purity.mjs is plain JavaScript without declarations
import { checkPurity } from "../purity.mjs";

const check = checkPurity as (dir: string) => string[];

describe("protocol purity", () => {
  it("src/ uses no runtime API", () => {
    expect(check(fileURLToPath(new URL("../src", import.meta.url)))).toEqual([]);
  });

  it("reports process.env, node:net and host timers, so the check cannot pass silently", () => {
    const dir = mkdtempSync(join(tmpdir(), "netparity-purity-"));
    try {
      writeFileSync(join(dir, "env.ts"), "export const port = Number(process.env.PORT ?? 0);\n");
      writeFileSync(join(dir, "net.ts"), 'import { createServer } from "node:net";\nexport { createServer };\n');
      writeFileSync(join(dir, "timer.ts"), "export const later = (f: () => void) => setTimeout(f, 10);\n");
      writeFileSync(join(dir, "clean.ts"), '// process is mentioned in a comment only\nexport const s = "Buffer";\n');
      const problems = check(dir);
      expect(problems.some((p) => p.startsWith("env.ts:1:") && p.includes('"process"'))).toBe(true);
      expect(problems.some((p) => p.startsWith("net.ts:1:") && p.includes('"node:net"'))).toBe(true);
      expect(problems.some((p) => p.startsWith("timer.ts:1:") && p.includes('"setTimeout"'))).toBe(true);
      expect(problems.filter((p) => p.startsWith("clean.ts"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
