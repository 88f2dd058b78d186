// An IPv6 workload subnet that is private by design (its IPv4 leaves through a NAT gateway, or it is
// IPv6-only behind NAT64 / in a VPC with an egress-only gateway) but routes ::/0 to the internet gateway:
// every IPv6 address in it is reachable from the internet (only security groups stand), where an
// egress-only internet gateway would let connections out and none in.
import { ComponentType } from "../analyzer.js";
import { routeTableForSubnet } from "../snapshot-index.js";
import type { RawFinding, Rule } from "./types.js";
import { defaultRoute, manualFix, routesToAttachedIgw, tierOf } from "./util.js";

export const ipv6PrivateSubnetIgwRoute: Rule = {
  id: "ipv6-private-subnet-igw-route",
  severity: "high",
  title: "Private IPv6 subnet routed ::/0 to an internet gateway instead of an egress-only gateway",
  rationale:
    "IPv6 has no NAT: an address in a subnet whose ::/0 goes to the internet gateway is globally reachable, so a subnet kept private for IPv4 (a NAT gateway) is public over IPv6. An egress-only internet gateway carries the same outbound traffic and refuses every connection opened from the internet, at no hourly charge.",
  help: "Route the subnet's ::/0 to the VPC's egress-only internet gateway (`aws ec2 replace-route … --egress-only-internet-gateway-id eigw-…`; create one with `aws ec2 create-egress-only-internet-gateway` if the VPC has none).",
  equivalents: {},
  needs: ["subnets", "routeTables", "internetGateways", "egressOnlyInternetGateways"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const s of ix.subnets.values()) {
      if (!(s.Ipv6CidrBlockAssociationSet ?? []).some((a) => a.Ipv6CidrBlock)) continue;
      const rt = routeTableForSubnet(ix, s);
      const route = rt?.table.table.Routes.find((r) => r.DestinationIpv6CidrBlock === "::/0");
      if (!rt || !route || !routesToAttachedIgw(ix, s, route)) continue;
      const eigw = [...ix.egressOnlyInternetGateways.values()].find((g) => g.Attachments.some((a) => a.VpcId === s.VpcId && ["attached", "available"].includes(a.State ?? "attached")));
      const ipv6Only = !s.CidrBlock || s.Ipv6Native;
      const v4 = defaultRoute(ix, s);
      const privateV4 = !ipv6Only && tierOf(ix, s) === "private";
      const nat64 = rt.table.table.Routes.some((r) => r.DestinationIpv6CidrBlock === "64:ff9b::/96" && r.NatGatewayId);
      // "meant private": private for IPv4, or IPv6-only with NAT64 or an egress-only gateway in its VPC.
      if (!privateV4 && !(ipv6Only && (nat64 || eigw))) continue;
      const rtId = rt.table.table.RouteTableId;
      // The route is shared by every subnet of the table: replacing it is safe only when none of them is public over IPv4.
      const users = [...ix.subnets.values()].filter((x) => x.VpcId === s.VpcId && routeTableForSubnet(ix, x)?.table.table.RouteTableId === rtId);
      const publicUsers = users.filter((x) => tierOf(ix, x) === "public").map((x) => x.SubnetId);
      const fix = publicUsers.length
        ? manualFix(`${rtId} also serves public subnet(s) ${publicUsers.join(", ")}: give ${s.SubnetId} a route table of its own with ::/0 → an egress-only internet gateway`)
        : eigw
          ? `aws ec2 replace-route --route-table-id ${rtId} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id ${eigw.EgressOnlyInternetGatewayId}`
          : manualFix(`${s.VpcId} has no egress-only internet gateway: create one (aws ec2 create-egress-only-internet-gateway --vpc-id ${s.VpcId}) and replace ${rtId}'s ::/0 route with it (aws ec2 replace-route --route-table-id ${rtId} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id EIGW_ID)`);
      out.push({
        resourceId: s.SubnetId,
        resourceType: ComponentType.subnet,
        vpcId: s.VpcId,
        message: `${s.SubnetId} is private (${privateV4 ? `its IPv4 leaves through ${v4?.route.NatGatewayId ?? v4?.route.NetworkInterfaceId ?? v4?.route.InstanceId ?? "a NAT"}` : `IPv6-only${nat64 ? " behind NAT64" : ""}`}) but its route table ${rtId} sends ::/0 to internet gateway ${route.GatewayId}: every IPv6 address in it can be reached from the internet, where an egress-only gateway admits no inbound connection.`,
        evidence: { facts: { subnetId: s.SubnetId, routeTableId: rtId, internetGatewayId: route.GatewayId!, ...(eigw ? { egressOnlyInternetGatewayId: eigw.EgressOnlyInternetGatewayId } : {}) } },
        fix,
      });
    }
    return out;
  },
};
