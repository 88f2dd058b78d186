// Transit gateway routing as AWS documents it, pure: which route table an attachment is associated
// with, the longest-prefix route in it (static beats propagated on the same prefix), and the
// propagated routes themselves — when two attachments propagate the same CIDR the transit gateway
// keeps the route it learned first. Used by the analyzer and by the sandbox (one rule, one place).
import { cidrContains, parseCidr, type Cidr } from "../net/addr.js";
import type { Snapshot, TransitGateway, TransitGatewayRoute, TransitGatewayRouteTable, TransitGatewayVpcAttachment } from "./snapshot.js";

export interface ParsedTgwRoute {
  route: TransitGatewayRoute;
  cidr: Cidr | null;
  /** The attachment the route sends to (undefined for a blackhole). */
  attachmentId?: string;
  blackhole: boolean;
}

export interface TransitIndex {
  /** Route tables were collected: the analyzer follows transit gateways (else it stops at them). */
  collected: boolean;
  gateways: Map<string, TransitGateway>;
  /** Attachment id → VPC attachment. */
  vpcAttachments: Map<string, TransitGatewayVpcAttachment>;
  /** `${VpcId}|${TransitGatewayId}` → the VPC's attachment to that gateway. */
  attachmentByVpc: Map<string, TransitGatewayVpcAttachment>;
  routeTables: Map<string, TransitGatewayRouteTable>;
  tgwRoutes: Map<string, RouteLookup>;
  /** Attachment id → associated route table id. */
  association: Map<string, string>;
  /** Route table id → attachment ids propagating to it, in order. */
  propagations: Map<string, string[]>;
}

export function buildTransitIndex(snapshot: Snapshot): TransitIndex {
  const tx: TransitIndex = {
    collected: !!snapshot.transitGatewayRouteTables,
    gateways: new Map(),
    vpcAttachments: new Map(),
    attachmentByVpc: new Map(),
    routeTables: new Map(),
    tgwRoutes: new Map(),
    association: new Map(),
    propagations: new Map(),
  };
  for (const g of snapshot.transitGateways ?? []) tx.gateways.set(g.TransitGatewayId, g);
  // VPC attachments from DescribeTransitGatewayVpcAttachments, else from the generic attachment list
  // (then without subnets: AZ affinity cannot be checked).
  for (const a of snapshot.transitGatewayAttachments ?? []) {
    if ((a.ResourceType ?? "vpc") !== "vpc" || !a.ResourceId) continue;
    const rec = { TransitGatewayAttachmentId: a.TransitGatewayAttachmentId, TransitGatewayId: a.TransitGatewayId, VpcId: a.ResourceId, SubnetIds: [], State: a.State } as TransitGatewayVpcAttachment;
    tx.vpcAttachments.set(a.TransitGatewayAttachmentId, rec);
    if (a.Association?.TransitGatewayRouteTableId && (a.Association.State ?? "associated") === "associated") {
      tx.association.set(a.TransitGatewayAttachmentId, a.Association.TransitGatewayRouteTableId);
    }
  }
  for (const a of snapshot.transitGatewayVpcAttachments ?? []) tx.vpcAttachments.set(a.TransitGatewayAttachmentId, a);
  for (const a of tx.vpcAttachments.values()) {
    if (a.VpcId && a.TransitGatewayId && !["deleted", "deleting", "rejected", "failed"].includes(a.State ?? "available")) {
      tx.attachmentByVpc.set(`${a.VpcId}|${a.TransitGatewayId}`, a);
    }
  }
  for (const t of snapshot.transitGatewayRouteTables ?? []) {
    tx.routeTables.set(t.TransitGatewayRouteTableId, t);
    tx.tgwRoutes.set(t.TransitGatewayRouteTableId, routeLookup(t.Routes.map(parseTgwRoute)));
    for (const a of t.Associations) {
      if (a.TransitGatewayAttachmentId && (a.State ?? "associated") === "associated") tx.association.set(a.TransitGatewayAttachmentId, t.TransitGatewayRouteTableId);
    }
    tx.propagations.set(
      t.TransitGatewayRouteTableId,
      t.Propagations.filter((p) => (p.State ?? "enabled") === "enabled").map((p) => p.TransitGatewayAttachmentId!).filter(Boolean),
    );
  }
  return tx;
}

function parseTgwRoute(route: TransitGatewayRoute): ParsedTgwRoute {
  const blackhole = route.State === "blackhole";
  return { route, cidr: parseCidr(route.DestinationCidrBlock), attachmentId: blackhole ? undefined : route.TransitGatewayAttachments[0]?.TransitGatewayAttachmentId, blackhole };
}

