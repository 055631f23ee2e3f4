// Fails if the protocol package reaches for a runtime: imports of node:*, bun, deno or
// npm:/jsr: specifiers, or any use of the runtime globals Bun, Deno, process, Buffer,
// require, __dirname, or of host services (timers, performance, fetch, crypto, console).
// Run as `npm run lint -w @netparity/protocol`; also a vitest test.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const FORBIDDEN_IMPORT =
  /(?:from\s+|import\s*\(\s*|import\s+)["'](node:[^"']*|bun(?::[^"']*)?|deno|npm:[^"']*|jsr:[^"']*|fs|net|dgram|crypto|os|path|child_process)["']/g;
// Host services as well as runtime namespaces: timers, clocks, I/O and the console belong to
// the runtime (reached through its adapter), not to the protocol.
const FORBIDDEN_GLOBAL =
  /(?<![\w$.'"`])(Bun|Deno|process|Buffer|require|__dirname|__filename|setTimeout|clearTimeout|setInterval|clearInterval|setImmediate|queueMicrotask|performance|fetch|crypto|navigator|console|globalThis\.(?:Bun|Deno|process|Buffer))(?![\w$])/g;

function stripCommentsAndStrings(src) {
  // Remove comments; keep string contents out of the global scan (imports are scanned raw).
  return src
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/(^|[^:])\/\/.*$/gm, "$1")
    .replace(/(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g, (m) => m[0] + " ".repeat(Math.max(0, m.length - 2)) + m[0]);
}

export function checkPurity(dir) {
  const problems = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|js|mjs)$/.test(e.name)) {
        const src = readFileSync(p, "utf8");
        const lines = src.split("\n");
        const lineOf = (i) => src.slice(0, i).split("\n").length;
        for (const m of src.matchAll(FORBIDDEN_IMPORT))
          problems.push(`${relative(dir, p)}:${lineOf(m.index)}: imports "${m[1]}"`);
        const code = stripCommentsAndStrings(src);
        for (const m of code.matchAll(FORBIDDEN_GLOBAL)) {
          const ln = lineOf(m.index);
          if (/^\s*(\*|\/\/)/.test(lines[ln - 1] ?? "")) continue;
          problems.push(`${relative(dir, p)}:${ln}: uses runtime global "${m[1]}"`);
        }
      }
    }
  };
  walk(dir);
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? join(fileURLToPath(new URL(".", import.meta.url)), "src");
  const problems = checkPurity(dir);
  if (problems.length) {
    console.error(`protocol purity: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join("\n")}`);
    process.exit(1);
  }
  console.log(`protocol purity: ok (${dir})`);
}
