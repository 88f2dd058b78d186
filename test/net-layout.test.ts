// Subnet layouts: default size rule, ordering, explicit prefixes and does-not-fit errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/errors.js";
import { overlaps, containsCidr } from "../src/net/cidr.js";
import { defaultSubnetPrefix, layoutSubnets } from "../src/net/layout.js";

function assertDisjointInside(vpc: string, cidrs: string[]): void {
  for (let i = 0; i < cidrs.length; i++) {
    assert.ok(containsCidr(vpc, cidrs[i]), `${cidrs[i]} outside ${vpc}`);
    for (let j = i + 1; j < cidrs.length; j++) assert.equal(overlaps(cidrs[i], cidrs[j]), false, `${cidrs[i]} vs ${cidrs[j]}`);
  }
}

test("2 AZs in a /16 -> /20s, public first then private", () => {
  const l = layoutSubnets({ vpcCidr: "10.0.0.0/16", azs: ["us-east-1a", "us-east-1b"], publicPerAz: 1, privatePerAz: 1 });
  assert.deepEqual(l, [
    { tier: "public", az: "us-east-1a", index: 0, cidr: "10.0.0.0/20" },
    { tier: "public", az: "us-east-1b", index: 0, cidr: "10.0.16.0/20" },
    { tier: "private", az: "us-east-1a", index: 0, cidr: "10.0.32.0/20" },
    { tier: "private", az: "us-east-1b", index: 0, cidr: "10.0.48.0/20" },
  ]);
});

test("3 AZs in a /16 -> /21s, disjoint and deterministic", () => {
  const input = { vpcCidr: "10.100.0.0/16", azs: ["a", "b", "c"], publicPerAz: 1, privatePerAz: 1 };
  const l = layoutSubnets(input);
  assert.equal(l.length, 6);
  assert.ok(l.every((s) => s.cidr.endsWith("/21")));
  assert.deepEqual(l.map((s) => s.tier), ["public", "public", "public", "private", "private", "private"]);
  assert.equal(l[5].cidr, "10.100.40.0/21");
  assertDisjointInside("10.100.0.0/16", l.map((s) => s.cidr));
  assert.deepEqual(layoutSubnets(input), l);
});

test("6 AZs x (1 public + 2 private) in a /16 -> /23s with index per AZ", () => {
  const azs = ["1a", "1b", "1c", "1d", "1e", "1f"];
  const l = layoutSubnets({ vpcCidr: "10.0.0.0/16", azs, publicPerAz: 1, privatePerAz: 2 });
  assert.equal(l.length, 18);
  assert.equal(defaultSubnetPrefix(16, 18), 23);
  assert.ok(l.every((s) => s.cidr.endsWith("/23")));
  assert.deepEqual(l.filter((s) => s.az === "1c").map((s) => [s.tier, s.index]), [["public", 0], ["private", 0], ["private", 1]]);
  assertDisjointInside("10.0.0.0/16", l.map((s) => s.cidr));
});

test("6 AZs x 2 in a /16 -> /22s (default rule documented)", () => {
  assert.equal(defaultSubnetPrefix(16, 12), 22);
  assert.equal(defaultSubnetPrefix(16, 4), 20);
  assert.equal(defaultSubnetPrefix(16, 1), 18);
  assert.equal(defaultSubnetPrefix(26, 4), 28); // capped at /28
});

test("/24 VPC with /28 subnets", () => {
  const l = layoutSubnets({ vpcCidr: "192.168.10.0/24", azs: ["a", "b"], publicPerAz: 1, privatePerAz: 1 });
  assert.deepEqual(l.map((s) => s.cidr), ["192.168.10.0/28", "192.168.10.16/28", "192.168.10.32/28", "192.168.10.48/28"]);
  const full = layoutSubnets({ vpcCidr: "192.168.10.0/24", azs: ["a", "b", "c", "d"], publicPerAz: 2, privatePerAz: 2, subnetPrefix: 28 });
  assert.equal(full.length, 16);
  assert.equal(full[15].cidr, "192.168.10.240/28");
  assertDisjointInside("192.168.10.0/24", full.map((s) => s.cidr));
});

test("does not fit / bad prefixes / bad AZ lists", () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);
  assert.throws(
    () => layoutSubnets({ vpcCidr: "10.0.0.0/22", azs: ["a", "b"], publicPerAz: 1, privatePerAz: 1, subnetPrefix: 20 }),
    is(/larger than the VPC 10\.0\.0\.0\/22/),
  );
  assert.throws(
    () => layoutSubnets({ vpcCidr: "10.0.0.0/22", azs: ["a", "b"], publicPerAz: 1, privatePerAz: 1, subnetPrefix: 23 }),
    is(/^4 subnets of \/23 need 2048 addresses; 10\.0\.0\.0\/22 has 1024$/),
  );
  assert.throws(
    () => layoutSubnets({ vpcCidr: "10.0.0.0/28", azs: ["a", "b"], publicPerAz: 1, privatePerAz: 1 }),
    is(/4 subnets of \/28 need 64 addresses; 10\.0\.0\.0\/28 has 16/),
  );
  assert.throws(() => layoutSubnets({ vpcCidr: "10.0.0.0/16", azs: ["a"], publicPerAz: 1, privatePerAz: 1, subnetPrefix: 29 }), is(/\/16 to \/28/));
  assert.throws(() => layoutSubnets({ vpcCidr: "10.0.0.0/16", azs: ["a", "a"], publicPerAz: 1, privatePerAz: 1 }), is(/listed twice/));
  assert.throws(() => layoutSubnets({ vpcCidr: "10.0.0.0/16", azs: [], publicPerAz: 1, privatePerAz: 1 }), is(/At least one/));
  assert.throws(() => layoutSubnets({ vpcCidr: "10.0.0.1/16", azs: ["a"], publicPerAz: 1, privatePerAz: 1 }), is(/host bits/));
  assert.throws(() => layoutSubnets({ vpcCidr: "10.0.0.0/16", azs: ["a"], publicPerAz: -1, privatePerAz: 1 }), is(/publicPerAz/));
  assert.deepEqual(layoutSubnets({ vpcCidr: "10.0.0.0/16", azs: ["a"], publicPerAz: 0, privatePerAz: 0 }), []);
});
