// The one file lock, for the plan (`<plan>.lock`: one run per plan) and the sandbox (`<file>.lock`: one
// read-modify-write of the account at a time). A lock file is created whole (createLockFile) and names
// its owner: pid, host, a random token, when and what. A dead owner's lock on this host (kill -9, power
// loss) is taken over, removed the one safe way (breakStaleLock); another host's cannot be checked, so
// it is taken over only when old. Waiting is asynchronous (sleeps with backoff) and ends at once on the
// run's abort signal (Ctrl-C: Interrupted, exit 130). Hand-written rather than a library: docs/CONVENTIONS.md.

import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { hostname as osHostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { Interrupted, LockedError } from "../errors.js";

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
  /** For exit/signal handlers and synchronous critical sections, where async work cannot run. */
  releaseSync(): void;
}

export interface FileLockOptions {
  /** Whose lock, for messages: "The plan", "The sandbox". */
  what: string;
  /** The LockedError's code (JSON `error.code`); default PlanLocked. */
  code?: string;
  command?: string;
  /** How long to wait while a live run holds it; 0 (the default): refuse at once with LockedError. */
  waitMs?: number;
  /** Ends a wait at once with Interrupted (exit 130). A free lock is still taken. */
  signal?: AbortSignal;
  /** A lock from another host older than this (its startedAt, else its mtime) is abandoned. */
  foreignStaleAfterMs: number;
  /** A lock file that is not valid JSON and older than this is abandoned (an older format, a crash). */
  corruptStaleAfterMs: number;
  /** Delete dead runs' temporary lock files on taking it (default); the sandbox does at compaction. */
  sweepTemporaries?: boolean;
  /** For tests. */
  hostname?: string;
  now?: () => Date;
}

/** How many stale locks one acquisition removes before it gives up ("other runs keep taking it"). */
const MAX_BREAKS = 5;
/** How long a run keeps trying to take a lock that is being removed as stale. */
const BREAK_WAIT_MS = 5_000;
/** A breaker standing this long is abandoned whoever it names (a removal takes microseconds). */
const BREAKER_ABANDONED_MS = 30_000;
/** Backoff while a live run holds the lock: 1, 2, 4 … ms, at most this. */
const MAX_POLL_MS = 20;

/** Tokens of the locks this process holds: a lock naming this pid with another token is an earlier namesake's. */
const heldTokens = new Set<string>();

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

/** A lock file's owner; undefined when it is not a lock (empty, torn, no pid or host). */
function parseLock(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof v !== "object" || v === null) return undefined;
    if (!Number.isInteger(v.pid) || typeof v.hostname !== "string") return undefined;
    return { pid: v.pid!, hostname: v.hostname, startedAt: String(v.startedAt ?? ""), command: String(v.command ?? "?"), token: String(v.token ?? "") };
  } catch {
    return undefined;
  }
}

function ago(fromMs: number, now: Date): string {
  const ms = now.getTime() - fromMs;
  if (!Number.isFinite(ms)) return "at an unknown time";
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** Waits ms, or throws Interrupted as soon as the signal aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new Interrupted());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Takes the lock `path`: a stale one is removed by breakStaleLock and then this run races for the
 * create like every other; a live one is waited for up to waitMs (asynchronously, ended by the
 * signal), then LockedError naming its owner.
 */
export function acquireFileLock(path: string, options: FileLockOptions): Promise<LockHandle> {
  const info = ownerInfo(options);
  const taken = take(path, options, info, undefined);
  return taken ? Promise.resolve(taken) : acquireLoop(path, options, info);
}

function ownerInfo(options: FileLockOptions): LockInfo {
  return {
    pid: process.pid,
    hostname: options.hostname ?? osHostname(),
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
    command: options.command ?? process.argv.slice(2).join(" "),
    token: randomUUID(),
  };
}

/** One attempt at the create (synchronous): the handle, or undefined when a lock file exists. */
function take(path: string, options: FileLockOptions, info: LockInfo, tookOver: string | undefined): LockHandle | undefined {
  if (!createLockFile(path, `${JSON.stringify(info, null, 2)}\n`)) return undefined;
  heldTokens.add(info.token);
  if (options.sweepTemporaries !== false) removeDeadTemporaries(dirname(path), [basename(path), `${basename(path)}.break`]);
  return makeHandle(path, info, tookOver);
}

