// VPC peering in the sandbox: CreateVpcPeeringConnection, Accept/Reject/Delete/Describe. States follow
// AWS (initiating-request → pending-acceptance → provisioning → active; rejected, deleted, failed; expired
// when not accepted in time). The connections live in the transit store (ec2-transit.ts), whose
// route functions validate routes to pcx-… targets and give them their state.
import { cidrOverlaps, parseCidr } from "../net/addr.js";
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops } from "./handler.js";
import { describe, store, str, vpcCidrs, type Tag, type TransitStore } from "./ec2-transit.js";
import { newId } from "./model.js";
import { tagsFromSpecs, tagsOut } from "./query.js";

export interface PeeringRec {
  VpcPeeringConnectionId: string;
  RequesterVpcId: string;
  AccepterVpcId: string;
  AccepterOwnerId: string;
  Code: "initiating-request" | "pending-acceptance" | "failed" | "provisioning" | "active" | "rejected" | "deleted" | "expired";
  Message?: string;
  Tags: Tag[];
  _createdAt: number;
  _changedAt: number;
}

const PEERING_EXPIRY_MS = 7 * 86_400_000;

export function peeringCode(ctx: OpContext, p: PeeringRec): PeeringRec["Code"] {
  // initiating-request and provisioning are brief: only the call that starts them answers with them.
  if (p.Code === "initiating-request") return "pending-acceptance";
  if (p.Code === "provisioning") return "active";
  if (p.Code === "pending-acceptance" && ctx.now >= p._createdAt + PEERING_EXPIRY_MS) return "expired";
  return p.Code;
}

const PEERING_MESSAGES: Record<string, (p: PeeringRec, account: string) => string> = {
  "initiating-request": (_p, a) => `Initiating Request to ${a}`,
  "pending-acceptance": (_p, a) => `Pending Acceptance by ${a}`,
  provisioning: () => "Provisioning",
  active: () => "Active",
  rejected: (_p, a) => `Rejected by ${a}`,
  deleted: (_p, a) => `Deleted by ${a}`,
  expired: () => "Expired",
  failed: (p) => p.Message ?? "Failed",
};

function peeringView(ctx: OpContext, p: PeeringRec) {
  const code = peeringCode(ctx, p);
  const info = (vpcId: string) => {
    const cidr = vpcCidrs(ctx.rs, vpcId)[0];
    return { VpcId: vpcId, OwnerId: ctx.accountId, Region: ctx.region, ...(cidr ? { CidrBlock: cidr, CidrBlockSet: vpcCidrs(ctx.rs, vpcId).map((c) => ({ CidrBlock: c })) } : {}), ...(code === "active" ? { PeeringOptions: { AllowDnsResolutionFromRemoteVpc: false, AllowEgressFromLocalClassicLinkToRemoteVpc: false, AllowEgressFromLocalVpcToRemoteClassicLink: false } } : {}) };
  };
  return {
    VpcPeeringConnectionId: p.VpcPeeringConnectionId,
    RequesterVpcInfo: info(p.RequesterVpcId),
    AccepterVpcInfo: info(p.AccepterVpcId),
    Status: { Code: code, Message: PEERING_MESSAGES[code]!(p, p.AccepterOwnerId) },
    ...(code === "pending-acceptance" ? { ExpirationTime: new Date(p._createdAt + PEERING_EXPIRY_MS) } : {}),
    ...tagsOut(p.Tags),
  };
}

export function peeringOf(ctx: OpContext): PeeringRec {
  const id = str(ctx, "VpcPeeringConnectionId")!;
  if (!/^pcx-[0-9a-f]{8,17}$/.test(id)) throw awsError("InvalidVpcPeeringConnectionId.Malformed", `Invalid id: "${id}"`);
  const p = store(ctx.rs).peerings[id];
  if (!p) throw awsError("InvalidVpcPeeringConnectionID.NotFound", `The vpcPeeringConnection ID '${id}' does not exist`);
  return p;
}

function transition(ctx: OpContext, p: PeeringRec, allowed: PeeringRec["Code"][], to: PeeringRec["Code"]): void {
  const from = peeringCode(ctx, p);
  if (!allowed.includes(from)) throw awsError("InvalidStateTransition", `Invalid state transition for ${p.VpcPeeringConnectionId}, attempted to transition from ${from} to ${to}`);
  ctx.dry();
  p.Code = to;
  p._changedAt = ctx.now;
  ctx.mutated();
}

