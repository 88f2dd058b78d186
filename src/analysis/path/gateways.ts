// The gateways a route leads to inside a VPC's edge: NAT gateways, NAT instances (appliances),
// internet gateways, egress-only internet gateways, gateway endpoints, and targets that leave the VPC.
import { isNonPublicV4, parseCidr } from "../../net/addr.js";
import type { ParsedRoute } from "../snapshot-index.js";
import type { Subnet } from "../snapshot.js";
import { checkBlockPublicAccess } from "./bpa.js";
import { fixReply } from "./crossings.js";
import { eniForInstance, eniFromRecord, senderFromEni, senderFromNat } from "./enis.js";
import { admitAt, crossAcl, fmtPorts } from "./filters.js";
import { fail, missing, notEvaluated, omission, senderAddrs, type Ctx, type Sender, type Target, type VirtualEni } from "./internal.js";
import { ComponentType, type ComponentRef, type Explanation } from "./model.js";
import { instanceDown, walk } from "./walk.js";
import { isManualRegionalNat, isRegionalNat, regionalNatAddressesIn, regionalNatAzs, regionalNatCoverage } from "../nat.js";
import type { NatGateway } from "../snapshot.js";

function flagAzCrossing(ctx: Ctx, sender: Sender, via: ComponentRef, viaSubnet: Subnet): void {
  if (sender.az && viaSubnet.AvailabilityZone && sender.az !== viaSubnet.AvailabilityZone) {
    ctx.details.push(
      `AVAILABILITY_ZONE_CROSSED: ${sender.label} in ${sender.az} egresses through ${via.id} in ${viaSubnet.AvailabilityZone} (cross-AZ data charges; loses egress if that AZ fails)`,
    );
  }
}

export function viaNatGateway(ctx: Ctx, sender: Sender, target: Target, natId: string, depth: number, rtRef: ComponentRef): boolean {
  const { ix } = ctx;
  const ref = { id: natId, type: ComponentType.natGateway };
  if (ctx.visited.has(natId)) {
    // The NAT's own subnet sends the traffic back to the NAT: it sits in a private subnet.
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `route table ${rtRef.id} of NAT gateway ${natId}'s subnet ${sender.subnet.SubnetId} routes ${target.label} back to the NAT gateway, not to an internet gateway: a NAT gateway must sit in a public subnet (0.0.0.0/0 → igw-…)`,
      routeTable: rtRef,
      natGateway: ref,
    });
  }
  const nat = ix.natGateways.get(natId);
  if (!nat) {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: `NAT gateway ${natId} is not in the snapshot (deleted?)` });
  }
  const state = nat.State ?? "available";
  if (state !== "available") {
    return fail(ctx, {
      code: "BAD_STATE",
      component: ref,
      detail: `NAT gateway ${natId} is ${state}${nat.FailureMessage ? `: ${nat.FailureMessage}` : ""}`,
      state,
    });
  }
  // NAT64: a NAT gateway translates IPv6 traffic to 64:ff9b::/96 into IPv4 to the embedded address; other IPv6 it drops.
  const nat64 = target.family === 6 ? target.nat64 : undefined;
  if (target.family === 6 && !nat64) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `NAT gateway ${natId} does not forward IPv6 traffic to ${target.label} (it translates only 64:ff9b::/96, NAT64)` });
  }
  if (isRegionalNat(nat)) return viaRegionalNatGateway(ctx, sender, target, nat, ref, depth);
  const natSender = senderFromNat(ix, nat);
  fixReply(ctx, natSender.subnet);
  flagAzCrossing(ctx, sender, ref, natSender.subnet);
  if (natSender.subnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, natSender.subnet, false, senderAddrs(sender, target.family))) return false;
  const isPublic = (nat.ConnectivityType ?? "public") === "public";
  const natAddr = natSender.addr4?.text.replace(/\/32$/, "");
  ctx.hops.push({
    component: ref,
    action: nat64
      ? `NAT gateway ${natId} (NAT64; ${isPublic ? `public, ${natSender.publicIp ? `Elastic IP ${natSender.publicIp}` : "no Elastic IP"}` : "private"}) translates ${target.label} to IPv4 ${nat64.label} and the source to ${natAddr}`
      : `NAT gateway ${natId} (${isPublic ? `public, ${natSender.publicIp ? `Elastic IP ${natSender.publicIp}` : "no Elastic IP"}` : "private"}) translates the source to ${natAddr}`,
    detail: `in ${natSender.subnet.SubnetId} (${natSender.az ?? "?"})`,
  });
  // The IPv4 leg: from the NAT's own subnet (its ACL, its route table, its Elastic IP at the internet gateway).
  return walk(ctx, natSender, nat64 ?? target, depth + 1);
}

