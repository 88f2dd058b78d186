// status: what the plan holds (refreshed from AWS unless --offline), the static egress IPs, and a
// monthly cost estimate from the dated price table.
import { ec2Of } from "../aws/ec2-api.js";
import type { Context } from "../context.js";
import * as z from "zod";
import { opt, parseOptions } from "./options.js";
import { redactUrl } from "../net/url.js";
import { defaultRouteOf, effectiveRouteTable, routeTableLookup, routeTargetId } from "../net/routes.js";
import { loadCheckedPlan } from "../engine/session.js";
import { estimateMonthlyCost, proxySaving } from "../analysis/cost.js";
import { ec2InstanceKind, proxyInstances } from "../engine/kinds/ec2-instance.js";
import { resourceGatewayKind } from "../engine/kinds/lattice-resource-gateway.js";
import { proxySettings } from "../plans/schema.js";
import { proxyUrl } from "../proxy/launch.js";
import { renderStatus } from "../output/render.js";
import type { Plan } from "../plans/schema.js";
import { recordsOf } from "../engine/kinds/kind.js";
import { elasticIpKind } from "../engine/kinds/elastic-ip.js";
import { lambdaVpcConfigKind } from "../engine/kinds/lambda-vpc-config.js";
import { natGatewayKind } from "../engine/kinds/nat-gateway.js";
import { targetId } from "../engine/kinds/route.js";
import { subnetKind } from "../engine/kinds/subnet.js";
import { vpcEndpointKind } from "../engine/kinds/vpc-endpoint.js";
import { planDefaultRoute, planNatPublicIp, planRouteTableOf, planVpc } from "../engine/kinds/views.js";

export interface StatusOptions {
  offline?: boolean;
  gbPerMonth?: string;
}

export async function statusCommand(ctx: Context, opts: StatusOptions): Promise<number> {
  const gb = parseOptions(z.object({ gbPerMonth: opt.amount("gb-per-month").optional() }), { gbPerMonth: opts.gbPerMonth }).gbPerMonth;
  const plan = await loadCheckedPlan(ctx, { offline: opts.offline });
  const live = opts.offline ? undefined : await liveStates(ctx, plan);
  const result = buildStatus(plan, live, gb);
  ctx.emit(result, renderStatus);
  return 0;
}

/** What AWS says now: resource states by id, and each subnet's effective route table and default route. */
export interface LiveView {
  states: Record<string, string>;
  /** By subnet id: the table that decides its routes (explicit, else main) and its 0.0.0.0/0 route. */
  routes: Record<string, { routeTableId: string | null; main: boolean; target: string | null; state: string | null }>;
}

async function liveStates(ctx: Context, plan: Plan): Promise<LiveView> {
  const { listNatGateways, listAddresses, listVpcs, listRouteTables, listSubnets } = await import("../aws/ec2.js");
  const ec2 = await ec2Of(ctx);
  const ids = (recs: Array<[string, { id: string | null }]>) => recs.map(([, r]) => r.id).filter((id): id is string => Boolean(id));
  const nats = ids(recordsOf(plan, natGatewayKind));
  const instances = ids(recordsOf(plan, ec2InstanceKind));
  const eips = ids(recordsOf(plan, elasticIpKind));
  const vpc = planVpc(plan)?.id;
  const { orUndefined } = await import("../aws/ec2.js");
  const { listInstances } = await import("../engine/kinds/ec2-instance.js");
  const [natList, eipList, vpcList, tables, subnets, instanceList] = await Promise.all([
    nats.length ? orUndefined(listNatGateways(ec2, undefined, nats)) : [],
    eips.length ? orUndefined(listAddresses(ec2, undefined, eips)) : [],
    vpc ? orUndefined(listVpcs(ec2, undefined, [vpc])) : [],
    vpc ? listRouteTables(ec2, [{ Name: "vpc-id", Values: [vpc] }]) : [],
    vpc ? listSubnets(ec2, [{ Name: "vpc-id", Values: [vpc] }]) : [],
    instances.length ? orUndefined(listInstances(ec2, undefined, instances)) : [],
  ]);
  const states: Record<string, string> = {};
  for (const id of nats) states[id] = natList?.find((n) => n.NatGatewayId === id)?.State ?? "missing";
  for (const id of eips) states[id] = eipList?.find((a) => a.AllocationId === id) ? "allocated" : "missing";
  if (vpc) states[vpc] = vpcList?.find((v) => v.VpcId === vpc)?.State ?? "missing";
  for (const id of instances) states[id] = instanceList?.find((i) => i.InstanceId === id)?.State?.Name ?? "missing";
  const lookup = routeTableLookup(tables);
  const routes: LiveView["routes"] = {};
  for (const s of subnets) {
    const eff = effectiveRouteTable(s, lookup);
    const d = defaultRouteOf(eff?.table.Routes);
    routes[s.SubnetId!] = { routeTableId: eff?.table.RouteTableId ?? null, main: Boolean(eff?.main), target: routeTargetId(d) ?? null, state: d?.State ?? null };
  }
  return { states, routes };
}

