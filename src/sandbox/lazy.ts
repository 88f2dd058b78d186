// Collections of the sandbox state that are parsed on first use. A loaded state file (segments.ts) puts
// each collection on its container object (a region, `rs.ext`, `state.ext`) as an accessor that, when
// first read, parses the collection's bytes, applies the journal changes queued for it meanwhile, and
// replaces itself with the plain value — so a process parses what its calls touch, not the account.
// Everything else (tracker proxies, indexes, handlers) then sees an ordinary object property. A parsed
// collection that nothing changed since can be put back (relazify, Sandbox.release): memory a finished
// read no longer needs.
import { closeSync, readSync } from "node:fs";
import { SandboxStateError } from "./errors.js";
import { type Change, apply, unitDepth } from "./tracker.js";

export interface Range {
  offset: number;
  length: number;
}

/** An open state file that segments are read from; closed once nothing lazy refers to it (or it is collected). */
export class SegmentSource {
  /** Unparsed segments that read from this file. */
  live = 0;
  private fd: number | undefined;

  constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
    CLOSE.register(this, fd, this);
  }

  read(r: Range): Buffer {
    if (this.fd === undefined) throw new Error(`sandbox: ${this.file} is closed`);
    if (r.length <= WINDOW / 4) {
      // small reads (records one by one, a group's rules) come in file order: served from a window read
      // ahead, one system call per megabyte instead of one per record. The file never changes (a
      // compaction writes a new one), and a window is never written again, so a slice handed out stays valid.
      const w = this.window;
      if (w && r.offset >= w.offset && r.offset + r.length <= w.offset + w.buf.length) return w.buf.subarray(r.offset - w.offset, r.offset - w.offset + r.length);
      const buf = this.readAt(r.offset, WINDOW);
      this.window = { offset: r.offset, buf };
      if (buf.length < r.length) throw new SandboxStateError(this.file, `a segment at byte ${r.offset} is cut short`);
      return buf.subarray(0, r.length);
    }
    const buf = this.readAt(r.offset, r.length);
    if (buf.length < r.length) throw new SandboxStateError(this.file, `a segment at byte ${r.offset} is cut short`);
    return buf;
  }

  private window: { offset: number; buf: Buffer } | undefined;

  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  private readAt(offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd!, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got < length ? buf.subarray(0, got) : buf;
  }

  release(): void {
    if (--this.live > 0 || this.fd === undefined) return;
    CLOSE.unregister(this);
    closeSync(this.fd);
    this.fd = undefined;
    this.window = undefined;
  }
}

/** Bytes a small read brings into memory at once (SegmentSource.read). */
const WINDOW = 1 << 20;

const CLOSE = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/** One not yet parsed collection. Its file stays readable after a compaction renames a new file over it. */
export interface LazySegment {
  /** Where it lies in the state: ["regions", region, collection], ["regions", region, "ext", store] or ["ext", store]. */
  path: string[];
  source: SegmentSource;
  range: Range;
  /** Persisted indexes over its records (name → range in the same file): see indexes.ts. */
  indexes: Record<string, Range>;
  /** Their counts by key (name → range of `{ key: n }`), for a count that needs no id lists. */
  counts?: Record<string, Range>;
  countsRead?: Record<string, Record<string, number>>;
  /** Where each record lies inside the segment (id → [offset, length] from the segment's start), when written. */
  records?: Range;
  /** Journal changes inside it, applied in order when it is parsed. */
  pending: Change[];
  /** Records parsed one by one (lookups through a persisted index) and handed out; kept when it is parsed whole. */
  partial?: Map<string, unknown>;
  table?: Record<string, [number, number]>;
  /** The table's ids in order (recordIds). */
  ids?: string[];
  getter: () => unknown;
}

const LAZY = new WeakMap<object, Map<string, LazySegment>>();
/**
 * Collections parsed from their segment and not changed since (by a call of this process or a journal line
 * of another): the same as their bytes plus the journal changes that were queued in them, so they can be
 * put back to unparsed (relazify) and parsed again when next used.
 */
const PARSED = new WeakMap<object, Map<string, { seg: LazySegment; value: unknown }>>();

/** Puts a collection on `holder[key]` that is parsed on first read. */
export function defineLazy(holder: object, key: string, seg: Omit<LazySegment, "getter" | "pending">): void {
  seg.source.live++;
  install(holder, key, { ...seg, pending: [] });
}

function install(holder: object, key: string, seg: Omit<LazySegment, "getter">): void {
  let m = LAZY.get(holder);
  if (!m) LAZY.set(holder, (m = new Map()));
  const getter = () => materialise(holder, key);
  m.set(key, { ...seg, getter });
  Object.defineProperty(holder, key, {
    enumerable: true,
    configurable: true,
    get: getter,
    set: (v: unknown) => {
      forget(holder, key);
      define(holder, key, v);
    },
  });
}

