// The snapshot document: everything in an account/region that decides a network path, in the
// shapes (and PascalCase field names) of the EC2 / Lambda Describe* outputs, so the `snapshot`
// command can fill it straight from SDK responses. Versioned; validated with zod on load.
// Objects are "loose": extra SDK fields are kept, not rejected. Described in SNAPSHOT.md.
// Each resource's schema is z.lazy: zod builds it when a document first holds that kind of resource
// (status adopts a snapshot of three collections; building all ~300 schema nodes cost ~3 ms of its start-up).
import * as z from "zod";

export const SNAPSHOT_VERSION = 1 as const;

const Str = z.string();
const OptStr = z.string().optional();
const OptBool = z.boolean().optional();
const OptNum = z.number().optional();

export const TagSchema = z.looseObject({ Key: OptStr, Value: OptStr });
const Tags = z.array(TagSchema).optional();

export const VpcSchema = z.lazy(() => z.looseObject({
  VpcId: Str,
  CidrBlock: OptStr,
  CidrBlockAssociationSet: z.array(z.looseObject({ CidrBlock: OptStr })).optional(),
  Ipv6CidrBlockAssociationSet: z.array(z.looseObject({ Ipv6CidrBlock: OptStr })).optional(),
  IsDefault: OptBool,
  State: OptStr,
  Tags,
}));

export const SubnetSchema = z.lazy(() => z.looseObject({
  SubnetId: Str,
  VpcId: Str,
  CidrBlock: OptStr,
  Ipv6CidrBlockAssociationSet: z.array(z.looseObject({ Ipv6CidrBlock: OptStr })).optional(),
  AvailabilityZone: OptStr,
  AvailabilityZoneId: OptStr,
  MapPublicIpOnLaunch: OptBool,
  // IPv6: an IPv6-only subnet (no IPv4 CIDR) and DNS64 (the Resolver synthesizes 64:ff9b::/96 AAAA records).
  Ipv6Native: OptBool,
  EnableDns64: OptBool,
  AssignIpv6AddressOnCreation: OptBool,
  Tags,
}));

export const RouteSchema = z.lazy(() => z.looseObject({
  DestinationCidrBlock: OptStr,
  DestinationIpv6CidrBlock: OptStr,
  DestinationPrefixListId: OptStr,
  GatewayId: OptStr, // "local", igw-…, vgw-…, vpce-… (gateway endpoint)
  NatGatewayId: OptStr,
  NetworkInterfaceId: OptStr,
  InstanceId: OptStr,
  VpcPeeringConnectionId: OptStr,
  TransitGatewayId: OptStr,
  EgressOnlyInternetGatewayId: OptStr,
  VpcEndpointId: OptStr,
  CarrierGatewayId: OptStr,
  LocalGatewayId: OptStr,
  State: OptStr, // "active" | "blackhole"
  Origin: OptStr,
}));

export const RouteTableAssociationSchema = z.lazy(() => z.looseObject({
  RouteTableAssociationId: OptStr,
  RouteTableId: OptStr,
  SubnetId: OptStr,
  GatewayId: OptStr,
  Main: OptBool,
}));

export const RouteTableSchema = z.lazy(() => z.looseObject({
  RouteTableId: Str,
  VpcId: Str,
  Routes: z.array(RouteSchema).default([]),
  Associations: z.array(RouteTableAssociationSchema).default([]),
  Tags,
}));

export const InternetGatewaySchema = z.lazy(() => z.looseObject({
  InternetGatewayId: Str,
  Attachments: z.array(z.looseObject({ VpcId: OptStr, State: OptStr })).default([]),
  Tags,
}));

export const EgressOnlyInternetGatewaySchema = z.lazy(() => z.looseObject({
  EgressOnlyInternetGatewayId: Str,
  Attachments: z.array(z.looseObject({ VpcId: OptStr, State: OptStr })).default([]),
  Tags,
}));

export const NatGatewayAddressSchema = z.lazy(() => z.looseObject({
  AllocationId: OptStr,
  PublicIp: OptStr,
  PrivateIp: OptStr,
  NetworkInterfaceId: OptStr,
  IsPrimary: OptBool,
  Status: OptStr, // assigning | unassigning | associating | disassociating | succeeded | failed
  /** Regional NAT gateways: the AZ this address handles outbound traffic from. */
  AvailabilityZone: OptStr,
  AvailabilityZoneId: OptStr,
}));

