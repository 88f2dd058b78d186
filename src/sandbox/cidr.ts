// IPv4 arithmetic for the sandbox's own rule checks (kept here so the emulator has no dependency on src/net).

export interface Cidr {
  base: number; // network address as an unsigned 32-bit integer
  prefix: number;
}

export function ipToInt(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** Parses "a.b.c.d/n". strict: host bits must be zero (what EC2 requires for VPC and subnet CIDRs). */
export function parseCidr(s: unknown, strict = true): Cidr | null {
  if (typeof s !== "string") return null;
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) return null;
  const ip = ipToInt(m[1]);
  const prefix = Number(m[2]);
  if (ip === null || prefix > 32) return null;
  const base = prefix === 0 ? 0 : ((ip >>> (32 - prefix)) << (32 - prefix)) >>> 0;
  if (strict && base !== ip) return null;
  return { base, prefix };
}

export function cidrToString(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

export function containsIp(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + size(c);
}
