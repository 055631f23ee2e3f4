// First look at framed-transfer throughput with sha256, per runtime, against the same
// runtime's raw socket + native sha256 (raw-transfer.mjs), measured in one run, interleaved.
//
//   cd conformance && node build.mjs && node bench/transfer-first-look.mjs [--size MiB] [--rounds N] [--runtimes node,bun,deno]
//
// Framed: `netparity serve transfer` and `netparity client transfer` of the same runtime over
// TCP loopback (header frame, data frames of 1 B-256 KiB, end frame, server-side sha256, reply);
// the client times connect -> reply, after generating and hashing its data. Raw: the same size
// in 128 KiB writes, server-side sha256, digest back; timed connect -> digest. Both sides of a
// pair run in the same runtime. Prints one JSON line per measurement to stderr and a summary
// (medians, framed/raw ratio) to stdout.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const cli = join(root, "bin", "netparity.mjs");

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizeMiB = Number(arg("--size", "256"));
const rounds = Number(arg("--rounds", "5"));
const runtimes = arg("--runtimes", "node,bun,deno").split(",");
const size = sizeMiB * 1024 * 1024;

function bin(rt) {
  if (rt === "node") return [process.execPath];
  for (const d of [root, dirname(root)]) {
    const p = join(d, "node_modules", ".bin", rt);
    if (existsSync(p)) return rt === "deno" ? [p, "run", "-A", "--quiet"] : [p];
  }
  return rt === "deno" ? ["deno", "run", "-A", "--quiet"] : [rt];
}

/** Spawns a process and resolves its first JSON stdout line; the child is returned for killing. */
function firstLine(cmd, args, timeoutMs = 120_000) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const line = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(" ")}: no line in ${timeoutMs} ms ${err}`)), timeoutMs);
    createInterface({ input: child.stdout }).once("line", (l) => {
      clearTimeout(timer);
      resolve(JSON.parse(l));
    });
    child.once("close", (c) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited ${c}: ${err}`));
    });
  });
  line.catch(() => {});
  return { child, line };
}

const children = [];
const stopAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
};
process.on("exit", stopAll);

const servers = {};
for (const rt of runtimes) {
  const framed = firstLine(process.execPath, [cli, "serve", "transfer", "--runtime", rt, "--max-size", `${sizeMiB + 1}MiB`]);
  const [cmd, ...pre] = bin(rt);
  const raw = firstLine(cmd, [...pre, join(here, "raw-transfer.mjs"), "server"]);
  children.push(framed.child, raw.child);
  servers[rt] = { framed: (await framed.line).port, raw: (await raw.line).port };
}

async function measure(rt, mode, round) {
  let r;
  if (mode === "framed") {
    const c = firstLine(process.execPath, [cli, "client", "transfer", "--runtime", rt, "--port", String(servers[rt].framed), "--size", `${sizeMiB}MiB`, "--seed", String(round + 1)]);
    const e = await c.line;
    if (!e.ok) throw new Error(`framed ${rt}: ${JSON.stringify(e)}`);
    r = { bytesPerSec: e.metrics.bytesPerSec, ms: e.metrics.ms };
  } else {
    const [cmd, ...pre] = bin(rt);
    const e = await firstLine(cmd, [...pre, join(here, "raw-transfer.mjs"), "client", String(servers[rt].raw), String(size)]).line;
    if (!e.ok) throw new Error(`raw ${rt}: digest mismatch`);
    r = { bytesPerSec: e.bytesPerSec, ms: Math.round(e.ms) };
  }
  process.stderr.write(JSON.stringify({ runtime: rt, mode, round, ...r }) + "\n");
  return r.bytesPerSec;
}

const results = Object.fromEntries(runtimes.map((rt) => [rt, { framed: [], raw: [] }]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const rt of runtimes) {
      const order = round % 2 === 0 ? ["framed", "raw"] : ["raw", "framed"];
      for (const mode of order) results[rt][mode].push(await measure(rt, mode, round));
    }
  }
} finally {
  stopAll();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (x) => (x / 1e6).toFixed(0);
console.log(`framed transfer + sha256 vs raw socket + native sha256, ${sizeMiB} MiB over TCP loopback, median of ${rounds} interleaved rounds`);
console.log("runtime  framed MB/s  raw MB/s  framed/raw");
for (const rt of runtimes) {
  const f = median(results[rt].framed);
  const r = median(results[rt].raw);
  console.log(`${rt.padEnd(8)} ${mb(f).padStart(11)} ${mb(r).padStart(9)} ${(f / r).toFixed(2).padStart(11)}`);
}
