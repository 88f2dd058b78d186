// EC2 VPC endpoints (per region, in rs.ext.vpcEndpoints): the endpoint-service catalogue with
// per-service AZ lists (DescribeVpcEndpointServices), interface endpoints (one requester-managed
// ENI per subnet, at most one subnet per AZ, private DNS needing the VPC's DNS attributes),
// gateway endpoints (a route to the service's AWS prefix list in each route table), endpoint
// policies, the AWS prefix lists, and the pending → available, deleting → gone states.
import { registerInventory } from "./inventory.js";
import { createHash, randomBytes } from "node:crypto";
import { lookup } from "./indexes.js";
import { awsError } from "./errors.js";
import { allocPrivateIp, assertRouteRoom, get } from "./ec2-core.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler, InputOf } from "./handler.js";
import { applyFilters, checkFilters, fingerprint, paginate, tagsFromSpecs, tagsOut, type FilterFns } from "./query.js";
import { latticeStore } from "./lattice.js";
import { newId, newMac, zonesOf, type EniRec, type RegionState, type RouteTableRec, type SgRec, type SubnetRec, type Tag, type VpcRec } from "./model.js";
import { byText } from "../order.js";

export interface EndpointRec {
  VpcEndpointId: string;
  /** Interface and Gateway (AWS services), Resource (a VPC Lattice resource configuration: PrivateLink without an NLB, S2). */
  VpcEndpointType: "Interface" | "Gateway" | "Resource";
  ResourceConfigurationArn?: string;
  VpcId: string;
  ServiceName: string;
  State: "pending" | "available" | "deleting";
  PolicyDocument?: string;
  RouteTableIds: string[];
  SubnetIds: string[];
  Groups: string[];
  NetworkInterfaceIds: string[];
  PrivateDnsEnabled: boolean;
  DnsSuffix: string;
  Tags: Tag[];
  _createdAt: number;
  _visibleAt: number;
  _readyAt: number;
  _deleteAt?: number;
}

// Realistic durations, multiplied by the sandbox time scale (derived from the NAT timing).
const INTERFACE_CREATE_MS = 60_000;
const GATEWAY_CREATE_MS = 5_000;
const DELETE_MS = 30_000;

/** Interface services the catalogue offers (any name here can be given to add-endpoint). */
const INTERFACE_SERVICES = [
  "secretsmanager", "sts", "lambda", "ssm", "ssmmessages", "ec2messages", "logs", "kms", "ecr.api", "ecr.dkr", "ec2",
  "sqs", "sns", "monitoring", "events", "elasticloadbalancing", "execute-api", "kinesis-streams", "states", "rds",
  "kafka", "athena", "glue", "sagemaker.api", "sagemaker.runtime", "email-smtp", "s3", "dynamodb", "ecs", "ecs-agent",
  "ecs-telemetry", "elasticfilesystem", "codeartifact.api", "codeartifact.repositories", "xray", "appconfig",
];
const GATEWAY_SERVICES = ["s3", "dynamodb"];

/** Well-known prefix-list ids and CIDRs for gateway services (us-east-1's real ids; derived elsewhere). */
const PREFIX_LISTS: Record<string, { ids: Record<string, string>; cidrs: string[] }> = {
  s3: { ids: { "us-east-1": "pl-63a5400a" }, cidrs: ["3.5.0.0/19", "16.182.0.0/16", "18.34.0.0/19", "52.216.0.0/15", "54.231.0.0/16"] },
  dynamodb: { ids: { "us-east-1": "pl-02cd2c6b" }, cidrs: ["3.218.180.0/22", "35.71.64.0/22", "52.94.0.0/22", "52.119.224.0/20"] },
};

export function prefixListId(region: string, service: string): string {
  return PREFIX_LISTS[service].ids[region] ?? "pl-" + createHash("sha256").update(`${region}:${service}`).digest("hex").slice(0, 8);
}

/** AZs where an interface service is offered: all but a constrained zone, and a few narrower services. */
export function serviceZones(region: string, short: string, type: "Interface" | "Gateway"): string[] {
  const zones = zonesOf(region).map((z) => z.ZoneName);
  if (type === "Gateway") return zones;
  if (short === "email-smtp") return zones.slice(2); // offered in few AZs (exercises the "not in your AZs" refusal)
  if (region === "us-east-1") return zones.filter((z) => z !== "us-east-1e"); // use1-az3 is capacity-constrained
  return zones;
}

interface ServiceEntry {
  short: string;
  name: string;
  type: "Interface" | "Gateway";
}

function catalogue(region: string): ServiceEntry[] {
  const out: ServiceEntry[] = [];
  for (const s of GATEWAY_SERVICES) out.push({ short: s, name: `com.amazonaws.${region}.${s}`, type: "Gateway" });
  for (const s of INTERFACE_SERVICES) out.push({ short: s, name: `com.amazonaws.${region}.${s}`, type: "Interface" });
  return out.sort((a, b) => byText(a.name, b.name) || byText(a.type, b.type));
}

