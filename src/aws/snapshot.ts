// The snapshot collector: one paginated Describe/List pass per resource type (never one call per
// resource; every page through the SDK's paginators in the service interfaces, MaxResults at the
// most AWS allows, so the call count depends on the pages, not on the VPCs), run concurrently
// (at most `concurrency` at once: --max-parallel), written straight into the Snapshot document (src/analysis/snapshot.ts,
// documented in SNAPSHOT.md). The SDK's shapes are kept; only `$metadata` is dropped and Dates
// become ISO strings. Resource types that only refine an answer (endpoints, Lambda, flow logs…)
// may be unavailable to the caller (AccessDenied, an AWS-compatible endpoint that lacks the call):
// they are recorded in `omitted` and the snapshot is still written; the core types must succeed.
import type { EC2Client, Filter } from "@aws-sdk/client-ec2";
import type { AwsClients } from "./clients.js";
import { classifyError, errorCode, toCliError } from "./errors.js";
import { listAddresses, listInternetGateways, listNatGateways, listRouteTables, listSecurityGroups, listSubnets, listVpcs, orUndefined } from "./ec2.js";
import { CliError, UsageError } from "../errors.js";
import { bounded } from "../dag.js";
import { adoptSnapshot, SNAPSHOT_VERSION, type Snapshot } from "../analysis/snapshot.js";
import { ec2Api } from "./ec2-api.js";
import { lambdaApi } from "./lambda-api.js";
import { latticeApi } from "./lattice-api.js";

export interface SnapshotScope {
  /** Only these VPCs (validated); undefined = every VPC in the region. */
  vpcIds?: string[];
}

/** A resource type that could not be read; the snapshot is complete except for it. */
export interface Omission {
  resource: string;
  operation: string;
  code: string;
  message: string;
}

export interface CollectOptions {
  concurrency?: number;
  onProgress?: (done: number, total: number, resource: string) => void;
}

export type CollectedSnapshot = Snapshot & { scope: { vpcIds: string[] | "all" }; omitted: Omission[] };

/**
 * Makes an SDK answer JSON-clean, as a JSON round trip would: drops `$metadata` and undefined members,
 * turns Dates into ISO strings (undefined in a list into null). In place because the answers are ours
 * alone (fresh from the SDK; a copy of the 1× account's answers cost ~80 ms), except that an object with
 * a member to drop is replaced by a copy without it: `delete` of a member that is not the last one
 * turns a V8 object into a hash table several times its size, and the snapshot is held for the whole
 * run (the sandbox's ENI views leave some members undefined: 52,000 of them at 10×).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function plain(value: unknown): any {
  return value !== null && typeof value === "object" ? clean(value as Record<string, unknown>) : value;
}

function clean(o: Record<string, unknown> | unknown[]): Record<string, unknown> | unknown[] {
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const x = o[i];
      if (x === undefined) o[i] = null;
      else if (x instanceof Date) o[i] = x.toJSON();
      else if (x !== null && typeof x === "object") o[i] = clean(x as Record<string, unknown>);
    }
    return o;
  }
  let drop = false;
  for (const k in o) {
    const x = o[k];
    if (x === undefined || k === "$metadata") drop = true;
    else if (x instanceof Date) o[k] = x.toJSON();
    else if (x !== null && typeof x === "object") o[k] = clean(x as Record<string, unknown>);
  }
  if (!drop) return o;
  const copy: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined && k !== "$metadata") copy[k] = o[k];
  return copy;
}

const vpcFilter = (name: string, vpcIds: string[] | undefined): Filter[] | undefined => (vpcIds ? [{ Name: name, Values: vpcIds }] : undefined);

/** Operations a caller may legitimately lack (permissions, or an endpoint that does not implement them). */
function isUnavailable(err: unknown): boolean {
  const code = errorCode(err);
  const cls = classifyError(err);
  return (
    cls === "auth" ||
    ["InvalidAction", "UnknownOperationException", "UnsupportedOperation", "NotImplemented", "OptInRequired", "UnknownOperation", "InvalidClientTokenId"].includes(code) ||
    answeredWithoutData(err)
  );
}

