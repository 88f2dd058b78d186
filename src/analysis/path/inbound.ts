// Inbound from the internet (`--from internet|internet6|igw-…`): can a connection opened on the internet
// reach a destination in a VPC? It enters only through an internet gateway attached to the VPC (an
// egress-only internet gateway admits none), passes VPC Block Public Access, needs an address the gateway
// can deliver to (a public IPv4 address or Elastic IP; an IPv6 address), and the reply must leave the way it
// came: the destination subnet's route back to the internet must be that internet gateway — a reply routed
// to an egress-only gateway or a NAT gateway leaves from elsewhere (or not at all), so no connection forms.
// Then the destination subnet's network ACL (in, and out for the reply) and the interface's security groups.
import { UsageError } from "../../errors.js";
import { ANY_V4, ANY_V6, parseCidr, type Cidr } from "../../net/addr.js";
import { routeTableForSubnet, type SnapshotIndex } from "../snapshot-index.js";
import type { Subnet } from "../snapshot.js";
import { checkBlockPublicAccess } from "./bpa.js";
import { eniForInstance, eniFromRecord, subnetOrThrow } from "./enis.js";
import { checkAcl, evalSecurityGroups, fmtPorts, sgRuleOf } from "./filters.js";
import { fail, notEvaluated, type Ctx, type VirtualEni } from "./internal.js";
import { ComponentType, type ComponentRef } from "./model.js";
import { lookupRoute, routeDest, routeTarget } from "./routing.js";
import { instanceDown } from "./walk.js";

export const INBOUND_SOURCES = /^(internet|internet6|igw-[0-9a-z-]+)$/;

interface InboundDestination {
  subnet: Subnet;
  eni?: VirtualEni;
  label: string;
  /** The address asked for, when one was. */
  addr?: Cidr;
}

function resolveDestination(ix: SnapshotIndex, destination: string): InboundDestination {
  if (destination.startsWith("subnet-")) {
    const subnet = subnetOrThrow(ix, destination, "destination");
    return { subnet, label: destination };
  }
  if (destination.startsWith("eni-") || destination.startsWith("i-")) {
    const rec = destination.startsWith("eni-") ? ix.networkInterfaces.get(destination) : undefined;
    const eni = rec ? eniFromRecord(ix, rec) : destination.startsWith("i-") ? eniForInstance(ix, destination) : null;
    if (!eni) throw new UsageError(`destination ${destination} is not in the snapshot`);
    return { subnet: eni.subnet, eni, label: destination };
  }
  const addr = parseCidr(destination);
  if (addr && addr.len === (addr.v === 4 ? 32 : 128)) {
    const ip = addr.text.slice(0, addr.text.indexOf("/"));
    for (const rec of ix.networkInterfaces.values()) {
      const eni = eniFromRecord(ix, rec);
      const hit = addr.v === 4 ? eni.publicIp === ip : rec.Ipv6Addresses?.some((a) => a.Ipv6Address === ip);
      if (hit) return { subnet: eni.subnet, eni, label: destination, addr };
    }
    for (const inst of ix.instances.values()) {
      if (addr.v === 4 && inst.PublicIpAddress === ip) {
        const eni = eniForInstance(ix, inst.InstanceId)!;
        return { subnet: eni.subnet, eni, label: destination, addr };
      }
    }
    if (addr.v === 6) {
      for (const [id, cidrs] of ix.subnetCidrs) {
        if (cidrs.some((c) => c.v === 6 && c.base <= addr.base && addr.end <= c.end)) return { subnet: ix.subnets.get(id)!, label: destination, addr };
      }
    }
    throw new UsageError(`no network interface or subnet in the snapshot holds ${ip}${addr.v === 4 ? " as its public IPv4 address" : ""}`, "from the internet, --to takes a public IPv4 address, an IPv6 address, eni-…, i-… or subnet-…");
  }
  throw new UsageError(`unknown destination "${destination}" for a path from the internet`, "use a public IPv4 address, an IPv6 address, eni-…, i-… or subnet-…");
}

