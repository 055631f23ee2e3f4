/**
 * The one way the parent runs a child process: the runner's agents, the reliability servers
 * and clients, the bench programs and the tests' peers all come through `spawnHarness`.
 * A child speaks JSON lines on stdout (its events) and free text on stderr (its log), and is
 * always stopped by its caller in `finally`.
 *
 * No child outlives this process: stdin is a pipe nobody writes to and PARENT_PIPE_ENV=1
 * tells the child so; our agents and bench programs exit when that pipe ends, which the
 * kernel does when this process dies, SIGKILL included. Every live child is also in a
 * registry, so a CLI can kill them all on Ctrl-C (`killAll`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { PARENT_PIPE_ENV } from "../../in-runtime/common/parent.js";
import { wrapCommand, type Wrappers } from "./wrappers.js";

/** How a child ended: its exit code, the signal that ended it, or that it never started. */
export type ExitStatus = number | NodeJS.Signals | "spawn-error";

export interface StopOptions {
  /** Sent first (default: the harness's, see HarnessOptions.stop). */
  signal?: NodeJS.Signals;
  /** SIGKILL follows after this long if the process is still there. */
  graceMs?: number;
}

export interface HarnessOptions {
  /** Names the process in error messages (default: the command). */
  name?: string;
  /** Added to this process's environment; NO_COLOR=1 is always set. */
  env?: Record<string, string>;
  wrap?: Wrappers;
  /** Its own process group, so that signals reach whatever it started as well. */
  detached?: boolean;
  /** What `stop()` does without arguments (default SIGTERM, then SIGKILL after 3 s). */
  stop?: StopOptions;
  /**
   * stdin as the pipe whose end tells the child that this process died (default true).
   * false: stdin is /dev/null and the child is not told to watch it.
   */
  parentPipe?: boolean;
  /** Sees every stderr chunk as it arrives (to relay it, or to follow progress lines). */
  onStderr?: (text: string) => void;
}

export interface Harness<E> {
  readonly name: string;
  readonly child: ChildProcess;
  /** The final program's PID (every wrapper execs); -1 when the spawn failed. */
  readonly pid: number;
  /**
   * The next JSON event on stdout, or null once the process ended (events printed before
   * the end come first). Rejects after `timeoutMs` with a message naming the process and `what`.
   */
  next(timeoutMs: number, what?: string): Promise<E | null>;
  /** Every stdout line so far, JSON or not (the last 1 MiB). */
  stdout(): string;
  /** Stderr so far (the last 64 KiB), plus a line when the spawn failed. */
  stderr(): string;
  /** Resolves true once `text` appeared on stderr, false after `timeoutMs` or once the process ended without it. */
  waitStderr(text: string, timeoutMs: number): Promise<boolean>;
  readonly exited: Promise<ExitStatus>;
  /** Sends `signal` now (to the group when detached) if the process is still running. */
  kill(signal?: NodeJS.Signals): void;
  /**
   * Sends the signal, then SIGKILL after the grace, and resolves once the process is gone.
   * Idempotent: a signal already sent is not sent again, and after the exit nothing is sent.
   */
  stop(options?: StopOptions): Promise<ExitStatus>;
}

const STDERR_CAP = 64 * 1024;
const STDOUT_CAP = 1024 * 1024;
const STDIO_LINGER_MS = 1000;
const DEFAULT_STOP: Required<StopOptions> = { signal: "SIGTERM", graceMs: 3000 };

const LIVE = new Set<Harness<unknown>>();

/** Sends `signal` (default SIGKILL) to every child started here that has not exited yet. */
export function killAll(signal: NodeJS.Signals = "SIGKILL"): void {
  for (const h of LIVE) h.kill(signal);
}

