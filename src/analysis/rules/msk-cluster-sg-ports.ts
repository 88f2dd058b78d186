// The security group of a Kafka cluster behind an event source mapping must admit the broker ports
// from itself: Lambda's pollers connect with the cluster's own groups.
import { cidrContains, parseCidr } from "../../net/addr.js";
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { kafkaMappings } from "./msk.js";

export const mskClusterSgPorts: Rule = {
  id: "msk-cluster-sg-ports",
  severity: "high",
  title: "Kafka cluster security group does not admit the broker ports from itself",
  rationale: "Lambda's pollers for an MSK or self-managed Kafka mapping connect to the brokers with the cluster's security groups. Unless a cluster group admits a broker port (9092 plaintext, 9094 TLS, 9096 SASL/SCRAM, 9098 IAM) from itself, the mapping cannot connect.",
  help: "Add a self-referencing inbound rule on the broker port: `aws ec2 authorize-security-group-ingress --group-id sg-… --protocol tcp --port 9098 --source-group sg-…` (`egress-cli add-endpoint --for msk-esm` checks this too).",
  equivalents: {},
  needs: ["eventSourceMappings", "networkInterfaces", "securityGroups"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const m of kafkaMappings(ix)) {
      if (!m.groupIds.length) continue;
      const subnetCidrs = m.subnetIds.map((id) => parseCidr(ix.subnets.get(id)?.CidrBlock)).filter((c) => !!c);
      // The port of the mapping's own authentication: a rule for another broker port does not help it.
      const port = brokerPort(m.esm.SourceAccessConfigurations ?? []);
      const admits = m.groupIds.some((gid) =>
        (ix.securityGroups.get(gid)?.ingress ?? []).some(
          (p) =>
            (p.proto === "all" || p.proto === "tcp") &&
            port >= p.from &&
            port <= p.to &&
            (p.groupIds.some((g) => m.groupIds.includes(g)) || (subnetCidrs.length > 0 && subnetCidrs.every((s) => p.cidrs.some((c) => cidrContains(c, s))))),
        ),
      );
      if (admits) continue;
      out.push({
        resourceId: m.groupIds[0]!,
        resourceType: ComponentType.securityGroup,
        vpcId: ix.securityGroups.get(m.groupIds[0]!)?.group.VpcId,
        message: `The cluster group(s) ${m.groupIds.join(", ")} of Kafka mapping ${m.id} do not admit broker port ${port} (what its ${port === 9096 ? "SASL/SCRAM" : port === 9094 ? "mutual TLS" : "IAM"} authentication uses) from themselves.`,
        evidence: { blocking: { id: m.groupIds[0]!, type: ComponentType.securityGroup, code: "ENI_SG_RULES_MISMATCH", detail: `No inbound rule admits broker port ${port} from the cluster's own group.` }, facts: { mapping: m.id, clusterSecurityGroups: m.groupIds } },
        // The port of the mapping's authentication: SASL/SCRAM 9096, mutual TLS 9094, else IAM 9098.
        fix: `aws ec2 authorize-security-group-ingress --group-id ${m.groupIds[0]} --ip-permissions '${JSON.stringify([{ IpProtocol: "tcp", FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: m.groupIds[0], Description: "Kafka brokers and Lambda pollers" }] }])}'`,
      });
    }
    return out;
  },
};

function brokerPort(access: { Type?: string }[]): number {
  const types = access.map((c) => c.Type ?? "");
  return types.some((t) => t.startsWith("SASL_SCRAM")) ? 9096 : types.includes("CLIENT_CERTIFICATE_TLS_AUTH") ? 9094 : 9098;
}
