// Errors raised by the sandbox: AWS-shaped service errors (what the SDK would deserialize) and the simulated crash.
import { randomUUID } from "node:crypto";
import { UsageError } from "../errors.js";

/** An AWS service error as the SDK v3 would surface it: name = Code = the AWS error code. */
export class SandboxError extends Error {
  readonly Code: string;
  readonly $fault: "client" | "server";
  readonly $metadata: { httpStatusCode: number; requestId: string; attempts?: number; totalRetryDelay?: number };
  readonly $retryable?: { throttling?: boolean };

  constructor(code: string, message: string, httpStatusCode = 400, retryable?: { throttling?: boolean }) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$fault = httpStatusCode >= 500 ? "server" : "client";
    this.$metadata = { httpStatusCode, requestId: randomUUID() };
    if (retryable) this.$retryable = retryable;
  }
}

/** The simulated process crash (crashMode "throw"); every later call of that Sandbox is refused with it too. */
export class SandboxCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxCrash";
  }
}

/** Shorthand for a client error (400 unless told). */
export function awsError(code: string, message: string, httpStatusCode = 400): SandboxError {
  return new SandboxError(code, message, httpStatusCode);
}

/** The state file cannot be read as a sandbox account. Exit 2, naming the file. */
export class SandboxStateError extends UsageError {
  constructor(readonly file: string, detail: string) {
    super(
      `Sandbox state ${file} is unreadable: ${detail}`,
      `run \`egress-cli sandbox reset\` or \`egress-cli sandbox init --force\` to start a fresh account (the bad file is kept as ${file}.corrupt)`,
      "SandboxStateInvalid",
    );
    this.name = "SandboxStateError";
  }
}
