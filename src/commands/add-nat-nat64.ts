// add-nat's IPv6 part: the plan's IPv6-only private subnets reach IPv4 through the NAT gateway
// (NAT64) — 64:ff9b::/96 → NAT in their route tables, then DNS64 on for them, so IPv4-only names
// resolve to addresses in that prefix. Both or neither: DNS64 without the route breaks every IPv4-only
// destination (the failure terraform-aws-modules/vpc users report), so the DNS64 step waits for its
// table's route, and whatever stops the route is refused before any change.
import type { RouteTable } from "@aws-sdk/client-ec2";
import type { StepDef } from "../engine/engine.js";
import { recordsOf } from "../engine/kinds/kind.js";
import { natGatewayKind } from "../engine/kinds/nat-gateway.js";
import { routeKind, routeStep } from "../engine/kinds/route.js";
import { subnetKind } from "../engine/kinds/subnet.js";
import { dns64Step, subnetAttributeKind } from "../engine/kinds/subnet-attribute.js";
import { planRouteTableOf, privateRouteTables } from "../engine/kinds/views.js";
import { NAT64_PREFIX } from "../net/routes.js";
import type { Plan } from "../plans/schema.js";

type TableRec = ReturnType<typeof privateRouteTables>[number][1];

/** The plan's IPv6-only private subnets, each with its private table's step (undefined: not one of the plan's private tables). */
export function ipv6OnlyPrivateSubnets(plan: Plan): Array<{ step: string; subnetId: string; tableId?: string; tableStep?: string }> {
  const tables = privateRouteTables(plan);
  return recordsOf(plan, subnetKind)
    .filter(([, r]) => r.id && r.tier === "private" && r.attrs.ipv6Only)
    .map(([step, r]) => {
      const tableId = planRouteTableOf(plan, r.id);
      return { step, subnetId: r.id!, tableId, tableStep: tables.find(([, t]) => t.id === tableId)?.[0] };
    });
}

/** Steps: per private table serving IPv6-only subnets, 64:ff9b::/96 → its NAT (`natStepOf`: the NAT gateway's step, as its 0.0.0.0/0's), then DNS64 on per subnet. */
export function nat64Steps(plan: Plan, natStepOf: (table: TableRec) => string): StepDef[] {
  const steps: StepDef[] = [];
  const routed = new Set<string>();
  for (const s of ipv6OnlyPrivateSubnets(plan)) {
    if (!s.tableStep) continue; // refused earlier (nat64Problems)
    const routeId = `${s.tableStep}/nat64-route`;
    if (!routed.has(s.tableStep)) {
      routed.add(s.tableStep);
      const natStep = natStepOf(plan.resources[s.tableStep] as TableRec);
      steps.push(
        routeStep({
          id: routeId,
          label: `route ${NAT64_PREFIX} → NAT gateway (${natStep}) in ${s.tableStep} (NAT64)`,
          routeTableStep: s.tableStep,
          destination: NAT64_PREFIX,
          target: (run) => ({ NatGatewayId: run.ref(natStep) }),
          dependsOn: [natStep],
        }),
      );
    }
    steps.push(dns64Step({ id: `${s.step}/dns64`, subnetStep: s.step, dependsOn: [routeId] }));
  }
  return steps;
}

/** Why add-nat cannot give an IPv6-only subnet both (a table not the plan's, a NAT64 route to something else); empty: it can. */
export function nat64Problems(plan: Plan, liveTables: RouteTable[]): string[] {
  const ours = new Set(recordsOf(plan, natGatewayKind).map(([, r]) => r.id));
  const out: string[] = [];
  for (const s of ipv6OnlyPrivateSubnets(plan)) {
    if (!s.tableStep) {
      out.push(`IPv6-only subnet ${s.subnetId} is routed by ${s.tableId ?? "the main route table"}, which is not one of the plan's private route tables: add-nat cannot add ${NAT64_PREFIX} → NAT there, and will not turn DNS64 on without it (every IPv4-only name would then resolve to an unroutable address).`);
      continue;
    }
    const live = liveTables.find((t) => t.RouteTableId === s.tableId);
    const r = live?.Routes?.find((x) => x.DestinationIpv6CidrBlock === NAT64_PREFIX);
    const target = r && (r.NatGatewayId ?? r.TransitGatewayId ?? r.NetworkInterfaceId ?? r.GatewayId ?? r.VpcPeeringConnectionId);
    if (r && r.State !== "blackhole" && !(r.NatGatewayId && ours.has(r.NatGatewayId)))
      out.push(`Route table ${s.tableId} already sends ${NAT64_PREFIX} to ${target ?? "another target"} (NAT64 elsewhere): add-nat will not replace it, nor turn DNS64 on for ${s.subnetId} on its own.`);
  }
  return [...new Set(out)];
}

/** Routes add-nat's NAT64 part adds to a live table (0 or 1): for the routes quota check. */
export function nat64RoutesAdded(plan: Plan, table: RouteTable): number {
  const serves = ipv6OnlyPrivateSubnets(plan).some((s) => s.tableId === table.RouteTableId);
  return serves && !table.Routes?.some((r) => r.DestinationIpv6CidrBlock === NAT64_PREFIX) ? 1 : 0;
}

/** What the NAT64 part holds (add-nat's result): the routes and the subnets with DNS64 on; undefined without IPv6-only subnets. */
export function summarizeNat64(plan: Plan) {
  const subnets = ipv6OnlyPrivateSubnets(plan);
  if (!subnets.length) return undefined;
  const routes = recordsOf(plan, routeKind)
    .filter(([step]) => step.endsWith("/nat64-route"))
    .map(([, r]) => ({ routeTableId: r.attrs.routeTableId, destination: NAT64_PREFIX, natGatewayId: r.attrs.target?.NatGatewayId }));
  const dns64 = new Set(recordsOf(plan, subnetAttributeKind).map(([, r]) => r.attrs.subnetId));
  return { routes, subnets: subnets.map((s) => ({ subnetId: s.subnetId, dns64: dns64.has(s.subnetId) })) };
}
