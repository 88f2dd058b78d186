// Shared by the endpoint group rules: which sources an interface endpoint's groups admit on 443.
import { isNonPublicV4, type Cidr } from "../../net/addr.js";
import type { SnapshotIndex } from "../snapshot-index.js";
import type { VpcEndpoint } from "../snapshot.js";

export function endpointHttpsIngress(ix: SnapshotIndex, ep: VpcEndpoint): { any: boolean; publicCidrs: string[] } {
  let any = false;
  const publicCidrs: string[] = [];
  for (const g of ep.Groups) {
    const sg = g.GroupId ? ix.securityGroups.get(g.GroupId) : undefined;
    for (const p of sg?.ingress ?? []) {
      if (!(p.proto === "all" || p.proto === "tcp") || 443 < p.from || 443 > p.to) continue;
      if (p.cidrs.length || p.groupIds.length || p.prefixListIds.length) any = true;
      for (const c of p.cidrs as Cidr[]) if (c.v === 6 ? c.len < 8 || !/^f[cd]/i.test(c.text) : !isNonPublicV4(c)) publicCidrs.push(c.text);
    }
  }
  return { any, publicCidrs: [...new Set(publicCidrs)].sort() };
}
