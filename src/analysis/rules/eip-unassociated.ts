// Elastic IPs associated with nothing: billed every hour, used by nothing.
import { cents, estimateMonthlyCost } from "../cost.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";

export const eipUnassociated: Rule = {
  id: "eip-unassociated",
  severity: "low",
  title: "Elastic IP not associated with anything",
  rationale: "An idle Elastic IP is billed like any public IPv4 address (0.005 USD/h, 3.65 USD/month) and counts against the Elastic IP quota (5 per region by default), which add-nat needs.",
  help: "Release it if nothing needs this address: `aws ec2 release-address --allocation-id eipalloc-…` (or pass it to `egress-cli add-nat --eip`).",
  equivalents: { prowler: "ec2_elastic_ip_unassigned", steampipe: "aws_compliance.control.vpc_eip_associated", checkov: "CKV2_AWS_19" },
  needs: ["addresses"],
  regionWide: true,
  check({ ix, region }) {
    const out: RawFinding[] = [];
    const monthly = cents(estimateMonthlyCost({ region, publicIpv4Addresses: 1 }).totalMonthly);
    for (const a of ix.snapshot.addresses) {
      if (a.AssociationId || a.NetworkInterfaceId || a.InstanceId) continue;
      const id = a.AllocationId ?? a.PublicIp ?? "?";
      out.push({
        resourceId: id,
        resourceType: "AWS::EC2::EIP",
        message: `${id} (${a.PublicIp ?? "?"}${nameTag(a.Tags) ? `, ${nameTag(a.Tags)}` : ""}) is associated with nothing: ${monthly} USD/month for no use.`,
        evidence: { facts: { publicIp: a.PublicIp ?? "", monthlyUsd: monthly } },
        fix: `aws ec2 release-address --allocation-id ${id}   # or reuse it: egress-cli add-nat --eip ${id}`,
        monthlySavings: monthly,
      });
    }
    return out;
  },
};
