// analyze-path: proves that traffic gets from --from to --to (or says exactly where and why it is
// blocked). Default: AWS Reachability Analyzer (path + analysis created, polled, rendered, then
// deleted unless --keep; a subnet, NAT gateway or Lambda source is mapped to an ENI, one analysis
// per Lambda subnet). --local: the offline analyzer on a fresh snapshot (or --snapshot FILE), no paid
// call. --compare: both, and any disagreement printed as a bug report. Exit 0 reachable, 4 not
// reachable, 6 unknown (part of the path was not evaluated: the reasons say what and how to collect it).
import { ec2Api, ec2Of } from "../aws/ec2-api.js";
import { lambdaOf } from "../aws/lambda-api.js";
import { randomUUID } from "node:crypto";
import type { Options } from "./analyze-path.spec.js";
import type { Context } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import type { ComponentRef, PathQuery, PathResult } from "../analysis/analyzer.js";
import type { AnalyzePathReport } from "../output/path.js";
import { combineVerdicts } from "../analysis/path/model.js";
import { intOption, Problems } from "../cli/options.js";
import { closestServices, isKnownService } from "../analysis/services.js";

/** analyze-path's options: its spec's flags (values as typed; checked here, every problem at once); diagram passes some of them. */
export type AnalyzePathOptions = Partial<Options>;

