// The sandbox's region state as a Snapshot document, and back: `regionSnapshot` answers the emulated
// Reachability Analyzer (it calls the sandbox's own Describe/List handlers, so every emulated
// service — including ones added later with registerService — is seen the way the `snapshot`
// command sees it), and `importSnapshotInto` loads a snapshot document as a region's state
// (`egress-cli sandbox load FILE`, and the test that runs the analyzer corpus through analyze-path).
import { plain } from "./tracker.js";
import type { Snapshot } from "../analysis/snapshot.js";
import type { InputOf, LooseInput, OpContext, OperationName, OutputOf, ServiceName } from "./handler.js";
import { emptyRegion, newId, zonesOf, type EniRec, type RegionState, type RouteRec, type SgRuleRec } from "./model.js";
import { handlerFor } from "./registry.js";
import { importLattice } from "./lattice.js";
import { importTransit } from "./ec2-transit.js";
import { importBpa } from "./ec2-bpa.js";

/** Resource types the native model has no record for: kept as imported and served/merged from here. */
export const OVERLAY_TYPES = [
  "egressOnlyInternetGateways",
  "vpcEndpoints",
  "managedPrefixLists",
  "lambdaFunctions",
  "eventSourceMappings",
  "flowLogs",
] as const;
export type OverlayType = (typeof OVERLAY_TYPES)[number];

/** Imported records of an overlay type in this region (empty when none were imported). */
export function overlay(rs: RegionState, type: OverlayType): any[] {
  return (rs.ext.imported?.[type] as any[] | undefined) ?? [];
}

const ID_FIELD: Record<string, string> = {
  vpcs: "VpcId",
  subnets: "SubnetId",
  routeTables: "RouteTableId",
  internetGateways: "InternetGatewayId",
  egressOnlyInternetGateways: "EgressOnlyInternetGatewayId",
  natGateways: "NatGatewayId",
  addresses: "AllocationId",
  securityGroups: "GroupId",
  networkAcls: "NetworkAclId",
  networkInterfaces: "NetworkInterfaceId",
  instances: "InstanceId",
  vpcEndpoints: "VpcEndpointId",
  managedPrefixLists: "PrefixListId",
  vpcPeeringConnections: "VpcPeeringConnectionId",
  transitGatewayAttachments: "TransitGatewayAttachmentId",
  lambdaFunctions: "FunctionName",
  eventSourceMappings: "UUID",
  flowLogs: "FlowLogId",
};

/**
 * Calls one of the sandbox's own read handlers, typed by its SDK command; undefined when that operation is
 * not emulated. The registry stores handlers with their types erased: the output is the one its table declared.
 */
function read<S extends ServiceName, Op extends OperationName<S>, T>(
  ctx: OpContext,
  service: S,
  operation: Op,
  pick: (out: OutputOf<S, Op>) => T[] | undefined,
  input: InputOf<S, Op> | Record<string, never> = {},
): T[] | undefined {
  const h = handlerFor(service, operation);
  if (!h) return undefined;
  const out = h({ ...ctx, service, operation, input: input as LooseInput }) as OutputOf<S, Op>;
  return pick(out) ?? [];
}

const json = (x: unknown) => JSON.parse(JSON.stringify(x));

