// The shapes of names and ids AWS defines (regions, resource ids, account ids, shared-config profile
// names): one validator each, used by option parsing, the context, the plan schema and the audit, so
// one value is never held to two different rules. Pure: no SDK, no fs.
import { UsageError } from "../errors.js";

/** AWS region shape: us-east-1, eu-central-1, ap-northeast-2, us-gov-west-1, us-isob-east-1, cn-north-1 ... */
export const REGION_PATTERN =
  /^[a-z]{2}(-gov|-iso[a-z]?|-isof)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

export function isValidRegion(s: string): boolean {
  return typeof s === "string" && REGION_PATTERN.test(s);
}

/** A region name (--region, a resolved region); an empty or malformed one is refused (never silently the default). */
export function parseRegion(raw: string): string {
  if (raw.trim() === "") throw new UsageError("--region is empty; pass a region name such as us-east-1 (or leave --region out).", undefined, "InvalidRegion");
  if (!isValidRegion(raw)) throw new UsageError(`"${raw}" is not an AWS region name (expected e.g. us-east-1).`, undefined, "InvalidRegion");
  return raw;
}

/** A shared-config profile name; an empty one, white space around it or a control character is refused. */
export function parseProfile(raw: string): string {
  if (raw === "") throw new UsageError("--profile is empty; pass a profile name from ~/.aws/config (or leave --profile out).", undefined, "InvalidProfile");
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new UsageError(`--profile ${JSON.stringify(raw)} contains a control character (a pasted carriage return?).`);
  if (raw !== raw.trim()) throw new UsageError(`--profile ${JSON.stringify(raw)} has white space around it.`, `pass --profile ${raw.trim()}`);
  return raw;
}

/** An AWS account id: 12 digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** A resource id with this prefix ("vpc", "subnet", "sg"): the prefix, a dash, then 8 (old style) or 17 lowercase hex digits. */
export const awsIdPattern = (prefix: string) => new RegExp(`^${prefix.replace(/-$/, "")}-([0-9a-f]{8}|[0-9a-f]{17})$`);

/** isAwsId("vpc", "vpc-0abc1234def567890") === true; the prefix may be given with its dash ("vpc-"). */
export function isAwsId(prefix: string, s: string): boolean {
  return typeof s === "string" && awsIdPattern(prefix).test(s);
}

/** The id, or a UsageError naming what was expected (`what`: "a VPC", "--subnets"). */
export function awsId(prefix: string, what: string, raw: string): string {
  if (!isAwsId(prefix, raw)) throw new UsageError(`${JSON.stringify(raw)} is not ${what} id (expected ${prefix}- followed by 8 or 17 hex digits).`);
  return raw;
}
