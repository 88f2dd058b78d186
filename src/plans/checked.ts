// A plan text this build of egress-cli already checked against the plan schema is not checked again (a
// `status` on an unchanged plan spent ~7 ms of its ~95 building the schema and checking every record).
// One marker per plan file in the private cache folder (src/cache-root.ts): a SHA-256 of this build's id
// and the last text of that file this build checked (a load that passed) or wrote (PlanWriter checks a
// plan before it writes it). Any other text — edited, truncated, written by another version or build —
// is checked in full, and so is every text when the CLI runs from its sources (only the bundle has a
// build id: scripts/bundle.mjs) or with EGRESS_NO_COMPILE_CACHE. A lost or torn marker only means a check.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFile } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { cacheRoot } from "../cache-root.js";

declare const EGRESS_BUILD_ID: string | undefined;
const build = typeof EGRESS_BUILD_ID === "string" ? EGRESS_BUILD_ID : undefined;

/** This build's marker folder; null: no markers this run. */
let folder: string | null | undefined;

function markers(): string | null {
  if (folder !== undefined) return folder;
  folder = null;
  if (!build || process.env.EGRESS_NO_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE) return folder;
  const root = cacheRoot();
  if (!root) return folder;
  try {
    const dir = path.join(root, `plans-${build}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    folder = dir;
  } catch {
    // another run pruning it at this moment: no markers this run
  }
  return folder;
}

/** Markers, and other builds' folders, not written for this long are deleted (a plan read for that long is checked once more). */
const PRUNE_AFTER_MS = 30 * 24 * 3600_000;
let pruning: Promise<void> | undefined;

/** Once a run, in the background: old markers of this build, and the folders of builds not used for a month. */
async function prune(dir: string): Promise<void> {
  const old = async (p: string) => Date.now() - (await stat(p)).mtimeMs > PRUNE_AFTER_MS;
  const root = path.dirname(dir);
  for (const f of await readdir(root)) {
    const p = path.join(root, f);
    // only folders of this shape: nothing else in the cache folder is ours to delete here
    if (/^plans-[0-9a-f]{16}$/.test(f) && p !== dir && (await old(p))) await rm(p, { recursive: true, force: true });
  }
  for (const f of await readdir(dir)) if (/^[0-9a-f]{32}$/.test(f) && (await old(path.join(dir, f)))) await rm(path.join(dir, f), { force: true });
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const markerOf = (dir: string, planPath: string) => path.join(dir, sha256(path.resolve(planPath)).slice(0, 32));
const stamp = (text: string) => sha256(`${build}\n${text}`);

/** Did this build check (or write) exactly this text of this plan file last? */
export function checkedBefore(planPath: string, text: string): boolean {
  const dir = markers();
  if (!dir) return false;
  try {
    return readFileSync(markerOf(dir, planPath), "latin1") === stamp(text);
  } catch {
    return false;
  }
}

/** This text of the plan file passed the schema (not awaited: a marker not written yet only means a check). */
export function rememberChecked(planPath: string, text: string): void {
  const dir = markers();
  if (!dir) return;
  writeFile(markerOf(dir, planPath), stamp(text), { mode: 0o600 }, () => {});
  pruning ??= prune(dir).catch(() => {}); // another run pruning at the same time
}
