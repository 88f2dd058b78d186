// Transit gateways in the sandbox: CreateTransitGateway, CreateTransitGatewayVpcAttachment, transit
// gateway route tables, associations, propagations, static and blackhole routes,
// Describe*/Get*/SearchTransitGatewayRoutes. States follow AWS (pending → available, deleting →
// deleted); propagated routes come from src/analysis/transit.ts (on an identical CIDR the transit
// gateway keeps the first attachment's), so the sandbox and the analyzer apply one rule. The store
// also holds the VPC peering connections (their operations: ec2-peering.ts), and the route functions
// below validate and give the state of VPC routes to both pcx-… and tgw-… targets.
import { cidrOverlaps, hasHostBits, parseCidr } from "../net/addr.js";
import { tgwRouteTableRoutes, type Propagation, type StaticRoute } from "../analysis/transit.js";
import type { Snapshot } from "../analysis/snapshot.js";
import { peeringCode, peeringOf, type PeeringRec } from "./ec2-peering.js";
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler, LooseInput } from "./handler.js";
import { newId, type RegionState, type RouteRec, type RouteTableRec } from "./model.js";
import { applyFilters, paginate, tagsFromSpecs, tagsOut, type FilterFns } from "./query.js";

export type Tag = { Key: string; Value: string };

interface TgwRec {
  TransitGatewayId: string;
  Description?: string;
  Options: Record<string, any>;
  Tags: Tag[];
  _createdAt: number;
  _readyAt: number;
  _deletedAt?: number;
}
interface AttachmentRec {
  TransitGatewayAttachmentId: string;
  TransitGatewayId: string;
  VpcId: string;
  SubnetIds: string[];
  Options: Record<string, any>;
  Tags: Tag[];
  _createdAt: number;
  _readyAt: number;
  _deletedAt?: number;
}
interface TgwRouteTableRec {
  TransitGatewayRouteTableId: string;
  TransitGatewayId: string;
  Default: boolean;
  Tags: Tag[];
  /** Associated attachment ids. */
  associations: string[];
  /** Propagating attachment ids, in the order propagation was enabled (the first wins a tie). */
  propagations: string[];
  statics: { cidr: string; attachmentId?: string }[];
  _createdAt: number;
  _readyAt: number;
  _deletedAt?: number;
}
export interface TransitStore {
  tgws: Record<string, TgwRec>;
  attachments: Record<string, AttachmentRec>;
  routeTables: Record<string, TgwRouteTableRec>;
  peerings: Record<string, PeeringRec>;
}

/** How long deleted transit gateway resources stay visible as `deleted` (AWS: a while; peering: ~2 h). */
const DELETED_VISIBLE_MS = 3_600_000;

export function store(rs: RegionState): TransitStore {
  return (rs.ext.transit ??= { tgws: {}, attachments: {}, routeTables: {}, peerings: {} }) as TransitStore;
}

const arn = (ctx: OpContext, type: string, id: string) => `arn:aws:ec2:${ctx.region}:${ctx.accountId}:${type}/${id}`;

/** pending → available after the create time; deleting → deleted after the delete time. */
function lifecycle(ctx: OpContext, r: { _readyAt: number; _deletedAt?: number }): string {
  if (r._deletedAt !== undefined) return ctx.now >= r._deletedAt + ctx.timing.natDeleteMs ? "deleted" : "deleting";
  return ctx.now >= r._readyAt ? "available" : "pending";
}
const gone = (ctx: OpContext, r: { _readyAt: number; _deletedAt?: number }) => r._deletedAt !== undefined && ctx.now >= r._deletedAt + ctx.timing.natDeleteMs + DELETED_VISIBLE_MS;
const live = (ctx: OpContext, r: { _readyAt: number; _deletedAt?: number }) => r._deletedAt === undefined;

export function str(ctx: OpContext, name: string, required = true): string | undefined {
  const v = ctx.input[name];
  if (v === undefined || v === "") {
    if (required) throw awsError("MissingParameter", `The request must contain the parameter ${name}`);
    return undefined;
  }
  if (typeof v !== "string") throw awsError("InvalidParameterValue", `Invalid value for parameter ${name}`);
  return v;
}

function enableFlag(v: unknown, name: string, dflt: "enable" | "disable"): "enable" | "disable" {
  if (v === undefined) return dflt;
  if (v !== "enable" && v !== "disable") throw awsError("InvalidParameterValue", `Value (${String(v)}) for parameter ${name} is invalid. Valid values: enable, disable`);
  return v;
}

function tgwOf(ctx: OpContext, id: string | undefined, param = "TransitGatewayId"): TgwRec {
  if (!id) throw awsError("MissingParameter", `The request must contain the parameter ${param}`);
  if (!/^tgw-[0-9a-f]{8,17}$/.test(id)) throw awsError("InvalidTransitGatewayID.Malformed", `Invalid id: "${id}"`);
  const t = store(ctx.rs).tgws[id];
  if (!t || lifecycle(ctx, t) === "deleted") throw awsError("InvalidTransitGatewayID.NotFound", `Transit Gateway ${id} was deleted or does not exist.`);
  return t;
}

function attachmentOf(ctx: OpContext, id: string | undefined): AttachmentRec {
  if (!id) throw awsError("MissingParameter", "The request must contain the parameter TransitGatewayAttachmentId");
  if (!/^tgw-attach-[0-9a-f]{8,17}$/.test(id)) throw awsError("InvalidTransitGatewayAttachmentID.Malformed", `Invalid id: "${id}"`);
  const a = store(ctx.rs).attachments[id];
  if (!a || lifecycle(ctx, a) === "deleted") throw awsError("InvalidTransitGatewayAttachmentID.NotFound", `Transit Gateway Attachment ${id} was deleted or does not exist.`);
  return a;
}

