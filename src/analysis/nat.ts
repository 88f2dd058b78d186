// NAT gateways as the analyzer, the audit, the bill and egress-ips read them: zonal (one subnet, one AZ)
// or regional (AvailabilityMode "regional": no subnet, an address set per AZ it is registered in;
// automatic mode follows the workloads' AZs, manual mode serves only the AZs of its
// AvailabilityZoneAddresses). One place for "which AZ does this NAT serve, from which address". Pure.
import type { SnapshotIndex } from "./snapshot-index.js";
import type { NatGateway, NatGatewayAddress } from "./snapshot.js";

export const isRegionalNat = (nat: NatGateway): boolean => nat.AvailabilityMode === "regional";

/** Manual mode: AWS does not add AZs by itself (AutoProvisionZones disabled: the AZs given at creation). */
export const isManualRegionalNat = (nat: NatGateway): boolean => isRegionalNat(nat) && nat.AutoProvisionZones === "disabled";

/** An address that carries traffic now (an address being assigned, released or that failed does not). */
export const addressServes = (a: NatGatewayAddress): boolean => (a.Status ?? "succeeded") === "succeeded";

/** The AZs a regional NAT gateway is registered in (an address there, serving or on its way). */
export function regionalNatAzs(nat: NatGateway): string[] {
  const live = nat.NatGatewayAddresses.filter((a) => !["failed", "disassociating", "unassigning"].includes(a.Status ?? "succeeded"));
  return [...new Set(live.map((a) => a.AvailabilityZone).filter((z): z is string => !!z))].sort();
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
