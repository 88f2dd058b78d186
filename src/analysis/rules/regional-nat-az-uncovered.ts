// A regional NAT gateway in manual mode (AvailabilityZoneAddresses: AWS adds no AZ by itself) that
// subnets of an AZ it is not registered in route to, while workloads run there: their traffic is
// dropped (Reachability Analyzer: REGIONAL_NGW_ROUTE_AZ_RESTRICTION). An AZ whose only address is still
// associating is not covered yet (regionalNatCoverage, the analyzer's own answer: unknown there), and
// the finding says so rather than calling it served or dropped.
import { ComponentType } from "../analyzer.js";
import { isManualRegionalNat, natOfSubnet, regionalNatCoverage, workloadSubnets } from "../nat.js";
import type { RawFinding, Rule } from "./types.js";
import { manualFix } from "./util.js";

export const regionalNatAzUncovered: Rule = {
  id: "regional-nat-az-uncovered",
  severity: "high",
  title: "Regional NAT gateway in manual mode does not cover an AZ with workloads",
  rationale: "A regional NAT gateway in manual mode serves only the AZs given Elastic IPs in its AvailabilityZoneAddresses; traffic routed to it from any other AZ is dropped (Reachability Analyzer's REGIONAL_NGW_ROUTE_AZ_RESTRICTION). Automatic mode would add the AZ, with an Elastic IP of AWS's choosing.",
  help: "Give the gateway an Elastic IP in that AZ (`aws ec2 associate-nat-gateway-address --availability-zone AZ`) once the vendors allow-list it (`egress-cli egress-ips`), or route that AZ elsewhere.",
  equivalents: {},
  needs: ["natGateways", "routeTables"],
  check({ ix }) {
    const held = workloadSubnets(ix);
    // By NAT gateway and uncovered AZ: the subnets that route there and hold workloads.
    const gaps = new Map<string, { natId: string; vpcId?: string; az: string; subnets: string[]; azs: string[]; pending: string[] }>();
    for (const subnet of ix.subnets.values()) {
      const nat = natOfSubnet(ix, subnet.SubnetId);
      if (!nat || !isManualRegionalNat(nat) || (nat.State ?? "available") !== "available" || !subnet.AvailabilityZone || !held.has(subnet.SubnetId)) continue;
      const { serving: azs, pending } = regionalNatCoverage(nat);
      if (azs.includes(subnet.AvailabilityZone)) continue;
      const key = `${nat.NatGatewayId} ${subnet.AvailabilityZone}`;
      const g = gaps.get(key) ?? { natId: nat.NatGatewayId, vpcId: nat.VpcId, az: subnet.AvailabilityZone, subnets: [], azs, pending };
      g.subnets.push(subnet.SubnetId);
      gaps.set(key, g);
    }
    const out: RawFinding[] = [];
    for (const g of [...gaps.values()].sort((a, b) => (a.natId + a.az < b.natId + b.az ? -1 : 1))) {
      if (g.pending.includes(g.az)) {
        // Not yet covered: the address may serve in a moment or fail; neither is proven (the analyzer: unknown).
        const detail = `its address in ${g.az} is still associating (not yet succeeded): not yet serving`;
        out.push({
          severity: "low",
          resourceId: g.natId,
          resourceType: ComponentType.natGateway,
          ...(g.vpcId ? { vpcId: g.vpcId } : {}),
          message: `Regional NAT gateway ${g.natId} (manual mode, serving ${g.azs.join(", ") || "no AZ"}) does not cover ${g.az} yet: ${detail}, so egress from ${g.subnets.sort().join(", ")} (which route 0.0.0.0/0 to it and hold workloads) is not proven until it succeeds.`,
          evidence: {
            notEvaluated: [{ code: "REGIONAL_NGW_ADDRESS_PENDING", id: g.natId, detail, collect: `wait for the address to succeed (aws ec2 describe-nat-gateways --nat-gateway-ids ${g.natId}), then take the snapshot again` }],
            facts: { availabilityZone: g.az, registeredAzs: g.azs, pendingAzs: g.pending, subnets: g.subnets },
          },
          fix: `nothing to change yet — wait for the address to succeed (aws ec2 describe-nat-gateways --nat-gateway-ids ${g.natId}), then audit again; if it fails, associate another Elastic IP in ${g.az}`,
        });
        continue;
      }
      out.push({
        resourceId: g.natId,
        resourceType: ComponentType.natGateway,
        ...(g.vpcId ? { vpcId: g.vpcId } : {}),
        message: `Regional NAT gateway ${g.natId} (manual mode, registered in ${g.azs.join(", ") || "no AZ"}) is not registered in ${g.az}, where ${g.subnets.sort().join(", ")} route 0.0.0.0/0 to it and hold workloads: their egress is dropped.`,
        evidence: { blocking: { id: g.natId, type: ComponentType.natGateway, code: "REGIONAL_NGW_ROUTE_AZ_RESTRICTION", detail: `not registered in ${g.az}` }, facts: { availabilityZone: g.az, registeredAzs: g.azs, subnets: g.subnets } },
        // The address to add becomes an egress IP the vendors must allow first: the owner's choice.
        fix: manualFix(`choose the Elastic IP ${g.natId} will use in ${g.az} (it becomes a static egress address: add it to the vendors' allowlists first — egress-cli egress-ips lists today's), then aws ec2 associate-nat-gateway-address --nat-gateway-id ${g.natId} --availability-zone ${g.az} --allocation-ids eipalloc-…`),
      });
    }
    return out;
  },
};