/** Where the live routes differ from what the plan recorded (a route deleted or replaced by hand, a table swapped). */
export function routeDrift(
  planned: Array<{ subnetId?: string | null; routeTableId: string | null; plannedDefaultRoute: string | null }>,
  live: LiveView["routes"],
): Array<{ subnetId: string; what: string; plan: string | null; live: string | null }> {
  const out: Array<{ subnetId: string; what: string; plan: string | null; live: string | null }> = [];
  for (const s of planned) {
    if (!s.subnetId) continue;
    const l = live[s.subnetId];
    if (!l) {
      out.push({ subnetId: s.subnetId, what: "subnet", plan: s.subnetId, live: null });
      continue;
    }
    if (s.routeTableId && l.routeTableId !== s.routeTableId) out.push({ subnetId: s.subnetId, what: "route table", plan: s.routeTableId, live: l.routeTableId });
    if (s.plannedDefaultRoute && l.target !== s.plannedDefaultRoute) out.push({ subnetId: s.subnetId, what: "0.0.0.0/0 route", plan: s.plannedDefaultRoute, live: l.target });
    else if (s.plannedDefaultRoute && l.state === "blackhole") out.push({ subnetId: s.subnetId, what: "0.0.0.0/0 route", plan: s.plannedDefaultRoute, live: `${l.target} (blackhole)` });
  }
  return out;
}

export function buildStatus(plan: Plan, liveView: LiveView | undefined, gbProcessed?: number) {
  const live = liveView?.states;
  const resources = Object.entries(plan.resources)
    .filter(([, r]) => r.state !== "deleted")
    .map(([step, r]) => ({
      step,
      kind: r.kind,
      id: r.id,
      owned: r.owned,
      state: r.state,
      ...(r.az ? { az: r.az } : {}),
      ...(r.cidr ? { cidr: r.cidr } : {}),
      ...(r.tier ? { tier: r.tier } : {}),
      ...(live && r.id && live[r.id] ? { liveState: live[r.id] } : {}),
    }));
  const nats = recordsOf(plan, natGatewayKind).filter(([, r]) => !live || !["missing", "deleted", "failed"].includes(live[r.id!] ?? ""));
  const eips = recordsOf(plan, elasticIpKind);
  const subnets = recordsOf(plan, subnetKind)
    .map(([step, r]) => {
      const routeTableId = planRouteTableOf(plan, r.id) ?? r.attrs.routeTableId;
      const planned = { routeTableId: routeTableId ?? null, plannedDefaultRoute: targetId(planDefaultRoute(plan, routeTableId)) ?? null };
      // Checked live, the routes shown are AWS's (the effective table's 0.0.0.0/0), not the plan's memory.
      const l = liveView && r.id ? liveView.routes[r.id] : undefined;
      const shown = liveView ? { routeTableId: l?.routeTableId ?? null, defaultRoute: l?.target ? `${l.target}${l.state === "blackhole" ? " (blackhole)" : ""}` : null } : { routeTableId: planned.routeTableId, defaultRoute: planned.plannedDefaultRoute };
      return { step, subnetId: r.id, tier: r.tier, az: r.az, cidr: r.cidr, ...shown, ...planned };
    });
  const drift = liveView ? routeDrift(subnets, liveView.routes) : [];
  const egressIps = nats.map(([, r]) => r.attrs.publicIp).filter((x): x is string => Boolean(x));
  const proxy = proxyStatus(plan, live);
  const cost = estimateMonthlyCost({
    region: plan.region,
    natGateways: nats.length,
    publicIpv4Addresses: eips.length,
    ...(gbProcessed !== undefined ? { gbProcessed } : {}),
    ...(proxy ? { instances: proxy.costInput.instances, resourceEndpointAzs: proxy.costInput.resourceEndpointAzs, resourceGateways: proxy.resourceGateways.length } : {}),
  });
  return {
    command: "status",
    plan: plan.name,
    region: plan.region,
    accountId: plan.accountId,
    backend: redactUrl(plan.backend),
    vpcId: planVpc(plan)?.id ?? null,
    destroyed: Object.keys(plan.resources).length > 0 && resources.every((r) => !r.owned),
    egressIps,
    subnets,
    natGateways: nats.map(([step, r]) => ({ step, natGatewayId: r.id, az: r.az, publicIp: r.attrs.publicIp, state: live?.[r.id!] ?? r.attrs.state })),
    resources,
    lambdaFunctions: lambdaFunctions(plan),
    vpcEndpoints: recordsOf(plan, vpcEndpointKind).map(([step, { id, attrs: a }]) => ({ step, vpcEndpointId: id, serviceName: a.serviceName, type: a.type, state: a.state })),
    ...(proxy ? { proxy: { settings: proxy.settings, instances: proxy.instances, resourceGateways: proxy.resourceGateways, resourceEndpoints: proxy.resourceEndpoints, saving: proxy.saving } } : {}),
    cost,
    drift,
    checkedLive: Boolean(live),
  };
}

