// verify's core: every source an intent's `from` matches (each ENI, or the subnet itself where it
// holds none) against every destination its `to` names, on every port, through the existing
// analyzer (src/analysis/analyzer.ts) and its three verdicts. An intent holds when every pair
// does; a proven violation lists the source, the path as hops and the blocking or offending
// component; a pair that could not be decided makes the intent unknown, never a pass. Same input,
// same output: sources, destinations and ports are walked in a fixed order. Pure: plain data in,
// plain data out.
import { analyzePath, ComponentType, type Hop, type PathResult, type SnapshotIndex, type SourcePathResult, type UnknownReason, type Verdict } from "../analysis/analyzer.js";
import type { NetworkInterface, Subnet } from "../analysis/snapshot.js";
import { tierOf } from "../analysis/rules/util.js";
import { UsageError } from "../errors.js";
import { analyzeDomain, type ProxyInfo } from "./domain.js";
import { asList, portsOf, SELECTOR, VIA_KINDS, type Intent, type ViaKind } from "./intent.js";

export type Outcome = "holds" | "violated" | "unknown";

export interface PairResult {
  /** The analyzer source (eni-…, subnet-…, i-…, lambda:NAME, …) and the concrete one (a Lambda's subnet). */
  source: string;
  /** Which `from` selector matched it. */
  selector: string;
  destination: string;
  port: number;
  verdict: Verdict;
  outcome: "ok" | "violation" | "unknown";
  /** Why it is a violation: blocked (expected reachable), reachable (expected unreachable), not-via, never-via. */
  kind?: "blocked" | "reachable" | "not-via" | "never-via" | "no-source";
  /** The blocking or offending component. */
  component?: { id: string; type: string };
  code?: string;
  detail?: string;
  /** The path, hop by hop (component ids). */
  hops: string[];
  unknownReasons?: UnknownReason[];
  /** For domains: which way out (direct, proxy i-… via …). */
  route?: string;
}

export interface IntentResult {
  index: number;
  name: string;
  expect: Intent["expect"];
  outcome: Outcome;
  /** Sources matched (after expansion). */
  sources: number;
  pairs: number;
  violations: PairResult[];
  unknowns: PairResult[];
}

