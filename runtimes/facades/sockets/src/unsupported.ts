/** `@netparity/sockets` where no export condition matched: not Node.js, Bun or Deno. */
throw new Error(
  "@netparity/sockets runs on Node.js, Bun and Deno (export conditions node, bun, deno); this runtime matched none of them",
);
