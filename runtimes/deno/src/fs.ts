// The FileSystem over Deno's file API: https://docs.deno.com/api/deno/file-system
import { NetError, type FileSink, type FileSystem } from "@netparity/protocol";
import { denoNetError } from "./errors.js";

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
