// Network interfaces as the analyzer needs them (from an ENI record, an instance, an endpoint) and
// the senders built from them or from a NAT gateway.
import { UsageError } from "../../errors.js";
import { parseCidr } from "../../net/addr.js";
import type { SnapshotIndex } from "../snapshot-index.js";
import type { NatGateway, NetworkInterface, Subnet, VpcEndpoint } from "../snapshot.js";
import type { Sender, VirtualEni } from "./internal.js";
import { ComponentType } from "./model.js";

function groupIds(groups: { GroupId?: string }[] | undefined): string[] {
  return (groups ?? []).map((g) => g.GroupId).filter((x): x is string => !!x);
}

export function subnetOrThrow(ix: SnapshotIndex, subnetId: string | undefined, what: string): Subnet {
  const subnet = subnetId ? ix.subnets.get(subnetId) : undefined;
  if (!subnet) throw new UsageError(`${what}: subnet ${subnetId ?? "(none)"} is not in the snapshot`, "take a snapshot that includes the whole VPC");
  return subnet;
}

export function eniFromRecord(ix: SnapshotIndex, eni: NetworkInterface): VirtualEni {
  const subnet = subnetOrThrow(ix, eni.SubnetId, eni.NetworkInterfaceId);
  const lambda = eni.InterfaceType === "lambda";
  const v6 = eni.Ipv6Addresses?.find((a) => a.Ipv6Address)?.Ipv6Address;
  return {
    ref: { id: eni.NetworkInterfaceId, type: ComponentType.networkInterface },
    subnet,
    vpcId: eni.VpcId,
    addr4: parseCidr(eni.PrivateIpAddress),
    addr6: v6 ? parseCidr(v6) : null,
    sgIds: groupIds(eni.Groups),
    // Lambda hyperplane ENIs never get a public IP, whatever the record says.
    publicIp: lambda
      ? undefined
      : (eni.Association?.PublicIp ??
        eni.PrivateIpAddresses?.find((p) => p.Association?.PublicIp)?.Association?.PublicIp ??
        ix.eipByEni.get(eni.NetworkInterfaceId)),
    sourceDestCheck: eni.SourceDestCheck !== false,
    lambda,
    virtual: false,
  };
}

/** An instance's primary network interface (the ENI record if present, else from the instance). */
export function eniForInstance(ix: SnapshotIndex, instanceId: string): VirtualEni | null {
  const inst = ix.instances.get(instanceId);
  if (!inst) return null;
  const primary =
    inst.NetworkInterfaces.find((n) => (n.Attachment?.DeviceIndex ?? 0) === 0) ?? inst.NetworkInterfaces[0];
  const record = primary?.NetworkInterfaceId ? ix.networkInterfaces.get(primary.NetworkInterfaceId) : undefined;
  if (record) {
    const e = eniFromRecord(ix, record);
    e.ref = { id: instanceId, type: ComponentType.instance };
    e.publicIp ??= inst.PublicIpAddress;
    if (record.SourceDestCheck === undefined && inst.SourceDestCheck === false) e.sourceDestCheck = false;
    return e;
  }
  const subnet = subnetOrThrow(ix, inst.SubnetId ?? primary?.SubnetId, instanceId);
  return {
    ref: { id: instanceId, type: ComponentType.instance },
    subnet,
    vpcId: inst.VpcId ?? subnet.VpcId,
    addr4: parseCidr(inst.PrivateIpAddress ?? primary?.PrivateIpAddress),
    addr6: null,
    sgIds: groupIds(inst.SecurityGroups.length ? inst.SecurityGroups : primary?.Groups),
    publicIp: inst.PublicIpAddress ?? primary?.Association?.PublicIp,
    sourceDestCheck: (primary?.SourceDestCheck ?? inst.SourceDestCheck) !== false,
    lambda: false,
    virtual: true,
  };
}

/** An interface endpoint's ENI in the preferred AZ (else any), or a virtual one in its subnet. */
export function eniForEndpoint(ix: SnapshotIndex, ep: VpcEndpoint, preferAz?: string): VirtualEni | null {
  const enis = ep.NetworkInterfaceIds.map((id) => ix.networkInterfaces.get(id)).filter((e): e is NetworkInterface => !!e);
  const pick = enis.find((e) => ix.subnets.get(e.SubnetId)?.AvailabilityZone === preferAz) ?? enis[0];
  if (pick) return eniFromRecord(ix, pick);
  const subnets = ep.SubnetIds.map((id) => ix.subnets.get(id)).filter((s): s is Subnet => !!s);
  const subnet = subnets.find((s) => s.AvailabilityZone === preferAz) ?? subnets[0];
  if (!subnet) return null;
  return {
    ref: { id: ep.VpcEndpointId, type: ComponentType.vpcEndpoint },
    subnet,
    vpcId: ep.VpcId,
    addr4: parseCidr(subnet.CidrBlock),
    addr6: null,
    sgIds: groupIds(ep.Groups),
    sourceDestCheck: true,
    lambda: false,
    virtual: true,
  };
}

export function senderFromEni(e: VirtualEni): Sender {
  return {
    ref: e.ref,
    label: e.ref.id,
    subnet: e.subnet,
    az: e.subnet.AvailabilityZone,
    addr4: e.addr4 ?? parseCidr(e.subnet.CidrBlock),
    addr6: e.addr6,
    publicIp: e.lambda ? undefined : e.publicIp,
    sgIds: e.sgIds,
  };
}

function natPrimary(nat: NatGateway) {
  return nat.NatGatewayAddresses.find((a) => a.IsPrimary) ?? nat.NatGatewayAddresses[0];
}

export function senderFromNat(ix: SnapshotIndex, nat: NatGateway): Sender {
  const subnet = subnetOrThrow(ix, nat.SubnetId, nat.NatGatewayId);
  const primary = natPrimary(nat);
  const isPublic = (nat.ConnectivityType ?? "public") === "public";
  return {
    ref: { id: nat.NatGatewayId, type: ComponentType.natGateway },
    label: nat.NatGatewayId,
    subnet,
    az: subnet.AvailabilityZone,
    addr4: parseCidr(primary?.PrivateIp) ?? parseCidr(subnet.CidrBlock),
    addr6: null,
    publicIp: isPublic ? primary?.PublicIp : undefined,
    sgIds: null,
    natGatewayId: nat.NatGatewayId,
  };
}
