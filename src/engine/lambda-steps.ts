// Steps for attach-lambda and add-endpoint, and how destroy undoes each kind:
// - security-group (tagged; adopted by tags) and security-group-rule (a relation: adopted when it holds);
// - iam-role-policy-attachment (owned: only recorded when egress-cli attached the policy);
// - lambda-vpc-config (the function's previous VpcConfig is recorded by `intent` BEFORE the update,
//   so a crash cannot lose it; the deleter, also run by detach-lambda, restores it);
// - vpc-endpoint (tagged, client token; the deleter deletes and waits until it is gone).
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  ModifyVpcEndpointCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
  type ModifyVpcEndpointRequest,
  type VpcEndpoint,
} from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, DetachRolePolicyCommand, ListAttachedRolePoliciesCommand, type IAMClient } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand, type FunctionConfiguration, type LambdaClient } from "@aws-sdk/client-lambda";
import { CliError, Interrupted } from "../errors.js";
import { classifyError, errorCode } from "../aws/errors.js";
import { endpointState, isLiveEndpoint, listSecurityGroups, orUndefined, listVpcEndpoints } from "../aws/ec2.js";
import { tagSpec } from "../aws/tags.js";
import { sleep, waitWithSpinner } from "../aws/wait.js";
import type { Context } from "../context.js";
import type { ResourceRecord, StepDef, StepRun } from "./engine.js";
import type { Deleter } from "./ec2-steps.js";

const ec2Of = async (c: { ctx: Context } | Context) => (await ("ctx" in c ? c.ctx : c).aws()).ec2();
const lambdaOf = async (c: { ctx: Context } | Context) => (await ("ctx" in c ? c.ctx : c).aws()).lambda();
const iamOf = async (c: { ctx: Context } | Context) => (await ("ctx" in c ? c.ctx : c).aws()).iam();

export interface VpcConfigShape {
  SubnetIds: string[];
  SecurityGroupIds: string[];
}

// ---------- security groups ----------

export function securityGroupStep(o: { id: string; groupName: string; description: string; label: string }): StepDef {
  const find = async (run: StepRun) => {
    const found = await listSecurityGroups(await ec2Of(run), run.stepFilters);
    return found[0] ? { id: found[0].GroupId!, attrs: { groupName: found[0].GroupName, vpcId: found[0].VpcId } } : undefined;
  };
  return {
    id: o.id,
    kind: "security-group",
    label: o.label,
    dependsOn: ["vpc"],
    async verify(run, rec) {
      const g = (await orUndefined(listSecurityGroups(await ec2Of(run), undefined, [rec.id!])))?.[0];
      return g ? { id: g.GroupId!, attrs: { groupName: g.GroupName, vpcId: g.VpcId } } : undefined;
    },
    discover: find,
    async create(run) {
      const ec2 = await ec2Of(run);
      const input = { VpcId: run.ref("vpc"), GroupName: o.groupName, Description: o.description, TagSpecifications: tagSpec("security-group", run.tags) };
      try {
        const r = await ec2.send(new CreateSecurityGroupCommand(input));
        return { id: r.GroupId!, attrs: { groupName: o.groupName, vpcId: input.VpcId } };
      } catch (err) {
        // Same name in the VPC: ours if it carries our step tag (found by discover next time), else a clash.
        if (errorCode(err) === "InvalidGroup.Duplicate") {
          const mine = await find(run);
          if (mine) return mine;
          throw new CliError(`A security group named "${o.groupName}" already exists in ${input.VpcId} and was not created by this plan.`, 1, "Pass --security-group sg-… to use it, or delete it.");
        }
        throw err;
      }
    },
    dryRun: async (run) => {
      await (await ec2Of(run)).send(new CreateSecurityGroupCommand({ VpcId: run.ref("vpc"), GroupName: o.groupName, Description: o.description, DryRun: true }));
    },
  };
}

export type RuleSource = { kind: "sg"; groupId?: string; groupStep?: string; label: string } | { kind: "cidr"; cidr: string; label: string };

