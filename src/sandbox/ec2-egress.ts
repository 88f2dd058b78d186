// EC2 operations for Elastic IPs, NAT gateways, security groups, network interfaces and tags; NAT state transitions.
import { lookup } from "./indexes.js";
import type { IpPermission } from "@aws-sdk/client-ec2";
import { peeredVpcs } from "./ec2-peering.js";
import { awsError } from "./errors.js";
import { parseIpv4Block } from "../net/addr.js";
import { withOwner, KINDS, addressView, allocPrivateIp, checkIdFormat, eniView, get, igwOfVpc, isVisible, kindOfId, describePage, listByIds, natView, notFound, rulesOf, sgRuleView, sgView, RULES_PER_GROUP } from "./ec2-core.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler, SharedOpHandler } from "./handler.js";
import { freshOutputs } from "./registry.js";
import { addRule } from "./ec2-network.js";
import { associateRegional, createRegionalNat, disassociateRegional, eipHeldByNat, freePublicIp, regionalSettleDue, releaseRegional, settleRegional } from "./ec2-regional-nat.js";
import { newId, newMac, putEni } from "./model.js";
import type { AddressRec, EniRec, NatRec, RegionState, SgRec, SgRuleRec, SubnetRec, Tag, VpcRec } from "./model.js";
import { applyFilters, checkFilters, fingerprint, mergeTags, paginate, tagsFromSpecs, validateTags, type FilterFns } from "./query.js";

const tagsOf = (r: { Tags: Tag[] }) => r.Tags;
const EIP_QUOTA = 5;
const DELETED_NAT_RETENTION_MS = 60 * 60 * 1000;

function base(ctx: OpContext, tags: Tag[] = []) {
  return { Tags: tags, _createdAt: ctx.now, _visibleAt: ctx.now + ctx.timing.consistencyDelayMs };
}

// ---------- time-driven transitions ----------

/** NAT gateways whose timed transition is due by now: found by state, so this costs what is in transit, not every NAT. */
function dueNats(rs: RegionState, now: number): NatRec[] {
  return ["pending", "deleting", "deleted", "failed"]
    .flatMap((st) => lookup<NatRec>(rs, "nat.state", st))
    .filter(
      (n) =>
        (n.State === "pending" && now >= n._readyAt) ||
        (n.State === "deleting" && n._deleteAt !== undefined && now >= n._deleteAt) ||
        ((n.State === "deleted" || n.State === "failed") && n._deletedAt !== undefined && now >= n._deletedAt + DELETED_NAT_RETENTION_MS),
    );
}

/** Would settle change anything now? (read on the plain state: no tracking, nothing serialised) */
export const natSettleDue = (rs: RegionState, now: number): boolean =>
  dueNats(rs, now).length > 0 || lookup<NatRec>(rs, "nat.mode", "regional").some((n) => regionalSettleDue(rs, n, now));

/**
 * Applies NAT transitions that are due (pending -> available|failed, deleting -> deleted, purge after 1 h;
 * a regional gateway's addresses and AZ expansion). Returns true if anything changed.
 */
export function settle(rs: RegionState, now: number, state: { regions: Record<string, RegionState> } = { regions: {} }): boolean {
  let changed = false;
  for (const n of dueNats(rs, now)) {
    if (n.State === "pending" && now >= n._readyAt) {
      if (n._willFail) {
        n.State = "failed";
        n.FailureCode = n._willFail.code;
        n.FailureMessage = n._willFail.message;
        n._deletedAt = n._readyAt;
        delete n._willFail;
      } else n.State = "available";
      changed = true;
    }
    if (n.State === "deleting" && n._deleteAt !== undefined && now >= n._deleteAt) {
      n.State = "deleted";
      n._deletedAt = n._deleteAt;
      releaseNatResources(rs, n);
      releaseRegional(rs, n);
      changed = true;
    }
    if ((n.State === "deleted" || n.State === "failed") && n._deletedAt !== undefined && now >= n._deletedAt + DELETED_NAT_RETENTION_MS) {
      delete rs.natGateways[n.NatGatewayId];
      changed = true;
    }
  }
  // regional gateways (any state): addresses associating/draining, automatic mode following the interfaces
  for (const n of lookup<NatRec>(rs, "nat.mode", "regional")) if (settleRegional(rs, state, n, now)) changed = true;
  return changed;
}

function releaseNatResources(rs: RegionState, n: NatRec) {
  if (n.NetworkInterfaceId) {
    for (const a of lookup<AddressRec>(rs, "eip.eni", n.NetworkInterfaceId))
      if (a.NetworkInterfaceId === n.NetworkInterfaceId) {
        delete a.AssociationId;
        delete a.NetworkInterfaceId;
        delete a.PrivateIpAddress;
      }
    delete rs.networkInterfaces[n.NetworkInterfaceId];
  }
}

// ---------- Elastic IPs ----------

const addressFilters: FilterFns<AddressRec> = {
  "allocation-id": (a) => [a.AllocationId],
  "association-id": (a) => [a.AssociationId],
  domain: () => ["vpc"],
  "public-ip": (a) => [a.PublicIp],
  "network-interface-id": (a) => [a.NetworkInterfaceId],
  "private-ip-address": (a) => [a.PrivateIpAddress],
  "network-interface-owner-id": (a) => (a.NetworkInterfaceId ? [] : []),
  "network-border-group": () => [],
  "instance-id": () => [],
  "public-ipv4-pool": () => ["amazon"],
};

