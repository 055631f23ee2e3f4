/**
 * A Unix socket path longer than the kernel binds (107 bytes on Linux) is refused by
 * `serve` and `client` before any runtime sees it: exit 2, one line naming the limit, no file
 * created. (What each runtime does with such a path itself is probe unix.path-too-long.)
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UNIX_PATH_MAX_BYTES } from "../src/parent/common/usage.js";
import { RUNTIMES } from "./helpers.js";
import { cli } from "./peer-helpers.js";

describe("Unix socket paths longer than the kernel binds", () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime}: serve and client refuse a ${UNIX_PATH_MAX_BYTES + 1}-byte path with exit 2`, () => {
      const dir = mkdtempSync(join(tmpdir(), "netparity-long-"));
      try {
        const path = join(dir, "s".repeat(UNIX_PATH_MAX_BYTES + 1 - dir.length - 1));
        expect(Buffer.byteLength(path)).toBe(UNIX_PATH_MAX_BYTES + 1);
        for (const cmd of ["serve", "client"]) {
          const r = cli([cmd, "echo", "--runtime", runtime, "--transport", "unix", "--path", path], 30_000);
          expect(r.code, `${cmd}: ${r.stdout}${r.stderr}`).toBe(2);
          const lines = r.stderr.trim().split("\n");
          expect(lines, cmd).toHaveLength(1);
          expect(lines[0]).toBe(
            `netparity: --path is ${UNIX_PATH_MAX_BYTES + 1} bytes long; a Unix socket path may have at most ${UNIX_PATH_MAX_BYTES} bytes (the kernel's sun_path): choose a shorter path`,
          );
          expect(existsSync(path)).toBe(false);
          expect(readdirSync(dir), "nothing bound, not even a truncated name").toEqual([]);
        }
        // The longest path that fits is served.
        const fits = join(dir, "f".repeat(UNIX_PATH_MAX_BYTES - dir.length - 1));
        expect(Buffer.byteLength(fits)).toBe(UNIX_PATH_MAX_BYTES);
        const ok = cli(["client", "echo", "--runtime", runtime, "--transport", "unix", "--path", fits], 30_000);
        // Nobody listens there: the client runs and fails (exit 1), it is not a usage error.
        expect(ok.code, ok.stderr).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 90_000);
  }
});
