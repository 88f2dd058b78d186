// Polling with capped exponential backoff (for states the SDK waiters also poll), with a spinner, and
// batched polling (one Describe call a round for every resource of a kind being awaited at once).
// Retrying what is "not yet" (eventual consistency, dependencies) is src/aws/retry.ts.
import { type Clock, realClock, sleep } from "../clock.js";
import { CliError, Interrupted } from "../errors.js";

export interface WaitSettings {
  minDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const AWS_WAIT: WaitSettings = { minDelayMs: 2_000, maxDelayMs: 15_000, timeoutMs: 20 * 60_000 };

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
  clock: Clock = realClock,
): Promise<T> {
  const started = clock.now();
  let delay = settings.minDelayMs;
  for (;;) {
    const r = await check();
    if (r.failure) throw new CliError(`${what}: ${r.failure}`);
    if (r.done) return r.value as T;
    const elapsed = clock.now() - started;
    onStatus?.(r.status ?? "waiting", elapsed);
    if (elapsed > settings.timeoutMs) {
      throw new CliError(`Timed out after ${Math.round(elapsed / 1000)} s waiting for ${what} (last state: ${r.status ?? "unknown"})`, 1, "Re-run the same command to keep waiting; nothing is lost.");
    }
    // Ctrl-C stops waiting at once: what we wait for is already recorded; a re-run waits again.
    if (signal?.aborted) throw new Interrupted();
    await sleep(delay, signal, clock);
    if (signal?.aborted) throw new Interrupted();
    delay = Math.min(settings.maxDelayMs, Math.ceil(delay * 1.5));
  }
}

/** What a waiting step needs: where to report progress, how to poll, Ctrl-C, and whose time (default: real). */
export interface WaitContext {
  log: { spin(text: string, opts?: { usualMs?: number }): { update(t: string): void; succeed(t?: string): void; fail(t?: string): void } };
  wait: WaitSettings;
  signal: AbortSignal;
  clock?: Clock;
}

/**
 * pollUntil with a spinner: "<what>: <status> (N s)" while waiting, `done` when finished, the
 * spinner failed on error. Ctrl-C stops the wait at once (the thing waited for is recorded).
 */
export async function waitWithSpinner<T>(ctx: WaitContext, what: string, check: () => Promise<PollResult<T>>, done: (value: T) => string, usualMs?: number): Promise<T> {
  // The progress display shows the elapsed time (and the usual duration) itself.
  const spinner = ctx.log.spin(`Waiting for ${what}`, { usualMs });
  try {
    const value = await pollUntil(what, check, ctx.wait, (status) => spinner.update(`Waiting for ${what}: ${status}`), ctx.signal, ctx.clock);
    spinner.succeed(done(value));
    return value;
  } catch (err) {
    spinner.fail();
    throw err;
  }
}

/**
 * What a batched wait polls: one Describe call that answers for many ids at once (an id missing from
 * the answer is not visible yet). Waits on the same client and kind share their poll rounds.
 */
export interface BatchDescribe<T> {
  /** The client the calls go through (rounds are per client: one region, one set of credentials). */
  client: object;
  kind: string;
  describe(ids: string[]): Promise<T[]>;
  idOf(item: T): string | undefined;
}

interface Waiter {
  id: string;
  settings: WaitSettings;
  take(item: unknown): void;
  fail(err: unknown): void;
  /** Joined right after the call that changed it, and not looked at since. */
  fresh?: boolean;
}

interface PollGroup {
  d: BatchDescribe<unknown>;
  waiters: Set<Waiter>;
  clock: Clock;
  /** Cancels the scheduled round. */
  timer?: () => void;
  due: number;
  running: boolean;
  delay: number;
}

/** Ids per Describe call (EC2 filters take up to 200 values). */
const BATCH_MAX_IDS = 100;
const groups = new WeakMap<object, Map<string, PollGroup>>();

/** The group of this client and kind; its rounds are on the clock of the wait that made it (one client, one context). */
function groupOf(d: BatchDescribe<unknown>, clock: Clock = realClock): PollGroup {
  let byKind = groups.get(d.client);
  if (!byKind) groups.set(d.client, (byKind = new Map()));
  let g = byKind.get(d.kind);
  if (!g) byKind.set(d.kind, (g = { d, waiters: new Set(), clock, due: 0, running: false, delay: 0 }));
  return g;
}

function schedule(g: PollGroup, ms: number, later = false): void {
  const due = g.clock.now() + ms;
  if (g.running || (g.timer && g.due <= due && !later)) return;
  g.timer?.();
  g.due = due;
  g.timer = g.clock.setTimer(() => {
    g.timer = undefined;
    void round(g);
  }, ms);
}

