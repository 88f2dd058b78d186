// The one tagged-resource pattern every taggable kind's step is built on: verify the recorded
// resource by id, else adopt what an interrupted run of this step created (found by the step's
// tags), else create it with the tags (and a client token where the API takes one).
import type { Filter } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../../aws/ec2-api.js";
import type { Context } from "../../context.js";
import type { Plan } from "../../plans/schema.js";
import { matchesTagFilters, planFilters } from "../../aws/tags.js";
import type { StepDef, StepResult, StepRun } from "../engine.js";
import { ec2Of, retryDependency } from "./common.js";
import { byTags, stepTag, type Found, type Ownership, type Seen } from "./kind.js";

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
    adoptsOnly: true,
    async verify(run, rec) {
      const t = rec.id ? await get(run, rec.id) : undefined;
      return t && live(t) ? result(t) : undefined;
    },
    async discover(run) {
      const t = (await find(run)).find(live);
      return t ? result(t) : undefined;
    },
    async create(run) {
      const t = await create(run);
      const r = result(t);
      r.answer = t; // set on the result's own object: a spread followed by a member is Node 20's slow path
      return r;
    },
  };
}

type Tagged = { Tags?: { Key?: string; Value?: string }[] };

/** A taggable EC2 resource type: read one by id, list by filters; what it references. */
export interface Ec2Type<T extends Tagged> {
  kind: string;
  get(ec2: Ec2Api, id: string): Promise<T | undefined>;
  list(ec2: Ec2Api, filters: Filter[]): Promise<T[]>;
  idOf(t: T): string;
  /** Ids it uses (an orphan is deleted before them). */
  refs?(t: T): Array<string | undefined>;
  /** Still there for our purposes (a deleted NAT gateway is not). */
  live?(t: T): boolean;
  /** Internet gateways: the VPC an orphan is still attached to. */
  attachedTo?(t: T): string | undefined;
  /**
   * Swept by the plan's one DescribeTags (Kind.sweptByTag), as this ResourceType: then what `seen` gives
   * its owner check and deleter may be no more than its tags, and the deleter must not need more.
   */
  resourceType?: string;
}

/**
 * owner (by tags), delete (the call, retried while a dependent is still going away) and sweep (plan
 * tag filter) of an EC2 type. With what destroy's sweep just saw (`seen`), owner and delete start
 * from that answer instead of describing the resource again; `remove` gets it on its first try
 * only (a retry reads afresh).
 */
export function ec2KindParts<T extends Tagged>(type: Ec2Type<T>, remove: (ctx: Context, ec2: Ec2Api, id: string, seen: T | undefined, plan: Plan | undefined) => Promise<unknown>) {
  const live = type.live ?? (() => true);
  const seenOf = (seen: Seen | undefined, id: string) => seen?.(type.kind, id) as T | undefined;
  return {
    ...(type.resourceType ? { sweptByTag: { resourceType: type.resourceType } } : {}),
    async owner(ctx: Context, rec: { id: string | null }, plan: Plan, seen?: Seen): Promise<Ownership> {
      const t = seenOf(seen, rec.id!) ?? (await type.get(await ec2Of(ctx), rec.id!));
      return byTags(t && live(t) ? t : undefined, plan);
    },
    async delete(ctx: Context, rec: { id: string | null }, plan?: Plan, seen?: Seen) {
      const ec2 = await ec2Of(ctx);
      let first = seenOf(seen, rec.id!);
      await retryDependency(ctx, () => {
        const t = first;
        first = undefined;
        return remove(ctx, ec2, rec.id!, t, plan);
      });
    },
    async sweep(ctx: Context, plan: Plan): Promise<Found[]> {
      // The tag filter is checked here too: an endpoint that ignores it must not hand us others' resources.
      const filters = planFilters(plan);
      return (await type.list(await ec2Of(ctx), filters)).filter((t) => matchesTagFilters(t.Tags, filters)).map((t) => ({
        kind: type.kind,
        id: type.idOf(t),
        step: stepTag(t.Tags),
        refs: (type.refs?.(t) ?? []).filter((x): x is string => Boolean(x)),
        ...(type.attachedTo ? { attachedTo: type.attachedTo(t) } : {}),
        live: t,
      }));
    },
  };
}

/** A step for an EC2 type: verify by id, adopt by the step's tags, create tagged. */
export function ec2Step<T extends Tagged>(type: Ec2Type<T>, spec: Omit<TaggedStepSpec<T>, "get" | "find" | "kind">): StepDef {
  return taggedStep<T>({
    live: type.live,
    ...spec,
    kind: type.kind,
    get: async (run, id) => type.get(await ec2Of(run), id),
    find: async (run) => (await type.list(await ec2Of(run), run.stepFilters)).filter((t) => matchesTagFilters(t.Tags, run.stepFilters)),
  });
}
