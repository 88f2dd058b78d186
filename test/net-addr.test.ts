// The shared numeric CIDR model (src/net/addr.ts): parsing, host bits, EC2 blocks, set
// operations, IPv4 <-> number, and the memo.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ANY_V4,
  ANY_V6,
  addressCount,
  cidrContains,
  cidrHasIp,
  cidrOverlaps,
  formatCidr,
  hasHostBits,
  ipv4ToNumber,
  isNonPublicV4,
  memoSize,
  numberToIpv4,
  parseCidr,
  parseIpv4Block,
  type Cidr,
} from "../src/net/addr.js";

function p(text: string): Cidr {
  const c = parseCidr(text);
  assert.ok(c, `${text} should parse`);
  return c;
}

test("IPv4 blocks: family, base, end, prefix, text as given", () => {
  assert.deepEqual(p("10.0.0.0/16"), { v: 4, base: 0x0a000000n, end: 0x0a00ffffn, len: 16, text: "10.0.0.0/16" });
  assert.deepEqual(p("0.0.0.0/0"), { v: 4, base: 0n, end: 0xffffffffn, len: 0, text: "0.0.0.0/0" });
  assert.deepEqual(p("255.255.255.255/32"), { v: 4, base: 0xffffffffn, end: 0xffffffffn, len: 32, text: "255.255.255.255/32" });
  // host bits are masked off, the text keeps them
  assert.deepEqual(p("10.0.0.5/16"), { v: 4, base: 0x0a000000n, end: 0x0a00ffffn, len: 16, text: "10.0.0.5/16" });
  assert.equal(p("10.1.2.3/31").end, 0x0a010203n);
  assert.equal(p("10.0.0.0/016").len, 16);
});

test("IPv6 blocks, including IPv4-mapped addresses", () => {
  const c = p("2600:1f18:abcd::/56");
  assert.equal(c.v, 6);
  assert.equal(c.len, 56);
  assert.equal(c.base, 0x26001f18abcd00000000000000000000n);
  assert.equal(c.end, 0x26001f18abcd00ffffffffffffffffffn);
  assert.deepEqual(p("::/0"), { v: 6, base: 0n, end: (1n << 128n) - 1n, len: 0, text: "::/0" });
  assert.equal(p("FE80::ABCD/10").base, 0xfe800000000000000000000000000000n);
  assert.equal(p("::ffff:1.2.3.4").base, 0xffff01020304n);
  assert.equal(p("::ffff:1.2.3.4/120").base, 0xffff01020300n);
});

test("single addresses are /32 or /128", () => {
  assert.deepEqual(p("10.0.0.5"), { v: 4, base: 0x0a000005n, end: 0x0a000005n, len: 32, text: "10.0.0.5/32" });
  assert.deepEqual(p("::1"), { v: 6, base: 1n, end: 1n, len: 128, text: "::1/128" });
  assert.equal(p("2600::5").text, "2600::5/128");
});

test("invalid input is null, never a silently different block", () => {
  const bad = [
    "", "abc", "300.0.0.0/8", "10.0.256.0/24", "1.2.3", "1.2.3.4.5", "010.0.0.0/16", "-1.0.0.0/8",
    "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/1x", "10.0.0.0/1234", "10.0.0.0/16/8",
    " 10.0.0.0/16", "10.0.0.0/16 ", "10.0.0.0 /16", "::/129", "12345::/16", "a::b::c", "::g",
    "1::2:3:4:5:6:7:8", "fe80::1%eth0", "pl-12345678", "local",
  ];
  for (const s of bad) assert.equal(parseCidr(s), null, JSON.stringify(s));
  assert.equal(parseCidr(undefined), null);
  assert.equal(parseCidr(null), null);
});