/** The private DNS name AWS publishes for a service (ecr.dkr and ecr.api are the odd ones). */
export function privateDnsName(region: string, short: string): string {
  if (short === "ecr.dkr") return `*.dkr.ecr.${region}.amazonaws.com`;
  if (short === "ecr.api") return `api.ecr.${region}.amazonaws.com`;
  if (short === "s3") return `*.s3.${region}.amazonaws.com`;
  return `${short}.${region}.amazonaws.com`;
}

const shortOf = (region: string, serviceName: string) => serviceName.replace(`com.amazonaws.${region}.`, "");
const dnsPart = (short: string) => short.split(".").reverse().join(".");
const scale = (ctx: OpContext) => ctx.timing.natCreateMs / 90_000;
const tagsOf = (e: EndpointRec) => e.Tags;

export function endpointStore(rs: RegionState): Record<string, EndpointRec> {
  return (rs.ext.vpcEndpoints ??= {}) as Record<string, EndpointRec>;
}

/** pending → available, deleting → gone (with its ENIs and routes). Called before every sandbox call. */
export function settleEndpoints(rs: RegionState, now: number): void {
  const store = rs.ext.vpcEndpoints as Record<string, EndpointRec> | undefined;
  if (!store) return;
  for (const e of Object.values(store)) {
    if (e.State === "pending" && now >= e._readyAt) e.State = "available";
    if (e.State === "deleting" && e._deleteAt !== undefined && now >= e._deleteAt) removeEndpoint(rs, e);
  }
}

function removeEndpoint(rs: RegionState, e: EndpointRec) {
  for (const id of e.NetworkInterfaceIds) delete rs.networkInterfaces[id];
  for (const rt of lookup<RouteTableRec>(rs, "rtb.vpc", e.VpcId)) if (rt.Routes.some((r) => r.VpcEndpointId === e.VpcEndpointId)) rt.Routes = rt.Routes.filter((r) => r.VpcEndpointId !== e.VpcEndpointId);
  delete endpointStore(rs)[e.VpcEndpointId];
}

function endpointView(ctx: OpContext, e: EndpointRec) {
  const short = shortOf(ctx.region, e.ServiceName);
  const dns =
    e.VpcEndpointType === "Interface"
      ? [
          { DnsName: `${e.VpcEndpointId}-${e.DnsSuffix}.${dnsPart(short)}.${ctx.region}.vpce.amazonaws.com`, HostedZoneId: "Z7HUB22UULQXV" },
          ...e.SubnetIds.map((s) => ({ DnsName: `${e.VpcEndpointId}-${e.DnsSuffix}-${ctx.rs.subnets[s]?.AvailabilityZone ?? "gone"}.${dnsPart(short)}.${ctx.region}.vpce.amazonaws.com`, HostedZoneId: "Z7HUB22UULQXV" })),
          ...(e.PrivateDnsEnabled ? [{ DnsName: privateDnsName(ctx.region, short), HostedZoneId: "ZONEIDPENDING" }] : []),
        ]
      : e.VpcEndpointType === "Resource"
        ? resourceDnsEntries(ctx, e)
        : [];
  return {
    VpcEndpointId: e.VpcEndpointId,
    VpcEndpointType: e.VpcEndpointType,
    VpcId: e.VpcId,
    ...(e.VpcEndpointType === "Resource" ? { ResourceConfigurationArn: e.ResourceConfigurationArn } : { ServiceName: e.ServiceName }),
    State: e.State,
    PolicyDocument: e.PolicyDocument ?? defaultPolicy(),
    RouteTableIds: [...e.RouteTableIds],
    SubnetIds: [...e.SubnetIds],
    Groups: e.Groups.map((g) => ({ GroupId: g, GroupName: ctx.rs.securityGroups[g]?.GroupName })),
    IpAddressType: "ipv4",
    DnsOptions: { DnsRecordIpType: "ipv4" },
    PrivateDnsEnabled: e.VpcEndpointType === "Gateway" ? false : e.PrivateDnsEnabled,
    RequesterManaged: false,
    NetworkInterfaceIds: [...e.NetworkInterfaceIds],
    DnsEntries: dns,
    CreationTimestamp: new Date(e._createdAt),
    OwnerId: ctx.accountId,
    ...tagsOut(e.Tags),
  };
}

/** A Resource endpoint's names: AWS's generated one (`<vpce>-snra-….rcfg-….vpc-lattice-rsc.<region>.on.aws`) and, with private DNS, the configuration's custom domain. */
function resourceDnsEntries(ctx: OpContext, e: EndpointRec) {
  const cfgId = e.ResourceConfigurationArn?.split("/").pop() ?? "rcfg-unknown";
  const cfg = latticeStore(ctx.rs).configurations[cfgId] as { customDomainName?: string } | undefined;
  return [
    { DnsName: `${e.VpcEndpointId}-snra-${e.DnsSuffix}.${cfgId}.4232ccc.vpc-lattice-rsc.${ctx.region}.on.aws`, HostedZoneId: "Z0RESOURCEENDPOINT" },
    ...(e.PrivateDnsEnabled && cfg?.customDomainName ? [{ DnsName: cfg.customDomainName, HostedZoneId: "ZONEIDPENDING" }] : []),
  ];
}

