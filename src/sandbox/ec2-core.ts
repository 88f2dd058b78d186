// EC2 emulation core: the operation context, id lookups with AWS's NotFound/Malformed codes, views in SDK output shape.
import { transitRouteState } from "./ec2-transit.js";
import { awsError } from "./errors.js";
import { addressCount, ipv4ToNumber, numberToIpv4, parseIpv4Block } from "../net/addr.js";
import type {
  AddressRec,
  EniRec,
  IgwRec,
  NaclRec,
  NatRec,
  RegionState,
  RouteRec,
  RouteTableRec,
  SandboxState,
  SgRec,
  SgRuleRec,
  SubnetRec,
  Tag,
  VpcRec,
} from "./model.js";
import { applyFilters, checkFilters, pageToken, pageWindow, paginate, tagsOut, type FilterFns } from "./query.js";
import type { IpPermission } from "@aws-sdk/client-ec2";
import { eigwOf, subnetIpv6View, vpcIpv6View } from "./ec2-ipv6-model.js";

/** A NAT gateway record with its Elastic IP's public address and association (set when it gets one). */
type NatEip = NatRec & { PublicIp?: string; EipAssociationId?: string };
import { allOf, count, defineIndex, hasKey, lookup, pageOfUnparsed } from "./indexes.js";

// ---------- indexes (see indexes.ts): what handlers look up by something other than the id ----------
// persisted (written with the collection, segments.ts): a Describe by VPC reads one VPC's records, and
// DescribeSubnets' AvailableIpAddressCount counts a subnet's ENIs, without parsing the whole collection
// persisted with each record's place: a page of every interface, or a subnet's, parses only those records
defineIndex("eni.subnet", "networkInterfaces", (e: EniRec) => e.SubnetId, { persist: "lookups" });
defineIndex("eni.vpc", "networkInterfaces", (e: EniRec) => e.VpcId);
defineIndex("eni.group", "networkInterfaces", (e: EniRec) => e.Groups);
defineIndex("eni.type", "networkInterfaces", (e: EniRec) => e.InterfaceType);
defineIndex("eip.eni", "addresses", (a: AddressRec) => a.NetworkInterfaceId);
// persisted with each rule's place: a group's view parses its own rules, not the account's (40 MB at 10x)
defineIndex("sgr.group", "securityGroupRules", (r: SgRuleRec) => r.GroupId, { persist: "lookups" });
defineIndex("sgr.ref", "securityGroupRules", (r: SgRuleRec) => r.ReferencedGroupId);
defineIndex("sg.vpc", "securityGroups", (g: SgRec) => g.VpcId);
defineIndex("subnet.vpc", "subnets", (s: SubnetRec) => s.VpcId, { persist: "lookups" });
defineIndex("rtb.vpc", "routeTables", (t: RouteTableRec) => t.VpcId, { persist: "lookups" });
defineIndex("rtb.subnet", "routeTables", (t: RouteTableRec) => t.Associations.map((a) => a.SubnetId));
defineIndex("rtb.assoc", "routeTables", (t: RouteTableRec) => t.Associations.map((a) => a.RouteTableAssociationId));
defineIndex("nat.vpc", "natGateways", (n: NatRec) => n.VpcId);
defineIndex("nat.state", "natGateways", (n: NatRec) => n.State);
defineIndex("nat.subnet", "natGateways", (n: NatRec) => n.SubnetId);
defineIndex("nat.mode", "natGateways", (n: NatRec) => n.AvailabilityMode ?? "zonal");
defineIndex("acl.vpc", "networkAcls", (a: NaclRec) => a.VpcId);
defineIndex("acl.subnet", "networkAcls", (a: NaclRec) => (a as NaclRec & { _subnetIds?: string[] })._subnetIds);
defineIndex("igw.vpc", "internetGateways", (g: IgwRec) => g.VpcId, { persist: "lookups" });

/** Describe filters answered from an index (exact values only; the filter is still applied after). */
const FILTER_INDEXES: Record<string, Record<string, string>> = {
  eni: { "subnet-id": "eni.subnet", "vpc-id": "eni.vpc", "group-id": "eni.group", "interface-type": "eni.type" },
  sgr: { "group-id": "sgr.group" },
  sg: { "vpc-id": "sg.vpc" },
  subnet: { "vpc-id": "subnet.vpc" },
  rtb: { "vpc-id": "rtb.vpc", "association.subnet-id": "rtb.subnet" },
  nat: { "vpc-id": "nat.vpc", "subnet-id": "nat.subnet" },
  acl: { "vpc-id": "acl.vpc" },
  igw: { "attachment.vpc-id": "igw.vpc" },
};