/** One poll round: one Describe (per BATCH_MAX_IDS ids) for every id awaited right now. */
async function round(g: PollGroup): Promise<void> {
  if (g.waiters.size === 0) return;
  g.running = true;
  const batch = [...g.waiters];
  const ids = [...new Set(batch.map((w) => w.id))];
  let found: Map<string, unknown> | undefined;
  let error: unknown;
  try {
    found = new Map();
    for (let i = 0; i < ids.length; i += BATCH_MAX_IDS)
      for (const item of await g.d.describe(ids.slice(i, i + BATCH_MAX_IDS))) {
        const id = g.d.idOf(item);
        if (id !== undefined) found.set(id, item);
      }
  } catch (err) {
    error = err;
  }
  g.running = false;
  for (const w of batch) {
    w.fresh = false;
    if (!g.waiters.has(w)) continue;
    if (error !== undefined) w.fail(error);
    else w.take(found!.get(w.id));
  }
  if (g.waiters.size === 0) return;
  const { maxDelayMs } = [...g.waiters][0]!.settings;
  schedule(g, g.delay);
  g.delay = Math.min(maxDelayMs, Math.ceil(g.delay * 1.5));
}

/**
 * waitWithSpinner for one of many resources of a kind being awaited at once: every step waiting on the
 * same client and kind is answered by the same Describe call each poll round (three NAT gateways
 * becoming available: one DescribeNatGateways a round with the three ids, not three). `judge` turns the
 * resource (undefined: not visible yet) into a PollResult; the backoff restarts when a waiter joins.
 * `justChanged`: the call that started the change just answered its state (CreateNatGateway: pending),
 * so the first round comes a poll delay later, not at once (waits started together share it).
 */
export function waitBatched<T, V>(
  ctx: WaitContext,
  what: string,
  d: BatchDescribe<T>,
  id: string,
  judge: (item: T | undefined) => PollResult<V>,
  done: (value: V) => string,
  usualMs?: number,
  opts: { justChanged?: boolean } = {},
): Promise<V> {
  const spinner = ctx.log.spin(`Waiting for ${what}`, { usualMs });
  const clock = ctx.clock ?? realClock;
  const g = groupOf(d as BatchDescribe<unknown>, clock);
  const started = clock.now();
  return new Promise<V>((resolve, reject) => {
    const leave = () => {
      g.waiters.delete(w);
      ctx.signal.removeEventListener("abort", interrupted);
    };
    const fail = (err: unknown) => {
      leave();
      spinner.fail();
      reject(err);
    };
    // Ctrl-C stops waiting at once: what we wait for is already recorded; a re-run waits again
    const interrupted = () => fail(new Interrupted());
    const w: Waiter = {
      id,
      settings: ctx.wait,
      fail,
      take(item) {
        let r: PollResult<V>;
        try {
          r = judge(item as T | undefined);
        } catch (err) {
          return fail(err);
        }
        if (r.failure) return fail(new CliError(`${what}: ${r.failure}`));
        if (r.done) {
          leave();
          spinner.succeed(done(r.value as V));
          return resolve(r.value as V);
        }
        const elapsed = clock.now() - started;
        spinner.update(`Waiting for ${what}: ${r.status ?? "waiting"}`);
        if (elapsed > ctx.wait.timeoutMs)
          fail(new CliError(`Timed out after ${Math.round(elapsed / 1000)} s waiting for ${what} (last state: ${r.status ?? "unknown"})`, 1, "Re-run the same command to keep waiting; nothing is lost."));
      },
    };
    if (ctx.signal.aborted) return interrupted();
    ctx.signal.addEventListener("abort", interrupted, { once: true });
    join(g, w, opts.justChanged);
  });
}

/** One look at a resource, answered by the next round of its kind's batched waits (or a round of its own). */
export function describeBatched<T>(d: BatchDescribe<T>, id: string, settings: WaitSettings, clock?: Clock): Promise<T | undefined> {
  const g = groupOf(d as BatchDescribe<unknown>, clock);
  return new Promise<T | undefined>((resolve, reject) => {
    const w: Waiter = {
      id,
      settings,
      take: (item) => {
        g.waiters.delete(w);
        resolve(item as T | undefined);
      },
      fail: (err) => {
        g.waiters.delete(w);
        reject(err);
      },
    };
    join(g, w);
  });
}

function join(g: PollGroup, w: Waiter, justChanged = false): void {
  g.waiters.add(w);
  // a newcomer is looked at now if nothing else is waiting (and its state was not just answered), else
  // with the next round (at most minDelay away)
  g.delay = w.settings.minDelayMs;
  // Changes started together (three NAT gateways created one after another) share their first look:
  // while no waiter of the group has been looked at yet, each such newcomer moves that look to a poll
  // delay after itself.
  w.fresh = justChanged;
  const noneLookedAt = justChanged && [...g.waiters].every((x) => x.fresh);
  schedule(g, g.waiters.size === 1 && !g.running && !justChanged ? 0 : w.settings.minDelayMs, noneLookedAt);
}