async function acquireLoop(path: string, options: FileLockOptions, info: LockInfo): Promise<LockHandle> {
  const now = options.now ?? (() => new Date());
  const host = info.hostname;
  const waitMs = options.waitMs ?? 0;
  const start = Date.now();
  const liveUntil = start + waitMs;
  const breakUntil = start + Math.max(waitMs, BREAK_WAIT_MS);
  let tookOver: string | undefined;
  let breakerBusy = false;
  let live: LockedError | undefined;
  let poll = 1;

  for (let breaks = 0; breaks < MAX_BREAKS; ) {
    const taken = take(path, options, info, tookOver);
    if (taken) return taken;
    let raw: string;
    try {
      raw = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile: retry
      throw err;
    }
    const verdict = await judge(path, raw, host, now(), options);
    live = verdict.live;
    if (live) {
      if (Date.now() + poll > liveUntil || waitMs === 0) throw waitMs === 0 ? live : stayedLocked(live, path, waitMs);
      await pause(poll, options.signal);
      poll = Math.min(poll * 2, MAX_POLL_MS);
      continue;
    }
    const broken = breakStaleLock(path, raw, host);
    breakerBusy = broken === "busy";
    if (breakerBusy) {
      // another run is removing it right now: then race for the create like everyone else
      if (Date.now() > breakUntil) break;
      await pause(2 + Math.random() * 8, options.signal);
      continue;
    }
    if (broken === "removed") tookOver = verdict.description;
    breaks++;
  }
  if (breakerBusy) {
    throw new LockedError(
      `Could not take the lock ${path}: ${path}.break says another run is removing a stale lock, and it has not finished`,
      `if no egress-cli run is active, delete ${path}.break and retry`,
      options.code,
    );
  }
  throw new LockedError(`Could not take the lock ${path}: other egress-cli runs keep taking it`, "wait for them to finish, then retry", options.code);
}

function stayedLocked(live: LockedError, path: string, waitMs: number): LockedError {
  return new LockedError(`${live.message}; waited ${waitMs >= 1000 ? `${Math.round(waitMs / 1000)} s` : `${waitMs} ms`}`, live.hint, live.code);
}

/**
 * Runs fn holding the lock `path`, released when fn returns. fn is synchronous on purpose: the
 * critical section never awaits, so nothing else in this process runs inside it. A free lock is
 * taken and fn run at once, in the caller's synchronous stretch; only waiting is asynchronous.
 */
