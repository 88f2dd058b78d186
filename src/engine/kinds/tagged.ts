// The one tagged-resource pattern every taggable kind's step is built on: verify the recorded
// resource by id, else adopt what an interrupted run of this step created (found by the step's
// tags), else create it with the tags (and a client token where the API takes one).
import type { StepDef, StepResult, StepRun } from "../engine.js";

export interface TaggedStepSpec<T> extends Omit<StepDef, "verify" | "discover" | "create"> {
  /** The live resource by id (undefined when AWS says it does not exist). */
  get(run: StepRun, id: string): Promise<T | undefined>;
  /** What this step of this plan created, found by `run.stepFilters` (or a plan-scoped name). */
  find(run: StepRun): Promise<T[]>;
  /** Still usable? (a deleted NAT or endpoint is not; default: yes) */
  live?(t: T): boolean;
  /** The record's id and attrs for a live resource. */
  result(t: T): StepResult;
  /** The create call, tagged at creation; answers the created resource. */
  create(run: StepRun): Promise<T>;
}

export function taggedStep<T>(spec: TaggedStepSpec<T>): StepDef {
  const { get, find, live = () => true, result, create, ...rest } = spec;
  return {
    ...rest,
    async verify(run, rec) {
      const t = rec.id ? await get(run, rec.id) : undefined;
      return t && live(t) ? result(t) : undefined;
    },
    async discover(run) {
      const t = (await find(run)).find(live);
      return t ? result(t) : undefined;
    },
    async create(run) {
      return result(await create(run));
    },
  };
}