function permission(source: RuleSource, groupIdOf: (s: RuleSource) => string, port: number): IpPermission {
  const base = { IpProtocol: "tcp", FromPort: port, ToPort: port };
  return source.kind === "cidr"
    ? { ...base, IpRanges: [{ CidrIp: source.cidr, Description: `egress-cli: ${source.label}` }] }
    : { ...base, UserIdGroupPairs: [{ GroupId: groupIdOf(source), Description: `egress-cli: ${source.label}` }] };
}

/** Ingress tcp/<port> into a plan security group from one source (a CIDR, a group, or a plan group). */
export function ingressRuleStep(o: { id: string; groupStep: string; source: RuleSource; port: number }): StepDef {
  const groupIdOf = (run: StepRun) => (s: RuleSource) => (s.kind === "sg" ? (s.groupId ?? run.ref(s.groupStep!)) : "");
  const holds = async (run: StepRun) => {
    const groupId = run.ref(o.groupStep);
    const g = (await orUndefined(listSecurityGroups(await ec2Of(run), undefined, [groupId])))?.[0];
    const want = permission(o.source, groupIdOf(run), o.port);
    const ok = g?.IpPermissions?.some(
      (p) =>
        p.IpProtocol === "tcp" &&
        p.FromPort === o.port &&
        p.ToPort === o.port &&
        (o.source.kind === "cidr" ? p.IpRanges?.some((r) => r.CidrIp === want.IpRanges![0].CidrIp) : p.UserIdGroupPairs?.some((u) => u.GroupId === want.UserIdGroupPairs![0].GroupId)),
    );
    return ok ? { id: `${groupId}|${o.port}|${want.IpRanges?.[0]?.CidrIp ?? want.UserIdGroupPairs?.[0]?.GroupId}`, attrs: { groupId, permission: stripDescriptions(want) } } : undefined;
  };
  return {
    id: o.id,
    kind: "security-group-rule",
    label: `ingress tcp/${o.port} from ${o.source.label}`,
    dependsOn: [o.groupStep, ...(o.source.kind === "sg" && o.source.groupStep ? [o.source.groupStep] : [])],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async create(run) {
      const groupId = run.ref(o.groupStep);
      const want = permission(o.source, groupIdOf(run), o.port);
      try {
        await (await ec2Of(run)).send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [want] }));
      } catch (err) {
        if (errorCode(err) !== "InvalidPermission.Duplicate") throw err;
      }
      const key = want.IpRanges?.[0]?.CidrIp ?? want.UserIdGroupPairs?.[0]?.GroupId;
      return { id: `${groupId}|${o.port}|${key}`, attrs: { groupId, permission: stripDescriptions(want) } };
    },
  };
}

function stripDescriptions(p: IpPermission): IpPermission {
  return {
    IpProtocol: p.IpProtocol,
    FromPort: p.FromPort,
    ToPort: p.ToPort,
    ...(p.IpRanges ? { IpRanges: p.IpRanges.map((r) => ({ CidrIp: r.CidrIp })) } : {}),
    ...(p.UserIdGroupPairs ? { UserIdGroupPairs: p.UserIdGroupPairs.map((u) => ({ GroupId: u.GroupId })) } : {}),
  };
}

// ---------- IAM ----------

export async function attachedPolicyArns(iam: IAMClient, roleName: string): Promise<string[]> {
  const out: string[] = [];
  let Marker: string | undefined;
  do {
    const r = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
    out.push(...(r.AttachedPolicies ?? []).map((p) => p.PolicyArn!));
    Marker = r.IsTruncated ? r.Marker : undefined;
  } while (Marker);
  return out;
}

