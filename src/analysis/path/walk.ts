// The walk: from a sender through its security groups, subnet ACL and route table to the route's
// target, and the return path checked after the forward path.
import { cidrContains, parseCidr, type Cidr } from "../../net/addr.js";
import { routeTableForSubnet, type ParsedRoute, type ParsedRouteTable, type SnapshotIndex } from "../snapshot-index.js";
import type { Subnet } from "../snapshot.js";
import { checkCrossingReturn, fixReply, viaPeering, viaTransitGateway } from "./crossings.js";
import { eniFromRecord } from "./enis.js";
import { admitAt, checkAcl, crossAcl, evalSecurityGroups, fmtPorts, peersText, sgRuleOf } from "./filters.js";
import { leaveVpc, viaAppliance, viaEgressOnly, viaGatewayEndpoint, viaInternetGateway, viaNatGateway } from "./gateways.js";
import { fail, missing, notEvaluated, senderAddrs, type Ctx, type Sender, type Target, type VirtualEni } from "./internal.js";
import { ComponentType, type ComponentRef, type Explanation } from "./model.js";
import { viaResourceEndpoint } from "./privatelink.js";
import { lookupRoute, routeDest, routeTarget } from "./routing.js";

/** How many NATs, appliances, transit gateways or PrivateLink hops a path may cross before it is called a loop. */
const MAX_DEPTH = 6;

/** Evaluates the path from `sender` to `target`. Returns true if the forward path is reachable. */
export function walk(ctx: Ctx, sender: Sender, target: Target, depth: number): boolean {
  const { ix } = ctx;
  if (depth > MAX_DEPTH || ctx.visited.has(sender.ref.id)) {
    return fail(ctx, {
      code: "ROUTING_LOOP",
      component: sender.ref,
      detail: `the path returns to ${sender.ref.id}; check the route tables of the subnets it crosses`,
    });
  }
  ctx.visited.add(sender.ref.id);
  const badEndpoint = target.badEndpoint;
  if (badEndpoint) {
    return fail(ctx, {
      code: "BAD_STATE",
      component: { id: badEndpoint.VpcEndpointId, type: ComponentType.vpcEndpoint },
      detail: `VPC endpoint ${badEndpoint.VpcEndpointId} is ${badEndpoint.State}`,
      state: badEndpoint.State,
    });
  }

  if (target.noDns64) {
    return fail(ctx, {
      code: "DNS64_NOT_ENABLED",
      component: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
      detail: `${sender.label} has no IPv4 address (IPv6-only subnet ${sender.subnet.SubnetId}) and the subnet has DNS64 off, so the name of ${target.label} resolves to no address it can use; turn DNS64 on (aws ec2 modify-subnet-attribute --subnet-id ${sender.subnet.SubnetId} --enable-dns64) and route 64:ff9b::/96 to a NAT gateway`,
      subnet: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
    });
  }
  const srcAddrs = senderAddrs(sender, target.family);
  if (target.family === 6 && srcAddrs.length === 0) {
    return fail(ctx, {
      code: "SOURCE_HAS_NO_IPV6_ADDRESS",
      component: sender.ref,
      detail: `${sender.label} has no IPv6 address${sender.subnet.Ipv6CidrBlockAssociationSet?.length ? "" : ` (subnet ${sender.subnet.SubnetId} has no IPv6 CIDR)`}`,
    });
  }

  // 1. Source security groups, egress (stateful: the reply needs no rule).
  if (sender.sgIds) {
    const v = evalSecurityGroups(ctx, sender.sgIds, "egress", target.cidrs, target.eni?.sgIds ?? null, target.prefixListId);
    if (!v.ok) {
      const first = sender.sgIds[0];
      return fail(ctx, {
        code: "ENI_SG_RULES_MISMATCH",
        component: first ? { id: first, type: ComponentType.securityGroup } : sender.ref,
        detail: `no egress rule of ${sender.sgIds.join(", ") || "(no security groups)"} on ${sender.label} allows ${fmtPorts(ctx.proto, ctx.port, ctx.port)} to ${target.label}`,
        direction: "egress",
        securityGroups: sender.sgIds,
        networkInterface: sender.ref,
      });
    }
    ctx.hops.push({
      component: { id: v.sgId!, type: ComponentType.securityGroup },
      action: `security group ${v.sgId} egress rule ${v.rule} matched`,
      detail: `on ${sender.label}`,
      securityGroupRule: sgRuleOf(v, "egress"),
    });
  }

  if (target.resolvedVia && !ctx.hops.includes(target.resolvedVia)) ctx.hops.push(target.resolvedVia);

  // A regional NAT gateway: no subnet, so no ACL; its own route table.
  if (sender.routeTableId) return walkRegionalNatTable(ctx, sender, target, depth);

  // 2. Same subnet: no ACL, no route lookup beyond local.
  if (target.eni && target.eni.subnet.SubnetId === sender.subnet.SubnetId) {
    ctx.hops.push({
      component: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
      action: `destination ${target.eni.ref.id} is in the same subnet (local route; network ACLs do not apply)`,
    });
    return deliverToEni(ctx, sender, target, target.eni, depth);
  }

  // 3. Subnet ACL, outbound.
  if (!crossAcl(ctx, sender.subnet, true, target.cidrs)) return false;

  // 4. Route table.
  const rt = routeTableForSubnet(ix, sender.subnet);
  if (!rt) {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
      detail: `subnet ${sender.subnet.SubnetId} has no associated route table and VPC ${sender.subnet.VpcId} has no main route table in the snapshot`,
    });
  }
  return routeFrom(ctx, sender, target, depth, rt.table, rt.main ? "main route table (no explicit association)" : "explicitly associated");
}

