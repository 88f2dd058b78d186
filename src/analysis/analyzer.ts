// The offline reachability analyzer: evaluates one path over a snapshot hop by hop, the way
// AWS Reachability Analyzer does (source SG egress → subnet NACL out → route table → target:
// IGW / NAT / NAT instance / egress-only IGW / endpoint / peering / local delivery → return
// path NACLs), and explains the first blocking component with Reachability Analyzer's
// explanation codes where one fits. Pure: plain data in, plain data out.
import { UsageError } from "../errors.js";
import { ANY_V4, ANY_V6, cidrContains, isNonPublicV4, parseCidr, type Cidr } from "../net/addr.js";
import {
  aclForSubnet,
  buildIndex,
  lambdaEniKey,
  routeTableForSubnet,
  type ParsedAcl,
  type ParsedAclEntry,
  type ParsedPermission,
  type ParsedRoute,
  type ParsedRouteTable,
  type SnapshotIndex,
} from "./snapshot-index.js";
import { closestServices, isKnownService } from "./services.js";
import { lookupTgwRoute, overlappingPropagators, type ParsedTgwRoute } from "./transit.js";
import type { NatGateway, NetworkInterface, ResourceConfiguration, ResourceGateway, Snapshot, Subnet, VpcEndpoint } from "./snapshot.js";

export { buildIndex, type SnapshotIndex } from "./snapshot-index.js";

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
  ROUTING_LOOP: "(egress-cli) The path returns to a component it already crossed.",
  SOURCE_HAS_NO_IPV6_ADDRESS: "(egress-cli) The source has no IPv6 address, so it cannot send IPv6 traffic.",
  RESOURCE_CONFIGURATION_PORT_MISMATCH:
    "(egress-cli) The resource configuration behind this Resource endpoint does not include the destination port in its port ranges.",
  RESOURCE_CONFIGURATION_PROTOCOL_MISMATCH: "(egress-cli) The resource configuration behind this Resource endpoint does not carry this protocol (TCP only).",
  RESOURCE_TARGET_NOT_RESOLVED:
    "(egress-cli) The resource configuration's target (a DNS name or an ARN) does not resolve to an address in the snapshot.",
  TGW_ROUTE_OVERLAP:
    "(egress-cli) Two transit gateway attachments propagate the same CIDR; the transit gateway keeps the route it learned first, so traffic for the other attachment's VPC goes to the first.",
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
  LAMBDA_SUBNET_RESULT: "Verdict for one of the function's subnets (a function may run in any of them).",
  PRIVATELINK_NOT_EVALUATED: "The Resource endpoint's resource configuration or gateway is not in the snapshot (another account, or not collected); the path was analyzed up to the endpoint.",
  VIRTUAL_RESOURCE_GATEWAY_ENI: "The snapshot holds no network interface of the resource gateway in the chosen subnet; a virtual one with the gateway's security groups was analyzed.",
} as const;

export interface PathQuery {
  /** subnet-…, eni-…, i-…, lambda:NAME, nat-…, vpce-… */
  source: string;
  /** igw, igw-…, internet, an IPv4/IPv6 address or CIDR, service:NAME, eni-…, i-…, vpce-… */
  destination: string;
  protocol?: "tcp" | "udp" | "icmp";
  port?: number;
  /** For `igw` / `internet`: analyze IPv6 (::/0) instead of IPv4. */
  ipVersion?: 4 | 6;
}

export interface PathResult {
  reachable: boolean;
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
  hops: Hop[];
  explanations: Explanation[];
  additionalDetails: string[];
}

// ---------------------------------------------------------------------------------------------
// Internal model

/** Whatever is sending the packet at this point of the path (source, or a NAT that forwards it). */
interface Sender {
  ref: ComponentRef;
  label: string;
  subnet: Subnet;
  az: string | undefined;
  addr4: Cidr | null;
  addr6: Cidr | null;
  /** Public IPv4 the internet gateway can translate this sender's address to. */
  publicIp?: string;
  /** null: no security group applies (a subnet source, a NAT gateway). */
  sgIds: string[] | null;
  natGatewayId?: string;
}

type TargetKind = "igw" | "internet" | "address" | "eni" | "prefix-list";

interface Target {
  kind: TargetKind;
  family: 4 | 6;
  /** Destination addresses; empty for a prefix list whose entries are not in the snapshot. */
  cidrs: Cidr[];
  label: string;
  igwId?: string;
  prefixListId?: string;
  eni?: VirtualEni;
  /** The AWS service this target stands for (service:NAME). */
  service?: string;
  /** An interface endpoint chosen for the service that is not available. */
  badEndpoint?: VpcEndpoint;
  /** How the name resolved (private DNS → an endpoint): shown after the source's security group, where RA shows it. */
  resolvedVia?: Hop;
}

/** A network interface as the analyzer needs it (from an ENI record, an instance, or made up). */
interface VirtualEni {
  ref: ComponentRef;
  subnet: Subnet;
  vpcId: string;
  addr4: Cidr | null;
  addr6: Cidr | null;
  sgIds: string[];
  publicIp?: string;
  sourceDestCheck: boolean;
  lambda: boolean;
  virtual: boolean;
}

interface ReturnCheck {
  subnet: Subnet;
  /** Direction of the reply through this subnet's ACL. */
  egress: boolean;
  peers: Cidr[];
}

interface Ctx {
  ix: SnapshotIndex;
  proto: "tcp" | "udp" | "icmp";
  port: number;
  hops: Hop[];
  explanations: Explanation[];
  details: string[];
  returns: ReturnCheck[];
  /** VPC-to-VPC crossings (peering, transit gateway) whose route back is checked after the forward path. */
  crossings: Crossing[];
  visited: Set<string>;
}

/** A crossing from one VPC into another; the reply must be routed back the same way. */
interface Crossing {
  kind: "pcx" | "tgw";
  /** The peering connection or transit gateway. */
  via: ComponentRef;
  fromVpc: string;
  toVpc: string;
  /** Source addresses the reply is addressed to. */
  addrs: Cidr[];
  family: 4 | 6;
  srcAttachmentId?: string;
  dstAttachmentId?: string;
  /** Where the reply to `addrs` is sent from in `toVpc`: the delivering ENI's or the translating NAT's subnet. */
  replySubnet?: Subnet;
  fixed: boolean;
}

const EPHEMERAL_FROM = 1024;
const EPHEMERAL_TO = 65535;
const MAX_DEPTH = 6;

const indexCache = new WeakMap<Snapshot, SnapshotIndex>();

function indexOf(input: Snapshot | SnapshotIndex): SnapshotIndex {
  if ("eniByIp" in input && input.eniByIp instanceof Map) return input as SnapshotIndex;
  const snap = input as Snapshot;
  let ix = indexCache.get(snap);
  if (!ix) {
    ix = buildIndex(snap);
    indexCache.set(snap, ix);
  }
  return ix;
}

// ---------------------------------------------------------------------------------------------
// Public entry point

/**
 * Analyzes one path. Pass a SnapshotIndex (from buildIndex) to share indexes across queries;
 * a Snapshot is indexed once and cached per object. Throws UsageError for an unknown source or
 * destination.
 */
