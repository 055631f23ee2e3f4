// Imported first by index.ts so that loading the adapter elsewhere fails with this message,
// not with a ReferenceError from whichever module touches `Bun` first.
if (typeof (globalThis as { Bun?: unknown }).Bun === "undefined") {
  throw new Error(
    "@netparity/runtime-bun was loaded outside Bun (globalThis.Bun is undefined); use the adapter of the runtime you are running in",
  );
}
export {};
