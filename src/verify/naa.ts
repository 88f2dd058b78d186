// verify --naa-scope: an AWS Network Access Analyzer scope document (MatchPaths / ExcludePaths, the
// shapes of CreateNetworkInsightsAccessScope's AccessScopePathRequest) evaluated offline and
// exhaustively, for the egress subset: sources by ENI, instance, subnet, security group or VPC id (or
// every network interface); destinations internet gateways, VPC endpoints, ENIs / instances, or
// addresses; through NAT gateways, VPC endpoints, transit gateway attachments, peering connections;
// packet headers by destination address, destination port and protocol. A finding is a path the
// analyzer proves reachable that matches a MatchPath, passes all of its ThroughResources and matches
// no ExcludePath. Every port is covered: the ports are cut into ranges on which every security
// group, network ACL and resource configuration rule in the snapshot gives the same answer, and one
// port of each range is analyzed. Anything outside the subset is refused, listed. Pure.
import { analyzePath, ComponentType, type Hop, type SnapshotIndex } from "../analysis/analyzer.js";
import { cidrContains, parseCidr } from "../net/addr.js";
import type { IntentResult, Outcome, PairResult, VerifyResult } from "./evaluate.js";
import { expandSelector } from "./evaluate.js";
import { jsonArrayItemLines, parseYaml } from "./yaml.js";
import { UsageError } from "../errors.js";

interface ResourceStatement {
  Resources?: string[];
  ResourceTypes?: string[];
}
interface PacketHeader {
  SourceAddresses?: string[];
  DestinationAddresses?: string[];
  SourcePorts?: string[];
  DestinationPorts?: string[];
  SourcePrefixLists?: string[];
  DestinationPrefixLists?: string[];
  Protocols?: string[];
}
interface PathStatement {
  PacketHeaderStatement?: PacketHeader;
  ResourceStatement?: ResourceStatement;
}
interface AccessScopePath {
  Source?: PathStatement;
  Destination?: PathStatement;
  ThroughResources?: Array<{ ResourceStatement?: ResourceStatement }>;
}
export interface NaaScope {
  matchPaths: AccessScopePath[];
  excludePaths: AccessScopePath[];
  /** 1-based line of each MatchPaths item in the document. */
  lines: number[];
}

const SOURCE_TYPES = ["AWS::EC2::NetworkInterface", "AWS::EC2::Instance"];
const SOURCE_IDS = /^(eni|i|subnet|sg|vpc)-[0-9a-z]+$/;
const DEST_TYPES: Record<string, string> = { "AWS::EC2::InternetGateway": "igw", "AWS::EC2::VPCEndpoint": "vpce", "AWS::EC2::NetworkInterface": "eni", "AWS::EC2::Instance": "i" };
const DEST_IDS = /^(igw|vpce|eni|i)-[0-9a-z]+$/;
const THROUGH_TYPES: Record<string, string> = {
  "AWS::EC2::NatGateway": ComponentType.natGateway,
  "AWS::EC2::VPCEndpoint": ComponentType.vpcEndpoint,
  "AWS::EC2::TransitGatewayAttachment": ComponentType.transitGatewayAttachment,
  "AWS::EC2::VPCPeeringConnection": ComponentType.vpcPeeringConnection,
  "AWS::EC2::InternetGateway": ComponentType.internetGateway,
};
const THROUGH_IDS = /^(nat|vpce|tgw-attach|pcx|igw)-[0-9a-z]+$/;

