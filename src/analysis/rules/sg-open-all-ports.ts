// Security groups admitting all traffic (or every port) from 0.0.0.0/0 or ::/0.
import { ComponentType } from "../analyzer.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";
import { openPermissions, portText, revokeFix, worldPart } from "./sg-open.js";

export const sgOpenAllPorts: Rule = {
  id: "sg-open-all-ports",
  severity: "critical",
  title: "Security group admits all ports from the internet",
  rationale: "An inbound rule for all protocols or all ports from 0.0.0.0/0 or ::/0 exposes every service of every interface in the group to the internet wherever a public IP or load balancer reaches it.",
  help: "Replace it with the ports and sources the workload needs: `aws ec2 revoke-security-group-ingress --group-id sg-… --ip-permissions …`.",
  equivalents: { prowler: "ec2_securitygroup_allow_ingress_from_internet_to_all_ports", steampipe: "aws_compliance.control.vpc_security_group_restrict_ingress_tcp_udp_all", checkov: "CKV_AWS_277" },
  needs: ["securityGroups"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const sg of ix.securityGroups.values()) {
      const hits = openPermissions(sg).filter(({ perm }) => perm.proto === "all" || (perm.from === 0 && perm.to === 65535));
      if (!hits.length) continue;
      out.push({
        resourceId: sg.group.GroupId,
        resourceType: ComponentType.securityGroup,
        vpcId: sg.group.VpcId,
        message: `${sg.group.GroupId} (${sg.group.GroupName ?? nameTag(sg.group.Tags) ?? ""}) admits ${hits.map((h) => `${portText(h.perm)} from ${h.world.join(", ")}`).join("; ")}.`,
        evidence: { facts: { rules: hits.map((h) => `${portText(h.perm)} from ${h.world.join(",")}`) } },
        fix: revokeFix(sg.group.GroupId, hits.map(worldPart)),
      });
    }
    return out;
  },
};
