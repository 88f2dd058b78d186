// Polling with capped exponential backoff (for states the SDK waiters also poll), with a spinner.
// Retrying what is "not yet" (eventual consistency, dependencies) is src/aws/retry.ts.
import { CliError, Interrupted } from "../errors.js";

export interface WaitSettings {
  minDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const AWS_WAIT: WaitSettings = { minDelayMs: 2_000, maxDelayMs: 15_000, timeoutMs: 20 * 60_000 };

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

export interface PollResult<T> {
  done: boolean;
  value?: T;
  /** Stop waiting and fail with this message (e.g. a NAT gateway that went to `failed`). */
  failure?: string;
  status?: string;
}

/**
 * Calls `check` until it reports done, backing off from minDelay to maxDelay. `onStatus` gets the
 * current status text (for a spinner). Throws a CliError on failure or timeout.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<PollResult<T>>,
  settings: WaitSettings,
  onStatus?: (status: string, elapsedMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  const started = Date.now();
  let delay = settings.minDelayMs;
  for (;;) {
    const r = await check();
    if (r.failure) throw new CliError(`${what}: ${r.failure}`);
    if (r.done) return r.value as T;
    const elapsed = Date.now() - started;
    onStatus?.(r.status ?? "waiting", elapsed);
    if (elapsed > settings.timeoutMs) {
      throw new CliError(`Timed out after ${Math.round(elapsed / 1000)} s waiting for ${what} (last state: ${r.status ?? "unknown"})`, 1, "Re-run the same command to keep waiting; nothing is lost.");
    }
    // Ctrl-C stops waiting at once: what we wait for is already recorded; a re-run waits again.
    if (signal?.aborted) throw new Interrupted();
    await sleep(delay, signal);
    if (signal?.aborted) throw new Interrupted();
    delay = Math.min(settings.maxDelayMs, Math.ceil(delay * 1.5));
  }
}

/** What a waiting step needs: where to report progress, how to poll, and Ctrl-C. */
export interface WaitContext {
  log: { spin(text: string, opts?: { usualMs?: number }): { update(t: string): void; succeed(t?: string): void; fail(t?: string): void } };
  wait: WaitSettings;
  signal: AbortSignal;
}

/**
 * pollUntil with a spinner: "<what>: <status> (N s)" while waiting, `done` when finished, the
 * spinner failed on error. Ctrl-C stops the wait at once (the thing waited for is recorded).
 */
export async function waitWithSpinner<T>(ctx: WaitContext, what: string, check: () => Promise<PollResult<T>>, done: (value: T) => string, usualMs?: number): Promise<T> {
  // The progress display shows the elapsed time (and the usual duration) itself.
  const spinner = ctx.log.spin(`Waiting for ${what}`, { usualMs });
  try {
    const value = await pollUntil(what, check, ctx.wait, (status) => spinner.update(`Waiting for ${what}: ${status}`), ctx.signal);
    spinner.succeed(done(value));
    return value;
  } catch (err) {
    spinner.fail();
    throw err;
  }
}
