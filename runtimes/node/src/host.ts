// The Host (arguments, environment, stdio, signals, clocks) over node:process: https://nodejs.org/api/process.html
import { writeSync } from "node:fs";
import type { Host } from "@netparity/protocol";

export const host: Host = {
  args: process.argv.slice(2),
  env: (name) => process.env[name],
  // writeSync keeps lines whole and ordered, and flushed before an exit().
  stdoutLine: (line) => writeAll(1, `${line}\n`),
  stderrLine: (line) => writeAll(2, `${line}\n`),
  onSignal: (signal, handler) => {
    process.on(signal, handler);
  },
  onStdinEnd: (handler) => {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      handler();
    };
    process.stdin.once("end", end);
    process.stdin.once("error", end);
    process.stdin.once("close", end);
    process.stdin.resume();
  },
  exit: (code) => process.exit(code),
  now: () => performance.now(),
  cpuUsage: () => process.cpuUsage(),
  rss: () => process.memoryUsage.rss(),
  pid: () => process.pid,
};

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") throw e;
    }
  }
}
