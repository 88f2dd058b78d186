// VPC Block Public Access (BPA) at an internet gateway or egress-only internet gateway, as AWS documents it
// (VPC User Guide, "Block public access to VPCs and subnets"):
// - block-bidirectional: all traffic to and from internet gateways and egress-only internet gateways is
//   blocked, except for excluded VPCs and subnets;
// - block-ingress: all inbound internet traffic is blocked; only traffic to and from NAT gateways and
//   egress-only internet gateways is allowed (they only let outbound connections be established), so an
//   interface's own public address leaving through the internet gateway is blocked too;
// - exclusions (a VPC or a subnet): allow-bidirectional lets everything through; allow-egress lets
//   outbound through and blocks inbound, and applies only when the mode is block-bidirectional.
// The subnet judged is the one whose interface talks to the gateway: for NAT gateway traffic the NAT's own
// subnet (the private subnets behind it reach the gateway only through it). Only exclusions in a
// create-/update-complete state are surely in effect; a mode or an exclusion that is changing
// (…-in-progress, or an update that failed: old or new mode) and would change the answer leaves the
// path unknown, as does a snapshot without BPA (not collected, or denied).
// `decideBpa` is the one decision: the analyzer's walk (checkBlockPublicAccess) and the audit rule
// bpa-blocks-egress both ask it, so they cannot disagree.
import type { Snapshot, Subnet, VpcBlockPublicAccessExclusion } from "../snapshot.js";
import { fail, missing, notEvaluated, type Ctx } from "./internal.js";
import { ComponentType, type ComponentRef } from "./model.js";

export type BpaMode = "off" | "block-bidirectional" | "block-ingress";
type ExclusionMode = "allow-bidirectional" | "allow-egress";

/** Where the packet crosses the gateway: leaving (egress) or entering (ingress), and through what. */
export interface BpaCrossing {
  gateway: ComponentRef;
  direction: "egress" | "ingress";
  /** The subnet of the interface that sends to (or receives from) the gateway. */
  subnet: Subnet;
  /** The sender at the gateway is a NAT gateway (block-ingress lets its outbound connections out). */
  natGateway?: string;
}

const IN_EFFECT = new Set(["create-complete", "update-complete"]);
const CHANGING = new Set(["create-in-progress", "update-in-progress", "delete-in-progress", "disable-in-progress"]);

/** The resource an exclusion names (vpc-… or subnet-…), from its ARN. */
export function exclusionResource(e: VpcBlockPublicAccessExclusion): string | undefined {
  const arn = e.ResourceArn ?? "";
  return arn.slice(arn.lastIndexOf("/") + 1) || undefined;
}

/** An exclusion whose mode is being changed, or whose change failed: which mode applies (the old or the new) is not in the snapshot. */
const MODE_UNSURE = new Set(["update-in-progress", "update-failed"]);
const RANK = { none: 0, "allow-egress": 1, "allow-bidirectional": 2 } as const;
const wider = (a: ExclusionMode | undefined, b: ExclusionMode | undefined): ExclusionMode | undefined => (RANK[b ?? "none"] > RANK[a ?? "none"] ? b : a);

/**
 * The exclusion that applies to the subnet (the most permissive naming it or its VPC), as a range:
 * `settled`, what is certainly in effect; `widest`, what may be (an exclusion being created, deleted or
 * disabled may or may not apply yet; one being updated may have either mode). BPA lets more through
 * the wider the exclusion, so the answer is decided when both ends give the same one.
 */
function exclusionRange(exclusions: VpcBlockPublicAccessExclusion[], subnet: Subnet): { settled?: ExclusionMode; widest?: ExclusionMode } {
  let settled: ExclusionMode | undefined;
  let widest: ExclusionMode | undefined;
  for (const e of exclusions) {
    const r = exclusionResource(e);
    if (r !== subnet.SubnetId && r !== subnet.VpcId) continue;
    const mode = e.InternetGatewayExclusionMode === "allow-bidirectional" || e.InternetGatewayExclusionMode === "allow-egress" ? e.InternetGatewayExclusionMode : undefined;
    const state = e.State ?? "";
    if (IN_EFFECT.has(state)) settled = wider(settled, mode);
    if (IN_EFFECT.has(state) || CHANGING.has(state)) widest = wider(widest, mode);
    if (MODE_UNSURE.has(state)) widest = "allow-bidirectional";
  }
  return { settled, widest };
}