const SOURCE = /^(subnet-[0-9a-z-]+|eni-[0-9a-z-]+|i-[0-9a-z-]+|nat-[0-9a-z-]+|vpce-[0-9a-z-]+|lambda:[A-Za-z0-9_-]{1,64}|internet|internet6|igw-[0-9a-z-]+)$/;
const DEST = /^(igw|internet|internet6|igw-[0-9a-z-]+|eni-[0-9a-z-]+|i-[0-9a-z-]+|vpce-[0-9a-z-]+|service:[a-z0-9.-]+|domain:[A-Za-z0-9.-]+\.?|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;
/** Sources on the internet side: the path is a connection opened from the internet (inbound). */
const INBOUND = /^(internet|internet6|igw-[0-9a-z-]+)$/;
const INBOUND_DEST = /^(eni-[0-9a-z-]+|i-[0-9a-z-]+|subnet-[0-9a-z-]+|[0-9a-fA-F.:]+)$/;

export interface ParsedQuery extends Required<Pick<PathQuery, "source" | "destination" | "protocol" | "port">> {
  /** "local" also when Reachability Analyzer cannot analyze the path (IPv6): the report's `fallback` says so. */
  mode: "local" | "aws" | "compare";
}

/** Checks every flag before any AWS call (exit 2 on bad input). */
export function parseAnalyzeOptions(opts: AnalyzePathOptions): ParsedQuery {
  // Every problem at once (issue 8 item 17), before any AWS call.
  const problems = new Problems();
  if (!opts.from) problems.add("--from is required (subnet-…, eni-…, i-…, nat-…, vpce-…, lambda:NAME, or internet/internet6/igw-… for inbound).");
  else if (!SOURCE.test(opts.from)) problems.add(`--from ${JSON.stringify(opts.from)} is not a source I can analyze.`, "use subnet-…, eni-…, i-…, nat-…, vpce-…, lambda:FUNCTION_NAME, or internet, internet6, igw-… (a connection from the internet)");
  const inbound = !!opts.from && INBOUND.test(opts.from);
  if (!opts.to) problems.add("--to is required (igw, internet, internet6, igw-…, an IP or CIDR, service:NAME, eni-…, i-…, vpce-…).");
  else if (inbound && !INBOUND_DEST.test(opts.to)) problems.add(`--to ${JSON.stringify(opts.to)} cannot be reached from the internet.`, "from internet/internet6/igw-…, --to takes eni-…, i-…, subnet-…, a public IPv4 address or an IPv6 address");
  else if (!inbound && !DEST.test(opts.to)) problems.add(`--to ${JSON.stringify(opts.to)} is not a destination I can analyze.`, "use igw, internet, internet6, igw-…, an IP address or CIDR, service:NAME, eni-…, i-… or vpce-…");
  else if (opts.to.startsWith("service:") && !isKnownService(opts.to.slice("service:".length))) {
    const name = opts.to.slice("service:".length);
    problems.add(`--to service:${name}: unknown AWS service "${name}".`, `closest names: ${closestServices(name).map((x) => `service:${x}`).join(", ")}`, "UnknownService");
  }
  const protocol = (opts.protocol ?? "tcp").toLowerCase();
  if (!["tcp", "udp", "icmp"].includes(protocol)) problems.add(`--protocol must be tcp, udp or icmp, got ${JSON.stringify(opts.protocol)}.`);
  let port = 443;
  if (opts.port !== undefined) {
    try {
      // A destination port: 0 names no service (RA's paths take 1–65535 as a port to reach).
      port = intOption("port", opts.port, 1, 65535);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.add(err.message, err.hint);
    }
  }
  const modes = [opts.local && "local", opts.aws && "aws", opts.compare && "compare"].filter(Boolean) as ParsedQuery["mode"][];
  if (modes.length > 1) problems.add(`--local, --aws and --compare are exclusive; got ${modes.map((m) => `--${m}`).join(" and ")}.`);
  const mode = modes[0] ?? "aws";
  if (opts.snapshot && mode === "aws") problems.add("--snapshot FILE is for --local (or --compare); Reachability Analyzer reads the live account.");
  if (protocol === "icmp" && mode !== "local") problems.add("Reachability Analyzer analyzes tcp and udp only.", "use --local for icmp");
  if (opts.to?.startsWith("domain:") && (mode !== "local" || protocol !== "tcp")) problems.add("--to domain:NAME is decided offline (the proxy's Squid allowlist, NAT and internet gateways): use --local, over tcp.", "egress-cli analyze-path --local --from … --to domain:NAME");
  problems.throwIfAny();
  return { source: opts.from!, destination: opts.to!, protocol: protocol as ParsedQuery["protocol"], port, mode };
}

export async function analyzePathCommand(ctx: Context, opts: AnalyzePathOptions): Promise<number> {
  const q = parseAnalyzeOptions(opts);
  // Reachability Analyzer analyzes IPv4 only (its documentation says so): an IPv6 path is the offline
  // analyzer's, and the answer says so (text and JSON) — never a silent switch.
  const requested = q.mode;
  let fallback = q.mode === "local" ? undefined : raCannotAnalyze(q);
  // An IPv6-only source: read live in the default mode; --compare has the offline analysis to tell.
  if (!fallback && q.mode === "aws") fallback = await ipv6OnlySource(ctx, q);
  let local: PathResult | undefined;
  let snapshot: AnalyzePathReport["snapshot"];
  if (q.mode !== "aws") {
    const r = await analyzeLocally(ctx, q, opts);
    local = r.result;
    snapshot = r.snapshot;
    if (!fallback && q.mode === "compare" && (local.additionalDetails.some((d) => d.startsWith("DNS64_ASSUMED:")) || local.explanations.some((e) => e.code === "DNS64_NOT_ENABLED"))) {
      fallback = `${RA_IPV4_ONLY} ${q.source}: it is IPv6-only (an IPv4 destination is reached through DNS64 and NAT64).`;
    }
  }
  if (fallback) {
    ctx.log.warn(`${fallback} Falling back to the offline analyzer (--local) for this path.`);
    q.mode = "local";
  }
  const report: AnalyzePathReport = { command: "analyze-path", mode: q.mode, from: q.source, to: q.destination, protocol: q.protocol, port: q.port, reachable: false, verdict: "unknown", unknownReasons: [], result: undefined as never };
  if (snapshot) report.snapshot = snapshot;
  if (fallback) report.fallback = { requested: requested === "compare" ? "compare" : "aws", used: "local", reason: fallback };
  if (fallback && !local) {
    const r = await analyzeLocally(ctx, q, opts);
    local = r.result;
    report.snapshot = r.snapshot;
  }
  const privateLink = q.mode === "local" ? undefined : await resourceEndpointOnPath(ctx, q);
  if (q.mode === "local") report.result = local!;
  else if (privateLink) {
    // RA has no path components for Resource endpoints or VPC Lattice: it proves the provider half.
    const half: ParsedQuery = { ...q, source: privateLink.target, destination: "igw", protocol: "tcp", port: 443 };
    ctx.log.warn(
      `AWS Reachability Analyzer has no path components for Resource VPC endpoints or VPC Lattice resource gateways and configurations: it cannot analyze ${q.source} → ${privateLink.endpointId}. ` +
        `Proving the half it can see instead: ${half.source} (the target of ${privateLink.resourceConfigurationId}) → internet gateway, tcp/443.${q.mode === "aws" ? " The whole path: --local." : ""}`,
    );
    const ra = await analyzeWithReachabilityAnalyzer(ctx, half, Boolean(opts.keep));
    report.result = ra.result;
    report.reachabilityAnalyzer = { analyses: ra.analyses, ...(ra.temporaryNetworkInterface ? { temporaryNetworkInterface: ra.temporaryNetworkInterface } : {}) };
    report.privateLink = { ...privateLink, reason: "Reachability Analyzer has no path components for Resource VPC endpoints or VPC Lattice", provenHalf: { from: half.source, to: "igw", protocol: "tcp", port: 443 } };
    if (q.mode === "compare") {
      // Compared on what both engines analyzed (the half); the whole path is the offline analyzer's alone.
      const { analyzePath } = await import("../analysis/analyzer.js");
      const { takeSnapshot } = await import("./snapshot.js");
      const localHalf = opts.snapshot ? undefined : analyzePath(await takeSnapshot(ctx, { allVpcs: true }), { source: half.source, destination: half.destination, protocol: half.protocol, port: half.port });
      const { comparePathResults } = await import("../analysis/reachability.js");
      report.local = local;
      report.disagreements = localHalf ? comparePathResults(localHalf, ra.result) : [];
      const verdict = combineVerdicts([ra.result.verdict, local!.verdict]);
      report.result = { ...ra.result, reachable: verdict === "reachable", verdict, unknownReasons: verdict === "unknown" ? [...ra.result.unknownReasons, ...local!.unknownReasons] : [] };
    }
  } else {
    const ra = await analyzeWithReachabilityAnalyzer(ctx, q, Boolean(opts.keep));
    report.result = ra.result;
    report.reachabilityAnalyzer = { analyses: ra.analyses, ...(ra.temporaryNetworkInterface ? { temporaryNetworkInterface: ra.temporaryNetworkInterface } : {}) };
    if (q.mode === "compare") {
      const { comparePathResults } = await import("../analysis/reachability.js");
      report.local = local;
      report.disagreements = comparePathResults(local!, ra.result);
    }
  }
  report.reachable = report.result.reachable;
  report.verdict = report.result.verdict;
  report.unknownReasons = report.result.unknownReasons;
  if (privateLink && q.mode === "aws") {
    // RA proved another path (the provider half), not the one asked: the asked path is not proven either way.
    report.reachable = false;
    report.verdict = "unknown";
    report.unknownReasons = [
      {
        code: "PRIVATELINK_NOT_EVALUATED",
        component: { id: privateLink.endpointId, type: "AWS::EC2::VPCEndpoint" },
        detail: `Reachability Analyzer has no path components for Resource VPC endpoints or VPC Lattice: it did not analyze ${q.source} → ${privateLink.endpointId} → ${privateLink.resourceConfigurationId} → ${privateLink.resourceGatewayId} → ${privateLink.target}; it analyzed ${privateLink.target} → igw instead (${report.result.verdict})`,
        collect: `analyze-path --local --from ${q.source} --to ${q.destination} --port ${q.port} (the offline analyzer follows PrivateLink), or --compare for both`,
      },
    ];
  }
  if (report.result.hint) report.hint = report.result.hint;
  const { renderAnalyzePath } = await import("../output/path.js");
  ctx.emit(report, (r, c) => renderAnalyzePath(r, c)); // stdout's own colour decision
  return report.verdict === "reachable" ? ExitCode.ok : report.verdict === "unknown" ? ExitCode.unknown : ExitCode.unreachable;
}

/**
 * Why Reachability Analyzer cannot answer this path (then the offline analyzer does), or undefined. RA
 * is IPv4-only: an IPv6 destination (internet6, an IPv6 address or CIDR), an IPv6-only source (whose IPv4
 * destinations go through DNS64/NAT64), and egress-cli does not ask RA about connections from the internet.
 */
const RA_IPV4_ONLY = "AWS Reachability Analyzer analyzes IPv4 only (its documentation says so), so it cannot analyze";

function raCannotAnalyze(q: ParsedQuery): string | undefined {
  if (INBOUND.test(q.source)) return q.source === "internet6" || q.destination.includes(":") ? `${RA_IPV4_ONLY} IPv6 from the internet.` : "egress-cli asks Reachability Analyzer only about paths that start in a VPC; a connection from the internet is analyzed by the offline analyzer.";
  if (q.destination === "internet6" || (q.destination.includes(":") && !q.destination.startsWith("service:"))) return `${RA_IPV4_ONLY} ${q.destination} (IPv6).`;
  return undefined;
}

/** The source's subnet is IPv6-only (read live): why RA cannot analyze it, or undefined. */
async function ipv6OnlySource(ctx: Context, q: ParsedQuery): Promise<string | undefined> {
  // a source that does not exist is reported by the Reachability Analyzer path, with its own message
  const subnets = await sourceSubnets(ctx, q.source).catch(() => []);
  const v6only = subnets.find((s) => s.Ipv6Native || !s.CidrBlock);
  return v6only ? `${RA_IPV4_ONLY} ${q.source}: its subnet ${v6only.SubnetId} is IPv6-only (an IPv4 destination is reached through DNS64 and NAT64).` : undefined;
}

/** The subnets of an analyze-path source (read-only; none when it cannot be told). */
async function sourceSubnets(ctx: Context, source: string): Promise<import("@aws-sdk/client-ec2").Subnet[]> {
  const ec2 = await ec2Of(ctx);
  let ids: string[] = [];
  if (source.startsWith("subnet-")) ids = [source];
  else if (source.startsWith("eni-")) ids = (await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: [source] })).map((e) => e.SubnetId!).filter(Boolean);
  else if (source.startsWith("i-")) ids = (await ec2.describeInstances({ InstanceIds: [source] })).flatMap((r) => r.Instances ?? []).map((i) => i.SubnetId!).filter(Boolean);
  else if (source.startsWith("lambda:")) ids = (await (await lambdaOf(ctx)).getFunctionConfiguration({ FunctionName: source.slice("lambda:".length) })).VpcConfig?.SubnetIds ?? [];
  return ids.length ? ec2.describeSubnets({ SubnetIds: ids }) : [];
}

