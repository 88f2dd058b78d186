// A public NAT gateway placed in a subnet whose route table does not send 0.0.0.0/0 to an attached
// internet gateway: the NAT is "available" but nothing it translates gets out.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { defaultRoute, manualFix, routesToAttachedIgw } from "./util.js";

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
      const target = d ? (d.route.GatewayId ?? d.route.NatGatewayId ?? d.route.NetworkInterfaceId ?? d.route.TransitGatewayId ?? d.route.VpcPeeringConnectionId ?? "other") : "none";
      const now = d ? `sends 0.0.0.0/0 to ${target}${d.route.State === "blackhole" ? " (blackhole)" : ""}, not to an internet gateway` : "has no 0.0.0.0/0 route";
      // The fix is a route in this table, which is safe only when the table serves the NAT's subnet(s)
      // alone: on a table other subnets use (or the main table) it would make those subnets public.
      const igw = [...ix.internetGateways.values()].find((g) => g.Attachments.some((a) => a.VpcId === subnet.VpcId && (a.State ?? "available") !== "detached"));
      const natSubnets = new Set([...ix.natGateways.values()].filter((n) => (n.ConnectivityType ?? "public") === "public").map((n) => n.SubnetId));
      const users = [...ix.subnets.values()].filter((s) => s.VpcId === subnet.VpcId && (ix.subnetRouteTable.get(s.SubnetId) ?? ix.mainRouteTable.get(s.VpcId)) === rt).map((s) => s.SubnetId);
      const shared = d?.main || ix.mainRouteTable.get(subnet.VpcId) === rt || users.some((s) => !natSubnets.has(s));
      const fix = !igw
        ? manualFix(`${subnet.VpcId} has no internet gateway attached: a public NAT gateway there cannot reach the internet. Attach one and route ${rt}'s 0.0.0.0/0 to it, or delete ${nat.NatGatewayId} and add one in a public subnet (egress-cli add-nat).`)
        : shared
          ? manualFix(`${rt} also routes ${users.filter((s) => s !== subnet.SubnetId).join(", ") || "the VPC's other subnets (it is the main table)"}: a route to ${igw.InternetGatewayId} there would make them public. Give ${subnet.SubnetId} a route table of its own with 0.0.0.0/0 → ${igw.InternetGatewayId}, or delete ${nat.NatGatewayId} and add one in a public subnet (egress-cli add-nat).`)
          : `aws ec2 ${d ? "replace-route" : "create-route"} --route-table-id ${rt} --destination-cidr-block 0.0.0.0/0 --gateway-id ${igw.InternetGatewayId}`;
      out.push({
        resourceId: nat.NatGatewayId,
        resourceType: ComponentType.natGateway,
        vpcId: subnet.VpcId,
        message: `${nat.NatGatewayId} is in ${subnet.SubnetId}, whose route table ${rt} ${now}: what the NAT translates cannot leave the VPC.`,
        evidence: { blocking: { id: rt, type: ComponentType.routeTable, code: "NO_ROUTE_TO_DESTINATION", detail: "The NAT gateway's subnet has no 0.0.0.0/0 route to an attached internet gateway." }, facts: { subnetId: subnet.SubnetId, routeTableId: rt, defaultRouteTarget: target } },
        fix,
      });
    }
    return out;
  },
};
