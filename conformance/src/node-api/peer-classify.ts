/**
 * The classifiers of the Node API probes whose peer is the parent (node-api/peer.ts): the kernel's
 * view of a socket after setKeepAlive/setNoDelay, read by the parent from outside the runtime, and
 * what a client sees of a real RST the parent sends. Pure functions of the recorded evidence.
 */
import type { ProbeVerdict } from "../in-runtime/probes/types.js";
import type { NodeErrorEvidence } from "./kit.js";
import {
  classifyErrorFields,
  classifyEvents,
  classifyWriteAfterReset,
  type NotRun,
  type WriteAfterResetEvidence,
} from "./nodeapi-classify.js";

const isNotRun = (e: object): e is NotRun => "notRun" in e;
const notRun = (e: NotRun): ProbeVerdict => ({
  outcome: `unsupported: ${e.notRun}`,
  explanation: `Not run: ${e.notRun}.`,
});

/** The socket options the parent read from the probe's socket (getsockopt on a duplicate of its descriptor). */
export interface KernelOptions {
  SO_KEEPALIVE: number;
  TCP_KEEPIDLE: number;
  TCP_KEEPINTVL: number;
  TCP_KEEPCNT: number;
  TCP_NODELAY: number;
}

/** What the parent answered for "inspect": `ss`'s timer and the options, or why a part is missing. */
export interface KernelView {
  timer: { name: string; left: string } | null;
  options: KernelOptions | { unread: string };
  unlisted?: string;
}

/** nodeapi.kernel.*: the calls the probe made on its socket, then the kernel's view from the parent. */
export type KernelEvidence = NotRun | { calls: string; noAnswer: string } | { calls: string; kernel: KernelView };

/** `unlisted` when ss answered but did not list the socket (anything else: ss itself failed). */
export const NOT_LISTED = "socket not listed by ss";

/** The kernel view, or the verdict that says why there is none (not run, no answer, socket not listed). */
function viewOf(e: KernelEvidence): KernelView | ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if ("noAnswer" in e)
    return {
      outcome: "unsupported: no answer from the parent",
      explanation: `After ${e.calls} the parent gave no view of the socket: ${e.noAnswer}.`,
    };
  if (e.kernel.unlisted === NOT_LISTED)
    return {
      outcome: "socket not seen by the kernel",
      explanation: `After ${e.calls} the parent found no such established socket in the kernel's table.`,
    };
  if (e.kernel.unlisted)
    return {
      outcome: "unsupported: no kernel view",
      explanation: `After ${e.calls} the parent could not list the kernel's sockets: ${e.kernel.unlisted}.`,
    };
  return e.kernel;
}

const isView = (v: KernelView | ProbeVerdict): v is KernelView => "options" in v;

/** The socket's options could not be read from outside (no python3, no ptrace rights): not run. */
function unread(calls: string, v: KernelView, why: string): ProbeVerdict {
  const timer = v.timer ? `ss shows a ${v.timer.name} timer` : "ss shows no timer";
  return {
    outcome: "unsupported: socket options unreadable from outside",
    explanation: `After ${calls} ${timer}, but the socket's options could not be read from outside the runtime (${why}).`,
  };
}

export function classifyKernelKeepAlive(e: KernelEvidence): ProbeVerdict {
  const v = viewOf(e);
  if (!isView(v)) return v;
  const calls = (e as { calls: string }).calls;
  if ("unread" in v.options) return unread(calls, v, v.options.unread);
  const timer = v.timer?.name === "keepalive";
  const o = v.options;
  if (!o.SO_KEEPALIVE)
    return {
      outcome: timer ? "off, yet a keep-alive timer" : "off",
      explanation: `After ${calls} the kernel has SO_KEEPALIVE off on the socket${timer ? ", yet ss shows a keep-alive timer" : ""}.`,
    };
  const outcome = `on, idle ${o.TCP_KEEPIDLE} s, interval ${o.TCP_KEEPINTVL} s, count ${o.TCP_KEEPCNT}${timer ? "" : ", no timer"}`;
  return {
    outcome,
    explanation: `After ${calls} the kernel has SO_KEEPALIVE on: the first probe after ${o.TCP_KEEPIDLE} s idle, then every ${o.TCP_KEEPINTVL} s, ${o.TCP_KEEPCNT} unanswered before the connection is dropped${timer ? `; ss shows the keep-alive timer (${v.timer?.left} left)` : "; ss shows no keep-alive timer"}.`,
  };
}

export function classifyKernelNoDelay(e: KernelEvidence): ProbeVerdict {
  const v = viewOf(e);
  if (!isView(v)) return v;
  const calls = (e as { calls: string }).calls;
  if ("unread" in v.options) return unread(calls, v, v.options.unread);
  const on = v.options.TCP_NODELAY !== 0;
  return {
    outcome: on ? "TCP_NODELAY on" : "TCP_NODELAY off",
    explanation: `After ${calls} the kernel has TCP_NODELAY ${on ? "on: small writes go out at once" : "off: Nagle's algorithm holds small writes while data is unacknowledged"}.`,
  };
}

/** nodeapi.*-parent / error.reset: the client's side of a real RST the parent sent, then a write. */
export type ParentResetEvidence = NotRun | (WriteAfterResetEvidence & { error: NodeErrorEvidence | null });

export function classifyParentResetEvents(e: ParentResetEvidence): ProbeVerdict {
  return isNotRun(e) ? notRun(e) : classifyEvents({ events: e.eventsBeforeWrite });
}

export function classifyParentResetWrite(e: ParentResetEvidence): ProbeVerdict {
  return isNotRun(e) ? notRun(e) : classifyWriteAfterReset(e);
}

export function classifyParentResetError(e: ParentResetEvidence): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if (e.error) return classifyErrorFields({ error: e.error });
  const seen = e.eventsBeforeWrite.length ? e.eventsBeforeWrite.join(" ") : "no events";
  return {
    outcome: `no 'error' event (${seen})`,
    explanation: `The peer's RST brought no 'error' event; the socket emitted ${seen}.`,
  };
}
