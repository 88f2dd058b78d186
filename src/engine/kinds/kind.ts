// The kind contract (docs/CONVENTIONS.md "Resource kinds"): everything egress-cli knows about one
// kind of resource lives in one module under src/engine/kinds/ and is exported as one `Kind`.
// destroy, detach-lambda, the orphan sweep and the plan schema only ever go through it.
import * as z from "zod";
import { CliError, ExitCode } from "../../errors.js";
import type { Context } from "../../context.js";
import type { Plan } from "../../plans/schema.js";
import { TAG_PLAN_ID } from "../../aws/tags.js";
import { tagsOfId } from "../../aws/ec2.js";
import { ec2Of } from "../../aws/ec2-api.js";

export type ResourceRecord = Plan["resources"][string];
/** A plan record whose attrs were checked against its kind's schema. */
export type KindRecord<A> = Pick<ResourceRecord, "kind" | "id" | "owned" | "state" | "dependsOn" | "generation" | "az" | "cidr" | "tier" | "clientToken" | "createdAt" | "deletedAt"> & {
  attrs: A;
};

/** What a crashed run of this plan left behind: found by tags (or a plan-scoped name), never recorded. */
export interface Found {
  kind: string;
  id: string;
  /** The step tag it carries ("unknown" without one). */
  step: string;
  /** Ids it uses (its VPC, subnets, groups…): an orphan is deleted before what it references. */
  refs: string[];
  /** Internet gateways: the VPC it is still attached to. */
  attachedTo?: string;
  /** Found with this profile's credentials (a consumer account's record, connect-proxy). */
  profile?: string;
  /** The resource as the sweep's answer gave it (destroy's owner checks and deletes start from it). */
  live?: unknown;
}

/**
 * What this run's sweep just saw, by kind and id (destroy: one sweep per kind, shared by the orphan
 * check, the owner checks and the deletes): a kind reads its resource from here instead of
 * describing it again; an id the sweep did not see (not tagged as this plan's, or gone) is described.
 */
export type Seen = (kind: string, id: string) => unknown;

/**
 * The live answer to "is the resource this record names ours?". `reliedOn`: ours, but something
 * that is not this plan's now depends on it (a policy on a role another plan's function uses):
 * left in place, no longer owned by the plan, and reported as kept.
 */
export type Ownership = { ours: true } | { gone: true } | { ours: false; found: string } | { reliedOn: string };

export interface Kind<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  /**
   * The record's attrs (loose: keys written by other versions are kept). A larger one is z.lazy: zod builds
   * it when a plan first holds a record of the kind (a command imports every kind it may meet).
   */
  readonly attrs: S;
  /** Is the live resource (or, for a relation, what it joins) this plan's? Asked before every delete. */
  owner(ctx: Context, rec: KindRecord<z.infer<S>>, plan: Plan, seen?: Seen): Promise<Ownership>;
  /** Deletes (or undoes, for a relation) the recorded resource; gone already is fine. */
  delete(ctx: Context, rec: KindRecord<z.infer<S>>, plan: Plan, seen?: Seen): Promise<void>;
  /** Finds what a crashed run created but never recorded (EC2: tag filters; IAM: path + tags; Lattice/RAM: tags). */
  sweep?(ctx: Context, plan: Plan): Promise<Found[]>;
  /**
   * An EC2 kind whose owner check and delete need nothing of the live resource but its tags: destroy
   * sweeps it with the plan's other such kinds in one DescribeTags (its ResourceType there), and runs
   * `sweep` only when that answer holds an id the plan does not record (an orphan needs its references).
   */
  sweptByTag?: { resourceType: string };
  /** Records (step ids) destroy must undo before this one, beyond `dependsOn`. */
  deleteAfter?(rec: KindRecord<z.infer<S>>, resources: Plan["resources"]): string[];
  /**
   * A relation that deleting another record undoes with no call of its own (a route goes with its
   * table): that record's step. When both are undone in
   * one run, this one waits for it, is recorded deleted once it is, and nothing waits for this one.
   */
  goesWith?(rec: KindRecord<z.infer<S>>, resources: Plan["resources"]): string | undefined;
  /** A pending record whose call may have gone through, and whose attrs say enough to undo it. */
  undoableWhenPending?(attrs: z.infer<S>): boolean;
}

export const isOurs = (o: Ownership): boolean => "ours" in o && o.ours;

export function defineKind<S extends z.ZodType>(k: Kind<S>): Kind<S> {
  return k;
}

