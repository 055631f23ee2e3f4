/**
 * The protocol between `netparity bench` (the parent, on Node) and the programs it measures:
 * the adapter bench agent (one bundle per runtime, written against the Runtime interface) and
 * the raw baselines in conformance/bench/raw/ (plain JS per runtime, and Python). Every one
 * of them takes one JSON argument (a BenchSpec) and prints JSON lines (BenchEvent) on stdout,
 * so the parent drives them all the same way and a difference is a difference in the program.
 *
 * Servers print `listening` and serve until SIGTERM. Clients connect, warm up, print `start`
 * (the parent samples CPU time of both processes), run the measured part, print `result`
 * (the parent samples again) and then linger until SIGTERM, so /proc/<pid> is still there
 * when the parent reads the final CPU time and peak RSS.
 */
import type { ApiName } from "../common/apis.js";

export type BenchRole =
  | "sink-server" // TCP or TLS: counts bytes until FIN, then answers the count in ASCII decimal + "\n" and closes
  | "echo-server" // TCP or TLS: RFC 862 echo, any number of connections
  | "transfer-server" // TCP: framed transfer of wire contract v1, sha256 verified
  | "udp-server" // UDP: answers each datagram (echo, or the time service when the program has it)
  | "bulk-client" // TCP or TLS: sends `bytes` one way, half-closes, waits for the sink's answer
  | "handshake-client" // TLS: `connections` loops, each a new connection: handshake, `size` bytes out, half-close, the echo back
  | "rtt-client" // TCP: ping-pong of `size`-byte messages on one connection
  | "transfer-client" // TCP: framed transfer of `bytes` in `frame`-byte data frames
  | "udp-client" // UDP: `window` requests in flight, replies matched by sequence number
  | "conc-client" // TCP: `connections` clients, each ping-pong of `size`-byte messages
  | "load-client" // TCP: `connections` echo connections; the closed-loop maximum, then open-loop at `fractions` of it (wrk2-style latency)
  | "idle-client" // TCP: opens `connections` connections, says `start` once all are open, holds them `seconds`
  | "decoder"; // in-process: frame decoder microbenchmark

export interface BenchSpec {
  role: BenchRole;
  host: string;
  port: number;
  /** bulk/transfer: bytes to send. */
  bytes?: number;
  /** rtt/conc/udp: message size; transfer: data frame size. */
  size?: number;
  /** rtt/conc/udp/decoder: measured duration. */
  seconds?: number;
  /** Untimed work before `start` (JIT warm-up), in seconds (rtt/conc/udp) or bytes (bulk/transfer). */
  warmup?: number;
  connections?: number;
  window?: number;
  /** udp: "echo" or "time" request content. */
  udpMode?: "echo" | "time";
  /** decoder: which decoders and frame sizes to run. */
  decoders?: string[];
  frameSizes?: number[];
  chunk?: number;
  /** decoder: stream length per measurement. */
  streamBytes?: number;
  /** scaling: bind with SO_REUSEPORT so several server processes share the port. */
  reusePort?: boolean;
  /** echo-server of the adapter: its connection limit and idle timeout (idle-memory needs many idle connections). */
  maxConnections?: number;
  idleTimeoutMs?: number;
  /** load-client: offered rates as fractions of the measured maximum. */
  fractions?: number[];
  /** TLS instead of TCP (sink, echo, bulk and handshake roles): PEM file paths the program reads itself. */
  tls?: BenchTlsFiles;
  /**
   * The adapter agent's API for this role (absent: native): a facade API's client connects
   * through that facade over the adapter (its cost over the adapter), `node` runs the role on
   * the Node adapter the agent entry carries (`bun+node`). The raw programs take none.
   */
  api?: ApiName;
}

/**
 * What the parent POSTs to the workerd agent Worker for a bench client: the Worker answers
 * with the client's BenchEvents as JSON lines, streamed as they happen.
 */
export interface WorkerdBenchRequest {
  bench: BenchSpec;
  version: string;
}

/** PEM files of one throwaway certificate set: servers use cert + key, clients trust ca. */
export interface BenchTlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/** Latency statistics in microseconds, from an HDR histogram (3 significant digits). */
export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One offered rate of load-client: latency measured from each request's intended send time (coordinated omission corrected). */
export interface LoadLevel {
  fraction: number;
  offeredPerSec: number;
  achievedPerSec: number;
  latency: LatencyStats;
}

export interface DecoderResult {
  impl: string;
  frameSize: number;
  chunk: number;
  frames: number;
  seconds: number;
  framesPerSec: number;
  /**
   * Frames per CPU second of the process over the same passes (JIT and GC threads included),
   * where the runtime reports its CPU time: unlike framesPerSec, not lowered by waiting for a
   * core on a loaded machine.
   */
  framesPerCpuSecond?: number;
  /** Frames in one pass over the stream. */
  streamFrames: number;
  /** Of those, frames handed out as a copy rather than a view into their chunk (straddling frames); -1 when not checked. */
  copied: number;
}

export type BenchEvent =
  | { event: "listening"; port: number; pid: number; runtime: string; version: string; impl: string; note?: string }
  | { event: "start" }
  | {
      event: "result";
      ok: boolean;
      seconds: number;
      bytes?: number;
      messages?: number;
      /** handshake-client: connections that completed handshake and round trip. */
      handshakes?: number;
      errors?: number;
      sent?: number;
      lost?: number;
      latency?: LatencyStats;
      decoder?: DecoderResult[];
      /** load-client: the closed-loop maximum (requests/s), and latency at each offered rate. */
      maxRate?: number;
      levels?: LoadLevel[];
      error?: string;
      runtime: string;
      version: string;
    }
  | { event: "error"; message: string };
