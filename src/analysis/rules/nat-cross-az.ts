// Private subnets whose default route goes to a NAT gateway in another AZ: cross-AZ data charges,
// and the subnet loses egress when that AZ fails.
import { ComponentType } from "../analyzer.js";
import { routeTableForSubnet } from "../snapshot-index.js";
import type { RawFinding, Rule } from "./types.js";
import { defaultRoute, manualFix, tierOf, vpcPlanFix } from "./util.js";

export const natCrossAz: Rule = {
  id: "nat-cross-az",
  severity: "low",
  title: "Private subnet egresses through a NAT gateway in another AZ",
  rationale: "Traffic from a subnet to a NAT gateway in another Availability Zone pays cross-AZ data transfer (0.01 USD/GB each way) and depends on that AZ: an AZ outage takes the egress of every AZ routed there. One NAT for all AZs is a deliberate cost trade-off for small workloads (`add-nat --mode single`), hence low.",
  help: "For production, one NAT gateway per AZ (`egress-cli add-nat --mode per-az`), or one regional NAT gateway that serves each AZ from its own Elastic IP with no public subnet (`egress-cli add-nat --mode regional`).",
  equivalents: {},
  needs: ["natGateways", "routeTables"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const subnet of ix.subnets.values()) {
      const d = defaultRoute(ix, subnet);
      const nat = d?.route.NatGatewayId ? ix.natGateways.get(d.route.NatGatewayId) : undefined;
      if (!nat || nat.State !== "available") continue;
      const natAz = nat.SubnetId ? ix.subnets.get(nat.SubnetId)?.AvailabilityZone : undefined;
      if (!natAz || !subnet.AvailabilityZone || natAz === subnet.AvailabilityZone) continue;
      out.push({
        resourceId: subnet.SubnetId,
        resourceType: ComponentType.subnet,
        vpcId: subnet.VpcId,
        message: `${subnet.SubnetId} (${subnet.AvailabilityZone}) sends its egress to ${nat.NatGatewayId} in ${natAz}; a NAT gateway in ${subnet.AvailabilityZone}, or one regional NAT gateway for every AZ (each AZ through its own Elastic IP), keeps it in its AZ.`,
        evidence: { facts: { subnetAz: subnet.AvailabilityZone, natGatewayId: nat.NatGatewayId, natAz, routeTableId: d!.routeTableId } },
        fix: perAzFix(ix, subnet, nat, d!.routeTableId),
      });
    }
    return out;
  },
};

/**
 * add-nat --mode per-az puts a NAT gateway in each AZ's public subnet: the subnet's AZ needs one. A
 * plan whose own NAT layout is single cannot be changed in place by add-nat (it refuses): said so.
 */
function perAzFix(ix: Parameters<Rule["check"]>[0]["ix"], subnet: { VpcId: string; AvailabilityZone?: string }, nat: { NatGatewayId: string; Tags?: { Key?: string; Value?: string }[] }, routeTableId: string): string {
  const plan = nat.Tags?.find((t) => t.Key === "egress-cli:plan")?.Value;
  if (plan) return manualFix(`${nat.NatGatewayId} is plan "${plan}"'s single NAT gateway: when the cross-AZ charge matters, move the plan to one regional NAT gateway that serves every AZ in its own AZ (egress-cli add-nat --mode regional: an Elastic IP per AZ, so allow-list the new egress IPs first — egress-cli egress-ips) or build the VPC again with add-nat --mode per-az (one NAT gateway per AZ); egress-cli cost --compare-nat-modes prices the three.`);
  if (!(ix.subnetsByVpc.get(subnet.VpcId) ?? []).some((s) => s.AvailabilityZone === subnet.AvailabilityZone && tierOf(ix, s) === "public")) {
    return manualFix(`${subnet.VpcId} has no public subnet in ${subnet.AvailabilityZone} for a NAT gateway there; add one, then egress-cli add-nat --mode per-az.`);
  }
  // One table for several AZs cannot point each AZ at its own NAT gateway (add-nat refuses it).
  const azs = new Set((ix.subnetsByVpc.get(subnet.VpcId) ?? []).filter((s) => routeTableForSubnet(ix, s)?.table.table.RouteTableId === routeTableId).map((s) => s.AvailabilityZone));
  if (azs.size > 1) return manualFix(`${routeTableId} serves private subnets in ${[...azs].sort().join(", ")}: give each AZ's private subnets a route table of their own, then egress-cli add-nat --mode per-az.`);
  return vpcPlanFix(ix, subnet.VpcId, ["add-nat --mode per-az"]);
}
