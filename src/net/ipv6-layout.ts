// Pure IPv6 subnet layout: every subnet of a dual-stack VPC gets one /64 of the VPC's Amazon-provided
// /56 (AWS fixes both sizes), at a slot computed from its tier, AZ and index so that a re-run, or a
// resumed run, computes the same blocks: slot = tier (public 0, private 1) · 128 + AZ position · 16 +
// index. Public subnets take 00–7f, private ones 80–ff: the tier reads from the address
// (2600:1f18:abcd:ef00::/64 public, …:ef80::/64 private, the AZ in the next hex digit).
import { UsageError } from "../errors.js";
import { formatCidr, parseCidr } from "./addr.js";
import type { SubnetTier } from "./layout.js";

/** AWS's sizes: a VPC's Amazon-provided IPv6 block and a subnet's IPv6 block. */
export const VPC_IPV6_PREFIX = 56;
export const SUBNET_IPV6_PREFIX = 64;
/** What the slot layout holds: 8 AZs, 16 subnets of a tier per AZ. */
export const MAX_IPV6_AZS = 8;
export const MAX_IPV6_PER_AZ = 16;

/** The slot (0–255) of a subnet's /64 inside the VPC's /56. */
export function ipv6Slot(tier: SubnetTier, azIndex: number, index: number): number {
  if (!Number.isInteger(azIndex) || azIndex < 0 || azIndex >= MAX_IPV6_AZS) throw new UsageError(`An IPv6 layout holds ${MAX_IPV6_AZS} AZs; AZ position ${azIndex} is outside it.`, undefined, "InvalidLayout");
  if (!Number.isInteger(index) || index < 0 || index >= MAX_IPV6_PER_AZ) throw new UsageError(`An IPv6 layout holds ${MAX_IPV6_PER_AZ} subnets of a tier per AZ; index ${index} is outside it.`, undefined, "InvalidLayout");
  return (tier === "private" ? 128 : 0) + azIndex * 16 + index;
}

/** The /64 at `slot` of a /56 ("2600:1f18:abcd:ef00::/56", 0x81 → "2600:1f18:abcd:ef81::/64"). */
export function ipv6SubnetCidr(vpcBlock: string, slot: number): string {
  const c = parseCidr(vpcBlock);
  if (!c || c.v !== 6 || c.len !== VPC_IPV6_PREFIX) throw new UsageError(`${vpcBlock} is not an IPv6 /${VPC_IPV6_PREFIX} (the size of a VPC's Amazon-provided block).`, undefined, "InvalidLayout");
  if (!Number.isInteger(slot) || slot < 0 || slot > 255) throw new UsageError(`IPv6 slot ${slot} is outside a /56 (0–255).`, undefined, "InvalidLayout");
  const base = c.base + (BigInt(slot) << 64n);
  const hex = base.toString(16).padStart(32, "0");
  const groups = hex.match(/.{4}/g)!.join(":");
  return formatCidr(parseCidr(`${groups}/${SUBNET_IPV6_PREFIX}`)!);
}

export interface Ipv6SubnetSlot {
  tier: SubnetTier;
  az: string;
  index: number;
  slot: number;
}

/** Slots for every subnet of a layout (tier, AZ in the order given, index), in the same order as layoutSubnets'. */
export function ipv6Layout(azs: readonly string[], publicPerAz: number, privatePerAz: number): Ipv6SubnetSlot[] {
  const out: Ipv6SubnetSlot[] = [];
  for (const [tier, perAz] of [["public", publicPerAz], ["private", privatePerAz]] as const)
    azs.forEach((az, i) => {
      for (let index = 0; index < perAz; index++) out.push({ tier, az, index, slot: ipv6Slot(tier, i, index) });
    });
  return out;
}