test("hasHostBits: the strict check EC2 applies to VPC and subnet blocks", () => {
  assert.equal(hasHostBits(p("10.0.0.0/16")), false);
  assert.equal(hasHostBits(p("10.0.0.1/16")), true);
  assert.equal(hasHostBits(p("10.0.0.5")), false);
  assert.equal(hasHostBits(p("0.0.0.0/0")), false);
  assert.equal(hasHostBits(p("1.2.3.4/0")), true);
  assert.equal(hasHostBits(p("2600::/56")), false);
  assert.equal(hasHostBits(p("2600::1/56")), true);
});

test("parseIpv4Block: EC2's IPv4 block syntax, strict by default", () => {
  assert.equal(parseIpv4Block("10.0.0.0/16")?.len, 16);
  assert.equal(parseIpv4Block(" 10.0.0.0/16 ")?.base, 0x0a000000n);
  assert.equal(parseIpv4Block("10.0.0.1/16"), null);
  assert.equal(parseIpv4Block("10.0.0.1/16", false)?.base, 0x0a000000n);
  assert.equal(parseIpv4Block("10.0.0.1"), null, "prefix required");
  assert.equal(parseIpv4Block("10.0.0.0/016"), null, "at most two prefix digits");
  assert.equal(parseIpv4Block("10.0.0.0/33"), null);
  assert.equal(parseIpv4Block("2600::/56"), null, "IPv4 only");
  assert.equal(parseIpv4Block(42), null);
  assert.equal(parseIpv4Block(undefined), null);
});

test("formatCidr is the canonical network/prefix", () => {
  assert.equal(formatCidr(p("10.0.0.5/16")), "10.0.0.0/16");
  assert.equal(formatCidr(p("10.0.0.5")), "10.0.0.5/32");
  assert.equal(formatCidr(p("0.0.0.0/0")), "0.0.0.0/0");
  assert.equal(formatCidr(p("2600:1f18:abcd:1::5/64")), "2600:1f18:abcd:1::/64");
  assert.equal(formatCidr(p("FE80::ABCD/10")), "fe80::/10");
});

test("contains and overlaps: edges, equal blocks, adjacency, families", () => {
  const vpc = p("10.0.0.0/16");
  assert.equal(cidrContains(vpc, vpc), true);
  assert.equal(cidrContains(vpc, p("10.0.255.0/24")), true);
  assert.equal(cidrContains(vpc, p("10.0.255.255")), true);
  assert.equal(cidrContains(vpc, p("10.1.0.0")), false);
  assert.equal(cidrContains(p("10.0.4.0/24"), vpc), false);
  assert.equal(cidrContains(ANY_V4, vpc), true);
  assert.equal(cidrContains(ANY_V4, p("::/0")), false, "no containment across families");
  assert.equal(cidrContains(ANY_V6, p("2600::/56")), true);
  assert.equal(cidrContains(ANY_V6, p("0.0.0.0/0")), false);
  // ::ffff:10.0.0.1 is an IPv6 address, not inside 10.0.0.0/16
  assert.equal(cidrContains(vpc, p("::ffff:10.0.0.1")), false);

  assert.equal(cidrOverlaps(vpc, p("10.0.128.0/17")), true);
  assert.equal(cidrOverlaps(p("10.0.128.0/17"), vpc), true);
  assert.equal(cidrOverlaps(vpc, p("10.1.0.0/16")), false, "adjacent blocks do not overlap");
  assert.equal(cidrOverlaps(p("10.0.0.0/25"), p("10.0.0.127")), true, "last address");
  assert.equal(cidrOverlaps(p("10.0.0.0/25"), p("10.0.0.128")), false, "first address after");
  assert.equal(cidrOverlaps(p("::/0"), p("0.0.0.0/0")), false);
  assert.equal(cidrOverlaps(p("2600::/56"), p("2600:0:0:ff::/64")), true);
  assert.equal(cidrOverlaps(p("2600::/56"), p("2600:0:0:100::/64")), false);
});

