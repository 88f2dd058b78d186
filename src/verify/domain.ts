// Can a source reach a domain name? Decided by what each way out passes, through the existing
// analyzer: directly (a NAT gateway or an internet gateway does not look at names: every domain is
// reachable that way, and the result says so; a Gateway Load Balancer endpoint — AWS Network
// Firewall — on the way cannot be read: unknown), and through each egress proxy the source can reach
// (its instance in the source's VPC, or a Resource endpoint of the source's VPC whose resource
// configuration points at it), where the Squid allowlist decides exactly as Squid's `dstdomain`
// does (src/proxy/domains.ts: leading dot = the domain and its subdomains, case-insensitive, the
// host's trailing dot ignored) and the proxy's own way to the internet is analyzed too.
// `verify` and `analyze-path --to domain:NAME` both answer with this. Pure.
import { analyzePath, type ComponentRef, type Explanation, type Hop, type PathResult, type SnapshotIndex, type UnknownReason, type Verdict } from "../analysis/analyzer.js";
import { domainMatches } from "../proxy/domains.js";

/** An egress proxy as its plan records it (plan.proxy + launch-proxy's instance records). */
export interface ProxyInfo {
  instanceId: string;
  port: number;
  /** Squid dstdomain patterns; null when no plan says (the proxy's allowlist is then not known). */
  allowDomains: string[] | null;
  /** Where the allowlist came from (the plan file), for the report. */
  origin?: string;
}

export interface DomainRoute {
  /** "direct", or "proxy i-… via i-…|vpce-…" */
  route: string;
  proxy?: string;
  result: Pick<PathResult, "verdict" | "hops" | "explanations" | "unknownReasons" | "additionalDetails">;
}

export interface DomainResult {
  verdict: Verdict;
  source: ComponentRef;
  domain: string;
  routes: DomainRoute[];
}

/** Squid relays TLS by CONNECT to 443 and plain HTTP to 80 (src/proxy/squid.ts). */
export const PROXY_PORTS = [80, 443];

export function analyzeDomain(ix: SnapshotIndex, proxies: ProxyInfo[], q: { source: string; domain: string; port: number }): DomainResult {
  const host = q.domain.toLowerCase().replace(/\.+$/, "");
  const routes: DomainRoute[] = [];
  const direct = directWay(ix, q.source, q.port, host);
  const directDetails = [...direct.additionalDetails];
  if (direct.verdict === "reachable") directDetails.push(`DOMAIN_NOT_FILTERED: ${direct.source.id} reaches the internet on tcp/${q.port} without a proxy; a NAT gateway or an internet gateway does not filter by name, so ${host} (like any domain) is reachable this way`);

  const vpc = sourceVpc(ix, q.source);
  for (const p of [...proxies].sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0))) {
    const inst = ix.instances.get(p.instanceId);
    if (!inst || !vpc) continue;
    for (const entrance of entrances(ix, p, vpc)) {
      const leg1 = analyzePath(ix, { source: q.source, destination: entrance, protocol: "tcp", port: p.port });
      const proxyRef = { id: p.instanceId, type: "AWS::EC2::Instance" };
      const hops: Hop[] = [...leg1.hops];
      const explanations: Explanation[] = [...leg1.explanations];
      const unknownReasons: UnknownReason[] = [...leg1.unknownReasons];
      const details = [...leg1.additionalDetails];
      let verdict: Verdict = leg1.verdict;
      if (verdict !== "unreachable") {
        const match = p.allowDomains?.find((d) => domainMatches(d, host));
        if (p.allowDomains === null) {
          unknownReasons.push({ code: "PROXY_ALLOWLIST_NOT_KNOWN", component: proxyRef, detail: `the path reaches egress proxy ${p.instanceId}, whose Squid allowlist is not known here`, collect: "pass the plan that launched the proxy (--plan FILE): its proxy.allowDomains is the allowlist" });
          verdict = "unknown";
        } else if (!PROXY_PORTS.includes(q.port)) {
          explanations.push({ code: "PROXY_PORT_NOT_RELAYED", component: proxyRef, detail: `proxy ${p.instanceId} relays CONNECT to 443 and HTTP to 80 only, not tcp/${q.port}` });
          verdict = "unreachable";
        } else if (!match) {
          explanations.push({ code: "PROXY_DOMAIN_NOT_ALLOWED", component: proxyRef, detail: `no dstdomain pattern of proxy ${p.instanceId}'s allowlist (${p.allowDomains!.join(" ")}${p.origin ? `, from ${p.origin}` : ""}) matches ${host}: Squid denies it` });
          verdict = "unreachable";
        } else {
          // Squid also refuses a name that resolves to an internal address (src/proxy/squid.ts); DNS answers are in no snapshot.
          hops.push({ component: proxyRef, action: `Squid on ${p.instanceId} admits ${host}: dstdomain ${match}${match.startsWith(".") ? " (the domain and its subdomains)" : ""}`, detail: `port ${p.port}; ${host} taken to resolve to a public address (Squid refuses internal ones)` });
        }
        if (verdict !== "unreachable") {
          const leg2 = analyzePath(ix, { source: p.instanceId, destination: "internet", protocol: "tcp", port: q.port });
          hops.push(...leg2.hops);
          explanations.push(...leg2.explanations);
          unknownReasons.push(...leg2.unknownReasons);
          details.push(...leg2.additionalDetails);
          verdict = leg2.verdict === "unreachable" ? "unreachable" : verdict === "unknown" || leg2.verdict === "unknown" ? "unknown" : "reachable";
        }
      }
      routes.push({ route: `proxy ${p.instanceId} via ${entrance}`, proxy: p.instanceId, result: { verdict, hops, explanations, unknownReasons: verdict === "unknown" ? unknownReasons : [], additionalDetails: details } });
    }
  }
  // The proxies first (the way a domain is meant to go out), then the direct way.
  routes.push({ route: "direct", result: { verdict: direct.verdict, hops: direct.hops, explanations: direct.explanations, unknownReasons: direct.unknownReasons, additionalDetails: directDetails } });
  // Any proven way out reaches the domain; else any unproven one leaves it unknown; else none does.
  const vs = routes.map((r) => r.result.verdict);
  const verdict: Verdict = vs.includes("reachable") ? "reachable" : vs.includes("unknown") ? "unknown" : "unreachable";
  return { verdict, source: direct.source, domain: host, routes };
}

