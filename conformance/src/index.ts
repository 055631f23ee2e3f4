/**
 * The `netparity` package's import surface: `defineScenario` for a scenario of your own and
 * the types its functions receive. The command (`npx netparity`) is the package's bin.
 */
export {
  defineScenario,
  type CheckFn,
  type DatagramServer,
  type ScenarioDefinition,
} from "./in-runtime/scenarios/user.js";
export type {
  Address,
  Connection,
  Datagram,
  DatagramSocket,
  NetAddress,
  Runtime,
  RuntimeName,
  Transport,
} from "@netparity/protocol";
export { FrameReader, NetError, encodeFrame, isNetError } from "@netparity/protocol";
