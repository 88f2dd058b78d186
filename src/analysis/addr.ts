// Small, fast IPv4/IPv6 CIDR model for the analyzer: parse once (memoized), compare with
// bigint masks. Kept local to src/analysis so the analyzer has no dependency on other modules.

export interface Cidr {
  v: 4 | 6;
  /** Network address (host bits cleared). */
  base: bigint;
  len: number;
  text: string;
}

const cache = new Map<string, Cidr | null>();

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const x = Number(p);
    if (x > 255) return null;
    n = (n << 8n) | BigInt(x);
  }
  return n;
}

function parseV6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let tail4: bigint | null = null;
  let str = s;
  // IPv4-mapped tail (::ffff:1.2.3.4)
  const lastColon = str.lastIndexOf(":");
  if (str.includes(".")) {
    tail4 = parseV4(str.slice(lastColon + 1));
    if (tail4 === null) return null;
    str = str.slice(0, lastColon + 1) + "0:0";
  }
  const halves = str.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 && missing !== 0) return null;
  if (halves.length === 2 && missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== null) n = (n & ~0xffffffffn) | tail4;
  return n;
}

/** Parses "10.0.0.0/16", "10.0.0.5" (= /32), "2600::/56", "::/0". Returns null if invalid. */
export function parseCidr(text: string | undefined | null): Cidr | null {
  if (!text) return null;
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  let result: Cidr | null = null;
  const slash = text.indexOf("/");
  const ip = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : undefined;
  const v: 4 | 6 = ip.includes(":") ? 6 : 4;
  const bits = v === 4 ? 32 : 128;
  const n = v === 4 ? parseV4(ip) : parseV6(ip);
  const len = lenText === undefined ? bits : /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
  if (n !== null && Number.isInteger(len) && len >= 0 && len <= bits) {
    const host = bits - len;
    const base = (n >> BigInt(host)) << BigInt(host);
    result = { v, base, len, text: lenText === undefined ? `${ip}/${bits}` : text };
  }
  if (cache.size > 200_000) cache.clear(); // bound memory on huge accounts
  cache.set(text, result);
  return result;
}

/** True if `outer` contains all of `inner` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.v !== inner.v || outer.len > inner.len) return false;
  const host = BigInt((outer.v === 4 ? 32 : 128) - outer.len);
  return inner.base >> host === outer.base >> host;
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** Private (RFC 1918) or shared (RFC 6598) IPv4 ranges: an internet gateway drops them outbound. */
const NON_PUBLIC_V4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((c) => parseCidr(c)!);
export function isNonPublicV4(c: Cidr): boolean {
  return c.v === 4 && NON_PUBLIC_V4.some((r) => cidrContains(r, c));
}

export const ANY_V4 = parseCidr("0.0.0.0/0")!;
export const ANY_V6 = parseCidr("::/0")!;