export const NatGatewaySchema = z.lazy(() => z.looseObject({
  NatGatewayId: Str,
  VpcId: OptStr,
  SubnetId: OptStr,
  State: OptStr, // pending | failed | available | deleting | deleted
  ConnectivityType: OptStr, // public | private
  AvailabilityMode: OptStr, // zonal (default) | regional: one gateway for the VPC, no subnet, an address set per AZ
  AutoProvisionZones: OptStr, // regional: enabled (automatic mode: follows the workloads' AZs) | disabled (manual: AvailabilityZoneAddresses)
  AutoScalingIps: OptStr, // regional: enabled | disabled
  RouteTableId: OptStr, // regional: the route table AWS created for it (0.0.0.0/0 → the VPC's internet gateway)
  NatGatewayAddresses: z.array(NatGatewayAddressSchema).default([]),
  FailureCode: OptStr,
  FailureMessage: OptStr,
  Tags,
}));

export const AddressSchema = z.lazy(() => z.looseObject({
  AllocationId: OptStr,
  PublicIp: OptStr,
  AssociationId: OptStr,
  NetworkInterfaceId: OptStr,
  InstanceId: OptStr,
  PrivateIpAddress: OptStr,
  Domain: OptStr,
  Tags,
}));

export const IpPermissionSchema = z.lazy(() => z.looseObject({
  IpProtocol: OptStr, // "-1" = all, "tcp"/"6", "udp"/"17", "icmp"/"1", "icmpv6"/"58"
  FromPort: OptNum,
  ToPort: OptNum,
  IpRanges: z.array(z.looseObject({ CidrIp: OptStr, Description: OptStr })).default([]),
  Ipv6Ranges: z.array(z.looseObject({ CidrIpv6: OptStr, Description: OptStr })).default([]),
  PrefixListIds: z.array(z.looseObject({ PrefixListId: OptStr, Description: OptStr })).default([]),
  UserIdGroupPairs: z
    .array(z.looseObject({ GroupId: OptStr, UserId: OptStr, VpcId: OptStr, Description: OptStr }))
    .default([]),
}));

export const SecurityGroupSchema = z.lazy(() => z.looseObject({
  GroupId: Str,
  GroupName: OptStr,
  VpcId: OptStr,
  IpPermissions: z.array(IpPermissionSchema).default([]),
  IpPermissionsEgress: z.array(IpPermissionSchema).default([]),
  Tags,
}));

export const NetworkAclEntrySchema = z.lazy(() => z.looseObject({
  RuleNumber: z.number(),
  Protocol: Str, // "-1" = all, "6" tcp, "17" udp, "1" icmp, "58" icmpv6
  RuleAction: Str, // "allow" | "deny"
  Egress: z.boolean(),
  CidrBlock: OptStr,
  Ipv6CidrBlock: OptStr,
  PortRange: z.looseObject({ From: OptNum, To: OptNum }).optional(),
}));

export const NetworkAclSchema = z.lazy(() => z.looseObject({
  NetworkAclId: Str,
  VpcId: Str,
  IsDefault: OptBool,
  Entries: z.array(NetworkAclEntrySchema).default([]),
  Associations: z
    .array(z.looseObject({ NetworkAclAssociationId: OptStr, NetworkAclId: OptStr, SubnetId: OptStr }))
    .default([]),
  Tags,
}));

