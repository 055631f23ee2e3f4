// The few file operations the scenarios need. Writing goes through Bun's own FileSink
// (https://bun.sh/docs/api/file-io); Bun has no native mkdir, rename, rmdir, mkdtemp, stat or
// exclusive create, so those use node:fs/promises, which Bun implements natively.
import type { Stats } from "node:fs";
import { lstat, mkdir, mkdtemp, open, rename, rmdir, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toNetError, type FileKind, type FileSink, type FileSystem } from "@netparity/protocol";

/** Bytes the sink may hold before a write waits for them to reach the file. */
const SINK_HIGH_WATER = 1024 * 1024;

async function create(path: string, opts?: { exclusive?: boolean }): Promise<FileSink> {
  try {
    // Bun.file(path).writer() opens with O_TRUNC and has no O_EXCL; the exclusive create is
    // done with open("wx") first, then the (empty) file is handed to the sink.
    if (opts?.exclusive) await (await open(path, "wx")).close();
    const sink = Bun.file(path).writer({ highWaterMark: SINK_HIGH_WATER });
    let buffered = 0;
    return {
      async write(bytes: Uint8Array): Promise<void> {
        try {
          await sink.write(bytes);
          buffered += bytes.byteLength;
          if (buffered >= SINK_HIGH_WATER) {
            buffered = 0;
            await sink.flush();
          }
        } catch (e) {
          throw toNetError(e, "write");
        }
      },
      async close(): Promise<void> {
        try {
          await sink.end();
        } catch (e) {
          throw toNetError(e, "close");
        }
      },
    };
  } catch (e) {
    throw toNetError(e, "open");
  }
}

function statKind(s: Stats): FileKind {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "directory";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isSocket()) return "socket";
  if (s.isFIFO()) return "fifo";
  return "other";
}

export const bunFileSystem: FileSystem = {
  create,
  async rename(from, to) {
    try {
      await rename(from, to);
    } catch (e) {
      throw toNetError(e, "rename");
    }
  },
  async remove(path) {
    // A file or an empty directory; a missing path is fine (the caller wants it gone).
    try {
      const info = await lstat(path);
      if (info.isDirectory()) await rmdir(path);
      else await unlink(path);
    } catch (e) {
      if ((e as { code?: unknown }).code === "ENOENT") return;
      throw toNetError(e, "remove");
    }
  },
  async exists(path) {
    // Bun.file(path).exists() is false for a directory, so stat answers instead.
    try {
      await stat(path);
      return true;
    } catch (e) {
      if ((e as { code?: unknown }).code === "ENOENT") return false;
      throw toNetError(e, "stat");
    }
  },
  async kind(path) {
    try {
      return statKind(await lstat(path));
    } catch (e) {
      if ((e as { code?: unknown }).code === "ENOENT") return null;
      throw toNetError(e, "lstat");
    }
  },
  async mkdirp(path) {
    try {
      await mkdir(path, { recursive: true });
    } catch (e) {
      throw toNetError(e, "mkdir");
    }
  },
  async readText(path) {
    // Bun.file() is lazy: a missing file shows only here, as an error with code ENOENT.
    try {
      return await Bun.file(path).text();
    } catch (e) {
      throw toNetError(e, "read");
    }
  },
  async tempDir(prefix) {
    try {
      return await mkdtemp(join(tmpdir(), prefix));
    } catch (e) {
      throw toNetError(e, "mkdtemp");
    }
  },
};
