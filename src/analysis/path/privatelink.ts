// PrivateLink Resource endpoints: from the endpoint's ENI across a VPC Lattice resource
// configuration to a resource gateway ENI in the provider VPC, then on to the configuration's target.
import { parseCidr, type Cidr } from "../../net/addr.js";
import type { SnapshotIndex } from "../snapshot-index.js";
import type { NetworkInterface, ResourceConfiguration, ResourceGateway, Subnet, VpcEndpoint } from "../snapshot.js";
import { eniForInstance, eniFromRecord, senderFromEni } from "./enis.js";
import { fmtPorts } from "./filters.js";
import { fail, notEvaluated, omission, type Ctx, type Sender, type Target, type VirtualEni } from "./internal.js";
import { ComponentType } from "./model.js";
import { walk } from "./walk.js";

/** Port ranges as the Lattice API writes them ("3128", "8000-8080"); none means every port. */
function portInRanges(ranges: string[], port: number): boolean {
  if (ranges.length === 0) return true;
  return ranges.some((r) => {
    const [a, b] = r.split("-").map((x) => Number(x.trim()));
    return port >= a! && port <= (b ?? a)!;
  });
}

const sameAz = (a: Subnet, b: Subnet) =>
  a.AvailabilityZoneId && b.AvailabilityZoneId ? a.AvailabilityZoneId === b.AvailabilityZoneId : a.AvailabilityZone === b.AvailabilityZone;

/** The gateway's network interface to send from: one in the endpoint's AZ (id), else any (flagged), else a virtual one. */
function gatewayEni(ctx: Ctx, gw: ResourceGateway, from: Subnet): VirtualEni | null {
  const { ix } = ctx;
  const enis = (ix.resourceGatewayEnis.get(gw.id) ?? []).map((e) => eniFromRecord(ix, e));
  let pick = enis.find((e) => sameAz(e.subnet, from)) ?? enis[0];
  if (!pick) {
    const subnets = gw.subnetIds.map((id) => ix.subnets.get(id)).filter((x): x is Subnet => !!x);
    const subnet = subnets.find((x) => sameAz(x, from)) ?? subnets[0];
    if (!subnet) return null;
    ctx.details.push(`VIRTUAL_RESOURCE_GATEWAY_ENI: no network interface of ${gw.id} in ${subnet.SubnetId} in the snapshot; analyzed a virtual one with ${gw.securityGroupIds.join(", ") || "no security groups"}`);
    pick = {
      ref: { id: gw.id, type: ComponentType.resourceGateway },
      subnet,
      vpcId: subnet.VpcId,
      addr4: parseCidr(subnet.CidrBlock),
      addr6: null,
      sgIds: [...gw.securityGroupIds],
      sourceDestCheck: true,
      lambda: false,
      virtual: true,
    };
  }
  // The gateway's groups govern its ENIs (they carry them; a record without groups gets them here).
  if (pick.sgIds.length === 0) pick.sgIds = [...gw.securityGroupIds];
  if (!sameAz(pick.subnet, from)) {
    ctx.details.push(
      `AVAILABILITY_ZONE_CROSSED: resource gateway ${gw.id} has no network interface in ${from.AvailabilityZone ?? "?"}${from.AvailabilityZoneId ? ` (${from.AvailabilityZoneId})` : ""}, the endpoint's AZ; traffic leaves from ${pick.ref.id} in ${pick.subnet.AvailabilityZone ?? "?"}`,
    );
  }
  return pick;
}

/** An ENI record as its instance when it is an instance's (so the path names i-…). */
function asInstance(ix: SnapshotIndex, rec: NetworkInterface): VirtualEni {
  const instanceId = rec.Attachment?.InstanceId;
  return (instanceId && ix.instances.has(instanceId) && eniForInstance(ix, instanceId)) || eniFromRecord(ix, rec);
}