const CreateVpcPeeringConnection: OpHandler<"ec2", "CreateVpcPeeringConnection"> = (ctx) => {
  const vpcId = str(ctx, "VpcId")!;
  const peerVpcId = str(ctx, "PeerVpcId")!;
  const owner = str(ctx, "PeerOwnerId", false) ?? ctx.accountId;
  const region = str(ctx, "PeerRegion", false) ?? ctx.region;
  if (!ctx.rs.vpcs[vpcId]) throw awsError("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
  if (vpcId === peerVpcId) throw awsError("InvalidParameterValue", `Cannot create a VPC peering connection between a VPC and itself (${vpcId})`);
  const tags = tagsFromSpecs(ctx.input.TagSpecifications, "vpc-peering-connection");
  ctx.dry();
  const p: PeeringRec = { VpcPeeringConnectionId: newId("pcx"), RequesterVpcId: vpcId, AccepterVpcId: peerVpcId, AccepterOwnerId: owner, Code: "initiating-request", Tags: tags, _createdAt: ctx.now, _changedAt: ctx.now };
  // The request fails (asynchronously, as on AWS) for a peer the sandbox does not hold or overlapping CIDRs.
  const mine = vpcCidrs(ctx.rs, vpcId).map((c) => parseCidr(c)!);
  const theirs = owner === ctx.accountId && region === ctx.region ? vpcCidrs(ctx.rs, peerVpcId).map((c) => parseCidr(c)!) : [];
  if (theirs.length === 0) {
    p.Code = "failed";
    p.Message = `The peer VPC ${peerVpcId} does not exist${owner !== ctx.accountId || region !== ctx.region ? ` in ${owner}/${region} (the sandbox holds one account and peers within a region)` : ""}`;
  } else if (mine.some((a) => theirs.some((b) => cidrOverlaps(a, b)))) {
    p.Code = "failed";
    p.Message = `Overlapping CIDR range: ${vpcId} and ${peerVpcId} have overlapping CIDR blocks`;
  }
  store(ctx.rs).peerings[p.VpcPeeringConnectionId] = p;
  ctx.mutated();
  return { VpcPeeringConnection: { ...peeringView(ctx, p), Status: { Code: p.Code === "failed" ? "initiating-request" : p.Code, Message: PEERING_MESSAGES["initiating-request"]!(p, owner) } } };
};

const AcceptVpcPeeringConnection: OpHandler<"ec2", "AcceptVpcPeeringConnection"> = (ctx) => {
  const p = peeringOf(ctx);
  transition(ctx, p, ["pending-acceptance"], "provisioning");
  // The call answers "provisioning"; the next Describe sees "active".
  return { VpcPeeringConnection: { ...peeringView(ctx, p), Status: { Code: "provisioning", Message: "Provisioning" } } };
};

const RejectVpcPeeringConnection: OpHandler<"ec2", "RejectVpcPeeringConnection"> = (ctx) => {
  const p = peeringOf(ctx);
  transition(ctx, p, ["pending-acceptance"], "rejected");
  return { Return: true };
};

const DeleteVpcPeeringConnection: OpHandler<"ec2", "DeleteVpcPeeringConnection"> = (ctx) => {
  const p = peeringOf(ctx);
  transition(ctx, p, ["pending-acceptance", "active", "provisioning", "initiating-request"], "deleted");
  return { Return: true };
};

const DescribeVpcPeeringConnections: OpHandler<"ec2", "DescribeVpcPeeringConnections"> = (ctx) =>
  describe(
    ctx,
    Object.values(store(ctx.rs).peerings),
    (p) => p.VpcPeeringConnectionId,
    "VpcPeeringConnectionIds",
    (ids) => awsError("InvalidVpcPeeringConnectionID.NotFound", `The vpcPeeringConnection ID '${ids.join(", ")}' does not exist`),
    {
      "vpc-peering-connection-id": (p) => [p.VpcPeeringConnectionId],
      "requester-vpc-info.vpc-id": (p) => [p.RequesterVpcId],
      "accepter-vpc-info.vpc-id": (p) => [p.AccepterVpcId],
      "status-code": (p) => [peeringCode(ctx, p)],
      "expiration-time": (p) => [new Date(p._createdAt + PEERING_EXPIRY_MS).toISOString()],
    },
    "VpcPeeringConnections",
    (p) => peeringView(ctx, p),
    (p) => p.Tags,
  );

/** Is there an active peering connection between the two VPCs (security groups may reference each other)? */
export function peeredVpcs(ctx: OpContext, a: string, b: string): boolean {
  const s = ctx.rs.ext.transit as TransitStore | undefined;
  return Object.values(s?.peerings ?? {}).some((p) => ((p.RequesterVpcId === a && p.AccepterVpcId === b) || (p.RequesterVpcId === b && p.AccepterVpcId === a)) && peeringCode(ctx, p) === "active");
}

export const peeringOps: Ops<"ec2"> = {
  CreateVpcPeeringConnection,
  AcceptVpcPeeringConnection,
  RejectVpcPeeringConnection,
  DeleteVpcPeeringConnection,
  DescribeVpcPeeringConnections,
};
