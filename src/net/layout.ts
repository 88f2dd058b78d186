// Pure subnet layout: carve a VPC block into equal, non-overlapping public and private subnets
// per AZ. Deterministic, so re-running a command computes the same CIDRs it recorded before.

import { UsageError } from "../errors.js";
import { ipv4ToNumber, numberToIpv4 } from "./addr.js";
import { MAX_VPC_PREFIX, MIN_VPC_PREFIX, parseIpv4Cidr } from "./cidr.js";

export type SubnetTier = "public" | "private";

export interface SubnetSlot {
  tier: SubnetTier;
  az: string;
  /** 0-based index of this subnet among the subnets of the same tier in the same AZ. */
  index: number;
  cidr: string;
}

export interface LayoutInput {
  vpcCidr: string;
  azs: readonly string[];
  publicPerAz: number;
  privatePerAz: number;
  /** Explicit subnet size; default: see defaultSubnetPrefix. */
  subnetPrefix?: number;
}

/** Number of bits of headroom the default layout keeps: subnets use at most 1/4 of the VPC. */
export const DEFAULT_HEADROOM_BITS = 2;

function ceilLog2(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

/**
 * Default subnet size for `count` subnets in a /vpcPrefix VPC.
 *
 * Rule: the largest equal power-of-two size such that all subnets together take at most a
 * quarter of the VPC, i.e. prefix = vpcPrefix + ceil(log2(count)) + 2, then capped at /28
 * (AWS's smallest subnet). The free three quarters leave room to add AZs or tiers later
 * (database subnets, endpoint subnets) without renumbering.
 * Examples: /16 with 4 subnets -> /20; /16 with 6 -> /21; /16 with 12 -> /22; /24 with 4 -> /28.
 * If even /28 subnets do not fit, layoutSubnets reports it.
 */
export function defaultSubnetPrefix(vpcPrefix: number, count: number): number {
  const prefix = vpcPrefix + ceilLog2(Math.max(1, count)) + DEFAULT_HEADROOM_BITS;
  return Math.max(MIN_VPC_PREFIX, Math.min(MAX_VPC_PREFIX, prefix));
}

function checkCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 64) {
    throw new UsageError(`${name} must be a whole number from 0 to 64 (got ${v})`, undefined, "InvalidLayout");
  }
}

/**
 * Compute the subnet CIDRs. Order: all public subnets, then all private ones; within a tier,
 * AZs in the order given (callers pass the AZ list recorded in the plan), then index.
 * Addresses are allocated contiguously from the start of the VPC block in that order.
 */
export function layoutSubnets(input: LayoutInput): SubnetSlot[] {
  const vpc = parseIpv4Cidr(input.vpcCidr);
  const { azs, publicPerAz, privatePerAz } = input;
  checkCount("publicPerAz", publicPerAz);
  checkCount("privatePerAz", privatePerAz);
  if (!Array.isArray(azs) || azs.length === 0) {
    throw new UsageError("At least one availability zone is needed for a subnet layout", undefined, "InvalidLayout");
  }
  const seen = new Set<string>();
  for (const az of azs) {
    if (typeof az !== "string" || az.trim() === "") {
      throw new UsageError(`Invalid availability zone name ${JSON.stringify(az)}`, undefined, "InvalidLayout");
    }
    if (seen.has(az)) throw new UsageError(`Availability zone ${az} is listed twice`, undefined, "InvalidLayout");
    seen.add(az);
  }
  const count = azs.length * (publicPerAz + privatePerAz);
  if (count === 0) return [];

  const prefix = input.subnetPrefix ?? defaultSubnetPrefix(vpc.prefix, count);
  if (!Number.isInteger(prefix) || prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
    throw new UsageError(
      `Subnet size /${prefix} is outside what AWS allows for a subnet (/16 to /28)`,
      undefined,
      "InvalidLayout",
    );
  }
  if (prefix < vpc.prefix) {
    throw new UsageError(
      `Subnet size /${prefix} is larger than the VPC ${vpc.cidr}`,
      `use /${vpc.prefix} or smaller (a bigger number)`,
      "InvalidLayout",
    );
  }
  const subnetSize = 2 ** (32 - prefix);
  const vpcSize = 2 ** (32 - vpc.prefix);
  if (count * subnetSize > vpcSize) {
    const smallest = vpc.prefix + ceilLog2(count);
    throw new UsageError(
      `${count} subnets of /${prefix} need ${count * subnetSize} addresses; ${vpc.cidr} has ${vpcSize}`,
      smallest <= MAX_VPC_PREFIX
        ? `use --subnet-prefix ${Math.max(smallest, prefix)} or more, fewer AZs/subnets, or a larger VPC CIDR`
        : "use fewer AZs/subnets or a larger VPC CIDR (AWS's smallest subnet is /28)",
      "LayoutDoesNotFit",
    );
  }

  const start = ipv4ToNumber(vpc.network)!;
  const out: SubnetSlot[] = [];
  let slot = 0;
  for (const [tier, perAz] of [["public", publicPerAz], ["private", privatePerAz]] as const) {
    for (const az of azs) {
      for (let index = 0; index < perAz; index++) {
        out.push({ tier, az, index, cidr: `${numberToIpv4(start + slot * subnetSize)}/${prefix}` });
        slot++;
      }
    }
  }
  return out;
}
