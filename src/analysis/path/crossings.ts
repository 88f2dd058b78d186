// VPC to VPC: peering connections and transit gateways, and the route back checked after the forward path.
import { cidrContains, parseCidr, type Cidr } from "../../net/addr.js";
import { routeTableForSubnet } from "../snapshot-index.js";
import type { Subnet } from "../snapshot.js";
import { lookupTgwRoute, overlappingPropagators, type ParsedTgwRoute } from "../transit.js";
import { eniFromRecord } from "./enis.js";
import { crossAcl } from "./filters.js";
import { leaveVpc } from "./gateways.js";
import { fail, hostText, missing, notEvaluated, senderAddrs, type Crossing, type Ctx, type Sender, type Target } from "./internal.js";
import { ComponentType, type ComponentRef } from "./model.js";
import { lookupRoute, routeDest, routeTarget } from "./routing.js";
import { deliverLocal, walk } from "./walk.js";

/** The reply point of the innermost open crossing into this subnet's VPC (NAT or delivering ENI). */
export function fixReply(ctx: Ctx, subnet: Subnet): void {
  for (let i = ctx.crossings.length - 1; i >= 0; i--) {
    const c = ctx.crossings[i]!;
    if (c.fixed || c.toVpc !== subnet.VpcId) continue;
    c.replySubnet = subnet;
    c.fixed = true;
    return;
  }
}

/**
 * A peering connection: the packet continues in the peer VPC if its destination is inside the peer's
 * CIDRs (no edge-to-edge routing: the peer's NAT gateway, internet gateway, VPN or transit gateway
 * never carry it), through the destination's subnet ACL and security groups (which may reference the
 * source's groups across the peering); the route back is checked with the return path.
 */
export function viaPeering(ctx: Ctx, sender: Sender, target: Target, pcxId: string, rtRef: ComponentRef, depth: number): boolean {
  const { ix } = ctx;
  const ref = { id: pcxId, type: ComponentType.vpcPeeringConnection };
  const pcx = ix.peerings.get(pcxId);
  if (!pcx && missing(ctx, "vpcPeeringConnections", ref, `peering connection ${pcxId}`)) return true;
  const code = pcx?.Status?.Code ?? "active";
  if (!pcx || code !== "active") {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: pcx ? `peering connection ${pcxId} is ${code}${code === "pending-acceptance" ? " (the accepter has not accepted it)" : ""}; only an active peering connection carries traffic` : `peering connection ${pcxId} is not in the snapshot`, state: code });
  }
  const vpcId = sender.subnet.VpcId;
  const req = pcx.RequesterVpcInfo?.VpcId;
  const acc = pcx.AccepterVpcInfo?.VpcId;
  const peerVpc = req === vpcId ? acc : acc === vpcId ? req : undefined;
  if (!peerVpc) {
    return fail(ctx, { code: "BAD_STATE_ATTACHMENT", component: ref, detail: `peering connection ${pcxId} connects ${req ?? "?"} and ${acc ?? "?"}, not ${vpcId}` });
  }
  const peerInfo = req === peerVpc ? pcx.RequesterVpcInfo : pcx.AccepterVpcInfo;
  const peerCidrs = ix.vpcCidrs.get(peerVpc) ?? [parseCidr(peerInfo?.CidrBlock)].filter((c): c is Cidr => !!c);
  const inside = target.cidrs.length > 0 && target.kind !== "igw" && target.kind !== "prefix-list" && target.cidrs.every((c) => peerCidrs.some((p) => cidrContains(p, c)));
  if (!inside) {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: ref,
      detail: `${target.label} is outside ${peerVpc}'s CIDRs (${peerCidrs.map((c) => c.text).join(", ") || "?"}): a VPC peering connection has no edge-to-edge routing, so ${peerVpc}'s NAT gateway, internet gateway, VPN connection or transit gateway never carries traffic from ${vpcId}; give ${vpcId} its own egress (or a transit gateway)`,
      routeTable: rtRef,
    });
  }
  ctx.hops.push({ component: ref, action: `peering connection ${pcxId} (active) carries the traffic from ${vpcId} to ${peerVpc}`, detail: `to ${target.label}` });
  if (!ix.vpcs.has(peerVpc)) {
    ctx.details.push(`PATH_LEAVES_VPC: peer VPC ${peerVpc} of ${pcxId} is not in the snapshot (another account or region); not analyzed further`);
    return notEvaluated(ctx, { code: "PATH_LEAVES_VPC", component: ref, ...outsideVpc(ctx, peerVpc, `peer VPC ${peerVpc} of ${pcxId}`, peerInfo as { OwnerId?: string; Region?: string } | undefined) });
  }
  ctx.crossings.push({ kind: "pcx", via: ref, fromVpc: vpcId, toVpc: peerVpc, addrs: senderAddrs(sender, target.family), family: target.family, fixed: false });
  let eni = target.eni && target.eni.vpcId === peerVpc ? target.eni : undefined;
  const only = target.cidrs[0];
  if (!eni && only && only.len === (only.v === 4 ? 32 : 128)) {
    const rec = ix.eniByIp.get(`${peerVpc}|${hostText(only)}`);
    if (rec) eni = eniFromRecord(ix, rec);
  }
  return deliverLocal(ctx, sender, { ...target, eni }, rtRef, depth, peerVpc);
}

