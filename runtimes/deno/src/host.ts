// The Host (arguments, environment, stdio, signals, clocks) over the Deno namespace:
// https://docs.deno.com/api/deno/runtime-environment
import type { Host, Signal } from "@netparity/protocol";

const encoder = new TextEncoder();

/** writeSync may write only part of the buffer (a full pipe); loop so lines stay whole and ordered. */
function writeAllSync(out: { writeSync(p: Uint8Array): number }, line: string): void {
  const bytes = encoder.encode(`${line}\n`);
  let off = 0;
  while (off < bytes.byteLength) off += out.writeSync(off === 0 ? bytes : bytes.subarray(off));
}

/**
 * Deno.cpuUsage exists since Deno 2.2 (denoland/deno#27217, the native op behind
 * node:process cpuUsage) but is missing from the published Deno typings. Reading
 * /proc/self/stat instead is no fallback: Deno 2.9 demands --allow-all for /proc/self.
 */
type CpuUsageFn = () => { user: number; system: number };
const denoCpuUsage = (Deno as unknown as { cpuUsage?: CpuUsageFn }).cpuUsage;

export const host: Host = {
  args: Deno.args,
  env(name: string): string | undefined {
    try {
      return Deno.env.get(name);
    } catch {
      // NotCapable without --allow-env (or outside its allow list): treat as unset.
      return undefined;
    }
  },
  stdoutLine(line: string): void {
    writeAllSync(Deno.stdout, line);
  },
  stderrLine(line: string): void {
    writeAllSync(Deno.stderr, line);
  },
  onSignal(signal: Signal, handler: () => void): void {
    Deno.addSignalListener(signal, handler);
  },
  onStdinEnd(handler: () => void): void {
    void (async () => {
      const buf = new Uint8Array(1024);
      try {
        while ((await Deno.stdin.read(buf)) !== null);
      } catch {
        // a failed read ends stdin as well
      }
      handler();
    })();
  },
  exit(code: number): never {
    Deno.exit(code);
  },
  now(): number {
    return performance.now();
  },
  cpuUsage(): { user: number; system: number } | null {
    if (typeof denoCpuUsage !== "function") return null;
    const { user, system } = denoCpuUsage();
    return { user, system };
  },
  rss(): number | null {
    try {
      return Deno.memoryUsage().rss;
    } catch {
      return null;
    }
  },
  pid(): number {
    return Deno.pid;
  },
};