test("cidrHasIp: a single address inside a block", () => {
  assert.equal(cidrHasIp(p("10.0.0.0/16"), "10.0.255.255"), true);
  assert.equal(cidrHasIp(p("10.0.0.0/16"), "10.1.0.0"), false);
  assert.equal(cidrHasIp(p("10.0.0.0/16"), "2001:db8::1"), false);
  assert.equal(cidrHasIp(p("10.0.0.0/16"), "10.0.0.300"), false);
  assert.equal(cidrHasIp(p("10.0.0.0/16"), "10.0.1.0/24"), false, "a block is not an address");
  assert.equal(cidrHasIp(p("2600::/56"), "2600::ff"), true);
});

test("IPv4 <-> number and addressCount for the sandbox's allocation", () => {
  assert.equal(ipv4ToNumber("10.0.0.5"), 167772165);
  assert.equal(ipv4ToNumber("0.0.0.0"), 0);
  assert.equal(ipv4ToNumber("255.255.255.255"), 4294967295);
  assert.equal(ipv4ToNumber("10.0.0.5/32"), null);
  assert.equal(ipv4ToNumber("10.0.0.256"), null);
  assert.equal(ipv4ToNumber("::1"), null);
  assert.equal(numberToIpv4(167772165), "10.0.0.5");
  assert.equal(numberToIpv4(4294967295), "255.255.255.255");
  assert.equal(numberToIpv4(0), "0.0.0.0");
  for (const ip of ["1.2.3.4", "172.31.255.254", "192.168.0.1"]) assert.equal(numberToIpv4(ipv4ToNumber(ip)!), ip);
  assert.equal(addressCount(p("10.0.0.0/28")), 16);
  assert.equal(addressCount(p("10.0.0.0/16")), 65536);
  assert.equal(addressCount(p("10.0.0.5")), 1);
  assert.equal(addressCount(p("2600::/64")), 2 ** 64);
});

test("isNonPublicV4: RFC 1918 and RFC 6598 space, whole block only", () => {
  assert.equal(isNonPublicV4(p("10.1.2.3")), true);
  assert.equal(isNonPublicV4(p("172.31.0.0/16")), true);
  assert.equal(isNonPublicV4(p("100.64.1.1")), true);
  assert.equal(isNonPublicV4(p("8.8.8.8")), false);
  assert.equal(isNonPublicV4(p("172.0.0.0/8")), false, "only partly private");
  assert.equal(isNonPublicV4(p("fd00::/8")), false, "IPv6 is never treated as RFC 1918");
});

test("memo: repeated parses return the same object, distinct strings stay distinct", () => {
  const a = parseCidr("10.9.0.0/16");
  assert.equal(parseCidr("10.9.0.0/16"), a, "memo hit returns the cached object");
  // same block written differently: separate entries, same numbers, own text
  const b = parseCidr("10.9.0.1/16")!;
  assert.notEqual(b, a);
  assert.equal(b.base, a!.base);
  assert.equal(b.text, "10.9.0.1/16");
  // failures are memoized too, and stay failures
  assert.equal(parseCidr("300.9.0.0/16"), null);
  assert.equal(parseCidr("300.9.0.0/16"), null);
  // a bare address and its /32 form are different keys with the same block
  assert.equal(parseCidr("10.9.0.7")!.text, "10.9.0.7/32");
  assert.equal(parseCidr("10.9.0.7/32")!.text, "10.9.0.7/32");
});

test("memo is bounded and results stay correct after it is dropped", () => {
  const first = parseCidr("10.77.0.0/16");
  const v6 = (i: number) => `2001:db8::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
  for (let i = 0; i < 210_000; i++) assert.ok(parseCidr(v6(i)));
  assert.ok(memoSize() <= 200_000, `memo holds ${memoSize()} entries`);
  const again = parseCidr("10.77.0.0/16")!;
  assert.deepEqual(again, first);
  assert.equal(parseCidr(v6(209_999))!.base, 0x20010db8000000000000000000000000n + 209_999n);
});