/** Attaches a managed policy to a role. Only ever recorded (owned) when egress-cli attached it. */
export function rolePolicyAttachmentStep(o: { id: string; roleName: string; policyArn: string; functionName: string }): StepDef {
  const holds = async (run: StepRun) =>
    (await attachedPolicyArns(await iamOf(run), o.roleName)).includes(o.policyArn) ? { id: `${o.roleName}|${o.policyArn}`, attrs: { roleName: o.roleName, policyArn: o.policyArn } } : undefined;
  return {
    id: o.id,
    kind: "iam-role-policy-attachment",
    label: `attach ${o.policyArn.split("/").pop()} to role ${o.roleName}`,
    verify: (run) => holds(run),
    // Only reached when the plan already holds this step (created or pending): the command leaves the
    // step out when the role had the permissions before, so an attachment found here is ours.
    discover: (run) => holds(run),
    async intent() {
      return { roleName: o.roleName, policyArn: o.policyArn, forFunction: o.functionName };
    },
    async create(run) {
      await (await iamOf(run)).send(new AttachRolePolicyCommand({ RoleName: o.roleName, PolicyArn: o.policyArn }));
      return { id: `${o.roleName}|${o.policyArn}`, attrs: { roleName: o.roleName, policyArn: o.policyArn } };
    },
  };
}

// ---------- Lambda VPC config ----------

export async function getFunctionConfiguration(lambda: LambdaClient, name: string): Promise<FunctionConfiguration | undefined> {
  try {
    return await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (err) {
    if (errorCode(err) === "ResourceNotFoundException") return undefined;
    throw err;
  }
}

export const vpcConfigOf = (f: FunctionConfiguration | undefined): VpcConfigShape | null =>
  f?.VpcConfig && (f.VpcConfig.SubnetIds?.length ?? 0) > 0 ? { SubnetIds: [...f.VpcConfig.SubnetIds!].sort(), SecurityGroupIds: [...(f.VpcConfig.SecurityGroupIds ?? [])].sort() } : null;

const sameConfig = (a: VpcConfigShape | null, b: VpcConfigShape | null) => JSON.stringify(a) === JSON.stringify(b);

/** Waits until no update is in progress; fails with the function's reason when the last update failed. */
export async function waitForUpdate(ctx: Context, lambda: LambdaClient, name: string, what: string, opts: { failOnFailed: boolean }): Promise<FunctionConfiguration> {
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
  for (let attempt = 1; ; attempt++) {
    try {
      return await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, VpcConfig: cfg }));
    } catch (err) {
      const code = errorCode(err);
      if (code === "ResourceConflictException" && attempt < 30) {
        await waitForUpdate(ctx, lambda, name, "Another update in progress", { failOnFailed: false });
        continue;
      }
      // IAM is eventually consistent: a policy attached seconds ago may not be visible to Lambda yet.
      if (opts.iamJustChanged && code === "InvalidParameterValueException" && /execution role does not have permissions/.test((err as Error).message) && attempt < 8) {
        await sleep(Math.min(ctx.wait.maxDelayMs, Math.max(20, ctx.wait.minDelayMs) * 2 ** attempt), ctx.signal);
        if (ctx.signal.aborted) throw new Interrupted();
        continue;
      }
      throw err;
    }
  }
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
    kind: "lambda-vpc-config",
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
export async function restoreVpcConfig(ctx: Context, rec: ResourceRecord): Promise<"restored" | "gone" | "changed-elsewhere"> {
  const a = rec.attrs as { functionName: string; previousVpcConfig?: VpcConfigShape | null; subnetIds?: string[]; securityGroupIds?: string[] };
  const lambda = await lambdaOf(ctx);
  let f = await getFunctionConfiguration(lambda, a.functionName);
  if (!f) return "gone";
  if (f.LastUpdateStatus === "InProgress") f = await waitForUpdate(ctx, lambda, a.functionName, "Waiting for an update in progress", { failOnFailed: false });
  const current = vpcConfigOf(f);
  const ours = a.subnetIds?.length ? { SubnetIds: [...a.subnetIds].sort(), SecurityGroupIds: [...(a.securityGroupIds ?? [])].sort() } : null;
  const previous = a.previousVpcConfig ?? null;
  if (sameConfig(current, previous)) return "restored";
  if (ours && !sameConfig(current, ours)) {
    ctx.log.warn(`Lambda function ${a.functionName} has a VPC config egress-cli did not set (${JSON.stringify(current)}); leaving it.`);
    return "changed-elsewhere";
  }
  await updateVpcConfig(ctx, a.functionName, previous ?? { SubnetIds: [], SecurityGroupIds: [] }, { iamJustChanged: false });
  await waitForUpdate(ctx, lambda, a.functionName, previous ? "Restoring the previous VPC config" : "Detaching from the VPC", { failOnFailed: true });
  // Its hyperplane ENIs linger for a while after a detach; wait for them when the group is ours
  // alone, so deleting that group and the subnets does not hit DependencyViolation for long.
  const groups = (ours?.SecurityGroupIds ?? []).filter((g) => !previous?.SecurityGroupIds.includes(g));
  if (groups.length) await waitForLambdaEnisGone(ctx, groups, a.functionName);
  return "restored";
}

