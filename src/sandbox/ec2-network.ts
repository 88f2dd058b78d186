// EC2 operations for VPCs, subnets, internet gateways, route tables, network ACLs, regions and AZs.
import { lookup } from "./indexes.js";
import { transitRouteTarget } from "./ec2-transit.js";
import { awsError } from "./errors.js";
import { cidrContains, cidrOverlaps, formatCidr, parseCidr, parseIpv4Block } from "../net/addr.js";
import { withOwner, bool, get, igwOfVpc, igwView, isVisible, describePage, naclView, routeTableView, subnetView, vpcView, enisInSubnet, assertRouteRoom } from "./ec2-core.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler } from "./handler.js";
import { freshOutputs } from "./registry.js";
import { REGIONS, newId, zonesOf } from "./model.js";
import { associateAmazonIpv6, eigwOf, eigwsOfVpc, modifySubnetIpv6Attribute, parseIpv6Block, subnetIpv6Fields, vpcIpv6, vpcIpv6View } from "./ec2-ipv6.js";
import type { EniRec, IgwRec, NaclRec, NatRec, RouteRec, RouteTableRec, SgRec, SgRuleRec, SubnetRec, VpcRec, Tag } from "./model.js";
import { applyFilters, checkFilters, fingerprint, tagsFromSpecs, type FilterFns } from "./query.js";

const tagsOf = (r: { Tags: { Key: string; Value: string }[] }) => r.Tags;

function base(ctx: OpContext, tags: { Key: string; Value: string }[] = []) {
  return { Tags: tags, _createdAt: ctx.now, _visibleAt: ctx.now + ctx.timing.consistencyDelayMs };
}

function cidrParam(value: unknown, param: string) {
  const c = parseIpv4Block(value);
  if (!c) throw awsError("InvalidParameterValue", `Value (${String(value)}) for parameter ${param} is invalid. This is not a valid CIDR block.`);
  return c;
}

// ---------- internal builders (also used to seed a fresh account) ----------

/** Creates a VPC with its main route table, default security group and default network ACL. */
export function buildVpc(ctx: OpContext, cidr: string, isDefault: boolean, tags: { Key: string; Value: string }[] = []): VpcRec {
  const vpc: VpcRec = {
    VpcId: newId("vpc"),
    CidrBlock: cidr,
    DhcpOptionsId: ctx.rs.ext.dhcpOptionsId ?? (ctx.rs.ext.dhcpOptionsId = newId("dopt")),
    IsDefault: isDefault,
    CidrAssociationId: newId("vpc-cidr-assoc"),
    EnableDnsSupport: true,
    EnableDnsHostnames: isDefault,
    ...base(ctx, tags),
  };
  ctx.rs.vpcs[vpc.VpcId] = vpc;
  const rt: RouteTableRec = {
    RouteTableId: newId("rtb"),
    VpcId: vpc.VpcId,
    Routes: [{ DestinationCidrBlock: cidr, GatewayId: "local", Origin: "CreateRouteTable" }],
    Associations: [{ RouteTableAssociationId: newId("rtbassoc"), Main: true }],
    ...base(ctx),
  };
  ctx.rs.routeTables[rt.RouteTableId] = rt;
  const sg: SgRec = { GroupId: newId("sg"), GroupName: "default", Description: "default VPC security group", VpcId: vpc.VpcId, ...base(ctx) };
  ctx.rs.securityGroups[sg.GroupId] = sg;
  addRule(ctx, { GroupId: sg.GroupId, IsEgress: false, IpProtocol: "-1", FromPort: -1, ToPort: -1, ReferencedGroupId: sg.GroupId });
  addRule(ctx, { GroupId: sg.GroupId, IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" });
  const acl: NaclRec = { NetworkAclId: newId("acl"), VpcId: vpc.VpcId, IsDefault: true, ...base(ctx) };
  ctx.rs.networkAcls[acl.NetworkAclId] = acl;
  return vpc;
}

export function addRule(ctx: OpContext, r: Omit<SgRuleRec, "SecurityGroupRuleId" | "Tags" | "_createdAt" | "_visibleAt">): SgRuleRec {
  const rule: SgRuleRec = { SecurityGroupRuleId: newId("sgr"), ...r, ...base(ctx) };
  ctx.rs.securityGroupRules[rule.SecurityGroupRuleId] = rule;
  return rule;
}

export function buildSubnet(ctx: OpContext, vpc: VpcRec, cidr: string | undefined, az: string, opts: { defaultForAz?: boolean; tags?: Tag[] } = {}): SubnetRec {
  const zone = zonesOf(ctx.region).find((z) => z.ZoneName === az)!;
  const s: SubnetRec = {
    SubnetId: newId("subnet"),
    VpcId: vpc.VpcId,
    ...(cidr ? { CidrBlock: cidr } : {}),
    AvailabilityZone: zone.ZoneName,
    AvailabilityZoneId: zone.ZoneId,
    MapPublicIpOnLaunch: !!opts.defaultForAz,
    DefaultForAz: !!opts.defaultForAz,
    NaclAssociationId: newId("aclassoc"),
    ...base(ctx, opts.tags ?? []),
  };
  ctx.rs.subnets[s.SubnetId] = s;
  return s;
}

export function buildIgw(ctx: OpContext, tags: Tag[] = []): IgwRec {
  const g: IgwRec = { InternetGatewayId: newId("igw"), ...base(ctx, tags) };
  ctx.rs.internetGateways[g.InternetGatewayId] = g;
  return g;
}

export function mainRouteTable(ctx: OpContext, vpcId: string): RouteTableRec {
  return lookup<RouteTableRec>(ctx.rs, "rtb.vpc", vpcId).find((rt) => rt.Associations.some((a) => a.Main))!;
}

/** The default VPC of a fresh region: 172.31.0.0/16, a /20 default subnet per AZ, an attached IGW, 0.0.0.0/0 -> IGW. */
export function seedDefaultVpc(ctx: OpContext): void {
  const vpc = buildVpc(ctx, "172.31.0.0/16", true);
  zonesOf(ctx.region).forEach((z, i) => buildSubnet(ctx, vpc, `172.31.${i * 16}.0/20`, z.ZoneName, { defaultForAz: true }));
  const igw = buildIgw(ctx);
  igw.VpcId = vpc.VpcId;
  mainRouteTable(ctx, vpc.VpcId).Routes.push({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw.InternetGatewayId, Origin: "CreateRouteTable" });
}

// ---------- regions and zones ----------

const DescribeRegions: OpHandler<"ec2", "DescribeRegions"> = (ctx) => {
  const { RegionNames, Filters } = ctx.input;
  const all = Object.keys(REGIONS).map((r) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: "opt-in-not-required" }));
  for (const n of RegionNames ?? [])
    if (!REGIONS[n]) throw awsError("InvalidParameterValue", `Invalid region names: [${n}]`);
  const fns: FilterFns<(typeof all)[number]> = { "region-name": (r) => [r.RegionName], endpoint: (r) => [r.Endpoint], "opt-in-status": (r) => [r.OptInStatus] };
  checkFilters(Filters, fns);
  ctx.dry();
  let list = RegionNames?.length ? all.filter((r) => RegionNames.includes(r.RegionName)) : all;
  list = applyFilters(list, Filters, fns);
  return { Regions: list };
};

