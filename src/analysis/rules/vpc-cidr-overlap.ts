// VPCs of one account and region whose CIDRs overlap: they can never be routed to each other
// (peering refuses them, a transit gateway cannot tell them apart) — S2's root cause.
import { cidrOverlaps } from "../../net/addr.js";
import { ComponentType } from "../analyzer.js";
import { buildTransitIndex, overlappingPropagators } from "../transit.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";
import { manualFix } from "./util.js";

export const vpcCidrOverlap: Rule = {
  id: "vpc-cidr-overlap",
  severity: "medium",
  title: "VPC CIDR overlaps another VPC in the account",
  rationale: "Overlapping VPCs cannot be peered, and a transit gateway routes a prefix to one attachment only, so they can never reach each other or a shared service through routing (S2: the shared proxy had to go over PrivateLink). High when both are attached to the same transit gateway.",
  help: "Allocate non-overlapping ranges for new VPCs (`egress-cli create-vpc --cidr auto` picks a free RFC 1918 /16) and reach overlapping ones over PrivateLink (Resource endpoints) instead of routing.",
  equivalents: {},
  needs: ["vpcs"],
  regionWide: true,
  check({ ix }) {
    const out: RawFinding[] = [];
    const vpcs = [...ix.vpcs.values()];
    // Transit gateways each VPC is attached to (the analyzer's transit index: VPC attachments, or the generic list).
    const tx = buildTransitIndex(ix.snapshot);
    const tgwsOf = new Map<string, Set<string>>();
    for (const key of tx.attachmentByVpc.keys()) {
      const [vpcId, tgwId] = key.split("|") as [string, string];
      (tgwsOf.get(vpcId) ?? tgwsOf.set(vpcId, new Set()).get(vpcId)!).add(tgwId);
    }
    for (const a of vpcs) {
      const mine = (ix.vpcCidrs.get(a.VpcId) ?? []).filter((c) => c.v === 4);
      const others: { vpcId: string; cidr: string; sharedTgw?: string }[] = [];
      for (const b of vpcs) {
        if (b.VpcId === a.VpcId) continue;
        for (const cb of (ix.vpcCidrs.get(b.VpcId) ?? []).filter((c) => c.v === 4)) {
          if (!mine.some((ca) => cidrOverlaps(ca, cb))) continue;
          const shared = [...(tgwsOf.get(a.VpcId) ?? [])].find((t) => tgwsOf.get(b.VpcId)?.has(t));
          others.push({ vpcId: b.VpcId, cidr: cb.text, ...(shared ? { sharedTgw: shared } : {}) });
        }
      }
      if (!others.length) continue;
      const tgw = others.find((o) => o.sharedTgw)?.sharedTgw;
      // With the route tables collected: the table where both propagate the same CIDR (it keeps the first one learned).
      let blocking: { id: string; type: string; code: string; detail: string } | undefined;
      if (tgw && tx.collected) {
        const att = tx.attachmentByVpc.get(`${a.VpcId}|${tgw}`);
        for (const [tableId, props] of tx.propagations) {
          if (!att || !props.includes(att.TransitGatewayAttachmentId)) continue;
          for (const c of mine) {
            const dup = overlappingPropagators(tx, ix.vpcCidrs, tableId, c);
            if (dup.length > 1) blocking = { id: tableId, type: "AWS::EC2::TransitGatewayRouteTable", code: "TGW_ROUTE_OVERLAP", detail: `${dup.length} attachments propagate ${c.text} to ${tableId} (${dup.join(", ")}); the transit gateway keeps the route it learned first.` };
          }
        }
      }
      out.push({
        resourceId: a.VpcId,
        resourceType: ComponentType.vpc,
        vpcId: a.VpcId,
        severity: tgw ? "high" : undefined,
        message: `${a.VpcId}${nameTag(a.Tags) ? ` (${nameTag(a.Tags)})` : ""} ${mine.map((c) => c.text).join(", ")} overlaps ${others.map((o) => `${o.vpcId} ${o.cidr}${o.sharedTgw ? ` (both on ${o.sharedTgw})` : ""}`).join(", ")}${tgw ? ": the transit gateway cannot route between them" : ""}.`,
        evidence: { ...(blocking ? { blocking } : {}), facts: { cidrs: mine.map((c) => c.text), overlapsWith: others.map((o) => `${o.vpcId} ${o.cidr}`), ...(tgw ? { transitGatewayId: tgw } : {}) } },
        // A VPC's primary CIDR cannot change: nothing the tool runs removes an overlap.
        fix: manualFix("a VPC's CIDR cannot be changed: reach the overlapping VPCs over PrivateLink (the S2 shared proxy: egress-cli share-proxy / connect-proxy), and give new VPCs a free range (egress-cli create-vpc --cidr auto)."),
      });
    }
    return out;
  },
};
