// DNS64 on in a subnet whose route table has no 64:ff9b::/96 route to a NAT gateway: the Route 53
// Resolver answers every IPv4-only name with a synthesized 64:ff9b::a.b.c.d address, and nothing
// translates it (terraform-aws-modules/vpc's long-open issue: IPv6-only subnets lose every IPv4 service).
import { ComponentType } from "../analyzer.js";
import { routeTableForSubnet } from "../snapshot-index.js";
import type { RawFinding, Rule } from "./types.js";
import { manualFix, natUsable } from "./util.js";

export const NAT64_PREFIX = "64:ff9b::/96";

export const dns64NoNat64Route: Rule = {
  id: "dns64-no-nat64-route",
  severity: "high",
  title: "DNS64 on without a 64:ff9b::/96 route to a NAT gateway",
  rationale:
    "With DNS64 on, the Route 53 Resolver answers a name that has only IPv4 addresses with a synthesized IPv6 address in 64:ff9b::/96, and the client uses it. Only a NAT gateway translates that prefix to IPv4 (NAT64); without a route to one, the packets follow ::/0 (an egress-only or internet gateway, which cannot reach 64:ff9b::/96) or nothing, and every IPv4-only service is unreachable.",
  help: "Add `64:ff9b::/96 → nat-…` to the subnet's route table (a NAT gateway in the same AZ), or turn DNS64 off if the subnet does not need IPv4 services (`aws ec2 modify-subnet-attribute --no-enable-dns64`).",
  equivalents: {},
  needs: ["subnets", "routeTables", "natGateways"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const s of ix.subnets.values()) {
      if (!s.EnableDns64) continue;
      const rt = routeTableForSubnet(ix, s);
      const route = rt?.table.table.Routes.find((r) => r.DestinationIpv6CidrBlock === NAT64_PREFIX);
      const nat = route?.NatGatewayId ? ix.natGateways.get(route.NatGatewayId) : undefined;
      if (route && natUsable(nat) && (route.State ?? "active") === "active") continue;
      const rtId = rt?.table.table.RouteTableId;
      const now = !route ? "has no 64:ff9b::/96 route" : nat ? `routes 64:ff9b::/96 to ${nat.NatGatewayId}, which is ${nat.State}` : `routes 64:ff9b::/96 to ${route.GatewayId ?? route.EgressOnlyInternetGatewayId ?? route.NetworkInterfaceId ?? route.TransitGatewayId ?? "?"}, not to a NAT gateway`;
      // A public NAT gateway of the VPC, the subnet's AZ first (cross-AZ NAT traffic costs, and fails with the AZ).
      const nats = [...ix.natGateways.values()].filter((n) => n.VpcId === s.VpcId && natUsable(n) && (n.ConnectivityType ?? "public") === "public");
      const pick = nats.find((n) => ix.subnets.get(n.SubnetId ?? "")?.AvailabilityZone === s.AvailabilityZone) ?? nats[0];
      const fix = !rtId
        ? manualFix(`${s.SubnetId} has no route table in the snapshot`)
        : !pick
          ? manualFix(`${s.VpcId} has no available public NAT gateway: add one (egress-cli add-nat, which also routes 64:ff9b::/96 for DNS64 subnets), or turn DNS64 off (aws ec2 modify-subnet-attribute --subnet-id ${s.SubnetId} --no-enable-dns64)`)
          : `aws ec2 ${route ? "replace-route" : "create-route"} --route-table-id ${rtId} --destination-ipv6-cidr-block ${NAT64_PREFIX} --nat-gateway-id ${pick.NatGatewayId}`;
      out.push({
        resourceId: s.SubnetId,
        resourceType: ComponentType.subnet,
        vpcId: s.VpcId,
        message: `${s.SubnetId} has DNS64 on, but its route table ${rtId ?? "(none)"} ${now}: names with only IPv4 addresses resolve to 64:ff9b:: addresses nothing translates, so IPv4-only services are unreachable from it.`,
        evidence: { blocking: { id: rtId ?? s.SubnetId, type: rtId ? ComponentType.routeTable : ComponentType.subnet, code: "NO_ROUTE_TO_DESTINATION", detail: "No 64:ff9b::/96 route to an available NAT gateway (NAT64)." }, facts: { subnetId: s.SubnetId, ...(rtId ? { routeTableId: rtId } : {}), ...(pick ? { natGatewayId: pick.NatGatewayId } : {}) } },
        fix,
      });
    }
    return out;
  },
};
