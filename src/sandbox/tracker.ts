// Change tracking for one sandbox call, so persistence and indexes cost what the call changed.
//
// The state is a tree whose "units" are the records of its collections:
//   regions.<region>.<collection>.<id>          (vpcs, subnets, … networkInterfaces, clientTokens)
//   regions.<region>.ext.<store>.<key>          (a service's per-region store, e.g. vpcEndpoints.<id>)
//   ext.<store>.<key>                           (a service's account-wide store, e.g. iam.roles)
// A handler sees the tree through proxies down to the collections; reading a unit hands out the
// plain record and keeps a JSON pre-image of it; setting or deleting a key above the units is seen
// directly. After the call, a unit whose JSON differs from its pre-image, or a written key, is a
// change. Nothing else has to cooperate: a new collection or store is tracked like the others.

export type Path = string[];

/** How deep the units lie under a path's root (see above). */
export function unitDepth(path: readonly string[]): number {
  if (path[0] === "regions") return path[2] === "ext" ? 5 : 4;
  if (path[0] === "ext") return 3;
  return 1;
}

export interface Change {
  path: Path;
  /** undefined = deleted */
  value: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Every live view: its plain object, its place in the state and the tracker that made it. */
const VIEWS = new WeakMap<object, { raw: object; path: Path; tracker: Tracker }>();

/** The plain object behind a view, or the value itself. */
export function plain<T>(v: T): T {
  return (isObject(v) ? ((VIEWS.get(v)?.raw as T | undefined) ?? v) : v) as T;
}

/** Where a view lies and which tracker watches it (undefined for plain objects). */
export function viewInfo(v: unknown): { raw: object; path: Path; tracker: Tracker } | undefined {
  return isObject(v) ? VIEWS.get(v) : undefined;
}

export class Tracker {
  /** key -> [path, JSON pre-image or undefined when it did not exist] */
  private readonly seen = new Map<string, { path: Path; before: string | undefined; written: boolean }>();
  private readonly proxies = new WeakMap<object, object>();
  /** Units touched so far, by the key of their collection (for indexes asked during the call). */
  private readonly units = new Map<string, Set<string>>();
  /** Keys written above the units (a whole collection or store replaced). */
  private readonly shallow: Path[] = [];

  /** A tracked view of `obj`, which lies at `path` in the state. */
  view<T extends object>(obj: T, path: Path): T {
    const cached = this.proxies.get(obj);
    if (cached) return cached as T;
    const tracker = this;
    const p = new Proxy(obj, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof prop !== "string" || !Object.prototype.hasOwnProperty.call(target, prop)) return v;
        const child = [...path, prop];
        if (child.length >= unitDepth(child)) {
          tracker.note(child, v, false);
          return v;
        }
        return isObject(v) && !Array.isArray(v) ? tracker.view(v, child) : v;
      },
      set(target, prop, value) {
        if (typeof prop === "string") tracker.note([...path, prop], (target as any)[prop], true);
        return Reflect.set(target, prop, tracker.unwrap(value));
      },
      deleteProperty(target, prop) {
        if (typeof prop === "string" && Object.prototype.hasOwnProperty.call(target, prop)) tracker.note([...path, prop], (target as any)[prop], true);
        return Reflect.deleteProperty(target, prop);
      },
      defineProperty(target, prop, desc) {
        if (typeof prop === "string") tracker.note([...path, prop], (target as any)[prop], true);
        return Reflect.defineProperty(target, prop, "value" in desc ? { ...desc, value: tracker.unwrap(desc.value) } : desc);
      },
    });
    this.proxies.set(obj, p);
    VIEWS.set(p, { raw: obj, path, tracker: this });
    return p;
  }

  /** Views never end up inside the state: values written through a view are stored plain. */
  unwrap<T>(v: T): T {
    if (!isObject(v)) return v;
    const r = plain(v);
    if (r !== v) return r;
    for (const k of Object.keys(v)) {
      const c = (v as any)[k];
      if (isObject(c) && VIEWS.has(c)) (v as any)[k] = plain(c);
    }
    return v;
  }

  /** Ids of units touched under a collection path, and whether that collection was replaced as a whole. */
  touchedIn(coll: readonly string[]): { ids: Iterable<string>; replaced: boolean } {
    const replaced = this.shallow.some((p) => p.length <= coll.length && p.every((k, i) => coll[i] === k));
    return { ids: this.units.get(coll.join("\u0000")) ?? [], replaced };
  }

  private note(path: Path, current: unknown, written: boolean): void {
    const key = path.join("\u0000");
    if (path.length >= unitDepth(path)) {
      const ck = path.slice(0, -1).join("\u0000");
      let set = this.units.get(ck);
      if (!set) this.units.set(ck, (set = new Set()));
      set.add(path[path.length - 1]);
    } else if (written) this.shallow.push(path);
    const s = this.seen.get(key);
    if (s) {
      s.written ||= written;
      return;
    }
    this.seen.set(key, { path, before: current === undefined ? undefined : JSON.stringify(current), written });
  }

  /** What changed, read from `root` (the plain state): shortest paths first, nested duplicates dropped. */
  changes(root: object): Change[] {
    const out: Change[] = [];
    const entries = [...this.seen.values()].sort((a, b) => a.path.length - b.path.length);
    const taken = new Set<string>();
    for (const s of entries) {
      if (s.path.some((_, i) => i > 0 && taken.has(s.path.slice(0, i).join("\u0000")))) continue;
      const value = at(root, s.path);
      const now = value === undefined ? undefined : JSON.stringify(value);
      if (now === s.before) continue;
      taken.add(s.path.join("\u0000"));
      out.push({ path: s.path, value: now === undefined ? undefined : value });
    }
    return out;
  }

  /** Puts every touched unit back as it was (a DryRun that changed something by mistake). */
  rollback(root: object): void {
    const entries = [...this.seen.values()].sort((a, b) => b.path.length - a.path.length);
    for (const s of entries) apply(root, { path: s.path, value: s.before === undefined ? undefined : JSON.parse(s.before) });
  }
}

export function at(root: unknown, path: readonly string[]): unknown {
  let cur: any = root;
  for (const k of path) {
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Applies one change to a plain state (journal replay, rollback). */
export function apply(root: object, c: Change): void {
  let cur: any = root;
  for (const k of c.path.slice(0, -1)) {
    if (!isObject(cur[k])) {
      if (c.value === undefined) return;
      cur[k] = {};
    }
    cur = cur[k];
  }
  const last = c.path[c.path.length - 1];
  if (c.value === undefined) delete cur[last];
  else cur[last] = c.value;
}