/** Everything in the region that decides a path, as a Snapshot (what RA "sees"). */
export function regionSnapshot(tracked: OpContext): Snapshot {
  // it only reads: on the plain state, so the change tracker of a mutating call is not asked to watch it all
  const ctx: OpContext = { ...tracked, rs: plain(tracked.rs), state: plain(tracked.state) };
  const ec2 = <Op extends OperationName<"ec2">, T>(op: Op, pick: (o: OutputOf<"ec2", Op>) => T[] | undefined): T[] => read(ctx, "ec2", op, pick) ?? [];
  const snap: Record<string, unknown> = {
    version: 1,
    takenAt: new Date(ctx.now).toISOString(),
    region: ctx.region,
    accountId: ctx.accountId,
    vpcs: ec2("DescribeVpcs", (o) => o.Vpcs),
    subnets: ec2("DescribeSubnets", (o) => o.Subnets),
    routeTables: ec2("DescribeRouteTables", (o) => o.RouteTables),
    internetGateways: ec2("DescribeInternetGateways", (o) => o.InternetGateways),
    egressOnlyInternetGateways: ec2("DescribeEgressOnlyInternetGateways", (o) => o.EgressOnlyInternetGateways),
    natGateways: ec2("DescribeNatGateways", (o) => o.NatGateways),
    addresses: ec2("DescribeAddresses", (o) => o.Addresses),
    securityGroups: ec2("DescribeSecurityGroups", (o) => o.SecurityGroups),
    networkAcls: ec2("DescribeNetworkAcls", (o) => o.NetworkAcls),
    networkInterfaces: ec2("DescribeNetworkInterfaces", (o) => o.NetworkInterfaces),
    instances: (read(ctx, "ec2", "DescribeInstances", (o) => o.Reservations) ?? []).flatMap((r) => r.Instances ?? []),
    vpcEndpoints: ec2("DescribeVpcEndpoints", (o) => o.VpcEndpoints),
    managedPrefixLists: [],
    vpcPeeringConnections: ec2("DescribeVpcPeeringConnections", (o) => o.VpcPeeringConnections),
    lambdaFunctions: read(ctx, "lambda", "ListFunctions", (o) => o.Functions) ?? [],
    eventSourceMappings: read(ctx, "lambda", "ListEventSourceMappings", (o) => o.EventSourceMappings) ?? [],
    flowLogs: ec2("DescribeFlowLogs", (o) => o.FlowLogs),
  };
  const lists = read(ctx, "ec2", "DescribeManagedPrefixLists", (o) => o.PrefixLists) ?? [];
  snap.managedPrefixLists = lists.map((pl) => ({
    ...pl,
    Cidrs: (read(ctx, "ec2", "GetManagedPrefixListEntries", (o) => o.Entries, { PrefixListId: pl.PrefixListId }) ?? []).map((e) => e.Cidr),
  }));
  // VPC Lattice: what GetResourceGateway / GetResourceConfiguration answer, item by item (as `snapshot` does).
  const gateways = read(ctx, "vpc-lattice", "ListResourceGateways", (o) => o.items)?.map((x) => read(ctx, "vpc-lattice", "GetResourceGateway", (o) => [o], { resourceGatewayIdentifier: x.id })![0]);
  if (gateways) snap.resourceGateways = gateways;
  const configurations = read(ctx, "vpc-lattice", "ListResourceConfigurations", (o) => o.items)?.map((x) => read(ctx, "vpc-lattice", "GetResourceConfiguration", (o) => [o], { resourceConfigurationIdentifier: x.id })![0]);
  if (configurations) snap.resourceConfigurations = configurations;
  const tgw = read(ctx, "ec2", "DescribeTransitGatewayAttachments", (o) => o.TransitGatewayAttachments);
  // The sandbox knows all its attachments and gateways: "none" is an answer, not "unknown".
  if (tgw) snap.transitGatewayAttachments = tgw;
  // Transit gateways as `snapshot` collects them: route tables with associations, propagations and routes.
  const tgws = read(ctx, "ec2", "DescribeTransitGateways", (o) => o.TransitGateways);
  if (tgws) {
    snap.transitGateways = tgws;
    snap.transitGatewayVpcAttachments = read(ctx, "ec2", "DescribeTransitGatewayVpcAttachments", (o) => o.TransitGatewayVpcAttachments) ?? [];
    snap.transitGatewayRouteTables = (read(ctx, "ec2", "DescribeTransitGatewayRouteTables", (o) => o.TransitGatewayRouteTables) ?? []).map((t) => {
      const q = { TransitGatewayRouteTableId: t.TransitGatewayRouteTableId };
      return {
        ...t,
        Associations: read(ctx, "ec2", "GetTransitGatewayRouteTableAssociations", (o) => o.Associations, q) ?? [],
        Propagations: read(ctx, "ec2", "GetTransitGatewayRouteTablePropagations", (o) => o.TransitGatewayRouteTablePropagations, q) ?? [],
        Routes: read(ctx, "ec2", "SearchTransitGatewayRoutes", (o) => o.Routes, { ...q, Filters: [{ Name: "state", Values: ["active", "blackhole"] }] }) ?? [],
      };
    });
  }
  // VPC Block Public Access, as `snapshot` reads it.
  const bpa = read(ctx, "ec2", "DescribeVpcBlockPublicAccessOptions", (o) => [o.VpcBlockPublicAccessOptions]);
  if (bpa) {
    snap.vpcBlockPublicAccessOptions = bpa[0];
    snap.vpcBlockPublicAccessExclusions = read(ctx, "ec2", "DescribeVpcBlockPublicAccessExclusions", (o) => o.VpcBlockPublicAccessExclusions ?? []) ?? [];
  }
  // Imported records the emulated operations do not serve (yet) complete the picture.
  for (const type of OVERLAY_TYPES) {
    const extra = overlay(ctx.rs, type);
    if (!extra.length) continue;
    const idField = ID_FIELD[type]!;
    const own = (snap[type] as Array<Record<string, unknown>> | undefined) ?? [];
    const have = new Set(own.map((x) => x[idField]));
    snap[type] = [...own, ...extra.filter((x) => !have.has(x[idField]))];
  }
  return json(snap) as Snapshot;
}