/** A VPC the path enters that the snapshot does not hold: what was not evaluated, and how to get it in. */
function outsideVpc(ctx: Ctx, vpcId: string, what: string, info?: { OwnerId?: string; Region?: string }): { detail: string; collect: string } {
  const snap = ctx.ix.snapshot as { accountId: string; region: string; scope?: { vpcIds?: string[] | "all" } };
  const account = info?.OwnerId && info.OwnerId !== snap.accountId ? info.OwnerId : undefined;
  const region = info?.Region && info.Region !== snap.region ? info.Region : undefined;
  const scoped = Array.isArray(snap.scope?.vpcIds);
  const detail = `${what} is not in the snapshot${account ? ` (account ${account})` : region ? ` (region ${region})` : scoped ? " (outside the snapshot's --vpc scope)" : ""}: its route tables, network ACLs and security groups were not evaluated`;
  const collect = account
    ? `${vpcId} is in account ${account}: snapshot it with --profile of that account (egress-cli --profile PROFILE snapshot --vpc ${vpcId}) and analyze that side from there`
    : region
      ? `${vpcId} is in ${region}: snapshot it there (egress-cli --region ${region} snapshot --vpc ${vpcId})`
      : `include it: analyze-path --local --vpc ${vpcId} (with the source's VPC), or egress-cli snapshot without --vpc`;
  return { detail, collect };
}

function tgwAttachmentRef(id: string): ComponentRef {
  return { id, type: ComponentType.transitGatewayAttachment };
}

/**
 * A transit gateway: VPC route → the VPC's attachment (a subnet in the source's AZ) → the route table
 * associated with that attachment (longest prefix; blackholes block) → the target attachment → its
 * subnet in the same AZ if it has one (AZ affinity) → onward through that subnet's route table. The
 * transit gateway keeps the source address; the route back is checked with the return path.
 */
