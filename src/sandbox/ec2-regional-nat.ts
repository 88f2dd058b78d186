// Regional NAT gateways (CreateNatGateway with AvailabilityMode=regional), per AWS's "Regional NAT gateways
// for automatic multi-AZ expansion": one gateway per VPC in no subnet, public only, its addresses per AZ.
// Automatic mode (no AvailabilityZoneAddresses): AWS covers every AZ where the VPC has a network interface,
// allocating the IPs itself, expanding when an interface appears in a new AZ and retracting when the last one
// goes. Manual mode: the caller's Elastic IPs per AZ; only those AZs are served; AZs are added and removed with
// Associate/DisassociateNatGatewayAddress. What AWS does not document is chosen here and listed in the
// sandbox's deviations (README.md).
import { awsError } from "./errors.js";
import { type OpContext, get, igwOfVpc, regionalAddressView } from "./ec2-core.js";
import type { RecordOpHandler } from "./handler.js";
import { lookup } from "./indexes.js";
import { newId, zonesOf } from "./model.js";
import type { AddressRec, EniRec, NatRec, RegionalNatAddressRec, RegionState, VpcRec } from "./model.js";

/** IP addresses one AZ of a regional NAT gateway holds (AWS: up to 32 per AZ for a regional gateway). */
export const REGIONAL_IPS_PER_AZ = 32;
/** Drain before a disassociated address is free, when the caller gives none (AWS's default, 350 s). */
const DEFAULT_DRAIN_S = 350;

type AzAddress = { AvailabilityZone?: string; AvailabilityZoneId?: string; AllocationIds?: string[] };

/** The AZ an AvailabilityZone / AvailabilityZoneId pair names: exactly one of them, a zone of the region. */
export function zoneOf(ctx: OpContext, o: { AvailabilityZone?: string; AvailabilityZoneId?: string }, what: string) {
  if (o.AvailabilityZone !== undefined && o.AvailabilityZoneId !== undefined)
    throw awsError("InvalidParameterCombination", `${what}: specify either AvailabilityZone or AvailabilityZoneId, not both.`);
  if (o.AvailabilityZone === undefined && o.AvailabilityZoneId === undefined)
    throw awsError("MissingParameter", `${what}: the request must contain the parameter AvailabilityZone or AvailabilityZoneId.`);
  const zone = zonesOf(ctx.region).find((z) => z.ZoneName === o.AvailabilityZone || z.ZoneId === o.AvailabilityZoneId);
  if (!zone) throw awsError("InvalidParameterValue", `${what}: invalid Availability Zone '${o.AvailabilityZone ?? o.AvailabilityZoneId}' for region ${ctx.region}.`);
  return zone;
}

/** Is this Elastic IP held by a NAT gateway (zonal primary, or any address of a regional one, draining included)? */
export function eipHeldByNat(rs: RegionState, allocationId: string): boolean {
  return Object.values(rs.natGateways).some(
    (n) =>
      (n.AllocationId === allocationId && (n.State === "pending" || n.State === "available" || n.State === "deleting") && !n._willFail) ||
      (n.Addresses ?? []).some((a) => a.AllocationId === allocationId && !a._auto),
  );
}

/** Checks Elastic IPs about to be associated: they exist, appear once, and are free. */
function checkFreeEips(ctx: OpContext, ids: string[], seen: Set<string>): AddressRec[] {
  return ids.map((id) => {
    const eip = get<AddressRec>(ctx, "eipalloc", id, "allocationId");
    if (seen.has(id)) throw awsError("InvalidParameterValue", `Elastic IP address [${id}] is specified more than once.`);
    seen.add(id);
    if (eip.AssociationId || eipHeldByNat(ctx.rs, id)) throw awsError("Resource.AlreadyAssociated", `Elastic IP address [${id}] is already associated`);
    return eip;
  });
}

/** The checked AvailabilityZoneAddresses of a create: each AZ once, with 1..32 free Elastic IPs. */
function manualAddresses(ctx: OpContext, list: AzAddress[]) {
  const seenAz = new Set<string>();
  const seenEip = new Set<string>();
  return list.map((entry, i) => {
    const zone = zoneOf(ctx, entry, `AvailabilityZoneAddresses[${i}]`);
    if (seenAz.has(zone.ZoneName)) throw awsError("InvalidParameterValue", `Availability Zone ${zone.ZoneName} (${zone.ZoneId}) is specified more than once in AvailabilityZoneAddresses.`);
    seenAz.add(zone.ZoneName);
    const ids = entry.AllocationIds ?? [];
    if (ids.length === 0) throw awsError("MissingParameter", `AvailabilityZoneAddresses[${i}] (${zone.ZoneName}) must contain at least one AllocationId.`);
    if (ids.length > REGIONAL_IPS_PER_AZ) throw awsError("InvalidParameterValue", `A regional NAT gateway can have at most ${REGIONAL_IPS_PER_AZ} IP addresses in ${zone.ZoneName}.`);
    return { zone, eips: checkFreeEips(ctx, ids, seenEip) };
  });
}

