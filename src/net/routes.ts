// The one rule for which route table decides a subnet's routes, in AWS's words: the table
// explicitly associated with the subnet, else the VPC's main route table. Used by import (tiers),
// add-nat (public subnets, private tables), status (live routes), attach-lambda (egress) and the
// analyzer/diagram (through the snapshot index). Pure: works on SDK shapes or snapshot shapes.

export interface RouteTableAssociationLike {
  SubnetId?: string;
  Main?: boolean;
  AssociationState?: { State?: string };
}

export interface RouteTableLike {
  RouteTableId?: string;
  VpcId?: string;
  Associations?: RouteTableAssociationLike[];
}

/** Where the effective table is looked up: by explicit subnet association, and the VPC's main table. */
export interface RouteTableLookup<T> {
  associatedWith(subnetId: string): T | undefined;
  mainOf(vpcId: string): T | undefined;
}

/** An association that is being or has been removed does not decide anything. */
function live(a: RouteTableAssociationLike): boolean {
  const s = a.AssociationState?.State;
  return s !== "disassociated" && s !== "disassociating" && s !== "failed";
}

/** A lookup over a list of tables (built once; O(1) per subnet after that). */
export function routeTableLookup<T extends RouteTableLike>(tables: Iterable<T>): RouteTableLookup<T> {
  const bySubnet = new Map<string, T>();
  const main = new Map<string, T>();
  for (const t of tables) {
    for (const a of t.Associations ?? []) {
      if (!live(a)) continue;
      if (a.SubnetId) bySubnet.set(a.SubnetId, t);
      if (a.Main && t.VpcId) main.set(t.VpcId, t);
    }
  }
  return { associatedWith: (id) => bySubnet.get(id), mainOf: (vpc) => main.get(vpc) };
}

/** The table that decides a subnet's routes, and whether it is the main table (implicit association). */
export function effectiveRouteTable<T>(subnet: { SubnetId?: string; VpcId?: string }, tables: RouteTableLookup<T>): { table: T; main: boolean } | undefined {
  const explicit = subnet.SubnetId ? tables.associatedWith(subnet.SubnetId) : undefined;
  if (explicit) return { table: explicit, main: false };
  const main = subnet.VpcId ? tables.mainOf(subnet.VpcId) : undefined;
  return main ? { table: main, main: true } : undefined;
}

export interface RouteLike {
  DestinationCidrBlock?: string;
  DestinationIpv6CidrBlock?: string;
  GatewayId?: string;
  NatGatewayId?: string;
  InstanceId?: string;
  NetworkInterfaceId?: string;
  TransitGatewayId?: string;
  VpcPeeringConnectionId?: string;
  EgressOnlyInternetGatewayId?: string;
  LocalGatewayId?: string;
  CarrierGatewayId?: string;
  CoreNetworkArn?: string;
  State?: string;
}

/** The IPv4 default route (0.0.0.0/0) of a table's routes, if any. */
export function defaultRouteOf<R extends RouteLike>(routes: readonly R[] | undefined): R | undefined {
  return routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
}

/** A route's target id, whatever its kind. */
export function routeTargetId(r: RouteLike | undefined): string | undefined {
  if (!r) return undefined;
  return r.NatGatewayId ?? r.GatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId ?? r.NetworkInterfaceId ?? r.InstanceId ?? r.EgressOnlyInternetGatewayId ?? r.LocalGatewayId ?? r.CarrierGatewayId ?? r.CoreNetworkArn;
}

/** Is this route a usable default route to an internet gateway (what makes a subnet public)? */
export function routesToInternetGateway(r: RouteLike | undefined): boolean {
  return Boolean(r && r.DestinationCidrBlock === "0.0.0.0/0" && r.GatewayId?.startsWith("igw-") && r.State !== "blackhole");
}

/** RFC 6052's well-known prefix: what DNS64 synthesizes IPv4-only names into, and a NAT gateway translates (NAT64). */
export const NAT64_PREFIX = "64:ff9b::/96";

/** The IPv6 default route (::/0) of a table's routes, if any. */
export function ipv6DefaultRouteOf<R extends RouteLike>(routes: readonly R[] | undefined): R | undefined {
  return routes?.find((r) => r.DestinationIpv6CidrBlock === "::/0");
}

/** The NAT64 route (64:ff9b::/96 → a NAT gateway) of a table's routes, if any. */
export function nat64RouteOf<R extends RouteLike>(routes: readonly R[] | undefined): R | undefined {
  return routes?.find((r) => r.DestinationIpv6CidrBlock === NAT64_PREFIX && r.NatGatewayId);
}

/**
 * A subnet's IPv6 tier, from its table's ::/0 (usable routes only): public when it goes to an internet
 * gateway (reachable from the internet as well), private when it goes to an egress-only internet
 * gateway (out only); undefined with no IPv6 route to the internet.
 */
export function ipv6TierOf(routes: readonly RouteLike[] | undefined): "public" | "private" | undefined {
  const d = ipv6DefaultRouteOf(routes);
  if (!d || d.State === "blackhole") return undefined;
  if (d.GatewayId?.startsWith("igw-")) return "public";
  if (d.EgressOnlyInternetGatewayId) return "private";
  return undefined;
}

/**
 * An IPv6 CIDR association that holds (associating or associated): not one going or gone. Read this way
 * rather than as `=== "associated"` because a subnet's block is associated at CreateSubnet, and an
 * emulator that spells the state oddly (moto) must not make a live block look absent.
 */
export function liveIpv6Association(state: string | undefined): boolean {
  return !/^(disassociating|disassociated|failing|failed)$/.test(state ?? "");
}
