// Classifies AWS errors (from the SDK, an AWS-compatible endpoint or the sandbox) by what the
// caller should do about them, and turns them into user-facing CliErrors.
import { CliError, ExitCode } from "../errors.js";

export type ErrorClass =
  | "throttling"
  | "transient"
  | "not-found"
  | "dependency"
  | "already-exists"
  | "quota"
  | "auth"
  | "dry-run-ok"
  | "invalid"
  | "other";

export function errorCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string } | undefined;
  return (e?.Code ?? e?.name ?? e?.code ?? "Error") as string;
}

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "SlowDown",
  "EC2ThrottledException",
]);
const TRANSIENT = new Set(["InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout", "RequestTimeoutException", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);

export function classifyError(err: unknown): ErrorClass {
  const code = errorCode(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (code === "DryRunOperation") return "dry-run-ok";
  if (THROTTLING.has(code) || status === 429) return "throttling";
  if (TRANSIENT.has(code) || (status !== undefined && status >= 500 && status !== 501)) return "transient";
  if (code.endsWith(".NotFound") || code.endsWith("NotFound") || code === "NoSuchEntity" || code === "ResourceNotFoundException")
    return "not-found";
  // EC2 does not see an instance profile IAM created a moment ago yet (IAM is eventually consistent;
  // AWS documents retrying the launch): nothing was launched, the same call is retried.
  if (code === "InvalidParameterValue" && /Invalid IAM Instance Profile/i.test((err as Error)?.message ?? "")) return "not-found";
  if (code === "DependencyViolation" || code === "ResourceInUseException") return "dependency";
  if (code.endsWith(".Duplicate") || code === "RouteAlreadyExists" || code === "Resource.AlreadyAssociated" || code === "EntityAlreadyExists")
    return "already-exists";
  if (code.endsWith("LimitExceeded") || code === "LimitExceededException" || code.endsWith(".LimitExceeded")) return "quota";
  if (code === "UnauthorizedOperation" || code === "AccessDenied" || code === "AccessDeniedException" || code === "AuthFailure" || code === "ExpiredToken" || code === "InvalidClientTokenId" || code === "UnrecognizedClientException" || code === "CredentialsProviderError" || code === "SignatureDoesNotMatch")
    return "auth";
  if (code.startsWith("Invalid") || code === "ValidationError" || code === "ValidationException" || code === "MissingParameter") return "invalid";
  return "other";
}

export function isNotFound(err: unknown): boolean {
  return classifyError(err) === "not-found";
}

/** Wraps an AWS error for the user: the AWS code and message, plus a hint where we know one. */
export function toCliError(err: unknown, doing: string): CliError {
  if (err instanceof CliError) return err;
  const code = errorCode(err);
  const message = (err as Error)?.message ?? String(err);
  const cls = classifyError(err);
  const hints: Partial<Record<ErrorClass, string>> = {
    auth: "Check your credentials and that the role allows this call (--verbose logs each call, so you can see which one was denied).",
    throttling: "AWS kept throttling after retries; re-run the same command — it resumes where it stopped.",
    transient: "AWS had a transient failure; re-run the same command — it resumes where it stopped.",
    quota: "A service quota was reached; release unused resources or request a quota increase.",
    dependency: "Something still uses this resource; egress-cli status shows what the plan holds.",
  };
  return new CliError(`${doing} failed: ${code}: ${message}`, ExitCode.failure, hints[cls], code);
}
