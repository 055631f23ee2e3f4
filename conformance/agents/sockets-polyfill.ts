/**
 * The WinterTC Sockets spec suite against @arrowood.dev/socket, the Node-only polyfill of the
 * draft: the comparison row of the suite's report. Takes the same spec as the agent's
 * "sockets-spec" role. The polyfill has no binding object, so its TLS checks trust the suite's
 * CA through NODE_EXTRA_CA_CERTS, which the parent sets for this process.
 */
import { connect } from "@arrowood.dev/socket";
import { nodeRuntime } from "@netparity/runtime-node";
import type { AgentEvent, AgentSpec } from "../src/in-runtime/agent-protocol.js";
import { readCertFiles } from "../src/in-runtime/agent.js";
import { setStepMs } from "../src/in-runtime/sockets-spec/harness.js";
import { runSocketsSpec, type ConnectLike } from "../src/in-runtime/sockets-spec/spec.js";

const rt = nodeRuntime;
const parsed = JSON.parse(rt.host.args[0] ?? "{}") as AgentSpec;
if (parsed.role !== "sockets-spec") {
  rt.host.stderrLine('sockets-polyfill: expects a spec with role "sockets-spec"');
  rt.host.exit(2);
}
const spec = parsed as Extract<AgentSpec, { role: "sockets-spec" }>;
if (spec.stepMs) setStepMs(spec.stepMs);
let unhandled = 0;
process.on("unhandledRejection", () => void unhandled++);
const implementation = "@arrowood.dev/socket";
const results = await runSocketsSpec(
  rt,
  {
    name: implementation,
    connect: connect as unknown as ConnectLike,
    trusting: () => connect as unknown as ConnectLike,
  },
  spec.certs ? await readCertFiles(rt, spec.certs) : undefined,
  { unhandledRejections: () => unhandled },
  spec.only,
);
const event: AgentEvent = { event: "sockets-spec", runtime: rt.runtime, version: rt.version, implementation, results };
rt.host.stdoutLine(JSON.stringify(event));
rt.host.exit(0);
