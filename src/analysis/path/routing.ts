// Route tables: longest-prefix match over CIDR and prefix-list routes.
import { cidrContains } from "../../net/addr.js";
import type { ParsedRoute, ParsedRouteTable, SnapshotIndex } from "../snapshot-index.js";
import type { Target } from "./internal.js";

export function routeTarget(r: ParsedRoute): string {
  const x = r.route;
  return (
    x.GatewayId ??
    x.NatGatewayId ??
    x.NetworkInterfaceId ??
    x.InstanceId ??
    x.VpcPeeringConnectionId ??
    x.TransitGatewayId ??
    x.EgressOnlyInternetGatewayId ??
    x.VpcEndpointId ??
    x.CarrierGatewayId ??
    x.LocalGatewayId ??
    "(no target)"
  );
}

export function routeDest(r: ParsedRoute): string {
  return r.route.DestinationCidrBlock ?? r.route.DestinationIpv6CidrBlock ?? r.prefixListId ?? "?";
}

/** Length of the route's match on the target, or -1. Prefix-list routes match per entry. */
function routeMatch(ix: SnapshotIndex, r: ParsedRoute, target: Target): number {
  if (r.cidr) {
    if (r.cidr.v !== target.family) return -1;
    if (target.cidrs.length === 0) return r.cidr.len === 0 ? 0 : -1;
    return target.cidrs.every((c) => cidrContains(r.cidr!, c)) ? r.cidr.len : -1;
  }
  if (r.prefixListId) {
    if (target.prefixListId === r.prefixListId) return 129; // the endpoint's own list: most specific
    const pl = ix.prefixLists.get(r.prefixListId);
    if (!pl || target.cidrs.length === 0) return -1;
    let best = -1;
    for (const c of target.cidrs) {
      const m = pl.cidrs.find((pc) => cidrContains(pc, c));
      if (!m) return -1;
      best = Math.max(best, m.len);
    }
    return best;
  }
  return -1;
}

export function lookupRoute(ix: SnapshotIndex, table: ParsedRouteTable, target: Target): ParsedRoute | null {
  let best: ParsedRoute | null = null;
  let bestLen = -1;
  for (const r of table.routes) {
    const len = routeMatch(ix, r, target);
    if (len < 0) continue;
    // Longest prefix wins; on a tie the local route wins, then a static route over a propagated one.
    if (
      len > bestLen ||
      (len === bestLen && best && !best.local && (r.local || (best.route.Origin === "EnableVgwRoutePropagation" && r.route.Origin !== "EnableVgwRoutePropagation")))
    ) {
      best = r;
      bestLen = len;
    }
  }
  return best;
}
