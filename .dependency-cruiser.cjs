/**
 * The folder rules of the house, checked by `npm run lint` (dependency-cruiser).
 *
 * - Floors, bottom first: packages/ (protocol: imports nothing of ours) ← runtimes/{node,bun,deno}
 *   (the adapters: import only packages/) ← runtimes/facades/ (APIs over the adapters, such as
 *   @netparity/sockets: import adapters and packages/) ← conformance. Nothing points up a floor.
 * - conformance/src/in-runtime is bundled into the runtime agents: it imports only
 *   @netparity/protocol, itself and a few pure npm packages, never node:* and never the parent.
 * - conformance/src/node-api holds the Node API probes (`nodeapi.*`): bundled into the agents like
 *   in-runtime code, but written against node:* on purpose. It may import node:*, itself and the
 *   pure probe types and helpers of in-runtime/probes, never the parent; in-runtime never imports it
 *   (the agent entries pass it in, as they pass the Node adapter).
 * - Inside each tree, folders are layers (top first): a folder imports only folders below it.
 * - No circular imports anywhere.
 */
const IN_RUNTIME = "^conformance/src/in-runtime/";
const PARENT = "^conformance/src/parent/";
const NODE_API = "^conformance/src/node-api/";
// @netparity/sockets without its per-runtime bindings (node.ts, bun.ts, deno.ts): runtime-neutral.
const SOCKETS_CORE = "^runtimes/facades/sockets/src/(core|socket|address|errors|types)\\.ts$";
// The adapters: one folder per runtime directly under runtimes/ (facades/ is the floor above).
const ADAPTERS = "^runtimes/(?!facades/)[^/]+/";
const FACADES = ["^runtimes/facades/", "^@netparity/sockets(/|$)"];
// Pure npm packages the in-runtime code may bundle (no host API inside).
const PURE_PACKAGES = ["@exodus/bytes", "hdr-histogram-js", "it-length-prefixed", "uint8arraylist", "uint8arrays"];

// Top first. A layer is a folder (or a file at a tree's root) under the tree's prefix.
const LAYERS = {
  "conformance/src/parent/": [
    ["cli"],
    ["bench"],
    ["install"],
    ["report"],
    ["verdict"],
    ["reliability"],
    ["runner"],
    ["workerd"],
    ["certs"],
    ["faults"],
    ["process"],
    ["common"],
  ],
  "conformance/src/in-runtime/": [
    ["agent\\.ts", "agent-protocol\\.ts"],
    ["bench"],
    ["reliability", "contract", "probes", "sockets-spec"],
    ["scenarios"],
    ["common"],
  ],
};