/**
 * The direct way out, in each address family the source can use: what a name resolves to (A, AAAA, or
 * a DNS64-synthesized AAAA) is in no snapshot, so a source with an IPv6 address reaches the domain for
 * certain only when both its IPv4 way (DNS64/NAT64 for an IPv6-only source) and its IPv6 way do, and
 * is certainly blocked only when both are; when they differ the answer depends on DNS: unknown.
 */
function directWay(ix: SnapshotIndex, source: string, port: number, host: string): PathResult {
  const v4 = analyzePath(ix, { source, destination: "internet", protocol: "tcp", port, ipVersion: 4 });
  const v6 = analyzePath(ix, { source, destination: "internet", protocol: "tcp", port, ipVersion: 6 });
  const no6 = (r: PathResult): boolean => r.verdict === "unreachable" && [...r.explanations, ...(r.paths ?? []).flatMap((p) => p.explanations)].some((e) => e.code === "SOURCE_HAS_NO_IPV6_ADDRESS");
  // An IPv6-only source's own way out is IPv6 (its IPv4 way is DNS64/NAT64): shown first when both agree.
  const v6only = v4.additionalDetails.some((d) => d.startsWith("DNS64_ASSUMED")) || v4.explanations.some((e) => e.code === "DNS64_NOT_ENABLED");
  if (no6(v6)) return v4;
  if (v4.verdict === v6.verdict) return v6only ? v6 : v4;
  const open = v4.verdict === "reachable" ? v4 : v6.verdict === "reachable" ? v6 : v4.verdict === "unknown" ? v4 : v6;
  const [yes, no] = v4.verdict === "reachable" || (v4.verdict === "unknown" && v6.verdict === "unreachable") ? ["IPv4", "IPv6"] : ["IPv6", "IPv4"];
  return {
    ...open,
    reachable: false,
    verdict: "unknown",
    unknownReasons: [
      ...(open.verdict === "unknown" ? open.unknownReasons : []),
      {
        code: "DOMAIN_ADDRESS_FAMILY_NOT_KNOWN",
        component: open.source,
        detail: `${open.source.id} reaches the internet over ${yes} (${(yes === "IPv4" ? v4 : v6).verdict}) but not over ${no} (${(no === "IPv4" ? v4 : v6).verdict}${(no === "IPv4" ? v4 : v6).explanations[0] ? `: ${(no === "IPv4" ? v4 : v6).explanations[0]!.code} at ${(no === "IPv4" ? v4 : v6).explanations[0]!.component.id}` : ""}); whether ${host} resolves to an IPv4 or an IPv6 address (A, AAAA, DNS64) is in no snapshot`,
        collect: `look up ${host}'s A and AAAA records (dig A ${host}; dig AAAA ${host}), or give the source the same egress in both address families`,
      },
    ],
  };
}

