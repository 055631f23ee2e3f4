/**
 * workerd as a client end: one echo cell over tcp and one over tls against a Node server, run
 * through the runner as `netparity run` runs them, and no workerd left behind afterwards.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { writeCertificates } from "../src/parent/certs/generate.js";
import { startAgent } from "../src/parent/runner/agent-process.js";
import { runSocketsSpecIn } from "../src/parent/runner/sockets-spec.js";
import { runProbesIn } from "../src/parent/runner/probes.js";
import { cli } from "./peer-helpers.js";
import { planCells, probeRuntime, runCell, runMatrix, type RuntimeInfo } from "../src/parent/runner/matrix.js";
import { cellKey, inSelection } from "../src/parent/verdict/keys.js";
import { resolveTargets } from "../src/parent/install/resolve.js";
import { defaultRuntimeNames, offersEnd, runtimeNames, runtimeOf } from "../src/parent/common/runtime-descriptors.js";
import { platformPackageBinary } from "../src/parent/runner/runtimes.js";
import { compatibilityDate, LOOPBACK_ALLOW, workerdConfig } from "../src/parent/workerd/index.js";

const binary = platformPackageBinary(runtimeOf("workerd"));

/** PIDs of live processes running `binary` (or with `arg` on their command line) whose parent is this process. */
function workerdChildren(arg = binary): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      if (ppid === process.pid && cmd.some((a) => a.includes(arg!))) out.push(Number(d));
    } catch {
      // gone in between
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!binary || process.platform !== "linux")("workerd client", () => {
  it("runs echo over tcp and tls against a node server, and leaves no process", { timeout: 180_000 }, async () => {
    const [server, client] = await Promise.all([probeRuntime("node"), probeRuntime("workerd")]);
    expect(client.error).toBeUndefined();
    expect(client.features.tcp && client.features.tls).toBe(true);
    const certs = await writeCertificates();
    try {
      for (const transport of ["tcp", "tls"] as const) {
        const cell = await runCell(
          { scenario: "echo", transport, host: "127.0.0.1", server, client },
          { runtimes: [], scenarios: [], transports: [], extra: { size: 262_144 } },
          certs,
        );
        expect(cell.client).toBe("workerd");
        expect(cell.clientVersion).toBe(client.version);
        expect(cell.status, cell.reason).toBe("pass");
        expect(cell.checks.some((c) => c.name === "echo 262144 B" && c.ok)).toBe(true);
        expect(workerdChildren()).toEqual([]);
      }
    } finally {
      await certs.remove();
    }
  });

  it("runs a STARTTLS cell (secureTransport starttls, then startTls()) against node, and leaves no process", {
    timeout: 120_000,
  }, async () => {
    const [server, client] = await Promise.all([probeRuntime("node"), probeRuntime("workerd")]);
    const certs = await writeCertificates();
    try {
      const cell = await runCell(
        { scenario: "starttls", transport: "tls", host: "::1", server, client },
        { runtimes: [], scenarios: [], transports: [], extra: {} },
        certs,
      );
      expect(cell.status, cell.reason).toBe("pass");
      expect(cell.checks.map((c) => c.name)).toContain("TLS after STARTTLS");
      expect(workerdChildren()).toEqual([]);
    } finally {
      for (const pid of workerdChildren()) process.kill(pid, "SIGKILL");
      await certs.remove();
    }
  });

  it("runs part of the sockets spec suite against workerd's connect(), peers from node, and leaves no process", {
    timeout: 120_000,
  }, async () => {
    const certs = await writeCertificates({ prefix: "netparity-workerd-spec-" });
    try {
      const e = await runSocketsSpecIn(
        "workerd",
        { ca: certs.ca, cert: certs.cert, key: certs.key },
        {
          only: "allowHalfOpen",
        },
      );
      expect(e.runtime).toBe("workerd");
      expect(e.implementation).toBe("cloudflare:sockets");
      const byName = new Map(e.results.map((r) => [r.name, r]));
      // Both checks need a peer that half-closes and reports what it received after its FIN.
      for (const name of [
        "allowHalfOpen defaults to false: the peer's FIN closes the writable",
        "allowHalfOpen true: the writable stays open after the peer's FIN",
      ])
        expect(byName.get(name)?.status, byName.get(name)?.detail).toBe("pass");
      const probe = byName.get(
        "probe: closed after the peer's FIN with allowHalfOpen true, the readable read to its end",
      );
      expect(probe?.status).toBe("observed");
      expect(probe?.detail).toBe("pending");
      expect(workerdChildren()).toEqual([]);
      expect(workerdChildren("sockets-spec-peers-node.js")).toEqual([]);
    } finally {
      await certs.remove();
    }
  });

  it("runs wintertc probes on workerd's connect(), TLS trusted through the config, and leaves no process", {
    timeout: 120_000,
  }, async () => {
    try {
      const r = await runProbesIn("workerd", { api: "wintertc", only: ["wintertc.half-close", "wintertc.starttls"] });
      expect(r.error).toBeUndefined();
      const byId = new Map(r.results.map((x) => [x.id, x]));
      expect(byId.get("wintertc.half-close")?.outcome).toBe("echo after our FIN");
      // STARTTLS through the peers' upgrading server, verified against the probes' CA.
      expect(byId.get("wintertc.starttls")?.outcome, JSON.stringify(byId.get("wintertc.starttls")?.evidence)).toMatch(
        /^echo over TLS; /,
      );
      expect(workerdChildren()).toEqual([]);
      expect(workerdChildren("sockets-spec-peers-node.js")).toEqual([]);
    } finally {
      for (const pid of [...workerdChildren(), ...workerdChildren("sockets-spec-peers-node.js")])
        process.kill(pid, "SIGKILL");
    }
  });

  it("fails a tls cell whose server a CA the config does not trust signed", { timeout: 120_000 }, async () => {
    const [server, client] = await Promise.all([probeRuntime("node"), probeRuntime("workerd")]);
    const [served, trusted] = await Promise.all([writeCertificates(), writeCertificates()]);
    try {
      // The server presents a certificate of `served`; the client's config trusts `trusted` only.
      const mixed = { ...served, ca: trusted.ca };
      const cell = await runCell(
        { scenario: "echo", transport: "tls", host: "127.0.0.1", server, client },
        { runtimes: [], scenarios: [], transports: [] },
        mixed,
      );
      // The same cell with the CA trusted passes (above); workerd words a failed verification
      // as it words a refused connection ("proxy request failed, cannot connect ...").
      expect(cell.status).toBe("fail");
      expect(cell.reason).toMatch(/cannot connect/);
      expect(workerdChildren()).toEqual([]);
    } finally {
      await Promise.all([served.remove(), trusted.remove()]);
    }
  });

  it("stop() ends workerd and removes its generated config", { timeout: 60_000 }, async () => {
    const agent = startAgent("workerd", { role: "features" });
    const e = await agent.next(30_000);
    expect(e?.event).toBe("features");
    expect(alive(agent.pid)).toBe(true);
    // setpriv execs workerd: the PID is workerd's, its command line names the generated config.
    const config = readFileSync(`/proc/${agent.pid}/cmdline`, "utf8")
      .split("\0")
      .find((a) => a.endsWith("config.capnp"));
    expect(config).toBeDefined();
    expect(existsSync(config!)).toBe(true);
    await agent.stop();
    expect(alive(agent.pid)).toBe(false);
    expect(existsSync(dirname(config!))).toBe(false);
  });

  it("plans a workerd client once whatever --apis says, and not over udp", { timeout: 180_000 }, async () => {
    const { cells } = await runMatrix({
      runtimes: ["node", "workerd"],
      scenarios: ["echo"],
      transports: ["tcp", "udp"],
      apis: ["native", "wintertc"],
      hosts: ["127.0.0.1"],
      extra: { size: 65_536 },
    });
    const keys = cells.map((c) => `${c.transport} ${c.server}->${c.client}${c.api ? `+${c.api}` : ""}`).sort();
    // workerd's one API is wintertc: its ends are keyed as other runtimes' wintertc ends.
    expect(keys).toEqual(["tcp node->node", "tcp node->node+wintertc", "tcp node->workerd+wintertc", "udp node->node"]);
    expect(cells.every((c) => c.status === "pass")).toBe(true);
  });

  it("never plans workerd as a server", { timeout: 120_000 }, async () => {
    const { cells } = await runMatrix({
      runtimes: ["workerd"],
      scenarios: ["echo"],
      transports: ["tcp"],
    });
    expect(cells).toEqual([]);
  });
});