const AllocateAddress: RecordOpHandler<"ec2", "AllocateAddress"> = (ctx) => {
  const { Domain, Address, PublicIpv4Pool } = ctx.input;
  if (Domain !== undefined && Domain !== "vpc") throw awsError("InvalidParameterValue", `Invalid value '${Domain}' for domain.`);
  if (Address !== undefined || (PublicIpv4Pool !== undefined && PublicIpv4Pool !== "amazon"))
    throw awsError("InvalidParameterValue", "BYOIP pools are not supported by the sandbox");
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "elastic-ip");
  if (Object.keys(ctx.rs.addresses).length >= EIP_QUOTA) throw awsError("AddressLimitExceeded", "The maximum number of addresses has been reached.");
  ctx.dry();
  const a: AddressRec = { AllocationId: newId("eipalloc"), PublicIp: freePublicIp(ctx.state), ...base(ctx, tags) };
  ctx.rs.addresses[a.AllocationId] = a;
  ctx.mutated();
  // AllocateAddress answers the address's fields without its tags.
  const { Tags: _tags, ...view } = addressView(ctx, a) as ReturnType<typeof addressView> & { Tags?: unknown };
  return view;
};

const DescribeAddresses: RecordOpHandler<"ec2", "DescribeAddresses"> = (ctx) => {
  checkFilters(ctx.input.Filters, addressFilters, tagsOf);
  let list = listByIds<AddressRec>(ctx, "eipalloc", ctx.input.AllocationIds);
  const ips: string[] = ctx.input.PublicIps ?? [];
  if (ips.length) {
    const missing = ips.filter((ip) => !list.some((a) => a.PublicIp === ip));
    if (missing.length) throw awsError("InvalidAddress.NotFound", `Address '${missing[0]}' not found.`);
    list = list.filter((a) => ips.includes(a.PublicIp));
  }
  ctx.dry();
  return { Addresses: applyFilters(list, ctx.input.Filters, addressFilters, tagsOf).map((a) => addressView(ctx, a)) };
};

function addressByParams(ctx: OpContext): AddressRec {
  const { AllocationId, PublicIp } = ctx.input;
  if (AllocationId !== undefined) return get<AddressRec>(ctx, "eipalloc", AllocationId, "allocationId");
  if (PublicIp !== undefined) {
    const a = Object.values(ctx.rs.addresses).find((x) => x.PublicIp === PublicIp && isVisible(ctx, x));
    if (!a) throw awsError("InvalidAddress.NotFound", `Address '${PublicIp}' not found.`);
    return a;
  }
  throw awsError("MissingParameter", "The request must contain the parameter allocationId");
}

const ReleaseAddress: OpHandler<"ec2", "ReleaseAddress"> = (ctx) => {
  const a = addressByParams(ctx);
  if (a.AssociationId) throw awsError("InvalidIPAddress.InUse", `Address ${a.PublicIp} (${a.AllocationId}) is in use.`);
  const heldByNat = Object.values(ctx.rs.natGateways).some((n) => n.AllocationId === a.AllocationId && n.State === "pending" && !n._willFail);
  if (heldByNat || eipHeldByNat(ctx.rs, a.AllocationId)) throw awsError("InvalidIPAddress.InUse", `Address ${a.PublicIp} (${a.AllocationId}) is in use.`);
  ctx.dry();
  delete ctx.rs.addresses[a.AllocationId];
  ctx.mutated();
  return {};
};

const AssociateAddress: OpHandler<"ec2", "AssociateAddress"> = (ctx) => {
  const a = addressByParams(ctx);
  if (ctx.input.InstanceId !== undefined) throw awsError("InvalidInstanceID.NotFound", `The instance ID '${ctx.input.InstanceId}' does not exist`);
  const eni = get<EniRec>(ctx, "eni", ctx.input.NetworkInterfaceId, "networkInterfaceId");
  if (ctx.input.PrivateIpAddress !== undefined && ctx.input.PrivateIpAddress !== eni.PrivateIpAddress)
    throw awsError("InvalidParameterValue", `The specified private IP address ${ctx.input.PrivateIpAddress} is not assigned to interface ${eni.NetworkInterfaceId}`);
  if (!igwOfVpc(ctx.rs, eni.VpcId)) throw awsError("Gateway.NotAttached", `Network ${eni.VpcId} is not attached to any internet gateway`);
  if (a.AssociationId && !ctx.input.AllowReassociation)
    throw awsError("Resource.AlreadyAssociated", `resource ${a.AllocationId} is already associated with associate-id ${a.AssociationId}`);
  const other = Object.values(ctx.rs.addresses).find((x) => x !== a && x.NetworkInterfaceId === eni.NetworkInterfaceId);
  if (other && !ctx.input.AllowReassociation)
    throw awsError("Resource.AlreadyAssociated", `resource ${eni.NetworkInterfaceId} is already associated with ${other.AllocationId}`);
  if (eni.RequesterManaged) throw awsError("AuthFailure", "You do not have permission to access the specified resource.");
  ctx.dry();
  if (other) for (const k of ["AssociationId", "NetworkInterfaceId", "PrivateIpAddress"] as const) delete other[k];
  a.AssociationId = newId("eipassoc");
  a.NetworkInterfaceId = eni.NetworkInterfaceId;
  a.PrivateIpAddress = eni.PrivateIpAddress;
  ctx.mutated();
  return { AssociationId: a.AssociationId };
};

