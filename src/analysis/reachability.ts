// Reachability Analyzer's response shapes ↔ the analyzer's model, both ways, and the comparison
// behind `analyze-path --compare`. Pure: plain objects in the EC2 API's shapes (structural types
// below, no SDK import). The sandbox's RA emulation uses toNetworkInsightsAnalysis; analyze-path's
// AWS mode uses fromNetworkInsightsAnalysis, so one renderer serves both modes.
import { ComponentType, EXPLANATION_CODES, type ComponentRef, type Explanation, type ExplanationCode, type Hop, type PathResult } from "./analyzer.js";

export interface RaComponent {
  Id?: string;
  Arn?: string;
  Name?: string;
}
export interface RaPortRange {
  From?: number;
  To?: number;
}
export interface RaAclRule {
  Cidr?: string;
  Egress?: boolean;
  PortRange?: RaPortRange;
  Protocol?: string;
  RuleAction?: string;
  RuleNumber?: number;
}
export interface RaSecurityGroupRule {
  Cidr?: string;
  Direction?: string;
  SecurityGroupId?: string;
  PortRange?: RaPortRange;
  PrefixListId?: string;
  Protocol?: string;
}
export interface RaRouteTableRoute {
  DestinationCidr?: string;
  DestinationPrefixListId?: string;
  EgressOnlyInternetGatewayId?: string;
  GatewayId?: string;
  InstanceId?: string;
  NatGatewayId?: string;
  NetworkInterfaceId?: string;
  Origin?: string;
  TransitGatewayId?: string;
  VpcPeeringConnectionId?: string;
  State?: string;
}
export interface RaPathComponent {
  SequenceNumber?: number;
  Component?: RaComponent;
  AclRule?: RaAclRule;
  SecurityGroupRule?: RaSecurityGroupRule;
  RouteTableRoute?: RaRouteTableRoute;
  Subnet?: RaComponent;
  Vpc?: RaComponent;
}
export interface RaExplanation {
  ExplanationCode?: string;
  Component?: RaComponent;
  Direction?: string;
  Acl?: RaComponent;
  AclRule?: RaAclRule;
  Address?: string;
  InternetGateway?: RaComponent;
  NatGateway?: RaComponent;
  NetworkInterface?: RaComponent;
  RouteTable?: RaComponent;
  RouteTableRoute?: RaRouteTableRoute;
  SecurityGroups?: RaComponent[];
  Subnet?: RaComponent;
  State?: string;
}
export interface RaAnalysis {
  NetworkPathFound?: boolean;
  ForwardPathComponents?: RaPathComponent[];
  ReturnPathComponents?: RaPathComponent[];
  Explanations?: RaExplanation[];
}

// ---------------------------------------------------------------------------------------------
// Ids, types and ARNs

const BY_PREFIX: Array<[string, string, string]> = [
  // id prefix, component type, ARN resource type
  ["eni-", ComponentType.networkInterface, "network-interface"],
  ["sg-", ComponentType.securityGroup, "security-group"],
  ["acl-", ComponentType.networkAcl, "network-acl"],
  ["rtb-", ComponentType.routeTable, "route-table"],
  ["igw-", ComponentType.internetGateway, "internet-gateway"],
  ["eigw-", ComponentType.egressOnlyInternetGateway, "egress-only-internet-gateway"],
  ["nat-", ComponentType.natGateway, "natgateway"],
  ["vpce-", ComponentType.vpcEndpoint, "vpc-endpoint"],
  ["pcx-", ComponentType.vpcPeeringConnection, "vpc-peering-connection"],
  ["tgw-", ComponentType.transitGateway, "transit-gateway"],
  ["vgw-", ComponentType.vpnGateway, "vpn-gateway"],
  ["i-", ComponentType.instance, "instance"],
  ["subnet-", ComponentType.subnet, "subnet"],
  ["vpc-", ComponentType.vpc, "vpc"],
];

/** The component type an id stands for (ids carry their type in their prefix). */
export function typeOfId(id: string): string {
  if (id.startsWith("arn:aws:lambda:")) return ComponentType.lambdaFunction;
  const lattice = LATTICE.find(([p]) => id.startsWith(p));
  if (lattice) return lattice[1];
  return BY_PREFIX.find(([p]) => id.startsWith(p))?.[1] ?? ComponentType.gateway;
}

// VPC Lattice ids (PrivateLink Resource endpoints): their ARNs are vpc-lattice's, not ec2's.
const LATTICE: Array<[string, string, string]> = [
  ["rcfg-", ComponentType.resourceConfiguration, "resourceconfiguration"],
  ["rgw-", ComponentType.resourceGateway, "resourcegateway"],
];