function layerRules() {
  const rules = [];
  for (const [prefix, layers] of Object.entries(LAYERS)) {
    const re = (names) => `^${prefix.replace(/\//g, "/")}(${names.join("|")})(/|$)`;
    for (let i = 1; i < layers.length; i++) {
      const above = layers.slice(0, i).flat();
      // Same-layer folders that are not the same folder must not import each other either.
      const peers = layers[i].length > 1 ? layers[i] : [];
      rules.push({
        name: "no-upward-import",
        comment: `${prefix}${layers[i].join(", ")} must not import ${above.join(", ")} (folders import only folders below them)`,
        severity: "error",
        from: { path: re(layers[i]) },
        to: { path: re(above) },
      });
      for (const p of peers) {
        rules.push({
          name: "no-sideways-import",
          comment: `${prefix}${p} must not import its peers ${peers.filter((x) => x !== p).join(", ")}`,
          severity: "error",
          from: { path: re([p]) },
          to: { path: re(peers.filter((x) => x !== p)) },
        });
      }
    }
  }
  return rules;
}

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "circular imports", from: {}, to: { circular: true } },
    {
      name: "in-runtime-no-host-modules",
      severity: "error",
      comment: "code bundled into the runtime agents reaches the runtime only through the Runtime interface",
      from: { path: IN_RUNTIME },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "in-runtime-imports-only-protocol-and-itself",
      severity: "error",
      comment: "in-runtime code imports only @netparity/protocol, itself and pure npm packages",
      from: { path: IN_RUNTIME },
      to: {
        dependencyTypesNot: ["core"],
        pathNot: [
          IN_RUNTIME,
          "^packages/protocol/",
          "^@netparity/protocol$",
          // The WinterTC Sockets facade's runtime-neutral core (the agents bind it to their adapter).
          SOCKETS_CORE,
          ...PURE_PACKAGES.map((p) => `(^|/)node_modules/${p}/|^${p}$`),
        ],
      },
    },
    {
      name: "node-api-probes-no-parent",
      severity: "error",
      comment: "the Node API probes are bundled into the agents: node:*, themselves and in-runtime/probes only",
      from: { path: NODE_API },
      to: {
        dependencyTypesNot: ["core"],
        pathNot: [NODE_API, "^conformance/src/in-runtime/probes/", "^conformance/src/in-runtime/common/"],
      },
    },
    {
      name: "agents-entry-no-parent",
      severity: "error",
      comment: "the runtime agent entry points load an adapter and in-runtime code only",
      from: { path: "^conformance/agents/" },
      // @arrowood.dev/socket: the polyfill the sockets spec suite compares with (agents/sockets-polyfill.ts).
      to: { path: [PARENT, "(^|/)node_modules/(?!@netparity/|@arrowood\\.dev/socket/)"] },
    },
    {
      name: "protocol-imports-nothing-of-ours",
      severity: "error",
      from: { path: "^packages/protocol/src/" },
      to: { path: ["^runtimes/", "^conformance/", "^@netparity/runtime-", "^netparity$"] },
    },
    {
      name: "sockets-core-is-runtime-neutral",
      severity: "error",
      comment: "the facade's core reaches the runtime only through the Runtime it is given",
      from: { path: SOCKETS_CORE },
      to: { path: [ADAPTERS, "^@netparity/runtime-", "^conformance/"] },
    },
    {
      name: "sockets-core-no-host-modules",
      severity: "error",
      from: { path: SOCKETS_CORE },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "runtimes-import-only-protocol",
      severity: "error",
      from: { path: "^runtimes/" },
      to: { path: ["^conformance/", "^netparity$"] },
    },
    {
      name: "ground-imports-no-adapter",
      severity: "error",
      comment: "packages/ is the ground floor: it imports no adapter and nothing built over them",
      from: { path: "^packages/" },
      to: { path: ["^runtimes/", "^@netparity/runtime-", ...FACADES, "^conformance/", "^netparity$"] },
    },
    {
      name: "adapters-import-no-facade",
      severity: "error",
      comment: "an adapter imports only packages/: the facades stand on the adapters, not the reverse",
      from: { path: ADAPTERS },
      to: { path: FACADES },
    },
    {
      name: "adapters-import-no-other-adapter",
      severity: "error",
      comment: "each adapter stands alone; what they share lives in packages/protocol",
      from: { path: "^runtimes/(node|bun|deno)/" },
      to: { path: ["^runtimes/(node|bun|deno)/", "^@netparity/runtime-"], pathNot: "^runtimes/$1/" },
    },
    {
      name: "parent-not-imported-from-below",
      severity: "error",
      comment: "nothing below conformance imports the Node parent",
      from: { pathNot: ["^conformance/"] },
      to: { path: PARENT },
    },
    ...layerRules(),
  ],
  options: {
    // TypeScript sources are read with swc (the TypeScript 7 package has no JavaScript API).
    parser: "swc",
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["(^|/)dist/", "(^|/)test/", "\\.config\\.ts$"] },
    // Our workspace packages resolve to their sources (as the typecheck takes them), so an
    // import of one is checked against the folder it lives in, built or not.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["netparity:source", "import", "node", "default"],
    },
  },
};
