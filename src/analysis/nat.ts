// NAT gateways as the analyzer, the audit, the bill and egress-ips read them: zonal (one subnet, one AZ)
// or regional (AvailabilityMode "regional": no subnet, an address set per AZ it is registered in;
// automatic mode follows the workloads' AZs, manual mode serves only the AZs of its
// AvailabilityZoneAddresses). One place for "which AZ does this NAT serve, from which address". Pure.
import { routeTableForSubnet, type SnapshotIndex } from "./snapshot-index.js";
import type { NatGateway, NatGatewayAddress } from "./snapshot.js";
import { tierOf } from "./rules/util.js";

export const isRegionalNat = (nat: NatGateway): boolean => nat.AvailabilityMode === "regional";

/** Manual mode: AWS does not add AZs by itself (AutoProvisionZones disabled: the AZs given at creation). */
export const isManualRegionalNat = (nat: NatGateway): boolean => isRegionalNat(nat) && nat.AutoProvisionZones === "disabled";

/** An address that carries traffic now (an address being assigned, released or that failed does not). */
export const addressServes = (a: NatGatewayAddress): boolean => (a.Status ?? "succeeded") === "succeeded";

/** An address on its way to serving (AssociateNatGatewayAddress / AssignPrivateNatGatewayAddress not yet done). */
const addressComing = (a: NatGatewayAddress): boolean => a.Status === "associating" || a.Status === "assigning";

/**
 * The AZs a regional NAT gateway covers, as AWS's address Status says (the one answer the analyzer and
 * the audit share): `serving`, an address there has `succeeded`; `pending`, its only addresses there
 * are still `associating` or `assigning` — not yet proven to carry traffic. An AZ whose addresses are
 * going (`disassociating`, `unassigning`) or `failed` is in neither.
 */
export function regionalNatCoverage(nat: NatGateway): { serving: string[]; pending: string[] } {
  const azsOf = (f: (a: NatGatewayAddress) => boolean) => new Set(nat.NatGatewayAddresses.filter((a) => a.AvailabilityZone && f(a)).map((a) => a.AvailabilityZone!));
  const serving = azsOf(addressServes);
  const pending = [...azsOf(addressComing)].filter((az) => !serving.has(az));
  return { serving: [...serving].sort(), pending: pending.sort() };
}

/** The AZs a regional NAT gateway is registered in (an address there, serving or on its way): what it is billed for. */
export function regionalNatAzs(nat: NatGateway): string[] {
  const { serving, pending } = regionalNatCoverage(nat);
  return [...serving, ...pending].sort();
}

/** The addresses a regional NAT gateway translates traffic from `az` to (primary first). */
export function regionalNatAddressesIn(nat: NatGateway, az: string | undefined): NatGatewayAddress[] {
  if (!az) return [];
  return nat.NatGatewayAddresses.filter((a) => a.AvailabilityZone === az && addressServes(a)).sort((a, b) => Number(!!b.IsPrimary) - Number(!!a.IsPrimary));
}

/** The AZs a NAT gateway serves: its subnet's (zonal), the AZs it is registered in (regional). */
export function natAzs(ix: SnapshotIndex, nat: NatGateway): string[] {
  if (isRegionalNat(nat)) return regionalNatAzs(nat);
  const az = nat.SubnetId ? ix.subnets.get(nat.SubnetId)?.AvailabilityZone : undefined;
  return az ? [az] : [];
}

/** Where an address of a NAT gateway is used: the address's own AZ (regional), else the NAT's subnet's. */
export function addressAz(ix: SnapshotIndex, nat: NatGateway, a: NatGatewayAddress): string | undefined {
  return a.AvailabilityZone ?? (nat.SubnetId ? ix.subnets.get(nat.SubnetId)?.AvailabilityZone : undefined);
}

const natLive = (nat: NatGateway | undefined): nat is NatGateway => !!nat && ["available", "pending"].includes(nat.State ?? "available");

