import { NetError, type Address, type Features, type Runtime, type Transport } from "@netparity/protocol";

/** TLS settings of a role, PEM text (the agent reads the files); which fields a role uses depends on it. */
export interface RoleTls {
  /** Server: its certificate chain and key. */
  cert?: string;
  key?: string;
  /** Client: the CAs to trust instead of the runtime's default store. */
  ca?: string;
  /** Client: SNI and the name the certificate must be valid for (default: the host). */
  servername?: string;
  /** ALPN protocols, in order of preference. */
  alpn?: readonly string[];
}

/** Options every scenario role understands; scenario-specific ones ride in `extra`. */
export interface RoleOptions {
  transport: Transport;
  host: string;
  port: number;
  path?: string;
  /** With transport "tls". */
  tls?: RoleTls;
  /** Scenario-specific settings (`--size`, `--seed`, `--format`, ...), already validated. */
  extra: Record<string, string | number | boolean>;
  /**
   * Server only: a deliberate mistake (one of the scenario's `mutations`) for the negative
   * controls of `netparity run --negative-controls`. Never set from the command line.
   */
  mutation?: string;
}

export interface RunningServer {
  readonly address: Address;
  /** Stop listening, close open connections, remove socket files. */
  stop(): Promise<void>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ClientResult {
  ok: boolean;
  checks: Check[];
  /** Measurements worth reporting (bytes/s, round trips, ...). */
  metrics: Record<string, number>;
  /** A printed answer, e.g. the time string for `client time --format`. */
  output?: string;
  error?: { code: string; message: string };
}

export type Logger = (message: string) => void;

/**
 * A command-line option a scenario understands. The CLI registers the options of every
 * scenario on `serve`/`client`/`run` and passes the parsed values in `RoleOptions.extra`
 * under `key`; scenarios never parse argv themselves.
 */
export interface ScenarioOption {
  /** Commander flag syntax, e.g. "--out <dir>" or "--le32". */
  flag: string;
  /** Key in `extra`, e.g. "out". */
  key: string;
  description: string;
  /** How the value is parsed: a byte size ("64MiB"), a non-negative integer, text, or a switch. */
  type: "size" | "int" | "string" | "boolean";
  /** For "size": the largest value accepted and why (anything larger is a usage error naming both). */
  max?: { bytes: number; why: string };
  /** For "string": the only values accepted (anything else is a usage error). */
  choices?: readonly string[];
  /** Which roles use it (shown in --help of those commands). */
  roles: ReadonlyArray<"server" | "client">;
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly transports: readonly Transport[];
  /** Scenario-specific command-line options. */
  readonly options?: readonly ScenarioOption[];
  /**
   * The matrix runs this scenario only between hosts of a private subnet of network
   * namespaces that the runner creates (root only): its client sweeps a whole /24.
   */
  readonly subnet?: boolean;
  /**
   * The mistakes its server can make on purpose (id -> what the server then does wrong), so
   * the negative controls can show that the client notices each of them.
   */
  readonly mutations?: Readonly<Record<string, string>>;
  /**
   * Features each end needs beyond its transport's (`startTlsServer` for a server that
   * upgrades): the matrix plans the cell and reports it unsupported where an end lacks one.
   */
  readonly needs?: { readonly server?: readonly (keyof Features)[]; readonly client?: readonly (keyof Features)[] };
  serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer>;
  client(rt: Runtime, options: RoleOptions, log: Logger): Promise<ClientResult>;
}

/** Collects named checks; `fail` records and keeps going so one report shows every problem. */
export class Checks {
  readonly list: Check[] = [];
  pass(name: string, detail?: string): void {
    this.list.push({ name, ok: true, ...(detail ? { detail } : {}) });
  }
  fail(name: string, detail: string): void {
    this.list.push({ name, ok: false, detail });
  }
  expect(name: string, ok: boolean, detail: string): boolean {
    if (ok) this.pass(name);
    else this.fail(name, detail);
    return ok;
  }
  /**
   * Records a check either way and keeps a non-empty detail on a pass too, for checks whose
   * detail is evidence whatever the outcome (a measured time, what the peer saw), as the
   * reliability cases report them.
   */
  record(name: string, ok: boolean, detail?: string): boolean {
    this.list.push({ name, ok, ...(detail ? { detail } : {}) });
    return ok;
  }
  get ok(): boolean {
    return this.list.length > 0 && this.list.every((c) => c.ok);
  }
}

/** The server's mutation, checked against the scenario's list; undefined for a correct server. */
export function mutationOf(
  options: RoleOptions,
  scenario: string,
  known: Readonly<Record<string, string>>,
): string | undefined {
  const m = options.mutation;
  if (m === undefined) return undefined;
  if (!Object.hasOwn(known, m))
    throw new NetError("EINVAL", `${scenario} has no mutation "${m}" (known: ${Object.keys(known).join(", ")})`);
  return m;
}

/** A copy of `bytes` with its first byte complemented (an empty input stays empty). */
export function flipFirstByte(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength === 0) return bytes;
  const out = bytes.slice();
  out[0] = out[0]! ^ 0xff;
  return out;
}
