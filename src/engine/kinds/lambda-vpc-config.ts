// Kind "lambda-vpc-config": a Lambda function attached to the plan's subnets (a relation on a
// function egress-cli does not own). The function's previous VpcConfig is recorded by `intent`
// BEFORE the update, so a crash cannot lose it; the deleter (destroy, detach-lambda) restores it.
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type { LambdaApi } from "../../aws/lambda-api.js";
import * as z from "zod";
import { CliError } from "../../errors.js";
import { errorCode } from "../../aws/errors.js";
import { waitWithSpinner } from "../../aws/wait.js";
import { eventually } from "../../aws/retry.js";
import type { Context } from "../../context.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of, lambdaOf } from "./common.js";
import { byRelation, defineKind, otherPlanOf, recordedIds, type KindRecord, type ResourceRecord } from "./kind.js";
import { tagsOfId } from "../../aws/ec2.js";
import { TAG_PLAN_ID } from "../../aws/tags.js";
import type { Plan } from "../../plans/schema.js";

export interface VpcConfigShape {
  SubnetIds: string[];
  SecurityGroupIds: string[];
}

const VpcConfigSchema = z.lazy(() => z.looseObject({ SubnetIds: z.array(z.string()), SecurityGroupIds: z.array(z.string()) }));
const LambdaVpcConfigAttrs = z.lazy(() => z.looseObject({
  functionName: z.string().optional(),
  functionArn: z.string().optional(),
  role: z.string().optional(),
  subnetIds: z.array(z.string()).optional(),
  securityGroupIds: z.array(z.string()).optional(),
  vpcId: z.string().optional(),
  lastUpdateStatus: z.string().optional(),
  /** The function's VpcConfig before egress-cli changed it (null: none); absent: not known yet. */
  previousVpcConfig: VpcConfigSchema.nullable().optional(),
}));

export const lambdaVpcConfigKind = defineKind({
  kind: "lambda-vpc-config",
  attrs: LambdaVpcConfigAttrs,
  undoableWhenPending: (a) => Boolean(a.functionName) && a.previousVpcConfig !== undefined,
  // The config egress-cli set must join this plan's subnets (the group may be the user's own --security-group).
  owner: async (ctx, rec, plan) => byRelation(ctx, plan, rec.attrs.subnetIds ?? []),
  async delete(ctx, rec) {
    const outcome = await restoreVpcConfig(ctx, rec);
    if (outcome === "gone") ctx.log.warn(`Lambda function ${rec.attrs.functionName} no longer exists; nothing to restore.`);
  },
});

type LambdaVpcConfigRecord = KindRecord<z.infer<typeof LambdaVpcConfigAttrs>>;

export async function getFunctionConfiguration(lambda: LambdaApi, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return await lambda.getFunctionConfiguration({ FunctionName: name });
  } catch (err) {
    if (errorCode(err) === "ResourceNotFoundException") return undefined;
    throw err;
  }
}

export const vpcConfigOf = (f: FunctionConfiguration | undefined): VpcConfigShape | null =>
  f?.VpcConfig && (f.VpcConfig.SubnetIds?.length ?? 0) > 0 ? { SubnetIds: [...f.VpcConfig.SubnetIds!].sort(), SecurityGroupIds: [...(f.VpcConfig.SecurityGroupIds ?? [])].sort() } : null;

const sameConfig = (a: VpcConfigShape | null, b: VpcConfigShape | null) => JSON.stringify(a) === JSON.stringify(b);

/** Waits until no update is in progress; fails with the function's reason when the last update failed. */
export async function waitForUpdate(ctx: Context, lambda: LambdaApi, name: string, what: string, opts: { failOnFailed: boolean }): Promise<FunctionConfiguration> {
  return waitWithSpinner(
    ctx,
    `${what}: the update of Lambda function ${name} (LastUpdateStatus)`,
    async () => {
      const cur = await getFunctionConfiguration(lambda, name);
      if (!cur) return { done: false, failure: "the function no longer exists" };
      if (cur.LastUpdateStatus === "InProgress") return { done: false, status: "InProgress" };
      if (cur.LastUpdateStatus === "Failed" && opts.failOnFailed) {
        return { done: false, failure: `LastUpdateStatus Failed: ${cur.LastUpdateStatusReasonCode ?? ""} ${cur.LastUpdateStatusReason ?? ""}`.trim() };
      }
      return { done: true, value: cur };
    },
    (f) => `${what}: ${name} ${f.LastUpdateStatus}`,
  );
}