export interface VerifyResult {
  outcome: Outcome;
  summary: { intents: number; holds: number; violated: number; unknown: number; pairs: number };
  intents: IntentResult[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const WORKLOAD = new Set([undefined, "", "interface", "lambda"]);

/** Resolves every selector of every intent first: ids missing from the snapshot are bad input (exit 2), all at once. */
export function checkSelectors(ix: SnapshotIndex, intents: Intent[], lines: number[] = []): void {
  const problems: string[] = [];
  intents.forEach((it, i) => {
    for (const s of [...asList(it.from), ...asList(it.to).filter((t) => SELECTOR.test(t) || /^igw-/.test(t))]) {
      const why = missingId(ix, s);
      if (why) problems.push(`${lines[i] ? `line ${lines[i]}: ` : ""}intent "${it.name}": ${s} ${why}`);
    }
    for (const v of [...(it.via ?? []), ...(it["never-via"] ?? [])]) {
      if ((VIA_KINDS as readonly string[]).includes(v)) continue;
      if (!knownId(ix, v)) problems.push(`${lines[i] ? `line ${lines[i]}: ` : ""}intent "${it.name}": via ${v} is not in the snapshot`);
    }
  });
  if (problems.length) throw new UsageError(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n  - ${problems.join("\n  - ")}`, "check the ids, or the scope of the snapshot (--vpc, --all-vpcs)");
}

function missingId(ix: SnapshotIndex, s: string): string | undefined {
  if (s.startsWith("tier:") || s.startsWith("tag:")) return undefined;
  if (s.startsWith("lambda:")) return ix.lambdaFunctions.has(s.slice(7)) ? undefined : "is not in the snapshot";
  if (s.startsWith("sg-")) return ix.securityGroups.has(s) ? undefined : "is not in the snapshot";
  if (s.startsWith("vpc-")) return ix.vpcs.has(s) ? undefined : "is not in the snapshot";
  return knownId(ix, s) ? undefined : "is not in the snapshot";
}

function knownId(ix: SnapshotIndex, s: string): boolean {
  const p = s.slice(0, s.indexOf("-"));
  const maps: Record<string, Map<string, unknown>> = { subnet: ix.subnets, i: ix.instances, eni: ix.networkInterfaces, vpce: ix.vpcEndpoints, igw: ix.internetGateways, nat: ix.natGateways, eigw: ix.egressOnlyInternetGateways, pcx: ix.peerings, sg: ix.securityGroups, vpc: ix.vpcs };
  if (p === "tgw") return (ix.snapshot.transitGateways ?? []).some((t) => t.TransitGatewayId === s);
  return maps[p]?.has(s) ?? false;
}

/** The analyzer sources a subnet stands for: its workload ENIs, or the subnet itself (a virtual one) when it holds none. */
function subnetSources(ix: SnapshotIndex, subnetId: string): string[] {
  const enis = (ix.enisBySubnet.get(subnetId) ?? []).filter((e) => isWorkload(ix, e)).map((e) => e.NetworkInterfaceId).sort(byText);
  return enis.length ? enis : [subnetId];
}

const gatewayEnis = new WeakMap<SnapshotIndex, Set<string>>();
/** A workload's interface (an instance's, a function's, a broker's): not a NAT gateway's, an endpoint's or a VPC Lattice resource gateway's. */
function isWorkload(ix: SnapshotIndex, e: NetworkInterface): boolean {
  let gw = gatewayEnis.get(ix);
  if (!gw) gatewayEnis.set(ix, (gw = new Set((ix.snapshot.resourceGateways ?? []).flatMap((g) => g.networkInterfaceIds ?? []))));
  return WORKLOAD.has(e.InterfaceType) && !ix.natByEni.has(e.NetworkInterfaceId) && !gw.has(e.NetworkInterfaceId) && !/resource gateway/i.test(e.Description ?? "");
}

const tagged = (tags: { Key?: string; Value?: string }[] | undefined, k: string, v: string) => (tags ?? []).some((t) => t.Key === k && (t.Value ?? "") === v);

const expanded = new WeakMap<SnapshotIndex, Map<string, string[]>>();

/** Expands one selector to analyzer sources (or destinations), in a fixed order; once per snapshot (1,000 intents on `tier:private` scan the subnets once). */
export function expandSelector(ix: SnapshotIndex, sel: string, as: "source" | "destination"): string[] {
  let m = expanded.get(ix);
  if (!m) expanded.set(ix, (m = new Map()));
  const key = `${as}|${sel}`;
  let out = m.get(key);
  if (!out) m.set(key, (out = expandUncached(ix, sel, as)));
  return out;
}

function expandUncached(ix: SnapshotIndex, sel: string, as: "source" | "destination"): string[] {
  const subnetsOf = (subnets: Subnet[]) => [...subnets].sort((a, b) => byText(a.SubnetId, b.SubnetId)).flatMap((s) => (as === "source" ? subnetSources(ix, s.SubnetId) : subnetDestinations(ix, s)));
  if (sel.startsWith("subnet-")) return subnetsOf([ix.subnets.get(sel)!]);
  if (sel.startsWith("vpc-")) return subnetsOf(ix.subnetsByVpc.get(sel) ?? []);
  if (sel.startsWith("tier:")) {
    const want = sel.slice(5);
    // private: every subnet that is not public (routed to a NAT or an appliance, or isolated).
    return subnetsOf([...ix.subnets.values()].filter((s) => (tierOf(ix, s) === "public") === (want === "public")));
  }
  if (sel.startsWith("sg-")) {
    const enis = [...ix.networkInterfaces.values()].filter((e) => (e.Groups ?? []).some((g) => g.GroupId === sel) && isWorkload(ix, e)).map((e) => e.NetworkInterfaceId).sort(byText);
    const fns = as === "source" ? [...new Set(ix.lambdaFunctions.values())].filter((f) => f.VpcConfig?.SecurityGroupIds?.includes(sel) && !enis.some((id) => ix.networkInterfaces.get(id)?.InterfaceType === "lambda")).map((f) => `lambda:${f.FunctionName}`).sort(byText) : [];
    return [...new Set([...enis, ...fns])];
  }
  if (sel.startsWith("tag:")) {
    const [k, v] = [sel.slice(4, sel.indexOf("=")), sel.slice(sel.indexOf("=") + 1)];
    const out: string[] = [];
    for (const vpc of [...ix.vpcs.values()].filter((x) => tagged(x.Tags, k, v)).sort((a, b) => byText(a.VpcId, b.VpcId))) out.push(...subnetsOf(ix.subnetsByVpc.get(vpc.VpcId) ?? []));
    out.push(...subnetsOf([...ix.subnets.values()].filter((s) => tagged(s.Tags, k, v))));
    out.push(...[...ix.instances.values()].filter((x) => tagged(x.Tags, k, v)).map((x) => x.InstanceId).sort(byText));
    out.push(...[...ix.networkInterfaces.values()].filter((x) => tagged(x.TagSet, k, v)).map((x) => x.NetworkInterfaceId).sort(byText));
    return [...new Set(out)];
  }
  return [sel];
}

function subnetDestinations(ix: SnapshotIndex, s: Subnet): string[] {
  const enis = (ix.enisBySubnet.get(s.SubnetId) ?? []).filter((e) => isWorkload(ix, e) && e.InterfaceType !== "lambda").map((e) => e.NetworkInterfaceId).sort(byText);
  return enis.length ? enis : s.CidrBlock ? [s.CidrBlock] : [];
}

const GATEWAY_TYPES = new Set<string>([
  ComponentType.internetGateway,
  ComponentType.egressOnlyInternetGateway,
  ComponentType.natGateway,
  ComponentType.vpcEndpoint,
  ComponentType.transitGateway,
  ComponentType.transitGatewayAttachment,
  ComponentType.vpcPeeringConnection,
  ComponentType.vpnGateway,
  ComponentType.gateway,
]);
const KIND_TYPES: Record<Exclude<ViaKind, "proxy">, string[]> = {
  "nat-gateway": [ComponentType.natGateway],
  "internet-gateway": [ComponentType.internetGateway],
  "vpc-endpoint": [ComponentType.vpcEndpoint],
  "transit-gateway": [ComponentType.transitGateway, ComponentType.transitGatewayAttachment],
  "peering-connection": [ComponentType.vpcPeeringConnection],
};

function hopMatches(h: Hop, v: string, proxies: Set<string>): boolean {
  if (v === "proxy") return proxies.has(h.component.id);
  if (v in KIND_TYPES) return KIND_TYPES[v as keyof typeof KIND_TYPES].includes(h.component.type);
  return h.component.id === v;
}

interface OnePath {
  source: string;
  verdict: Verdict;
  hops: Hop[];
  explanations: PathResult["explanations"];
  unknownReasons: UnknownReason[];
  route?: string;
  /** What the report must say about this way out (a NAT gateway does not filter names). */
  note?: string;
}

/** Evaluates every intent. `proxies`: the egress proxies with their allowlists (for domain: destinations and `via: proxy`). */
export function evaluateIntents(ix: SnapshotIndex, intents: Intent[], proxies: ProxyInfo[] = []): VerifyResult {
  const proxyIds = new Set<string>();
  for (const p of proxies) {
    proxyIds.add(p.instanceId);
    for (const n of ix.instances.get(p.instanceId)?.NetworkInterfaces ?? []) if (n.NetworkInterfaceId) proxyIds.add(n.NetworkInterfaceId);
  }
  const results = intents.map((it, index) => evaluateOne(ix, it, index, proxies, proxyIds));
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const outcome: Outcome = count("violated") ? "violated" : count("unknown") ? "unknown" : "holds";
  return { outcome, summary: { intents: results.length, holds: count("holds"), violated: count("violated"), unknown: count("unknown"), pairs: results.reduce((n, r) => n + r.pairs, 0) }, intents: results };
}

function evaluateOne(ix: SnapshotIndex, it: Intent, index: number, proxies: ProxyInfo[], proxyIds: Set<string>): IntentResult {
  const violations: PairResult[] = [];
  const unknowns: PairResult[] = [];
  let pairs = 0;
  const sources: Array<{ selector: string; source: string }> = [];
  const seen = new Set<string>();
  for (const sel of asList(it.from)) {
    for (const s of expandSelector(ix, sel, "source")) {
      if (seen.has(s)) continue;
      seen.add(s);
      sources.push({ selector: sel, source: s });
    }
  }
  // `internet` is the internet in every address family the source sends in: IPv4 (DNS64/NAT64 for an
  // IPv6-only source) and, when the source has an IPv6 address, IPv6 — each row names the family it
  // proved. `internet6` is IPv6 only, and a source without IPv6 then fails it.
  const destinations: Array<{ dest: string; ipVersion?: 4 | 6; label: string; ifSourceHasIpv6?: true }> = [];
  for (const t of asList(it.to)) {
    if (t === "internet6") destinations.push({ dest: "internet", ipVersion: 6, label: "internet6" });
    else if (t === "internet") destinations.push({ dest: "internet", ipVersion: 4, label: "internet (IPv4)" }, { dest: "internet", ipVersion: 6, label: "internet (IPv6)", ifSourceHasIpv6: true });
    else if (SELECTOR.test(t)) for (const d of expandSelector(ix, t, "destination")) destinations.push({ dest: d, label: d });
    else destinations.push({ dest: t, label: t });
  }
  // `to: [internet, internet6]`: the IPv6 internet once, as internet6 asks it
  if (destinations.some((d) => d.label === "internet6")) destinations.splice(0, destinations.length, ...destinations.filter((d) => !d.ifSourceHasIpv6));
  const ports = portsOf(it);
  if (!sources.length || !destinations.length) {
    unknowns.push({ source: asList(it.from).join(", "), selector: asList(it.from).join(", "), destination: asList(it.to).join(", "), port: ports[0]!, verdict: "unknown", outcome: "unknown", kind: "no-source", detail: !sources.length ? `"from" matches no source in the snapshot` : `"to" matches no destination in the snapshot`, hops: [] });
  }
  for (const { selector, source } of sources) {
    for (const { dest, ipVersion, label, ifSourceHasIpv6 } of destinations) {
      if (dest === source) continue;
      for (const port of ports) {
        let paths = pathsOf(ix, proxies, source, dest, port, it.protocol, ipVersion);
        if (ifSourceHasIpv6) paths = paths.filter((p) => !p.explanations.some((e) => e.code === "SOURCE_HAS_NO_IPV6_ADDRESS"));
        if (dest.startsWith("domain:") && it.expect === "reachable") {
          // One way out to the domain is enough: judge the proven ones (via, never-via); else the undecided; else every block.
          const reach = paths.filter((x) => x.verdict === "reachable");
          const unk = paths.filter((x) => x.verdict === "unknown");
          paths = reach.length ? reach : unk.length ? unk : paths;
        }
        for (const p of paths) {
          pairs++;
          const r = judge(it, p, proxyIds);
          const row: PairResult = { source: p.source, selector, destination: label, port, verdict: p.verdict, outcome: r.outcome, hops: p.hops.map((h) => h.component.id), ...(p.route ? { route: p.route } : {}) };
          if (r.outcome === "violation") violations.push({ ...row, kind: r.kind, ...(r.component ? { component: r.component } : {}), ...(r.code ? { code: r.code } : {}), detail: r.detail });
          else if (r.outcome === "unknown") unknowns.push({ ...row, unknownReasons: p.unknownReasons, detail: p.unknownReasons.map((u) => `${u.code} at ${u.component.id}: ${u.detail}`).join("; ") });
        }
      }
    }
  }
  const outcome: Outcome = violations.length ? "violated" : unknowns.length ? "unknown" : "holds";
  return { index, name: it.name, expect: it.expect, outcome, sources: sources.length, pairs, violations, unknowns };
}

/** The analyzer's answer as one path per concrete source (a Lambda in N subnets: N), or per way out for a domain. */
function pathsOf(ix: SnapshotIndex, proxies: ProxyInfo[], source: string, dest: string, port: number, protocol: "tcp" | "udp", ipVersion?: 4 | 6): OnePath[] {
  try {
    if (dest.startsWith("domain:")) {
      const d = analyzeDomain(ix, proxies, { source, domain: dest.slice(7), port });
      return d.routes.map((r) => {
        const note = r.result.additionalDetails.find((x) => x.startsWith("DOMAIN_NOT_FILTERED:"));
        return { source: d.source.id.startsWith("arn:") ? source : d.source.id, verdict: r.result.verdict, hops: r.result.hops, explanations: r.result.explanations, unknownReasons: r.result.unknownReasons, route: r.route, ...(note ? { note } : {}) };
      });
    }
    const r = analyzePath(ix, { source, destination: dest, protocol, port, ...(ipVersion ? { ipVersion } : {}) });
    const per: Array<PathResult | SourcePathResult> = r.paths ?? [r];
    return per.map((p) => ({ source: r.paths ? `${source} (${p.source.id})` : source, verdict: p.verdict, hops: p.hops, explanations: p.explanations, unknownReasons: p.unknownReasons }));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    // The analyzer cannot take this pair (an endpoint ENI as a source, no IPv6 address): not decided.
    return [{ source, verdict: "unknown", hops: [], explanations: [], unknownReasons: [{ code: "NOT_IN_SNAPSHOT", component: { id: source, type: "source" }, detail: `cannot be analyzed: ${err.message}`, collect: err.hint ?? "narrow the selector" }] }];
  }
}

function judge(it: Intent, p: OnePath, proxyIds: Set<string>): { outcome: PairResult["outcome"]; kind?: PairResult["kind"]; component?: { id: string; type: string }; code?: string; detail?: string } {
  // never-via: the first gateway the source's route table leads to (a NAT gateway's own onward hop to the IGW is not "directly").
  const first = p.hops.find((h) => GATEWAY_TYPES.has(h.component.type) || proxyIds.has(h.component.id));
  // only a proven path violates never-via: an unknown one through that gateway is unknown (below)
  const never = p.verdict === "reachable" && first ? it["never-via"]?.find((v) => hopMatches(first, v, proxyIds)) : undefined;
  if (never) return { outcome: "violation", kind: "never-via", component: first!.component, detail: `the path leaves ${p.source} directly through ${first!.component.id} (${never}), which this intent rules out` };
  if (it.expect === "unreachable") {
    if (p.verdict === "unreachable") return { outcome: "ok" };
    if (p.verdict === "unknown") return { outcome: "unknown" };
    const offending = [...p.hops].reverse().find((h) => GATEWAY_TYPES.has(h.component.type) || proxyIds.has(h.component.id)) ?? p.hops[p.hops.length - 1];
    return { outcome: "violation", kind: "reachable", ...(offending ? { component: offending.component } : {}), detail: `reachable${p.route ? ` (${p.route})` : ""}: ${p.hops.map((h) => h.component.id).join(" → ")}${p.note ? ` (${p.note})` : ""}` };
  }
  if (p.verdict === "unreachable") {
    const e = p.explanations[0];
    return { outcome: "violation", kind: "blocked", ...(e ? { component: e.component, code: e.code, detail: e.detail } : { detail: "not reachable" }) };
  }
  if (p.verdict === "unknown") return { outcome: "unknown" };
  if (it.via && !p.hops.some((h) => it.via!.some((v) => hopMatches(h, v, proxyIds)))) {
    return { outcome: "violation", kind: "not-via", ...(first ? { component: first.component } : {}), detail: `reachable${p.route ? ` (${p.route})` : ""} without passing ${it.via.join(" or ")}: ${p.hops.map((h) => h.component.id).join(" → ")}${p.note ? ` (${p.note})` : ""}` };
  }
  return { outcome: "ok" };
}
