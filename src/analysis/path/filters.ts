// Security groups (stateful) and network ACLs (stateless, first match wins): does a rule admit the
// packet, and the hop or explanation that says so.
import { ANY_V4, cidrContains, type Cidr } from "../../net/addr.js";
import { aclForSubnet, type ParsedAcl, type ParsedAclEntry, type ParsedPermission, type SnapshotIndex } from "../snapshot-index.js";
import type { Subnet } from "../snapshot.js";
import { fail, notEvaluated, type Ctx, type Sender, type VirtualEni } from "./internal.js";
import { ComponentType, type Explanation, type Hop } from "./model.js";

export function fmtPorts(proto: string, from: number, to: number): string {
  if (proto === "all") return "all traffic";
  if (proto === "icmp" || proto === "icmpv6") return proto;
  return from === to ? `${proto} ${from}` : from === 0 && to === 65535 ? `${proto} all ports` : `${proto} ${from}-${to}`;
}

function protoMatches(ruleProto: string, proto: string): boolean {
  return ruleProto === "all" || ruleProto === proto || (proto === "icmp" && ruleProto === "icmpv6");
}

function portMatches(p: ParsedPermission, proto: string, port: number): boolean {
  if (!protoMatches(p.proto, proto)) return false;
  if (p.proto === "all" || proto === "icmp") return true;
  return port >= p.from && port <= p.to;
}

/** Does one permission admit the peer? Returns a description of the matching part, or null. */
function permissionAdmits(
  ix: SnapshotIndex,
  p: ParsedPermission,
  peers: Cidr[],
  peerSgIds: string[] | null,
  peerPrefixListId: string | undefined,
): string | null {
  if (peerPrefixListId && p.prefixListIds.includes(peerPrefixListId)) return peerPrefixListId;
  if (peerSgIds) {
    const g = p.groupIds.find((id) => peerSgIds.includes(id));
    if (g) return g;
  }
  // Unknown destination addresses (a prefix list not in the snapshot): only "anywhere" covers them.
  if (peers.length === 0) return p.cidrs.find((c) => c.len === 0 && c.v === 4)?.text ?? null;
  // Every destination address must be covered by one of this rule's CIDRs or prefix lists.
  let via: string | null = null;
  for (const peer of peers) {
    const c = p.cidrs.find((rc) => cidrContains(rc, peer));
    if (c) {
      via ??= c.text;
      continue;
    }
    const pl = p.prefixListIds.find((id) => ix.prefixLists.get(id)?.cidrs.some((rc) => cidrContains(rc, peer)));
    if (pl) {
      via ??= pl;
      continue;
    }
    return null;
  }
  return via;
}

interface SgVerdict {
  ok: boolean;
  sgId?: string;
  rule?: string;
  perm?: ParsedPermission;
  via?: string;
}

export function sgRuleOf(v: SgVerdict, direction: "egress" | "ingress"): Hop["securityGroupRule"] {
  const p = v.perm!;
  return { direction, securityGroupId: v.sgId!, protocol: p.proto, ...(p.proto === "tcp" || p.proto === "udp" ? { portRange: { from: p.from, to: p.to } } : {}), peer: v.via! };
}

export function evalSecurityGroups(
  ctx: Ctx,
  sgIds: string[],
  direction: "egress" | "ingress",
  peers: Cidr[],
  peerSgIds: string[] | null,
  peerPrefixListId?: string,
): SgVerdict {
  const { ix, proto, port } = ctx;
  for (const id of sgIds) {
    const sg = ix.securityGroups.get(id);
    if (!sg) continue;
    for (const p of direction === "egress" ? sg.egress : sg.ingress) {
      if (!portMatches(p, proto, port)) continue;
      const via = permissionAdmits(ix, p, peers, peerSgIds, peerPrefixListId);
      if (via) return { ok: true, sgId: id, rule: `${fmtPorts(p.proto, p.from, p.to)} ${via}`, perm: p, via };
    }
  }
  return { ok: false };
}

interface AclVerdict {
  ok: boolean;
  entry?: ParsedAclEntry;
  /** The rule(s) that admitted the traffic (for the hop). */
  admittedBy: number[];
}

/**
 * First match wins, per port: walks the rules in order, removing admitted port intervals;
 * a deny that meets a still-open port blocks. Unmatched ports fall to the implicit deny.
 */