const DisassociateAddress: OpHandler<"ec2", "DisassociateAddress"> = (ctx) => {
  const { AssociationId, PublicIp } = ctx.input;
  const a = Object.values(ctx.rs.addresses).find((x) => (AssociationId !== undefined ? x.AssociationId === AssociationId : PublicIp !== undefined && x.PublicIp === PublicIp));
  if (!a || !a.AssociationId) {
    if (AssociationId === undefined && PublicIp === undefined) throw awsError("MissingParameter", "The request must contain the parameter associationId");
    throw awsError("InvalidAssociationID.NotFound", `The association ID '${AssociationId ?? PublicIp}' does not exist`);
  }
  // a NAT gateway's address (a zonal one's interface is requester-managed; a regional one has none of ours)
  if ((a.NetworkInterfaceId && ctx.rs.networkInterfaces[a.NetworkInterfaceId]?.RequesterManaged) || (!a.NetworkInterfaceId && eipHeldByNat(ctx.rs, a.AllocationId)))
    throw awsError("AuthFailure", "You do not have permission to access the specified resource.");
  ctx.dry();
  for (const k of ["AssociationId", "NetworkInterfaceId", "PrivateIpAddress"] as const) delete a[k];
  ctx.mutated();
  return {};
};

// ---------- NAT gateways ----------

const natFilters: FilterFns<NatRec> = {
  "nat-gateway-id": (n) => [n.NatGatewayId],
  state: (n) => [n.State],
  "subnet-id": (n) => [n.SubnetId],
  "vpc-id": (n) => [n.VpcId],
};

const AVAILABILITY_MODES = ["zonal", "regional"];

const CreateNatGateway: RecordOpHandler<"ec2", "CreateNatGateway"> = (ctx) => {
  const { SubnetId, AllocationId, ClientToken, PrivateIpAddress } = ctx.input;
  const connectivity = ctx.input.ConnectivityType ?? "public";
  if (connectivity !== "public" && connectivity !== "private")
    throw awsError("InvalidParameterValue", `Value (${connectivity}) for parameter connectivityType is invalid.`);
  const mode = ctx.input.AvailabilityMode ?? "zonal";
  if (!AVAILABILITY_MODES.includes(mode)) throw awsError("InvalidParameterValue", `Value (${mode}) for parameter availabilityMode is invalid. Valid values: zonal, regional.`);
  if (mode === "zonal" && (ctx.input.VpcId !== undefined || ctx.input.AvailabilityZoneAddresses !== undefined))
    throw awsError("InvalidParameterCombination", "VpcId and AvailabilityZoneAddresses are for regional NAT gateways (AvailabilityMode=regional); a zonal one takes SubnetId.");
  const fp = fingerprint(ctx.input);
  const prior = ClientToken ? ctx.rs.clientTokens[`CreateNatGateway:${ClientToken}`] : undefined;
  if (prior && prior.fingerprint !== fp)
    throw awsError("IdempotentParameterMismatch", `Client token already used before with different parameters: '${ClientToken}'`);
  if (prior && ctx.rs.natGateways[prior.id]) {
    ctx.dry();
    return { ClientToken, NatGateway: natView(ctx, ctx.rs.natGateways[prior.id]) };
  }
  if (mode === "regional") {
    const nat = createRegionalNat(ctx, tagsFromSpecs(ctx.input.TagSpecifications, "natgateway"));
    ctx.rs.natGateways[nat.NatGatewayId] = nat;
    if (ClientToken) ctx.rs.clientTokens[`CreateNatGateway:${ClientToken}`] = { fingerprint: fp, id: nat.NatGatewayId };
    ctx.mutated();
    return { ...(ClientToken ? { ClientToken } : {}), NatGateway: natView(ctx, nat) };
  }
  const subnet = get<SubnetRec>(ctx, "subnet", SubnetId, "subnetId");
  let eip: AddressRec | undefined;
  if (connectivity === "public") {
    if (AllocationId === undefined)
      throw awsError("MissingParameter", "The request must include the AllocationId parameter. Add the required parameter and retry the request.");
    eip = get<AddressRec>(ctx, "eipalloc", AllocationId, "allocationId");
    if (eip.AssociationId || eipHeldByNat(ctx.rs, eip.AllocationId))
      throw awsError("Resource.AlreadyAssociated", `Elastic IP address [${eip.AllocationId}] is already associated`);
  } else if (AllocationId !== undefined) {
    throw awsError("InvalidParameterCombination", "Private NAT gateways cannot have an Elastic IP address (AllocationId)");
  }
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "natgateway");
  const willFail =
    connectivity === "public" && !igwOfVpc(ctx.rs, subnet.VpcId)
      ? { code: "Gateway.NotAttached", message: `Network ${subnet.VpcId} has no Internet gateway attached` }
      : undefined;
  const privateIp = willFail ? undefined : allocPrivateIp(ctx.rs, subnet, PrivateIpAddress);
  ctx.dry();
  const nat: NatRec = {
    NatGatewayId: newId("nat"),
    SubnetId: subnet.SubnetId,
    VpcId: subnet.VpcId,
    ConnectivityType: connectivity,
    AvailabilityMode: "zonal",
    State: "pending",
    ...(eip ? { AllocationId: eip.AllocationId } : {}),
    _readyAt: ctx.now + ctx.timing.natCreateMs,
    ...(willFail ? { _willFail: willFail } : {}),
    ...base(ctx, tags),
  };
  if (!willFail) {
    const eni: EniRec = {
      NetworkInterfaceId: newId("eni"),
      SubnetId: subnet.SubnetId,
      VpcId: subnet.VpcId,
      AvailabilityZone: subnet.AvailabilityZone,
      InterfaceType: "nat_gateway",
      Description: `Interface for NAT Gateway ${nat.NatGatewayId}`,
      PrivateIpAddress: privateIp!,
      MacAddress: newMac(),
      Groups: [],
      RequesterManaged: true,
      ...base(ctx),
    };
    ctx.rs.networkInterfaces[eni.NetworkInterfaceId] = eni;
    nat.NetworkInterfaceId = eni.NetworkInterfaceId;
    nat.PrivateIp = privateIp;
    if (eip) {
      eip.AssociationId = newId("eipassoc");
      eip.NetworkInterfaceId = eni.NetworkInterfaceId;
      eip.PrivateIpAddress = privateIp;
      Object.assign(nat, { PublicIp: eip.PublicIp, EipAssociationId: eip.AssociationId });
    }
  }
  ctx.rs.natGateways[nat.NatGatewayId] = nat;
  if (ClientToken) ctx.rs.clientTokens[`CreateNatGateway:${ClientToken}`] = { fingerprint: fp, id: nat.NatGatewayId };
  ctx.mutated();
  return { ...(ClientToken ? { ClientToken } : {}), NatGateway: natView(ctx, nat) };
};