const DescribeAvailabilityZones: RecordOpHandler<"ec2", "DescribeAvailabilityZones"> = (ctx) => {
  const { ZoneNames, ZoneIds, Filters } = ctx.input;
  const all = zonesOf(ctx.region).map((z) => ({
    State: "available",
    OptInStatus: "opt-in-not-required",
    Messages: [],
    RegionName: ctx.region,
    ZoneName: z.ZoneName,
    ZoneId: z.ZoneId,
    GroupName: ctx.region,
    NetworkBorderGroup: ctx.region,
    ZoneType: "availability-zone",
    GroupLongName: ctx.region,
  }));
  const bad = [...(ZoneNames ?? []).filter((n: string) => !all.some((z) => z.ZoneName === n)), ...(ZoneIds ?? []).filter((n: string) => !all.some((z) => z.ZoneId === n))];
  if (bad.length) throw awsError("InvalidParameterValue", `The zone '${bad[0]}' does not exist.`);
  const fns: FilterFns<(typeof all)[number]> = {
    "zone-name": (z) => [z.ZoneName],
    "zone-id": (z) => [z.ZoneId],
    state: (z) => [z.State],
    "region-name": (z) => [z.RegionName],
    "zone-type": (z) => [z.ZoneType],
    "group-name": (z) => [z.GroupName],
    "opt-in-status": (z) => [z.OptInStatus],
  };
  checkFilters(Filters, fns);
  ctx.dry();
  let list = all;
  if (ZoneNames?.length || ZoneIds?.length) list = all.filter((z) => ZoneNames?.includes(z.ZoneName) || ZoneIds?.includes(z.ZoneId));
  return { AvailabilityZones: applyFilters(list, Filters, fns) };
};

// ---------- account attributes ----------

const DescribeAccountAttributes: OpHandler<"ec2", "DescribeAccountAttributes"> = (ctx) => {
  const def = Object.values(ctx.rs.vpcs).find((v) => v.IsDefault);
  const all: Record<string, string[]> = {
    "supported-platforms": ["VPC"],
    "default-vpc": [def?.VpcId ?? "none"],
    "max-instances": ["20"],
    "vpc-max-security-groups-per-interface": ["5"],
    "max-elastic-ips": ["5"],
    "vpc-max-elastic-ips": ["5"],
  };
  const names: string[] = ctx.input.AttributeNames ?? [];
  const bad = names.find((n) => !all[n]);
  if (bad) throw awsError("InvalidParameterValue", `Value (${bad}) for parameter attributeName is invalid. Unknown attribute.`);
  ctx.dry();
  const wanted = names.length ? names : Object.keys(all);
  return {
    AccountAttributes: wanted.map((n) => ({ AttributeName: n, AttributeValues: all[n].map((v) => ({ AttributeValue: v })) })),
  };
};

// ---------- VPCs ----------

const vpcFilters: FilterFns<VpcRec> = {
  "vpc-id": (v) => [v.VpcId],
  cidr: (v) => [v.CidrBlock],
  "cidr-block-association.cidr-block": (v) => [v.CidrBlock],
  "cidr-block-association.association-id": (v) => [v.CidrAssociationId],
  "cidr-block-association.state": () => ["associated"],
  "ipv6-cidr-block-association.ipv6-cidr-block": (v) => vpcIpv6(v).map((a) => a.Ipv6CidrBlock),
  "ipv6-cidr-block-association.association-id": (v) => vpcIpv6(v).map((a) => a.AssociationId),
  "ipv6-cidr-block-association.state": (v) => vpcIpv6(v).map(() => "associated"),
  "ipv6-cidr-block-association.ipv6-pool": (v) => vpcIpv6(v).map(() => "Amazon"),
  state: () => ["available"],
  "is-default": (v) => [String(v.IsDefault)],
  isDefault: (v) => [String(v.IsDefault)],
  "owner-id": () => [], // replaced per call by withOwner
  "dhcp-options-id": (v) => [v.DhcpOptionsId],
};

const CreateVpc: RecordOpHandler<"ec2", "CreateVpc"> = (ctx) => {
  const { CidrBlock } = ctx.input;
  if (CidrBlock === undefined) throw awsError("MissingParameter", "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
  const c = cidrParam(CidrBlock, "cidrBlock");
  if (c.len < 16 || c.len > 28) throw awsError("InvalidVpc.Range", `The CIDR '${CidrBlock}' is invalid.`);
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "vpc");
  const ipv6 = bool(ctx.input.AmazonProvidedIpv6CidrBlock);
  const unsupported = (["Ipv6Pool", "Ipv6CidrBlock", "Ipv6IpamPoolId", "Ipv4IpamPoolId"] as const).find((k) => ctx.input[k] !== undefined);
  if (unsupported) throw awsError("InvalidParameterValue", `${unsupported} is not supported by the sandbox (IPv6: AmazonProvidedIpv6CidrBlock only)`);
  if (!ipv6 && ctx.input.Ipv6CidrBlockNetworkBorderGroup !== undefined) throw awsError("InvalidParameterCombination", "Ipv6CidrBlockNetworkBorderGroup needs AmazonProvidedIpv6CidrBlock.");
  if (ipv6 && ctx.input.Ipv6CidrBlockNetworkBorderGroup !== undefined && ctx.input.Ipv6CidrBlockNetworkBorderGroup !== ctx.region)
    throw awsError("InvalidParameterValue", `The network border group '${ctx.input.Ipv6CidrBlockNetworkBorderGroup}' is invalid.`);
  ctx.dry();
  const vpc = buildVpc(ctx, formatCidr(c), false, tags);
  const assoc = ipv6 ? associateAmazonIpv6(ctx, vpc, ctx.input.Ipv6CidrBlockNetworkBorderGroup) : undefined;
  ctx.mutated();
  // the answer shows the IPv6 block still associating (its CIDR not chosen yet), as AWS's does
  return { Vpc: { ...vpcView(ctx, vpc), State: "pending", ...(assoc ? { Ipv6CidrBlockAssociationSet: [vpcIpv6View(assoc, "associating")] } : {}) } };
};