/** A regional NAT gateway's own route table (not a subnet's): in the snapshot, or not evaluated. */
function walkRegionalNatTable(ctx: Ctx, sender: Sender, target: Target, depth: number): boolean {
  let table = ctx.ix.routeTables.get(sender.routeTableId!);
  const ref = { id: sender.routeTableId!, type: ComponentType.routeTable };
  if (!table && missing(ctx, "routeTables", ref, `regional NAT gateway ${sender.label}'s route table ${sender.routeTableId}`)) return true;
  const igw = table ? undefined : [...ctx.ix.internetGateways.values()].find((g) => g.Attachments.some((a) => a.VpcId === sender.subnet.VpcId && ["available", "attached"].includes(a.State ?? "available")));
  if (!table && igw) {
    // AWS creates the gateway's route table with 0.0.0.0/0 → the VPC's internet gateway (and the local
    // route); a listing that leaves it out is read as that default, said so (as a subnet without a
    // network ACL is read as the default ACL: ASSUMED_DEFAULT_ACL).
    ctx.details.push(`ASSUMED_REGIONAL_NAT_ROUTE_TABLE: route table ${sender.routeTableId} of regional NAT gateway ${sender.label} is not in the snapshot; AWS's default for it (0.0.0.0/0 → ${igw.InternetGatewayId}, the VPC's local routes) was assumed`);
    const routes: ParsedRoute[] = [...(ctx.ix.vpcCidrs.get(sender.subnet.VpcId) ?? []).map((cidr) => ({ route: { DestinationCidrBlock: cidr.text, GatewayId: "local", State: "active" }, cidr, local: true })), { route: { DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw.InternetGatewayId, State: "active" }, cidr: parseCidr("0.0.0.0/0"), local: false }];
    table = { table: { RouteTableId: sender.routeTableId!, VpcId: sender.subnet.VpcId, Routes: routes.map((r) => r.route), Associations: [], Tags: [] } as unknown as ParsedRouteTable["table"], routes };
  }
  if (!table) {
    return notEvaluated(ctx, {
      code: "NOT_IN_SNAPSHOT",
      component: ref,
      detail: `route table ${sender.routeTableId} of regional NAT gateway ${sender.label} is not in the snapshot: where it sends ${target.label} was not evaluated`,
      collect: `take the snapshot again with the whole VPC ${sender.subnet.VpcId} (egress-cli snapshot --vpc ${sender.subnet.VpcId})`,
    });
  }
  return routeFrom(ctx, { ...sender, routeTableId: undefined }, target, depth, table, `route table of regional NAT gateway ${sender.label}`);
}

