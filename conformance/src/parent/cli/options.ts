/**
 * The option helpers every command shares: runtime binaries and targets, the scenarios' own
 * options, TLS flags, id lists, and how the parser's output reads (one line, typed defaults).
 */
import { type Command, Option } from "commander";
import type { RuntimeName, Transport } from "@netparity/protocol";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import type { ScenarioOption } from "../../in-runtime/scenarios/types.js";
import type { TlsFlags } from "./tls.js";
import { UsageError, parseNonNegativeInt, parseSize, parseSizeUpTo } from "../common/usage.js";
import type { RuntimeSpecifier, RuntimeTarget } from "../common/targets.js";
import { resolveSpecifier, resolveTargets } from "../install/resolve.js";
import { defaultRuntimeNames, runtimeDescriptors, runtimeNames } from "../common/runtime-descriptors.js";
import { apiNames, apiOf } from "../../in-runtime/common/apis.js";

export const SCENARIO_MODULE_FLAG = "--scenario-module";

/**
 * The `--scenario-module` paths of a command line. They are read before the command is
 * parsed: their scenarios must be known to `<scenario>`, `--scenarios` and `--help`.
 */
export function scenarioModulePaths(argv: readonly string[]): string[] {
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a === SCENARIO_MODULE_FLAG) {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith("-")) throw new UsageError(`${SCENARIO_MODULE_FLAG} needs a path`);
      paths.push(v);
      i++;
    } else if (a.startsWith(`${SCENARIO_MODULE_FLAG}=`)) paths.push(a.slice(SCENARIO_MODULE_FLAG.length + 1));
  }
  return paths;
}

/** Declares `--scenario-module` (already applied by main(); declared for --help and parsing). */
export function scenarioModuleOption(cmd: Command): Command {
  return cmd.option(
    `${SCENARIO_MODULE_FLAG} <path>`,
    "a module whose default export is defineScenario({...}) (TypeScript or JavaScript); repeatable",
    (v: string, prev: string[] = []) => [...prev, v],
  );
}

/** `--<runtime>-bin` (env NETPARITY_<RUNTIME>) for every runtime of the registry. */
export function binaryOptions(cmd: Command): Command {
  for (const d of runtimeDescriptors())
    cmd.addOption(
      new Option(
        `--${d.name}-bin <path>`,
        `${d.name} binary to use${d.binary.npmBin ? ` (default: the npm-installed ${d.binary.npmBin})` : ""}`,
      ).env(`NETPARITY_${d.name.toUpperCase()}`),
    );
  return cmd;
}

export function binaries(o: Record<string, unknown>): Partial<Record<RuntimeName, string>> {
  const out: Partial<Record<RuntimeName, string>> = {};
  for (const name of runtimeNames()) {
    const v = o[`${name}Bin`];
    if (typeof v === "string" && v) out[name] = v;
  }
  return out;
}

/** Help text of --api/--apis: the registry's APIs and what each offers. */
export function apisHelp(): string {
  return apiNames()
    .map((a) => `${a}: ${apiOf(a).description}`)
    .join("; ");
}

export const installLog = (line: string): void => void process.stderr.write(`netparity: ${line}\n`);

/** --runtimes as targets: versions resolved against npm and installed into the cache first. */
export function targets(
  specs: RuntimeSpecifier[],
  bins: Partial<Record<RuntimeName, string>>,
): Promise<RuntimeTarget[]> {
  return resolveTargets(specs, { binaries: bins, log: installLog });
}

/** --runtime of serve/client: the runtime's name, and the binaries with this version's binary. */
export async function oneTarget(
  spec: RuntimeSpecifier,
  bins: Partial<Record<RuntimeName, string>>,
): Promise<{ runtime: RuntimeName; binaries: Partial<Record<RuntimeName, string>> }> {
  if (spec.range === undefined) return { runtime: spec.name, binaries: bins };
  const t = await resolveSpecifier(spec, { binaries: bins, log: installLog });
  return { runtime: t.name, binaries: { ...bins, [t.name]: t.binary } };
}

const OPT_IN = runtimeNames().filter((n) => !defaultRuntimeNames().includes(n));
export const RUNTIMES_HELP = `comma-separated runtimes: ${runtimeNames().join(", ")}, or name@version (node@22, bun@1.3.0, deno@latest)${OPT_IN.length ? `; ${OPT_IN.join(", ")} only when named` : ""}`;
export const RUNTIME_HELP = `${runtimeNames().join(", ")}, or name@version (bun@1.3.0: installed from npm into the cache)`;

