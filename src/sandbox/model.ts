// The sandbox's persisted state: types, the region catalogue and id generation.
import { createHash, randomBytes, randomInt } from "node:crypto";

export const STATE_VERSION = 1;

/** Emulated regions with their real AZ names and (illustrative) zone ids, in AZ order. */
export const REGIONS: Record<string, { zoneIdPrefix: string; letters: string }> = {
  "us-east-1": { zoneIdPrefix: "use1", letters: "abcdef" },
  "us-east-2": { zoneIdPrefix: "use2", letters: "abc" },
  "us-west-2": { zoneIdPrefix: "usw2", letters: "abcd" },
  "eu-west-1": { zoneIdPrefix: "euw1", letters: "abc" },
  "eu-central-1": { zoneIdPrefix: "euc1", letters: "abc" },
  "ap-northeast-2": { zoneIdPrefix: "apne2", letters: "abcd" },
  "ap-southeast-1": { zoneIdPrefix: "apse1", letters: "abc" },
};

export interface Zone {
  ZoneName: string;
  ZoneId: string;
}

export function zonesOf(region: string): Zone[] {
  const r = REGIONS[region];
  if (!r) return [];
  return [...r.letters].map((l, i) => ({ ZoneName: `${region}${l}`, ZoneId: `${r.zoneIdPrefix}-az${i + 1}` }));
}

export type Tag = { Key: string; Value: string };

/** Fields every stored resource has; underscore fields are private and never returned. */
export interface Base {
  Tags: Tag[];
  _createdAt: number;
  _visibleAt: number; // eventual consistency: invisible before this instant
}

export interface VpcRec extends Base {
  VpcId: string;
  CidrBlock: string;
  DhcpOptionsId: string;
  IsDefault: boolean;
  CidrAssociationId: string;
  EnableDnsSupport: boolean;
  EnableDnsHostnames: boolean;
  /** Amazon-provided IPv6 blocks (/56), associated at once (AWS: associating for a few seconds). */
  Ipv6Cidrs?: Ipv6AssocRec[];
}
export interface Ipv6AssocRec {
  AssociationId: string;
  Ipv6CidrBlock: string;
  NetworkBorderGroup?: string;
}
export interface SubnetRec extends Base {
  SubnetId: string;
  VpcId: string;
  /** Absent on an IPv6-only subnet (Ipv6Native). */
  CidrBlock?: string;
  AvailabilityZone: string;
  AvailabilityZoneId: string;
  MapPublicIpOnLaunch: boolean;
  DefaultForAz: boolean;
  NaclAssociationId: string;
  /** The subnet's IPv6 block (one /64 of the VPC's /56). */
  Ipv6Cidrs?: Ipv6AssocRec[];
  AssignIpv6AddressOnCreation?: boolean;
  Ipv6Native?: boolean;
  EnableDns64?: boolean;
  PrivateDnsNameOptionsOnLaunch?: { HostnameType: "ip-name" | "resource-name"; EnableResourceNameDnsARecord: boolean; EnableResourceNameDnsAAAARecord: boolean };
}
export interface IgwRec extends Base {
  InternetGatewayId: string;
  VpcId?: string; // attachment
}
export interface RouteRec {
  /** IPv4 routes; IPv6 routes have DestinationIpv6CidrBlock instead. */
  DestinationCidrBlock?: string;
  DestinationIpv6CidrBlock?: string;
  EgressOnlyInternetGatewayId?: string;
  GatewayId?: string;
  NatGatewayId?: string;
  NetworkInterfaceId?: string;
  VpcEndpointId?: string;
  /** A gateway endpoint's route: the destination is the service's prefix list (DestinationCidrBlock holds its id too). */
  DestinationPrefixListId?: string;
  Origin: "CreateRouteTable" | "CreateRoute";
}
export interface RtbAssocRec {
  RouteTableAssociationId: string;
  SubnetId?: string;
  Main: boolean;
}
export interface RouteTableRec extends Base {
  RouteTableId: string;
  VpcId: string;
  Routes: RouteRec[];
  Associations: RtbAssocRec[];
}
export interface AddressRec extends Base {
  AllocationId: string;
  PublicIp: string;
  AssociationId?: string;
  NetworkInterfaceId?: string;
  PrivateIpAddress?: string;
}
/** One address of a regional NAT gateway in one AZ (NatGatewayAddress of DescribeNatGateways). */
export interface RegionalNatAddressRec {
  AvailabilityZone: string;
  AvailabilityZoneId: string;
  /** An Elastic IP of the account (manual mode) or one AWS allocated (automatic mode: `_auto`). */
  AllocationId: string;
  PublicIp: string;
  AssociationId: string;
  Status: "associating" | "succeeded" | "disassociating";
  _auto?: boolean;
  _readyAt: number; // associating -> succeeded
  _goneAt?: number; // disassociating -> removed (the EIP is free again)
}
export interface NatRec extends Base {
  NatGatewayId: string;
  /** Zonal NAT gateways only: a regional one sits in no subnet of the VPC. */
  SubnetId?: string;
  VpcId: string;
  ConnectivityType: "public" | "private";
  State: "pending" | "failed" | "available" | "deleting" | "deleted";
  /** Absent on records written before regional NAT gateways: zonal. */
  AvailabilityMode?: "zonal" | "regional";
  /** Regional only: automatic mode (AWS covers the AZs with workloads and allocates the IPs) or manual. */
  AutoProvisionZones?: "enabled" | "disabled";
  AutoScalingIps?: "enabled" | "disabled";
  /** Regional only: the route table AWS creates for the gateway (0.0.0.0/0 → the VPC's internet gateway). */
  RouteTableId?: string;
  /** Regional only: the per-AZ addresses. */
  Addresses?: RegionalNatAddressRec[];
  /** Regional only: how long an AZ expansion / address association takes (the create time of this sandbox). */
  _expandMs?: number;
  AllocationId?: string;
  NetworkInterfaceId?: string;
  PrivateIp?: string;
  FailureCode?: string;
  FailureMessage?: string;
  _readyAt: number; // pending -> available|failed
  _willFail?: { code: string; message: string };
  _deleteAt?: number; // deleting -> deleted
  _deletedAt?: number; // when it became deleted/failed (purged 1 h later)
}
export interface SgRec extends Base {
  GroupId: string;
  GroupName: string;
  Description: string;
  VpcId: string;
}
export interface SgRuleRec extends Base {
  SecurityGroupRuleId: string;
  GroupId: string;
  IsEgress: boolean;
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIpv4?: string;
  CidrIpv6?: string;
  PrefixListId?: string;
  ReferencedGroupId?: string;
  Description?: string;
}
export interface EniRec extends Base {
  NetworkInterfaceId: string;
  SubnetId: string;
  VpcId: string;
  AvailabilityZone: string;
  InterfaceType: string;
  Description: string;
  PrivateIpAddress: string;
  MacAddress: string;
  Groups: string[];
  RequesterManaged: boolean;
}
export interface NaclRec extends Base {
  NetworkAclId: string;
  VpcId: string;
  IsDefault: boolean;
}

