/**
 * @netparity/sockets as another project gets it: the package and what it depends on (protocol
 * and the three adapters) packed with `npm pack`, the tarballs installed into an empty project
 * outside the repository (packed from a copy of the sources, so the prepack builds leave this
 * tree's dist/ alone and the file runs beside the others), and the example of the README inside
 * the installed package run there with `node`, `bun` and `deno run -A` against a loopback echo server in this process. Each
 * runtime takes its binding through its export condition, from node_modules.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeBinary } from "../src/parent/runner/runtimes.js";
import { RUNTIMES } from "./helpers.js";
import { type InstalledTarballs, cleanEnv, installTarballs, removeInstalled, sh } from "./source-copy.js";

// In dependency order: a package's prepack build reads the ones before it from their dist/.
const WORKSPACES = [
  "@netparity/protocol",
  "@netparity/runtime-node",
  "@netparity/runtime-bun",
  "@netparity/runtime-deno",
  "@netparity/sockets",
];

/** The js block after the "sockets-example" marker of a README. */
function readmeExample(readme: string): string {
  const m = /<!-- sockets-example[^>]*-->\n```js\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1]) throw new Error("the README has no sockets-example block");
  return m[1];
}

/** An RFC 862 echo server on 127.0.0.1: echoes every byte, ends its side after the client's FIN. */
async function echoServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    s.pipe(s);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

/** Runs a child to its end, killed after `timeoutMs`; asynchronous, so the echo server here keeps serving. */
async function run(cmd: string, args: string[], cwd: string, timeoutMs: number) {
  const child = spawn(cmd, args, { cwd, env: { ...cleanEnv(), NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const [code] = (await once(child, "close")) as [number | null];
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

describe("@netparity/sockets installed from its tarball, in an empty project", () => {
  let installed: InstalledTarballs | undefined;
  let packDir = "";
  let project = "";
  let tarballs: string[] = [];

  beforeAll(() => {
    installed = installTarballs(WORKSPACES, "my-client");
    ({ packDir, project, tarballs } = installed);
  }, 900_000);

  afterAll(() => removeInstalled(installed));

  it("its tarball ships built JavaScript per binding, declarations and the README, and no sources", () => {
    const tarball = tarballs.find((t) => /netparity-sockets-[\d.]+\.tgz$/.test(t));
    expect(tarball).toBeDefined();
    const list = sh("tar", ["tzf", tarball!], packDir, 30_000).stdout.split("\n");
    for (const f of ["README.md", "package.json", "dist/node.js", "dist/bun.js", "dist/deno.js", "dist/core.js"])
      expect(list, f).toContain(`package/${f}`);
    for (const f of ["dist/node.d.ts", "dist/core.d.ts"]) expect(list, f).toContain(`package/${f}`);
    expect(list.filter((f) => f.startsWith("package/src/"))).toEqual([]);
    // Every path the exports name (but the sources' condition) is in the tarball.
    const manifest = JSON.parse(
      readFileSync(join(project, "node_modules", "@netparity", "sockets", "package.json"), "utf8"),
    ) as { private?: boolean; exports: Record<string, string | Record<string, string>> };
    expect(manifest.private).toBeUndefined();
    const targets = Object.values(manifest.exports).flatMap((e) =>
      typeof e === "string" ? [e] : Object.entries(e).flatMap(([k, v]) => (k === "netparity:source" ? [] : [v])),
    );
    for (const t of targets) expect(list, t).toContain(`package/${t.replace(/^\.\//, "")}`);
  });

  it.each(RUNTIMES)("the README's example echoes through a loopback echo server on %s", async (runtime) => {
    const readme = readFileSync(join(project, "node_modules", "@netparity", "sockets", "README.md"), "utf8");
    const file = join(project, `echo-${runtime}.mjs`);
    writeFileSync(file, readmeExample(readme));
    const { server, port, sockets } = await echoServer();
    try {
      const bin = runtimeBinary(runtime);
      const args = runtime === "deno" ? ["run", "-A", file, `127.0.0.1:${port}`] : [file, `127.0.0.1:${port}`];
      const r = await run(bin, args, project, 60_000);
      expect(r.code, `${runtime}: ${r.stderr}`).toBe(0);
      expect(r.stdout.trim()).toBe(`127.0.0.1:${port} echoed: hello, echo`);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it.each(RUNTIMES)("on %s the binding is the runtime's own adapter, from node_modules", async (runtime) => {
    // The export condition picked the binding: a refused connect fails with the code the
    // adapter maps, and the module resolved is the installed package's.
    const file = join(project, `which-${runtime}.mjs`);
    writeFileSync(
      file,
      [
        'import { connect } from "@netparity/sockets";',
        'const url = import.meta.resolve("@netparity/sockets");',
        "const port = Number(globalThis.Deno?.args[0] ?? process.argv[2]);",
        'const e = await connect({ hostname: "127.0.0.1", port }).opened.then(() => null, (e) => e);',
        "console.log(JSON.stringify({ url, code: e?.code, name: e?.name }));",
        "",
      ].join("\n"),
    );
    // A port nothing listens on: the echo server's, once it closed.
    const { server, port } = await echoServer();
    server.close();
    await once(server, "close");
    const bin = runtimeBinary(runtime);
    const args = runtime === "deno" ? ["run", "-A", file, String(port)] : [file, String(port)];
    const r = await run(bin, args, project, 60_000);
    expect(r.code, `${runtime}: ${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { url: string; code: string; name: string };
    expect(out.url).toMatch(new RegExp(`/node_modules/@netparity/sockets/dist/${runtime}\\.js$`));
    expect(out).toMatchObject({ code: "ECONNREFUSED", name: "SocketError" });
  });
});