/**
 * Registers every scenario's own options (declared in the scenario, see ScenarioOption) on
 * a command. Two scenarios may share a flag as long as they agree on its key and type.
 */
export function scenarioOptions(cmd: Command, role: "server" | "client" | "both"): Command {
  const seen = new Map<string, ScenarioOption>();
  for (const sc of Object.values(SCENARIOS)) {
    for (const opt of sc.options ?? []) {
      if (role !== "both" && !opt.roles.includes(role)) continue;
      const prev = seen.get(opt.key);
      if (prev) {
        if (prev.type !== opt.type || prev.flag !== opt.flag || prev.max?.bytes !== opt.max?.bytes)
          throw new Error(`scenarios disagree on option ${opt.flag}`);
        continue;
      }
      seen.set(opt.key, opt);
      const o = new Option(opt.flag, opt.description);
      if (opt.type === "size") o.argParser(opt.max ? parseSizeUpTo(opt.flag.split(" ")[0]!, opt.max) : parseSize);
      else if (opt.type === "int") o.argParser(parseNonNegativeInt(opt.flag.split(" ")[0]!));
      else if (opt.choices) o.choices(opt.choices);
      cmd.addOption(o);
    }
  }
  scenarioOptionKeys.set(cmd, [...seen.keys()]);
  return cmd;
}

const scenarioOptionKeys = new WeakMap<Command, string[]>();

export function tlsFlags(o: Record<string, unknown>): TlsFlags {
  const flags: TlsFlags = {};
  for (const k of ["cert", "key", "ca", "servername"] as const) if (typeof o[k] === "string") flags[k] = o[k];
  if (Array.isArray(o.alpn)) flags.alpn = o.alpn as string[];
  if (o.keyType === "ecdsa" || o.keyType === "rsa") flags.keyType = o.keyType;
  return flags;
}

export function extra(cmd: Command, o: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const k of scenarioOptionKeys.get(cmd) ?? []) {
    const v = o[k];
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

/** A comma-separated list of ids that must name at least one (`--no-…` is how to select none). */
export function idList(flag: string): (v: string) => string[] {
  return (v) => {
    const ids = v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (!ids.length)
      throw new UsageError(`${flag} selects nothing: name at least one id, or use --no-${flag.slice(2)}`);
    return ids;
  };
}

/** The parser's message ("error: unknown option '--runtim'\n(Did you mean --runtime?)") as one line. */
export function parserErrorLine(message: string): string {
  const text = message
    .replace(/^error: /, "")
    .replace(/\s*\n\s*\(Did you mean (.*)\?\)/, " (did you mean $1?)")
    .replace(/\s*\n\s*/g, " ")
    .trim();
  return `netparity: ${text}`;
}

/** A scenario's transport when --transport is not given: tcp, or its only one (udp for ipmsg). */
export function defaultTransport(scenario: string): Transport {
  const ts = SCENARIOS[scenario]?.transports ?? ["tcp"];
  return ts.includes("tcp") ? "tcp" : ts[0]!;
}

/**
 * `--help` shows list defaults as they are typed (`node,bun,deno`), not as JSON. Runs over every
 * command once the program is built, so each command file needs nothing for it.
 */
/**
 * Commander reports a missing required option before an unknown one, so `--runtim node` said
 * "required option '--runtime <name>' not specified" and never suggested `--runtime`. Each
 * required option is checked instead in a preAction hook, which runs after the unknown-option
 * check, with Commander's own message and code. Runs over every command once the program is built.
 */
export function unknownOptionsFirst(cmd: Command): void {
  const required = cmd.options.filter((o) => o.mandatory);
  if (required.length) {
    for (const o of required) o.mandatory = false;
    cmd.hook("preAction", (_self, action) => {
      if (action !== cmd) return;
      for (const o of required)
        if (cmd.getOptionValue(o.attributeName()) === undefined)
          cmd.error(`required option '${o.flags}' not specified`, { code: "commander.missingMandatoryOptionValue" });
    });
  }
  for (const sub of cmd.commands) unknownOptionsFirst(sub);
}

export function typedDefaults(cmd: Command): void {
  for (const opt of cmd.options) {
    const v = opt.defaultValue as unknown;
    if (Array.isArray(v) && opt.defaultValueDescription === undefined)
      opt.defaultValueDescription = v
        .map((x) =>
          typeof x === "string"
            ? x
            : typeof x === "object" && x && "name" in x
              ? `${String(x.name)}${"range" in x && x.range ? `@${String(x.range)}` : ""}`
              : String(x),
        )
        .join(",");
  }
  for (const sub of cmd.commands) typedDefaults(sub);
}