async function analyzeLocally(ctx: Context, q: ParsedQuery, opts: AnalyzePathOptions): Promise<{ result: PathResult; snapshot: { takenAt: string; file?: string } }> {
  const { analyzePath } = await import("../analysis/analyzer.js");
  const { readSnapshotFile, takeSnapshot } = await import("./snapshot.js");
  const snap = opts.snapshot ? await readSnapshotFile(ctx, opts.snapshot) : await takeSnapshot(ctx, opts.vpc?.length ? { vpc: opts.vpc } : { allVpcs: true });
  let result: PathResult;
  if (q.destination.startsWith("domain:")) {
    // The same answer as `verify` gives for one source (src/verify/domain.ts).
    const [{ analyzeDomain, domainPathResult }, { buildIndex }, { proxiesOf }] = await Promise.all([import("../verify/domain.js"), import("../analysis/analyzer.js"), import("./verify.js")]);
    result = domainPathResult(analyzeDomain(buildIndex(snap), await proxiesOf(ctx, snap), { source: q.source, domain: q.destination.slice("domain:".length), port: q.port }));
  } else result = analyzePath(snap, { source: q.source, destination: q.destination, protocol: q.protocol, port: q.port });
  return { result, snapshot: { takenAt: snap.takenAt, ...(opts.snapshot ? { file: opts.snapshot } : {}) } };
}

