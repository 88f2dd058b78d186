// Indexes over one snapshot, built once and shared by every path query: resources by id,
// subnet → route table / network ACL, ENIs by subnet and by (VPC, private IP), Lambda hyperplane
// ENIs by (subnet, security groups), endpoints by (VPC, service). Rules and routes are parsed
// here so a query never re-parses a CIDR or scans the whole account.
import { buildTransitIndex, type TransitIndex } from "./transit.js";
import { effectiveRouteTable } from "../net/routes.js";
import { parseCidr, type Cidr } from "../net/addr.js";
import type {
  EgressOnlyInternetGateway,
  Instance,
  InternetGateway,
  IpPermission,
  LambdaFunction,
  ManagedPrefixList,
  NatGateway,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  ResourceConfiguration,
  ResourceGateway,
  Route,
  RouteTable,
  SecurityGroup,
  Snapshot,
  Subnet,
  TransitGatewayAttachment,
  Vpc,
  VpcEndpoint,
  VpcPeeringConnection,
} from "./snapshot.js";

/** "all" | "tcp" | "udp" | "icmp" | "icmpv6" | other protocol number as text. */
export type Proto = string;

export function normalizeProtocol(p: string | undefined): Proto {
  switch ((p ?? "-1").toLowerCase()) {
    case "-1":
    case "all":
      return "all";
    case "6":
    case "tcp":
      return "tcp";
    case "17":
    case "udp":
      return "udp";
    case "1":
    case "icmp":
      return "icmp";
    case "58":
    case "icmpv6":
      return "icmpv6";
    default:
      return p!.toLowerCase();
  }
}

export interface ParsedPrefixList {
  list: ManagedPrefixList;
  cidrs: Cidr[];
}

export interface ParsedRoute {
  route: Route;
  /** Destination CIDR (IPv4 or IPv6), null for prefix-list routes. */
  cidr: Cidr | null;
  prefixListId?: string;
  /** True for the VPC's `local` route(s). */
  local: boolean;
}

export interface ParsedRouteTable {
  table: RouteTable;
  routes: ParsedRoute[];
}

export interface ParsedAclEntry {
  entry: NetworkAclEntry;
  proto: Proto;
  cidr: Cidr | null;
  from: number;
  to: number;
  allow: boolean;
}

export interface ParsedAcl {
  acl: NetworkAcl;
  /** Sorted by RuleNumber (first match wins). */
  egress: ParsedAclEntry[];
  ingress: ParsedAclEntry[];
}

export interface ParsedPermission {
  perm: IpPermission;
  proto: Proto;
  from: number;
  to: number;
  cidrs: Cidr[];
  prefixListIds: string[];
  groupIds: string[];
}

export interface ParsedSecurityGroup {
  group: SecurityGroup;
  ingress: ParsedPermission[];
  egress: ParsedPermission[];
}