/** Sends UpdateFunctionConfiguration, waiting out an update in progress and IAM propagation. */
async function updateVpcConfig(ctx: Context, name: string, cfg: VpcConfigShape, opts: { iamJustChanged: boolean }) {
  const lambda = await lambdaOf(ctx);
  const inProgress = (err: unknown) => errorCode(err) === "ResourceConflictException";
  // IAM is eventually consistent: a policy attached seconds ago may not be visible to Lambda yet.
  const roleNotYet = (err: unknown) => opts.iamJustChanged && errorCode(err) === "InvalidParameterValueException" && /execution role does not have permissions/.test((err as Error).message);
  return eventually(ctx, () => lambda.updateFunctionConfiguration({ FunctionName: name, VpcConfig: cfg }), {
    attempts: 30,
    retryOn: (err, attempt) => inProgress(err) || (roleNotYet(err) && attempt < 8),
    firstDelayMs: 2 * Math.max(20, ctx.wait.minDelayMs),
    // Another update in progress: waiting for it to end is the pause.
    beforeRetry: async (err) => inProgress(err) && (await waitForUpdate(ctx, lambda, name, "Another update in progress", { failOnFailed: false }), true),
  });
}

export function lambdaVpcConfigStep(o: {
  id: string;
  functionName: string;
  subnetIds: string[];
  securityGroupId?: string;
  securityGroupStep?: string;
  dependsOn: string[];
  iamStep?: string;
}): StepDef {
  const desired = (run: StepRun): VpcConfigShape => ({
    SubnetIds: [...o.subnetIds].sort(),
    SecurityGroupIds: [o.securityGroupId ?? run.ref(o.securityGroupStep!)],
  });
  const attrsOf = (f: FunctionConfiguration) => ({
    functionName: f.FunctionName,
    functionArn: f.FunctionArn,
    role: f.Role,
    subnetIds: f.VpcConfig?.SubnetIds ?? [],
    securityGroupIds: f.VpcConfig?.SecurityGroupIds ?? [],
    vpcId: f.VpcConfig?.VpcId,
    lastUpdateStatus: f.LastUpdateStatus,
  });
  const holds = async (run: StepRun) => {
    const f = await getFunctionConfiguration(await lambdaOf(run), o.functionName);
    if (!f) throw new CliError(`Lambda function ${o.functionName} no longer exists.`);
    return sameConfig(vpcConfigOf(f), desired(run)) && f.LastUpdateStatus !== "Failed" ? { id: f.FunctionArn!, attrs: attrsOf(f) } : undefined;
  };
  return {
    id: o.id,
    kind: lambdaVpcConfigKind.kind,
    label: `VPC config of Lambda function ${o.functionName}`,
    dependsOn: [...o.dependsOn, ...(o.securityGroupStep ? [o.securityGroupStep] : []), ...(o.iamStep ? [o.iamStep] : [])],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async intent(run) {
      // A pending record already holds the config from before the first attempt: keep it.
      const rec = run.record(run.stepId);
      if (rec?.state === "pending" && rec.attrs && "previousVpcConfig" in rec.attrs) return { previousVpcConfig: rec.attrs.previousVpcConfig, functionName: o.functionName };
      const f = await getFunctionConfiguration(await lambdaOf(run), o.functionName);
      if (!f) throw new CliError(`Lambda function ${o.functionName} no longer exists.`);
      return { functionName: o.functionName, functionArn: f.FunctionArn, role: f.Role, previousVpcConfig: vpcConfigOf(f) };
    },
    async create(run) {
      const iamJustChanged = Boolean(o.iamStep && run.record(o.iamStep)?.createdAt && Date.now() - Date.parse(run.record(o.iamStep)!.createdAt!) < 120_000);
      const f = await updateVpcConfig(run.ctx, o.functionName, desired(run), { iamJustChanged });
      return { id: f.FunctionArn!, attrs: attrsOf(f as FunctionConfiguration) };
    },
    async settle(run, result) {
      const f = await waitForUpdate(run.ctx, await lambdaOf(run), o.functionName, "Attaching to the VPC", { failOnFailed: true });
      if (!sameConfig(vpcConfigOf(f), desired(run))) throw new CliError(`Lambda function ${o.functionName}: the VPC config did not take effect (now ${JSON.stringify(f.VpcConfig ?? null)}).`);
      return { id: result.id, attrs: attrsOf(f) };
    },
  };
}

