/**
 * The runtime-neutral kit the adapters share: a queue, the abort race of a connect whose
 * runtime call takes no signal, a quiet close. Pure like the rest of this package (no runtime
 * API, no host timers), so every adapter imports it and none keeps its own copy.
 */
import { NetError } from "./errors.js";

/**
 * A first-in first-out queue with O(1) `shift`. Array#shift is O(n) in JSC, and a read
 * queue of many small chunks would otherwise turn every `read()` into a copy of the backlog.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns every item. */
  drain(): T[] {
    const rest = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

/**
 * The NetError ABORTED of an operation cancelled through `signal`; its `cause` is the signal's reason.
 * @example if (signal?.aborted) throw abortError(signal); // NetError ABORTED "connect aborted"
 */
export function abortError(signal: AbortSignal, operation = "connect"): NetError {
  return new NetError("ABORTED", `${operation} aborted`, { cause: signal.reason, operation });
}

/**
 * Settles with `work` unless `signal` aborts first, then rejects with `abortError(signal,
 * operation)` at once. For a runtime call that takes no signal: the attempt cannot be
 * stopped, so a value that arrives after the abort is handed to `discard` (close it there).
 * @example const conn = await raceAbort(Deno.connectTls(opts), signal, closeQuietly);
 */
export function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  discard: (value: T) => void,
  operation = "connect",
): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal, operation));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) discard(value);
        else resolve(value);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Closes `resource`, ignoring the error of one already closed. */
export function closeQuietly(resource: { close(): void }): void {
  try {
    resource.close();
  } catch {
    // already closed
  }
}
