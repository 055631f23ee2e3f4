/**
 * Targets as data: a runtime is one descriptor (common/runtime-descriptors.ts), an API one entry
 * (in-runtime/common/apis.ts). A fake fourth runtime and a fake second client API, registered
 * here and nowhere else, reach the command line's parsers, the binary lookup and agent command,
 * the plan of cells, cell keys, selections, verdicts, the report and the terminal table.
 */
import type { RuntimeName, Transport } from "@netparity/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiNames, registerApi, type ApiName } from "../src/in-runtime/common/apis.js";
import { isSecure, transportNames, transportOf } from "../src/in-runtime/common/transports.js";
import {
  isKnownRuntime,
  registerRuntime,
  runtimeNames,
  type RuntimeDescriptor,
} from "../src/parent/common/runtime-descriptors.js";
import {
  endApi,
  formatEnd,
  parseApiList,
  parseSpecifierList,
  sideApis,
  sortTargets,
} from "../src/parent/common/targets.js";
import { parseRuntimeList, parseTransport, UsageError } from "../src/parent/common/usage.js";
import { renderTables } from "../src/parent/cli/table.js";
import { buildReport } from "../src/parent/report/model.js";
import { planCells, type CellResult, type RuntimeInfo } from "../src/parent/runner/matrix.js";
import { agentCommand, runtimeBinary } from "../src/parent/runner/runtimes.js";
import { judgeRun } from "../src/parent/verdict/judge-run.js";
import { cellKey, inSelection, parseCellKey, type Selection } from "../src/parent/verdict/keys.js";

const FAKE = "fakert" as RuntimeName;
const FAKE_API = "fakeapi" as ApiName;
const fake: RuntimeDescriptor = {
  name: FAKE,
  title: "A fake runtime",
  binary: { npmBin: "fakert-bin" },
  adapter: { pkg: "@example/runtime-fakert", value: "fakeRuntime", source: "runtimes/fakert/src/index.ts" },
  agent: { entry: "agents/fakert.ts", bundle: "agent-fakert.js" },
  bundle: { platform: "neutral", external: ["node:*"] },
  typings: "agents/tsconfig.fakert.json",
  runArgs: (o) => ["exec", ...(o.write ? ["--write"] : [])],
  apis: { native: ["server", "client"], [FAKE_API]: ["client"] },
};

let unregister: Array<() => void> = [];
beforeAll(() => {
  unregister = [
    registerApi({ name: FAKE_API, ends: ["client"], transports: ["tcp"], description: "a fake client API" }),
    registerRuntime(fake),
  ];
});
afterAll(() => {
  for (const u of unregister.reverse()) u();
});

const info = (name: string, version: string): RuntimeInfo => ({
  name: name as RuntimeName,
  version,
  features: { tcp: true, udp: true, unix: true, tls: true, ipv6: true },
  apis: { node: { features: { tcp: true, udp: true, unix: true, tls: true } } },
});

