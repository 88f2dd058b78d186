// status: what the plan holds (refreshed from AWS unless --offline), the static egress IPs, and a
// monthly cost estimate of the plan's VPC as it runs. One read of the account (collectVpcs) feeds both
// the drift view and a snapshot priced through the same mapping and cost model as `cost`, so both give
// the same lines; --offline: from the plan's records.
import type { Context } from "../context.js";
import type { Options } from "./status.spec.js";
import { redactUrl } from "../net/url.js";
import { NAT64_PREFIX, defaultRouteOf, effectiveRouteTable, ipv6DefaultRouteOf, nat64RouteOf, routeTableLookup, routeTargetId } from "../net/routes.js";
import { loadCheckedPlan } from "../engine/session.js";
import { estimateMonthlyCost, sharedEgressComparison, type CostEstimate } from "../analysis/cost.js";
import type { VpcCost, VpcCostInput } from "../analysis/rules/bill.js";
import { ec2InstanceKind, proxyInstances } from "../engine/kinds/ec2-instance.js";
import { resourceGatewayKind } from "../engine/kinds/lattice-resource-gateway.js";
import { proxySettings } from "../plans/schema.js";
import { PROXY_ROOT_VOLUME_GB, proxyUrl } from "../proxy/launch.js";
import { bySubnetOrder, table, type Text, type SubnetRow, type RenderOptions, type C } from "../output/render.js";
import type { Plan } from "../plans/schema.js";
import { recordsOf } from "../engine/kinds/kind.js";
import { elasticIpKind } from "../engine/kinds/elastic-ip.js";
import { lambdaVpcConfigKind } from "../engine/kinds/lambda-vpc-config.js";
import { natGatewayKind, regionalAttrs, type RegionalNatAddress } from "../engine/kinds/nat-gateway.js";
import type { NatGateway } from "@aws-sdk/client-ec2";
import type { NatRow } from "./nat-plan.js";
import { targetId } from "../engine/kinds/route.js";
import { routeTableAssociationKind } from "../engine/kinds/route-table-association.js";
import { subnetKind } from "../engine/kinds/subnet.js";
import { vpcEndpointKind } from "../engine/kinds/vpc-endpoint.js";
import { planDefaultRoute, planNatPublicIp, planRouteTableOf, planVpc } from "../engine/kinds/views.js";

export async function statusCommand(ctx: Context, opts: Options): Promise<number> {
  const gb = opts.gbPerMonth;
  const plan = await loadCheckedPlan(ctx, { offline: opts.offline });
  const live = opts.offline ? undefined : await readLive(ctx, plan, gb);
  const result = buildStatus(plan, live?.view, gb, live?.costs);
  ctx.emit(result, renderStatus);
  return 0;
}

/** What AWS says now: resource states by id, and each subnet's effective route table and default route. */
export interface LiveView {
  states: Record<string, string>;
  /** By subnet id: the table that decides its routes (explicit, else main) and its 0.0.0.0/0 route. */
  routes: Record<string, { routeTableId: string | null; main: boolean; target: string | null; state: string | null; ipv6?: { target: string | null; state: string | null; nat64: string | null } }>;
  /** By regional NAT gateway id: its addresses per AZ as AWS answers now (automatic mode adds and drops AZs). */
  regionalAddresses?: Record<string, RegionalNatAddress[]>;
}

/** The plan's VPC and its proxy's consumer VPCs priced as they run: a snapshot of each, priced by `cost`'s mapping. */
export interface LiveCosts {
  vpc?: VpcCost;
  /** Why the plan's VPC could not be read (then priced from the plan's records). */
  vpcError?: string;
  /** By consumer VPC id: its whole cost and its billed endpoints' AZs by endpoint id, or why it could not be read. */
  consumers: Record<string, { cost?: VpcCost; endpointAzs?: Record<string, number>; error?: string }>;
}

/**
 * One read of the account (src/aws/snapshot.ts collectVpcs): the plan's VPC's route tables, NAT gateways
 * and ENIs at once (then only what those leave open), and each consumer VPC's, concurrently. The same
 * answers give the drift view (states, each subnet's effective table) and the cost model's input, priced
 * by `cost`'s mapping (vpcCosts), so status and `cost --vpc` give the same lines.
 */