export const NetworkInterfaceSchema = z.lazy(() => z.looseObject({
  NetworkInterfaceId: Str,
  SubnetId: Str,
  VpcId: Str,
  AvailabilityZone: OptStr,
  InterfaceType: OptStr, // "interface" | "lambda" | "nat_gateway" | "vpc_endpoint" | …
  Description: OptStr,
  PrivateIpAddress: OptStr,
  PrivateDnsName: OptStr,
  PrivateIpAddresses: z
    .array(
      z.looseObject({
        PrivateIpAddress: OptStr,
        Primary: OptBool,
        Association: z.looseObject({ PublicIp: OptStr }).optional(),
      }),
    )
    .optional(),
  Ipv6Addresses: z.array(z.looseObject({ Ipv6Address: OptStr })).optional(),
  Association: z.looseObject({ PublicIp: OptStr, AllocationId: OptStr }).optional(),
  Groups: z.array(z.looseObject({ GroupId: OptStr, GroupName: OptStr })).default([]),
  SourceDestCheck: OptBool,
  Status: OptStr,
  RequesterId: OptStr,
  Attachment: z.looseObject({ InstanceId: OptStr, DeviceIndex: OptNum, Status: OptStr }).optional(),
  Tags: z.array(TagSchema).optional(),
  TagSet: z.array(TagSchema).optional(),
}));

export const InstanceSchema = z.lazy(() => z.looseObject({
  InstanceId: Str,
  VpcId: OptStr,
  SubnetId: OptStr,
  PrivateIpAddress: OptStr,
  PrivateDnsName: OptStr,
  PublicIpAddress: OptStr,
  SourceDestCheck: OptBool,
  State: z.looseObject({ Name: OptStr }).optional(),
  SecurityGroups: z.array(z.looseObject({ GroupId: OptStr, GroupName: OptStr })).default([]),
  NetworkInterfaces: z
    .array(
      z.looseObject({
        NetworkInterfaceId: OptStr,
        SubnetId: OptStr,
        PrivateIpAddress: OptStr,
        Attachment: z.looseObject({ DeviceIndex: OptNum }).optional(),
        Association: z.looseObject({ PublicIp: OptStr }).optional(),
        Groups: z.array(z.looseObject({ GroupId: OptStr })).optional(),
        SourceDestCheck: OptBool,
      }),
    )
    .default([]),
  Placement: z.looseObject({ AvailabilityZone: OptStr }).optional(),
  Tags,
}));

export const VpcEndpointSchema = z.lazy(() => z.looseObject({
  VpcEndpointId: Str,
  VpcId: Str,
  VpcEndpointType: OptStr, // "Interface" | "Gateway" | "GatewayLoadBalancer" | "Resource" | …
  ServiceName: OptStr,
  State: OptStr, // "available" (API also returns "Available")
  PrivateDnsEnabled: OptBool,
  SubnetIds: z.array(Str).default([]),
  NetworkInterfaceIds: z.array(Str).default([]),
  RouteTableIds: z.array(Str).default([]),
  Groups: z.array(z.looseObject({ GroupId: OptStr, GroupName: OptStr })).default([]),
  PolicyDocument: OptStr,
  // Resource endpoints (PrivateLink to a VPC Lattice resource configuration).
  ResourceConfigurationArn: OptStr,
  ServiceNetworkArn: OptStr,
  Tags,
}));

export const ManagedPrefixListSchema = z.lazy(() => z.looseObject({
  PrefixListId: Str,
  PrefixListName: OptStr,
  AddressFamily: OptStr,
  // From GetManagedPrefixListEntries (Entries[].Cidr) flattened.
  Cidrs: z.array(Str).default([]),
}));

export const VpcPeeringConnectionSchema = z.lazy(() => z.looseObject({
  VpcPeeringConnectionId: Str,
  Status: z.looseObject({ Code: OptStr, Message: OptStr }).optional(),
  RequesterVpcInfo: z.looseObject({ VpcId: OptStr, CidrBlock: OptStr, OwnerId: OptStr }).optional(),
  AccepterVpcInfo: z.looseObject({ VpcId: OptStr, CidrBlock: OptStr, OwnerId: OptStr }).optional(),
}));

export const TransitGatewayAttachmentSchema = z.lazy(() => z.looseObject({
  TransitGatewayAttachmentId: Str,
  TransitGatewayId: OptStr,
  ResourceType: OptStr,
  ResourceId: OptStr, // the VPC id for VPC attachments
  State: OptStr,
  // DescribeTransitGatewayAttachments: the route table the attachment is associated with.
  Association: z.looseObject({ TransitGatewayRouteTableId: OptStr, State: OptStr }).optional(),
}));

