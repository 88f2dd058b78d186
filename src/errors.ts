// Errors that carry an exit code. Helpers throw these; only src/cli.ts turns them into an exit.

export const ExitCode = {
  ok: 0,
  failure: 1, // AWS or runtime failure
  usage: 2, // bad usage or invalid input: nothing was changed
  findings: 3, // audit findings at or above --fail-on
  unreachable: 4, // analyze-path: path not reachable
  locked: 5, // plan locked by another run
  unknown: 6, // analyze-path: not proven either way (part of the path was not evaluated)
  interrupted: 130, // SIGINT
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    readonly hint?: string,
    readonly code: string = "EgressError",
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad usage or invalid input, detected before any mutating call. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string, code = "InvalidInput") {
    super(message, ExitCode.usage, hint, code);
    this.name = "UsageError";
  }
}

/** The plan (or the sandbox's state file: code SandboxLocked) is locked by another live run. Exit 5. */
export class LockedError extends CliError {
  constructor(message: string, hint?: string, code = "PlanLocked") {
    super(message, ExitCode.locked, hint, code);
    this.name = "LockedError";
  }
}

/** SIGINT: in-flight steps were finished and recorded; the plan is consistent. Exit 130. */
export class Interrupted extends CliError {
  constructor() {
    super("Interrupted. The plan is consistent; re-run the same command to finish.", ExitCode.interrupted, undefined, "Interrupted");
    this.name = "Interrupted";
  }
}
