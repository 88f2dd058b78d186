// CIDR parsing/validation matrix, VPC rules, pickFreeCidr, LPM. (Region, id and name checks: test/names.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/errors.js";
import {
  containsCidr,
  ipInCidr,
  longestPrefixMatch,
  overlaps,
  parseIpv4Cidr,
  pickFreeCidr,
  validateVpcCidr,
} from "../src/net/cidr.js";

function throwsUsage(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, re);
    return true;
  });
}

test("parseIpv4Cidr accepts and canonicalises good input", () => {
  assert.deepEqual(parseIpv4Cidr("10.0.0.0/16"), { cidr: "10.0.0.0/16", network: "10.0.0.0", prefix: 16 });
  assert.deepEqual(parseIpv4Cidr(" 192.168.1.0/24 "), { cidr: "192.168.1.0/24", network: "192.168.1.0", prefix: 24 });
  assert.deepEqual(parseIpv4Cidr("0.0.0.0/0"), { cidr: "0.0.0.0/0", network: "0.0.0.0", prefix: 0 });
  assert.deepEqual(parseIpv4Cidr("1.2.3.4/32"), { cidr: "1.2.3.4/32", network: "1.2.3.4", prefix: 32 });
});

const BAD: Array<[string, RegExp]> = [
  ["", /empty value/],
  ["   ", /empty value/],
  ["abc", /not a CIDR/],
  ["10.0.0.0", /missing the prefix length/],
  ["10.0.0/16", /not an IPv4 address/],
  ["10.0.0.0.0/16", /not an IPv4 address/],
  ["300.0.0.0/8", /octet 300 .* greater than 255/],
  ["10.0.256.0/24", /octet 256 .* greater than 255/],
  ["010.0.0.0/16", /leading zero/],
  ["10.0.0.0/33", /\/33 is out of range/],
  ["10.0.0.0/-1", /prefix length "-1" is not a number/],
  ["10.0.0.0/", /prefix length "" is not a number/],
  ["10.0.0.0/1x", /prefix length "1x" is not a number/],
  ["10.0.0.0/16/8", /more than one '\/'/],
  ["::/64", /IPv6/],
  ["2001:db8::/32", /IPv6/],
  ["10.0.0.1/16", /^10\.0\.0\.1\/16 has host bits set; did you mean 10\.0\.0\.0\/16\?$/],
  ["172.31.5.7/20", /did you mean 172\.31\.0\.0\/20\?/],
  ["-1.0.0.0/8", /not an IPv4 address/],
  ["10.0.0.0 /16", /not an IPv4 address/],
];

for (const [input, re] of BAD) {
  test(`parseIpv4Cidr rejects ${JSON.stringify(input)}`, () => throwsUsage(() => parseIpv4Cidr(input), re));
}

test("validateVpcCidr: AWS size limits and RFC1918 flag", () => {
  assert.deepEqual(validateVpcCidr("10.0.0.0/16"), { cidr: "10.0.0.0/16", network: "10.0.0.0", prefix: 16, rfc1918: true });
  assert.equal(validateVpcCidr("192.168.0.0/28").rfc1918, true);
  const pub = validateVpcCidr("8.8.0.0/16");
  assert.equal(pub.rfc1918, false);
  assert.match(pub.warning ?? "", /public \(non-RFC1918\)/);
  assert.match(validateVpcCidr("100.64.0.0/16").warning ?? "", /carrier-grade/);
  assert.match(validateVpcCidr("172.17.0.0/16").warning ?? "", /Docker/);
  throwsUsage(() => validateVpcCidr("10.0.0.0/8"), /too large: AWS allows a VPC block from \/16 .* to \/28/);
  throwsUsage(() => validateVpcCidr("10.0.0.0/29"), /too small/);
  throwsUsage(() => validateVpcCidr("127.0.0.0/16"), /loopback/);
  throwsUsage(() => validateVpcCidr("169.254.0.0/16"), /link-local/);
  throwsUsage(() => validateVpcCidr("224.0.0.0/16"), /multicast/);
});