/** Starts `cmd args` (under `options.wrap`) with stdout and stderr captured; see Harness. */
export function spawnHarness<E>(cmd: string, args: readonly string[], options: HarnessOptions = {}): Harness<E> {
  const name = options.name ?? cmd;
  const parentPipe = options.parentPipe ?? true;
  const stopDefaults = { ...DEFAULT_STOP, ...options.stop };
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...options.env };
  if (parentPipe) env[PARENT_PIPE_ENV] = "1";
  else delete env[PARENT_PIPE_ENV];
  const line = wrapCommand(cmd, args, options.wrap);
  const child = spawn(line.cmd, line.args, {
    stdio: [parentPipe ? "pipe" : "ignore", "pipe", "pipe"],
    env,
    detached: options.detached === true,
  });
  // Never written to; an error on it (the child gone) says nothing the exit does not.
  child.stdin?.on("error", () => {});

  let err = "";
  let out = "";
  let ended = false;
  const errWatchers = new Set<() => void>();
  const appendErr = (s: string): void => {
    err += s;
    // Watchers see the text before the cap trims it, so a line is not missed at the boundary.
    for (const w of errWatchers) w();
    if (err.length > STDERR_CAP) err = err.slice(-STDERR_CAP);
  };
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => {
    options.onStderr?.(s);
    appendErr(s);
  });

  const events: E[] = [];
  const waiters = new Set<(e: E | null) => void>();
  createInterface({ input: child.stdout! }).on("line", (l) => {
    out += `${l}\n`;
    if (out.length > STDOUT_CAP) out = out.slice(-STDOUT_CAP);
    let e: unknown;
    try {
      e = JSON.parse(l);
    } catch {
      return;
    }
    if (typeof e !== "object" || e === null || Array.isArray(e)) return;
    const [w] = waiters;
    if (w) {
      waiters.delete(w);
      w(e as E);
    } else events.push(e as E);
  });

  const exited = new Promise<ExitStatus>((resolve) => {
    child.once("error", (e) => {
      appendErr(`spawn ${line.cmd}: ${e.message}\n`);
      resolve("spawn-error");
    });
    child.once("close", (code, signal) => resolve(code ?? signal ?? "spawn-error"));
  });
  // A grandchild that inherited stdout or stderr can hold them open after the process itself
  // exited; "close" would wait for it. Read on for a moment, then let go of both pipes.
  child.once("exit", () => {
    const t = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, STDIO_LINGER_MS);
    t.unref();
    void exited.then(() => clearTimeout(t));
  });
  const killTimers = new Set<ReturnType<typeof setTimeout>>();
  const sent = new Set<NodeJS.Signals>();
  void exited.then(() => {
    ended = true;
    LIVE.delete(harness);
    for (const t of killTimers) clearTimeout(t);
    for (const w of waiters) w(null);
    waiters.clear();
    for (const w of errWatchers) w();
  });

  const pid = child.pid ?? -1;
  const deliver = (signal: NodeJS.Signals): void => {
    if (ended || pid < 0) return;
    try {
      if (options.detached) process.kill(-pid, signal);
      else child.kill(signal);
    } catch {
      // already gone
    }
  };

  const harness: Harness<E> = {
    name,
    child,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    next(timeoutMs, what = "answer") {
      if (events.length) return Promise.resolve(events.shift()!);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve, reject) => {
        const w = (e: E | null): void => {
          clearTimeout(timer);
          resolve(e);
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`${name}: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    async waitStderr(text, timeoutMs) {
      if (err.includes(text)) return true;
      if (ended) return false;
      return new Promise<boolean>((resolve) => {
        const done = (found: boolean): void => {
          clearTimeout(timer);
          errWatchers.delete(check);
          resolve(found);
        };
        const check = (): void => {
          if (err.includes(text)) done(true);
          else if (ended) done(false);
        };
        const timer = setTimeout(() => done(err.includes(text)), timeoutMs);
        errWatchers.add(check);
      });
    },
    kill: (signal = "SIGKILL") => deliver(signal),
    stop({ signal = stopDefaults.signal, graceMs = stopDefaults.graceMs } = {}) {
      if (!ended && pid >= 0) {
        if (!sent.has(signal)) {
          sent.add(signal);
          deliver(signal);
        }
        if (signal !== "SIGKILL") killTimers.add(setTimeout(() => deliver("SIGKILL"), graceMs));
      }
      return exited;
    },
  };
  LIVE.add(harness as Harness<unknown>);
  return harness;
}