const RESOURCE_CONFIGURATION_ARN = /^arn:aws:vpc-lattice:([a-z0-9-]+):(\d{12}):resourceconfiguration\/(rcfg-[0-9a-z]{17})$/;

/**
 * A Resource endpoint's checks (AWS PrivateLink "Access resources through resource endpoints"): a
 * resource configuration of type SINGLE, GROUP or ARN (not CHILD) in this Region that the caller owns
 * or that is shared with it; at least one subnet, one per AZ, of the VPC; its groups in the VPC
 * (default: the VPC's default group); no ServiceName, route tables or endpoint policy.
 */
function checkResourceEndpoint(ctx: OpContext, vpc: VpcRec, input: InputOf<"ec2", "CreateVpcEndpoint">): { arn: string } {
  const arn = input.ResourceConfigurationArn;
  if (input.ServiceName !== undefined) throw awsError("InvalidParameter", "ServiceName cannot be specified for a Resource endpoint; specify ResourceConfigurationArn only.");
  if (typeof arn !== "string" || !arn) throw awsError("MissingParameter", "The request must contain the parameter ResourceConfigurationArn");
  if (input.RouteTableIds?.length) throw awsError("InvalidParameter", "Route tables are not supported for Resource endpoints");
  if (input.PolicyDocument !== undefined) throw awsError("InvalidParameter", "VPC endpoint policies are not supported for Resource endpoints");
  const m = RESOURCE_CONFIGURATION_ARN.exec(arn);
  if (!m) throw awsError("InvalidParameter", `The resource configuration ARN '${arn}' is malformed`);
  const [, region, account, id] = m;
  if (region !== ctx.region) throw awsError("InvalidParameter", `The resource configuration ${arn} is in ${region}; a Resource endpoint connects to a resource configuration in its own Region (${ctx.region})`);
  const cfg = account === ctx.accountId ? latticeStore(ctx.rs).configurations[id!] : undefined;
  // Another account's configuration is usable only through a RAM share; the sandbox holds one account.
  if (!cfg) throw awsError("InvalidParameter", `The resource configuration ${arn} does not exist or is not shared with account ${ctx.accountId}`);
  if (cfg.type === "CHILD") throw awsError("InvalidParameter", `The resource configuration ${arn} is of type CHILD; connect to its GROUP resource configuration`);
  const gw = latticeStore(ctx.rs).gateways[cfg.resourceGatewayId];
  if (!gw || ctx.now < gw._readyAt || ctx.now < cfg._readyAt) throw awsError("InvalidParameter", `The resource configuration ${arn} is not active yet`);
  void vpc;
  return { arn };
}

const defaultPolicy = () => JSON.stringify({ Statement: [{ Action: "*", Effect: "Allow", Principal: "*", Resource: "*" }] });

function endpointById(ctx: OpContext, id: unknown): EndpointRec {
  if (typeof id !== "string" || !/^vpce-[0-9a-f]{8,17}$/.test(id)) throw awsError("InvalidVpcEndpointId.Malformed", `The Vpc Endpoint Id '${String(id)}' is malformed`);
  const e = endpointStore(ctx.rs)[id];
  if (!e || e._visibleAt > ctx.now) throw awsError("InvalidVpcEndpointId.NotFound", `The Vpc Endpoint Id '${id}' does not exist`);
  return e;
}

function checkPolicy(text: unknown): string | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== "string" || text.length > 20_480) throw awsError("InvalidPolicyDocument", "The policy document is invalid or exceeds 20480 characters.");
  try {
    const d = JSON.parse(text);
    if (!d || typeof d !== "object" || d.Statement === undefined) throw new Error("no Statement");
  } catch {
    throw awsError("InvalidPolicyDocument", "Policy document is not valid JSON with a Statement.");
  }
  return text;
}

const serviceFilters: FilterFns<ServiceEntry> = {
  "service-name": (s) => [s.name],
  "service-type": (s) => [s.type],
  "service-region": () => [],
};

