// The analyzer's public model: component types, hops, explanations and their codes, the query and
// the result. Plain types and constants; src/analysis/analyzer.ts re-exports all of it.

/** Component types, in CloudFormation's words (as Reachability Analyzer's ARNs imply). */
export const ComponentType = {
  networkInterface: "AWS::EC2::NetworkInterface",
  securityGroup: "AWS::EC2::SecurityGroup",
  networkAcl: "AWS::EC2::NetworkAcl",
  routeTable: "AWS::EC2::RouteTable",
  internetGateway: "AWS::EC2::InternetGateway",
  egressOnlyInternetGateway: "AWS::EC2::EgressOnlyInternetGateway",
  natGateway: "AWS::EC2::NatGateway",
  vpcEndpoint: "AWS::EC2::VPCEndpoint",
  vpcPeeringConnection: "AWS::EC2::VPCPeeringConnection",
  transitGateway: "AWS::EC2::TransitGateway",
  transitGatewayAttachment: "AWS::EC2::TransitGatewayAttachment",
  transitGatewayRouteTable: "AWS::EC2::TransitGatewayRouteTable",
  vpnGateway: "AWS::EC2::VPNGateway",
  instance: "AWS::EC2::Instance",
  subnet: "AWS::EC2::Subnet",
  vpc: "AWS::EC2::VPC",
  lambdaFunction: "AWS::Lambda::Function",
  gateway: "AWS::EC2::Gateway",
  resourceConfiguration: "AWS::VpcLattice::ResourceConfiguration",
  resourceGateway: "AWS::VpcLattice::ResourceGateway",
} as const;

export interface ComponentRef {
  id: string;
  type: string;
}

export interface Hop {
  component: ComponentRef;
  action: string;
  detail?: string;
  /** The rule or route that let the packet through (Reachability Analyzer's PathComponent fields). */
  securityGroupRule?: { direction: "egress" | "ingress"; securityGroupId: string; protocol: string; portRange?: { from: number; to: number }; peer: string };
  aclRule?: { ruleNumber: number; action: string; protocol: string; egress: boolean; cidr?: string; portRange?: { from: number; to: number }; returnPath?: boolean };
  route?: { destination: string; target: string; state?: string };
  /** At the internet gateway: the public IPv4 address the packet leaves AWS from (what a vendor sees). */
  publicIp?: string;
}

/**
 * Why a path is blocked. `code` is a Reachability Analyzer explanation code where one fits
 * (see EXPLANATION_CODES); the extra fields mirror RA's Explanation object where useful.
 */
export interface Explanation {
  code: ExplanationCode;
  component: ComponentRef;
  detail: string;
  direction?: "egress" | "ingress";
  /** True when the block is on the return (reply) path. */
  returnPath?: boolean;
  securityGroups?: string[];
  networkInterface?: ComponentRef;
  natGateway?: ComponentRef;
  internetGateway?: ComponentRef;
  subnet?: ComponentRef;
  routeTable?: ComponentRef;
  route?: { destination: string; target: string; state?: string };
  aclRule?: { ruleNumber: number; action: string; protocol: string; cidr?: string; portRange?: { from: number; to: number } };
  address?: string;
  state?: string;
}

/**
 * Explanation codes this analyzer emits. Reachability Analyzer's, except the ones whose text starts
 * with "(egress-cli)": ROUTING_LOOP, SOURCE_HAS_NO_IPV6_ADDRESS and the PrivateLink Resource-endpoint
 * codes (RA's list has none for a VPC Lattice resource configuration; its ELBV2_LISTENER_PORT_RESTRICTION
 * is the load-balancer analogue).
 */