/** The configuration's target as an address (and ENI) in the provider VPC, or why it has none. */
function resourceTarget(ctx: Ctx, cfg: ResourceConfiguration, vpcId: string): { target: Target } | { why: string } {
  const { ix } = ctx;
  const def = cfg.resourceConfigurationDefinition;
  let name: string | undefined;
  let addr: Cidr | null = null;
  let eni: VirtualEni | undefined;
  if (def?.ipResource?.ipAddress) {
    addr = parseCidr(def.ipResource.ipAddress);
    if (!addr) return { why: `its IP resource ${def.ipResource.ipAddress} is not an IP address` };
    const ip = def.ipResource.ipAddress;
    const rec = ix.eniByIp.get(`${vpcId}|${ip}`);
    if (rec) eni = asInstance(ix, rec);
    name = ip;
  } else if (def?.dnsResource?.domainName) {
    name = def.dnsResource.domainName;
    const rec = ix.eniByName.get(`${vpcId}|${name.toLowerCase().replace(/\.$/, "")}`);
    if (!rec) {
      return {
        why: `its DNS resource ${name} matches no instance or network interface of ${vpcId} in the snapshot (by private DNS name or Name tag); the offline analyzer cannot resolve other names — point the configuration at the IP address, or tag the target Name=${name}`,
      };
    }
    eni = asInstance(ix, rec);
    addr = eni.addr4;
    if (!addr) return { why: `${name} resolves to ${rec.NetworkInterfaceId}, which has no IPv4 address` };
  } else if (def?.arnResource?.arn) {
    return { why: `its ARN resource ${def.arnResource.arn} is an AWS-managed resource the offline analyzer does not model` };
  } else {
    return { why: "it has no resource definition (IP, DNS name or ARN) in the snapshot" };
  }
  const label = `${name}${eni ? ` (${eni.ref.id})` : ""} via ${cfg.id}`;
  return { target: eni ? { kind: "eni", family: 4, cidrs: [addr!], label, eni } : { kind: "address", family: 4, cidrs: [addr!], label } };
}

/**
 * The packet reached a Resource endpoint's ENI and its security groups admitted it: PrivateLink
 * carries it to the resource configuration's target, sent again from a resource gateway ENI in
 * the provider VPC (its own address and groups), through that VPC's ACLs, routes and the target's
 * groups. Overlapping CIDRs do not matter: every lookup is keyed by the provider VPC.
 */
