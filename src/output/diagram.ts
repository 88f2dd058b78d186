// Topology diagrams (Mermaid flowchart or Graphviz DOT) from a snapshot: each VPC with its subnets
// grouped by tier (public / private / isolated, from the effective route table's default route)
// and AZ, route tables with their non-local routes, the internet gateway, NAT gateways with their
// Elastic IPs, VPC endpoints, Lambda functions on their subnets and instances. With a PathResult
// the analyzed path's nodes and edges are highlighted (Mermaid classDef + linkStyle, DOT color=).
// Pure: plain data in, text out; ids are sorted so the same snapshot always gives the same text.
import type { PathResult } from "../analysis/analyzer.js";
import { buildIndex, routeTableForSubnet, type SnapshotIndex } from "../analysis/snapshot-index.js";
import type { Snapshot, Subnet } from "../analysis/snapshot.js";

export type DiagramFormat = "mermaid" | "dot";

export interface DiagramPath {
  /** The query's source as typed (`lambda:NAME`, `subnet-…`, `i-…`, …). */
  from: string;
  to: string;
  result: PathResult;
}

export interface DiagramOptions {
  format: DiagramFormat;
  /** Only these VPCs (default: every VPC in the snapshot). */
  vpcIds?: string[];
  path?: DiagramPath;
}

type NodeKind = "subnet" | "routeTable" | "igw" | "eigw" | "nat" | "endpoint" | "lambda" | "instance" | "external" | "peering" | "transit";
/** "vpc": a peering connection or transit gateway to a VPC (`to` is `cluster:VPC_ID`, drawn to the VPC's box). */
type EdgeKind = "assoc" | "route" | "placement" | "vpc";

export interface DiagramNode {
  id: string;
  kind: NodeKind;
  label: string[];
  /** Key of the innermost cluster holding the node ("" = top level). */
  cluster: string;
}

export interface DiagramEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  label?: string;
  blackhole?: boolean;
}

interface Cluster {
  key: string;
  label: string;
  children: Cluster[];
}

export interface Topology {
  nodes: Map<string, DiagramNode>;
  edges: DiagramEdge[];
  clusters: Cluster[];
}

export interface Highlight {
  nodes: Set<string>;
  /** Indexes into Topology.edges. */
  edges: Set<number>;
  blocked?: string;
}

const TIERS = [
  ["public", "public subnets (0.0.0.0/0 → internet gateway)"],
  ["private", "private subnets (0.0.0.0/0 → NAT or appliance)"],
  ["isolated", "isolated subnets (no default route)"],
] as const;
type Tier = (typeof TIERS)[number][0];

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const nameTag = (tags: { Key?: string; Value?: string }[] | undefined) => tags?.find((t) => t.Key === "Name")?.Value;

function routeTarget(r: Snapshot["routeTables"][number]["Routes"][number]): string | undefined {
  return r.GatewayId ?? r.NatGatewayId ?? r.NetworkInterfaceId ?? r.InstanceId ?? r.VpcPeeringConnectionId ?? r.TransitGatewayId ?? r.EgressOnlyInternetGatewayId ?? r.VpcEndpointId ?? r.CarrierGatewayId ?? r.LocalGatewayId;
}

function tierOf(ix: SnapshotIndex, subnet: Subnet): Tier {
  const rt = routeTableForSubnet(ix, subnet);
  const live = (dest: string) => rt?.table.table.Routes.find((r) => (r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock) === dest && (r.State ?? "active") !== "blackhole");
  // IPv4's default route decides; an IPv6-only subnet's is ::/0 (→ igw public, → egress-only gateway private).
  const def = live("0.0.0.0/0") ?? (subnet.CidrBlock ? undefined : live("::/0"));
  const target = def ? routeTarget(def) : undefined;
  if (!target) return "isolated";
  return target.startsWith("igw-") ? "public" : "private";
}

