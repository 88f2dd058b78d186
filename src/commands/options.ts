// Shared parsing of command-line option values: everything is checked here, before the first
// AWS call, and bad input becomes a UsageError (exit 2) that names the option.
import { UsageError } from "../errors.js";

export function intOption(name: string, raw: unknown, min: number, max: number): number {
  const s = String(raw).trim();
  if (!/^\d+$/.test(s)) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}.`);
  const n = Number(s);
  if (n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max}, got ${n}.`);
  return n;
}

export const awsIdPattern = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);

export function awsId(prefix: string, what: string, raw: string): string {
  if (!awsIdPattern(prefix).test(raw)) throw new UsageError(`${JSON.stringify(raw)} is not ${what} id (expected ${prefix}- followed by 8 or 17 hex digits).`);
  return raw;
}