/**
 * A regional NAT gateway serves traffic from the AZs it is registered in, each from its own address
 * set, with no subnet of its own; traffic from any other AZ is dropped (Reachability Analyzer's
 * REGIONAL_NGW_ROUTE_AZ_RESTRICTION: "the regional NAT gateway is not registered in the Availability
 * Zone where the traffic originates"). Past the translation it routes by its own route table.
 */
function viaRegionalNatGateway(ctx: Ctx, sender: Sender, target: Target, nat: NatGateway, ref: ComponentRef, depth: number): boolean {
  const isPublic = (nat.ConnectivityType ?? "public") === "public";
  // NAT64 through a regional NAT gateway is not modelled (AWS's regional NAT documentation does not
  // describe it): neither a translation nor a drop is proven.
  if (target.family === 6) {
    return notEvaluated(ctx, { code: "NAT64_NOT_EVALUATED", component: ref, detail: `NAT64 (${target.label}) through regional NAT gateway ${nat.NatGatewayId} is not evaluated by egress-cli`, collect: "route 64:ff9b::/96 to a zonal NAT gateway, or prove this path with a live test" });
  }
  const addrs = regionalNatAddressesIn(nat, sender.az);
  if (!addrs.length) {
    const coverage = regionalNatCoverage(nat);
    if (sender.az && coverage.pending.includes(sender.az)) {
      return notEvaluated(ctx, {
        code: "REGIONAL_NGW_ADDRESS_PENDING",
        component: ref,
        detail: `regional NAT gateway ${nat.NatGatewayId}'s address in ${sender.az}, where ${sender.label} sends from, is still being associated (${nat.NatGatewayAddresses.filter((a) => a.AvailabilityZone === sender.az).map((a) => `${a.PublicIp ?? a.AllocationId ?? a.PrivateIp ?? "?"}: ${a.Status}`).join(", ")}): it carries traffic only once it has succeeded`,
        collect: `wait for the address to succeed (aws ec2 describe-nat-gateways --nat-gateway-ids ${nat.NatGatewayId}), then take the snapshot again`,
      });
    }
    const azs = regionalNatAzs(nat);
    const how = isManualRegionalNat(nat)
      ? `it is in manual mode (AvailabilityZoneAddresses): give it Elastic IPs in ${sender.az ?? "that AZ"} (aws ec2 associate-nat-gateway-address --nat-gateway-id ${nat.NatGatewayId} --availability-zone ${sender.az ?? "AZ"} --allocation-ids eipalloc-…)`
      : `in automatic mode AWS adds an AZ when it detects a workload's network interface there; until it has, that AZ has no egress`;
    return fail(ctx, {
      code: "REGIONAL_NGW_ROUTE_AZ_RESTRICTION",
      component: ref,
      detail: `regional NAT gateway ${nat.NatGatewayId} is not registered in ${sender.az ?? "the source's AZ"}, where ${sender.label} sends from (registered in: ${azs.join(", ") || "no AZ"}): ${how}`,
      natGateway: ref,
    });
  }
  const a = addrs[0]!;
  const natSender: Sender = {
    ref,
    label: nat.NatGatewayId,
    subnet: sender.subnet,
    az: sender.az,
    addr4: parseCidr(a.PrivateIp) ?? sender.addr4,
    addr6: null,
    publicIp: isPublic ? a.PublicIp : undefined,
    sgIds: null,
    natGatewayId: nat.NatGatewayId,
    routeTableId: nat.RouteTableId,
  };
  ctx.hops.push({
    component: ref,
    action: `regional NAT gateway ${nat.NatGatewayId} (${isPublic ? (a.PublicIp ? `Elastic IP ${a.PublicIp} in ${sender.az}` : `no Elastic IP in ${sender.az}`) : "private"}) translates the source${a.PrivateIp ? ` to ${a.PrivateIp}` : ""}`,
    detail: `registered in ${regionalNatAzs(nat).join(", ")}`,
  });
  if (!nat.RouteTableId) {
    // Without its route table's id the snapshot cannot say where it sends the packet.
    return notEvaluated(ctx, { code: "NOT_IN_SNAPSHOT", component: ref, detail: `regional NAT gateway ${nat.NatGatewayId} names no route table (RouteTableId): where it sends ${target.label} was not evaluated`, collect: "take the snapshot again with ec2:DescribeNatGateways (an API version that returns RouteTableId)" });
  }
  return walk(ctx, natSender, target, depth + 1);
}