/** Step 4 onwards: the route `table` picks for the target, and the route's target. */
function routeFrom(ctx: Ctx, sender: Sender, target: Target, depth: number, table: NonNullable<ReturnType<typeof routeTableForSubnet>>["table"], assoc: string): boolean {
  const { ix } = ctx;
  const rt = { table };
  const rtRef = { id: rt.table.table.RouteTableId, type: ComponentType.routeTable };
  const route = lookupRoute(ix, rt.table, target);
  if (!route) {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `route table ${rtRef.id} (${assoc}) of ${sender.subnet.SubnetId} has no route to ${target.label}`,
      routeTable: rtRef,
      subnet: { id: sender.subnet.SubnetId, type: ComponentType.subnet },
    });
  }
  // A prefix-list route whose entries were not collected might be the more specific match for an address.
  if ((target.kind === "address" || target.kind === "eni") && !route.prefixListId) {
    const unknownList = rt.table.routes.find((x) => x.prefixListId && !ix.prefixLists.has(x.prefixListId));
    if (unknownList) missing(ctx, "managedPrefixLists", rtRef, `route table ${rtRef.id}'s route to prefix list ${unknownList.prefixListId} (its entries decide whether it, not ${routeDest(route)}, carries ${target.label})`);
  }
  const tgt = routeTarget(route);
  const routeInfo = { destination: routeDest(route), target: tgt, state: route.route.State };
  if ((route.route.State ?? "active") === "blackhole") {
    return fail(ctx, {
      code: "BAD_STATE_ROUTE",
      component: rtRef,
      detail: `route ${routeInfo.destination} → ${tgt} in ${rtRef.id} is a blackhole (its target was deleted or failed)`,
      routeTable: rtRef,
      route: routeInfo,
      state: "blackhole",
    });
  }
  ctx.hops.push({
    component: rtRef,
    action: `route table ${rtRef.id} route ${routeInfo.destination} → ${tgt} matched`,
    detail: sender.natGatewayId && assoc.startsWith("route table of regional") ? assoc : `${assoc} for ${sender.subnet.SubnetId}`,
    route: routeInfo,
  });

  // 5. The route's target.
  const r = route.route;
  if (route.local) return deliverLocal(ctx, sender, target, rtRef, depth);
  if (r.NatGatewayId) return viaNatGateway(ctx, sender, target, r.NatGatewayId, depth, rtRef);
  if (r.InstanceId || r.NetworkInterfaceId) return viaAppliance(ctx, sender, target, r, rtRef, routeInfo, depth);
  if (r.EgressOnlyInternetGatewayId) return viaEgressOnly(ctx, sender, target, r.EgressOnlyInternetGatewayId);
  if (r.VpcPeeringConnectionId) return viaPeering(ctx, sender, target, r.VpcPeeringConnectionId, rtRef, depth);
  if (r.TransitGatewayId) return viaTransitGateway(ctx, sender, target, r.TransitGatewayId, rtRef, depth);
  const gw = r.GatewayId ?? r.VpcEndpointId ?? r.CarrierGatewayId ?? r.LocalGatewayId;
  if (gw?.startsWith("igw-")) return viaInternetGateway(ctx, sender, target, gw);
  if (gw?.startsWith("vpce-")) return viaGatewayEndpoint(ctx, target, gw);
  if (gw?.startsWith("eigw-")) return viaEgressOnly(ctx, sender, target, gw);
  if (gw) {
    const type = gw.startsWith("vgw-") ? ComponentType.vpnGateway : ComponentType.gateway;
    return leaveVpc(ctx, sender, target, { id: gw, type }, rtRef);
  }
  return fail(ctx, {
    code: "NO_ROUTE_TO_DESTINATION",
    component: rtRef,
    detail: `route ${routeInfo.destination} in ${rtRef.id} has no target the analyzer understands`,
    routeTable: rtRef,
    route: routeInfo,
  });
}

