// Interface endpoints without private DNS: the service's public name still resolves to its public
// addresses, so SDK calls bypass the endpoint (and fail without a NAT).
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { endpointLive, isInterfaceEndpoint, serviceShortName } from "./util.js";

export const endpointNoPrivateDns: Rule = {
  id: "endpoint-no-private-dns",
  severity: "medium",
  title: "Interface endpoint without private DNS",
  rationale: "With private DNS off, `service.region.amazonaws.com` keeps resolving to public addresses: clients that do not use the endpoint-specific DNS name go around the endpoint — over a NAT gateway (paying for it) or nowhere.",
  help: "Turn private DNS on: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-… --private-dns-enabled` (the VPC needs enableDnsSupport and enableDnsHostnames; `egress-cli add-endpoint SERVICE --enable-vpc-dns`).",
  equivalents: {},
  needs: ["vpcEndpoints"],
  check({ ix, region }) {
    const out: RawFinding[] = [];
    for (const ep of ix.vpcEndpoints.values()) {
      if (!isInterfaceEndpoint(ep) || !endpointLive(ep) || ep.PrivateDnsEnabled !== false) continue;
      const svc = serviceShortName(ep.ServiceName, region);
      if (!ep.ServiceName?.startsWith("com.amazonaws.")) continue; // partner/own services have no public name to shadow
      out.push({
        resourceId: ep.VpcEndpointId,
        resourceType: ComponentType.vpcEndpoint,
        vpcId: ep.VpcId,
        message: `${ep.VpcEndpointId} (${svc}) has private DNS disabled: ${svc}.${region}.amazonaws.com still resolves to the public endpoint.`,
        evidence: { facts: { serviceName: ep.ServiceName ?? "", privateDnsEnabled: false } },
        fix: [...vpcDnsOn(ix, ep.VpcId), `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${ep.VpcEndpointId} --private-dns-enabled`].join(" && "),
      });
    }
    return out;
  },
};

/**
 * Private DNS needs enableDnsSupport and enableDnsHostnames on the VPC (AWS refuses it otherwise).
 * The snapshot shows them only when collected; unless both are known on, the fix turns them on
 * (setting an attribute that is already on changes nothing).
 */
export function vpcDnsOn(ix: Parameters<Rule["check"]>[0]["ix"], vpcId: string): string[] {
  const vpc = ix.vpcs.get(vpcId) as { EnableDnsSupport?: boolean; EnableDnsHostnames?: boolean } | undefined;
  return [
    ...(vpc?.EnableDnsSupport === true ? [] : [`aws ec2 modify-vpc-attribute --vpc-id ${vpcId} --enable-dns-support Value=true`]),
    ...(vpc?.EnableDnsHostnames === true ? [] : [`aws ec2 modify-vpc-attribute --vpc-id ${vpcId} --enable-dns-hostnames Value=true`]),
  ];
}
