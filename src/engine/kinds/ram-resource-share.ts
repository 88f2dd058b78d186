// Kind "ram-resource-share": an AWS RAM resource share of plan resources (S2: the proxy's resource
// configuration) with account ids / OU ARNs. Tagged at creation with a client token; owned by its
// tags; swept with GetResourceShares (resourceOwner SELF + the plan-id tag filter). Its step
// converges the principals and resources of a re-run (associate what is missing, disassociate the rest).
import * as z from "zod";
import { ramOf, type Share } from "../../aws/ram.js";
import { TAG_PLAN_ID, TAG_STEP, matchesTagFilters } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { byTags, defineKind, isOurs, recordedArn, stepTag, type Found } from "./kind.js";
import { taggedStep } from "./tagged.js";

const isLive = (s: Share) => s.status !== "DELETED" && s.status !== "DELETING" && s.status !== "FAILED";

async function getShare(c: Parameters<typeof ramOf>[0], arn: string): Promise<Share | undefined> {
  try {
    return (await (await ramOf(c)).ownShares({ arns: [arn] }))[0];
  } catch (err) {
    const { errorCode } = await import("../../aws/errors.js");
    if (["UnknownResourceException", "MalformedArnException"].includes(errorCode(err))) return undefined;
    throw err;
  }
}

export const ramResourceShareKind = defineKind({
  kind: "ram-resource-share",
  attrs: z.looseObject({
    name: z.string().optional(),
    status: z.string().optional(),
    principals: z.array(z.string()).optional(),
    resourceArns: z.array(z.string()).optional(),
  }),
  async owner(ctx, rec, plan) {
    const s = rec.id ? await getShare(ctx, rec.id) : undefined;
    return byTags(s && isLive(s) ? s : undefined, plan);
  },
  async delete(ctx, rec) {
    const s = await getShare(ctx, rec.id!);
    if (s && isLive(s)) await (await ramOf(ctx)).remove(rec.id!);
  },
  async sweep(ctx, plan): Promise<Found[]> {
    const ram = await ramOf(ctx);
    // The tag filter is checked here too: an endpoint that ignores it must not hand us others' shares.
    const shares = (await ram.ownShares({ tags: [{ Key: TAG_PLAN_ID, Value: plan.planId }] })).filter((s) => isLive(s) && isOurs(byTags(s, plan)));
    // refs: the shared resources' ids (the last part of their ARNs), so an orphan share goes before them.
    return Promise.all(
      shares.map(async (s) => ({ kind: "ram-resource-share", id: s.resourceShareArn, step: stepTag(s.Tags), refs: (await ram.associated(s.resourceShareArn, "RESOURCE")).map((a) => a.split("/").pop()!) })),
    );
  },
});
export default ramResourceShareKind;

/**
 * A share of the resources recorded at `resourceSteps` (their attrs.arn) with `principals`.
 * Principals and resources are converged on every run: a re-run with another --share-with
 * associates the new ones and disassociates the ones no longer asked for.
 */
export function ramResourceShareStep(o: { id: string; resourceSteps: string[]; principals: string[]; label?: string }): StepDef {
  const arnsOf = (run: StepRun) =>
    o.resourceSteps.map((s) => {
      const arn = recordedArn(run.record(s));
      if (!arn) throw new Error(`internal: step ${o.id} needs the ARN of ${s}, which is not recorded`);
      return arn;
    });
  const nameOf = (run: StepRun) => run.tags.find((t) => t.Key === "Name")!.Value;
  const attrsOf = (s: Share, run: StepRun) => ({ name: s.name, status: s.status, principals: [...o.principals].sort(), resourceArns: arnsOf(run) });
  return taggedStep<Share>({
    id: o.id,
    kind: ramResourceShareKind.kind,
    label: o.label ?? `RAM resource share with ${o.principals.join(", ")}`,
    dependsOn: o.resourceSteps,
    get: (run, arn) => getShare(run, arn),
    find: async (run) =>
      (
        await (await ramOf(run)).ownShares({
          tags: [
            { Key: TAG_PLAN_ID, Value: run.session.plan.planId },
            { Key: TAG_STEP, Value: run.stepId },
          ],
        })
      ).filter((s) => matchesTagFilters(s.Tags, run.stepFilters)),
    live: isLive,
    result: (s) => ({ id: s.resourceShareArn, attrs: { name: s.name, status: s.status } }),
    create: async (run) => (await ramOf(run)).create({ name: nameOf(run), resourceArns: arnsOf(run), principals: o.principals, clientToken: run.clientToken, tags: run.tags }),
    async settle(run, result) {
      const ram = await ramOf(run);
      const arn = result.id!;
      const diff = (want: string[], have: string[]) => ({ add: want.filter((x) => !have.includes(x)), remove: have.filter((x) => !want.includes(x)) });
      const p = diff(o.principals, await ram.associated(arn, "PRINCIPAL"));
      const r = diff(arnsOf(run), await ram.associated(arn, "RESOURCE"));
      if (p.add.length || r.add.length) await ram.associate(arn, { principals: p.add.length ? p.add : undefined, resourceArns: r.add.length ? r.add : undefined });
      if (p.remove.length || r.remove.length) await ram.disassociate(arn, { principals: p.remove.length ? p.remove : undefined, resourceArns: r.remove.length ? r.remove : undefined });
      const s = await getShare(run, arn);
      return { id: arn, attrs: attrsOf(s ?? { resourceShareArn: arn, Tags: [] }, run) };
    },
  });
}