async function readLive(ctx: Context, plan: Plan, gbPerMonth: number | undefined): Promise<{ view: LiveView; costs: LiveCosts }> {
  const { collectVpcs } = await import("../aws/snapshot.js");
  const { buildIndex } = await import("../analysis/snapshot-index.js");
  const { billedEndpointAzs, vpcCosts } = await import("../analysis/rules/bill.js");
  const ids = (recs: Array<[string, { id: string | null }]>) => recs.map(([, r]) => r.id).filter((id): id is string => Boolean(id));
  const vpcId = planVpc(plan)?.id;
  const subnetIds = ids(recordsOf(plan, subnetKind));
  const explicitlyAssociated = new Set(recordsOf(plan, routeTableAssociationKind).map(([, r]) => r.attrs.subnetId));
  const view: LiveView = { states: {}, routes: {} };
  const costs: LiveCosts = { consumers: {} };
  const concurrency = ctx.concurrency;

  const readMine = async () => {
    if (!vpcId) return;
    const read = await collectVpcs(await ctx.aws(), [vpcId], {
      routeTables: true,
      seenAvailable: planVpc(plan)?.state === "available" ? [vpcId] : [],
      subnetIds,
      // a subnet the plan does not record as explicitly associated (an imported one on the main table): read them at once
      subnets: subnetIds.some((id) => !explicitlyAssociated.has(id)),
      natGatewayIds: ids(recordsOf(plan, natGatewayKind)),
      allocationIds: ids(recordsOf(plan, elasticIpKind)),
      instanceIds: ids(recordsOf(plan, ec2InstanceKind)),
      vpcEndpoints: recordsOf(plan, vpcEndpointKind).some(([, r]) => r.id && (!r.attrs.vpcId || r.attrs.vpcId === vpcId)),
      resourceGateways: recordsOf(plan, resourceGatewayKind).length > 0,
    }, { concurrency });
    const states = view.states;
    for (const id of ids(recordsOf(plan, natGatewayKind))) states[id] = read.states[id] ?? "missing";
    for (const id of ids(recordsOf(plan, elasticIpKind))) states[id] = read.states[id] ?? "missing";
    for (const id of ids(recordsOf(plan, ec2InstanceKind))) states[id] = read.states[id] ?? "missing";
    states[vpcId] = read.states[vpcId] ?? "missing";
    for (const n of (read.snapshot?.natGateways ?? []) as NatGateway[])
      if (n.AvailabilityMode === "regional" && n.NatGatewayId) (view.regionalAddresses ??= {})[n.NatGatewayId] = regionalAttrs(n).addresses;
    // The subnets read, else the plan's, each found explicitly associated (an association proves its subnet is there).
    const lookup = routeTableLookup(read.routeTables);
    for (const s of read.subnets ?? subnetIds.map((SubnetId) => ({ SubnetId, VpcId: vpcId }))) {
      const eff = effectiveRouteTable(s, lookup);
      const d = defaultRouteOf(eff?.table.Routes);
      // IPv6 egress: the table's ::/0 and its NAT64 route (64:ff9b::/96 → a NAT gateway)
      const d6 = ipv6DefaultRouteOf(eff?.table.Routes);
      const n64 = nat64RouteOf(eff?.table.Routes);
      view.routes[s.SubnetId] = {
        routeTableId: eff?.table.RouteTableId ?? null,
        main: Boolean(eff?.main),
        target: routeTargetId(d) ?? null,
        state: d?.State ?? null,
        ipv6: { target: routeTargetId(d6) ?? null, state: d6?.State ?? null, nat64: n64 ? `${n64.NatGatewayId}${n64.State === "blackhole" ? " (blackhole)" : ""}` : null },
      };
    }
    if (read.error || !read.snapshot) {
      // priced from the plan's records instead, and said so: status still shows what it can
      costs.vpcError = `could not read ${vpcId} to price it as it runs: ${read.error?.message ?? "not found"}`;
      return;
    }
    // --gb-per-month is the plan's VPC's NAT traffic, as `cost --vpc` takes it for that VPC.
    costs.vpc = vpcCosts(buildIndex(read.snapshot), { vpcIds: [vpcId], ...(gbPerMonth !== undefined ? { gbPerMonth } : {}) }).vpcs[0];
  };

  // Consumers' Resource endpoints, grouped by the credentials that read them (connect-proxy --consumer-profile).
  const byProfile = new Map<string, Set<string>>();
  for (const [, r] of consumerEndpointRecords(plan)) {
    if (!r.attrs.vpcId) continue;
    const key = r.attrs.profile ?? "";
    byProfile.set(key, (byProfile.get(key) ?? new Set()).add(r.attrs.vpcId));
  }
  const readConsumers = async (profile: string, set: Set<string>) => {
    const vpcIds = [...set].sort();
    try {
      const aws = profile ? await ctx.awsFor({ profile, region: plan.region }) : await ctx.aws();
      const read = await collectVpcs(aws, vpcIds, { vpcEndpoints: true }, { concurrency });
      if (read.error || !read.snapshot) throw read.error ?? new Error("not found");
      const ix = buildIndex(read.snapshot);
      const priced = vpcCosts(ix, { vpcIds }).vpcs;
      const azs = billedEndpointAzs(ix);
      for (const id of vpcIds) {
        const cost = priced.find((c) => c.vpcId === id);
        const endpointAzs = Object.fromEntries([...ix.vpcEndpoints.values()].filter((e) => e.VpcId === id && azs.has(e.VpcEndpointId)).map((e) => [e.VpcEndpointId, azs.get(e.VpcEndpointId)!]));
        costs.consumers[id] = cost ? { cost, endpointAzs } : { error: `${id} was not found${profile ? ` with profile ${profile}` : ""}` };
      }
    } catch (err) {
      const error = `could not read ${vpcIds.join(", ")}${profile ? ` with profile ${profile}` : ""}: ${(err as Error).message}`;
      for (const id of vpcIds) costs.consumers[id] = { error };
    }
  };
  await Promise.all([readMine(), ...[...byProfile].map(([profile, set]) => readConsumers(profile, set))]);
  return { view, costs };
}

