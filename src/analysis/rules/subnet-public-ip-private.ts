// Subnets that hand out public IPs on launch although they do not route to an internet gateway:
// the addresses are billed (0.005 USD/h each) and give nothing, and the setting is a trap if the
// route table ever changes.
import { ComponentType } from "../analyzer.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";
import { tierOf } from "./util.js";

export const subnetPublicIpPrivate: Rule = {
  id: "subnet-public-ip-private",
  severity: "medium",
  title: "Subnet auto-assigns public IPs but is private",
  rationale: "MapPublicIpOnLaunch gives every instance a public IPv4 address (billed hourly since 2024) even though the subnet's route table has no internet gateway route: no use today, and an exposure the day someone adds the route.",
  help: "`aws ec2 modify-subnet-attribute --subnet-id subnet-… --no-map-public-ip-on-launch`.",
  equivalents: { prowler: "vpc_subnet_no_public_ip_by_default", steampipe: "aws_compliance.control.vpc_subnet_auto_assign_public_ip_disabled", checkov: "CKV_AWS_130" },
  needs: ["subnets", "routeTables"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const s of ix.subnets.values()) {
      if (!s.MapPublicIpOnLaunch || tierOf(ix, s) === "public") continue;
      out.push({
        resourceId: s.SubnetId,
        resourceType: ComponentType.subnet,
        vpcId: s.VpcId,
        message: `${s.SubnetId}${nameTag(s.Tags) ? ` (${nameTag(s.Tags)})` : ""} maps public IPs on launch but is ${tierOf(ix, s)} (no internet gateway route).`,
        evidence: { facts: { mapPublicIpOnLaunch: true, tier: tierOf(ix, s) } },
        fix: `aws ec2 modify-subnet-attribute --subnet-id ${s.SubnetId} --no-map-public-ip-on-launch`,
      });
    }
    return out;
  },
};
