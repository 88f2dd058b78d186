// The one bounded scheduler: runs jobs whose prerequisites are done, `limit` at a time. Used by
// runSteps (create in dependency order), destroyPlan and undoSteps (delete in reverse order), and as
// `bounded` (no prerequisites) by the snapshot's reads, audit's scopes and analyze-path's analyses.
// After a failure or Ctrl-C nothing new starts; what runs is awaited; the first failure wins.
// Here, below engine/ and aws/, so both use it without a layer pointing back up.

export interface DagOptions {
  /** In the order jobs are started when several are ready. */
  ids: string[];
  /** Must `id` wait? `open` holds the ids not finished yet (waiting or running). */
  waits(id: string, open: ReadonlySet<string>): boolean;
  run(id: string): Promise<void>;
  limit: number;
  signal: AbortSignal;
  /** Stop starting new jobs after the first failure (default), or keep going with the independent ones. */
  keepGoing?: (err: unknown) => boolean;
}

export interface DagResult {
  failure?: unknown;
  /** Ids never started (after a failure, Ctrl-C, or waiting on something that failed). */
  notRun: string[];
}

export async function runDag(o: DagOptions): Promise<DagResult> {
  const waiting = new Set(o.ids);
  const open = new Set(o.ids);
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  let stop = false;
  for (;;) {
    if (!stop && !o.signal.aborted) {
      for (const id of waiting) { // deleting the current item while iterating a Set is well-defined
        if (running.size >= o.limit) break;
        if (o.waits(id, open)) continue;
        waiting.delete(id);
        const p = o
          .run(id)
          .then(() => void open.delete(id))
          .catch((err) => {
            failure ??= err;
            if (!o.keepGoing?.(err)) stop = true;
          })
          .finally(() => running.delete(id));
        running.set(id, p);
      }
    }
    if (!running.size) break;
    await Promise.race(running.values());
  }
  if (!failure && !o.signal.aborted && waiting.size && !stop) throw new Error(`internal: ${[...waiting].join(", ")} can never run (dependency cycle)`);
  return { failure, notRun: [...waiting] };
}

const never = new AbortController().signal;

/**
 * Runs independent tasks, at most `limit` at a time; the results in task order. As runDag: after a
 * failure nothing new starts, the running ones are awaited, then the first failure is thrown.
 */
export async function bounded<T>(tasks: Array<() => Promise<T>>, limit: number, signal: AbortSignal = never): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let failed = false;
  const { failure } = await runDag({
    ids: tasks.map((_, i) => String(i)),
    waits: () => false,
    run: async (id) => {
      try {
        out[Number(id)] = await tasks[Number(id)]!();
      } catch (err) {
        failed = true;
        throw err;
      }
    },
    limit: Math.max(1, limit),
    signal,
  });
  if (failed) throw failure;
  return out;
}
