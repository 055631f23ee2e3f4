// The Host (arguments, environment, stdio, signals, clocks) over Bun's globals and its
// node:process: https://bun.sh/docs/api/utils
import type { Host, Signal } from "@netparity/protocol";

export const host: Host = {
  args: Bun.argv.slice(2),
  env: (name) => Bun.env[name],
  // console.log writes synchronously in Bun, so a line is out before a following exit();
  // process.stdout.write loses buffered lines when the reader is slow and the process exits.
  // A single string argument is printed verbatim (no %-format processing).
  stdoutLine: (line) => console.log(line),
  stderrLine: (line) => console.error(line),
  // Bun has no signal API of its own; its node:process emits signals natively.
  onSignal: (signal: Signal, handler) => void process.on(signal, handler),
  // Bun's own stdin stream reports the end of a pipe whose writer died (tried with SIGKILL).
  onStdinEnd: (handler) =>
    void (async () => {
      const reader = Bun.stdin.stream().getReader();
      try {
        while (!(await reader.read()).done);
      } catch {
        // a failed read ends stdin as well
      }
      handler();
    })(),
  exit: (code) => process.exit(code),
  // Bun.nanoseconds() is monotonic, counted from process start.
  now: () => Bun.nanoseconds() / 1e6,
  cpuUsage: () => {
    const { user, system } = process.cpuUsage();
    return { user, system };
  },
  rss: () => process.memoryUsage.rss(),
  pid: () => process.pid,
};
