// Describe-call plumbing shared by EC2 operations: filters (with AWS wildcards), tags and NextToken pagination.
import { awsError } from "./errors.js";
import type { Tag } from "./model.js";

export type FilterFns<T> = Record<string, (r: T) => Array<string | number | boolean | undefined>>;

interface Filter {
  Name?: string;
  Values?: string[];
}

function glob(pattern: string): RegExp {
  // EC2 filter values accept * and ? wildcards, with \ as escape
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

/** Validates filter names up front (unknown name -> InvalidParameterValue, as EC2 does). */
export function checkFilters<T>(filters: Filter[] | undefined, fns: FilterFns<T>, tagsOf?: (r: T) => Tag[]): void {
  for (const f of filters ?? []) {
    const name = f.Name ?? "";
    if (fns[name]) continue;
    if (tagsOf && (name === "tag-key" || name === "tag-value" || (name.startsWith("tag:") && name.length > 4))) continue;
    throw awsError("InvalidParameterValue", `The filter '${name}' is invalid`);
  }
}

/** Applies filters: values of one filter are OR-ed, filters are AND-ed. */
export function applyFilters<T>(items: T[], filters: Filter[] | undefined, fns: FilterFns<T>, tagsOf?: (r: T) => Tag[]): T[];
/** A read-only list (an index's own, listByIds) in: without filters, the same list out, still read-only. */
export function applyFilters<T>(items: readonly T[], filters: Filter[] | undefined, fns: FilterFns<T>, tagsOf?: (r: T) => Tag[]): readonly T[];
export function applyFilters<T>(items: readonly T[], filters: Filter[] | undefined, fns: FilterFns<T>, tagsOf?: (r: T) => Tag[]): readonly T[] {
  checkFilters(filters, fns, tagsOf);
  let out = items;
  for (const f of filters ?? []) {
    const name = f.Name ?? "";
    const pats = (f.Values ?? []).map(glob);
    const matches = (vals: Array<string | number | boolean | undefined>) =>
      vals.some((v) => v !== undefined && pats.some((p) => p.test(String(v))));
    out = out.filter((r) => {
      if (fns[name]) return matches(fns[name](r));
      const tags = tagsOf!(r);
      if (name === "tag-key") return matches(tags.map((t) => t.Key));
      if (name === "tag-value") return matches(tags.map((t) => t.Value));
      const key = name.slice(4);
      return matches(tags.filter((t) => t.Key === key).map((t) => t.Value));
    });
  }
  return out;
}

/** MaxResults/NextToken pagination in the shape EC2 uses; the token encodes an offset. */
export function paginate<T>(
  items: readonly T[],
  input: { MaxResults?: number; NextToken?: string },
  operation: string,
  limits: { min: number; max: number } = { min: 5, max: 1000 },
): { page: T[]; NextToken?: string } {
  const { start, max } = pageWindow(input, operation, limits);
  if (max === undefined) return { page: items.slice(start) };
  const page = items.slice(start, start + max);
  return start + max < items.length ? { page, NextToken: pageToken(operation, start + max) } : { page };
}

/** Where a page starts (its NextToken) and how many records it holds (MaxResults; undefined: all the rest). */
export function pageWindow(input: { MaxResults?: number; NextToken?: string }, operation: string, limits: { min: number; max: number } = { min: 5, max: 1000 }): { start: number; max?: number } {
  let start = 0;
  if (input.NextToken !== undefined) {
    try {
      const t = JSON.parse(Buffer.from(String(input.NextToken), "base64url").toString("utf8"));
      if (t.op !== operation || !Number.isInteger(t.o) || t.o < 0) throw new Error("bad");
      start = t.o;
    } catch {
      throw awsError("InvalidPaginationToken", `The pagination token '${input.NextToken}' is not valid.`);
    }
  }
  if (input.MaxResults === undefined) return { start };
  const max = Number(input.MaxResults);
  if (!Number.isInteger(max) || max < limits.min || max > limits.max) {
    throw awsError(
      "InvalidParameterValue",
      `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`,
    );
  }
  return { start, max };
}

/** The NextToken of the page that starts at `offset`. */
export function pageToken(operation: string, offset: number): string {
  return Buffer.from(JSON.stringify({ op: operation, o: offset })).toString("base64url");
}

/** Output Tags only when there are some, like the EC2 XML (empty tagSet is omitted). */
export function tagsOut(tags: Tag[]): { Tags?: Tag[] } {
  return tags.length ? { Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {};
}

export function validateTags(tags: unknown): Tag[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw awsError("InvalidParameterValue", "Tags must be a list");
  return tags.map((t: { Key?: unknown; Value?: unknown } | undefined) => {
    const Key = t?.Key;
    if (typeof Key !== "string" || Key.length === 0 || Key.length > 128)
      throw awsError("InvalidParameterValue", `Tag key must be between 1 and 128 characters: '${Key ?? ""}'`);
    if (Key.toLowerCase().startsWith("aws:"))
      throw awsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
    const Value = t?.Value ?? "";
    if (typeof Value !== "string" || Value.length > 256) throw awsError("InvalidParameterValue", `Tag value for '${Key}' is too long`);
    return { Key, Value };
  });
}

/** Merges tags (same key replaced); enforces the 50-tags-per-resource limit. */
export function mergeTags(existing: Tag[], add: Tag[]): Tag[] {
  const out = existing.map((t) => ({ ...t }));
  for (const t of add) {
    const i = out.findIndex((x) => x.Key === t.Key);
    if (i >= 0) out[i] = { ...t };
    else out.push({ ...t });
  }
  if (out.length > 50) throw awsError("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
  return out;
}

/** Tags from TagSpecifications for the given resource type; a spec for another type is rejected. */
export function tagsFromSpecs(specs: unknown, resourceType: string): Tag[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs)) throw awsError("InvalidParameterValue", "TagSpecifications must be a list");
  let tags: Tag[] = [];
  for (const s of specs as Array<{ ResourceType?: unknown; Tags?: unknown } | undefined>) {
    if (s?.ResourceType !== resourceType)
      throw awsError("InvalidParameterValue", `'${s?.ResourceType}' is not a valid taggable resource type for this operation.`);
    tags = mergeTags(tags, validateTags(s?.Tags));
  }
  return tags;
}

/** A fingerprint of request parameters for ClientToken idempotency (key order independent). */
export function fingerprint(input: object): string {
  const norm = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(norm)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k, x]) => k !== "ClientToken" && k !== "DryRun" && x !== undefined)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, norm(x)]),
          )
        : v;
  return JSON.stringify(norm(input));
}