export function analyzePath(input: Snapshot | SnapshotIndex, query: PathQuery): PathResult {
  const ix = indexOf(input);
  const proto = query.protocol ?? "tcp";
  const port = query.port ?? 443;
  if (!["tcp", "udp", "icmp"].includes(proto)) throw new UsageError(`unsupported protocol "${proto}"`, "use tcp, udp or icmp");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid port ${port}`, "ports are 0–65535");
  const { sourceRef, senders, notes } = resolveSource(ix, query.source);

  const results: SourcePathResult[] = senders.map((sender) => {
    const ctx: Ctx = {
      ix,
      proto,
      port,
      hops: [],
      explanations: [],
      details: [...notes.get(sender.ref.id)!],
      returns: [],
      crossings: [],
      visited: new Set(),
    };
    const target = resolveTarget(ctx, sender, query.destination, query.ipVersion);
    const ok = walk(ctx, sender, target, 0) && checkReturnPath(ctx);
    const hint = ok ? undefined : explainNoEgress(ctx, sender, target);
    return {
      source: sender.ref,
      ...(hint ? { hint } : {}),
      reachable: ok,
      hops: ctx.hops,
      explanations: ctx.explanations,
      additionalDetails: dedupe(ctx.details),
    };
  });

  const reachable = results.every((r) => r.reachable);
  const primary = results.find((r) => !r.reachable) ?? results[0]!;
  const result: PathResult = {
    reachable,
    hops: primary.hops,
    explanations: primary.explanations,
    additionalDetails: dedupe(results.flatMap((r) => r.additionalDetails)),
    source: sourceRef,
    destination: query.destination,
    ...(primary.hint ? { hint: primary.hint } : {}),
  };
  if (results.length > 1) {
    result.paths = results;
    for (const r of results) {
      result.additionalDetails.push(
        `LAMBDA_SUBNET_RESULT: ${r.source.id}: ${r.reachable ? "reachable" : `not reachable (${r.explanations[0]?.code ?? "?"} at ${r.explanations[0]?.component.id ?? "?"})`}`,
      );
    }
  }
  return result;
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

// ---------------------------------------------------------------------------------------------
// Sources

function groupIds(groups: { GroupId?: string }[] | undefined): string[] {
  return (groups ?? []).map((g) => g.GroupId).filter((x): x is string => !!x);
}

function subnetOrThrow(ix: SnapshotIndex, subnetId: string | undefined, what: string): Subnet {
  const subnet = subnetId ? ix.subnets.get(subnetId) : undefined;
  if (!subnet) throw new UsageError(`${what}: subnet ${subnetId ?? "(none)"} is not in the snapshot`, "take a snapshot that includes the whole VPC");
  return subnet;
}

function eniFromRecord(ix: SnapshotIndex, eni: NetworkInterface): VirtualEni {
  const subnet = subnetOrThrow(ix, eni.SubnetId, eni.NetworkInterfaceId);
  const lambda = eni.InterfaceType === "lambda";
  const v6 = eni.Ipv6Addresses?.find((a) => a.Ipv6Address)?.Ipv6Address;
  return {
    ref: { id: eni.NetworkInterfaceId, type: ComponentType.networkInterface },
    subnet,
    vpcId: eni.VpcId,
    addr4: parseCidr(eni.PrivateIpAddress),
    addr6: v6 ? parseCidr(v6) : null,
    sgIds: groupIds(eni.Groups),
    // Lambda hyperplane ENIs never get a public IP, whatever the record says.
    publicIp: lambda
      ? undefined
      : (eni.Association?.PublicIp ??
        eni.PrivateIpAddresses?.find((p) => p.Association?.PublicIp)?.Association?.PublicIp ??
        ix.eipByEni.get(eni.NetworkInterfaceId)),
    sourceDestCheck: eni.SourceDestCheck !== false,
    lambda,
    virtual: false,
  };
}

/** An instance's primary network interface (the ENI record if present, else from the instance). */
function eniForInstance(ix: SnapshotIndex, instanceId: string): VirtualEni | null {
  const inst = ix.instances.get(instanceId);
  if (!inst) return null;
  const primary =
    inst.NetworkInterfaces.find((n) => (n.Attachment?.DeviceIndex ?? 0) === 0) ?? inst.NetworkInterfaces[0];
  const record = primary?.NetworkInterfaceId ? ix.networkInterfaces.get(primary.NetworkInterfaceId) : undefined;
  if (record) {
    const e = eniFromRecord(ix, record);
    e.ref = { id: instanceId, type: ComponentType.instance };
    e.publicIp ??= inst.PublicIpAddress;
    if (record.SourceDestCheck === undefined && inst.SourceDestCheck === false) e.sourceDestCheck = false;
    return e;
  }
  const subnet = subnetOrThrow(ix, inst.SubnetId ?? primary?.SubnetId, instanceId);
  return {
    ref: { id: instanceId, type: ComponentType.instance },
    subnet,
    vpcId: inst.VpcId ?? subnet.VpcId,
    addr4: parseCidr(inst.PrivateIpAddress ?? primary?.PrivateIpAddress),
    addr6: null,
    sgIds: groupIds(inst.SecurityGroups.length ? inst.SecurityGroups : primary?.Groups),
    publicIp: inst.PublicIpAddress ?? primary?.Association?.PublicIp,
    sourceDestCheck: (primary?.SourceDestCheck ?? inst.SourceDestCheck) !== false,
    lambda: false,
    virtual: true,
  };
}

/** An interface endpoint's ENI in the preferred AZ (else any), or a virtual one in its subnet. */
function eniForEndpoint(ix: SnapshotIndex, ep: VpcEndpoint, preferAz?: string): VirtualEni | null {
  const enis = ep.NetworkInterfaceIds.map((id) => ix.networkInterfaces.get(id)).filter((e): e is NetworkInterface => !!e);
  const pick = enis.find((e) => ix.subnets.get(e.SubnetId)?.AvailabilityZone === preferAz) ?? enis[0];
  if (pick) return eniFromRecord(ix, pick);
  const subnets = ep.SubnetIds.map((id) => ix.subnets.get(id)).filter((s): s is Subnet => !!s);
  const subnet = subnets.find((s) => s.AvailabilityZone === preferAz) ?? subnets[0];
  if (!subnet) return null;
  return {
    ref: { id: ep.VpcEndpointId, type: ComponentType.vpcEndpoint },
    subnet,
    vpcId: ep.VpcId,
    addr4: parseCidr(subnet.CidrBlock),
    addr6: null,
    sgIds: groupIds(ep.Groups),
    sourceDestCheck: true,
    lambda: false,
    virtual: true,
  };
}

function senderFromEni(e: VirtualEni): Sender {
  return {
    ref: e.ref,
    label: e.ref.id,
    subnet: e.subnet,
    az: e.subnet.AvailabilityZone,
    addr4: e.addr4 ?? parseCidr(e.subnet.CidrBlock),
    addr6: e.addr6,
    publicIp: e.lambda ? undefined : e.publicIp,
    sgIds: e.sgIds,
  };
}

function natPrimary(nat: NatGateway) {
  return nat.NatGatewayAddresses.find((a) => a.IsPrimary) ?? nat.NatGatewayAddresses[0];
}

function senderFromNat(ix: SnapshotIndex, nat: NatGateway): Sender {
  const subnet = subnetOrThrow(ix, nat.SubnetId, nat.NatGatewayId);
  const primary = natPrimary(nat);
  const isPublic = (nat.ConnectivityType ?? "public") === "public";
  return {
    ref: { id: nat.NatGatewayId, type: ComponentType.natGateway },
    label: nat.NatGatewayId,
    subnet,
    az: subnet.AvailabilityZone,
    addr4: parseCidr(primary?.PrivateIp) ?? parseCidr(subnet.CidrBlock),
    addr6: null,
    publicIp: isPublic ? primary?.PublicIp : undefined,
    sgIds: null,
    natGatewayId: nat.NatGatewayId,
  };
}

function resolveSource(
  ix: SnapshotIndex,
  source: string,
): { sourceRef: ComponentRef; senders: Sender[]; notes: Map<string, string[]> } {
  const notes = new Map<string, string[]>();
  const one = (s: Sender, ...n: string[]) => {
    notes.set(s.ref.id, n);
    return { sourceRef: s.ref, senders: [s], notes };
  };

  if (source.startsWith("lambda:")) {
    const name = source.slice("lambda:".length);
    const fn = ix.lambdaFunctions.get(name);
    if (!fn) throw new UsageError(`Lambda function "${name}" is not in the snapshot`, "check the name, or take a new snapshot");
    const subnetIds = fn.VpcConfig?.SubnetIds ?? [];
    const sgIds = fn.VpcConfig?.SecurityGroupIds ?? [];
    if (subnetIds.length === 0) {
      throw new UsageError(
        `Lambda function "${name}" is not attached to a VPC`,
        "a function outside a VPC uses AWS-managed networking; attach it first (egress-cli attach-lambda)",
      );
    }
    const senders: Sender[] = [];
    for (const subnetId of subnetIds) {
      const subnet = subnetOrThrow(ix, subnetId, `lambda:${name}`);
      const eni = ix.lambdaEnis.get(lambdaEniKey(subnetId, sgIds))?.[0];
      let sender: Sender;
      const n: string[] = [];
      if (eni) {
        sender = senderFromEni(eniFromRecord(ix, eni));
      } else {
        // Hyperplane ENIs may not exist yet (or not be in the snapshot): analyze a virtual one.
        sender = {
          ref: { id: subnetId, type: ComponentType.subnet },
          label: `lambda:${name} in ${subnetId}`,
          subnet,
          az: subnet.AvailabilityZone,
          addr4: parseCidr(subnet.CidrBlock),
          addr6: fn.VpcConfig?.Ipv6AllowedForDualStack
            ? parseCidr(subnet.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock)
            : null,
          sgIds: [...sgIds],
        };
        n.push(`VIRTUAL_LAMBDA_ENI: no hyperplane ENI of lambda:${name} in ${subnetId}; analyzed a virtual ENI with ${sgIds.join(", ") || "no security groups"}`);
      }
      sender.publicIp = undefined; // never a public IP for Lambda
      sender.label = `lambda:${name} (${sender.ref.id})`;
      notes.set(sender.ref.id, n);
      senders.push(sender);
    }
    return { sourceRef: { id: fn.FunctionArn ?? name, type: ComponentType.lambdaFunction }, senders, notes };
  }
  if (source.startsWith("subnet-")) {
    const subnet = subnetOrThrow(ix, source, "source");
    return one(
      {
        ref: { id: subnet.SubnetId, type: ComponentType.subnet },
        label: subnet.SubnetId,
        subnet,
        az: subnet.AvailabilityZone,
        addr4: parseCidr(subnet.CidrBlock),
        addr6: parseCidr(subnet.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock),
        // A subnet source stands for an interface without a public IP unless the subnet
        // auto-assigns one.
        publicIp: subnet.MapPublicIpOnLaunch ? "(auto-assigned public IPv4)" : undefined,
        sgIds: null,
      },
      `SECURITY_GROUPS_NOT_EVALUATED: the source is subnet ${subnet.SubnetId}; no security group was evaluated at the source`,
    );
  }
  if (source.startsWith("eni-")) {
    const eni = ix.networkInterfaces.get(source);
    if (!eni) throw new UsageError(`network interface ${source} is not in the snapshot`);
    const natId = ix.natByEni.get(source);
    if (natId) return one(senderFromNat(ix, ix.natGateways.get(natId)!));
    return one(senderFromEni(eniFromRecord(ix, eni)));
  }
  if (source.startsWith("i-")) {
    const e = eniForInstance(ix, source);
    if (!e) throw new UsageError(`instance ${source} is not in the snapshot`);
    return one(senderFromEni(e));
  }
  if (source.startsWith("nat-")) {
    const nat = ix.natGateways.get(source);
    if (!nat) throw new UsageError(`NAT gateway ${source} is not in the snapshot`);
    return one(senderFromNat(ix, nat), `SECURITY_GROUPS_NOT_EVALUATED: NAT gateways have no security groups`);
  }
  if (source.startsWith("vpce-")) {
    const ep = ix.vpcEndpoints.get(source);
    if (!ep) throw new UsageError(`VPC endpoint ${source} is not in the snapshot`);
    const e = eniForEndpoint(ix, ep);
    if (!e) throw new UsageError(`VPC endpoint ${source} has no network interface (a ${ep.VpcEndpointType ?? "gateway"} endpoint cannot be a source)`);
    return one(senderFromEni(e));
  }
  throw new UsageError(
    `unknown source "${source}"`,
    "use a subnet-…, eni-…, i-…, nat-…, vpce-… id or lambda:FUNCTION_NAME",
  );
}

// ---------------------------------------------------------------------------------------------
// Destinations

function resolveTarget(ctx: Ctx, sender: Sender, destination: string, ipVersion?: 4 | 6): Target {
  const { ix } = ctx;
  const family: 4 | 6 = ipVersion ?? 4;
  const any = family === 6 ? ANY_V6 : ANY_V4;
  if (destination === "igw") return { kind: "igw", family, cidrs: [any], label: "an internet gateway" };
  if (destination.startsWith("igw-")) {
    if (!ix.internetGateways.has(destination)) throw new UsageError(`internet gateway ${destination} is not in the snapshot`);
    return { kind: "igw", family, cidrs: [any], label: destination, igwId: destination };
  }
  if (destination === "internet") return { kind: "internet", family, cidrs: [any], label: family === 6 ? "the internet (::/0)" : "the internet (0.0.0.0/0)" };
  if (destination.startsWith("service:")) return resolveService(ctx, sender, destination.slice("service:".length), family);
  if (destination.startsWith("eni-") || destination.startsWith("i-") || destination.startsWith("vpce-")) {
    let eni: VirtualEni | null = null;
    if (destination.startsWith("eni-")) {
      const rec = ix.networkInterfaces.get(destination);
      eni = rec ? eniFromRecord(ix, rec) : null;
    } else if (destination.startsWith("i-")) {
      eni = eniForInstance(ix, destination);
    } else {
      const ep = ix.vpcEndpoints.get(destination);
      eni = ep ? eniForEndpoint(ix, ep, sender.az) : null;
    }
    if (!eni) throw new UsageError(`destination ${destination} is not in the snapshot (or has no network interface)`);
    const addr = family === 6 ? eni.addr6 : eni.addr4;
    if (!addr) throw new UsageError(`destination ${destination} has no IPv${family} address in the snapshot`);
    return { kind: "eni", family, cidrs: [addr], label: destination, eni };
  }
  const cidr = parseCidr(destination);
  if (cidr) {
    const kind: TargetKind = cidr.len === 0 ? "internet" : "address";
    const target: Target = { kind, family: cidr.v, cidrs: [cidr], label: destination };
    if (cidr.len === (cidr.v === 4 ? 32 : 128)) {
      // An address held by an ENI of the sender's VPC: analyze it as that ENI (SG references apply).
      const rec = ix.eniByIp.get(`${sender.subnet.VpcId}|${cidr.text.slice(0, cidr.text.indexOf("/"))}`);
      if (rec) target.eni = eniFromRecord(ix, rec);
    }
    return target;
  }
  throw new UsageError(
    `unknown destination "${destination}"`,
    "use igw, internet, an IP address or CIDR, service:NAME, or an eni-…/i-…/vpce-… id",
  );
}

/**
 * service:NAME: an interface endpoint with private DNS in the sender's VPC; else a gateway
 * endpoint route (prefix list) for s3/dynamodb; else the public endpoint over the internet.
 */
function resolveService(ctx: Ctx, sender: Sender, name: string, family: 4 | 6): Target {
  const { ix } = ctx;
  const serviceName = name.startsWith("com.amazonaws.") ? name : `com.amazonaws.${ix.snapshot.region}.${name}`;
  const endpoints = ix.endpointsByService.get(`${sender.subnet.VpcId}|${serviceName}`) ?? [];
  if (!isKnownService(name) && endpoints.length === 0 && !ix.prefixListByName.has(serviceName)) {
    throw new UsageError(`unknown AWS service "${name}"`, `closest names: ${closestServices(name).map((s) => `service:${s}`).join(", ")}`, "UnknownService");
  }
  const iface = endpoints.filter((e) => (e.VpcEndpointType ?? "Interface") === "Interface");
  const withDns = iface.find((e) => e.PrivateDnsEnabled);
  if (withDns) {
    const eni = eniForEndpoint(ix, withDns, sender.az);
    if (eni && eni.addr4) {
      const target: Target = { kind: "eni", family: 4, cidrs: [eni.addr4], label: `${serviceName} via ${withDns.VpcEndpointId}`, eni, service: serviceName };
      target.resolvedVia = {
        component: { id: withDns.VpcEndpointId, type: ComponentType.vpcEndpoint },
        action: `${serviceName} resolves (private DNS) to interface endpoint ${withDns.VpcEndpointId} at ${eni.addr4.text.replace(/\/32$/, "")} in ${eni.subnet.SubnetId}`,
      };
      const state = (withDns.State ?? "available").toLowerCase();
      if (state !== "available") target.badEndpoint = withDns;
      return target;
    }
  }
  if (iface.length > 0) {
    ctx.details.push(
      `SERVICE_ENDPOINT_NO_PRIVATE_DNS: ${iface.map((e) => e.VpcEndpointId).join(", ")} for ${serviceName} has private DNS disabled; the default service name resolves to public addresses`,
    );
  }
  const plId = ix.prefixListByName.get(serviceName);
  const gateway = endpoints.find((e) => e.VpcEndpointType === "Gateway");
  if (plId && gateway) {
    const pl = ix.prefixLists.get(plId)!;
    return { kind: "prefix-list", family: 4, cidrs: pl.cidrs, label: `${serviceName} (${plId})`, prefixListId: plId, service: serviceName };
  }
  ctx.details.push(`SERVICE_VIA_INTERNET: no interface endpoint with private DNS${plId ? " or gateway endpoint" : ""} for ${serviceName} in ${sender.subnet.VpcId}; analyzed the path to its public endpoint`);
  return { kind: "internet", family, cidrs: [family === 6 ? ANY_V6 : ANY_V4], label: `${serviceName} (public endpoint)`, service: serviceName };
}

// ---------------------------------------------------------------------------------------------
// Rule evaluation

function fmtPorts(proto: string, from: number, to: number): string {
  if (proto === "all") return "all traffic";
  if (proto === "icmp" || proto === "icmpv6") return proto;
  return from === to ? `${proto} ${from}` : from === 0 && to === 65535 ? `${proto} all ports` : `${proto} ${from}-${to}`;
}

function protoMatches(ruleProto: string, proto: string): boolean {
  return ruleProto === "all" || ruleProto === proto || (proto === "icmp" && ruleProto === "icmpv6");
}

function portMatches(p: ParsedPermission, proto: string, port: number): boolean {
  if (!protoMatches(p.proto, proto)) return false;
  if (p.proto === "all" || proto === "icmp") return true;
  return port >= p.from && port <= p.to;
}

/** Does one permission admit the peer? Returns a description of the matching part, or null. */
function permissionAdmits(
  ix: SnapshotIndex,
  p: ParsedPermission,
  peers: Cidr[],
  peerSgIds: string[] | null,
  peerPrefixListId: string | undefined,
): string | null {
  if (peerPrefixListId && p.prefixListIds.includes(peerPrefixListId)) return peerPrefixListId;
  if (peerSgIds) {
    const g = p.groupIds.find((id) => peerSgIds.includes(id));
    if (g) return g;
  }
  // Unknown destination addresses (a prefix list not in the snapshot): only "anywhere" covers them.
  if (peers.length === 0) return p.cidrs.find((c) => c.len === 0 && c.v === 4)?.text ?? null;
  // Every destination address must be covered by one of this rule's CIDRs or prefix lists.
  let via: string | null = null;
  for (const peer of peers) {
    const c = p.cidrs.find((rc) => cidrContains(rc, peer));
    if (c) {
      via ??= c.text;
      continue;
    }
    const pl = p.prefixListIds.find((id) => ix.prefixLists.get(id)?.cidrs.some((rc) => cidrContains(rc, peer)));
    if (pl) {
      via ??= pl;
      continue;
    }
    return null;
  }
  return via;
}

interface SgVerdict {
  ok: boolean;
  sgId?: string;
  rule?: string;
  perm?: ParsedPermission;
  via?: string;
}

function sgRuleOf(v: SgVerdict, direction: "egress" | "ingress"): Hop["securityGroupRule"] {
  const p = v.perm!;
  return { direction, securityGroupId: v.sgId!, protocol: p.proto, ...(p.proto === "tcp" || p.proto === "udp" ? { portRange: { from: p.from, to: p.to } } : {}), peer: v.via! };
}

function evalSecurityGroups(
  ctx: Ctx,
  sgIds: string[],
  direction: "egress" | "ingress",
  peers: Cidr[],
  peerSgIds: string[] | null,
  peerPrefixListId?: string,
): SgVerdict {
  const { ix, proto, port } = ctx;
  for (const id of sgIds) {
    const sg = ix.securityGroups.get(id);
    if (!sg) continue;
    for (const p of direction === "egress" ? sg.egress : sg.ingress) {
      if (!portMatches(p, proto, port)) continue;
      const via = permissionAdmits(ix, p, peers, peerSgIds, peerPrefixListId);
      if (via) return { ok: true, sgId: id, rule: `${fmtPorts(p.proto, p.from, p.to)} ${via}`, perm: p, via };
    }
  }
  return { ok: false };
}

interface AclVerdict {
  ok: boolean;
  entry?: ParsedAclEntry;
  /** The rule(s) that admitted the traffic (for the hop). */
  admittedBy: number[];
}

/**
 * First match wins, per port: walks the rules in order, removing admitted port intervals;
 * a deny that meets a still-open port blocks. Unmatched ports fall to the implicit deny.
 */
function evalAcl(acl: ParsedAcl, egress: boolean, peers: Cidr[], proto: string, from: number, to: number): AclVerdict {
  const rules = egress ? acl.egress : acl.ingress;
  const admittedBy: number[] = [];
  for (const peer of peers) {
    let open: [number, number][] = [[from, to]];
    for (const r of rules) {
      if (open.length === 0) break;
      if (!protoMatches(r.proto, proto) || !r.cidr || !cidrContains(r.cidr, peer)) continue;
      const ported = r.proto === "tcp" || r.proto === "udp";
      const lo = ported ? r.from : 0;
      const hi = ported ? r.to : 65535;
      const hits = open.some(([a, b]) => a <= hi && b >= lo);
      if (!hits) continue;
      if (!r.allow) return { ok: false, entry: r, admittedBy };
      admittedBy.push(r.entry.RuleNumber);
      const next: [number, number][] = [];
      for (const [a, b] of open) {
        if (b < lo || a > hi) next.push([a, b]);
        else {
          if (a < lo) next.push([a, lo - 1]);
          if (b > hi) next.push([hi + 1, b]);
        }
      }
      open = next;
    }
    if (open.length > 0) return { ok: false, admittedBy };
  }
  return { ok: true, admittedBy: [...new Set(admittedBy)] };
}

function admittingRule(acl: ParsedAcl, egress: boolean, ruleNumber: number | undefined, returnPath: boolean): Hop["aclRule"] {
  const e = (egress ? acl.egress : acl.ingress).find((r) => r.entry.RuleNumber === ruleNumber);
  if (!e) return undefined;
  const info = aclRuleInfo(e);
  return { ...info, egress, ...(returnPath ? { returnPath } : {}) };
}

function aclRuleInfo(e: ParsedAclEntry): NonNullable<Explanation["aclRule"]> {
  return {
    ruleNumber: e.entry.RuleNumber,
    action: e.entry.RuleAction,
    protocol: e.entry.Protocol,
    cidr: e.entry.CidrBlock ?? e.entry.Ipv6CidrBlock,
    portRange: e.entry.PortRange ? { from: e.entry.PortRange.From ?? 0, to: e.entry.PortRange.To ?? 65535 } : undefined,
  };
}

function peersText(peers: Cidr[]): string {
  if (peers.length === 0) return "(unknown addresses)";
  const t = peers.slice(0, 3).map((c) => c.text.replace(/\/(32|128)$/, ""));
  return peers.length > 3 ? `${t.join(", ")}, …` : t.join(", ");
}

/** Checks one subnet's ACL in one direction; records the hop or the explanation. */
function checkAcl(
  ctx: Ctx,
  subnet: Subnet,
  egress: boolean,
  peers: Cidr[],
  from: number,
  to: number,
  returnPath: boolean,
): boolean {
  const acl = aclForSubnet(ctx.ix, subnet);
  const dir = egress ? "outbound" : "inbound";
  const what = `${fmtPorts(ctx.proto, from, to)} ${egress ? "to" : "from"} ${peersText(peers)}`;
  if (!acl) {
    ctx.details.push(`ASSUMED_DEFAULT_ACL: no network ACL for ${subnet.SubnetId} in the snapshot; ${dir} traffic assumed allowed`);
    return true;
  }
  const ref = { id: acl.acl.NetworkAclId, type: ComponentType.networkAcl };
  const v = evalAcl(acl, egress, peers.length ? peers : [ANY_V4], ctx.proto, from, to);
  if (v.ok) {
    const rules = egress ? acl.egress : acl.ingress;
    const ruleText = v.admittedBy
      .map((n) => {
        const e = rules.find((r) => r.entry.RuleNumber === n);
        return e ? `rule ${n} (allow ${fmtPorts(e.proto, e.proto === "tcp" || e.proto === "udp" ? e.from : 0, e.proto === "tcp" || e.proto === "udp" ? e.to : 65535)} ${e.cidr?.text ?? "?"})` : `rule ${n}`;
      })
      .join(", ");
    ctx.hops.push({
      component: ref,
      action: `network ACL ${acl.acl.NetworkAclId} ${dir} ${ruleText} admits ${what}${returnPath ? " (return traffic)" : ""}`,
      detail: `subnet ${subnet.SubnetId}`,
      aclRule: admittingRule(acl, egress, v.admittedBy[0], returnPath),
    });
    return true;
  }
  const rule = v.entry
    ? `rule ${v.entry.entry.RuleNumber} (${v.entry.entry.RuleAction} ${v.entry.entry.CidrBlock ?? v.entry.entry.Ipv6CidrBlock})`
    : "no rule (implicit deny)";
  ctx.explanations.push({
    code: "SUBNET_ACL_RESTRICTION",
    component: ref,
    detail: `network ACL ${acl.acl.NetworkAclId} of ${subnet.SubnetId}: ${dir} ${rule} blocks ${what}${returnPath ? " — the reply is dropped (network ACLs are stateless: allow ephemeral ports 1024-65535)" : ""}`,
    direction: egress ? "egress" : "ingress",
    returnPath: returnPath || undefined,
    subnet: { id: subnet.SubnetId, type: ComponentType.subnet },
    aclRule: v.entry ? aclRuleInfo(v.entry) : undefined,
  });
  return false;
}

/** Crossing a subnet boundary: check the ACL now and remember the reply's check. */
function crossAcl(ctx: Ctx, subnet: Subnet, egress: boolean, peers: Cidr[]): boolean {
  if (!checkAcl(ctx, subnet, egress, peers, ctx.port, ctx.port, false)) return false;
  ctx.returns.push({ subnet, egress: !egress, peers });
  return true;
}

function checkReturnPath(ctx: Ctx): boolean {
  for (let i = ctx.crossings.length - 1; i >= 0; i--) if (!checkCrossingReturn(ctx, ctx.crossings[i]!)) return false;
  const [from, to] = ctx.proto === "icmp" ? [0, 65535] : [EPHEMERAL_FROM, EPHEMERAL_TO];
  for (let i = ctx.returns.length - 1; i >= 0; i--) {
    const r = ctx.returns[i]!;
    if (!checkAcl(ctx, r.subnet, r.egress, r.peers, from, to, true)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Routing

function routeTarget(r: ParsedRoute): string {
  const x = r.route;
  return (
    x.GatewayId ??
    x.NatGatewayId ??
    x.NetworkInterfaceId ??
    x.InstanceId ??
    x.VpcPeeringConnectionId ??
    x.TransitGatewayId ??
    x.EgressOnlyInternetGatewayId ??
    x.VpcEndpointId ??
    x.CarrierGatewayId ??
    x.LocalGatewayId ??
    "(no target)"
  );
}

function routeDest(r: ParsedRoute): string {
  return r.route.DestinationCidrBlock ?? r.route.DestinationIpv6CidrBlock ?? r.prefixListId ?? "?";
}

/** Length of the route's match on the target, or -1. Prefix-list routes match per entry. */
function routeMatch(ix: SnapshotIndex, r: ParsedRoute, target: Target): number {
  if (r.cidr) {
    if (r.cidr.v !== target.family) return -1;
    if (target.cidrs.length === 0) return r.cidr.len === 0 ? 0 : -1;
    return target.cidrs.every((c) => cidrContains(r.cidr!, c)) ? r.cidr.len : -1;
  }
  if (r.prefixListId) {
    if (target.prefixListId === r.prefixListId) return 129; // the endpoint's own list: most specific
    const pl = ix.prefixLists.get(r.prefixListId);
    if (!pl || target.cidrs.length === 0) return -1;
    let best = -1;
    for (const c of target.cidrs) {
      const m = pl.cidrs.find((pc) => cidrContains(pc, c));
      if (!m) return -1;
      best = Math.max(best, m.len);
    }
    return best;
  }
  return -1;
}

function lookupRoute(ix: SnapshotIndex, table: ParsedRouteTable, target: Target): ParsedRoute | null {
  let best: ParsedRoute | null = null;
  let bestLen = -1;
  for (const r of table.routes) {
    const len = routeMatch(ix, r, target);
    if (len < 0) continue;
    // Longest prefix wins; on a tie the local route wins, then a static route over a propagated one.
    if (
      len > bestLen ||
      (len === bestLen && best && !best.local && (r.local || (best.route.Origin === "EnableVgwRoutePropagation" && r.route.Origin !== "EnableVgwRoutePropagation")))
    ) {
      best = r;
      bestLen = len;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// The walk

function fail(ctx: Ctx, e: Explanation): false {
  ctx.explanations.push(e);
  return false;
}

function senderAddrs(sender: Sender, family: 4 | 6): Cidr[] {
  const a = family === 6 ? sender.addr6 : sender.addr4;
  return a ? [a] : [];
}

/** Evaluates the path from `sender` to `target`. Returns true if the forward path is reachable. */
function walk(ctx: Ctx, sender: Sender, target: Target, depth: number): boolean {
  const { ix } = ctx;
  if (depth > MAX_DEPTH || ctx.visited.has(sender.ref.id)) {
    return fail(ctx, {
      code: "ROUTING_LOOP",
      component: sender.ref,
      detail: `the path returns to ${sender.ref.id}; check the route tables of the subnets it crosses`,
    });
  }
  ctx.visited.add(sender.ref.id);
  const badEndpoint = target.badEndpoint;
  if (badEndpoint) {
    return fail(ctx, {
      code: "BAD_STATE",
      component: { id: badEndpoint.VpcEndpointId, type: ComponentType.vpcEndpoint },
      detail: `VPC endpoint ${badEndpoint.VpcEndpointId} is ${badEndpoint.State}`,
      state: badEndpoint.State,
    });
  }

  const srcAddrs = senderAddrs(sender, target.family);
  if (target.family === 6 && srcAddrs.length === 0) {
    return fail(ctx, {
      code: "SOURCE_HAS_NO_IPV6_ADDRESS",
      component: sender.ref,
      detail: `${sender.label} has no IPv6 address${sender.subnet.Ipv6CidrBlockAssociationSet?.length ? "" : ` (subnet ${sender.subnet.SubnetId} has no IPv6 CIDR)`}`,
    });
  }

  // 1. Source security groups, egress (stateful: the reply needs no rule).
  if (sender.sgIds) {
    const v = evalSecurityGroups(ctx, sender.sgIds, "egress", target.cidrs, target.eni?.sgIds ?? null, target.prefixListId);
    if (!v.ok) {
      const first = sender.sgIds[0];
      return fail(ctx, {
        code: "ENI_SG_RULES_MISMATCH",
        component: first ? { id: first, type: ComponentType.securityGroup } : sender.ref,
        detail: `no egress rule of ${sender.sgIds.join(", ") || "(no security groups)"} on ${sender.label} allows ${fmtPorts(ctx.proto, ctx.port, ctx.port)} to ${target.label}`,
        direction: "egress",
        securityGroups: sender.sgIds,
        networkInterface: sender.ref,
      });
    }
    ctx.hops.push({
      component: { id: v.sgId!, type: ComponentType.securityGroup },
      action: `security group ${v.sgId} egress rule ${v.rule} matched`,
      detail: `on ${sender.label}`,
      securityGroupRule: sgRuleOf(v, "egress"),
    });
  }

  if (target.resolvedVia && !ctx.hops.includes(target.resolvedVia)) ctx.hops.push(target.resolvedVia);

  // 2. Same subnet: no ACL, no route lookup beyond local.
  if (target.eni && target.eni.subnet.SubnetId === sender.subnet.SubnetId) {
    ctx.hops.push({
      component: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
      action: `destination ${target.eni.ref.id} is in the same subnet (local route; network ACLs do not apply)`,
    });
    return deliverToEni(ctx, sender, target, target.eni, depth);
  }

  // 3. Subnet ACL, outbound.
  if (!crossAcl(ctx, sender.subnet, true, target.cidrs)) return false;

  // 4. Route table.
  const rt = routeTableForSubnet(ix, sender.subnet);
  if (!rt) {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
      detail: `subnet ${sender.subnet.SubnetId} has no associated route table and VPC ${sender.subnet.VpcId} has no main route table in the snapshot`,
    });
  }
  const rtRef = { id: rt.table.table.RouteTableId, type: ComponentType.routeTable };
  const assoc = rt.main ? "main route table (no explicit association)" : "explicitly associated";
  const route = lookupRoute(ix, rt.table, target);
  if (!route) {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `route table ${rtRef.id} (${assoc}) of ${sender.subnet.SubnetId} has no route to ${target.label}`,
      routeTable: rtRef,
      subnet: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
    });
  }
  const tgt = routeTarget(route);
  const routeInfo = { destination: routeDest(route), target: tgt, state: route.route.State };
  if ((route.route.State ?? "active") === "blackhole") {
    return fail(ctx, {
      code: "BAD_STATE_ROUTE",
      component: rtRef,
      detail: `route ${routeInfo.destination} → ${tgt} in ${rtRef.id} is a blackhole (its target was deleted or failed)`,
      routeTable: rtRef,
      route: routeInfo,
      state: "blackhole",
    });
  }
  ctx.hops.push({
    component: rtRef,
    action: `route table ${rtRef.id} route ${routeInfo.destination} → ${tgt} matched`,
    detail: `${assoc} for ${sender.subnet.SubnetId}`,
    route: routeInfo,
  });

  // 5. The route's target.
  const r = route.route;
  if (route.local) return deliverLocal(ctx, sender, target, rtRef, depth);
  if (r.NatGatewayId) return viaNatGateway(ctx, sender, target, r.NatGatewayId, depth, rtRef);
  if (r.InstanceId || r.NetworkInterfaceId) return viaAppliance(ctx, sender, target, r, rtRef, routeInfo, depth);
  if (r.EgressOnlyInternetGatewayId) return viaEgressOnly(ctx, sender, target, r.EgressOnlyInternetGatewayId);
  if (r.VpcPeeringConnectionId) return viaPeering(ctx, sender, target, r.VpcPeeringConnectionId, rtRef, depth);
  if (r.TransitGatewayId) return viaTransitGateway(ctx, sender, target, r.TransitGatewayId, rtRef, depth);
  const gw = r.GatewayId ?? r.VpcEndpointId ?? r.CarrierGatewayId ?? r.LocalGatewayId;
  if (gw?.startsWith("igw-")) return viaInternetGateway(ctx, sender, target, gw);
  if (gw?.startsWith("vpce-")) return viaGatewayEndpoint(ctx, target, gw);
  if (gw?.startsWith("eigw-")) return viaEgressOnly(ctx, sender, target, gw);
  if (gw) {
    const type = gw.startsWith("vgw-") ? ComponentType.vpnGateway : ComponentType.gateway;
    return leaveVpc(ctx, sender, target, { id: gw, type }, rtRef);
  }
  return fail(ctx, {
    code: "NO_ROUTE_TO_DESTINATION",
    component: rtRef,
    detail: `route ${routeInfo.destination} in ${rtRef.id} has no target the analyzer understands`,
    routeTable: rtRef,
    route: routeInfo,
  });
}

/** Local route: the destination is inside the VPC. */
function deliverLocal(ctx: Ctx, sender: Sender, target: Target, rtRef: ComponentRef, depth: number, vpcId = sender.subnet.VpcId): boolean {
  const { ix } = ctx;
  if (target.kind === "igw" || target.kind === "internet" || target.kind === "prefix-list") {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `${target.label} matches only the local route of ${vpcId}`,
      routeTable: rtRef,
    });
  }
  let eni = target.eni;
  if (eni && eni.vpcId !== vpcId) {
    // Overlapping CIDRs: the address exists in this VPC too, so the local route keeps the packet here.
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `${target.cidrs[0]?.text} is inside ${vpcId}'s own CIDR, so the local route keeps the packet in ${vpcId}; ${eni.ref.id} is in ${eni.vpcId} (overlapping CIDRs cannot be routed between)`,
      routeTable: rtRef,
      address: target.cidrs[0]?.text,
    });
  }
  const only = target.cidrs[0];
  if (!eni && only && only.len === (only.v === 4 ? 32 : 128)) {
    const ip = only.text.slice(0, only.text.indexOf("/"));
    const rec = ix.eniByIp.get(`${vpcId}|${ip}`);
    if (rec) eni = eniFromRecord(ix, rec);
  }
  if (!eni) {
    const subnet = only ? findSubnetFor(ix, vpcId, only) : null;
    if (subnet) fixReply(ctx, subnet);
    if (subnet && subnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, subnet, false, senderAddrs(sender, target.family))) return false;
    ctx.details.push(
      `DESTINATION_NOT_EVALUATED: no network interface in the snapshot holds ${target.label}${subnet ? ` (subnet ${subnet.SubnetId})` : ""}; its security groups were not evaluated`,
    );
    ctx.hops.push({ component: { id: subnet?.SubnetId ?? vpcId, type: subnet ? ComponentType.subnet : ComponentType.vpc }, action: `delivered to ${target.label} inside ${vpcId}` });
    return true;
  }
  return deliverToEni(ctx, sender, target, eni, depth);
}

