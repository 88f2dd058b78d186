// The sandbox's files: a compacted state `<file>` (segmented JSON, segments.ts, written atomically) and an append-only
// journal `<file>.journal` of what each mutating call changed (one JSON line per call, fsynced before the
// call answers). Loading = the state's header + the journal's complete lines (a change to a collection
// not parsed yet waits in it, lazy.ts). When the journal outgrows the state,
// it is folded into a new state file (compaction). Every read-modify-write happens under `<file>.lock`
// (the one file lock, src/locks/file-lock.ts: a dead owner's is taken over, waiting is asynchronous and ends
// on Ctrl-C), after reading the journal tail other processes appended, so concurrent processes on one file lose nothing.
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname } from "node:path";
import { randomUUID } from "node:crypto";
import { SandboxStateError } from "./errors.js";
import { type FileLockOptions, removeDeadTemporaries, withFileLock } from "../locks/file-lock.js";
import { type Change, apply } from "./tracker.js";
import { queueIfLazy } from "./lazy.js";
import { decodeState, encodeState, parseAll } from "./segments.js";
import { STATE_VERSION, type CallRecord, type SandboxState } from "./model.js";

/** One journal line: the changes of one call, the counters it adds and (if mutating) its call record. */
export interface JournalEntry {
  changes: Array<[string[], unknown] | [string[]]>;
  calls: number;
  mutating: number;
  call?: CallRecord;
}

export { SandboxStateError };

export const JOURNAL_KEEP = 500;
/**
 * The sandbox's lock: waited for up to 60 s (a call holds it for milliseconds); another host's (a
 * shared file system) is abandoned after 30 s, an unreadable one after 5 s.
 */
const LOCK: FileLockOptions = {
  what: "The sandbox",
  code: "SandboxLocked",
  waitMs: 60_000,
  foreignStaleAfterMs: 30_000,
  corruptStaleAfterMs: 5_000,
  sweepTemporaries: false, // at compaction (removeLeftovers), not on every call
};
/** Compact when the journal is larger than this and larger than the state file. */
const COMPACT_MIN_BYTES = 4 * 1024 * 1024;

type Persisted = SandboxState & { journalId?: string };

export class StateFile {
  readonly journalPath: string;
  readonly lockPath: string;
  /** Journal identity and how far it has been applied. */
  private journalId: string | undefined;
  private ino = -1;
  private offset = 0;
  private baseMtime = -1;

  constructor(readonly file: string) {
    this.journalPath = `${file}.journal`;
    this.lockPath = `${file}.lock`;
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  /** Reads the state and replays the journal. Throws SandboxStateError for a torn or foreign file. */
  load(): SandboxState {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
      this.baseMtime = fstatSync(fd).mtimeMs;
    } catch (e) {
      throw new SandboxStateError(this.file, (e as NodeJS.ErrnoException).code ?? String(e));
    }
    const st = checkState(this.file, decodeState(this.file, fd));
    this.journalId = st.journalId;
    delete st.journalId;
    this.ino = -1;
    this.offset = 0;
    this.tail(st);
    return st;
  }

  /** Applies journal lines appended since the last look (by this or another process). Returns what changed, or "reload". */
  tail(st: SandboxState): Change[] | "reload" {
    let s;
    try {
      s = statSync(this.journalPath);
    } catch {
      s = undefined;
    }
    if (this.ino !== -1 && (!s || s.ino !== this.ino)) return "reload"; // compacted (or reset) by another process
    if (this.ino === -1) {
      const base = existsSync(this.file) ? statSync(this.file).mtimeMs : -1;
      if (this.baseMtime !== -1 && base !== this.baseMtime) return "reload";
    }
    if (!s || s.size <= this.offset) return [];
    const fd = openSync(this.journalPath, "r");
    let buf: Buffer;
    try {
      const ino = fstatSync(fd).ino;
      if (this.ino !== -1 && ino !== this.ino) return "reload";
      buf = Buffer.alloc(s.size - this.offset);
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      buf = buf.subarray(0, got);
      if (this.ino === -1) {
        // a new journal: its first line names the state it continues
        const nl = buf.indexOf(10);
        if (nl < 0) return [];
        let header: { journal?: string } = {};
        try {
          header = JSON.parse(buf.subarray(0, nl).toString("utf8"));
        } catch {
          header = {};
        }
        this.ino = ino;
        if (!this.journalId || header.journal !== this.journalId) {
          // left from before the last compaction (or not ours): nothing in it applies
          this.offset = s.size;
          this.stale = true;
          return [];
        }
        this.stale = false;
        this.offset = nl + 1;
        buf = buf.subarray(nl + 1);
      }
    } finally {
      closeSync(fd);
    }
    const out: Change[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break; // a line still being written (or torn by a crash): not applied
      const line = buf.subarray(start, nl).toString("utf8");
      let e: JournalEntry;
      try {
        e = JSON.parse(line);
      } catch (err) {
        throw new SandboxStateError(this.journalPath, `journal line at byte ${this.offset} is not valid JSON (${(err as Error).message})`);
      }
      out.push(...applyEntry(st, e));
      this.offset += nl + 1 - start;
      start = nl + 1;
    }
    return out;
  }

  /** A stale journal (from before a compaction) must be replaced before appending. */
  private stale = false;