describe("a fourth runtime and a second client API, from their descriptors alone", () => {
  it("the registry and the --runtimes/--apis parsers know them", () => {
    expect(runtimeNames()).toEqual(["node", "bun", "deno", "workerd", FAKE]);
    expect(isKnownRuntime(FAKE)).toBe(true);
    expect(apiNames()).toContain(FAKE_API);
    expect(parseSpecifierList("node,fakert@1.2,fakert").map((s) => s.spec)).toEqual(["node", "fakert@1.2", "fakert"]);
    expect(parseRuntimeList("fakert,bun")).toEqual([FAKE, "bun"]);
    expect(parseApiList("native,fakeapi,native")).toEqual(["native", FAKE_API]);
    expect(() => parseApiList("native,nope")).toThrow(UsageError);
    expect(() => parseSpecifierList("nope@1")).toThrow(/expected node, bun, deno, workerd, fakert/);
    expect(sortTargets([info(FAKE, "1.0.0"), info("node", "22.0.0")]).map((t) => t.name)).toEqual(["node", FAKE]);
  });

  it("its binary and its agent's command line come from the descriptor", () => {
    const prev = process.env.NETPARITY_FAKERT;
    try {
      delete process.env.NETPARITY_FAKERT;
      expect(runtimeBinary(FAKE)).toBe("fakert-bin");
      process.env.NETPARITY_FAKERT = "/opt/fakert";
      expect(runtimeBinary(FAKE)).toBe("/opt/fakert");
      expect(runtimeBinary(FAKE, { [FAKE]: "/flag/fakert" })).toBe("/flag/fakert");
      const { cmd, args } = agentCommand(FAKE, { role: "features" });
      expect(cmd).toBe("/opt/fakert");
      expect(args[0]).toBe("exec");
      expect(args[1]).toBe("--write");
      expect(args[2]).toMatch(/agent-fakert\.js$/);
      expect(JSON.parse(args[3]!)).toEqual({ role: "features" });
    } finally {
      if (prev === undefined) delete process.env.NETPARITY_FAKERT;
      else process.env.NETPARITY_FAKERT = prev;
    }
  });

  it("the plan pairs its ends, in the APIs it offers, with every other end", () => {
    const infos = [info("node", "22.0.0"), info(FAKE, "1.0.0")];
    const plan = planCells(infos, {
      scenarios: ["echo"],
      transports: ["tcp", "udp"],
      apis: ["native", FAKE_API],
      hosts: ["127.0.0.1"],
    });
    const keys = plan.map((p) =>
      cellKey({ ...p, server: p.server.name, client: p.client.name, transport: p.transport }),
    );
    expect(keys).toEqual([
      "echo/tcp/127.0.0.1/node->node",
      "echo/tcp/127.0.0.1/node->fakert",
      "echo/tcp/127.0.0.1/fakert->node",
      "echo/tcp/127.0.0.1/fakert->fakert",
      // The fake API is a client API of fakert only, over tcp only: native servers.
      "echo/tcp/127.0.0.1/node->fakert+fakeapi",
      "echo/tcp/127.0.0.1/fakert->fakert+fakeapi",
      "echo/udp/127.0.0.1/node->node",
      "echo/udp/127.0.0.1/node->fakert",
      "echo/udp/127.0.0.1/fakert->node",
      "echo/udp/127.0.0.1/fakert->fakert",
    ]);
    expect(endApi(FAKE, FAKE_API, "server", "tcp")).toBeUndefined();
    expect(endApi(FAKE, "node", "client", "tcp")).toBeUndefined();
    expect(sideApis(["native", FAKE_API], "server")).toEqual(["native"]);
  });

  it("keys parse back, selections and reports carry the ends, the table shows them", () => {
    const key = "echo/tcp/127.0.0.1/fakert@1.0.0->node+fakeapi";
    expect(parseCellKey(key)).toEqual({
      scenario: "echo",
      transport: "tcp",
      host: "127.0.0.1",
      server: FAKE,
      serverVersion: "1.0.0",
      serverApi: "native",
      client: "node",
      api: FAKE_API,
    });
    const sel: Selection = {
      runtimes: ["node", FAKE],
      scenarios: ["echo"],
      transports: ["tcp"],
      hosts: ["127.0.0.1"],
      apis: ["native", FAKE_API],
    };
    expect(inSelection("echo/tcp/127.0.0.1/node->fakert+fakeapi", sel)).toBe(true);
    expect(inSelection("echo/tcp/127.0.0.1/node->fakert+fakeapi", { ...sel, apis: ["native"] })).toBe(false);
    expect(inSelection("echo/tcp/127.0.0.1/node->fakert", { ...sel, runtimes: ["node"] })).toBe(false);

    const cell = (server: string, client: string, api?: ApiName): CellResult => ({
      scenario: "echo",
      transport: "tcp" as Transport,
      host: "127.0.0.1",
      server: server as RuntimeName,
      client: client as RuntimeName,
      serverVersion: server === FAKE ? "1.0.0" : "22.0.0",
      clientVersion: client === FAKE ? "1.0.0" : "22.0.0",
      ...(api ? { api } : {}),
      status: "pass",
      checks: [],
      metrics: {},
      durationMs: 1,
    });
    const cells = [cell("node", FAKE), cell(FAKE, "node"), cell("node", FAKE, FAKE_API)];
    const runtimes = [info("node", "22.0.0"), info(FAKE, "1.0.0")];
    const verdicts = judgeRun({ dir: null, expectations: null, selection: sel, runtimes, cells, probes: [] });
    const report = buildReport({
      command: ["netparity", "run"],
      toolVersion: "0",
      selection: sel,
      runtimes: runtimes.map((r) => ({ ...r, binary: "x" })),
      verdicts,
      durationMs: 1,
    });
    expect(report.cells.map((c) => c.key)).toEqual([
      "echo/tcp/127.0.0.1/node->fakert",
      "echo/tcp/127.0.0.1/fakert->node",
      "echo/tcp/127.0.0.1/node->fakert+fakeapi",
    ]);
    const table = renderTables(cells, runtimes, false, 200);
    expect(table).toMatch(/server \\ client\s+node\s+fakert\s+fakert\+fakeapi/);
    expect(table).toMatch(/\n\s+fakert\s+pass/);
  });
});

