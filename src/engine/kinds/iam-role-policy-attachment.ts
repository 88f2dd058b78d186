// Kind "iam-role-policy-attachment": the ENI policy on a function's execution role. Only ever
// recorded (owned) when egress-cli attached it; detached only when no function of the plan on
// that role is still in the VPC (another may rely on the same attachment).
import type { IamApi } from "../../aws/iam-api.js";
import * as z from "zod";
import { classifyError, errorCode } from "../../aws/errors.js";
import type { StepDef, StepRun } from "../engine.js";
import { iamOf, lambdaOf } from "./common.js";
import { defineKind, recordedIds, type Ownership } from "./kind.js";
import { functionsUsingRole } from "./lambda-vpc-config.js";

export const rolePolicyAttachmentKind = defineKind({
  kind: "iam-role-policy-attachment",
  attrs: z.looseObject({ roleName: z.string().optional(), policyArn: z.string().optional(), forFunction: z.string().optional() }),
  undoableWhenPending: (a) => Boolean(a.roleName && a.policyArn),
  deleteAfter: (rec, resources) => (rec.attrs.roleName ? functionsUsingRole(resources, rec.attrs.roleName, { unknownCounts: true }).map((f) => f.step) : []),
  // The role is a relation's end: the role of a function this plan attaches (its intent names the
  // function before the call), or a role the plan created. And a relation's other ends decide too:
  // a function on that role still in a VPC (another plan's attachment, or the user's own config)
  // needs the ENI permissions, so the policy stays (asked after this plan's functions were restored).
  async owner(ctx, rec, plan): Promise<Ownership> {
    const role = rec.attrs.roleName;
    const known =
      Boolean(rec.attrs.forFunction) ||
      Object.values(plan.resources).some(
        (r) => r.state !== "deleted" && ((r.kind === "lambda-vpc-config" && roleFromArn(r.attrs.role) === role) || (r.kind === "iam-role" && r.id === role)),
      );
    if (!known) return { ours: false, found: `role ${role} is not the role of a function or a role this plan recorded` };
    if (!role || !rec.attrs.policyArn?.endsWith("/AWSLambdaVPCAccessExecutionRole")) return { ours: true };
    let inVpc: Array<{ FunctionName?: string; VpcConfig?: { SubnetIds?: string[]; VpcId?: string } }>;
    try {
      inVpc = (await (await lambdaOf(ctx)).listFunctions({})).filter((f) => roleFromArn(f.Role) === role && (f.VpcConfig?.SubnetIds?.length ?? 0) > 0);
    } catch (err) {
      if (classifyError(err) !== "auth") throw err;
      return { reliedOn: `could not list Lambda functions (${errorCode(err)}) to prove no function on role ${role} still runs in a VPC; detach it yourself once none does` };
    }
    // This plan's own attachments (its subnets) are undone first (deleteAfter); detach-lambda keeps the policy for them.
    const ids = recordedIds(plan);
    inVpc = inVpc.filter((f) => !(f.VpcConfig?.SubnetIds ?? []).every((s) => ids.has(s)));
    if (!inVpc.length) return { ours: true };
    const names = inVpc.map((f) => `${f.FunctionName} (in ${f.VpcConfig?.VpcId ?? f.VpcConfig?.SubnetIds?.join(", ")})`).join(", ");
    return { reliedOn: `role ${role} is the execution role of ${names}, which this plan no longer attaches and which needs its ENI permissions; detach the policy yourself once no function on the role is in a VPC` };
  },
  async delete(ctx, rec) {
    if (!rec.attrs.roleName || !rec.attrs.policyArn) return;
    try {
      await (await iamOf(ctx)).detachRolePolicy({ RoleName: rec.attrs.roleName, PolicyArn: rec.attrs.policyArn });
    } catch (err) {
      if (errorCode(err) !== "NoSuchEntity") throw err;
    }
  },
});

const roleFromArn = (arn: unknown) => (typeof arn === "string" && arn ? arn.split("/").pop() : undefined);

export async function attachedPolicyArns(iam: IamApi, roleName: string): Promise<string[]> {
  return (await iam.listAttachedRolePolicies({ RoleName: roleName })).map((p) => p.PolicyArn!);
}

/** Attaches a managed policy to a role. Only ever recorded (owned) when egress-cli attached it. */
export function rolePolicyAttachmentStep(o: { id: string; roleName: string; policyArn: string; functionName?: string }): StepDef {
  const holds = async (run: StepRun) =>
    (await attachedPolicyArns(await iamOf(run), o.roleName)).includes(o.policyArn) ? { id: `${o.roleName}|${o.policyArn}`, attrs: { roleName: o.roleName, policyArn: o.policyArn } } : undefined;
  return {
    id: o.id,
    kind: rolePolicyAttachmentKind.kind,
    label: `attach ${o.policyArn.split("/").pop()} to role ${o.roleName}`,
    verify: (run) => holds(run),
    // Only reached when the plan already holds this step (created or pending): the command leaves the
    // step out when the role had the permissions before, so an attachment found here is ours.
    discover: (run) => holds(run),
    async intent() {
      return { roleName: o.roleName, policyArn: o.policyArn, ...(o.functionName ? { forFunction: o.functionName } : {}) };
    },
    async create(run) {
      await (await iamOf(run)).attachRolePolicy({ RoleName: o.roleName, PolicyArn: o.policyArn });
      return { id: `${o.roleName}|${o.policyArn}`, attrs: { roleName: o.roleName, policyArn: o.policyArn } };
    },
  };
}

export default rolePolicyAttachmentKind;
