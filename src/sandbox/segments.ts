// The state file's format, so that loading costs what a process touches: line 1 is a JSON header (the
// account's fields, the journal id, and a table of segments: each collection's place in the file), then
// one JSON line per collection ("segment": a region's `vpcs`, `networkInterfaces`…, a service's store
// `rs.ext.<store>` or `state.ext.<store>`) and per persisted index. Loading reads the header only; a
// collection is parsed on first use (lazy.ts). Writing copies the bytes of collections never parsed
// (and unchanged) from the file they were loaded from. The older format — the whole state as one JSON
// document — is still read (parsed whole); the next compaction writes this one.
import { closeSync, fstatSync, readFileSync, readSync } from "node:fs";
import { SandboxStateError } from "./errors.js";
import { indexSnapshot, persistedIndexes } from "./indexes.js";
import { type Range, SegmentSource, defineLazy, lazyOf, segmentJson } from "./lazy.js";
import { unitDepth } from "./tracker.js";

export const FORMAT = "egress-cli sandbox state, segmented, 1";
const MAGIC = Buffer.from(`{"format":${JSON.stringify(FORMAT)}`);

/** Line 1 of the file. Offsets count from the byte after its newline; each segment ends with a newline. */
interface Header {
  format: string;
  /** The state's own fields (version, accountId, counters, the last calls, journalId…). */
  state: Record<string, unknown>;
  /** In state order: container objects to create, and segments to put on them. */
  items: Array<{ object: string[] } | { segment: string[]; offset: number; length: number; indexes?: Record<string, Range>; counts?: Record<string, Range>; records?: Range }>;
  /** Bytes after the header (a shorter file was cut short). */
  bytes: number;
}

type Kind = "field" | "object" | "segment";

/** What a path of the state is in the file: a header field, a container of segments, or a segment. */
function kindOf(path: string[], value: unknown): Kind {
  const seg = unitDepth(path) - 1;
  if (seg === 0) return "field";
  return path.length < seg && typeof value === "object" && value !== null && !Array.isArray(value) ? "object" : "segment";
}

/**
 * The file's content for a state (`journalId` names the journal that continues it), in pieces to write
 * one after the other (strings as UTF-8): a 70 MB account is not copied into one buffer first.
 */
export function encodeState(st: object, journalId: string): Array<string | Buffer> {
  const header: Header = { format: FORMAT, state: {}, items: [], bytes: 0 };
  const parts: Array<string | Buffer> = [];
  const add = (b: string | Buffer): Range => {
    const r = { offset: header.bytes, length: typeof b === "string" ? Buffer.byteLength(b) : b.length };
    parts.push(b, "\n");
    header.bytes += r.length + 1;
    return r;
  };
  const walk = (obj: Record<string, unknown>, path: string[]) => {
    for (const key of Object.keys(obj)) {
      const p = [...path, key];
      const lz = lazyOf(obj, key);
      const value = lz ? undefined : obj[key];
      if (!lz && value === undefined) continue;
      const kind = lz ? "segment" : kindOf(p, value);
      if (kind === "field") header.state[key] = value;
      else if (kind === "object") {
        header.items.push({ object: p });
        walk(value as Record<string, unknown>, p);
      } else {
        const { names, records: withRecords } = p[0] === "regions" ? persistedIndexes(p.slice(2)) : { names: [], records: false };
        let range: Range;
        let records: Range | undefined;
        const indexes: Record<string, Range> = {};
        const counts: Record<string, Range> = {};
        // (records read one by one may have been changed by a read that called ctx.mutated(): re-encoded)
        if (lz && lz.pending.length === 0 && !lz.partial?.size && names.every((n) => lz.indexes[n] && lz.counts?.[n]) && (!withRecords || lz.records)) {
          // never parsed and unchanged: the same bytes
          range = add(lz.source.read(lz.range));
          for (const n of names) indexes[n] = add(lz.source.read(lz.indexes[n]!));
          for (const n of names) counts[n] = add(lz.source.read(lz.counts![n]!));
          if (withRecords) records = add(lz.source.read(lz.records!));
        } else {
          const v = obj[key]; // parses it if it was lazy (its queued changes applied)
          if (withRecords && typeof v === "object" && v !== null && !Array.isArray(v)) {
            // a collection with a "lookups" index: also where each record lies, so a lookup parses only its records
            const { text, table } = recordsOf(v as Record<string, unknown>);
            range = add(text);
            records = add(JSON.stringify(table));
          } else range = add(JSON.stringify(v));
          for (const n of names) {
            const snap = indexSnapshot(n, (v ?? {}) as Record<string, unknown>);
            indexes[n] = add(JSON.stringify(snap));
            counts[n] = add(JSON.stringify(Object.fromEntries(Object.entries(snap).map(([k, ids]) => [k, ids.length]))));
          }
        }
        header.items.push({ segment: p, ...range, ...(names.length ? { indexes, counts } : {}), ...(records ? { records } : {}) });
      }
    }
  };
  walk(st as Record<string, unknown>, []);
  header.state.journalId = journalId;
  return [`${JSON.stringify(header)}\n`, ...parts];
}