function routeTableOf(ctx: OpContext, id: string | undefined): TgwRouteTableRec {
  if (!id) throw awsError("MissingParameter", "The request must contain the parameter TransitGatewayRouteTableId");
  if (!/^tgw-rtb-[0-9a-f]{8,17}$/.test(id)) throw awsError("InvalidRouteTableID.Malformed", `Invalid id: "${id}"`);
  const t = store(ctx.rs).routeTables[id];
  if (!t || lifecycle(ctx, t) === "deleted") throw awsError("InvalidRouteTableID.NotFound", `Transit Gateway Route Table ${id} was deleted or does not exist.`);
  return t;
}

export function vpcCidrs(rs: RegionState, vpcId: string): string[] {
  const v = rs.vpcs[vpcId] as { CidrBlock?: string; _secondaryCidrs?: string[] } | undefined;
  return v ? [v.CidrBlock!, ...(v._secondaryCidrs ?? [])].filter(Boolean) : [];
}

// ---------------------------------------------------------------------------------------------
// Views

function tgwView(ctx: OpContext, t: TgwRec) {
  return {
    TransitGatewayId: t.TransitGatewayId,
    TransitGatewayArn: arn(ctx, "transit-gateway", t.TransitGatewayId),
    State: lifecycle(ctx, t),
    OwnerId: ctx.accountId,
    ...(t.Description !== undefined ? { Description: t.Description } : {}),
    CreationTime: new Date(t._createdAt),
    Options: structuredClone(t.Options),
    ...tagsOut(t.Tags),
  };
}

function attachmentState(ctx: OpContext, a: AttachmentRec): string {
  const s = lifecycle(ctx, a);
  return s;
}

function associationOf(rs: RegionState, attachmentId: string): TgwRouteTableRec | undefined {
  return Object.values(store(rs).routeTables).find((t) => t._deletedAt === undefined && t.associations.includes(attachmentId));
}

function vpcAttachmentView(ctx: OpContext, a: AttachmentRec) {
  return {
    TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
    TransitGatewayId: a.TransitGatewayId,
    VpcId: a.VpcId,
    VpcOwnerId: ctx.accountId,
    State: attachmentState(ctx, a),
    SubnetIds: [...a.SubnetIds],
    CreationTime: new Date(a._createdAt),
    Options: structuredClone(a.Options),
    ...tagsOut(a.Tags),
  };
}

function attachmentView(ctx: OpContext, a: AttachmentRec) {
  const assoc = associationOf(ctx.rs, a.TransitGatewayAttachmentId);
  return {
    TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
    TransitGatewayId: a.TransitGatewayId,
    TransitGatewayOwnerId: ctx.accountId,
    ResourceOwnerId: ctx.accountId,
    ResourceType: "vpc",
    ResourceId: a.VpcId,
    State: attachmentState(ctx, a),
    ...(assoc ? { Association: { TransitGatewayRouteTableId: assoc.TransitGatewayRouteTableId, State: "associated" } } : {}),
    CreationTime: new Date(a._createdAt),
    ...tagsOut(a.Tags),
  };
}

function routeTableView(ctx: OpContext, t: TgwRouteTableRec) {
  const tgw = store(ctx.rs).tgws[t.TransitGatewayId];
  return {
    TransitGatewayRouteTableId: t.TransitGatewayRouteTableId,
    TransitGatewayId: t.TransitGatewayId,
    State: lifecycle(ctx, t),
    DefaultAssociationRouteTable: tgw?.Options.AssociationDefaultRouteTableId === t.TransitGatewayRouteTableId,
    DefaultPropagationRouteTable: tgw?.Options.PropagationDefaultRouteTableId === t.TransitGatewayRouteTableId,
    CreationTime: new Date(t._createdAt),
    ...tagsOut(t.Tags),
  };
}

const attRef = (rs: RegionState, id: string) => ({ TransitGatewayAttachmentId: id, ResourceId: store(rs).attachments[id]?.VpcId, ResourceType: "vpc" });

/** The table's routes as the transit gateway installs them (propagations of available attachments only). */
function tableRoutes(ctx: OpContext, t: TgwRouteTableRec) {
  const s = store(ctx.rs);
  const statics: StaticRoute[] = t.statics.map((r) => {
    const a = r.attachmentId ? s.attachments[r.attachmentId] : undefined;
    // A static route whose attachment is gone turns into a blackhole.
    return a && attachmentState(ctx, a) === "available" ? { cidr: r.cidr, attachmentId: a.TransitGatewayAttachmentId, resourceId: a.VpcId } : { cidr: r.cidr };
  });
  const props: Propagation[] = t.propagations
    .map((id) => s.attachments[id])
    .filter((a): a is AttachmentRec => !!a && attachmentState(ctx, a) === "available")
    .map((a) => ({ attachmentId: a.TransitGatewayAttachmentId, resourceId: a.VpcId, cidrs: vpcCidrs(ctx.rs, a.VpcId) }));
  return tgwRouteTableRoutes(statics, props);
}

// ---------------------------------------------------------------------------------------------
// Transit gateways

