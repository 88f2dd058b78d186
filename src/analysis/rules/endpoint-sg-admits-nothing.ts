// An interface endpoint whose security groups admit nothing on 443: every client is refused.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { endpointHttpsIngress } from "./endpoint-sg.js";
import { endpointLive, isInterfaceEndpoint, manualFix, serviceShortName } from "./util.js";

export const endpointSgAdmitsNothing: Rule = {
  id: "endpoint-sg-admits-nothing",
  severity: "high",
  title: "Interface endpoint whose security groups admit nothing on 443",
  rationale: "An interface endpoint accepts only what its security groups admit. With no inbound rule on 443 every client's connection is dropped; with private DNS on, the service name now resolves to the endpoint, so calls that worked through a NAT start to time out.",
  help: "Admit the clients: `egress-cli add-endpoint SERVICE --allow-from lambda:NAME|sg-…|CIDR` (re-running converges the group).",
  equivalents: {},
  needs: ["vpcEndpoints", "securityGroups"],
  check({ ix, region }) {
    const out: RawFinding[] = [];
    for (const ep of ix.vpcEndpoints.values()) {
      if (!isInterfaceEndpoint(ep) || !endpointLive(ep) || !ep.Groups.length) continue;
      if (endpointHttpsIngress(ix, ep).any) continue;
      const svc = serviceShortName(ep.ServiceName, region);
      out.push({
        resourceId: ep.VpcEndpointId,
        resourceType: ComponentType.vpcEndpoint,
        vpcId: ep.VpcId,
        message: `${ep.VpcEndpointId} (${svc}): its groups ${ep.Groups.map((g) => g.GroupId).join(", ")} admit nothing on tcp/443.`,
        evidence: { blocking: { id: ep.Groups[0]!.GroupId ?? "?", type: ComponentType.securityGroup, code: "ENI_SG_RULES_MISMATCH", detail: "No inbound rule admits tcp/443." }, facts: { serviceName: ep.ServiceName ?? "", securityGroups: ep.Groups.map((g) => g.GroupId ?? "") } },
        // What add-endpoint admits by default: the VPC's own CIDR on 443 (narrow it to the callers later).
        fix: ix.vpcs.get(ep.VpcId)?.CidrBlock
          ? `aws ec2 authorize-security-group-ingress --group-id ${ep.Groups[0]!.GroupId} --ip-permissions '${JSON.stringify([{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: ix.vpcs.get(ep.VpcId)!.CidrBlock, Description: "clients in the VPC" }] }])}'`
          : manualFix(`admit the endpoint's clients on tcp/443 in ${ep.Groups[0]!.GroupId}.`),
      });
    }
    return out;
  },
};