/** Does BPA in `mode`, with these exclusions, let this crossing through? */
export function bpaAllows(mode: BpaMode, exclusion: ExclusionMode | undefined, c: Pick<BpaCrossing, "direction" | "gateway" | "natGateway">): boolean {
  if (mode === "off" || exclusion === "allow-bidirectional") return true;
  if (c.direction === "ingress") return false;
  if (mode === "block-bidirectional") return exclusion === "allow-egress";
  // block-ingress: outbound only through a NAT gateway or an egress-only internet gateway.
  return c.gateway.type === ComponentType.egressOnlyInternetGateway || !!c.natGateway;
}

/** BPA's answer for one crossing, from the snapshot alone. */
export type BpaDecision =
  /** The snapshot holds no BPA options or exclusions (not collected, or written before BPA was read). */
  | { outcome: "absent" }
  | { outcome: "allowed"; mode: BpaMode; exclusion?: ExclusionMode; detail: string }
  /** `fix`: the AWS CLI call that lets this crossing through. */
  | { outcome: "blocked"; mode: BpaMode; exclusion?: ExclusionMode; detail: string; fix: string }
  /** A mode or an exclusion that would change the answer is changing, or may not apply (ExclusionsAllowed). */
  | { outcome: "unknown"; mode: BpaMode; detail: string; collect: string };

type BpaSnapshot = Pick<Snapshot, "region" | "vpcBlockPublicAccessOptions" | "vpcBlockPublicAccessExclusions">;

/** BPA cannot block anything: the mode is off and not changing (skips the per-crossing decision). */
export function bpaOff(snap: BpaSnapshot): boolean {
  const opts = snap.vpcBlockPublicAccessOptions;
  return !!opts && !!snap.vpcBlockPublicAccessExclusions && (opts.InternetGatewayBlockMode ?? "off") === "off" && opts.State !== "update-in-progress";
}