/** The diagram's graph, independent of the output format. */
export function buildTopology(snap: Snapshot, vpcIds?: string[]): Topology {
  const ix = buildIndex(snap);
  const vpcs = snap.vpcs.filter((v) => !vpcIds?.length || vpcIds.includes(v.VpcId)).sort((a, b) => byId(a.VpcId, b.VpcId));
  const inScope = new Set(vpcs.map((v) => v.VpcId));
  const nodes = new Map<string, DiagramNode>();
  const edges: DiagramEdge[] = [];
  const clusters: Cluster[] = [];
  const add = (n: DiagramNode) => void (nodes.has(n.id) || nodes.set(n.id, n));
  const subnets = snap.subnets.filter((s) => inScope.has(s.VpcId)).sort((a, b) => byId(a.SubnetId, b.SubnetId));
  const subnetCluster = new Map<string, string>();

  for (const vpc of vpcs) {
    const name = nameTag(vpc.Tags);
    const vpcCluster: Cluster = { key: vpc.VpcId, label: `VPC ${vpc.VpcId}${name ? ` (${name})` : ""} ${vpc.CidrBlock ?? ""}`.trim(), children: [] };
    clusters.push(vpcCluster);
    const mine = subnets.filter((s) => s.VpcId === vpc.VpcId);
    for (const [tier, tierLabel] of TIERS) {
      const inTier = mine.filter((s) => tierOf(ix, s) === tier);
      if (!inTier.length) continue;
      const tierCluster: Cluster = { key: `${vpc.VpcId}/${tier}`, label: tierLabel, children: [] };
      vpcCluster.children.push(tierCluster);
      for (const az of [...new Set(inTier.map((s) => s.AvailabilityZone ?? "?"))].sort()) {
        const key = `${vpc.VpcId}/${tier}/${az}`;
        tierCluster.children.push({ key, label: az, children: [] });
        for (const s of inTier.filter((x) => (x.AvailabilityZone ?? "?") === az)) {
          subnetCluster.set(s.SubnetId, key);
          const n = nameTag(s.Tags);
          const v6 = (s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock).filter((c): c is string => !!c);
          add({ id: s.SubnetId, kind: "subnet", label: [s.SubnetId, ...(n ? [n] : []), s.CidrBlock ?? (v6.length ? "IPv6-only" : ""), ...v6], cluster: key });
        }
      }
    }
  }

  // Gateways and NAT gateways.
  for (const g of [...snap.internetGateways].sort((a, b) => byId(a.InternetGatewayId, b.InternetGatewayId))) {
    const vpcId = g.Attachments.find((a) => a.VpcId && inScope.has(a.VpcId))?.VpcId;
    if (vpcId) add({ id: g.InternetGatewayId, kind: "igw", label: [g.InternetGatewayId, "internet gateway"], cluster: vpcId });
  }
  for (const g of [...snap.egressOnlyInternetGateways].sort((a, b) => byId(a.EgressOnlyInternetGatewayId, b.EgressOnlyInternetGatewayId))) {
    const vpcId = g.Attachments.find((a) => a.VpcId && inScope.has(a.VpcId))?.VpcId;
    if (vpcId) add({ id: g.EgressOnlyInternetGatewayId, kind: "eigw", label: [g.EgressOnlyInternetGatewayId, "egress-only internet gateway (IPv6 out only)"], cluster: vpcId });
  }
  // NAT gateways that 64:ff9b::/96 routes lead to translate IPv6 to IPv4 (NAT64).
  const nat64 = new Set(snap.routeTables.flatMap((t) => t.Routes.filter((r) => r.DestinationIpv6CidrBlock === "64:ff9b::/96" && r.NatGatewayId).map((r) => r.NatGatewayId!)));
  for (const n of [...snap.natGateways].sort((a, b) => byId(a.NatGatewayId, b.NatGatewayId))) {
    const cluster = n.SubnetId ? subnetCluster.get(n.SubnetId) : undefined;
    if (!cluster || n.State === "deleted") continue;
    const primary = n.NatGatewayAddresses.find((a) => a.IsPrimary) ?? n.NatGatewayAddresses[0];
    const eip = primary?.PublicIp ?? snap.addresses.find((a) => a.NetworkInterfaceId && a.NetworkInterfaceId === primary?.NetworkInterfaceId)?.PublicIp;
    const kind = `${(n.ConnectivityType ?? "public") === "private" ? "private NAT gateway" : eip ? `NAT gateway · EIP ${eip}` : "NAT gateway · no Elastic IP"}${nat64.has(n.NatGatewayId) ? " · NAT64" : ""}`;
    add({ id: n.NatGatewayId, kind: "nat", label: [n.NatGatewayId, kind, ...((n.State ?? "available") !== "available" ? [n.State!] : [])], cluster });
    edges.push({ from: n.NatGatewayId, to: n.SubnetId!, kind: "placement" });
  }
  // VPC endpoints.
  for (const e of [...snap.vpcEndpoints].sort((a, b) => byId(a.VpcEndpointId, b.VpcEndpointId))) {
    if (!inScope.has(e.VpcId)) continue;
    const service = (e.ServiceName ?? "").replace(/^com\.amazonaws\.[a-z0-9-]+\./, "") || "?";
    add({ id: e.VpcEndpointId, kind: "endpoint", label: [e.VpcEndpointId, `${service} (${e.VpcEndpointType ?? "Interface"} endpoint)`], cluster: e.VpcId });
    for (const s of [...e.SubnetIds].sort()) if (subnetCluster.has(s)) edges.push({ from: e.VpcEndpointId, to: s, kind: "placement" });
  }
  // Lambda functions attached to subnets in scope.
  for (const f of [...snap.lambdaFunctions].sort((a, b) => byId(a.FunctionName, b.FunctionName))) {
    const on = [...(f.VpcConfig?.SubnetIds ?? [])].filter((s) => subnetCluster.has(s)).sort();
    if (!on.length) continue;
    const id = `lambda:${f.FunctionName}`;
    add({ id, kind: "lambda", label: [`λ ${f.FunctionName}`, "Lambda function"], cluster: ix.subnets.get(on[0]!)!.VpcId });
    for (const s of on) edges.push({ from: id, to: s, kind: "placement" });
  }
  // Instances (a proxy, a NAT instance, app servers).
  for (const i of [...snap.instances].sort((a, b) => byId(a.InstanceId, b.InstanceId))) {
    const cluster = i.SubnetId ? subnetCluster.get(i.SubnetId) : undefined;
    if (!cluster) continue;
    const n = nameTag(i.Tags);
    add({ id: i.InstanceId, kind: "instance", label: [i.InstanceId, ...(n ? [n] : []), `${i.PrivateIpAddress ?? "?"}${i.PublicIpAddress ? ` · public ${i.PublicIpAddress}` : ""}`], cluster });
    edges.push({ from: i.InstanceId, to: i.SubnetId!, kind: "placement" });
  }

  // Route tables: associations, then their non-local routes.
  const tables = snap.routeTables.filter((t) => inScope.has(t.VpcId)).sort((a, b) => byId(a.RouteTableId, b.RouteTableId));
  for (const t of tables) {
    const def = t.Routes.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
    const main = t.Associations.some((a) => a.Main);
    const def6 = t.Routes.find((r) => r.DestinationIpv6CidrBlock === "::/0");
    add({ id: t.RouteTableId, kind: "routeTable", label: [t.RouteTableId, `${main ? "main " : ""}route table`, def ? `0.0.0.0/0 → ${routeTarget(def) ?? "?"}` : "no default route", ...(def6 ? [`::/0 → ${routeTarget(def6) ?? "?"}`] : [])], cluster: t.VpcId });
  }
  const assoc: DiagramEdge[] = [];
  for (const s of subnets) {
    const rt = routeTableForSubnet(ix, s);
    if (rt) assoc.push({ from: s.SubnetId, to: rt.table.table.RouteTableId, kind: "assoc", ...(rt.main ? { label: "main" } : {}) });
  }
  const routes: DiagramEdge[] = [];
  for (const t of tables) {
    const rs = t.Routes.filter((r) => r.GatewayId !== "local" && routeTarget(r))
      .map((r) => ({ dest: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? "?", target: routeTarget(r)!, blackhole: r.State === "blackhole" }))
      .sort((a, b) => byId(a.dest, b.dest) || byId(a.target, b.target));
    for (const r of rs) {
      if (!nodes.has(r.target)) add({ id: r.target, kind: "external", label: [r.target], cluster: "" });
      routes.push({ from: t.RouteTableId, to: r.target, kind: "route", label: r.blackhole ? `${r.dest} (blackhole)` : r.dest, ...(r.blackhole ? { blackhole: true } : {}) });
    }
  }
  const placement = edges.sort((a, b) => byId(a.from, b.from) || byId(a.to, b.to));
  return { nodes, edges: [...assoc, ...routes, ...placement, ...betweenVpcs(snap, ix, inScope, nodes)], clusters };
}

