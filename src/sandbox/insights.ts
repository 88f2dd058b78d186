// Reachability Analyzer in the sandbox: CreateNetworkInsightsPath, DescribeNetworkInsightsPaths,
// DeleteNetworkInsightsPath, StartNetworkInsightsAnalysis, DescribeNetworkInsightsAnalyses and
// DeleteNetworkInsightsAnalysis, answered by our own analyzer over the region's state (built with
// the sandbox's own Describe handlers, see snapshot-state.ts) in RA's response shapes.
// Also the read-only EC2 operations for resource types the sandbox cannot create (they exist only
// when imported from a snapshot): DescribeFlowLogs (egress-only internet gateways: ec2-ipv6.ts; instances,
// imported ones included: ec2-instances.ts; peering and transit gateways: ec2-transit.ts).
import { nameTag, registerInventory } from "./inventory.js";
import { analyzePath, type PathQuery } from "../analysis/analyzer.js";
import { toNetworkInsightsAnalysis } from "../analysis/reachability.js";
import { UsageError } from "../errors.js";
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler, LooseInput } from "./handler.js";
import { newId } from "./model.js";
import { applyFilters, fingerprint, paginate, tagsFromSpecs, tagsOut, type FilterFns } from "./query.js";
import { overlay, regionSnapshot } from "./snapshot-state.js";

interface PathRec {
  NetworkInsightsPathId: string;
  Source: string;
  Destination?: string;
  SourceIp?: string;
  DestinationIp?: string;
  Protocol: string;
  DestinationPort?: number;
  FilterAtSource?: { DestinationAddress?: string; DestinationPortRange?: { FromPort?: number; ToPort?: number } };
  Tags: { Key: string; Value: string }[];
  _createdAt: number;
}

interface AnalysisRec {
  NetworkInsightsAnalysisId: string;
  NetworkInsightsPathId: string;
  Tags: { Key: string; Value: string }[];
  _startedAt: number;
  _readyAt: number;
  result: Record<string, unknown>;
}

interface InsightsStore {
  paths: Record<string, PathRec>;
  analyses: Record<string, AnalysisRec>;
}

/** RA takes 40–110 s on AWS; realistic latency mode scales it like NAT gateway creation. */
const ANALYSIS_MS = 60_000;
const NAT_CREATE_MS = 90_000;

function store(ctx: OpContext): InsightsStore {
  return (ctx.rs.ext.insights ??= { paths: {}, analyses: {} }) as InsightsStore;
}

const arn = (ctx: OpContext, type: string, id: string) => `arn:aws:ec2:${ctx.region}:${ctx.accountId}:${type}/${id}`;

function pathView(ctx: OpContext, p: PathRec) {
  return {
    NetworkInsightsPathId: p.NetworkInsightsPathId,
    NetworkInsightsPathArn: arn(ctx, "network-insights-path", p.NetworkInsightsPathId),
    CreatedDate: new Date(p._createdAt),
    Source: p.Source,
    SourceArn: arn(ctx, "resource", p.Source),
    ...(p.Destination ? { Destination: p.Destination, DestinationArn: arn(ctx, "resource", p.Destination) } : {}),
    ...(p.SourceIp ? { SourceIp: p.SourceIp } : {}),
    ...(p.DestinationIp ? { DestinationIp: p.DestinationIp } : {}),
    Protocol: p.Protocol,
    ...(p.DestinationPort !== undefined ? { DestinationPort: p.DestinationPort } : {}),
    ...(p.FilterAtSource ? { FilterAtSource: p.FilterAtSource } : {}),
    ...tagsOut(p.Tags),
  };
}

const SUPPORTED = /^(eni|i|igw|vpce|pcx|tgw|vgw|tgw-attach)-/;

function checkResource(ctx: OpContext, id: unknown, param: string, ids: Set<string>): string | undefined {
  if (id === undefined || id === null || id === "") return undefined;
  const s = String(id);
  const bare = s.startsWith("arn:") ? s.slice(s.lastIndexOf("/") + 1) : s;
  if (!SUPPORTED.test(bare)) {
    throw awsError("InvalidParameterValue", `The ${param} ${s} is not a supported resource type. Supported: instance, network interface, internet gateway, VPC endpoint, VPC peering connection, transit gateway, VPN gateway.`);
  }
  if (!ids.has(bare)) throw awsError("InvalidParameterValue", `The ${param} resource ${s} does not exist.`);
  return bare;
}

