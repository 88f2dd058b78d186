// VPC Block Public Access blocks an egress path a subnet's routes rely on: a private subnet routed to a
// NAT gateway (0.0.0.0/0, or 64:ff9b::/96 for NAT64) or to an egress-only internet gateway (::/0), where
// BPA's mode and the exclusions leave that gateway's traffic blocked. The routes promise egress that the
// Region-wide switch takes away (RA: VPC_BLOCK_PUBLIC_ACCESS_ENABLED), so the plan's workloads have none.
import { ComponentType } from "../analyzer.js";
import { bpaAllows, exclusionResource, type BpaMode } from "../path/bpa.js";
import { routeTableForSubnet } from "../snapshot-index.js";
import type { Subnet } from "../snapshot.js";
import type { RawFinding, Rule } from "./types.js";
import { natUsable } from "./util.js";

const IN_EFFECT = new Set(["create-complete", "update-complete"]);

export const bpaBlocksEgress: Rule = {
  id: "bpa-blocks-egress",
  severity: "high",
  title: "VPC Block Public Access blocks an egress path the subnet's routes rely on",
  rationale:
    "VPC Block Public Access overrides routes and security groups: in block-bidirectional mode nothing passes an internet gateway or egress-only internet gateway except for excluded VPCs and subnets, so a private subnet routed to a NAT gateway or an egress-only gateway has no egress at all, while every route still looks right.",
  help: "If the egress is wanted, create an allow-egress exclusion for the subnet that talks to the gateway (the NAT gateway's subnet for NAT traffic, the workload subnet for an egress-only gateway): inbound stays blocked. Otherwise remove the routes (and the NAT gateway's charges).",
  equivalents: {},
  needs: ["subnets", "routeTables", "natGateways", "vpcBlockPublicAccess"],
  check({ ix, region }) {
    const out: RawFinding[] = [];
    const opts = ix.snapshot.vpcBlockPublicAccessOptions;
    const mode = (opts?.InternetGatewayBlockMode ?? "off") as BpaMode;
    if (!opts || mode === "off" || !ix.snapshot.vpcBlockPublicAccessExclusions) return out;
    const exclusions = ix.snapshot.vpcBlockPublicAccessExclusions.filter((e) => IN_EFFECT.has(e.State ?? ""));
    const exclusionOf = (s: Subnet) => {
      const hits = exclusions.filter((e) => [s.SubnetId, s.VpcId].includes(exclusionResource(e) ?? "")).map((e) => e.InternetGatewayExclusionMode);
      return hits.includes("allow-bidirectional") ? "allow-bidirectional" : hits.includes("allow-egress") ? "allow-egress" : undefined;
    };
    for (const s of ix.subnets.values()) {
      const rt = routeTableForSubnet(ix, s);
      if (!rt) continue;
      // Each egress gateway the subnet's routes lead to, and the subnet that talks to it.
      const blocked: Array<{ via: string; gateway: string; crossing: Subnet }> = [];
      for (const r of rt.table.table.Routes) {
        const dest = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock;
        if (!["0.0.0.0/0", "::/0", "64:ff9b::/96"].includes(dest ?? "") || (r.State ?? "active") !== "active") continue;
        if (r.NatGatewayId) {
          const nat = ix.natGateways.get(r.NatGatewayId);
          const natSubnet = nat?.SubnetId ? ix.subnets.get(nat.SubnetId) : undefined;
          if (!natUsable(nat) || !natSubnet || (nat!.ConnectivityType ?? "public") !== "public") continue;
          const gw = { id: "igw", type: ComponentType.internetGateway };
          if (!bpaAllows(mode, exclusionOf(natSubnet), { direction: "egress", gateway: gw, natGateway: nat!.NatGatewayId })) blocked.push({ via: `${dest} → ${nat!.NatGatewayId}`, gateway: "the internet gateway behind it", crossing: natSubnet });
        } else if (r.EgressOnlyInternetGatewayId) {
          const gw = { id: r.EgressOnlyInternetGatewayId, type: ComponentType.egressOnlyInternetGateway };
          if (!bpaAllows(mode, exclusionOf(s), { direction: "egress", gateway: gw })) blocked.push({ via: `${dest} → ${r.EgressOnlyInternetGatewayId}`, gateway: r.EgressOnlyInternetGatewayId, crossing: s });
        }
      }
      if (!blocked.length) continue;
      const crossings = [...new Map(blocked.map((b) => [b.crossing.SubnetId, b.crossing])).values()].sort((a, b) => (a.SubnetId < b.SubnetId ? -1 : 1));
      const fix = crossings
        .map((c) => `aws ec2 create-vpc-block-public-access-exclusion --subnet-id ${c.SubnetId} --internet-gateway-exclusion-mode allow-egress`)
        .join(" && ");
      out.push({
        resourceId: s.SubnetId,
        resourceType: ComponentType.subnet,
        vpcId: s.VpcId,
        message: `VPC Block Public Access is ${mode} in ${region}: ${s.SubnetId}'s route(s) ${blocked.map((b) => b.via).join(", ")} lead to ${blocked.map((b) => b.gateway).join(" and ")}, whose traffic is blocked (no exclusion for ${crossings.map((c) => c.SubnetId).join(", ")} or ${s.VpcId}), so the subnet has no egress.`,
        evidence: { blocking: { id: rt.table.table.RouteTableId, type: ComponentType.routeTable, code: "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", detail: `VPC Block Public Access (${mode}) blocks the gateway these routes lead to.` }, facts: { mode, routes: blocked.map((b) => b.via), excludeSubnets: crossings.map((c) => c.SubnetId) } },
        // block-ingress never blocks NAT or egress-only egress; block-bidirectional is lifted for egress by allow-egress.
        fix,
      });
    }
    return out;
  },
};
