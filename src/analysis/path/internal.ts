// What one walk of the analyzer carries between its modules: the sender, the target, network
// interfaces as the analyzer sees them, and the context that collects hops and explanations.
import type { Cidr } from "../../net/addr.js";
import type { SnapshotIndex } from "../snapshot-index.js";
import type { Subnet, VpcEndpoint } from "../snapshot.js";
import type { ComponentRef, Explanation, Hop, UnknownReason } from "./model.js";

/** Whatever is sending the packet at this point of the path (source, or a NAT that forwards it). */
export interface Sender {
  ref: ComponentRef;
  label: string;
  subnet: Subnet;
  az: string | undefined;
  addr4: Cidr | null;
  addr6: Cidr | null;
  /** Public IPv4 the internet gateway can translate this sender's address to. */
  publicIp?: string;
  /** null: no security group applies (a subnet source, a NAT gateway). */
  sgIds: string[] | null;
  natGatewayId?: string;
  /**
   * A regional NAT gateway forwarding: it sits in no subnet (no network ACL of its own) and routes by
   * its own route table (AWS creates it with 0.0.0.0/0 → the VPC's internet gateway). `subnet` is then
   * the subnet the traffic came from (its AZ and VPC).
   */
  routeTableId?: string;
}

export type TargetKind = "igw" | "internet" | "address" | "eni" | "prefix-list";

export interface Target {
  kind: TargetKind;
  family: 4 | 6;
  /** Destination addresses; empty for a prefix list whose entries are not in the snapshot. */
  cidrs: Cidr[];
  label: string;
  igwId?: string;
  prefixListId?: string;
  eni?: VirtualEni;
  /** The AWS service this target stands for (service:NAME). */
  service?: string;
  /** An interface endpoint chosen for the service that is not available. */
  badEndpoint?: VpcEndpoint;
  /** How the name resolved (private DNS → an endpoint): shown after the source's security group, where RA shows it. */
  resolvedVia?: Hop;
  /** A 64:ff9b::/96 destination: the IPv4 target a NAT gateway translates it to (NAT64). */
  nat64?: Target;
  /** An IPv4 destination asked from an IPv6-only source whose subnet has DNS64 off: nothing to send to. */
  noDns64?: boolean;
}

/** A network interface as the analyzer needs it (from an ENI record, an instance, or made up). */
export interface VirtualEni {
  ref: ComponentRef;
  subnet: Subnet;
  vpcId: string;
  addr4: Cidr | null;
  addr6: Cidr | null;
  sgIds: string[];
  publicIp?: string;
  sourceDestCheck: boolean;
  lambda: boolean;
  virtual: boolean;
}

export interface ReturnCheck {
  subnet: Subnet;
  /** Direction of the reply through this subnet's ACL. */
  egress: boolean;
  peers: Cidr[];
}

export interface Ctx {
  ix: SnapshotIndex;
  proto: "tcp" | "udp" | "icmp";
  port: number;
  hops: Hop[];
  explanations: Explanation[];
  details: string[];
  returns: ReturnCheck[];
  /** VPC-to-VPC crossings (peering, transit gateway) whose route back is checked after the forward path. */
  crossings: Crossing[];
  visited: Set<string>;
  /** What the walk could not evaluate; any entry makes a path that nothing blocks "unknown". */
  unknowns: UnknownReason[];
}

/** A crossing from one VPC into another; the reply must be routed back the same way. */
export interface Crossing {
  kind: "pcx" | "tgw";
  /** The peering connection or transit gateway. */
  via: ComponentRef;
  fromVpc: string;
  toVpc: string;
  /** Source addresses the reply is addressed to. */
  addrs: Cidr[];
  family: 4 | 6;
  srcAttachmentId?: string;
  dstAttachmentId?: string;
  /** Where the reply to `addrs` is sent from in `toVpc`: the delivering ENI's or the translating NAT's subnet. */
  replySubnet?: Subnet;
  fixed: boolean;
}

export function fail(ctx: Ctx, e: Explanation): false {
  ctx.explanations.push(e);
  return false;
}

/**
 * Records what the walk could not evaluate. Returns true ("not blocked here"): a caller that cannot go
 * on returns it, so the path ends unknown unless an evaluated hop (the return path) blocks it.
 */
export function notEvaluated(ctx: Ctx, r: UnknownReason): true {
  if (!ctx.unknowns.some((u) => u.code === r.code && u.component.id === r.component.id && u.detail === r.detail)) ctx.unknowns.push(r);
  return true;
}

/** The snapshot's `omitted` entry for a resource type (written by `snapshot` when its API failed), if any. */
export function omission(ctx: Ctx, resource: string): { resource: string; operation: string; code: string; message?: string } | undefined {
  const omitted = (ctx.ix.snapshot as { omitted?: Array<{ resource: string; operation: string; code: string; message?: string }> }).omitted;
  return omitted?.find((o) => o.resource === resource);
}

/**
 * A component the path needs is missing from the snapshot. When its resource type was not collected
 * (`omitted`) the path is unknown; otherwise the snapshot is authoritative and null is returned (the
 * caller reports the component as gone: a blackhole).
 */
export function missing(ctx: Ctx, resource: string, ref: ComponentRef, what: string): true | null {
  const o = omission(ctx, resource);
  if (!o) return null;
  return notEvaluated(ctx, {
    code: "NOT_COLLECTED",
    component: ref,
    detail: `${what}: the snapshot did not collect ${resource} (${o.operation} failed: ${o.code})`,
    collect: `grant ${o.operation.includes(":") ? o.operation : `ec2:${o.operation}`} to the caller (or use an endpoint that answers it) and take the snapshot again`,
  });
}

export function senderAddrs(sender: Sender, family: 4 | 6): Cidr[] {
  const a = family === 6 ? sender.addr6 : sender.addr4;
  return a ? [a] : [];
}

export const hostText = (c: Cidr) => c.text.replace(/\/(32|128)$/, "");