const DescribeVpcs: RecordOpHandler<"ec2", "DescribeVpcs"> = (ctx) => {
  const { page, NextToken } = describePage<VpcRec>(ctx, "vpc", { ids: ctx.input.VpcIds, filters: ctx.input.Filters, fns: withOwner(ctx, vpcFilters), tagsOf, input: ctx.input, operation: "DescribeVpcs" });
  return { Vpcs: page.map((v) => vpcView(ctx, v)), ...(NextToken ? { NextToken } : {}) };
};

const DeleteVpc: OpHandler<"ec2", "DeleteVpc"> = (ctx) => {
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  const rs = ctx.rs;
  const id = vpc.VpcId;
  const blocked =
    lookup(rs, "subnet.vpc", id).length > 0 ||
    !!igwOfVpc(rs, id) ||
    lookup<RouteTableRec>(rs, "rtb.vpc", id).some((rt) => !rt.Associations.some((a) => a.Main)) ||
    lookup<SgRec>(rs, "sg.vpc", id).some((g) => g.GroupName !== "default") ||
    lookup(rs, "eni.vpc", id).length > 0 ||
    eigwsOfVpc(rs, id).length > 0;
  if (blocked) throw awsError("DependencyViolation", `The vpc '${id}' has dependencies and cannot be deleted.`);
  ctx.dry();
  for (const rt of lookup<RouteTableRec>(rs, "rtb.vpc", id)) delete rs.routeTables[rt.RouteTableId];
  for (const g of lookup<SgRec>(rs, "sg.vpc", id)) {
    if (g.VpcId !== id) continue;
    for (const r of lookup<SgRuleRec>(rs, "sgr.group", g.GroupId)) delete rs.securityGroupRules[r.SecurityGroupRuleId];
    delete rs.securityGroups[g.GroupId];
  }
  for (const a of lookup<NaclRec>(rs, "acl.vpc", id)) delete rs.networkAcls[a.NetworkAclId];
  // deleted/failed NAT gateways of the VPC stay visible until their hour is up, as in AWS
  delete rs.vpcs[id];
  ctx.mutated();
  return {};
};

const VPC_ATTRS: Record<string, "EnableDnsSupport" | "EnableDnsHostnames"> = {
  enableDnsSupport: "EnableDnsSupport",
  enableDnsHostnames: "EnableDnsHostnames",
};

const ModifyVpcAttribute: OpHandler<"ec2", "ModifyVpcAttribute"> = (ctx) => {
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  const given = (["EnableDnsSupport", "EnableDnsHostnames"] as const).filter((k) => ctx.input[k] !== undefined);
  if (given.length !== 1) {
    if (given.length === 0 && ctx.input.EnableNetworkAddressUsageMetrics !== undefined) {
      ctx.dry();
      return {};
    }
    throw awsError("InvalidParameterCombination", given.length ? "Fields for multiple attribute types specified: enableDnsHostnames, enableDnsSupport" : "No attributes specified.");
  }
  const value = bool(ctx.input[given[0]]);
  if (given[0] === "EnableDnsHostnames" && value && !vpc.EnableDnsSupport)
    throw awsError("InvalidParameterValue", "Cannot enable DNS hostnames when DNS support is disabled for the VPC.");
  ctx.dry();
  vpc[given[0]] = !!value;
  ctx.mutated();
  return {};
};

const DescribeVpcAttribute: OpHandler<"ec2", "DescribeVpcAttribute"> = (ctx) => {
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  const field = VPC_ATTRS[ctx.input.Attribute ?? ""];
  if (!field) throw awsError("InvalidParameterValue", `Value (${ctx.input.Attribute}) for parameter attribute is invalid. Unknown attribute.`);
  ctx.dry();
  return { VpcId: vpc.VpcId, [field]: { Value: vpc[field] } };
};

// ---------- subnets ----------

const subnetFilters: FilterFns<SubnetRec> = {
  "subnet-id": (s) => [s.SubnetId],
  "vpc-id": (s) => [s.VpcId],
  vpcId: (s) => [s.VpcId],
  "cidr-block": (s) => [s.CidrBlock],
  cidr: (s) => [s.CidrBlock],
  cidrBlock: (s) => [s.CidrBlock],
  "availability-zone": (s) => [s.AvailabilityZone],
  availabilityZone: (s) => [s.AvailabilityZone],
  "availability-zone-id": (s) => [s.AvailabilityZoneId],
  state: () => ["available"],
  "default-for-az": (s) => [String(s.DefaultForAz)],
  defaultForAz: (s) => [String(s.DefaultForAz)],
  "map-public-ip-on-launch": (s) => [String(s.MapPublicIpOnLaunch)],
  "ipv6-cidr-block-association.ipv6-cidr-block": (s) => (s.Ipv6Cidrs ?? []).map((a) => a.Ipv6CidrBlock),
  "ipv6-cidr-block-association.association-id": (s) => (s.Ipv6Cidrs ?? []).map((a) => a.AssociationId),
  "ipv6-cidr-block-association.state": (s) => (s.Ipv6Cidrs ?? []).map(() => "associated"),
  "ipv6-native": (s) => [String(Boolean(s.Ipv6Native))],
  "enable-dns64": (s) => [String(Boolean(s.EnableDns64))],
  "assign-ipv6-address-on-creation": (s) => [String(Boolean(s.AssignIpv6AddressOnCreation))],
  "owner-id": () => [], // replaced per call by withOwner
};

