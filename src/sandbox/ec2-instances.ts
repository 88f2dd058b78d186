// EC2 instances (per region, in rs.ext.instances, stored in DescribeInstances' shape with private
// underscore fields) and the public Amazon Linux 2023 images. RunInstances with EC2's validation
// (ClientToken idempotency, TagSpecifications, MetadataOptions, BlockDeviceMappings, IamInstanceProfile
// after propagation, the subnet's groups), one primary ENI per instance in its subnet, states
// pending → running → shutting-down → terminated on the NAT's clock, the ENI deleted at termination,
// terminated instances listed for an hour. User data runs on the emulated host at boot (instance-shell.ts).
import { createHash } from "node:crypto";
import { awsError } from "./errors.js";
import { allocPrivateIp, get } from "./ec2-core.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler, InputOf } from "./handler.js";
import type { InstanceNetworkInterface, InstanceNetworkInterfaceSpecification } from "@aws-sdk/client-ec2";
import { newId, putEni, type EniRec, type RegionState, type SgRec, type SubnetRec, type Tag } from "./model.js";
import { applyFilters, fingerprint, paginate, tagsFromSpecs, type FilterFns } from "./query.js";
import { profileArn, profileForLaunch } from "./iam-profiles.js";
import { emptyHost, runScript, type InstanceHost } from "./instance-shell.js";
import { lookup } from "./indexes.js";

const NAT_CREATE_MS = 90_000;
/** Real instances take ~30 s to run and ~1 min to terminate; scaled like the NAT timing (0 without realistic latency). */
const START_MS = 30_000;
const TERMINATE_MS = 45_000;
/** Real instances take ~30 s to stop. */
const STOP_MS = 30_000;
const PURGE_MS = 3_600_000;

export interface InstanceRec {
  InstanceId: string;
  ImageId: string;
  InstanceType: string;
  Architecture: string;
  State: { Code: number; Name: string };
  StateTransitionReason?: string;
  VpcId: string;
  SubnetId: string;
  PrivateIpAddress: string;
  PublicIpAddress?: string;
  Placement: { AvailabilityZone: string; Tenancy: string };
  SecurityGroups: Array<{ GroupId: string; GroupName: string }>;
  NetworkInterfaces: InstanceNetworkInterface[];
  IamInstanceProfile?: { Arn: string; Id: string };
  MetadataOptions: { State: string; HttpTokens: string; HttpPutResponseHopLimit: number; HttpEndpoint: string; HttpProtocolIpv6: string; InstanceMetadataTags: string };
  BlockDeviceMappings: Array<{ DeviceName: string; Ebs: { VolumeId: string; Status: string; DeleteOnTermination: boolean; AttachTime: Date } }>;
  RootDeviceName: string;
  RootDeviceType: string;
  EbsOptimized: boolean;
  SourceDestCheck: boolean;
  LaunchTime: Date;
  ClientToken?: string;
  KeyName?: string;
  Tags: Tag[];
  _createdAt: number;
  _visibleAt: number;
  _readyAt: number;
  _terminateAt?: number;
  _stopAt?: number;
  _terminatedAt?: number;
  _reservationId: string;
  _userData?: string;
  /** The volumes as RunInstances created them (DescribeVolumes is not emulated; kept for checks). */
  _volumes: Array<{ VolumeId: string; VolumeType: string; VolumeSize: number; Encrypted: boolean; Iops?: number; Throughput?: number }>;
  _host: InstanceHost;
  _bootLog?: { exitCode: number; stdout: string; stderr: string };
}

export function instanceStore(rs: RegionState): Record<string, InstanceRec> {
  return (rs.ext.instances ??= {}) as Record<string, InstanceRec>;
}

function scaled(ctx: OpContext, ms: number): number {
  return (ms * ctx.timing.natCreateMs) / NAT_CREATE_MS;
}

// ---------- the public images (AL2023, both architectures) ----------

export interface ImageRec {
  ImageId: string;
  Name: string;
  Architecture: "x86_64" | "arm64";
  SnapshotId: string;
}

const AL2023_VERSION = "2023.6.20241212.0";

/** The region's current AL2023 images (ids derived from the region: stable across sandboxes). */
export function publicImages(region: string): ImageRec[] {
  return (["x86_64", "arm64"] as const).map((arch) => {
    const h = createHash("sha256").update(`al2023:${region}:${arch}`).digest("hex");
    return { ImageId: `ami-${h.slice(0, 17)}`, SnapshotId: `snap-${h.slice(17, 34)}`, Name: `al2023-ami-${AL2023_VERSION}-kernel-6.1-${arch}`, Architecture: arch };
  });
}