export const TransitGatewaySchema = z.lazy(() => z.looseObject({
  TransitGatewayId: Str,
  State: OptStr, // pending | available | modifying | deleting | deleted
  OwnerId: OptStr,
  Options: z
    .looseObject({
      DefaultRouteTableAssociation: OptStr, // enable | disable
      DefaultRouteTablePropagation: OptStr,
      AssociationDefaultRouteTableId: OptStr,
      PropagationDefaultRouteTableId: OptStr,
    })
    .optional(),
  Tags,
}));

export const TransitGatewayVpcAttachmentSchema = z.lazy(() => z.looseObject({
  TransitGatewayAttachmentId: Str,
  TransitGatewayId: OptStr,
  VpcId: OptStr,
  SubnetIds: z.array(Str).default([]), // one per AZ the attachment serves
  State: OptStr, // pendingAcceptance | pending | available | modifying | deleting | deleted | failed | rejected
  Options: z.looseObject({ ApplianceModeSupport: OptStr, DnsSupport: OptStr }).optional(),
  Tags,
}));

const TgwRouteAttachmentSchema = z.lazy(() => z.looseObject({ TransitGatewayAttachmentId: OptStr, ResourceId: OptStr, ResourceType: OptStr, State: OptStr }));

export const TransitGatewayRouteSchema = z.lazy(() => z.looseObject({
  DestinationCidrBlock: OptStr,
  PrefixListId: OptStr,
  Type: OptStr, // static | propagated
  State: OptStr, // active | blackhole | pending | deleting | deleted
  TransitGatewayAttachments: z.array(TgwRouteAttachmentSchema).default([]),
}));

export const TransitGatewayRouteTableSchema = z.lazy(() => z.looseObject({
  TransitGatewayRouteTableId: Str,
  TransitGatewayId: OptStr,
  State: OptStr, // pending | available | deleting | deleted
  DefaultAssociationRouteTable: OptBool,
  DefaultPropagationRouteTable: OptBool,
  // Not DescribeTransitGatewayRouteTables fields: filled by `snapshot` from GetTransitGatewayRouteTable-
  // Associations, GetTransitGatewayRouteTablePropagations and SearchTransitGatewayRoutes (state active|blackhole).
  Associations: z.array(TgwRouteAttachmentSchema).default([]),
  Propagations: z.array(TgwRouteAttachmentSchema).default([]),
  Routes: z.array(TransitGatewayRouteSchema).default([]),
  Tags,
}));

export const LambdaFunctionSchema = z.lazy(() => z.looseObject({
  FunctionName: Str,
  FunctionArn: OptStr,
  VpcConfig: z
    .looseObject({
      SubnetIds: z.array(Str).default([]),
      SecurityGroupIds: z.array(Str).default([]),
      VpcId: OptStr,
      Ipv6AllowedForDualStack: OptBool,
    })
    .optional(),
  Role: OptStr,
}));

export const EventSourceMappingSchema = z.lazy(() => z.looseObject({
  UUID: OptStr,
  EventSourceArn: OptStr,
  FunctionArn: OptStr,
  State: OptStr,
  ProvisionedPollerConfig: z.looseObject({ MinimumPollers: OptNum, MaximumPollers: OptNum }).optional(),
  // Self-managed Kafka / MQ: the VPC side of the mapping.
  SourceAccessConfigurations: z.array(z.looseObject({ Type: OptStr, URI: OptStr })).optional(),
}));

export const FlowLogSchema = z.lazy(() => z.looseObject({
  FlowLogId: Str,
  ResourceId: OptStr,
  TrafficType: OptStr,
  FlowLogStatus: OptStr,
  LogDestinationType: OptStr,
  LogDestination: OptStr,
}));

// VPC Lattice (camelCase: the Lattice API's own field names, GetResourceGateway / GetResourceConfiguration).
export const ResourceGatewaySchema = z.lazy(() => z.looseObject({
  id: Str,
  arn: OptStr,
  name: OptStr,
  vpcId: OptStr, // GetResourceGateway; ListResourceGateways says vpcIdentifier
  vpcIdentifier: OptStr,
  subnetIds: z.array(Str).default([]),
  securityGroupIds: z.array(Str).default([]),
  status: OptStr, // ACTIVE | CREATE_IN_PROGRESS | … | DELETE_FAILED
  ipAddressType: OptStr,
  // Not a Lattice field: the gateway's ENIs, filled by `snapshot` from DescribeNetworkInterfaces
  // (the ENIs whose Description names the gateway). Absent: the analyzer matches Descriptions itself.
  networkInterfaceIds: z.array(Str).optional(),
}));