/** Does BPA, as the snapshot holds it, let this crossing through? */
export function decideBpa(snap: BpaSnapshot, c: BpaCrossing): BpaDecision {
  const opts = snap.vpcBlockPublicAccessOptions;
  if (!opts || !snap.vpcBlockPublicAccessExclusions) return { outcome: "absent" };
  const mode = (opts.InternetGatewayBlockMode ?? "off") as BpaMode;
  const { settled, widest: withChanging } = exclusionRange(snap.vpcBlockPublicAccessExclusions, c.subnet);
  const settledModes: BpaMode[] = opts.State === "update-in-progress" ? [mode, "off", "block-bidirectional", "block-ingress"] : [mode];
  // ExclusionsAllowed: not-allowed (BPA managed by an Organizations declarative policy): whether the
  // account's exclusions still apply is not in the snapshot, so an answer they would change is unknown.
  const exclusionsNotAllowed = opts.ExclusionsAllowed === "not-allowed";
  const answers = new Set<boolean>();
  for (const m of settledModes) for (const x of [settled, withChanging, ...(exclusionsNotAllowed ? [undefined] : [])]) answers.add(bpaAllows(m, x, c));
  const crossing = c.direction === "egress" ? "traffic leaving" : "traffic entering";
  if (answers.size > 1 && exclusionsNotAllowed && opts.State !== "update-in-progress" && bpaAllows(mode, settled, c) === bpaAllows(mode, withChanging, c)) {
    return {
      outcome: "unknown",
      mode,
      detail: `VPC Block Public Access is ${mode} with ExclusionsAllowed: not-allowed (set by an Organizations declarative policy): whether the exclusion for ${c.subnet.SubnetId} or ${c.subnet.VpcId} lets ${c.direction === "egress" ? "traffic leave" : "traffic enter"} through ${c.gateway.id} was not evaluated`,
      collect: "check the organization's declarative policy for VPC Block Public Access (exclusions_allowed), or ask its administrator; then take the snapshot again",
    };
  }
  if (answers.size > 1) {
    return {
      outcome: "unknown",
      mode,
      detail: `VPC Block Public Access ${opts.State === "update-in-progress" ? `is changing to ${mode} (update-in-progress)` : `exclusions for ${c.subnet.SubnetId} or ${c.subnet.VpcId} are changing state (or an update of one failed)`}: whether it blocks ${crossing} through ${c.gateway.id} depends on which applies`,
      collect: "wait for the change to complete (aws ec2 describe-vpc-block-public-access-options / describe-vpc-block-public-access-exclusions), then take the snapshot again",
    };
  }
  if (answers.has(true)) {
    const why = settled ? ` (exclusion ${settled} for ${c.subnet.SubnetId} or ${c.subnet.VpcId})` : c.natGateway ? " (NAT gateway egress)" : " (egress-only internet gateway)";
    return { outcome: "allowed", mode, ...(settled ? { exclusion: settled } : {}), detail: `VPC_BLOCK_PUBLIC_ACCESS: ${mode} in the Region; ${c.direction} through ${c.gateway.id} allowed${why}` };
  }
  const why =
    c.direction === "ingress"
      ? `inbound traffic from the internet is blocked${settled === "allow-egress" ? " (the allow-egress exclusion admits outbound only)" : ""}`
      : mode === "block-ingress"
        ? `block-ingress lets only NAT gateways and egress-only internet gateways reach the internet; ${c.subnet.SubnetId} sends to ${c.gateway.id} directly`
        : "all traffic to and from internet gateways and egress-only internet gateways is blocked";
  const fix = `aws ec2 create-vpc-block-public-access-exclusion --subnet-id ${c.subnet.SubnetId} --internet-gateway-exclusion-mode ${c.direction === "egress" && mode === "block-bidirectional" ? "allow-egress" : "allow-bidirectional"}`;
  return {
    outcome: "blocked",
    mode,
    ...(settled ? { exclusion: settled } : {}),
    detail: `VPC Block Public Access is ${mode} in ${snap.region}: ${why}, and neither ${c.subnet.SubnetId}${c.natGateway ? ` (NAT gateway ${c.natGateway}'s subnet)` : ""} nor ${c.subnet.VpcId} has an exclusion that allows it; to allow it: ${fix}`,
    fix,
  };
}

/**
 * Checks BPA at a gateway crossing. True: not blocked (or not evaluated: then an unknown reason is
 * recorded). False: blocked, with RA's explanation code VPC_BLOCK_PUBLIC_ACCESS_ENABLED.
 */
export function checkBlockPublicAccess(ctx: Ctx, c: BpaCrossing): boolean {
  const d = decideBpa(ctx.ix.snapshot, c);
  switch (d.outcome) {
    case "absent":
      if (missing(ctx, "vpcBlockPublicAccess", c.gateway, `VPC Block Public Access at ${c.gateway.id} (it may block every internet path of the Region)`)) return true;
      return notEvaluated(ctx, {
        code: "NOT_IN_SNAPSHOT",
        component: c.gateway,
        detail: `the snapshot holds no VPC Block Public Access options or exclusions (written by an older version, or by hand): whether BPA blocks ${c.gateway.id} was not evaluated`,
        collect: "take the snapshot again (egress-cli snapshot) with ec2:DescribeVpcBlockPublicAccessOptions and ec2:DescribeVpcBlockPublicAccessExclusions allowed",
      });
    case "unknown":
      return notEvaluated(ctx, { code: "BLOCK_PUBLIC_ACCESS_UPDATING", component: c.gateway, detail: d.detail, collect: d.collect });
    case "allowed":
      if (d.mode !== "off") ctx.details.push(d.detail);
      return true;
    case "blocked":
      return fail(ctx, {
        code: "VPC_BLOCK_PUBLIC_ACCESS_ENABLED",
        component: c.gateway,
        detail: d.detail,
        direction: c.direction,
        subnet: { id: c.subnet.SubnetId, type: ComponentType.subnet },
        ...(c.gateway.type === ComponentType.internetGateway ? { internetGateway: c.gateway } : {}),
      });
  }
}