const CreateTransitGateway: OpHandler<"ec2", "CreateTransitGateway"> = (ctx) => {
  const o = (ctx.input.Options ?? {}) as Record<string, unknown>;
  const asn = o.AmazonSideAsn === undefined ? 64512 : Number(o.AmazonSideAsn);
  if (!Number.isInteger(asn) || !((asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294))) {
    throw awsError("InvalidParameterValue", `The amazonSideAsn ${String(o.AmazonSideAsn)} is not valid. Use a private ASN (64512-65534 or 4200000000-4294967294).`);
  }
  const assoc = enableFlag(o.DefaultRouteTableAssociation, "DefaultRouteTableAssociation", "enable");
  const prop = enableFlag(o.DefaultRouteTablePropagation, "DefaultRouteTablePropagation", "enable");
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "transit-gateway");
  ctx.dry();
  const id = newId("tgw");
  const s = store(ctx.rs);
  const options: Record<string, any> = {
    AmazonSideAsn: asn,
    AutoAcceptSharedAttachments: enableFlag(o.AutoAcceptSharedAttachments, "AutoAcceptSharedAttachments", "disable"),
    DefaultRouteTableAssociation: assoc,
    DefaultRouteTablePropagation: prop,
    VpnEcmpSupport: enableFlag(o.VpnEcmpSupport, "VpnEcmpSupport", "enable"),
    DnsSupport: enableFlag(o.DnsSupport, "DnsSupport", "enable"),
    MulticastSupport: enableFlag(o.MulticastSupport, "MulticastSupport", "disable"),
  };
  const readyAt = ctx.now + ctx.timing.natCreateMs;
  if (assoc === "enable" || prop === "enable") {
    // The default route table AWS creates with the gateway.
    const rtbId = newId("tgw-rtb");
    s.routeTables[rtbId] = { TransitGatewayRouteTableId: rtbId, TransitGatewayId: id, Default: true, Tags: [], associations: [], propagations: [], statics: [], _createdAt: ctx.now, _readyAt: readyAt };
    if (assoc === "enable") options.AssociationDefaultRouteTableId = rtbId;
    if (prop === "enable") options.PropagationDefaultRouteTableId = rtbId;
  }
  s.tgws[id] = { TransitGatewayId: id, ...(typeof ctx.input.Description === "string" ? { Description: ctx.input.Description } : {}), Options: options, Tags: tags, _createdAt: ctx.now, _readyAt: readyAt };
  ctx.mutated();
  return { TransitGateway: { ...tgwView(ctx, s.tgws[id]!), State: "pending" } };
};

const DeleteTransitGateway: RecordOpHandler<"ec2", "DeleteTransitGateway"> = (ctx) => {
  const t = tgwOf(ctx, str(ctx, "TransitGatewayId"));
  if (t._deletedAt !== undefined) throw awsError("IncorrectState", `${t.TransitGatewayId} is in invalid state`);
  const s = store(ctx.rs);
  const atts = Object.values(s.attachments).filter((a) => a.TransitGatewayId === t.TransitGatewayId && live(ctx, a));
  if (atts.length) throw awsError("IncorrectState", `${t.TransitGatewayId} has non-deleted Transit Gateway Attachments: ${atts.map((a) => a.TransitGatewayAttachmentId).join(", ")}.`);
  const tables = Object.values(s.routeTables).filter((r) => r.TransitGatewayId === t.TransitGatewayId && live(ctx, r) && !r.Default);
  if (tables.length) throw awsError("IncorrectState", `${t.TransitGatewayId} has non-deleted Transit Gateway Route Tables: ${tables.map((r) => r.TransitGatewayRouteTableId).join(", ")}.`);
  ctx.dry();
  t._deletedAt = ctx.now;
  for (const r of Object.values(s.routeTables)) if (r.TransitGatewayId === t.TransitGatewayId) r._deletedAt ??= ctx.now;
  ctx.mutated();
  return { TransitGateway: tgwView(ctx, t) };
};

export function describe<T>(ctx: OpContext, all: T[], idOf: (x: T) => string, idsParam: string, notFound: (ids: string[]) => Error, fns: FilterFns<T>, key: string, view: (x: T) => unknown, tagsOf: (x: T) => Tag[]) {
  const ids: string[] | undefined = ctx.input[idsParam];
  let items = all;
  if (ids?.length) {
    const missing = ids.filter((id) => !all.some((x) => idOf(x) === id));
    if (missing.length) throw notFound(missing);
    items = all.filter((x) => ids.includes(idOf(x)));
  }
  items = applyFilters(items, ctx.input.Filters, fns, tagsOf);
  const { page, NextToken } = paginate(items, ctx.input, key);
  return { [key]: page.map(view), ...(NextToken ? { NextToken } : {}) };
}

const DescribeTransitGateways: OpHandler<"ec2", "DescribeTransitGateways"> = (ctx) =>
  describe(
    ctx,
    Object.values(store(ctx.rs).tgws).filter((t) => !gone(ctx, t)),
    (t) => t.TransitGatewayId,
    "TransitGatewayIds",
    (ids) => awsError("InvalidTransitGatewayID.NotFound", `Transit Gateway ${ids.join(", ")} was deleted or does not exist.`),
    { "transit-gateway-id": (t) => [t.TransitGatewayId], state: (t) => [lifecycle(ctx, t)], "owner-id": () => [ctx.accountId] },
    "TransitGateways",
    (t) => tgwView(ctx, t),
    (t) => t.Tags,
  );

// ---------------------------------------------------------------------------------------------
// VPC attachments