describe("ends and transports as data", () => {
  it("an end is runtime[@version][+api]; a native end keeps v1's form", () => {
    expect(formatEnd({ name: "bun" })).toBe("bun");
    expect(formatEnd({ name: "bun", api: "native" })).toBe("bun");
    expect(formatEnd({ name: "bun", api: "node" })).toBe("bun+node");
    expect(formatEnd({ name: "node", version: "22.23.5", api: "wintertc" })).toBe("node@22.23.5+wintertc");
    expect(parseCellKey("echo/tcp/127.0.0.1/bun+node->deno")).toMatchObject({
      server: "bun",
      serverApi: "node",
      client: "deno",
      api: "native",
    });
    expect(parseCellKey("echo/tcp/::1/deno@2.7.1+node->node@22.23.5+wintertc")).toMatchObject({
      host: "::1",
      server: "deno",
      serverVersion: "2.7.1",
      serverApi: "node",
      client: "node",
      clientVersion: "22.23.5",
      api: "wintertc",
    });
    // A version with build metadata is not an API.
    expect(parseCellKey("echo/tcp/127.0.0.1/bun@1.3.0+abc->deno")).toMatchObject({ serverVersion: "1.3.0+abc" });
  });

  it("Node's node API is its native end; wintertc has clients over tcp and tls only", () => {
    expect(endApi("node", "node", "server", "tcp")).toBe("native");
    expect(endApi("bun", "node", "server", "unix")).toBe("node");
    expect(endApi("deno", "wintertc", "client", "tls")).toBe("wintertc");
    expect(endApi("deno", "wintertc", "client", "udp")).toBeUndefined();
    expect(endApi("deno", "wintertc", "server", "tcp")).toBeUndefined();
    // Only a client API asked: servers are native, as --apis wintertc always paired them.
    expect(sideApis(["wintertc"], "server")).toEqual(["native"]);
  });

  it("transport descriptors answer what code used to compare names for", () => {
    expect(transportNames()).toEqual(["tcp", "udp", "unix", "tls"]);
    expect(transportNames().filter(isSecure)).toEqual(["tls"]);
    expect(transportOf("tls")).toMatchObject({ kind: "stream", carrier: "tcp", httpScheme: "https" });
    expect(transportOf("udp").kind).toBe("datagram");
    expect(transportOf("unix").addressing).toBe("path");
    expect(() => parseTransport("quic")).toThrow(/expected tcp, udp, unix, tls/);
  });
});