export function viaAppliance(
  ctx: Ctx,
  sender: Sender,
  target: Target,
  r: ParsedRoute["route"],
  rtRef: ComponentRef,
  routeInfo: NonNullable<Explanation["route"]>,
  depth: number,
): boolean {
  const { ix } = ctx;
  let eni: VirtualEni | null = null;
  if (r.NetworkInterfaceId) {
    const natId = ix.natByEni.get(r.NetworkInterfaceId);
    if (natId) return viaNatGateway(ctx, sender, target, natId, depth, rtRef);
    const rec = ix.networkInterfaces.get(r.NetworkInterfaceId);
    eni = rec ? eniFromRecord(ix, rec) : null;
    if (eni && r.InstanceId) {
      const inst = ix.instances.get(r.InstanceId);
      eni.publicIp ??= inst?.PublicIpAddress;
    }
  }
  if (!eni && r.InstanceId) eni = eniForInstance(ix, r.InstanceId);
  const id = r.InstanceId ?? r.NetworkInterfaceId!;
  if (!eni) {
    const ref = { id, type: r.InstanceId ? ComponentType.instance : ComponentType.networkInterface };
    if (missing(ctx, r.InstanceId ? "instances" : "networkInterfaces", ref, `route ${routeInfo.destination} → ${id}: the target's state and security groups`)) return true;
    return fail(ctx, {
      code: "BAD_STATE_ROUTE",
      component: rtRef,
      detail: `route ${routeInfo.destination} → ${id}: the target is not in the snapshot (terminated?)`,
      routeTable: rtRef,
      route: routeInfo,
    });
  }
  // Every state the target can be in decides: a stopped instance, or an interface attached to nothing, forwards nothing.
  const down = instanceDown(ctx, eni, { rtRef, route: routeInfo });
  if (down) return fail(ctx, down);
  const rec = ix.networkInterfaces.get(eni.ref.type === ComponentType.networkInterface ? eni.ref.id : (ix.instances.get(eni.ref.id)?.NetworkInterfaces.find((n) => (n.Attachment?.DeviceIndex ?? 0) === 0)?.NetworkInterfaceId ?? ""));
  const eniStatus = rec?.Status;
  if (eniStatus && eniStatus !== "in-use") {
    return fail(ctx, {
      code: "BAD_STATE_ROUTE",
      component: rtRef,
      detail: `route ${routeInfo.destination} → ${id} in ${rtRef.id}: network interface ${rec!.NetworkInterfaceId} is ${eniStatus} (attached to no running instance), so the route is a blackhole; attach it to the appliance (aws ec2 attach-network-interface) or route elsewhere`,
      routeTable: rtRef,
      route: { ...routeInfo, state: "blackhole" },
      networkInterface: { id: rec!.NetworkInterfaceId, type: ComponentType.networkInterface },
      state: eniStatus,
    });
  }
  if (r.InstanceId && !ix.instances.has(r.InstanceId) && omission(ctx, "instances")) {
    // The interface is known but its instance's state is not: it may be stopped.
    missing(ctx, "instances", { id: r.InstanceId, type: ComponentType.instance }, `instance ${r.InstanceId}'s state (running or stopped)`);
  } else if (rec?.Attachment?.InstanceId && !ix.instances.has(rec.Attachment.InstanceId)) {
    const instRef = { id: rec.Attachment.InstanceId, type: ComponentType.instance };
    if (!missing(ctx, "instances", instRef, `instance ${rec.Attachment.InstanceId}'s state (running or stopped), behind ${rec.NetworkInterfaceId}`)) {
      notEvaluated(ctx, { code: "NOT_IN_SNAPSHOT", component: instRef, detail: `instance ${rec.Attachment.InstanceId} (behind route target ${rec.NetworkInterfaceId}) is not in the snapshot: whether it runs was not evaluated`, collect: "take the snapshot again (egress-cli snapshot) with ec2:DescribeInstances allowed" });
    }
  }
  if (eni.sourceDestCheck) {
    return fail(ctx, {
      code: "ENI_SOURCE_DEST_CHECK_RESTRICTION",
      component: eni.ref,
      detail: `${id} is a route target (NAT instance / appliance) but has source/destination check enabled, so it drops traffic not addressed to itself; disable it (aws ec2 modify-instance-attribute --no-source-dest-check)`,
      networkInterface: eni.ref,
    });
  }
  flagAzCrossing(ctx, sender, eni.ref, eni.subnet);
  const src = senderAddrs(sender, target.family);
  if (!admitAt(ctx, sender, eni, src, id, () => `no ingress rule of ${eni.sgIds.join(", ")} on NAT instance ${id} allows ${fmtPorts(ctx.proto, ctx.port, ctx.port)} from ${sender.label}`)) return false;
  ctx.hops.push({ component: eni.ref, action: `NAT instance ${id} (source/destination check off) forwards and translates the source to its own address` });
  return walk(ctx, { ...senderFromEni(eni), label: id }, target, depth + 1);
}

