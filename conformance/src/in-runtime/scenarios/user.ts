/**
 * Users' own scenarios: a protocol written once as `defineScenario({...})` (its server's
 * handler and its client's checks, against the `Runtime` interface) runs through the same
 * matrix, limits, timeouts and reports as the built-in scenarios. This file turns such a
 * definition into a `Scenario`; netparity owns listening, the accept loop and its limits,
 * connecting, and the verdict.
 */
import {
  NetError,
  isNetError,
  type Connection,
  type Datagram,
  type DatagramSocket,
  type Runtime,
  type Transport,
} from "@netparity/protocol";
import { clientBindAddress } from "./echo.js";
import { SERVER_LIMIT_OPTIONS, connectStream, listenStream, serveConnections } from "./serve-util.js";
import {
  Checks,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";

/**
 * Records one named check of a client and returns `ok`. A failed check fails the cell and its
 * `detail` is the reason shown in the table and the reports.
 */
export type CheckFn = (name: string, ok: boolean, detail?: string) => boolean;

/** Where a datagram client sends: the server under test. */
export interface DatagramServer {
  readonly hostname: string;
  readonly port: number;
}

/**
 * A scenario of your own. Stream transports (tcp, unix, tls) need `handle` and `client`; udp
 * needs `handleDatagram` and `clientDatagram`.
 *
 * @example
 * ```ts
 * import { defineScenario } from "netparity";
 * export default defineScenario({
 *   name: "reverse",
 *   transports: ["tcp"],
 *   async handle(conn) {
 *     const parts: Uint8Array[] = [];
 *     for (let c = await conn.read(); c; c = await conn.read()) parts.push(c.slice());
 *     const text = new TextDecoder().decode(concat(parts));
 *     await conn.write(new TextEncoder().encode([...text].reverse().join("")));
 *   },
 *   async client(conn, _runtime, check) {
 *     await conn.write(new TextEncoder().encode("hello"));
 *     await conn.closeWrite();
 *     // ...read the reply...
 *     check("reversed", reply === "olleh", `got ${JSON.stringify(reply)}`);
 *   },
 * });
 * ```
 */
export interface ScenarioDefinition {
  /** Lower-case letters, digits and dashes; the key of its cells in reports and expectations. */
  readonly name: string;
  /** One line for `--help` and the reports. */
  readonly summary?: string;
  readonly transports: readonly Transport[];
  /**
   * Server side, stream transports: serves one accepted connection. netparity listens, limits
   * the connections at once (`--max-connections`) and closes idle ones (`--idle-timeout`);
   * when this returns, netparity half-closes (FIN) and closes the connection.
   */
  handle?(conn: Connection, runtime: Runtime): Promise<void> | void;
  /**
   * Client side, stream transports: runs against a connection to the server under test and
   * records what it verified with `check`. A thrown error fails the cell with its code.
   */
  client?(conn: Connection, runtime: Runtime, check: CheckFn): Promise<void> | void;
  /** Server side, udp: handles one received datagram; reply with `socket.send(bytes, datagram.from)`. */
  handleDatagram?(datagram: Datagram, socket: DatagramSocket, runtime: Runtime): Promise<void> | void;
  /** Client side, udp: a socket of its own (bound on the server's loopback family) and the server's address. */
  clientDatagram?(
    socket: DatagramSocket,
    server: DatagramServer,
    runtime: Runtime,
    check: CheckFn,
  ): Promise<void> | void;
}

const TRANSPORT_NAMES: readonly Transport[] = ["tcp", "udp", "unix", "tls"];
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The problem with a scenario definition, or undefined when it can run. */
export function scenarioDefinitionProblem(def: unknown): string | undefined {
  if (!def || typeof def !== "object") return "a scenario module's default export must be defineScenario({...})";
  const d = def as Partial<ScenarioDefinition>;
  if (typeof d.name !== "string" || !NAME.test(d.name))
    return `scenario name ${JSON.stringify(d.name)} must be lower-case letters, digits and dashes`;
  if (!Array.isArray(d.transports) || d.transports.length === 0)
    return `scenario "${d.name}": transports must list at least one of ${TRANSPORT_NAMES.join(", ")}`;
  for (const t of d.transports) {
    if (!TRANSPORT_NAMES.includes(t))
      return `scenario "${d.name}": unknown transport ${JSON.stringify(t)} (expected ${TRANSPORT_NAMES.join(", ")})`;
    const [serve, client] =
      t === "udp" ? (["handleDatagram", "clientDatagram"] as const) : (["handle", "client"] as const);
    for (const fn of [serve, client])
      if (typeof d[fn] !== "function") return `scenario "${d.name}": transport ${t} needs a ${fn}() function`;
  }
  return undefined;
}

/**
 * Declares a scenario of your own, checked at once (a wrong name, transport or a missing
 * handler throws here, naming the problem). Default-export its result from the module you
 * pass to `netparity run --scenario-module`.
 */
export function defineScenario<T extends ScenarioDefinition>(def: T): T {
  const problem = scenarioDefinitionProblem(def);
  if (problem) throw new TypeError(problem);
  return def;
}

function errorCode(e: unknown): string {
  if (isNetError(e)) return e.code;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code ? code : "ERROR";
}

function checker(checks: Checks): CheckFn {
  return (name, ok, detail) => checks.record(String(name), Boolean(ok), ok ? detail : (detail ?? "failed"));
}

/** The verdict of a user's client: its checks, and a thrown error as one more failed check with its code. */
async function verdict(name: string, run: (check: CheckFn) => Promise<void> | void): Promise<ClientResult> {
  const checks = new Checks();
  try {
    await run(checker(checks));
  } catch (e) {
    const code = errorCode(e);
    const message = e instanceof Error ? e.message : String(e);
    checks.fail(`${name} client ran to completion`, `${code}: ${message}`);
    return { ok: false, checks: checks.list, metrics: {}, error: { code, message } };
  }
  if (checks.list.length === 0)
    checks.fail(`${name} client checked something`, "the client recorded no check: call check(name, ok, detail)");
  return { ok: checks.ok, checks: checks.list, metrics: {} };
}

async function serveUdp(
  def: ScenarioDefinition,
  rt: Runtime,
  options: RoleOptions,
  log: Logger,
): Promise<RunningServer> {
  const sock = await rt.bindDatagram({ hostname: options.host, port: options.port });
  const handling = new Set<Promise<void>>();
  const loop = (async () => {
    for (;;) {
      const d = await sock.receive();
      if (!d) return;
      const p = (async () => def.handleDatagram!(d, sock, rt))()
        .catch((e: unknown) =>
          log(
            `datagram from ${d.from.hostname}:${d.from.port}: ${errorCode(e)}: ${(e as Error)?.message ?? String(e)}`,
          ),
        )
        .finally(() => handling.delete(p));
      handling.add(p);
    }
  })();
  return {
    address: sock.address,
    async stop() {
      sock.close();
      await loop;
      await Promise.allSettled([...handling]);
    },
  };
}

/** A user's definition as a `Scenario` of the matrix, `serve` and `client`. */
export function userScenario(def: ScenarioDefinition): Scenario {
  return {
    name: def.name,
    summary: def.summary ?? `${def.name} (a scenario module)`,
    transports: [...def.transports],
    options: SERVER_LIMIT_OPTIONS,
    async serve(rt, options, log) {
      if (options.transport === "udp") return serveUdp(def, rt, options, log);
      const listener = await listenStream(rt, options);
      return serveConnections(rt, listener, options, log, async (conn) => {
        await def.handle!(conn, rt);
        // The handler is done: end the stream gracefully (the peer may have closed already).
        await conn.closeWrite().catch(() => {});
      });
    },
    async client(rt, options) {
      if (options.transport === "udp") {
        const sock = await rt.bindDatagram({ hostname: clientBindAddress(options.host), port: 0 });
        try {
          return await verdict(def.name, (check) =>
            def.clientDatagram!(sock, { hostname: options.host, port: options.port }, rt, check),
          );
        } finally {
          sock.close();
        }
      }
      let conn: Connection;
      try {
        conn = await connectStream(rt, options);
      } catch (e) {
        return verdict(def.name, () => {
          throw e;
        });
      }
      try {
        return await verdict(def.name, (check) => def.client!(conn, rt, check));
      } finally {
        conn.close();
      }
    },
  };
}

/**
 * Adds users' scenarios to `scenarios` (the agent's and the CLI's table), refusing a name
 * that is taken: a module cannot replace a built-in scenario or another module's.
 */
export function registerUserScenarios(scenarios: Record<string, Scenario>, defs: readonly unknown[]): Scenario[] {
  const added: Scenario[] = [];
  for (const def of defs) {
    const problem = scenarioDefinitionProblem(def);
    if (problem) throw new NetError("EINVAL", problem);
    const d = def as ScenarioDefinition;
    if (scenarios[d.name]) throw new NetError("EINVAL", `scenario "${d.name}" already exists: choose another name`);
    const s = userScenario(d);
    scenarios[d.name] = s;
    added.push(s);
  }
  return added;
}
