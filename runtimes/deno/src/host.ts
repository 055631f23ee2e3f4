import { NetError, type FileSink, type FileSystem, type Host, type Signal } from "@netparity/protocol";
import { denoNetError } from "./errors.js";

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

class DenoFileSink implements FileSink {
  #file: Deno.FsFile;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  write(bytes: Uint8Array): Promise<void> {
    // Serialized like socket writes: FsFile.write may be partial and calls must not interleave.
    const run = this.#tail.then(() => this.#writeAll(bytes));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.#tail;
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new NetError("CLOSED", "file is closed", { operation: "write" });
    let off = 0;
    try {
      while (off < bytes.byteLength) off += await this.#file.write(off === 0 ? bytes : bytes.subarray(off));
    } catch (e) {
      throw denoNetError(e, "write");
    }
  }
}

async function fsOp<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw denoNetError(e, operation);
  }
}

export const fs: FileSystem = {
  create: (path, opts) =>
    fsOp("open", async () => {
      const file = await Deno.open(path, {
        write: true,
        truncate: true,
        create: !opts?.exclusive,
        createNew: opts?.exclusive === true,
      });
      return new DenoFileSink(file);
    }),
  rename: (from, to) => fsOp("rename", () => Deno.rename(from, to)),
  remove: async (path) => {
    try {
      await Deno.remove(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw denoNetError(e, "remove");
    }
  },
  exists: async (path) => {
    try {
      await Deno.lstat(path);
      return true;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw denoNetError(e, "stat");
    }
  },
  kind: async (path) => {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw denoNetError(e, "lstat");
    }
    if (info.isFile) return "file";
    if (info.isDirectory) return "directory";
    if (info.isSymlink) return "symlink";
    if (info.isSocket) return "socket";
    if (info.isFifo) return "fifo";
    return "other";
  },
  mkdirp: (path) => fsOp("mkdir", () => Deno.mkdir(path, { recursive: true })),
  tempDir: (prefix) => fsOp("mkdtemp", () => Deno.makeTempDir({ prefix })),
  // NotFound maps to ENOENT in denoNetError.
  readText: (path) => fsOp("read", () => Deno.readTextFile(path)),
};