const CreateNetworkInsightsPath: RecordOpHandler<"ec2", "CreateNetworkInsightsPath"> = (ctx) => {
  const i = ctx.input;
  if (!i.Source) throw awsError("MissingParameter", "The request must contain the parameter Source");
  if (!i.Protocol) throw awsError("MissingParameter", "The request must contain the parameter Protocol");
  if (i.Protocol !== "tcp" && i.Protocol !== "udp") throw awsError("InvalidParameterValue", `Value (${i.Protocol}) for parameter protocol is invalid. Valid values: tcp, udp.`);
  if (!i.Destination && !i.DestinationIp && !i.FilterAtSource?.DestinationAddress) {
    throw awsError("InvalidParameterCombination", "You must specify a destination or a destination address in FilterAtSource.");
  }
  if (i.FilterAtSource && (i.SourceIp || i.DestinationPort !== undefined)) {
    throw awsError("InvalidParameterCombination", "FilterAtSource cannot be combined with SourceIp or DestinationPort.");
  }
  const port = i.DestinationPort;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw awsError("InvalidParameterValue", `Value (${port}) for parameter destinationPort is invalid.`);
  const snap = regionSnapshot(ctx);
  const ids = new Set<string>([
    ...snap.networkInterfaces.map((e) => e.NetworkInterfaceId),
    ...snap.instances.map((x) => x.InstanceId),
    ...snap.internetGateways.map((g) => g.InternetGatewayId),
    ...snap.vpcEndpoints.map((e) => e.VpcEndpointId),
    ...snap.vpcPeeringConnections.map((p) => p.VpcPeeringConnectionId),
    ...(snap.transitGatewayAttachments ?? []).flatMap((a) => [a.TransitGatewayAttachmentId, a.TransitGatewayId ?? ""]),
  ]);
  const source = checkResource(ctx, i.Source, "source", ids)!;
  const destination = checkResource(ctx, i.Destination, "destination", ids);
  const tags = tagsFromSpecs(i.TagSpecifications, "network-insights-path");
  const s = store(ctx);
  const tokenKey = i.ClientToken ? `CreateNetworkInsightsPath:${i.ClientToken}` : undefined;
  if (tokenKey && ctx.rs.clientTokens[tokenKey]) {
    const prior = ctx.rs.clientTokens[tokenKey]!;
    if (prior.fingerprint !== fingerprint(i)) throw awsError("IdempotentParameterMismatch", "The client token you have provided is associated with a request for a different set of parameters.");
    const p = s.paths[prior.id];
    if (p) return { NetworkInsightsPath: pathView(ctx, p) };
  }
  ctx.dry();
  const rec: PathRec = {
    NetworkInsightsPathId: newId("nip"),
    Source: source,
    ...(destination ? { Destination: destination } : {}),
    ...(i.SourceIp ? { SourceIp: String(i.SourceIp) } : {}),
    ...(i.DestinationIp ? { DestinationIp: String(i.DestinationIp) } : {}),
    Protocol: i.Protocol,
    ...(port !== undefined ? { DestinationPort: port } : {}),
    ...(i.FilterAtSource ? { FilterAtSource: structuredClone(i.FilterAtSource) } : {}),
    Tags: tags,
    _createdAt: ctx.now,
  };
  s.paths[rec.NetworkInsightsPathId] = rec;
  if (tokenKey) ctx.rs.clientTokens[tokenKey] = { fingerprint: fingerprint(i), id: rec.NetworkInsightsPathId };
  ctx.mutated();
  return { NetworkInsightsPath: pathView(ctx, rec) };
};

function getPath(ctx: OpContext, id: unknown): PathRec {
  const p = typeof id === "string" ? store(ctx).paths[id] : undefined;
  if (!p) throw awsError("InvalidNetworkInsightsPathId.NotFound", `The network insights path '${String(id)}' does not exist.`);
  return p;
}