export function arnOf(id: string, region: string, accountId: string): string {
  if (id.startsWith("arn:")) return id;
  const lattice = LATTICE.find(([p]) => id.startsWith(p));
  if (lattice) return `arn:aws:vpc-lattice:${region}:${accountId}:${lattice[2]}/${id}`;
  const t = BY_PREFIX.find(([p]) => id.startsWith(p))?.[2] ?? "resource";
  return `arn:aws:ec2:${region}:${accountId}:${t}/${id}`;
}

function idOf(c: RaComponent | undefined): string {
  if (c?.Id) return c.Id;
  const arn = c?.Arn ?? "";
  return arn.slice(arn.lastIndexOf("/") + 1) || arn || "?";
}

function ref(c: RaComponent | undefined): ComponentRef {
  const id = idOf(c);
  return { id, type: typeOfId(id) };
}

const PROTO_NAME: Record<string, string> = { "-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };
const protoName = (p: string | undefined) => (p === undefined ? "all" : (PROTO_NAME[p] ?? p));

function portsText(proto: string, r?: RaPortRange): string {
  if (proto === "all" || proto === "-1") return "all traffic";
  if (!r || r.From === undefined) return `${proto} all ports`;
  return r.From === r.To ? `${proto} ${r.From}` : `${proto} ${r.From}-${r.To}`;
}

// ---------------------------------------------------------------------------------------------
// Analyzer result → RA shapes (the sandbox's emulation)

function sgRuleOut(h: NonNullable<Hop["securityGroupRule"]>): RaSecurityGroupRule {
  const peerIsCidr = /[.:]/.test(h.peer) && h.peer.includes("/");
  return {
    Direction: h.direction,
    SecurityGroupId: h.securityGroupId,
    Protocol: h.protocol === "all" ? "-1" : h.protocol,
    ...(h.portRange ? { PortRange: { From: h.portRange.from, To: h.portRange.to } } : {}),
    ...(peerIsCidr ? { Cidr: h.peer } : h.peer.startsWith("pl-") ? { PrefixListId: h.peer } : {}),
  };
}

function aclRuleOut(a: NonNullable<Hop["aclRule"]>): RaAclRule {
  return {
    RuleNumber: a.ruleNumber,
    RuleAction: a.action,
    Protocol: a.protocol,
    Egress: a.egress,
    ...(a.cidr ? { Cidr: a.cidr } : {}),
    ...(a.portRange ? { PortRange: { From: a.portRange.from, To: a.portRange.to } } : {}),
  };
}

function routeOut(r: { destination: string; target: string; state?: string }): RaRouteTableRoute {
  const t = r.target;
  const target: RaRouteTableRoute = t.startsWith("nat-")
    ? { NatGatewayId: t }
    : t.startsWith("eni-")
      ? { NetworkInterfaceId: t }
      : t.startsWith("i-")
        ? { InstanceId: t }
        : t.startsWith("pcx-")
          ? { VpcPeeringConnectionId: t }
          : t.startsWith("tgw-")
            ? { TransitGatewayId: t }
            : t.startsWith("eigw-")
              ? { EgressOnlyInternetGatewayId: t }
              : { GatewayId: t };
  return { ...(r.destination.startsWith("pl-") ? { DestinationPrefixListId: r.destination } : { DestinationCidr: r.destination }), ...target, State: r.state ?? "active" };
}

/** An analyzer result in Reachability Analyzer's response shapes. */
export function toNetworkInsightsAnalysis(result: PathResult, where: { region: string; accountId: string }): Required<RaAnalysis> {
  const comp = (c: ComponentRef): RaComponent => ({ Id: c.id, Arn: arnOf(c.id, where.region, where.accountId) });
  const forward: RaPathComponent[] = [];
  const back: RaPathComponent[] = [];
  for (const h of result.hops) {
    const pc: RaPathComponent = { Component: comp(h.component) };
    if (h.securityGroupRule) pc.SecurityGroupRule = sgRuleOut(h.securityGroupRule);
    if (h.aclRule) pc.AclRule = aclRuleOut(h.aclRule);
    if (h.route) pc.RouteTableRoute = routeOut(h.route);
    (h.aclRule?.returnPath ? back : forward).push(pc);
  }
  forward.forEach((c, i) => (c.SequenceNumber = i + 1));
  back.forEach((c, i) => (c.SequenceNumber = i + 1));
  const explanations: RaExplanation[] = result.explanations.map((e) => ({
    ExplanationCode: e.code,
    Component: comp(e.component),
    ...(e.direction ? { Direction: e.direction } : {}),
    ...(e.securityGroups ? { SecurityGroups: e.securityGroups.map((id) => comp({ id, type: ComponentType.securityGroup })) } : {}),
    ...(e.networkInterface ? { NetworkInterface: comp(e.networkInterface) } : {}),
    ...(e.natGateway ? { NatGateway: comp(e.natGateway) } : {}),
    ...(e.internetGateway ? { InternetGateway: comp(e.internetGateway) } : {}),
    ...(e.subnet ? { Subnet: comp(e.subnet) } : {}),
    ...(e.routeTable ? { RouteTable: comp(e.routeTable) } : {}),
    ...(e.route ? { RouteTableRoute: routeOut(e.route) } : {}),
    ...(e.aclRule ? { Acl: comp(e.component), AclRule: aclRuleOut({ ...e.aclRule, egress: e.direction === "egress" }) } : {}),
    ...(e.address ? { Address: e.address } : {}),
    ...(e.state ? { State: e.state } : {}),
  }));
  return { NetworkPathFound: result.reachable, ForwardPathComponents: forward, ReturnPathComponents: back, Explanations: explanations };
}

// ---------------------------------------------------------------------------------------------
// RA shapes → the analyzer's model (analyze-path on AWS)

function hopFrom(pc: RaPathComponent, returnPath: boolean): Hop {
  const c = ref(pc.Component);
  const hop: Hop = { component: c, action: "" };
  const sg = pc.SecurityGroupRule;
  const acl = pc.AclRule;
  const rt = pc.RouteTableRoute;
  if (sg) {
    const proto = protoName(sg.Protocol);
    const peer = sg.Cidr ?? sg.PrefixListId ?? "(group reference)";
    hop.action = `security group ${sg.SecurityGroupId ?? c.id} ${sg.Direction ?? ""} rule ${portsText(proto, sg.PortRange)} ${peer} matched`.replace(/ {2,}/g, " ");
    hop.securityGroupRule = {
      direction: sg.Direction === "ingress" ? "ingress" : "egress",
      securityGroupId: sg.SecurityGroupId ?? c.id,
      protocol: proto,
      ...(sg.PortRange?.From !== undefined ? { portRange: { from: sg.PortRange.From, to: sg.PortRange.To ?? sg.PortRange.From } } : {}),
      peer,
    };
    if (c.type !== ComponentType.securityGroup && sg.SecurityGroupId) hop.component = { id: sg.SecurityGroupId, type: ComponentType.securityGroup };
  } else if (acl) {
    const proto = protoName(acl.Protocol);
    hop.action = `network ACL ${c.id} ${acl.Egress ? "outbound" : "inbound"} rule ${acl.RuleNumber ?? "?"} ${acl.RuleAction ?? "allow"}s ${portsText(proto, acl.PortRange)} ${acl.Cidr ?? ""}${returnPath ? " (return traffic)" : ""}`.trimEnd();
    hop.aclRule = {
      ruleNumber: acl.RuleNumber ?? 0,
      action: acl.RuleAction ?? "allow",
      protocol: acl.Protocol ?? "-1",
      egress: Boolean(acl.Egress),
      ...(acl.Cidr ? { cidr: acl.Cidr } : {}),
      ...(acl.PortRange?.From !== undefined ? { portRange: { from: acl.PortRange.From, to: acl.PortRange.To ?? acl.PortRange.From } } : {}),
      ...(returnPath ? { returnPath } : {}),
    };
  } else if (rt) {
    const target = rt.NatGatewayId ?? rt.NetworkInterfaceId ?? rt.InstanceId ?? rt.VpcPeeringConnectionId ?? rt.TransitGatewayId ?? rt.EgressOnlyInternetGatewayId ?? rt.GatewayId ?? "?";
    const destination = rt.DestinationCidr ?? rt.DestinationPrefixListId ?? "?";
    hop.action = `route table ${c.id} route ${destination} → ${target} matched`;
    hop.route = { destination, target, ...(rt.State ? { state: rt.State } : {}) };
  } else {
    const label: Record<string, string> = {
      [ComponentType.natGateway]: "NAT gateway",
      [ComponentType.internetGateway]: "internet gateway",
      [ComponentType.egressOnlyInternetGateway]: "egress-only internet gateway",
      [ComponentType.networkInterface]: "network interface",
      [ComponentType.instance]: "instance",
      [ComponentType.vpcEndpoint]: "VPC endpoint",
      [ComponentType.vpcPeeringConnection]: "peering connection",
      [ComponentType.transitGateway]: "transit gateway",
      [ComponentType.subnet]: "subnet",
      [ComponentType.resourceConfiguration]: "resource configuration",
      [ComponentType.resourceGateway]: "resource gateway",
    };
    hop.action = `${label[c.type] ?? "component"} ${c.id}`;
  }
  return hop;
}

function explanationFrom(e: RaExplanation): Explanation {
  const code = (e.ExplanationCode ?? "UNKNOWN") as ExplanationCode;
  const known = (EXPLANATION_CODES as Record<string, string>)[code];
  const bits: string[] = [];
  if (e.Direction) bits.push(e.Direction);
  if (e.SecurityGroups?.length) bits.push(`security groups ${e.SecurityGroups.map(idOf).join(", ")}`);
  if (e.AclRule) bits.push(`ACL rule ${e.AclRule.RuleNumber} (${e.AclRule.RuleAction} ${e.AclRule.Cidr ?? ""})`.replace(" )", ")"));
  if (e.RouteTableRoute) bits.push(`route ${e.RouteTableRoute.DestinationCidr ?? e.RouteTableRoute.DestinationPrefixListId} (${e.RouteTableRoute.State ?? "active"})`);
  if (e.NatGateway) bits.push(`NAT gateway ${idOf(e.NatGateway)}`);
  if (e.NetworkInterface) bits.push(`network interface ${idOf(e.NetworkInterface)}`);
  if (e.Address) bits.push(`address ${e.Address}`);
  if (e.State) bits.push(`state ${e.State}`);
  const out: Explanation = {
    code,
    component: ref(e.Component),
    detail: `${known ?? code}${bits.length ? ` (${bits.join("; ")})` : ""}`,
  };
  if (e.Direction === "egress" || e.Direction === "ingress") out.direction = e.Direction;
  if (e.SecurityGroups) out.securityGroups = e.SecurityGroups.map(idOf);
  if (e.NetworkInterface) out.networkInterface = ref(e.NetworkInterface);
  if (e.NatGateway) out.natGateway = ref(e.NatGateway);
  if (e.InternetGateway) out.internetGateway = ref(e.InternetGateway);
  if (e.Subnet) out.subnet = ref(e.Subnet);
  if (e.RouteTable) out.routeTable = ref(e.RouteTable);
  if (e.Address) out.address = e.Address;
  if (e.State) out.state = e.State;
  return out;
}

/** Reachability Analyzer's answer as the analyzer's PathResult (hops = forward then return path). */
export function fromNetworkInsightsAnalysis(a: RaAnalysis, query: { source: ComponentRef; destination: string }): PathResult {
  const seq = (x: RaPathComponent[] | undefined) => [...(x ?? [])].sort((p, q) => (p.SequenceNumber ?? 0) - (q.SequenceNumber ?? 0));
  const hops = [...seq(a.ForwardPathComponents).map((pc) => hopFrom(pc, false)), ...seq(a.ReturnPathComponents).map((pc) => hopFrom(pc, true))];
  const reachable = Boolean(a.NetworkPathFound);
  const explanations = reachable ? [] : (a.Explanations ?? []).map(explanationFrom);
  // No path found and nothing named that blocks it: not proven either way.
  const verdict = reachable ? "reachable" : explanations.length ? "unreachable" : "unknown";
  return {
    reachable,
    verdict,
    unknownReasons:
      verdict === "unknown"
        ? [{ code: "NOT_COLLECTED", component: query.source, detail: "Reachability Analyzer found no path and named no component that blocks it", collect: "run analyze-path --local, which names what it could not evaluate" }]
        : [],
    hops,
    explanations,
    additionalDetails: [],
    source: query.source,
    destination: query.destination,
  };
}

// ---------------------------------------------------------------------------------------------
// --compare

export interface Disagreement {
  field: "verdict" | "reachable" | "code" | "component";
  local: string;
  aws: string;
}

/** What `--compare` checks: the verdict, and for a blocked path its first code and blocking component. */
export function comparePathResults(local: Pick<PathResult, "reachable" | "explanations"> & { verdict?: PathResult["verdict"] }, aws: Pick<PathResult, "reachable" | "explanations"> & { verdict?: PathResult["verdict"] }): Disagreement[] {
  const out: Disagreement[] = [];
  const lv = local.verdict ?? (local.reachable ? "reachable" : "unreachable");
  const av = aws.verdict ?? (aws.reachable ? "reachable" : "unreachable");
  // Unknown on either side is never agreement: one engine did not prove what the other claims (or neither proved anything).
  if (lv === "unknown" || av === "unknown") {
    out.push({ field: "verdict", local: lv, aws: av });
    return out;
  }
  if (local.reachable !== aws.reachable) out.push({ field: "reachable", local: String(local.reachable), aws: String(aws.reachable) });
  if (!local.reachable && !aws.reachable) {
    const l = local.explanations[0];
    const w = aws.explanations[0];
    if ((l?.code ?? "") !== (w?.code ?? "")) out.push({ field: "code", local: l?.code ?? "(none)", aws: w?.code ?? "(none)" });
    if ((l?.component.id ?? "") !== (w?.component.id ?? "")) out.push({ field: "component", local: l?.component.id ?? "(none)", aws: w?.component.id ?? "(none)" });
  }
  return out;
}
