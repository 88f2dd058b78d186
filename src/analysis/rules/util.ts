// Shared helpers for rules: a subnet's default route and tier (from its effective route table),
// NAT usability, interface endpoints by service. Pure.
import { routeTableForSubnet, type SnapshotIndex } from "../snapshot-index.js";
import type { NatGateway, Route, Subnet, VpcEndpoint } from "../snapshot.js";

export type Tier = "public" | "private" | "isolated";

/** The subnet's IPv4 default route (0.0.0.0/0) in its effective route table, if any. */
export function defaultRoute(ix: SnapshotIndex, subnet: Subnet): { route: Route; routeTableId: string; main: boolean } | null {
  const rt = routeTableForSubnet(ix, subnet);
  if (!rt) return null;
  const route = rt.table.table.Routes.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
  return route ? { route, routeTableId: rt.table.table.RouteTableId, main: rt.main } : null;
}

/** True when the route goes to an internet gateway attached to the subnet's VPC. */
export function routesToAttachedIgw(ix: SnapshotIndex, subnet: Subnet, route: Route | undefined): boolean {
  if (!route?.GatewayId?.startsWith("igw-") || route.State === "blackhole") return false;
  const igw = ix.internetGateways.get(route.GatewayId);
  return !!igw && igw.Attachments.some((a) => a.VpcId === subnet.VpcId && (a.State ?? "available") !== "detached");
}

export function tierOf(ix: SnapshotIndex, subnet: Subnet): Tier {
  const d = defaultRoute(ix, subnet);
  if (!d || d.route.State === "blackhole") return "isolated";
  if (routesToAttachedIgw(ix, subnet, d.route)) return "public";
  return "private";
}

export function natUsable(nat: NatGateway | undefined): boolean {
  return !!nat && (nat.State ?? "available") === "available";
}

/** Service short name from an endpoint's ServiceName (com.amazonaws.us-east-1.ecr.api → ecr.api). */
export function serviceShortName(serviceName: string | undefined, region: string): string {
  if (!serviceName) return "";
  const p = `com.amazonaws.${region}.`;
  return serviceName.startsWith(p) ? serviceName.slice(p.length) : serviceName.replace(/^com\.amazonaws\.[a-z0-9-]+\./, "");
}

export function isInterfaceEndpoint(ep: VpcEndpoint): boolean {
  return (ep.VpcEndpointType ?? "Interface").toLowerCase() === "interface";
}

export function endpointLive(ep: VpcEndpoint): boolean {
  return ["available", "pending"].includes((ep.State ?? "available").toLowerCase());
}

const byVpcCache = new WeakMap<SnapshotIndex, Map<string, VpcEndpoint[]>>();

/** Every endpoint of a VPC (indexed once per snapshot: rules ask per function / per VPC). */
export function endpointsOfVpc(ix: SnapshotIndex, vpcId: string): VpcEndpoint[] {
  let m = byVpcCache.get(ix);
  if (!m) {
    m = new Map();
    for (const ep of ix.vpcEndpoints.values()) {
      const list = m.get(ep.VpcId);
      if (list) list.push(ep);
      else m.set(ep.VpcId, [ep]);
    }
    byVpcCache.set(ix, m);
  }
  return m.get(vpcId) ?? [];
}

/** Live interface endpoints of a VPC by service short name. */
export function interfaceEndpoints(ix: SnapshotIndex, vpcId: string, region: string): Map<string, VpcEndpoint> {
  const out = new Map<string, VpcEndpoint>();
  for (const ep of endpointsOfVpc(ix, vpcId)) {
    if (isInterfaceEndpoint(ep) && endpointLive(ep)) out.set(serviceShortName(ep.ServiceName, region), ep);
  }
  return out;
}

export const sortedIds = (ids: (string | undefined)[]): string[] => [...new Set(ids.filter((x): x is string => !!x))].sort();

