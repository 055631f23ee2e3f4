/**
 * Error codes and message shapes. The outcome is the normalized code plus the class and errno
 * code of the runtime's own error (NetError.cause); the evidence keeps the runtime's message
 * and a template of it with the port or path replaced, which is what a user's log shows.
 */
import type { Runtime } from "@netparity/protocol";
import { failing, type ErrorProbeEvidence } from "./errors-classify.js";
import type { Probe } from "./types.js";
import { errorEvidence, messageTemplate, scoped, socketPath, tcpPort } from "./util.js";
import { describeCause, isNetError } from "@netparity/protocol";

async function expectFailure(
  _rt: Runtime,
  op: () => Promise<unknown>,
  subs: Record<string, string | number>,
): Promise<ErrorProbeEvidence> {
  let evidence: ErrorProbeEvidence;
  try {
    const x = await op();
    (x as { close?: () => unknown } | null)?.close?.();
    evidence = { succeeded: true };
  } catch (e) {
    const causeMessage = isNetError(e) && e.cause !== undefined ? describeCause(e.cause).message : undefined;
    evidence = {
      ...errorEvidence(e),
      ...(causeMessage !== undefined ? { causeMessageTemplate: messageTemplate(causeMessage, subs) } : {}),
    };
  }
  return evidence;
}

export const errorProbes: Probe[] = [
  {
    id: "err.econnrefused",
    title: "connect to a closed TCP port: error code and message shape",
    classify: failing("Connecting to a closed port"),
    async collect(rt) {
      const l = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
      const port = tcpPort(l.address);
      await l.close();
      return expectFailure(rt, () => rt.connect({ transport: "tcp", hostname: "127.0.0.1", port }), {
        port,
        host: "127.0.0.1",
      });
    },
  },
  {
    id: "err.eaddrinuse-tcp",
    title: "listen twice on one TCP port: error code and message shape",
    classify: failing("A second TCP listen on a used port"),
    async collect(rt) {
      return scoped(async (scope) => {
        const l = scope.listener(await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 }));
        const port = tcpPort(l.address);
        return expectFailure(rt, () => rt.listen({ transport: "tcp", hostname: "127.0.0.1", port }), {
          port,
          host: "127.0.0.1",
        });
      });
    },
  },
  {
    id: "err.eaddrinuse-udp",
    title: "bind twice on one UDP port: error code and message shape",
    needs: ["udp"],
    classify: failing("A second UDP bind on a used port"),
    async collect(rt) {
      return scoped(async (scope) => {
        const a = scope.dgram(await rt.bindDatagram({ hostname: "127.0.0.1", port: 0 }));
        const port = a.address.port;
        return expectFailure(rt, () => rt.bindDatagram({ hostname: "127.0.0.1", port }), { port, host: "127.0.0.1" });
      });
    },
  },
  {
    id: "err.eaddrinuse-unix",
    title: "listen twice on one Unix socket path: error code and message shape",
    needs: ["unix"],
    classify: failing("A second listen on a bound socket path"),
    async collect(rt) {
      return scoped(async (scope) => {
        const path = await socketPath(rt, scope);
        scope.listener(await rt.listen({ transport: "unix", path }));
        return expectFailure(rt, () => rt.listen({ transport: "unix", path }), { path });
      });
    },
  },
  {
    id: "err.unix-missing-path",
    title: "connect to a Unix socket path that does not exist",
    needs: ["unix"],
    classify: failing("Connecting to a missing socket path"),
    async collect(rt) {
      return scoped(async (scope) => {
        const path = await socketPath(rt, scope, "missing.sock");
        return expectFailure(rt, () => rt.connect({ transport: "unix", path }), { path });
      });
    },
  },
  {
    id: "err.eaddrnotavail",
    title: "listen on an address this host does not have (192.0.2.1, TEST-NET-1)",
    classify: failing("Listening on a foreign address"),
    async collect(rt) {
      // bind(2) only: nothing is sent, the address is reserved for documentation.
      return expectFailure(rt, () => rt.listen({ transport: "tcp", hostname: "192.0.2.1", port: 0 }), {
        host: "192.0.2.1",
      });
    },
  },
];
