// EC2 IPv6: Amazon-provided VPC blocks (/56), subnet blocks (/64 inside them), egress-only internet
// gateways, and the IPv6 checks CreateSubnet, ModifySubnetAttribute and the route operations share.
import { awsError } from "./errors.js";
import { cidrContains, cidrOverlaps, formatCidr, hasHostBits, parseCidr, type Cidr } from "../net/addr.js";
import { get, isVisible, naclView } from "./ec2-core.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler } from "./handler.js";
import { newId } from "./model.js";
import type { Ipv6AssocRec, NaclRec, RegionState, SubnetRec, Tag, VpcRec } from "./model.js";
import { lookup } from "./indexes.js";
import { applyFilters, fingerprint, paginate, tagsFromSpecs, tagsOut } from "./query.js";
import { type EigwRec, eigwOf, eigwStore, eigwsOfVpc, imported, subnetIpv6View, vpcIpv6, vpcIpv6View } from "./ec2-ipv6-model.js";

export { eigwOf, eigwsOfVpc, vpcIpv6, vpcIpv6View } from "./ec2-ipv6-model.js";

/** An IPv6 block as EC2 takes it: "2600:1f18:…::/n", host bits zero. */
export function parseIpv6Block(value: unknown, param: string): Cidr {
  const c = typeof value === "string" && value.includes("/") ? parseCidr(value.trim()) : null;
  if (!c || c.v !== 6 || hasHostBits(c)) throw awsError("InvalidParameterValue", `Value (${String(value)}) for parameter ${param} is invalid. This is not a valid IPv6 CIDR block.`);
  return c;
}


/**
 * A new Amazon-provided /56 from the region's pool (2600:1f18::/32 style; unique in the region). AWS
 * gives one per network border group: a second is refused.
 */
export function associateAmazonIpv6(ctx: OpContext, vpc: VpcRec, borderGroup: unknown): Ipv6AssocRec {
  if (borderGroup !== undefined && borderGroup !== ctx.region)
    throw awsError("InvalidParameterValue", `The network border group '${String(borderGroup)}' is invalid (the sandbox has one per region: ${ctx.region}).`);
  if (vpcIpv6(vpc).length) throw awsError("CidrLimitExceeded", `This network '${vpc.VpcId}' has met its maximum number of allowed CIDRs: 1 Amazon-provided IPv6 CIDR block per network border group.`);
  const taken = new Set(Object.values(ctx.rs.vpcs).flatMap((v) => vpcIpv6(v).map((a) => a.Ipv6CidrBlock)));
  let block: string;
  do {
    const h = newId("x").slice(2);
    block = formatCidr(parseCidr(`2600:1f${h.slice(0, 2)}:${h.slice(2, 6)}:${h.slice(6, 8)}00::/56`)!);
  } while (taken.has(block));
  const assoc: Ipv6AssocRec = { AssociationId: newId("vpc-cidr-assoc"), Ipv6CidrBlock: block, NetworkBorderGroup: ctx.region };
  vpc.Ipv6Cidrs = [...vpcIpv6(vpc), assoc];
  // every route table of the VPC routes its block locally (AWS adds the local route itself)
  for (const rt of lookup<{ VpcId: string; Routes: any[] }>(ctx.rs, "rtb.vpc", vpc.VpcId))
    if (rt.VpcId === vpc.VpcId) rt.Routes.push({ DestinationIpv6CidrBlock: block, GatewayId: "local", Origin: "CreateRouteTable" });
  // and the default network ACL gets rules that allow all IPv6 traffic in and out (VPC User Guide, "Default
  // network ACL": added when an IPv6 block is associated), rule 101, before the ::/0 deny-all.
  const acl = Object.values(ctx.rs.networkAcls).find((a) => a.VpcId === vpc.VpcId && a.IsDefault) as (NaclRec & { _entries?: any[] }) | undefined;
  if (acl) {
    acl._entries ??= naclView(ctx, acl).Entries;
    for (const egress of [false, true]) {
      if (!acl._entries.some((e) => e.RuleNumber === 101 && e.Egress === egress)) acl._entries.push({ RuleNumber: 101, Protocol: "-1", RuleAction: "allow", Egress: egress, Ipv6CidrBlock: "::/0" });
      if (!acl._entries.some((e) => e.RuleNumber === 32768 && e.Egress === egress)) acl._entries.push({ RuleNumber: 32768, Protocol: "-1", RuleAction: "deny", Egress: egress, Ipv6CidrBlock: "::/0" });
    }
    acl._entries.sort((a, b) => Number(a.Egress) - Number(b.Egress) || a.RuleNumber - b.RuleNumber);
  }
  return assoc;
}