// ---------------------------------------------------------------------------------------------
// Resource endpoints (PrivateLink to a VPC Lattice resource configuration, S2)

/**
 * When the destination is a Resource VPC endpoint (by id, its network interface, or its private IP in
 * the source's VPC): the endpoint, its configuration and gateway, and the configuration's target
 * (an instance or network interface of the provider VPC) — what Reachability Analyzer can start from.
 */
async function resourceEndpointOnPath(ctx: Context, q: ParsedQuery): Promise<{ endpointId: string; resourceConfigurationId: string; resourceGatewayId: string; target: string } | undefined> {
  const ec2 = await ec2Of(ctx);
  const endpointOfEni = (e?: import("@aws-sdk/client-ec2").NetworkInterface) => (e?.InterfaceType === "vpc_endpoint" ? /(vpce-[0-9a-f]+)/.exec(e.Description ?? "")?.[1] : undefined);
  let endpointId: string | undefined;
  const d = q.destination;
  try {
    if (d.startsWith("vpce-")) endpointId = d;
    else if (d.startsWith("eni-")) endpointId = endpointOfEni((await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: [d] }))[0]);
    else if (/^\d+\.\d+\.\d+\.\d+(\/32)?$/.test(d)) {
      const vpcId = await sourceVpc(ctx, q.source);
      if (!vpcId) return undefined;
      const r = await ec2.describeNetworkInterfaces({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "addresses.private-ip-address", Values: [d.replace(/\/32$/, "")] }] });
      endpointId = endpointOfEni(r[0]);
    }
    if (!endpointId) return undefined;
    const ep = (await ec2.describeVpcEndpoints({ VpcEndpointIds: [endpointId] }))[0];
    if (ep?.VpcEndpointType !== "Resource" || !ep.ResourceConfigurationArn) return undefined;
    const { latticeOf } = await import("../aws/lattice-api.js");
    const lattice = await latticeOf(ctx);
    const cfg = await lattice.getResourceConfiguration({ resourceConfigurationIdentifier: ep.ResourceConfigurationArn });
    const gw = await lattice.getResourceGateway({ resourceGatewayIdentifier: cfg.resourceGatewayId! });
    const ip = cfg.resourceConfigurationDefinition?.ipResource?.ipAddress;
    if (!ip || !gw.vpcId) return undefined;
    const r = await ec2.describeNetworkInterfaces({ Filters: [{ Name: "vpc-id", Values: [gw.vpcId] }, { Name: "addresses.private-ip-address", Values: [ip] }] });
    const eni = r[0];
    const target = eni?.Attachment?.InstanceId ?? eni?.NetworkInterfaceId;
    return target ? { endpointId, resourceConfigurationId: cfg.id!, resourceGatewayId: gw.id!, target } : undefined;
  } catch (err) {
    // Not a Resource endpoint we can follow (or not visible to these credentials): RA answers as usual.
    const { classifyError } = await import("../aws/errors.js");
    if (["not-found", "invalid", "auth"].includes(classifyError(err))) return undefined;
    throw err;
  }
}