export interface RegionState {
  vpcs: Record<string, VpcRec>;
  subnets: Record<string, SubnetRec>;
  internetGateways: Record<string, IgwRec>;
  routeTables: Record<string, RouteTableRec>;
  addresses: Record<string, AddressRec>;
  natGateways: Record<string, NatRec>;
  securityGroups: Record<string, SgRec>;
  securityGroupRules: Record<string, SgRuleRec>;
  networkInterfaces: Record<string, EniRec>;
  networkAcls: Record<string, NaclRec>;
  /** ClientToken idempotency: `${operation}:${token}` -> params fingerprint and the created id. */
  clientTokens: Record<string, { fingerprint: string; id: string }>;
  /** Extra per-region stores for services added with registerService (kept opaque here). */
  ext: Record<string, any>;
}

export interface CallRecord {
  seq: number;
  service: string;
  operation: string;
  region: string;
  mutating: boolean;
  dryRun: boolean;
  errorCode?: string;
  at: string;
}

export interface SandboxState {
  version: number;
  accountId: string;
  userId: string;
  createdAt: string;
  counters: { calls: number; mutatingCalls: number };
  regions: Record<string, RegionState>;
  journal: CallRecord[];
  /** Extra account-wide stores for services added with registerService. */
  ext: Record<string, any>;
}

export function emptyRegion(): RegionState {
  return {
    vpcs: {},
    subnets: {},
    internetGateways: {},
    routeTables: {},
    addresses: {},
    natGateways: {},
    securityGroups: {},
    securityGroupRules: {},
    networkInterfaces: {},
    networkAcls: {},
    clientTokens: {},
    ext: {},
  };
}

export function newAccountId(): string {
  // 12 digits, never starting with 0 so it survives numeric parsing
  return String(randomInt(1, 10)) + String(randomInt(0, 1e11)).padStart(11, "0");
}

export function newUserId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let s = "AIDA";
  for (const b of randomBytes(17)) s += alphabet[b % alphabet.length];
  return s;
}

/** Where ids come from: random, or (while a region's default resources are seeded) a seeded hash chain. */
let idBytes: (n: number) => Buffer = randomBytes;

/**
 * Runs fn with ids derived from `seed` (sha256 chain): seeding a region's default VPC gives the same
 * ids in every process, so a region first touched by a read need not be written (a refused command
 * leaves the state file as it was) and every process still sees the same default VPC.
 */
export function withSeededIds<T>(seed: string, fn: () => T): T {
  let n = 0;
  const saved = idBytes;
  idBytes = (len) => createHash("sha256").update(`${seed}/${n++}`).digest().subarray(0, len);
  try {
    return fn();
  } finally {
    idBytes = saved;
  }
}

/** AWS-style id: prefix + 17 lowercase hex digits. */
export function newId(prefix: string): string {
  return `${prefix}-${idBytes(9).toString("hex").slice(0, 17)}`;
}

export function newMac(): string {
  const b = randomBytes(5);
  return ["0e", ...[...b].map((x) => x.toString(16).padStart(2, "0"))].join(":");
}

/**
 * A new network interface in a subnet, stored in the region (the caller has allocated its address).
 * `fields` adds or overrides what differs: groups, tags, times, attachment, description.
 */
export function putEni<T extends Partial<EniRec>>(rs: RegionState, subnet: SubnetRec, PrivateIpAddress: string, fields: T & Pick<EniRec, "Groups">): EniRec & T {
  const eni = {
    NetworkInterfaceId: newId("eni"),
    SubnetId: subnet.SubnetId,
    VpcId: subnet.VpcId,
    AvailabilityZone: subnet.AvailabilityZone,
    InterfaceType: "interface",
    Description: "",
    PrivateIpAddress,
    MacAddress: newMac(),
    RequesterManaged: false,
    ...fields,
  } as EniRec & T;
  rs.networkInterfaces[eni.NetworkInterfaceId] = eni;
  return eni;
}
