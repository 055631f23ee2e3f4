import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { INIT_FILES, RUN_COMMAND } from "./init-files.js";

export interface InitResult {
  written: string[];
  skipped: string[];
}

/**
 * `netparity init`: writes the starter files into `dir`, never over an existing file (those
 * are reported as skipped and left as they are).
 */
export function init(dir: string, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): InitResult {
  const root = resolve(dir);
  const result: InitResult = { written: [], skipped: [] };
  for (const f of INIT_FILES) {
    const path = join(root, f.path);
    if (existsSync(path)) {
      result.skipped.push(f.path);
      out(`skipped ${f.path} (exists; left as it is)`);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    // "wx": fails rather than overwrite a file that appeared since the check.
    writeFileSync(path, f.content, { flag: "wx" });
    result.written.push(f.path);
    out(`wrote ${f.path}`);
  }
  out("");
  out(`Run it:  ${RUN_COMMAND}`);
  return result;
}
