// What `egress-cli sandbox show` lists: per region, per VPC, each kind of resource with its id, name and a
// one-line description. EC2's core collections are listed here; a service adds its own kinds with
// registerInventory (endpoints, Lambda functions and instances below; other services the same way).
import type { AddressRec, EniRec, IgwRec, NatRec, RegionState, RouteTableRec, SandboxState, SgRec, SgRuleRec, SubnetRec, Tag } from "./model.js";
import { lookup } from "./indexes.js";

export interface InventoryItem {
  id: string;
  name?: string;
  state?: string;
  /** One human line: CIDR and AZ, routes, rules, what it is attached to… */
  detail: string;
}

export interface VpcInventory {
  id: string;
  cidr: string;
  name?: string;
  default: boolean;
  networkInterfaces: number;
  /** By kind ("subnets", "routeTables", …), in display order; empty kinds are left out. */
  resources: Record<string, InventoryItem[]>;
}

export interface RegionInventory {
  vpcs: VpcInventory[];
  /** Resources in no VPC (unassociated Elastic IPs, detached internet gateways, Lambda functions outside a VPC). */
  outsideVpcs: Record<string, InventoryItem[]>;
}

export interface SandboxSummary {
  accountId: string;
  file: string;
  createdAt: string;
  calls: number;
  mutatingCalls: number;
  /** Account-wide (global) resources: IAM roles and instance profiles. */
  global: Record<string, InventoryItem[]>;
  regions: Record<string, RegionInventory>;
}

/** Account-wide kinds (IAM): listed once, before the regions. */
export type GlobalInventoryFn = (state: SandboxState) => InventoryItem[];
const GLOBAL_KINDS: Array<{ kind: string; fn: GlobalInventoryFn }> = [];

/** Adds an account-wide kind to `sandbox show`. */
export function registerGlobalInventory(kind: string, fn: GlobalInventoryFn): void {
  const i = GLOBAL_KINDS.findIndex((k) => k.kind === kind);
  if (i >= 0) GLOBAL_KINDS[i] = { kind, fn };
  else GLOBAL_KINDS.push({ kind, fn });
}

/** The account-wide inventory; empty kinds are left out. */
export function globalInventory(state: SandboxState): Record<string, InventoryItem[]> {
  const out: Record<string, InventoryItem[]> = {};
  for (const { kind, fn } of GLOBAL_KINDS) {
    const items = fn(state);
    if (items.length) out[kind] = items;
  }
  return out;
}

/** A contributor returns items with the VPC they belong to (undefined: none); `now` is the sandbox's clock. */
export type InventoryFn = (rs: RegionState, state: SandboxState, now: number) => Array<{ vpcId?: string; item: InventoryItem }>;

const KINDS: Array<{ kind: string; fn: InventoryFn }> = [];

/** Adds a kind to `sandbox show` (listed after the EC2 kinds, in registration order). */
export function registerInventory(kind: string, fn: InventoryFn): void {
  const i = KINDS.findIndex((k) => k.kind === kind);
  if (i >= 0) KINDS[i] = { kind, fn };
  else KINDS.push({ kind, fn });
}

export const nameTag = (tags: Tag[] | undefined): string | undefined => tags?.find((t) => t.Key === "Name")?.Value;
const named = (tags: Tag[] | undefined) => {
  const n = nameTag(tags);
  return n ? { name: n } : {};
};

function target(r: { GatewayId?: string; NatGatewayId?: string; NetworkInterfaceId?: string; VpcEndpointId?: string } & Record<string, unknown>): string {
  return (
    r.NatGatewayId ??
    r.VpcEndpointId ??
    r.NetworkInterfaceId ??
    (r.TransitGatewayId as string | undefined) ??
    (r.VpcPeeringConnectionId as string | undefined) ??
    (r.InstanceId as string | undefined) ??
    (r.EgressOnlyInternetGatewayId as string | undefined) ??
    r.GatewayId ??
    "?"
  );
}

function ruleText(r: SgRuleRec): string {
  const proto = r.IpProtocol === "-1" ? "all" : `${r.IpProtocol}${r.FromPort === r.ToPort ? `/${r.FromPort}` : `/${r.FromPort}-${r.ToPort}`}`;
  return `${proto} ${r.IsEgress ? "to" : "from"} ${r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupId ?? "?"}`;
}

