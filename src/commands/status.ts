// status: what the plan holds (refreshed from AWS unless --offline), the static egress IPs, and a
// monthly cost estimate from the dated price table.
import type { Context } from "../context.js";
import { z } from "zod";
import { opt, parseOptions } from "./options.js";
import { stripUserInfo } from "../net/url.js";
import { defaultRouteOf, effectiveRouteTable, routeTableLookup, routeTargetId } from "../net/routes.js";
import { loadCheckedPlan } from "../engine/session.js";
import { estimateMonthlyCost } from "../analysis/cost.js";
import { renderStatus } from "../output/render.js";
import type { Plan } from "../plans/schema.js";

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
  const ec2 = await (await ctx.aws()).ec2();
  const nats = Object.values(plan.resources).filter((r) => r.kind === "nat-gateway" && r.state === "created" && r.id).map((r) => r.id!);
  const eips = Object.values(plan.resources).filter((r) => r.kind === "elastic-ip" && r.state === "created" && r.id).map((r) => r.id!);
  const vpc = plan.resources.vpc?.state === "created" ? plan.resources.vpc.id : undefined;
  const { orUndefined } = await import("../aws/ec2.js");
  const [natList, eipList, vpcList, tables, subnets] = await Promise.all([
    nats.length ? orUndefined(listNatGateways(ec2, undefined, nats)) : [],
    eips.length ? orUndefined(listAddresses(ec2, undefined, eips)) : [],
    vpc ? orUndefined(listVpcs(ec2, undefined, [vpc])) : [],
    vpc ? listRouteTables(ec2, [{ Name: "vpc-id", Values: [vpc] }]) : [],
    vpc ? listSubnets(ec2, [{ Name: "vpc-id", Values: [vpc] }]) : [],
  ]);
  const states: Record<string, string> = {};
  for (const id of nats) states[id] = natList?.find((n) => n.NatGatewayId === id)?.State ?? "missing";
  for (const id of eips) states[id] = eipList?.find((a) => a.AllocationId === id) ? "allocated" : "missing";
  if (vpc) states[vpc] = vpcList?.find((v) => v.VpcId === vpc)?.State ?? "missing";
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
  const nats = Object.entries(plan.resources).filter(([, r]) => r.kind === "nat-gateway" && r.state === "created" && (!live || !["missing", "deleted", "failed"].includes(live[r.id!] ?? "")));
  const eips = Object.entries(plan.resources).filter(([, r]) => r.kind === "elastic-ip" && r.state === "created");
  const routeFor = (routeTableId?: string) => {
    const route = Object.values(plan.resources).find((x) => x.kind === "route" && x.state === "created" && (x.attrs as { routeTableId?: string }).routeTableId === routeTableId && (x.attrs as { destination?: string }).destination === "0.0.0.0/0");
    const t = (route?.attrs as { target?: { NatGatewayId?: string; GatewayId?: string } } | undefined)?.target;
    return t?.NatGatewayId ?? t?.GatewayId ?? null;
  };
  const subnets = Object.entries(plan.resources)
    .filter(([, r]) => r.kind === "subnet" && r.state === "created")
    .map(([step, r]) => {
      const assoc = plan.resources[`${step}/association`];
      const routeTableId = (assoc?.state === "created" ? (assoc.attrs as { routeTableId?: string }).routeTableId : undefined) ?? (r.attrs as { routeTableId?: string }).routeTableId;
      const planned = { routeTableId: routeTableId ?? null, plannedDefaultRoute: routeFor(routeTableId) };
      // Checked live, the routes shown are AWS's (the effective table's 0.0.0.0/0), not the plan's memory.
      const l = liveView && r.id ? liveView.routes[r.id] : undefined;
      const shown = liveView ? { routeTableId: l?.routeTableId ?? null, defaultRoute: l?.target ? `${l.target}${l.state === "blackhole" ? " (blackhole)" : ""}` : null } : { routeTableId: planned.routeTableId, defaultRoute: planned.plannedDefaultRoute };
      return { step, subnetId: r.id, tier: r.tier, az: r.az, cidr: r.cidr, ...shown, ...planned };
    });
  const drift = liveView ? routeDrift(subnets, liveView.routes) : [];
  const egressIps = nats.map(([, r]) => (r.attrs as { publicIp?: string }).publicIp).filter((x): x is string => Boolean(x));
  const cost = estimateMonthlyCost({ region: plan.region, natGateways: nats.length, publicIpv4Addresses: eips.length, ...(gbProcessed !== undefined ? { gbProcessed } : {}) });
  return {
    command: "status",
    plan: plan.name,
    region: plan.region,
    accountId: plan.accountId,
    backend: stripUserInfo(plan.backend),
    vpcId: plan.resources.vpc?.state === "created" ? plan.resources.vpc.id : null,
    destroyed: Object.keys(plan.resources).length > 0 && resources.every((r) => !r.owned),
    egressIps,
    subnets,
    natGateways: nats.map(([step, r]) => ({ step, natGatewayId: r.id, az: r.az, publicIp: (r.attrs as { publicIp?: string }).publicIp, state: live?.[r.id!] ?? (r.attrs as { state?: string }).state })),
    resources,
    lambdaFunctions: lambdaFunctions(plan),
    vpcEndpoints: Object.entries(plan.resources)
      .filter(([, r]) => r.kind === "vpc-endpoint" && r.state === "created")
      .map(([step, r]) => {
        const a = r.attrs as { serviceName?: string; type?: string; state?: string };
        return { step, vpcEndpointId: r.id, serviceName: a.serviceName, type: a.type, state: a.state };
      }),
    cost,
    drift,
    checkedLive: Boolean(live),
  };
}

/** Functions attached by attach-lambda, with the egress IPs their subnets' routes lead to (from the plan). */
export function lambdaFunctions(plan: Plan) {
  const res = Object.values(plan.resources).filter((r) => r.state === "created");
  const tableOfSubnet = (subnetId: string) =>
    (res.find((r) => r.kind === "route-table-association" && (r.attrs as { subnetId?: string }).subnetId === subnetId)?.attrs as { routeTableId?: string } | undefined)?.routeTableId ??
    (res.find((r) => r.kind === "subnet" && r.id === subnetId)?.attrs as { routeTableId?: string } | undefined)?.routeTableId;
  const natIpOfTable = (routeTableId: string | undefined) => {
    const route = res.find((r) => r.kind === "route" && (r.attrs as { routeTableId?: string; destination?: string }).routeTableId === routeTableId && (r.attrs as { destination?: string }).destination === "0.0.0.0/0");
    const natId = (route?.attrs as { target?: { NatGatewayId?: string } } | undefined)?.target?.NatGatewayId;
    return natId ? (res.find((r) => r.kind === "nat-gateway" && r.id === natId)?.attrs as { publicIp?: string } | undefined)?.publicIp : undefined;
  };
  return Object.entries(plan.resources)
    .filter(([, r]) => r.kind === "lambda-vpc-config" && r.state === "created")
    .map(([step, r]) => {
      const a = r.attrs as { functionName: string; functionArn?: string; subnetIds?: string[]; securityGroupIds?: string[]; lastUpdateStatus?: string };
      const fromPlan = (a.subnetIds ?? []).map((s) => natIpOfTable(tableOfSubnet(s))).filter((x): x is string => Boolean(x));
      const recorded = (plan.outputs as { lambdaEgressIps?: Record<string, string[]> }).lambdaEgressIps?.[a.functionName] ?? [];
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
