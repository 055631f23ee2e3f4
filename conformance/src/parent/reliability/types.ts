import type { RuntimeName } from "@netparity/protocol";
import type { Check } from "../../in-runtime/scenarios/types.js";
import type { CertificateFiles } from "../certs/generate.js";
import type { ServerAgent } from "./agents.js";

export type ReliabilityStatus = "pass" | "fail" | "unsupported" | "error";

/** One case run against one runtime. */
export interface ReliabilityResult {
  id: string;
  title: string;
  runtime: RuntimeName;
  version: string;
  status: ReliabilityStatus;
  /** One line: what failed, or what was shown. */
  detail: string;
  checks: Check[];
  metrics: Record<string, number>;
  durationMs: number;
}

export interface CaseContext {
  readonly runtime: RuntimeName;
  readonly features: Record<string, boolean>;
  readonly binaries: Partial<Record<RuntimeName, string>>;
  /** Starts a server of this runtime; it is stopped after the case. A "tls" server uses `certificates()`. */
  server(
    scenario: string,
    transport: "tcp" | "udp" | "unix" | "tls",
    opts?: { extra?: Record<string, string | number | boolean>; port?: number; path?: string },
  ): Promise<ServerAgent>;
  /** The run's throwaway CA and server certificate (for localhost, 127.0.0.1, ::1): made on first use, removed after the run. */
  certificates(): Promise<CertificateFiles>;
  /** A fresh temporary directory, removed after the case. */
  tmp(): string;
  /** Runs `f` after the case, whatever happened. */
  defer(f: () => unknown): void;
}

export interface CaseOutcome {
  checks: Check[];
  metrics?: Record<string, number>;
  /** Set when the runtime cannot run the case at all (e.g. no Unix sockets). */
  unsupported?: string;
}

export interface ReliabilityCase {
  readonly id: string;
  readonly title: string;
  /** Upper bound of one run; the case is abandoned (status error) after it. */
  readonly timeoutMs: number;
  run(ctx: CaseContext): Promise<CaseOutcome>;
}
