// Kind "iam-role": an IAM role this plan created (e.g. the proxy instance's role). IAM List calls
// take no tag filter: a plan's roles live under the plan-scoped path /egress-cli/<plan id>/ and
// carry the plan tags; the sweep lists that path, the ownership check reads GetRole's tags.
import type { Role } from "@aws-sdk/client-iam";
import * as z from "zod";
import { errorCode } from "../../aws/errors.js";
import { orUndefined } from "../../aws/ec2.js";
import type { Context } from "../../context.js";
import type { Plan } from "../../plans/schema.js";
import { defaultName, type StepDef, type StepRun } from "../engine.js";
import { iamOf } from "./common.js";
import { byTags, defineKind, isOurs, stepTag } from "./kind.js";
import { attachedPolicyArns } from "./iam-role-policy-attachment.js";
import { taggedStep } from "./tagged.js";

/** Where this plan's roles (and instance profiles) live: the path is the plan's, so a sweep finds only its own. */
export const planPath = (plan: Pick<Plan, "planId">) => `/egress-cli/${plan.planId}/`;

const getRole = async (c: Context | StepRun, name: string): Promise<Role | undefined> =>
  (await orUndefined((await iamOf(c)).getRole({ RoleName: name })))?.Role;

export const iamRoleKind = defineKind({
  kind: "iam-role",
  attrs: z.looseObject({ roleName: z.string().optional(), arn: z.string().optional(), path: z.string().optional() }),
  owner: async (ctx, rec, plan) => byTags(await getRole(ctx, rec.id!), plan),
  // Everything on a role this plan created is the plan's: inline and attached policies go first.
  async delete(ctx, rec) {
    const iam = await iamOf(ctx);
    const name = rec.id!;
    try {
      for (const arn of await attachedPolicyArns(iam, name)) await iam.detachRolePolicy({ RoleName: name, PolicyArn: arn });
      for (const p of await iam.listRolePolicies({ RoleName: name })) await iam.deleteRolePolicy({ RoleName: name, PolicyName: p });
      await iam.deleteRole({ RoleName: name });
    } catch (err) {
      if (errorCode(err) !== "NoSuchEntity") throw err;
    }
  },
  async sweep(ctx, plan) {
    const out = [];
    for (const listed of await (await iamOf(ctx)).listRoles({ PathPrefix: planPath(plan) })) {
      const role = await getRole(ctx, listed.RoleName!); // ListRoles returns no tags
      if (role && isOurs(byTags(role, plan))) out.push({ kind: "iam-role", id: role.RoleName!, step: stepTag(role.Tags), refs: [] });
    }
    return out;
  },
});
export default iamRoleKind;

/** The name iamRoleStep gives the role of step `stepId` (known before it exists: a policy attachment step names it). */
export const roleNameOf = (planName: string, stepId: string) => defaultName(planName, stepId).replace(/[^\w+=,.@-]/g, "-").slice(0, 64);

/** A role for this plan (name: `<plan>-<step>`, at most 64 characters), trusted by `trustPolicy`. */
export function iamRoleStep(o: { id: string; label: string; trustPolicy: object; description?: string }): StepDef {
  const nameOf = (run: StepRun) => roleNameOf(run.planName, run.stepId);
  return taggedStep<Role>({
    id: o.id,
    kind: iamRoleKind.kind,
    label: o.label,
    get: (run, id) => getRole(run, id),
    // The name is the plan's and the step's: what an interrupted run created is found by it.
    find: async (run) => {
      const r = await getRole(run, nameOf(run));
      return r && r.Path === planPath(run.session.plan) && isOurs(byTags(r, run.session.plan)) ? [r] : [];
    },
    result: (r) => ({ id: r.RoleName!, attrs: { roleName: r.RoleName, arn: r.Arn, path: r.Path } }),
    create: async (run) =>
      (
        await (await iamOf(run)).createRole({
            RoleName: nameOf(run),
            Path: planPath(run.session.plan),
            AssumeRolePolicyDocument: JSON.stringify(o.trustPolicy),
            Description: o.description,
            Tags: run.tags,
          })
      ).Role!,
  });
}