// EC2's own kinds
registerInventory("subnets", (rs) =>
  Object.values(rs.subnets).map((s: SubnetRec) => {
    const rt = lookup<RouteTableRec>(rs, "rtb.subnet", s.SubnetId)[0];
    return {
      vpcId: s.VpcId,
      item: { id: s.SubnetId, ...named(s.Tags), detail: `${[s.CidrBlock, ...(s.Ipv6Cidrs ?? []).map((a) => a.Ipv6CidrBlock)].filter(Boolean).join(" ")} ${s.AvailabilityZone}${s.MapPublicIpOnLaunch ? " public-ip-on-launch" : ""} → ${rt ? rt.RouteTableId : "main table"}` },
    };
  }),
);
registerInventory("routeTables", (rs) =>
  Object.values(rs.routeTables).map((t: RouteTableRec) => ({
    vpcId: t.VpcId,
    item: {
      id: t.RouteTableId,
      ...named(t.Tags),
      detail: `${t.Associations.some((a) => a.Main) ? "main; " : ""}${t.Routes.map((r) => `${r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? (r as { DestinationPrefixListId?: string }).DestinationPrefixListId} → ${target(r as never)}`).join(", ")}`,
    },
  })),
);
registerInventory("egressOnlyInternetGateways", (rs) =>
  Object.values((rs.ext.egressOnlyInternetGateways ?? {}) as Record<string, { EgressOnlyInternetGatewayId: string; VpcId: string; Tags: Tag[] }>).map((g) => ({ vpcId: g.VpcId, item: { id: g.EgressOnlyInternetGatewayId, ...named(g.Tags), detail: "egress-only, attached" } })),
);
registerInventory("internetGateways", (rs) =>
  Object.values(rs.internetGateways).map((g: IgwRec) => ({ vpcId: g.VpcId, item: { id: g.InternetGatewayId, ...named(g.Tags), detail: g.VpcId ? "attached" : "detached" } })),
);
registerInventory("natGateways", (rs) =>
  Object.values(rs.natGateways).map((n: NatRec) => ({
    vpcId: n.VpcId,
    item: { id: n.NatGatewayId, ...named(n.Tags), state: n.State, detail: `${n.ConnectivityType} in ${n.SubnetId}${n.AllocationId ? ` with ${rs.addresses[n.AllocationId]?.PublicIp ?? n.AllocationId}` : ""} (${n.State})` },
  })),
);
registerInventory("elasticIps", (rs) =>
  Object.values(rs.addresses).map((a: AddressRec) => {
    const eni: EniRec | undefined = a.NetworkInterfaceId ? rs.networkInterfaces[a.NetworkInterfaceId] : undefined;
    return { vpcId: eni?.VpcId, item: { id: a.AllocationId, ...named(a.Tags), detail: `${a.PublicIp}${eni ? ` on ${eni.NetworkInterfaceId} (${eni.InterfaceType})` : " unassociated"}` } };
  }),
);
registerInventory("securityGroups", (rs) =>
  Object.values(rs.securityGroups).map((g: SgRec) => {
    const rules = lookup<SgRuleRec>(rs, "sgr.group", g.GroupId);
    const inbound = rules.filter((r) => !r.IsEgress).map(ruleText);
    const shown = inbound.slice(0, 4).join(", ") + (inbound.length > 4 ? `, … (${inbound.length} in all)` : "");
    return { vpcId: g.VpcId, item: { id: g.GroupId, name: g.GroupName, detail: `in: ${shown || "none"}; ${rules.length - inbound.length} egress rule(s)` } };
  }),
);

export function regionInventory(rs: RegionState, state: SandboxState, now: number): RegionInventory {
  const byVpc = new Map<string, VpcInventory>();
  const vpcs: VpcInventory[] = Object.values(rs.vpcs).map((v) => {
    const inv: VpcInventory = {
      id: v.VpcId,
      cidr: v.CidrBlock,
      ...named(v.Tags),
      default: v.IsDefault,
      networkInterfaces: lookup<EniRec>(rs, "eni.vpc", v.VpcId).length,
      resources: {},
    };
    byVpc.set(v.VpcId, inv);
    return inv;
  });
  const outsideVpcs: Record<string, InventoryItem[]> = {};
  for (const { kind, fn } of KINDS) {
    for (const { vpcId, item } of fn(rs, state, now)) {
      const inv = vpcId ? byVpc.get(vpcId) : undefined;
      const into = inv ? inv.resources : outsideVpcs;
      (into[kind] ??= []).push(item);
    }
  }
  return { vpcs, outsideVpcs };
}