export function viaInternetGateway(ctx: Ctx, sender: Sender, target: Target, igwId: string): boolean {
  const ref = { id: igwId, type: ComponentType.internetGateway };
  const igw = ctx.ix.internetGateways.get(igwId);
  const vpcId = sender.subnet.VpcId;
  const att = igw?.Attachments.find((a) => a.VpcId === vpcId);
  const attState = att?.State ?? "missing";
  if (!igw || !att || !["available", "attached"].includes(attState)) {
    return fail(ctx, {
      code: igw ? "BAD_STATE_ATTACHMENT" : "BAD_STATE",
      component: ref,
      detail: igw ? `internet gateway ${igwId} is not attached to ${vpcId} (attachment: ${attState})` : `internet gateway ${igwId} is not in the snapshot`,
      state: attState,
    });
  }
  if (target.nat64) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `${target.label} is a NAT64 address (64:ff9b::/96): the internet has no route to it; route 64:ff9b::/96 to a NAT gateway, which translates it to IPv4` });
  }
  if (!checkBlockPublicAccess(ctx, { gateway: ref, direction: "egress", subnet: sender.subnet, natGateway: sender.natGatewayId })) return false;
  if (target.family === 4 && target.cidrs.length > 0 && target.cidrs.every(isNonPublicV4)) {
    return fail(ctx, {
      code: "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
      component: ref,
      detail: `${target.label} is a private address; internet gateway ${igwId} drops it`,
      address: target.cidrs[0]!.text,
    });
  }
  if (target.family === 4 && !sender.publicIp) {
    const why = sender.natGatewayId
      ? `NAT gateway ${sender.natGatewayId} has no public address (${(ctx.ix.natGateways.get(sender.natGatewayId)?.ConnectivityType ?? "public") === "private" ? "a private NAT gateway cannot reach the internet" : "no Elastic IP"})`
      : `${sender.label} has no public IPv4 address or Elastic IP${sender.label.startsWith("lambda:") ? " (Lambda ENIs never get one: route the function's subnets to a NAT gateway)" : " (so replies could never come back: route the subnet to a NAT gateway, outbound only; an Elastic IP also works but exposes the instance)"}`;
    return fail(ctx, {
      code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
      component: ref,
      detail: `internet gateway ${igwId} has no public address to translate to: ${why}`,
      internetGateway: ref,
      natGateway: sender.natGatewayId ? { id: sender.natGatewayId, type: ComponentType.natGateway } : undefined,
      networkInterface: sender.natGatewayId ? undefined : sender.ref,
    });
  }
  if (target.kind === "igw" && target.igwId && target.igwId !== igwId) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `the path reaches ${igwId}, not ${target.igwId}` });
  }
  ctx.hops.push({
    component: ref,
    action:
      target.family === 4
        ? `internet gateway ${igwId} translates ${sender.addr4?.text.replace(/\/32$/, "") ?? "the source"} to public ${sender.publicIp}`
        : `internet gateway ${igwId} forwards IPv6 traffic`,
    detail: `to ${target.label}`,
    ...(target.family === 4 && sender.publicIp ? { publicIp: sender.publicIp } : {}),
  });
  return true;
}

