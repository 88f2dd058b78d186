// A public NAT gateway with no Elastic IP: it cannot translate to a public address.
import { ComponentType } from "../analyzer.js";
import { isRegionalNat } from "../nat.js";
import type { RawFinding, Rule } from "./types.js";
import { manualFix } from "./util.js";

export const natNoEip: Rule = {
  id: "nat-no-eip",
  severity: "high",
  title: "Public NAT gateway without an Elastic IP",
  rationale: "A public NAT gateway translates to its Elastic IP. Without one (released, or never associated) there is no static egress address and no internet path through it.",
  help: "Recreate the NAT gateway with an Elastic IP: `egress-cli add-nat --eip eipalloc-…` or let add-nat allocate one.",
  equivalents: {},
  needs: ["natGateways"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const nat of ix.natGateways.values()) {
      if ((nat.ConnectivityType ?? "public") !== "public" || (nat.State ?? "available") !== "available") continue;
      // A regional one holds addresses per AZ it serves (automatic mode: none while no workload runs): its
      // coverage is regional-nat-az-uncovered's.
      if (isRegionalNat(nat)) continue;
      if (nat.NatGatewayAddresses.some((a) => a.AllocationId || a.PublicIp)) continue;
      out.push({
        resourceId: nat.NatGatewayId,
        resourceType: ComponentType.natGateway,
        vpcId: nat.VpcId,
        message: `${nat.NatGatewayId} is a public NAT gateway with no Elastic IP address.`,
        evidence: { blocking: { id: nat.NatGatewayId, type: ComponentType.natGateway, code: "BAD_STATE", detail: "No Elastic IP is associated with the NAT gateway." }, facts: { subnetId: nat.SubnetId ?? "?" } },
        // A NAT gateway's addresses cannot be given back to it here, and replacing it moves routes
        // egress-cli did not make: the owner does it.
        fix: manualFix(`replace ${nat.NatGatewayId}: add a NAT gateway with an Elastic IP (egress-cli add-nat, in the VPC's plan), point the routes to ${nat.NatGatewayId} at it, then delete it (aws ec2 delete-nat-gateway --nat-gateway-id ${nat.NatGatewayId}).`),
      });
    }
    return out;
  },
};