function imageView(ctx: OpContext, i: ImageRec) {
  return {
    ImageId: i.ImageId,
    Name: i.Name,
    Description: `Amazon Linux 2023 AMI ${AL2023_VERSION} ${i.Architecture} HVM kernel-6.1`,
    Architecture: i.Architecture,
    ImageLocation: `amazon/${i.Name}`,
    ImageOwnerAlias: "amazon",
    OwnerId: "137112412989",
    Public: true,
    State: "available",
    ImageType: "machine",
    PlatformDetails: "Linux/UNIX",
    UsageOperation: "RunInstances",
    RootDeviceName: "/dev/xvda",
    RootDeviceType: "ebs",
    VirtualizationType: "hvm",
    Hypervisor: "xen",
    EnaSupport: true,
    SriovNetSupport: "simple",
    BootMode: "uefi-preferred",
    ImdsSupport: "v2.0",
    CreationDate: "2024-12-12T00:00:00.000Z",
    BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { DeleteOnTermination: true, SnapshotId: i.SnapshotId, VolumeSize: 8, VolumeType: "gp3", Encrypted: false, Iops: 3000, Throughput: 125 } }],
  };
}

const DescribeImages: RecordOpHandler<"ec2", "DescribeImages"> = (ctx) => {
  const ids: unknown = ctx.input.ImageIds;
  const all = publicImages(ctx.region);
  if (ids !== undefined && !Array.isArray(ids)) throw awsError("InvalidParameterValue", "ImageIds must be a list");
  for (const id of (ids as string[] | undefined) ?? []) {
    if (typeof id !== "string" || !/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw awsError("InvalidAMIID.Malformed", `Invalid id: "${String(id)}" (expecting "ami-...")`);
    if (!all.some((i) => i.ImageId === id)) throw awsError("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`);
  }
  let items = ids?.length ? all.filter((i) => (ids as string[]).includes(i.ImageId)) : all;
  const owners: string[] | undefined = ctx.input.Owners;
  if (owners?.length) items = items.filter(() => owners.some((o) => o === "amazon" || o === "137112412989"));
  const fns: FilterFns<ImageRec> = {
    "image-id": (i) => [i.ImageId],
    name: (i) => [i.Name],
    architecture: (i) => [i.Architecture],
    "owner-alias": () => ["amazon"],
    "owner-id": () => ["137112412989"],
    state: () => ["available"],
    "image-type": () => ["machine"],
    "root-device-type": () => ["ebs"],
    "virtualization-type": () => ["hvm"],
    "is-public": () => ["true"],
  };
  items = applyFilters(items, ctx.input.Filters, fns, () => []);
  return { Images: items.map((i) => imageView(ctx, i)) };
};

// ---------- instance types ----------

const SIZES = new Set(["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"]);
const FAMILIES: Record<string, "x86_64" | "arm64"> = {
  t2: "x86_64", t3: "x86_64", t3a: "x86_64", m5: "x86_64", m6i: "x86_64", m7i: "x86_64", c5: "x86_64", c6i: "x86_64", c5n: "x86_64", r6i: "x86_64",
  t4g: "arm64", m6g: "arm64", m7g: "arm64", c6g: "arm64", c6gn: "arm64", c7g: "arm64", c7gn: "arm64", r7g: "arm64",
};

/** The architecture of an instance type, or undefined for a type EC2 does not have. */
export function instanceTypeArchitecture(type: string): "x86_64" | "arm64" | undefined {
  const [family, size] = type.split(".");
  if (!size || !SIZES.has(size)) return undefined;
  if (["nano", "micro", "small", "medium"].includes(size) && !family.startsWith("t")) return undefined;
  return FAMILIES[family];
}

// ---------- views ----------

function stateOf(i: InstanceRec) {
  return i.State;
}

function instanceView(i: InstanceRec) {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(i)) if (!k.startsWith("_")) out[k] = structuredClone(v);
  if (!i.Tags?.length) delete out.Tags;
  if (i.State.Name === "terminated") {
    out.NetworkInterfaces = [];
    out.SecurityGroups = [];
    delete out.PrivateIpAddress;
    delete out.PublicIpAddress;
    delete out.SubnetId;
    delete out.VpcId;
  }
  return out;
}

// ---------- time ----------

/** pending → running (user data runs), shutting-down → terminated (the ENI goes), terminated purged after an hour. */
export function settleInstances(rs: RegionState, now: number): void {
  const store = rs.ext.instances as Record<string, InstanceRec> | undefined;
  if (!store) return;
  for (const i of Object.values(store)) {
    // StopInstances applies to every instance, imported ones too.
    if (i.State.Name === "stopping" && i._stopAt !== undefined && now >= i._stopAt) {
      i.State = { Code: 80, Name: "stopped" };
      delete i._stopAt;
    }
    if (i._host === undefined) continue; // imported or seeded (snapshot, examples): no other lifecycle
    if (i.State.Name === "pending" && now >= i._readyAt) {
      i.State = { Code: 16, Name: "running" };
      i.MetadataOptions = { ...i.MetadataOptions, State: "applied" };
      if (i._userData && !i._bootLog) i._bootLog = runScript(i._host, Buffer.from(i._userData, "base64").toString("utf8"));
    }
    if (i.State.Name === "shutting-down" && i._terminateAt !== undefined && now >= i._terminateAt) {
      i.State = { Code: 48, Name: "terminated" };
      i._terminatedAt = now;
      for (const n of i.NetworkInterfaces) if (n.NetworkInterfaceId) delete rs.networkInterfaces[n.NetworkInterfaceId];
    }
    if (i.State.Name === "terminated" && i._terminatedAt !== undefined && now >= i._terminatedAt + PURGE_MS) delete store[i.InstanceId];
  }
}

// ---------- RunInstances ----------

function checkMetadataOptions(m: any): InstanceRec["MetadataOptions"] {
  // AL2023 images are ImdsSupport v2.0: IMDSv2 required and hop limit 2 unless the request says otherwise
  const o = m ?? {};
  const tokens = o.HttpTokens ?? "required";
  if (tokens !== "optional" && tokens !== "required") throw awsError("InvalidParameterValue", `Value (${tokens}) for parameter HttpTokens is invalid. Valid values are: optional, required.`);
  const hop = o.HttpPutResponseHopLimit ?? 2;
  if (!Number.isInteger(hop) || hop < 1 || hop > 64) throw awsError("InvalidParameterValue", `The HttpPutResponseHopLimit (${hop}) is invalid. Specify a value between 1 and 64.`);
  const endpoint = o.HttpEndpoint ?? "enabled";
  if (endpoint !== "enabled" && endpoint !== "disabled") throw awsError("InvalidParameterValue", `Value (${endpoint}) for parameter HttpEndpoint is invalid.`);
  const v6 = o.HttpProtocolIpv6 ?? "disabled";
  const tags = o.InstanceMetadataTags ?? "disabled";
  return { State: "pending", HttpTokens: tokens, HttpPutResponseHopLimit: hop, HttpEndpoint: endpoint, HttpProtocolIpv6: v6, InstanceMetadataTags: tags };
}

const VOLUME_TYPES: Record<string, { min: number; max: number }> = {
  gp2: { min: 1, max: 16384 }, gp3: { min: 1, max: 16384 }, io1: { min: 4, max: 16384 }, io2: { min: 4, max: 65536 },
  st1: { min: 125, max: 16384 }, sc1: { min: 125, max: 16384 }, standard: { min: 1, max: 1024 },
};

function checkBlockDevices(mappings: unknown, image: ImageRec): InstanceRec["_volumes"] & Array<{ DeviceName: string; DeleteOnTermination: boolean }> {
  const root = { DeviceName: "/dev/xvda", VolumeType: "gp3", VolumeSize: 8, Encrypted: false, DeleteOnTermination: true, Iops: 3000, Throughput: 125 } as any;
  const out: any[] = [root];
  if (mappings === undefined) return out.map((v) => ({ ...v, VolumeId: newId("vol") }));
  if (!Array.isArray(mappings)) throw awsError("InvalidBlockDeviceMapping", "BlockDeviceMappings must be a list");
  for (const m of mappings as any[]) {
    if (typeof m?.DeviceName !== "string" || !/^\/dev\/(xvd|sd)[a-z]\d*$/.test(m.DeviceName)) throw awsError("InvalidBlockDeviceMapping", `Invalid device name ${String(m?.DeviceName)}`);
    if (m.NoDevice !== undefined || m.VirtualName !== undefined) continue;
    const ebs = m.Ebs ?? {};
    const target = m.DeviceName === "/dev/xvda" ? root : (out[out.push({ DeviceName: m.DeviceName, VolumeType: "gp2", Encrypted: false, DeleteOnTermination: true }) - 1] as any);
    if (ebs.VolumeType !== undefined) {
      if (!VOLUME_TYPES[ebs.VolumeType]) throw awsError("InvalidParameterValue", `Value (${ebs.VolumeType}) for parameter volumeType is invalid. Valid values are: standard, io1, io2, gp2, sc1, st1, gp3.`);
      target.VolumeType = ebs.VolumeType;
    }
    if (ebs.VolumeSize !== undefined) target.VolumeSize = ebs.VolumeSize;
    if (target.VolumeSize === undefined) throw awsError("InvalidBlockDeviceMapping", `The request must contain the parameter size or snapshotId for ${m.DeviceName}`);
    const lim = VOLUME_TYPES[target.VolumeType];
    if (!Number.isInteger(target.VolumeSize) || target.VolumeSize < lim.min || target.VolumeSize > lim.max)
      throw awsError("InvalidParameterValue", `Volume size ${target.VolumeSize} is out of range for volume type ${target.VolumeType} (${lim.min}-${lim.max} GiB).`);
    if (target === root && target.VolumeSize < 8) throw awsError("InvalidBlockDeviceMapping", `Volume of size ${target.VolumeSize}GB is smaller than snapshot '${image.SnapshotId}', expect size >= 8GB`);
    if (ebs.Encrypted !== undefined) target.Encrypted = ebs.Encrypted === true;
    if (ebs.DeleteOnTermination !== undefined) target.DeleteOnTermination = ebs.DeleteOnTermination === true;
    if (ebs.KmsKeyId !== undefined && !target.Encrypted) throw awsError("InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.");
    if (target.VolumeType === "gp3") {
      target.Iops = ebs.Iops ?? 3000;
      target.Throughput = ebs.Throughput ?? 125;
      if (target.Iops < 3000 || target.Iops > 16000) throw awsError("InvalidParameterValue", `The parameter iops must be between 3000 and 16000 for gp3 volumes.`);
      if (target.Throughput < 125 || target.Throughput > 1000) throw awsError("InvalidParameterValue", `The parameter throughput must be between 125 and 1000 for gp3 volumes.`);
    } else {
      delete target.Throughput;
      if (ebs.Throughput !== undefined) throw awsError("InvalidParameterCombination", `Throughput is only valid for gp3 volumes.`);
      if (target.VolumeType === "gp2" || target.VolumeType === "standard") delete target.Iops;
    }
  }
  return out.map((v) => ({ ...v, VolumeId: newId("vol") }));
}

function launchSubnet(ctx: OpContext<InputOf<"ec2", "RunInstances">>): { subnet: SubnetRec; nic?: InstanceNetworkInterfaceSpecification } {
  const nics = ctx.input.NetworkInterfaces;
  if (nics !== undefined) {
    if (!Array.isArray(nics) || nics.length !== 1) throw awsError("InvalidParameterValue", "The sandbox launches instances with exactly one network interface (DeviceIndex 0)");
    const nic = nics[0];
    if ((nic.DeviceIndex ?? 0) !== 0) throw awsError("InvalidParameterValue", "The primary network interface must have DeviceIndex 0");
    if (ctx.input.SubnetId !== undefined || ctx.input.SecurityGroupIds !== undefined)
      throw awsError("InvalidParameterCombination", "Network interfaces and an instance-level subnet ID or security groups may not be specified on the same request");
    return { subnet: get<SubnetRec>(ctx, "subnet", nic.SubnetId, "SubnetId"), nic };
  }
  if (ctx.input.SubnetId !== undefined) return { subnet: get<SubnetRec>(ctx, "subnet", ctx.input.SubnetId, "SubnetId") };
  const defaultSubnet = Object.values(ctx.rs.subnets).find((s) => s.DefaultForAz);
  if (!defaultSubnet) throw awsError("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.");
  return { subnet: defaultSubnet };
}

const RunInstances: OpHandler<"ec2", "RunInstances"> = (ctx) => {
  const input = ctx.input;
  const token: string | undefined = input.ClientToken;
  if (token !== undefined && (typeof token !== "string" || token.length > 64)) throw awsError("InvalidParameterValue", "ClientToken must be a string of at most 64 ASCII characters");
  const tokenKey = token ? `RunInstances:${token}` : undefined;
  const fp = fingerprint(input);
  if (tokenKey && ctx.rs.clientTokens[tokenKey]) {
    const prior = ctx.rs.clientTokens[tokenKey];
    if (prior.fingerprint !== fp) throw awsError("IdempotentParameterMismatch", `Arguments on this idempotent request are inconsistent with arguments used in previous request(s).`);
    const found = Object.values(instanceStore(ctx.rs)).filter((i) => i._reservationId === prior.id);
    ctx.dry();
    return { ReservationId: prior.id, OwnerId: ctx.accountId, Groups: [], Instances: found.map(instanceView) };
  }
  const problems: string[] = [];
  if (input.MinCount === undefined) throw awsError("MissingParameter", "The request must contain the parameter MinCount");
  if (input.MaxCount === undefined) throw awsError("MissingParameter", "The request must contain the parameter MaxCount");
  const min = Number(input.MinCount);
  const max = Number(input.MaxCount);
  if (!Number.isInteger(min) || min < 1) throw awsError("InvalidParameterValue", `Value (${input.MinCount}) for parameter minCount is invalid. Expected a positive integer.`);
  if (!Number.isInteger(max) || max < min) throw awsError("InvalidParameterValue", `Value (${input.MaxCount}) for parameter maxCount is invalid. MaxCount must be at least MinCount.`);
  if (input.ImageId === undefined) throw awsError("MissingParameter", "The request must contain the parameter ImageId");
  if (typeof input.ImageId !== "string" || !/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(input.ImageId)) throw awsError("InvalidAMIID.Malformed", `Invalid id: "${String(input.ImageId)}" (expecting "ami-...")`);
  const image = publicImages(ctx.region).find((i) => i.ImageId === input.ImageId);
  if (!image) throw awsError("InvalidAMIID.NotFound", `The image id '[${input.ImageId}]' does not exist`);
  const type = input.InstanceType ?? "m1.small";
  const arch = instanceTypeArchitecture(type);
  if (!arch) throw awsError("InvalidParameterValue", `Invalid value '${type}' for InstanceType.`);
  if (arch !== image.Architecture)
    throw awsError("InvalidParameterValue", `The architecture '${arch}' of the specified instance type does not match the architecture '${image.Architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.`);
  if (input.KeyName !== undefined) throw awsError("InvalidKeyPair.NotFound", `The key pair '${input.KeyName}' does not exist`);
  const { subnet, nic } = launchSubnet(ctx);
  const groupIds: string[] = nic?.Groups ?? input.SecurityGroupIds ?? [];
  if (!Array.isArray(groupIds)) throw awsError("InvalidParameterValue", "SecurityGroupIds must be a list");
  if (input.SecurityGroups !== undefined) throw awsError("InvalidParameterCombination", "The parameter groupName cannot be used with the parameter subnet");
  const groups = groupIds.map((id) => get<SgRec>(ctx, "sg", id, "SecurityGroupId"));
  for (const g of groups) if (g.VpcId !== subnet.VpcId) throw awsError("InvalidParameter", `Security group ${g.GroupId} and subnet ${subnet.SubnetId} belong to different networks.`);
  if (!groups.length) {
    const def = lookup<SgRec>(ctx.rs, "sg.vpc", subnet.VpcId).find((g) => g.GroupName === "default");
    if (def) groups.push(def);
  }
  const metadata = checkMetadataOptions(input.MetadataOptions);
  const volumes = checkBlockDevices(input.BlockDeviceMappings, image);
  let profile: InstanceRec["IamInstanceProfile"];
  if (input.IamInstanceProfile !== undefined) {
    const spec = input.IamInstanceProfile;
    if (spec.Arn !== undefined && spec.Name !== undefined) throw awsError("InvalidParameterCombination", "The parameter 'iamInstanceProfile.name' may not be used in combination with 'iamInstanceProfile.arn'");
    const p = profileForLaunch(ctx, spec);
    profile = { Arn: profileArn(ctx.accountId, p), Id: p.InstanceProfileId };
  }
  let instanceTags: Tag[] = [];
  let volumeTags: Tag[] = [];
  let eniTags: Tag[] = [];
  for (const s of input.TagSpecifications ?? []) {
    if (s?.ResourceType === "instance") instanceTags = tagsFromSpecs([s], "instance");
    else if (s?.ResourceType === "volume") volumeTags = tagsFromSpecs([s], "volume");
    else if (s?.ResourceType === "network-interface") eniTags = tagsFromSpecs([s], "network-interface");
    else throw awsError("InvalidParameterValue", `'${s?.ResourceType}' is not a valid taggable resource type for this operation.`);
  }
  void volumeTags;
  if (input.UserData !== undefined) {
    if (typeof input.UserData !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(input.UserData)) throw awsError("InvalidParameterValue", "Invalid BASE64 encoding of user data.");
    if (input.UserData.length > 21_848) throw awsError("InvalidParameterValue", "User data is limited to 16384 bytes");
  }
  const assocPublic = nic?.AssociatePublicIpAddress ?? subnet.MapPublicIpOnLaunch;
  void problems;
  ctx.dry();
  const reservationId = newId("r");
  const out: InstanceRec[] = [];
  for (let n = 0; n < max; n++) {
    const instanceId = newId("i");
    const ip = allocPrivateIp(ctx.rs, subnet, n === 0 ? nic?.PrivateIpAddress ?? input.PrivateIpAddress : undefined);
    const publicIp = assocPublic ? `3.${(parseInt(instanceId.slice(2, 4), 16) % 200) + 20}.${parseInt(instanceId.slice(4, 6), 16)}.${parseInt(instanceId.slice(6, 8), 16) || 1}` : undefined;
    const eni = putEni(ctx.rs, subnet, ip, {
      Groups: groups.map((g) => g.GroupId),
      Tags: eniTags,
      _createdAt: ctx.now,
      _visibleAt: ctx.now,
      _attachment: { InstanceId: instanceId, InstanceOwnerId: ctx.accountId, DeviceIndex: 0, Status: "attached", DeleteOnTermination: true },
      ...(publicIp ? { _publicIp: publicIp } : {}),
    } as Partial<EniRec> & Pick<EniRec, "Groups"> & Record<string, unknown>);
    const sgs = groups.map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName }));
    const vols = volumes.map((v) => ({ ...v, VolumeId: n === 0 ? v.VolumeId : newId("vol") }));
    const rec: InstanceRec = {
      InstanceId: instanceId,
      ImageId: image.ImageId,
      InstanceType: type,
      Architecture: arch,
      State: { Code: 0, Name: "pending" },
      StateTransitionReason: "",
      VpcId: subnet.VpcId,
      SubnetId: subnet.SubnetId,
      PrivateIpAddress: ip,
      ...(publicIp ? { PublicIpAddress: publicIp } : {}),
      Placement: { AvailabilityZone: subnet.AvailabilityZone, Tenancy: "default" },
      SecurityGroups: sgs,
      NetworkInterfaces: [
        {
          NetworkInterfaceId: eni.NetworkInterfaceId,
          SubnetId: subnet.SubnetId,
          VpcId: subnet.VpcId,
          PrivateIpAddress: ip,
          MacAddress: eni.MacAddress,
          OwnerId: ctx.accountId,
          InterfaceType: "interface",
          Status: "in-use",
          SourceDestCheck: true,
          Groups: sgs,
          Attachment: { AttachmentId: newId("eni-attach"), DeviceIndex: 0, Status: "attached", DeleteOnTermination: true, AttachTime: new Date(ctx.now) },
          PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip, ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: "amazon" } } : {}) }],
          ...(publicIp ? { Association: { PublicIp: publicIp, IpOwnerId: "amazon" } } : {}),
        },
      ],
      ...(profile ? { IamInstanceProfile: profile } : {}),
      MetadataOptions: metadata,
      BlockDeviceMappings: vols.map((v: any) => ({ DeviceName: v.DeviceName, Ebs: { VolumeId: v.VolumeId, Status: "attached", DeleteOnTermination: v.DeleteOnTermination, AttachTime: new Date(ctx.now) } })),
      RootDeviceName: "/dev/xvda",
      RootDeviceType: "ebs",
      EbsOptimized: input.EbsOptimized === true,
      SourceDestCheck: true,
      LaunchTime: new Date(ctx.now),
      ...(token ? { ClientToken: token } : {}),
      Tags: instanceTags,
      _createdAt: ctx.now,
      _visibleAt: ctx.now + ctx.timing.consistencyDelayMs,
      _readyAt: ctx.now + scaled(ctx, START_MS),
      _reservationId: reservationId,
      ...(input.UserData ? { _userData: input.UserData } : {}),
      _volumes: vols.map((v: any) => ({ VolumeId: v.VolumeId, VolumeType: v.VolumeType, VolumeSize: v.VolumeSize, Encrypted: v.Encrypted, ...(v.Iops ? { Iops: v.Iops } : {}), ...(v.Throughput ? { Throughput: v.Throughput } : {}) })),
      _host: emptyHost(),
    };
    instanceStore(ctx.rs)[instanceId] = rec;
    out.push(rec);
  }
  if (tokenKey) ctx.rs.clientTokens[tokenKey] = { fingerprint: fp, id: reservationId };
  ctx.mutated();
  // like AWS, the answer shows the instances as they were at launch: pending
  return { ReservationId: reservationId, OwnerId: ctx.accountId, Groups: [], Instances: out.map(instanceView) };
};