export function viaEgressOnly(ctx: Ctx, sender: Sender, target: Target, eigwId: string): boolean {
  const ref = { id: eigwId, type: ComponentType.egressOnlyInternetGateway };
  const eigw = ctx.ix.egressOnlyInternetGateways.get(eigwId);
  const att = eigw?.Attachments.find((a) => a.VpcId === sender.subnet.VpcId);
  if (!eigw && missing(ctx, "egressOnlyInternetGateways", ref, `egress-only internet gateway ${eigwId}`)) return true;
  if (!eigw || !att || !["available", "attached"].includes(att.State ?? "attached")) {
    return fail(ctx, {
      code: eigw ? "BAD_STATE_ATTACHMENT" : "BAD_STATE",
      component: ref,
      detail: eigw ? `egress-only internet gateway ${eigwId} is not attached to ${sender.subnet.VpcId}` : `egress-only internet gateway ${eigwId} is not in the snapshot`,
    });
  }
  if (target.family !== 6) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `egress-only internet gateway ${eigwId} carries IPv6 only` });
  }
  if (target.nat64) {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `${target.label} is a NAT64 address (64:ff9b::/96): only a NAT gateway translates it to IPv4; route 64:ff9b::/96 to a NAT gateway (the internet has no 64:ff9b::/96)` });
  }
  if (!checkBlockPublicAccess(ctx, { gateway: ref, direction: "egress", subnet: sender.subnet })) return false;
  ctx.hops.push({ component: ref, action: `egress-only internet gateway ${eigwId} forwards IPv6 traffic outbound (inbound connections refused)`, detail: `to ${target.label}` });
  return true;
}

export function viaGatewayEndpoint(ctx: Ctx, target: Target, vpceId: string): boolean {
  const ref = { id: vpceId, type: ComponentType.vpcEndpoint };
  const ep = ctx.ix.vpcEndpoints.get(vpceId);
  if (!ep && missing(ctx, "vpcEndpoints", ref, `gateway endpoint ${vpceId}`)) return true;
  const state = (ep?.State ?? "available").toLowerCase();
  if (!ep || state !== "available") {
    return fail(ctx, { code: "BAD_STATE", component: ref, detail: ep ? `gateway endpoint ${vpceId} is ${ep.State}` : `gateway endpoint ${vpceId} is not in the snapshot`, state });
  }
  if (ep.VpcEndpointType === "GatewayLoadBalancer") {
    // An AWS Network Firewall endpoint (or a third-party appliance behind a Gateway Load Balancer):
    // its rules are not in any snapshot, so what it passes, and where, is not evaluated.
    ctx.hops.push({ component: ref, action: `Gateway Load Balancer endpoint ${vpceId} (${ep.ServiceName ?? "?"}) hands the traffic to a firewall appliance`, detail: `to ${target.label}` });
    return notEvaluated(ctx, {
      code: "APPLIANCE_NOT_EVALUATED",
      component: ref,
      detail: `the route sends the traffic to Gateway Load Balancer endpoint ${vpceId} (an AWS Network Firewall endpoint or a third-party appliance): its rules and its onward routing are not in the snapshot`,
      collect: `check the firewall's rule groups (aws network-firewall describe-rule-group) and the firewall subnet's route table; the analyzer cannot read them`,
    });
  }
  if (target.kind === "igw") {
    return fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: ref, detail: `the route leads to gateway endpoint ${vpceId}, not to an internet gateway` });
  }
  ctx.hops.push({ component: ref, action: `gateway endpoint ${vpceId} (${ep.ServiceName ?? "?"}) carries the traffic to the service`, detail: `to ${target.label}` });
  return true;
}

