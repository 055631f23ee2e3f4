/**
 * @netparity/sockets as a user gets it: a script at the repository root imports it by its bare
 * name and runs with `node`, `bun` and `deno run -A`, each runtime through its export
 * condition. The script is the README's example (so the README cannot drift), run against the
 * foreign Python echo server; a second script checks the draft's two error cases there too.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT, runtimeBinary } from "../src/parent/runner/runtimes.js";
import { PEERS, hasPython, spawnJson } from "./peer-helpers.js";
import { RUNTIMES } from "./helpers.js";

const ROOT = dirname(PACKAGE_ROOT);

/** The README's example: the js block after the "sockets-example" marker. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const m = /<!-- sockets-example[^>]*-->\n```js\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1]) throw new Error("README.md has no sockets-example block");
  return m[1];
}

/** Both error cases of the issue: a refused connection, startTls() on a plain socket. */
const ERRORS_SCRIPT = `import { connect } from "@netparity/sockets";
const port = Number(globalThis.Deno?.args[0] ?? process.argv[2]);
const out = {};
const refused = connect({ hostname: "127.0.0.1", port });
out.refused = await refused.opened.then(() => "opened", (e) => (e instanceof TypeError ? "" : "not a TypeError: ") + e.message);
const plain = connect("127.0.0.1:" + port);
try { plain.startTls(); out.startTls = "returned a socket"; } catch (e) { out.startTls = (e instanceof TypeError ? "" : "not a TypeError: ") + e.message; }
void plain.close();
console.log(JSON.stringify(out));
`;

function runScript(runtime: (typeof RUNTIMES)[number], file: string, arg: string) {
  const bin = runtimeBinary(runtime);
  const args = runtime === "deno" ? ["run", "-A", "--quiet", file, arg] : [file, arg];
  // From the repository root, as a user runs it: resolution goes through node_modules/@netparity/sockets.
  return spawnSync(bin, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
}

describe.skipIf(!hasPython)("@netparity/sockets from a script at the repository root", () => {
  it.each(RUNTIMES)("the README's client echoes through a Python echo server on %s", async (runtime) => {
    const file = join(ROOT, `.sockets-example-${process.pid}-${runtime}.mjs`);
    const server = spawnJson("python3", [join(PEERS, "echo_server.py")]);
    try {
      const { port } = (await server.first) as { port: number };
      writeFileSync(file, readmeExample());
      const r = runScript(runtime, file, `127.0.0.1:${port}`);
      expect(r.status, `${runtime}: ${r.stderr}`).toBe(0);
      expect(r.stdout.trim()).toBe(`127.0.0.1:${port} echoed: hello, echo`);
    } finally {
      rmSync(file, { force: true });
      await server.stop();
    }
  });

  it.each(RUNTIMES)(
    "a refused connection rejects opened, startTls() on a plain socket throws, on %s",
    async (runtime) => {
      const file = join(ROOT, `.sockets-errors-${process.pid}-${runtime}.mjs`);
      // A port nothing listens on: the Python server's, once it stopped.
      const server = spawnJson("python3", [join(PEERS, "echo_server.py")]);
      let port: number;
      try {
        port = ((await server.first) as { port: number }).port;
      } finally {
        await server.stop();
      }
      try {
        writeFileSync(file, ERRORS_SCRIPT);
        const r = runScript(runtime, file, String(port));
        expect(r.status, `${runtime}: ${r.stderr}`).toBe(0);
        const out = JSON.parse(r.stdout) as { refused: string; startTls: string };
        expect(out.refused).toMatch(/^SocketError: .*ECONNREFUSED/);
        expect(out.startTls).toMatch(/^SocketError: startTls\(\) needs secureTransport "starttls"/);
      } finally {
        rmSync(file, { force: true });
      }
    },
  );
});
