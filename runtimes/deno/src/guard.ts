// Imported first by index.ts so that loading the adapter elsewhere fails with this message,
// not with a ReferenceError from whichever module touches `Deno` first.
if (typeof (globalThis as { Deno?: unknown }).Deno === "undefined") {
  throw new Error(
    "@netparity/runtime-deno needs the Deno runtime (globalThis.Deno is undefined); use the adapter for this runtime instead",
  );
}
export {};
