// The snapshot's egress bill inputs per VPC (NAT gateways, public IPv4 addresses, interface endpoint
// AZs), for the cost command and the cost rules. Pure.
import { egressBill, type BillInput, type EgressBill } from "../cost.js";
import type { SnapshotIndex } from "../snapshot-index.js";

export function billInput(ix: SnapshotIndex): BillInput {
  const vpcs = new Map<string, BillInput["vpcs"][number]>();
  for (const id of [...ix.vpcs.keys()].sort()) vpcs.set(id, { vpcId: id, natGateways: 0, publicIpv4Addresses: 0, interfaceEndpointAzs: 0 });
  const row = (id: string | undefined) => (id ? vpcs.get(id) : undefined);
  for (const nat of ix.natGateways.values()) {
    if (!["available", "pending"].includes(nat.State ?? "available")) continue;
    const r = row(nat.VpcId);
    if (r) r.natGateways++;
  }
  const counted = new Set<string>();
  let idle = 0;
  for (const a of ix.snapshot.addresses) {
    if (a.PublicIp) counted.add(a.PublicIp);
    const eni = a.NetworkInterfaceId ? ix.networkInterfaces.get(a.NetworkInterfaceId) : undefined;
    const nat = a.NetworkInterfaceId ? ix.natGateways.get(ix.natByEni.get(a.NetworkInterfaceId) ?? "") : undefined;
    const r = row(eni?.VpcId ?? nat?.VpcId ?? (a.InstanceId ? ix.instances.get(a.InstanceId)?.VpcId : undefined));
    if (r) r.publicIpv4Addresses++;
    else if (!a.AssociationId && !a.NetworkInterfaceId && !a.InstanceId) idle++;
    else {
      // Associated with something outside the snapshot's scope: not this VPC set's bill.
    }
  }
  for (const eni of ix.snapshot.networkInterfaces) {
    const ip = eni.Association?.PublicIp;
    if (!ip || counted.has(ip)) continue;
    counted.add(ip);
    const r = row(eni.VpcId);
    if (r) r.publicIpv4Addresses++;
  }
  for (const ep of ix.vpcEndpoints.values()) {
    if ((ep.VpcEndpointType ?? "Interface") !== "Interface" || !["available", "pending"].includes((ep.State ?? "available").toLowerCase())) continue;
    const r = row(ep.VpcId);
    if (r) r.interfaceEndpointAzs += new Set(ep.SubnetIds.map((s) => ix.subnets.get(s)?.AvailabilityZone ?? s)).size;
  }
  return { region: ix.snapshot.region, vpcs: [...vpcs.values()], idlePublicIpv4: idle };
}

export function snapshotBill(ix: SnapshotIndex): EgressBill {
  return egressBill(billInput(ix));
}