/**
 * The S2 proxy as the plan records it: the instances (state from AWS when checked live, else the
 * plan's), the resource gateway and the consumers' Resource endpoints (share-proxy, connect-proxy),
 * what they cost, and the monthly saving against one NAT gateway per consumer VPC.
 */
export function proxyStatus(plan: Plan, live: Record<string, string> | undefined) {
  const settings = proxySettings(plan);
  const proxies = proxyInstances(plan);
  // a destroyed proxy (every proxy/ record deleted) is not shown, though the plan keeps its settings
  if (!proxies.length && !Object.entries(plan.resources).some(([step, r]) => step.startsWith("proxy/") && r.state !== "deleted")) return undefined;
  const running = (id: string, recorded?: string) => live?.[id] ?? recorded;
  const instances = proxies.map((p) => {
    const rec = recordsOf(plan, ec2InstanceKind).find(([step]) => step === p.step)![1];
    const state = running(p.id, rec.attrs.state);
    return { step: p.step, instanceId: p.id, az: p.az, state, instanceType: p.instanceType, privateIp: p.privateIp, url: p.privateIp && settings ? proxyUrl(p.privateIp, settings.port) : null };
  });
  const resourceGateways = recordsOf(plan, resourceGatewayKind).map(([step, r]) => ({ step, id: r.id, name: r.attrs.name, status: r.attrs.status }));
  const resourceEndpoints = recordsOf(plan, vpcEndpointKind)
    .filter(([, r]) => (r.attrs.vpcEndpointType ?? r.attrs.type) === "Resource")
    .map(([step, r]) => ({ step, vpcEndpointId: r.id, vpcId: r.attrs.vpcId, accountId: r.attrs.accountId ?? plan.accountId, subnetIds: r.attrs.subnetIds ?? [], state: r.attrs.state }));
  const byType: Record<string, number> = {};
  // a stopped or terminated instance bills no hours
  for (const i of instances) if (i.instanceType && ["running", "pending", undefined].includes(i.state)) byType[i.instanceType] = (byType[i.instanceType] ?? 0) + 1;
  const costInput = { instances: byType, resourceEndpointAzs: resourceEndpoints.reduce((n, e) => n + e.subnetIds.length, 0) };
  const consumerVpcs = new Set(resourceEndpoints.map((e) => `${e.accountId}/${e.vpcId}`)).size;
  const proxyCost = estimateMonthlyCost({ region: plan.region, natGateways: 0, publicIpv4Addresses: 0, ...costInput, resourceGateways: resourceGateways.length });
  return { settings: settings ?? null, instances, resourceGateways, resourceEndpoints, costInput, saving: proxySaving(plan.region, { consumerVpcs, proxy: proxyCost }) };
}

/** Functions attached by attach-lambda, with the egress IPs their subnets' routes lead to (from the plan). */
export function lambdaFunctions(plan: Plan) {
  const natIpOfSubnet = (subnetId: string) => planNatPublicIp(plan, planDefaultRoute(plan, planRouteTableOf(plan, subnetId))?.NatGatewayId);
  return recordsOf(plan, lambdaVpcConfigKind)
    .map(([step, r]) => {
      const a = r.attrs;
      const fromPlan = (a.subnetIds ?? []).map(natIpOfSubnet).filter((x): x is string => Boolean(x));
      const recorded = (a.functionName ? (plan.outputs as { lambdaEgressIps?: Record<string, string[]> }).lambdaEgressIps?.[a.functionName] : undefined) ?? [];
      return {
        step,
        functionName: a.functionName,
        functionArn: a.functionArn,
        subnetIds: a.subnetIds ?? [],
        securityGroupIds: a.securityGroupIds ?? [],
        lastUpdateStatus: a.lastUpdateStatus,
        egressIps: [...new Set(fromPlan.length ? fromPlan : recorded)],
      };
    });
}