function findSubnetFor(ix: SnapshotIndex, vpcId: string, c: Cidr): Subnet | null {
  // Only used when no ENI holds the address; bounded by the VPC's subnets.
  for (const s of ix.subnetsByVpc.get(vpcId) ?? []) {
    if ((ix.subnetCidrs.get(s.SubnetId) ?? []).some((sc) => cidrContains(sc, c))) return s;
  }
  return null;
}

/** Destination ENI in the VPC: its subnet's ACL inbound (if crossing), then its security groups. */
function deliverToEni(ctx: Ctx, sender: Sender, target: Target, eni: VirtualEni, depth: number): boolean {
  const src = senderAddrs(sender, target.family);
  fixReply(ctx, eni.subnet);
  if (eni.subnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, eni.subnet, false, src)) return false;
  const v = evalSecurityGroups(ctx, eni.sgIds, "ingress", src, sender.sgIds);
  if (!v.ok) {
    const first = eni.sgIds[0];
    return fail(ctx, {
      code: "ENI_SG_RULES_MISMATCH",
      component: first ? { id: first, type: ComponentType.securityGroup } : eni.ref,
      detail: `no ingress rule of ${eni.sgIds.join(", ") || "(no security groups)"} on ${eni.ref.id} allows ${fmtPorts(ctx.proto, ctx.port, ctx.port)} from ${sender.label} (${peersText(src)}${sender.sgIds?.length ? `, ${sender.sgIds.join(", ")}` : ""})`,
      direction: "ingress",
      securityGroups: eni.sgIds,
      networkInterface: eni.ref,
    });
  }
  ctx.hops.push({
    component: { id: v.sgId!, type: ComponentType.securityGroup },
    action: `security group ${v.sgId} ingress rule ${v.rule} matched`,
    detail: `on ${eni.ref.id}`,
    securityGroupRule: sgRuleOf(v, "ingress"),
  });
  const resourceEndpoint =
    ctx.ix.resourceEndpointByEni.get(eni.ref.id) ??
    (eni.ref.type === ComponentType.vpcEndpoint && ctx.ix.vpcEndpoints.get(eni.ref.id)?.VpcEndpointType === "Resource" ? ctx.ix.vpcEndpoints.get(eni.ref.id) : undefined);
  if (resourceEndpoint) return viaResourceEndpoint(ctx, eni, resourceEndpoint, depth);
  ctx.hops.push({ component: eni.ref, action: `delivered to ${eni.ref.id}${target.service ? ` (${target.service})` : ""} in ${eni.subnet.SubnetId}` });
  return true;
}