export function parseNaaScope(text: string): { ok: true; value: NaaScope } | { ok: false; problems: string[] } {
  let doc: unknown;
  let lines: Map<string, number>;
  try {
    const p = parseYaml(text);
    doc = p.value;
    lines = p.lines;
  } catch (err) {
    return { ok: false, problems: [(err as Error).message] };
  }
  const problems: string[] = [];
  const root = (doc as { NetworkInsightsAccessScopeContent?: unknown })?.NetworkInsightsAccessScopeContent ?? doc;
  const r = root as { MatchPaths?: unknown; ExcludePaths?: unknown };
  if (!r || typeof r !== "object" || !Array.isArray(r.MatchPaths) || !r.MatchPaths.length) return { ok: false, problems: ["expected { MatchPaths: [...], ExcludePaths?: [...] } (CreateNetworkInsightsAccessScope's input, or GetNetworkInsightsAccessScopeContent's NetworkInsightsAccessScopeContent) with at least one MatchPath"] };
  const extra = Object.keys(r).filter((k) => !["MatchPaths", "ExcludePaths", "Tags", "TagSpecifications", "ClientToken", "NetworkInsightsAccessScopeId", "DryRun"].includes(k));
  if (extra.length) problems.push(`unknown field(s) ${extra.join(", ")}`);
  const check = (p: AccessScopePath, where: string, isMatch: boolean) => {
    for (const k of Object.keys(p)) if (!["Source", "Destination", "ThroughResources"].includes(k)) problems.push(`${where}.${k}: not a field of AccessScopePath`);
    const stmt = (s: PathStatement | undefined, side: "Source" | "Destination") => {
      if (!s) return;
      for (const k of Object.keys(s)) if (!["PacketHeaderStatement", "ResourceStatement"].includes(k)) problems.push(`${where}.${side}.${k}: not a field of PathStatement`);
      const rs = s.ResourceStatement;
      if (rs?.Resources?.length && rs.ResourceTypes?.length) problems.push(`${where}.${side}.ResourceStatement: Resources and ResourceTypes together (AWS allows one of them)`);
      const idRe = side === "Source" ? SOURCE_IDS : DEST_IDS;
      const types = side === "Source" ? SOURCE_TYPES : Object.keys(DEST_TYPES);
      for (const id of rs?.Resources ?? []) if (!idRe.test(id)) problems.push(`${where}.${side}.ResourceStatement.Resources: ${id} (the subset takes ${side === "Source" ? "eni-, i-, subnet-, sg-, vpc-" : "igw-, vpce-, eni-, i-"} ids; ARNs, resource groups and load balancers are outside it)`);
      for (const t of rs?.ResourceTypes ?? []) if (!types.includes(t)) problems.push(`${where}.${side}.ResourceStatement.ResourceTypes: ${t} (the subset takes ${types.join(", ")}${side === "Source" ? "; ingress from an internet gateway is outside it" : ""})`);
      const ph = s.PacketHeaderStatement;
      for (const k of Object.keys(ph ?? {})) {
        if (!["DestinationAddresses", "DestinationPorts", "Protocols"].includes(k)) problems.push(`${where}.${side}.PacketHeaderStatement.${k} (the subset takes DestinationAddresses, DestinationPorts and Protocols)`);
      }
      for (const a of ph?.DestinationAddresses ?? []) if (!parseCidr(a)) problems.push(`${where}.${side}.PacketHeaderStatement.DestinationAddresses: ${a} is not an address or CIDR`);
      for (const p of ph?.DestinationPorts ?? []) if (!/^\d{1,5}(-\d{1,5})?$/.test(p) || Number(p.split("-").at(-1)) > 65535) problems.push(`${where}.${side}.PacketHeaderStatement.DestinationPorts: ${p} is not a port or port range`);
      for (const p of ph?.Protocols ?? []) if (!["tcp", "udp"].includes(p)) problems.push(`${where}.${side}.PacketHeaderStatement.Protocols: ${p} (tcp or udp)`);
    };
    stmt(p.Source, "Source");
    stmt(p.Destination, "Destination");
    if (isMatch && !p.Destination?.ResourceStatement && !p.Destination?.PacketHeaderStatement?.DestinationAddresses?.length) problems.push(`${where}.Destination: a destination resource or DestinationAddresses is needed (paths to "any supported resource" are outside the subset)`);
    for (const [i, t] of (p.ThroughResources ?? []).entries()) {
      for (const id of t.ResourceStatement?.Resources ?? []) if (!THROUGH_IDS.test(id)) problems.push(`${where}.ThroughResources.${i}.Resources: ${id} (the subset takes nat-, vpce-, tgw-attach-, pcx-, igw- ids)`);
      for (const ty of t.ResourceStatement?.ResourceTypes ?? []) if (!(ty in THROUGH_TYPES)) problems.push(`${where}.ThroughResources.${i}.ResourceTypes: ${ty} (the subset takes ${Object.keys(THROUGH_TYPES).join(", ")}; firewalls and load balancers are outside it)`);
    }
  };
  const match = r.MatchPaths as AccessScopePath[];
  const exclude = (Array.isArray(r.ExcludePaths) ? r.ExcludePaths : []) as AccessScopePath[];
  match.forEach((p, i) => check(p, `MatchPaths.${i}`, true));
  exclude.forEach((p, i) => check(p, `ExcludePaths.${i}`, false));
  if (problems.length) return { ok: false, problems };
  const base = (doc as { NetworkInsightsAccessScopeContent?: unknown }).NetworkInsightsAccessScopeContent ? "/NetworkInsightsAccessScopeContent" : "";
  return { ok: true, value: { matchPaths: match, excludePaths: exclude, lines: match.map((_, i) => lines.get(`${base}/MatchPaths/${i}`) ?? jsonArrayItemLines(text, "MatchPaths")[i] ?? 1) } };
}

