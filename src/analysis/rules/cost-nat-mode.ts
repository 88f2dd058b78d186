// Cost: a VPC's NAT design (zonal NAT gateways, or a regional one) that costs more per month than a
// NAT gateway per AZ or one regional NAT gateway would for the AZs its workloads egress from: zonal
// gateways in AZs no workload routes from, two in one AZ, a regional one registered in AZs without
// workloads or holding more Elastic IPs than one per AZ. Both sides priced by the one cost model.
import { ComponentType } from "../analyzer.js";
import { cents, estimateMonthlyCost, natModesComparison } from "../cost.js";
import { isRegionalNat, natDesignOf, regionalNatAzs } from "../nat.js";
import type { RawFinding, Rule } from "./types.js";
import { manualFix } from "./util.js";

export const costNatMode: Rule = {
  id: "cost-nat-mode",
  severity: "info",
  title: "NAT design that would cost less per AZ or as one regional NAT gateway",
  rationale: "NAT gateways bill by the hour whether traffic flows or not: a zonal one per gateway, a regional one per AZ it is active in (the same rate, as of the price table's date: an estimate), and each Elastic IP 0.005 USD/h. A design with gateways or addresses in AZs where nothing egresses pays for them every hour.",
  help: "Compare with `egress-cli cost --compare-nat-modes`; then one regional NAT gateway (`egress-cli add-nat --mode regional --reuse-eips` keeps today's egress IPs) or one zonal NAT gateway per workload AZ.",
  equivalents: {},
  needs: ["natGateways", "routeTables", "networkInterfaces"],
  check({ ix, region }) {
    const out: RawFinding[] = [];
    const vpcIds = [...new Set([...ix.natGateways.values()].map((n) => n.VpcId).filter((v): v is string => !!v))].sort();
    for (const vpcId of vpcIds) {
      const d = natDesignOf(ix, vpcId);
      // single is the cheapest design already (its price is availability: nat-cross-az); none has nothing to price.
      if (d.current === "single" || d.current === "none") continue;
      const azs = d.workloadAzs.length ? d.workloadAzs : d.azs;
      if (!azs.length) continue;
      const nats = d.natGatewayIds.map((id) => ix.natGateways.get(id)!);
      const zonal = nats.filter((n) => !isRegionalNat(n)).length;
      const regionalAzs = nats.filter(isRegionalNat).reduce((s, n) => s + regionalNatAzs(n).length, 0);
      const ips = new Set(nats.flatMap((n) => n.NatGatewayAddresses.map((a) => a.PublicIp).filter((p): p is string => !!p))).size;
      const now = cents(estimateMonthlyCost({ region, natGateways: zonal, regionalNatGatewayAzs: regionalAzs, publicIpv4Addresses: ips }).totalMonthly);
      const cmp = natModesComparison({ region, azs: azs.length });
      const regional = cmp.modes.find((m) => m.mode === "regional")!;
      const perAz = cmp.modes.find((m) => m.mode === "per-az")!;
      // The other design first (per-AZ → regional, regional → per-AZ); on a tie, the same mode trimmed.
      const best = [regional, perAz].sort((a, b) => a.totalMonthly - b.totalMonthly || (a.mode === d.current ? 1 : -1) - (b.mode === d.current ? 1 : -1))[0]!;
      const saving = cents(now - best.totalMonthly);
      if (saving <= 0) continue;
      out.push({
        resourceId: vpcId,
        resourceType: ComponentType.vpc,
        vpcId,
        message: `${vpcId}'s NAT design (${d.current}: ${d.natGatewayIds.join(", ")}; ${zonal ? `${zonal} zonal gateway(s)` : ""}${zonal && regionalAzs ? ", " : ""}${regionalAzs ? `regional in ${regionalAzs} AZ(s)` : ""}, ${ips} Elastic IP(s)) costs ${now.toFixed(2)} USD/month; its workloads egress from ${azs.length} AZ(s) (${azs.join(", ")}): as ${best.mode === "regional" ? "one regional NAT gateway" : "a NAT gateway per AZ"} ${best.totalMonthly.toFixed(2)} (regional ${regional.totalMonthly.toFixed(2)}, estimate; per-AZ ${perAz.totalMonthly.toFixed(2)}), saving ${saving.toFixed(2)} USD/month.`,
        evidence: { facts: { current: d.current, natGateways: d.natGatewayIds, workloadAzs: azs, currentMonthlyUsd: now, regionalMonthlyUsd: regional.totalMonthly, perAzMonthlyUsd: perAz.totalMonthly, suggested: best.mode, savingMonthlyUsd: saving } },
        // Which gateways go (and so which egress IPs change) is a redesign the allow-lists depend on.
        fix: manualFix(`compare the designs with egress-cli cost --vpc ${vpcId} --compare-nat-modes; ${best.mode === "regional" ? "move to one regional NAT gateway keeping today's egress IPs (egress-cli add-nat --mode regional --reuse-eips, on the VPC's plan)" : "keep one zonal NAT gateway in each workload AZ"} and delete the gateways (and release the Elastic IPs) no workload AZ needs — after the vendors' allowlists no longer need their addresses (egress-cli egress-ips).`),
        monthlySavings: saving,
      });
    }
    return out;
  },
};