export function withFileLock<T>(path: string, options: FileLockOptions, fn: () => T): Promise<T> {
  const info = ownerInfo(options);
  const run = (lock: LockHandle): T => {
    try {
      return fn();
    } finally {
      lock.releaseSync();
    }
  };
  const taken = take(path, options, info, undefined);
  if (!taken) return acquireLoop(path, options, info).then(run);
  try {
    return Promise.resolve(run(taken));
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Throws the LockedError acquireFileLock would throw at once for a live holder; takes nothing. */
export async function assertFileNotLocked(path: string, options: FileLockOptions): Promise<void> {
  const raw = await readFile(path, "utf8").catch(() => undefined);
  if (raw === undefined) return;
  const held = parseLock(raw);
  if (held && heldTokens.has(held.token)) return; // this process's own
  const verdict = await judge(path, raw, options.hostname ?? osHostname(), (options.now ?? (() => new Date()))(), options);
  if (verdict.live) throw verdict.live;
}

let tmpSeq = 0;

/**
 * Creates the lock file `path` holding `body`, or returns false when one exists (the one way every
 * lock and breaker is created). The body goes to `<path>.<pid>.<n>.tmp` first and is linked into
 * place (link fails if the lock exists), so a lock file is never seen empty or half-written: each
 * one's text, with its random token, is unique — what breakStaleLock relies on. (No fsync: after a
 * power loss a lock is stale anyway.) A file system without hard links gets the plain O_EXCL create.
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

/**
 * Removes the lock file `path`, judged stale when it read `raw`, holding `<path>.break` (O_EXCL):
 * "removed"; "changed" (it is not that file any more: someone else removed it, and maybe took the
 * lock); "busy" (another run holds the breaker; retry). Nobody can replace a lock file while it
 * exists, so what the read under the breaker finds unchanged is exactly the stale lock, and a fresh
 * lock is never moved or deleted. Synchronous (a few system calls), so never two at once in a process.
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
    const held = parseLock(readFileSync(breaker, "utf8"));
    // breakStaleLock runs synchronously, never two at once in one process: a breaker with this pid is a
    // dead namesake's (a restarted container's pid 1); a live local pid holding one for 30 s is reused
    const dead = held !== undefined && held.hostname === host && (held.pid === process.pid || !isPidAlive(held.pid));
    if (dead || Date.now() - statSync(breaker).mtimeMs > BREAKER_ABANDONED_MS) unlinkSync(breaker);
  } catch {
    // gone already, or removed by another run meanwhile
  }
}

/** Is the lock that read `raw` held by a live run (LockedError to throw or wait on), or stale (why)? */
async function judge(
  path: string,
  raw: string,
  host: string,
  now: Date,
  options: FileLockOptions,
): Promise<{ live?: LockedError; description?: string }> {
  const name = basename(path);
  const held = parseLock(raw);
  const mtime = () => stat(path).then((s) => s.mtimeMs, () => now.getTime());
  if (!held) {
    // Unreadable: a lock of an older format, or a run that died between an O_EXCL create and its write.
    const at = await mtime();
    if (now.getTime() - at < options.corruptStaleAfterMs) {
      return { live: new LockedError(`${name} exists but is unreadable and recent (another run may be starting)`, `retry in a few seconds; if it persists, delete ${path}`, options.code) };
    }
    return { description: `unreadable lock file from ${ago(at, now)}` };
  }
  const started = Date.parse(held.startedAt);
  const since = Number.isFinite(started) ? started : await mtime();
  const who = `pid ${held.pid} on ${held.hostname === host ? "this host" : `host ${held.hostname}`} (command "${held.command}"), started ${held.startedAt || "at an unknown time"} (${ago(since, now)})`;
  if (held.hostname === host) {
    // this pid, not one of this process's locks: an earlier process's with the same pid (a container restart)
    const earlierNamesake = held.pid === process.pid && !heldTokens.has(held.token);
    if (!earlierNamesake && isPidAlive(held.pid)) {
      return {
        live: new LockedError(
          `${options.what} is locked by another egress-cli run: ${who}`,
          `wait for it to finish; if that process is not egress-cli (pid reuse) and no run is active, delete ${path}`,
          options.code,
        ),
      };
    }
    return { description: `stale lock from ${who}, which is no longer running${earlierNamesake ? " (an earlier process with this run's pid)" : ""}` };
  }
  const limit = options.foreignStaleAfterMs;
  const limitText = limit >= 3_600_000 ? `${Math.round(limit / 3_600_000)} h` : `${Math.round(limit / 1000)} s`;
  if (!(now.getTime() - since > limit)) {
    return {
      live: new LockedError(
        `${options.what} is locked by a run on another host: ${who}. Its process cannot be checked from here`,
        `if that run is over, delete ${path}; a lock from another host is taken over automatically after ${limitText}`,
        options.code,
      ),
    };
  }
  return { description: `abandoned lock from ${who}, older than ${limitText}` };
}

function makeHandle(path: string, info: LockInfo, tookOver: string | undefined): LockHandle {
  let released = false;
  const ours = (raw: string | undefined) => raw !== undefined && parseLock(raw)?.token === info.token;
  const handle: LockHandle = {
    path,
    info,
    ...(tookOver ? { tookOver } : {}),
    // the same two page-cache operations as releaseSync: made asynchronously, each waited for a turn of
    // the event loop (a millisecond at the end of every command)
    async release() {
      handle.releaseSync();
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
      if (ours(raw)) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
  return handle;
}

// ---- the plan's lock: one run per plan, refused at once (exit 5) while a live run holds it

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

export function lockPathFor(planPath: string): string {
  return `${planPath}.lock`;
}

function planLockOptions(options: AcquireOptions): FileLockOptions {
  return {
    ...options,
    what: "The plan",
    foreignStaleAfterMs: options.foreignStaleAfterMs ?? 24 * 60 * 60 * 1000,
    corruptStaleAfterMs: options.corruptStaleAfterMs ?? 10_000,
  };
}

/** Takes the plan's lock or throws LockedError. The second argument may be just the command text. */
export function acquireLock(planPath: string, optionsOrCommand: AcquireOptions | string = {}): Promise<LockHandle> {
  const options = typeof optionsOrCommand === "string" ? { command: optionsOrCommand } : optionsOrCommand;
  return acquireFileLock(lockPathFor(planPath), planLockOptions(options));
}

/**
 * Throws the LockedError (exit 5) acquireLock would throw when a live run holds the plan's lock; takes
 * nothing. For commands that validate before they lock: a locked plan is exit 5 whatever the input.
 */
export function assertNotLocked(planPath: string, options: AcquireOptions = {}): Promise<void> {
  return assertFileNotLocked(lockPathFor(planPath), planLockOptions(options));
}
