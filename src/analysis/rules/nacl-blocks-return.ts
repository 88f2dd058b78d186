// Network ACLs that drop the replies to outbound connections: NACLs are stateless, so the return
// traffic (tcp to ephemeral ports 1024-65535 from internet addresses) needs its own inbound allow.
// Entries are evaluated in rule-number order, first match wins — a deny after an allow that already
// matched is harmless (Steampipe reports such denies regardless of order).
import { ComponentType } from "../analyzer.js";
import { aclForSubnet, type ParsedAclEntry } from "../snapshot-index.js";
import type { RawFinding, Rule } from "./types.js";
import { manualFix, tierOf } from "./util.js";

type Range = [number, number];

/** First-match evaluation over a port interval: the sub-ranges the entries (and the implicit deny) refuse. */
export function deniedRanges(entries: ParsedAclEntry[], from: number, to: number, family: 4 | 6 = 4): { denied: Range[]; by: string[] } {
  let open: Range[] = [[from, to]];
  const denied: Range[] = [];
  const by: string[] = [];
  for (const e of entries) {
    if (!open.length) break;
    if (!(e.proto === "all" || e.proto === "tcp") || !e.cidr || e.cidr.v !== family || e.cidr.len !== 0) continue;
    const next: Range[] = [];
    for (const [a, b] of open) {
      const lo = Math.max(a, e.from);
      const hi = Math.min(b, e.to);
      if (lo > hi) {
        next.push([a, b]);
        continue;
      }
      if (!e.allow) {
        denied.push([lo, hi]);
        by.push(`rule ${e.entry.RuleNumber} deny ${lo}-${hi}`);
      }
      if (a < lo) next.push([a, lo - 1]);
      if (hi < b) next.push([hi + 1, b]);
    }
    open = next;
  }
  for (const r of open) {
    denied.push(r);
    by.push(`implicit deny (*) ${r[0]}-${r[1]}`);
  }
  return { denied: denied.sort((x, y) => x[0] - y[0]), by };
}

export const naclBlocksReturn: Rule = {
  id: "nacl-blocks-return",
  severity: "high",
  title: "Network ACL blocks the return traffic of outbound connections",
  rationale: "Network ACLs are stateless: the reply to an outbound HTTPS call comes back to an ephemeral port (1024-65535; NAT gateways use all of it) and must be allowed inbound. A subnet whose ACL lets connections out but not their replies back has no working egress.",
  help: "Add an inbound allow for tcp 1024-65535 from 0.0.0.0/0 before any deny: `aws ec2 create-network-acl-entry --network-acl-id acl-… --ingress --rule-number 100 --protocol tcp --port-range From=1024,To=65535 --cidr-block 0.0.0.0/0 --rule-action allow`.",
  equivalents: {},
  needs: ["networkAcls", "routeTables"],
  check({ ix }) {
    const out: RawFinding[] = [];
    const seen = new Set<string>();
    for (const subnet of ix.subnets.values()) {
      const acl = aclForSubnet(ix, subnet);
      if (!acl || seen.has(acl.acl.NetworkAclId) || tierOf(ix, subnet) === "isolated") continue;
      const outbound = deniedRanges(acl.egress, 443, 443);
      if (outbound.denied.length) continue; // nothing goes out on 443 anyway: not a return-path problem
      seen.add(acl.acl.NetworkAclId);
      const { denied, by } = deniedRanges(acl.ingress, 1024, 65535);
      if (!denied.length) continue;
      const subnets = [...ix.subnets.values()].filter((s) => aclForSubnet(ix, s)?.acl.NetworkAclId === acl.acl.NetworkAclId).map((s) => s.SubnetId);
      out.push({
        resourceId: acl.acl.NetworkAclId,
        resourceType: ComponentType.networkAcl,
        vpcId: acl.acl.VpcId,
        message: `${acl.acl.NetworkAclId} lets tcp/443 out but drops replies from the internet on ${denied.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ")} (${by.join("; ")}).`,
        evidence: { blocking: { id: acl.acl.NetworkAclId, type: ComponentType.networkAcl, code: "SUBNET_ACL_RESTRICTION", detail: by.join("; ") }, facts: { subnets, deniedPorts: denied.map(([a, b]) => `${a}-${b}`) } },
        fix: returnAllowFix(acl.acl.NetworkAclId, acl.ingress),
      });
    }
    return out;
  },
};

/**
 * An inbound allow for the ephemeral range, numbered before the first entry that denies part of it
 * (first match wins) and on a number no inbound entry uses (AWS refuses a duplicate). When no number
 * is free below that deny, the owner renumbers: said so.
 */
function returnAllowFix(aclId: string, ingress: ParsedAclEntry[]): string {
  const used = new Set(ingress.map((e) => e.entry.RuleNumber));
  const denies = ingress.filter((e) => !e.allow && (e.proto === "all" || e.proto === "tcp") && e.cidr?.v === 4 && e.cidr.len === 0 && e.from <= 65535 && e.to >= 1024 && (e.entry.RuleNumber ?? 0) < 32767);
  const limit = denies.length ? Math.min(...denies.map((e) => e.entry.RuleNumber ?? 32767)) : 32767;
  const candidates = [100, ...Array.from({ length: Math.min(limit, 32767) - 1 }, (_, i) => Math.min(limit, 32767) - 1 - i)];
  const n = candidates.find((c) => c >= 1 && c < limit && !used.has(c));
  if (n === undefined) return manualFix(`${aclId} has no free inbound rule number below ${limit} (the first entry that denies the replies): renumber its entries, then add an inbound allow for tcp 1024-65535 from 0.0.0.0/0 before that deny.`);
  return `aws ec2 create-network-acl-entry --network-acl-id ${aclId} --ingress --rule-number ${n} --protocol 6 --port-range From=1024,To=65535 --cidr-block 0.0.0.0/0 --rule-action allow`;
}
