export * from "./errors.js";
export * from "./runtime.js";
export * from "./framing.js";
export * from "./bytes.js";
export * from "./strftime.js";
export * from "./localtime.js";
export * from "./messages.js";
export * from "./kit.js";
