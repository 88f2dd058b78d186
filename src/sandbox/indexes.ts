// Secondary indexes over the sandbox state (ENIs by subnet, rules by group, …), so Describe handlers and
// dependency checks cost what they return, not the size of the account. An index is declared once
// (collection + key function) and kept with the state in memory: built on first use, re-keyed for the
// records a call changed (the tracker says which), dropped when a whole collection or region is replaced.
// A service adds its own with defineIndex; nothing is persisted (indexes are rebuilt on load).
import type { RegionState } from "./model.js";
import { plain, viewInfo } from "./tracker.js";

type KeyFn = (rec: any) => string | readonly (string | undefined)[] | undefined;

interface IndexDef {
  /** Collection path inside a region: ["networkInterfaces"] or ["ext", "vpcEndpoints"]. */
  coll: string[];
  key: KeyFn;
}

interface IndexData {
  byKey: Map<string, Set<string>>;
  keysOf: Map<string, string[]>;
  /** allOf's answer, kept until a record of the collection changes. */
  all?: unknown[];
}

const DEFS = new Map<string, IndexDef>();
/** Per plain region object: its built indexes. A replaced region is a new object, so it starts empty. */
const BUILT = new WeakMap<object, Map<string, IndexData>>();

export function defineIndex(name: string, coll: string | string[], key: KeyFn): void {
  DEFS.set(name, { coll: typeof coll === "string" ? [coll] : coll, key });
}

function keysOf(def: IndexDef, rec: unknown): string[] {
  if (rec === undefined || rec === null) return [];
  const k = def.key(rec);
  if (k === undefined) return [];
  if (typeof k === "string") return [k];
  return [...new Set(k.filter((x): x is string => typeof x === "string"))];
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
  if (before && before.length === keys.length && before.every((k, i) => k === keys[i])) return;
  for (const k of before ?? []) {
    const s = data.byKey.get(k);
    s?.delete(id);
    if (s && s.size === 0) data.byKey.delete(k);
  }
  if (keys.length === 0) {
    data.keysOf.delete(id);
    return;
  }
  data.keysOf.set(id, keys);
  for (const k of keys) {
    let s = data.byKey.get(k);
    if (!s) data.byKey.set(k, (s = new Set()));
    s.add(id);
  }
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
      const c = collOf(raw, def.coll) ?? {};
      for (const id of t.ids) put(data, def, id, c[id]);
    }
  }
  if (!data) built.set(name, (data = build(raw, def)));
  return { data, def, raw };
}

/** Records whose key is `key`, read through `rs` (a tracked view stays tracked). */
export function lookup<T>(rs: RegionState, name: string, key: string | undefined): T[] {
  if (key === undefined) return [];
  const { data, def } = indexFor(rs, name);
  const ids = data.byKey.get(key);
  if (!ids || ids.size === 0) return [];
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

/** Whether any record has this key. */
export function hasKey(rs: RegionState, name: string, key: string): boolean {
  return lookup(rs, name, key).length > 0;
}

/**
 * Re-keys what a call (or a journal entry from another process) changed. `rel` is the change's path
 * inside the region: [collection, id], ["ext", store, key], or shorter (a whole collection replaced).
 */
export function indexChanged(region: object, rel: readonly string[]): void {
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
    const c = collOf(region, def.coll) ?? {};
    put(data, def, rel[n], c[rel[n]]);
  }
}

/** Drops every index of a region (after a change nobody tracked). */
export function dropIndexes(region: object): void {
  BUILT.delete(region);
}
