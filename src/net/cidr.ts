// User-facing CIDR layer: strict IPv4 parsing with messages that say what is wrong, VPC CIDR
// rules, free-block picking for `--cidr auto`, containment/overlap, longest-prefix match. No fs,
// no SDK, no process. (The subnet layout is layout.ts, which builds on this
// module; region, AWS id and plan name checks live in aws/names.ts and plans/name.ts.)
//
// The numbers come from the shared model in addr.ts; this module adds the UsageErrors.

import { UsageError } from "../errors.js";
import { cidrContains, cidrOverlaps, hasHostBits, numberToIpv4, parseCidr, type Cidr } from "./addr.js";

export { numberToIpv4 } from "./addr.js";

export interface Ipv4Cidr {
  /** Canonical form, e.g. "10.0.0.0/16". */
  cidr: string;
  /** Network address, e.g. "10.0.0.0". */
  network: string;
  prefix: number;
}

/** AWS limits for VPC and subnet IPv4 blocks. */
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 28;

export const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

const IPV4_SHAPE = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/** Why `ip` is not a strict dotted quad, or undefined when it is one. */
function ipv4Problem(ip: string): string | undefined {
  const m = IPV4_SHAPE.exec(ip);
  if (!m) return `"${ip}" is not an IPv4 address (expected four numbers like 10.0.0.0)`;
  for (let i = 1; i <= 4; i++) {
    const octet = m[i];
    if (octet.length > 1 && octet.startsWith("0")) {
      // 010 is octal to some tools and decimal to others: refuse rather than guess.
      return `octet "${octet}" in ${ip} has a leading zero`;
    }
    if (Number(octet) > 255) return `octet ${octet} in ${ip} is greater than 255`;
  }
  return undefined;
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** A CIDR already known to be well formed (validated here, or one of our constants). */
function known(cidr: string): Cidr {
  const c = parseCidr(cidr);
  if (!c) throw bad(cidr, "not an IPv4 or IPv6 CIDR");
  return c;
}

function bad(input: string, reason: string, hint?: string): UsageError {
  return new UsageError(`Invalid CIDR "${input}": ${reason}`, hint, "InvalidCidr");
}

/**
 * Parse a user-supplied IPv4 CIDR strictly. Surrounding whitespace is ignored; anything else
 * that is not exactly a.b.c.d/n with the host bits clear is a UsageError that says why.
 */
export function parseIpv4Cidr(input: string): Ipv4Cidr {
  const s = typeof input === "string" ? input.trim() : "";
  if (s === "") return badThrow(String(input ?? ""), "empty value", "expected something like 10.0.0.0/16");
  if (s.includes(":")) {
    throw bad(s, "this is an IPv6 address or range; an IPv4 CIDR is needed here", "e.g. 10.0.0.0/16");
  }
  const slash = s.indexOf("/");
  if (slash < 0) {
    if (ipv4Problem(s) === undefined) {
      throw bad(s, "missing the prefix length", `add one, e.g. ${s}/16`);
    }
    throw bad(s, "not a CIDR (expected a.b.c.d/n, e.g. 10.0.0.0/16)");
  }
  const ipPart = s.slice(0, slash);
  const prefixPart = s.slice(slash + 1);
  if (s.indexOf("/", slash + 1) >= 0) throw bad(s, "more than one '/'");
  const problem = ipv4Problem(ipPart);
  if (problem !== undefined) throw bad(s, problem);
  if (/^0\d+$/.test(prefixPart)) throw bad(s, `prefix length "${prefixPart}" has a leading zero (octets with leading zeros are refused too)`, `write /${Number(prefixPart)}`);
  if (!/^\d{1,3}$/.test(prefixPart)) {
    throw bad(s, `prefix length "${prefixPart}" is not a number from 0 to 32`);
  }
  const prefix = Number(prefixPart);
  if (prefix > 32) throw bad(s, `prefix length /${prefix} is out of range (IPv4 allows /0 to /32)`);
  const c = known(`${ipPart}/${prefix}`);
  const network = numberToIpv4(Number(c.base));
  if (hasHostBits(c)) {
    throw new UsageError(
      `${s} has host bits set; did you mean ${network}/${prefix}?`,
      `a CIDR block starts at its network address (${network} for a /${prefix})`,
      "InvalidCidr",
    );
  }
  return { cidr: `${network}/${prefix}`, network, prefix };
}

function badThrow(input: string, reason: string, hint?: string): never {
  throw bad(input, reason, hint);
}

/** True when the string is a strictly valid IPv4 address (no prefix). */
export function isIpv4(s: string): boolean {
  return ipv4Problem(s) === undefined;
}

export interface VpcCidrCheck extends Ipv4Cidr {
  /** Inside 10/8, 172.16/12 or 192.168/16. */
  rfc1918: boolean;
  /** Set when the caller should warn the user (public range, 172.17/16 ...). */
  warning?: string;
}

// Ranges AWS refuses for a VPC, or that can never work as one.
const FORBIDDEN_VPC_RANGES: Array<[string, string]> = [
  ["0.0.0.0/8", "\"this network\" (0.0.0.0/8)"],
  ["127.0.0.0/8", "loopback (127.0.0.0/8)"],
  ["169.254.0.0/16", "link-local (169.254.0.0/16, used by the instance metadata service)"],
  ["224.0.0.0/4", "multicast (224.0.0.0/4)"],
  ["240.0.0.0/4", "reserved (240.0.0.0/4)"],
];

/**
 * A VPC's primary IPv4 block: /16 to /28 (AWS's limits), not loopback/link-local/multicast.
 * A public (non-RFC1918) range is allowed by AWS; the result says so and the caller warns.
 */
export function validateVpcCidr(input: string): VpcCidrCheck {
  const parsed = parseIpv4Cidr(input);
  if (parsed.prefix < MIN_VPC_PREFIX || parsed.prefix > MAX_VPC_PREFIX) {
    const which = parsed.prefix < MIN_VPC_PREFIX ? "too large" : "too small";
    throw new UsageError(
      `VPC CIDR ${parsed.cidr} is ${which}: AWS allows a VPC block from /16 (65,536 addresses) to /28 (16 addresses)`,
      parsed.prefix < MIN_VPC_PREFIX ? `use a /16, e.g. ${parsed.network}/16` : "use a /28 or larger block",
      "InvalidCidr",
    );
  }
  for (const [range, what] of FORBIDDEN_VPC_RANGES) {
    if (cidrOverlaps(known(range), known(parsed.cidr))) {
      throw new UsageError(`VPC CIDR ${parsed.cidr} is in the ${what} range, which cannot be used for a VPC`, "use an RFC1918 range such as 10.0.0.0/16", "InvalidCidr");
    }
  }
  const block = known(parsed.cidr);
  const rfc1918 = RFC1918.some((r) => cidrContains(known(r), block));
  let warning: string | undefined;
  if (!rfc1918) {
    warning = cidrContains(known("100.64.0.0/10"), block)
      ? `${parsed.cidr} is in the carrier-grade NAT range (100.64.0.0/10), not RFC1918; it may clash with other networks`
      : `${parsed.cidr} is a public (non-RFC1918) range: hosts in this VPC cannot reach the real owners of those addresses on the internet`;
  } else if (cidrOverlaps(known("172.17.0.0/16"), block)) {
    warning = `${parsed.cidr} overlaps 172.17.0.0/16, Docker's default bridge network and a range some AWS services (e.g. SageMaker, Cloud9) reserve`;
  }
  return { ...parsed, rfc1918, ...(warning ? { warning } : {}) };
}

/** Inclusive numeric range of a CIDR that is already trusted (AWS output, computed layouts). */
interface Range {
  start: number;
  end: number;
}

/** Lenient parse for CIDRs coming from AWS or the plan: host bits are tolerated (masked). */
function rangeOf(cidr: string): Range {
  const slash = cidr.indexOf("/");
  const ipText = slash < 0 ? cidr.trim() : cidr.slice(0, slash).trim();
  const prefixText = slash < 0 ? "32" : cidr.slice(slash + 1).trim();
  const problem = ipv4Problem(ipText);
  if (problem !== undefined || !/^\d{1,2}$/.test(prefixText) || Number(prefixText) > 32) {
    throw bad(cidr, problem ?? `prefix length "${prefixText}" is not a number from 0 to 32`);
  }
  const c = known(`${ipText}/${Number(prefixText)}`);
  return { start: Number(c.base), end: Number(c.end) };
}

/** Do two CIDRs (or single addresses) share any address? IPv4 or IPv6; false across families. */
export function overlaps(a: string, b: string): boolean {
  return cidrOverlaps(known(a), known(b));
}

/** Does `outer` contain every address of `inner`? False across families. */
export function containsCidr(outer: string, inner: string): boolean {
  return cidrContains(known(outer), known(inner));
}

/** Is the single address `ip` inside `cidr`? Throws UsageError for a malformed IPv4 address. */
export function ipInCidr(ip: string, cidr: string): boolean {
  if (!ip.includes(":")) {
    const problem = ipv4Problem(ip);
    if (problem !== undefined) throw new UsageError(`Invalid IP address "${ip}": ${problem}`, undefined, "InvalidIp");
  }
  const a = ip.includes("/") ? null : parseCidr(ip);
  if (!a) throw new UsageError(`Invalid IP address "${ip}"`, undefined, "InvalidIp");
  return cidrContains(known(cidr), a);
}

/**
 * Route lookup: the most specific CIDR in `cidrs` containing `ip`, or undefined.
 * One pass over the routes (O(routes)); entries of the other IP version, or that are not CIDRs
 * at all (prefix-list ids such as pl-1234 in a route table), are skipped.
 * Ties keep the first entry, so callers can order routes by precedence.
 */
export function longestPrefixMatch(ip: string, cidrs: readonly string[]): string | undefined {
  const target = known(ip);
  let best: string | undefined;
  let bestPrefix = -1;
  for (const c of cidrs) {
    if (typeof c !== "string") continue;
    const p = parseCidr(c); // null for prefix-list ids, "local", malformed entries
    if (p === null || p.v !== target.v) continue;
    if (p.len > bestPrefix && target.base >= p.base && target.base <= p.end) {
      best = c;
      bestPrefix = p.len;
    }
  }
  return best;
}

export interface PickFreeCidrOptions {
  /** Size of the block to find; AWS VPC limits apply (16..28). Default 16. */
  prefix?: number;
  /** Explicit candidates to try in order instead of the RFC1918 walk. */
  candidates?: readonly string[];
}

/**
 * `--cidr auto`: the first block of /prefix that overlaps none of `existing`, walking
 * 10.0.0.0/8 upwards (10.0.0.0/16, 10.1.0.0/16, ...), then 172.16.0.0/12, then 192.168.0.0/16.
 * IPv6 entries in `existing` are ignored. Skips ahead past each blocking range, so the cost is
 * O(existing x blocks-skipped) at worst and usually O(existing log existing).
 */
export function pickFreeCidr(existing: readonly string[], options: PickFreeCidrOptions = {}): string {
  const prefix = options.prefix ?? 16;
  if (!Number.isInteger(prefix) || prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
    throw new UsageError(`Cannot pick a /${prefix} block: AWS allows VPC blocks from /16 to /28`, undefined, "InvalidCidr");
  }
  const taken = existing
    .filter((c) => typeof c === "string" && !c.includes(":"))
    .map(rangeOf)
    .sort((x, y) => x.start - y.start);

  const isFree = (r: Range): Range | undefined => taken.find((t) => t.start <= r.end && r.start <= t.end);

  if (options.candidates) {
    for (const c of options.candidates) {
      const r = rangeOf(parseIpv4Cidr(c).cidr);
      if (!isFree(r)) return parseIpv4Cidr(c).cidr;
    }
    throw new UsageError(
      `None of the candidate CIDRs (${options.candidates.join(", ")}) is free: each overlaps an existing VPC or network`,
      "pass --cidr explicitly",
      "NoFreeCidr",
    );
  }

  const size = blockSize(prefix);
  for (const pool of RFC1918) {
    const poolRange = rangeOf(pool);
    if (blockSize(Number(pool.split("/")[1])) < size) continue; // pool smaller than the block
    let start = poolRange.start;
    while (start + size - 1 <= poolRange.end) {
      const candidate = { start, end: start + size - 1 };
      const blocker = isFree(candidate);
      if (!blocker) return `${numberToIpv4(start)}/${prefix}`;
      // Jump to the first aligned block after the blocking range.
      start = Math.ceil((blocker.end + 1) / size) * size;
    }
  }
  throw new UsageError(
    `No free RFC1918 /${prefix} block: every candidate in 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 overlaps one of ${taken.length} existing ranges`,
    "pass --cidr explicitly, or a smaller block",
    "NoFreeCidr",
  );
}