export function viaResourceEndpoint(ctx: Ctx, epEni: VirtualEni, ep: VpcEndpoint, depth: number): boolean {
  const { ix } = ctx;
  const epRef = { id: ep.VpcEndpointId, type: ComponentType.vpcEndpoint };
  const state = (ep.State ?? "available").toLowerCase();
  if (state !== "available") {
    return fail(ctx, { code: "BAD_STATE", component: epRef, detail: `Resource endpoint ${ep.VpcEndpointId} is ${ep.State}`, state: ep.State });
  }
  const stopHere = (why: string, collect: string) => {
    ctx.details.push(`PRIVATELINK_NOT_EVALUATED: ${why}; the path was analyzed up to ${ep.VpcEndpointId}`);
    ctx.hops.push({ component: epEni.ref, action: `delivered to ${epEni.ref.id} of Resource endpoint ${ep.VpcEndpointId} in ${epEni.subnet.SubnetId}` });
    return notEvaluated(ctx, { code: "PRIVATELINK_NOT_EVALUATED", component: epRef, detail: `${why}: the path beyond ${ep.VpcEndpointId} (the resource gateway, the provider VPC and the target) was not evaluated`, collect });
  };
  const latticeCollect = (resource: string) => {
    const o = omission(ctx, resource);
    return o
      ? `the snapshot's ${o.operation} failed (${o.code}): grant vpc-lattice:ListResourceConfigurations, vpc-lattice:GetResourceConfiguration, vpc-lattice:ListResourceGateways and vpc-lattice:GetResourceGateway and take it again`
      : `a configuration shared from another account (AWS RAM) is that account's: snapshot the provider with --profile of its account and analyze from its resource gateway there`;
  };
  const cfgId = ep.ResourceConfigurationArn;
  const cfg = cfgId ? ix.resourceConfigurations.get(cfgId) : undefined;
  if (!cfg) {
    return stopHere(
      cfgId ? `resource configuration ${cfgId} is not in the snapshot (shared from another account, or not collected)` : `${ep.VpcEndpointId} names no resource configuration`,
      latticeCollect("resourceConfigurations"),
    );
  }
  const cfgRef = { id: cfg.id, type: ComponentType.resourceConfiguration };
  const cfgStatus = cfg.status ?? "ACTIVE";
  if (cfgStatus !== "ACTIVE") return fail(ctx, { code: "BAD_STATE", component: cfgRef, detail: `resource configuration ${cfg.id} is ${cfgStatus}`, state: cfgStatus });
  const protocol = (cfg.protocol ?? "TCP").toUpperCase();
  if (!(ctx.proto === "tcp" || (ctx.proto === "udp" && protocol === "TCP_UDP"))) {
    return fail(ctx, {
      code: "RESOURCE_CONFIGURATION_PROTOCOL_MISMATCH",
      component: cfgRef,
      detail: `resource configuration ${cfg.id} (behind ${ep.VpcEndpointId}) carries ${protocol}, not ${ctx.proto}`,
    });
  }
  if (!portInRanges(cfg.portRanges, ctx.port)) {
    return fail(ctx, {
      code: "RESOURCE_CONFIGURATION_PORT_MISMATCH",
      component: cfgRef,
      detail: `port ${ctx.port} is outside resource configuration ${cfg.id}'s port ranges (${cfg.portRanges.join(", ")}); ${ep.VpcEndpointId} forwards only those`,
    });
  }
  const gw = cfg.resourceGatewayId ? ix.resourceGateways.get(cfg.resourceGatewayId) : undefined;
  if (!gw) {
    if (!ix.snapshot.resourceGateways) return stopHere(`resource gateway ${cfg.resourceGatewayId ?? "(none)"} of ${cfg.id} is not in the snapshot`, latticeCollect("resourceGateways"));
    return fail(ctx, { code: "BAD_STATE", component: cfgRef, detail: `resource configuration ${cfg.id}'s resource gateway ${cfg.resourceGatewayId ?? "(none)"} does not exist` });
  }
  const gwVpc = gw.vpcId ?? gw.vpcIdentifier;
  if (gwVpc && !ix.vpcs.has(gwVpc)) return stopHere(`resource gateway ${gw.id}'s VPC ${gwVpc} is not in the snapshot`, `include it: analyze-path --local --vpc ${gwVpc} (with the consumer's VPC), or egress-cli snapshot without --vpc`);
  const gwRef = { id: gw.id, type: ComponentType.resourceGateway };
  const gwStatus = gw.status ?? "ACTIVE";
  if (gwStatus !== "ACTIVE") return fail(ctx, { code: "BAD_STATE", component: gwRef, detail: `resource gateway ${gw.id} is ${gwStatus}`, state: gwStatus });
  const from = gatewayEni(ctx, gw, epEni.subnet);
  if (!from) return fail(ctx, { code: "BAD_STATE", component: gwRef, detail: `resource gateway ${gw.id} has no subnets or network interfaces in the snapshot` });
  const resolved = resourceTarget(ctx, cfg, from.vpcId);
  if ("why" in resolved) {
    return fail(ctx, { code: "RESOURCE_TARGET_NOT_RESOLVED", component: cfgRef, detail: `resource configuration ${cfg.id}: ${resolved.why}` });
  }
  const ports = cfg.portRanges.length ? cfg.portRanges.join(", ") : "all ports";
  ctx.hops.push({
    component: epRef,
    action: `Resource endpoint ${ep.VpcEndpointId} (network interface ${epEni.ref.id}) carries ${fmtPorts(ctx.proto, ctx.port, ctx.port)} across PrivateLink to resource configuration ${cfg.id}`,
    detail: `in ${epEni.vpcId}`,
  });
  ctx.hops.push({
    component: cfgRef,
    action: `resource configuration ${cfg.id} (${protocol} ${ports}) admits port ${ctx.port} and targets ${resolved.target.label.replace(/ via .*$/, "")}`,
    detail: `on resource gateway ${gw.id}`,
  });
  ctx.hops.push({
    component: gwRef,
    action: `resource gateway ${gw.id} sends from ${from.ref.id} (${from.addr4?.text.replace(/\/32$/, "") ?? "?"}) in ${from.subnet.SubnetId} (${from.subnet.AvailabilityZone ?? "?"})`,
    detail: `in ${from.vpcId}`,
  });
  const sender: Sender = { ...senderFromEni(from), label: `resource gateway ${gw.id} (${from.ref.id})` };
  return walk(ctx, sender, resolved.target, depth + 1);
}