/** Local route: the destination is inside the VPC. */
export function deliverLocal(ctx: Ctx, sender: Sender, target: Target, rtRef: ComponentRef, depth: number, vpcId = sender.subnet.VpcId): boolean {
  const { ix } = ctx;
  if (target.kind === "igw" || target.kind === "internet" || target.kind === "prefix-list") {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `${target.label} matches only the local route of ${vpcId}`,
      routeTable: rtRef,
    });
  }
  let eni = target.eni;
  if (eni && eni.vpcId !== vpcId) {
    // Overlapping CIDRs: the address exists in this VPC too, so the local route keeps the packet here.
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `${target.cidrs[0]?.text} is inside ${vpcId}'s own CIDR, so the local route keeps the packet in ${vpcId}; ${eni.ref.id} is in ${eni.vpcId} (overlapping CIDRs cannot be routed between)`,
      routeTable: rtRef,
      address: target.cidrs[0]?.text,
    });
  }
  const only = target.cidrs[0];
  if (!eni && only && only.len === (only.v === 4 ? 32 : 128)) {
    const ip = only.text.slice(0, only.text.indexOf("/"));
    const rec = ix.eniByIp.get(`${vpcId}|${ip}`);
    if (rec) eni = eniFromRecord(ix, rec);
  }
  if (!eni) {
    const subnet = only ? findSubnetFor(ix, vpcId, only) : null;
    if (subnet) fixReply(ctx, subnet);
    if (subnet && subnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, subnet, false, senderAddrs(sender, target.family))) return false;
    ctx.details.push(
      `DESTINATION_NOT_EVALUATED: no network interface in the snapshot holds ${target.label}${subnet ? ` (subnet ${subnet.SubnetId})` : ""}; its security groups were not evaluated`,
    );
    const where = { id: subnet?.SubnetId ?? vpcId, type: subnet ? ComponentType.subnet : ComponentType.vpc };
    ctx.hops.push({ component: where, action: `routed to ${target.label} inside ${vpcId}` });
    // Nothing in the snapshot answers at that address: the path is proven only up to its subnet.
    return notEvaluated(ctx, {
      code: "DESTINATION_NOT_EVALUATED",
      component: where,
      detail: `no network interface in the snapshot holds ${target.label}${subnet ? ` (in ${subnet.SubnetId}'s range)` : ` (inside ${vpcId})`}: nothing there is known to answer, and no security group there was evaluated`,
      collect: `check the address (aws ec2 describe-network-interfaces --filters Name=addresses.private-ip-address,Values=${target.cidrs[0] ? target.cidrs[0].text.replace(/\/(32|128)$/, "") : "ADDRESS"}); if an interface holds it, take the snapshot again${ctx.ix.vpcs.has(vpcId) ? "" : ` including ${vpcId}`}, or ask for its eni-…/i-… id`,
    });
  }
  return deliverToEni(ctx, sender, target, eni, depth);
}

function findSubnetFor(ix: SnapshotIndex, vpcId: string, c: Cidr): Subnet | null {
  // Only used when no ENI holds the address; bounded by the VPC's subnets.
  for (const s of ix.subnetsByVpc.get(vpcId) ?? []) {
    if ((ix.subnetCidrs.get(s.SubnetId) ?? []).some((sc) => cidrContains(sc, c))) return s;
  }
  return null;
}