// The handler contract lives in handler.ts (re-exported here for the modules that import it with the EC2 helpers).
import type { OpContext } from "./handler.js";
export type { Handler, OpContext, OpHandler, Ops, Timing } from "./handler.js";

// ---------- id kinds ----------

export interface Kind {
  prefix: string;
  coll: keyof Omit<RegionState, "clientTokens" | "ext">;
  notFound: string;
  malformed: string;
  label: string; // as used in the NotFound message
  resourceType: string; // DescribeTags ResourceType / TagSpecifications type
}

export const KINDS: Record<string, Kind> = {
  vpc: { prefix: "vpc", coll: "vpcs", notFound: "InvalidVpcID.NotFound", malformed: "InvalidVpcID.Malformed", label: "vpc", resourceType: "vpc" },
  subnet: { prefix: "subnet", coll: "subnets", notFound: "InvalidSubnetID.NotFound", malformed: "InvalidSubnetID.Malformed", label: "subnet", resourceType: "subnet" },
  igw: { prefix: "igw", coll: "internetGateways", notFound: "InvalidInternetGatewayID.NotFound", malformed: "InvalidInternetGatewayId.Malformed", label: "internetGateway", resourceType: "internet-gateway" },
  rtb: { prefix: "rtb", coll: "routeTables", notFound: "InvalidRouteTableID.NotFound", malformed: "InvalidRouteTableId.Malformed", label: "routeTable", resourceType: "route-table" },
  eipalloc: { prefix: "eipalloc", coll: "addresses", notFound: "InvalidAllocationID.NotFound", malformed: "InvalidAllocationID.NotFound", label: "allocation", resourceType: "elastic-ip" },
  nat: { prefix: "nat", coll: "natGateways", notFound: "InvalidNatGatewayID.NotFound", malformed: "InvalidNatGatewayID.NotFound", label: "natGateway", resourceType: "natgateway" },
  sg: { prefix: "sg", coll: "securityGroups", notFound: "InvalidGroup.NotFound", malformed: "InvalidGroupId.Malformed", label: "security group", resourceType: "security-group" },
  sgr: { prefix: "sgr", coll: "securityGroupRules", notFound: "InvalidSecurityGroupRuleId.NotFound", malformed: "InvalidSecurityGroupRuleId.Malformed", label: "security group rule", resourceType: "security-group-rule" },
  eni: { prefix: "eni", coll: "networkInterfaces", notFound: "InvalidNetworkInterfaceID.NotFound", malformed: "InvalidNetworkInterfaceId.Malformed", label: "networkInterface", resourceType: "network-interface" },
  acl: { prefix: "acl", coll: "networkAcls", notFound: "InvalidNetworkAclID.NotFound", malformed: "InvalidNetworkAclID.NotFound", label: "networkAcl", resourceType: "network-acl" },
};

export function kindOfId(id: string): Kind | undefined {
  const prefix = id.slice(0, id.lastIndexOf("-"));
  return Object.values(KINDS).find((k) => k.prefix === prefix);
}

function notFoundMessage(k: Kind, ids: string[]): string {
  const list = ids.join(", ");
  if (k.prefix === "sg") return ids.length > 1 ? `The security groups '${list}' do not exist` : `The security group '${list}' does not exist`;
  return ids.length > 1 ? `The ${k.label} IDs '${list}' do not exist` : `The ${k.label} ID '${list}' does not exist`;
}

export function notFound(k: Kind, ids: string[]) {
  return awsError(k.notFound, notFoundMessage(k, ids));
}

