// Secondary indexes over the sandbox state (ENIs by subnet, rules by group, …), so Describe handlers and
// dependency checks cost what they return, not the size of the account. An index is declared once
// (collection + key function) and kept with the state in memory: built on first use, re-keyed for the
// records a call changed (the tracker says which), dropped when a whole collection or region is replaced.
// A service adds its own with defineIndex. An index declared `persist` is also written with its collection
// in the state file (segments.ts), so a count by key (ENIs in a subnet) needs no parse of the collection.
import type { RegionState } from "./model.js";
import { isTransient, lazyAt, partialRecords, recordIds, segmentJson } from "./lazy.js";
import { plain, viewInfo } from "./tracker.js";

type KeyFn = (rec: any) => string | readonly (string | undefined)[] | undefined;

interface IndexDef {
  /** Collection path inside a region: ["networkInterfaces"] or ["ext", "vpcEndpoints"]. */
  coll: string[];
  key: KeyFn;
  /** Written with the collection: "counts" (count/hasKey need no parse) or "lookups" (also each record's place, so a lookup parses only its records). */
  persist?: "counts" | "lookups";
}

interface IndexData {
  byKey: Map<string, Set<string>>;
  /** A record's keys: the key itself when it has one (most records: no array per record), else the list. */
  keysOf: Map<string, Keys>;
  /** allOf's answer, kept until a record of the collection changes. */
  all?: unknown[];
}

const DEFS = new Map<string, IndexDef>();
/** Per plain region object: its built indexes. A replaced region is a new object, so it starts empty. */
const BUILT = new WeakMap<object, Map<string, IndexData>>();

export function defineIndex(name: string, coll: string | string[], key: KeyFn, opts: { persist?: "counts" | "lookups" } = {}): void {
  DEFS.set(name, { coll: typeof coll === "string" ? [coll] : coll, key, ...(opts.persist ? { persist: opts.persist } : {}) });
}

/** The persisted indexes over a collection (its path inside a region), and whether a lookup by one reads single records. */
export function persistedIndexes(coll: readonly string[]): { names: string[]; records: boolean } {
  const defs = [...DEFS].filter(([, d]) => d.persist && d.coll.length === coll.length && d.coll.every((k, i) => coll[i] === k));
  return { names: defs.map(([n]) => n), records: defs.some(([, d]) => d.persist === "lookups") };
}

/** What a persisted index holds for these records: key → ids, in the collection's order. */
export function indexSnapshot(name: string, records: Record<string, unknown>): Record<string, string[]> {
  const def = DEFS.get(name)!;
  const out: Record<string, string[]> = {};
  for (const id of Object.keys(records)) for (const k of list(keysOf(def, records[id]))) (out[k] ??= []).push(id);
  return out;
}

type Keys = string | readonly string[];
const NONE: readonly string[] = [];

function keysOf(def: IndexDef, rec: unknown): Keys {
  if (rec === undefined || rec === null) return NONE;
  const k = def.key(rec);
  if (k === undefined) return NONE;
  if (typeof k === "string") return k;
  const ks = [...new Set(k.filter((x): x is string => typeof x === "string"))];
  return ks.length === 1 ? ks[0]! : ks;
}

const list = (k: Keys | undefined): readonly string[] => (k === undefined ? NONE : typeof k === "string" ? [k] : k);

function sameKeys(a: Keys, b: Keys): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function collOf(rs: object, coll: string[]): Record<string, unknown> | undefined {
  let cur: any = rs;
  for (const k of coll) cur = cur?.[k];
  return cur && typeof cur === "object" ? cur : undefined;
}

function build(raw: object, def: IndexDef): IndexData {
  const data: IndexData = { byKey: new Map(), keysOf: new Map() };
  const c = collOf(raw, def.coll) ?? {};
  for (const id of Object.keys(c)) put(data, def, id, c[id]);
  return data;
}

function put(data: IndexData, def: IndexDef, id: string, rec: unknown): void {
  data.all = undefined;
  const keys = keysOf(def, rec);
  const before = data.keysOf.get(id);
  // same keys: nothing moves (a record keeps its place, so lists stay in the collection's order)
  if (before !== undefined && sameKeys(before, keys)) return;
  for (const k of list(before)) {
    const s = data.byKey.get(k);
    s?.delete(id);
    if (s && s.size === 0) data.byKey.delete(k);
  }
  if (typeof keys !== "string" && keys.length === 0) {
    data.keysOf.delete(id);
    return;
  }
  data.keysOf.set(id, keys);
  for (const k of list(keys)) {
    let s = data.byKey.get(k);
    if (!s) data.byKey.set(k, (s = new Set()));
    s.add(id);
  }
}

/** A persisted index of a collection not parsed yet, brought up to date with the journal changes queued for it. */
function fromPersisted(raw: object, name: string, def: IndexDef): IndexData | undefined {
  const seg = def.persist ? lazyAt(raw, def.coll) : undefined;
  const range = seg?.indexes[name];
  if (!seg || !range) return undefined;
  if (seg.pending.some((c) => c.path.length !== seg.path.length + 1)) return undefined;
  const data: IndexData = { byKey: new Map(), keysOf: new Map() };
  const stored = segmentJson<Record<string, string[]>>(seg, range, ` (index ${name})`);
  for (const [k, ids] of Object.entries(stored)) {
    data.byKey.set(k, new Set(ids));
    for (const id of ids) {
      const ks = data.keysOf.get(id);
      data.keysOf.set(id, ks === undefined ? k : [...list(ks), k]);
    }
  }
  for (const c of seg.pending) put(data, def, c.path[c.path.length - 1]!, c.value);
  return data;
}