function evalAcl(acl: ParsedAcl, egress: boolean, peers: Cidr[], proto: string, from: number, to: number): AclVerdict {
  const rules = egress ? acl.egress : acl.ingress;
  const admittedBy: number[] = [];
  for (const peer of peers) {
    // The ports still open, as flat [lo, hi] pairs in two scratch lists swapped per allowing rule (this
    // runs for every ACL crossing of every path: arrays of pairs were a quarter of a 10x audit's garbage).
    let open = scratchA;
    let next = scratchB;
    open.length = 0;
    open.push(from, to);
    for (const r of rules) {
      if (open.length === 0) break;
      if (!protoMatches(r.proto, proto) || !r.cidr || !cidrContains(r.cidr, peer)) continue;
      const ported = r.proto === "tcp" || r.proto === "udp";
      const lo = ported ? r.from : 0;
      const hi = ported ? r.to : 65535;
      let hits = false;
      for (let i = 0; i < open.length; i += 2) if (open[i] <= hi && open[i + 1] >= lo) { hits = true; break; }
      if (!hits) continue;
      if (!r.allow) return { ok: false, entry: r, admittedBy };
      // Distinct rule numbers in first-admitted order.
      if (!admittedBy.includes(r.entry.RuleNumber)) admittedBy.push(r.entry.RuleNumber);
      next.length = 0;
      for (let i = 0; i < open.length; i += 2) {
        const a = open[i], b = open[i + 1];
        if (b < lo || a > hi) next.push(a, b);
        else {
          if (a < lo) next.push(a, lo - 1);
          if (b > hi) next.push(hi + 1, b);
        }
      }
      const t = open;
      open = next;
      next = t;
    }
    if (open.length > 0) return { ok: false, admittedBy };
  }
  return { ok: true, admittedBy };
}
const scratchA: number[] = [];
const scratchB: number[] = [];

function admittingRule(acl: ParsedAcl, egress: boolean, ruleNumber: number | undefined, returnPath: boolean): Hop["aclRule"] {
  const e = (egress ? acl.egress : acl.ingress).find((r) => r.entry.RuleNumber === ruleNumber);
  return e && aclRuleInfo(e, { egress, returnPath });
}

/**
 * The rule as a hop or explanation states it. Members are added, never spread (`{ ...info, egress }`):
 * on Node 20 (V8 11.3) a spread followed by more members takes a slow path whose objects go to the old
 * generation, and this runs for every network ACL a path crosses (most of a 10x audit's old-space garbage).
 */
function aclRuleInfo(e: ParsedAclEntry): NonNullable<Explanation["aclRule"]>;
function aclRuleInfo(e: ParsedAclEntry, hop: { egress: boolean; returnPath: boolean }): NonNullable<Hop["aclRule"]>;
function aclRuleInfo(e: ParsedAclEntry, hop?: { egress: boolean; returnPath: boolean }): NonNullable<Explanation["aclRule"]> | NonNullable<Hop["aclRule"]> {
  const info: NonNullable<Explanation["aclRule"]> & { egress?: boolean; returnPath?: boolean } = {
    ruleNumber: e.entry.RuleNumber,
    action: e.entry.RuleAction,
    protocol: e.entry.Protocol,
    cidr: e.entry.CidrBlock ?? e.entry.Ipv6CidrBlock,
    portRange: e.entry.PortRange ? { from: e.entry.PortRange.From ?? 0, to: e.entry.PortRange.To ?? 65535 } : undefined,
  };
  if (hop) {
    info.egress = hop.egress;
    if (hop.returnPath) info.returnPath = true;
  }
  return info;
}

export function peersText(peers: Cidr[]): string {
  if (peers.length === 0) return "(unknown addresses)";
  let t = hostText(peers[0]);
  for (let i = 1; i < peers.length && i < 3; i++) t += `, ${hostText(peers[i])}`;
  return peers.length > 3 ? `${t}, …` : t;
}

/** A single address without its /32 or /128. */
function hostText(c: Cidr): string {
  const s = c.text;
  return s.endsWith("/32") ? s.slice(0, -3) : s.endsWith("/128") ? s.slice(0, -4) : s;
}