/** The regional branch of CreateNatGateway: validated, then the record (the caller stores it and its token). */
export function createRegionalNat(ctx: OpContext, tags: NatRec["Tags"]): NatRec {
  const i = ctx.input;
  if (i.SubnetId !== undefined) throw awsError("InvalidParameterCombination", "A regional NAT gateway is not created in a subnet: specify VpcId, not SubnetId.");
  if (i.VpcId === undefined) throw awsError("MissingParameter", "The request must contain the parameter VpcId for a regional NAT gateway.");
  if ((i.ConnectivityType ?? "public") !== "public") throw awsError("InvalidParameterCombination", "Regional NAT gateways support only public connectivity.");
  for (const k of ["AllocationId", "PrivateIpAddress", "SecondaryAllocationIds", "SecondaryPrivateIpAddresses", "SecondaryPrivateIpAddressCount"])
    if (i[k] !== undefined) throw awsError("InvalidParameterCombination", `${k} cannot be used with a regional NAT gateway; give its Elastic IPs per AZ in AvailabilityZoneAddresses.`);
  const vpc = get<VpcRec>(ctx, "vpc", i.VpcId, "vpcId");
  const manual = i.AvailabilityZoneAddresses !== undefined && (i.AvailabilityZoneAddresses as AzAddress[]).length > 0;
  const zones = manual ? manualAddresses(ctx, i.AvailabilityZoneAddresses) : [];
  ctx.dry();
  const igw = igwOfVpc(ctx.rs, vpc.VpcId);
  const natId = newId("nat");
  const readyAt = ctx.now + ctx.timing.natCreateMs;
  const nat: NatRec = {
    NatGatewayId: natId,
    VpcId: vpc.VpcId,
    ConnectivityType: "public",
    AvailabilityMode: "regional",
    AutoProvisionZones: manual ? "disabled" : "enabled",
    AutoScalingIps: manual ? "disabled" : "enabled",
    RouteTableId: newId("rtb"),
    State: "pending",
    Addresses: [],
    _expandMs: ctx.timing.natCreateMs,
    _readyAt: readyAt,
    ...(igw ? {} : { _willFail: { code: "Gateway.NotAttached", message: `Network ${vpc.VpcId} has no Internet gateway attached` } }),
    Tags: tags,
    _createdAt: ctx.now,
    _visibleAt: ctx.now + ctx.timing.consistencyDelayMs,
  };
  if (!igw) return nat;
  for (const { zone, eips } of zones)
    for (const eip of eips) nat.Addresses!.push(associate(eip, zone, readyAt));
  // automatic mode: the AZs that already hold interfaces are covered as the gateway comes up
  if (!manual) for (const zone of workloadZones(ctx.rs, nat)) nat.Addresses!.push(autoAddress(ctx.state, zone, readyAt));
  return nat;
}

function associate(eip: AddressRec, zone: { ZoneName: string; ZoneId: string }, readyAt: number): RegionalNatAddressRec {
  eip.AssociationId = newId("eipassoc");
  return { AvailabilityZone: zone.ZoneName, AvailabilityZoneId: zone.ZoneId, AllocationId: eip.AllocationId, PublicIp: eip.PublicIp, AssociationId: eip.AssociationId, Status: "associating", _readyAt: readyAt };
}

/** An address AWS allocates for automatic mode (unique across the account's addresses). */
function autoAddress(state: { regions: Record<string, RegionState> }, zone: { ZoneName: string; ZoneId: string }, readyAt: number): RegionalNatAddressRec {
  return { AvailabilityZone: zone.ZoneName, AvailabilityZoneId: zone.ZoneId, AllocationId: newId("eipalloc"), PublicIp: freePublicIp(state), AssociationId: newId("eipassoc"), Status: "associating", _auto: true, _readyAt: readyAt };
}