/**
 * CreateSubnet's IPv6 part: a /64 inside one of the VPC's IPv6 blocks, overlapping no other subnet's;
 * Ipv6Native (IPv6-only) needs it and takes no IPv4 CidrBlock. Returns the subnet's IPv6 fields.
 */
export function subnetIpv6Fields(ctx: OpContext, vpc: VpcRec, hasIpv4: boolean): Partial<SubnetRec> {
  const { Ipv6CidrBlock } = ctx.input;
  const native = ctx.input.Ipv6Native === true || ctx.input.Ipv6Native === "true";
  if (native && hasIpv4) throw awsError("InvalidParameterCombination", "An IPv6-only subnet (ipv6Native) cannot have an IPv4 CIDR block (cidrBlock).");
  if (native && Ipv6CidrBlock === undefined) throw awsError("MissingParameter", "The request must contain the parameter ipv6CidrBlock for an IPv6-only subnet.");
  if (Ipv6CidrBlock === undefined) return {};
  const c = parseIpv6Block(Ipv6CidrBlock, "ipv6CidrBlock");
  const blocks = vpcIpv6(vpc).map((a) => parseCidr(a.Ipv6CidrBlock)!);
  if (!blocks.length) throw awsError("InvalidParameterValue", `The VPC '${vpc.VpcId}' has no IPv6 CIDR block associated; associate one (AssociateVpcCidrBlock) before creating an IPv6 subnet.`);
  if (c.len !== 64 || !blocks.some((b) => cidrContains(b, c))) throw awsError("InvalidSubnet.Range", `The IPv6 CIDR '${Ipv6CidrBlock}' is invalid: a subnet's IPv6 block is a /64 inside the VPC's IPv6 CIDR block.`);
  const clash = Object.values(ctx.rs.subnets).find((s) => s.VpcId === vpc.VpcId && (s.Ipv6Cidrs ?? []).some((a) => cidrOverlaps(parseCidr(a.Ipv6CidrBlock)!, c)));
  if (clash) throw awsError("InvalidSubnet.Conflict", `The CIDR '${Ipv6CidrBlock}' conflicts with another subnet`);
  return {
    Ipv6Cidrs: [{ AssociationId: newId("subnet-cidr-assoc"), Ipv6CidrBlock: formatCidr(c) }],
    Ipv6Native: native,
    // an IPv6-only subnet's instances are named by resource (there is no IPv4 address to name them by)
    ...(native ? { PrivateDnsNameOptionsOnLaunch: { HostnameType: "resource-name", EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false } } : {}),
  };
}

const bool = (v: unknown) => (v && typeof v === "object" && "Value" in v ? (v as { Value: unknown }).Value : v) === true || v === "true";

/**
 * ModifySubnetAttribute's IPv6 and DNS-name attributes, as AWS refuses them: an IPv6 address on
 * creation or DNS64 or AAAA records need an IPv6 block; an IPv6-only subnet takes no A records and
 * only resource-name hostnames. Returns true when it handled the attribute.
 */
export function modifySubnetIpv6Attribute(ctx: OpContext, s: SubnetRec, name: string): boolean {
  const hasV6 = Boolean(s.Ipv6Cidrs?.length);
  const dns = (s.PrivateDnsNameOptionsOnLaunch ??= { HostnameType: "ip-name", EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false });
  const value = bool(ctx.input[name]);
  const needV6 = (what: string) => {
    if (!hasV6) throw awsError("InvalidParameterValue", `Invalid value 'true' for ${what}. Cannot set ${what} to true unless the subnet (${s.SubnetId}) has an IPv6 CIDR block associated with it.`);
  };
  switch (name) {
    case "AssignIpv6AddressOnCreation":
      if (value) needV6("assignIpv6AddressOnCreation");
      if (!value && s.Ipv6Native) throw awsError("InvalidParameterValue", `Cannot set assignIpv6AddressOnCreation to false on an IPv6-only subnet (${s.SubnetId}).`);
      ctx.dry();
      s.AssignIpv6AddressOnCreation = value;
      break;
    case "EnableDns64":
      if (value) needV6("enableDns64");
      ctx.dry();
      s.EnableDns64 = value;
      break;
    case "EnableResourceNameDnsAAAARecordOnLaunch":
      if (value) needV6("enableResourceNameDnsAAAARecordOnLaunch");
      ctx.dry();
      dns.EnableResourceNameDnsAAAARecord = value;
      break;
    case "EnableResourceNameDnsARecordOnLaunch":
      if (value && s.Ipv6Native) throw awsError("InvalidParameterValue", `Cannot enable DNS A records on an IPv6-only subnet (${s.SubnetId}): it has no IPv4 addresses.`);
      ctx.dry();
      dns.EnableResourceNameDnsARecord = value;
      break;
    case "PrivateDnsHostnameTypeOnLaunch": {
      const t = String(ctx.input.PrivateDnsHostnameTypeOnLaunch);
      if (t !== "ip-name" && t !== "resource-name") throw awsError("InvalidParameterValue", `Invalid value '${t}' for privateDnsHostnameTypeOnLaunch: ip-name or resource-name.`);
      if (t === "ip-name" && s.Ipv6Native) throw awsError("InvalidParameterValue", `An IPv6-only subnet (${s.SubnetId}) supports only resource-name hostnames.`);
      ctx.dry();
      dns.HostnameType = t;
      break;
    }
    default:
      return false;
  }
  ctx.mutated();
  return true;
}

