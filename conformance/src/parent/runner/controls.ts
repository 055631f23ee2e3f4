/**
 * Negative controls (`netparity run --negative-controls`): every scenario's client, in every
 * runtime and over every transport of the selection, runs once against a server that is wrong
 * on purpose, through the corrupting fault proxy or as a mutated server (a mutation is a
 * deliberate mistake the scenario's own server makes, see `Scenario.mutations`). A client that
 * passes there has a check that cannot fail. This file holds the catalogue and runs it; the
 * verdict (was the problem detected, by the check that names it) is verdict/controls.ts.
 */
import { isSecure, transportOf } from "../../in-runtime/common/transports.js";
import type { RuntimeName, Transport } from "@netparity/protocol";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import { HTTP_GET_FOREIGN_LIMIT } from "../../in-runtime/scenarios/http-get.js";
import { writeCertificates } from "../certs/generate.js";
import { parseFaults, startFaultProxy } from "../faults/index.js";
import { DEFAULT_API } from "../../in-runtime/common/apis.js";
import { offersEnd } from "../common/runtime-descriptors.js";
import { endApi } from "../common/targets.js";
import { probeRuntime, runCell, type CellResult, type RuntimeInfo, type TargetInput } from "./matrix.js";

/** One control of the catalogue: a wrong server and the check of the client that must name it. */
export interface ControlDef {
  scenario: string;
  /** The transports it applies to (those of the run's selection that the scenario has). */
  transports: readonly Transport[];
  /** The server's mutation (one of its scenario's `mutations`)… */
  mutation?: string;
  /** …or the faults of a corrupting proxy between client and server (the `--faults` syntax). */
  faults?: string;
  /** A client mode other than the matrix's, e.g. http-get with `--url`: a label and its settings. */
  client?: {
    label: string;
    extra: (to: { host: string; port: number; transport: Transport }) => Record<string, string | number | boolean>;
  };
  /** The problem the client must report: a failed check whose name (and detail) match. */
  expect: { check: RegExp; detail?: RegExp };
  /** What stays undetectable with a foreign server, shown in the reports. */
  limit?: string;
}

const ECHO_CHECKS = /^(echo \d+ B|many small writes)$/;

/**
 * The catalogue. Corruption by the proxy where the client's own checks (hashes, matching
 * replies) must notice it; a mutated server where the mistake is one of meaning (the wrong
 * time, a missing "!", a wrong hash in the reply) or where TLS would catch corruption first.
 */