export const ResourceConfigurationSchema = z.lazy(() => z.looseObject({
  id: Str,
  arn: OptStr,
  name: OptStr,
  resourceGatewayId: OptStr,
  type: OptStr, // SINGLE | GROUP | CHILD | ARN
  protocol: OptStr, // TCP
  portRanges: z.array(Str).default([]), // "3128", "8000-8080"
  status: OptStr,
  resourceConfigurationDefinition: z
    .looseObject({
      ipResource: z.looseObject({ ipAddress: OptStr }).optional(),
      dnsResource: z.looseObject({ domainName: OptStr, ipAddressType: OptStr }).optional(),
      arnResource: z.looseObject({ arn: OptStr }).optional(),
    })
    .optional(),
}));

// VPC Block Public Access (DescribeVpcBlockPublicAccessOptions / DescribeVpcBlockPublicAccessExclusions).
export const VpcBlockPublicAccessOptionsSchema = z.lazy(() => z.looseObject({
  InternetGatewayBlockMode: OptStr, // off | block-bidirectional | block-ingress
  State: OptStr, // default-state | update-in-progress | update-complete
  ExclusionsAllowed: OptStr,
  ManagedBy: OptStr,
}));

export const VpcBlockPublicAccessExclusionSchema = z.lazy(() => z.looseObject({
  ExclusionId: OptStr,
  InternetGatewayExclusionMode: OptStr, // allow-bidirectional | allow-egress
  ResourceArn: OptStr, // arn:…:vpc/vpc-… or arn:…:subnet/subnet-…
  State: OptStr, // create-complete | update-complete | create-in-progress | … | delete-complete
  Tags,
}));

export const SnapshotSchema = z.looseObject({
  version: z.literal(SNAPSHOT_VERSION),
  takenAt: Str, // ISO 8601
  region: Str,
  accountId: Str,
  vpcs: z.array(VpcSchema).default([]),
  subnets: z.array(SubnetSchema).default([]),
  routeTables: z.array(RouteTableSchema).default([]),
  internetGateways: z.array(InternetGatewaySchema).default([]),
  egressOnlyInternetGateways: z.array(EgressOnlyInternetGatewaySchema).default([]),
  natGateways: z.array(NatGatewaySchema).default([]),
  addresses: z.array(AddressSchema).default([]),
  securityGroups: z.array(SecurityGroupSchema).default([]),
  networkAcls: z.array(NetworkAclSchema).default([]),
  networkInterfaces: z.array(NetworkInterfaceSchema).default([]),
  instances: z.array(InstanceSchema).default([]),
  vpcEndpoints: z.array(VpcEndpointSchema).default([]),
  managedPrefixLists: z.array(ManagedPrefixListSchema).default([]),
  vpcPeeringConnections: z.array(VpcPeeringConnectionSchema).default([]),
  transitGatewayAttachments: z.array(TransitGatewayAttachmentSchema).optional(),
  // Optional (absent = not collected): transit gateways, their VPC attachments (with subnets) and route tables.
  transitGateways: z.array(TransitGatewaySchema).optional(),
  transitGatewayVpcAttachments: z.array(TransitGatewayVpcAttachmentSchema).optional(),
  transitGatewayRouteTables: z.array(TransitGatewayRouteTableSchema).optional(),
  lambdaFunctions: z.array(LambdaFunctionSchema).default([]),
  eventSourceMappings: z.array(EventSourceMappingSchema).default([]),
  flowLogs: z.array(FlowLogSchema).default([]),
  // Optional (absent = not collected): VPC Lattice resource gateways and configurations (PrivateLink Resource endpoints).
  resourceGateways: z.array(ResourceGatewaySchema).optional(),
  resourceConfigurations: z.array(ResourceConfigurationSchema).optional(),
  // Optional (absent = not collected, and then no internet verdict is proven): the region's VPC Block Public Access.
  vpcBlockPublicAccessOptions: VpcBlockPublicAccessOptionsSchema.optional(),
  vpcBlockPublicAccessExclusions: z.array(VpcBlockPublicAccessExclusionSchema).optional(),
});