export function viaTransitGateway(ctx: Ctx, sender: Sender, target: Target, tgwId: string, rtRef: ComponentRef, depth: number): boolean {
  const { ix } = ctx;
  const tx = ix.transit;
  const ref = { id: tgwId, type: ComponentType.transitGateway };
  const vpcId = sender.subnet.VpcId;
  if (!tx.collected) return leaveVpc(ctx, sender, target, ref, rtRef);
  const att = tx.attachmentByVpc.get(`${vpcId}|${tgwId}`);
  if (!att || (att.State ?? "available") !== "available") {
    return fail(ctx, {
      code: "BAD_STATE_ATTACHMENT",
      component: att ? tgwAttachmentRef(att.TransitGatewayAttachmentId) : ref,
      detail: `${vpcId} has no available attachment to transit gateway ${tgwId}${att ? ` (${att.TransitGatewayAttachmentId} is ${att.State})` : ""}`,
      state: att?.State,
    });
  }
  const tgw = tx.gateways.get(tgwId);
  if (ix.snapshot.transitGateways && (!tgw || (tgw.State ?? "available") !== "available")) {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: tgw ? `transit gateway ${tgwId} is ${tgw.State}` : `transit gateway ${tgwId} is not in the snapshot (deleted?)`, state: tgw?.State });
  }
  const attRef = tgwAttachmentRef(att.TransitGatewayAttachmentId);
  const srcSubnet = attachmentSubnet(ctx, att.SubnetIds, sender.az, false);
  if (att.SubnetIds.length > 0 && !srcSubnet) {
    return fail(ctx, {
      code: "TGW_ATTACHMENT_NO_SUBNET_IN_AZ",
      component: attRef,
      detail: `transit gateway attachment ${att.TransitGatewayAttachmentId} of ${vpcId} has no subnet in ${sender.az ?? "?"} (it has ${att.SubnetIds.join(", ")}), so ${sender.label} in ${sender.az ?? "?"} cannot reach ${tgwId}; add a subnet in ${sender.az ?? "that zone"} to the attachment (aws ec2 modify-transit-gateway-vpc-attachment --add-subnet-ids)`,
    });
  }
  // Traffic into the attachment's subnet from another subnet passes that subnet's inbound ACL.
  if (srcSubnet && srcSubnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, srcSubnet, false, senderAddrs(sender, target.family))) return false;
  ctx.hops.push({ component: attRef, action: `transit gateway attachment ${att.TransitGatewayAttachmentId} carries the traffic from ${vpcId} to ${tgwId}`, detail: srcSubnet ? `via ${srcSubnet.SubnetId} (${srcSubnet.AvailabilityZone ?? "?"})` : "attachment subnets not in the snapshot" });
  const hop = tgwRoute(ctx, att.TransitGatewayAttachmentId, target.cidrs, target.label, false);
  if (!hop) return false;
  const next = tx.vpcAttachments.get(hop.attachmentId);
  if (!next || !next.VpcId) {
    const nref = tgwAttachmentRef(hop.attachmentId);
    ctx.hops.push({ component: nref, action: `leaves ${tgwId} via attachment ${hop.attachmentId}`, detail: `to ${target.label}` });
    ctx.details.push(`PATH_LEAVES_VPC: transit gateway attachment ${hop.attachmentId} is not a VPC attachment in the snapshot (VPN, Direct Connect, peering); not analyzed further`);
    return notEvaluated(ctx, {
      code: "PATH_LEAVES_VPC",
      component: nref,
      detail: `${tgwId} sends the packet to attachment ${hop.attachmentId}, which is not a VPC attachment in the snapshot (a VPN, Direct Connect or transit gateway peering): the network beyond it was not evaluated`,
      collect: `check the far side of ${hop.attachmentId} (aws ec2 describe-transit-gateway-attachments --transit-gateway-attachment-ids ${hop.attachmentId}); a peered transit gateway's routes need a snapshot of its account and region (--profile, --region)`,
    });
  }
  const nextRef = tgwAttachmentRef(next.TransitGatewayAttachmentId);
  if ((next.State ?? "available") !== "available") {
    return fail(ctx, { code: "BAD_STATE_ATTACHMENT", component: nextRef, detail: `transit gateway attachment ${next.TransitGatewayAttachmentId} of ${next.VpcId} is ${next.State}`, state: next.State });
  }
  if (!ix.vpcs.has(next.VpcId)) {
    ctx.hops.push({ component: nextRef, action: `leaves ${tgwId} via ${next.TransitGatewayAttachmentId} to ${next.VpcId}`, detail: `to ${target.label}` });
    ctx.details.push(`PATH_LEAVES_VPC: ${next.VpcId} (behind ${next.TransitGatewayAttachmentId}) is not in the snapshot; not analyzed further`);
    return notEvaluated(ctx, { code: "PATH_LEAVES_VPC", component: nextRef, ...outsideVpc(ctx, next.VpcId, `${next.VpcId} (behind ${next.TransitGatewayAttachmentId})`, { OwnerId: (next as { VpcOwnerId?: string }).VpcOwnerId }) });
  }
  const dstSubnet = attachmentSubnet(ctx, next.SubnetIds, sender.az, true);
  if (!dstSubnet) {
    return fail(ctx, { code: "BAD_STATE_ATTACHMENT", component: nextRef, detail: `transit gateway attachment ${next.TransitGatewayAttachmentId} of ${next.VpcId} has no subnet in the snapshot` });
  }
  if (sender.az && dstSubnet.AvailabilityZone && dstSubnet.AvailabilityZone !== sender.az) {
    ctx.details.push(`AVAILABILITY_ZONE_CROSSED: ${next.TransitGatewayAttachmentId} has no subnet in ${sender.az}; ${tgwId} delivers into ${dstSubnet.SubnetId} in ${dstSubnet.AvailabilityZone}`);
  }
  ctx.crossings.push({
    kind: "tgw",
    via: ref,
    fromVpc: vpcId,
    toVpc: next.VpcId,
    addrs: senderAddrs(sender, target.family),
    family: target.family,
    srcAttachmentId: att.TransitGatewayAttachmentId,
    dstAttachmentId: next.TransitGatewayAttachmentId,
    replySubnet: dstSubnet,
    fixed: false,
  });
  ctx.hops.push({ component: nextRef, action: `transit gateway attachment ${next.TransitGatewayAttachmentId} delivers into ${next.VpcId} at ${dstSubnet.SubnetId} (${dstSubnet.AvailabilityZone ?? "?"}); the source address is kept`, detail: `to ${target.label}` });
  const tgwSender: Sender = {
    ref: nextRef,
    label: `${sender.label} via ${tgwId}`,
    subnet: dstSubnet,
    az: dstSubnet.AvailabilityZone,
    addr4: sender.addr4,
    addr6: sender.addr6,
    sgIds: null, // transit gateway ENIs carry no security groups
  };
  return walk(ctx, tgwSender, target, depth + 1);
}

