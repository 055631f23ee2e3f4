/**
 * workerd, Cloudflare's Workers runtime, as a client-only runtime: its binary and version
 * (binary.ts), the config netparity generates for it (config.ts), and its agent (agent.ts).
 * Docs: conformance/docs/workerd.md.
 */
export { startWorkerdAgent } from "./agent.js";
export { LOOPBACK_ALLOW, workerdConfig } from "./config.js";
export { compatibilityDate, workerdPlatformPackage, workerdVersion } from "./binary.js";