// ---------- AssociateVpcCidrBlock / DisassociateVpcCidrBlock (Amazon-provided IPv6 only) ----------

const AssociateVpcCidrBlock: RecordOpHandler<"ec2", "AssociateVpcCidrBlock"> = (ctx) => {
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  const unsupported = (["CidrBlock", "Ipv4IpamPoolId", "Ipv6IpamPoolId", "Ipv6Pool", "Ipv6CidrBlock"] as const).find((k) => ctx.input[k] !== undefined);
  if (unsupported) throw awsError("InvalidParameterValue", `${unsupported} is not supported by the sandbox (only AmazonProvidedIpv6CidrBlock)`);
  if (!bool(ctx.input.AmazonProvidedIpv6CidrBlock)) throw awsError("MissingParameter", "Either 'cidrBlock', 'amazonProvidedIpv6CidrBlock', 'ipv6Pool' or an IPAM pool should be provided.");
  if (vpcIpv6(vpc).length) associateAmazonIpv6(ctx, vpc, ctx.input.Ipv6CidrBlockNetworkBorderGroup); // throws the limit
  ctx.dry();
  const a = associateAmazonIpv6(ctx, vpc, ctx.input.Ipv6CidrBlockNetworkBorderGroup);
  ctx.mutated();
  return { Ipv6CidrBlockAssociation: vpcIpv6View(a, "associating"), VpcId: vpc.VpcId };
};

const DisassociateVpcCidrBlock: RecordOpHandler<"ec2", "DisassociateVpcCidrBlock"> = (ctx) => {
  const id = ctx.input.AssociationId;
  if (typeof id !== "string" || !id) throw awsError("MissingParameter", "The request must contain the parameter associationId");
  const vpc = Object.values(ctx.rs.vpcs).find((v) => isVisible(ctx, v) && (v.CidrAssociationId === id || vpcIpv6(v).some((a) => a.AssociationId === id)));
  if (!vpc) throw awsError("InvalidVpcCidrBlockAssociationID.NotFound", `The vpc CIDR block association ID '${id}' does not exist`);
  if (vpc.CidrAssociationId === id) throw awsError("OperationNotPermitted", `The vpc CIDR block with association ID ${id} may not be disassociated. It is the primary IPv4 CIDR block of the VPC`);
  const a = vpcIpv6(vpc).find((x) => x.AssociationId === id)!;
  const block = parseCidr(a.Ipv6CidrBlock)!;
  const used = Object.values(ctx.rs.subnets).find((s) => s.VpcId === vpc.VpcId && (s.Ipv6Cidrs ?? []).some((x) => cidrContains(block, parseCidr(x.Ipv6CidrBlock)!)));
  if (used) throw awsError("InvalidCidrBlock.InUse", `The IPv6 CIDR block ${a.Ipv6CidrBlock} is in use by subnet ${used.SubnetId}; disassociate the subnet's IPv6 CIDR block first.`);
  ctx.dry();
  vpc.Ipv6Cidrs = vpcIpv6(vpc).filter((x) => x !== a);
  for (const rt of lookup<{ VpcId: string; Routes: any[] }>(ctx.rs, "rtb.vpc", vpc.VpcId))
    if (rt.VpcId === vpc.VpcId) rt.Routes = rt.Routes.filter((r) => !(r.GatewayId === "local" && r.DestinationIpv6CidrBlock === a.Ipv6CidrBlock));
  ctx.mutated();
  return { Ipv6CidrBlockAssociation: vpcIpv6View(a, "disassociating"), VpcId: vpc.VpcId };
};

// ---------- egress-only internet gateways ----------

