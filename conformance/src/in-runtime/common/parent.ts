/**
 * No agent outlives the process that started it. The parent's harness starts its children
 * with stdin as a pipe it never writes to and sets PARENT_PIPE_ENV=1; the end of that pipe
 * means the parent has gone, SIGKILL included, since the kernel closes a dead process's
 * descriptors. Without the variable stdin is left alone: someone running an agent by hand
 * from a terminal or with </dev/null is not cut short.
 */
import type { Runtime } from "@netparity/protocol";

export const PARENT_PIPE_ENV = "NETPARITY_PARENT_PIPE";

/** 128 + SIGHUP, the code of a process whose terminal hung up: its controller is gone. */
const PARENT_GONE_EXIT = 129;

/** Exits at once when the parent that opted in (PARENT_PIPE_ENV=1) dies. */
export function exitWithParent(rt: Runtime): void {
  if (rt.host.env(PARENT_PIPE_ENV) !== "1") return;
  rt.host.onStdinEnd(() => rt.host.exit(PARENT_GONE_EXIT));
}