function define(holder: object, key: string, value: unknown): void {
  Object.defineProperty(holder, key, { value, writable: true, enumerable: true, configurable: true });
}

function forget(holder: object, key: string): void {
  const seg = LAZY.get(holder)?.get(key);
  if (!seg) return;
  LAZY.get(holder)!.delete(key);
  seg.source.release();
}

/** The unparsed segment at holder[key], if it is one (and still in place). */
export function lazyOf(holder: object, key: string): LazySegment | undefined {
  const seg = LAZY.get(holder)?.get(key);
  if (!seg) return undefined;
  if (Object.getOwnPropertyDescriptor(holder, key)?.get === seg.getter) return seg;
  forget(holder, key); // deleted or redefined meanwhile
  return undefined;
}

/** The unparsed segment at `path` from `root`, walking plain properties only (nothing is parsed). */
export function lazyAt(root: object, path: readonly string[]): LazySegment | undefined {
  let cur: unknown = root;
  for (const k of path.slice(0, -1)) {
    const d = typeof cur === "object" && cur !== null ? Object.getOwnPropertyDescriptor(cur, k) : undefined;
    if (!d || !("value" in d)) return undefined;
    cur = d.value;
  }
  return typeof cur === "object" && cur !== null ? lazyOf(cur, path[path.length - 1]!) : undefined;
}

/** Parses bytes of a segment's file (the collection, one record, an index); bad bytes are a SandboxStateError. */
export function segmentJson<T>(seg: LazySegment, r: Range, what: string): T {
  try {
    return JSON.parse(seg.source.read(r).toString("utf8")) as T;
  } catch (e) {
    if (e instanceof SandboxStateError) throw e;
    throw new SandboxStateError(seg.source.file, `segment ${seg.path.join(".")}${what} is not valid JSON (${(e as Error).message})`);
  }
}

function materialise(holder: object, key: string): unknown {
  const seg = LAZY.get(holder)!.get(key)!;
  const value = segmentJson<unknown>(seg, seg.range, "");
  LAZY.get(holder)!.delete(key);
  if (seg.partial?.size) {
    // records were handed out one by one, and a handler may have changed one in place (no change list
    // names it): the file's bytes are not this value, so it is never put back to unparsed
    seg.source.release();
  } else {
    // parsed, not forgotten: until it changes, relazify can put it back (its file stays open meanwhile)
    let parsed = PARSED.get(holder);
    if (!parsed) PARSED.set(holder, (parsed = new Map()));
    parsed.set(key, { seg, value });
  }
  define(holder, key, value);
  // records already handed out stay the ones in the state
  if (seg.partial && typeof value === "object" && value !== null) for (const [id, rec] of seg.partial) if (Object.hasOwn(value, id)) (value as Record<string, unknown>)[id] = rec;
  for (const c of seg.pending) if (typeof value === "object" && value !== null) apply(value, { path: c.path.slice(seg.path.length), value: c.value });
  return value;
}

/** A collection at holder[key] changed (a record written or deleted): it stays parsed from now on. */
export function markChanged(holder: object, key: string): void {
  const p = PARSED.get(holder)?.get(key);
  if (!p) return;
  PARSED.get(holder)!.delete(key);
  p.seg.source.release();
}

/** Every collection parsed so far stays parsed (something changed them that no change list names). */
export function forgetParsed(root: object, path: string[] = []): void {
  const parsed = PARSED.get(root);
  for (const k of Object.keys(root)) {
    const p = [...path, k];
    if (parsed?.has(k)) markChanged(root, k);
    else if (p.length < unitDepth(p) - 1) {
      const v = Object.getOwnPropertyDescriptor(root, k)?.value;
      if (typeof v === "object" && v !== null) forgetParsed(v, p);
    }
  }
}

/**
 * Puts every collection parsed and unchanged since back to unparsed, from `root` down (the state's
 * containers): what it held is garbage once nothing else refers to it, and a later read parses it again
 * (with the journal changes queued in it, and those queued since). Returns how many were put back.
 */
export function relazify(root: object, path: string[] = []): number {
  let n = 0;
  const parsed = PARSED.get(root);
  for (const k of Object.keys(root)) {
    const p = [...path, k];
    const d = Object.getOwnPropertyDescriptor(root, k);
    if (!d || !("value" in d)) continue; // unparsed already
    const was = parsed?.get(k);
    if (was) {
      parsed!.delete(k);
      if (was.value !== d.value) {
        was.seg.source.release(); // replaced meanwhile: the new value is not the file's
        continue;
      }
      install(root, k, { ...was.seg, partial: undefined, table: undefined, ids: undefined }); // (its file's hold moves with it)
      n++;
    } else if (p.length < unitDepth(p) - 1 && typeof d.value === "object" && d.value !== null) n += relazify(d.value, p);
  }
  return n;
}