// ---------------------------------------------------------------------------------------------
// Import

const stamp = (ctx: OpContext) => ({ _createdAt: ctx.now, _visibleAt: ctx.now });
const tags = (t: any[] | undefined) => (t ?? []).filter((x) => x?.Key).map((x) => ({ Key: String(x.Key), Value: String(x.Value ?? "") }));

/**
 * Replaces the region's state with a snapshot's resources. Core EC2 types become native records
 * (so the emulated Describe calls, route states and mutations work on them); types the native
 * model lacks are kept as imported records (served by the read-only operations and merged into
 * what the emulated Reachability Analyzer sees). IPv6: the VPCs' and subnets' blocks, IPv6-only subnets and their
 * IPv6 attributes, and IPv6 routes are imported; network interfaces' IPv6 addresses are not.
 */
/** The live IPv6 blocks of a snapshot's VPC or subnet. */
function v6Blocks(x: { Ipv6CidrBlockAssociationSet?: Array<{ Ipv6CidrBlock?: string; Ipv6CidrBlockState?: { State?: string } }> }): string[] {
  return (x.Ipv6CidrBlockAssociationSet ?? []).filter((a) => a.Ipv6CidrBlock && !/^(disassociat|fail)/.test(a.Ipv6CidrBlockState?.State ?? "")).map((a) => a.Ipv6CidrBlock!);
}