/** The VPC of an analyze-path source (read-only), or undefined when it cannot be told. */
async function sourceVpc(ctx: Context, source: string): Promise<string | undefined> {
  const ec2 = await ec2Of(ctx);
  if (source.startsWith("subnet-")) return (await ec2.describeSubnets({ SubnetIds: [source] }))[0]?.VpcId;
  if (source.startsWith("eni-")) return (await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: [source] }))[0]?.VpcId;
  if (source.startsWith("i-")) return (await ec2.describeInstances({ InstanceIds: [source] }))[0]?.Instances?.[0]?.VpcId;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Reachability Analyzer

interface RaSource {
  /** What RA takes as Source (an ENI, instance or VPC endpoint id). */
  id: string;
  /** A subnet without any interface: a temporary one is created there for the analysis. */
  temporaryIn?: string;
  vpcId: string;
  ref: ComponentRef;
}

interface RaTarget {
  Destination?: string;
  address?: string;
}

async function analyzeWithReachabilityAnalyzer(ctx: Context, q: ParsedQuery, keep: boolean): Promise<{ result: PathResult; analyses: Array<{ source: string; networkInsightsPathId: string; networkInsightsAnalysisId?: string; kept: boolean }>; temporaryNetworkInterface?: string }> {
  const { classifyError, toCliError } = await import("../aws/errors.js");
  const aws = await ctx.aws();
  const ec2 = ec2Api(await aws.ec2());
  const notFound = (what: string) => (err: unknown) => {
    if (classifyError(err) === "not-found" || classifyError(err) === "invalid") throw new UsageError(`${what} does not exist in ${aws.region} (${(err as Error).name}).`, "check the id and --region", "NotFound");
    throw toCliError(err, `looking up ${what}`);
  };

  // 1. Sources and destination, read-only, before anything is created.
  const resolved = await resolveSources(ctx, q.source, notFound);
  const target = await resolveTarget(ctx, q.destination, resolved[0]!.vpcId, notFound);
  if (resolved[0]!.temporaryIn) {
    const { withTemporaryEni } = await import("../engine/temp-eni.js");
    const subnet = resolved[0]!.temporaryIn;
    return withTemporaryEni(ctx, subnet, async (eniId) => {
      const run = await analyzeSources(ctx, q, keep, [{ id: eniId, vpcId: resolved[0]!.vpcId, ref: { id: eniId, type: "AWS::EC2::NetworkInterface" } }], target, ec2);
      // The subnet is what was asked about; the interface was only a stand-in for it.
      return { ...run, result: { ...run.result, source: { id: subnet, type: "AWS::EC2::Subnet" } }, temporaryNetworkInterface: eniId };
    });
  }
  return analyzeSources(ctx, q, keep, resolved, target, ec2);
}