/** The NAT gateway a subnet's 0.0.0.0/0 goes to (its effective route table), if any. */
export function natOfSubnet(ix: SnapshotIndex, subnetId: string): NatGateway | undefined {
  const subnet = ix.subnets.get(subnetId);
  const rt = subnet ? routeTableForSubnet(ix, subnet) : null;
  const id = rt?.table.table.Routes.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")?.NatGatewayId;
  return id ? ix.natGateways.get(id) : undefined;
}

export interface NatDesign {
  vpcId: string;
  /** The AZs whose subnets send 0.0.0.0/0 to a NAT gateway (what any NAT design must serve). */
  azs: string[];
  /**
   * The AZs where a subnet that is not public holds a workload (a network interface, a Lambda function's
   * subnet), whether or not it routes to a NAT gateway today: what a NAT design is for (a route missing
   * today is workload-no-egress's finding, not an AZ to drop).
   */
  workloadAzs: string[];
  /** How the VPC's NAT gateways are laid out today. */
  current: "single" | "per-az" | "regional" | "mixed" | "none";
  natGatewayIds: string[];
}

/** A VPC's NAT design as it runs: which AZs egress through NAT, and through what. */
export function natDesignOf(ix: SnapshotIndex, vpcId: string): NatDesign {
  const nats = (publicNatsByVpc(ix).get(vpcId) ?? []).filter(natLive);
  const azs = new Set<string>();
  const workloadAzs = new Set<string>();
  const held = workloadSubnets(ix);
  for (const s of ix.subnetsByVpc.get(vpcId) ?? []) {
    if (!s.AvailabilityZone) continue;
    if (natLive(natOfSubnet(ix, s.SubnetId))) azs.add(s.AvailabilityZone);
    if (held.has(s.SubnetId) && tierOf(ix, s) !== "public") workloadAzs.add(s.AvailabilityZone);
  }
  const regional = nats.filter(isRegionalNat);
  const zonal = nats.filter((n) => !isRegionalNat(n));
  const zonalAzs = new Set(zonal.flatMap((n) => natAzs(ix, n)));
  const current = !nats.length ? "none" : regional.length && zonal.length ? "mixed" : regional.length ? "regional" : zonal.length === 1 ? "single" : zonalAzs.size === zonal.length ? "per-az" : "mixed";
  return { vpcId, azs: [...azs].sort(), workloadAzs: [...workloadAzs].sort(), current, natGatewayIds: nats.map((n) => n.NatGatewayId).sort() };
}

// Asked per VPC (cost-nat-mode, cost --compare-nat-modes): worked out once per index, not a walk of
// every ENI and NAT gateway of the account for each VPC (8 s of a 10× audit).
const WORKLOAD_SUBNETS = new WeakMap<SnapshotIndex, ReadonlySet<string>>();
const PUBLIC_NATS = new WeakMap<SnapshotIndex, Map<string | undefined, NatGateway[]>>();

/** Public NAT gateways by VPC (any state), in the snapshot's order. */
function publicNatsByVpc(ix: SnapshotIndex): Map<string | undefined, NatGateway[]> {
  let m = PUBLIC_NATS.get(ix);
  if (!m) {
    m = new Map();
    for (const n of ix.natGateways.values()) {
      if ((n.ConnectivityType ?? "public") !== "public") continue;
      const list = m.get(n.VpcId);
      if (list) list.push(n);
      else m.set(n.VpcId, [n]);
    }
    PUBLIC_NATS.set(ix, m);
  }
  return m;
}

/** Subnets that hold a workload: a network interface other than a NAT gateway's, or a Lambda function's subnet. */
export function workloadSubnets(ix: SnapshotIndex): ReadonlySet<string> {
  let out = WORKLOAD_SUBNETS.get(ix);
  if (!out) {
    const held = new Set<string>();
    for (const e of ix.networkInterfaces.values()) if (e.InterfaceType !== "nat_gateway" && e.SubnetId) held.add(e.SubnetId);
    for (const fn of ix.snapshot.lambdaFunctions ?? []) for (const id of fn.VpcConfig?.SubnetIds ?? []) held.add(id);
    WORKLOAD_SUBNETS.set(ix, (out = held));
  }
  return out;
}
