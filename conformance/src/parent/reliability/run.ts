/**
 * Runs the reliability catalogue: each case against each runtime, one at a time (the load
 * and timing cases must not share the two cores with another case), every case bounded by
 * its own time limit and cleaned up in `finally`.
 */
import { isSecure } from "../../in-runtime/common/transports.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import { writeCertificates, type CertificateFiles } from "../certs/generate.js";
import { targetBinaries, type RuntimeInfo } from "../runner/matrix.js";
import { startServer, type ServerAgent } from "./agents.js";
import { RELIABILITY_CASES } from "./cases.js";
import type { CaseContext, CaseOutcome, ReliabilityCase, ReliabilityResult } from "./types.js";

export { RELIABILITY_CASES } from "./cases.js";
export type { ReliabilityResult, ReliabilityCase, ReliabilityStatus } from "./types.js";

export interface ReliabilityOptions {
  runtimes: RuntimeInfo[];
  binaries?: Partial<Record<RuntimeName, string>>;
  /** Case ids to run (default: all). */
  only?: string[];
  onStart?: (label: string, index: number, total: number) => void;
  onResult?: (r: ReliabilityResult, index: number, total: number) => void;
}

export function selectCases(only?: string[]): ReliabilityCase[] {
  if (!only?.length) return [...RELIABILITY_CASES];
  const unknown = only.filter((id) => !RELIABILITY_CASES.some((c) => c.id === id));
  if (unknown.length)
    throw new Error(
      `unknown reliability case ${unknown.join(", ")} (expected ${RELIABILITY_CASES.map((c) => c.id).join(", ")})`,
    );
  return RELIABILITY_CASES.filter((c) => only.includes(c.id));
}

/** One certificate set for a whole run, made by the first case that asks for it (most runs need none). */
export class RunCertificates {
  #files: Promise<CertificateFiles> | undefined;
  get(): Promise<CertificateFiles> {
    this.#files ??= writeCertificates({ prefix: "netparity-rel-tls-" });
    return this.#files;
  }
  async remove(): Promise<void> {
    const files = await this.#files?.catch(() => undefined);
    await files?.remove();
  }
}

export async function runCase(
  c: ReliabilityCase,
  info: RuntimeInfo,
  defaults: Partial<Record<RuntimeName, string>> = {},
  certs?: RunCertificates,
): Promise<ReliabilityResult> {
  const base = { id: c.id, title: c.title, runtime: info.name, version: info.version };
  // This target's binary for its runtime (a run may hold several versions of one runtime).
  const binaries = targetBinaries(info, defaults);
  if (info.error) return { ...base, status: "error", detail: info.error, checks: [], metrics: {}, durationMs: 0 };
  const ownCerts = certs ? undefined : new RunCertificates();
  const certificates = certs ?? ownCerts!;
  const deferred: Array<() => unknown> = [];
  const servers: ServerAgent[] = [];
  const ctx: CaseContext = {
    runtime: info.name,
    features: info.features,
    binaries,
    async server(scenario, transport, opts = {}) {
      const tls = isSecure(transport) ? await certificates.get() : undefined;
      const s = await startServer(info.name, scenario, transport, {
        ...opts,
        ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
        binaries,
      });
      servers.push(s);
      return s;
    },
    certificates: () => certificates.get(),
    tmp() {
      const d = mkdtempSync(join(tmpdir(), `netparity-rel-${info.name}-`));
      deferred.push(() => rmSync(d, { recursive: true, force: true }));
      return d;
    },
    defer: (f) => void deferred.push(f),
  };
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const outcome = await Promise.race<CaseOutcome>([
      c.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`case did not finish within ${c.timeoutMs} ms`)), c.timeoutMs);
      }),
    ]);
    const durationMs = Math.round(performance.now() - t0);
    if (outcome.unsupported)
      return {
        ...base,
        status: "unsupported",
        detail: outcome.unsupported,
        checks: outcome.checks,
        metrics: outcome.metrics ?? {},
        durationMs,
      };
    const failed = outcome.checks.filter((x) => !x.ok);
    const ok = outcome.checks.length > 0 && failed.length === 0;
    const detail = ok
      ? `${outcome.checks.length} checks passed`
      : failed.map((x) => `${x.name}: ${x.detail ?? "failed"}`).join("; ") || "no checks ran";
    return {
      ...base,
      status: ok ? "pass" : "fail",
      detail,
      checks: outcome.checks,
      metrics: outcome.metrics ?? {},
      durationMs,
    };
  } catch (e) {
    return {
      ...base,
      status: "error",
      detail: (e as Error).message ?? String(e),
      checks: [],
      metrics: {},
      durationMs: Math.round(performance.now() - t0),
    };
  } finally {
    clearTimeout(timer);
    await Promise.all(servers.map((s) => s.stop()));
    for (const f of deferred.reverse()) {
      try {
        await f();
      } catch {
        // cleanup is best effort; the case's verdict stands
      }
    }
    await ownCerts?.remove();
  }
}

/** Every selected case × every runtime, runtime by runtime. */
export async function runReliability(o: ReliabilityOptions): Promise<ReliabilityResult[]> {
  const cases = selectCases(o.only);
  const total = cases.length * o.runtimes.length;
  const out: ReliabilityResult[] = [];
  const certs = new RunCertificates();
  try {
    for (const info of o.runtimes) {
      for (const c of cases) {
        o.onStart?.(`reliability ${c.id} ${info.name} ${info.version}`, out.length, total);
        const r = await runCase(c, info, o.binaries, certs);
        out.push(r);
        o.onResult?.(r, out.length - 1, total);
      }
    }
  } finally {
    await certs.remove();
  }
  return out;
}