const DescribeVpcEndpointServices: OpHandler<"ec2", "DescribeVpcEndpointServices"> = (ctx) => {
  checkFilters(ctx.input.Filters, serviceFilters);
  let list = catalogue(ctx.region);
  const names: string[] = ctx.input.ServiceNames ?? [];
  if (names.length) {
    const unknown = names.find((n) => !list.some((s) => s.name === n));
    if (unknown) throw awsError("InvalidServiceName", `The Vpc Endpoint Service '${unknown}' does not exist`);
    list = list.filter((s) => names.includes(s.name));
  }
  ctx.dry();
  list = applyFilters(list, ctx.input.Filters, { ...serviceFilters, "service-region": () => [ctx.region] });
  const { page, NextToken } = paginate(list, ctx.input, "DescribeVpcEndpointServices");
  return {
    ServiceNames: [...new Set(page.map((s) => s.name))],
    ServiceDetails: page.map((s) => ({
      ServiceName: s.name,
      ServiceId: "vpce-svc-" + createHash("sha256").update(s.name + s.type).digest("hex").slice(0, 17),
      ServiceType: [{ ServiceType: s.type }],
      ServiceRegion: ctx.region,
      AvailabilityZones: serviceZones(ctx.region, s.short, s.type),
      Owner: "amazon",
      BaseEndpointDnsNames: [`${dnsPart(s.short)}.${ctx.region}.vpce.amazonaws.com`],
      ...(s.type === "Interface" ? { PrivateDnsName: privateDnsName(ctx.region, s.short), PrivateDnsNames: [{ PrivateDnsName: privateDnsName(ctx.region, s.short) }], PrivateDnsNameVerificationState: "verified" } : {}),
      VpcEndpointPolicySupported: true,
      AcceptanceRequired: false,
      ManagesVpcEndpoints: false,
      SupportedIpAddressTypes: ["ipv4"],
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

function addGatewayRoute(ctx: OpContext, rt: RouteTableRec, e: EndpointRec, short: string) {
  const pl = prefixListId(ctx.region, short);
  if (rt.Routes.some((r) => r.DestinationPrefixListId === pl)) throw awsError("RouteAlreadyExists", `route table ${rt.RouteTableId} already has a route with destination-prefix-list-id ${pl}`);
  rt.Routes.push({ DestinationCidrBlock: pl, DestinationPrefixListId: pl, VpcEndpointId: e.VpcEndpointId, Origin: "CreateRoute" });
}

const CreateVpcEndpoint: RecordOpHandler<"ec2", "CreateVpcEndpoint"> = (ctx) => {
  const input = ctx.input;
  const vpc = get<VpcRec>(ctx, "vpc", input.VpcId, "vpcId");
  const type = input.VpcEndpointType ?? "Gateway";
  if (type !== "Interface" && type !== "Gateway" && type !== "Resource") throw awsError("InvalidParameter", `VpcEndpointType ${type} is not supported by the sandbox (Interface, Gateway, Resource)`);
  const resource = type === "Resource" ? checkResourceEndpoint(ctx, vpc, input) : undefined;
  if (!resource && input.ResourceConfigurationArn !== undefined) throw awsError("InvalidParameter", `ResourceConfigurationArn is only supported for Resource endpoints, not ${type}`);
  if (!resource && typeof input.ServiceName !== "string") throw awsError("MissingParameter", "The request must contain the parameter ServiceName");
  const entry: ServiceEntry = resource
    ? { short: "", name: "", type: "Interface" }
    : catalogue(ctx.region).find((s) => s.name === input.ServiceName && s.type === type) ??
      (catalogue(ctx.region).some((s) => s.name === input.ServiceName)
        ? (() => {
            throw awsError("InvalidParameter", `The Vpc Endpoint Service '${input.ServiceName}' does not support ${type} type endpoints`);
          })()
        : (() => {
            throw awsError("InvalidServiceName", `The Vpc Endpoint Service '${input.ServiceName}' does not exist`);
          })());
  const policy = checkPolicy(input.PolicyDocument);
  const tags = tagsFromSpecs(input.TagSpecifications, "vpc-endpoint");
  const tokenKey = input.ClientToken ? `CreateVpcEndpoint:${input.ClientToken}` : undefined;
  if (tokenKey && ctx.rs.clientTokens[tokenKey]) {
    const t = ctx.rs.clientTokens[tokenKey];
    if (t.fingerprint !== fingerprint(input)) throw awsError("IdempotentParameterMismatch", "The client token you have provided is associated with a resource that is already deleted or has different parameters.");
    const prior = endpointStore(ctx.rs)[t.id];
    if (prior) {
      ctx.dry();
      return { VpcEndpoint: endpointView(ctx, prior), ClientToken: input.ClientToken };
    }
  }
  const subnetIds: string[] = [...new Set<string>(input.SubnetIds ?? [])];
  const groupIds: string[] = [...new Set<string>(input.SecurityGroupIds ?? [])];
  const routeTableIds: string[] = [...new Set<string>(input.RouteTableIds ?? [])];
  let subnets: SubnetRec[] = [];
  let groups: SgRec[] = [];
  let tables: RouteTableRec[] = [];
  let privateDns = false;
  if (type === "Interface" || type === "Resource") {
    if (routeTableIds.length) throw awsError("InvalidParameter", `Route tables are not supported for ${type} endpoints`);
    if (!subnetIds.length) throw awsError("InvalidParameter", `At least one subnet must be specified for an ${type} endpoint`);
    subnets = subnetIds.map((id) => get<SubnetRec>(ctx, "subnet", id, "subnetId"));
    // A resource endpoint is offered in every AZ of the Region.
    const zones = resource ? zonesOf(ctx.region).map((z) => z.ZoneName) : serviceZones(ctx.region, entry.short, "Interface");
    const seen = new Set<string>();
    for (const s of subnets) {
      if (s.VpcId !== vpc.VpcId) throw awsError("InvalidParameter", `The subnet ${s.SubnetId} does not belong to vpc ${vpc.VpcId}`);
      if (!zones.includes(s.AvailabilityZone)) throw awsError("InvalidParameter", `The VPC endpoint service ${entry.name} does not support the availability zone of the subnet: ${s.SubnetId}.`);
      if (seen.has(s.AvailabilityZone)) throw awsError("DuplicateSubnetsInSameZone", `Found another VPC endpoint subnet in the availability zone of ${s.SubnetId}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`);
      seen.add(s.AvailabilityZone);
    }
    groups = groupIds.length
      ? groupIds.map((id) => get<SgRec>(ctx, "sg", id, "securityGroupId"))
      : [lookup<SgRec>(ctx.rs, "sg.vpc", vpc.VpcId).find((g) => g.GroupName === "default")!];
    for (const g of groups) if (g.VpcId !== vpc.VpcId) throw awsError("InvalidParameter", `The security group ${g.GroupId} does not belong to vpc ${vpc.VpcId}`);
    privateDns = input.PrivateDnsEnabled ?? true;
    if (resource) {
      // Private DNS of a Resource endpoint is the configuration's custom domain (nothing to clash with here).
      if (privateDns && (!vpc.EnableDnsSupport || !vpc.EnableDnsHostnames)) privateDns = false;
    } else if (privateDns) {
      if (!vpc.EnableDnsSupport || !vpc.EnableDnsHostnames)
        throw awsError("InvalidParameter", `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.VpcId}`);
      const clash = Object.values(endpointStore(ctx.rs)).find((e) => e.VpcId === vpc.VpcId && e.ServiceName === entry.name && e.VpcEndpointType === "Interface" && e.PrivateDnsEnabled && e.State !== "deleting");
      if (clash) throw awsError("InvalidParameter", `private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${privateDnsName(ctx.region, entry.short)} in the VPC ${vpc.VpcId}`);
    }
  } else {
    if (subnetIds.length || groupIds.length) throw awsError("InvalidParameter", "Subnets and security groups are not supported for Gateway endpoints");
    tables = routeTableIds.map((id) => get<RouteTableRec>(ctx, "rtb", id, "routeTableId"));
    for (const t of tables) if (t.VpcId !== vpc.VpcId) throw awsError("InvalidParameter", `The route table ${t.RouteTableId} does not belong to vpc ${vpc.VpcId}`);
    const pl = prefixListId(ctx.region, entry.short);
    for (const t of tables) if (t.Routes.some((r) => r.DestinationPrefixListId === pl)) throw awsError("RouteAlreadyExists", `route table ${t.RouteTableId} already has a route with destination-prefix-list-id ${pl}`);
    for (const t of tables) assertRouteRoom(t);
  }
  // Reserve all interface addresses before any change (a full subnet fails the whole call).
  ctx.dry();
  const e: EndpointRec = {
    VpcEndpointId: newId("vpce"),
    VpcEndpointType: type,
    ...(resource ? { ResourceConfigurationArn: resource.arn } : {}),
    VpcId: vpc.VpcId,
    ServiceName: entry.name,
    State: type === "Gateway" ? "available" : "pending",
    ...(policy ? { PolicyDocument: policy } : {}),
    RouteTableIds: tables.map((t) => t.RouteTableId),
    SubnetIds: subnets.map((s) => s.SubnetId),
    Groups: groups.map((g) => g.GroupId),
    NetworkInterfaceIds: [],
    PrivateDnsEnabled: privateDns,
    DnsSuffix: randomBytes(4).toString("hex"),
    Tags: tags,
    _createdAt: ctx.now,
    _visibleAt: ctx.now + ctx.timing.consistencyDelayMs,
    _readyAt: ctx.now + (type === "Gateway" ? GATEWAY_CREATE_MS : INTERFACE_CREATE_MS) * scale(ctx),
  };
  if (type === "Gateway" && e._readyAt > ctx.now) e.State = "pending";
  const enis: EniRec[] = [];
  for (const s of subnets) enis.push(endpointEni(ctx, e, s));
  e.NetworkInterfaceIds = enis.map((x) => x.NetworkInterfaceId);
  for (const t of tables) addGatewayRoute(ctx, t, e, entry.short);
  endpointStore(ctx.rs)[e.VpcEndpointId] = e;
  if (tokenKey) ctx.rs.clientTokens[tokenKey] = { fingerprint: fingerprint(input), id: e.VpcEndpointId };
  ctx.mutated();
  return { VpcEndpoint: endpointView(ctx, e), ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}) };
};

const endpointFilters: FilterFns<EndpointRec> = {
  "vpc-id": (e) => [e.VpcId],
  "service-name": (e) => [e.ServiceName],
  "vpc-endpoint-id": (e) => [e.VpcEndpointId],
  "vpc-endpoint-state": (e) => [e.State],
  "vpc-endpoint-type": (e) => [e.VpcEndpointType],
  "ip-address-type": () => ["ipv4"],
};

const DescribeVpcEndpoints: RecordOpHandler<"ec2", "DescribeVpcEndpoints"> = (ctx) => {
  checkFilters(ctx.input.Filters, endpointFilters, tagsOf);
  const ids: string[] = ctx.input.VpcEndpointIds ?? [];
  let list = Object.values(endpointStore(ctx.rs)).filter((e) => e._visibleAt <= ctx.now);
  if (ids.length) {
    const found = ids.map((id) => endpointById(ctx, id));
    list = [...new Set(found)];
  }
  ctx.dry();
  const { page, NextToken } = paginate(applyFilters(list, ctx.input.Filters, endpointFilters, tagsOf), ctx.input, "DescribeVpcEndpoints");
  return { VpcEndpoints: page.map((e) => endpointView(ctx, e)), ...(NextToken ? { NextToken } : {}) };
};

const DeleteVpcEndpoints: OpHandler<"ec2", "DeleteVpcEndpoints"> = (ctx) => {
  const ids: unknown[] = ctx.input.VpcEndpointIds ?? [];
  if (!ids.length) throw awsError("MissingParameter", "The request must contain the parameter VpcEndpointId");
  const unsuccessful: object[] = [];
  const victims: EndpointRec[] = [];
  for (const id of ids) {
    try {
      victims.push(endpointById(ctx, id));
    } catch (err) {
      unsuccessful.push({ ResourceId: String(id), Error: { Code: (err as Error).name.replace("Id.", "."), Message: (err as Error).message } });
    }
  }
  ctx.dry();
  let changed = false;
  for (const e of victims) {
    if (e.State === "deleting") continue;
    changed = true;
    const ms = DELETE_MS * scale(ctx);
    if (e.VpcEndpointType === "Gateway" || ms === 0) removeEndpoint(ctx.rs, e);
    else {
      e.State = "deleting";
      e._deleteAt = ctx.now + ms;
    }
  }
  if (changed) ctx.mutated();
  return { Unsuccessful: unsuccessful };
};

/** A requester-managed ENI of an interface endpoint in one subnet. */
function endpointEni(ctx: OpContext, e: EndpointRec, s: SubnetRec): EniRec {
  const eni: EniRec = {
    NetworkInterfaceId: newId("eni"),
    SubnetId: s.SubnetId,
    VpcId: e.VpcId,
    AvailabilityZone: s.AvailabilityZone,
    InterfaceType: "vpc_endpoint",
    Description: `VPC Endpoint Interface ${e.VpcEndpointId}`,
    PrivateIpAddress: allocPrivateIp(ctx.rs, s),
    MacAddress: newMac(),
    Groups: [...e.Groups],
    RequesterManaged: true,
    Tags: [],
    _createdAt: ctx.now,
    _visibleAt: ctx.now,
  };
  ctx.rs.networkInterfaces[eni.NetworkInterfaceId] = eni; // so the next subnet's allocation sees it
  return eni;
}

/**
 * Like AWS: policy (or ResetPolicy, not both), route tables (Gateway), subnets, security groups
 * and private DNS (Interface), each checked as CreateVpcEndpoint checks them, all before any change.
 */
const ModifyVpcEndpoint: OpHandler<"ec2", "ModifyVpcEndpoint"> = (ctx) => {
  const e = endpointById(ctx, ctx.input.VpcEndpointId);
  const input = ctx.input;
  if (input.PolicyDocument !== undefined && input.ResetPolicy) throw awsError("InvalidParameter", "PolicyDocument and ResetPolicy cannot both be specified");
  const policy = checkPolicy(input.PolicyDocument);
  const short = shortOf(ctx.region, e.ServiceName);
  if (e.State === "deleting") throw awsError("IncorrectState", `The Vpc Endpoint ${e.VpcEndpointId} is in state deleting`);
  const list = (k: "AddRouteTableIds" | "RemoveRouteTableIds" | "AddSecurityGroupIds" | "RemoveSecurityGroupIds" | "AddSubnetIds" | "RemoveSubnetIds"): string[] => [...new Set<string>(input[k] ?? [])];
  const [addRtIds, removeRt, addSgIds, removeSg, addSubnetIds, removeSubnets] = (["AddRouteTableIds", "RemoveRouteTableIds", "AddSecurityGroupIds", "RemoveSecurityGroupIds", "AddSubnetIds", "RemoveSubnetIds"] as const).map(list);
  const isInterface = e.VpcEndpointType === "Interface";
  if ((addRtIds.length || removeRt.length) && e.VpcEndpointType !== "Gateway") throw awsError("InvalidParameter", "Route tables can only be modified on Gateway endpoints");
  if ((addSgIds.length || removeSg.length) && !isInterface) throw awsError("InvalidParameter", "Security groups can only be modified on Interface endpoints");
  if ((addSubnetIds.length || removeSubnets.length) && !isInterface) throw awsError("InvalidParameter", "Subnets can only be modified on Interface endpoints");
  if (input.PrivateDnsEnabled !== undefined && !isInterface) throw awsError("InvalidParameter", "Private DNS can only be modified on Interface endpoints");
  const vpc = ctx.rs.vpcs[e.VpcId] as VpcRec | undefined;
  const addRt = addRtIds.map((id) => get<RouteTableRec>(ctx, "rtb", id, "routeTableId"));
  for (const t of addRt) if (t.VpcId !== e.VpcId) throw awsError("InvalidParameter", `The route table ${t.RouteTableId} does not belong to vpc ${e.VpcId}`);
  const pl = addRt.length ? prefixListId(ctx.region, short) : undefined;
  for (const t of addRt) if (!e.RouteTableIds.includes(t.RouteTableId) && t.Routes.some((r) => r.DestinationPrefixListId === pl)) throw awsError("RouteAlreadyExists", `route table ${t.RouteTableId} already has a route with destination-prefix-list-id ${pl}`);
  for (const t of addRt) if (!e.RouteTableIds.includes(t.RouteTableId)) assertRouteRoom(t);
  const addSg = addSgIds.map((id) => get<SgRec>(ctx, "sg", id, "securityGroupId"));
  for (const g of addSg) if (g.VpcId !== e.VpcId) throw awsError("InvalidParameter", `The security group ${g.GroupId} does not belong to vpc ${e.VpcId}`);
  const groups = [...new Set([...e.Groups.filter((g) => !removeSg.includes(g)), ...addSg.map((g) => g.GroupId)])];
  if (isInterface && !groups.length) throw awsError("InvalidParameter", "An Interface endpoint must have at least one security group");
  const addSubnets = addSubnetIds.map((id) => get<SubnetRec>(ctx, "subnet", id, "subnetId"));
  for (const id of removeSubnets) if (!e.SubnetIds.includes(id)) throw awsError("InvalidParameter", `The subnet ${id} is not associated with the Vpc Endpoint ${e.VpcEndpointId}`);
  const kept = e.SubnetIds.filter((id) => !removeSubnets.includes(id));
  const zones = serviceZones(ctx.region, short, "Interface");
  const seen = new Set(kept.map((id) => ctx.rs.subnets[id]?.AvailabilityZone));
  for (const sub of addSubnets) {
    if (kept.includes(sub.SubnetId)) continue;
    if (sub.VpcId !== e.VpcId) throw awsError("InvalidParameter", `The subnet ${sub.SubnetId} does not belong to vpc ${e.VpcId}`);
    if (!zones.includes(sub.AvailabilityZone)) throw awsError("InvalidParameter", `The VPC endpoint service ${e.ServiceName} does not support the availability zone of the subnet: ${sub.SubnetId}.`);
    if (seen.has(sub.AvailabilityZone)) throw awsError("DuplicateSubnetsInSameZone", `Found another VPC endpoint subnet in the availability zone of ${sub.SubnetId}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`);
    seen.add(sub.AvailabilityZone);
  }
  if (isInterface && kept.length + addSubnets.filter((x) => !kept.includes(x.SubnetId)).length === 0) throw awsError("InvalidParameter", "An Interface endpoint must have at least one subnet");
  const dns = input.PrivateDnsEnabled === undefined ? undefined : Boolean(input.PrivateDnsEnabled);
  if (dns && !e.PrivateDnsEnabled) {
    if (!vpc?.EnableDnsSupport || !vpc?.EnableDnsHostnames) throw awsError("InvalidParameter", `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${e.VpcId}`);
    const clash = Object.values(endpointStore(ctx.rs)).find((x) => x !== e && x.VpcId === e.VpcId && x.ServiceName === e.ServiceName && x.VpcEndpointType === "Interface" && x.PrivateDnsEnabled && x.State !== "deleting");
    if (clash) throw awsError("InvalidParameter", `private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${privateDnsName(ctx.region, short)} in the VPC ${e.VpcId}`);
  }
  ctx.dry();
  if (policy) e.PolicyDocument = policy;
  if (input.ResetPolicy) delete e.PolicyDocument;
  for (const t of addRt) {
    if (e.RouteTableIds.includes(t.RouteTableId)) continue;
    addGatewayRoute(ctx, t, e, short);
    e.RouteTableIds.push(t.RouteTableId);
  }
  for (const id of removeRt) {
    const t = ctx.rs.routeTables[id];
    if (t) t.Routes = t.Routes.filter((r) => r.VpcEndpointId !== e.VpcEndpointId);
    e.RouteTableIds = e.RouteTableIds.filter((x) => x !== id);
  }
  e.Groups = groups;
  for (const id of [...e.NetworkInterfaceIds]) {
    const eni = ctx.rs.networkInterfaces[id];
    if (eni && removeSubnets.includes(eni.SubnetId)) {
      delete ctx.rs.networkInterfaces[id];
      e.NetworkInterfaceIds = e.NetworkInterfaceIds.filter((x) => x !== id);
    }
  }
  e.SubnetIds = kept;
  for (const sub of addSubnets) {
    if (e.SubnetIds.includes(sub.SubnetId)) continue;
    e.SubnetIds.push(sub.SubnetId);
    e.NetworkInterfaceIds.push(endpointEni(ctx, e, sub).NetworkInterfaceId);
  }
  for (const id of e.NetworkInterfaceIds) if (ctx.rs.networkInterfaces[id]) ctx.rs.networkInterfaces[id].Groups = [...e.Groups];
  if (dns !== undefined) e.PrivateDnsEnabled = dns;
  ctx.mutated();
  return { Return: true };
};

const prefixLists = (region: string) =>
  Object.entries(PREFIX_LISTS).map(([svc, p]) => ({ id: prefixListId(region, svc), name: `com.amazonaws.${region}.${svc}`, cidrs: p.cidrs }));

const DescribePrefixLists: OpHandler<"ec2", "DescribePrefixLists"> = (ctx) => {
  const ids: string[] = ctx.input.PrefixListIds ?? [];
  let list = prefixLists(ctx.region);
  const missing = ids.find((id) => !list.some((p) => p.id === id));
  if (missing) throw awsError("InvalidPrefixListID.NotFound", `The prefix list ID '${missing}' does not exist`);
  if (ids.length) list = list.filter((p) => ids.includes(p.id));
  const fns: FilterFns<(typeof list)[number]> = { "prefix-list-id": (p) => [p.id], "prefix-list-name": (p) => [p.name] };
  list = applyFilters(list, ctx.input.Filters, fns);
  ctx.dry();
  return { PrefixLists: list.map((p) => ({ PrefixListId: p.id, PrefixListName: p.name, Cidrs: [...p.cidrs] })) };
};

const DescribeManagedPrefixLists: OpHandler<"ec2", "DescribeManagedPrefixLists"> = (ctx) => {
  const ids: string[] = ctx.input.PrefixListIds ?? [];
  let list = prefixLists(ctx.region);
  const missing = ids.find((id) => !list.some((p) => p.id === id));
  if (missing) throw awsError("InvalidPrefixListID.NotFound", `The prefix list ID '${missing}' does not exist`);
  if (ids.length) list = list.filter((p) => ids.includes(p.id));
  const fns: FilterFns<(typeof list)[number]> = { "prefix-list-id": (p) => [p.id], "prefix-list-name": (p) => [p.name], "owner-id": () => ["AWS"] };
  list = applyFilters(list, ctx.input.Filters, fns);
  ctx.dry();
  return {
    PrefixLists: list.map((p) => ({
      PrefixListId: p.id,
      PrefixListName: p.name,
      AddressFamily: "IPv4",
      State: "create-complete",
      PrefixListArn: `arn:aws:ec2:${ctx.region}:aws:prefix-list/${p.id}`,
      MaxEntries: p.cidrs.length,
      Version: 1,
      OwnerId: "AWS",
    })),
  };
};

const GetManagedPrefixListEntries: OpHandler<"ec2", "GetManagedPrefixListEntries"> = (ctx) => {
  const p = prefixLists(ctx.region).find((x) => x.id === ctx.input.PrefixListId);
  if (!p) throw awsError("InvalidPrefixListID.NotFound", `The prefix list ID '${ctx.input.PrefixListId}' does not exist`);
  ctx.dry();
  return { Entries: p.cidrs.map((Cidr) => ({ Cidr })) };
};

export const endpointOps: Ops<"ec2"> = {
  DescribeVpcEndpointServices,
  CreateVpcEndpoint,
  DescribeVpcEndpoints,
  DeleteVpcEndpoints,
  ModifyVpcEndpoint,
  DescribePrefixLists,
  DescribeManagedPrefixLists,
  GetManagedPrefixListEntries,
};

registerInventory("endpoints", (rs) =>
  Object.values((rs.ext.vpcEndpoints ?? {}) as Record<string, EndpointRec>).map((e) => ({
    vpcId: e.VpcId,
    item: { id: e.VpcEndpointId, state: e.State, detail: `${e.VpcEndpointType} ${e.ServiceName || e.ResourceConfigurationArn || ""} (${e.State})${e.SubnetIds.length ? ` in ${e.SubnetIds.join(", ")}` : ""}` },
  })),
);
