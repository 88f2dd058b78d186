// IPv6 records and their SDK views, read by ec2-core (route states, VPC and subnet views) and ec2-ipv6 (the
// operations): egress-only internet gateways' store, a VPC's Amazon-provided blocks. No operation here, so
// ec2-core depends on it without a cycle.
import type { Ipv6AssocRec, RegionState, Tag, VpcRec } from "./model.js";

/** Gateways imported from a snapshot (sandbox load): read-only. */
export const imported = (rs: RegionState): any[] => (rs.ext.imported?.egressOnlyInternetGateways as any[] | undefined) ?? [];

/** An egress-only internet gateway: attached to its VPC for its whole life (AWS has no attach/detach call). */
export interface EigwRec {
  EgressOnlyInternetGatewayId: string;
  VpcId: string;
  Tags: Tag[];
  _createdAt: number;
  _visibleAt: number;
}

export function eigwStore(rs: RegionState): Record<string, EigwRec> {
  return (rs.ext.egressOnlyInternetGateways ??= {}) as Record<string, EigwRec>;
}

/** A live egress-only internet gateway by id: one the sandbox made, or one imported from a snapshot. */
export function eigwOf(rs: RegionState, id: string): { VpcId?: string } | undefined {
  const own = eigwStore(rs)[id];
  if (own) return own;
  const loaded = imported(rs).find((g) => g.EgressOnlyInternetGatewayId === id);
  return loaded ? { VpcId: loaded.Attachments?.[0]?.VpcId } : undefined;
}

export function eigwsOfVpc(rs: RegionState, vpcId: string): EigwRec[] {
  return Object.values(eigwStore(rs)).filter((g) => g.VpcId === vpcId);
}

/** The VPC's Amazon-provided /56 blocks. */
export const vpcIpv6 = (v: VpcRec): Ipv6AssocRec[] => v.Ipv6Cidrs ?? [];

/** The SDK shape of a VPC's IPv6 association; `state` as the call answering it says (the record is associated). */
export function vpcIpv6View(a: Ipv6AssocRec, state: "associating" | "associated" | "disassociating" = "associated") {
  return {
    AssociationId: a.AssociationId,
    // CreateVpc and AssociateVpcCidrBlock answer before the block is chosen: AWS leaves it empty there
    Ipv6CidrBlock: state === "associating" ? "" : a.Ipv6CidrBlock,
    Ipv6CidrBlockState: { State: state },
    NetworkBorderGroup: a.NetworkBorderGroup,
    Ipv6Pool: "Amazon",
    Ipv6AddressAttribute: "public",
    IpSource: "amazon",
  };
}

export function subnetIpv6View(a: Ipv6AssocRec) {
  return { AssociationId: a.AssociationId, Ipv6CidrBlock: a.Ipv6CidrBlock, Ipv6CidrBlockState: { State: "associated" }, Ipv6AddressAttribute: "public", IpSource: "amazon" };
}