export interface SnapshotIndex {
  snapshot: Snapshot;
  vpcs: Map<string, Vpc>;
  vpcCidrs: Map<string, Cidr[]>;
  subnets: Map<string, Subnet>;
  subnetCidrs: Map<string, Cidr[]>;
  subnetsByVpc: Map<string, Subnet[]>;
  routeTables: Map<string, ParsedRouteTable>;
  /** Explicit subnet associations. */
  subnetRouteTable: Map<string, string>;
  /** VPC id → main route table id. */
  mainRouteTable: Map<string, string>;
  networkAcls: Map<string, ParsedAcl>;
  subnetAcl: Map<string, string>;
  defaultAcl: Map<string, string>;
  internetGateways: Map<string, InternetGateway>;
  egressOnlyInternetGateways: Map<string, EgressOnlyInternetGateway>;
  natGateways: Map<string, NatGateway>;
  natByEni: Map<string, string>;
  securityGroups: Map<string, ParsedSecurityGroup>;
  networkInterfaces: Map<string, NetworkInterface>;
  /** `${VpcId}|${ip}` → ENI (per VPC, so overlapping CIDRs never collide). */
  eniByIp: Map<string, NetworkInterface>;
  enisBySubnet: Map<string, NetworkInterface[]>;
  /** `${SubnetId}|${sorted group ids}` → Lambda hyperplane ENIs. */
  lambdaEnis: Map<string, NetworkInterface[]>;
  /** ENI id → public IPv4 from an Elastic IP association (addresses). */
  eipByEni: Map<string, string>;
  instances: Map<string, Instance>;
  vpcEndpoints: Map<string, VpcEndpoint>;
  /** `${VpcId}|${ServiceName}` → endpoints. */
  endpointsByService: Map<string, VpcEndpoint[]>;
  prefixLists: Map<string, ParsedPrefixList>;
  prefixListByName: Map<string, string>;
  peerings: Map<string, VpcPeeringConnection>;
  tgwAttachments: Map<string, TransitGatewayAttachment[]>;
  /** Transit gateways, VPC attachments, route tables (see transit.ts). */
  transit: TransitIndex;
  lambdaFunctions: Map<string, LambdaFunction>;
  /** VPC Lattice resource gateways by id and ARN. */
  resourceGateways: Map<string, ResourceGateway>;
  /** Resource configurations by id and ARN. */
  resourceConfigurations: Map<string, ResourceConfiguration>;
  /** Gateway id → its ENIs (explicit `networkInterfaceIds`, else ENIs whose Description names the gateway). */
  resourceGatewayEnis: Map<string, NetworkInterface[]>;
  /** ENI id → the `Resource`-type VPC endpoint it belongs to. */
  resourceEndpointByEni: Map<string, VpcEndpoint>;
  /** ENI id → the VPC endpoint (any type) that lists it in NetworkInterfaceIds: the endpoint answers there, not an instance. */
  endpointByEni: Map<string, VpcEndpoint>;
  /** `${VpcId}|${lower-case name}` → ENI: private DNS names of ENIs/instances and their Name tags (DnsResource targets). */
  eniByName: Map<string, NetworkInterface>;
}