function indexFor(rs: RegionState, name: string): { data: IndexData; def: IndexDef; raw: object } {
  const def = DEFS.get(name);
  if (!def) throw new Error(`sandbox: no index named ${name}`);
  const info = viewInfo(rs);
  const raw = plain(rs) as object;
  let built = BUILT.get(raw);
  if (!built) BUILT.set(raw, (built = new Map()));
  let data = built.get(name);
  if (info) {
    // inside a tracked call: records touched so far may have moved; a replaced collection is rebuilt
    const t = info.tracker.touchedIn([...info.path, ...def.coll]);
    if (t.replaced) data = undefined;
    else if (data) {
      let c: Record<string, unknown> | undefined;
      for (const id of t.ids) put(data, def, id, (c ??= collOf(raw, def.coll) ?? {})[id]);
    }
  }
  if (!data) built.set(name, (data = fromPersisted(raw, name, def) ?? build(raw, def)));
  return { data, def, raw };
}

/** Records whose key is `key`, read through `rs` (a tracked view stays tracked). */
export function lookup<T>(rs: RegionState, name: string, key: string | undefined): T[] {
  if (key === undefined) return [];
  const { data, def, raw } = indexFor(rs, name);
  const ids = data.byKey.get(key);
  if (!ids || ids.size === 0) return [];
  if (!viewInfo(rs)) {
    // a read on a collection not parsed yet: only these records are parsed (a tracked call parses it whole)
    const seg = lazyAt(raw, def.coll);
    const recs = seg && partialRecords(seg, ids);
    if (recs) return recs as T[];
  }
  const c = collOf(rs, def.coll) as Record<string, T> | undefined;
  if (!c) return [];
  const out: T[] = [];
  for (const id of ids) {
    const rec = c[id];
    if (rec !== undefined) out.push(rec);
  }
  return out;
}

/**
 * Every record of a collection in its order (Object.values' answer), for unfiltered Describe calls:
 * Object.values of a 52,000-key object costs ~80 ms, once per page of a paginated Describe; this list is
 * kept until a record of the collection changes. Read through a tracked view it is built afresh.
 */
export function allOf<T>(rs: RegionState, coll: string): T[] {
  const name = `all:${coll}`;
  if (!DEFS.has(name)) defineIndex(name, coll, () => "*");
  if (viewInfo(rs)) return lookup<T>(rs, name, "*");
  const { data } = indexFor(rs, name);
  data.all ??= lookup<T>(rs, name, "*");
  return data.all as T[];
}

/**
 * Records [start, start + max) of a whole collection that is not parsed yet, parsed from their places in
 * the state file, with the collection's size: one page of an unfiltered Describe inside a transient read
 * (lazy.ts readTransient). Undefined when the collection is parsed, has no record table, or journal
 * changes wait in it (then the caller lists the parsed collection).
 */
export function pageOfUnparsed<T>(rs: RegionState, coll: string, start: number, max: number): { records: T[]; total: number } | undefined {
  if (!isTransient() || viewInfo(rs)) return undefined;
  const seg = lazyAt(plain(rs) as object, [coll]);
  const ids = seg && recordIds(seg);
  const records = ids && partialRecords(seg, ids.slice(start, start + max));
  return records && { records: records as T[], total: ids.length };
}

/** How many records have this key (from a persisted index, the collection need not be parsed). */
export function count(rs: RegionState, name: string, key: string | undefined): number {
  if (key === undefined) return 0;
  const def = DEFS.get(name);
  const raw = plain(rs) as object;
  if (def?.persist && !BUILT.get(raw)?.has(name)) {
    // a collection still unparsed (so untouched by this call) and with no journal change waiting: its stored counts are exact
    const seg = lazyAt(raw, def.coll);
    const range = seg?.counts?.[name];
    if (seg && range && seg.pending.length === 0) {
      const counts = ((seg.countsRead ??= {})[name] ??= segmentJson<Record<string, number>>(seg, range, ` (counts of ${name})`));
      return counts[key] ?? 0;
    }
  }
  return indexFor(rs, name).data.byKey.get(key)?.size ?? 0;
}

/** Whether any record has this key. */
export function hasKey(rs: RegionState, name: string, key: string): boolean {
  return count(rs, name, key) > 0;
}

/**
 * Re-keys what a call (or a journal entry from another process) changed. `rel` is the change's path
 * inside the region: [collection, id], ["ext", store, key], or shorter (a whole collection replaced);
 * `value` the record's new value, used when the collection is not parsed yet (the change waits in it).
 */
export function indexChanged(region: object, rel: readonly string[], value?: unknown): void {
  const built = BUILT.get(region);
  if (!built) return;
  for (const [name, data] of built) {
    const def = DEFS.get(name)!;
    const n = def.coll.length;
    if (rel.length <= n) {
      if (rel.every((k, i) => def.coll[i] === k)) built.delete(name);
      continue;
    }
    if (!def.coll.every((k, i) => rel[i] === k)) continue;
    if (rel.length > n + 1) continue; // deeper than a record: the tracker reports records, not fields
    put(data, def, rel[n]!, lazyAt(region, def.coll) ? value : (collOf(region, def.coll) ?? {})[rel[n]!]);
  }
}

/** Drops every index of a region (after a change nobody tracked). */
export function dropIndexes(region: object): void {
  BUILT.delete(region);
}