/** The record with its attrs checked by its kind's schema; a record that does not fit is exit 2. */
export function typed<S extends z.ZodType>(k: Kind<S>, step: string, rec: ResourceRecord): KindRecord<z.infer<S>> {
  // jitless: a plan holds a few records of a kind, and zod's compiled fast path (a new Function per
  // schema, compiled again every run: no compile cache keeps it) costs more to build than it saves
  const r = k.attrs.safeParse(rec.attrs ?? {}, { jitless: true });
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join(".") || "attrs"}: ${i.message}`).join("; ");
    throw new CliError(`Plan record ${step} (${rec.kind}) does not fit its kind: ${why}.`, ExitCode.usage, "The plan file was edited or written by another egress-cli version.");
  }
  return { ...rec, attrs: r.data };
}

/** The records of one kind, attrs typed (the plan views commands query). */
export function recordsOf<S extends z.ZodType>(plan: Pick<Plan, "resources">, k: Kind<S>, opts: { state?: ResourceRecord["state"] | "any" } = {}): Array<[string, KindRecord<z.infer<S>>]> {
  const want = opts.state ?? "created";
  return Object.entries(plan.resources)
    .filter(([, r]) => r.kind === k.kind && (want === "any" || r.state === want))
    .map(([step, r]) => [step, typed(k, step, r)]);
}

/** The step of the created, owned record of this kind with this id (what a relation's id names). */
export function ownedStepOf(resources: Plan["resources"], kind: string, id: string | undefined): string | undefined {
  if (!id) return undefined;
  return Object.entries(resources).find(([, r]) => r.kind === kind && r.id === id && r.state === "created" && r.owned)?.[0];
}

const ArnAttrs = z.looseObject({ arn: z.string().optional() });

/** The ARN a record keeps in attrs.arn (IAM, Lattice, RAM records), if any: what a relation to it names. */
export function recordedArn(rec: Pick<ResourceRecord, "attrs"> | undefined): string | undefined {
  const r = ArnAttrs.safeParse(rec?.attrs ?? {}, { jitless: true });
  return r.success ? r.data.arn : undefined;
}

/** One record, typed, or undefined when the plan has none of that kind at that step. */
export function recordOf<S extends z.ZodType>(plan: Pick<Plan, "resources">, k: Kind<S>, step: string): KindRecord<z.infer<S>> | undefined {
  const r = plan.resources[step];
  return r && r.kind === k.kind ? typed(k, step, r) : undefined;
}

type Tags = { Key?: string; Value?: string }[] | undefined;

const describeTags = (tags: Tags | null) => (tags?.length ? tags.map((t) => `${t.Key}=${t.Value}`).join(", ") : "no tags");

/** Ownership of a tagged resource: it must carry this plan's egress-cli:plan-id. */
export function byTags(live: { Tags?: Tags } | undefined, plan: Pick<Plan, "planId">): Ownership {
  if (!live) return { gone: true };
  return live.Tags?.some((t) => t.Key === TAG_PLAN_ID && t.Value === plan.planId) ? { ours: true } : { ours: false, found: describeTags(live.Tags) };
}

/** The ids a plan recorded (created, pending or imported): what a relation may join. */
export function recordedIds(plan: Pick<Plan, "resources">): Set<string> {
  const ids = new Set<string>();
  for (const r of Object.values(plan.resources)) if (r.id && r.state !== "deleted") ids.add(r.id);
  return ids;
}

/**
 * Ownership of an untaggable relation (route, association, attachment, attribute, rule): every id
 * it joins must be one the plan recorded (created or imported) or one carrying this plan's tag.
 */
export async function byRelation(ctx: Context, plan: Pick<Plan, "resources" | "planId">, joins: Array<string | undefined | null>): Promise<Ownership> {
  const ids = recordedIds(plan);
  const unknown = [...new Set(joins.filter((j): j is string => Boolean(j) && !ids.has(j!)))];
  const foreign: string[] = [];
  if (unknown.length) {
    const ec2 = await ec2Of(ctx);
    for (const id of unknown) {
      const tags = await tagsOfId(ec2, id);
      // Gone already: the relation went with it, nothing of anyone's is left to touch.
      if (tags === undefined) continue;
      if (!tags?.some((t) => t.Key === TAG_PLAN_ID && t.Value === plan.planId)) foreign.push(`${id} (${describeTags(tags)})`);
    }
  }
  return foreign.length ? { ours: false, found: `joins ${foreign.join(", ")}, which this plan did not create or import` } : { ours: true };
}

export function tagOf(tags: Tags, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

/** The step tag of a swept resource. */
export const stepTag = (tags: Tags) => tagOf(tags, "egress-cli:step") ?? "unknown";

/** Refusal to touch a resource the plan names but does not own (exit 1). */
export function notOursError(step: string, kind: string, id: string | null, found: string, opts: { orphan?: boolean } = {}): CliError {
  return new CliError(
    `Step ${step}: ${kind}${id ? ` ${id}` : ""} is not this plan's (${found}); left untouched.`,
    ExitCode.failure,
    opts.orphan
      ? "destroy's orphan sweep listed it with this plan's tag, but its live tags or relations now say otherwise; it was not deleted. Check who owns it."
      : "The plan records it, but the live resource (or what it joins) is not this plan's: the record was edited by hand or copied from another plan, or another plan now relies on it. Fix or remove that record.",
    "NotOwned",
  );
}

export const optionalString = z.string().optional();

/** The other plan a resource belongs to (its egress-cli:plan-id is not ours), if any. */
export function otherPlanOf(tags: Tags, plan: Pick<Plan, "planId">): string | undefined {
  const id = tagOf(tags, TAG_PLAN_ID);
  return id && id !== plan.planId ? `${tagOf(tags, "egress-cli:plan") ?? "?"} (${id})` : undefined;
}

/** No command modifies a resource another plan created: exit 1 before any change. */
export function refuseOtherPlan(step: string, what: string, tags: Tags, plan: Pick<Plan, "planId">): void {
  const other = otherPlanOf(tags, plan);
  if (other) {
    throw new CliError(
      `Step ${step}: ${what} belongs to another egress-cli plan, ${other}; egress-cli does not change another plan's resources.`,
      ExitCode.failure,
      "Run the command on that plan (its --plan file), or leave this resource out.",
      "OtherPlan",
    );
  }
}
