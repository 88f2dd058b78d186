// Several snapshot files read as one (verify --snapshot A.json B.json): the provider's and the
// consumers' accounts of one Region, so paths that cross between them are evaluated. Resource lists
// are joined (a resource in two files is kept once, by its id), `omitted` is the union. Pure.
import type { Snapshot } from "../analysis/snapshot.js";

const ID_KEYS = ["VpcId", "SubnetId", "RouteTableId", "InternetGatewayId", "EgressOnlyInternetGatewayId", "NatGatewayId", "AllocationId", "GroupId", "NetworkAclId", "NetworkInterfaceId", "InstanceId", "VpcEndpointId", "PrefixListId", "VpcPeeringConnectionId", "TransitGatewayAttachmentId", "TransitGatewayId", "TransitGatewayRouteTableId", "FunctionArn", "UUID", "FlowLogId", "id"];

export function mergeSnapshots(docs: Snapshot[]): { ok: true; value: Snapshot } | { ok: false; problem: string } {
  if (docs.length === 1) return { ok: true, value: docs[0]! };
  const regions = [...new Set(docs.map((d) => d.region))];
  if (regions.length > 1) return { ok: false, problem: `the snapshot files are of several Regions (${regions.join(", ")}); paths do not cross Regions here: verify each Region's files separately` };
  const out: Record<string, unknown> = { ...docs[0]! };
  for (const d of docs.slice(1)) {
    for (const [k, v] of Object.entries(d)) {
      if (!Array.isArray(v)) continue;
      const have = (out[k] as unknown[] | undefined) ?? [];
      const key = (x: unknown) => {
        const o = x as Record<string, unknown>;
        const idKey = ID_KEYS.find((ik) => typeof o?.[ik] === "string");
        return idKey ? `${idKey}=${o[idKey] as string}` : JSON.stringify(x);
      };
      const seen = new Set(have.map(key));
      out[k] = [...have, ...v.filter((x) => !seen.has(key(x)))];
    }
  }
  const accounts = [...new Set(docs.map((d) => d.accountId))];
  out.takenAt = docs.map((d) => d.takenAt).sort()[0];
  if (accounts.length > 1) out.accountId = accounts.sort().join("+");
  return { ok: true, value: out as Snapshot };
}