/** A collection's JSON (what JSON.stringify gives) and each record's byte range inside it. */
function recordsOf(v: Record<string, unknown>): { text: string; table: Record<string, [number, number]> } {
  const ids: string[] = [];
  const parts: string[] = ["{"];
  for (const id of Object.keys(v)) {
    const json = JSON.stringify(v[id]);
    if (json === undefined) continue;
    ids.push(id);
    parts.push(`${ids.length > 1 ? "," : ""}${JSON.stringify(id)}:`, json);
  }
  parts.push("}");
  const text = parts.join("");
  // offsets in characters are offsets in bytes when the text is ASCII (ids and records usually are)
  const len = Buffer.byteLength(text) === text.length ? (x: string) => x.length : (x: string) => Buffer.byteLength(x);
  const table: Record<string, [number, number]> = {};
  let pos = 1;
  for (let i = 0; i < ids.length; i++) {
    pos += len(parts[1 + 2 * i]!);
    const n = len(parts[2 + 2 * i]!);
    table[ids[i]!] = [pos, n];
    pos += n;
  }
  return { text, table };
}

/**
 * Reads a state file: the header only (collections stay unparsed until used), or, for a file in the
 * older whole-JSON format, the whole document. Throws SandboxStateError for a torn or foreign file.
 */
export function decodeState(file: string, fd: number): Record<string, any> {
  let head: Buffer;
  let size: number;
  try {
    size = fstatSync(fd).size;
    head = readHeader(fd, size);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (head.length === 0) {
    // the older format (one JSON document), or not ours: parsed whole
    let text: string;
    try {
      text = readFileSync(fd, "utf8");
    } finally {
      closeSync(fd);
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new SandboxStateError(file, `not valid JSON (${(e as Error).message})`);
    }
  }
  let header: Header;
  try {
    if (head.length === size) throw new Error("the header line has no end");
    header = JSON.parse(head.toString("utf8"));
  } catch (e) {
    closeSync(fd);
    throw new SandboxStateError(file, `its header is not valid JSON (${(e as Error).message})`);
  }
  const base = head.length + 1;
  if (!Array.isArray(header.items) || typeof header.state !== "object" || size !== base + header.bytes) {
    closeSync(fd);
    throw new SandboxStateError(file, `cut short or damaged: ${size} bytes, its header describes ${base + Number(header.bytes)}`);
  }
  const source = new SegmentSource(file, fd);
  const st: Record<string, any> = { ...header.state };
  const at = (path: string[]) => path.slice(0, -1).reduce((o, k) => o[k], st);
  for (const item of header.items) {
    if ("object" in item) at(item.object)[item.object.at(-1)!] = {};
    else {
      const shift = (r: Range) => ({ offset: base + r.offset, length: r.length });
      const shiftAll = (m: Record<string, Range> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([n, r]) => [n, shift(r)]));
      defineLazy(at(item.segment), item.segment.at(-1)!, {
        path: item.segment,
        source,
        range: shift(item),
        indexes: shiftAll(item.indexes),
        counts: shiftAll(item.counts),
        ...(item.records ? { records: shift(item.records) } : {}),
      });
    }
  }
  if (source.live === 0) {
    source.live = 1;
    source.release();
  }
  return st;
}

/** The header line of a file in this format (without its newline); empty for any other file. */
function readHeader(fd: number, size: number): Buffer {
  const chunks: Buffer[] = [];
  for (let pos = 0; pos < size; ) {
    const buf = Buffer.allocUnsafe(Math.min(64 * 1024, size - pos));
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    // the older format is one long line: only this format's header is scanned for its newline
    if (pos === 0 && (n < MAGIC.length || buf.subarray(0, MAGIC.length).compare(MAGIC) !== 0)) return Buffer.alloc(0);
    const nl = buf.subarray(0, n).indexOf(10);
    if (nl >= 0) {
      chunks.push(buf.subarray(0, nl));
      return Buffer.concat(chunks);
    }
    chunks.push(buf.subarray(0, n));
    pos += n;
  }
  return Buffer.concat(chunks); // no newline: a torn header
}

/** Parses every collection (a full check of the file: quarantine decides by it). */
export function parseAll(obj: Record<string, unknown>, path: string[] = []): void {
  for (const key of Object.keys(obj)) {
    const p = [...path, key];
    const lz = lazyOf(obj, key);
    // its indexes, counts and record table too
    if (lz) for (const r of [...Object.values(lz.indexes), ...Object.values(lz.counts ?? {}), ...(lz.records ? [lz.records] : [])]) segmentJson(lz, r, " (an index)");
    const v = obj[key];
    if (kindOf(p, v) === "object") parseAll(v as Record<string, unknown>, p);
  }
}

/** The whole state a file's bytes hold, parsed (either format; the journal is not applied). For tests and tools. */
export function stateOfBytes(bytes: Buffer): Record<string, any> {
  if (bytes.subarray(0, MAGIC.length).compare(MAGIC) !== 0) return JSON.parse(bytes.toString("utf8"));
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, nl).toString("utf8")) as Header;
  const st: Record<string, any> = { ...header.state };
  const at = (path: string[]) => path.slice(0, -1).reduce((o, k) => o[k], st);
  for (const item of header.items) {
    if ("object" in item) at(item.object)[item.object.at(-1)!] = {};
    else at(item.segment)[item.segment.at(-1)!] = JSON.parse(bytes.subarray(nl + 1 + item.offset, nl + 1 + item.offset + item.length).toString("utf8"));
  }
  return st;
}
