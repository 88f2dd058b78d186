// Shared parsing of command-line option values: one strict parser per value type (whole numbers,
// ports, CIDRs, AWS ids, names), used by every command, all before the first AWS call. A command's
// spec names the parser of each flag (`parse.int(…)`, src/cli/spec.ts), so every problem in one
// invocation is reported together as one UsageError (exit 2) naming each option.
import { UsageError } from "../errors.js";
import { parseIpv4Cidr, validateVpcCidr } from "../net/cidr.js";
import { awsId } from "../aws/names.js";
import { validatePlanName } from "../plans/name.js";

// AWS ids are validated in aws/names.ts (with regions, the one region check: parseRegion).
export { awsId, awsIdPattern } from "../aws/names.js";

// A whole number as people type it: digits, no sign, no leading zero ("016" is refused, as
// "010.0.0.0" is), so one spelling means one value.
const WHOLE = /^(0|[1-9]\d*)$/;

/**
 * A value exactly as typed: white space around it or a control character (a pasted `\r`) is refused,
 * never trimmed away, so what runs is what the user sees in the command line.
 */
export function strictText(name: string, raw: string): string {
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new UsageError(`--${name} ${JSON.stringify(raw)} contains a control character (a pasted carriage return?).`);
  if (raw !== raw.trim()) throw new UsageError(`--${name} ${JSON.stringify(raw)} has white space around it.`, `pass --${name} ${raw.trim()}`);
  return raw;
}

/**
 * A comma-separated list (`--subnets a,b`): every item non-empty (no trailing comma), without white
 * space, and named once. Returns the items in order.
 */
export function listOption(name: string, raw: string): string[] {
  strictText(name, raw);
  const items = raw.split(",");
  if (items.some((x) => x === "")) throw new UsageError(`--${name} ${JSON.stringify(raw)} has an empty item (a stray comma?).`, `pass --${name} ${items.filter(Boolean).join(",")}`);
  if (items.some((x) => x !== x.trim())) throw new UsageError(`--${name} ${JSON.stringify(raw)}: items must not have white space around them.`, `pass --${name} ${items.map((x) => x.trim()).join(",")}`);
  const twice = [...new Set(items.filter((x, i) => items.indexOf(x) !== i))];
  if (twice.length) throw new UsageError(`--${name} names ${twice.join(", ")} more than once.`, `Name each once, e.g. --${name} ${[...new Set(items)].join(",")}`, "DuplicateItem");
  return items;
}

export function intOption(name: string, raw: unknown, min: number, max: number): number {
  const s = strictText(name, String(raw));
  if (!WHOLE.test(s)) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
  const n = Number(s);
  if (n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max}, got ${n}.`);
  return n;
}

/** A TCP/UDP port, 0–65535 (0 for "any" where the API allows it). */
export function portOption(name: string, raw: unknown): number {
  return intOption(name, raw, 0, 65535);
}

/** Runs a parser; its UsageError is re-thrown naming the option. */
function named<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--${name}: ${err.message}`, err.hint, err.code);
    throw err;
  }
}

/** An IPv4 CIDR, strictly: a.b.c.d/n, no leading zeros, host bits clear (the message suggests the network). */
export function cidrOption(name: string, raw: string): string {
  strictText(name, raw);
  return named(name, () => parseIpv4Cidr(raw).cidr);
}

/**
 * Plain value parsers (raw text → typed value, or a UsageError naming the flag): a command spec's
 * flags take these (src/cli/spec.ts); `opt` below wraps the same ones as zod schemas.
 */
export const parse = {
  int: (name: string, min: number, max: number) => (raw: string) => intOption(name, raw, min, max),
  port: (name: string) => (raw: string) => portOption(name, raw),
  cidr: (name: string) => (raw: string) => cidrOption(name, raw),
  /** A VPC CIDR, or `auto` (undefined: the command picks a free range). */
  vpcCidr: (name = "cidr") => (raw: string) => (raw === "auto" ? undefined : (strictText(name, raw), named(name, () => validateVpcCidr(raw).cidr))),
  id: (prefix: string, what: string) => (raw: string) => awsId(prefix, what, raw),
  name: () => (raw: string) => validatePlanName(raw),
  /** A number ≥ 0 (e.g. GB per month); decimals allowed, no exponent or sign. */
  amount: (name: string) => (raw: string) => {
    if (!/^(0|[1-9]\d*)(\.\d+)?$/.test(strictText(name, raw))) throw new UsageError(`--${name} must be a number ≥ 0, got ${JSON.stringify(raw)}.`);
    return Number(raw);
  },
  /** Exactly as typed (white space around it or a control character refused). */
  text: (name: string) => (raw: string) => strictText(name, raw),
};

export interface Problem {
  message: string;
  hint?: string;
}

/** One UsageError for one or many problems: a single problem keeps its own message and hint. */
export function usageFromProblems(problems: Problem[], code = "InvalidInput"): UsageError {
  if (problems.length === 1) return new UsageError(problems[0].message, problems[0].hint, code);
  const lines = problems.map((p, i) => `  ${i + 1}. ${p.message}${p.hint ? `\n     ${p.hint}` : ""}`);
  return new UsageError(`${problems.length} problems (nothing was changed):\n${lines.join("\n")}`, "fix them all, then re-run the same command", code);
}

/**
 * Collects validation problems across a command's checks (flags, then reads of the account), so
 * the user learns everything wrong in one run. `check(fn)` runs fn and keeps its UsageError;
 * `throwIfAny()` throws them together before the first change.
 */
export class Problems {
  readonly list: Problem[] = [];
  private codes: string[] = [];

  add(message: string, hint?: string, code = "InvalidInput"): void {
    this.list.push({ message, ...(hint ? { hint } : {}) });
    this.codes.push(code);
  }

  /** Runs fn; a UsageError becomes a collected problem (returning undefined), anything else is rethrown. */
  async check<T>(fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      this.add(err.message, err.hint, err.code);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (!this.list.length) return;
    throw usageFromProblems(this.list, this.codes.length === 1 ? this.codes[0] : "InvalidInput");
  }
}
