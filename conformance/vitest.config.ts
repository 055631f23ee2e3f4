import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { BUILTIN_RUNTIMES } from "./src/parent/common/runtime-descriptors.js";

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Files that must have the machine to themselves run in the serial project: one at a time,
 * after every other file, with nothing beside them. They are the probe files (several probes
 * measure time and each result must come within its bound) and the files that pack a package
 * in place (npm pack's prepack rebuilds the dist/ bundles that the other files' agents and CLI
 * start from; packages.test.ts and sockets-installed.test.ts pack from a copy of the sources
 * instead, test/source-copy.ts, and run in parallel). The bench files run
 * in the parallel project: they run the smallest bench and check that its rows and reports are
 * well-formed, never a speed, so other files beside them change no verdict. A new file is
 * classified by its name; every other file runs in the parallel project: ephemeral ports, its
 * own temporary directories and network namespaces, no timing targets (CONTRIBUTING, "Test
 * tiers").
 */
const SERIAL = ["test/probes*.test.ts", "test/*tarball*.test.ts"];

/**
 * Parallel files at once: one per core. Three files on two cores were measured too: 6 s less
 * wall time (333 s against 339 s) for 16 % more CPU time (560 s against 482 s), the processes
 * of three files slowing each other down, so the extra file buys nothing on a shared machine.
 * vitest caps a percentage at the core count, so the count is worked out here.
 * NETPARITY_TEST_WORKERS overrides: a number of files, or a share of the cores (50%, 150%).
 */
function workerCount(value: string | undefined): number {
  const cores = availableParallelism();
  const share = value === undefined ? 1 : /^\d+%$/.test(value) ? Number(value.slice(0, -1)) / 100 : undefined;
  if (share !== undefined) return Math.max(1, Math.round(cores * share));
  if (value !== undefined && /^\d+$/.test(value) && Number(value) > 0) return Number(value);
  throw new Error(`NETPARITY_TEST_WORKERS=${value}: expected a number of files or a share of the cores such as 150%`);
}
const WORKERS = workerCount(process.env.NETPARITY_TEST_WORKERS);

/**
 * The parallel files that take longest, longest first (per-file durations of a full run,
 * CONTRIBUTING "Test tiers"): started first, they do not leave one core working alone at the
 * end while the other waits. Every file not listed follows, in vitest's own order.
 */
const LONGEST_FIRST = [
  "test/packages.test.ts",
  "test/bench.test.ts",
  "test/cli.test.ts",
  "test/tls-peers.test.ts",
  "test/lessons-ipmsg.test.ts",
  "test/reliability.test.ts",
  "test/lessons-peers.test.ts",
  "test/ipmsg-unreachable.test.ts",
  "test/faults.test.ts",
  "test/sockets-spec.test.ts",
  "test/unix-path-safety.test.ts",
  "test/bench-target.test.ts",
  "test/sockets-installed.test.ts",
  "test/lessons-encoding.test.ts",
  "test/run-cli.test.ts",
  "test/cli-ergonomics.test.ts",
  "test/bench-wintertc.test.ts",
  "test/cli-property.test.ts",
  "test/workerd.test.ts",
  "test/lessons-matrix.test.ts",
  "test/time.test.ts",
];

/** vitest's order (project groups first), then LONGEST_FIRST within a group. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    const group = (f: TestSpecification): number => f.project.config.sequence.groupOrder;
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => group(a.f) - group(b.f) || rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  resolve: {
    // Our workspace packages from their sources, as the build and the typecheck take them
    // (the "netparity:source" condition of their exports); installed copies use dist/.
    alias: [
      { find: /^@netparity\/protocol$/, replacement: source("../packages/protocol/src/index.ts") },
      // Each runtime's adapter, as its descriptor names it.
      ...BUILTIN_RUNTIMES.flatMap(({ adapter: a }) =>
        a ? [{ find: new RegExp(`^${a.pkg.replace(/[/.]/g, "\\$&")}$`), replacement: source(`../${a.source}`) }] : [],
      ),
      { find: /^@netparity\/sockets\/core$/, replacement: source("../runtimes/facades/sockets/src/core.ts") },
    ],
  },
  test: {
    globalSetup: ["test/global-setup.ts"],
    sequence: { sequencer: LongestFirst },
    maxWorkers: WORKERS,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "parallel",
          include: ["test/**/*.test.ts"],
          exclude: SERIAL,
          maxWorkers: WORKERS,
          // A worker runs file after file without re-importing their modules (a fresh process
          // per file cost about 25 s of a run in imports). A file that changes a registry (a fake
          // runtime, API or workload) undoes it in afterAll; none mocks modules or globals.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "serial",
          include: SERIAL,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