async function waitForLambdaEnisGone(ctx: Context, groupIds: string[], functionName: string) {
  const ec2 = await ec2Of(ctx);
  await waitWithSpinner(
    ctx,
    `the release of the hyperplane ENIs of ${functionName}`,
    async () => {
      const r = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }, { Name: "group-id", Values: groupIds }] }));
      const n = r.NetworkInterfaces?.length ?? 0;
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
      const role = roleNameOf((r.attrs as { role?: unknown }).role);
      return role === roleName || (role === undefined && Boolean(opts.unknownCounts));
    })
    .map(([step, r]) => ({ step, functionName: String((r.attrs as { functionName?: unknown }).functionName ?? step.split("/")[1]) }));
}

// ---------- VPC endpoints ----------

export { listVpcEndpoints };

/** Policy JSON with object keys sorted at every level: equal documents compare equal whatever their layout. */
export function normalizePolicy(text: string | undefined | null): string | null {
  if (!text) return null;
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sortKeys) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)])) : v;
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text;
  }
}

/** AWS's default endpoint policy (what `full` means): one Allow of every action on everything to everyone. */
export function isFullAccessPolicy(text: string | undefined | null): boolean {
  if (!text) return true;
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    const stmts = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    const star = (v: unknown) => v === "*" || (Array.isArray(v) && v.length === 1 && v[0] === "*");
    return (
      stmts.length === 1 &&
      stmts.every((st) => {
        const x = st as Record<string, unknown>;
        const p = x.Principal as unknown;
        return x.Effect === "Allow" && star(x.Action) && star(x.Resource) && (star(p) || star((p as { AWS?: unknown })?.AWS)) && !x.Condition && !x.NotAction && !x.NotResource && !x.NotPrincipal;
      })
    );
  } catch {
    return false;
  }
}

const endpointAttrs = (e: VpcEndpoint) => ({
  serviceName: e.ServiceName,
  type: e.VpcEndpointType,
  state: e.State,
  vpcId: e.VpcId,
  subnetIds: e.SubnetIds ?? [],
  routeTableIds: e.RouteTableIds ?? [],
  securityGroupIds: (e.Groups ?? []).map((g) => g.GroupId),
  privateDnsEnabled: e.PrivateDnsEnabled,
  dnsNames: (e.DnsEntries ?? []).map((d) => d.DnsName),
  networkInterfaceIds: e.NetworkInterfaceIds ?? [],
  policyDocument: e.PolicyDocument ?? null,
});

