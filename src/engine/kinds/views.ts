// Typed plan views: the questions commands ask of a plan's records more than once ("the VPC",
// "no VPC yet", the private route tables, the public subnets, the table and default route the plan
// recorded for a subnet), each answered in one place through the kinds' attrs schemas.
import { UsageError } from "../../errors.js";
import type { Plan } from "../../plans/schema.js";
import type { z } from "zod";
import { recordOf, recordsOf, type KindRecord } from "./kind.js";
import { natGatewayKind } from "./nat-gateway.js";
import { routeTableAssociationKind } from "./route-table-association.js";
import { routeTableKind } from "./route-table.js";
import { routeKind, type Target } from "./route.js";
import { subnetKind } from "./subnet.js";
import { vpcKind } from "./vpc.js";
import { byText } from "../../order.js";

type PlanResources = Pick<Plan, "resources">;

/** The plan's VPC once created (its id, CIDR and the VpcState AWS last gave), else undefined. */
export function planVpc(plan: PlanResources): { id: string; cidr?: string; state?: string } | undefined {
  const v = plan.resources.vpc;
  const state = recordOf(plan, vpcKind, "vpc")?.attrs.state;
  return v?.state === "created" && v.id ? { id: v.id, ...(v.cidr ? { cidr: v.cidr } : {}), ...(state ? { state } : {}) } : undefined;
}

/** The id of the plan's VPC; a plan without one yet is exit 2 ("create-vpc or import first"). */
export function requirePlanVpc(plan: Pick<Plan, "resources" | "name">): string {
  const v = planVpc(plan);
  if (!v) throw new UsageError(`Plan "${plan.name}" has no VPC yet.`, "Run egress-cli create-vpc (or import) first.");
  return v.id;
}

export type PlanSubnet = { step: string; subnetId: string; az: string; tier?: "public" | "private"; cidr?: string };

/** The plan's created subnets (optionally of one tier: public = routed to an internet gateway), by step. */
export function planSubnets(plan: PlanResources, tier?: "public" | "private"): PlanSubnet[] {
  return recordsOf(plan, subnetKind)
    .filter(([, r]) => r.id && (!tier || r.tier === tier))
    .sort(([a], [b]) => byText(a, b))
    .map(([step, r]) => ({ step, subnetId: r.id!, az: r.az ?? "", tier: r.tier, cidr: r.cidr }));
}

/** Per AZ, the first (by step) public subnet: where a NAT gateway of that AZ goes. */
export function publicSubnetsByAz(plan: PlanResources): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of planSubnets(plan, "public")) if (s.az && !m.has(s.az)) m.set(s.az, s.step);
  return m;
}

export type RouteTableRecord = KindRecord<z.infer<typeof routeTableKind.attrs>>;

/** The plan's created private route tables, by step. */
export function privateRouteTables(plan: PlanResources): Array<[string, RouteTableRecord]> {
  return recordsOf(plan, routeTableKind)
    .filter(([, r]) => r.tier === "private")
    .sort(([a], [b]) => byText(a, b));
}

/** AZs a route table serves (create-vpc records one AZ; import records the list). */
export function routeTableAzs(rec: Pick<RouteTableRecord, "az" | "attrs">): string[] {
  if (rec.az) return [rec.az];
  return (rec.attrs.azs ?? []).slice().sort();
}

/** The table the plan recorded as deciding a subnet's routes: its association's, else the one recorded with the subnet. */
export function planRouteTableOf(plan: PlanResources, subnetId: string | null | undefined): string | undefined {
  if (!subnetId) return undefined;
  const assoc = recordsOf(plan, routeTableAssociationKind).find(([, r]) => r.attrs.subnetId === subnetId);
  return assoc?.[1].attrs.routeTableId ?? recordsOf(plan, subnetKind).find(([, r]) => r.id === subnetId)?.[1].attrs.routeTableId;
}

/** The 0.0.0.0/0 target this plan created in a route table, if any. */
export function planDefaultRoute(plan: PlanResources, routeTableId: string | undefined, destination: "0.0.0.0/0" | "::/0" | "64:ff9b::/96" = "0.0.0.0/0"): Target | undefined {
  if (!routeTableId) return undefined;
  return recordsOf(plan, routeKind).find(([, r]) => r.attrs.routeTableId === routeTableId && r.attrs.destination === destination)?.[1].attrs.target;
}

/** The public IP of the plan's NAT gateway with this id (created), if recorded. */
export function planNatPublicIp(plan: PlanResources, natGatewayId: string | undefined): string | undefined {
  return natGatewayId ? recordsOf(plan, natGatewayKind).find(([, r]) => r.id === natGatewayId)?.[1].attrs.publicIp : undefined;
}
