// Kind "vpc-endpoint": an interface or gateway endpoint (tagged, client token). Its step converges
// a re-run's policy, subnets, group and private DNS (ModifyVpcEndpoint); the deleter deletes and
// waits until it is gone.
import type { ModifyVpcEndpointRequest, VpcEndpoint } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../../aws/ec2-api.js";
import * as z from "zod";
import { CliError } from "../../errors.js";
import { endpointState, isGoneEndpoint, isLiveEndpoint, listVpcEndpoints, orUndefined } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import { type BatchDescribe, waitBatched } from "../../aws/wait.js";
import type { StepDef, StepRun } from "../engine.js";
import type { Context } from "../../context.js";
import { deleteAndWaitBatched, ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";
import { byText } from "../../order.js";

const getEndpoint = async (ec2: Ec2Api, id: string) => (await orUndefined(listVpcEndpoints(ec2, undefined, [id])))?.[0];

/** Endpoints awaited at once are polled together (a filter: an id not visible yet is just absent). */
const endpointBatch = (ec2: Ec2Api): BatchDescribe<VpcEndpoint> => ({
  client: ec2,
  kind: "vpc-endpoint",
  describe: (ids) => listVpcEndpoints(ec2, [{ Name: "vpc-endpoint-id", Values: ids }]),
  idOf: (e) => e.VpcEndpointId,
});

/** Waits until the endpoint is available; endpoints awaited at once (Interface, Gateway or Resource) share one Describe a round. */
export const waitEndpointAvailable = (ctx: Context, ec2: Ec2Api, id: string, what: string): Promise<VpcEndpoint> =>
  waitBatched(
    ctx,
    `${what} to become available`,
    endpointBatch(ec2),
    id,
    (cur) => {
      if (!cur) return { done: false, status: "not visible yet" };
      const state = endpointState(cur);
      if (state === "available") return { done: true, value: cur };
      if (["failed", "rejected", "deleted", "deleting", "expired"].includes(state)) return { done: false, failure: `went to state ${cur.State}` };
      return { done: false, status: String(cur.State) };
    },
    () => `${what[0].toUpperCase()}${what.slice(1)} is available`,
  );

const type: Ec2Type<VpcEndpoint> = {
  kind: "vpc-endpoint",
  get: getEndpoint,
  // A failed or rejected endpoint still has to be deleted; one going or gone is left alone.
  list: async (ec2, f) => (await listVpcEndpoints(ec2, f)).filter((e) => !isGoneEndpoint(e)),
  idOf: (e) => e.VpcEndpointId!,
  refs: (e) => [e.VpcId, ...(e.SubnetIds ?? []), ...(e.Groups ?? []).map((g) => g.GroupId)],
};

export const vpcEndpointKind = defineKind({
  kind: "vpc-endpoint",
  attrs: z.lazy(() => z.looseObject({
    serviceName: z.string().optional(),
    type: z.string().optional(),
    state: z.string().optional(),
    vpcId: z.string().optional(),
    subnetIds: z.array(z.string()).optional(),
    routeTableIds: z.array(z.string()).optional(),
    securityGroupIds: z.array(z.string().optional()).optional(),
    privateDnsEnabled: z.boolean().optional(),
    // Resource endpoints (S2's connect-proxy): the configuration, and the consumer account they live in
    vpcEndpointType: z.string().optional(),
    resourceConfigurationArn: z.string().optional(),
    accountId: z.string().optional(),
    region: z.string().optional(),
    profile: z.string().optional(),
    /** Resource endpoints: the private IP per subnet consumers send to. */
    dnsNames: z.array(z.string().nullable().optional()).optional(),
    addresses: z.array(z.looseObject({ subnetId: z.string(), az: z.string(), privateIp: z.string() })).optional(),
  })),
  ...ec2KindParts({ ...type, live: (e) => endpointState(e) !== "deleted" }, (ctx, ec2, id, seen) =>
    deleteAndWaitBatched(
      ctx,
      `VPC endpoint ${id}`,
      endpointBatch(ec2),
      id,
      (e) => ({ gone: !e || endpointState(e) === "deleted", deleting: endpointState(e) === "deleting", status: String(e?.State) }),
      async () => {
        const r = await ec2.deleteVpcEndpoints({ VpcEndpointIds: [id] });
        const failed = r.Unsuccessful?.find((u) => !/NotFound/.test(u.Error?.Code ?? ""));
        if (failed) throw new CliError(`Deleting VPC endpoint ${id} failed: ${failed.Error?.Code}: ${failed.Error?.Message}`);
      },
      undefined,
      seen,
    ),
  ),
});

/** Policy JSON with object keys sorted at every level: equal documents compare equal whatever their layout. */
export function normalizePolicy(text: string | undefined | null): string | null {
  if (!text) return null;
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sortKeys) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => byText(a, b)).map(([k, x]) => [k, sortKeys(x)])) : v;
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
  const waitAvailable = (run: StepRun, ec2: Ec2Api, id: string) => waitEndpointAvailable(run.ctx, ec2, id, `endpoint ${id} (${o.serviceName})`);
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
  return ec2Step<VpcEndpoint>(
    { ...type, list: (ec2, f) => listVpcEndpoints(ec2, f) },
    {
    id: o.id,
    label: `${o.type.toLowerCase()} endpoint ${o.serviceName}`,
    dependsOn: ["vpc", ...(o.subnetSteps ?? []), ...(o.routeTableSteps ?? []), ...(o.securityGroupStep ? [o.securityGroupStep] : []), ...(o.dependsOn ?? [])],
    // A gateway endpoint adds prefix-list routes to its route tables; interface endpoints only place ENIs.
    changes: o.type === "Gateway" ? (o.routeTableSteps ?? []) : [],
    live: isLiveEndpoint,
    result: (e) => ({ id: e.VpcEndpointId!, attrs: endpointAttrs(e) }),
    create: async (run) => (await (await ec2Of(run)).createVpcEndpoint({ ...input(run), ClientToken: run.clientToken })).VpcEndpoint!,
    // Converge: a re-run with another policy, subnets, group or private DNS changes the live
    // endpoint (ModifyVpcEndpoint) instead of only checking that it exists.
    async settle(run, result) {
      const ec2 = await ec2Of(run);
      let e = await waitAvailable(run, ec2, result.id!);
      const { request, modified } = endpointChanges(run, e);
      if (modified.length) {
        await ec2.modifyVpcEndpoint(request);
        run.ctx.log.info(`Endpoint ${result.id} (${o.serviceName}): updated ${modified.join(", ")}.`);
        e = await waitAvailable(run, ec2, result.id!);
        const left = endpointChanges(run, e).modified;
        if (left.length) throw new CliError(`VPC endpoint ${result.id}: ModifyVpcEndpoint did not take effect for ${left.join(", ")}.`);
      }
      return { id: result.id, attrs: { ...endpointAttrs(e), modified } };
    },
    dryRun: async (run) => {
      const { TagSpecifications: _t, ...rest } = input(run);
      await (await ec2Of(run)).createVpcEndpoint({ ...rest, DryRun: true });
    },
  });
}


export default vpcEndpointKind;
