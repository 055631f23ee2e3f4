// The few web-standard globals (WinterTC minimum common API) the protocol package may use.
// Declared here rather than by loading DOM, Node, Bun or Deno typings, so that any use of a
// runtime-specific global fails to type-check. This file is only part of this package's own
// program: consumers see their runtime's declarations of the same standard globals.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(src: string, dest: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}