export type Tag = z.infer<typeof TagSchema>;
export type Vpc = z.infer<typeof VpcSchema>;
export type Subnet = z.infer<typeof SubnetSchema>;
export type Route = z.infer<typeof RouteSchema>;
export type RouteTableAssociation = z.infer<typeof RouteTableAssociationSchema>;
export type RouteTable = z.infer<typeof RouteTableSchema>;
export type InternetGateway = z.infer<typeof InternetGatewaySchema>;
export type EgressOnlyInternetGateway = z.infer<typeof EgressOnlyInternetGatewaySchema>;
export type NatGatewayAddress = z.infer<typeof NatGatewayAddressSchema>;
export type NatGateway = z.infer<typeof NatGatewaySchema>;
export type Address = z.infer<typeof AddressSchema>;
export type IpPermission = z.infer<typeof IpPermissionSchema>;
export type SecurityGroup = z.infer<typeof SecurityGroupSchema>;
export type NetworkAclEntry = z.infer<typeof NetworkAclEntrySchema>;
export type NetworkAcl = z.infer<typeof NetworkAclSchema>;
export type NetworkInterface = z.infer<typeof NetworkInterfaceSchema>;
export type Instance = z.infer<typeof InstanceSchema>;
export type VpcEndpoint = z.infer<typeof VpcEndpointSchema>;
export type ManagedPrefixList = z.infer<typeof ManagedPrefixListSchema>;
export type VpcPeeringConnection = z.infer<typeof VpcPeeringConnectionSchema>;
export type TransitGatewayAttachment = z.infer<typeof TransitGatewayAttachmentSchema>;
export type TransitGateway = z.infer<typeof TransitGatewaySchema>;
export type TransitGatewayVpcAttachment = z.infer<typeof TransitGatewayVpcAttachmentSchema>;
export type TransitGatewayRoute = z.infer<typeof TransitGatewayRouteSchema>;
export type TransitGatewayRouteTable = z.infer<typeof TransitGatewayRouteTableSchema>;
export type LambdaFunction = z.infer<typeof LambdaFunctionSchema>;
export type EventSourceMapping = z.infer<typeof EventSourceMappingSchema>;
export type FlowLog = z.infer<typeof FlowLogSchema>;
export type ResourceGateway = z.infer<typeof ResourceGatewaySchema>;
export type ResourceConfiguration = z.infer<typeof ResourceConfigurationSchema>;
export type VpcBlockPublicAccessOptions = z.infer<typeof VpcBlockPublicAccessOptionsSchema>;
export type VpcBlockPublicAccessExclusion = z.infer<typeof VpcBlockPublicAccessExclusionSchema>;
/** A validated snapshot (defaults applied). */
export type Snapshot = z.infer<typeof SnapshotSchema>;
/** What a producer may write before defaults are applied. */
export type SnapshotInput = z.input<typeof SnapshotSchema>;

export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = "SnapshotError";
  }
}

/**
 * Validates an unknown value (e.g. parsed JSON) as a snapshot and applies defaults.
 * Throws SnapshotError listing the first issues with their paths; the caller (a command)
 * turns it into a UsageError with the file name.
 */
export function parseSnapshot(value: unknown): Snapshot {
  if (value && typeof value === "object" && "version" in value && (value as { version: unknown }).version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      `unsupported snapshot version ${JSON.stringify((value as { version: unknown }).version)} (this tool reads version ${SNAPSHOT_VERSION})`,
    );
  }
  const result = SnapshotSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new SnapshotError(`invalid snapshot: ${issues[0] ?? "unknown error"}`, issues);
  }
  return result.data;
}

/**
 * parseSnapshot for a value the caller owns and gives up (a document just collected or just read
 * from a file): the same checks and defaults, applied in place instead of through a copy — zod's
 * copy of a 10 MB document costs ~0.2 s of a cold process (snapshot at 1×), this walk ~30 ms. Only
 * the top level is a new object, with parseSnapshot's key order. Anything the walk does not accept
 * (an invalid document, a schema construct it does not know) goes through parseSnapshot, so the
 * answer and the errors are always parseSnapshot's.
 */