async function analyzeSources(
  ctx: Context,
  q: ParsedQuery,
  keep: boolean,
  sources: RaSource[],
  target: RaTarget,
  ec2: import("../aws/ec2-api.js").Ec2Api,
) {
  const { toCliError } = await import("../aws/errors.js");
  const { fromNetworkInsightsAnalysis } = await import("../analysis/reachability.js");
  const { waitWithSpinner } = await import("../aws/wait.js");

  // 2. One path + analysis per source, run concurrently (at most --max-parallel at once).
  const { bounded } = await import("../dag.js");
  const analyses: Array<{ source: string; networkInsightsPathId: string; networkInsightsAnalysisId?: string; kept: boolean }> = [];
  let results: Array<{ ref: ComponentRef; result: PathResult }> = [];
  let failure: { err: unknown } | undefined;
  const tags = [{ Key: "egress-cli:analyze-path", Value: `${q.source} -> ${q.destination} ${q.protocol}/${q.port}`.slice(0, 256) }];
  const analyse = async (src: RaSource): Promise<{ ref: ComponentRef; result: PathResult }> => {
    const input: import("@aws-sdk/client-ec2").CreateNetworkInsightsPathRequest = {
      Source: src.id,
      Protocol: q.protocol as "tcp" | "udp",
      ClientToken: randomUUID(),
      TagSpecifications: [{ ResourceType: "network-insights-path", Tags: tags }],
      ...(target.Destination ? { Destination: target.Destination } : {}),
      ...(target.address
        ? { FilterAtSource: { DestinationAddress: target.address, DestinationPortRange: { FromPort: q.port, ToPort: q.port } } }
        : { DestinationPort: q.port }),
    };
    const path = await ec2.createNetworkInsightsPath(input).catch((err) => {
      throw toCliError(err, "CreateNetworkInsightsPath");
    });
    const pathId = path.NetworkInsightsPath!.NetworkInsightsPathId!;
    const entry: (typeof analyses)[number] = { source: src.ref.id, networkInsightsPathId: pathId, kept: keep };
    analyses.push(entry);
    const started = await ec2.startNetworkInsightsAnalysis({ NetworkInsightsPathId: pathId, ClientToken: randomUUID(), TagSpecifications: [{ ResourceType: "network-insights-analysis", Tags: tags }] });
    const analysisId = started.NetworkInsightsAnalysis!.NetworkInsightsAnalysisId!;
    entry.networkInsightsAnalysisId = analysisId;
    // Ctrl-C stops the wait at once (waitWithSpinner passes ctx.signal); `finally` still cleans up.
    const analysis = await waitWithSpinner(
      ctx,
      `Reachability Analyzer: ${src.ref.id} → ${q.destination} (${analysisId})`,
      async () => {
        const r = await ec2.describeNetworkInsightsAnalyses({ NetworkInsightsAnalysisIds: [analysisId] });
        const a = r.NetworkInsightsAnalyses?.[0];
        if (a?.Status === "failed") return { done: false, failure: a.StatusMessage ?? "the analysis failed" };
        return { done: a?.Status === "succeeded", value: a, status: a?.Status ?? "running" };
      },
      (a) => `Reachability Analyzer: ${src.ref.id} → ${q.destination}: ${a?.NetworkPathFound ? "path found" : "no path"}`,
    );
    return { ref: src.ref, result: fromNetworkInsightsAnalysis(analysis as never, { source: src.ref, destination: q.destination }) };
  };
  try {
    // every started analysis is let finish (or fail) before cleaning up, so none is left behind
    const settled = await bounded(
      sources.map((src) => async () => {
        if (failure) return undefined;
        try {
          return await analyse(src);
        } catch (err) {
          failure ??= { err };
          return undefined;
        }
      }),
      ctx.concurrency,
    );
    const order = new Map(sources.map((s, i) => [s.ref.id, i]));
    analyses.sort((x, y) => (order.get(x.source) ?? 0) - (order.get(y.source) ?? 0));
    if (failure) throw failure.err;
    results = settled.filter((r): r is { ref: ComponentRef; result: PathResult } => r !== undefined);
  } finally {
    if (!keep) await cleanUp(ctx, ec2, analyses);
  }
  return { result: combine(q, sources, results), analyses };
}