// ---------------------------------------------------------------------------------------------
// PrivateLink Resource endpoints (VPC Lattice resource configuration on a resource gateway)

/** Port ranges as the Lattice API writes them ("3128", "8000-8080"); none means every port. */
function portInRanges(ranges: string[], port: number): boolean {
  if (ranges.length === 0) return true;
  return ranges.some((r) => {
    const [a, b] = r.split("-").map((x) => Number(x.trim()));
    return port >= a! && port <= (b ?? a)!;
  });
}

const sameAz = (a: Subnet, b: Subnet) =>
  a.AvailabilityZoneId && b.AvailabilityZoneId ? a.AvailabilityZoneId === b.AvailabilityZoneId : a.AvailabilityZone === b.AvailabilityZone;

/** The gateway's network interface to send from: one in the endpoint's AZ (id), else any (flagged), else a virtual one. */
function gatewayEni(ctx: Ctx, gw: ResourceGateway, from: Subnet): VirtualEni | null {
  const { ix } = ctx;
  const enis = (ix.resourceGatewayEnis.get(gw.id) ?? []).map((e) => eniFromRecord(ix, e));
  let pick = enis.find((e) => sameAz(e.subnet, from)) ?? enis[0];
  if (!pick) {
    const subnets = gw.subnetIds.map((id) => ix.subnets.get(id)).filter((x): x is Subnet => !!x);
    const subnet = subnets.find((x) => sameAz(x, from)) ?? subnets[0];
    if (!subnet) return null;
    ctx.details.push(`VIRTUAL_RESOURCE_GATEWAY_ENI: no network interface of ${gw.id} in ${subnet.SubnetId} in the snapshot; analyzed a virtual one with ${gw.securityGroupIds.join(", ") || "no security groups"}`);
    pick = {
      ref: { id: gw.id, type: ComponentType.resourceGateway },
      subnet,
      vpcId: subnet.VpcId,
      addr4: parseCidr(subnet.CidrBlock),
      addr6: null,
      sgIds: [...gw.securityGroupIds],
      sourceDestCheck: true,
      lambda: false,
      virtual: true,
    };
  }
  // The gateway's groups govern its ENIs (they carry them; a record without groups gets them here).
  if (pick.sgIds.length === 0) pick.sgIds = [...gw.securityGroupIds];
  if (!sameAz(pick.subnet, from)) {
    ctx.details.push(
      `AVAILABILITY_ZONE_CROSSED: resource gateway ${gw.id} has no network interface in ${from.AvailabilityZone ?? "?"}${from.AvailabilityZoneId ? ` (${from.AvailabilityZoneId})` : ""}, the endpoint's AZ; traffic leaves from ${pick.ref.id} in ${pick.subnet.AvailabilityZone ?? "?"}`,
    );
  }
  return pick;
}