export function vpcEndpointStep(o: {
  id: string;
  serviceName: string;
  type: "Interface" | "Gateway";
  subnetSteps?: string[];
  routeTableSteps?: string[];
  securityGroupStep?: string;
  policyDocument?: string;
  privateDns?: boolean;
  dependsOn?: string[];
}): StepDef {
  const input = (run: StepRun) => ({
    VpcId: run.ref("vpc"),
    ServiceName: o.serviceName,
    VpcEndpointType: o.type,
    ...(o.type === "Interface"
      ? { SubnetIds: (o.subnetSteps ?? []).map((s) => run.ref(s)), SecurityGroupIds: o.securityGroupStep ? [run.ref(o.securityGroupStep)] : undefined, PrivateDnsEnabled: o.privateDns ?? true }
      : { RouteTableIds: (o.routeTableSteps ?? []).map((s) => run.ref(s)) }),
    ...(o.policyDocument ? { PolicyDocument: o.policyDocument } : {}),
    TagSpecifications: tagSpec("vpc-endpoint", run.tags),
  });
  const waitAvailable = (run: StepRun, ec2: EC2Client, id: string) =>
    waitWithSpinner(
      run.ctx,
      `endpoint ${id} (${o.serviceName}) to become available`,
      async () => {
        const cur = (await orUndefined(listVpcEndpoints(ec2, undefined, [id])))?.[0];
        if (!cur) return { done: false, status: "not visible yet" };
        const state = endpointState(cur);
        if (state === "available") return { done: true, value: cur };
        if (["failed", "rejected", "deleted", "deleting", "expired"].includes(state)) return { done: false, failure: `went to state ${cur.State}` };
        return { done: false, status: String(cur.State) };
      },
      () => `Endpoint ${id} (${o.serviceName}) is available`,
    );
  /** What ModifyVpcEndpoint must change for the live endpoint to be the desired one. */
  const endpointChanges = (run: StepRun, e: VpcEndpoint) => {
    const request: ModifyVpcEndpointRequest = { VpcEndpointId: e.VpcEndpointId! };
    const modified: string[] = [];
    if (o.policyDocument === undefined) {
      if (!isFullAccessPolicy(e.PolicyDocument)) {
        request.ResetPolicy = true;
        modified.push("policy");
      }
    } else if (normalizePolicy(o.policyDocument) !== normalizePolicy(e.PolicyDocument)) {
      request.PolicyDocument = o.policyDocument;
      modified.push("policy");
    }
    const diff = (want: string[], live: string[]) => ({ add: want.filter((x) => !live.includes(x)), remove: live.filter((x) => !want.includes(x)) });
    if (o.type === "Interface") {
      const subnets = diff((o.subnetSteps ?? []).map((s) => run.ref(s)), e.SubnetIds ?? []);
      if (subnets.add.length) request.AddSubnetIds = subnets.add;
      if (subnets.remove.length) request.RemoveSubnetIds = subnets.remove;
      if (subnets.add.length || subnets.remove.length) modified.push("subnets");
      if (o.securityGroupStep) {
        const groups = diff([run.ref(o.securityGroupStep)], (e.Groups ?? []).map((g) => g.GroupId!));
        if (groups.add.length) request.AddSecurityGroupIds = groups.add;
        if (groups.remove.length) request.RemoveSecurityGroupIds = groups.remove;
        if (groups.add.length || groups.remove.length) modified.push("security groups");
      }
      const dns = o.privateDns ?? true;
      if (Boolean(e.PrivateDnsEnabled) !== dns) {
        request.PrivateDnsEnabled = dns;
        modified.push("private DNS");
      }
    } else {
      const tables = diff((o.routeTableSteps ?? []).map((s) => run.ref(s)), e.RouteTableIds ?? []);
      if (tables.add.length) request.AddRouteTableIds = tables.add;
      if (tables.remove.length) request.RemoveRouteTableIds = tables.remove;
      if (tables.add.length || tables.remove.length) modified.push("route tables");
    }
    return { request, modified };
  };
  return {
    id: o.id,
    kind: "vpc-endpoint",
    label: `${o.type.toLowerCase()} endpoint ${o.serviceName}`,
    dependsOn: ["vpc", ...(o.subnetSteps ?? []), ...(o.routeTableSteps ?? []), ...(o.securityGroupStep ? [o.securityGroupStep] : []), ...(o.dependsOn ?? [])],
    async verify(run, rec) {
      const e = (await orUndefined(listVpcEndpoints(await ec2Of(run), undefined, [rec.id!])))?.[0];
      return isLiveEndpoint(e) ? { id: e!.VpcEndpointId!, attrs: endpointAttrs(e!) } : undefined;
    },
    async discover(run) {
      const found = (await listVpcEndpoints(await ec2Of(run), run.stepFilters)).filter(isLiveEndpoint);
      return found[0] ? { id: found[0].VpcEndpointId!, attrs: endpointAttrs(found[0]) } : undefined;
    },
    async create(run) {
      const r = await (await ec2Of(run)).send(new CreateVpcEndpointCommand({ ...input(run), ClientToken: run.clientToken }));
      return { id: r.VpcEndpoint!.VpcEndpointId!, attrs: endpointAttrs(r.VpcEndpoint!) };
    },
    // Converge: a re-run with another policy, subnets, group or private DNS changes the live
    // endpoint (ModifyVpcEndpoint) instead of only checking that it exists.
    async settle(run, result) {
      const ec2 = await ec2Of(run);
      let e = await waitAvailable(run, ec2, result.id!);
      const { request, modified } = endpointChanges(run, e);
      if (modified.length) {
        await ec2.send(new ModifyVpcEndpointCommand(request));
        run.ctx.log.info(`Endpoint ${result.id} (${o.serviceName}): updated ${modified.join(", ")}.`);
        e = await waitAvailable(run, ec2, result.id!);
        const left = endpointChanges(run, e).modified;
        if (left.length) throw new CliError(`VPC endpoint ${result.id}: ModifyVpcEndpoint did not take effect for ${left.join(", ")}.`);
      }
      return { id: result.id, attrs: { ...endpointAttrs(e), modified } };
    },
    dryRun: async (run) => {
      const { TagSpecifications: _t, ...rest } = input(run);
      await (await ec2Of(run)).send(new CreateVpcEndpointCommand({ ...rest, DryRun: true }));
    },
  };
}