/** Every public address in use: Elastic IPs and the automatic-mode addresses of regional NAT gateways. */
export function usedPublicIps(state: { regions: Record<string, RegionState> }): Set<string> {
  const used = new Set<string>();
  for (const r of Object.values(state.regions)) {
    for (const a of Object.values(r.addresses)) used.add(a.PublicIp);
    for (const n of Object.values(r.natGateways)) for (const a of n.Addresses ?? []) used.add(a.PublicIp);
  }
  return used;
}

/** A public-looking address from the documentation ranges, unique across the account (Elastic IPs and automatic-mode addresses alike). */
export function freePublicIp(state: { regions: Record<string, RegionState> }): string {
  const used = usedPublicIps(state);
  const pools = ["203.0.113", "198.51.100", "192.0.2"];
  for (let tries = 0; tries < 2000; tries++) {
    const ip = `${pools[Math.floor(Math.random() * pools.length)]}.${1 + Math.floor(Math.random() * 254)}`;
    if (!used.has(ip)) return ip;
  }
  throw awsError("AddressLimitExceeded", "The maximum number of addresses has been reached.");
}

/** The zones where the gateway's VPC has a workload interface (any interface but a NAT gateway's). */
function workloadZones(rs: RegionState, nat: NatRec) {
  const names = new Set(lookup<EniRec>(rs, "eni.vpc", nat.VpcId).filter((e) => e.InterfaceType !== "nat_gateway").map((e) => e.AvailabilityZone));
  return zonesOfRs(rs).filter((z) => names.has(z.ZoneName));
}

/** A region state's zones, from its subnets' names (a RegionState does not know its region's name). */
function zonesOfRs(rs: RegionState) {
  const byName = new Map<string, { ZoneName: string; ZoneId: string }>();
  for (const s of Object.values(rs.subnets)) byName.set(s.AvailabilityZone, { ZoneName: s.AvailabilityZone, ZoneId: s.AvailabilityZoneId });
  return [...byName.values()].sort((a, b) => (a.ZoneName < b.ZoneName ? -1 : 1));
}

/**
 * Would settleRegional change this gateway now? Its conditions, asked of the plain state (a sandbox
 * read settles only when something is due; keep the two in step).
 */
export function regionalSettleDue(rs: RegionState, n: NatRec, now: number): boolean {
  if (n.State === "deleted" || n.State === "failed") return false;
  const addrs = n.Addresses ?? [];
  if (addrs.some((a) => (a.Status === "associating" && now >= a._readyAt && n.State === "available") || (a.Status === "disassociating" && a._goneAt !== undefined && now >= a._goneAt))) return true;
  if (n.State !== "available" || n.AutoProvisionZones !== "enabled") return false;
  const want = workloadZones(rs, n);
  return want.some((z) => !addrs.some((a) => a.AvailabilityZone === z.ZoneName)) || addrs.some((a) => a._auto && a.Status !== "disassociating" && !want.some((z) => z.ZoneName === a.AvailabilityZone));
}

/**
 * Time-driven changes of one regional NAT gateway: addresses associating → succeeded, disassociating →
 * removed (its Elastic IP free again); in automatic mode, expansion to an AZ where an interface appeared and
 * retraction from one whose last interface went. Returns true when anything changed.
 */
export function settleRegional(rs: RegionState, state: { regions: Record<string, RegionState> }, n: NatRec, now: number): boolean {
  let changed = false;
  const addrs = n.Addresses ?? [];
  if (n.State === "deleted" || n.State === "failed") return false;
  for (const a of [...addrs]) {
    if (a.Status === "associating" && now >= a._readyAt && n.State === "available") {
      a.Status = "succeeded";
      changed = true;
    }
    if (a.Status === "disassociating" && a._goneAt !== undefined && now >= a._goneAt) {
      release(rs, a);
      addrs.splice(addrs.indexOf(a), 1);
      changed = true;
    }
  }
  if (n.State === "available" && n.AutoProvisionZones === "enabled") {
    const want = workloadZones(rs, n);
    for (const z of want)
      if (!addrs.some((a) => a.AvailabilityZone === z.ZoneName)) {
        addrs.push(autoAddress(state, z, now + (n._expandMs ?? 0)));
        changed = true;
      }
    for (const a of addrs)
      if (a._auto && a.Status !== "disassociating" && !want.some((z) => z.ZoneName === a.AvailabilityZone)) {
        a.Status = "disassociating";
        a._goneAt = now + (n._expandMs ?? 0);
        changed = true;
      }
  }
  return changed;
}