export const EXPLANATION_CODES = {
  ENI_SG_RULES_MISMATCH: "This security group has no inbound or outbound rules that apply.",
  SUBNET_ACL_RESTRICTION: "Inbound or outbound traffic for a subnet must be admitted by the network ACL for the subnet.",
  NO_ROUTE_TO_DESTINATION: "The route table does not have an applicable route to the destination resource.",
  BAD_STATE_ROUTE: "This route is not in a functional state.",
  BAD_STATE: "This component is not in a functional state.",
  BAD_STATE_ATTACHMENT: "The attachment between these components is not in a functional state.",
  IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS:
    "Traffic can't reach the internet through the internet gateway if the source address is not paired with a public IP address.",
  IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS:
    "Internet gateways reject outbound traffic with destination addresses in the private (RFC 1918) or shared (RFC 6598) ranges.",
  ENI_SOURCE_DEST_CHECK_RESTRICTION:
    "Network interfaces with source/destination check enabled reject traffic not addressed from/to their own private IP addresses.",
  REGIONAL_NGW_ROUTE_AZ_RESTRICTION: "The regional NAT gateway is not registered in the Availability Zone where the traffic originates.",
  ROUTING_LOOP: "(egress-cli) The path returns to a component it already crossed.",
  SOURCE_HAS_NO_IPV6_ADDRESS: "(egress-cli) The source has no IPv6 address, so it cannot send IPv6 traffic.",
  RESOURCE_CONFIGURATION_PORT_MISMATCH:
    "(egress-cli) The resource configuration behind this Resource endpoint does not include the destination port in its port ranges.",
  RESOURCE_CONFIGURATION_PROTOCOL_MISMATCH: "(egress-cli) The resource configuration behind this Resource endpoint does not carry this protocol (TCP only).",
  RESOURCE_TARGET_NOT_RESOLVED:
    "(egress-cli) The resource configuration's target (a DNS name or an ARN) does not resolve to an address in the snapshot.",
  TGW_ROUTE_OVERLAP:
    "(egress-cli) Two transit gateway attachments propagate the same CIDR; the transit gateway keeps the route it learned first, so traffic for the other attachment's VPC goes to the first.",
  PROXY_DOMAIN_NOT_ALLOWED: "(egress-cli) The egress proxy's Squid allowlist has no dstdomain pattern that matches the domain, so Squid denies the request.",
  PROXY_PORT_NOT_RELAYED: "(egress-cli) The egress proxy relays TLS by CONNECT to port 443 and plain HTTP to port 80 only.",
  VPC_BLOCK_PUBLIC_ACCESS_ENABLED:
    "VPC Block Public Access is enabled in the Region: traffic through this internet gateway or egress-only internet gateway is blocked for this VPC or subnet.",
  EGRESS_ONLY_GATEWAY_NO_INBOUND:
    "(egress-cli) An egress-only internet gateway carries only connections initiated from inside the VPC; the internet cannot open one to this destination.",
  NO_PUBLIC_ADDRESS_FOR_INGRESS:
    "(egress-cli) The destination has no public IPv4 address (or Elastic IP), so the internet gateway has nothing to translate an inbound packet to.",
  DNS64_NOT_ENABLED:
    "(egress-cli) The source has no IPv4 address and its subnet has DNS64 off: an IPv4-only name resolves to no address the source can use.",
  TGW_ATTACHMENT_NO_SUBNET_IN_AZ:
    "(egress-cli) The VPC's transit gateway attachment has no subnet in the source's Availability Zone, so resources in that zone cannot reach the transit gateway.",
} as const;
export type ExplanationCode = keyof typeof EXPLANATION_CODES;

/**
 * Additional detail codes (prefix of each `additionalDetails` string, "CODE: text").
 * AVAILABILITY_ZONE_CROSSED is Reachability Analyzer's; the others are egress-cli's.
 */
export const ADDITIONAL_DETAIL_CODES = {
  AVAILABILITY_ZONE_CROSSED: "The network path crosses Availability Zones.",
  PATH_LEAVES_VPC: "The path leaves the analyzed VPCs (a VPN, a peer VPC or transit gateway route tables not in the snapshot); it is not analyzed further.",
  SECURITY_GROUPS_NOT_EVALUATED: "The source is a subnet or a NAT gateway: no security group applies at the source.",
  DESTINATION_NOT_EVALUATED: "No network interface in the snapshot holds the destination address; its security groups were not evaluated.",
  SERVICE_VIA_INTERNET: "No usable VPC endpoint for the service: its public endpoint is reached over the internet path.",
  SERVICE_ENDPOINT_NO_PRIVATE_DNS: "An interface endpoint for the service exists but private DNS is disabled, so the service name resolves to public addresses.",
  VIRTUAL_LAMBDA_ENI: "The snapshot holds no hyperplane ENI for the function in this subnet; a virtual one with the function's security groups was analyzed.",
  ASSUMED_DEFAULT_ACL: "No network ACL for the subnet in the snapshot; traffic was assumed allowed.",
  ASSUMED_REGIONAL_NAT_ROUTE_TABLE: "The regional NAT gateway's route table is not in the snapshot; the one AWS creates with it (0.0.0.0/0 to the VPC's internet gateway) was assumed.",
  DNS64_ASSUMED: "The source is IPv6-only: the answer assumes the name resolves through the Route 53 Resolver's DNS64 synthesis (64:ff9b::/96) and leaves through NAT64.",
  FROM_INTERNET: "The path starts on the internet and enters through the internet gateway.",
  LAMBDA_SUBNET_RESULT: "Verdict for one of the function's subnets (a function may run in any of them).",
  PRIVATELINK_NOT_EVALUATED: "The Resource endpoint's resource configuration or gateway is not in the snapshot (another account, or not collected); the path was analyzed up to the endpoint.",
  DOMAIN_NOT_FILTERED: "The path reaches the internet through a NAT gateway or an internet gateway, which do not filter by name: every domain is reachable this way.",
  DOMAIN_ROUTE: "The verdict of one way to the domain (directly, or through an egress proxy's entrance).",
  VIRTUAL_RESOURCE_GATEWAY_ENI: "The snapshot holds no network interface of the resource gateway in the chosen subnet; a virtual one with the gateway's security groups was analyzed.",
} as const;

