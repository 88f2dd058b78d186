// VPCs of one account and region whose CIDRs overlap: they can never be routed to each other
// (peering refuses them, a transit gateway cannot tell them apart) — S2's root cause.
import { cidrOverlaps, type Cidr } from "../../net/addr.js";
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
    const near = overlapFinder(vpcs.map((v) => (ix.vpcCidrs.get(v.VpcId) ?? []).filter((c) => c.v === 4)));
    for (const [ai, a] of vpcs.entries()) {
      const mine = (ix.vpcCidrs.get(a.VpcId) ?? []).filter((c) => c.v === 4);
      const others: { vpcId: string; cidr: string; sharedTgw?: string }[] = [];
      for (const bi of near(mine, ai)) {
        const b = vpcs[bi]!;
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

/**
 * The VPCs (indexes into `cidrs`, ascending) that may overlap a set of IPv4 blocks: those with a block
 * starting inside one of them, or holding one (a CIDR block either holds another or is disjoint from it,
 * so a block starting before `c` that overlaps it is one of c's supernets). Found from a sorted list and
 * a map, not by comparing every VPC with every other (1,000 VPCs: a million pairs). The caller still
 * checks each pair.
 */
function overlapFinder(cidrs: Cidr[][]): (mine: Cidr[], self: number) => number[] {
  const starts: { base: bigint; vpc: number }[] = [];
  const blocks = new Map<string, number[]>();
  cidrs.forEach((list, vpc) => {
    for (const c of list) {
      starts.push({ base: c.base, vpc });
      const k = `${c.len}/${c.base}`;
      const at = blocks.get(k);
      if (at) at.push(vpc);
      else blocks.set(k, [vpc]);
    }
  });
  starts.sort((x, y) => (x.base < y.base ? -1 : x.base > y.base ? 1 : 0));
  const all = (1n << 32n) - 1n;
  return (mine, self) => {
    const found = new Set<number>();
    for (const c of mine) {
      let lo = 0;
      let hi = starts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]!.base < c.base) lo = mid + 1;
        else hi = mid;
      }
      for (let j = lo; j < starts.length && starts[j]!.base <= c.end; j++) found.add(starts[j]!.vpc);
      for (let len = 0; len < c.len; len++) {
        const base = c.base & (all ^ ((1n << BigInt(32 - len)) - 1n));
        for (const vpc of blocks.get(`${len}/${base}`) ?? []) found.add(vpc);
      }
    }
    found.delete(self);
    return [...found].sort((x, y) => x - y);
  };
}