/**
 * A fix the tool cannot apply safely (a choice only the owner can make, a placeholder to fill, a
 * change that could break what the snapshot does not show): said so, never printed as a command
 * that would fail. test/audit-fixes.test.ts lists the rules whose fixes are manual, with the reason.
 */
export function manualFix(what: string): string {
  return `manual: ${what}`;
}

const PLAN_TAG = "egress-cli:plan";

/** The plan name egress-cli gives a VPC it imports: its Name tag made a valid plan name, else its id. */
export function planNameOf(ix: SnapshotIndex, vpcId: string): string {
  const name = (ix.vpcs.get(vpcId)?.Tags?.find((t) => t.Key === "Name")?.Value ?? "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 64);
  return name || vpcId;
}

/**
 * egress-cli commands on a VPC, as one copy-paste line. A VPC that an egress-cli plan created (its
 * `egress-cli:plan` tag) is changed through that plan: the commands as given, run with that plan's
 * file. Any other VPC is first imported into a plan of its own — its own plan file, named after the
 * VPC's Name tag — so that two fixes for two VPCs never write the same plan file.
 */
export function vpcPlanFix(ix: SnapshotIndex, vpcId: string, commands: string[]): string {
  const owner = ix.vpcs.get(vpcId)?.Tags?.find((t) => t.Key === PLAN_TAG)?.Value;
  if (owner) return `${commands.map((c) => `egress-cli ${c}`).join(" && ")}   # with plan "${owner}"'s file (--plan FILE)`;
  const name = planNameOf(ix, vpcId);
  const file = `--plan egress-plan-${name}.json`;
  return [`import --vpc ${vpcId} --name ${name}`, ...commands].map((c) => `egress-cli ${file} ${c}`).join(" && ");
}

/**
 * The subnets of a VPC that `import` calls private (no default route to an internet gateway), less
 * the ones import leaves out: a subnet holding a public NAT gateway without an internet route.
 */
/** Subnets holding a live public NAT gateway, once per index (asked per VPC: not a walk of every NAT each time). */
const NAT_HOMES = new WeakMap<SnapshotIndex, Set<string | undefined>>();
function natHomesOf(ix: SnapshotIndex): Set<string | undefined> {
  let homes = NAT_HOMES.get(ix);
  if (!homes) {
    homes = new Set([...ix.natGateways.values()].filter((n) => (n.ConnectivityType ?? "public") === "public" && ["pending", "available"].includes(n.State ?? "available")).map((n) => n.SubnetId));
    NAT_HOMES.set(ix, homes);
  }
  return homes;
}

export function planPrivateSubnets(ix: SnapshotIndex, vpcId: string): Subnet[] {
  const natHomes = natHomesOf(ix);
  return (ix.subnetsByVpc.get(vpcId) ?? []).filter((s) => tierOf(ix, s) !== "public" && !natHomes.has(s.SubnetId));
}

/** AZs of the subnets `attach-lambda --subnets private` would use after an import. */
export function privateAzs(ix: SnapshotIndex, vpcId: string): string[] {
  return [...new Set(planPrivateSubnets(ix, vpcId).map((s) => s.AvailabilityZone ?? s.SubnetId))].sort();
}

/**
 * `add-nat --mode single` in the VPC's plan, when that is what fixes these subnets: none has a default
 * route (add-nat adds one to the plan's private route tables; it does not replace someone else's), each
 * is one import would call private, and the VPC has a public subnet to put the NAT gateway in.
 * Undefined otherwise: the caller says what to do instead.
 */
export function addNatFix(ix: SnapshotIndex, vpcId: string, subnets: Subnet[]): string | undefined {
  const plan = new Set(planPrivateSubnets(ix, vpcId).map((s) => s.SubnetId));
  const fixable = subnets.length > 0 && subnets.every((s) => !defaultRoute(ix, s) && plan.has(s.SubnetId));
  const hasPublic = (ix.subnetsByVpc.get(vpcId) ?? []).some((s) => tierOf(ix, s) === "public");
  return fixable && hasPublic ? vpcPlanFix(ix, vpcId, ["add-nat --mode single"]) : undefined;
}
