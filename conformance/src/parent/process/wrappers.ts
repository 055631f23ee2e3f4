/**
 * Wrappers put in front of a command: a raised descriptor limit, a network namespace, a CPU.
 * Each one ends in exec, so the process the harness spawned becomes the final program with
 * the same PID: the bench reads /proc/<pid> of the program it measures, and a signal to that
 * PID reaches the program rather than a shell.
 */

export interface Wrappers {
  /**
   * RLIMIT_NOFILE for the program: a number, or "hard" for the hard limit. Best effort: on
   * Windows, which has no such limit and no `sh`, it is left out.
   */
  fdLimit?: number | "hard";
  /** Run inside this network namespace (`ip netns exec`; needs root). */
  netns?: string;
  /** Pin to this CPU (`taskset -c`); null or absent: no pinning. */
  cpu?: number | null;
}

/**
 * The command line that runs `cmd args` under `wrap`, outermost first: the shell that sets
 * the limit (a limit is inherited across exec), then the namespace, then the CPU.
 * @example wrapCommand("bun", ["x.js"], { fdLimit: "hard", cpu: 1 })
 * // { cmd: "sh", args: ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", "taskset", "-c", "1", "bun", "x.js"] }
 */
export function wrapCommand(
  cmd: string,
  args: readonly string[],
  wrap: Wrappers = {},
  platform: string = process.platform,
): { cmd: string; args: string[] } {
  let line = [cmd, ...args];
  if (wrap.cpu !== undefined && wrap.cpu !== null) line = ["taskset", "-c", String(wrap.cpu), ...line];
  if (wrap.netns !== undefined) line = ["ip", "netns", "exec", wrap.netns, ...line];
  if (wrap.fdLimit !== undefined && platform !== "win32") {
    const limit = wrap.fdLimit === "hard" ? '"$(ulimit -Hn)"' : String(positiveInteger(wrap.fdLimit));
    // A shell that may not raise the limit (hard limit lower) still runs the program.
    line = ["sh", "-c", `ulimit -n ${limit} 2>/dev/null; exec "$@"`, "sh", ...line];
  }
  const [first, ...rest] = line;
  return { cmd: first!, args: rest };
}

function positiveInteger(n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`fdLimit must be a positive integer or "hard", got ${n}`);
  return n;
}
