// The IPv6 subnet layout (pure): /64 slots of a /56 by tier, AZ and index.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ipv6Layout, ipv6Slot, ipv6SubnetCidr } from "../src/net/ipv6-layout.js";
import { cidrContains, cidrOverlaps, parseCidr } from "../src/net/addr.js";

test("slots: public 00–7f, private 80–ff, the AZ in the high hex digit", () => {
  assert.equal(ipv6Slot("public", 0, 0), 0x00);
  assert.equal(ipv6Slot("public", 1, 2), 0x12);
  assert.equal(ipv6Slot("private", 0, 0), 0x80);
  assert.equal(ipv6Slot("private", 5, 3), 0xd3);
  assert.throws(() => ipv6Slot("public", 8, 0), /8 AZs/);
  assert.throws(() => ipv6Slot("public", 0, 16), /16 subnets/);
});

test("the /64 at a slot of a /56, in canonical form", () => {
  assert.equal(ipv6SubnetCidr("2600:1f18:abcd:ef00::/56", 0), "2600:1f18:abcd:ef00::/64");
  assert.equal(ipv6SubnetCidr("2600:1f18:abcd:ef00::/56", 0x81), "2600:1f18:abcd:ef81::/64");
  assert.equal(ipv6SubnetCidr("2600:1f18:abcd::/56", 0xff), "2600:1f18:abcd:ff::/64");
  assert.equal(ipv6SubnetCidr("2600:1f18:0:100::/56", 1), "2600:1f18:0:101::/64");
  assert.throws(() => ipv6SubnetCidr("2600:1f18::/48", 0), /not an IPv6 \/56/);
  assert.throws(() => ipv6SubnetCidr("10.0.0.0/16", 0), /not an IPv6/);
  assert.throws(() => ipv6SubnetCidr("2600:1f18:abcd:ef00::/56", 256), /outside a \/56/);
});

test("a layout: every subnet a distinct /64 inside the /56, in layoutSubnets' order", () => {
  const azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
  const slots = ipv6Layout(azs, 1, 2);
  assert.deepEqual(slots.map((s) => `${s.tier}/${s.az}/${s.index}`), [
    "public/us-east-1a/0", "public/us-east-1b/0", "public/us-east-1c/0",
    "private/us-east-1a/0", "private/us-east-1a/1", "private/us-east-1b/0", "private/us-east-1b/1", "private/us-east-1c/0", "private/us-east-1c/1",
  ]);
  const vpc = "2600:1f18:1234:5600::/56";
  const cidrs = slots.map((s) => parseCidr(ipv6SubnetCidr(vpc, s.slot))!);
  for (const c of cidrs) assert.ok(cidrContains(parseCidr(vpc)!, c) && c.len === 64);
  for (let i = 0; i < cidrs.length; i++) for (let j = i + 1; j < cidrs.length; j++) assert.ok(!cidrOverlaps(cidrs[i], cidrs[j]));
  assert.deepEqual(ipv6Layout(azs, 0, 0), []);
});

test("IPv6 tiers from a table's ::/0 (src/net/routes.ts): igw public, eigw private, blackhole or none: no tier", async () => {
  const { ipv6TierOf, nat64RouteOf, ipv6DefaultRouteOf } = await import("../src/net/routes.js");
  const local = { DestinationIpv6CidrBlock: "2600:1f18:1:100::/56", GatewayId: "local" };
  assert.equal(ipv6TierOf([local, { DestinationIpv6CidrBlock: "::/0", GatewayId: "igw-1" }]), "public");
  assert.equal(ipv6TierOf([local, { DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-1" }]), "private");
  assert.equal(ipv6TierOf([local, { DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-1", State: "blackhole" }]), undefined);
  assert.equal(ipv6TierOf([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }]), undefined, "the IPv4 default route says nothing about IPv6");
  assert.equal(ipv6DefaultRouteOf([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1" }]), undefined);
  assert.equal(nat64RouteOf([{ DestinationIpv6CidrBlock: "64:ff9b::/96", NatGatewayId: "nat-1" }])?.NatGatewayId, "nat-1");
  assert.equal(nat64RouteOf([{ DestinationIpv6CidrBlock: "64:ff9b::/96", GatewayId: "igw-1" }]), undefined);
});
