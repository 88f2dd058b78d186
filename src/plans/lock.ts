// One run per plan: `<plan>.lock`, created whole (createLockFile), holds who owns it. A lock left by a
// dead process on this host (kill -9, power loss) is taken over; a live one is a LockedError
// (exit 5). Another host's lock cannot be checked, so it is only taken over when very old.

import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { readFile, stat, unlink } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { LockedError } from "../errors.js";

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  command: string;
  /** Random per acquisition: release() only removes a lock carrying its own token. */
  token: string;
}

export interface LockHandle {
  readonly path: string;
  readonly info: LockInfo;
  /** Set when a stale lock was taken over: what it said, for a warning. */
  readonly tookOver?: string;
  release(): Promise<void>;
  /** For exit/signal handlers where async work cannot run. */
  releaseSync(): void;
}

export interface AcquireOptions {
  command?: string;
  /** A lock from another host older than this is considered abandoned. Default 24 h. */
  foreignStaleAfterMs?: number;
  /** A lock file that is not valid JSON and older than this is abandoned (crash mid-write). Default 10 s. */
  corruptStaleAfterMs?: number;
  /** For tests. */
  hostname?: string;
  now?: () => Date;
}

const DEFAULT_FOREIGN_STALE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_CORRUPT_STALE_MS = 10 * 1000;
const MAX_ATTEMPTS = 5;

export function lockPathFor(planPath: string): string {
  return `${planPath}.lock`;
}

/** Is the pid a running process on this host? EPERM means it exists but belongs to someone else. */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false; // kill(0 or -n) would signal process groups
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v !== "object" || v === null) return undefined;
    if (!Number.isInteger(v.pid) || typeof v.hostname !== "string" || typeof v.startedAt !== "string") return undefined;
    return { pid: v.pid!, hostname: v.hostname, startedAt: v.startedAt, command: String(v.command ?? "?"), token: String(v.token ?? "") };
  } catch {
    return undefined;
  }
}