export function adoptSnapshot(value: unknown): Snapshot {
  adopter ??= compileInPlace(SnapshotSchema);
  if (!adopter || !adopter(value, undefined, "")) return parseSnapshot(value);
  const doc = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(SnapshotSchema.shape)) if (k in doc) out[k] = doc[k];
  for (const k of Object.keys(doc)) if (!(k in out)) out[k] = doc[k];
  return out as Snapshot;
}

/** The parts of a zod schema's definition the walk reads (zod 4's `_zod.def`). */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  values?: unknown[];
  defaultValue?: unknown;
}

/** Does `v` (the value at holder[key]) satisfy the schema? Fills absent defaults into `holder`. */
type InPlace = (v: unknown, holder: Record<string | number, unknown> | undefined, key: string | number) => boolean;

let adopter: InPlace | undefined | null;

/**
 * The schema as a checker that works in place (built once): zod's own default values (a fresh
 * copy each time). Knows the constructs SnapshotSchema is built from; any other gives null, and
 * adoptSnapshot then leaves everything to parseSnapshot.
 */
function compileInPlace(schema: z.ZodType): InPlace | null {
  const d = (schema as unknown as { _zod: { def: Def } })._zod.def;
  switch (d.type) {
    case "string":
      return (v) => typeof v === "string";
    case "number":
      return (v) => typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return (v) => typeof v === "boolean";
    case "unknown":
      return () => true;
    case "literal": {
      const values = d.values!;
      return (v) => values.includes(v);
    }
    case "optional": {
      const inner = compileInPlace(d.innerType!);
      return inner && ((v, holder, key) => v === undefined || inner(v, holder, key));
    }
    case "default": {
      const inner = compileInPlace(d.innerType!);
      if (!inner) return null;
      return (v, holder, key) => {
        if (v !== undefined) return inner(v, holder, key);
        if (!holder) return false;
        holder[key] = d.defaultValue;
        return true;
      };
    }
    case "lazy": {
      // compiled (and the schema built) when a value first needs it; a construct the walk does not know
      // then answers "not accepted", and adoptSnapshot leaves the document to parseSnapshot
      let inner: InPlace | null | undefined;
      return (v, holder, key) => {
        if (inner === undefined) inner = compileInPlace((schema as unknown as { _zod: { innerType: z.ZodType } })._zod.innerType);
        return inner !== null && inner(v, holder, key);
      };
    }
    case "array": {
      const lazy = (d.element as unknown as { _zod: { def: Def } })._zod.def.type === "lazy";
      if (lazy) {
        // an array of a lazy schema (a collection): compiled on the first non-empty array, then called
        // directly for each element (no lazy step per record)
        let element: InPlace | null | undefined;
        return (v) => {
          if (!Array.isArray(v)) return false;
          if (v.length === 0) return true;
          if (element === undefined) element = compileInPlace((d.element as unknown as { _zod: { innerType: z.ZodType } })._zod.innerType);
          if (element === null) return false;
          for (let i = 0; i < v.length; i++) if (!element(v[i], v as unknown as Record<number, unknown>, i)) return false;
          return true;
        };
      }
      const element = compileInPlace(d.element!);
      if (!element) return null;
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i], v as unknown as Record<number, unknown>, i)) return false;
        return true;
      };
    }
    case "object": {
      // loose objects only (extra keys kept, as z.looseObject does); a strict or stripping one is zod's to judge
      if ((d.catchall as unknown as { _zod: { def: Def } } | undefined)?._zod.def.type !== "unknown") return null;
      const keys = Object.keys(d.shape!);
      const checks: InPlace[] = [];
      for (const k of keys) {
        const c = compileInPlace(d.shape![k]!);
        if (!c) return null;
        checks.push(c);
      }
      return (v) => {
        if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
        const o = v as Record<string, unknown>;
        for (let i = 0; i < keys.length; i++) if (!checks[i]!(o[keys[i]!], o, keys[i]!)) return false;
        return true;
      };
    }
    default:
      return null;
  }
}