/** The consumers' Resource endpoints this plan made (connect-proxy), not deleted. */
function consumerEndpointRecords(plan: Plan) {
  return recordsOf(plan, vpcEndpointKind).filter(([, r]) => (r.attrs.vpcEndpointType ?? r.attrs.type) === "Resource");
}

/** The plan's VPC from its records (status --offline): the same cost input `cost` builds from a snapshot. */
export function planCostInput(plan: Plan, live?: Record<string, string>): VpcCostInput {
  const vpcId = planVpc(plan)?.id ?? "";
  const azOf = new Map(recordsOf(plan, subnetKind).map(([, r]) => [r.id, r.az]));
  const gone = (id: string | null, recorded?: string) => ["missing", "deleted", "deleting", "failed"].includes((id && live?.[id]) ?? recorded ?? "");
  const instances: Record<string, number> = {};
  let ebsGp3Gb = 0;
  for (const p of proxyInstances(plan)) {
    const rec = recordsOf(plan, ec2InstanceKind).find(([step]) => step === p.step)![1];
    if (!gone(p.id, rec.attrs.state) && (live?.[p.id] ?? rec.attrs.state) !== "terminated") ebsGp3Gb += PROXY_ROOT_VOLUME_GB;
    // a stopped or terminated instance bills no hours
    if (p.instanceType && ["running", "pending", undefined].includes(live?.[p.id] ?? rec.attrs.state)) instances[p.instanceType] = (instances[p.instanceType] ?? 0) + 1;
  }
  const interfaceEndpointAzs = recordsOf(plan, vpcEndpointKind)
    .filter(([, r]) => (r.attrs.vpcEndpointType ?? r.attrs.type) === "Interface" && (!r.attrs.vpcId || r.attrs.vpcId === vpcId))
    .reduce((n, [, r]) => n + new Set((r.attrs.subnetIds ?? []).map((s) => azOf.get(s) ?? s)).size, 0);
  // A regional NAT gateway bills per AZ it serves (its recorded addresses' AZs), and its addresses AWS
  // allocated itself (automatic mode) are public IPv4 addresses the plan holds no elastic-ip record of.
  const nats = recordsOf(plan, natGatewayKind).filter(([, r]) => !gone(r.id, r.attrs.state));
  const allRegional = nats.filter(([, r]) => r.attrs.availabilityMode === "regional");
  // Automatic mode: AWS adds and drops AZs (and their addresses) as workloads come and go, so the addresses
  // recorded when add-nat ran prove nothing about today's: unpriced, never counted from stale records as 0.
  const automatic = allRegional.filter(([, r]) => r.attrs.autoProvisionZones === "enabled");
  const regional = allRegional.filter(([, r]) => r.attrs.autoProvisionZones !== "enabled");
  const eips = recordsOf(plan, elasticIpKind).filter(([, r]) => !gone(r.id));
  const planIps = new Set(eips.map(([, r]) => r.attrs.publicIp));
  const ownIps = new Set(regional.flatMap(([, r]) => (r.attrs.addresses ?? []).map((a) => a.publicIp)).filter((ip): ip is string => !!ip && !planIps.has(ip)));
  return {
    vpcId,
    natGateways: nats.length - allRegional.length,
    regionalNatGatewayAzs: regional.reduce((n, [, r]) => n + new Set((r.attrs.addresses ?? []).map((a) => a.az).filter(Boolean)).size, 0),
    ...(automatic.length
      ? { unpriced: automatic.map(([, r]) => ({ item: `Regional NAT gateway ${r.id} (automatic mode) and the addresses AWS gave it`, reason: "the AZs it is active in follow the workloads; the plan's records cannot say which today (run status without --offline)" })) }
      : {}),
    publicIpv4Addresses: eips.length + ownIps.size,
    interfaceEndpointAzs,
    resourceEndpointAzs: 0,
    resourceGateways: recordsOf(plan, resourceGatewayKind).length,
    instances,
    ...(ebsGp3Gb ? { ebsGp3Gb } : {}),
  };
}

