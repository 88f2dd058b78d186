// An interface endpoint admitting a public address range on 443: an endpoint serves the VPC (and what
// is routed to it); a public range there is a mistake or a forgotten 0.0.0.0/0.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { endpointHttpsIngress } from "./endpoint-sg.js";
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
      const { publicCidrs } = endpointHttpsIngress(ix, ep);
      if (!publicCidrs.length) continue;
      const svc = serviceShortName(ep.ServiceName, region);
      out.push({
        resourceId: ep.VpcEndpointId,
        resourceType: ComponentType.vpcEndpoint,
        vpcId: ep.VpcId,
        message: `${ep.VpcEndpointId} (${svc}) admits ${publicCidrs.join(", ")} on tcp/443.`,
        evidence: { facts: { publicCidrs, securityGroups: ep.Groups.map((g) => g.GroupId ?? "") } },
        fix: `egress-cli add-endpoint ${svc} --allow-from <lambda:NAME|sg-…|VPC CIDR>`,
      });
    }
    return out;
  },
};
