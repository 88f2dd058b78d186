// Private subnets whose default route goes to a NAT gateway in another AZ: cross-AZ data charges,
// and the subnet loses egress when that AZ fails.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { defaultRoute } from "./util.js";

export const natCrossAz: Rule = {
  id: "nat-cross-az",
  severity: "low",
  title: "Private subnet egresses through a NAT gateway in another AZ",
  rationale: "Traffic from a subnet to a NAT gateway in another Availability Zone pays cross-AZ data transfer (0.01 USD/GB each way) and depends on that AZ: an AZ outage takes the egress of every AZ routed there. One NAT for all AZs is a deliberate cost trade-off for small workloads (`add-nat --mode single`), hence low.",
  help: "For production, one NAT gateway per AZ: `egress-cli add-nat --mode per-az`.",
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
        message: `${subnet.SubnetId} (${subnet.AvailabilityZone}) sends its egress to ${nat.NatGatewayId} in ${natAz}.`,
        evidence: { facts: { subnetAz: subnet.AvailabilityZone, natGatewayId: nat.NatGatewayId, natAz, routeTableId: d!.routeTableId } },
        fix: "egress-cli add-nat --mode per-az",
      });
    }
    return out;
  },
};
