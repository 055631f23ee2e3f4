/**
 * The UDP request/reply measurement shared by the adapter bench agent and the raw programs:
 * `window` requests in flight, each `#<seq> %H:%M:%S` (an echo server returns it as is, the
 * time server copies the `#<seq>` text through strftime), replies matched by sequence number,
 * a request unanswered after LOSS_MS counted lost and replaced. Only the socket differs
 * between the programs: each passes its `send` and feeds every reply's text to `onReply`.
 */
import { sleep } from "../common/timing.js";
import { LatencyRecorder } from "./latency.js";
import type { LatencyStats } from "./protocol.js";

export const LOSS_MS = 200;

export interface UdpWindowResult {
  seconds: number;
  messages: number;
  sent: number;
  lost: number;
  latency: LatencyStats;
}

export class UdpRequestWindow {
  readonly #send: (text: string) => void;
  readonly #now: () => number;
  readonly #sentAt = new Map<number, number>();
  #seq = 0;
  /** Replies to requests up to this sequence number are warm-up and not counted. */
  #measuredFrom = Number.MAX_SAFE_INTEGER;
  #measuring = false;
  #sending = true;
  #sent = 0;
  #replies = 0;
  #lost = 0;
  #hist = new LatencyRecorder();

  constructor(send: (text: string) => void, now: () => number) {
    this.#send = send;
    this.#now = now;
  }

  #sendOne(): void {
    const s = ++this.#seq;
    this.#sentAt.set(s, this.#now());
    if (this.#measuring) this.#sent++;
    this.#send(`#${s} %H:%M:%S`);
  }

  /** Call with the text of every datagram received. */
  onReply(text: string): void {
    const s = Number(text.slice(1, text.indexOf(" ")));
    const t0 = this.#sentAt.get(s);
    if (t0 === undefined) return; // late reply to a request already counted lost
    this.#sentAt.delete(s);
    if (this.#measuring && s > this.#measuredFrom) {
      this.#replies++;
      this.#hist.record(this.#now() - t0);
    }
    if (this.#sending) this.#sendOne();
  }

  #sweep(): void {
    const now = this.#now();
    for (const [s, t0] of this.#sentAt) {
      if (now - t0 < LOSS_MS) continue;
      this.#sentAt.delete(s);
      if (this.#measuring && s > this.#measuredFrom) this.#lost++;
      if (this.#sending) this.#sendOne();
    }
  }

  /** Warm up, call `onStart`, measure for `seconds`, then count what never came back. */
  async run(o: {
    window: number;
    warmupSeconds: number;
    seconds: number;
    onStart: () => void;
  }): Promise<UdpWindowResult> {
    const sweeper = setInterval(() => this.#sweep(), 50);
    try {
      for (let i = 0; i < o.window; i++) this.#sendOne();
      await sleep(o.warmupSeconds * 1000);
      this.#hist = new LatencyRecorder();
      this.#measuredFrom = this.#seq;
      this.#measuring = true;
      o.onStart();
      const t0 = this.#now();
      await sleep(o.seconds * 1000);
      const seconds = (this.#now() - t0) / 1000;
      this.#sending = false;
      // Give the last requests their chance, then count what never came back.
      await sleep(LOSS_MS + 60);
      this.#sweep();
      for (const s of this.#sentAt.keys()) if (s > this.#measuredFrom) this.#lost++;
      return { seconds, messages: this.#replies, sent: this.#sent, lost: this.#lost, latency: this.#hist.stats() };
    } finally {
      clearInterval(sweeper);
    }
  }
}
