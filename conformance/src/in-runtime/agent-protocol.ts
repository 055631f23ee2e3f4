import type { Features, Transport } from "@netparity/protocol";
import type { ApiName } from "./common/apis.js";
import type { ContractResult } from "./contract/adapter-contract.js";
import type { ProbeResult } from "./probes/types.js";
import type { SpecResult } from "./sockets-spec/spec.js";
import type { Check } from "./scenarios/types.js";

/**
 * TLS settings of a role as the agent receives them: file PATHS, never key material on a
 * command line; the agent reads the files (`rt.fs.readText`) before it runs the scenario.
 */
export interface AgentTlsFiles {
  /** Server: PEM certificate chain and key. */
  cert?: string;
  key?: string;
  /** Client: PEM CAs to trust instead of the runtime's default store. */
  ca?: string;
  /** Client: SNI and the name to verify (default: the host). */
  servername?: string;
  alpn?: string[];
}

/** One certificate set as PEM file paths: a CA, and a server certificate it signed with its key. */
export interface AgentCertFiles {
  ca: string;
  cert: string;
  key: string;
}

/** The certificate sets of the TLS probes as files (see ProbeCerts in probes/types.ts for what each is). */
export interface AgentProbeCertFiles {
  main: AgentCertFiles;
  expired: AgentCertFiles;
  other: AgentCertFiles;
  rsa?: AgentCertFiles;
}

/** Where a scenario role listens or connects: host and port, or a Unix socket path (host ""). */
interface ScenarioTarget {
  scenario: string;
  transport: Transport;
  host: string;
  port: number;
  path?: string;
  /** With transport "tls". */
  tls?: AgentTlsFiles;
  /** Scenario-specific settings, already validated by the parent. */
  extra: Record<string, string | number | boolean>;
  /**
   * The API this end speaks (default "native", the runtime's adapter): "node" runs the role on
   * the Node adapter the agent carries, `wintertc` (clients) connects through @netparity/sockets.
   */
  api?: ApiName;
}

/** What the runner asks of one agent process, passed as a single JSON argument: one shape per role. */
export type AgentSpec =
  | ({
      role: "server";
      /** A deliberate mistake of the server (one of its scenario's `mutations`), for the negative controls. */
      mutation?: string;
    } & ScenarioTarget)
  | ({
      role: "client";
      /** Give up after this long (default 120 s). */
      timeoutMs?: number;
    } & ScenarioTarget)
  | {
      role: "features";
      /** The features of this API's adapter instead of the runtime's own (an error event when it has none here). */
      api?: ApiName;
    }
  | {
      role: "contract";
      /** Run only the contract checks whose name contains this (all when absent). */
      only?: string;
      /** Two unrelated certificate sets for the credential checks; without them those checks fail. */
      certs?: { main: AgentCertFiles; other: AgentCertFiles };
    }
  | {
      role: "probes";
      /**
       * The API whose probe family runs: absent or `native`, the catalogue over the Runtime
       * interface; `node`, the `nodeapi.*` probes the agent entry carries (written against node:*);
       * `wintertc`, the `wintertc.*` probes over the agent's `connect()` (@netparity/sockets, or
       * workerd's own).
       */
      api?: ApiName;
      /** Run just these probe ids (all when absent). */
      probes?: string[];
      /** Certificates for the TLS probes; without them those probes report "unsupported: no certificates". */
      certs?: AgentProbeCertFiles;
      /** Set when the agent runs inside the parent's network namespace (multicast probes). */
      multicast?: { interfaceAddress: string };
      /**
       * Where the `wintertc.*` probes' peers are served (sockets-spec/remote-peers.ts), for a
       * runtime without a listen (workerd); without it they are made with the runtime's listen.
       */
      peers?: { hostname: string; port: number };
      /** The parent's peer for the probes that need one (ProbeContext.parentPeer). */
      parentPeer?: { host: string; port: number };
    }
  | {
      /** The WinterTC Sockets spec suite against @netparity/sockets bound to this runtime's adapter. */
      role: "sockets-spec";
      /** The CA, certificate and key of the suite's TLS peers; without them the TLS checks skip. */
      certs?: AgentCertFiles;
      /** Run only the checks whose name contains this. */
      only?: string;
      /**
       * The bound of one step of a check in ms (harness.ts STEP_MS, 5000 when absent). Only the
       * polyfill's entry reads it: the unit test's comparison row, whose known failures wait for it.
       */
      stepMs?: number;
      /**
       * Where the suite's peers are served (remote-peers.ts), for a runtime without a listen
       * (workerd); without it the suite starts them with the runtime's own listen.
       */
      peers?: { hostname: string; port: number };
    }
  | {
      /** The in-runtime half of a reliability case; `scenario` names the case. */
      role: "reliability";
      scenario: string;
      host: string;
      port: number;
      timeoutMs?: number;
    };

/** The lines an agent prints on stdout, one JSON object each. */
export type AgentEvent =
  | {
      event: "listening";
      scenario: string;
      runtime: string;
      version: string;
      transport: Transport;
      host?: string;
      port?: number;
      path?: string;
      pid: number;
    }
  | {
      event: "result";
      scenario: string;
      runtime: string;
      version: string;
      transport: Transport;
      ok: boolean;
      checks: Check[];
      metrics: Record<string, number>;
      output?: string;
      error?: { code: string; message: string };
      durationMs: number;
    }
  | { event: "error"; runtime: string; version: string; code: string; message: string }
  | { event: "stopped"; runtime: string }
  | { event: "contract"; runtime: string; version: string; features: Features; results: ContractResult[] }
  | { event: "features"; runtime: string; version: string; features: Features }
  | { event: "probes"; runtime: string; version: string; features: Features; results: ProbeResult[] }
  | {
      event: "sockets-spec";
      runtime: string;
      version: string;
      /** The implementation under test, e.g. "@netparity/sockets" or "@arrowood.dev/socket". */
      implementation: string;
      results: SpecResult[];
    };

/**
 * What the parent POSTs to the workerd agent (a Worker, agents/workerd.ts): a Worker reads no
 * files, so PEM text travels in the body, and the version is the npm package's (workerd itself
 * reports only its date). The answer is JSON `{ events, logs }`: the events the role emitted, in order, and its log lines.
 */
export interface WorkerdRequest {
  spec: AgentSpec;
  version: string;
  /**
   * The CA the generated config's network service trusts (`tlsOptions.trustedCertificates`),
   * when the spec's role has one: the Worker's TLS connections trust it and nothing else.
   */
  trustedCa?: string;
}