test("overlaps / containsCidr / ipInCidr", () => {
  assert.equal(overlaps("10.0.0.0/16", "10.0.128.0/17"), true);
  assert.equal(overlaps("10.0.0.0/16", "10.1.0.0/16"), false);
  assert.equal(containsCidr("10.0.0.0/16", "10.0.4.0/24"), true);
  assert.equal(containsCidr("10.0.4.0/24", "10.0.0.0/16"), false);
  assert.equal(ipInCidr("10.0.255.255", "10.0.0.0/16"), true);
  assert.equal(ipInCidr("10.1.0.0", "10.0.0.0/16"), false);
  assert.equal(ipInCidr("2001:db8::1", "10.0.0.0/16"), false);
  throwsUsage(() => ipInCidr("10.0.0.300", "10.0.0.0/16"), /greater than 255/);
});

test("longestPrefixMatch picks the most specific route and skips non-CIDRs", () => {
  const routes = ["0.0.0.0/0", "10.0.0.0/16", "pl-12345678", "10.0.1.0/24", "::/0", "local"];
  assert.equal(longestPrefixMatch("10.0.1.7", routes), "10.0.1.0/24");
  assert.equal(longestPrefixMatch("10.0.2.7", routes), "10.0.0.0/16");
  assert.equal(longestPrefixMatch("8.8.8.8", routes), "0.0.0.0/0");
  assert.equal(longestPrefixMatch("8.8.8.8", ["10.0.0.0/16"]), undefined);
  assert.equal(longestPrefixMatch("2001:db8::1", routes), "::/0");
  // ties keep the first entry
  assert.equal(longestPrefixMatch("10.0.0.1", ["10.0.0.0/16", "10.0.0.0/16 "]), "10.0.0.0/16");
});

// Its speed is the analyzer bench's (bench/analyzer.ts prints ratios); a timed assertion here would
// fail on a loaded machine, so this checks only the answer at that size.
test("longestPrefixMatch over 50k routes picks the longest match", () => {
  const routes: string[] = [];
  for (let i = 0; i < 50_000; i++) routes.push(`10.${(i >> 8) & 255}.${i & 255}.0/24`);
  routes.push("0.0.0.0/0");
  assert.equal(longestPrefixMatch("10.100.7.9", routes), "10.100.7.0/24");
  assert.equal(longestPrefixMatch("192.0.2.1", routes), "0.0.0.0/0");
});

test("pickFreeCidr walks 10/8, then 172.16/12, then 192.168/16", () => {
  assert.equal(pickFreeCidr([]), "10.0.0.0/16");
  assert.equal(pickFreeCidr(["10.0.0.0/16"]), "10.1.0.0/16");
  assert.equal(pickFreeCidr(["10.0.0.0/16", "10.1.5.0/24", "10.3.0.0/16"]), "10.2.0.0/16");
  assert.equal(pickFreeCidr(["10.0.0.0/8"]), "172.16.0.0/16");
  assert.equal(pickFreeCidr(["10.0.0.0/8", "172.16.0.0/12"]), "192.168.0.0/16");
  assert.equal(pickFreeCidr(["10.0.0.0/16", "2001:db8::/32"], { prefix: 24 }), "10.1.0.0/24");
  assert.equal(pickFreeCidr(["10.0.0.0/24"], { prefix: 24 }), "10.0.1.0/24");
  assert.equal(pickFreeCidr(["10.0.0.0/16"], { candidates: ["10.0.0.0/16", "10.100.0.0/16"] }), "10.100.0.0/16");
  throwsUsage(() => pickFreeCidr(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]), /No free RFC1918 \/16 block/);
  throwsUsage(() => pickFreeCidr([], { prefix: 8 }), /\/16 to \/28/);
  throwsUsage(() => pickFreeCidr(["10.0.0.0/16"], { candidates: ["10.0.0.0/16"] }), /None of the candidate/);
});