const DescribeNatGateways: RecordOpHandler<"ec2", "DescribeNatGateways"> = (ctx) => {
  const { page, NextToken } = describePage<NatRec>(ctx, "nat", {
    ids: ctx.input.NatGatewayIds,
    filters: ctx.input.Filter, // AWS's member is "Filter", singular, for this one operation
    fns: natFilters,
    tagsOf,
    input: ctx.input,
    operation: "DescribeNatGateways",
    notFound: (missing) => awsError("NatGatewayNotFound", `NAT gateway ${missing.join(", ")} was not found`),
  });
  return { NatGateways: page.map((n) => natView(ctx, n)), ...(NextToken ? { NextToken } : {}) };
};

const DeleteNatGateway: OpHandler<"ec2", "DeleteNatGateway"> = (ctx) => {
  const n = get<NatRec>(ctx, "nat", ctx.input.NatGatewayId, "natGatewayId");
  ctx.dry();
  if (n.State === "deleting" || n.State === "deleted") return { NatGatewayId: n.NatGatewayId };
  if (n.State === "failed") {
    n.State = "deleted";
    ctx.mutated();
    return { NatGatewayId: n.NatGatewayId };
  }
  n.State = "deleting";
  n._deleteAt = ctx.now + ctx.timing.natDeleteMs;
  delete n._willFail;
  ctx.mutated();
  return { NatGatewayId: n.NatGatewayId };
};

// ---------- security groups ----------

const sgFilters: FilterFns<SgRec> = {
  "group-id": (g) => [g.GroupId],
  "group-name": (g) => [g.GroupName],
  "vpc-id": (g) => [g.VpcId],
  description: (g) => [g.Description],
  "owner-id": () => [], // replaced per call by withOwner
};

function defaultVpc(ctx: OpContext): VpcRec {
  const v = Object.values(ctx.rs.vpcs).find((x) => x.IsDefault);
  if (!v) throw awsError("VPCIdNotSpecified", "No default VPC for this user");
  return v;
}

