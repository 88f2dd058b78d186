// Kind "iam-instance-profile": an instance profile holding one plan role (what an EC2 instance
// launches with). Under the plan-scoped path, tagged; the sweep lists that path. Its deleter
// removes the roles first (IAM refuses to delete a profile that still holds one).
import type { InstanceProfile } from "@aws-sdk/client-iam";
import * as z from "zod";
import { errorCode } from "../../aws/errors.js";
import { orUndefined } from "../../aws/ec2.js";
import type { Context } from "../../context.js";
import type { StepDef, StepRun } from "../engine.js";
import { iamOf } from "./common.js";
import { byTags, defineKind, isOurs, stepTag } from "./kind.js";
import { planPath } from "./iam-role.js";
import { taggedStep } from "./tagged.js";

const getProfile = async (c: Context | StepRun, name: string): Promise<InstanceProfile | undefined> =>
  (await orUndefined((await iamOf(c)).getInstanceProfile({ InstanceProfileName: name })))?.InstanceProfile;

export const instanceProfileKind = defineKind({
  kind: "iam-instance-profile",
  attrs: z.looseObject({ arn: z.string().optional(), roleName: z.string().optional() }),
  owner: async (ctx, rec, plan) => byTags(await getProfile(ctx, rec.id!), plan),
  async delete(ctx, rec) {
    const iam = await iamOf(ctx);
    const p = await getProfile(ctx, rec.id!);
    if (!p) return;
    for (const r of p.Roles ?? []) await iam.removeRoleFromInstanceProfile({ InstanceProfileName: rec.id!, RoleName: r.RoleName! });
    try {
      await iam.deleteInstanceProfile({ InstanceProfileName: rec.id! });
    } catch (err) {
      if (errorCode(err) !== "NoSuchEntity") throw err;
    }
  },
  async sweep(ctx, plan) {
    const out = [];
    for (const p of await (await iamOf(ctx)).listInstanceProfiles({ PathPrefix: planPath(plan) })) {
      const tagged = (await getProfile(ctx, p.InstanceProfileName!)) ?? p;
      if (isOurs(byTags(tagged, plan))) out.push({ kind: "iam-instance-profile", id: p.InstanceProfileName!, step: stepTag(tagged.Tags), refs: (p.Roles ?? []).map((x) => x.RoleName!) });
    }
    return out;
  },
});
export default instanceProfileKind;

/** An instance profile of this plan holding the role of `roleStep` (added in the same step). */
export function instanceProfileStep(o: { id: string; roleStep: string }): StepDef {
  const nameOf = (run: StepRun) => run.tags.find((t) => t.Key === "Name")!.Value.replace(/[^\w+=,.@-]/g, "-").slice(0, 128);
  const withRole = async (run: StepRun, p: InstanceProfile) => {
    const role = run.ref(o.roleStep);
    if (p.Roles?.some((r) => r.RoleName === role)) return p;
    await (await iamOf(run)).addRoleToInstanceProfile({ InstanceProfileName: p.InstanceProfileName!, RoleName: role });
    return (await getProfile(run, p.InstanceProfileName!)) ?? p;
  };
  const step = taggedStep<InstanceProfile>({
    id: o.id,
    kind: instanceProfileKind.kind,
    label: "IAM instance profile",
    dependsOn: [o.roleStep],
    get: (run, id) => getProfile(run, id),
    find: async (run) => {
      const p = await getProfile(run, nameOf(run));
      return p && p.Path === planPath(run.session.plan) && isOurs(byTags(p, run.session.plan)) ? [p] : [];
    },
    result: (p) => ({ id: p.InstanceProfileName!, attrs: { arn: p.Arn, roleName: p.Roles?.[0]?.RoleName } }),
    create: async (run) =>
      (await (await iamOf(run)).createInstanceProfile({ InstanceProfileName: nameOf(run), Path: planPath(run.session.plan), Tags: run.tags })).InstanceProfile!,
    // The role goes in after create/adopt: a crash between the two is finished by the re-run.
    settle: async (run, result) => {
      const p = await getProfile(run, result.id!);
      return p ? { id: result.id, attrs: { arn: p.Arn, roleName: (await withRole(run, p)).Roles?.[0]?.RoleName } } : undefined;
    },
  });
  return step;
}