/** AZs of one Resource endpoint (its addresses' AZs, else its subnets). */
function endpointAzs(attrs: { addresses?: Array<{ az: string }>; subnetIds?: string[] }): number {
  return attrs.addresses?.length ? new Set(attrs.addresses.map((a) => a.az)).size : new Set(attrs.subnetIds ?? []).size;
}

/**
 * A dual-stack or IPv6-only subnet's IPv6 egress: its ::/0 target (an egress-only internet gateway: out
 * only; an internet gateway: in and out) and its NAT64 route to IPv4 (64:ff9b::/96 → a NAT gateway),
 * live when checked, else as the plan recorded them.
 */
function ipv6Egress(plan: Plan, ipv6Cidr: string, routeTableId: string | undefined, live: { target: string | null; state: string | null; nat64: string | null } | undefined) {
  const planned = { target: targetId(planDefaultRoute(plan, routeTableId, "::/0")) ?? null, state: null, nat64: targetId(planDefaultRoute(plan, routeTableId, NAT64_PREFIX)) ?? null };
  const r = live ?? planned;
  const how = !r.target ? null : r.target.startsWith("eigw-") ? "out only" : r.target.startsWith("igw-") ? "in and out" : null;
  return {
    ipv6Cidr,
    ipv6DefaultRoute: r.target ? `${r.target}${r.state === "blackhole" ? " (blackhole)" : how ? ` (${how})` : ""}` : null,
    nat64Route: r.nat64,
  };
}

/** Where the live routes differ from what the plan recorded (a route deleted or replaced by hand, a table swapped). */
export function routeDrift(
  planned: Array<{ subnetId?: string | null; routeTableId: string | null; plannedDefaultRoute: string | null; plannedIpv6Route?: string | null; plannedNat64Route?: string | null }>,
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
    // IPv6 subnets: the ::/0 and NAT64 routes the plan made
    const v6 = l.ipv6;
    if (s.plannedIpv6Route && v6?.target !== s.plannedIpv6Route) out.push({ subnetId: s.subnetId, what: "::/0 route", plan: s.plannedIpv6Route, live: v6?.target ?? null });
    else if (s.plannedIpv6Route && v6?.state === "blackhole") out.push({ subnetId: s.subnetId, what: "::/0 route", plan: s.plannedIpv6Route, live: `${v6.target} (blackhole)` });
    if (s.plannedNat64Route && v6?.nat64 !== s.plannedNat64Route) out.push({ subnetId: s.subnetId, what: `${NAT64_PREFIX} route`, plan: s.plannedNat64Route, live: v6?.nat64 ?? null });
  }
  return out;
}

