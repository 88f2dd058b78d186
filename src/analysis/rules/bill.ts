// A snapshot's egress bill: what each VPC runs that costs money (NAT gateways, public IPv4 addresses,
// interface and Resource endpoint AZs, egress instances by type, resource gateways), mapped to the one
// cost model's input and priced by it. `cost` and `status` (live) both price through vpcCosts, so the
// same VPC gets the same lines. Pure.
import { estimateMonthlyCost, type CostEstimate, type CostInput, type Unpriced } from "../cost.js";
import type { SnapshotIndex } from "../snapshot-index.js";
import { TAG_PLAN, TAG_STEP } from "../../aws/tags.js";
import { PROXY_ROOT_VOLUME_GB } from "../../proxy/launch.js";
import { isRegionalNat, regionalNatAzs } from "../nat.js";

const tagOf = (i: { Tags?: Array<{ Key?: string; Value?: string }> }, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;

export type VpcCostInput = Omit<CostInput, "region" | "gbProcessed"> & {
  vpcId: string;
  natGateways: number;
  regionalNatGatewayAzs: number;
  publicIpv4Addresses: number;
  interfaceEndpointAzs: number;
  resourceEndpointAzs: number;
  resourceGateways: number;
  instances: Record<string, number>;
};

export interface BillInput {
  region: string;
  vpcs: VpcCostInput[];
  /** Public IPv4 addresses associated with nothing in a VPC (idle Elastic IPs). */
  idlePublicIpv4: number;
}

const live = (state: string | undefined, ok: string[]) => ok.includes((state ?? ok[0]).toLowerCase());

/** An instance on the egress bill: one egress-cli made (the proxies), or a forwarder (source/dest check off: a NAT instance). */
function egressInstance(i: { SourceDestCheck?: boolean; Tags?: Array<{ Key?: string; Value?: string }> }): boolean {
  return i.SourceDestCheck === false || Boolean(i.Tags?.some((t) => t.Key === TAG_PLAN));
}

/** Resource types the snapshot could not read that the bill depends on: priced as unknown, never as 0.
 * (Resource gateways are counted when collected, but bill nothing: not collecting them loses nothing.) */
const BILLED_RESOURCES: Record<string, string> = {
  natGateways: "NAT gateways",
  addresses: "Elastic IPs",
  networkInterfaces: "public IPv4 addresses on network interfaces",
  instances: "egress instances (proxies, NAT instances)",
  vpcEndpoints: "interface and Resource VPC endpoints",
};

/** The AZs an interface or Resource endpoint is placed in: what it is billed by. */
export function endpointAzCount(ix: SnapshotIndex, ep: { SubnetIds: string[] }): number {
  return new Set(ep.SubnetIds.map((s) => ix.subnets.get(s)?.AvailabilityZone ?? s)).size;
}

/** The Resource and interface endpoints of the snapshot that are billed (available or pending), with their AZ counts. */
export function billedEndpointAzs(ix: SnapshotIndex): Map<string, number> {
  const out = new Map<string, number>();
  for (const ep of ix.vpcEndpoints.values()) {
    const type = ep.VpcEndpointType ?? "Interface";
    if ((type === "Interface" || type === "Resource") && live(ep.State, ["available", "pending"])) out.set(ep.VpcEndpointId, endpointAzCount(ix, ep));
  }
  return out;
}

export function billInput(ix: SnapshotIndex): BillInput {
  const omitted = ((ix.snapshot as { omitted?: Array<{ resource: string; operation?: string; code?: string }> }).omitted ?? []).filter((o) => BILLED_RESOURCES[o.resource]);
  const notCollected: Unpriced[] = omitted.map((o) => ({ item: BILLED_RESOURCES[o.resource], reason: `not collected (${o.operation ?? o.resource}: ${o.code ?? "unavailable"})` }));
  const vpcs = new Map<string, VpcCostInput>();
  // The snapshot's VPCs, and those of its scope (a read that proved them there without DescribeVpcs: status).
  const scope = (ix.snapshot as { scope?: { vpcIds?: string[] | "all" } }).scope?.vpcIds;
  for (const id of [...new Set([...ix.vpcs.keys(), ...(Array.isArray(scope) ? scope : [])])].sort()) {
    vpcs.set(id, { vpcId: id, natGateways: 0, regionalNatGatewayAzs: 0, publicIpv4Addresses: 0, interfaceEndpointAzs: 0, resourceEndpointAzs: 0, resourceGateways: 0, instances: {}, ...(notCollected.length ? { unpriced: [...notCollected] } : {}) });
  }
  const row = (id: string | undefined) => (id ? vpcs.get(id) : undefined);
  // A NAT gateway's Elastic IPs by allocation: a regional one's addresses name no network interface.
  const natByAllocation = new Map<string, string>();
  for (const nat of ix.natGateways.values()) {
    if (!live(nat.State, ["available", "pending"])) continue;
    for (const a of nat.NatGatewayAddresses) if (a.AllocationId) natByAllocation.set(a.AllocationId, nat.NatGatewayId);
    const r = row(nat.VpcId);
    if (!r) continue;
    // A regional NAT gateway bills per AZ it is active in; a zonal one per gateway.
    if (isRegionalNat(nat)) r.regionalNatGatewayAzs += regionalNatAzs(nat).length;
    else r.natGateways++;
  }
  const counted = new Set<string>();
  let idle = 0;
  for (const a of ix.snapshot.addresses) {
    if (a.PublicIp) counted.add(a.PublicIp);
    const eni = a.NetworkInterfaceId ? ix.networkInterfaces.get(a.NetworkInterfaceId) : undefined;
    const nat = ix.natGateways.get((a.NetworkInterfaceId ? ix.natByEni.get(a.NetworkInterfaceId) : undefined) ?? natByAllocation.get(a.AllocationId ?? "") ?? "");
    const r = row(eni?.VpcId ?? nat?.VpcId ?? (a.InstanceId ? ix.instances.get(a.InstanceId)?.VpcId : undefined));
    if (r) r.publicIpv4Addresses++;
    else if (!a.AssociationId && !a.NetworkInterfaceId && !a.InstanceId) idle++;
    else {
      // Associated with something outside the snapshot's scope: not this VPC set's bill.
    }
  }
  // Every NAT gateway's public addresses, with DescribeAddresses or without it (status reads none).
  for (const nat of ix.natGateways.values()) {
    if (!live(nat.State, ["available", "pending"])) continue;
    for (const a of nat.NatGatewayAddresses) {
      if (!a.PublicIp || counted.has(a.PublicIp) || ["failed", "unassigning"].includes(a.Status ?? "")) continue;
      counted.add(a.PublicIp);
      const r = row(nat.VpcId);
      if (r) r.publicIpv4Addresses++;
    }
  }
  // Every public IPv4 address on an ENI (its primary's and its secondary private IPs'): with the
  // addresses above or without them (status reads none), a VPC's count is the same.
  for (const eni of ix.snapshot.networkInterfaces) {
    const privates = (eni as { PrivateIpAddresses?: Array<{ Association?: { PublicIp?: string } }> }).PrivateIpAddresses ?? [];
    for (const ip of [eni.Association?.PublicIp, ...privates.map((p) => p.Association?.PublicIp)]) {
      if (!ip || counted.has(ip)) continue;
      counted.add(ip);
      const r = row(eni.VpcId);
      if (r) r.publicIpv4Addresses++;
    }
  }
  for (const ep of ix.vpcEndpoints.values()) {
    const type = ep.VpcEndpointType ?? "Interface";
    if ((type !== "Interface" && type !== "Resource") || !live(ep.State, ["available", "pending"])) continue;
    const r = row(ep.VpcId);
    if (!r) continue;
    const azs = endpointAzCount(ix, ep);
    if (type === "Interface") r.interfaceEndpointAzs += azs;
    else r.resourceEndpointAzs += azs;
  }
  for (const i of ix.instances.values()) {
    const r = row(i.VpcId);
    if (!r || !egressInstance(i)) continue;
    // its volumes bill while it is stopped: a proxy's root volume is what launch-proxy makes; another's size is not in the snapshot
    if (/^proxy\/[^/]+\/instance$/.test(tagOf(i, TAG_STEP) ?? "") && tagOf(i, TAG_PLAN)) r.ebsGp3Gb = (r.ebsGp3Gb ?? 0) + PROXY_ROOT_VOLUME_GB;
    else (r.unpriced ??= []).push({ item: `EBS volumes of ${i.InstanceId}`, reason: "volume sizes are not in the snapshot" });
    // a stopped instance bills no hours
    if (!live(i.State?.Name, ["running", "pending"])) continue;
    const type = (i as { InstanceType?: string }).InstanceType;
    if (type) r.instances[type] = (r.instances[type] ?? 0) + 1;
    else (r.unpriced ??= []).push({ item: `EC2 instance ${i.InstanceId}`, reason: "its instance type is not in the snapshot" });
  }
  for (const g of ix.egressOnlyInternetGateways.values()) {
    for (const a of g.Attachments) {
      const r = row(a.VpcId);
      if (r && live(a.State, ["attached", "available"])) r.egressOnlyInternetGateways = (r.egressOnlyInternetGateways ?? 0) + 1;
    }
  }
  // NAT gateways that 64:ff9b::/96 routes lead to (NAT64).
  const nat64 = new Set<string>();
  for (const t of ix.snapshot.routeTables) for (const route of t.Routes) if (route.DestinationIpv6CidrBlock === "64:ff9b::/96" && route.NatGatewayId && live(ix.natGateways.get(route.NatGatewayId)?.State, ["available", "pending"])) nat64.add(route.NatGatewayId);
  for (const id of nat64) {
    const r = row(ix.natGateways.get(id)?.VpcId);
    if (r) r.nat64NatGateways = (r.nat64NatGateways ?? 0) + 1;
  }
  for (const g of ix.snapshot.resourceGateways ?? []) {
    if (/^DELET/.test(g.status ?? "")) continue;
    const r = row(g.vpcId ?? g.vpcIdentifier);
    if (r) r.resourceGateways++;
  }
  return { region: ix.snapshot.region, vpcs: [...vpcs.values()], idlePublicIpv4: idle };
}

/** The counts a VPC was priced on (what `cost --json` shows per VPC), beside the model's answer. */
export type VpcCost = Pick<VpcCostInput, "vpcId" | "natGateways" | "regionalNatGatewayAzs" | "publicIpv4Addresses" | "interfaceEndpointAzs" | "resourceEndpointAzs" | "resourceGateways" | "instances"> & {
  name?: string;
  ebsGp3Gb: number;
  lines: CostEstimate["lines"];
  totalMonthly: number;
  unpriced: CostEstimate["unpriced"];
  complete: boolean;
  /** What was priced and how: the model's input and its whole answer (assumptions included). */
  input: VpcCostInput;
  estimate: CostEstimate;
};

/**
 * Each VPC of the snapshot (or of `vpcIds`) priced by the one cost model. `gbPerMonth` is the NAT traffic
 * of those VPCs together, split over their NAT gateways.
 */
export function vpcCosts(ix: SnapshotIndex, opts: { vpcIds?: string[]; gbPerMonth?: number } = {}): { input: BillInput; vpcs: VpcCost[]; idle: CostEstimate } {
  const input = billInput(ix);
  const chosen = opts.vpcIds ? input.vpcs.filter((v) => opts.vpcIds!.includes(v.vpcId)) : input.vpcs;
  // NAT traffic is split over the gateways; a regional one counts once per AZ it serves.
  const nats = (v: VpcCostInput) => v.natGateways + v.regionalNatGatewayAzs;
  const natTotal = chosen.reduce((s, v) => s + nats(v), 0);
  const vpcs = chosen.map((v): VpcCost => {
    const { vpcId, ...rest } = v;
    const gb = opts.gbPerMonth !== undefined && nats(v) ? { gbProcessed: (opts.gbPerMonth * nats(v)) / natTotal } : {};
    const estimate = estimateMonthlyCost({ region: input.region, ...rest, ...gb });
    const name = ix.vpcs.get(vpcId)?.Tags?.find((t) => t.Key === "Name")?.Value;
    return {
      vpcId,
      ...(name ? { name } : {}),
      natGateways: v.natGateways,
      regionalNatGatewayAzs: v.regionalNatGatewayAzs,
      publicIpv4Addresses: v.publicIpv4Addresses,
      interfaceEndpointAzs: v.interfaceEndpointAzs,
      resourceEndpointAzs: v.resourceEndpointAzs,
      resourceGateways: v.resourceGateways,
      instances: v.instances,
      ebsGp3Gb: v.ebsGp3Gb ?? 0,
      lines: estimate.lines,
      totalMonthly: estimate.totalMonthly,
      unpriced: estimate.unpriced,
      complete: estimate.complete,
      input: v,
      estimate,
    };
  });
  const idle = estimateMonthlyCost({ region: input.region, publicIpv4Addresses: input.idlePublicIpv4 });
  return { input, vpcs, idle };
}