const CreateTransitGatewayVpcAttachment: OpHandler<"ec2", "CreateTransitGatewayVpcAttachment"> = (ctx) => {
  const tgwId = str(ctx, "TransitGatewayId")!;
  const vpcId = str(ctx, "VpcId")!;
  const subnetIds = ctx.input.SubnetIds as unknown;
  if (!Array.isArray(subnetIds) || subnetIds.length === 0) throw awsError("MissingParameter", "The request must contain the parameter SubnetIds");
  const t = tgwOf(ctx, tgwId);
  if (lifecycle(ctx, t) !== "available") throw awsError("IncorrectState", `${tgwId} is in invalid state`);
  if (!ctx.rs.vpcs[vpcId]) throw awsError("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
  const problems: string[] = [];
  const zones = new Map<string, string>();
  for (const id of subnetIds) {
    const sn = ctx.rs.subnets[id as string];
    if (!sn) throw awsError("InvalidSubnetID.NotFound", `The subnet ID '${String(id)}' does not exist`);
    if (sn.VpcId !== vpcId) problems.push(`subnet ${sn.SubnetId} is not in ${vpcId}`);
    const prior = zones.get(sn.AvailabilityZone);
    if (prior) throw awsError("DuplicateSubnetsInSameZone", `Duplicate Subnets for same AZ: ${prior} and ${sn.SubnetId} are both in ${sn.AvailabilityZone}`);
    zones.set(sn.AvailabilityZone, sn.SubnetId);
  }
  if (problems.length) throw awsError("InvalidParameterValue", problems.join("; "));
  const s = store(ctx.rs);
  const dup = Object.values(s.attachments).find((a) => a.TransitGatewayId === tgwId && a.VpcId === vpcId && live(ctx, a));
  if (dup) throw awsError("DuplicateTransitGatewayAttachment", `${tgwId} has non-deleted Transit Gateway Attachments with same VPC ID.`);
  const o = (ctx.input.Options ?? {}) as Record<string, unknown>;
  const options = {
    DnsSupport: enableFlag(o.DnsSupport, "DnsSupport", "enable"),
    Ipv6Support: enableFlag(o.Ipv6Support, "Ipv6Support", "disable"),
    ApplianceModeSupport: enableFlag(o.ApplianceModeSupport, "ApplianceModeSupport", "disable"),
  };
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "transit-gateway-attachment");
  ctx.dry();
  const id = newId("tgw-attach");
  const a: AttachmentRec = { TransitGatewayAttachmentId: id, TransitGatewayId: tgwId, VpcId: vpcId, SubnetIds: subnetIds as string[], Options: options, Tags: tags, _createdAt: ctx.now, _readyAt: ctx.now + ctx.timing.natCreateMs };
  s.attachments[id] = a;
  // Default association and propagation, as the gateway's options say.
  const assocId = t.Options.DefaultRouteTableAssociation === "enable" ? t.Options.AssociationDefaultRouteTableId : undefined;
  const propId = t.Options.DefaultRouteTablePropagation === "enable" ? t.Options.PropagationDefaultRouteTableId : undefined;
  if (assocId && s.routeTables[assocId]) s.routeTables[assocId]!.associations.push(id);
  if (propId && s.routeTables[propId]) s.routeTables[propId]!.propagations.push(id);
  ctx.mutated();
  return { TransitGatewayVpcAttachment: { ...vpcAttachmentView(ctx, a), State: "pending" } };
};

const DeleteTransitGatewayVpcAttachment: RecordOpHandler<"ec2", "DeleteTransitGatewayVpcAttachment"> = (ctx) => {
  const a = attachmentOf(ctx, str(ctx, "TransitGatewayAttachmentId"));
  if (a._deletedAt !== undefined) throw awsError("IncorrectState", `${a.TransitGatewayAttachmentId} is in invalid state`);
  ctx.dry();
  a._deletedAt = ctx.now;
  for (const t of Object.values(store(ctx.rs).routeTables)) {
    t.associations = t.associations.filter((x) => x !== a.TransitGatewayAttachmentId);
    t.propagations = t.propagations.filter((x) => x !== a.TransitGatewayAttachmentId);
  }
  ctx.mutated();
  return { TransitGatewayVpcAttachment: vpcAttachmentView(ctx, a) };
};

const attachmentFilters = (ctx: OpContext): FilterFns<AttachmentRec> => ({
  "transit-gateway-attachment-id": (a) => [a.TransitGatewayAttachmentId],
  "transit-gateway-id": (a) => [a.TransitGatewayId],
  "vpc-id": (a) => [a.VpcId],
  "resource-id": (a) => [a.VpcId],
  "resource-type": () => ["vpc"],
  state: (a) => [attachmentState(ctx, a)],
});

// DescribeTransitGatewayVpcAttachments and DescribeTransitGatewayAttachments list the same attachments,
// each in its own response shape.
const describeAttachments =
  (resultKey: string, view: (ctx: OpContext, a: AttachmentRec) => unknown) =>
  // built per result key, so typed loosely (the two handlers below give it its operations)
  (ctx: OpContext): LooseInput =>
    describe(
      ctx,
      Object.values(store(ctx.rs).attachments).filter((a) => !gone(ctx, a)),
      (a) => a.TransitGatewayAttachmentId,
      "TransitGatewayAttachmentIds",
      (ids) => awsError("InvalidTransitGatewayAttachmentID.NotFound", `Transit Gateway Attachment ${ids.join(", ")} was deleted or does not exist.`),
      attachmentFilters(ctx),
      resultKey,
      (a) => view(ctx, a),
      (a) => a.Tags,
    );