/** The one PathResult analyze-path prints: the route that decides, every route's verdict as a detail. */
export function domainPathResult(r: DomainResult): PathResult {
  const pick = r.routes.find((x) => x.result.verdict === r.verdict) ?? r.routes[0]!;
  return {
    reachable: r.verdict === "reachable",
    verdict: r.verdict,
    unknownReasons: r.verdict === "unknown" ? r.routes.flatMap((x) => x.result.unknownReasons) : [],
    hops: pick.result.hops,
    explanations: pick.result.explanations,
    additionalDetails: [
      ...new Set([
        ...pick.result.additionalDetails,
        ...r.routes.map((x) => `DOMAIN_ROUTE: ${x.route}: ${x.result.verdict === "unreachable" ? `not reachable (${x.result.explanations[0]?.code ?? "?"} at ${x.result.explanations[0]?.component.id ?? "?"})` : x.result.verdict}`),
      ]),
    ],
    source: r.source,
    destination: `domain:${r.domain}`,
  };
}

/** Where a proxy can be entered from a VPC: its instance (same VPC), or the VPC's Resource endpoints pointing at it. */
function entrances(ix: SnapshotIndex, p: ProxyInfo, vpcId: string): string[] {
  const out: string[] = [];
  const inst = ix.instances.get(p.instanceId)!;
  const instVpc = inst.VpcId ?? (inst.SubnetId ? ix.subnets.get(inst.SubnetId)?.VpcId : undefined);
  if (instVpc === vpcId) out.push(p.instanceId);
  const ip = inst.PrivateIpAddress;
  const cfgs = new Set(
    (ix.snapshot.resourceConfigurations ?? [])
      .filter((c) => ip && c.resourceConfigurationDefinition?.ipResource?.ipAddress === ip && c.portRanges.some((r) => inRange(r, p.port)))
      .flatMap((c) => [c.id, c.arn].filter((x): x is string => Boolean(x))),
  );
  const eps = [...ix.vpcEndpoints.values()]
    .filter((e) => e.VpcId === vpcId && e.VpcEndpointType === "Resource" && e.ResourceConfigurationArn && [...cfgs].some((c) => e.ResourceConfigurationArn === c || e.ResourceConfigurationArn!.endsWith(`/${c}`)))
    .map((e) => e.VpcEndpointId)
    .sort();
  return [...out, ...eps];
}

function inRange(r: string, port: number): boolean {
  const [a, b] = r.split("-").map(Number);
  return port >= a! && port <= (b ?? a!);
}

/** The VPC a source string lives in (the analyzer resolves it fully; this only picks entrances). */
export function sourceVpc(ix: SnapshotIndex, source: string): string | undefined {
  if (source.startsWith("subnet-")) return ix.subnets.get(source)?.VpcId;
  if (source.startsWith("eni-")) return ix.networkInterfaces.get(source)?.VpcId;
  if (source.startsWith("vpce-")) return ix.vpcEndpoints.get(source)?.VpcId;
  if (source.startsWith("nat-")) return ix.natGateways.get(source)?.VpcId;
  if (source.startsWith("i-")) {
    const i = ix.instances.get(source);
    return i?.VpcId ?? (i?.SubnetId ? ix.subnets.get(i.SubnetId)?.VpcId : undefined);
  }
  if (source.startsWith("lambda:")) {
    const s = ix.lambdaFunctions.get(source.slice(7))?.VpcConfig?.SubnetIds?.[0];
    return s ? ix.subnets.get(s)?.VpcId : undefined;
  }
  return undefined;
}