describe("workerd's descriptor", () => {
  const info = (name: string): RuntimeInfo =>
    ({ name, version: "1.0.0", features: { tcp: true, udp: true, unix: true, tls: true, ipv6: true } }) as RuntimeInfo;

  it("is a client end in wintertc only, keyed as other wintertc ends, over tcp and tls", () => {
    const keysFor = (apis: Array<"native" | "wintertc">): string[] =>
      planCells([info("node"), info("workerd")], {
        scenarios: ["echo"],
        transports: ["tcp", "udp", "tls"],
        apis,
        hosts: ["127.0.0.1"],
      })
        .filter((p) => p.client.name === "workerd" || p.server.name === "workerd")
        .map((p) => cellKey({ ...p, server: p.server.name, client: p.client.name }));
    const want = ["echo/tcp/127.0.0.1/node->workerd+wintertc", "echo/tls/127.0.0.1/node->workerd+wintertc"];
    // `native` (the default) and `wintertc` plan the same workerd ends, once.
    expect(keysFor(["native"])).toEqual(want);
    expect(keysFor(["wintertc"])).toEqual(want);
    expect(keysFor(["native", "wintertc"])).toEqual(want);
    expect(offersEnd("workerd", "server")).toBe(false);
    expect(offersEnd("workerd", "client")).toBe(true);
    const sel = { runtimes: ["node", "workerd"], scenarios: ["echo"], transports: ["tcp"], hosts: ["127.0.0.1"] };
    expect(inSelection("echo/tcp/127.0.0.1/node->workerd+wintertc", sel as never)).toBe(true);
  });

  it("is opt-in: known to --runtimes, not in its default", () => {
    expect(runtimeNames()).toContain("workerd");
    expect(defaultRuntimeNames()).not.toContain("workerd");
    expect(defaultRuntimeNames()).toEqual(["node", "bun", "deno"]);
  });
});