export function lambdaEniKey(subnetId: string, groupIds: readonly string[]): string {
  return `${subnetId}|${[...groupIds].sort().join(",")}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** One shared empty list for the parsed lists that are empty (most of them): read-only, never pushed to. */
const NONE: never[] = Object.freeze([]) as unknown as never[];

function parsePermission(perm: IpPermission): ParsedPermission {
  const proto = normalizeProtocol(perm.IpProtocol);
  const portless = proto === "all" || perm.FromPort === undefined || perm.FromPort === -1;
  let cidrs: Cidr[] = NONE;
  for (const r of perm.IpRanges) {
    const c = parseCidr(r.CidrIp);
    if (c) (cidrs === NONE ? (cidrs = []) : cidrs).push(c);
  }
  for (const r of perm.Ipv6Ranges) {
    const c = parseCidr(r.CidrIpv6);
    if (c) (cidrs === NONE ? (cidrs = []) : cidrs).push(c);
  }
  return {
    perm,
    proto,
    from: portless ? 0 : perm.FromPort!,
    to: portless ? 65535 : (perm.ToPort ?? perm.FromPort!),
    cidrs,
    prefixListIds: ids(perm.PrefixListIds, "PrefixListId"),
    groupIds: ids(perm.UserIdGroupPairs, "GroupId"),
  };
}

/** The ids a permission's list names (the shared empty list when none). */
function ids<K extends string>(list: ReadonlyArray<Partial<Record<K, string>>>, key: K): string[] {
  let out: string[] = NONE;
  for (const x of list) {
    const id = x[key];
    if (id) (out === NONE ? (out = []) : out).push(id);
  }
  return out;
}

function parseAclEntry(entry: NetworkAclEntry): ParsedAclEntry {
  const proto = normalizeProtocol(entry.Protocol);
  const ported = (proto === "tcp" || proto === "udp") && entry.PortRange;
  return {
    entry,
    proto,
    cidr: parseCidr(entry.CidrBlock ?? entry.Ipv6CidrBlock),
    from: ported ? (entry.PortRange!.From ?? 0) : 0,
    to: ported ? (entry.PortRange!.To ?? 65535) : 65535,
    allow: entry.RuleAction.toLowerCase() === "allow",
  };
}

/** Builds every index for one snapshot. Reuse the result across many path queries. */
export function buildIndex(snapshot: Snapshot): SnapshotIndex {
  const ix: SnapshotIndex = {
    snapshot,
    vpcs: new Map(),
    vpcCidrs: new Map(),
    subnets: new Map(),
    subnetCidrs: new Map(),
    subnetsByVpc: new Map(),
    routeTables: new Map(),
    subnetRouteTable: new Map(),
    mainRouteTable: new Map(),
    networkAcls: new Map(),
    subnetAcl: new Map(),
    defaultAcl: new Map(),
    internetGateways: new Map(),
    egressOnlyInternetGateways: new Map(),
    natGateways: new Map(),
    natByEni: new Map(),
    securityGroups: new Map(),
    networkInterfaces: new Map(),
    eniByIp: new Map(),
    enisBySubnet: new Map(),
    lambdaEnis: new Map(),
    eipByEni: new Map(),
    instances: new Map(),
    vpcEndpoints: new Map(),
    endpointsByService: new Map(),
    prefixLists: new Map(),
    prefixListByName: new Map(),
    peerings: new Map(),
    tgwAttachments: new Map(),
    transit: buildTransitIndex(snapshot),
    lambdaFunctions: new Map(),
    resourceGateways: new Map(),
    resourceConfigurations: new Map(),
    resourceGatewayEnis: new Map(),
    resourceEndpointByEni: new Map(),
    endpointByEni: new Map(),
    eniByName: new Map(),
  };

  for (const vpc of snapshot.vpcs) {
    ix.vpcs.set(vpc.VpcId, vpc);
    const texts = new Set<string>();
    if (vpc.CidrBlock) texts.add(vpc.CidrBlock);
    for (const a of vpc.CidrBlockAssociationSet ?? []) if (a.CidrBlock) texts.add(a.CidrBlock);
    for (const a of vpc.Ipv6CidrBlockAssociationSet ?? []) if (a.Ipv6CidrBlock) texts.add(a.Ipv6CidrBlock);
    ix.vpcCidrs.set(vpc.VpcId, [...texts].map((t) => parseCidr(t)).filter((c): c is Cidr => !!c));
  }
  for (const s of snapshot.subnets) {
    ix.subnets.set(s.SubnetId, s);
    push(ix.subnetsByVpc, s.VpcId, s);
    const cidrs = [s.CidrBlock, ...(s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock)]
      .map((t) => parseCidr(t))
      .filter((c): c is Cidr => !!c);
    ix.subnetCidrs.set(s.SubnetId, cidrs);
  }
  for (const pl of snapshot.managedPrefixLists) {
    ix.prefixLists.set(pl.PrefixListId, {
      list: pl,
      cidrs: pl.Cidrs.map((c) => parseCidr(c)).filter((c): c is Cidr => !!c),
    });
    if (pl.PrefixListName) ix.prefixListByName.set(pl.PrefixListName, pl.PrefixListId);
  }
  for (const rt of snapshot.routeTables) {
    const routes: ParsedRoute[] = rt.Routes.map((route) => ({
      route,
      cidr: parseCidr(route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock),
      prefixListId: route.DestinationPrefixListId,
      local: route.GatewayId === "local",
    }));
    // Every route table has the VPC's local route(s); add them if the snapshot omitted them.
    if (!routes.some((r) => r.local)) {
      for (const cidr of ix.vpcCidrs.get(rt.VpcId) ?? []) {
        const route: Route =
          cidr.v === 4
            ? { DestinationCidrBlock: cidr.text, GatewayId: "local", State: "active", Origin: "CreateRouteTable" }
            : { DestinationIpv6CidrBlock: cidr.text, GatewayId: "local", State: "active", Origin: "CreateRouteTable" };
        routes.push({ route, cidr, local: true });
      }
    }
    ix.routeTables.set(rt.RouteTableId, { table: rt, routes });
    for (const a of rt.Associations) {
      if (a.Main) ix.mainRouteTable.set(rt.VpcId, rt.RouteTableId);
      if (a.SubnetId) ix.subnetRouteTable.set(a.SubnetId, rt.RouteTableId);
    }
  }
  for (const acl of snapshot.networkAcls) {
    const parsed = acl.Entries.map(parseAclEntry).sort((a, b) => a.entry.RuleNumber - b.entry.RuleNumber);
    ix.networkAcls.set(acl.NetworkAclId, {
      acl,
      egress: parsed.filter((e) => e.entry.Egress),
      ingress: parsed.filter((e) => !e.entry.Egress),
    });
    if (acl.IsDefault) ix.defaultAcl.set(acl.VpcId, acl.NetworkAclId);
    for (const a of acl.Associations) if (a.SubnetId) ix.subnetAcl.set(a.SubnetId, acl.NetworkAclId);
  }
  for (const igw of snapshot.internetGateways) ix.internetGateways.set(igw.InternetGatewayId, igw);
  for (const eigw of snapshot.egressOnlyInternetGateways) ix.egressOnlyInternetGateways.set(eigw.EgressOnlyInternetGatewayId, eigw);
  for (const nat of snapshot.natGateways) {
    ix.natGateways.set(nat.NatGatewayId, nat);
    for (const a of nat.NatGatewayAddresses) if (a.NetworkInterfaceId) ix.natByEni.set(a.NetworkInterfaceId, nat.NatGatewayId);
  }
  for (const addr of snapshot.addresses) {
    if (addr.NetworkInterfaceId && addr.PublicIp) ix.eipByEni.set(addr.NetworkInterfaceId, addr.PublicIp);
  }
  for (const sg of snapshot.securityGroups) {
    ix.securityGroups.set(sg.GroupId, {
      group: sg,
      ingress: sg.IpPermissions.map(parsePermission),
      egress: sg.IpPermissionsEgress.map(parsePermission),
    });
  }
  for (const eni of snapshot.networkInterfaces) {
    ix.networkInterfaces.set(eni.NetworkInterfaceId, eni);
    push(ix.enisBySubnet, eni.SubnetId, eni);
    const ips = new Set<string>();
    if (eni.PrivateIpAddress) ips.add(eni.PrivateIpAddress);
    for (const p of eni.PrivateIpAddresses ?? []) if (p.PrivateIpAddress) ips.add(p.PrivateIpAddress);
    for (const p of eni.Ipv6Addresses ?? []) if (p.Ipv6Address) ips.add(p.Ipv6Address);
    for (const ip of ips) ix.eniByIp.set(`${eni.VpcId}|${ip}`, eni);
    if (eni.InterfaceType === "lambda") {
      const groups = eni.Groups.map((g) => g.GroupId).filter((x): x is string => !!x);
      push(ix.lambdaEnis, lambdaEniKey(eni.SubnetId, groups), eni);
    }
  }
  for (const inst of snapshot.instances) ix.instances.set(inst.InstanceId, inst);
  for (const ep of snapshot.vpcEndpoints) {
    ix.vpcEndpoints.set(ep.VpcEndpointId, ep);
    if (ep.ServiceName) push(ix.endpointsByService, `${ep.VpcId}|${ep.ServiceName}`, ep);
  }
  for (const pcx of snapshot.vpcPeeringConnections) ix.peerings.set(pcx.VpcPeeringConnectionId, pcx);
  for (const att of snapshot.transitGatewayAttachments ?? []) {
    if (att.ResourceId) push(ix.tgwAttachments, att.ResourceId, att);
  }
  for (const fn of snapshot.lambdaFunctions) {
    ix.lambdaFunctions.set(fn.FunctionName, fn);
    if (fn.FunctionArn) ix.lambdaFunctions.set(fn.FunctionArn, fn);
  }
  indexPrivateLink(ix, snapshot);
  return ix;
}

const nameTag = (tags: { Key?: string; Value?: string }[] | undefined) => tags?.find((t) => t.Key === "Name")?.Value;

/** Resource endpoints → resource configurations → resource gateways and their ENIs; DNS names for DnsResource targets. */
function indexPrivateLink(ix: SnapshotIndex, snapshot: Snapshot): void {
  for (const ep of snapshot.vpcEndpoints) {
    for (const id of ep.NetworkInterfaceIds) ix.endpointByEni.set(id, ep);
    if (ep.VpcEndpointType === "Resource") for (const id of ep.NetworkInterfaceIds) ix.resourceEndpointByEni.set(id, ep);
  }
  for (const c of snapshot.resourceConfigurations ?? []) {
    ix.resourceConfigurations.set(c.id, c);
    if (c.arn) ix.resourceConfigurations.set(c.arn, c);
  }
  const byDescription = new Map<string, string>();
  for (const g of snapshot.resourceGateways ?? []) {
    ix.resourceGateways.set(g.id, g);
    if (g.arn) ix.resourceGateways.set(g.arn, g);
    if (g.networkInterfaceIds) {
      ix.resourceGatewayEnis.set(g.id, g.networkInterfaceIds.map((id) => ix.networkInterfaces.get(id)).filter((e): e is NetworkInterface => !!e));
    } else byDescription.set(g.id, g.id);
  }
  for (const eni of snapshot.networkInterfaces) {
    if (byDescription.size && eni.Description) {
      for (const m of eni.Description.match(/\brgw-[0-9a-z-]+/g) ?? []) if (byDescription.has(m)) push(ix.resourceGatewayEnis, m, eni);
    }
    for (const n of [eni.PrivateDnsName, nameTag(eni.TagSet ?? eni.Tags)]) if (n) ix.eniByName.set(`${eni.VpcId}|${n.toLowerCase()}`, eni);
  }
  for (const inst of snapshot.instances) {
    const primary = inst.NetworkInterfaces.find((n) => (n.Attachment?.DeviceIndex ?? 0) === 0) ?? inst.NetworkInterfaces[0];
    const eni = primary?.NetworkInterfaceId ? ix.networkInterfaces.get(primary.NetworkInterfaceId) : undefined;
    if (!eni) continue;
    for (const n of [inst.PrivateDnsName, nameTag(inst.Tags)]) if (n) ix.eniByName.set(`${eni.VpcId}|${n.toLowerCase()}`, eni);
  }
}

/** The route table that applies to a subnet: its explicit association, else the VPC's main table. */
export function routeTableForSubnet(ix: SnapshotIndex, subnet: Subnet): { table: ParsedRouteTable; main: boolean } | null {
  // The one rule (src/net/routes.ts), over the index's maps.
  const lookup = {
    associatedWith: (id: string) => ix.routeTables.get(ix.subnetRouteTable.get(id) ?? ""),
    mainOf: (vpc: string) => ix.routeTables.get(ix.mainRouteTable.get(vpc) ?? ""),
  };
  return effectiveRouteTable(subnet, lookup) ?? null;
}

/** The network ACL of a subnet: its association, else the VPC's default ACL. */
export function aclForSubnet(ix: SnapshotIndex, subnet: Subnet): ParsedAcl | null {
  const id = ix.subnetAcl.get(subnet.SubnetId) ?? ix.defaultAcl.get(subnet.VpcId);
  return (id && ix.networkAcls.get(id)) || null;
}
