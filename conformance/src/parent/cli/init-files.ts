/**
 * What `netparity init` writes into a project: a starter scenario, an expectations directory
 * and a GitHub Actions workflow that runs the scenario on the three runtimes.
 */

export const STARTER_SCENARIO = "netparity/scenarios/reverse.ts";
export const EXPECTATIONS_DIR = "netparity/expectations";
export const WORKFLOW = ".github/workflows/netparity.yml";
export const REPORT_DIR = "netparity-report";

/** The command the workflow runs; `init`'s test runs exactly this line. */
export const RUN_COMMAND = `npx netparity run --scenario-module ${STARTER_SCENARIO} --expectations ${EXPECTATIONS_DIR} --no-probes --no-reliability --report-dir ${REPORT_DIR}`;

const scenario = `// A scenario of your own: netparity runs its server (handle) on Node.js, Bun and Deno and
// its client on each of them too, every pairing, over each transport listed, on 127.0.0.1
// and ::1. Replace the protocol below with yours; keep one check() per thing you verify.
//
//   npx netparity run --scenario-module ${STARTER_SCENARIO}
//
// The API (Connection, Runtime, check): node_modules/netparity/docs/own-scenarios.md.
import { type Connection, defineScenario } from "netparity";

const encoder = new TextEncoder();

/** Everything the peer sends until it half-closes (FIN), as text. */
async function readAll(conn: Connection): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read())
    text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

const reverse = (s: string): string => [...s].reverse().join("");

export default defineScenario({
  name: "reverse",
  transports: ["tcp", "tls"],

  // Server side: one accepted connection. netparity listens, limits and times out
  // connections, and closes this one when the function returns.
  async handle(conn) {
    const text = await readAll(conn);
    await conn.write(encoder.encode(reverse(text)));
  },

  // Client side: a connection to the server under test. A failed check fails the cell with
  // its detail; a thrown error fails it with the error's code.
  async client(conn, runtime, check) {
    const text = \`héllo from \${runtime.runtime} \${runtime.version}\`;
    await conn.write(encoder.encode(text));
    await conn.closeWrite();
    const reply = await readAll(conn);
    check("reversed", reply === reverse(text), \`sent \${JSON.stringify(text)}, got \${JSON.stringify(reply)}\`);
  },
});
`;

const expectationsReadme = `# netparity expectations

What each runtime is expected to do, one file per runtime (\`node.json\`, \`bun.json\`,
\`deno.json\`). With no file, every cell is expected to pass. When a runtime cannot run a cell,
record it so CI stays green until it changes:

    npx netparity run --scenario-module ${STARTER_SCENARIO} --expectations ${EXPECTATIONS_DIR} --update-expectations

then review the diff, add the upstream issue to each \`known-failing\` entry, and commit it.
`;

const workflow = `# netparity: the scenarios in netparity/scenarios/ on Node.js, Bun and Deno, server on one
# and client on another, every pairing. The summary, the JUnit report and the report files
# are published even when the run fails.
name: netparity

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  # The JUnit reporter publishes its results as a check run.
  checks: write

jobs:
  netparity:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm

      # netparity brings Bun and Deno as npm packages.
      - run: npm ci

      - name: netparity matrix
        run: ${RUN_COMMAND}

      - name: Job summary
        if: always()
        run: |
          if [ -f ${REPORT_DIR}/report.md ]; then
            cat ${REPORT_DIR}/report.md >> "$GITHUB_STEP_SUMMARY"
          else
            echo "netparity wrote no report (see the log of the previous step)" >> "$GITHUB_STEP_SUMMARY"
          fi

      - name: JUnit report
        if: always()
        uses: dorny/test-reporter@v1
        with:
          name: netparity
          path: ${REPORT_DIR}/junit.xml
          reporter: java-junit
          fail-on-error: false

      - name: Report files
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: netparity-report
          path: ${REPORT_DIR}/
`;

export const INIT_FILES: ReadonlyArray<{ path: string; content: string }> = [
  { path: STARTER_SCENARIO, content: scenario },
  { path: `${EXPECTATIONS_DIR}/README.md`, content: expectationsReadme },
  { path: WORKFLOW, content: workflow },
];