/** The attachment subnet in `az` (AZ affinity), else — when `anyAz` — the first one in the snapshot. */
function attachmentSubnet(ctx: Ctx, subnetIds: readonly string[], az: string | undefined, anyAz: boolean): Subnet | null {
  const subnets = subnetIds.map((id) => ctx.ix.subnets.get(id)).filter((x): x is Subnet => !!x);
  return subnets.find((x) => x.AvailabilityZone === az) ?? (anyAz || !az ? (subnets[0] ?? null) : null);
}

/** Looks the destination up in the route table associated with an attachment; records the hop or the block. */
function tgwRoute(ctx: Ctx, fromAttachment: string, dest: Cidr[], label: string, returnPath: boolean): { attachmentId: string; tableId: string; route: ParsedTgwRoute } | null {
  const tx = ctx.ix.transit;
  const att = tx.vpcAttachments.get(fromAttachment);
  const tgwId = att?.TransitGatewayId ?? "?";
  const tableId = tx.association.get(fromAttachment);
  const rp = returnPath ? { returnPath: true } : {};
  if (!tableId || !tx.routeTables.has(tableId)) {
    fail(ctx, {
      code: "BAD_STATE_ATTACHMENT",
      component: tgwAttachmentRef(fromAttachment),
      detail: `transit gateway attachment ${fromAttachment}${att?.VpcId ? ` (${att.VpcId})` : ""} is not associated with a route table of ${tgwId}${tableId ? ` (${tableId} is not in the snapshot)` : ""}, so ${tgwId} drops its traffic${returnPath ? " (the reply)" : ""}; associate it (aws ec2 associate-transit-gateway-route-table)`,
      ...rp,
    });
    return null;
  }
  const tref = { id: tableId, type: ComponentType.transitGatewayRouteTable };
  if ((tx.routeTables.get(tableId) as { AdditionalRoutesAvailable?: boolean } | undefined)?.AdditionalRoutesAvailable) {
    notEvaluated(ctx, { code: "NOT_COLLECTED", component: tref, detail: `transit gateway route table ${tableId} has more than 1,000 routes and the snapshot holds the first 1,000: a more specific route may exist`, collect: `read the route for this destination (aws ec2 search-transit-gateway-routes --transit-gateway-route-table-id ${tableId} --filters Name=route-search.longest-prefix-match,Values=DESTINATION)` });
  }
  const route = lookupTgwRoute(tx.tgwRoutes.get(tableId) ?? { lens: new Map(), byKey: new Map() }, dest);
  if (!route) {
    fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: tref, detail: `transit gateway route table ${tableId} (associated with ${fromAttachment}) has no route to ${label}${returnPath ? " for the reply" : ""}`, ...rp });
    return null;
  }
  const info = { destination: route.route.DestinationCidrBlock ?? route.route.PrefixListId ?? "?", target: route.attachmentId ?? "blackhole", state: route.route.State };
  if (route.blackhole || !route.attachmentId) {
    fail(ctx, { code: "BAD_STATE_ROUTE", component: tref, detail: `transit gateway route table ${tableId} route ${info.destination} is a blackhole: ${tgwId} drops traffic to ${label}${returnPath ? " (the reply)" : ""}`, route: info, state: "blackhole", ...rp });
    return null;
  }
  ctx.hops.push({ component: tref, action: `transit gateway route table ${tableId} ${route.route.Type ?? "static"} route ${info.destination} → ${route.attachmentId} matched${returnPath ? " (return traffic)" : ""}`, detail: `associated with ${fromAttachment}`, route: info });
  return { attachmentId: route.attachmentId, tableId, route };
}