export function importSnapshotInto(ctx: OpContext, snap: Snapshot): RegionState {
  const rs = emptyRegion();
  const c = { ...ctx, rs };
  const zones = zonesOf(ctx.region);
  for (const v of snap.vpcs) {
    rs.vpcs[v.VpcId] = {
      VpcId: v.VpcId,
      CidrBlock: v.CidrBlock ?? v.CidrBlockAssociationSet?.[0]?.CidrBlock ?? "10.0.0.0/16",
      DhcpOptionsId: newId("dopt"),
      IsDefault: Boolean(v.IsDefault),
      CidrAssociationId: newId("vpc-cidr-assoc"),
      EnableDnsSupport: true,
      EnableDnsHostnames: true,
      ...(v6Blocks(v).length ? { Ipv6Cidrs: v6Blocks(v).map((b) => ({ AssociationId: newId("vpc-cidr-assoc"), Ipv6CidrBlock: b, NetworkBorderGroup: ctx.region })) } : {}),
      Tags: tags(v.Tags),
      ...stamp(c),
    };
  }
  const naclOfSubnet = new Map<string, string>();
  for (const n of snap.networkAcls) for (const a of n.Associations) if (a.SubnetId) naclOfSubnet.set(a.SubnetId, n.NetworkAclId);
  for (const s of snap.subnets) {
    const az = s.AvailabilityZone ?? zones[0]!.ZoneName;
    rs.subnets[s.SubnetId] = {
      SubnetId: s.SubnetId,
      VpcId: s.VpcId,
      ...(s.CidrBlock ? { CidrBlock: s.CidrBlock } : {}),
      AvailabilityZone: az,
      AvailabilityZoneId: zones.find((z) => z.ZoneName === az)?.ZoneId ?? s.AvailabilityZoneId ?? "",
      MapPublicIpOnLaunch: Boolean(s.MapPublicIpOnLaunch),
      DefaultForAz: false,
      NaclAssociationId: newId("aclassoc"),
      ...(v6Blocks(s).length
        ? {
            Ipv6Cidrs: v6Blocks(s).map((b) => ({ AssociationId: newId("subnet-cidr-assoc"), Ipv6CidrBlock: b })),
            Ipv6Native: s.Ipv6Native === true || !s.CidrBlock,
            AssignIpv6AddressOnCreation: s.AssignIpv6AddressOnCreation === true,
            EnableDns64: s.EnableDns64 === true,
          }
        : {}),
      Tags: tags(s.Tags),
      ...stamp(c),
    };
  }
  for (const g of snap.internetGateways) {
    const att = g.Attachments.find((a) => ["available", "attached"].includes(a.State ?? "available"));
    rs.internetGateways[g.InternetGatewayId] = { InternetGatewayId: g.InternetGatewayId, ...(att?.VpcId ? { VpcId: att.VpcId } : {}), Tags: tags(g.Tags), ...stamp(c) };
  }
  for (const t of snap.routeTables) {
    const routes: RouteRec[] = [];
    for (const r of t.Routes) {
      if (!r.DestinationCidrBlock && !r.DestinationPrefixListId && !r.DestinationIpv6CidrBlock) continue;
      const rec: Record<string, unknown> = r.DestinationIpv6CidrBlock && !r.DestinationCidrBlock
        ? { DestinationIpv6CidrBlock: r.DestinationIpv6CidrBlock, Origin: r.GatewayId === "local" ? "CreateRouteTable" : "CreateRoute" }
        : { DestinationCidrBlock: r.DestinationCidrBlock ?? r.DestinationPrefixListId, Origin: r.GatewayId === "local" ? "CreateRouteTable" : "CreateRoute" };
      if (r.DestinationPrefixListId) rec.DestinationPrefixListId = r.DestinationPrefixListId;
      for (const k of ["GatewayId", "NatGatewayId", "NetworkInterfaceId", "InstanceId", "VpcPeeringConnectionId", "TransitGatewayId", "EgressOnlyInternetGatewayId"] as const) {
        if (r[k]) rec[k] = r[k];
      }
      if (r.VpcEndpointId) rec.GatewayId = r.VpcEndpointId;
      if (r.State === "blackhole") rec._blackhole = true;
      routes.push(rec as unknown as RouteRec);
    }
    rs.routeTables[t.RouteTableId] = {
      RouteTableId: t.RouteTableId,
      VpcId: t.VpcId,
      Routes: routes,
      Associations: t.Associations.filter((a) => a.Main || a.SubnetId).map((a) => ({ RouteTableAssociationId: a.RouteTableAssociationId ?? newId("rtbassoc"), Main: Boolean(a.Main), ...(a.SubnetId ? { SubnetId: a.SubnetId } : {}) })),
      Tags: tags(t.Tags),
      ...stamp(c),
    };
  }
  for (const a of snap.addresses) {
    if (!a.AllocationId || !a.PublicIp) continue;
    rs.addresses[a.AllocationId] = {
      AllocationId: a.AllocationId,
      PublicIp: a.PublicIp,
      ...(a.NetworkInterfaceId ? { AssociationId: a.AssociationId ?? newId("eipassoc"), NetworkInterfaceId: a.NetworkInterfaceId, PrivateIpAddress: a.PrivateIpAddress } : a.AssociationId ? { AssociationId: a.AssociationId } : {}),
      Tags: tags(a.Tags),
      ...stamp(c),
    };
  }
  for (const n of snap.natGateways) {
    const x = n as typeof n & { AvailabilityMode?: string; AutoProvisionZones?: string; AutoScalingIps?: string; RouteTableId?: string };
    if (x.AvailabilityMode === "regional") {
      // a regional gateway: its addresses per AZ, as recorded (automatic-mode ones are not account EIPs)
      const zones = zonesOf(ctx.region);
      rs.natGateways[n.NatGatewayId] = {
        NatGatewayId: n.NatGatewayId,
        VpcId: n.VpcId ?? "",
        ConnectivityType: "public",
        AvailabilityMode: "regional",
        AutoProvisionZones: x.AutoProvisionZones === "disabled" ? "disabled" : "enabled",
        AutoScalingIps: x.AutoScalingIps === "disabled" ? "disabled" : "enabled",
        ...(x.RouteTableId ? { RouteTableId: x.RouteTableId } : {}),
        State: (n.State ?? "available") as never,
        Addresses: n.NatGatewayAddresses.filter((a) => a.PublicIp).map((a) => {
          const az = (a as { AvailabilityZone?: string }).AvailabilityZone ?? zones[0]!.ZoneName;
          return {
            AvailabilityZone: az,
            AvailabilityZoneId: (a as { AvailabilityZoneId?: string }).AvailabilityZoneId ?? zones.find((z) => z.ZoneName === az)?.ZoneId ?? "",
            AllocationId: a.AllocationId ?? newId("eipalloc"),
            PublicIp: a.PublicIp!,
            AssociationId: a.AssociationId ?? newId("eipassoc"),
            Status: "succeeded" as const,
            ...(a.AllocationId && snap.addresses.some((e) => e.AllocationId === a.AllocationId) ? {} : { _auto: true }),
            _readyAt: ctx.now,
          };
        }),
        _expandMs: 0,
        _readyAt: ctx.now,
        ...(n.State === "deleted" || n.State === "failed" ? { _deletedAt: ctx.now } : {}),
        Tags: tags(n.Tags),
        ...stamp(c),
      } as never;
      continue;
    }
    const p = n.NatGatewayAddresses.find((x) => x.IsPrimary) ?? n.NatGatewayAddresses[0];
    rs.natGateways[n.NatGatewayId] = {
      NatGatewayId: n.NatGatewayId,
      SubnetId: n.SubnetId ?? "",
      VpcId: n.VpcId ?? snap.subnets.find((s) => s.SubnetId === n.SubnetId)?.VpcId ?? "",
      ConnectivityType: n.ConnectivityType === "private" ? "private" : "public",
      State: (n.State ?? "available") as never,
      ...(p?.AllocationId ? { AllocationId: p.AllocationId } : {}),
      ...(p?.NetworkInterfaceId ? { NetworkInterfaceId: p.NetworkInterfaceId } : {}),
      ...(p?.PrivateIp ? { PrivateIp: p.PrivateIp } : {}),
      ...(p?.PublicIp ? { PublicIp: p.PublicIp } : {}),
      ...(n.FailureCode ? { FailureCode: n.FailureCode, FailureMessage: n.FailureMessage } : {}),
      _readyAt: ctx.now,
      ...(n.State === "deleted" || n.State === "failed" ? { _deletedAt: ctx.now } : {}),
      Tags: tags(n.Tags),
      ...stamp(c),
    } as never;
  }
  for (const g of snap.securityGroups) {
    rs.securityGroups[g.GroupId] = { GroupId: g.GroupId, GroupName: g.GroupName ?? g.GroupId, Description: "imported", VpcId: g.VpcId ?? "", Tags: tags(g.Tags), ...stamp(c) };
    for (const [egress, perms] of [[false, g.IpPermissions], [true, g.IpPermissionsEgress]] as const) {
      for (const p of perms) {
        const base = { GroupId: g.GroupId, IsEgress: egress, IpProtocol: p.IpProtocol ?? "-1", FromPort: p.FromPort ?? -1, ToPort: p.ToPort ?? -1, Tags: [], ...stamp(c) };
        const add = (peer: Partial<SgRuleRec>) => {
          const id = newId("sgr");
          rs.securityGroupRules[id] = { SecurityGroupRuleId: id, ...base, ...peer } as SgRuleRec;
        };
        p.IpRanges.forEach((r) => r.CidrIp && add({ CidrIpv4: r.CidrIp }));
        p.Ipv6Ranges.forEach((r) => r.CidrIpv6 && add({ CidrIpv6: r.CidrIpv6 }));
        p.PrefixListIds.forEach((r) => r.PrefixListId && add({ PrefixListId: r.PrefixListId }));
        p.UserIdGroupPairs.forEach((r) => r.GroupId && add({ ReferencedGroupId: r.GroupId }));
      }
    }
  }
  for (const n of snap.networkAcls) {
    rs.networkAcls[n.NetworkAclId] = {
      NetworkAclId: n.NetworkAclId,
      VpcId: n.VpcId,
      IsDefault: Boolean(n.IsDefault),
      Tags: tags(n.Tags),
      ...stamp(c),
      // Imported ACLs keep their entries and explicit associations (the native model only has default ACLs).
      _entries: n.Entries.filter((e) => e.CidrBlock).map((e) => ({ ...e })),
      _subnetIds: n.Associations.map((a) => a.SubnetId).filter(Boolean),
    } as never;
  }
  for (const e of snap.networkInterfaces) {
    const rec: EniRec & Record<string, unknown> = {
      NetworkInterfaceId: e.NetworkInterfaceId,
      SubnetId: e.SubnetId,
      VpcId: e.VpcId,
      AvailabilityZone: e.AvailabilityZone ?? rs.subnets[e.SubnetId]?.AvailabilityZone ?? zones[0]!.ZoneName,
      InterfaceType: e.InterfaceType ?? "interface",
      Description: e.Description ?? "",
      PrivateIpAddress: e.PrivateIpAddress ?? "",
      MacAddress: "0e:00:00:00:00:00",
      Groups: e.Groups.map((g) => g.GroupId).filter((x): x is string => !!x),
      RequesterManaged: ["nat_gateway", "lambda", "vpc_endpoint"].includes(e.InterfaceType ?? ""),
      Tags: tags(e.TagSet ?? e.Tags),
      ...stamp(c),
    };
    if (e.SourceDestCheck !== undefined) rec._sourceDestCheck = e.SourceDestCheck;
    if (e.Attachment) rec._attachment = { ...e.Attachment };
    const pub = e.Association?.PublicIp;
    if (pub && !Object.values(rs.addresses).some((a) => a.NetworkInterfaceId === e.NetworkInterfaceId)) rec._publicIp = pub;
    rs.networkInterfaces[e.NetworkInterfaceId] = rec;
  }
  // Into the Lambda and VPC-endpoint emulations' own stores, so their operations serve them.
  rs.ext.vpcEndpoints = Object.fromEntries(
    snap.vpcEndpoints.map((e) => [
      e.VpcEndpointId,
      {
        VpcEndpointId: e.VpcEndpointId,
        VpcEndpointType: e.VpcEndpointType === "Gateway" || e.VpcEndpointType === "Resource" ? e.VpcEndpointType : "Interface",
        ...(e.ResourceConfigurationArn ? { ResourceConfigurationArn: e.ResourceConfigurationArn } : {}),
        VpcId: e.VpcId,
        ServiceName: e.ServiceName ?? "",
        State: (e.State ?? "available").toLowerCase(),
        ...(e.PolicyDocument ? { PolicyDocument: e.PolicyDocument } : {}),
        RouteTableIds: [...e.RouteTableIds],
        SubnetIds: [...e.SubnetIds],
        Groups: e.Groups.map((g) => g.GroupId).filter(Boolean),
        NetworkInterfaceIds: [...e.NetworkInterfaceIds],
        PrivateDnsEnabled: Boolean(e.PrivateDnsEnabled),
        DnsSuffix: "",
        Tags: tags(e.Tags),
        ...stamp(c),
        // An endpoint imported as pending stays pending (it never finishes creating).
        _readyAt: (e.State ?? "available").toLowerCase() === "pending" ? Number.MAX_SAFE_INTEGER : ctx.now,
      },
    ]),
  );
  rs.ext.lambda = {
    functions: Object.fromEntries(
      snap.lambdaFunctions.map((f) => [
        f.FunctionName,
        {
          FunctionName: f.FunctionName,
          Runtime: String((f as any).Runtime ?? "python3.12"),
          Role: f.Role ?? `arn:aws:iam::${ctx.accountId}:role/imported`,
          Handler: String((f as any).Handler ?? "index.handler"),
          Description: "",
          Timeout: 30,
          MemorySize: 256,
          CodeSize: 0,
          CodeSha256: "",
          LastModified: new Date(ctx.now).toISOString().replace("Z", "+0000"),
          RevisionId: newId("rev"),
          ...(f.VpcConfig?.SubnetIds.length
            ? { VpcConfig: { SubnetIds: [...f.VpcConfig.SubnetIds], SecurityGroupIds: [...f.VpcConfig.SecurityGroupIds], VpcId: f.VpcConfig.VpcId ?? rs.subnets[f.VpcConfig.SubnetIds[0]!]?.VpcId ?? "" } }
            : {}),
          LastUpdateStatus: "Successful",
          Tags: {},
        },
      ]),
    ),
    eventSourceMappings: {},
  };
  rs.ext.instances = Object.fromEntries(snap.instances.map((i) => [i.InstanceId, { ...json(i), _createdAt: ctx.now, _visibleAt: ctx.now }]));
  importLattice(rs, ctx.now, json(snap.resourceGateways ?? []), json(snap.resourceConfigurations ?? []), ctx.region, ctx.accountId);
  importTransit(rs, snap, ctx.now);
  importBpa({ ...ctx, rs }, snap.vpcBlockPublicAccessOptions, snap.vpcBlockPublicAccessExclusions);
  rs.ext.imported = Object.fromEntries(OVERLAY_TYPES.filter((t) => (snap as any)[t]?.length).map((t) => [t, json((snap as any)[t])]));
  return rs;
}