const CreateSubnet: RecordOpHandler<"ec2", "CreateSubnet"> = (ctx) => {
  const { VpcId, CidrBlock, AvailabilityZone, AvailabilityZoneId } = ctx.input;
  const vpc = get<VpcRec>(ctx, "vpc", VpcId, "vpcId");
  const native = ctx.input.Ipv6Native === true;
  if (CidrBlock === undefined && !native) throw awsError("MissingParameter", "The request must contain the parameter cidrBlock");
  const c = CidrBlock === undefined ? undefined : cidrParam(CidrBlock, "cidrBlock");
  const v6 = subnetIpv6Fields(ctx, vpc, c !== undefined);
  const zones = zonesOf(ctx.region);
  let az: string;
  if (AvailabilityZone !== undefined || AvailabilityZoneId !== undefined) {
    const z = zones.find((z) => (AvailabilityZone !== undefined ? z.ZoneName === AvailabilityZone : z.ZoneId === AvailabilityZoneId));
    if (!z)
      throw awsError(
        "InvalidParameterValue",
        `Value (${AvailabilityZone ?? AvailabilityZoneId}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.ZoneName).join(", ")}.`,
      );
    az = z.ZoneName;
  } else {
    az = zones[Math.floor(Math.random() * zones.length)].ZoneName; // AWS picks one for you
  }
  if (c && (c.len < 16 || c.len > 28 || !cidrContains(parseIpv4Block(vpc.CidrBlock)!, c)))
    throw awsError("InvalidSubnet.Range", `The CIDR '${CidrBlock}' is invalid.`);
  const clash = c && lookup<SubnetRec>(ctx.rs, "subnet.vpc", vpc.VpcId).find((s) => s.CidrBlock && cidrOverlaps(parseIpv4Block(s.CidrBlock)!, c));
  if (clash) throw awsError("InvalidSubnet.Conflict", `The CIDR '${CidrBlock}' conflicts with another subnet`);
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "subnet");
  ctx.dry();
  const s = buildSubnet(ctx, vpc, c ? formatCidr(c) : undefined, az, { tags });
  Object.assign(s, v6);
  // an IPv6-only subnet's network interfaces always get an IPv6 address
  if (v6.Ipv6Native) s.AssignIpv6AddressOnCreation = true;
  ctx.mutated();
  return { Subnet: { ...subnetView(ctx, s), State: "pending" } };
};

const DescribeSubnets: RecordOpHandler<"ec2", "DescribeSubnets"> = (ctx) => {
  const { page, NextToken } = describePage<SubnetRec>(ctx, "subnet", { ids: ctx.input.SubnetIds, filters: ctx.input.Filters, fns: withOwner(ctx, subnetFilters), tagsOf, input: ctx.input, operation: "DescribeSubnets" });
  return { Subnets: page.map((s) => subnetView(ctx, s)), ...(NextToken ? { NextToken } : {}) };
};

const DeleteSubnet: OpHandler<"ec2", "DeleteSubnet"> = (ctx) => {
  const s = get<SubnetRec>(ctx, "subnet", ctx.input.SubnetId, "subnetId");
  if (enisInSubnet(ctx.rs, s.SubnetId).length)
    throw awsError("DependencyViolation", `The subnet '${s.SubnetId}' has dependencies and cannot be deleted.`);
  ctx.dry();
  for (const rt of lookup<RouteTableRec>(ctx.rs, "rtb.subnet", s.SubnetId)) rt.Associations = rt.Associations.filter((a) => a.SubnetId !== s.SubnetId);
  delete ctx.rs.subnets[s.SubnetId];
  ctx.mutated();
  return {};
};

const ModifySubnetAttribute: OpHandler<"ec2", "ModifySubnetAttribute"> = (ctx) => {
  const s = get<SubnetRec>(ctx, "subnet", ctx.input.SubnetId, "subnetId");
  const known = ["MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation", "EnableDns64", "PrivateDnsHostnameTypeOnLaunch", "EnableResourceNameDnsARecordOnLaunch", "EnableResourceNameDnsAAAARecordOnLaunch", "MapCustomerOwnedIpOnLaunch", "EnableLniAtDeviceIndex", "DisableLniAtDeviceIndex", "CustomerOwnedIpv4Pool"] as const;
  const given = known.filter((k) => ctx.input[k] !== undefined);
  if (given.length !== 1) throw awsError("InvalidParameterCombination", "Specify exactly one attribute to modify.");
  if (modifySubnetIpv6Attribute(ctx, s, given[0])) return {};
  // an IPv6-only subnet has no IPv4 addresses, so no public IPv4 address to map on launch
  if (given[0] === "MapPublicIpOnLaunch" && s.Ipv6Native && bool(ctx.input.MapPublicIpOnLaunch))
    throw awsError("InvalidParameterValue", `Cannot set mapPublicIpOnLaunch to true on an IPv6-only subnet (${s.SubnetId}): it has no IPv4 addresses.`);
  ctx.dry();
  if (given[0] === "MapPublicIpOnLaunch") {
    s.MapPublicIpOnLaunch = !!bool(ctx.input.MapPublicIpOnLaunch);
    ctx.mutated();
  }
  return {};
};

// ---------- internet gateways ----------

const igwFilters: FilterFns<IgwRec> = {
  "internet-gateway-id": (g) => [g.InternetGatewayId],
  "attachment.vpc-id": (g) => [g.VpcId],
  "attachment.state": (g) => (g.VpcId ? ["available"] : []),
  "owner-id": () => [], // replaced per call by withOwner
};

const CreateInternetGateway: RecordOpHandler<"ec2", "CreateInternetGateway"> = (ctx) => {
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "internet-gateway");
  ctx.dry();
  const g = buildIgw(ctx, tags);
  ctx.mutated();
  return { InternetGateway: igwView(ctx, g) };
};

const DescribeInternetGateways: RecordOpHandler<"ec2", "DescribeInternetGateways"> = (ctx) => {
  const { page, NextToken } = describePage<IgwRec>(ctx, "igw", { ids: ctx.input.InternetGatewayIds, filters: ctx.input.Filters, fns: withOwner(ctx, igwFilters), tagsOf, input: ctx.input, operation: "DescribeInternetGateways" });
  return { InternetGateways: page.map((g) => igwView(ctx, g)), ...(NextToken ? { NextToken } : {}) };
};

const AttachInternetGateway: OpHandler<"ec2", "AttachInternetGateway"> = (ctx) => {
  const g = get<IgwRec>(ctx, "igw", ctx.input.InternetGatewayId, "internetGatewayId");
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  if (g.VpcId) throw awsError("Resource.AlreadyAssociated", `resource ${g.InternetGatewayId} is already attached to network ${g.VpcId}`);
  const other = igwOfVpc(ctx.rs, vpc.VpcId);
  if (other)
    throw awsError("Resource.AlreadyAssociated", `Network ${vpc.VpcId} already has an internet gateway attached (${other.InternetGatewayId})`);
  ctx.dry();
  g.VpcId = vpc.VpcId;
  ctx.mutated();
  return {};
};

