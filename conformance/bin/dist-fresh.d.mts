/** True when `root`/dist/cli.js exists and is newer than every source it is built from. */
export function distIsFresh(root: string): boolean;
