// Security groups admitting SSH, RDP or WinRM from 0.0.0.0/0 or ::/0 (without opening every port,
// which is sg-open-all-ports).
import { ComponentType } from "../analyzer.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";
import { ADMIN_PORTS, openPermissions, portText, revokeFix, worldPart } from "./sg-open.js";

export const sgOpenAdminPorts: Rule = {
  id: "sg-open-admin-ports",
  severity: "high",
  title: "Security group admits administration ports from the internet",
  rationale: "SSH (22), RDP (3389), WinRM (5985/5986) and Telnet (23) open to 0.0.0.0/0 or ::/0 are scanned within minutes of exposure and are the first target of credential stuffing.",
  help: "Admit them from a bastion's group or your office range only, or use SSM Session Manager (no inbound port): `aws ec2 revoke-security-group-ingress --group-id sg-… --ip-permissions '[…every flagged rule…]'` (the finding's fix names them).",
  equivalents: { prowler: "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", steampipe: "aws_compliance.control.vpc_security_group_restrict_ingress_ssh_all", checkov: "CKV_AWS_24" },
  needs: ["securityGroups"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const sg of ix.securityGroups.values()) {
      const hits = openPermissions(sg).filter(({ perm }) => perm.proto === "tcp" && !(perm.from === 0 && perm.to === 65535) && Object.keys(ADMIN_PORTS).some((p) => Number(p) >= perm.from && Number(p) <= perm.to));
      if (!hits.length) continue;
      const ports = [...new Set(hits.flatMap((h) => Object.keys(ADMIN_PORTS).map(Number).filter((p) => p >= h.perm.from && p <= h.perm.to)))];
      out.push({
        resourceId: sg.group.GroupId,
        resourceType: ComponentType.securityGroup,
        vpcId: sg.group.VpcId,
        message: `${sg.group.GroupId} (${sg.group.GroupName ?? nameTag(sg.group.Tags) ?? ""}) admits ${ports.map((p) => `${ADMIN_PORTS[p]} (${p})`).join(", ")} from ${[...new Set(hits.flatMap((h) => h.world))].join(", ")}.`,
        evidence: { facts: { ports: ports.map(String), rules: hits.map((h) => `${portText(h.perm)} from ${h.world.join(",")}`) } },
        // Every flagged rule, each only from the world ranges it was flagged for.
        fix: revokeFix(sg.group.GroupId, hits.map(worldPart)),
      });
    }
    return out;
  },
};
