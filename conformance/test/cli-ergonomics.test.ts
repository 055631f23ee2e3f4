/**
 * Errors a person can act on: the parser's errors are one line beginning "netparity:", with a
 * suggestion for a misspelled flag; option names as typed; --help defaults as typed;
 * --version; a failing client says what failed on stderr besides its JSON line; ipmsg and
 * hello-udp default to udp, their only transport.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RUNTIMES } from "./helpers.js";
import { BIN, cli, spawnJson } from "./peer-helpers.js";

const oneLine = (r: { stderr: string }): string[] => r.stderr.trim().split("\n");

describe("usage errors name what to type", () => {
  it.each([
    [
      ["serve", "echo", "--runtime", "node", "--hots", "x"],
      "netparity: unknown option '--hots' (did you mean --host?)",
    ],
    [["run", "--transport", "tcp"], "netparity: unknown option '--transport' (did you mean --transports?)"],
    [
      ["client", "echo", "--runtime", "node", "--port", "1", "--timeout", "abc"],
      'netparity: invalid --timeout "abc" (expected a non-negative integer)',
    ],
    [
      ["serve", "echo", "--runtime", "node", "--idle-timeout", "soon"],
      'netparity: invalid --idle-timeout "soon" (expected a non-negative integer)',
    ],
    [["frobnicate"], "netparity: unknown command 'frobnicate'"],
    [["serve", "echo", "--runtim", "node"], "netparity: unknown option '--runtim' (did you mean --runtime?)"],
    [["client", "echo"], "netparity: required option '--runtime <name>' not specified"],
    [
      ["client", "transfer", "--runtime", "node", "--port", "1", "--size", "100GiB"],
      'netparity: invalid --size "100GiB" (the maximum is 4GiB: echo holds its payload in one buffer, the largest Node and Bun allocate)',
    ],
  ])("%j: exit 2, one line", (args, line) => {
    const r = cli(args, 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(oneLine(r)).toEqual([line]);
  });

  it("--version prints the version, --help prints list defaults as typed", () => {
    const v = cli(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = cli(["run", "--help"]);
    expect(h.code).toBe(0);
    const help = h.stdout.replace(/\s+/g, " ");
    expect(help).toContain("(default: node,bun,deno)");
    expect(help).toContain("(default: tcp,udp,unix,tls)");
    expect(help).not.toMatch(/default: \[/);
  });

  it("a failing client prints its JSON line and one human line on stderr", () => {
    const r = cli(["client", "echo", "--runtime", "node", "--port", "1"], 30_000);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ event: "result", ok: false });
    expect(oneLine(r)).toEqual([
      "netparity: echo client on node failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1",
    ]);
  });
});

describe("--host takes an IPv6 address bracketed as in a URL", () => {
  it.each(RUNTIMES)("%s: a failing client on --host [::1] names [::1]:port once", (runtime) => {
    const r = cli(["client", "echo", "--runtime", runtime, "--host", "[::1]", "--port", "1"], 30_000);
    expect(r.code).toBe(1);
    const [line, ...rest] = oneLine(r);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^netparity: echo client on \w+ failed: ECONNREFUSED: /);
    expect(line!.split("[::1]:1").length - 1, line).toBe(1);
    expect(line!.replace("[::1]:1", ""), line).not.toContain("::1:1");
  });

  it("serve echo --host [::1] listens on ::1; --host '[::1' is a usage error", async () => {
    const s = spawnJson(process.execPath, [BIN, "serve", "echo", "--runtime", "node", "--host", "[::1]"], {}, 30_000);
    try {
      expect(await s.first).toMatchObject({ event: "listening", host: "::1" });
    } finally {
      s.kill();
    }
    const bad = cli(["serve", "echo", "--runtime", "node", "--host", "[::1"], 30_000);
    expect(bad.code).toBe(2);
    expect(oneLine(bad)).toEqual(['netparity: invalid --host "[::1" (e.g. 127.0.0.1, ::1, [::1], localhost)']);
  }, 60_000);
});

describe("hello-udp defaults to udp, its only transport", () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime}: serve hello-udp without --transport listens on udp`, async () => {
      const s = spawnJson(process.execPath, [BIN, "serve", "hello-udp", "--runtime", runtime], {}, 30_000);
      try {
        expect(await s.first).toMatchObject({ event: "listening", transport: "udp" });
        s.child.kill("SIGTERM");
        expect(await s.exited).toBe(0);
      } finally {
        s.kill();
      }
    }, 60_000);
  }
});

describe("the README's synopses match --help", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const help = (cmd: string): string => cli([cmd, "--help"]).stdout.replace(/\s+/g, " ");

  it.each(["serve", "client"])("%s: the scenario list, --size, --max-connections 0, --path on tcp", (cmd) => {
    const scenarios = /scenario (\w+(?:\|[\w-]+)+)/.exec(help(cmd))?.[1];
    expect(scenarios).toBeTruthy();
    expect(readme).toContain(`npx netparity ${cmd} <${scenarios}>`);
    const synopsis = readme.slice(readme.indexOf(`npx netparity ${cmd} <`)).split("\n\n")[0]!;
    if (cmd === "serve") {
      expect(help(cmd)).toContain("0: the default");
      expect(synopsis).toContain("--max-connections N (default 1024; 0: the default)");
      expect(help(cmd)).toContain("ignored by tcp, udp and tls");
      expect(synopsis).toContain("ignored by tcp, udp and tls");
    } else {
      expect(help(cmd)).toContain("transfer: file size (default 64MiB)");
      expect(synopsis).toContain(
        "--size 8MiB (echo: largest payload; transfer: file size, default 64MiB; at most 4GiB)",
      );
    }
  });

  it("run: the scenario list and --size", () => {
    const scenarios = /\(default: (echo(?:,[\w-]+)+)\)/.exec(help("run"))?.[1];
    expect(scenarios).toBeTruthy();
    expect(readme).toContain(`npx netparity run [--runtimes node,bun,deno] [--scenarios ${scenarios}]`);
    expect(readme).toMatch(/npx netparity run \[[^\n]*\n[^\n]*\[--size 8MiB\]/);
  });
});