/**
 * An endpoint that does not offer the service answers with something other than its data: a 404 (or
 * 501) page, HTML or another body the SDK cannot parse, or no such host. That is permanent — the
 * service is absent there (LocalStack's free edition, moto, a region without it) — never transient.
 */
export function answeredWithoutData(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number }; $response?: { statusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
  if (status === 404 || status === 501) return true;
  if (e?.name === "SyntaxError" || /Unexpected token|Deserialization error|is not valid JSON|Expected .*XML|char '<'/i.test(e?.message ?? "")) return true;
  return e?.code === "ENOTFOUND" || e?.name === "ENOTFOUND";
}

/**
 * A task of several calls names the one that failed in `omitted` (on moto, SearchTransitGatewayRoutes fails
 * while DescribeTransitGateways answers: "DescribeTransitGateways failed" would send the user after the wrong permission).
 */
async function failingAs<T>(operation: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err && typeof err === "object") (err as { failedOperation?: string }).failedOperation ??= operation;
    throw err;
  }
}

export async function collectSnapshot(aws: AwsClients, scope: SnapshotScope = {}, opts: CollectOptions = {}): Promise<CollectedSnapshot> {
  const ec2 = await aws.ec2();
  const reads = ec2Api(ec2);
  let vpcIds = scope.vpcIds;
  if (vpcIds && vpcIds.length) {
    const found = await listVpcs(reads, undefined, vpcIds).catch((err) => {
      if (classifyError(err) === "not-found") throw new UsageError(`${errorCode(err)}: ${(err as Error).message}`, "check the VPC id(s) and the region (--region)", "VpcNotFound");
      throw toCliError(err, "DescribeVpcs");
    });
    vpcIds = found.map((v) => v.VpcId!);
  } else vpcIds = undefined;
  const inScope = (vpcId: string | undefined) => !vpcIds || (vpcId !== undefined && vpcIds.includes(vpcId));

  const limit = Math.max(1, opts.concurrency ?? 4);
  const omitted: Omission[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const snap: Record<string, any> = {
    version: SNAPSHOT_VERSION,
    takenAt: new Date().toISOString(),
    region: aws.region,
    accountId: "",
    scope: { vpcIds: vpcIds ?? "all" },
    omitted,
  };

  type Task = { resource: string; operation: string; required: boolean; run: () => Promise<void> };
  const t = (resource: string, operation: string, required: boolean, run: () => Promise<void>): Task => ({ resource, operation, required, run });
  const tasks: Task[] = [
    t("accountId", "sts:GetCallerIdentity", true, async () => void (snap.accountId = await aws.accountId())),
    t("vpcs", "DescribeVpcs", true, async () => void (snap.vpcs = plain(await listVpcs(reads, undefined, vpcIds)))),
    t("subnets", "DescribeSubnets", true, async () => void (snap.subnets = plain(await listSubnets(reads, vpcFilter("vpc-id", vpcIds))))),
    t("routeTables", "DescribeRouteTables", true, async () => void (snap.routeTables = plain(await listRouteTables(reads, vpcFilter("vpc-id", vpcIds))))),
    t("internetGateways", "DescribeInternetGateways", true, async () => void (snap.internetGateways = plain(await listInternetGateways(reads, vpcFilter("attachment.vpc-id", vpcIds))))),
    t("natGateways", "DescribeNatGateways", true, async () => void (snap.natGateways = plain(await listNatGateways(reads, vpcFilter("vpc-id", vpcIds))))),
    t("addresses", "DescribeAddresses", true, async () => void (snap.addresses = plain(await listAddresses(reads)))),
    t("securityGroups", "DescribeSecurityGroups", true, async () => void (snap.securityGroups = plain(await listSecurityGroups(reads, vpcFilter("vpc-id", vpcIds))))),
    t("networkAcls", "DescribeNetworkAcls", true, async () => {
      snap.networkAcls = plain(await reads.describeNetworkAcls({ Filters: vpcFilter("vpc-id", vpcIds), MaxResults: 100 }));
    }),
    t("networkInterfaces", "DescribeNetworkInterfaces", true, async () => {
      snap.networkInterfaces = plain(await reads.describeNetworkInterfaces({ Filters: vpcFilter("vpc-id", vpcIds), MaxResults: 1000 }));
    }),
    t("instances", "DescribeInstances", false, async () => {
      const reservations = await reads.describeInstances({ Filters: vpcFilter("vpc-id", vpcIds), MaxResults: 1000 });
      snap.instances = plain(reservations.flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== "terminated"));
    }),
    t("vpcEndpoints", "DescribeVpcEndpoints", false, async () => {
      snap.vpcEndpoints = plain(await reads.describeVpcEndpoints({ Filters: vpcFilter("vpc-id", vpcIds), MaxResults: 1000 }));
    }),
    t("egressOnlyInternetGateways", "DescribeEgressOnlyInternetGateways", false, async () => {
      const all = await reads.describeEgressOnlyInternetGateways({ MaxResults: 255 });
      snap.egressOnlyInternetGateways = plain(all.filter((g) => (g.Attachments ?? []).some((a) => inScope(a.VpcId))));
    }),
    t("managedPrefixLists", "DescribeManagedPrefixLists", false, async () => {
      const lists = await reads.describeManagedPrefixLists({ MaxResults: 100 });
      // Entries are per list (the only per-resource call): few lists, bounded concurrency.
      snap.managedPrefixLists = await bounded(
        lists.map((pl) => async () => {
          const entries = await reads.getManagedPrefixListEntries({ PrefixListId: pl.PrefixListId, MaxResults: 100 });
          return { ...plain(pl), Cidrs: entries.map((e) => e.Cidr!).filter(Boolean) };
        }),
        limit,
      );
    }),
    t("vpcPeeringConnections", "DescribeVpcPeeringConnections", false, async () => {
      const all = await reads.describeVpcPeeringConnections({ MaxResults: 1000 });
      snap.vpcPeeringConnections = plain(all.filter((p) => inScope(p.RequesterVpcInfo?.VpcId) || inScope(p.AccepterVpcInfo?.VpcId)));
    }),
    t("transitGatewayAttachments", "DescribeTransitGatewayAttachments", false, async () => {
      const filters = [{ Name: "resource-type", Values: ["vpc"] }, ...(vpcIds ? [{ Name: "resource-id", Values: vpcIds }] : [])];
      snap.transitGatewayAttachments = plain(await reads.describeTransitGatewayAttachments({ Filters: filters, MaxResults: 1000 }));
    }),
    // Transit gateways, their VPC attachments (with subnets) and route tables with associations,
    // propagations and routes (static, propagated, blackhole): the whole region's, since a path
    // through a gateway continues in other VPCs. SearchTransitGatewayRoutes needs a filter; these
    // two states cover every route that decides a path (at most 1,000 per table: AdditionalRoutesAvailable is flagged).
    t("transitGateways", "DescribeTransitGateways", false, async () => {
      const tgws = await reads.describeTransitGateways({ MaxResults: 1000 });
      const atts = await failingAs("DescribeTransitGatewayVpcAttachments", reads.describeTransitGatewayVpcAttachments({ MaxResults: 1000 }));
      const tables = await failingAs("DescribeTransitGatewayRouteTables", reads.describeTransitGatewayRouteTables({ MaxResults: 1000 }));
      const full = await bounded(
        tables.map((tb) => async () => {
          const id = tb.TransitGatewayRouteTableId!;
          const [assocs, props, routes] = await Promise.all([
            failingAs("GetTransitGatewayRouteTableAssociations", reads.getTransitGatewayRouteTableAssociations({ TransitGatewayRouteTableId: id, MaxResults: 1000 })),
            failingAs("GetTransitGatewayRouteTablePropagations", reads.getTransitGatewayRouteTablePropagations({ TransitGatewayRouteTableId: id, MaxResults: 1000 })),
            failingAs(
              "SearchTransitGatewayRoutes",
              reads.searchTransitGatewayRoutes({ TransitGatewayRouteTableId: id, Filters: [{ Name: "state", Values: ["active", "blackhole"] }], MaxResults: 1000 }),
            ),
          ]);
          return { ...plain(tb), Associations: plain(assocs), Propagations: plain(props), Routes: plain(routes.Routes ?? []), ...(routes.AdditionalRoutesAvailable ? { AdditionalRoutesAvailable: true } : {}) };
        }),
        limit,
      );
      snap.transitGateways = plain(tgws);
      snap.transitGatewayVpcAttachments = plain(atts);
      snap.transitGatewayRouteTables = full;
    }),
    t("flowLogs", "DescribeFlowLogs", false, async () => {
      snap.flowLogs = plain(await reads.describeFlowLogs({ MaxResults: 1000 }));
    }),
    t("lambdaFunctions", "lambda:ListFunctions", false, async () => {
      const all = await lambdaApi(await aws.lambda()).listFunctions({ MaxItems: 50 });
      // ListFunctions already carries VpcConfig: no GetFunctionConfiguration per function.
      snap.lambdaFunctions = plain(all.filter((f) => !vpcIds || inScope(f.VpcConfig?.VpcId)));
    }),
    // VPC Lattice (PrivateLink Resource endpoints → resource configuration → resource gateway):
    // List for the ids, Get per item for the fields List leaves out (definition, ports, vpcId).
    t("resourceGateways", "vpc-lattice:ListResourceGateways", false, async () => {
      const lattice = latticeApi(await aws.lattice());
      const all = await lattice.listResourceGateways({ maxResults: 100 });
      // All of the region's (few), like the configurations: a consumer's path crosses into the gateway's VPC.
      snap.resourceGateways = plain(await bounded(all.map((g) => () => lattice.getResourceGateway({ resourceGatewayIdentifier: g.id! })), limit));
    }),
    t("resourceConfigurations", "vpc-lattice:ListResourceConfigurations", false, async () => {
      const lattice = latticeApi(await aws.lattice());
      const all = await lattice.listResourceConfigurations({ maxResults: 100 });
      // All of the region's (few): a scoped consumer VPC's Resource endpoints point at them.
      snap.resourceConfigurations = plain(await bounded(all.map((c) => () => lattice.getResourceConfiguration({ resourceConfigurationIdentifier: c.id! })), limit));
    }),
    // VPC Block Public Access: the Region's mode and every exclusion (no paginator: NextToken by hand).
    // Not readable (AccessDenied, an endpoint without it) → omitted, and then no internet path is proven.
    t("vpcBlockPublicAccess", "DescribeVpcBlockPublicAccessOptions", false, async () => {
      const o = await reads.describeVpcBlockPublicAccessOptions({});
      const exclusions: unknown[] = [];
      let NextToken: string | undefined;
      do {
        const page = await failingAs("DescribeVpcBlockPublicAccessExclusions", reads.describeVpcBlockPublicAccessExclusions({ MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }));
        exclusions.push(...(page.VpcBlockPublicAccessExclusions ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      snap.vpcBlockPublicAccessOptions = plain(o.VpcBlockPublicAccessOptions ?? {});
      snap.vpcBlockPublicAccessExclusions = plain(exclusions);
    }),
    t("eventSourceMappings", "lambda:ListEventSourceMappings", false, async () => {
      snap.eventSourceMappings = plain(await lambdaApi(await aws.lambda()).listEventSourceMappings({ MaxItems: 100 }));
    }),
  ];

  let done = 0;
  await bounded(
    tasks.map((task) => async () => {
      try {
        await task.run();
      } catch (err) {
        if (task.required || !isUnavailable(err)) {
          const cli = toCliError(err, `snapshot: ${task.operation}`);
          // A body that is not the service's data is permanent: never the "transient, re-run" hint.
          if (answeredWithoutData(err)) throw new CliError(cli.message, cli.exitCode, `the endpoint does not answer ${task.operation} with its data (the service is not offered there)`, cli.code);
          throw cli;
        }
        omitted.push({ resource: task.resource, operation: (err as { failedOperation?: string }).failedOperation ?? task.operation, code: errorCode(err), message: (err as Error).message });
      }
      opts.onProgress?.(++done, tasks.length, task.resource);
    }),
    limit,
  );
  // Flow logs are account-wide; keep those on the scope's VPCs, subnets and ENIs.
  if (vpcIds && snap.flowLogs) {
    const ids = new Set<string>([...(vpcIds ?? []), ...(snap.subnets ?? []).map((s: { SubnetId: string }) => s.SubnetId), ...(snap.networkInterfaces ?? []).map((e: { NetworkInterfaceId: string }) => e.NetworkInterfaceId)]);
    snap.flowLogs = snap.flowLogs.filter((f: { ResourceId?: string }) => !f.ResourceId || ids.has(f.ResourceId));
  }
  // A resource gateway's ENIs carry its id in their Description: record them on the gateway.
  for (const g of (snap.resourceGateways ?? []) as Array<{ id: string; networkInterfaceIds?: string[] }>) {
    g.networkInterfaceIds = (snap.networkInterfaces ?? [])
      .filter((e: { Description?: string }) => e.Description?.includes(g.id))
      .map((e: { NetworkInterfaceId: string }) => e.NetworkInterfaceId);
  }
  // Every read of the snapshot is done: the backend's copy of the account need not stay loaded beside it.
  aws.release?.();
  omitted.sort((a, b) => a.resource.localeCompare(b.resource));
  // Validate what we produced (and apply the schema's defaults) so a written snapshot always loads;
  // in place: the document is ours and plain JSON already.
  return adoptSnapshot(snap) as CollectedSnapshot;
}

/**
 * What the caller already knows (status, from its plan), so that a VPC read leaves out the calls whose
 * answer the other answers already give. Every hint only adds calls; none is taken on trust.
 */
export interface VpcReadHints {
  /** Read the VPCs' route tables too (status's drift view). */
  routeTables?: boolean;
  /**
   * VPCs the plan saw `available`. VpcState is pending → available and never back, and a VPC's main
   * route table lives as long as the VPC: with route tables read, a main table seen proves such a VPC
   * still available, and DescribeVpcs is left out. Otherwise (and when no main table is seen) it is read.
   */
  seenAvailable?: string[];
  /** Subnets whose effective route table is wanted: DescribeSubnets is read unless each is explicitly associated. */
  subnetIds?: string[];
  /** Read subnets in the first round (a subnet the plan does not record as explicitly associated). */
  subnets?: boolean;
  /** NAT gateways whose state is wanted: asked by id only when not in their VPC's answer. */
  natGatewayIds?: string[];
  /** Elastic IPs whose state is wanted: DescribeAddresses only for those no NAT gateway or ENI holds. */
  allocationIds?: string[];
  /** Instances whose state is wanted (read in the first round; any not in the VPC's answer by id). */
  instanceIds?: string[];
  /** The caller made VPC endpoints here: read them (and the subnets, for their AZs) in the first round. */
  vpcEndpoints?: boolean;
  /** Read VPC Lattice resource gateways (billed as named; a plan with one). */
  resourceGateways?: boolean;
}

export interface VpcRead {
  /**
   * The VPCs as collectSnapshot would hold them for their bill — VPCs (unless proven available),
   * subnets, NAT gateways, ENIs, instances, VPC endpoints (and resource gateways) — less the collections
   * the ENIs prove empty, and no addresses (every public IPv4 address a VPC is billed for is on one of
   * its ENIs); undefined when a VPC was not found (`error`).
   */
  snapshot?: CollectedSnapshot;
  /** Why the VPCs could not be priced: one was not found, or what only the bill needs could not be read (the states and route tables still are). */
  error?: CliError;
  /** The VPCs' route tables (hints.routeTables). */
  routeTables: Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The VPCs' subnets, when read (else every hinted subnet was found explicitly associated). */
  subnets?: Array<{ SubnetId: string; VpcId: string }>;
  /** What AWS says by id: VPCs, NAT gateways (every state), instances (terminated too), Elastic IPs ("allocated"); an id not there is not. */
  states: Record<string, string>;
}

/**
 * One read of a few VPCs for status: their NAT gateways and ENIs (and route tables) at once, then only
 * what those answers leave open — an instance, an endpoint or a subnet read when an ENI or the plan
 * shows one, an Elastic IP when no NAT gateway or ENI holds it. Its snapshot prices the VPCs exactly as
 * collectSnapshot's does (src/analysis/rules/bill.ts): every billed thing in a VPC has an ENI in it
 * (a NAT gateway, an interface or Resource endpoint — its ENIs are made with it —, an instance, running
 * or stopped, and each public IPv4 address is on one).
 */
export async function collectVpcs(aws: AwsClients, vpcIds: string[], hints: VpcReadHints = {}, opts: { concurrency?: number } = {}): Promise<VpcRead> {
  const reads = ec2Api(await aws.ec2());
  const limit = Math.max(1, opts.concurrency ?? 4);
  const inVpcs = vpcFilter("vpc-id", vpcIds);
  const omitted: Omission[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const a: Record<string, any[] | undefined> = {};
  let notFound: unknown;
  // What only the bill needs (ENIs, endpoints, instances, Lattice) failing leaves the VPCs unpriced, not unread.
  let billError: CliError | undefined;
  type Task = { resource: string; operation: string; required: boolean; bill?: boolean; run: () => Promise<void> };
  const tasks: Record<string, Task> = {
    vpcs: { resource: "vpcs", operation: "DescribeVpcs", required: true, run: async () => {
      try {
        a.vpcs = plain(await listVpcs(reads, undefined, vpcIds));
      } catch (err) {
        if (classifyError(err) !== "not-found") throw err;
        notFound = err;
        a.vpcs = [];
      }
    } },
    routeTables: { resource: "routeTables", operation: "DescribeRouteTables", required: true, run: async () => void (a.routeTables = plain(await listRouteTables(reads, inVpcs))) },
    subnets: { resource: "subnets", operation: "DescribeSubnets", required: true, run: async () => void (a.subnets = plain(await listSubnets(reads, inVpcs))) },
    natGateways: { resource: "natGateways", operation: "DescribeNatGateways", required: true, run: async () => void (a.natGateways = plain(await listNatGateways(reads, inVpcs))) },
    networkInterfaces: { resource: "networkInterfaces", operation: "DescribeNetworkInterfaces", required: true, bill: true, run: async () => {
      a.networkInterfaces = plain(await reads.describeNetworkInterfaces({ Filters: inVpcs, MaxResults: 1000 }));
    } },
    instances: { resource: "instances", operation: "DescribeInstances", required: false, bill: true, run: async () => {
      a.instances = plain((await reads.describeInstances({ Filters: inVpcs, MaxResults: 1000 })).flatMap((r) => r.Instances ?? []));
    } },
    vpcEndpoints: { resource: "vpcEndpoints", operation: "DescribeVpcEndpoints", required: false, bill: true, run: async () => {
      a.vpcEndpoints = plain(await reads.describeVpcEndpoints({ Filters: inVpcs, MaxResults: 1000 }));
    } },
    resourceGateways: { resource: "resourceGateways", operation: "vpc-lattice:ListResourceGateways", required: false, bill: true, run: async () => {
      const lattice = latticeApi(await aws.lattice());
      const all = await lattice.listResourceGateways({ maxResults: 100 });
      a.resourceGateways = plain(await bounded(all.map((g) => () => lattice.getResourceGateway({ resourceGatewayIdentifier: g.id! })), limit));
    } },
  };
  const round = (names: string[]) =>
    bounded(
      names.map((name) => async () => {
        const task = tasks[name]!;
        try {
          await task.run();
        } catch (err) {
          if (task.required || !isUnavailable(err)) {
            if (!task.bill) throw toCliError(err, task.operation);
            billError ??= toCliError(err, task.operation);
            return;
          }
          omitted.push({ resource: task.resource, operation: task.operation, code: errorCode(err), message: (err as Error).message });
        }
      }),
      limit,
    );

  // Round 1: what is always needed, and what the plan says is there.
  const skipVpcs = hints.routeTables && vpcIds.every((id) => hints.seenAvailable?.includes(id));
  const first = ["natGateways", "networkInterfaces"];
  if (hints.routeTables) first.push("routeTables");
  if (!skipVpcs) first.push("vpcs");
  if (hints.subnets || hints.vpcEndpoints) first.push("subnets");
  if (hints.instanceIds?.length) first.push("instances");
  if (hints.vpcEndpoints) first.push("vpcEndpoints");
  if (hints.resourceGateways) first.push("resourceGateways");
  const [accountId] = await Promise.all([aws.accountId(), round(first)]);

  // Round 2: what the answers leave open.
  const enis = (a.networkInterfaces ?? []) as Array<{ InterfaceType?: string; Description?: string; Attachment?: { InstanceId?: string }; Association?: { AllocationId?: string }; PrivateIpAddresses?: Array<{ Association?: { AllocationId?: string } }> }>;
  const tables = (a.routeTables ?? []) as Array<{ VpcId?: string; Associations?: Array<{ Main?: boolean; SubnetId?: string; AssociationState?: { State?: string } }> }>;
  const mainSeen = (vpc: string) => tables.some((t) => t.VpcId === vpc && t.Associations?.some((x) => x.Main));
  const explicit = new Set(tables.flatMap((t) => (t.Associations ?? []).filter((x) => x.SubnetId && (x.AssociationState?.State ?? "associated") === "associated").map((x) => x.SubnetId!)));
  const second: string[] = [];
  if (!a.vpcs && vpcIds.some((id) => !mainSeen(id))) second.push("vpcs");
  if (!a.instances && enis.some((e) => e.Attachment?.InstanceId)) second.push("instances");
  // an interface or Resource endpoint's ENIs: type vpc_endpoint, described after the endpoint
  if (!a.vpcEndpoints && enis.some((e) => e.InterfaceType === "vpc_endpoint" || /^VPC Endpoint Interface vpce-/.test(e.Description ?? ""))) second.push("vpcEndpoints");
  if (!a.subnets && (second.includes("vpcEndpoints") || (hints.subnetIds ?? []).some((id) => !explicit.has(id)))) second.push("subnets");
  // An Elastic IP an available NAT gateway or an ENI holds is allocated; only the others are asked about.
  const held = new Set<string>();
  for (const n of (a.natGateways ?? []) as Array<{ State?: string; NatGatewayAddresses?: Array<{ AllocationId?: string }> }>)
    if (["available", "pending"].includes(n.State ?? "")) for (const x of n.NatGatewayAddresses ?? []) if (x.AllocationId) held.add(x.AllocationId);
  for (const e of enis) for (const x of [e.Association, ...(e.PrivateIpAddresses ?? []).map((p) => p.Association)]) if (x?.AllocationId) held.add(x.AllocationId);
  const unheld = (hints.allocationIds ?? []).filter((id) => !held.has(id));
  // A NAT gateway of the plan's not in its VPC's answer (gone long ago, or not where the plan says): asked by id.
  const seenNats = new Set(((a.natGateways ?? []) as Array<{ NatGatewayId?: string }>).map((n) => n.NatGatewayId));
  const lostNats = (hints.natGatewayIds ?? []).filter((id) => !seenNats.has(id));
  const byIdOrNone = <T>(p: Promise<T[]>, operation: string) => orUndefined(p).catch((err) => { throw toCliError(err, operation); });
  const [, addresses, natsById] = await Promise.all([
    round(second),
    unheld.length ? byIdOrNone(listAddresses(reads, undefined, unheld), "DescribeAddresses") : Promise.resolve([]),
    lostNats.length ? byIdOrNone(listNatGateways(reads, undefined, lostNats), "DescribeNatGateways") : Promise.resolve([]),
  ]);
  // An instance of the plan's not in its VPC's answer (terminated and gone from the VPC): asked by id.
  const seenInstances = new Set(((a.instances ?? []) as Array<{ InstanceId?: string }>).map((i) => i.InstanceId));
  const lost = (hints.instanceIds ?? []).filter((id) => !seenInstances.has(id));
  const byId = lost.length
    ? ((await orUndefined(reads.describeInstances({ InstanceIds: lost }))) ?? []).flatMap((r) => r.Instances ?? [])
    : [];

  const states: Record<string, string> = {};
  for (const id of vpcIds) states[id] = a.vpcs ? (a.vpcs.find((v) => v.VpcId === id)?.State ?? "missing") : "available";
  for (const n of [...(a.natGateways ?? []), ...(natsById ?? [])]) if (n.NatGatewayId && n.State) states[n.NatGatewayId] = n.State;
  for (const i of [...(a.instances ?? []), ...byId]) if (i.InstanceId && i.State?.Name) states[i.InstanceId] = i.State.Name;
  for (const id of held) states[id] = "allocated";
  for (const x of addresses ?? []) if (x.AllocationId) states[x.AllocationId] = "allocated";

  const out: VpcRead = { routeTables: a.routeTables ?? [], ...(a.subnets ? { subnets: a.subnets } : {}), states };
  const found = a.vpcs ? vpcIds.filter((id) => a.vpcs!.some((v) => v.VpcId === id)) : vpcIds;
  if (notFound || found.length < vpcIds.length) {
    const err = notFound ?? Object.assign(new Error(`The vpc ID '${vpcIds.filter((id) => !found.includes(id)).join(", ")}' does not exist`), { name: "InvalidVpcID.NotFound" });
    out.error = new UsageError(`${errorCode(err)}: ${(err as Error).message}`, "check the VPC id(s) and the region (--region)", "VpcNotFound");
    return out;
  }
  if (billError) {
    out.error = billError;
    return out;
  }
  omitted.sort((x, y) => x.resource.localeCompare(y.resource));
  const snap: Record<string, unknown> = {
    version: SNAPSHOT_VERSION,
    takenAt: new Date().toISOString(),
    region: aws.region,
    accountId,
    scope: { vpcIds: found },
    omitted,
    vpcs: a.vpcs ?? [],
    subnets: a.subnets ?? [],
    routeTables: a.routeTables ?? [],
    natGateways: a.natGateways ?? [],
    networkInterfaces: a.networkInterfaces ?? [],
    // what collectSnapshot keeps: a terminated instance bills nothing
    instances: (a.instances ?? []).filter((i) => i.State?.Name !== "terminated"),
    vpcEndpoints: a.vpcEndpoints ?? [],
    ...(a.resourceGateways ? { resourceGateways: a.resourceGateways } : {}),
  };
  out.snapshot = adoptSnapshot(snap) as CollectedSnapshot;
  return out;
}

/** Lists the VPCs a plan file holds (what `--plan` scopes a snapshot to). */
export function planVpcIds(plan: { resources: Record<string, { kind: string; id?: string | null; state?: string }> }): string[] {
  return Object.values(plan.resources)
    .filter((r) => r.kind === "vpc" && r.id && r.state !== "deleted")
    .map((r) => r.id!);
}

export type { EC2Client };