async function cleanUp(ctx: Context, ec2: import("../aws/ec2-api.js").Ec2Api, analyses: Array<{ networkInsightsPathId: string; networkInsightsAnalysisId?: string }>) {
  for (const a of analyses) {
    try {
      if (a.networkInsightsAnalysisId) await ec2.deleteNetworkInsightsAnalysis({ NetworkInsightsAnalysisId: a.networkInsightsAnalysisId });
      await ec2.deleteNetworkInsightsPath({ NetworkInsightsPathId: a.networkInsightsPathId });
    } catch (err) {
      ctx.log.warn(`could not delete ${a.networkInsightsAnalysisId ?? ""} ${a.networkInsightsPathId}: ${(err as Error).name}: ${(err as Error).message} (delete it in the VPC console → Reachability Analyzer)`);
    }
  }
}

function combine(q: ParsedQuery, sources: RaSource[], results: Array<{ ref: ComponentRef; result: PathResult }>): PathResult {
  const verdict = combineVerdicts(results.map((r) => r.result.verdict));
  const primary = results.find((r) => r.result.verdict === "unreachable") ?? results.find((r) => r.result.verdict === "unknown") ?? results[0]!;
  const out: PathResult = { ...primary.result, reachable: verdict === "reachable", verdict, unknownReasons: verdict === "unknown" ? results.flatMap((r) => r.result.unknownReasons) : [], destination: q.destination };
  if (q.source.startsWith("lambda:")) {
    out.source = { id: q.source, type: "AWS::Lambda::Function" };
    if (results.length > 1) out.paths = results.map((r) => ({ source: r.ref, reachable: r.result.reachable, verdict: r.result.verdict, unknownReasons: r.result.unknownReasons, hops: r.result.hops, explanations: r.result.explanations, additionalDetails: [] }));
  }
  void sources;
  return out;
}

type NotFoundHandler = (what: string) => (err: unknown) => never;

async function resolveSources(ctx: Context, source: string, notFound: NotFoundHandler): Promise<RaSource[]> {
  const ec2 = await ec2Of(ctx);
  const eniRef = (id: string): ComponentRef => ({ id, type: "AWS::EC2::NetworkInterface" });
  if (source.startsWith("eni-")) {
    const r = await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: [source] }).catch(notFound(`network interface ${source}`));
    return [{ id: source, vpcId: r[0]!.VpcId!, ref: eniRef(source) }];
  }
  if (source.startsWith("i-")) {
    const r = await ec2.describeInstances({ InstanceIds: [source] }).catch(notFound(`instance ${source}`));
    const inst = r[0]?.Instances?.[0];
    if (!inst) throw new UsageError(`instance ${source} does not exist in this region.`);
    return [{ id: source, vpcId: inst.VpcId!, ref: { id: source, type: "AWS::EC2::Instance" } }];
  }
  if (source.startsWith("vpce-")) {
    const r = await ec2.describeVpcEndpoints({ VpcEndpointIds: [source] }).catch(notFound(`VPC endpoint ${source}`));
    return [{ id: source, vpcId: r[0]!.VpcId!, ref: { id: source, type: "AWS::EC2::VPCEndpoint" } }];
  }
  if (source.startsWith("nat-")) {
    const r = await ec2.describeNatGateways({ NatGatewayIds: [source] }).catch(notFound(`NAT gateway ${source}`));
    const nat = r[0];
    const eni = nat?.NatGatewayAddresses?.find((a) => a.IsPrimary)?.NetworkInterfaceId ?? nat?.NatGatewayAddresses?.[0]?.NetworkInterfaceId;
    if (!nat || !eni) throw new UsageError(`NAT gateway ${source} has no network interface (state ${nat?.State ?? "unknown"}).`);
    // RA does not take a NAT gateway as a source: its network interface stands for it.
    return [{ id: eni, vpcId: nat.VpcId!, ref: eniRef(eni) }];
  }
  if (source.startsWith("subnet-")) {
    const s = await ec2.describeSubnets({ SubnetIds: [source] }).catch(notFound(`subnet ${source}`));
    const vpcId = s[0]!.VpcId!;
    const r = await ec2.describeNetworkInterfaces({ Filters: [{ Name: "subnet-id", Values: [source] }] });
    // Any workload ENI in the subnet (RA needs a concrete interface); a NAT's or endpoint's only as a last resort.
    const rank = (t?: string) => (t === "interface" || t === undefined ? 0 : t === "lambda" ? 1 : 2);
    // A temporary interface a crashed run left is no workload: it is swept, and a fresh one used.
    const leftover = (e: { TagSet?: { Key?: string; Value?: string }[] }) => e.TagSet?.some((t) => t.Key === "egress-cli:step" && t.Value?.startsWith("analyze-path/temporary-eni/"));
    const eni = [...r].filter((e) => !leftover(e)).sort((a, b) => rank(a.InterfaceType) - rank(b.InterfaceType))[0];
    if (!eni) return [{ id: "", vpcId, ref: { id: source, type: "AWS::EC2::Subnet" }, temporaryIn: source }];
    return [{ id: eni.NetworkInterfaceId!, vpcId, ref: eniRef(eni.NetworkInterfaceId!) }];
  }
  // lambda:NAME → the function's hyperplane ENIs, one per subnet (the function may run in any).
  const name = source.slice("lambda:".length);
  const lambda = await lambdaOf(ctx);
  const fn = await lambda.getFunctionConfiguration({ FunctionName: name }).catch(notFound(`Lambda function ${name}`));
  const subnets = fn.VpcConfig?.SubnetIds ?? [];
  const groups = [...(fn.VpcConfig?.SecurityGroupIds ?? [])].sort();
  if (!subnets.length) throw new UsageError(`Lambda function ${name} is not attached to a VPC.`, "attach it first: egress-cli attach-lambda --function " + name);
  const r = await ec2.describeNetworkInterfaces({ Filters: [{ Name: "interface-type", Values: ["lambda"] }, { Name: "subnet-id", Values: subnets }] });
  const out: RaSource[] = [];
  for (const subnetId of subnets) {
    const eni = r.find((e) => e.SubnetId === subnetId && JSON.stringify((e.Groups ?? []).map((g) => g.GroupId).sort()) === JSON.stringify(groups));
    if (!eni) {
      throw new CliError(
        `Lambda function ${name} has no hyperplane network interface in ${subnetId} yet, and Reachability Analyzer needs one as the source.`,
        ExitCode.failure,
        "Lambda creates them when the function is attached (wait for LastUpdateStatus Successful), or use --local, which analyzes a virtual one.",
        "NoSourceInterface",
      );
    }
    out.push({ id: eni.NetworkInterfaceId!, vpcId: eni.VpcId!, ref: eniRef(eni.NetworkInterfaceId!) });
  }
  return out;
}

