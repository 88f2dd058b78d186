// Cost: an IPv6-capable VPC (it has an IPv6 CIDR) whose private subnets send everything through a NAT
// gateway and its public IPv4 address, with no ::/0 → egress-only gateway: traffic to the (many)
// destinations that answer on IPv6 pays the NAT's per-GB processing and rides a billed public IPv4
// address, where an egress-only internet gateway costs nothing per hour or per GB.
import { ComponentType } from "../analyzer.js";
import { cents, estimateMonthlyCost, pricesFor } from "../cost.js";
import { routeTableForSubnet } from "../snapshot-index.js";
import type { RawFinding, Rule } from "./types.js";
import { defaultRoute, manualFix, natUsable } from "./util.js";

export const costNatIpv4Ipv6Capable: Rule = {
  id: "cost-nat-ipv4-ipv6-capable",
  severity: "info",
  title: "IPv6-capable VPC sends all egress through a NAT gateway's public IPv4",
  rationale:
    "Every public IPv4 address is billed (0.005 USD/h since 2024), and a NAT gateway bills hours and every GB it processes. In a VPC that already has an IPv6 CIDR, traffic to destinations that answer on IPv6 can leave through an egress-only internet gateway, which has no hourly or processing charge; the NAT then carries only what must be IPv4 (and NAT64 for IPv6-only subnets).",
  help: "Give the private subnets IPv6 (/64s from the VPC's block), route ::/0 to an egress-only internet gateway, and keep the NAT for IPv4-only destinations (`create-vpc --ipv6` builds this layout).",
  equivalents: {},
  needs: ["subnets", "routeTables", "natGateways", "egressOnlyInternetGateways"],
  check({ ix, region }) {
    const out: RawFinding[] = [];
    const gb = pricesFor(region).prices.natGatewayGb;
    for (const vpc of [...ix.vpcs.values()].sort((a, b) => (a.VpcId < b.VpcId ? -1 : 1))) {
      if (!(vpc.Ipv6CidrBlockAssociationSet ?? []).some((a) => a.Ipv6CidrBlock)) continue;
      const subnets: string[] = [];
      const nats = new Set<string>();
      for (const s of ix.subnetsByVpc.get(vpc.VpcId) ?? []) {
        const d = defaultRoute(ix, s);
        const nat = d?.route.NatGatewayId ? ix.natGateways.get(d.route.NatGatewayId) : undefined;
        if (!nat || !natUsable(nat) || (nat.ConnectivityType ?? "public") !== "public") continue;
        const v6 = routeTableForSubnet(ix, s)?.table.table.Routes.find((r) => r.DestinationIpv6CidrBlock === "::/0");
        if (v6?.EgressOnlyInternetGatewayId && (s.Ipv6CidrBlockAssociationSet ?? []).some((a) => a.Ipv6CidrBlock)) continue;
        subnets.push(s.SubnetId);
        nats.add(nat.NatGatewayId);
      }
      if (!subnets.length) continue;
      // The one cost model: the NAT gateways these subnets use, with their public IPv4 addresses.
      const ips = [...nats].reduce((n, id) => n + (ix.natGateways.get(id)!.NatGatewayAddresses.filter((a) => a.PublicIp).length || 0), 0);
      const est = estimateMonthlyCost({ region, natGateways: nats.size, publicIpv4Addresses: ips });
      const ipv4 = cents(estimateMonthlyCost({ region, publicIpv4Addresses: ips }).totalMonthly);
      const total = cents(est.totalMonthly);
      out.push({
        resourceId: vpc.VpcId,
        resourceType: ComponentType.vpc,
        vpcId: vpc.VpcId,
        message: `${vpc.VpcId} has an IPv6 CIDR, but ${subnets.length} private subnet(s) (${subnets.sort().join(", ")}) send all egress through ${[...nats].sort().join(", ")}: ${total.toFixed(2)} USD/month before data (NAT hours, and ${ips} public IPv4 address(es): ${ipv4.toFixed(2)} USD/month) plus ${gb} USD per GB processed, where IPv6 through an egress-only internet gateway costs nothing per hour or per GB.`,
        evidence: { facts: { subnets: subnets.sort(), natGateways: [...nats].sort(), natMonthlyUsd: total, publicIpv4MonthlyUsd: ipv4, publicIpv4Addresses: ips, natUsdPerGb: gb } },
        fix: manualFix(`moving egress to IPv6 needs the workloads to have IPv6 addresses and the destinations to answer on IPv6, which the snapshot cannot show: give ${subnets.sort().join(", ")} IPv6 /64s (aws ec2 associate-subnet-cidr-block), route ::/0 to an egress-only internet gateway (aws ec2 create-egress-only-internet-gateway --vpc-id ${vpc.VpcId}), and keep ${[...nats].sort().join(", ")} for IPv4-only destinations; the NAT's per-GB charge then falls by the share of traffic that leaves over IPv6`),
      });
    }
    return out;
  },
};
