/**
 * The fixed peer is never the bottleneck, as far as we can choose: before the rounds, each
 * group's raw programs are measured against themselves (raw X server ← raw X client, once,
 * at a quarter of the run's sizes), and the program that spends the least CPU per unit of work in a role
 * becomes that role's fixed peer for the group. CPU per unit (service demand) does not depend
 * on the other end, so the cheapest program is the one with the most headroom. The choice and
 * the measurements behind it go into the report.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { BenchTlsFiles } from "../../in-runtime/bench/protocol.js";
import type { KeyType } from "../certs/generate.js";
import { runCell, type CpuPlacement } from "./execute.js";
import { params, type Params } from "./params.js";
import { workloadSpecs, type Cell, type Peers, type WorkloadSpec } from "./plan.js";
import { program } from "./programs.js";
import type { BenchOptions, PeerChoice } from "./types.js";

/**
 * A quarter of the run's byte counts and half its seconds: long enough for /proc's CPU clock
 * (10 ms ticks) to resolve a few per cent, short next to the rounds. --quick keeps its sizes.
 */
function calibrationParams(o: BenchOptions): Params {
  const p = params(o);
  if (o.quick) return p;
  return {
    ...p,
    bulkBytes: p.bulkBytes / 4,
    bulkWarmup: p.bulkWarmup / 4,
    transferBytes: p.transferBytes / 4,
    transferWarmup: p.transferWarmup / 4,
    tlsBulkBytes: p.tlsBulkBytes / 4,
    tlsBulkWarmup: p.tlsBulkWarmup / 4,
    seconds: p.seconds / 2,
    warmup: p.warmup / 2,
  };
}

const PER_UNIT: Record<string, number> = { bytes: 1e9, messages: 1e6, handshakes: 1e3, load: 1e6 };

export async function calibratePeers(
  o: BenchOptions,
  runtimes: RuntimeName[],
  certs: Partial<Record<KeyType, BenchTlsFiles>>,
  place: CpuPlacement,
  taskset: boolean,
  say: (line: string, final: boolean) => void,
): Promise<{ peers: Peers; choices: PeerChoice[]; seconds: Record<string, number> }> {
  const groups = new Map<string, WorkloadSpec>();
  // The last spec of a group is its heaviest (concurrency: the most connections).
  // The roles its fixed peer plays, over every spec of the group (wintertc-bulk shares bulk's).
  const needed = new Map<string, Set<"server" | "client">>();
  const peers: Peers = {};
  const choices: PeerChoice[] = [];
  const seconds: Record<string, number> = {};
  for (const w of workloadSpecs(o, calibrationParams(o), certs)) {
    // A workload that runs alone (the decoder) has no peer.
    if (!w.server) continue;
    if (!w.fixedPeer) {
      groups.set(w.group, w);
      const roles = needed.get(w.group) ?? needed.set(w.group, new Set()).get(w.group)!;
      if (w.roles !== "server") roles.add("server");
      if (w.roles !== "client") roles.add("client");
    } else if (!choices.some((c) => c.group === w.group))
      choices.push({
        group: w.group,
        role: "client",
        program: `${w.fixedPeer.runtime} ${w.fixedPeer.impl}`,
        cpuSecondsPer: null,
        unit: "",
        note: `not calibrated: ${w.fixedPeer.reason}`,
        candidates: [],
      });
  }
  for (const [group, w] of groups) {
    const server = w.server;
    if (!server) continue;
    const per = PER_UNIT[w.kind] ?? 1e6;
    const candidates: PeerChoice["candidates"] = [];
    const g0 = performance.now();
    const tryPeer = async (rt: RuntimeName): Promise<void> => {
      const prog = program(rt, w.peerImpl ?? "raw", o.fixedPeerBinaries ?? o.binaries);
      const cell: Cell = {
        workload: group,
        key: `calibrate|${group}|${rt}`,
        server: { prog, spec: server },
        client: { prog, spec: w.client },
        entries: [],
        kind: w.kind,
      };
      say(`calibrating the fixed peer: ${group}: ${prog.runtime} ${prog.impl} <- ${prog.runtime} ${prog.impl}`, false);
      try {
        const s = await runCell(cell, place, taskset);
        const perUnit = (c: number | null): number | null => (c === null || !s.units ? null : (c / s.units) * per);
        candidates.push({ runtime: rt, value: s.value, server: perUnit(s.cpu.server), client: perUnit(s.cpu.client) });
      } catch (e) {
        candidates.push({ runtime: rt, value: null, server: null, client: null, error: (e as Error).message });
      }
    };
    for (const rt of runtimes) await tryPeer(rt);
    // Where none of the measured runtimes' programs can be the peer (Bun's and Deno's raw
    // programs have no concurrency client), Node's, which runs this parent, is tried too.
    if (!runtimes.includes("node") && candidates.every((c) => c.value === null)) await tryPeer("node");
    seconds[group] = (performance.now() - g0) / 1000;
    const pick = (role: "server" | "client"): RuntimeName => {
      const ok = candidates.filter((c) => c[role] !== null);
      if (!ok.length) return candidates.some((c) => c.runtime === "node") ? "node" : runtimes[0]!;
      return ok.reduce((a, b) => (b[role]! < a[role]! ? b : a)).runtime as RuntimeName;
    };
    const chosen = { server: pick("server"), client: pick("client") };
    peers[group] = chosen;
    for (const role of ["server", "client"] as const) {
      if (!needed.get(group)?.has(role)) continue;
      const c = candidates.find((x) => x.runtime === chosen[role]);
      choices.push({
        group,
        role,
        program: `${chosen[role]} ${w.peerImpl ?? "raw"}`,
        cpuSecondsPer: c?.[role] ?? null,
        unit: w.kind === "bytes" ? "GB" : w.kind === "handshakes" ? "1000 handshakes" : "1M messages",
        ...(w.peerImpl === "adapter" ? { note: "the adapter agent: the raw programs have no such client" } : {}),
        candidates,
      });
      say(
        `fixed peer for ${group} as ${role}: ${chosen[role]} ${w.peerImpl ?? "raw"} (${candidates.map((x) => `${x.runtime} ${x[role] === null ? "–" : x[role]!.toFixed(2)}`).join(", ")} CPU s/unit)`,
        true,
      );
    }
  }
  return { peers, choices, seconds };
}