const DescribeTransitGatewayVpcAttachments: RecordOpHandler<"ec2", "DescribeTransitGatewayVpcAttachments"> = describeAttachments("TransitGatewayVpcAttachments", vpcAttachmentView);
const DescribeTransitGatewayAttachments: RecordOpHandler<"ec2", "DescribeTransitGatewayAttachments"> = describeAttachments("TransitGatewayAttachments", attachmentView);

// ---------------------------------------------------------------------------------------------
// Route tables, associations, propagations, routes

const CreateTransitGatewayRouteTable: OpHandler<"ec2", "CreateTransitGatewayRouteTable"> = (ctx) => {
  const t = tgwOf(ctx, str(ctx, "TransitGatewayId"));
  if (lifecycle(ctx, t) !== "available") throw awsError("IncorrectState", `${t.TransitGatewayId} is in invalid state`);
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "transit-gateway-route-table");
  ctx.dry();
  const id = newId("tgw-rtb");
  const r: TgwRouteTableRec = { TransitGatewayRouteTableId: id, TransitGatewayId: t.TransitGatewayId, Default: false, Tags: tags, associations: [], propagations: [], statics: [], _createdAt: ctx.now, _readyAt: ctx.now };
  store(ctx.rs).routeTables[id] = r;
  ctx.mutated();
  return { TransitGatewayRouteTable: { ...routeTableView(ctx, r), State: "pending" } };
};

const DeleteTransitGatewayRouteTable: RecordOpHandler<"ec2", "DeleteTransitGatewayRouteTable"> = (ctx) => {
  const r = routeTableOf(ctx, str(ctx, "TransitGatewayRouteTableId"));
  const tgw = store(ctx.rs).tgws[r.TransitGatewayId];
  if (tgw && (tgw.Options.AssociationDefaultRouteTableId === r.TransitGatewayRouteTableId || tgw.Options.PropagationDefaultRouteTableId === r.TransitGatewayRouteTableId) && tgw._deletedAt === undefined) {
    throw awsError("IncorrectState", `${r.TransitGatewayRouteTableId} is the default route table of ${r.TransitGatewayId}; turn off default association and propagation first`);
  }
  if (r.associations.length) throw awsError("IncorrectState", `${r.TransitGatewayRouteTableId} has associations: ${r.associations.join(", ")}`);
  ctx.dry();
  r._deletedAt = ctx.now;
  r.propagations = [];
  ctx.mutated();
  return { TransitGatewayRouteTable: routeTableView(ctx, r) };
};

const DescribeTransitGatewayRouteTables: OpHandler<"ec2", "DescribeTransitGatewayRouteTables"> = (ctx) =>
  describe(
    ctx,
    Object.values(store(ctx.rs).routeTables).filter((r) => !gone(ctx, r)),
    (r) => r.TransitGatewayRouteTableId,
    "TransitGatewayRouteTableIds",
    (ids) => awsError("InvalidRouteTableID.NotFound", `Transit Gateway Route Table ${ids.join(", ")} was deleted or does not exist.`),
    {
      "transit-gateway-route-table-id": (r) => [r.TransitGatewayRouteTableId],
      "transit-gateway-id": (r) => [r.TransitGatewayId],
      state: (r) => [lifecycle(ctx, r)],
      "default-association-route-table": (r) => [String(routeTableView(ctx, r).DefaultAssociationRouteTable)],
      "default-propagation-route-table": (r) => [String(routeTableView(ctx, r).DefaultPropagationRouteTable)],
    },
    "TransitGatewayRouteTables",
    (r) => routeTableView(ctx, r),
    (r) => r.Tags,
  );

/** The table and attachment of an association/propagation call, on the same gateway. */
function tableAndAttachment(ctx: OpContext): { t: TgwRouteTableRec; a: AttachmentRec } {
  const t = routeTableOf(ctx, str(ctx, "TransitGatewayRouteTableId"));
  const a = attachmentOf(ctx, str(ctx, "TransitGatewayAttachmentId"));
  if (t._deletedAt !== undefined) throw awsError("IncorrectState", `${t.TransitGatewayRouteTableId} is in invalid state`);
  if (a._deletedAt !== undefined) throw awsError("IncorrectState", `${a.TransitGatewayAttachmentId} is in invalid state`);
  if (a.TransitGatewayId !== t.TransitGatewayId) {
    throw awsError("InvalidParameterValue", `Transit Gateway Attachment ${a.TransitGatewayAttachmentId} and route table ${t.TransitGatewayRouteTableId} belong to different transit gateways`);
  }
  return { t, a };
}

const AssociateTransitGatewayRouteTable: RecordOpHandler<"ec2", "AssociateTransitGatewayRouteTable"> = (ctx) => {
  const { t, a } = tableAndAttachment(ctx);
  const prior = associationOf(ctx.rs, a.TransitGatewayAttachmentId);
  if (prior) throw awsError("Resource.AlreadyAssociated", `Transit Gateway Attachment ${a.TransitGatewayAttachmentId} is already associated to a route table (${prior.TransitGatewayRouteTableId}).`);
  ctx.dry();
  t.associations.push(a.TransitGatewayAttachmentId);
  ctx.mutated();
  return { Association: { TransitGatewayRouteTableId: t.TransitGatewayRouteTableId, ...attRef(ctx.rs, a.TransitGatewayAttachmentId), State: "associating" } };
};