/** Puts a function back on the VPC config recorded before egress-cli changed it. */
export async function restoreVpcConfig(ctx: Context, rec: LambdaVpcConfigRecord): Promise<"restored" | "gone" | "changed-elsewhere"> {
  const a = { ...rec.attrs, functionName: rec.attrs.functionName ?? "" };
  const lambda = await lambdaOf(ctx);
  let f = await getFunctionConfiguration(lambda, a.functionName);
  if (!f) return "gone";
  if (f.LastUpdateStatus === "InProgress") f = await waitForUpdate(ctx, lambda, a.functionName, "Waiting for an update in progress", { failOnFailed: false });
  const current = vpcConfigOf(f);
  const ours = a.subnetIds?.length ? { SubnetIds: [...a.subnetIds].sort(), SecurityGroupIds: [...(a.securityGroupIds ?? [])].sort() } : null;
  let previous = a.previousVpcConfig ?? null;
  if (sameConfig(current, previous)) return "restored";
  if (ours && !sameConfig(current, ours)) {
    ctx.log.warn(`Lambda function ${a.functionName} has a VPC config egress-cli did not set (${JSON.stringify(current)}); leaving it.`);
    return "changed-elsewhere";
  }
  if (previous) {
    // The config it had may be gone since (another plan destroyed its subnets): Lambda would refuse
    // it on every re-run and the destroy could never finish. "No VPC" is what can be restored.
    const missing = await missingIds(ctx, [...previous.SubnetIds, ...previous.SecurityGroupIds]);
    if (missing.length) {
      ctx.log.warn(`Lambda function ${a.functionName}: its previous VPC config names ${missing.join(", ")}, which no longer exist; detaching it from the VPC instead (no VPC config).`);
      previous = null;
    }
  }
  await updateVpcConfig(ctx, a.functionName, previous ?? { SubnetIds: [], SecurityGroupIds: [] }, { iamJustChanged: false });
  await waitForUpdate(ctx, lambda, a.functionName, previous ? "Restoring the previous VPC config" : "Detaching from the VPC", { failOnFailed: true });
  // Its hyperplane ENIs linger for a while after a detach; wait for them when the group is ours
  // alone, so deleting that group and the subnets does not hit DependencyViolation for long.
  const groups = (ours?.SecurityGroupIds ?? []).filter((g) => !previous?.SecurityGroupIds.includes(g));
  if (groups.length) await waitForLambdaEnisGone(ctx, groups, a.functionName);
  return "restored";
}

/** Which of these subnet / security group ids no longer exist. */
async function missingIds(ctx: Context, ids: string[]): Promise<string[]> {
  const ec2 = await ec2Of(ctx);
  const out: string[] = [];
  for (const id of ids) if ((await tagsOfId(ec2, id)) === undefined) out.push(id);
  return out;
}

/**
 * Who a function's current VPC config belongs to, before attach-lambda moves it: each subnet and
 * group is this plan's (recorded, or tagged with its id), the user's choice (named on the command
 * line), another plan's (its egress-cli:plan-id), or none of these (set by someone else).
 */
export async function vpcConfigOwners(ctx: Context, plan: Plan, cfg: VpcConfigShape, named: string[]): Promise<{ otherPlans: string[]; unnamed: string[] }> {
  const ec2 = await ec2Of(ctx);
  const ours = recordedIds(plan);
  const out = { otherPlans: [] as string[], unnamed: [] as string[] };
  for (const id of [...cfg.SubnetIds, ...cfg.SecurityGroupIds]) {
    if (ours.has(id) || named.includes(id)) continue;
    const tags = await tagsOfId(ec2, id);
    if (tags === undefined) continue; // gone: nothing of anyone's left there
    if (tags?.some((t) => t.Key === TAG_PLAN_ID && t.Value === plan.planId)) continue;
    const other = otherPlanOf(tags ?? undefined, plan);
    if (other) out.otherPlans.push(`${id} (plan ${other})`);
    else out.unnamed.push(id);
  }
  return out;
}

async function waitForLambdaEnisGone(ctx: Context, groupIds: string[], functionName: string) {
  const ec2 = await ec2Of(ctx);
  await waitWithSpinner(
    ctx,
    `the release of the hyperplane ENIs of ${functionName}`,
    async () => {
      const n = (await ec2.describeNetworkInterfaces({ Filters: [{ Name: "interface-type", Values: ["lambda"] }, { Name: "group-id", Values: groupIds }] })).length;
      return n === 0 ? { done: true } : { done: false, status: `${n} ENI(s) left` };
    },
    () => `Hyperplane ENIs of ${functionName} released`,
  );
}

// ---------- Who still needs a role's ENI permissions ----------

export const roleNameOf = (arn: unknown): string | undefined => (typeof arn === "string" && arn ? arn.split("/").pop() : undefined);

/**
 * Functions of the plan (other than `exceptStep`'s) whose VPC config is in place (or may be: a
 * pending record) and runs under `roleName`: the ENI policy on that role must stay for them.
 * A record without a recorded role counts when `unknownCounts` (the conservative answer).
 */
export function functionsUsingRole(resources: Record<string, ResourceRecord>, roleName: string, opts: { exceptStep?: string; unknownCounts?: boolean } = {}): Array<{ step: string; functionName: string }> {
  return Object.entries(resources)
    .filter(([step, r]) => step !== opts.exceptStep && r.kind === "lambda-vpc-config" && r.state !== "deleted")
    .filter(([, r]) => {
      const role = roleNameOf(r.attrs.role);
      return role === roleName || (role === undefined && Boolean(opts.unknownCounts));
    })
    .map(([step, r]) => ({ step, functionName: String(r.attrs.functionName ?? step.split("/")[1]) }));
}


export default lambdaVpcConfigKind;