/** Peering connections and transit gateways as nodes between the VPC boxes they join (edges to `cluster:VPC_ID`). */
function betweenVpcs(snap: Snapshot, ix: SnapshotIndex, inScope: Set<string>, nodes: Map<string, DiagramNode>): DiagramEdge[] {
  const out: DiagramEdge[] = [];
  for (const p of [...snap.vpcPeeringConnections].sort((a, b) => byId(a.VpcPeeringConnectionId, b.VpcPeeringConnectionId))) {
    const sides = [p.RequesterVpcInfo?.VpcId, p.AccepterVpcInfo?.VpcId].filter((v): v is string => !!v && inScope.has(v));
    if (!sides.length) continue;
    const status = p.Status?.Code ?? "active";
    nodes.set(p.VpcPeeringConnectionId, { id: p.VpcPeeringConnectionId, kind: "peering", label: [p.VpcPeeringConnectionId, `VPC peering (${status})`], cluster: "" });
    for (const v of sides) out.push({ from: p.VpcPeeringConnectionId, to: `cluster:${v}`, kind: "vpc", ...(status !== "active" ? { label: status, blackhole: true } : {}) });
  }
  const atts = [...ix.transit.vpcAttachments.values()].filter((a) => a.VpcId && a.TransitGatewayId && inScope.has(a.VpcId)).sort((a, b) => byId(a.TransitGatewayAttachmentId, b.TransitGatewayAttachmentId));
  for (const a of atts) {
    const tgw = ix.transit.gateways.get(a.TransitGatewayId!);
    nodes.set(a.TransitGatewayId!, { id: a.TransitGatewayId!, kind: "transit", label: [a.TransitGatewayId!, `transit gateway${tgw?.State && tgw.State !== "available" ? ` (${tgw.State})` : ""}`], cluster: "" });
    const state = a.State ?? "available";
    out.push({ from: a.TransitGatewayId!, to: `cluster:${a.VpcId}`, kind: "vpc", label: `${a.TransitGatewayAttachmentId}${state !== "available" ? ` (${state})` : ""}`, ...(state !== "available" ? { blackhole: true } : {}) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Path highlighting

/** The diagram node standing for a path component (an ENI is shown as what owns it). */
function nodeFor(topo: Topology, snap: Snapshot, id: string, from: string): string | undefined {
  if (topo.nodes.has(id)) return id;
  if (id.startsWith("arn:aws:lambda:")) {
    const name = id.slice(id.lastIndexOf(":") + 1);
    return topo.nodes.has(`lambda:${name}`) ? `lambda:${name}` : undefined;
  }
  if (id.startsWith("eni-")) {
    const nat = snap.natGateways.find((n) => n.NatGatewayAddresses.some((a) => a.NetworkInterfaceId === id));
    if (nat && topo.nodes.has(nat.NatGatewayId)) return nat.NatGatewayId;
    const ep = snap.vpcEndpoints.find((e) => e.NetworkInterfaceIds.includes(id));
    if (ep && topo.nodes.has(ep.VpcEndpointId)) return ep.VpcEndpointId;
    const eni = snap.networkInterfaces.find((e) => e.NetworkInterfaceId === id);
    const inst = eni?.Attachment?.InstanceId ?? snap.instances.find((i) => i.NetworkInterfaces.some((n) => n.NetworkInterfaceId === id))?.InstanceId;
    if (inst && topo.nodes.has(inst)) return inst;
    if (eni?.InterfaceType === "lambda" && from.startsWith("lambda:") && topo.nodes.has(from)) return from;
    return eni && topo.nodes.has(eni.SubnetId) ? eni.SubnetId : undefined;
  }
  return undefined;
}

/** The subnet a path's concrete source sits in. */
function subnetOf(snap: Snapshot, id: string): string | undefined {
  if (id.startsWith("subnet-")) return id;
  if (id.startsWith("eni-")) return snap.networkInterfaces.find((e) => e.NetworkInterfaceId === id)?.SubnetId;
  if (id.startsWith("i-")) return snap.instances.find((i) => i.InstanceId === id)?.SubnetId;
  if (id.startsWith("nat-")) return snap.natGateways.find((n) => n.NatGatewayId === id)?.SubnetId;
  return undefined;
}

/** Shortest undirected route between two nodes (≤ 3 edges), as edge indexes; deterministic. */
function connect(topo: Topology, a: string, b: string): number[] | null {
  if (a === b) return [];
  const adj = new Map<string, Array<{ to: string; edge: number }>>();
  topo.edges.forEach((e, i) => {
    (adj.get(e.from) ?? adj.set(e.from, []).get(e.from)!).push({ to: e.to, edge: i });
    (adj.get(e.to) ?? adj.set(e.to, []).get(e.to)!).push({ to: e.from, edge: i });
  });
  for (const list of adj.values()) list.sort((x, y) => byId(x.to, y.to) || x.edge - y.edge);
  const prev = new Map<string, { node: string; edge: number }>([[a, { node: a, edge: -1 }]]);
  let frontier = [a];
  for (let depth = 0; depth < 3 && frontier.length; depth++) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const { to, edge } of adj.get(n) ?? []) {
        if (prev.has(to)) continue;
        prev.set(to, { node: n, edge });
        if (to === b) {
          const out: number[] = [];
          for (let cur = b; cur !== a; cur = prev.get(cur)!.node) out.unshift(prev.get(cur)!.edge);
          return out;
        }
        next.push(to);
      }
    }
    frontier = next;
  }
  return null;
}

/** Nodes and edges the analyzed path crosses (every subnet of a Lambda function), and the blocking node. */
export function highlightPath(topo: Topology, snap: Snapshot, path: DiagramPath): Highlight {
  const h: Highlight = { nodes: new Set(), edges: new Set() };
  const runs = path.result.paths?.length ? path.result.paths : [path.result];
  for (const run of runs) {
    const seq: string[] = [];
    const push = (id: string | undefined) => void (id && seq.push(id));
    if (path.from.startsWith("lambda:") && topo.nodes.has(path.from)) push(path.from);
    push(nodeFor(topo, snap, run.source.id, path.from) ?? (topo.nodes.has(path.from) ? path.from : undefined));
    const src = subnetOf(snap, run.source.id) ?? subnetOf(snap, path.from);
    if (src && topo.nodes.has(src)) push(src);
    for (const hop of run.hops) {
      if (hop.aclRule?.returnPath || hop.component.id.startsWith("sg-") || hop.component.id.startsWith("acl-")) continue;
      push(nodeFor(topo, snap, hop.component.id, path.from));
    }
    // The blocking component ends the drawn path (the edge that reaches it is part of the story).
    const blocker = run.reachable ? undefined : run.explanations[0] && nodeFor(topo, snap, run.explanations[0].component.id, path.from);
    push(blocker);
    // A component named twice (an endpoint resolved first, delivered to last) counts where it is reached.
    const steps = seq.filter((id, i) => id !== seq[i - 1]);
    const nodes = steps.filter((id, i) => steps.indexOf(id, i + 1) === -1);
    for (const n of nodes) h.nodes.add(n);
    for (let i = 1; i < nodes.length; i++) for (const e of connect(topo, nodes[i - 1]!, nodes[i]!) ?? []) h.edges.add(e);
    for (const i of h.edges) h.nodes.add(topo.edges[i]!.from).add(topo.edges[i]!.to);
    if (blocker && !h.blocked) h.blocked = blocker;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// Renderers

const HIGHLIGHT = "#d62728";

function header(snap: Snapshot, opts: DiagramOptions): string[] {
  const lines = [`egress-cli diagram · ${snap.region} · ${snap.accountId}`];
  if (opts.path) {
    const r = opts.path.result;
    const e = r.explanations[0];
    lines.push(`path ${opts.path.from} → ${opts.path.to}: ${r.reachable ? "reachable" : r.verdict === "unknown" ? `unknown (${r.unknownReasons.map((u) => `${u.code} at ${u.component.id}`).join(", ")})` : `not reachable (${e?.code ?? "?"} at ${e?.component.id ?? "?"})`}`);
  }
  return lines;
}

const mmId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, "_");
const mmText = (lines: string[]) => lines.map((l) => l.replace(/"/g, "#quot;")).join("<br/>");

function mermaidNode(n: DiagramNode): string {
  const t = `"${mmText(n.label)}"`;
  const id = mmId(n.id);
  switch (n.kind) {
    case "subnet":
      return `${id}[${t}]`;
    case "routeTable":
      return `${id}[/${t}/]`;
    case "igw":
      return `${id}((${t}))`;
    case "eigw":
      return `${id}(((${t})))`;
    case "nat":
      return `${id}{{${t}}}`;
    case "endpoint":
      return `${id}[[${t}]]`;
    case "lambda":
      return `${id}>${t}]`;
    case "instance":
      return `${id}(${t})`;
    case "peering":
      return `${id}{${t}}`;
    case "transit":
      return `${id}[(${t})]`;
    default:
      return `${id}([${t}])`;
  }
}

function renderMermaid(topo: Topology, snap: Snapshot, opts: DiagramOptions, hl?: Highlight): string {
  const out = ["flowchart TB", ...header(snap, opts).map((l) => `  %% ${l}`)];
  const byCluster = new Map<string, DiagramNode[]>();
  for (const n of [...topo.nodes.values()].sort((a, b) => byId(a.id, b.id))) (byCluster.get(n.cluster) ?? byCluster.set(n.cluster, []).get(n.cluster)!).push(n);
  const emit = (c: Cluster, depth: number) => {
    const pad = "  ".repeat(depth);
    out.push(`${pad}subgraph ${mmId(`cl_${c.key}`)}["${mmText([c.label])}"]`, `${pad}  direction TB`);
    for (const n of byCluster.get(c.key) ?? []) out.push(`${pad}  ${mermaidNode(n)}`);
    for (const child of c.children) emit(child, depth + 1);
    out.push(`${pad}end`);
  };
  for (const n of byCluster.get("") ?? []) out.push(`  ${mermaidNode(n)}`);
  for (const c of topo.clusters) emit(c, 1);
  for (const e of topo.edges) {
    const label = e.label ? `|"${mmText([e.label])}"|` : "";
    const arrow = e.kind === "placement" || (e.kind === "vpc" && e.blackhole) ? "-.-" : e.kind === "vpc" ? "---" : e.blackhole ? "-.->" : "-->";
    const to = e.to.startsWith("cluster:") ? mmId(`cl_${e.to.slice("cluster:".length)}`) : mmId(e.to);
    out.push(`  ${mmId(e.from)} ${arrow}${label} ${to}`);
  }
  out.push("  classDef subnet fill:#f4f8ff,stroke:#4a6fa5", "  classDef gateway fill:#fff7e6,stroke:#b7791f", "  classDef workload fill:#f0fff4,stroke:#2f855a");
  const kinds: Array<[string, NodeKind[]]> = [["subnet", ["subnet"]], ["gateway", ["igw", "eigw", "nat", "endpoint", "external", "peering", "transit"]], ["workload", ["lambda", "instance"]]];
  for (const [cls, ks] of kinds) {
    const ids = [...topo.nodes.values()].filter((n) => ks.includes(n.kind)).map((n) => mmId(n.id)).sort();
    if (ids.length) out.push(`  class ${ids.join(",")} ${cls}`);
  }
  if (hl) {
    out.push(`  classDef path stroke:${HIGHLIGHT},stroke-width:3px`, `  classDef blocked stroke:${HIGHLIGHT},stroke-width:3px,stroke-dasharray:5 5`);
    const pathNodes = [...hl.nodes].filter((n) => n !== hl.blocked).map(mmId).sort();
    if (pathNodes.length) out.push(`  class ${pathNodes.join(",")} path`);
    if (hl.blocked) out.push(`  class ${mmId(hl.blocked)} blocked`);
    const edges = [...hl.edges].sort((a, b) => a - b);
    if (edges.length) out.push(`  linkStyle ${edges.join(",")} stroke:${HIGHLIGHT},stroke-width:3px`);
  }
  return out.join("\n") + "\n";
}

const dotStr = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const dotLabel = (lines: string[]) => `"${lines.map((l) => l.replace(/\\/g, "\\\\").replace(/"/g, '\\"')).join("\\n")}"`;
const DOT_SHAPE: Record<NodeKind, string> = {
  subnet: "shape=box",
  routeTable: "shape=note",
  igw: "shape=ellipse, style=filled, fillcolor=\"#fff7e6\"",
  eigw: "shape=doublecircle, style=filled, fillcolor=\"#fff7e6\"",
  nat: "shape=hexagon, style=filled, fillcolor=\"#fff7e6\"",
  endpoint: "shape=component",
  lambda: "shape=cds, style=filled, fillcolor=\"#f0fff4\"",
  instance: "shape=box3d",
  external: "shape=ellipse, style=dashed",
  peering: "shape=diamond, style=filled, fillcolor=\"#eef2ff\"",
  transit: "shape=doubleoctagon, style=filled, fillcolor=\"#eef2ff\"",
};

/** A node inside the VPC's box (lhead/ltail need one), or undefined for an empty VPC. */
function anchorOf(topo: Topology, vpcId: string): string | undefined {
  let best: string | undefined;
  for (const n of topo.nodes.values()) if ((n.cluster === vpcId || n.cluster.startsWith(`${vpcId}/`)) && (best === undefined || byId(n.id, best) < 0)) best = n.id;
  return best;
}

function renderDot(topo: Topology, snap: Snapshot, opts: DiagramOptions, hl?: Highlight): string {
  const out = ["digraph egress {", ...header(snap, opts).map((l) => `  // ${l}`)];
  out.push("  rankdir=TB;", "  compound=true;", '  node [fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];');
  const nodeAttrs = (n: DiagramNode) => {
    const extra = hl?.blocked === n.id ? `, color="${HIGHLIGHT}", penwidth=2.5, style=dashed` : hl?.nodes.has(n.id) ? `, color="${HIGHLIGHT}", penwidth=2.5` : "";
    const shape = hl?.blocked === n.id ? DOT_SHAPE[n.kind].split(",")[0] : DOT_SHAPE[n.kind];
    return `${dotStr(n.id)} [label=${dotLabel(n.label)}, ${shape}${extra}];`;
  };
  const byCluster = new Map<string, DiagramNode[]>();
  for (const n of [...topo.nodes.values()].sort((a, b) => byId(a.id, b.id))) (byCluster.get(n.cluster) ?? byCluster.set(n.cluster, []).get(n.cluster)!).push(n);
  const emit = (c: Cluster, depth: number) => {
    const pad = "  ".repeat(depth);
    out.push(`${pad}subgraph ${dotStr(`cluster_${c.key}`)} {`, `${pad}  label=${dotLabel([c.label])};`);
    for (const n of byCluster.get(c.key) ?? []) out.push(`${pad}  ${nodeAttrs(n)}`);
    for (const child of c.children) emit(child, depth + 1);
    out.push(`${pad}}`);
  };
  for (const n of byCluster.get("") ?? []) out.push(`  ${nodeAttrs(n)}`);
  for (const c of topo.clusters) emit(c, 1);
  // Many VPCs: a grid (rows of ⌈√n⌉), not one strip — invisible edges stack each VPC under the one a row above.
  const vpcAnchors = topo.clusters.map((c) => ({ key: c.key, anchor: anchorOf(topo, c.key) }));
  if (vpcAnchors.length > 3) {
    const cols = Math.ceil(Math.sqrt(vpcAnchors.length));
    for (let i = cols; i < vpcAnchors.length; i++) {
      const up = vpcAnchors[i - cols]!;
      const me = vpcAnchors[i]!;
      if (up.anchor && me.anchor) out.push(`  ${dotStr(up.anchor)} -> ${dotStr(me.anchor)} [style=invis, ltail=${dotStr(`cluster_${up.key}`)}, lhead=${dotStr(`cluster_${me.key}`)}];`);
    }
  }
  topo.edges.forEach((e, i) => {
    const attrs: string[] = [];
    if (e.kind === "vpc") {
      const vpcId = e.to.slice("cluster:".length);
      const anchor = anchorOf(topo, vpcId);
      if (!anchor) return;
      attrs.push(`lhead=${dotStr(`cluster_${vpcId}`)}`, "arrowhead=none");
      if (e.label) attrs.push(`label=${dotLabel([e.label])}`);
      if (e.blackhole) attrs.push("style=dashed");
      out.push(`  ${dotStr(e.from)} -> ${dotStr(anchor)} [${attrs.join(", ")}];`);
      return;
    }
    if (e.label) attrs.push(`label=${dotLabel([e.label])}`);
    if (e.kind === "placement") attrs.push("style=dotted", "arrowhead=none");
    if (e.blackhole) attrs.push("style=dashed");
    if (hl?.edges.has(i)) attrs.push(`color="${HIGHLIGHT}"`, "penwidth=3");
    out.push(`  ${dotStr(e.from)} -> ${dotStr(e.to)}${attrs.length ? ` [${attrs.join(", ")}]` : ""};`);
  });
  out.push("}");
  return out.join("\n") + "\n";
}

/** The diagram as text in the chosen format. */
export function renderDiagram(snap: Snapshot, opts: DiagramOptions): string {
  const topo = buildTopology(snap, opts.vpcIds);
  const hl = opts.path ? highlightPath(topo, snap, opts.path) : undefined;
  return opts.format === "dot" ? renderDot(topo, snap, opts, hl) : renderMermaid(topo, snap, opts, hl);
}