function ago(fromIso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(fromIso);
  if (!Number.isFinite(ms)) return "at an unknown time";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/**
 * Take the plan's lock or throw LockedError. A stale one is removed by breakStaleLock (below), and
 * then this run races for the O_EXCL create like every other. The second argument may be just the
 * command text.
 */
export async function acquireLock(planPath: string, optionsOrCommand: AcquireOptions | string = {}): Promise<LockHandle> {
  const options: AcquireOptions = typeof optionsOrCommand === "string" ? { command: optionsOrCommand } : optionsOrCommand;
  const path = lockPathFor(planPath);
  const now = options.now ?? (() => new Date());
  const host = options.hostname ?? osHostname();
  const info: LockInfo = {
    pid: process.pid,
    hostname: host,
    startedAt: now().toISOString(),
    command: options.command ?? process.argv.slice(2).join(" "),
    token: randomUUID(),
  };
  const body = `${JSON.stringify(info, null, 2)}\n`;
  let tookOver: string | undefined;
  const giveUp = Date.now() + ACQUIRE_WAIT_MS;
  let breakerBusy = false;

  for (let attempt = 0; attempt < MAX_ATTEMPTS && Date.now() < giveUp; ) {
    if (createLockFile(path, body)) {
      heldTokens.add(info.token);
      removeDeadTemporaries(dirname(path), [basename(path), `${basename(path)}.break`]);
      return makeHandle(path, info, tookOver);
    }
    let raw: string;
    try {
      raw = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile: retry
      throw err;
    }
    const stale = await judge(path, raw, host, now(), options);
    if (stale.live) throw stale.live;
    const broken = breakStaleLock(path, raw, host);
    breakerBusy = broken === "busy";
    if (breakerBusy) {
      // another run is removing it right now: then race for the create like everyone else
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
      continue;
    }
    if (broken === "removed") tookOver = stale.description;
    attempt++;
  }
  if (breakerBusy) {
    throw new LockedError(
      `Could not take the lock ${path}: ${path}.break says another run is removing a stale lock, and it has not finished`,
      `if no egress-cli run is active, delete ${path}.break and retry`,
    );
  }
  throw new LockedError(
    `Could not take the lock ${path}: other egress-cli runs keep taking it`,
    "wait for them to finish, then retry",
  );
}

/**
 * Throws the LockedError (exit 5) acquireLock would throw when a live run holds the plan's lock; takes
 * nothing. For commands that validate before they lock: a locked plan is exit 5 whatever the input.
 */
export async function assertNotLocked(planPath: string, options: AcquireOptions = {}): Promise<void> {
  const path = lockPathFor(planPath);
  const raw = await readFile(path, "utf8").catch(() => undefined);
  if (raw === undefined) return;
  const held = parseLock(raw);
  if (held && heldTokens.has(held.token)) return; // this process's own
  const stale = await judge(path, raw, options.hostname ?? osHostname(), (options.now ?? (() => new Date()))(), options);
  if (stale.live) throw stale.live;
}

/** How long a run keeps trying to take a lock that is being removed as stale. */
const ACQUIRE_WAIT_MS = 5_000;
/** A breaker standing this long is abandoned whoever it names (a removal takes microseconds). */
const BREAKER_ABANDONED_MS = 30_000;

let tmpSeq = 0;

/**
 * Creates the lock file `path` holding `body`, or returns false when one exists (the one way both the
 * plan's lock and the sandbox's are created). The body goes to `<path>.<pid>.<n>.tmp` first and is
 * linked into place (link fails if the lock exists), so a lock file is never seen empty or
 * half-written: each one's text, with its random token, is unique — what breakStaleLock relies on.
 * (No fsync: after a power loss a lock is stale anyway.) A file system without hard links gets the
 * plain O_EXCL create.
 */
export function createLockFile(path: string, body: string): boolean {
  const tmp = `${path}.${process.pid}.${++tmpSeq}${Math.floor(Math.random() * 1e6)}.tmp`;
  writeFileSync(tmp, body, { flag: "wx", mode: 0o644 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // NFS: a lost reply to a link that was made reads as EEXIST; the temporary file then has 2 links
    if (code === "EEXIST") return statSync(tmp, { throwIfNoEntry: false })?.nlink === 2;
    // no hard links here (FAT, some FUSE and network file systems): a plain O_EXCL create, whose
    // empty-before-written window is a few microseconds
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw err;
    try {
      writeFileSync(path, body, { flag: "wx", mode: 0o644 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

/**
 * Deletes `<base>.<pid>.tmp` and `<base>.<pid>.<n>.tmp` files in `dir` (for each base given) whose pid is
 * no longer running: what a kill -9 between writing a temporary file and renaming or linking it left.
 */
export function removeDeadTemporaries(dir: string, bases: readonly string[]): void {
  const ours = new Set(bases);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const f of names) {
    const m = /^(.+?)\.(\d+)(?:\.\d+)?\.tmp$/.exec(f);
    if (!m || !ours.has(m[1]!) || Number(m[2]) === process.pid || isPidAlive(Number(m[2]))) continue;
    try {
      unlinkSync(join(dir, f));
    } catch {
      // gone already
    }
  }
}

/** Who a lock or breaker file names, from its JSON (the plan's, the sandbox's, a breaker); undefined if unreadable. */
export function lockOwner(raw: string): { pid?: number; hostname?: string } | undefined {
  try {
    const v = JSON.parse(raw) as { pid?: unknown; hostname?: unknown } | null;
    if (typeof v !== "object" || v === null) return undefined;
    return { ...(Number.isInteger(v.pid) ? { pid: v.pid as number } : {}), ...(typeof v.hostname === "string" ? { hostname: v.hostname } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Removes the lock file `path`, judged stale when it read `raw`, holding `<path>.break` (O_EXCL):
 * "removed"; "changed" (it is not that file any more: someone else removed it, and maybe took the
 * lock); "busy" (another run holds the breaker; retry). The one way both the plan's lock and the
 * sandbox's remove a dead owner's lock: nobody can replace a lock file while it exists, so what the
 * read under the breaker finds unchanged is exactly the stale lock, and a fresh lock is never moved or
 * deleted. Synchronous: a few system calls, and the sandbox's lock is taken in synchronous code.
 */
export function breakStaleLock(path: string, raw: string, host = osHostname()): "removed" | "changed" | "busy" {
  const breaker = `${path}.break`;
  if (!createLockFile(breaker, JSON.stringify({ pid: process.pid, hostname: host, token: randomUUID() }))) {
    clearDeadBreaker(breaker, host);
    return "busy";
  }
  try {
    let again: string | undefined;
    try {
      again = readFileSync(path, "utf8");
    } catch {
      again = undefined;
    }
    if (again !== raw) return "changed";
    unlinkSync(path);
    return "removed";
  } finally {
    try {
      unlinkSync(breaker);
    } catch {
      // gone already
    }
  }
}

/**
 * A breaker left by a run killed while removing a stale lock: its pid gone (or this process's own),
 * on this host; any other once it has stood BREAKER_ABANDONED_MS (a removal takes microseconds).
 * (Two runs clearing the same dead breaker while a third takes a new one could remove that new one:
 * it needs a kill -9 inside a removal that takes microseconds, then three runs within microseconds.)
 */
function clearDeadBreaker(breaker: string, host: string): void {
  try {
    const held = lockOwner(readFileSync(breaker, "utf8"));
    // breakStaleLock runs synchronously, never two at once in one process: a breaker with this pid is a
    // dead namesake's (a restarted container's pid 1); a live local pid holding one for 30 s is reused
    const dead = held?.pid !== undefined && held.hostname === host && (held.pid === process.pid || !isPidAlive(held.pid));
    if (dead || Date.now() - statSync(breaker).mtimeMs > BREAKER_ABANDONED_MS) unlinkSync(breaker);
  } catch {
    // gone already, or removed by another run meanwhile
  }
}

async function judge(
  path: string,
  raw: string,
  host: string,
  now: Date,
  options: AcquireOptions,
): Promise<{ live?: LockedError; description?: string }> {
  const name = basename(path);
  const held = parseLock(raw);
  if (!held) {
    // Unreadable: probably a run that died between create and write, or one writing right now.
    const mtime = await stat(path).then((s) => s.mtimeMs, () => now.getTime());
    const age = now.getTime() - mtime;
    if (age < (options.corruptStaleAfterMs ?? DEFAULT_CORRUPT_STALE_MS)) {
      return { live: new LockedError(`${name} exists but is unreadable and recent (another run may be starting)`, `retry in a few seconds; if it persists, delete ${path}`) };
    }
    return { description: `unreadable lock file from ${ago(new Date(mtime).toISOString(), now)}` };
  }
  const who = `pid ${held.pid} on ${held.hostname === host ? "this host" : `host ${held.hostname}`} (command "${held.command}"), started ${held.startedAt} (${ago(held.startedAt, now)})`;
  if (held.hostname === host) {
    // this pid, not one of this process's locks: an earlier process's with the same pid (a container restart)
    const earlierNamesake = held.pid === process.pid && !heldTokens.has(held.token);
    if (!earlierNamesake && isPidAlive(held.pid)) {
      return {
        live: new LockedError(
          `The plan is locked by another egress-cli run: ${who}`,
          `wait for it to finish; if that process is not egress-cli (pid reuse) and no run is active, delete ${path}`,
        ),
      };
    }
    return { description: `stale lock from ${who}, which is no longer running${earlierNamesake ? " (an earlier process with this run's pid)" : ""}` };
  }
  const age = now.getTime() - Date.parse(held.startedAt);
  const limit = options.foreignStaleAfterMs ?? DEFAULT_FOREIGN_STALE_MS;
  if (!(age > limit)) {
    return {
      live: new LockedError(
        `The plan is locked by a run on another host: ${who}. Its process cannot be checked from here`,
        `if that run is over, delete ${path}; a lock from another host is taken over automatically after ${Math.round(limit / 3_600_000)} h`,
      ),
    };
  }
  return { description: `abandoned lock from ${who}, older than ${Math.round(limit / 3_600_000)} h` };
}

function ours(path: string, token: string, raw: string | undefined): boolean {
  return raw !== undefined && parseLock(raw)?.token === token;
}

/** Tokens of the plan locks this process holds (a lock naming this pid with another token is stale). */
const heldTokens = new Set<string>();

function makeHandle(path: string, info: LockInfo, tookOver: string | undefined): LockHandle {
  let released = false;
  return {
    path,
    info,
    ...(tookOver ? { tookOver } : {}),
    async release() {
      if (released) return;
      released = true;
      heldTokens.delete(info.token);
      const raw = await readFile(path, "utf8").catch(() => undefined);
      if (ours(path, info.token, raw)) await unlink(path).catch(() => {});
    },
    releaseSync() {
      if (released) return;
      released = true;
      heldTokens.delete(info.token);
      let raw: string | undefined;
      try {
        raw = readFileSync(path, "utf8");
      } catch {
        raw = undefined;
      }
      if (ours(path, info.token, raw)) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
}