describe("workerd config and availability", () => {
  it("the generated config allows loopback (and given CIDRs) only, and trusts only the given CA", () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const text = workerdConfig({
      module: "agent.js",
      version: "1.20261123.1",
      allow: [...LOOPBACK_ALLOW, "10.77.0.0/24"],
      trustedCa: ca,
    });
    expect(text).toContain('allow = ["127.0.0.0/8", "::1/128", "10.77.0.0/24"]');
    expect(text).toContain(`trustedCertificates = [${JSON.stringify(ca)}]`);
    expect(text).toContain('address = "127.0.0.1:0"');
    expect(text).toContain('compatibilityDate = "2026-11-23"');
    expect(text).not.toMatch(/"public"|"private"|"local"|trustBrowserCas/);
    expect(workerdConfig({ module: "agent.js", version: "1.20261123.1", allow: LOOPBACK_ALLOW })).not.toContain(
      "tlsOptions",
    );
  });

  it("takes the compatibility date from the npm version", () => {
    expect(compatibilityDate("1.20261117.1")).toBe("2026-11-17");
    expect(compatibilityDate("2026-11-23")).toBe("2026-11-23");
  });

  it("a run without a workerd binary skips it with one line", async () => {
    const lines: string[] = [];
    const targets = await resolveTargets([{ name: "workerd", spec: "workerd" }], {
      binaries: { workerd: "/nonexistent/workerd" },
      log: (l) => lines.push(l),
    });
    expect(targets).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^workerd skipped: /);
  });

  it("sockets-spec without a workerd binary skips it with one line", { timeout: 60_000 }, () => {
    const r = cli(["sockets-spec", "--runtimes", "workerd", "--no-polyfill", "--workerd-bin", "/nonexistent/workerd"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("netparity: workerd skipped: "))).toHaveLength(1);
    expect(r.stderr).not.toContain("[sockets-spec] workerd");
  });
});
