// Shared by the endpoint group rules: which sources an interface endpoint's groups admit on 443.
import { isNonPublicV4, type Cidr } from "../../net/addr.js";
import type { SnapshotIndex } from "../snapshot-index.js";
import type { VpcEndpoint } from "../snapshot.js";

const isPublic = (c: Cidr) => (c.v === 6 ? c.len < 8 || !/^f[cd]/i.test(c.text) : !isNonPublicV4(c));

export function endpointHttpsIngress(
  ix: SnapshotIndex,
  ep: VpcEndpoint,
): { any: boolean; publicCidrs: string[]; publicRules: { groupId: string; permission: object }[]; privateRemains: boolean } {
  let any = false;
  let privateRemains = false;
  const publicCidrs: string[] = [];
  const publicRules: { groupId: string; permission: object }[] = [];
  for (const g of ep.Groups) {
    const sg = g.GroupId ? ix.securityGroups.get(g.GroupId) : undefined;
    for (const p of sg?.ingress ?? []) {
      if (!(p.proto === "all" || p.proto === "tcp") || 443 < p.from || 443 > p.to) continue;
      if (p.cidrs.length || p.groupIds.length || p.prefixListIds.length) any = true;
      const pub = (p.cidrs as Cidr[]).filter(isPublic);
      if (p.groupIds.length || p.prefixListIds.length || pub.length < p.cidrs.length) privateRemains = true;
      for (const c of pub) publicCidrs.push(c.text);
      if (pub.length) {
        // Exactly the public ranges of this rule: what a fix revokes.
        const v4 = pub.filter((c) => c.v === 4).map((c) => ({ CidrIp: c.text }));
        const v6 = pub.filter((c) => c.v === 6).map((c) => ({ CidrIpv6: c.text }));
        const { IpProtocol, FromPort, ToPort } = p.perm;
        publicRules.push({ groupId: g.GroupId!, permission: { IpProtocol, ...(FromPort !== undefined ? { FromPort } : {}), ...(ToPort !== undefined ? { ToPort } : {}), ...(v4.length ? { IpRanges: v4 } : {}), ...(v6.length ? { Ipv6Ranges: v6 } : {}) } });
      }
    }
  }
  return { any, publicCidrs: [...new Set(publicCidrs)].sort(), publicRules, privateRemains };
}
