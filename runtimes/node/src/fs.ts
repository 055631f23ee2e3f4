// The FileSystem over node:fs/promises: https://nodejs.org/api/fs.html
import type { Stats } from "node:fs";
import { lstat, mkdir, mkdtemp, open, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toNetError, type FileKind, type FileSink, type FileSystem } from "@netparity/protocol";

function statKind(s: Stats): FileKind {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "directory";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isSocket()) return "socket";
  if (s.isFIFO()) return "fifo";
  return "other";
}

export const fs: FileSystem = {
  async create(path, opts): Promise<FileSink> {
    try {
      const handle = await open(path, opts?.exclusive ? "wx" : "w");
      return {
        async write(bytes) {
          let off = 0;
          while (off < bytes.byteLength) {
            const { bytesWritten } = await handle.write(bytes, off, bytes.byteLength - off);
            off += bytesWritten;
          }
        },
        close: () => handle.close(),
      };
    } catch (e) {
      throw toNetError(e, "open");
    }
  },
  rename: (from, to) => rename(from, to).catch((e) => Promise.reject(toNetError(e, "rename"))),
  remove: (path) =>
    rm(path, { force: true }).catch((e: { code?: string }) =>
      e.code === "EISDIR" || e.code === "ERR_FS_EISDIR" ? rmdir(path) : Promise.reject(toNetError(e, "remove")),
    ),
  exists: (path) =>
    stat(path).then(
      () => true,
      () => false,
    ),
  kind: (path) =>
    lstat(path).then(statKind, (e: { code?: string }) =>
      e.code === "ENOENT" ? null : Promise.reject(toNetError(e, "lstat")),
    ),
  mkdirp: async (path) => {
    await mkdir(path, { recursive: true });
  },
  tempDir: (prefix) => mkdtemp(join(tmpdir(), prefix)),
  readText: (path) => readFile(path, "utf8").catch((e) => Promise.reject(toNetError(e, "read"))),
};