const DescribeNetworkInsightsPaths: RecordOpHandler<"ec2", "DescribeNetworkInsightsPaths"> = (ctx) => {
  const ids: string[] | undefined = ctx.input.NetworkInsightsPathIds;
  const all = Object.values(store(ctx).paths);
  if (ids?.length) ids.forEach((id) => getPath(ctx, id));
  const fns: FilterFns<PathRec> = { source: (p) => [p.Source], destination: (p) => [p.Destination], protocol: (p) => [p.Protocol], "destination-port": (p) => [p.DestinationPort] };
  const items = applyFilters(ids?.length ? all.filter((p) => ids.includes(p.NetworkInsightsPathId)) : all, ctx.input.Filters, fns, (p) => p.Tags);
  const { page, NextToken } = paginate(items, ctx.input, "DescribeNetworkInsightsPaths");
  return { NetworkInsightsPaths: page.map((p) => pathView(ctx, p)), ...(NextToken ? { NextToken } : {}) };
};

const DeleteNetworkInsightsPath: OpHandler<"ec2", "DeleteNetworkInsightsPath"> = (ctx) => {
  const p = getPath(ctx, ctx.input.NetworkInsightsPathId);
  const s = store(ctx);
  if (Object.values(s.analyses).some((a) => a.NetworkInsightsPathId === p.NetworkInsightsPathId)) {
    throw awsError("DependencyViolation", `The network insights path '${p.NetworkInsightsPathId}' has analyses; delete them first.`);
  }
  ctx.dry();
  delete s.paths[p.NetworkInsightsPathId];
  ctx.mutated();
  return { NetworkInsightsPathId: p.NetworkInsightsPathId };
};

/** The path as the analyzer's query; RA's gateway-endpoint destination means "the service". */
function queryOf(ctx: OpContext, p: PathRec, snap: ReturnType<typeof regionSnapshot>): PathQuery {
  const port = p.DestinationPort ?? p.FilterAtSource?.DestinationPortRange?.FromPort;
  const q: PathQuery = { source: p.Source, destination: "", protocol: p.Protocol as "tcp" | "udp", ...(port !== undefined ? { port } : {}) };
  const address = p.DestinationIp ?? p.FilterAtSource?.DestinationAddress;
  if (p.Destination?.startsWith("vpce-")) {
    const ep = snap.vpcEndpoints.find((e) => e.VpcEndpointId === p.Destination);
    // As the service it fronts (the analyzer then also checks the endpoint's state and AZ), when
    // that is how traffic reaches it: a gateway endpoint, or an interface endpoint with private DNS.
    const asService = ep?.ServiceName && (ep.VpcEndpointType === "Gateway" || ep.PrivateDnsEnabled);
    q.destination = asService ? `service:${ep.ServiceName}` : p.Destination;
  } else if (p.Destination && !address) q.destination = p.Destination;
  else if (address) q.destination = /\/0$/.test(address) ? (address.includes(":") ? "::/0" : "internet") : address;
  else q.destination = p.Destination ?? "";
  void ctx;
  return q;
}

const StartNetworkInsightsAnalysis: OpHandler<"ec2", "StartNetworkInsightsAnalysis"> = (ctx) => {
  const p = getPath(ctx, ctx.input.NetworkInsightsPathId);
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "network-insights-analysis");
  ctx.dry();
  const snap = regionSnapshot(ctx);
  let result: Record<string, unknown>;
  try {
    const r = analyzePath(snap, queryOf(ctx, p, snap));
    result = { Status: "succeeded", ...toNetworkInsightsAnalysis(r, { region: ctx.region, accountId: ctx.accountId }) };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    result = { Status: "failed", StatusMessage: err.message };
  }
  const scale = ctx.timing.natCreateMs / NAT_CREATE_MS;
  const rec: AnalysisRec = {
    NetworkInsightsAnalysisId: newId("nia"),
    NetworkInsightsPathId: p.NetworkInsightsPathId,
    Tags: tags,
    _startedAt: ctx.now,
    _readyAt: ctx.now + Math.round(ANALYSIS_MS * scale),
    result,
  };
  store(ctx).analyses[rec.NetworkInsightsAnalysisId] = rec;
  ctx.mutated();
  return { NetworkInsightsAnalysis: analysisView(ctx, rec, true) };
};

function analysisView(ctx: OpContext, a: AnalysisRec, justStarted = false) {
  const running = justStarted || ctx.now < a._readyAt;
  return {
    NetworkInsightsAnalysisId: a.NetworkInsightsAnalysisId,
    NetworkInsightsAnalysisArn: arn(ctx, "network-insights-analysis", a.NetworkInsightsAnalysisId),
    NetworkInsightsPathId: a.NetworkInsightsPathId,
    StartDate: new Date(a._startedAt),
    ...(running ? { Status: "running" } : a.result),
    ...tagsOut(a.Tags),
  };
}