// ---------- reads ----------

function checkInstanceIds(ids: unknown): string[] | undefined {
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids)) throw awsError("InvalidParameterValue", "InstanceIds must be a list");
  for (const id of ids) if (typeof id !== "string" || !/^i-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) throw awsError("InvalidInstanceID.Malformed", `Invalid id: "${String(id)}"`);
  return ids as string[];
}

function byIds(ctx: OpContext, ids: string[] | undefined): InstanceRec[] {
  const all = Object.values(instanceStore(ctx.rs)).filter((i) => (i._visibleAt ?? 0) <= ctx.now);
  if (!ids?.length) return all;
  const missing = ids.filter((id) => !all.some((i) => i.InstanceId === id));
  if (missing.length) throw awsError("InvalidInstanceID.NotFound", `The instance ID${missing.length > 1 ? "s" : ""} '${missing.join(", ")}' do${missing.length > 1 ? "" : "es"} not exist`);
  return [...new Set(ids)].map((id) => all.find((i) => i.InstanceId === id)!);
}

const INSTANCE_FILTERS: FilterFns<InstanceRec> = {
  "instance-id": (i) => [i.InstanceId],
  "vpc-id": (i) => [i.VpcId],
  "subnet-id": (i) => [i.SubnetId],
  "instance-state-name": (i) => [stateOf(i)?.Name ?? "running"],
  "instance-state-code": (i) => [stateOf(i)?.Code ?? 16],
  "instance-type": (i) => [i.InstanceType],
  "image-id": (i) => [i.ImageId],
  "availability-zone": (i) => [i.Placement?.AvailabilityZone],
  "private-ip-address": (i) => [i.PrivateIpAddress],
  "iam-instance-profile.arn": (i) => [i.IamInstanceProfile?.Arn],
  "instance.group-id": (i) => (i.SecurityGroups ?? []).map((g) => g.GroupId),
  "client-token": (i) => [i.ClientToken],
  "metadata-options.http-tokens": (i) => [i.MetadataOptions?.HttpTokens],
  "network-interface.network-interface-id": (i) => (i.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId),
  "reservation-id": (i) => [i._reservationId],
};