const DisassociateTransitGatewayRouteTable: RecordOpHandler<"ec2", "DisassociateTransitGatewayRouteTable"> = (ctx) => {
  const { t, a } = tableAndAttachment(ctx);
  if (!t.associations.includes(a.TransitGatewayAttachmentId)) {
    throw awsError("InvalidAssociation.NotFound", `Transit Gateway Attachment ${a.TransitGatewayAttachmentId} is not associated with ${t.TransitGatewayRouteTableId}.`);
  }
  ctx.dry();
  t.associations = t.associations.filter((x) => x !== a.TransitGatewayAttachmentId);
  ctx.mutated();
  return { Association: { TransitGatewayRouteTableId: t.TransitGatewayRouteTableId, ...attRef(ctx.rs, a.TransitGatewayAttachmentId), State: "disassociating" } };
};

const EnableTransitGatewayRouteTablePropagation: RecordOpHandler<"ec2", "EnableTransitGatewayRouteTablePropagation"> = (ctx) => {
  const { t, a } = tableAndAttachment(ctx);
  if (t.propagations.includes(a.TransitGatewayAttachmentId)) {
    throw awsError("TransitGatewayRouteTablePropagation.Duplicate", `Propagation for ${a.TransitGatewayAttachmentId} already exists in ${t.TransitGatewayRouteTableId}.`);
  }
  ctx.dry();
  t.propagations.push(a.TransitGatewayAttachmentId);
  ctx.mutated();
  return { Propagation: { TransitGatewayRouteTableId: t.TransitGatewayRouteTableId, ...attRef(ctx.rs, a.TransitGatewayAttachmentId), State: "enabling" } };
};

const DisableTransitGatewayRouteTablePropagation: RecordOpHandler<"ec2", "DisableTransitGatewayRouteTablePropagation"> = (ctx) => {
  const { t, a } = tableAndAttachment(ctx);
  if (!t.propagations.includes(a.TransitGatewayAttachmentId)) {
    throw awsError("TransitGatewayRouteTablePropagation.NotFound", `Propagation for ${a.TransitGatewayAttachmentId} does not exist in ${t.TransitGatewayRouteTableId}.`);
  }
  ctx.dry();
  t.propagations = t.propagations.filter((x) => x !== a.TransitGatewayAttachmentId);
  ctx.mutated();
  return { Propagation: { TransitGatewayRouteTableId: t.TransitGatewayRouteTableId, ...attRef(ctx.rs, a.TransitGatewayAttachmentId), State: "disabling" } };
};

const refFilters: FilterFns<{ TransitGatewayAttachmentId: string; ResourceId?: string; ResourceType: string }> = {
  "transit-gateway-attachment-id": (x) => [x.TransitGatewayAttachmentId],
  "resource-id": (x) => [x.ResourceId],
  "resource-type": (x) => [x.ResourceType],
};

const GetTransitGatewayRouteTableAssociations: RecordOpHandler<"ec2", "GetTransitGatewayRouteTableAssociations"> = (ctx) => {
  const t = routeTableOf(ctx, str(ctx, "TransitGatewayRouteTableId"));
  const items = applyFilters(t.associations.map((id) => ({ ...attRef(ctx.rs, id), State: "associated" })), ctx.input.Filters, refFilters);
  const { page, NextToken } = paginate(items, ctx.input, "GetTransitGatewayRouteTableAssociations");
  return { Associations: page, ...(NextToken ? { NextToken } : {}) };
};

const GetTransitGatewayRouteTablePropagations: RecordOpHandler<"ec2", "GetTransitGatewayRouteTablePropagations"> = (ctx) => {
  const t = routeTableOf(ctx, str(ctx, "TransitGatewayRouteTableId"));
  const items = applyFilters(t.propagations.map((id) => ({ ...attRef(ctx.rs, id), State: "enabled" })), ctx.input.Filters, refFilters);
  const { page, NextToken } = paginate(items, ctx.input, "GetTransitGatewayRouteTablePropagations");
  return { TransitGatewayRouteTablePropagations: page, ...(NextToken ? { NextToken } : {}) };
};

