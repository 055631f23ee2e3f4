/** decoder: netparity's FrameDecoder against it-length-prefixed and a naive decoder, in process, per frame size. */
import { sizeLabel } from "../format.js";
import type { BenchWorkload } from "./types.js";

export const CHUNK = 64 * 1024;

export const decoder: BenchWorkload = {
  name: "decoder",
  default: true,
  summary: "the frame decoder against it-length-prefixed, in each runtime",
  // One client alone in each runtime's adapter agent; its result is regrouped per frame size.
  specs: ({ p, host }) => [
    {
      workload: "decoder",
      group: "decoder",
      server: null,
      client: { host, port: 0, role: "decoder", seconds: p.decoderSeconds, streamBytes: p.decoderStream, chunk: CHUNK },
      kind: "decoder",
      roles: "client",
      python: false,
      clientImpls: ["adapter"],
    },
  ],
  title: (name) => ({
    title: `Frame decoder: ${sizeLabel(Number(name.slice("decoder-".length)))} frames in 64 KiB chunks`,
    unit: "frames/s",
  }),
  params: (_, p) => ({ chunk: CHUNK, streamBytes: p.decoderStream, secondsPerMeasurement: p.decoderSeconds }),
  rankImpl: "framedecoder",
};
