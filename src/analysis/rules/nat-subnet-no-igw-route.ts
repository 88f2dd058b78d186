// A public NAT gateway placed in a subnet whose route table does not send 0.0.0.0/0 to an attached
// internet gateway: the NAT is "available" but nothing it translates gets out.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { defaultRoute, routesToAttachedIgw } from "./util.js";

export const natSubnetNoIgwRoute: Rule = {
  id: "nat-subnet-no-igw-route",
  severity: "high",
  title: "NAT gateway in a subnet without a route to an internet gateway",
  rationale:
    "A public NAT gateway forwards traffic using its own subnet's route table. Without 0.0.0.0/0 → an attached internet gateway there, every private subnet routed to it loses its egress, while the NAT gateway itself reports `available` and keeps billing.",
  help: "Move the NAT gateway to a public subnet (`egress-cli add-nat` places it in the plan's public subnets), or add `0.0.0.0/0 → igw-…` to the NAT subnet's route table.",
  equivalents: {},
  needs: ["natGateways", "routeTables", "internetGateways"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const nat of ix.natGateways.values()) {
      if ((nat.ConnectivityType ?? "public") !== "public" || !["available", "pending"].includes(nat.State ?? "available")) continue;
      const subnet = nat.SubnetId ? ix.subnets.get(nat.SubnetId) : undefined;
      if (!subnet) continue;
      const d = defaultRoute(ix, subnet);
      if (routesToAttachedIgw(ix, subnet, d?.route)) continue;
      const rt = d?.routeTableId ?? ix.subnetRouteTable.get(subnet.SubnetId) ?? ix.mainRouteTable.get(subnet.VpcId) ?? "?";
      const target = d ? (d.route.GatewayId ?? d.route.NatGatewayId ?? d.route.NetworkInterfaceId ?? d.route.TransitGatewayId ?? "other") : "none";
      out.push({
        resourceId: nat.NatGatewayId,
        resourceType: ComponentType.natGateway,
        vpcId: subnet.VpcId,
        message: `${nat.NatGatewayId} is in ${subnet.SubnetId}, whose route table ${rt} has ${d ? `0.0.0.0/0 → ${target}` : "no default route"}: what the NAT translates cannot leave the VPC.`,
        evidence: { blocking: { id: rt, type: ComponentType.routeTable, code: "NO_ROUTE_TO_DESTINATION", detail: "The NAT gateway's subnet has no 0.0.0.0/0 route to an attached internet gateway." }, facts: { subnetId: subnet.SubnetId, routeTableId: rt, defaultRouteTarget: target } },
        fix: `aws ec2 create-route --route-table-id ${rt} --destination-cidr-block 0.0.0.0/0 --gateway-id <igw-id>   # or recreate it in a public subnet: egress-cli add-nat`,
      });
    }
    return out;
  },
};