/** Checks one subnet's ACL in one direction; records the hop or the explanation. */
export function checkAcl(
  ctx: Ctx,
  subnet: Subnet,
  egress: boolean,
  peers: Cidr[],
  from: number,
  to: number,
  returnPath: boolean,
): boolean {
  const acl = aclForSubnet(ctx.ix, subnet);
  const dir = egress ? "outbound" : "inbound";
  const what = `${fmtPorts(ctx.proto, from, to)} ${egress ? "to" : "from"} ${peersText(peers)}`;
  if (!acl) {
    ctx.details.push(`ASSUMED_DEFAULT_ACL: no network ACL for ${subnet.SubnetId} in the snapshot; ${dir} traffic assumed allowed`);
    // Every subnet has a network ACL in AWS: one missing from the snapshot was not evaluated.
    return notEvaluated(ctx, { code: "NOT_IN_SNAPSHOT", component: { id: subnet.SubnetId, type: ComponentType.subnet }, detail: `no network ACL of ${subnet.SubnetId} is in the snapshot: its ${dir} rules were not evaluated`, collect: "take the snapshot again (egress-cli snapshot) with ec2:DescribeNetworkAcls allowed" });
  }
  const ref = { id: acl.acl.NetworkAclId, type: ComponentType.networkAcl };
  const v = evalAcl(acl, egress, peers.length ? peers : [ANY_V4], ctx.proto, from, to);
  if (v.ok) {
    const rules = egress ? acl.egress : acl.ingress;
    let ruleText = "";
    for (const n of v.admittedBy) {
      const e = rules.find((r) => r.entry.RuleNumber === n);
      if (ruleText) ruleText += ", ";
      ruleText += e ? `rule ${n} (allow ${fmtPorts(e.proto, e.proto === "tcp" || e.proto === "udp" ? e.from : 0, e.proto === "tcp" || e.proto === "udp" ? e.to : 65535)} ${e.cidr?.text ?? "?"})` : `rule ${n}`;
    }
    ctx.hops.push({
      component: ref,
      action: `network ACL ${acl.acl.NetworkAclId} ${dir} ${ruleText} admits ${what}${returnPath ? " (return traffic)" : ""}`,
      detail: `subnet ${subnet.SubnetId}`,
      aclRule: admittingRule(acl, egress, v.admittedBy[0], returnPath),
    });
    return true;
  }
  const rule = v.entry
    ? `rule ${v.entry.entry.RuleNumber} (${v.entry.entry.RuleAction} ${v.entry.entry.CidrBlock ?? v.entry.entry.Ipv6CidrBlock})`
    : "no rule (implicit deny)";
  ctx.explanations.push({
    code: "SUBNET_ACL_RESTRICTION",
    component: ref,
    detail: `network ACL ${acl.acl.NetworkAclId} of ${subnet.SubnetId}: ${dir} ${rule} blocks ${what}${returnPath ? " — the reply is dropped (network ACLs are stateless: allow ephemeral ports 1024-65535)" : ""}`,
    direction: egress ? "egress" : "ingress",
    returnPath: returnPath || undefined,
    subnet: { id: subnet.SubnetId, type: ComponentType.subnet },
    aclRule: v.entry ? aclRuleInfo(v.entry) : undefined,
  });
  return false;
}

/** Crossing a subnet boundary: check the ACL now and remember the reply's check. */
export function crossAcl(ctx: Ctx, subnet: Subnet, egress: boolean, peers: Cidr[]): boolean {
  if (!checkAcl(ctx, subnet, egress, peers, ctx.port, ctx.port, false)) return false;
  ctx.returns.push({ subnet, egress: !egress, peers });
  return true;
}

/**
 * Traffic from `sender` arriving at `eni`: its subnet's network ACL inbound when it comes from another
 * subnet, then the ingress rules of its security groups (the matching rule a hop `on <where>`). False,
 * with the explanation `refusal()` words, when a group admits nothing.
 */
export function admitAt(ctx: Ctx, sender: Sender, eni: VirtualEni, src: Cidr[], where: string, refusal: () => string): boolean {
  if (eni.subnet.SubnetId !== sender.subnet.SubnetId && !crossAcl(ctx, eni.subnet, false, src)) return false;
  const v = evalSecurityGroups(ctx, eni.sgIds, "ingress", src, sender.sgIds);
  if (!v.ok) {
    const first = eni.sgIds[0];
    return fail(ctx, {
      code: "ENI_SG_RULES_MISMATCH",
      component: first ? { id: first, type: ComponentType.securityGroup } : eni.ref,
      detail: refusal(),
      direction: "ingress",
      securityGroups: eni.sgIds,
      networkInterface: eni.ref,
    });
  }
  ctx.hops.push({ component: { id: v.sgId!, type: ComponentType.securityGroup }, action: `security group ${v.sgId} ingress rule ${v.rule} matched`, detail: `on ${where}`, securityGroupRule: sgRuleOf(v, "ingress") });
  return true;
}