const DescribeInstances: OpHandler<"ec2", "DescribeInstances"> = (ctx) => {
  const ids = checkInstanceIds(ctx.input.InstanceIds);
  if (ids?.length && ctx.input.MaxResults !== undefined) throw awsError("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
  const items = applyFilters(byIds(ctx, ids), ctx.input.Filters, INSTANCE_FILTERS, (i) => i.Tags ?? []);
  const { page, NextToken } = paginate(items, ctx.input, "DescribeInstances");
  // instances of one RunInstances call share a reservation, as in EC2
  const reservations = new Map<string, any[]>();
  for (const i of page) {
    const r = i._reservationId ?? `r-${i.InstanceId.slice(2)}`;
    if (!reservations.has(r)) reservations.set(r, []);
    reservations.get(r)!.push(instanceView(i));
  }
  return {
    Reservations: [...reservations].map(([ReservationId, Instances]) => ({ ReservationId, OwnerId: ctx.accountId, Groups: [], Instances })),
    ...(NextToken ? { NextToken } : {}),
  };
};

const DescribeInstanceStatus: RecordOpHandler<"ec2", "DescribeInstanceStatus"> = (ctx) => {
  const ids = checkInstanceIds(ctx.input.InstanceIds);
  let items = byIds(ctx, ids);
  if (ctx.input.IncludeAllInstances !== true) items = items.filter((i) => i.State.Name === "running");
  items = applyFilters(items, ctx.input.Filters, {
    "instance-state-name": (i) => [i.State.Name],
    "availability-zone": (i) => [i.Placement.AvailabilityZone],
  });
  const { page, NextToken } = paginate(items, ctx.input, "DescribeInstanceStatus");
  const ok = (i: InstanceRec) => (i.State.Name === "running" ? "ok" : "not-applicable");
  return {
    InstanceStatuses: page.map((i) => ({
      InstanceId: i.InstanceId,
      AvailabilityZone: i.Placement.AvailabilityZone,
      InstanceState: { ...i.State },
      InstanceStatus: { Status: ok(i), Details: [{ Name: "reachability", Status: i.State.Name === "running" ? "passed" : "initializing" }] },
      SystemStatus: { Status: ok(i), Details: [{ Name: "reachability", Status: i.State.Name === "running" ? "passed" : "initializing" }] },
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

// ---------- changes ----------

const TerminateInstances: RecordOpHandler<"ec2", "TerminateInstances"> = (ctx) => {
  const ids = checkInstanceIds(ctx.input.InstanceIds);
  if (!ids?.length) throw awsError("MissingParameter", "The request must contain the parameter InstanceId");
  const found = byIds(ctx, ids);
  ctx.dry();
  const changes = found.map((i) => {
    const previous = { ...i.State };
    if (i.State.Name !== "terminated" && i.State.Name !== "shutting-down" && i._host !== undefined) {
      i.State = { Code: 32, Name: "shutting-down" };
      i.StateTransitionReason = `User initiated (${new Date(ctx.now).toISOString().replace(/\.\d+Z$/, " GMT").replace("T", " ")})`;
      i._terminateAt = ctx.now + scaled(ctx, TERMINATE_MS);
      ctx.mutated();
    }
    return { InstanceId: i.InstanceId, PreviousState: previous, CurrentState: { ...i.State } };
  });
  // with no delay the instance is terminated by the next call's settle; show it as AWS would right now
  return { TerminatingInstances: changes };
};

/**
 * StopInstances: pending/running → stopping → stopped (EBS-backed; the private address and the ENI
 * stay, a public IP that is not an Elastic IP is released). Stopping a stopped instance changes
 * nothing; a terminated or shutting-down one is IncorrectInstanceState, as in EC2.
 */
const StopInstances: RecordOpHandler<"ec2", "StopInstances"> = (ctx) => {
  const ids = checkInstanceIds(ctx.input.InstanceIds);
  if (!ids?.length) throw awsError("MissingParameter", "The request must contain the parameter InstanceId");
  const found = byIds(ctx, ids);
  const bad = found.find((i) => i.State.Name === "terminated" || i.State.Name === "shutting-down");
  if (bad) throw awsError("IncorrectInstanceState", `This instance '${bad.InstanceId}' is not in a state from which it can be stopped.`);
  ctx.dry();
  const changes = found.map((i) => {
    const previous = { ...i.State };
    if (i.State.Name === "running" || i.State.Name === "pending") {
      i.State = { Code: 64, Name: "stopping" };
      i.StateTransitionReason = `User initiated (${new Date(ctx.now).toISOString().replace(/\.\d+Z$/, " GMT").replace("T", " ")})`;
      i._stopAt = ctx.now + scaled(ctx, STOP_MS);
      const eip = i.NetworkInterfaces.some((n) => n.Association?.IpOwnerId && n.Association.IpOwnerId !== "amazon");
      if (!eip) delete i.PublicIpAddress;
      ctx.mutated();
    }
    return { InstanceId: i.InstanceId, PreviousState: previous, CurrentState: { ...i.State } };
  });
  return { StoppingInstances: changes };
};

/** StartInstances: stopped → pending → running (on the same clock as RunInstances). */
const StartInstances: RecordOpHandler<"ec2", "StartInstances"> = (ctx) => {
  const ids = checkInstanceIds(ctx.input.InstanceIds);
  if (!ids?.length) throw awsError("MissingParameter", "The request must contain the parameter InstanceId");
  const found = byIds(ctx, ids);
  const bad = found.find((i) => !["stopped", "running", "pending"].includes(i.State.Name));
  if (bad) throw awsError("IncorrectInstanceState", `The instance '${bad.InstanceId}' is not in a state from which it can be started.`);
  ctx.dry();
  const changes = found.map((i) => {
    const previous = { ...i.State };
    if (i.State.Name === "stopped") {
      // An imported instance (no emulated host) has no boot to wait for.
      i.State = i._host === undefined ? { Code: 16, Name: "running" } : { Code: 0, Name: "pending" };
      i._readyAt = ctx.now + scaled(ctx, START_MS);
      ctx.mutated();
    }
    return { InstanceId: i.InstanceId, PreviousState: previous, CurrentState: { ...i.State } };
  });
  return { StartingInstances: changes };
};

const ModifyInstanceMetadataOptions: RecordOpHandler<"ec2", "ModifyInstanceMetadataOptions"> = (ctx) => {
  const [i] = byIds(ctx, checkInstanceIds([ctx.input.InstanceId]));
  if (i.State.Name === "terminated" || i.State.Name === "shutting-down") throw awsError("IncorrectInstanceState", `The instance '${i.InstanceId}' is not in a state from which it can be modified.`);
  const m = { ...i.MetadataOptions };
  const next = checkMetadataOptions({
    HttpTokens: ctx.input.HttpTokens ?? m.HttpTokens,
    HttpPutResponseHopLimit: ctx.input.HttpPutResponseHopLimit ?? m.HttpPutResponseHopLimit,
    HttpEndpoint: ctx.input.HttpEndpoint ?? m.HttpEndpoint,
    HttpProtocolIpv6: ctx.input.HttpProtocolIpv6 ?? m.HttpProtocolIpv6,
    InstanceMetadataTags: ctx.input.InstanceMetadataTags ?? m.InstanceMetadataTags,
  });
  ctx.dry();
  i.MetadataOptions = { ...next, State: "applied" };
  ctx.mutated();
  return { InstanceId: i.InstanceId, InstanceMetadataOptions: { ...next, State: "pending" } };
};

export const instanceOps: Ops<"ec2"> = {
  DescribeImages,
  RunInstances,
  DescribeInstances,
  DescribeInstanceStatus,
  TerminateInstances,
  StopInstances,
  StartInstances,
  ModifyInstanceMetadataOptions,
};

/** The instance's emulated host (SSM Run Command runs scripts on it). */
export function hostOf(rs: RegionState, instanceId: string): InstanceHost | undefined {
  return (rs.ext.instances as Record<string, InstanceRec> | undefined)?.[instanceId]?._host;
}
