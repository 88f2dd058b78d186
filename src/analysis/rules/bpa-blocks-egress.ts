// VPC Block Public Access blocks an egress path a subnet's routes rely on: a private subnet routed to a
// NAT gateway (0.0.0.0/0, or 64:ff9b::/96 for NAT64) or to an egress-only internet gateway (::/0), where
// BPA's mode and the exclusions leave that gateway's traffic blocked. The routes promise egress that the
// Region-wide switch takes away (RA: VPC_BLOCK_PUBLIC_ACCESS_ENABLED), so the plan's workloads have none.
import { ComponentType } from "../analyzer.js";
import { isRegionalNat } from "../nat.js";
import { bpaOff, decideBpa } from "../path/bpa.js";
import { routeTableForSubnet } from "../snapshot-index.js";
import type { Subnet } from "../snapshot.js";
import type { RawFinding, Rule } from "./types.js";
import { natUsable } from "./util.js";

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
    const snap = ix.snapshot;
    // not collected: the framework lists the rule as not evaluated (needs); off and not changing: nothing to block
    if (!snap.vpcBlockPublicAccessOptions || !snap.vpcBlockPublicAccessExclusions || bpaOff(snap)) return out;
    for (const s of ix.subnets.values()) {
      const rt = routeTableForSubnet(ix, s);
      if (!rt) continue;
      // Each egress gateway the subnet's routes lead to, the subnet that talks to it (as the analyzer
      // judges it: a zonal NAT's own subnet; the workload's subnet for a regional NAT or an egress-only
      // gateway), and BPA's one decision for that crossing.
      const blocked: Array<{ via: string; gateway: string; crossing: Subnet; fix: string; mode: string }> = [];
      const unknown: Array<{ via: string; id: string; detail: string; collect: string; mode: string }> = [];
      for (const r of rt.table.table.Routes) {
        const dest = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock;
        if (!["0.0.0.0/0", "::/0", "64:ff9b::/96"].includes(dest ?? "") || (r.State ?? "active") !== "active") continue;
        let hop: { gateway: { id: string; type: string }; name: string; crossing: Subnet; natGateway?: string } | undefined;
        if (r.NatGatewayId) {
          const nat = ix.natGateways.get(r.NatGatewayId);
          if (!natUsable(nat) || (nat!.ConnectivityType ?? "public") !== "public") continue;
          const natSubnet = isRegionalNat(nat!) ? s : nat!.SubnetId ? ix.subnets.get(nat!.SubnetId) : undefined;
          if (!natSubnet) continue;
          hop = { gateway: { id: "igw", type: ComponentType.internetGateway }, name: "the internet gateway behind it", crossing: natSubnet, natGateway: nat!.NatGatewayId };
        } else if (r.EgressOnlyInternetGatewayId) {
          hop = { gateway: { id: r.EgressOnlyInternetGatewayId, type: ComponentType.egressOnlyInternetGateway }, name: r.EgressOnlyInternetGatewayId, crossing: s };
        }
        if (!hop) continue;
        const d = decideBpa(snap, { direction: "egress", gateway: hop.gateway, subnet: hop.crossing, ...(hop.natGateway ? { natGateway: hop.natGateway } : {}) });
        const via = `${dest} → ${r.NatGatewayId ?? r.EgressOnlyInternetGatewayId}`;
        if (d.outcome === "blocked") blocked.push({ via, gateway: hop.name, crossing: hop.crossing, fix: d.fix, mode: d.mode });
        else if (d.outcome === "unknown") unknown.push({ via, id: (r.NatGatewayId ?? r.EgressOnlyInternetGatewayId)!, detail: d.detail, collect: d.collect, mode: d.mode });
      }
      const undecided = unknown.length ? ` Whether ${unknown.map((u) => u.via).join(", ")} ${unknown.length > 1 ? "are" : "is"} blocked too was not decided: ${[...new Set(unknown.map((u) => u.detail))].join("; ")}.` : "";
      if (blocked.length) {
        const mode = blocked[0]!.mode;
        const crossings = [...new Map(blocked.map((b) => [b.crossing.SubnetId, b.crossing])).values()].sort((a, b) => (a.SubnetId < b.SubnetId ? -1 : 1));
        out.push({
          resourceId: s.SubnetId,
          resourceType: ComponentType.subnet,
          vpcId: s.VpcId,
          message: `VPC Block Public Access is ${mode} in ${region}: ${s.SubnetId}'s route(s) ${blocked.map((b) => b.via).join(", ")} lead to ${blocked.map((b) => b.gateway).join(" and ")}, whose traffic is blocked (no exclusion for ${crossings.map((c) => c.SubnetId).join(", ")} or ${s.VpcId}), so ${unknown.length ? "those routes give" : "the subnet has"} no egress.${undecided}`,
          evidence: {
            blocking: { id: rt.table.table.RouteTableId, type: ComponentType.routeTable, code: "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", detail: `VPC Block Public Access (${mode}) blocks the gateway these routes lead to.` },
            ...(unknown.length ? { notEvaluated: unknown.map((u) => ({ code: "BLOCK_PUBLIC_ACCESS_UPDATING", id: u.id, detail: u.detail, collect: u.collect })) } : {}),
            facts: { mode, routes: blocked.map((b) => b.via), excludeSubnets: crossings.map((c) => c.SubnetId) },
          },
          // the same exclusion the analyzer names (block-bidirectional: allow-egress, inbound stays blocked)
          fix: [...new Set(blocked.sort((a, b) => (a.crossing.SubnetId < b.crossing.SubnetId ? -1 : 1)).map((b) => b.fix))].join(" && "),
        });
      } else if (unknown.length) {
        // A mode or an exclusion that is changing (or may not apply): never a definite "no egress".
        out.push({
          severity: "low",
          resourceId: s.SubnetId,
          resourceType: ComponentType.subnet,
          vpcId: s.VpcId,
          message: `Could not decide whether VPC Block Public Access (${unknown[0]!.mode} in ${region}) blocks ${s.SubnetId}'s egress through ${unknown.map((u) => u.via).join(", ")}: ${[...new Set(unknown.map((u) => u.detail))].join("; ")}.`,
          evidence: { notEvaluated: unknown.map((u) => ({ code: "BLOCK_PUBLIC_ACCESS_UPDATING", id: u.id, detail: u.detail, collect: u.collect })), facts: { mode: unknown[0]!.mode, routes: unknown.map((u) => u.via) } },
          fix: `nothing to change yet — ${[...new Set(unknown.map((u) => u.collect))].join("; ")}, then audit again`,
        });
      }
    }
    return out;
  },
};