/** An ENI record as its instance when it is an instance's (so the path names i-…). */
function asInstance(ix: SnapshotIndex, rec: NetworkInterface): VirtualEni {
  const instanceId = rec.Attachment?.InstanceId;
  return (instanceId && ix.instances.has(instanceId) && eniForInstance(ix, instanceId)) || eniFromRecord(ix, rec);
}

/** The configuration's target as an address (and ENI) in the provider VPC, or why it has none. */
function resourceTarget(ctx: Ctx, cfg: ResourceConfiguration, vpcId: string): { target: Target } | { why: string } {
  const { ix } = ctx;
  const def = cfg.resourceConfigurationDefinition;
  let name: string | undefined;
  let addr: Cidr | null = null;
  let eni: VirtualEni | undefined;
  if (def?.ipResource?.ipAddress) {
    addr = parseCidr(def.ipResource.ipAddress);
    if (!addr) return { why: `its IP resource ${def.ipResource.ipAddress} is not an IP address` };
    const ip = def.ipResource.ipAddress;
    const rec = ix.eniByIp.get(`${vpcId}|${ip}`);
    if (rec) eni = asInstance(ix, rec);
    name = ip;
  } else if (def?.dnsResource?.domainName) {
    name = def.dnsResource.domainName;
    const rec = ix.eniByName.get(`${vpcId}|${name.toLowerCase().replace(/\.$/, "")}`);
    if (!rec) {
      return {
        why: `its DNS resource ${name} matches no instance or network interface of ${vpcId} in the snapshot (by private DNS name or Name tag); the offline analyzer cannot resolve other names — point the configuration at the IP address, or tag the target Name=${name}`,
      };
    }
    eni = asInstance(ix, rec);
    addr = eni.addr4;
    if (!addr) return { why: `${name} resolves to ${rec.NetworkInterfaceId}, which has no IPv4 address` };
  } else if (def?.arnResource?.arn) {
    return { why: `its ARN resource ${def.arnResource.arn} is an AWS-managed resource the offline analyzer does not model` };
  } else {
    return { why: "it has no resource definition (IP, DNS name or ARN) in the snapshot" };
  }
  const label = `${name}${eni ? ` (${eni.ref.id})` : ""} via ${cfg.id}`;
  return { target: eni ? { kind: "eni", family: 4, cidrs: [addr!], label, eni } : { kind: "address", family: 4, cidrs: [addr!], label } };
}

/**
 * The packet reached a Resource endpoint's ENI and its security groups admitted it: PrivateLink
 * carries it to the resource configuration's target, sent again from a resource gateway ENI in
 * the provider VPC (its own address and groups), through that VPC's ACLs, routes and the target's
 * groups. Overlapping CIDRs do not matter: every lookup is keyed by the provider VPC.
 */