const DescribeNetworkInsightsAnalyses: OpHandler<"ec2", "DescribeNetworkInsightsAnalyses"> = (ctx) => {
  const s = store(ctx);
  const ids: string[] | undefined = ctx.input.NetworkInsightsAnalysisIds;
  for (const id of ids ?? []) if (!s.analyses[id]) throw awsError("InvalidNetworkInsightsAnalysisId.NotFound", `The network insights analysis '${id}' does not exist.`);
  let items = Object.values(s.analyses);
  if (ids?.length) items = items.filter((a) => ids.includes(a.NetworkInsightsAnalysisId));
  if (ctx.input.NetworkInsightsPathId) items = items.filter((a) => a.NetworkInsightsPathId === ctx.input.NetworkInsightsPathId);
  const fns: FilterFns<AnalysisRec> = { status: (a) => [(analysisView(ctx, a) as { Status?: string }).Status], "path-found": (a) => [String(a.result.NetworkPathFound)] };
  items = applyFilters(items, ctx.input.Filters, fns, (a) => a.Tags);
  const { page, NextToken } = paginate(items, ctx.input, "DescribeNetworkInsightsAnalyses", { min: 1, max: 100 });
  return { NetworkInsightsAnalyses: page.map((a) => analysisView(ctx, a)), ...(NextToken ? { NextToken } : {}) };
};

const DeleteNetworkInsightsAnalysis: OpHandler<"ec2", "DeleteNetworkInsightsAnalysis"> = (ctx) => {
  const id = ctx.input.NetworkInsightsAnalysisId;
  const s = store(ctx);
  if (typeof id !== "string" || !s.analyses[id]) throw awsError("InvalidNetworkInsightsAnalysisId.NotFound", `The network insights analysis '${String(id)}' does not exist.`);
  ctx.dry();
  delete s.analyses[id];
  ctx.mutated();
  return { NetworkInsightsAnalysisId: id };
};

// ---------------------------------------------------------------------------------------------
// Read-only operations for resource types that exist only when imported from a snapshot

function readOnly(key: string, overlayType: Parameters<typeof overlay>[1], idField: string, fns: FilterFns<any>, idsParam?: string): (ctx: OpContext) => LooseInput {
  // one factory for several operations, each with its own result key: typed loosely (records come from a snapshot)
  return (ctx) => {
    let items = overlay(ctx.rs, overlayType);
    const ids: string[] | undefined = idsParam ? ctx.input[idsParam] : undefined;
    if (ids?.length) items = items.filter((x) => ids.includes(x[idField]));
    items = applyFilters(items, ctx.input.Filters ?? ctx.input.Filter, fns, (x) => x.Tags ?? []);
    const { page, NextToken } = paginate(items, ctx.input, key);
    return { [key]: structuredClone(page), ...(NextToken ? { NextToken } : {}) };
  };
}

export const insightsOps: Ops<"ec2"> = {
  CreateNetworkInsightsPath,
  DescribeNetworkInsightsPaths,
  DeleteNetworkInsightsPath,
  StartNetworkInsightsAnalysis,
  DescribeNetworkInsightsAnalyses,
  DeleteNetworkInsightsAnalysis,
  DescribeFlowLogs: readOnly("FlowLogs", "flowLogs", "FlowLogId", { "resource-id": (f) => [f.ResourceId] }, "FlowLogIds"),
};

registerInventory("instances", (rs) =>
  Object.values((rs.ext.instances ?? {}) as Record<string, { InstanceId: string; VpcId?: string; SubnetId?: string; PrivateIpAddress?: string; State?: { Name?: string }; Tags?: { Key: string; Value: string }[] }>).map((i) => ({
    vpcId: i.VpcId,
    item: { id: i.InstanceId, ...(nameTag(i.Tags) ? { name: nameTag(i.Tags) } : {}), ...(i.State?.Name ? { state: i.State.Name } : {}), detail: `${i.PrivateIpAddress ?? "?"} in ${i.SubnetId ?? "?"}${i.State?.Name ? ` (${i.State.Name})` : ""}` },
  })),
);
