/**
 * `serve --transport unix --path P` never removes what is not a socket: a regular file, an
 * empty or non-empty directory and a symbolic link are refused (one line naming the path and
 * what is there, exit 1) and left as they were; a live socket gives EADDRINUSE; only a stale
 * socket is replaced. On node, bun and deno, through the CLI as a user runs it.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNTIMES } from "./helpers.js";
import { BIN, cli, spawnJson, type Spawned } from "./peer-helpers.js";

interface Fixture {
  what: string;
  make(path: string, dir: string): void;
  check(path: string, dir: string): void;
}

const NOT_SOCKETS: Fixture[] = [
  {
    what: "a regular file",
    make: (p) => writeFileSync(p, "precious data\n"),
    check: (p) => {
      expect(lstatSync(p).isFile()).toBe(true);
      expect(readFileSync(p, "utf8")).toBe("precious data\n");
    },
  },
  {
    what: "a directory",
    make: (p) => mkdirSync(p),
    check: (p) => {
      expect(lstatSync(p).isDirectory()).toBe(true);
      expect(readdirSync(p)).toEqual([]);
    },
  },
  {
    what: "a directory",
    make: (p) => {
      mkdirSync(p);
      writeFileSync(join(p, "inside"), "kept");
    },
    check: (p) => {
      expect(readFileSync(join(p, "inside"), "utf8")).toBe("kept");
    },
  },
  {
    what: "a symbolic link",
    make: (p, dir) => {
      writeFileSync(join(dir, "target"), "target data");
      symlinkSync(join(dir, "target"), p);
    },
    check: (p, dir) => {
      expect(lstatSync(p).isSymbolicLink()).toBe(true);
      expect(readlinkSync(p)).toBe(join(dir, "target"));
      expect(readFileSync(join(dir, "target"), "utf8")).toBe("target data");
    },
  },
];

const LABELS = ["regular file", "empty directory", "non-empty directory", "symlink to a file"];

describe("serve --transport unix never deletes what is not a socket", () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime}: file, empty dir, non-empty dir, symlink refused and untouched`, () => {
      const dir = mkdtempSync(join(tmpdir(), "netparity-unixsafe-"));
      try {
        NOT_SOCKETS.forEach((f, i) => {
          const path = join(dir, `p${i}`);
          f.make(path, dir);
          const r = cli(["serve", "echo", "--runtime", runtime, "--transport", "unix", "--path", path], 30_000);
          expect(r.code, `${LABELS[i]}: ${r.stdout}${r.stderr}`).toBe(1);
          expect(r.stdout, LABELS[i]).toBe("");
          const lines = r.stderr.trim().split("\n");
          expect(lines, LABELS[i]).toHaveLength(1);
          expect(lines[0]).toMatch(/^netparity: EEXIST: /);
          expect(lines[0]).toContain(`${path} is ${f.what}, not a socket`);
          f.check(path, dir);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it(`${runtime}: a live socket gives EADDRINUSE, a stale socket is replaced`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "netparity-unixsafe-"));
      const live = join(dir, "live.sock");
      const stale = join(dir, "stale.sock");
      const holder: Server = createServer((s) => s.end());
      await new Promise<void>((r) => holder.listen(live, r));
      // A socket file nobody listens on: a process that bound it was SIGKILLed (a clean close
      // would unlink it).
      const killed = spawnSync(
        process.execPath,
        [
          "-e",
          `require("net").createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, "SIGKILL"))`,
        ],
        { timeout: 10_000 },
      );
      expect(killed.signal).toBe("SIGKILL");
      expect(lstatSync(stale).isSocket()).toBe(true);
      let server: Spawned | undefined;
      try {
        const r = cli(["serve", "echo", "--runtime", runtime, "--transport", "unix", "--path", live], 30_000);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toMatch(/^netparity: EADDRINUSE: /);
        expect(lstatSync(live).isSocket(), "the live socket stays").toBe(true);

        server = spawnJson(process.execPath, [
          BIN,
          "serve",
          "echo",
          "--runtime",
          runtime,
          "--transport",
          "unix",
          "--path",
          stale,
        ]);
        expect(await server.first).toMatchObject({ event: "listening", path: stale });
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      } finally {
        server?.kill();
        holder.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