// ---------- Deleting ----------

export const deleters: Record<string, Deleter> = {
  async "security-group-rule"(ctx, rec) {
    const a = rec.attrs as { groupId: string; permission: IpPermission };
    try {
      await (await ec2Of(ctx)).send(new RevokeSecurityGroupIngressCommand({ GroupId: a.groupId, IpPermissions: [a.permission] }));
    } catch (err) {
      if (classifyError(err) !== "not-found" && errorCode(err) !== "InvalidPermission.NotFound") throw err;
    }
  },
  async "iam-role-policy-attachment"(ctx, rec) {
    const a = rec.attrs as { roleName: string; policyArn: string };
    try {
      await (await iamOf(ctx)).send(new DetachRolePolicyCommand({ RoleName: a.roleName, PolicyArn: a.policyArn }));
    } catch (err) {
      if (errorCode(err) !== "NoSuchEntity") throw err;
    }
  },
  async "lambda-vpc-config"(ctx, rec) {
    const outcome = await restoreVpcConfig(ctx, rec);
    if (outcome === "gone") ctx.log.warn(`Lambda function ${(rec.attrs as { functionName: string }).functionName} no longer exists; nothing to restore.`);
  },
  async "vpc-endpoint"(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    const cur = (await orUndefined(listVpcEndpoints(ec2, undefined, [rec.id!])))?.[0];
    if (!cur) return;
    if (endpointState(cur) !== "deleting") {
      const r = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [rec.id!] }));
      const failed = r.Unsuccessful?.find((u) => !/NotFound/.test(u.Error?.Code ?? ""));
      if (failed) throw new CliError(`Deleting VPC endpoint ${rec.id} failed: ${failed.Error?.Code}: ${failed.Error?.Message}`);
    }
    await waitWithSpinner(
      ctx,
      `VPC endpoint ${rec.id} to be deleted`,
      async () => {
        const e = (await orUndefined(listVpcEndpoints(ec2, undefined, [rec.id!])))?.[0];
        return !e || endpointState(e) === "deleted" ? { done: true } : { done: false, status: String(e.State) };
      },
      () => `VPC endpoint ${rec.id} deleted`,
    );
  },
};
