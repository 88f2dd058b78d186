// The one retry helper for what the SDK's own retries do not cover. Throttling and 5xx are the
// SDK's job (retryMode "adaptive", src/aws/clients.ts): nothing here retries them again. This is
// for "not yet": AWS's eventual consistency (InvalidXxx.NotFound right after a create), a delete
// refused while a dependent is still going away, IAM changes not visible to another service yet.
// Its sleep ends at once on Ctrl-C (the context's abort signal): the run stops with Interrupted
// (exit 130); what it waited for is recorded or recoverable, and a re-run waits again.
import { type Clock, sleep } from "../clock.js";
import { Interrupted } from "../errors.js";
import { classifyError } from "./errors.js";
import type { WaitSettings } from "./wait.js";

export interface RetryContext {
  readonly wait: WaitSettings;
  readonly signal: AbortSignal;
  /** Whose time the pauses are on (default: real). */
  readonly clock?: Clock;
}

export interface EventuallyOptions<T> {
  /** Is this error "not yet" (worth another attempt after a pause)? Default: not found (eventual consistency). */
  retryOn?: (err: unknown, attempt: number) => boolean;
  /** Is this result "not yet" (e.g. a resource recorded moments ago that is not visible yet)? Default: never. */
  again?: (value: T, attempt: number) => boolean;
  /** Attempts in all (default 8); the last error is thrown, or the last result returned. */
  attempts?: number;
  /** The first pause (default a quarter of the context's minimum poll delay); doubled up to its maximum. */
  firstDelayMs?: number;
  /**
   * Called before the next attempt, instead of the pause when it returns true (e.g. waiting for a
   * Lambda update in progress to end is itself the pause).
   */
  beforeRetry?: (err: unknown, attempt: number) => Promise<boolean | void> | boolean | void;
}

export const isEventualConsistency = (err: unknown) => classifyError(err) === "not-found";
export const isDependency = (err: unknown) => classifyError(err) === "dependency";

/** Calls `fn` until it succeeds (or returns a settled value), pausing with capped doubling between attempts. */
export async function eventually<T>(ctx: RetryContext, fn: (attempt: number) => Promise<T>, o: EventuallyOptions<T> = {}): Promise<T> {
  const attempts = o.attempts ?? 8;
  const retryOn = o.retryOn ?? isEventualConsistency;
  let delay = o.firstDelayMs ?? Math.max(5, Math.floor(ctx.wait.minDelayMs / 4));
  for (let attempt = 1; ; attempt++) {
    let failure: { err: unknown } | undefined;
    try {
      const value = await fn(attempt);
      if (attempt >= attempts || !o.again?.(value, attempt)) return value;
    } catch (err) {
      if (attempt >= attempts || !retryOn(err, attempt)) throw err;
      failure = { err };
    }
    if (ctx.signal.aborted) throw new Interrupted();
    if (!(await o.beforeRetry?.(failure?.err, attempt))) {
      await sleep(delay, ctx.signal, ctx.clock);
      delay = Math.min(ctx.wait.maxDelayMs, delay * 2);
    }
    if (ctx.signal.aborted) throw new Interrupted();
  }
}
