/**
 * The one verdict path: cells, probes and reliability cases judged against the expectation
 * files, and benchmark targets. Everything above (report/, bench/, cli/) renders verdicts
 * from here and never decides one itself.
 */
export * from "./compare.js";
export * from "./controls.js";
export * from "./expectations-file.js";
export * from "./judge-run.js";
export * from "./judge.js";
export * from "./keys.js";
export * from "./targets.js";
export * from "./versions.js";