export function buildStatus(plan: Plan, liveView: LiveView | undefined, gbProcessed?: number, costs?: LiveCosts) {
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
  const subnets = recordsOf(plan, subnetKind)
    .map(([step, r]) => {
      const routeTableId = planRouteTableOf(plan, r.id) ?? r.attrs.routeTableId;
      const planned = {
        routeTableId: routeTableId ?? null,
        plannedDefaultRoute: targetId(planDefaultRoute(plan, routeTableId)) ?? null,
        ...(r.attrs.ipv6Cidr ? { plannedIpv6Route: targetId(planDefaultRoute(plan, routeTableId, "::/0")) ?? null, plannedNat64Route: targetId(planDefaultRoute(plan, routeTableId, NAT64_PREFIX)) ?? null } : {}),
      };
      // Checked live, the routes shown are AWS's (the effective table's 0.0.0.0/0), not the plan's memory.
      const l = liveView && r.id ? liveView.routes[r.id] : undefined;
      const shown = liveView ? { routeTableId: l?.routeTableId ?? null, defaultRoute: l?.target ? `${l.target}${l.state === "blackhole" ? " (blackhole)" : ""}` : null } : { routeTableId: planned.routeTableId, defaultRoute: planned.plannedDefaultRoute };
      return { step, subnetId: r.id, tier: r.tier, az: r.az, cidr: r.cidr, ...shown, ...(r.attrs.ipv6Cidr ? ipv6Egress(plan, r.attrs.ipv6Cidr, routeTableId, liveView ? (l?.ipv6 ?? { target: null, state: null, nat64: null }) : undefined) : {}), ...planned };
    });
  const drift = liveView ? routeDrift(subnets, liveView.routes) : [];
  // a regional gateway: a row per address, live when checked (automatic mode follows the workloads)
  const natRows = nats.flatMap(([step, r]): NatRow[] => {
    const state = live?.[r.id!] ?? r.attrs.state;
    if (r.attrs.availabilityMode !== "regional") return [{ step, natGatewayId: r.id, availabilityMode: "zonal" as const, az: r.az, publicIp: r.attrs.publicIp, state }];
    const addresses = (r.id && liveView?.regionalAddresses?.[r.id]) || r.attrs.addresses || [];
    const base = { step, natGatewayId: r.id, availabilityMode: "regional" as const, mode: r.attrs.autoProvisionZones === "enabled" ? "automatic" : "manual", state };
    return addresses.length ? addresses.map((a) => ({ ...base, az: a.az, azId: a.azId, publicIp: a.publicIp, allocationId: a.allocationId, addressStatus: a.status })) : [{ ...base, az: "(none yet)" }];
  });
  const egressIps = natRows.map((n) => n.publicIp).filter((x): x is string => Boolean(x));
  // Live: the plan's VPC as a snapshot shows it, priced as `cost` prices it. Offline: the plan's records.
  const egressInput: VpcCostInput = costs?.vpc?.input ?? planCostInput(plan, live);
  const { vpcId: _v, ...egressPriced } = egressInput;
  const estimate: CostEstimate = costs?.vpc?.estimate ?? estimateMonthlyCost({ region: plan.region, ...egressPriced, ...(gbProcessed !== undefined ? { gbProcessed } : {}) });
  const cost = { vpcId: planVpc(plan)?.id ?? null, source: costs?.vpc ? "live" : "plan", ...estimate };
  if (costs?.vpcError) cost.assumptions = [costs.vpcError + "; priced from the plan's records", ...cost.assumptions];
  const proxy = proxyStatus(plan, live, { egress: egressInput, gbPerMonth: gbProcessed, ...(costs ? { consumers: costs.consumers } : {}) });
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
    natGateways: natRows,
    resources,
    lambdaFunctions: lambdaFunctions(plan),
    vpcEndpoints: recordsOf(plan, vpcEndpointKind).map(([step, { id, attrs: a }]) => ({ step, vpcEndpointId: id, serviceName: a.serviceName, type: a.type, state: a.state })),
    ...(proxy ? { proxy: { settings: proxy.settings, instances: proxy.instances, resourceGateways: proxy.resourceGateways, resourceEndpoints: proxy.resourceEndpoints, consumers: proxy.consumers, saving: proxy.saving } } : {}),
    cost,
    drift,
    checkedLive: Boolean(live),
  };
}

/**
 * The S2 proxy as the plan records it: the instances (state from AWS when checked live, else the
 * plan's), the resource gateway and the consumers' Resource endpoints (share-proxy, connect-proxy),
 * each consumer VPC's cost (live), and the whole shared design against one NAT gateway + Elastic IP
 * per consumer VPC, with the break-even number of consumer VPCs.
 */