export function checkIdFormat(k: Kind, id: unknown): string {
  if (typeof id !== "string" || !new RegExp(`^${k.prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id)) {
    throw awsError(k.malformed, k.malformed.endsWith("NotFound") ? notFoundMessage(k, [String(id)]) : `Invalid id: "${String(id)}"`);
  }
  return id;
}

export function isVisible(ctx: OpContext, r: { _visibleAt: number }): boolean {
  return r._visibleAt <= ctx.now;
}

/** By-id lookup used by every operation: malformed -> Malformed code; missing or not yet visible -> NotFound code. */
export function get<T>(ctx: OpContext, kind: keyof typeof KINDS, id: unknown, param?: string): T {
  const k = KINDS[kind];
  if (id === undefined || id === null || id === "") {
    throw awsError("MissingParameter", `The request must contain the parameter ${param ?? k.label + "Id"}`);
  }
  checkIdFormat(k, id);
  const rec = (ctx.rs[k.coll] as Record<string, { _visibleAt: number } | undefined>)[id as string];
  if (!rec || !isVisible(ctx, rec)) throw notFound(k, [id as string]);
  return rec as T;
}

/** The latest `_visibleAt` of a kept list (allOf answers the same array until its collection changes). */
const LATEST_VISIBLE = new WeakMap<object, number>();

/**
 * The visible records of a whole collection. Each page of an unfiltered Describe asks again (52 pages
 * of DescribeNetworkInterfaces at 10×, each filtering 52,000 records): once every record is visible,
 * which the list's latest `_visibleAt` tells, the answer is the list itself.
 */
function visibleOf<T extends { _visibleAt: number }>(ctx: OpContext, all: readonly T[]): readonly T[] {
  let latest = LATEST_VISIBLE.get(all);
  if (latest === undefined) {
    latest = -Infinity;
    for (const r of all) {
      const at = r._visibleAt;
      if (typeof at !== "number") latest = Infinity;
      else if (at > latest) latest = at;
    }
    LATEST_VISIBLE.set(all, latest);
  }
  // the list itself, not a copy (a copy per page of a paginated Describe grew with pages × records): read only
  return latest <= ctx.now ? all : all.filter((r) => isVisible(ctx, r));
}

/** Visible records of a collection, optionally restricted to ids (unknown ids -> NotFound listing them). */
export function listByIds<T extends { _visibleAt: number }>(
  ctx: OpContext,
  kind: keyof typeof KINDS,
  ids: unknown,
  notFoundOverride?: (missing: string[]) => Error,
  filters?: Array<{ Name?: string; Values?: string[] }>,
): readonly T[] {
  const k = KINDS[kind];
  if (ids === undefined || (Array.isArray(ids) && ids.length === 0)) {
    // a filter with an index narrows the candidates first (the caller still applies every filter)
    for (const f of Array.isArray(filters) ? filters : []) {
      const index = FILTER_INDEXES[kind]?.[f.Name ?? ""];
      if (!index || !Array.isArray(f.Values) || f.Values.some((v) => typeof v !== "string" || /[*?\\]/.test(v))) continue;
      const seen = new Set<T>();
      // each value once: a transient read (lazy.ts) parses a record anew on each lookup, so a value given
      // twice would find the same record as another object (the indexes lookups read record by record —
      // persisted "lookups" — give a record one key, so distinct values find distinct records)
      for (const v of new Set(f.Values)) for (const r of lookup<T>(ctx.rs, index, v)) if (isVisible(ctx, r)) seen.add(r);
      return [...seen];
    }
    return visibleOf(ctx, allOf<T>(ctx.rs, k.coll));
  }
  if (!Array.isArray(ids)) throw awsError("InvalidParameterValue", `${k.label} ids must be a list`);
  ids.forEach((id) => checkIdFormat(k, id));
  const coll = ctx.rs[k.coll] as unknown as Record<string, T>;
  const missing = ids.filter((id: string) => !coll[id] || !isVisible(ctx, coll[id]));
  if (missing.length) throw notFoundOverride ? notFoundOverride(missing) : notFound(k, missing);
  return [...new Set(ids as string[])].map((id) => coll[id]);
}

/** What a Describe of one kind takes: its ids, its filters (names checked first), its MaxResults/NextToken. */
export interface DescribeRequest<T> {
  ids: unknown;
  filters: Array<{ Name?: string; Values?: string[] }> | undefined;
  fns: FilterFns<T>;
  tagsOf: (r: T) => Tag[];
  input: { MaxResults?: number; NextToken?: string };
  operation: string;
  /** MaxResults' range when it is not EC2's usual 5–1000. */
  limits?: { min: number; max: number };
  /** The error for ids that do not exist, when it is not the kind's usual NotFound. */
  notFound?: (missing: string[]) => Error;
}

/**
 * One page of a Describe: its filter names checked, the records named by id or filter (listByIds),
 * filtered, paginated. A page of every record (MaxResults, no ids, no filters) is a run of the
 * collection's positions, its records not visible yet left out (a page may hold fewer than MaxResults,
 * as EC2's may): so a collection not parsed yet, in a transient read, parses only the page's records
 * (indexes.ts pageOfUnparsed), and the parsed collection pages the same way — a NextToken means the
 * same position whichever answered it.
 */
export function describePage<T extends { _visibleAt: number }>(ctx: OpContext, kind: keyof typeof KINDS, req: DescribeRequest<T>): { page: readonly T[]; NextToken?: string } {
  const { ids, filters, fns, tagsOf, input, operation, limits } = req;
  checkFilters(filters, fns, tagsOf);
  const none = (v: unknown) => v === undefined || (Array.isArray(v) && v.length === 0);
  if (none(ids) && none(filters)) {
    ctx.dry();
    // (a NextToken without MaxResults: the rest from the same position)
    const { start, max } = pageWindow(input, operation, limits);
    const coll = KINDS[kind].coll;
    let run = max === undefined ? undefined : pageOfUnparsed<T>(ctx.rs, coll, start, max);
    if (!run) {
      const all = allOf<T>(ctx.rs, coll);
      run = { records: all.slice(start, max === undefined ? undefined : start + max), total: all.length };
    }
    const page = run.records.every((r) => isVisible(ctx, r)) ? run.records : run.records.filter((r) => isVisible(ctx, r));
    return max !== undefined && start + max < run.total ? { page, NextToken: pageToken(operation, start + max) } : { page };
  }
  const list = listByIds<T>(ctx, kind, ids, req.notFound, filters);
  ctx.dry();
  return paginate(applyFilters(list, filters, fns, tagsOf), input, operation, limits);
}

/** Filter table with owner-id answered for this account. */
export function withOwner<T>(ctx: OpContext, fns: FilterFns<T>): FilterFns<T> {
  return { ...fns, "owner-id": () => [ctx.accountId] };
}

export function bool(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "object" && v !== null && "Value" in v) return bool((v as { Value: unknown }).Value);
  return v === true || v === "true";
}

// ---------- derived facts ----------

export function igwOfVpc(rs: RegionState, vpcId: string): IgwRec | undefined {
  return lookup<IgwRec>(rs, "igw.vpc", vpcId).find((g) => g.VpcId === vpcId);
}

export function enisInSubnet(rs: RegionState, subnetId: string): EniRec[] {
  return lookup<EniRec>(rs, "eni.subnet", subnetId);
}

/** Next free private IP in the subnet, skipping the 4 first and the last address (AWS-reserved). */
export function allocPrivateIp(rs: RegionState, subnet: SubnetRec, wanted?: string): string {
  if (!subnet.CidrBlock) throw awsError("InvalidParameterValue", `Subnet ${subnet.SubnetId} is IPv6-only: the sandbox places no network interface in an IPv6-only subnet.`);
  const c = parseIpv4Block(subnet.CidrBlock)!;
  const first = Number(c.base);
  const last = Number(c.end);
  const used = new Set(enisInSubnet(rs, subnet.SubnetId).map((e) => e.PrivateIpAddress));
  if (wanted !== undefined) {
    const n = ipv4ToNumber(wanted);
    if (n === null || n < first + 4 || n >= last)
      throw awsError("InvalidParameterValue", `Address ${wanted} does not fall within the subnet's address range`);
    if (used.has(wanted)) throw awsError("InvalidIPAddress.InUse", `Address ${wanted} is in use.`);
    return wanted;
  }
  for (let n = first + 4; n < last; n++) {
    const ip = numberToIpv4(n);
    if (!used.has(ip)) return ip;
  }
  throw awsError("InsufficientFreeAddressesInSubnet", `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`);
}

export function availableIpCount(rs: RegionState, subnet: SubnetRec): number {
  if (!subnet.CidrBlock) return 0; // IPv6-only: no IPv4 addresses
  return addressCount(parseIpv4Block(subnet.CidrBlock)!) - 5 - count(rs, "eni.subnet", subnet.SubnetId);
}

// ---------- views (SDK output shapes) ----------

export function vpcView(ctx: OpContext, v: VpcRec) {
  return {
    VpcId: v.VpcId,
    OwnerId: ctx.accountId,
    InstanceTenancy: "default",
    CidrBlock: v.CidrBlock,
    CidrBlockAssociationSet: [{ AssociationId: v.CidrAssociationId, CidrBlock: v.CidrBlock, CidrBlockState: { State: "associated" } }],
    DhcpOptionsId: v.DhcpOptionsId,
    State: "available",
    IsDefault: v.IsDefault,
    BlockPublicAccessStates: { InternetGatewayBlockMode: (ctx.rs.ext.bpa as { options?: { mode?: string } } | undefined)?.options?.mode ?? "off" },
    ...(v.Ipv6Cidrs?.length ? { Ipv6CidrBlockAssociationSet: v.Ipv6Cidrs.map((a) => vpcIpv6View(a)) } : {}),
    ...tagsOut(v.Tags),
  };
}

export function subnetView(ctx: OpContext, s: SubnetRec) {
  return {
    SubnetId: s.SubnetId,
    SubnetArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${s.SubnetId}`,
    VpcId: s.VpcId,
    ...(s.CidrBlock ? { CidrBlock: s.CidrBlock } : {}),
    AvailabilityZone: s.AvailabilityZone,
    AvailabilityZoneId: s.AvailabilityZoneId,
    AvailableIpAddressCount: availableIpCount(ctx.rs, s),
    DefaultForAz: s.DefaultForAz,
    MapPublicIpOnLaunch: s.MapPublicIpOnLaunch,
    MapCustomerOwnedIpOnLaunch: false,
    State: "available",
    OwnerId: ctx.accountId,
    AssignIpv6AddressOnCreation: Boolean(s.AssignIpv6AddressOnCreation),
    Ipv6CidrBlockAssociationSet: (s.Ipv6Cidrs ?? []).map(subnetIpv6View),
    EnableDns64: Boolean(s.EnableDns64),
    Ipv6Native: Boolean(s.Ipv6Native),
    PrivateDnsNameOptionsOnLaunch: { ...(s.PrivateDnsNameOptionsOnLaunch ?? { HostnameType: "ip-name", EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false }) },
    ...tagsOut(s.Tags),
  };
}

export function igwView(ctx: OpContext, g: IgwRec) {
  return {
    InternetGatewayId: g.InternetGatewayId,
    OwnerId: ctx.accountId,
    Attachments: g.VpcId ? [{ VpcId: g.VpcId, State: "available" }] : [],
    ...tagsOut(g.Tags),
  };
}

export function routeState(ctx: OpContext, rt: RouteTableRec, r: RouteRec): "active" | "blackhole" {
  if (r.GatewayId === "local") return "active";
  if ((r as { _blackhole?: boolean })._blackhole) return "blackhole"; // imported from a snapshot as such
  const transit = transitRouteState(ctx, rt, r);
  if (transit) return transit;
  if (r.GatewayId?.startsWith("igw-")) return ctx.rs.internetGateways[r.GatewayId]?.VpcId === rt.VpcId ? "active" : "blackhole";
  if (r.NatGatewayId) {
    const n = ctx.rs.natGateways[r.NatGatewayId];
    return n && (n.State === "available" || n.State === "pending") ? "active" : "blackhole";
  }
  if (r.NetworkInterfaceId) return ctx.rs.networkInterfaces[r.NetworkInterfaceId] ? "active" : "blackhole";
  if (r.EgressOnlyInternetGatewayId) return eigwOf(ctx.rs, r.EgressOnlyInternetGatewayId)?.VpcId === rt.VpcId ? "active" : "blackhole";
  return "active";
}

/** Route targets only a snapshot import creates (sandbox load). */
function importedRouteFields(r: RouteRec): Record<string, string> {
  const x = r as unknown as Record<string, string | undefined>;
  const out: Record<string, string> = {};
  for (const k of ["InstanceId", "VpcPeeringConnectionId", "TransitGatewayId", "EgressOnlyInternetGatewayId"]) if (x[k]) out[k] = x[k]!;
  return out;
}

export function routeTableView(ctx: OpContext, rt: RouteTableRec) {
  return {
    RouteTableId: rt.RouteTableId,
    VpcId: rt.VpcId,
    OwnerId: ctx.accountId,
    Routes: rt.Routes.map((r) => ({
      ...(r.DestinationIpv6CidrBlock ? { DestinationIpv6CidrBlock: r.DestinationIpv6CidrBlock } : { DestinationCidrBlock: r.DestinationCidrBlock }),
      ...(r.GatewayId ? { GatewayId: r.GatewayId } : {}),
      ...(r.NatGatewayId ? { NatGatewayId: r.NatGatewayId } : {}),
      ...(r.NetworkInterfaceId ? { NetworkInterfaceId: r.NetworkInterfaceId } : {}),
      ...(r.VpcEndpointId ? { GatewayId: r.VpcEndpointId } : {}),
      ...importedRouteFields(r),
      // gateway-endpoint routes (ec2-endpoints.ts) go to a prefix list, not a CIDR
      ...((r as { DestinationPrefixListId?: string }).DestinationPrefixListId ? { DestinationCidrBlock: undefined, DestinationPrefixListId: (r as { DestinationPrefixListId?: string }).DestinationPrefixListId } : {}),
      Origin: r.Origin,
      State: routeState(ctx, rt, r),
    })),
    Associations: rt.Associations.map((a) => ({
      Main: a.Main,
      RouteTableAssociationId: a.RouteTableAssociationId,
      RouteTableId: rt.RouteTableId,
      ...(a.SubnetId ? { SubnetId: a.SubnetId } : {}),
      AssociationState: { State: "associated" },
    })),
    PropagatingVgws: [],
    ...tagsOut(rt.Tags),
  };
}

export function addressView(ctx: OpContext, a: AddressRec) {
  return {
    AllocationId: a.AllocationId,
    PublicIp: a.PublicIp,
    Domain: "vpc",
    PublicIpv4Pool: "amazon",
    NetworkBorderGroup: ctx.region,
    ...(a.AssociationId
      ? { AssociationId: a.AssociationId, NetworkInterfaceId: a.NetworkInterfaceId, NetworkInterfaceOwnerId: ctx.accountId, PrivateIpAddress: a.PrivateIpAddress }
      : {}),
    ...tagsOut(a.Tags),
  };
}

/** The NatGatewayAddresses of a regional gateway, as DescribeNatGateways answers them. */
export function regionalAddressView(n: NatRec) {
  const firstOfAz = new Set<string>();
  return (n.Addresses ?? []).map((a) => {
    const primary = !firstOfAz.has(a.AvailabilityZone);
    firstOfAz.add(a.AvailabilityZone);
    return {
      AllocationId: a.AllocationId,
      PublicIp: a.PublicIp,
      AssociationId: a.AssociationId,
      IsPrimary: primary,
      Status: n.State === "failed" ? "failed" : n.State === "deleting" ? "disassociating" : a.Status,
      AvailabilityZone: a.AvailabilityZone,
      AvailabilityZoneId: a.AvailabilityZoneId,
    };
  });
}

export function natView(_ctx: OpContext, n: NatRec) {
  if (n.AvailabilityMode === "regional") {
    return {
      NatGatewayId: n.NatGatewayId,
      VpcId: n.VpcId,
      State: n.State,
      ConnectivityType: n.ConnectivityType,
      AvailabilityMode: "regional",
      AutoProvisionZones: n.AutoProvisionZones,
      AutoScalingIps: n.AutoScalingIps,
      ...(n.State === "failed" ? {} : { RouteTableId: n.RouteTableId }),
      CreateTime: new Date(n._createdAt),
      ...(n._deletedAt && n.State === "deleted" ? { DeleteTime: new Date(n._deletedAt) } : {}),
      ...(n.FailureCode ? { FailureCode: n.FailureCode, FailureMessage: n.FailureMessage } : {}),
      NatGatewayAddresses: regionalAddressView(n),
      ...tagsOut(n.Tags),
    };
  }
  const status =
    n.State === "pending" ? "associating" : n.State === "deleting" ? "disassociating" : n.State === "failed" ? "failed" : "succeeded";
  const address =
    n.State === "failed"
      ? n.AllocationId
        ? [{ AllocationId: n.AllocationId }]
        : []
      : [
          {
            ...(n.AllocationId ? { AllocationId: n.AllocationId, PublicIp: (n as NatEip).PublicIp, AssociationId: (n as NatEip).EipAssociationId } : {}),
            NetworkInterfaceId: n.NetworkInterfaceId,
            PrivateIp: n.PrivateIp,
            IsPrimary: true,
            Status: status,
          },
        ];
  return {
    NatGatewayId: n.NatGatewayId,
    SubnetId: n.SubnetId,
    VpcId: n.VpcId,
    State: n.State,
    ConnectivityType: n.ConnectivityType,
    AvailabilityMode: "zonal",
    CreateTime: new Date(n._createdAt),
    ...(n._deletedAt && n.State === "deleted" ? { DeleteTime: new Date(n._deletedAt) } : {}),
    ...(n.FailureCode ? { FailureCode: n.FailureCode, FailureMessage: n.FailureMessage } : {}),
    NatGatewayAddresses: address,
    ...tagsOut(n.Tags),
  };
}

type PermissionOut = IpPermission & Required<Pick<IpPermission, "IpRanges" | "Ipv6Ranges" | "PrefixListIds" | "UserIdGroupPairs">>;

/**
 * One permission per (protocol, ports), in the order first seen. A group has a handful of them, so a
 * walk of the list finds one (no key string per rule), and each list starts as a literal of its first
 * entry (an empty array's first push reserves room for 17): 100,000 rules at 10×, each part of the snapshot.
 */
function permissionsOf(ctx: OpContext, rules: SgRuleRec[], egress: boolean): PermissionOut[] {
  const perms: PermissionOut[] = [];
  const keys: SgRuleRec[] = []; // the rule each permission was made from: its protocol and ports
  for (const r of rules) {
    if (r.IsEgress !== egress) continue;
    let i = 0;
    while (i < keys.length && !(keys[i]!.IpProtocol === r.IpProtocol && keys[i]!.FromPort === r.FromPort && keys[i]!.ToPort === r.ToPort)) i++;
    if (i === keys.length) {
      keys.push(r);
      perms.push(
        r.IpProtocol === "-1"
          ? { IpProtocol: r.IpProtocol, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }
          : { IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] },
      );
    }
    const p = perms[i]!;
    // literal objects rather than spreads: one entry per rule, 100,000 of them at 10×
    const d = r.Description;
    if (r.CidrIpv4) {
      const e = d ? { CidrIp: r.CidrIpv4, Description: d } : { CidrIp: r.CidrIpv4 };
      if (p.IpRanges.length) p.IpRanges.push(e);
      else p.IpRanges = [e];
    }
    if (r.CidrIpv6) {
      const e = d ? { CidrIpv6: r.CidrIpv6, Description: d } : { CidrIpv6: r.CidrIpv6 };
      if (p.Ipv6Ranges.length) p.Ipv6Ranges.push(e);
      else p.Ipv6Ranges = [e];
    }
    if (r.PrefixListId) {
      const e = d ? { PrefixListId: r.PrefixListId, Description: d } : { PrefixListId: r.PrefixListId };
      if (p.PrefixListIds.length) p.PrefixListIds.push(e);
      else p.PrefixListIds = [e];
    }
    if (r.ReferencedGroupId) {
      const e = d ? { GroupId: r.ReferencedGroupId, UserId: ctx.accountId, Description: d } : { GroupId: r.ReferencedGroupId, UserId: ctx.accountId };
      if (p.UserIdGroupPairs.length) p.UserIdGroupPairs.push(e);
      else p.UserIdGroupPairs = [e];
    }
  }
  return perms;
}

export function rulesOf(rs: RegionState, groupId: string, egress: boolean): SgRuleRec[] {
  return lookup<SgRuleRec>(rs, "sgr.group", groupId).filter((r) => r.IsEgress === egress);
}

export function sgView(ctx: OpContext, g: SgRec) {
  const rules = lookup<SgRuleRec>(ctx.rs, "sgr.group", g.GroupId); // one lookup for both directions
  return {
    GroupId: g.GroupId,
    GroupName: g.GroupName,
    Description: g.Description,
    VpcId: g.VpcId,
    OwnerId: ctx.accountId,
    SecurityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${g.GroupId}`,
    IpPermissions: permissionsOf(ctx, rules, false),
    IpPermissionsEgress: permissionsOf(ctx, rules, true),
    ...tagsOut(g.Tags),
  };
}

export function sgRuleView(ctx: OpContext, r: SgRuleRec) {
  return {
    SecurityGroupRuleId: r.SecurityGroupRuleId,
    GroupId: r.GroupId,
    GroupOwnerId: ctx.accountId,
    IsEgress: r.IsEgress,
    IpProtocol: r.IpProtocol,
    FromPort: r.FromPort,
    ToPort: r.ToPort,
    ...(r.CidrIpv4 ? { CidrIpv4: r.CidrIpv4 } : {}),
    ...(r.CidrIpv6 ? { CidrIpv6: r.CidrIpv6 } : {}),
    ...(r.PrefixListId ? { PrefixListId: r.PrefixListId } : {}),
    ...(r.ReferencedGroupId ? { ReferencedGroupInfo: { GroupId: r.ReferencedGroupId, UserId: ctx.accountId } } : {}),
    ...(r.Description ? { Description: r.Description } : {}),
    SecurityGroupRuleArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group-rule/${r.SecurityGroupRuleId}`,
    ...tagsOut(r.Tags),
  };
}

export function eniView(ctx: OpContext, e: EniRec) {
  const addr = lookup<AddressRec>(ctx.rs, "eip.eni", e.NetworkInterfaceId).find((a) => a.AssociationId);
  const publicIp = (e as { _publicIp?: string })._publicIp; // an auto-assigned public IPv4 (instances, snapshot import)
  const association = addr
    ? { AllocationId: addr.AllocationId, AssociationId: addr.AssociationId, IpOwnerId: ctx.accountId, PublicIp: addr.PublicIp, PublicDnsName: "" }
    : publicIp
      ? { IpOwnerId: "amazon", PublicIp: publicIp, PublicDnsName: "" }
      : undefined;
  return {
    NetworkInterfaceId: e.NetworkInterfaceId,
    SubnetId: e.SubnetId,
    VpcId: e.VpcId,
    AvailabilityZone: e.AvailabilityZone,
    Description: e.Description,
    InterfaceType: e.InterfaceType,
    MacAddress: e.MacAddress,
    OwnerId: ctx.accountId,
    PrivateIpAddress: e.PrivateIpAddress,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.PrivateIpAddress, ...(association ? { Association: association } : {}) }],
    ...(association ? { Association: association } : {}),
    Groups: e.Groups.map((id) => ({ GroupId: id, GroupName: ctx.rs.securityGroups[id]?.GroupName })),
    Ipv6Addresses: [],
    RequesterManaged: e.RequesterManaged,
    SourceDestCheck: (e as { _sourceDestCheck?: boolean })._sourceDestCheck ?? e.InterfaceType !== "nat_gateway",
    ...((e as { _attachment?: object })._attachment ? { Attachment: structuredClone((e as { _attachment?: object })._attachment) } : {}), // (an imported one may nest)
    Status: (e as { _status?: string })._status ?? "in-use",
    TagSet: e.Tags.map((t) => ({ ...t })),
  };
}

export function naclView(ctx: OpContext, n: NaclRec) {
  // ACLs imported from a snapshot (sandbox load) keep their own entries and associations.
  const imported = n as NaclRec & { _entries?: object[]; _subnetIds?: string[] };
  const entry = (RuleNumber: number, RuleAction: string, Egress: boolean) => ({
    CidrBlock: "0.0.0.0/0",
    Egress,
    Protocol: "-1",
    RuleAction,
    RuleNumber,
  });
  return {
    NetworkAclId: n.NetworkAclId,
    VpcId: n.VpcId,
    IsDefault: n.IsDefault,
    OwnerId: ctx.accountId,
    // an imported entry nests PortRange and IcmpTypeCode: copied whole
    Entries: imported._entries?.map((x) => structuredClone(x)) ?? [entry(100, "allow", true), entry(32767, "deny", true), entry(100, "allow", false), entry(32767, "deny", false)],
    Associations: (imported._subnetIds
      ? imported._subnetIds.map((id) => ctx.rs.subnets[id]).filter((s) => s && s.VpcId === n.VpcId)
      : n.IsDefault
        ? lookup<SubnetRec>(ctx.rs, "subnet.vpc", n.VpcId).filter((s) => !hasKey(ctx.rs, "acl.subnet", s.SubnetId))
        : []
    )
      .map((s) => ({ NetworkAclAssociationId: s.NaclAssociationId, NetworkAclId: n.NetworkAclId, SubnetId: s.SubnetId })),
    ...tagsOut(n.Tags),
  };
}

/** Routes per route table (non-propagated): 50 by default (a quota; the sandbox holds to the default). */
export const ROUTES_PER_TABLE = 50;

/** RouteLimitExceeded when `adding` more routes would pass the quota (propagated routes do not count). */
export function assertRouteRoom(rt: RouteTableRec, adding = 1): void {
  const held = rt.Routes.filter((r) => (r as { Origin?: string }).Origin !== "EnableVgwRoutePropagation").length;
  if (held + adding > ROUTES_PER_TABLE) throw awsError("RouteLimitExceeded", `The maximum number of routes has been reached for route table ${rt.RouteTableId}.`);
}

/** Inbound or outbound rules per security group: 60 by default (a quota; the sandbox holds to the default). */
export const RULES_PER_GROUP = 60;