function viaResourceEndpoint(ctx: Ctx, epEni: VirtualEni, ep: VpcEndpoint, depth: number): boolean {
  const { ix } = ctx;
  const epRef = { id: ep.VpcEndpointId, type: ComponentType.vpcEndpoint };
  const state = (ep.State ?? "available").toLowerCase();
  if (state !== "available") {
    return fail(ctx, { code: "BAD_STATE", component: epRef, detail: `Resource endpoint ${ep.VpcEndpointId} is ${ep.State}`, state: ep.State });
  }
  const notEvaluated = (why: string) => {
    ctx.details.push(`PRIVATELINK_NOT_EVALUATED: ${why}; the path was analyzed up to ${ep.VpcEndpointId}`);
    ctx.hops.push({ component: epEni.ref, action: `delivered to ${epEni.ref.id} of Resource endpoint ${ep.VpcEndpointId} in ${epEni.subnet.SubnetId}` });
    return true;
  };
  const cfgId = ep.ResourceConfigurationArn;
  const cfg = cfgId ? ix.resourceConfigurations.get(cfgId) : undefined;
  if (!cfg) {
    return notEvaluated(
      cfgId ? `resource configuration ${cfgId} is not in the snapshot (shared from another account, or not collected)` : `${ep.VpcEndpointId} names no resource configuration`,
    );
  }
  const cfgRef = { id: cfg.id, type: ComponentType.resourceConfiguration };
  const cfgStatus = cfg.status ?? "ACTIVE";
  if (cfgStatus !== "ACTIVE") return fail(ctx, { code: "BAD_STATE", component: cfgRef, detail: `resource configuration ${cfg.id} is ${cfgStatus}`, state: cfgStatus });
  const protocol = (cfg.protocol ?? "TCP").toUpperCase();
  if (!(ctx.proto === "tcp" || (ctx.proto === "udp" && protocol === "TCP_UDP"))) {
    return fail(ctx, {
      code: "RESOURCE_CONFIGURATION_PROTOCOL_MISMATCH",
      component: cfgRef,
      detail: `resource configuration ${cfg.id} (behind ${ep.VpcEndpointId}) carries ${protocol}, not ${ctx.proto}`,
    });
  }
  if (!portInRanges(cfg.portRanges, ctx.port)) {
    return fail(ctx, {
      code: "RESOURCE_CONFIGURATION_PORT_MISMATCH",
      component: cfgRef,
      detail: `port ${ctx.port} is outside resource configuration ${cfg.id}'s port ranges (${cfg.portRanges.join(", ")}); ${ep.VpcEndpointId} forwards only those`,
    });
  }
  const gw = cfg.resourceGatewayId ? ix.resourceGateways.get(cfg.resourceGatewayId) : undefined;
  if (!gw) {
    if (!ix.snapshot.resourceGateways) return notEvaluated(`resource gateway ${cfg.resourceGatewayId ?? "(none)"} of ${cfg.id} is not in the snapshot`);
    return fail(ctx, { code: "BAD_STATE", component: cfgRef, detail: `resource configuration ${cfg.id}'s resource gateway ${cfg.resourceGatewayId ?? "(none)"} does not exist` });
  }
  const gwVpc = gw.vpcId ?? gw.vpcIdentifier;
  if (gwVpc && !ix.vpcs.has(gwVpc)) return notEvaluated(`resource gateway ${gw.id}'s VPC ${gwVpc} is not in the snapshot (take it with --vpc ${gwVpc} too)`);
  const gwRef = { id: gw.id, type: ComponentType.resourceGateway };
  const gwStatus = gw.status ?? "ACTIVE";
  if (gwStatus !== "ACTIVE") return fail(ctx, { code: "BAD_STATE", component: gwRef, detail: `resource gateway ${gw.id} is ${gwStatus}`, state: gwStatus });
  const from = gatewayEni(ctx, gw, epEni.subnet);
  if (!from) return fail(ctx, { code: "BAD_STATE", component: gwRef, detail: `resource gateway ${gw.id} has no subnets or network interfaces in the snapshot` });
  const resolved = resourceTarget(ctx, cfg, from.vpcId);
  if ("why" in resolved) {
    return fail(ctx, { code: "RESOURCE_TARGET_NOT_RESOLVED", component: cfgRef, detail: `resource configuration ${cfg.id}: ${resolved.why}` });
  }
  const ports = cfg.portRanges.length ? cfg.portRanges.join(", ") : "all ports";
  ctx.hops.push({
    component: epRef,
    action: `Resource endpoint ${ep.VpcEndpointId} (network interface ${epEni.ref.id}) carries ${fmtPorts(ctx.proto, ctx.port, ctx.port)} across PrivateLink to resource configuration ${cfg.id}`,
    detail: `in ${epEni.vpcId}`,
  });
  ctx.hops.push({
    component: cfgRef,
    action: `resource configuration ${cfg.id} (${protocol} ${ports}) admits port ${ctx.port} and targets ${resolved.target.label.replace(/ via .*$/, "")}`,
    detail: `on resource gateway ${gw.id}`,
  });
  ctx.hops.push({
    component: gwRef,
    action: `resource gateway ${gw.id} sends from ${from.ref.id} (${from.addr4?.text.replace(/\/32$/, "") ?? "?"}) in ${from.subnet.SubnetId} (${from.subnet.AvailabilityZone ?? "?"})`,
    detail: `in ${from.vpcId}`,
  });
  const sender: Sender = { ...senderFromEni(from), label: `resource gateway ${gw.id} (${from.ref.id})` };
  return walk(ctx, sender, resolved.target, depth + 1);
}

function flagAzCrossing(ctx: Ctx, sender: Sender, via: ComponentRef, viaSubnet: Subnet): void {
  if (sender.az && viaSubnet.AvailabilityZone && sender.az !== viaSubnet.AvailabilityZone) {
    ctx.details.push(
      `AVAILABILITY_ZONE_CROSSED: ${sender.label} in ${sender.az} egresses through ${via.id} in ${viaSubnet.AvailabilityZone} (cross-AZ data charges; loses egress if that AZ fails)`,
    );
  }
}

function viaNatGateway(ctx: Ctx, sender: Sender, target: Target, natId: string, depth: number, rtRef: ComponentRef): boolean {
  const { ix } = ctx;
  const ref = { id: natId, type: ComponentType.natGateway };
  if (ctx.visited.has(natId)) {
    // The NAT's own subnet sends the traffic back to the NAT: it sits in a private subnet.
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `route table ${rtRef.id} of NAT gateway ${natId}'s subnet ${sender.subnet.SubnetId} routes ${target.label} back to the NAT gateway, not to an internet gateway: a NAT gateway must sit in a public subnet (0.0.0.0/0 → igw-…)`,
      routeTable: rtRef,
      natGateway: ref,
    });
  }
  const nat = ix.natGateways.get(natId);
  if (!nat) {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: `NAT gateway ${natId} is not in the snapshot (deleted?)` });
  }
  const state = nat.State ?? "available";
  if (state !== "available") {
    return fail(ctx, {
      code: "BAD_STATE",
      component: ref,
      detail: `NAT gateway ${natId} is ${state}${nat.FailureMessage ? `: ${nat.FailureMessage}` : ""}`,
      state,
    });
  }
  if (target.family === 6) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `NAT gateway ${natId} does not forward IPv6 traffic (except NAT64 64:ff9b::/96)` });
  }
  const natSender = senderFromNat(ix, nat);
  fixReply(ctx, natSender.subnet);
  flagAzCrossing(ctx, sender, ref, natSender.subnet);
  if (natSender.subnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, natSender.subnet, false, senderAddrs(sender, 4))) return false;
  const isPublic = (nat.ConnectivityType ?? "public") === "public";
  ctx.hops.push({
    component: ref,
    action: `NAT gateway ${natId} (${isPublic ? `public, ${natSender.publicIp ? `Elastic IP ${natSender.publicIp}` : "no Elastic IP"}` : "private"}) translates the source to ${natSender.addr4?.text.replace(/\/32$/, "")}`,
    detail: `in ${natSender.subnet.SubnetId} (${natSender.az ?? "?"})`,
  });
  return walk(ctx, natSender, target, depth + 1);
}

function viaAppliance(
  ctx: Ctx,
  sender: Sender,
  target: Target,
  r: ParsedRoute["route"],
  rtRef: ComponentRef,
  routeInfo: NonNullable<Explanation["route"]>,
  depth: number,
): boolean {
  const { ix } = ctx;
  let eni: VirtualEni | null = null;
  if (r.NetworkInterfaceId) {
    const natId = ix.natByEni.get(r.NetworkInterfaceId);
    if (natId) return viaNatGateway(ctx, sender, target, natId, depth, rtRef);
    const rec = ix.networkInterfaces.get(r.NetworkInterfaceId);
    eni = rec ? eniFromRecord(ix, rec) : null;
    if (eni && r.InstanceId) {
      const inst = ix.instances.get(r.InstanceId);
      eni.publicIp ??= inst?.PublicIpAddress;
    }
  }
  if (!eni && r.InstanceId) eni = eniForInstance(ix, r.InstanceId);
  const id = r.InstanceId ?? r.NetworkInterfaceId!;
  if (!eni) {
    return fail(ctx, {
      code: "BAD_STATE_ROUTE",
      component: rtRef,
      detail: `route ${routeInfo.destination} → ${id}: the target is not in the snapshot (terminated?)`,
      routeTable: rtRef,
      route: routeInfo,
    });
  }
  if (eni.sourceDestCheck) {
    return fail(ctx, {
      code: "ENI_SOURCE_DEST_CHECK_RESTRICTION",
      component: eni.ref,
      detail: `${id} is a route target (NAT instance / appliance) but has source/destination check enabled, so it drops traffic not addressed to itself; disable it (aws ec2 modify-instance-attribute --no-source-dest-check)`,
      networkInterface: eni.ref,
    });
  }
  flagAzCrossing(ctx, sender, eni.ref, eni.subnet);
  const src = senderAddrs(sender, target.family);
  if (eni.subnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, eni.subnet, false, src)) return false;
  const v = evalSecurityGroups(ctx, eni.sgIds, "ingress", src, sender.sgIds);
  if (!v.ok) {
    const first = eni.sgIds[0];
    return fail(ctx, {
      code: "ENI_SG_RULES_MISMATCH",
      component: first ? { id: first, type: ComponentType.securityGroup } : eni.ref,
      detail: `no ingress rule of ${eni.sgIds.join(", ")} on NAT instance ${id} allows ${fmtPorts(ctx.proto, ctx.port, ctx.port)} from ${sender.label}`,
      direction: "ingress",
      securityGroups: eni.sgIds,
      networkInterface: eni.ref,
    });
  }
  ctx.hops.push({ component: { id: v.sgId!, type: ComponentType.securityGroup }, action: `security group ${v.sgId} ingress rule ${v.rule} matched`, detail: `on ${id}`, securityGroupRule: sgRuleOf(v, "ingress") });
  ctx.hops.push({ component: eni.ref, action: `NAT instance ${id} (source/destination check off) forwards and translates the source to its own address` });
  return walk(ctx, { ...senderFromEni(eni), label: id }, target, depth + 1);
}

function viaInternetGateway(ctx: Ctx, sender: Sender, target: Target, igwId: string): boolean {
  const ref = { id: igwId, type: ComponentType.internetGateway };
  const igw = ctx.ix.internetGateways.get(igwId);
  const vpcId = sender.subnet.VpcId;
  const att = igw?.Attachments.find((a) => a.VpcId === vpcId);
  const attState = att?.State ?? "missing";
  if (!igw || !att || !["available", "attached"].includes(attState)) {
    return fail(ctx, {
      code: igw ? "BAD_STATE_ATTACHMENT" : "BAD_STATE",
      component: ref,
      detail: igw ? `internet gateway ${igwId} is not attached to ${vpcId} (attachment: ${attState})` : `internet gateway ${igwId} is not in the snapshot`,
      state: attState,
    });
  }
  if (target.family === 4 && target.cidrs.length > 0 && target.cidrs.every(isNonPublicV4)) {
    return fail(ctx, {
      code: "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
      component: ref,
      detail: `${target.label} is a private address; internet gateway ${igwId} drops it`,
      address: target.cidrs[0]!.text,
    });
  }
  if (target.family === 4 && !sender.publicIp) {
    const why = sender.natGatewayId
      ? `NAT gateway ${sender.natGatewayId} has no public address (${(ctx.ix.natGateways.get(sender.natGatewayId)?.ConnectivityType ?? "public") === "private" ? "a private NAT gateway cannot reach the internet" : "no Elastic IP"})`
      : `${sender.label} has no public IPv4 address or Elastic IP${sender.label.startsWith("lambda:") ? " (Lambda ENIs never get one: route the function's subnets to a NAT gateway)" : " (so replies could never come back: route the subnet to a NAT gateway, outbound only; an Elastic IP also works but exposes the instance)"}`;
    return fail(ctx, {
      code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      component: ref,
      detail: `internet gateway ${igwId} has no public address to translate to: ${why}`,
      internetGateway: ref,
      natGateway: sender.natGatewayId ? { id: sender.natGatewayId, type: ComponentType.natGateway } : undefined,
      networkInterface: sender.natGatewayId ? undefined : sender.ref,
    });
  }
  if (target.kind === "igw" && target.igwId && target.igwId !== igwId) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `the path reaches ${igwId}, not ${target.igwId}` });
  }
  ctx.hops.push({
    component: ref,
    action:
      target.family === 4
        ? `internet gateway ${igwId} translates ${sender.addr4?.text.replace(/\/32$/, "") ?? "the source"} to public ${sender.publicIp}`
        : `internet gateway ${igwId} forwards IPv6 traffic`,
    detail: `to ${target.label}`,
  });
  return true;
}

