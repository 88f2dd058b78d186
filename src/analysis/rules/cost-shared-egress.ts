// Cost: several VPCs each paying for their own NAT gateways where one shared egress VPC (NAT per AZ,
// reached over a transit gateway) would do — reported only when the NAT hours saved exceed the
// attachments added, with the monthly figure.
import { ComponentType } from "../analyzer.js";
import { cents, estimateMonthlyCost } from "../cost.js";
import { isRegionalNat, natAzs } from "../nat.js";
import type { RawFinding, Rule } from "./types.js";
import { manualFix } from "./util.js";

export const costSharedEgress: Rule = {
  id: "cost-shared-egress",
  severity: "info",
  title: "NAT gateways a shared egress VPC would replace",
  rationale: "Each VPC with its own NAT gateways pays their hours (about 32.85 USD/month each in us-east-1) whether or not traffic flows. A shared egress VPC with one NAT per AZ, reached over a transit gateway (0.05 USD/h per attachment) or the S2 PrivateLink proxy, replaces them when there are more NATs than AZs.",
  help: "Centralise egress: one egress VPC with `egress-cli add-nat --mode per-az`, the others routed to it (or the S2 proxy over PrivateLink); then delete the per-VPC NAT gateways.",
  equivalents: {},
  needs: ["natGateways"],
  regionWide: true,
  check({ ix, region }) {
    const byVpc = new Map<string, { nats: string[]; azs: Set<string> }>();
    let zonal = 0;
    let regionalAzs = 0;
    for (const nat of ix.natGateways.values()) {
      if ((nat.State ?? "available") !== "available" || (nat.ConnectivityType ?? "public") !== "public" || !nat.VpcId) continue;
      const e = byVpc.get(nat.VpcId) ?? { nats: [], azs: new Set<string>() };
      e.nats.push(nat.NatGatewayId);
      // A regional NAT gateway bills per AZ it is active in (the one cost model), a zonal one per gateway.
      for (const az of natAzs(ix, nat)) e.azs.add(az);
      if (isRegionalNat(nat)) regionalAzs += natAzs(ix, nat).length;
      else zonal++;
      byVpc.set(nat.VpcId, e);
    }
    if (byVpc.size < 2) return [];
    const total = [...byVpc.values()].reduce((s, v) => s + v.nats.length, 0);
    const azs = new Set([...byVpc.values()].flatMap((v) => [...v.azs])).size || 1;
    // The one cost model on both sides: the NAT gateways (hours) as they are, against one per AZ plus
    // a transit gateway attachment per VPC and for the egress VPC.
    const nat = cents(estimateMonthlyCost({ region, natGateways: 1 }).totalMonthly);
    const attachments = cents(estimateMonthlyCost({ region, transitGatewayAttachments: byVpc.size + 1 }).totalMonthly);
    const now = estimateMonthlyCost({ region, natGateways: zonal, regionalNatGatewayAzs: regionalAzs }).totalMonthly;
    const shared = estimateMonthlyCost({ region, natGateways: azs, transitGatewayAttachments: byVpc.size + 1 }).totalMonthly;
    const saving = cents(now - shared);
    if (saving <= 0) return [];
    const out: RawFinding[] = [];
    for (const [vpcId, v] of [...byVpc].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const share = Math.round((saving * v.nats.length) / total * 100) / 100;
      out.push({
        resourceId: vpcId,
        resourceType: ComponentType.vpc,
        vpcId,
        message: `${vpcId} runs ${v.nats.length} NAT gateway(s) of the ${total} in ${byVpc.size} VPCs; a shared egress VPC with ${azs} NAT(s) would save about ${saving.toFixed(2)} USD/month overall (this VPC's share ${share.toFixed(2)}).`,
        evidence: { facts: { natGateways: v.nats, accountNatGateways: total, vpcsWithNat: byVpc.size, sharedNatGateways: azs, natMonthlyUsd: nat, attachmentsMonthlyUsd: attachments, savingMonthlyUsd: saving } },
        // A redesign across VPCs (a transit gateway, their routes, deleting NAT gateways): the owner's.
        fix: manualFix("centralise egress: egress-cli create-vpc --name egress && egress-cli add-nat --mode per-az, route the other VPCs to it over a transit gateway (or the S2 proxy over PrivateLink), then delete their NAT gateways."),
        monthlySavings: share,
      });
    }
    return out;
  },
};