/** Every resource id the scope names that the snapshot does not hold: bad input (exit 2), all at once — never a pair quietly skipped into "holds". */
export function checkNaaIds(ix: SnapshotIndex, scope: NaaScope): void {
  const maps: Record<string, Map<string, unknown>> = { eni: ix.networkInterfaces, i: ix.instances, subnet: ix.subnets, sg: ix.securityGroups, vpc: ix.vpcs, igw: ix.internetGateways, vpce: ix.vpcEndpoints, nat: ix.natGateways, pcx: ix.peerings };
  const problems: string[] = [];
  const paths = [...scope.matchPaths.map((p, i) => [`MatchPaths.${i}`, p] as const), ...scope.excludePaths.map((p, i) => [`ExcludePaths.${i}`, p] as const)];
  for (const [where, p] of paths) {
    const named: Array<[string, string]> = [
      ...(p.Source?.ResourceStatement?.Resources ?? []).map((id) => [`${where}.Source`, id] as [string, string]),
      ...(p.Destination?.ResourceStatement?.Resources ?? []).map((id) => [`${where}.Destination`, id] as [string, string]),
      ...(p.ThroughResources ?? []).flatMap((t, k) => (t.ResourceStatement?.Resources ?? []).map((id) => [`${where}.ThroughResources.${k}`, id] as [string, string])),
    ];
    for (const [at, id] of named) {
      const kind = id.startsWith("tgw-attach-") ? "tgw-attach" : id.slice(0, id.indexOf("-"));
      const known = kind === "tgw-attach" ? (ix.snapshot.transitGatewayAttachments ?? []).some((a) => a.TransitGatewayAttachmentId === id) : (maps[kind]?.has(id) ?? false);
      if (!known) problems.push(`${at}: ${id} is not in the snapshot`);
    }
  }
  if (problems.length) throw new UsageError(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`, "check the ids, or the scope of the snapshot (--vpc, --all-vpcs)");
}

/** The sources a Source statement stands for (every workload interface when it names none). */
function sourcesOf(ix: SnapshotIndex, s: PathStatement | undefined): string[] {
  // NAA's paths start at a network interface: a subnet that holds none has no source (no virtual one here).
  const real = (x: string) => x.startsWith("eni-") || x.startsWith("i-");
  const ids = s?.ResourceStatement?.Resources;
  if (ids?.length) return [...new Set(ids.flatMap((id) => expandSelector(ix, id, "source")).filter(real))];
  return [...new Set([...ix.vpcs.keys()].sort().flatMap((v) => expandSelector(ix, v, "source")).filter(real))];
}

function destinationsOf(ix: SnapshotIndex, d: PathStatement): string[] {
  const addrs = d.PacketHeaderStatement?.DestinationAddresses;
  if (addrs?.length) return addrs;
  const rs = d.ResourceStatement!;
  if (rs.Resources?.length) return rs.Resources;
  const out: string[] = [];
  for (const t of rs.ResourceTypes ?? []) {
    if (t === "AWS::EC2::InternetGateway") out.push(...[...ix.internetGateways.keys()].sort());
    else if (t === "AWS::EC2::VPCEndpoint") out.push(...[...ix.vpcEndpoints.keys()].sort());
    else if (t === "AWS::EC2::Instance") out.push(...[...ix.instances.keys()].sort());
    else out.push(...[...ix.vpcs.keys()].sort().flatMap((v) => expandSelector(ix, v, "destination").filter((x) => x.startsWith("eni-"))));
  }
  return [...new Set(out)];
}

/** One port per range on which every rule of the snapshot answers alike (within the statement's ports). */
export function portClasses(ix: SnapshotIndex, ranges: Array<[number, number]>, extra: Array<[number, number]> = []): number[] {
  const cuts = new Set<number>();
  const add = (from?: number, to?: number) => {
    if (from === undefined || from < 0) return;
    cuts.add(from);
    if (to !== undefined && to >= 0 && to < 65535) cuts.add(to + 1);
  };
  for (const g of ix.securityGroups.values()) for (const p of [...g.ingress, ...g.egress]) add(p.from, p.to);
  for (const a of ix.networkAcls.values()) for (const e of [...a.ingress, ...a.egress]) add(e.from, e.to);
  for (const c of ix.snapshot.resourceConfigurations ?? []) for (const r of c.portRanges) add(Number(r.split("-")[0]), Number(r.split("-").at(-1)));
  // The ExcludePaths' ports cut too: one port must not stand for a range an exclusion covers only in part.
  for (const [from, to] of extra) add(from, to);
  const out: number[] = [];
  for (const [lo, hi] of ranges) {
    out.push(lo);
    for (const c of [...cuts].sort((a, b) => a - b)) if (c > lo && c <= hi) out.push(c);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

function through(h: Hop, rs: ResourceStatement): boolean {
  if (rs.Resources?.length) return rs.Resources.includes(h.component.id);
  return (rs.ResourceTypes ?? []).some((t) => THROUGH_TYPES[t] === h.component.type);
}

function statementMatches(ix: SnapshotIndex, s: PathStatement | undefined, id: string, side: "source" | "destination"): boolean {
  if (!s?.ResourceStatement) return true;
  const rs = s.ResourceStatement;
  if (rs.Resources?.length) return rs.Resources.some((r) => r === id || expandSelector(ix, r, side).includes(id));
  if (side === "source") return true; // NetworkInterface / Instance types: every source is one
  return (rs.ResourceTypes ?? []).some((t) => id.startsWith(`${DEST_TYPES[t]}-`));
}

export function evaluateNaaScope(ix: SnapshotIndex, scope: NaaScope): Omit<VerifyResult, "intents"> & { intents: Array<IntentResult & { line: number; from: string[]; to: string[]; ports: number[] }> } {
  const intents = scope.matchPaths.map((mp, index) => {
    const sources = sourcesOf(ix, mp.Source);
    const dests = destinationsOf(ix, mp.Destination!);
    const header = { ...(mp.Source?.PacketHeaderStatement ?? {}), ...(mp.Destination?.PacketHeaderStatement ?? {}) };
    const ranges: Array<[number, number]> = (header.DestinationPorts ?? ["1-65535"]).map((p) => [Number(p.split("-")[0]), Number(p.split("-").at(-1))] as [number, number]);
    const excludedPorts = scope.excludePaths.flatMap((ep) => [...(ep.Source?.PacketHeaderStatement?.DestinationPorts ?? []), ...(ep.Destination?.PacketHeaderStatement?.DestinationPorts ?? [])]).map((p) => [Number(p.split("-")[0]), Number(p.split("-").at(-1))] as [number, number]);
    const ports = portClasses(ix, ranges, excludedPorts);
    const protocols = (header.Protocols ?? ["tcp", "udp"]) as Array<"tcp" | "udp">;
    const violations: PairResult[] = [];
    const unknowns: PairResult[] = [];
    let pairs = 0;
    for (const source of sources) {
      for (const dest of dests) {
        for (const protocol of protocols) {
          for (const port of ports) {
            let r;
            try {
              r = analyzePath(ix, { source, destination: dest, protocol, port });
            } catch (err) {
              if (!(err instanceof UsageError)) throw err;
              continue; // not a path the analyzer can start or end (an endpoint ENI as a source): no finding
            }
            for (const p of r.paths ?? [r]) {
              pairs++;
              if (p.verdict === "unreachable") continue;
              const hops = p.hops;
              if (!(mp.ThroughResources ?? []).every((t) => !t.ResourceStatement || hops.some((h) => through(h, t.ResourceStatement!)))) continue;
              const excluded = scope.excludePaths.some(
                (ep) =>
                  headerMatches(ep, protocol, port, dest) &&
                  statementMatches(ix, ep.Source, source, "source") &&
                  (!ep.Destination || statementMatches(ix, ep.Destination, dest, "destination")) &&
                  (ep.ThroughResources ?? []).every((t) => !t.ResourceStatement || hops.some((h) => through(h, t.ResourceStatement!))),
              );
              if (excluded) continue;
              const row: PairResult = { source, selector: "MatchPaths", destination: dest, port, verdict: p.verdict, outcome: p.verdict === "reachable" ? "violation" : "unknown", hops: hops.map((h) => h.component.id), route: protocol };
              if (p.verdict === "reachable") {
                const gw = [...hops].reverse().find((h) => h.component.type !== ComponentType.securityGroup && h.component.type !== ComponentType.networkAcl && h.component.type !== ComponentType.routeTable);
                violations.push({ ...row, kind: "reachable", ...(gw ? { component: gw.component } : {}), detail: `finding: ${protocol}/${port} ${hops.map((h) => h.component.id).join(" → ")}` });
              } else unknowns.push({ ...row, unknownReasons: p.unknownReasons, detail: p.unknownReasons.map((u) => `${u.code} at ${u.component.id}: ${u.detail}`).join("; ") });
            }
          }
        }
      }
    }
    const outcome: Outcome = violations.length ? "violated" : unknowns.length ? "unknown" : "holds";
    const name = `MatchPaths[${index}]: ${describe(mp)}`;
    return { index, name, expect: "unreachable" as const, outcome, sources: sources.length, pairs, violations, unknowns, line: scope.lines[index] ?? 1, from: sources, to: dests, ports };
  });
  const count = (o: Outcome) => intents.filter((r) => r.outcome === o).length;
  return {
    outcome: count("violated") ? "violated" : count("unknown") ? "unknown" : "holds",
    summary: { intents: intents.length, holds: count("holds"), violated: count("violated"), unknown: count("unknown"), pairs: intents.reduce((n, r) => n + r.pairs, 0) },
    intents,
  };
}

/** An ExcludePath's packet headers (either side's statement) admit this protocol, port and destination. */
function headerMatches(ep: AccessScopePath, protocol: string, port: number, dest: string): boolean {
  const h = { ...(ep.Source?.PacketHeaderStatement ?? {}), ...(ep.Destination?.PacketHeaderStatement ?? {}) };
  if (h.Protocols?.length && !h.Protocols.includes(protocol)) return false;
  if (h.DestinationPorts?.length && !h.DestinationPorts.some((r) => port >= Number(r.split("-")[0]) && port <= Number(r.split("-").at(-1)))) return false;
  if (h.DestinationAddresses?.length) {
    const d = parseCidr(dest);
    if (!d || !h.DestinationAddresses.some((a) => { const c = parseCidr(a); return c !== null && c.v === d.v && cidrContains(c, d); })) return false;
  }
  return true;
}

function describe(p: AccessScopePath): string {
  const rs = (s?: ResourceStatement) => (s ? [...(s.Resources ?? []), ...(s.ResourceTypes ?? [])].join(" | ") : "");
  const src = rs(p.Source?.ResourceStatement) || "any network interface";
  const dst = rs(p.Destination?.ResourceStatement) || (p.Destination?.PacketHeaderStatement?.DestinationAddresses ?? []).join(" | ");
  const thr = (p.ThroughResources ?? []).map((t) => rs(t.ResourceStatement)).filter(Boolean);
  return `no finding from ${src} to ${dst}${thr.length ? ` through ${thr.join(", ")}` : ""}`;
}