/**
 * Some records of an unparsed collection, parsed one by one from their place in the file; undefined when
 * that is not possible (no record table, or journal changes wait in it: then parse it whole). Inside
 * readTransient they are not kept: the next read parses them again.
 */
export function partialRecords(seg: LazySegment, ids: Iterable<string>): unknown[] | undefined {
  if (!seg.records || seg.pending.length) return undefined;
  const table = tableOf(seg);
  const list = Array.isArray(ids) ? (ids as string[]) : [...ids];
  const parsed = new Map<string, unknown>();
  // Ids come in the collection's order (a persisted index lists them so; a page is a run of the table),
  // so the first and the last bound the run. A dense run — a page, a group's rules — is read and parsed
  // at once, from the first record's key: a run of members of the collection's object.
  const first = table[list[0]!];
  const last = table[list[list.length - 1]!];
  if (list.length > 1 && first && last && !seg.partial?.size) {
    const lo = first[0] - Buffer.byteLength(JSON.stringify(list[0])) - 1;
    const hi = last[0] + last[1];
    // dense: about the size of the records asked for (estimated from the two ends), else one by one
    if (hi > lo && hi - lo <= list.length * (first[1] + last[1]) + 4096) {
      const text = seg.source.read({ offset: seg.range.offset + lo, length: hi - lo }).toString("utf8");
      let run: Record<string, unknown>;
      try {
        run = JSON.parse(`{${text}}`) as Record<string, unknown>;
      } catch (e) {
        throw new SandboxStateError(seg.source.file, `segment ${seg.path.join(".")} at ${list[0]} is not valid JSON (${(e as Error).message})`);
      }
      for (const id of list) if (Object.hasOwn(run, id)) parsed.set(id, run[id]);
    }
  }
  for (const id of list) {
    if (parsed.has(id) || seg.partial?.has(id)) continue;
    const at = table[id];
    if (at) parsed.set(id, segmentJson<unknown>(seg, { offset: seg.range.offset + at[0], length: at[1] }, ` at ${id}`));
  }
  if (transient === 0) for (const [id, rec] of parsed) (seg.partial ??= new Map()).set(id, rec);
  const out: unknown[] = [];
  for (const id of list) {
    const rec = seg.partial?.get(id) ?? parsed.get(id);
    if (rec !== undefined) out.push(rec);
  }
  return out;
}

/** Ids of an unparsed collection with a record table, in the collection's order (undefined as partialRecords). */
export function recordIds(seg: LazySegment): string[] | undefined {
  if (!seg.records || seg.pending.length) return undefined;
  return (seg.ids ??= Object.keys(tableOf(seg)));
}

function tableOf(seg: LazySegment): Record<string, [number, number]> {
  return (seg.table ??= segmentJson<Record<string, [number, number]>>(seg, seg.records!, " (its record table)"));
}

let transient = 0;

/**
 * Runs a read that changes nothing and answers with objects of its own (freshOutputs): the records it
 * parses one by one (a page of an unparsed collection, a lookup through a persisted index) are not kept,
 * so an unfiltered Describe of every network interface of a large account parses one page at a time and
 * leaves nothing behind, where the whole collection used to be parsed and held until release().
 */
export function readTransient<T>(fn: () => T): T {
  transient++;
  try {
    return fn();
  } finally {
    transient--;
  }
}

/** Whether records parsed now are handed out without being kept (inside readTransient). */
export function isTransient(): boolean {
  return transient > 0;
}

/** Lets go of the record tables and id lists read from unparsed collections (Sandbox.release). */
export function forgetTables(root: object, path: string[] = []): void {
  for (const k of Object.keys(root)) {
    const p = [...path, k];
    const seg = lazyOf(root, k);
    if (seg) {
      seg.table = undefined;
      seg.ids = undefined;
    } else if (p.length < unitDepth(p) - 1) {
      const v = Object.getOwnPropertyDescriptor(root, k)?.value;
      if (typeof v === "object" && v !== null) forgetTables(v, p);
    }
  }
}

/** A journal change into an unparsed collection is kept for when it is parsed. Returns whether it was. */
export function queueIfLazy(root: object, c: Change): boolean {
  const depth = unitDepth(c.path) - 1; // the collection's path length
  if (depth < 1 || c.path.length <= depth) return false;
  const seg = lazyAt(root, c.path.slice(0, depth));
  if (!seg) return false;
  seg.pending.push(c);
  return true;
}

/** Paths ("regions.us-east-1.networkInterfaces") of the collections not parsed yet. */
export function unparsed(root: object, path: string[] = []): string[] {
  const out: string[] = [];
  for (const k of Object.keys(root)) {
    const p = [...path, k];
    if (lazyOf(root, k)) out.push(p.join("."));
    else if (p.length < unitDepth(p) - 1) {
      const v = Object.getOwnPropertyDescriptor(root, k)?.value;
      if (typeof v === "object" && v !== null) out.push(...unparsed(v, p));
    }
  }
  return out;
}