export interface PathQuery {
  /** subnet-…, eni-…, i-…, lambda:NAME, nat-…, vpce-…; inbound: internet, internet6, igw-… */
  source: string;
  /** igw, igw-…, internet, internet6, an IPv4/IPv6 address or CIDR, service:NAME, eni-…, i-…, vpce-… (inbound: also subnet-…) */
  destination: string;
  protocol?: "tcp" | "udp" | "icmp";
  port?: number;
  /** For `igw` / `internet`: analyze IPv6 (::/0) instead of IPv4. */
  ipVersion?: 4 | 6;
}

/**
 * reachable: every hop to the destination's network interface (or the internet, or the AWS service)
 * was evaluated on collected data and lets the packet through; unreachable: a hop that was evaluated
 * blocks it; unknown: nothing evaluated blocks it, but part of the path was not evaluated
 * (`unknownReasons` says what, and how to collect it).
 */
export type Verdict = "reachable" | "unreachable" | "unknown";

/** Why part of a path was not evaluated. Codes: see UNKNOWN_REASON_CODES. */
export interface UnknownReason {
  code: UnknownReasonCode;
  /** The component the walk stopped at (or could not read). */
  component: ComponentRef;
  /** What was not evaluated. */
  detail: string;
  /** How to collect what is missing (a permission, a profile, a --vpc, the API that failed). */
  collect: string;
}

export const UNKNOWN_REASON_CODES = {
  PATH_LEAVES_VPC: "The path leaves the analyzed VPCs (a VPN, a peer VPC, another account, or transit gateway route tables not in the snapshot).",
  DESTINATION_NOT_EVALUATED: "No network interface in the snapshot holds the destination address: nothing there is proven to answer.",
  PRIVATELINK_NOT_EVALUATED: "The Resource endpoint's resource configuration or gateway (or the gateway's VPC) is not in the snapshot.",
  NOT_COLLECTED: "A resource type the path depends on was not collected (the snapshot's `omitted`: the API failed or was denied).",
  NOT_IN_SNAPSHOT: "A component the path depends on is not in the snapshot (a partial snapshot).",
  APPLIANCE_NOT_EVALUATED: "A Gateway Load Balancer endpoint (AWS Network Firewall, a third-party firewall) is on the path: its rules are not readable, so what it lets through is not evaluated.",
  PROXY_ALLOWLIST_NOT_KNOWN: "The path passes an egress proxy whose allowlist is not known (it is in the plan that launched the proxy).",
  DOMAIN_ADDRESS_FAMILY_NOT_KNOWN: "A domain's source reaches the internet in one address family only, and whether the name resolves to IPv4 or IPv6 (A, AAAA, DNS64) is in no snapshot.",
  BLOCK_PUBLIC_ACCESS_UPDATING: "VPC Block Public Access (or an exclusion the path depends on) is changing state; which mode applies was not evaluated.",
  REGIONAL_NGW_ADDRESS_PENDING: "The regional NAT gateway's only address in the source's Availability Zone is still being associated: it carries traffic once its status is succeeded, which the snapshot has not seen.",
  NAT64_NOT_EVALUATED: "IPv6 traffic to 64:ff9b::/96 is routed to a regional NAT gateway, whose NAT64 egress-cli does not model.",
} as const;
export type UnknownReasonCode = keyof typeof UNKNOWN_REASON_CODES;

/** Several sources the traffic may come from (a Lambda's subnets): any unreachable → unreachable; else any unknown → unknown. */
export function combineVerdicts(vs: Verdict[]): Verdict {
  if (vs.includes("unreachable")) return "unreachable";
  if (vs.includes("unknown")) return "unknown";
  return "reachable";
}

export interface PathResult {
  /** True only when the verdict is "reachable" (kept for consumers that read a boolean). */
  reachable: boolean;
  verdict: Verdict;
  /** Empty unless the verdict is "unknown": what was not evaluated, and how to collect it. */
  unknownReasons: UnknownReason[];
  hops: Hop[];
  explanations: Explanation[];
  additionalDetails: string[];
  source: ComponentRef;
  destination: string;
  /** One entry per concrete source when the source expands to several (a Lambda in N subnets). */
  paths?: SourcePathResult[];
  /** What to do about a blocked path, when the analyzer knows (e.g. the egress-cli command that fixes it). */
  hint?: string;
}

export interface SourcePathResult {
  source: ComponentRef;
  hint?: string;
  reachable: boolean;
  verdict: Verdict;
  unknownReasons: UnknownReason[];
  hops: Hop[];
  explanations: Explanation[];
  additionalDetails: string[];
}
