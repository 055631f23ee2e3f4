/**
 * A TCP socket of another process as the kernel sees it, read from outside that process: the
 * socket table (`ss`: its timer, e.g. `timer:(keepalive,998ms,0)`, and the process and file
 * descriptor that hold it) and the socket's options. No socket option of another process can be
 * read by `ss` or /proc (TCP_NODELAY is in neither), so a short Python helper duplicates the
 * descriptor with pidfd_getfd(2) (Linux 5.6+, needs ptrace rights over the process: root or the
 * same user without Yama restrictions) and calls getsockopt on the copy, which is the same socket.
 * Both are one-shot commands, bounded like any command run to completion.
 */
import { execFile } from "node:child_process";
import { NOT_LISTED } from "../../node-api/peer-classify.js";

/** What the kernel shows of one socket; a part that could not be read says why. */
export interface KernelSocketView {
  /** `ss`'s timer of the socket ("keepalive", "on", "off" …) with its time left as printed, or null when it has none. */
  timer: { name: string; left: string } | null;
  /** The options read from the socket itself, or why they could not be. */
  options: KernelSocketOptions | { unread: string };
  /** Set when `ss` itself did not answer or did not list the socket. */
  unlisted?: string;
}

export interface KernelSocketOptions {
  SO_KEEPALIVE: number;
  TCP_KEEPIDLE: number;
  TCP_KEEPINTVL: number;
  TCP_KEEPCNT: number;
  TCP_NODELAY: number;
}

const COMMAND_MS = 2000;

/** pidfd_getfd is syscall 438 on every Linux architecture (the unified syscall table). */
const GETSOCKOPT_PY = `
import ctypes, json, os, socket, sys
pid, fd = int(sys.argv[1]), int(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
try:
    pidfd = os.pidfd_open(pid)
except OSError as e:
    print(json.dumps({"unread": "pidfd_open: " + e.strerror})); sys.exit(0)
n = libc.syscall(438, pidfd, fd, 0)
os.close(pidfd)
if n < 0:
    print(json.dumps({"unread": "pidfd_getfd: " + os.strerror(ctypes.get_errno())})); sys.exit(0)
s = socket.socket(fileno=n)
try:
    g = lambda lvl, opt: s.getsockopt(lvl, opt)
    print(json.dumps({
        "SO_KEEPALIVE": g(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
        "TCP_KEEPIDLE": g(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
        "TCP_KEEPINTVL": g(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
        "TCP_KEEPCNT": g(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
        "TCP_NODELAY": g(socket.IPPROTO_TCP, socket.TCP_NODELAY),
    }))
finally:
    s.detach()
    os.close(n)
`;

/** Runs a command to completion (bounded), without blocking the parent's other work. */
function run(cmd: string, args: string[], ms = COMMAND_MS): Promise<{ out: string } | { failed: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: "utf8", timeout: ms }, (err, stdout, stderr) => {
      if (!err) return resolve({ out: stdout });
      const e = err as NodeJS.ErrnoException & { code?: string | number; signal?: string | null; killed?: boolean };
      if (e.killed) return resolve({ failed: `${cmd} did not finish within ${ms} ms` });
      if (typeof e.code === "string") return resolve({ failed: `${cmd}: ${e.code}` });
      resolve({ failed: `${cmd} exited ${String(e.code ?? e.signal)}: ${stderr.trim().split("\n")[0] ?? ""}` });
    });
  });
}

/** Parses one line of `ss -Htnpoe`: the timer and the first process holding the socket. */
export function parseSsLine(line: string): { timer: KernelSocketView["timer"]; pid?: number; fd?: number } {
  const t = /timer:\(([a-z_]+),([^,)]*)/.exec(line);
  const u = /pid=(\d+),fd=(\d+)/.exec(line);
  return {
    timer: t ? { name: t[1]!, left: t[2]! } : null,
    ...(u ? { pid: Number(u[1]), fd: Number(u[2]) } : {}),
  };
}

let python: Promise<{ out: string } | { failed: string }> | undefined;

/**
 * The Python binary itself, looked up once: `python3` on PATH may be a shim (pyenv) that takes
 * longer to start than the helper takes to run.
 */
export function pythonBinary(): Promise<{ out: string } | { failed: string }> {
  // A shim may take seconds on a busy machine: a longer bound, and a failed lookup is tried again.
  python ??= run("python3", ["-c", "import sys; print(sys.executable)"], 20_000).then((r) => {
    if ("out" in r && r.out.trim()) return { out: r.out.trim() };
    python = undefined;
    return "out" in r ? { failed: "python3 named no executable" } : r;
  });
  return python;
}

/**
 * The established IPv4 loopback socket from `local` to `remote` (ports), held by another process.
 * Linux only; elsewhere `ss` is missing and the view says so.
 */
export async function kernelSocketView(local: number, remote: number): Promise<KernelSocketView> {
  const ss = await run("ss", ["-Htnpoe", "state", "established", `( sport = :${local} and dport = :${remote} )`]);
  if ("failed" in ss) return { timer: null, options: { unread: ss.failed }, unlisted: ss.failed };
  const line = ss.out.split("\n").find((l) => l.trim());
  if (!line) return { timer: null, options: { unread: "socket not listed" }, unlisted: NOT_LISTED };
  const seen = parseSsLine(line);
  if (seen.pid === undefined || seen.fd === undefined)
    return { timer: seen.timer, options: { unread: "ss named no process holding the socket" } };
  const exe = await pythonBinary();
  if ("failed" in exe) return { timer: seen.timer, options: { unread: exe.failed } };
  // -S -E: no site packages, no PYTHON* variables; the helper needs only the standard library.
  const py = await run(exe.out, ["-S", "-E", "-c", GETSOCKOPT_PY, String(seen.pid), String(seen.fd)]);
  if ("failed" in py) return { timer: seen.timer, options: { unread: py.failed } };
  try {
    return { timer: seen.timer, options: JSON.parse(py.out) as KernelSocketView["options"] };
  } catch {
    return { timer: seen.timer, options: { unread: `unreadable helper output: ${py.out.slice(0, 80)}` } };
  }
}