/** Destination ENI in the VPC: its subnet's ACL inbound (if crossing), then its security groups. */
function deliverToEni(ctx: Ctx, sender: Sender, target: Target, eni: VirtualEni, depth: number): boolean {
  const src = senderAddrs(sender, target.family);
  fixReply(ctx, eni.subnet);
  const down = instanceDown(ctx, eni);
  if (down) return fail(ctx, down);
  const rec = ctx.ix.networkInterfaces.get(eni.ref.id);
  if (rec && (rec.InterfaceType ?? "interface") === "interface" && rec.Status === "available" && !rec.Attachment?.InstanceId && !ctx.ix.endpointByEni.has(rec.NetworkInterfaceId)) {
    // A detached interface: nothing is behind it to answer. (A VPC endpoint's interface has no instance either:
    // the endpoint answers there, whatever InterfaceType/Status the API reports for it.)
    return fail(ctx, { code: "BAD_STATE", component: eni.ref, detail: `network interface ${eni.ref.id} is available (attached to no instance): nothing answers at its address`, networkInterface: eni.ref, state: "available" });
  }
  if (!admitAt(ctx, sender, eni, src, eni.ref.id, () => `no ingress rule of ${eni.sgIds.join(", ") || "(no security groups)"} on ${eni.ref.id} allows ${fmtPorts(ctx.proto, ctx.port, ctx.port)} from ${sender.label} (${peersText(src)}${sender.sgIds?.length ? `, ${sender.sgIds.join(", ")}` : ""})`)) return false;
  const resourceEndpoint =
    ctx.ix.resourceEndpointByEni.get(eni.ref.id) ??
    (eni.ref.type === ComponentType.vpcEndpoint && ctx.ix.vpcEndpoints.get(eni.ref.id)?.VpcEndpointType === "Resource" ? ctx.ix.vpcEndpoints.get(eni.ref.id) : undefined);
  if (resourceEndpoint) return viaResourceEndpoint(ctx, eni, resourceEndpoint, depth);
  ctx.hops.push({ component: eni.ref, action: `delivered to ${eni.ref.id}${target.service ? ` (${target.service})` : ""} in ${eni.subnet.SubnetId}` });
  return true;
}

/** Instance states in which nothing is forwarded or answered (only `running` does either). */
export const INSTANCE_DOWN = new Set(["pending", "stopping", "stopped", "shutting-down", "terminated"]);

/** The instance behind a network interface (by ref, or the record's attachment), when it is not running: why. */
export function instanceDown(ctx: Ctx, eni: VirtualEni, asRouteTarget?: { rtRef: ComponentRef; route: { destination: string; target: string; state?: string } }): Explanation | null {
  const rec = ctx.ix.networkInterfaces.get(eni.ref.id);
  const instanceId = eni.ref.type === ComponentType.instance ? eni.ref.id : rec?.Attachment?.InstanceId;
  const inst = instanceId ? ctx.ix.instances.get(instanceId) : undefined;
  const state = inst?.State?.Name;
  if (!inst || !state || !INSTANCE_DOWN.has(state)) return null;
  const ref = { id: inst.InstanceId, type: ComponentType.instance };
  const why = state === "pending" ? "not running yet" : "not running";
  if (asRouteTarget) {
    // A route to a stopped instance (or its interface) is a blackhole: nothing forwards the packet.
    return {
      code: "BAD_STATE_ROUTE",
      component: asRouteTarget.rtRef,
      detail: `route ${asRouteTarget.route.destination} → ${asRouteTarget.route.target} in ${asRouteTarget.rtRef.id} leads to instance ${inst.InstanceId}, which is ${state} (${why}): a ${state} instance forwards nothing, so the route is a blackhole${state === "terminated" ? "" : `; start it (aws ec2 start-instances --instance-ids ${inst.InstanceId}) or route through a NAT gateway`}`,
      routeTable: asRouteTarget.rtRef,
      route: { ...asRouteTarget.route, state: "blackhole" },
      networkInterface: ref,
      state,
    };
  }
  return { code: "BAD_STATE", component: ref, detail: `instance ${inst.InstanceId} is ${state} (${why}): nothing answers at ${eni.ref.id === inst.InstanceId ? "its address" : eni.ref.id}`, networkInterface: eni.ref, state };
}

/** Replies go to the client's ephemeral ports. */
const EPHEMERAL_FROM = 1024;
const EPHEMERAL_TO = 65535;

/** The reply: the route back over each VPC crossing, then every network ACL crossed (stateless), innermost first. */
export function checkReturnPath(ctx: Ctx): boolean {
  for (let i = ctx.crossings.length - 1; i >= 0; i--) if (!checkCrossingReturn(ctx, ctx.crossings[i]!)) return false;
  const [from, to] = ctx.proto === "icmp" ? [0, 65535] : [EPHEMERAL_FROM, EPHEMERAL_TO];
  for (let i = ctx.returns.length - 1; i >= 0; i--) {
    const r = ctx.returns[i]!;
    if (!checkAcl(ctx, r.subnet, r.egress, r.peers, from, to, true)) return false;
  }
  return true;
}
