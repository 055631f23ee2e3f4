/**
 * The Node side of "no process outlives its parent": a netparity CLI started by one of our
 * harnesses (NETPARITY_PARENT_PIPE=1, stdin a pipe nobody writes to) treats the end of
 * stdin as a SIGTERM, so it stops its own agents cleanly when the process that started it
 * dies, SIGKILL included. Started any other way, stdin is left alone.
 */
import type { Socket } from "node:net";
import { PARENT_PIPE_ENV } from "../../in-runtime/common/parent.js";

export function stopWhenParentPipeEnds(): void {
  if (process.env[PARENT_PIPE_ENV] !== "1") return;
  const stdin = process.stdin as NodeJS.ReadStream & Partial<Pick<Socket, "unref">>;
  stdin.on("end", () => process.kill(process.pid, "SIGTERM"));
  stdin.on("error", () => process.kill(process.pid, "SIGTERM"));
  stdin.resume();
  // Watching stdin alone must not keep a finished command alive.
  stdin.unref?.();
}
