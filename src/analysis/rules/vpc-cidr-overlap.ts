// VPCs of one account and region whose CIDRs overlap: they can never be routed to each other
// (peering refuses them, a transit gateway cannot tell them apart) — S2's root cause.
import { cidrOverlaps } from "../../net/addr.js";
import { ComponentType } from "../analyzer.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";

export const vpcCidrOverlap: Rule = {
  id: "vpc-cidr-overlap",
  severity: "medium",
  title: "VPC CIDR overlaps another VPC in the account",
  rationale: "Overlapping VPCs cannot be peered, and a transit gateway routes a prefix to one attachment only, so they can never reach each other or a shared service through routing (S2: the shared proxy had to go over PrivateLink). High when both are attached to the same transit gateway.",
  help: "Allocate non-overlapping ranges for new VPCs (`egress-cli create-vpc --cidr auto` picks a free RFC 1918 /16) and reach overlapping ones over PrivateLink (Resource endpoints) instead of routing.",
  equivalents: {},
  needs: ["vpcs"],
  check({ ix }) {
    const out: RawFinding[] = [];
    const vpcs = [...ix.vpcs.values()];
    for (const a of vpcs) {
      const mine = (ix.vpcCidrs.get(a.VpcId) ?? []).filter((c) => c.v === 4);
      const others: { vpcId: string; cidr: string; sharedTgw?: string }[] = [];
      for (const b of vpcs) {
        if (b.VpcId === a.VpcId) continue;
        for (const cb of (ix.vpcCidrs.get(b.VpcId) ?? []).filter((c) => c.v === 4)) {
          if (!mine.some((ca) => cidrOverlaps(ca, cb))) continue;
          const tgwsA = new Set((ix.tgwAttachments.get(a.VpcId) ?? []).filter((t) => t.State !== "deleted").map((t) => t.TransitGatewayId));
          const shared = (ix.tgwAttachments.get(b.VpcId) ?? []).find((t) => t.State !== "deleted" && tgwsA.has(t.TransitGatewayId))?.TransitGatewayId;
          others.push({ vpcId: b.VpcId, cidr: cb.text, ...(shared ? { sharedTgw: shared } : {}) });
        }
      }
      if (!others.length) continue;
      const tgw = others.find((o) => o.sharedTgw)?.sharedTgw;
      out.push({
        resourceId: a.VpcId,
        resourceType: ComponentType.vpc,
        vpcId: a.VpcId,
        severity: tgw ? "high" : undefined,
        message: `${a.VpcId}${nameTag(a.Tags) ? ` (${nameTag(a.Tags)})` : ""} ${mine.map((c) => c.text).join(", ")} overlaps ${others.map((o) => `${o.vpcId} ${o.cidr}${o.sharedTgw ? ` (both on ${o.sharedTgw})` : ""}`).join(", ")}${tgw ? ": the transit gateway cannot route between them" : ""}.`,
        evidence: { facts: { cidrs: mine.map((c) => c.text), overlapsWith: others.map((o) => `${o.vpcId} ${o.cidr}`), ...(tgw ? { transitGatewayId: tgw } : {}) } },
        fix: "egress-cli create-vpc --name NAME --cidr auto   # a non-overlapping range for the next VPC; reach overlapping ones over PrivateLink",
      });
    }
    return out;
  },
};