  /** Appends one entry and fsyncs it (call under the lock, after tail()). */
  append(st: SandboxState, e: JournalEntry): void {
    if (!this.journalId || this.stale || this.ino === -1) {
      // no journal continuing this state yet: fold everything into a fresh state + journal
      applyEntry(st, e, true);
      this.compact(st);
      return;
    }
    const line = `${JSON.stringify(e)}\n`;
    const fd = openSync(this.journalPath, "a");
    try {
      writeSync(fd, line);
      fsyncSync(fd);
      const s = fstatSync(fd);
      this.ino = s.ino;
      this.offset = s.size;
    } finally {
      closeSync(fd);
    }
    applyEntry(st, e, true);
    if (this.offset > COMPACT_MIN_BYTES && this.offset > statSync(this.file).size) this.compact(st);
  }

  /** Writes the whole state (atomically) and starts an empty journal for it. */
  compact(st: SandboxState): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const id = randomUUID();
    // collections this process never parsed are copied as bytes from the file they were loaded from;
    // written piece by piece to a temporary file, fsynced, then renamed over the state (atomic)
    this.removeLeftovers();
    const stateTmp = `${this.file}.${process.pid}.tmp`;
    const sfd = openSync(stateTmp, "w");
    try {
      for (const piece of encodeState(st, id)) writeAll(sfd, piece);
      fsyncSync(sfd);
    } finally {
      closeSync(sfd);
    }
    renameSync(stateTmp, this.file);
    const tmp = `${this.journalPath}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, `${JSON.stringify({ journal: id, version: STATE_VERSION })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.journalPath);
    const s = statSync(this.journalPath);
    this.journalId = id;
    this.ino = s.ino;
    this.offset = s.size;
    this.stale = false;
    this.baseMtime = statSync(this.file).mtimeMs;
  }

  /**
   * Deletes the temporary files a kill -9 cut short: a compaction's `<file>.<pid>.tmp` and
   * `<journal>.<pid>.tmp`, a lock's or breaker's `<file>.lock[.break].<pid>.<n>.tmp`, of pids no longer
   * running (called under the lock; a live writer's are its own).
   */
  private removeLeftovers(): void {
    const lock = basename(this.lockPath);
    removeDeadTemporaries(dirname(this.file), [basename(this.file), basename(this.journalPath), lock, `${lock}.break`]);
  }

  /**
   * Runs fn holding `<file>.lock`, waiting for it asynchronously (the signal, the run's Ctrl-C, ends
   * the wait: Interrupted). fn is synchronous: the critical section never awaits.
   */
  locked<T>(fn: () => T, signal?: AbortSignal): Promise<T> {
    mkdirSync(dirname(this.file), { recursive: true });
    return withFileLock(this.lockPath, { ...LOCK, ...(signal ? { signal } : {}) }, fn);
  }

  /** Moves an unreadable state (and its journal) aside as `<file>.corrupt`, so a fresh account can start. */
  quarantine(): string | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      parseAll(new StateFile(this.file).load() as never);
      return undefined;
    } catch (e) {
      if (!(e instanceof SandboxStateError)) throw e;
    }
    const to = `${this.file}.corrupt`;
    renameSync(this.file, to);
    if (existsSync(this.journalPath)) renameSync(this.journalPath, `${to}.journal`);
    return to;
  }
}

/** writeSync until all of it is written (a write may be short). */
function writeAll(fd: number, piece: string | Buffer): void {
  let buf: Buffer;
  if (typeof piece === "string") {
    const n = writeSync(fd, piece);
    if (n === Buffer.byteLength(piece)) return;
    buf = Buffer.from(piece).subarray(n);
  } else buf = piece;
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}

function checkState(file: string, raw: any): Persisted {
  if (raw?.version !== STATE_VERSION)
    throw new SandboxStateError(file, `state version ${JSON.stringify(raw?.version)}; this egress-cli expects ${STATE_VERSION}`);
  if (typeof raw.accountId !== "string" || typeof raw.regions !== "object" || raw.regions === null)
    throw new SandboxStateError(file, "not a sandbox account (no accountId or regions)");
  raw.ext ??= {};
  raw.journal ??= [];
  raw.counters ??= { calls: 0, mutatingCalls: 0 };
  return raw as Persisted;
}

/** Applies an entry to the in-memory state; `own` = its changes are already there. Returns the changes. */
function applyEntry(st: SandboxState, e: JournalEntry, own = false): Change[] {
  const changes: Change[] = e.changes.map((c) => ({ path: c[0], value: c.length > 1 ? c[1] : undefined }));
  if (!own) for (const c of changes) if (!queueIfLazy(st, c)) apply(st, c);
  if (!own) {
    st.counters.calls += e.calls;
    st.counters.mutatingCalls += e.mutating;
  }
  if (e.call) {
    st.journal.push(e.call);
    if (st.journal.length > JOURNAL_KEEP) st.journal.splice(0, st.journal.length - JOURNAL_KEEP);
  }
  return changes;
}

export function entryOf(changes: Change[], calls: number, mutating: boolean, call?: CallRecord): JournalEntry {
  return {
    changes: changes.map((c) => (c.value === undefined ? [c.path] : [c.path, c.value])),
    calls,
    mutating: mutating ? 1 : 0,
    ...(call ? { call } : {}),
  };
}