async function resolveTarget(ctx: Context, destination: string, vpcId: string, notFound: NotFoundHandler): Promise<RaTarget> {
  const ec2 = await ec2Of(ctx);
  const vpcIgw = async (): Promise<RaTarget> => {
    const r = await ec2.describeInternetGateways({ Filters: [{ Name: "attachment.vpc-id", Values: [vpcId] }] });
    const igw = r[0]?.InternetGatewayId;
    // No internet gateway: ask for the internet address range; RA then explains why it is unreachable.
    return igw ? { Destination: igw } : { address: "0.0.0.0/0" };
  };
  if (destination === "igw" || destination === "internet" || destination === "0.0.0.0/0") return vpcIgw();
  if (destination.startsWith("igw-")) {
    await ec2.describeInternetGateways({ InternetGatewayIds: [destination] }).catch(notFound(`internet gateway ${destination}`));
    return { Destination: destination };
  }
  if (destination.startsWith("eni-")) {
    await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: [destination] }).catch(notFound(`network interface ${destination}`));
    return { Destination: destination };
  }
  if (destination.startsWith("i-")) {
    await ec2.describeInstances({ InstanceIds: [destination] }).catch(notFound(`instance ${destination}`));
    return { Destination: destination };
  }
  if (destination.startsWith("vpce-")) {
    await ec2.describeVpcEndpoints({ VpcEndpointIds: [destination] }).catch(notFound(`VPC endpoint ${destination}`));
    return { Destination: destination };
  }
  if (destination.startsWith("service:")) {
    const name = destination.slice("service:".length);
    const serviceName = name.startsWith("com.amazonaws.") ? name : `com.amazonaws.${(await ctx.aws()).region}.${name}`;
    const r = await ec2.describeVpcEndpoints({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "service-name", Values: [serviceName] }] });
    const eps = r;
    const pick = eps.find((e) => e.VpcEndpointType === "Interface" && e.PrivateDnsEnabled) ?? eps.find((e) => e.VpcEndpointType === "Gateway");
    if (pick) return { Destination: pick.VpcEndpointId! };
    return vpcIgw(); // no usable endpoint: the service's public endpoint, over the internet path
  }
  const address = destination.replace(/\/(32|128)$/, "");
  return { address };
}
