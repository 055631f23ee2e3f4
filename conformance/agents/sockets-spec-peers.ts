/**
 * The WinterTC Sockets spec suite's peers for a runtime without a listen (workerd): runs on
 * Node, serves the suite's echo, FIN, TLS and STARTTLS servers on request over a control port
 * (src/in-runtime/sockets-spec/remote-peers.ts), prints {"event":"peers","port":N} and runs
 * until its parent stops it. Takes the "sockets-spec" spec (its certs) like the agent does.
 */
import { nodeRuntime } from "@netparity/runtime-node";
import type { AgentSpec } from "../src/in-runtime/agent-protocol.js";
import { readCertFiles } from "../src/in-runtime/agent.js";
import { exitWithParent } from "../src/in-runtime/common/parent.js";
import { servePeers } from "../src/in-runtime/sockets-spec/remote-peers.js";

const rt = nodeRuntime;
exitWithParent(rt);
const spec = JSON.parse(rt.host.args[0] ?? "{}") as AgentSpec;
if (spec.role !== "sockets-spec") {
  rt.host.stderrLine('sockets-spec-peers: expects a spec with role "sockets-spec"');
  rt.host.exit(2);
} else {
  const peers = await servePeers(rt, spec.certs ? await readCertFiles(rt, spec.certs) : undefined);
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    rt.host.onSignal(signal, () => void peers.close().finally(() => rt.host.exit(0)));
  rt.host.stdoutLine(JSON.stringify({ event: "peers", port: peers.port }));
}