/**
 * A route table's routes keyed by family, prefix length and network address, so a lookup costs one
 * probe per distinct prefix length, not one per route (a hub table holds a route per spoke VPC).
 */
export interface RouteLookup {
  /** Distinct prefix lengths per family, longest first. */
  lens: Map<4 | 6, number[]>;
  byKey: Map<string, ParsedTgwRoute[]>;
}

const keyOf = (v: 4 | 6, len: number, base: bigint) => `${v}|${len}|${base}`;

function maskTo(c: Cidr, len: number): bigint {
  const host = BigInt((c.v === 4 ? 32 : 128) - len);
  return (c.base >> host) << host;
}

export function routeLookup(routes: readonly ParsedTgwRoute[]): RouteLookup {
  const lens = new Map<4 | 6, Set<number>>();
  const byKey = new Map<string, ParsedTgwRoute[]>();
  for (const r of routes) {
    if (!r.cidr || !["active", "blackhole", undefined].includes(r.route.State)) continue;
    let set = lens.get(r.cidr.v);
    if (!set) lens.set(r.cidr.v, (set = new Set()));
    set.add(r.cidr.len);
    const k = keyOf(r.cidr.v, r.cidr.len, r.cidr.base);
    const list = byKey.get(k);
    if (list) list.push(r);
    else byKey.set(k, [r]);
  }
  return { lens: new Map([...lens].map(([v, s]) => [v, [...s].sort((a, b) => b - a)])), byKey };
}

/** Longest prefix covering every destination address; on a tie a static route beats a propagated one. */
export function lookupTgwRoute(table: RouteLookup, dest: readonly Cidr[]): ParsedTgwRoute | null {
  const first = dest[0];
  if (!first) return null;
  const shortest = Math.min(...dest.map((d) => d.len));
  for (const len of table.lens.get(first.v) ?? []) {
    if (len > shortest) continue;
    const hits = (table.byKey.get(keyOf(first.v, len, maskTo(first, len))) ?? []).filter((r) => dest.every((d) => cidrContains(r.cidr!, d)));
    if (hits.length) return hits.find((r) => r.route.Type === "static") ?? hits[0]!;
  }
  return null;
}

export interface Propagation {
  attachmentId: string;
  resourceId: string;
  resourceType?: string;
  /** The CIDRs the attachment advertises (a VPC attachment: the VPC's CIDR blocks). */
  cidrs: readonly string[];
}

export interface StaticRoute {
  cidr: string;
  /** undefined: a blackhole route. */
  attachmentId?: string;
  resourceId?: string;
  resourceType?: string;
}

/**
 * The routes of a transit gateway route table as SearchTransitGatewayRoutes shows them: static routes,
 * then propagated ones in propagation order where a later attachment's identical CIDR is not installed
 * (AWS: "the transit gateway keeps the first"), nor one a static route already covers exactly.
 */
export function tgwRouteTableRoutes(statics: readonly StaticRoute[], propagations: readonly Propagation[]): TransitGatewayRoute[] {
  const out: TransitGatewayRoute[] = [];
  const taken = new Set<string>();
  for (const s of statics) {
    const c = parseCidr(s.cidr)?.text ?? s.cidr;
    taken.add(c);
    out.push({
      DestinationCidrBlock: c,
      Type: "static",
      State: s.attachmentId ? "active" : "blackhole",
      TransitGatewayAttachments: s.attachmentId ? [{ TransitGatewayAttachmentId: s.attachmentId, ResourceId: s.resourceId, ResourceType: s.resourceType ?? "vpc" }] : [],
    });
  }
  for (const p of propagations) {
    for (const raw of p.cidrs) {
      const c = parseCidr(raw)?.text ?? raw;
      if (taken.has(c)) continue;
      taken.add(c);
      out.push({
        DestinationCidrBlock: c,
        Type: "propagated",
        State: "active",
        TransitGatewayAttachments: [{ TransitGatewayAttachmentId: p.attachmentId, ResourceId: p.resourceId, ResourceType: p.resourceType ?? "vpc" }],
      });
    }
  }
  return out;
}

/** The other attachments that propagate exactly `cidr` to this table (the overlap the table resolved). */
export function overlappingPropagators(tx: TransitIndex, vpcCidrs: Map<string, Cidr[]>, routeTableId: string, cidr: Cidr): string[] {
  return (tx.propagations.get(routeTableId) ?? []).filter((id) => {
    const vpc = tx.vpcAttachments.get(id)?.VpcId;
    return (vpc ? (vpcCidrs.get(vpc) ?? []) : []).some((c) => c.text === cidr.text);
  });
}