/** A manual-mode address leaves the gateway: its Elastic IP is no longer associated. */
function release(rs: RegionState, a: RegionalNatAddressRec) {
  if (a._auto) return;
  const eip = rs.addresses[a.AllocationId];
  if (eip && eip.AssociationId === a.AssociationId) delete eip.AssociationId;
}

/** A regional NAT gateway became deleted: every address goes (user Elastic IPs stay allocated, free). */
export function releaseRegional(rs: RegionState, n: NatRec) {
  for (const a of n.Addresses ?? []) release(rs, a);
  n.Addresses = [];
}

function regionalOf(ctx: OpContext<{ NatGatewayId?: string }>, op: string): NatRec {
  const n = get<NatRec>(ctx, "nat", ctx.input.NatGatewayId, "natGatewayId");
  if (n.AvailabilityMode !== "regional") throw awsError("InvalidParameterValue", `${op} on a zonal NAT gateway is not supported by the sandbox (only regional NAT gateways).`);
  if (n.State !== "available") throw awsError("IncorrectState", `NAT gateway ${n.NatGatewayId} is in state ${n.State}; it must be available.`);
  if (n.AutoProvisionZones === "enabled") throw awsError("InvalidParameterCombination", `NAT gateway ${n.NatGatewayId} is in automatic mode: AWS manages its addresses.`);
  return n;
}

/** AssociateNatGatewayAddress on a regional gateway in manual mode: Elastic IPs for one AZ (a new AZ is added). */
export const associateRegional: RecordOpHandler<"ec2", "AssociateNatGatewayAddress"> = (ctx) => {
  const n = regionalOf(ctx, "AssociateNatGatewayAddress");
  const ids: string[] = ctx.input.AllocationIds ?? [];
  if (ids.length === 0) throw awsError("MissingParameter", "The request must contain the parameter AllocationIds.");
  if (ctx.input.PrivateIpAddresses !== undefined) throw awsError("InvalidParameterCombination", "PrivateIpAddresses cannot be used with a regional NAT gateway.");
  const zone = zoneOf(ctx, ctx.input, "AssociateNatGatewayAddress");
  const eips = checkFreeEips(ctx, ids, new Set());
  const inAz = n.Addresses!.filter((a) => a.AvailabilityZone === zone.ZoneName).length;
  if (inAz + ids.length > REGIONAL_IPS_PER_AZ) throw awsError("InvalidParameterValue", `A regional NAT gateway can have at most ${REGIONAL_IPS_PER_AZ} IP addresses in ${zone.ZoneName}.`);
  ctx.dry();
  const added = eips.map((eip) => associate(eip, zone, ctx.now + (n._expandMs ?? 0)));
  n.Addresses!.push(...added);
  ctx.mutated();
  return { NatGatewayId: n.NatGatewayId, NatGatewayAddresses: regionalAddressView({ ...n, Addresses: added }) };
};

/** DisassociateNatGatewayAddress on a regional gateway in manual mode: the addresses drain, then are free. */
export const disassociateRegional: RecordOpHandler<"ec2", "DisassociateNatGatewayAddress"> = (ctx) => {
  const n = regionalOf(ctx, "DisassociateNatGatewayAddress");
  const ids: string[] = ctx.input.AssociationIds ?? [];
  if (ids.length === 0) throw awsError("MissingParameter", "The request must contain the parameter AssociationIds.");
  const drain = ctx.input.MaxDrainDurationSeconds ?? DEFAULT_DRAIN_S;
  if (!Number.isInteger(drain) || drain < 1 || drain > 4000) throw awsError("InvalidParameterValue", `MaxDrainDurationSeconds must be between 1 and 4000, got ${drain}.`);
  const addrs = ids.map((id) => {
    const a = n.Addresses!.find((x) => x.AssociationId === id);
    if (!a) throw awsError("InvalidAssociationID.NotFound", `The association ID '${id}' does not exist on NAT gateway ${n.NatGatewayId}`);
    return a;
  });
  ctx.dry();
  // the drain is scaled like every timed transition of this sandbox (0 without realistic latency)
  const goneAt = ctx.now + Math.round(drain * 1000 * (ctx.timing.natDeleteMs / 60_000));
  for (const a of addrs) if (a.Status !== "disassociating") Object.assign(a, { Status: "disassociating", _goneAt: goneAt });
  ctx.mutated();
  return { NatGatewayId: n.NatGatewayId, NatGatewayAddresses: regionalAddressView({ ...n, Addresses: addrs }) };
};