function viaEgressOnly(ctx: Ctx, sender: Sender, target: Target, eigwId: string): boolean {
  const ref = { id: eigwId, type: ComponentType.egressOnlyInternetGateway };
  const eigw = ctx.ix.egressOnlyInternetGateways.get(eigwId);
  const att = eigw?.Attachments.find((a) => a.VpcId === sender.subnet.VpcId);
  if (!eigw || !att || !["available", "attached"].includes(att.State ?? "attached")) {
    return fail(ctx, {
      code: eigw ? "BAD_STATE_ATTACHMENT" : "BAD_STATE",
      component: ref,
      detail: eigw ? `egress-only internet gateway ${eigwId} is not attached to ${sender.subnet.VpcId}` : `egress-only internet gateway ${eigwId} is not in the snapshot`,
    });
  }
  if (target.family !== 6) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `egress-only internet gateway ${eigwId} carries IPv6 only` });
  }
  ctx.hops.push({ component: ref, action: `egress-only internet gateway ${eigwId} forwards IPv6 traffic outbound (inbound connections refused)`, detail: `to ${target.label}` });
  return true;
}

function viaGatewayEndpoint(ctx: Ctx, target: Target, vpceId: string): boolean {
  const ref = { id: vpceId, type: ComponentType.vpcEndpoint };
  const ep = ctx.ix.vpcEndpoints.get(vpceId);
  const state = (ep?.State ?? "available").toLowerCase();
  if (!ep || state !== "available") {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: ep ? `gateway endpoint ${vpceId} is ${ep.State}` : `gateway endpoint ${vpceId} is not in the snapshot`, state });
  }
  if (target.kind === "igw") {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `the route leads to gateway endpoint ${vpceId}, not to an internet gateway` });
  }
  ctx.hops.push({ component: ref, action: `gateway endpoint ${vpceId} (${ep.ServiceName ?? "?"}) carries the traffic to the service`, detail: `to ${target.label}` });
  return true;
}

function leaveVpc(ctx: Ctx, sender: Sender, target: Target, ref: ComponentRef, rtRef: ComponentRef): boolean {
  const { ix } = ctx;
  if (ref.type === ComponentType.vpcPeeringConnection) {
    const pcx = ix.peerings.get(ref.id);
    const code = pcx?.Status?.Code ?? "active";
    if (!pcx || code !== "active") {
      return fail(ctx, { code: "BAD_STATE", component: ref, detail: pcx ? `peering connection ${ref.id} is ${code}` : `peering connection ${ref.id} is not in the snapshot`, state: code });
    }
  }
  if (ref.type === ComponentType.transitGateway) {
    const atts = ix.snapshot.transitGatewayAttachments ? (ix.tgwAttachments.get(sender.subnet.VpcId) ?? []) : null;
    const att = atts?.find((a) => a.TransitGatewayId === ref.id);
    if (atts && (!att || (att.State ?? "available") !== "available")) {
      return fail(ctx, {
        code: "BAD_STATE_ATTACHMENT",
        component: ref,
        detail: `${sender.subnet.VpcId} has no available attachment to transit gateway ${ref.id}${att ? ` (${att.State})` : ""}`,
      });
    }
  }
  if (target.kind === "igw") {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `the default route leaves the VPC via ${ref.id}; it does not reach an internet gateway of ${sender.subnet.VpcId}`,
      routeTable: rtRef,
    });
  }
  ctx.hops.push({ component: ref, action: `leaves ${sender.subnet.VpcId} via ${ref.id}`, detail: `to ${target.label}` });
  ctx.details.push(`PATH_LEAVES_VPC: leaves the VPC via ${ref.id}, not analyzed further`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// VPC to VPC: peering connections and transit gateways

const hostText = (c: Cidr) => c.text.replace(/\/(32|128)$/, "");

/** The reply point of the innermost open crossing into this subnet's VPC (NAT or delivering ENI). */
function fixReply(ctx: Ctx, subnet: Subnet): void {
  for (let i = ctx.crossings.length - 1; i >= 0; i--) {
    const c = ctx.crossings[i]!;
    if (c.fixed || c.toVpc !== subnet.VpcId) continue;
    c.replySubnet = subnet;
    c.fixed = true;
    return;
  }
}

/**
 * A peering connection: the packet continues in the peer VPC if its destination is inside the peer's
 * CIDRs (no edge-to-edge routing: the peer's NAT gateway, internet gateway, VPN or transit gateway
 * never carry it), through the destination's subnet ACL and security groups (which may reference the
 * source's groups across the peering); the route back is checked with the return path.
 */
function viaPeering(ctx: Ctx, sender: Sender, target: Target, pcxId: string, rtRef: ComponentRef, depth: number): boolean {
  const { ix } = ctx;
  const ref = { id: pcxId, type: ComponentType.vpcPeeringConnection };
  const pcx = ix.peerings.get(pcxId);
  const code = pcx?.Status?.Code ?? "active";
  if (!pcx || code !== "active") {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: pcx ? `peering connection ${pcxId} is ${code}${code === "pending-acceptance" ? " (the accepter has not accepted it)" : ""}; only an active peering connection carries traffic` : `peering connection ${pcxId} is not in the snapshot`, state: code });
  }
  const vpcId = sender.subnet.VpcId;
  const req = pcx.RequesterVpcInfo?.VpcId;
  const acc = pcx.AccepterVpcInfo?.VpcId;
  const peerVpc = req === vpcId ? acc : acc === vpcId ? req : undefined;
  if (!peerVpc) {
    return fail(ctx, { code: "BAD_STATE_ATTACHMENT", component: ref, detail: `peering connection ${pcxId} connects ${req ?? "?"} and ${acc ?? "?"}, not ${vpcId}` });
  }
  const peerInfo = req === peerVpc ? pcx.RequesterVpcInfo : pcx.AccepterVpcInfo;
  const peerCidrs = ix.vpcCidrs.get(peerVpc) ?? [parseCidr(peerInfo?.CidrBlock)].filter((c): c is Cidr => !!c);
  const inside = target.cidrs.length > 0 && target.kind !== "igw" && target.kind !== "prefix-list" && target.cidrs.every((c) => peerCidrs.some((p) => cidrContains(p, c)));
  if (!inside) {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: ref,
      detail: `${target.label} is outside ${peerVpc}'s CIDRs (${peerCidrs.map((c) => c.text).join(", ") || "?"}): a VPC peering connection has no edge-to-edge routing, so ${peerVpc}'s NAT gateway, internet gateway, VPN connection or transit gateway never carries traffic from ${vpcId}; give ${vpcId} its own egress (or a transit gateway)`,
      routeTable: rtRef,
    });
  }
  ctx.hops.push({ component: ref, action: `peering connection ${pcxId} (active) carries the traffic from ${vpcId} to ${peerVpc}`, detail: `to ${target.label}` });
  if (!ix.vpcs.has(peerVpc)) {
    ctx.details.push(`PATH_LEAVES_VPC: peer VPC ${peerVpc} of ${pcxId} is not in the snapshot (another account or region); not analyzed further`);
    return true;
  }
  ctx.crossings.push({ kind: "pcx", via: ref, fromVpc: vpcId, toVpc: peerVpc, addrs: senderAddrs(sender, target.family), family: target.family, fixed: false });
  let eni = target.eni && target.eni.vpcId === peerVpc ? target.eni : undefined;
  const only = target.cidrs[0];
  if (!eni && only && only.len === (only.v === 4 ? 32 : 128)) {
    const rec = ix.eniByIp.get(`${peerVpc}|${hostText(only)}`);
    if (rec) eni = eniFromRecord(ix, rec);
  }
  return deliverLocal(ctx, sender, { ...target, eni }, rtRef, depth, peerVpc);
}

function tgwAttachmentRef(id: string): ComponentRef {
  return { id, type: ComponentType.transitGatewayAttachment };
}

/**
 * A transit gateway: VPC route → the VPC's attachment (a subnet in the source's AZ) → the route table
 * associated with that attachment (longest prefix; blackholes block) → the target attachment → its
 * subnet in the same AZ if it has one (AZ affinity) → onward through that subnet's route table. The
 * transit gateway keeps the source address; the route back is checked with the return path.
 */
function viaTransitGateway(ctx: Ctx, sender: Sender, target: Target, tgwId: string, rtRef: ComponentRef, depth: number): boolean {
  const { ix } = ctx;
  const tx = ix.transit;
  const ref = { id: tgwId, type: ComponentType.transitGateway };
  const vpcId = sender.subnet.VpcId;
  if (!tx.collected) return leaveVpc(ctx, sender, target, ref, rtRef);
  const att = tx.attachmentByVpc.get(`${vpcId}|${tgwId}`);
  if (!att || (att.State ?? "available") !== "available") {
    return fail(ctx, {
      code: "BAD_STATE_ATTACHMENT",
      component: att ? tgwAttachmentRef(att.TransitGatewayAttachmentId) : ref,
      detail: `${vpcId} has no available attachment to transit gateway ${tgwId}${att ? ` (${att.TransitGatewayAttachmentId} is ${att.State})` : ""}`,
      state: att?.State,
    });
  }
  const tgw = tx.gateways.get(tgwId);
  if (ix.snapshot.transitGateways && (!tgw || (tgw.State ?? "available") !== "available")) {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: tgw ? `transit gateway ${tgwId} is ${tgw.State}` : `transit gateway ${tgwId} is not in the snapshot (deleted?)`, state: tgw?.State });
  }
  const attRef = tgwAttachmentRef(att.TransitGatewayAttachmentId);
  const srcSubnet = attachmentSubnet(ctx, att.SubnetIds, sender.az, false);
  if (att.SubnetIds.length > 0 && !srcSubnet) {
    return fail(ctx, {
      code: "TGW_ATTACHMENT_NO_SUBNET_IN_AZ",
      component: attRef,
      detail: `transit gateway attachment ${att.TransitGatewayAttachmentId} of ${vpcId} has no subnet in ${sender.az ?? "?"} (it has ${att.SubnetIds.join(", ")}), so ${sender.label} in ${sender.az ?? "?"} cannot reach ${tgwId}; add a subnet in ${sender.az ?? "that zone"} to the attachment (aws ec2 modify-transit-gateway-vpc-attachment --add-subnet-ids)`,
    });
  }
  // Traffic into the attachment's subnet from another subnet passes that subnet's inbound ACL.
  if (srcSubnet && srcSubnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, srcSubnet, false, senderAddrs(sender, target.family))) return false;
  ctx.hops.push({ component: attRef, action: `transit gateway attachment ${att.TransitGatewayAttachmentId} carries the traffic from ${vpcId} to ${tgwId}`, detail: srcSubnet ? `via ${srcSubnet.SubnetId} (${srcSubnet.AvailabilityZone ?? "?"})` : "attachment subnets not in the snapshot" });
  const hop = tgwRoute(ctx, att.TransitGatewayAttachmentId, target.cidrs, target.label, false);
  if (!hop) return false;
  const next = tx.vpcAttachments.get(hop.attachmentId);
  if (!next || !next.VpcId) {
    ctx.hops.push({ component: tgwAttachmentRef(hop.attachmentId), action: `leaves ${tgwId} via attachment ${hop.attachmentId}`, detail: `to ${target.label}` });
    ctx.details.push(`PATH_LEAVES_VPC: transit gateway attachment ${hop.attachmentId} is not a VPC attachment in the snapshot (VPN, Direct Connect, peering); not analyzed further`);
    return true;
  }
  const nextRef = tgwAttachmentRef(next.TransitGatewayAttachmentId);
  if ((next.State ?? "available") !== "available") {
    return fail(ctx, { code: "BAD_STATE_ATTACHMENT", component: nextRef, detail: `transit gateway attachment ${next.TransitGatewayAttachmentId} of ${next.VpcId} is ${next.State}`, state: next.State });
  }
  if (!ix.vpcs.has(next.VpcId)) {
    ctx.hops.push({ component: nextRef, action: `leaves ${tgwId} via ${next.TransitGatewayAttachmentId} to ${next.VpcId}`, detail: `to ${target.label}` });
    ctx.details.push(`PATH_LEAVES_VPC: ${next.VpcId} (behind ${next.TransitGatewayAttachmentId}) is not in the snapshot; not analyzed further`);
    return true;
  }
  const dstSubnet = attachmentSubnet(ctx, next.SubnetIds, sender.az, true);
  if (!dstSubnet) {
    return fail(ctx, { code: "BAD_STATE_ATTACHMENT", component: nextRef, detail: `transit gateway attachment ${next.TransitGatewayAttachmentId} of ${next.VpcId} has no subnet in the snapshot` });
  }
  if (sender.az && dstSubnet.AvailabilityZone && dstSubnet.AvailabilityZone !== sender.az) {
    ctx.details.push(`AVAILABILITY_ZONE_CROSSED: ${next.TransitGatewayAttachmentId} has no subnet in ${sender.az}; ${tgwId} delivers into ${dstSubnet.SubnetId} in ${dstSubnet.AvailabilityZone}`);
  }
  ctx.crossings.push({
    kind: "tgw",
    via: ref,
    fromVpc: vpcId,
    toVpc: next.VpcId,
    addrs: senderAddrs(sender, target.family),
    family: target.family,
    srcAttachmentId: att.TransitGatewayAttachmentId,
    dstAttachmentId: next.TransitGatewayAttachmentId,
    replySubnet: dstSubnet,
    fixed: false,
  });
  ctx.hops.push({ component: nextRef, action: `transit gateway attachment ${next.TransitGatewayAttachmentId} delivers into ${next.VpcId} at ${dstSubnet.SubnetId} (${dstSubnet.AvailabilityZone ?? "?"}); the source address is kept`, detail: `to ${target.label}` });
  const tgwSender: Sender = {
    ref: nextRef,
    label: `${sender.label} via ${tgwId}`,
    subnet: dstSubnet,
    az: dstSubnet.AvailabilityZone,
    addr4: sender.addr4,
    addr6: sender.addr6,
    sgIds: null, // transit gateway ENIs carry no security groups
  };
  return walk(ctx, tgwSender, target, depth + 1);
}