/** The reply from the far VPC back to the source: its subnet's route, then (transit gateway) the far attachment's route table. */
export function checkCrossingReturn(ctx: Ctx, c: Crossing): boolean {
  const { ix } = ctx;
  if (!c.replySubnet || c.addrs.length === 0) return true;
  const addrText = c.addrs.map(hostText).join(", ");
  const rt = routeTableForSubnet(ix, c.replySubnet);
  const replyTarget: Target = { kind: "address", family: c.family, cidrs: c.addrs, label: `${addrText} (${c.fromVpc})` };
  const route = rt ? lookupRoute(ix, rt.table, replyTarget) : null;
  const back = c.kind === "pcx" ? route?.route.VpcPeeringConnectionId : route?.route.TransitGatewayId;
  const rtRef = rt ? { id: rt.table.table.RouteTableId, type: ComponentType.routeTable } : { id: c.replySubnet.SubnetId, type: ComponentType.subnet };
  if (!route || back !== c.via.id || (route.route.State ?? "active") === "blackhole") {
    const now = !route ? "has no route to it" : route.local ? `keeps it inside ${c.toVpc} (the local route: ${c.toVpc} overlaps ${addrText})` : `sends it to ${routeTarget(route)}${route.route.State === "blackhole" ? " (blackhole)" : ""}`;
    return fail(ctx, {
      code: route && route.route.State === "blackhole" ? "BAD_STATE_ROUTE" : "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `the reply from ${c.toVpc} to ${addrText} in ${c.fromVpc} has no route back through ${c.via.id}: route table ${rtRef.id} of ${c.replySubnet.SubnetId} ${now}; add a route for ${c.fromVpc}'s CIDR to ${c.via.id}`,
      returnPath: true,
      routeTable: rt ? rtRef : undefined,
      subnet: { id: c.replySubnet.SubnetId, type: ComponentType.subnet },
    });
  }
  ctx.hops.push({ component: rtRef, action: `route table ${rtRef.id} route ${routeDest(route)} → ${c.via.id} matched (return traffic)`, detail: `from ${c.replySubnet.SubnetId} to ${addrText}` });
  if (c.kind === "pcx") return true;
  const hop = tgwRoute(ctx, c.dstAttachmentId!, c.addrs, replyTarget.label, true);
  if (!hop) return false;
  if (hop.attachmentId === c.srcAttachmentId) return true;
  const tx = ix.transit;
  const other = tx.vpcAttachments.get(hop.attachmentId);
  const tref = { id: hop.tableId, type: ComponentType.transitGatewayRouteTable };
  const routeCidr = hop.route.cidr;
  const propagators = routeCidr ? overlappingPropagators(tx, ix.vpcCidrs, hop.tableId, routeCidr) : [];
  if (routeCidr && propagators.includes(c.srcAttachmentId!) && hop.route.route.Type !== "static") {
    return fail(ctx, {
      code: "TGW_ROUTE_OVERLAP",
      component: tref,
      detail: `${routeCidr.text} is propagated to transit gateway route table ${hop.tableId} by both ${hop.attachmentId} (${other?.VpcId ?? "?"}) and ${c.srcAttachmentId} (${c.fromVpc}); the transit gateway keeps the route it learned first (${hop.attachmentId}), so the reply to ${addrText} goes to ${other?.VpcId ?? "?"}, not ${c.fromVpc}. Overlapping CIDRs cannot share a transit gateway route table: renumber ${c.fromVpc}, or reach the shared service through PrivateLink`,
      returnPath: true,
      address: routeCidr.text,
    });
  }
  return fail(ctx, {
    code: "NO_ROUTE_TO_DESTINATION",
    component: tref,
    detail: `transit gateway route table ${hop.tableId} sends the reply to ${addrText} to ${hop.attachmentId} (${other?.VpcId ?? "?"}), not back to ${c.srcAttachmentId} (${c.fromVpc})`,
    returnPath: true,
  });
}
