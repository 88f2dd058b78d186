// A plan's name (create-vpc --name, the plan file's `name`): one rule for the option and the schema.
// Pure and small, so option parsing reads it without loading the plan schema.
import { UsageError } from "../errors.js";

/** 1-64 letters, digits, - _ . starting with a letter or digit. */
export const PLAN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Returns the name, or throws a UsageError (InvalidName) saying what is wrong with it. */
export function validatePlanName(s: string): string {
  if (typeof s !== "string" || s.length === 0) {
    throw new UsageError("Name is empty", "use 1-64 letters, digits, '-', '_' or '.', e.g. sms-api", "InvalidName");
  }
  if (s.length > 64) {
    throw new UsageError(`Name "${s.slice(0, 20)}..." is ${s.length} characters long; the limit is 64`, undefined, "InvalidName");
  }
  if (!PLAN_NAME_PATTERN.test(s)) {
    const reason = /^[A-Za-z0-9]/.test(s)
      ? `contains ${JSON.stringify(s.match(/[^A-Za-z0-9._-]/)?.[0] ?? "")}; only letters, digits, '-', '_' and '.' are allowed`
      : "must start with a letter or digit";
    throw new UsageError(`Name "${s}" ${reason}`, "e.g. sms-api", "InvalidName");
  }
  return s;
}