/** The attachment subnet in `az` (AZ affinity), else — when `anyAz` — the first one in the snapshot. */
function attachmentSubnet(ctx: Ctx, subnetIds: readonly string[], az: string | undefined, anyAz: boolean): Subnet | null {
  const subnets = subnetIds.map((id) => ctx.ix.subnets.get(id)).filter((x): x is Subnet => !!x);
  return subnets.find((x) => x.AvailabilityZone === az) ?? (anyAz || !az ? (subnets[0] ?? null) : null);
}

/** Looks the destination up in the route table associated with an attachment; records the hop or the block. */
function tgwRoute(ctx: Ctx, fromAttachment: string, dest: Cidr[], label: string, returnPath: boolean): { attachmentId: string; tableId: string; route: ParsedTgwRoute } | null {
  const tx = ctx.ix.transit;
  const att = tx.vpcAttachments.get(fromAttachment);
  const tgwId = att?.TransitGatewayId ?? "?";
  const tableId = tx.association.get(fromAttachment);
  const rp = returnPath ? { returnPath: true } : {};
  if (!tableId || !tx.routeTables.has(tableId)) {
    fail(ctx, {
      code: "BAD_STATE_ATTACHMENT",
      component: tgwAttachmentRef(fromAttachment),
      detail: `transit gateway attachment ${fromAttachment}${att?.VpcId ? ` (${att.VpcId})` : ""} is not associated with a route table of ${tgwId}${tableId ? ` (${tableId} is not in the snapshot)` : ""}, so ${tgwId} drops its traffic${returnPath ? " (the reply)" : ""}; associate it (aws ec2 associate-transit-gateway-route-table)`,
      ...rp,
    });
    return null;
  }
  const tref = { id: tableId, type: ComponentType.transitGatewayRouteTable };
  const route = lookupTgwRoute(tx.tgwRoutes.get(tableId) ?? { lens: new Map(), byKey: new Map() }, dest);
  if (!route) {
    fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: tref, detail: `transit gateway route table ${tableId} (associated with ${fromAttachment}) has no route to ${label}${returnPath ? " for the reply" : ""}`, ...rp });
    return null;
  }
  const info = { destination: route.route.DestinationCidrBlock ?? route.route.PrefixListId ?? "?", target: route.attachmentId ?? "blackhole", state: route.route.State };
  if (route.blackhole || !route.attachmentId) {
    fail(ctx, { code: "BAD_STATE_ROUTE", component: tref, detail: `transit gateway route table ${tableId} route ${info.destination} is a blackhole: ${tgwId} drops traffic to ${label}${returnPath ? " (the reply)" : ""}`, route: info, state: "blackhole", ...rp });
    return null;
  }
  ctx.hops.push({ component: tref, action: `transit gateway route table ${tableId} ${route.route.Type ?? "static"} route ${info.destination} → ${route.attachmentId} matched${returnPath ? " (return traffic)" : ""}`, detail: `associated with ${fromAttachment}`, route: info });
  return { attachmentId: route.attachmentId, tableId, route };
}

/** The reply from the far VPC back to the source: its subnet's route, then (transit gateway) the far attachment's route table. */
function checkCrossingReturn(ctx: Ctx, c: Crossing): boolean {
  const { ix } = ctx;
  if (!c.replySubnet || c.addrs.length === 0) return true;
  const addrText = c.addrs.map(hostText).join(", ");
  const rt = routeTableForSubnet(ix, c.replySubnet);
  const replyTarget: Target = { kind: "address", family: c.family, cidrs: c.addrs, label: `${addrText} (${c.fromVpc})` };
  const route = rt ? lookupRoute(ix, rt.table, replyTarget) : null;
  const back = c.kind === "pcx" ? route?.route.VpcPeeringConnectionId : route?.route.TransitGatewayId;
  const rtRef = rt ? { id: rt.table.table.RouteTableId, type: ComponentType.routeTable } : { id: c.replySubnet.SubnetId, type: ComponentType.subnet };
  if (!route || back !== c.via.id || (route.route.State ?? "active") === "blackhole") {
    const now = !route ? "has no route to it" : route.local ? `keeps it inside ${c.toVpc} (the local route: ${c.toVpc} overlaps ${addrText})` : `sends it to ${routeTarget(route)}${route.route.State === "blackhole" ? " (blackhole)" : ""}`;
    return fail(ctx, {
      code: route && route.route.State === "blackhole" ? "BAD_STATE_ROUTE" : "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `the reply from ${c.toVpc} to ${addrText} in ${c.fromVpc} has no route back through ${c.via.id}: route table ${rtRef.id} of ${c.replySubnet.SubnetId} ${now}; add a route for ${c.fromVpc}'s CIDR to ${c.via.id}`,
      returnPath: true,
      routeTable: rt ? rtRef : undefined,
      subnet: { id: c.replySubnet.SubnetId, type: ComponentType.subnet },
    });
  }
  ctx.hops.push({ component: rtRef, action: `route table ${rtRef.id} route ${routeDest(route)} → ${c.via.id} matched (return traffic)`, detail: `from ${c.replySubnet.SubnetId} to ${addrText}` });
  if (c.kind === "pcx") return true;
  const hop = tgwRoute(ctx, c.dstAttachmentId!, c.addrs, replyTarget.label, true);
  if (!hop) return false;
  if (hop.attachmentId === c.srcAttachmentId) return true;
  const tx = ix.transit;
  const other = tx.vpcAttachments.get(hop.attachmentId);
  const tref = { id: hop.tableId, type: ComponentType.transitGatewayRouteTable };
  const routeCidr = hop.route.cidr;
  const propagators = routeCidr ? overlappingPropagators(tx, ix.vpcCidrs, hop.tableId, routeCidr) : [];
  if (routeCidr && propagators.includes(c.srcAttachmentId!) && hop.route.route.Type !== "static") {
    return fail(ctx, {
      code: "TGW_ROUTE_OVERLAP",
      component: tref,
      detail: `${routeCidr.text} is propagated to transit gateway route table ${hop.tableId} by both ${hop.attachmentId} (${other?.VpcId ?? "?"}) and ${c.srcAttachmentId} (${c.fromVpc}); the transit gateway keeps the route it learned first (${hop.attachmentId}), so the reply to ${addrText} goes to ${other?.VpcId ?? "?"}, not ${c.fromVpc}. Overlapping CIDRs cannot share a transit gateway route table: renumber ${c.fromVpc}, or reach the shared service through PrivateLink`,
      returnPath: true,
      address: routeCidr.text,
    });
  }
  return fail(ctx, {
    code: "NO_ROUTE_TO_DESTINATION",
    component: tref,
    detail: `transit gateway route table ${hop.tableId} sends the reply to ${addrText} to ${hop.attachmentId} (${other?.VpcId ?? "?"}), not back to ${c.srcAttachmentId} (${c.fromVpc})`,
    returnPath: true,
  });
}

// ---------------------------------------------------------------------------------------------
// Saying why (S5): a private address with no NAT gateway on its way out

/**
 * The internet is out of reach because the sender has no public IPv4 and its path meets no NAT
 * gateway: whether the table lacks the route or sends it straight to the internet gateway, the IGW
 * would have no public address to translate the source to, so replies could never come back. Adds
 * that to the explanation and returns the fix (a NAT gateway, outbound only) as a hint.
 */
function explainNoEgress(ctx: Ctx, sender: Sender, target: Target): string | undefined {
  const e = ctx.explanations[0];
  if (!e || target.family !== 4 || (target.kind !== "igw" && target.kind !== "internet") || sender.publicIp || sender.natGatewayId) return undefined;
  if (ctx.hops.some((h) => h.component.type === ComponentType.natGateway || h.component.type === ComponentType.transitGateway || h.component.type === ComponentType.transitGatewayAttachment)) return undefined;
  const vpcId = sender.subnet.VpcId;
  const ownTable = e.code === "NO_ROUTE_TO_DESTINATION" && e.component.type === ComponentType.routeTable && ctx.ix.routeTables.get(e.component.id)?.table.VpcId === vpcId;
  if (!ownTable && e.code !== "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS") return undefined;
  if (ownTable) {
    e.detail += ` — and ${sender.label} has no public IPv4 address and no NAT gateway on its way out, so even a route to an internet gateway would fail: the internet gateway has no public address to translate ${sender.addr4 ? hostText(sender.addr4) : "it"} to, and replies could never come back`;
  }
  return `give ${sender.subnet.SubnetId} a NAT gateway (outbound only; an Elastic IP would also expose ${sender.label} to inbound traffic): egress-cli import --vpc ${vpcId} --name NAME, then egress-cli add-nat --mode single (if a plan already holds ${vpcId}: egress-cli add-nat)`;
}
