// The private cache folder of egress-cli's built CLI: the compile cache (src/boot.ts) and the plans this
// build already checked (src/plans/checked.ts) live under it.
import { lstatSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A directory only this user can write (the compile cache is code: nobody else may plant it; Node's
 * default, $TMPDIR/node-compile-cache, is shared by every user of the machine), or undefined. Not a
 * symbolic link: one planted in a shared /tmp would point the cache, and its pruning, at another folder.
 */
export function cacheRoot(): string | undefined {
  try {
    const uid = process.getuid?.() ?? 0;
    const root = path.join(tmpdir(), `egress-cli-compile-cache-${uid}`);
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const st = lstatSync(root);
    return !st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0 ? undefined : root;
  } catch {
    return undefined;
  }
}