export function proxyStatus(
  plan: Plan,
  live: Record<string, string> | undefined,
  priced: { egress: VpcCostInput; gbPerMonth?: number; consumers?: LiveCosts["consumers"] } = { egress: planCostInput(plan, live) },
) {
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
  const resourceEndpoints = consumerEndpointRecords(plan)
    .map(([step, r]) => ({ step, vpcEndpointId: r.id, vpcId: r.attrs.vpcId, accountId: r.attrs.accountId ?? plan.accountId, subnetIds: r.attrs.subnetIds ?? [], state: r.attrs.state, azs: endpointAzs(r.attrs) }));
  // The consumers' side of the shared design: this plan's endpoints only, by consumer VPC — as they run
  // when the consumer VPC was read (an endpoint deleted by hand bills nothing), else as recorded (said so).
  const byVpc = new Map<string, { accountId: string; azs: number }>();
  const fromRecords: string[] = [];
  for (const e of resourceEndpoints) {
    const key = e.vpcId ?? "?";
    const c = byVpc.get(key) ?? { accountId: e.accountId, azs: 0 };
    const seen = priced.consumers?.[key]?.endpointAzs;
    if (priced.consumers && !seen && !fromRecords.includes(key)) fromRecords.push(key);
    c.azs += seen ? (e.vpcEndpointId ? seen[e.vpcEndpointId] ?? 0 : 0) : e.azs;
    byVpc.set(key, c);
  }
  const consumers = [...byVpc].sort(([a], [b]) => (a < b ? -1 : 1)).map(([vpcId, c]) => {
    const l = priced.consumers?.[vpcId];
    // Live: the consumer VPC as it runs (what `cost --vpc` says of it). Offline: this plan's endpoints in it.
    const e = priced.consumers ? l?.cost?.estimate : estimateMonthlyCost({ region: plan.region, resourceEndpointAzs: c.azs });
    const cost = e ? { source: priced.consumers ? "live" : "plan", lines: e.lines, totalMonthly: e.totalMonthly, unpriced: e.unpriced, complete: e.complete } : null;
    return { vpcId, accountId: c.accountId, resourceEndpointAzs: c.azs, cost, ...(l?.error ? { error: l.error } : {}) };
  });
  const { vpcId: _v, ...egressVpc } = priced.egress;
  const saving = sharedEgressComparison({
    region: plan.region,
    egressVpc,
    consumerEndpointAzs: consumers.map((c) => c.resourceEndpointAzs),
    // no consumer yet: each would get one endpoint per proxy in each of the proxies' AZs (connect-proxy)
    ...(consumers.length ? {} : { endpointAzsPerNewConsumer: proxies.length * new Set(proxies.map((p) => p.az)).size, endpointAzsBasis: "no consumer yet: connect-proxy's one endpoint per proxy, in a subnet of each proxy AZ" }),
    ...(priced.gbPerMonth !== undefined ? { gbPerMonth: priced.gbPerMonth } : {}),
  });
  if (fromRecords.length) {
    saving.complete = false;
    saving.assumptions.push(`Consumer VPC(s) ${fromRecords.join(", ")} could not be read: their Resource endpoints are taken from the plan's records`);
  }
  return { settings: settings ?? null, instances, resourceGateways, resourceEndpoints: resourceEndpoints.map(({ azs: _a, ...e }) => e), consumers, saving };
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

// ---------- the human rendering of the result (--json prints the result itself) ----------

interface CostLine {
  item: string;
  quantity: Text;
  unit: Text;
  unitPrice: Text;
  monthly: number;
}

/** A cost estimate as status prints it (src/analysis/cost.ts). */
interface CostView {
  vpcId?: Text;
  source?: Text;
  complete?: boolean;
  lines: CostLine[];
  totalMonthly: number;
  currency: Text;
  pricesAsOf: Text;
  hoursPerMonth: Text;
  unpriced?: Array<{ item: Text; reason: Text }>;
  assumptions: string[];
}

interface ProxySaving {
  consumerVpcs: number;
  gbPerMonth: Text;
  gbAssumed?: boolean;
  complete?: boolean;
  shared: { totalMonthly: number; egressVpcMonthly: number; consumerEndpointsMonthly: number };
  perConsumerNat: { totalMonthly: number; perVpcMonthly: number; gbMonthly?: number | null };
  savingMonthly: number;
  breakEvenReason: Text;
  assumptions: string[];
}

interface ProxyStatus {
  settings: { port: Text; allowDomains: string[]; verifySni?: boolean } | null;
  instances: Array<{ az: Text; instanceId: Text; state?: Text; instanceType: Text; privateIp: Text; url: Text }>;
  resourceGateways: Array<{ id: Text; status?: Text }>;
  resourceEndpoints: Array<{ vpcId: Text; accountId: Text; vpcEndpointId: Text; subnetIds: string[]; state?: Text }>;
  consumers?: Array<{ vpcId: Text; error?: Text; cost?: { totalMonthly: number; source?: Text; complete?: boolean; lines: Array<{ item: Text; monthly: number }>; unpriced: Array<{ item: Text; reason: Text }> } | null }>;
  saving: ProxySaving;
}

export interface StatusResult {
  plan: string;
  region: Text;
  accountId: Text;
  backend: Text;
  checkedLive: boolean;
  destroyed?: boolean;
  vpcId?: Text;
  subnets: Array<SubnetRow & { defaultRoute?: Text; ipv6Cidr?: string; ipv6DefaultRoute?: string | null; nat64Route?: string | null }>;
  drift?: Array<{ subnetId: Text; what: Text; live?: Text; plan?: Text }>;
  /** A zonal gateway, or one address of a regional one (its AZ, address and association status). */
  natGateways: NatRow[];
  resources: Array<{ owned?: boolean }>;
  egressIps: Text[];
  lambdaFunctions?: Array<{ functionName: Text; subnetIds: Text[]; securityGroupIds: Text[]; egressIps: Text[] }>;
  vpcEndpoints?: Array<{ type?: Text; vpcEndpointId: Text; serviceName: Text; state?: Text }>;
  proxy?: ProxyStatus | null;
  cost: CostView;
}

export function renderStatus(r: StatusResult, c: C, o: RenderOptions = {}): string {
  const lines = [`Plan ${c.bold(r.plan)} — ${r.region}, account ${r.accountId} (${r.backend})${r.checkedLive ? "" : c.dim(" [offline: not checked against AWS]")}`];
  if (r.destroyed) lines.push(c.yellow("Everything this plan created has been destroyed."));
  if (r.vpcId) lines.push(`VPC ${c.bold(`${r.vpcId}`)}`);
  if (r.subnets.length) {
    // IPv6 subnets: their ::/0 (egress-only IGW: out only) and NAT64 route as well
    const v6 = r.subnets.some((s) => s.ipv6Cidr);
    const v4Route = (s: StatusResult["subnets"][number]) => (s.cidr ? (s.defaultRoute ?? (s.tier === "private" ? c.yellow("none (no internet)") : "none")) : "- (IPv6-only)");
    const v6Route = (s: StatusResult["subnets"][number]) => (!s.ipv6Cidr ? "-" : [s.ipv6DefaultRoute ?? c.yellow("none"), ...(s.nat64Route ? [`NAT64 → ${s.nat64Route}`] : [])].join("; "));
    lines.push(
      v6
        ? table(["tier", "AZ", "subnet", "CIDR", "IPv6", "0.0.0.0/0 →", "::/0 →"], [...r.subnets].sort(bySubnetOrder).map((s) => [s.tier, s.az, s.subnetId, s.cidr ?? "(IPv6-only)", s.ipv6Cidr ?? "-", v4Route(s), v6Route(s)]), o)
        : table(["tier", "AZ", "subnet", "CIDR", "0.0.0.0/0 →"], [...r.subnets].sort(bySubnetOrder).map((s) => [s.tier, s.az, s.subnetId, s.cidr, s.defaultRoute ?? (s.tier === "private" ? c.yellow("none (no internet)") : "none")]), o),
    );
  }
  if (r.drift?.length) {
    lines.push(c.yellow(`Drift: AWS differs from what the plan recorded (${r.drift.length}):`));
    for (const d of r.drift) lines.push(c.yellow(`  ${d.subnetId}: ${d.what} is ${d.live ?? "none"} (plan: ${d.plan ?? "none"})`));
    lines.push(c.dim("  re-run the command that made it (add-nat, create-vpc …) to put the plan's routes back, or check who changed them."));
  }
  if (r.natGateways.length) lines.push(table(["AZ", "NAT gateway", "Elastic IP", "state"], r.natGateways.map((n) => [n.az ?? "", n.natGatewayId ?? "", n.publicIp ?? "", n.addressStatus ? `${n.state}, ${n.addressStatus} (regional)` : (n.state ?? "")]), o));
  const owned = r.resources.filter((x) => x.owned).length;
  if (r.resources.length) lines.push(c.dim(`${r.resources.length} resources recorded (${owned} created by egress-cli); --json lists them all.`));
  lines.push(r.egressIps.length ? `Static egress IP(s): ${c.bold(r.egressIps.join(", "))}` : r.natGateways.length ? "No egress IP yet (an automatic-mode regional NAT gateway takes an address in an AZ once a workload is there)." : "No static egress IP (no NAT gateway).");
  for (const f of r.lambdaFunctions ?? []) lines.push(`Lambda ${c.bold(`${f.functionName}`)} in ${f.subnetIds.length} subnet(s), SG ${f.securityGroupIds.join(", ")} — egress IP(s): ${f.egressIps.length ? c.bold(f.egressIps.join(", ")) : "none (no NAT route)"}`);
  // Resource endpoints (a consumer's way to the proxy) are listed with the proxy below.
  for (const e of r.vpcEndpoints ?? []) if (e.type !== "Resource") lines.push(`Endpoint ${e.vpcEndpointId} ${e.serviceName} (${e.type}, ${e.state})`);
  if (r.proxy) lines.push(...renderProxyStatus(r.proxy, c, o));
  lines.push(...renderCost(r.cost, c, o));
  if (r.proxy) lines.push(...renderProxySaving(r.proxy, c));
  return lines.join("\n");
}

/** A cost estimate: its lines, what is unpriced (never counted as 0), its assumptions. */
function renderCost(cost: CostView, c: C, o: RenderOptions): string[] {
  const lines: string[] = [];
  const what = `${cost.vpcId ? ` of ${cost.vpcId}` : ""}${cost.source === "plan" ? " (from the plan's records)" : ""}`;
  const lower = cost.complete === false ? c.yellow(" (lower bound: see unpriced and assumptions)") : "";
  if (cost.lines.length) {
    lines.push(
      `Estimated monthly cost${what}: ${c.bold(`${cost.totalMonthly.toFixed(2)} ${cost.currency}`)}${lower} (prices as of ${cost.pricesAsOf}, ${cost.hoursPerMonth} h/month)`,
      table(["item", "quantity", "unit price", "monthly"], cost.lines.map((l) => [l.item, `${l.quantity} ${l.unit}`, l.unitPrice, l.monthly.toFixed(2)]), o),
    );
  } else lines.push(`Estimated monthly cost${what}: 0.00 USD for hourly items${lower}.`);
  for (const u of cost.unpriced ?? []) lines.push(c.yellow(`  unpriced: ${u.item} — ${u.reason}`));
  for (const a of cost.assumptions) lines.push(c.dim(`  · ${a}`));
  return lines;
}

/** The whole shared design against one NAT gateway + Elastic IP per consumer VPC; the saving is the difference of the two totals printed. */
function renderProxySaving(p: ProxyStatus, c: C): string[] {
  const s = p.saving;
  const lines = [c.bold(`Shared proxy vs one NAT gateway + Elastic IP per consumer VPC (${s.consumerVpcs} consumer VPC(s), NAT data ${s.gbPerMonth} GB/month on both sides${s.gbAssumed ? ": pass --gb-per-month" : ""}):`)];
  lines.push(`  shared design:        ${s.shared.totalMonthly.toFixed(2)} USD/month = egress VPC ${s.shared.egressVpcMonthly.toFixed(2)} + consumers' Resource endpoints ${s.shared.consumerEndpointsMonthly.toFixed(2)}${s.complete ? "" : c.yellow(" (lower bound: something is unpriced)")}`);
  lines.push(`  NAT per consumer VPC: ${s.perConsumerNat.totalMonthly.toFixed(2)} USD/month = ${s.consumerVpcs} x ${s.perConsumerNat.perVpcMonthly.toFixed(2)}${s.perConsumerNat.gbMonthly ? ` + NAT data ${s.perConsumerNat.gbMonthly.toFixed(2)}` : ""}`);
  const verb = s.savingMonthly >= 0 ? "saves" : "costs";
  lines.push(`  The shared proxy ${verb} ${c.bold(`${Math.abs(s.savingMonthly).toFixed(2)} USD/month`)}${s.savingMonthly >= 0 ? "" : " more"} (${s.perConsumerNat.totalMonthly.toFixed(2)} - ${s.shared.totalMonthly.toFixed(2)})`);
  lines.push(`  Break-even: ${s.breakEvenReason}`);
  for (const a of s.assumptions) lines.push(c.dim(`  · ${a}`));
  for (const x of p.consumers ?? []) if (x.error) lines.push(c.yellow(`  consumer ${x.vpcId}: ${x.error}`));
  return lines;
}

/** status's proxy part: the instances, the resource gateway, the consumers' Resource endpoints, the saving. */
function renderProxyStatus(p: ProxyStatus, c: C, o: RenderOptions): string[] {
  const lines: string[] = [];
  if (p.settings) lines.push(`Proxy on port ${p.settings.port}, allowing ${c.bold(p.settings.allowDomains.join(" "))}${p.settings.verifySni ? " (SNI checked)" : ""}`);
  if (p.instances.length) lines.push(table(["AZ", "proxy instance", "state", "type", "private IP", "URL"], p.instances.map((i) => [i.az, i.instanceId, i.state ?? "?", i.instanceType, i.privateIp, i.url]), o));
  for (const g of p.resourceGateways) lines.push(`Resource gateway ${g.id}${g.status ? ` (${g.status})` : ""}`);
  if (p.resourceEndpoints.length) lines.push(table(["consumer VPC", "account", "Resource endpoint", "subnets", "state"], p.resourceEndpoints.map((e) => [e.vpcId, e.accountId, e.vpcEndpointId, e.subnetIds.join(","), e.state ?? "?"]), o));
  for (const x of p.consumers ?? []) {
    if (!x.cost) continue;
    lines.push(`Consumer VPC ${x.vpcId}: ${x.cost.totalMonthly.toFixed(2)} USD/month ${x.cost.source === "live" ? "as it runs" : "for this plan's endpoints"} (${x.cost.lines.map((l) => `${l.item} ${l.monthly.toFixed(2)}`).join("; ") || "nothing billed hourly"})${x.cost.complete ? "" : c.yellow(" (lower bound)")}`);
    for (const u of x.cost.unpriced) lines.push(c.yellow(`  unpriced: ${u.item} — ${u.reason}`));
  }
  return lines;
}