/** Evaluates a connection opened from the internet to `destination`. True when nothing evaluated blocks it. */
export function walkInbound(ctx: Ctx, source: string, destination: string, ipVersion?: 4 | 6): { ok: boolean; sourceRef: ComponentRef } {
  const { ix } = ctx;
  const dest = resolveDestination(ix, destination);
  const family: 4 | 6 = dest.addr?.v ?? (source === "internet6" ? 6 : (ipVersion ?? 4));
  const any = family === 6 ? ANY_V6 : ANY_V4;
  const vpcId = dest.subnet.VpcId;
  const attached = [...ix.internetGateways.values()].filter((g) => g.Attachments.some((a) => a.VpcId === vpcId && ["available", "attached"].includes(a.State ?? "available")));
  const igw = source.startsWith("igw-") ? attached.find((g) => g.InternetGatewayId === source) : attached[0];
  const sourceRef: ComponentRef = { id: source, type: source.startsWith("igw-") ? ComponentType.internetGateway : "internet" };
  ctx.details.push(`FROM_INTERNET: a connection opened from ${family === 6 ? "the IPv6 internet" : "the internet"} to ${dest.label}`);
  if (!igw) {
    const eigw = [...ix.egressOnlyInternetGateways.values()].find((g) => g.Attachments.some((a) => a.VpcId === vpcId));
    if (source.startsWith("igw-") && ix.internetGateways.has(source)) {
      return { sourceRef, ok: fail(ctx, { code: "BAD_STATE_ATTACHMENT", component: { id: source, type: ComponentType.internetGateway }, detail: `internet gateway ${source} is not attached to ${vpcId}` }) };
    }
    if (family === 6 && eigw) {
      const ref = { id: eigw.EgressOnlyInternetGatewayId, type: ComponentType.egressOnlyInternetGateway };
      return { sourceRef, ok: fail(ctx, { code: "EGRESS_ONLY_GATEWAY_NO_INBOUND", component: ref, detail: `${vpcId} has no internet gateway; its egress-only internet gateway ${ref.id} carries only connections opened from inside, so the internet cannot reach ${dest.label}`, direction: "ingress" }) };
    }
    return { sourceRef, ok: fail(ctx, { code: "NO_ROUTE_TO_DESTINATION", component: { id: vpcId, type: ComponentType.vpc }, detail: `${vpcId} has no internet gateway attached: nothing from the internet enters it` }) };
  }
  const igwRef = { id: igw.InternetGatewayId, type: ComponentType.internetGateway };
  if (!checkBlockPublicAccess(ctx, { gateway: igwRef, direction: "ingress", subnet: dest.subnet })) return { sourceRef, ok: false };

  // The address the internet gateway delivers to.
  const eni = dest.eni;
  let inside: Cidr | null = null;
  if (family === 4) {
    if (eni && !eni.publicIp) {
      return { sourceRef, ok: fail(ctx, { code: "NO_PUBLIC_ADDRESS_FOR_INGRESS", component: eni.ref, detail: `${eni.ref.id} has no public IPv4 address or Elastic IP: internet gateway ${igw.InternetGatewayId} has no address that maps to it (outbound-only egress through a NAT gateway admits no inbound connection either)`, networkInterface: eni.ref }) };
    }
    inside = eni?.addr4 ?? null;
  } else {
    inside = eni ? eni.addr6 : (dest.addr ?? null);
    const subnetV6 = (ix.subnetCidrs.get(dest.subnet.SubnetId) ?? []).some((c) => c.v === 6);
    if ((eni && !eni.addr6) || (!eni && !subnetV6)) {
      return { sourceRef, ok: fail(ctx, { code: "NO_PUBLIC_ADDRESS_FOR_INGRESS", component: eni?.ref ?? { id: dest.subnet.SubnetId, type: ComponentType.subnet }, detail: `${eni?.ref.id ?? dest.subnet.SubnetId} has no IPv6 address: nothing on the IPv6 internet can address it` }) };
    }
  }
  ctx.hops.push({
    component: igwRef,
    action: family === 4 ? `internet gateway ${igw.InternetGatewayId} translates public ${eni?.publicIp ?? "(the public address)"} to ${inside?.text.replace(/\/32$/, "") ?? "the private address"}` : `internet gateway ${igw.InternetGatewayId} forwards IPv6 traffic into ${vpcId}`,
    detail: `from ${family === 6 ? "::/0" : "0.0.0.0/0"} to ${dest.label}`,
  });

  // The reply must leave through the same internet gateway: the destination subnet's route back to the internet.
  const rt = routeTableForSubnet(ix, dest.subnet);
  const reply = rt ? lookupRoute(ix, rt.table, { kind: "internet", family, cidrs: [any], label: "the internet" }) : null;
  const rtRef = { id: rt?.table.table.RouteTableId ?? dest.subnet.SubnetId, type: rt ? ComponentType.routeTable : ComponentType.subnet };
  const to = reply ? routeTarget(reply) : undefined;
  if (!reply || to !== igw.InternetGatewayId || (reply.route.State ?? "active") !== "active") {
    const eigw = to?.startsWith("eigw-");
    return {
      sourceRef,
      ok: fail(ctx, {
        code: eigw ? "EGRESS_ONLY_GATEWAY_NO_INBOUND" : "NO_ROUTE_TO_DESTINATION",
        component: eigw ? { id: to!, type: ComponentType.egressOnlyInternetGateway } : rtRef,
        detail: !reply
          ? `route table ${rtRef.id} of ${dest.subnet.SubnetId} has no route back to the internet: the reply to a connection from the internet is dropped`
          : eigw
            ? `${dest.subnet.SubnetId} routes ${routeDest(reply)} to egress-only internet gateway ${to} (route table ${rtRef.id}): it carries only connections opened from inside, so a connection from the internet to ${dest.label} never forms (inbound refused, as intended for a private subnet)`
            : `${dest.subnet.SubnetId} routes the reply (${routeDest(reply)}) to ${to}, not to internet gateway ${igw.InternetGatewayId} it came through (route table ${rtRef.id}): the reply leaves from another address or not at all, so the connection never forms`,
        returnPath: true,
        routeTable: rt ? rtRef : undefined,
        route: reply ? { destination: routeDest(reply), target: to!, state: reply.route.State } : undefined,
      }),
    };
  }

  // The destination subnet's network ACL (inbound), then the interface's security groups.
  if (!checkAcl(ctx, dest.subnet, false, [any], ctx.port, ctx.port, false)) return { sourceRef, ok: false };
  if (!eni) {
    ctx.hops.push({ component: { id: dest.subnet.SubnetId, type: ComponentType.subnet }, action: `routed to ${dest.label}` });
    notEvaluated(ctx, {
      code: "DESTINATION_NOT_EVALUATED",
      component: { id: dest.subnet.SubnetId, type: ComponentType.subnet },
      detail: `no network interface was named in ${dest.subnet.SubnetId}: the security groups of whatever runs there were not evaluated`,
      collect: `ask for an interface there (--to eni-… or i-…)`,
    });
  } else {
    const down = instanceDown(ctx, eni);
    if (down) return { sourceRef, ok: fail(ctx, down) };
    const v = evalSecurityGroups(ctx, eni.sgIds, "ingress", [any], null);
    if (!v.ok) {
      const first = eni.sgIds[0];
      return {
        sourceRef,
        ok: fail(ctx, {
          code: "ENI_SG_RULES_MISMATCH",
          component: first ? { id: first, type: ComponentType.securityGroup } : eni.ref,
          detail: `no ingress rule of ${eni.sgIds.join(", ") || "(no security groups)"} on ${eni.ref.id} allows ${fmtPorts(ctx.proto, ctx.port, ctx.port)} from ${any.text}`,
          direction: "ingress",
          securityGroups: eni.sgIds,
          networkInterface: eni.ref,
        }),
      };
    }
    ctx.hops.push({ component: { id: v.sgId!, type: ComponentType.securityGroup }, action: `security group ${v.sgId} ingress rule ${v.rule} matched`, detail: `on ${eni.ref.id}`, securityGroupRule: sgRuleOf(v, "ingress") });
    ctx.hops.push({ component: eni.ref, action: `delivered to ${eni.ref.id} in ${dest.subnet.SubnetId}` });
  }
  // The reply: the ACL outbound to the client's ephemeral ports, then the route already checked.
  const [from, to2] = ctx.proto === "icmp" ? [0, 65535] : [1024, 65535];
  if (!checkAcl(ctx, dest.subnet, true, [any], from, to2, true)) return { sourceRef, ok: false };
  ctx.hops.push({ component: rtRef, action: `reply routed ${routeDest(reply)} → ${igw.InternetGatewayId}`, route: { destination: routeDest(reply), target: igw.InternetGatewayId, state: reply.route.State } });
  return { sourceRef, ok: true };
}
