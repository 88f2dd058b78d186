// The one numeric CIDR model (IPv4 and IPv6) shared by src/net, the analyzer and the sandbox:
// a CIDR is its family, prefix length and inclusive [base, end] range as bigints.
// Pure: no fs, no SDK, no process.
//
// cidr-tools computes the range; node:net validates the syntax first, because cidr-tools
// silently accepts bad input ("300.0.0.0/8" parses as 44.0.0.0/8). Parses are memoized: the
// analyzer parses the same few thousand strings millions of times, so the hot path is one
// Map lookup. Cached objects are shared; treat them as read-only.

import { isIPv4, isIPv6 } from "node:net";
import { normalizeCidr, parseCidr as ctParse } from "cidr-tools";

export interface Cidr {
  /** Address family. */
  readonly v: 4 | 6;
  /** Network address (host bits cleared): the first address of the block. */
  readonly base: bigint;
  /** Last address of the block (host bits set). */
  readonly end: bigint;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly len: number;
  /** The input as given, or `ip/32` (`ip/128`) for a single address. Host bits are kept. */
  readonly text: string;
}

// Above this many distinct strings the memo is dropped and refilled: bounds memory on huge
// accounts while a normal working set (routes, rules, addresses) always fits.
const MEMO_LIMIT = 200_000;
const memo = new Map<string, Cidr | null>();

const PREFIX_SHAPE = /^\d{1,3}$/;

function parseUncached(text: string): Cidr | null {
  const slash = text.indexOf("/");
  const ip = slash >= 0 ? text.slice(0, slash) : text;
  let v: 4 | 6;
  if (isIPv4(ip)) v = 4;
  else if (isIPv6(ip) && !ip.includes("%")) v = 6; // zone ids (fe80::1%eth0) are not addresses in a VPC
  else return null;
  const bits = v === 4 ? 32 : 128;
  let len = bits;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!PREFIX_SHAPE.test(lenText)) return null;
    len = Number(lenText);
    if (len > bits) return null;
  }
  const p = ctParse(text); // syntax checked above, so cidr-tools sees only valid input
  return { v, base: p.start, end: p.end, len, text: slash >= 0 ? text : `${ip}/${bits}` };
}

/**
 * Lenient, memoized parse of "10.0.0.0/16", "10.0.0.5" (= /32), "2600::/56", "::/0".
 * Host bits are tolerated (masked off in `base`); use hasHostBits to refuse them.
 * Returns null for anything that is not exactly an address with an optional /prefix
 * (no whitespace, no leading-zero octets, no IPv6 zone id).
 */
export function parseCidr(text: string | undefined | null): Cidr | null {
  if (!text) return null;
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const result = typeof text === "string" ? parseUncached(text) : null;
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, result);
  return result;
}

/** Number of distinct strings currently memoized (for tests). */
export function memoSize(): number {
  return memo.size;
}

/** Does `c.text` name an address inside the block rather than its network address (10.0.0.1/16)? */
export function hasHostBits(c: Cidr): boolean {
  const slash = c.text.indexOf("/");
  if (slash < 0) return false;
  const ip = parseCidr(c.text.slice(0, slash));
  return ip !== null && ip.base !== c.base;
}

/**
 * An IPv4 block the way EC2 takes it for VPCs, subnets, routes and rules: "a.b.c.d/n" with the
 * prefix required, surrounding whitespace ignored. strict (the default): host bits must be zero,
 * as EC2 requires for VPC and subnet CIDRs; otherwise they are masked off.
 */
export function parseIpv4Block(s: unknown, strict = true): Cidr | null {
  if (typeof s !== "string") return null;
  const t = s.trim();
  const slash = t.indexOf("/");
  if (slash < 0 || !/^\d{1,2}$/.test(t.slice(slash + 1))) return null;
  const c = parseCidr(t);
  if (!c || c.v !== 4) return null;
  if (strict && hasHostBits(c)) return null;
  return c;
}

/** Canonical text of the block: network address and prefix ("10.0.0.0/16", "2600::/56"). */
export function formatCidr(c: Cidr): string {
  return c.v === 4 ? `${numberToIpv4(Number(c.base))}/${c.len}` : normalizeCidr(c.text);
}

/** Number of addresses in the block (a float above 2^53 for big IPv6 blocks). */
export function addressCount(c: Cidr): number {
  return 2 ** ((c.v === 4 ? 32 : 128) - c.len);
}

/** True if `outer` contains every address of `inner` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.v === inner.v && outer.base <= inner.base && inner.end <= outer.end;
}

/** True if the blocks share at least one address (same family). */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.v === b.v && a.base <= b.end && b.base <= a.end;
}

/** Is the single address `ip` (text) inside `c`? False for malformed input or the other family. */
export function cidrHasIp(c: Cidr, ip: string): boolean {
  const a = ip.includes("/") ? null : parseCidr(ip);
  return a !== null && cidrContains(c, a);
}

/** Strict dotted quad -> unsigned 32-bit number, or null ("10.0.0.5" -> 167772165). */
export function ipv4ToNumber(ip: string): number | null {
  if (ip.includes("/")) return null;
  const c = parseCidr(ip);
  return c !== null && c.v === 4 ? Number(c.base) : null;
}

/** Unsigned 32-bit number -> dotted quad (167772165 -> "10.0.0.5"). */
export function numberToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

// Private (RFC 1918) and shared (RFC 6598) IPv4 space: an internet gateway drops it outbound.
const NON_PUBLIC_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((c) => parseCidr(c)!);

/** Is the whole block inside RFC 1918 or RFC 6598 space? */
export function isNonPublicV4(c: Cidr): boolean {
  return c.v === 4 && NON_PUBLIC_V4.some((r) => cidrContains(r, c));
}

export const ANY_V4 = parseCidr("0.0.0.0/0")!;
// written out, not parsed: the first IPv6 parse compiles node:net's IPv6 pattern, ~4 ms of every start-up
export const ANY_V6: Cidr = { v: 6, base: 0n, end: (1n << 128n) - 1n, len: 0, text: "::/0" };

// NAT64's well-known prefix (RFC 6052): DNS64 synthesizes 64:ff9b::a.b.c.d, NAT gateways translate it.
export const NAT64_PREFIX: Cidr = { v: 6, base: 0x0064ff9bn << 96n, end: (0x0064ff9bn << 96n) | 0xffffffffn, len: 96, text: "64:ff9b::/96" };

/** The IPv6 block DNS64 synthesizes for an IPv4 block (203.0.113.10 → 64:ff9b::cb00:710a/128). */
export function nat64Of(v4: Cidr): Cidr {
  if (v4.len === 0) return NAT64_PREFIX;
  const base = NAT64_PREFIX.base | v4.base;
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((base >> BigInt(i * 16)) & 0xffffn).toString(16));
  const text = `${groups.join(":")}/${96 + v4.len}`.replace(/^0:0:0:0:0:0:0:0\//, "::/").replace(/^64:ff9b:0:0:0:0:/, "64:ff9b::");
  return { v: 6, base, end: NAT64_PREFIX.base | v4.end, len: 96 + v4.len, text };
}

/** The IPv4 block inside a NAT64 block (the reverse of nat64Of), or null outside 64:ff9b::/96. */
export function v4OfNat64(c: Cidr): Cidr | null {
  if (!cidrContains(NAT64_PREFIX, c)) return null;
  const n = Number(c.base & 0xffffffffn);
  return parseCidr(`${numberToIpv4(n)}/${c.len - 96}`);
}