const CreateSecurityGroup: OpHandler<"ec2", "CreateSecurityGroup"> = (ctx) => {
  const { GroupName, Description } = ctx.input;
  if (!GroupName) throw awsError("MissingParameter", "The request must contain the parameter groupName");
  if (!Description) throw awsError("MissingParameter", "The request must contain the parameter groupDescription");
  if (String(GroupName).length > 255 || String(Description).length > 255)
    throw awsError("InvalidParameterValue", "Value for parameter groupName or groupDescription is too long (max 255)");
  if (/^sg-/i.test(GroupName)) throw awsError("InvalidParameterValue", "Group names may not be in the format sg-*.");
  if (GroupName === "default") throw awsError("InvalidGroup.Reserved", "The security group 'default' is reserved");
  const vpc = ctx.input.VpcId !== undefined ? get<VpcRec>(ctx, "vpc", ctx.input.VpcId, "vpcId") : defaultVpc(ctx);
  if (lookup<SgRec>(ctx.rs, "sg.vpc", vpc.VpcId).some((g) => g.GroupName === GroupName))
    throw awsError("InvalidGroup.Duplicate", `The security group '${GroupName}' already exists for VPC '${vpc.VpcId}'`);
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "security-group");
  ctx.dry();
  const g: SgRec = { GroupId: newId("sg"), GroupName, Description, VpcId: vpc.VpcId, ...base(ctx, tags) };
  ctx.rs.securityGroups[g.GroupId] = g;
  addRule(ctx, { GroupId: g.GroupId, IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" });
  ctx.mutated();
  return { GroupId: g.GroupId, SecurityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${g.GroupId}`, ...(tags.length ? { Tags: tags } : {}) };
};

function groupByParams(ctx: OpContext): SgRec {
  const { GroupId, GroupName } = ctx.input;
  if (GroupId !== undefined) return get<SgRec>(ctx, "sg", GroupId, "groupId");
  if (GroupName !== undefined) {
    const vpc = defaultVpc(ctx);
    const g = lookup<SgRec>(ctx.rs, "sg.vpc", vpc.VpcId).find((x) => x.GroupName === GroupName && isVisible(ctx, x));
    if (!g) throw awsError("InvalidGroup.NotFound", `The security group '${GroupName}' does not exist in default VPC '${vpc.VpcId}'`);
    return g;
  }
  throw awsError("MissingParameter", "The request must contain the parameter groupId");
}

const DescribeSecurityGroups: OpHandler<"ec2", "DescribeSecurityGroups"> = (ctx) => {
  const fns: FilterFns<SgRec> = {
    ...withOwner(ctx, sgFilters),
    "ip-permission.cidr": (g) => rulesOf(ctx.rs, g.GroupId, false).map((r) => r.CidrIpv4),
    "ip-permission.from-port": (g) => rulesOf(ctx.rs, g.GroupId, false).map((r) => r.FromPort),
    "ip-permission.to-port": (g) => rulesOf(ctx.rs, g.GroupId, false).map((r) => r.ToPort),
    "ip-permission.protocol": (g) => rulesOf(ctx.rs, g.GroupId, false).map((r) => r.IpProtocol),
    "ip-permission.group-id": (g) => rulesOf(ctx.rs, g.GroupId, false).map((r) => r.ReferencedGroupId),
    "egress.ip-permission.cidr": (g) => rulesOf(ctx.rs, g.GroupId, true).map((r) => r.CidrIpv4),
    "egress.ip-permission.from-port": (g) => rulesOf(ctx.rs, g.GroupId, true).map((r) => r.FromPort),
    "egress.ip-permission.to-port": (g) => rulesOf(ctx.rs, g.GroupId, true).map((r) => r.ToPort),
    "egress.ip-permission.protocol": (g) => rulesOf(ctx.rs, g.GroupId, true).map((r) => r.IpProtocol),
    "egress.ip-permission.group-id": (g) => rulesOf(ctx.rs, g.GroupId, true).map((r) => r.ReferencedGroupId),
  };
  checkFilters(ctx.input.Filters, fns, tagsOf);
  let list = listByIds<SgRec>(ctx, "sg", ctx.input.GroupIds, undefined, ctx.input.Filters);
  const names: string[] = ctx.input.GroupNames ?? [];
  if (names.length) {
    const vpc = defaultVpc(ctx);
    const inDefault = list.filter((g) => g.VpcId === vpc.VpcId);
    const missing = names.filter((n) => !inDefault.some((g) => g.GroupName === n));
    if (missing.length) throw awsError("InvalidGroup.NotFound", `The security group '${missing[0]}' does not exist in default VPC '${vpc.VpcId}'`);
    list = inDefault.filter((g) => names.includes(g.GroupName));
  }
  ctx.dry();
  const { page, NextToken } = paginate(applyFilters(list, ctx.input.Filters, fns, tagsOf), ctx.input, "DescribeSecurityGroups");
  return { SecurityGroups: page.map((g) => sgView(ctx, g)), ...(NextToken ? { NextToken } : {}) };
};

const DeleteSecurityGroup: OpHandler<"ec2", "DeleteSecurityGroup"> = (ctx) => {
  const g = groupByParams(ctx);
  if (g.GroupName === "default")
    throw awsError("CannotDelete", `the specified group: "${g.GroupId}" name: "default" cannot be deleted by a user`);
  const usedByEni = lookup<EniRec>(ctx.rs, "eni.group", g.GroupId).length > 0;
  const referenced = lookup<SgRuleRec>(ctx.rs, "sgr.ref", g.GroupId).some((r) => r.GroupId !== g.GroupId);
  const extRefs = Object.values(ctx.rs.ext).some((store: { referencesGroup?: (id: string) => boolean } | undefined) => typeof store?.referencesGroup === "function" && store.referencesGroup(g.GroupId));
  if (usedByEni || referenced || extRefs) throw awsError("DependencyViolation", `resource ${g.GroupId} has a dependent object`);
  ctx.dry();
  for (const r of lookup<SgRuleRec>(ctx.rs, "sgr.group", g.GroupId)) delete ctx.rs.securityGroupRules[r.SecurityGroupRuleId];
  delete ctx.rs.securityGroups[g.GroupId];
  ctx.mutated();
  return { Return: true, GroupId: g.GroupId };
};

type RuleSpec = Omit<SgRuleRec, "SecurityGroupRuleId" | "Tags" | "_createdAt" | "_visibleAt">;

function normalizeProtocol(p: unknown): string {
  const s = String(p ?? "").toLowerCase();
  if (s === "-1" || s === "all") return "-1";
  if (s === "tcp" || s === "6") return "tcp";
  if (s === "udp" || s === "17") return "udp";
  if (s === "icmp" || s === "1") return "icmp";
  if (s === "icmpv6" || s === "58") return "icmpv6";
  if (/^\d+$/.test(s) && Number(s) <= 255) return s;
  throw awsError("InvalidParameterValue", `Invalid value '${String(p)}' for IP protocol. Unknown protocol.`);
}

/** Expands IpPermissions (or the legacy flat parameters) into one rule per source, validating each. */
function ruleSpecs(ctx: OpContext, g: SgRec, egress: boolean): RuleSpec[] {
  const perms: IpPermission[] = ctx.input.IpPermissions?.length
    ? ctx.input.IpPermissions
    : ctx.input.IpProtocol !== undefined || ctx.input.CidrIp !== undefined
      ? [{ IpProtocol: ctx.input.IpProtocol ?? "-1", FromPort: ctx.input.FromPort, ToPort: ctx.input.ToPort, IpRanges: ctx.input.CidrIp ? [{ CidrIp: ctx.input.CidrIp }] : [] }]
      : [];
  if (!perms.length) throw awsError("MissingParameter", "The request must contain the parameter ipPermissions");
  const out: RuleSpec[] = [];
  for (const p of perms) {
    const IpProtocol = normalizeProtocol(p.IpProtocol);
    let FromPort = -1;
    let ToPort = -1;
    if (IpProtocol === "tcp" || IpProtocol === "udp") {
      if (p.FromPort === undefined || p.ToPort === undefined)
        throw awsError("InvalidParameterValue", `Invalid value for portRange. Must specify both from and to ports with TCP/UDP.`);
      FromPort = Number(p.FromPort);
      ToPort = Number(p.ToPort);
      if (!(FromPort >= 0 && ToPort <= 65535 && FromPort <= ToPort))
        throw awsError("InvalidParameterValue", `Invalid value for portRange. The from port (${FromPort}) must be less than or equal to the to port (${ToPort}), both within 0-65535.`);
    } else if (IpProtocol === "icmp" || IpProtocol === "icmpv6") {
      FromPort = p.FromPort ?? -1;
      ToPort = p.ToPort ?? -1;
    }
    const common = { GroupId: g.GroupId, IsEgress: egress, IpProtocol, FromPort, ToPort };
    let n = 0;
    for (const r of p.IpRanges ?? []) {
      const c = parseIpv4Block(r.CidrIp, false);
      if (!c) throw awsError("InvalidParameterValue", `CIDR block ${r.CidrIp} is malformed`);
      out.push({ ...common, CidrIpv4: r.CidrIp, ...(r.Description ? { Description: r.Description } : {}) });
      n++;
    }
    for (const r of p.Ipv6Ranges ?? []) {
      out.push({ ...common, CidrIpv6: r.CidrIpv6, ...(r.Description ? { Description: r.Description } : {}) });
      n++;
    }
    for (const r of p.PrefixListIds ?? []) {
      out.push({ ...common, PrefixListId: r.PrefixListId, ...(r.Description ? { Description: r.Description } : {}) });
      n++;
    }
    for (const r of p.UserIdGroupPairs ?? []) {
      let ref: SgRec | undefined;
      if (r.GroupId !== undefined) {
        checkIdFormat(KINDS.sg, r.GroupId);
        ref = ctx.rs.securityGroups[r.GroupId];
      } else if (r.GroupName !== undefined) ref = lookup<SgRec>(ctx.rs, "sg.vpc", g.VpcId).find((x) => x.GroupName === r.GroupName);
      if (!ref || !isVisible(ctx, ref)) throw awsError("InvalidGroup.NotFound", `The security group '${r.GroupId ?? r.GroupName}' does not exist`);
      // Another VPC's group: only across a peering connection (named, or an active one between the two VPCs).
      if (ref.VpcId !== g.VpcId && !r.VpcPeeringConnectionId && !peeredVpcs(ctx, ref.VpcId, g.VpcId))
        throw awsError("InvalidGroup.NotFound", `You have specified two resources that belong to different networks.`);
      out.push({ ...common, ReferencedGroupId: ref.GroupId, ...(r.Description ? { Description: r.Description } : {}) });
      n++;
    }
    if (n === 0) throw awsError("InvalidParameterValue", "Invalid IpPermissions: at least one source (IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs) is required");
  }
  return out;
}

function sameRule(a: RuleSpec, b: RuleSpec): boolean {
  return (
    a.GroupId === b.GroupId &&
    a.IsEgress === b.IsEgress &&
    a.IpProtocol === b.IpProtocol &&
    a.FromPort === b.FromPort &&
    a.ToPort === b.ToPort &&
    a.CidrIpv4 === b.CidrIpv4 &&
    a.CidrIpv6 === b.CidrIpv6 &&
    a.PrefixListId === b.PrefixListId &&
    a.ReferencedGroupId === b.ReferencedGroupId
  );
}

function describeRule(r: RuleSpec): string {
  const peer = r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupId;
  const proto = r.IpProtocol === "-1" ? "ALL" : r.IpProtocol.toUpperCase();
  return `peer: ${peer}, ${proto}, from port: ${r.FromPort}, to port: ${r.ToPort}, ALLOW`;
}

function authorize(egress: boolean): SharedOpHandler<"ec2", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"> {
  return (ctx) => {
    const g = groupByParams(ctx);
    const specs = ruleSpecs(ctx, g, egress);
    const existing = rulesOf(ctx.rs, g.GroupId, egress);
    specs.forEach((s, i) => {
      if (existing.some((e) => sameRule(e, s)) || specs.slice(0, i).some((o) => sameRule(o, s)))
        throw awsError("InvalidPermission.Duplicate", `the specified rule "${describeRule(s)}" already exists`);
    });
    if (existing.length + specs.length > RULES_PER_GROUP) throw awsError("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.");
    const tags = tagsFromSpecs(ctx.input.TagSpecifications, "security-group-rule");
    ctx.dry();
    const created = specs.map((s) => {
      const r = addRule(ctx, s);
      r.Tags = tags;
      return r;
    });
    ctx.mutated();
    return { Return: true, SecurityGroupRules: created.map((r) => sgRuleView(ctx, r)) };
  };
}

function revoke(egress: boolean): SharedOpHandler<"ec2", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress"> {
  return (ctx) => {
    const g = groupByParams(ctx);
    let victims: SgRuleRec[];
    if (ctx.input.SecurityGroupRuleIds?.length) {
      victims = (ctx.input.SecurityGroupRuleIds as string[]).map((id) => {
        const r = ctx.rs.securityGroupRules[id];
        if (!r || r.GroupId !== g.GroupId || r.IsEgress !== egress)
          throw awsError("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
        return r;
      });
    } else {
      const specs = ruleSpecs(ctx, g, egress);
      const existing = rulesOf(ctx.rs, g.GroupId, egress);
      victims = specs.map((s) => {
        const r = existing.find((e) => sameRule(e, s));
        if (!r) throw awsError("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
        return r;
      });
    }
    ctx.dry();
    for (const r of victims) delete ctx.rs.securityGroupRules[r.SecurityGroupRuleId];
    ctx.mutated();
    return { Return: true, RevokedSecurityGroupRules: victims.map((r) => ({ SecurityGroupRuleId: r.SecurityGroupRuleId, GroupId: r.GroupId, IsEgress: r.IsEgress, IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort, ...(r.CidrIpv4 ? { CidrIpv4: r.CidrIpv4 } : {}), ...(r.ReferencedGroupId ? { ReferencedGroupId: r.ReferencedGroupId } : {}) })) };
  };
}

const sgRuleFilters: FilterFns<SgRuleRec> = {
  "group-id": (r) => [r.GroupId],
  "security-group-rule-id": (r) => [r.SecurityGroupRuleId],
};

const DescribeSecurityGroupRules: OpHandler<"ec2", "DescribeSecurityGroupRules"> = (ctx) => {
  const { page, NextToken } = describePage<SgRuleRec>(ctx, "sgr", { ids: ctx.input.SecurityGroupRuleIds, filters: ctx.input.Filters, fns: sgRuleFilters, tagsOf, input: ctx.input, operation: "DescribeSecurityGroupRules" });
  return { SecurityGroupRules: page.map((r) => sgRuleView(ctx, r)), ...(NextToken ? { NextToken } : {}) };
};

// ---------- network interfaces ----------

const DescribeNetworkInterfaces: RecordOpHandler<"ec2", "DescribeNetworkInterfaces"> = (ctx) => {
  const assoc = (e: EniRec) => lookup<AddressRec>(ctx.rs, "eip.eni", e.NetworkInterfaceId)[0];
  const fns: FilterFns<EniRec> = {
    "network-interface-id": (e) => [e.NetworkInterfaceId],
    "subnet-id": (e) => [e.SubnetId],
    "vpc-id": (e) => [e.VpcId],
    "availability-zone": (e) => [e.AvailabilityZone],
    "interface-type": (e) => [e.InterfaceType],
    "group-id": (e) => e.Groups,
    description: (e) => [e.Description],
    status: (e) => [(e as { _status?: string })._status ?? "in-use"],
    "requester-managed": (e) => [String(e.RequesterManaged)],
    "private-ip-address": (e) => [e.PrivateIpAddress],
    "addresses.private-ip-address": (e) => [e.PrivateIpAddress],
    "association.public-ip": (e) => [assoc(e)?.PublicIp],
    "association.allocation-id": (e) => [assoc(e)?.AllocationId],
    "association.association-id": (e) => [assoc(e)?.AssociationId],
    "owner-id": () => [ctx.accountId],
  };
  const tagSet = (e: EniRec) => e.Tags;
  const { page, NextToken } = describePage(ctx, "eni", { ids: ctx.input.NetworkInterfaceIds, filters: ctx.input.Filters, fns, tagsOf: tagSet, input: ctx.input, operation: "DescribeNetworkInterfaces" });
  return { NetworkInterfaces: page.map((e) => eniView(ctx, e)), ...(NextToken ? { NextToken } : {}) };
};

/**
 * CreateNetworkInterface: a detached ("available") interface in a subnet with the given groups (the
 * VPC's default group when none), a private IP from the subnet, tags at creation, ClientToken
 * idempotency as AWS documents it.
 */
const CreateNetworkInterface: RecordOpHandler<"ec2", "CreateNetworkInterface"> = (ctx) => {
  const { SubnetId, Groups, Description, PrivateIpAddress, ClientToken } = ctx.input;
  if (SubnetId === undefined) throw awsError("MissingParameter", "The request must contain the parameter subnetId");
  const subnet = get<SubnetRec>(ctx, "subnet", SubnetId, "subnetId");
  const fp = fingerprint({ SubnetId, Groups, Description, PrivateIpAddress });
  const tokenKey = ClientToken ? `CreateNetworkInterface:${ClientToken}` : undefined;
  const prior = tokenKey ? ctx.rs.clientTokens[tokenKey] : undefined;
  if (prior && prior.fingerprint !== fp) throw awsError("IdempotentParameterMismatch", `Client token already used before with different parameters: '${ClientToken}'`);
  if (prior && ctx.rs.networkInterfaces[prior.id]) return { NetworkInterface: eniView(ctx, ctx.rs.networkInterfaces[prior.id]!), ClientToken };
  const groups: string[] = Groups?.length ? Groups : [lookup<SgRec>(ctx.rs, "sg.vpc", subnet.VpcId).find((g) => g.GroupName === "default")!.GroupId];
  for (const g of groups) {
    const rec = get<SgRec>(ctx, "sg", g, "groupId");
    if (rec.VpcId !== subnet.VpcId) throw awsError("InvalidParameterValue", `security group ${g} and subnet ${SubnetId} belong to different networks.`);
  }
  if (Description !== undefined && String(Description).length > 255) throw awsError("InvalidParameterValue", "Value for parameter description is too long (max 255)");
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "network-interface");
  const ip = allocPrivateIp(ctx.rs, subnet, PrivateIpAddress);
  ctx.dry();
  const eni = putEni(ctx.rs, subnet, ip, { Description: Description ?? "", Groups: groups, _status: "available", ...base(ctx, tags) } as Partial<EniRec> & Pick<EniRec, "Groups">);
  if (tokenKey) ctx.rs.clientTokens[tokenKey] = { fingerprint: fp, id: eni.NetworkInterfaceId };
  ctx.mutated();
  return { NetworkInterface: eniView(ctx, eni), ...(ClientToken ? { ClientToken } : {}) };
};

/** DeleteNetworkInterface: only an interface of yours that is not attached (AWS: InvalidNetworkInterface.InUse). */
const DeleteNetworkInterface: OpHandler<"ec2", "DeleteNetworkInterface"> = (ctx) => {
  const { NetworkInterfaceId } = ctx.input;
  if (NetworkInterfaceId === undefined) throw awsError("MissingParameter", "The request must contain the parameter networkInterfaceId");
  const eni = get<EniRec>(ctx, "eni", NetworkInterfaceId, "networkInterfaceId");
  if (eni.RequesterManaged || (eni as { _attachment?: unknown })._attachment || eni.InterfaceType !== "interface")
    throw awsError("InvalidNetworkInterface.InUse", `The network interface ${NetworkInterfaceId} is currently in use.`);
  if (lookup<AddressRec>(ctx.rs, "eip.eni", eni.NetworkInterfaceId).some((a) => a.AssociationId))
    throw awsError("InvalidNetworkInterface.InUse", `The network interface ${NetworkInterfaceId} is currently in use (an Elastic IP is associated).`);
  ctx.dry();
  delete ctx.rs.networkInterfaces[eni.NetworkInterfaceId];
  ctx.mutated();
  return {};
};

// ---------- tags ----------

function taggable(ctx: OpContext, id: unknown): { Tags: Tag[]; _visibleAt: number } {
  if (typeof id !== "string") throw awsError("InvalidID", `The ID '${String(id)}' is not valid`);
  const k = kindOfId(id);
  if (!k) {
    type Taggable = { Tags: Tag[]; _visibleAt: number };
    const stores = Object.values(ctx.rs.ext) as Array<{ taggable?: (id: string) => Taggable | undefined } | undefined>;
    const found = stores.map((s) => (typeof s?.taggable === "function" ? s.taggable(id) : undefined)).find((t) => t);
    if (found) return found;
    throw awsError("InvalidID", `The ID '${id}' is not valid`);
  }
  checkIdFormat(k, id);
  const rec = (ctx.rs[k.coll] as Record<string, { Tags: Tag[]; _visibleAt: number } | undefined>)[id];
  if (!rec || !isVisible(ctx, rec)) throw notFound(k, [id]);
  return rec;
}

const CreateTags: OpHandler<"ec2", "CreateTags"> = (ctx) => {
  const ids: unknown[] = ctx.input.Resources ?? [];
  if (!ids.length) throw awsError("MissingParameter", "The request must contain the parameter resourceIdSet");
  const tags = validateTags(ctx.input.Tags);
  if (!tags.length) throw awsError("MissingParameter", "The request must contain the parameter tagSet");
  const recs = ids.map((id) => taggable(ctx, id));
  recs.forEach((r) => mergeTags(r.Tags, tags)); // limit check before any change
  ctx.dry();
  for (const r of recs) r.Tags = mergeTags(r.Tags, tags);
  ctx.mutated();
  return {};
};

const DeleteTags: OpHandler<"ec2", "DeleteTags"> = (ctx) => {
  const ids: unknown[] = ctx.input.Resources ?? [];
  if (!ids.length) throw awsError("MissingParameter", "The request must contain the parameter resourceIdSet");
  const recs = ids.map((id) => taggable(ctx, id));
  const spec: Array<{ Key?: string; Value?: string }> | undefined = ctx.input.Tags;
  ctx.dry();
  for (const r of recs) {
    r.Tags = spec?.length
      ? r.Tags.filter((t) => !spec.some((s) => s.Key === t.Key && (s.Value === undefined || s.Value === t.Value)))
      : [];
  }
  ctx.mutated();
  return {};
};

const DescribeTags: RecordOpHandler<"ec2", "DescribeTags"> = (ctx) => {
  type Row = { Key: string; Value: string; ResourceId: string; ResourceType: string };
  const fns: FilterFns<Row> = {
    key: (r) => [r.Key],
    value: (r) => [r.Value],
    "resource-id": (r) => [r.ResourceId],
    "resource-type": (r) => [r.ResourceType],
  };
  checkFilters(ctx.input.Filters, fns);
  ctx.dry();
  // A resource-type filter without wildcards reads only those collections (destroy's sweep names its
  // kinds: a large account's network interfaces and rules are not read for it); every filter still applies.
  const types = ctx.input.Filters?.find((f) => f.Name === "resource-type")?.Values;
  const only = types?.every((v) => typeof v === "string" && !/[*?\\]/.test(v)) ? new Set(types) : undefined;
  const rows: Row[] = [];
  for (const k of Object.values(KINDS)) {
    if (only && !only.has(k.resourceType)) continue;
    for (const [id, rec] of Object.entries(ctx.rs[k.coll] as Record<string, { Tags: Tag[]; _visibleAt: number }>)) {
      if (!isVisible(ctx, rec)) continue;
      for (const t of rec.Tags as Tag[]) rows.push({ Key: t.Key, Value: t.Value, ResourceId: id, ResourceType: k.resourceType });
    }
  }
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  rows.sort((a, b) => cmp(a.ResourceId, b.ResourceId) || cmp(a.Key, b.Key));
  const { page, NextToken } = paginate(applyFilters(rows, ctx.input.Filters, fns), ctx.input, "DescribeTags");
  return { Tags: page, ...(NextToken ? { NextToken } : {}) };
};

// the snapshot's large reads: their views (ec2-core.ts) build every object of the answer
freshOutputs(DescribeAddresses, DescribeNatGateways, DescribeSecurityGroups, DescribeNetworkInterfaces);

export const egressOps: Ops<"ec2"> = {
  AllocateAddress,
  DescribeAddresses,
  ReleaseAddress,
  AssociateAddress,
  DisassociateAddress,
  CreateNatGateway,
  DescribeNatGateways,
  DeleteNatGateway,
  AssociateNatGatewayAddress: associateRegional,
  DisassociateNatGatewayAddress: disassociateRegional,
  CreateSecurityGroup,
  DescribeSecurityGroups,
  DeleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
  DescribeSecurityGroupRules,
  DescribeNetworkInterfaces,
  CreateNetworkInterface,
  DeleteNetworkInterface,
  CreateTags,
  DeleteTags,
  DescribeTags,
};

