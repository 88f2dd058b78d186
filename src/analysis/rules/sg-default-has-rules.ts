// A VPC's default security group with rules beyond the ones AWS creates (self-referencing inbound,
// all outbound): anything launched without a group choice inherits them. AWS's own defaults are not
// reported (Prowler/CIS 5.4 flag them too, which fires on every VPC ever created).
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { revokeFix } from "./sg-open.js";

export const sgDefaultHasRules: Rule = {
  id: "sg-default-has-rules",
  severity: "medium",
  title: "Default security group has rules added to it",
  rationale: "Every interface launched without an explicit group lands in the VPC's default group. Rules added to it (beyond AWS's self-reference and all-outbound defaults) silently apply to all of them.",
  help: "Move workloads to their own groups and remove the added rules: `aws ec2 revoke-security-group-ingress --group-id sg-… --ip-permissions …`.",
  equivalents: { prowler: "ec2_securitygroup_default_restrict_traffic", steampipe: "aws_compliance.control.vpc_default_security_group_restricts_all_traffic", checkov: "CKV2_AWS_12" },
  needs: ["securityGroups"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const sg of ix.securityGroups.values()) {
      if (sg.group.GroupName !== "default") continue;
      const id = sg.group.GroupId;
      const extraIn = sg.ingress.filter((p) => !(p.proto === "all" && p.cidrs.length === 0 && p.prefixListIds.length === 0 && p.groupIds.every((g) => g === id)));
      const extraOut = sg.egress.filter((p) => !(p.proto === "all" && p.groupIds.length === 0 && p.prefixListIds.length === 0 && p.cidrs.every((c) => c.len === 0)));
      if (!extraIn.length && !extraOut.length) continue;
      out.push({
        resourceId: id,
        resourceType: ComponentType.securityGroup,
        vpcId: sg.group.VpcId,
        message: `The default group ${id} of ${sg.group.VpcId} has ${extraIn.length} added inbound and ${extraOut.length} added outbound rule(s).`,
        evidence: { facts: { addedInbound: extraIn.map((p) => JSON.stringify(p.perm)), addedOutbound: extraOut.map((p) => JSON.stringify(p.perm)) } },
        fix: [extraIn.length && revokeFix(id, extraIn.map((p) => p.perm)), extraOut.length && revokeFix(id, extraOut.map((p) => p.perm), "egress")].filter(Boolean).join(" && "),
      });
    }
    return out;
  },
};
