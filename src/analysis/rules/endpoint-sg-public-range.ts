// An interface endpoint admitting a public address range on 443: an endpoint serves the VPC (and what
// is routed to it); a public range there is a mistake or a forgotten 0.0.0.0/0.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { endpointHttpsIngress } from "./endpoint-sg.js";
import { revokeFix } from "./sg-open.js";
import { endpointLive, isInterfaceEndpoint, serviceShortName } from "./util.js";

export const endpointSgPublicRange: Rule = {
  id: "endpoint-sg-public-range",
  severity: "medium",
  title: "Interface endpoint admits a public address range",
  rationale: "Endpoint network interfaces have private addresses only; a public range (0.0.0.0/0, ::/0 or any non-RFC 1918 block) in their group serves no client and widens who can use the endpoint's credentials-less path if routing changes.",
  help: "Restrict the group to the callers: `egress-cli add-endpoint SERVICE --allow-from lambda:NAME|sg-…|10.x.0.0/16` (revokes rules no longer asked for).",
  equivalents: {},
  needs: ["vpcEndpoints", "securityGroups"],
  check({ ix, region }) {
    const out: RawFinding[] = [];
    for (const ep of ix.vpcEndpoints.values()) {
      if (!isInterfaceEndpoint(ep) || !endpointLive(ep)) continue;
      const { publicCidrs, publicRules, privateRemains } = endpointHttpsIngress(ix, ep);
      if (!publicCidrs.length) continue;
      const svc = serviceShortName(ep.ServiceName, region);
      out.push({
        resourceId: ep.VpcEndpointId,
        resourceType: ComponentType.vpcEndpoint,
        vpcId: ep.VpcId,
        message: `${ep.VpcEndpointId} (${svc}) admits ${publicCidrs.join(", ")} on tcp/443.`,
        evidence: { facts: { publicCidrs, securityGroups: ep.Groups.map((g) => g.GroupId ?? "") } },
        fix: publicRangeFix(ix, ep, publicRules, privateRemains),
      });
    }
    return out;
  },
};

/**
 * Revokes exactly the public ranges (per group); when nothing private would be left on 443, admits
 * the VPC's CIDR in their place (add-endpoint's default), so the fix does not leave an endpoint that
 * admits nothing (endpoint-sg-admits-nothing, high).
 */
function publicRangeFix(ix: Parameters<Rule["check"]>[0]["ix"], ep: { VpcId: string }, rules: { groupId: string; permission: object }[], privateRemains: boolean): string {
  const groups = [...new Set(rules.map((r) => r.groupId))];
  const steps = groups.map((g) => revokeFix(g, rules.filter((r) => r.groupId === g).map((r) => r.permission)));
  const cidr = ix.vpcs.get(ep.VpcId)?.CidrBlock;
  if (!privateRemains && cidr) steps.push(`aws ec2 authorize-security-group-ingress --group-id ${groups[0]} --ip-permissions '${JSON.stringify([{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: cidr, Description: "clients in the VPC" }] }])}'`);
  return steps.join(" && ");
}