function eigwView(g: EigwRec) {
  return { EgressOnlyInternetGatewayId: g.EgressOnlyInternetGatewayId, Attachments: [{ VpcId: g.VpcId, State: "attached" }], ...tagsOut(g.Tags) };
}

const EIGW_ID = /^eigw-([0-9a-f]{8}|[0-9a-f]{17})$/;

const CreateEgressOnlyInternetGateway: RecordOpHandler<"ec2", "CreateEgressOnlyInternetGateway"> = (ctx) => {
  const vpc = get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId");
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "egress-only-internet-gateway");
  const token = ctx.input.ClientToken as string | undefined;
  const fp = fingerprint(ctx.input);
  const prior = token ? ctx.rs.clientTokens[`CreateEgressOnlyInternetGateway:${token}`] : undefined;
  if (prior && prior.fingerprint !== fp) throw awsError("IdempotentParameterMismatch", `Client token already used before with different parameters: '${token}'`);
  ctx.dry();
  const store = eigwStore(ctx.rs);
  if (prior && store[prior.id]) return { EgressOnlyInternetGateway: eigwView(store[prior.id]), ClientToken: token };
  const g: EigwRec = { EgressOnlyInternetGatewayId: newId("eigw"), VpcId: vpc.VpcId, Tags: tags, _createdAt: ctx.now, _visibleAt: ctx.now + ctx.timing.consistencyDelayMs };
  store[g.EgressOnlyInternetGatewayId] = g;
  if (token) ctx.rs.clientTokens[`CreateEgressOnlyInternetGateway:${token}`] = { fingerprint: fp, id: g.EgressOnlyInternetGatewayId };
  ctx.mutated();
  return { EgressOnlyInternetGateway: eigwView(g), ...(token ? { ClientToken: token } : {}) };
};

const DescribeEgressOnlyInternetGateways: RecordOpHandler<"ec2", "DescribeEgressOnlyInternetGateways"> = (ctx) => {
  const ids: string[] | undefined = ctx.input.EgressOnlyInternetGatewayIds;
  for (const id of ids ?? []) if (!EIGW_ID.test(String(id))) throw awsError("InvalidEgressOnlyInternetGatewayId.Malformed", `Invalid id: "${String(id)}"`);
  const own = Object.values(eigwStore(ctx.rs)).filter((g) => isVisible(ctx, g)).map((g) => eigwView(g));
  let items: Array<{ EgressOnlyInternetGatewayId: string; Tags?: Tag[] }> = [...own, ...structuredClone(imported(ctx.rs))];
  const missing = (ids ?? []).filter((id) => !items.some((g) => g.EgressOnlyInternetGatewayId === id));
  if (missing.length) throw awsError("InvalidEgressOnlyInternetGatewayId.NotFound", `The egressOnlyInternetGateway ID '${missing.join(", ")}' does not exist`);
  if (ids?.length) items = items.filter((g) => ids.includes(g.EgressOnlyInternetGatewayId));
  // AWS documents only the tag filters for this call
  items = applyFilters(items, ctx.input.Filters, {}, (g) => g.Tags ?? []);
  ctx.dry();
  const { page, NextToken } = paginate(items, ctx.input, "DescribeEgressOnlyInternetGateways", { min: 5, max: 255 });
  return { EgressOnlyInternetGateways: page, ...(NextToken ? { NextToken } : {}) };
};

const DeleteEgressOnlyInternetGateway: OpHandler<"ec2", "DeleteEgressOnlyInternetGateway"> = (ctx) => {
  const id = ctx.input.EgressOnlyInternetGatewayId;
  if (id === undefined) throw awsError("MissingParameter", "The request must contain the parameter egressOnlyInternetGatewayId");
  if (!EIGW_ID.test(String(id))) throw awsError("InvalidEgressOnlyInternetGatewayId.Malformed", `Invalid id: "${String(id)}"`);
  const store = eigwStore(ctx.rs);
  const g = store[id];
  if (!g || !isVisible(ctx, g)) throw awsError("InvalidEgressOnlyInternetGatewayId.NotFound", `The egressOnlyInternetGateway ID '${id}' does not exist`);
  ctx.dry();
  // routes to it stay, as blackholes (as AWS leaves them)
  delete store[id];
  ctx.mutated();
  return { ReturnCode: true };
};

export const ipv6Ops: Ops<"ec2"> = {
  AssociateVpcCidrBlock,
  DisassociateVpcCidrBlock,
  CreateEgressOnlyInternetGateway,
  DescribeEgressOnlyInternetGateways,
  DeleteEgressOnlyInternetGateway,
};