const DetachInternetGateway: OpHandler<"ec2", "DetachInternetGateway"> = (ctx) => {
  const g = get<IgwRec>(ctx, "igw", ctx.input.InternetGatewayId, "internetGatewayId");
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  if (g.VpcId !== vpc.VpcId) throw awsError("Gateway.NotAttached", `resource ${g.InternetGatewayId} is not attached to network ${vpc.VpcId}`);
  // a regional NAT gateway's addresses are mapped in its VPC too (they sit on no interface of ours)
  const mapped =
    Object.values(ctx.rs.addresses).some((a) => a.NetworkInterfaceId && ctx.rs.networkInterfaces[a.NetworkInterfaceId]?.VpcId === vpc.VpcId) ||
    Object.values(ctx.rs.natGateways).some((n) => n.VpcId === vpc.VpcId && n.AvailabilityMode === "regional" && n.State !== "deleted" && (n.Addresses ?? []).length > 0);
  if (mapped)
    throw awsError(
      "DependencyViolation",
      `Network ${vpc.VpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
    );
  ctx.dry();
  delete g.VpcId;
  ctx.mutated();
  return {};
};

const DeleteInternetGateway: OpHandler<"ec2", "DeleteInternetGateway"> = (ctx) => {
  const g = get<IgwRec>(ctx, "igw", ctx.input.InternetGatewayId, "internetGatewayId");
  if (g.VpcId) throw awsError("DependencyViolation", `The internetGateway '${g.InternetGatewayId}' has dependencies and cannot be deleted.`);
  ctx.dry();
  delete ctx.rs.internetGateways[g.InternetGatewayId];
  ctx.mutated();
  return {};
};

// ---------- route tables ----------

const rtFilters: FilterFns<RouteTableRec> = {
  "route-table-id": (r) => [r.RouteTableId],
  "vpc-id": (r) => [r.VpcId],
  "association.subnet-id": (r) => r.Associations.map((a) => a.SubnetId),
  "association.route-table-association-id": (r) => r.Associations.map((a) => a.RouteTableAssociationId),
  "association.route-table-id": (r) => (r.Associations.length ? [r.RouteTableId] : []),
  "association.main": (r) => r.Associations.map((a) => String(a.Main)),
  "association.association-state": (r) => r.Associations.map(() => "associated"),
  "route.destination-cidr-block": (r) => r.Routes.map((x) => x.DestinationCidrBlock),
  "route.destination-ipv6-cidr-block": (r) => r.Routes.map((x) => x.DestinationIpv6CidrBlock),
  "route.egress-only-internet-gateway-id": (r) => r.Routes.map((x) => x.EgressOnlyInternetGatewayId),
  "route.gateway-id": (r) => r.Routes.map((x) => x.GatewayId),
  "route.nat-gateway-id": (r) => r.Routes.map((x) => x.NatGatewayId),
  "route.origin": (r) => r.Routes.map((x) => x.Origin),
  "owner-id": () => [], // replaced per call by withOwner
};

function findAssociation(ctx: OpContext, id: unknown) {
  if (typeof id !== "string" || !id) throw awsError("MissingParameter", "The request must contain the parameter associationId");
  for (const rt of lookup<RouteTableRec>(ctx.rs, "rtb.assoc", id)) {
    const a = rt.Associations.find((x) => x.RouteTableAssociationId === id);
    if (a) return { rt, a };
  }
  throw awsError("InvalidAssociationID.NotFound", `The association ID '${id}' does not exist`);
}

const CreateRouteTable: RecordOpHandler<"ec2", "CreateRouteTable"> = (ctx) => {
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "route-table");
  const token = ctx.input.ClientToken;
  const fp = fingerprint(ctx.input);
  const prior = token ? ctx.rs.clientTokens[`CreateRouteTable:${token}`] : undefined;
  if (prior && prior.fingerprint !== fp)
    throw awsError("IdempotentParameterMismatch", `Client token already used before with different parameters: '${token}'`);
  ctx.dry();
  if (prior && ctx.rs.routeTables[prior.id]) {
    return { RouteTable: routeTableView(ctx, ctx.rs.routeTables[prior.id]), ClientToken: token };
  }
  const rt: RouteTableRec = {
    RouteTableId: newId("rtb"),
    VpcId: vpc.VpcId,
    Routes: [{ DestinationCidrBlock: vpc.CidrBlock, GatewayId: "local", Origin: "CreateRouteTable" }, ...vpcIpv6(vpc).map((a) => ({ DestinationIpv6CidrBlock: a.Ipv6CidrBlock, GatewayId: "local", Origin: "CreateRouteTable" as const }))],
    Associations: [],
    ...base(ctx, tags),
  };
  ctx.rs.routeTables[rt.RouteTableId] = rt;
  if (token) ctx.rs.clientTokens[`CreateRouteTable:${token}`] = { fingerprint: fp, id: rt.RouteTableId };
  ctx.mutated();
  return { RouteTable: routeTableView(ctx, rt), ...(token ? { ClientToken: token } : {}) };
};

const DescribeRouteTables: RecordOpHandler<"ec2", "DescribeRouteTables"> = (ctx) => {
  const fns: FilterFns<RouteTableRec> = { ...withOwner(ctx, rtFilters), "route.state": (r) => r.Routes.map((x) => routeStateOf(ctx, r, x)) };
  const { page, NextToken } = describePage(ctx, "rtb", { ids: ctx.input.RouteTableIds, filters: ctx.input.Filters, fns, tagsOf, input: ctx.input, operation: "DescribeRouteTables", limits: { min: 5, max: 100 } });
  return { RouteTables: page.map((r) => routeTableView(ctx, r)), ...(NextToken ? { NextToken } : {}) };
};

function routeStateOf(ctx: OpContext, rt: RouteTableRec, r: RouteRec) {
  return routeTableView(ctx, { ...rt, Routes: [r] }).Routes[0].State;
}

const DeleteRouteTable: OpHandler<"ec2", "DeleteRouteTable"> = (ctx) => {
  const rt = get<RouteTableRec>(ctx, "rtb", ctx.input.RouteTableId, "routeTableId");
  if (rt.Associations.length) throw awsError("DependencyViolation", `The routeTable '${rt.RouteTableId}' has dependencies and cannot be deleted.`);
  ctx.dry();
  delete ctx.rs.routeTables[rt.RouteTableId];
  ctx.mutated();
  return {};
};

const AssociateRouteTable: OpHandler<"ec2", "AssociateRouteTable"> = (ctx) => {
  const rt = get<RouteTableRec>(ctx, "rtb", ctx.input.RouteTableId, "routeTableId");
  if (ctx.input.GatewayId !== undefined && ctx.input.SubnetId === undefined)
    throw awsError("InvalidParameterValue", "Gateway route table associations are not supported by the sandbox");
  const s = get<SubnetRec>(ctx, "subnet", ctx.input.SubnetId, "subnetId");
  if (s.VpcId !== rt.VpcId)
    throw awsError("InvalidParameterValue", `Route table ${rt.RouteTableId} and subnet ${s.SubnetId} belong to different networks`);
  const existing = lookup<RouteTableRec>(ctx.rs, "rtb.subnet", s.SubnetId).find((t) => t.Associations.some((a) => a.SubnetId === s.SubnetId));
  if (existing)
    throw awsError(
      "Resource.AlreadyAssociated",
      `the specified association for route table ${rt.RouteTableId} conflicts with an existing association`,
    );
  ctx.dry();
  const a = { RouteTableAssociationId: newId("rtbassoc"), SubnetId: s.SubnetId, Main: false };
  rt.Associations.push(a);
  ctx.mutated();
  return { AssociationId: a.RouteTableAssociationId, AssociationState: { State: "associated" } };
};

const DisassociateRouteTable: OpHandler<"ec2", "DisassociateRouteTable"> = (ctx) => {
  const { rt, a } = findAssociation(ctx, ctx.input.AssociationId);
  if (a.Main) throw awsError("InvalidParameterValue", `cannot disassociate the main route table association ${a.RouteTableAssociationId}`);
  ctx.dry();
  rt.Associations = rt.Associations.filter((x) => x !== a);
  ctx.mutated();
  return {};
};

const ReplaceRouteTableAssociation: OpHandler<"ec2", "ReplaceRouteTableAssociation"> = (ctx) => {
  const { rt: oldRt, a } = findAssociation(ctx, ctx.input.AssociationId);
  const rt = get<RouteTableRec>(ctx, "rtb", ctx.input.RouteTableId, "routeTableId");
  if (rt.VpcId !== oldRt.VpcId)
    throw awsError("InvalidParameterValue", `Route table ${rt.RouteTableId} and association ${a.RouteTableAssociationId} belong to different networks`);
  ctx.dry();
  oldRt.Associations = oldRt.Associations.filter((x) => x !== a);
  const na = { RouteTableAssociationId: newId("rtbassoc"), SubnetId: a.SubnetId, Main: a.Main };
  if (!na.SubnetId) delete na.SubnetId;
  rt.Associations.push(na);
  ctx.mutated();
  return { NewAssociationId: na.RouteTableAssociationId, AssociationState: { State: "associated" } };
};

/** A route's destination: the field it is keyed by (IPv4 or IPv6) and its canonical value. */
interface Dest {
  field: "DestinationCidrBlock" | "DestinationIpv6CidrBlock";
  value: string;
}
const isDest = (r: RouteRec, d: Dest) => r[d.field] === d.value;

/** Validates a CreateRoute/ReplaceRoute target and returns the route record. */
function routeTarget(ctx: OpContext, rt: RouteTableRec, dest: Dest): RouteRec {
  const { GatewayId, NatGatewayId, NetworkInterfaceId, VpcEndpointId, VpcPeeringConnectionId, TransitGatewayId, EgressOnlyInternetGatewayId } = ctx.input;
  const unsupported = ["InstanceId", "LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn"].find((k) => ctx.input[k] !== undefined);
  if (unsupported) throw awsError("InvalidParameterValue", `Route target ${unsupported} is not supported by the sandbox`);
  const targets = [GatewayId, NatGatewayId, NetworkInterfaceId, VpcEndpointId, VpcPeeringConnectionId, TransitGatewayId, EgressOnlyInternetGatewayId].filter((t) => t !== undefined);
  if (targets.length === 0) throw awsError("MissingParameter", "The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcEndpointId, vpcPeeringConnectionId, transitGatewayId, egressOnlyInternetGatewayId");
  if (targets.length > 1) throw awsError("InvalidParameterCombination", "The parameter combination is not valid: specify only one route target");
  const v6 = dest.field === "DestinationIpv6CidrBlock";
  const route: RouteRec = { [dest.field]: dest.value, Origin: "CreateRoute" };
  if (v6 && (VpcPeeringConnectionId !== undefined || TransitGatewayId !== undefined || VpcEndpointId !== undefined || (typeof GatewayId === "string" && GatewayId.startsWith("vpce-"))))
    throw awsError("InvalidParameterValue", "IPv6 routes to peering connections, transit gateways and VPC endpoints are not supported by the sandbox");
  if (EgressOnlyInternetGatewayId !== undefined) {
    // an egress-only internet gateway carries IPv6 only
    if (!v6) throw awsError("InvalidParameterValue", `An egress-only internet gateway (${EgressOnlyInternetGatewayId}) can only be the target of an IPv6 route (destinationIpv6CidrBlock).`);
    const g = eigwOf(ctx.rs, String(EgressOnlyInternetGatewayId));
    if (!g) throw awsError("InvalidGatewayID.NotFound", `The gateway ID '${EgressOnlyInternetGatewayId}' does not exist`);
    if (g.VpcId !== rt.VpcId)
      throw awsError("InvalidParameterValue", `route table ${rt.RouteTableId} and network gateway ${EgressOnlyInternetGatewayId} belong to different networks`);
    route.EgressOnlyInternetGatewayId = EgressOnlyInternetGatewayId;
  } else if (VpcPeeringConnectionId !== undefined || TransitGatewayId !== undefined) {
    transitRouteTarget(ctx, rt, route as RouteRec & { DestinationCidrBlock: string });
  } else if (GatewayId !== undefined) {
    if (typeof GatewayId === "string" && GatewayId.startsWith("vpce-")) {
      route.VpcEndpointId = GatewayId;
    } else {
      const g = ctx.rs.internetGateways[GatewayId];
      if (!g || !isVisible(ctx, g)) throw awsError("InvalidGatewayID.NotFound", `The gateway ID '${GatewayId}' does not exist`);
      if (g.VpcId !== rt.VpcId)
        throw awsError("InvalidParameterValue", `route table ${rt.RouteTableId} and network gateway ${GatewayId} belong to different networks`);
      route.GatewayId = GatewayId;
    }
  } else if (NatGatewayId !== undefined) {
    const n = ctx.rs.natGateways[NatGatewayId] as NatRec | undefined;
    if (!n || !isVisible(ctx, n) || n.State === "deleted" || n.State === "deleting" || n.State === "failed")
      throw awsError("InvalidNatGatewayID.NotFound", `The natGateway ID '${NatGatewayId}' does not exist`);
    if (n.VpcId !== rt.VpcId)
      throw awsError("InvalidParameterValue", `route table ${rt.RouteTableId} and NAT gateway ${NatGatewayId} belong to different networks`);
    route.NatGatewayId = NatGatewayId;
  } else if (NetworkInterfaceId !== undefined) {
    const e = get<EniRec>(ctx, "eni", NetworkInterfaceId, "networkInterfaceId");
    if (e.VpcId !== rt.VpcId)
      throw awsError("InvalidParameterValue", `route table ${rt.RouteTableId} and interface ${NetworkInterfaceId} belong to different networks`);
    route.NetworkInterfaceId = NetworkInterfaceId;
  } else {
    route.VpcEndpointId = VpcEndpointId;
  }
  return route;
}

function destinationOf(ctx: OpContext, rt: RouteTableRec, forCreate: boolean): Dest {
  const { DestinationCidrBlock, DestinationIpv6CidrBlock } = ctx.input;
  if (ctx.input.DestinationPrefixListId !== undefined) throw awsError("InvalidParameterValue", "Prefix-list destinations are not supported by the sandbox");
  if (DestinationCidrBlock !== undefined && DestinationIpv6CidrBlock !== undefined)
    throw awsError("InvalidParameterCombination", "Specify either destinationCidrBlock or destinationIpv6CidrBlock, not both.");
  const vpc = ctx.rs.vpcs[rt.VpcId];
  const local = (inside: boolean, dest: string) => {
    if (forCreate && inside && ctx.input.NetworkInterfaceId === undefined)
      throw awsError(
        "InvalidParameterValue",
        `The destination CIDR block ${dest} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.`,
      );
  };
  if (DestinationIpv6CidrBlock !== undefined) {
    const c = typeof DestinationIpv6CidrBlock === "string" && DestinationIpv6CidrBlock.includes("/") ? parseCidr(DestinationIpv6CidrBlock.trim()) : null;
    if (!c || c.v !== 6) throw awsError("InvalidParameterValue", `Value (${DestinationIpv6CidrBlock}) for parameter destinationIpv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.`);
    const dest = formatCidr(c);
    local(Boolean(vpc && vpcIpv6(vpc).some((a) => cidrContains(parseIpv6Block(a.Ipv6CidrBlock, "ipv6CidrBlock"), c))), dest);
    return { field: "DestinationIpv6CidrBlock", value: dest };
  }
  if (DestinationCidrBlock === undefined) throw awsError("MissingParameter", "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock");
  const c = parseIpv4Block(DestinationCidrBlock, false);
  if (!c) throw awsError("InvalidParameterValue", `Value (${DestinationCidrBlock}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
  const dest = formatCidr(c);
  local(Boolean(vpc && dest !== vpc.CidrBlock && cidrContains(parseIpv4Block(vpc.CidrBlock)!, c)), dest);
  return { field: "DestinationCidrBlock", value: dest };
}

const CreateRoute: OpHandler<"ec2", "CreateRoute"> = (ctx) => {
  const rt = get<RouteTableRec>(ctx, "rtb", ctx.input.RouteTableId, "routeTableId");
  const dest = destinationOf(ctx, rt, true);
  if (rt.Routes.some((r) => isDest(r, dest)))
    throw awsError("RouteAlreadyExists", `The route identified by ${dest.value} already exists.`);
  const route = routeTarget(ctx, rt, dest);
  assertRouteRoom(rt);
  ctx.dry();
  rt.Routes.push(route);
  ctx.mutated();
  return { Return: true };
};

const ReplaceRoute: OpHandler<"ec2", "ReplaceRoute"> = (ctx) => {
  const rt = get<RouteTableRec>(ctx, "rtb", ctx.input.RouteTableId, "routeTableId");
  const dest = destinationOf(ctx, rt, false);
  const i = rt.Routes.findIndex((r) => isDest(r, dest));
  if (i < 0)
    throw awsError("InvalidParameterValue", `There is no route defined for '${dest.value}' in the route table. Use CreateRoute instead.`);
  if (rt.Routes[i].GatewayId === "local" && ctx.input.NetworkInterfaceId === undefined)
    throw awsError("InvalidParameterValue", `cannot replace local route ${dest.value} in route table ${rt.RouteTableId}`);
  const route = routeTarget(ctx, rt, dest);
  ctx.dry();
  rt.Routes[i] = route;
  ctx.mutated();
  return {};
};

const DeleteRoute: OpHandler<"ec2", "DeleteRoute"> = (ctx) => {
  const rt = get<RouteTableRec>(ctx, "rtb", ctx.input.RouteTableId, "routeTableId");
  const dest = destinationOf(ctx, rt, false);
  const r = rt.Routes.find((x) => isDest(x, dest));
  if (!r) throw awsError("InvalidRoute.NotFound", `no route with destination-${dest.field === "DestinationCidrBlock" ? "" : "ipv6-"}cidr-block ${dest.value} in route table ${rt.RouteTableId}`);
  if (r.GatewayId === "local") throw awsError("InvalidParameterValue", `cannot remove local route ${dest.value} in route table ${rt.RouteTableId}`);
  ctx.dry();
  rt.Routes = rt.Routes.filter((x) => x !== r);
  ctx.mutated();
  return {};
};

// ---------- network ACLs (read-only: each VPC's default ACL) ----------

const naclFilters: FilterFns<NaclRec> = {
  "network-acl-id": (n) => [n.NetworkAclId],
  "vpc-id": (n) => [n.VpcId],
  default: (n) => [String(n.IsDefault)],
  "owner-id": () => [], // replaced per call by withOwner
};

// Network ACL entries. The entries live on the ACL record (`_entries`, as a loaded snapshot holds
// them); an ACL never written keeps the defaults AWS gives a default ACL (100 allow, * deny, both ways).
type AclEntry = { RuleNumber: number; Protocol: string; RuleAction: string; Egress: boolean; CidrBlock?: string; Ipv6CidrBlock?: string; PortRange?: { From: number; To: number }; IcmpTypeCode?: { Type: number; Code: number } };

function aclEntries(ctx: OpContext, acl: NaclRec): AclEntry[] {
  const rec = acl as NaclRec & { _entries?: AclEntry[] };
  rec._entries ??= naclView(ctx, acl).Entries as AclEntry[];
  return rec._entries;
}

const PROTOCOL_NUMBERS: Record<string, string> = { all: "-1", tcp: "6", udp: "17", icmp: "1", icmpv6: "58" };

const CreateNetworkAclEntry: OpHandler<"ec2", "CreateNetworkAclEntry"> = (ctx) => {
  const acl = get<NaclRec>(ctx, "acl", ctx.input.NetworkAclId, "networkAclId");
  const n = Number(ctx.input.RuleNumber);
  if (ctx.input.RuleNumber === undefined) throw awsError("MissingParameter", "The request must contain the parameter ruleNumber");
  if (!Number.isInteger(n) || n < 1 || n > 32766) throw awsError("InvalidParameterValue", `Invalid value '${ctx.input.RuleNumber}' for ruleNumber. It must be an integer between 1 and 32766.`);
  if (ctx.input.Egress === undefined) throw awsError("MissingParameter", "The request must contain the parameter egress");
  const rawProto = String(ctx.input.Protocol ?? "");
  if (!rawProto) throw awsError("MissingParameter", "The request must contain the parameter protocol");
  const protocol = PROTOCOL_NUMBERS[rawProto.toLowerCase()] ?? rawProto;
  if (!/^(-1|\d{1,3})$/.test(protocol) || Number(protocol) > 255) throw awsError("InvalidParameterValue", `Invalid value '${rawProto}' for protocol.`);
  const action = String(ctx.input.RuleAction ?? "");
  if (action !== "allow" && action !== "deny") throw awsError("InvalidParameterValue", `Invalid value '${action}' for ruleAction. It must be allow or deny.`);
  const v4 = ctx.input.CidrBlock as string | undefined;
  const v6 = ctx.input.Ipv6CidrBlock as string | undefined;
  if (!v4 === !v6) throw awsError(v4 ? "InvalidParameterCombination" : "MissingParameter", v4 ? "Specify either cidrBlock or ipv6CidrBlock, not both." : "The request must contain the parameter cidrBlock or ipv6CidrBlock");
  if (v4 && !parseIpv4Block(v4)) throw awsError("InvalidParameterValue", `Value (${v4}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  const range = ctx.input.PortRange as { From?: number; To?: number } | undefined;
  if ((protocol === "6" || protocol === "17") && (range?.From === undefined || range?.To === undefined)) throw awsError("MissingParameter", "The request must contain the parameter portRange");
  if (range && (Number(range.From) < 0 || Number(range.To) > 65535 || Number(range.From) > Number(range.To))) throw awsError("InvalidParameterValue", "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.");
  const egress = !!bool(ctx.input.Egress);
  const entries = aclEntries(ctx, acl);
  if (entries.some((e) => e.RuleNumber === n && e.Egress === egress)) throw awsError("NetworkAclEntryAlreadyExists", `The network acl entry identified by ${n} already exists.`);
  ctx.dry();
  entries.push({ RuleNumber: n, Protocol: protocol, RuleAction: action, Egress: egress, ...(v4 ? { CidrBlock: v4 } : { Ipv6CidrBlock: v6 }), ...(range && (protocol === "6" || protocol === "17") ? { PortRange: { From: Number(range.From), To: Number(range.To) } } : {}) });
  entries.sort((a, b) => Number(a.Egress) - Number(b.Egress) || a.RuleNumber - b.RuleNumber);
  ctx.mutated();
  return {};
};

const DeleteNetworkAclEntry: OpHandler<"ec2", "DeleteNetworkAclEntry"> = (ctx) => {
  const acl = get<NaclRec>(ctx, "acl", ctx.input.NetworkAclId, "networkAclId");
  const n = Number(ctx.input.RuleNumber);
  const egress = !!bool(ctx.input.Egress);
  const entries = aclEntries(ctx, acl);
  const i = entries.findIndex((e) => e.RuleNumber === n && e.Egress === egress && n !== 32767);
  if (i < 0) throw awsError("InvalidNetworkAclEntry.NotFound", `The network acl entry identified by ${ctx.input.RuleNumber} does not exist.`);
  ctx.dry();
  entries.splice(i, 1);
  ctx.mutated();
  return {};
};

const DescribeNetworkAcls: OpHandler<"ec2", "DescribeNetworkAcls"> = (ctx) => {
  const fns: FilterFns<NaclRec> = {
    ...withOwner(ctx, naclFilters),
    "association.subnet-id": (n) => naclView(ctx, n).Associations.map((a) => a.SubnetId),
    "association.association-id": (n) => naclView(ctx, n).Associations.map((a) => a.NetworkAclAssociationId),
    "association.network-acl-id": (n) => (naclView(ctx, n).Associations.length ? [n.NetworkAclId] : []),
  };
  const { page, NextToken } = describePage(ctx, "acl", { ids: ctx.input.NetworkAclIds, filters: ctx.input.Filters, fns, tagsOf, input: ctx.input, operation: "DescribeNetworkAcls", limits: { min: 5, max: 100 } });
  return { NetworkAcls: page.map((n) => naclView(ctx, n)), ...(NextToken ? { NextToken } : {}) };
};

// the snapshot's large reads: their views (ec2-core.ts) build every object of the answer
freshOutputs(DescribeVpcs, DescribeSubnets, DescribeInternetGateways, DescribeRouteTables, DescribeNetworkAcls);

export const networkOps: Ops<"ec2"> = {
  DescribeRegions,
  DescribeAvailabilityZones,
  DescribeAccountAttributes,
  CreateVpc,
  DescribeVpcs,
  DeleteVpc,
  ModifyVpcAttribute,
  DescribeVpcAttribute,
  CreateSubnet,
  DescribeSubnets,
  DeleteSubnet,
  ModifySubnetAttribute,
  CreateInternetGateway,
  DescribeInternetGateways,
  AttachInternetGateway,
  DetachInternetGateway,
  DeleteInternetGateway,
  CreateRouteTable,
  DescribeRouteTables,
  DeleteRouteTable,
  AssociateRouteTable,
  DisassociateRouteTable,
  ReplaceRouteTableAssociation,
  CreateRoute,
  ReplaceRoute,
  DeleteRoute,
  DescribeNetworkAcls,
  CreateNetworkAclEntry,
  DeleteNetworkAclEntry,
};
