// The one bounded scheduler: runs jobs whose prerequisites are done, `limit` at a time. Used by
// runSteps (create in dependency order), destroyPlan and undoSteps (delete in reverse order).
// After a failure or Ctrl-C nothing new starts; what runs is awaited; the first failure wins.

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
      for (const id of [...waiting]) {
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