function destinationCidr(ctx: OpContext): string {
  const raw = str(ctx, "DestinationCidrBlock")!;
  const c = parseCidr(raw);
  if (!c || hasHostBits(c) || c.v !== 4) throw awsError("InvalidParameterValue", `Value (${raw}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
  return c.text;
}

const CreateTransitGatewayRoute: RecordOpHandler<"ec2", "CreateTransitGatewayRoute"> = (ctx) => {
  const t = routeTableOf(ctx, str(ctx, "TransitGatewayRouteTableId"));
  const cidr = destinationCidr(ctx);
  const blackhole = ctx.input.Blackhole === true;
  const attId = str(ctx, "TransitGatewayAttachmentId", false);
  if (blackhole && attId) throw awsError("InvalidParameterCombination", "Specify either a TransitGatewayAttachmentId or Blackhole, not both");
  if (!blackhole && !attId) throw awsError("MissingParameter", "The request must contain the parameter TransitGatewayAttachmentId (or Blackhole)");
  if (attId) {
    const a = attachmentOf(ctx, attId);
    if (a.TransitGatewayId !== t.TransitGatewayId) throw awsError("InvalidParameterValue", `Transit Gateway Attachment ${attId} is not attached to ${t.TransitGatewayId}`);
  }
  if (t.statics.some((r) => r.cidr === cidr)) throw awsError("RouteAlreadyExists", `Route ${cidr} already exists in Transit Gateway Route Table ${t.TransitGatewayRouteTableId}.`);
  ctx.dry();
  t.statics.push({ cidr, ...(attId ? { attachmentId: attId } : {}) });
  ctx.mutated();
  return { Route: tableRoutes(ctx, t).find((r) => r.DestinationCidrBlock === cidr && r.Type === "static") };
};

const DeleteTransitGatewayRoute: RecordOpHandler<"ec2", "DeleteTransitGatewayRoute"> = (ctx) => {
  const t = routeTableOf(ctx, str(ctx, "TransitGatewayRouteTableId"));
  const cidr = destinationCidr(ctx);
  const route = tableRoutes(ctx, t).find((r) => r.DestinationCidrBlock === cidr && r.Type === "static");
  if (!route) throw awsError("InvalidRoute.NotFound", `No route with destination-cidr-block ${cidr} in Transit Gateway Route Table ${t.TransitGatewayRouteTableId}`);
  ctx.dry();
  t.statics = t.statics.filter((r) => r.cidr !== cidr);
  ctx.mutated();
  return { Route: { ...route, State: "deleted" } };
};

const SearchTransitGatewayRoutes: RecordOpHandler<"ec2", "SearchTransitGatewayRoutes"> = (ctx) => {
  const t = routeTableOf(ctx, str(ctx, "TransitGatewayRouteTableId"));
  if (!Array.isArray(ctx.input.Filters)) throw awsError("MissingParameter", "The request must contain the parameter Filters");
  type R = ReturnType<typeof tableRoutes>[number];
  const match = (kind: string) => (r: R) => (ctx.input.Filters as { Name?: string; Values?: string[] }[]).find((f) => f.Name === kind)?.Values?.some((v) => {
    const a = parseCidr(r.DestinationCidrBlock);
    const b = parseCidr(v);
    if (!a || !b) return false;
    if (kind === "route-search.exact-match") return a.text === b.text;
    if (kind === "route-search.subnet-of-match") return a.len >= b.len && cidrOverlaps(a, b);
    return a.len <= b.len && cidrOverlaps(a, b); // supernet-of / longest-prefix
  }) ? [r.DestinationCidrBlock] : [];
  const fns: FilterFns<R> = {
    type: (r) => [r.Type],
    state: (r) => [r.State],
    "attachment.transit-gateway-attachment-id": (r) => r.TransitGatewayAttachments.map((a) => a.TransitGatewayAttachmentId),
    "attachment.resource-id": (r) => r.TransitGatewayAttachments.map((a) => a.ResourceId),
    "attachment.resource-type": (r) => r.TransitGatewayAttachments.map((a) => a.ResourceType),
    "route-search.exact-match": match("route-search.exact-match"),
    "route-search.longest-prefix-match": match("route-search.longest-prefix-match"),
    "route-search.subnet-of-match": match("route-search.subnet-of-match"),
    "route-search.supernet-of-match": match("route-search.supernet-of-match"),
  };
  let routes = applyFilters(tableRoutes(ctx, t), ctx.input.Filters, fns);
  if ((ctx.input.Filters as { Name?: string }[]).some((f) => f.Name === "route-search.longest-prefix-match") && routes.length) {
    const best = Math.max(...routes.map((r) => parseCidr(r.DestinationCidrBlock)!.len));
    routes = routes.filter((r) => parseCidr(r.DestinationCidrBlock)!.len === best);
  }
  const max = typeof ctx.input.MaxResults === "number" ? ctx.input.MaxResults : 1000;
  if (max < 5 || max > 1000) throw awsError("InvalidParameterValue", `Value (${max}) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  return { Routes: routes.slice(0, max), AdditionalRoutesAvailable: routes.length > max };
};

// ---------------------------------------------------------------------------------------------
// Routes in VPC route tables that point at a peering connection or a transit gateway

/** Validates a CreateRoute/ReplaceRoute target pcx-… / tgw-… (ec2-network.ts calls this). */
export function transitRouteTarget(ctx: OpContext, rt: RouteTableRec, route: RouteRec): void {
  const { VpcPeeringConnectionId: pcxId, TransitGatewayId: tgwId } = ctx.input as { VpcPeeringConnectionId?: string; TransitGatewayId?: string };
  const rec = route as unknown as Record<string, string>;
  if (pcxId !== undefined) {
    const p = peeringOf({ ...ctx, input: { VpcPeeringConnectionId: pcxId } });
    if (p.RequesterVpcId !== rt.VpcId && p.AccepterVpcId !== rt.VpcId) {
      throw awsError("InvalidParameterValue", `route table ${rt.RouteTableId} and peering connection ${pcxId} belong to different networks`);
    }
    if (["deleted", "rejected", "failed", "expired"].includes(peeringCode(ctx, p))) throw awsError("InvalidVpcPeeringConnectionID.NotFound", `The vpcPeeringConnection ID '${pcxId}' does not exist`);
    rec.VpcPeeringConnectionId = pcxId;
  } else if (tgwId !== undefined) {
    tgwOf(ctx, tgwId);
    const att = Object.values(store(ctx.rs).attachments).find((a) => a.TransitGatewayId === tgwId && a.VpcId === rt.VpcId && live(ctx, a));
    if (!att) throw awsError("InvalidTransitGatewayID.NotFound", `The transitGateway ID '${tgwId}' does not exist or is not attached to ${rt.VpcId}`);
    rec.TransitGatewayId = tgwId;
  }
}

/** State of a route to a peering connection or a transit gateway: blackhole once the connection is gone. */
export function transitRouteState(ctx: OpContext, rt: RouteTableRec, r: RouteRec): "active" | "blackhole" | undefined {
  const x = r as unknown as { VpcPeeringConnectionId?: string; TransitGatewayId?: string };
  const s = ctx.rs.ext.transit as TransitStore | undefined;
  if (x.VpcPeeringConnectionId) {
    const p = s?.peerings[x.VpcPeeringConnectionId];
    if (!p) return undefined; // imported from a snapshot without the connection: as recorded
    return peeringCode(ctx, p) === "active" ? "active" : "blackhole";
  }
  if (x.TransitGatewayId) {
    const t = s?.tgws[x.TransitGatewayId];
    if (!t) return undefined;
    const att = Object.values(s!.attachments).find((a) => a.TransitGatewayId === x.TransitGatewayId && a.VpcId === rt.VpcId && live(ctx, a));
    return lifecycle(ctx, t) !== "deleted" && att ? "active" : "blackhole";
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Snapshot import (sandbox load): the snapshot's transit gateways and peerings become native records

export function importTransit(rs: RegionState, snap: Snapshot, now: number): void {
  const s = store(rs);
  const old = now - 1;
  for (const t of snap.transitGateways ?? []) {
    s.tgws[t.TransitGatewayId] = { TransitGatewayId: t.TransitGatewayId, Options: { ...(t.Options ?? {}) }, Tags: (t.Tags ?? []) as Tag[], _createdAt: old, _readyAt: t.State === "pending" ? Infinity : old, ...(t.State === "deleted" || t.State === "deleting" ? { _deletedAt: old } : {}) };
  }
  const tgwIds = new Set(Object.keys(s.tgws));
  const vpcAtts = snap.transitGatewayVpcAttachments ?? (snap.transitGatewayAttachments ?? []).filter((a) => (a.ResourceType ?? "vpc") === "vpc").map((a) => ({ TransitGatewayAttachmentId: a.TransitGatewayAttachmentId, TransitGatewayId: a.TransitGatewayId, VpcId: a.ResourceId, SubnetIds: [] as string[], State: a.State }));
  for (const a of vpcAtts) {
    if (!a.TransitGatewayId || !a.VpcId) continue;
    if (!tgwIds.has(a.TransitGatewayId)) {
      // An attachment to a gateway the snapshot does not describe: keep the gateway as available.
      s.tgws[a.TransitGatewayId] = { TransitGatewayId: a.TransitGatewayId, Options: { DefaultRouteTableAssociation: "disable", DefaultRouteTablePropagation: "disable" }, Tags: [], _createdAt: old, _readyAt: old };
      tgwIds.add(a.TransitGatewayId);
    }
    const state = a.State ?? "available";
    s.attachments[a.TransitGatewayAttachmentId] = {
      TransitGatewayAttachmentId: a.TransitGatewayAttachmentId,
      TransitGatewayId: a.TransitGatewayId,
      VpcId: a.VpcId,
      SubnetIds: [...(a.SubnetIds ?? [])],
      Options: {},
      Tags: [],
      _createdAt: old,
      _readyAt: state === "available" ? old : Infinity,
      ...(state === "deleted" || state === "deleting" ? { _deletedAt: old } : {}),
    };
  }
  for (const t of snap.transitGatewayRouteTables ?? []) {
    s.routeTables[t.TransitGatewayRouteTableId] = {
      TransitGatewayRouteTableId: t.TransitGatewayRouteTableId,
      TransitGatewayId: t.TransitGatewayId ?? "",
      Default: Boolean(t.DefaultAssociationRouteTable || t.DefaultPropagationRouteTable),
      Tags: (t.Tags ?? []) as Tag[],
      associations: t.Associations.map((a) => a.TransitGatewayAttachmentId!).filter(Boolean),
      propagations: t.Propagations.map((a) => a.TransitGatewayAttachmentId!).filter(Boolean),
      statics: t.Routes.filter((r) => r.Type === "static" && r.DestinationCidrBlock).map((r) => ({ cidr: r.DestinationCidrBlock!, ...(r.State !== "blackhole" && r.TransitGatewayAttachments[0]?.TransitGatewayAttachmentId ? { attachmentId: r.TransitGatewayAttachments[0].TransitGatewayAttachmentId } : {}) })),
      _createdAt: old,
      _readyAt: old,
    };
  }
  for (const p of snap.vpcPeeringConnections) {
    const req = p.RequesterVpcInfo?.VpcId;
    const acc = p.AccepterVpcInfo?.VpcId;
    if (!req || !acc) continue;
    s.peerings[p.VpcPeeringConnectionId] = { VpcPeeringConnectionId: p.VpcPeeringConnectionId, RequesterVpcId: req, AccepterVpcId: acc, AccepterOwnerId: p.AccepterVpcInfo?.OwnerId ?? "", Code: (p.Status?.Code ?? "active") as PeeringRec["Code"], Tags: [], _createdAt: now, _changedAt: old };
  }
}

export const transitOps: Ops<"ec2"> = {
  CreateTransitGateway,
  DeleteTransitGateway,
  DescribeTransitGateways,
  CreateTransitGatewayVpcAttachment,
  DeleteTransitGatewayVpcAttachment,
  DescribeTransitGatewayVpcAttachments,
  DescribeTransitGatewayAttachments,
  CreateTransitGatewayRouteTable,
  DeleteTransitGatewayRouteTable,
  DescribeTransitGatewayRouteTables,
  AssociateTransitGatewayRouteTable,
  DisassociateTransitGatewayRouteTable,
  EnableTransitGatewayRouteTablePropagation,
  DisableTransitGatewayRouteTablePropagation,
  GetTransitGatewayRouteTableAssociations,
  GetTransitGatewayRouteTablePropagations,
  CreateTransitGatewayRoute,
  DeleteTransitGatewayRoute,
  SearchTransitGatewayRoutes,
};