export const CONTROLS: readonly ControlDef[] = [
  {
    scenario: "echo",
    transports: ["tcp", "unix"],
    faults: "corrupt=0.001,seed=17",
    expect: { check: ECHO_CHECKS, detail: /sha256|different bytes/ },
  },
  { scenario: "echo", transports: ["udp"], faults: "corrupt=0.2,seed=17", expect: { check: /^no corrupted replies$/ } },
  { scenario: "echo", transports: ["tls"], mutation: "flip-byte", expect: { check: ECHO_CHECKS, detail: /sha256/ } },
  {
    scenario: "time",
    transports: ["tcp", "udp", "unix", "tls"],
    mutation: "hour-off",
    expect: { check: /^format "/, detail: /s from this client's clock/ },
  },
  {
    // The server answers OK and stays in plaintext: the client's handshake must fail, never echo in the clear.
    scenario: "starttls",
    transports: ["tls"],
    mutation: "no-upgrade",
    expect: { check: /^TLS after STARTTLS$/, detail: /^[A-Z_]+: / },
  },
  {
    scenario: "transfer",
    transports: ["tcp", "unix", "tls"],
    mutation: "wrong-hash",
    expect: { check: /^reply sha256 is what was sent$/ },
  },
  {
    scenario: "greet",
    transports: ["tcp", "unix", "tls"],
    mutation: "no-bang",
    expect: { check: /messages answered "Hello, X!"$/, detail: /wrong/ },
  },
  {
    scenario: "hello-udp",
    transports: ["udp"],
    mutation: "no-bang",
    expect: { check: /^(\d+ names answered "Hello, X!"|no wrong replies)$/, detail: /Hello, / },
  },
  {
    // On 127.0.0.1 the sender talks to the receiver directly (no sweep: that needs a subnet).
    scenario: "ipmsg",
    transports: ["udp"],
    mutation: "wrong-ack",
    expect: { check: /acknowledged with its packet number$/, detail: /^answers: command 33 message/ },
  },
  {
    scenario: "http-get",
    transports: ["tcp", "tls"],
    mutation: "changed-body",
    expect: { check: /^GET \/(chunked)?: /, detail: /body differs|Content-Digest says/ },
  },
  {
    scenario: "http-get",
    transports: ["tcp", "tls"],
    mutation: "short-body",
    expect: { check: /^GET \/: 200/, detail: /body \d+ of \d+ bytes/ },
  },
  {
    scenario: "http-get",
    transports: ["tcp", "tls"],
    mutation: "changed-body",
    client: {
      label: "--url",
      extra: (to) => ({
        url: `${transportOf(to.transport).httpScheme ?? "http"}://${to.host.includes(":") ? `[${to.host}]` : to.host}:${to.port}/`,
      }),
    },
    expect: { check: /^body matches its Content-Digest$/, detail: /Content-Digest says/ },
    limit: HTTP_GET_FOREIGN_LIMIT,
  },
];

/** One control as run: the cell against the wrong server, as the matrix would report it. */
export interface ControlRun {
  scenario: string;
  transport: Transport;
  runtime: RuntimeName;
  version: string;
  /** What was wrong: "mutation <id>" or "faults <spec>", plus the client mode if not the matrix's. */
  mutation: string;
  /** What the wrong server does, in one sentence. */
  description: string;
  def: ControlDef;
  cell: CellResult;
}

export function controlLabel(d: ControlDef): string {
  const what = d.mutation !== undefined ? `mutation ${d.mutation}` : `faults ${d.faults}`;
  return d.client ? `${what}, client ${d.client.label}` : what;
}

function describe(d: ControlDef): string {
  if (d.mutation !== undefined)
    return SCENARIOS[d.scenario]?.mutations?.[d.mutation] ?? `the server's mutation ${d.mutation}`;
  return `a fault proxy between client and server applies ${d.faults}`;
}

/**
 * The controls of a selection, in catalogue order: scenario, then transport, then runtime
 * (a runtime name, or a runtime target: each version of a runtime runs every control).
 */
export function planControls<R = RuntimeName>(
  selection: { scenarios: readonly string[]; transports: readonly Transport[]; runtimes: readonly R[] },
  catalogue: readonly ControlDef[] = CONTROLS,
): Array<{ def: ControlDef; transport: Transport; runtime: R }> {
  const out: Array<{ def: ControlDef; transport: Transport; runtime: R }> = [];
  for (const scenario of selection.scenarios)
    for (const transport of selection.transports)
      for (const def of catalogue) {
        if (def.scenario !== scenario || !def.transports.includes(transport)) continue;
        if (!SCENARIOS[scenario]?.transports.includes(transport)) continue;
        for (const runtime of selection.runtimes) out.push({ def, transport, runtime });
      }
  return out;
}

export interface ControlsOptions {
  /** Runtime targets; the same runtime may appear in several versions. */
  runtimes: TargetInput[];
  scenarios: string[];
  transports: Transport[];
  binaries?: Partial<Record<RuntimeName, string>>;
  /** The clients' scenario settings (the run's `--size`, `--seed`, ...). */
  extra?: Record<string, string | number | boolean>;
  /** Targets already asked for their version and features (else they are asked here). */
  infos?: RuntimeInfo[];
  catalogue?: readonly ControlDef[];
  clientTimeoutMs?: number;
  onStart?: (label: string, index: number, total: number) => void;
  onControl?: (run: ControlRun, index: number, total: number) => void;
}

/**
 * Runs every control of the selection; each client runtime meets a wrong server of its own
 * runtime (so every runtime's server runs each mutation too), on 127.0.0.1 or a Unix socket.
 */
export async function runControls(o: ControlsOptions): Promise<ControlRun[]> {
  const names = new Set(o.runtimes.map((r) => (typeof r === "string" ? r : r.name)));
  if (!planControls({ ...o, runtimes: [...names] }, o.catalogue).length) return [];
  const infos = o.infos ?? (await Promise.all(o.runtimes.map((r) => probeRuntime(r, o.binaries))));
  // A client end whose API lacks the transport (workerd's wintertc: tcp and tls only) has no
  // control there.
  const plan = planControls({ ...o, runtimes: infos }, o.catalogue).filter(
    (p) => endApi(p.runtime.name, DEFAULT_API, "client", p.transport) !== undefined,
  );
  // A runtime with no server end (workerd) meets the wrong server of the run's first runtime
  // that can serve, or node's.
  let otherServer = infos.find((i) => offersEnd(i.name, "server"));
  const serverOf = async (info: RuntimeInfo): Promise<RuntimeInfo> => {
    if (offersEnd(info.name, "server")) return info;
    otherServer ??= await probeRuntime("node", o.binaries);
    return otherServer;
  };
  const several = new Set(infos.filter((i, n) => infos.findIndex((j) => j.name === i.name) !== n).map((i) => i.name));
  const certs = plan.some((p) => isSecure(p.transport)) ? await writeCertificates() : undefined;
  const runs: ControlRun[] = [];
  try {
    for (let i = 0; i < plan.length; i++) {
      const { def, transport, runtime: info } = plan[i]!;
      const runtime = info.name;
      const mutation = controlLabel(def);
      const who = several.has(runtime) ? `${runtime}@${info.version}` : runtime;
      o.onStart?.(`control ${def.scenario}/${transport} ${who}: ${mutation}`, i, plan.length);
      const faults = def.faults !== undefined ? parseFaults(def.faults) : undefined;
      const extra = { ...(o.extra ?? {}) };
      // The run's --lossy would make UDP clients ignore exactly what they must report here.
      delete extra.lossy;
      const cell = await runCell(
        {
          scenario: def.scenario,
          transport,
          host: transport === "unix" ? "unix" : "127.0.0.1",
          server: await serverOf(info),
          client: info,
          ...(def.mutation !== undefined ? { mutation: def.mutation } : {}),
        },
        {
          runtimes: o.runtimes,
          scenarios: [def.scenario],
          transports: [transport],
          ...(o.binaries ? { binaries: o.binaries } : {}),
          extra,
          clientTimeoutMs: o.clientTimeoutMs ?? 60_000,
          ...(faults ? { via: (server) => startFaultProxy(server, faults) } : {}),
          ...(def.client ? { clientExtra: (to) => ({ ...extra, ...def.client!.extra({ ...to, transport }) }) } : {}),
        },
        certs,
      );
      const run: ControlRun = {
        scenario: def.scenario,
        transport,
        runtime,
        version: info.version,
        mutation,
        description: describe(def),
        def,
        cell,
      };
      runs.push(run);
      o.onControl?.(run, i, plan.length);
    }
  } finally {
    await certs?.remove();
  }
  return runs;
}