export function leaveVpc(ctx: Ctx, sender: Sender, target: Target, ref: ComponentRef, rtRef: ComponentRef): boolean {
  const { ix } = ctx;
  if (ref.type === ComponentType.vpcPeeringConnection) {
    const pcx = ix.peerings.get(ref.id);
    if (!pcx && missing(ctx, "vpcPeeringConnections", ref, `peering connection ${ref.id}`)) return true;
    const code = pcx?.Status?.Code ?? "active";
    if (!pcx || code !== "active") {
      return fail(ctx, { code: "BAD_STATE", component: ref, detail: pcx ? `peering connection ${ref.id} is ${code}` : `peering connection ${ref.id} is not in the snapshot`, state: code });
    }
  }
  if (ref.type === ComponentType.transitGateway) {
    const atts = ix.snapshot.transitGatewayAttachments ? (ix.tgwAttachments.get(sender.subnet.VpcId) ?? []) : null;
    const att = atts?.find((a) => a.TransitGatewayId === ref.id);
    if (atts && (!att || (att.State ?? "available") !== "available")) {
      return fail(ctx, {
        code: "BAD_STATE_ATTACHMENT",
        component: ref,
        detail: `${sender.subnet.VpcId} has no available attachment to transit gateway ${ref.id}${att ? ` (${att.State})` : ""}`,
      });
    }
  }
  // A VPN or peering never carries the packet to an internet gateway; a transit gateway may (centralised
  // egress through another VPC's), so without its route tables that is not known.
  if (target.kind === "igw" && ref.type !== ComponentType.transitGateway) {
    return fail(ctx, {
      code: "NO_ROUTE_TO_DESTINATION",
      component: rtRef,
      detail: `the default route leaves the VPC via ${ref.id}; it does not reach an internet gateway of ${sender.subnet.VpcId}`,
      routeTable: rtRef,
    });
  }
  ctx.hops.push({ component: ref, action: `leaves ${sender.subnet.VpcId} via ${ref.id}`, detail: `to ${target.label}` });
  ctx.details.push(`PATH_LEAVES_VPC: leaves the VPC via ${ref.id}, not analyzed further`);
  return notEvaluated(ctx, { code: "PATH_LEAVES_VPC", component: ref, ...beyond(ctx, ref) });
}

/** What lies beyond a gateway the snapshot does not follow, and how to collect it. */
function beyond(ctx: Ctx, ref: ComponentRef): { detail: string; collect: string } {
  if (ref.type === ComponentType.transitGateway) {
    const o = omission(ctx, "transitGateways");
    return {
      detail: `transit gateway route tables of ${ref.id} are not in the snapshot${o ? ` (${o.operation} failed: ${o.code})` : ""}: where ${ref.id} sends the packet was not evaluated`,
      collect: `take the snapshot with ec2:DescribeTransitGateways, ec2:DescribeTransitGatewayVpcAttachments, ec2:DescribeTransitGatewayRouteTables, ec2:GetTransitGatewayRouteTableAssociations, ec2:GetTransitGatewayRouteTablePropagations and ec2:SearchTransitGatewayRoutes allowed (the transit gateway owner's account: --profile of that account)`,
    };
  }
  if (ref.type === ComponentType.vpnGateway) {
    return { detail: `the path leaves through virtual private gateway ${ref.id} (a VPN or Direct Connect): the network beyond it is not in any snapshot`, collect: `verify the far side's routing and firewall (the on-premises network or the Direct Connect gateway); the analyzer cannot` };
  }
  return { detail: `the path leaves through ${ref.id}, a gateway the offline analyzer does not follow`, collect: `analyze the rest with Reachability Analyzer (analyze-path without --local) or check the gateway's routing` };
}
