// IPv6 end to end and VPC Block Public Access in the offline analyzer (issue 22 items 2 and 3), on plain
// data: egress-only internet gateways (outbound only), NAT64 for 64:ff9b::/96 with its IPv4 leg and Elastic
// IP, DNS64 from IPv6-only subnets, SG/NACL IPv6 rules, inbound from the internet, and BPA's modes,
// exclusions and the snapshots that could not read it.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { analyzePath, type PathQuery, type PathResult } from "../src/analysis/analyzer.js";
import { parseSnapshot, type Snapshot } from "../src/analysis/snapshot.js";
import { s1v6, type DualStackOptions, type SnapshotBuilder } from "./fixtures/analysis/build.js";

const why = (r: PathResult) => JSON.stringify({ v: r.verdict, e: r.explanations, u: r.unknownReasons, d: r.additionalDetails, h: r.hops.map((h) => h.action) }, null, 1);
const run = (snap: Snapshot, q: PathQuery) => analyzePath(snap, { port: 443, ...q });
const v6 = (o: DualStackOptions = {}, more?: (b: SnapshotBuilder) => void) => {
  const b = s1v6(o);
  more?.(b);
  return b.build();
};

function reachable(r: PathResult, hop?: RegExp) {
  assert.equal(r.verdict, "reachable", why(r));
  assert.equal(r.explanations.length, 0);
  if (hop) assert.ok(r.hops.some((h) => hop.test(h.action)), why(r));
}
function blocked(r: PathResult, code: string, component: string) {
  assert.equal(r.verdict, "unreachable", why(r));
  assert.equal(r.explanations[0]?.code, code, why(r));
  assert.equal(r.explanations[0]?.component.id, component, why(r));
}

describe("IPv6 egress", () => {
  test("dual-stack private subnet → the IPv6 internet: reachable through the egress-only gateway", () => {
    reachable(run(v6(), { source: "i-dual", destination: "internet6" }), /egress-only internet gateway eigw-v6 forwards IPv6 traffic outbound/);
    reachable(run(v6(), { source: "i-dual", destination: "2606:4700:4700::1111" }), /eigw-v6/);
  });
  test("the same subnet's IPv4 still leaves through the NAT gateway and its Elastic IP", () => {
    reachable(run(v6(), { source: "i-dual", destination: "internet" }), /NAT gateway nat-a .*Elastic IP 3\.3\.3\.3/);
  });
  test("security group without an IPv6 egress rule blocks IPv6 (ENI_SG_RULES_MISMATCH)", () => {
    blocked(run(v6({ appEgress: ["tcp:443:0.0.0.0/0"] }), { source: "i-dual", destination: "internet6" }), "ENI_SG_RULES_MISMATCH", "sg-app");
  });
  test("network ACL without an IPv6 rule blocks IPv6 out, and without IPv6 ephemeral ports in blocks the reply", () => {
    const out = v6({}, (b) => b.nacl("acl-priv", "vpc-v6", ["subnet-priv-a"], { ingress: ["100 allow -1 0.0.0.0/0", "101 allow -1 ::/0"], egress: ["100 allow -1 0.0.0.0/0"] }));
    blocked(run(out, { source: "i-dual", destination: "internet6" }), "SUBNET_ACL_RESTRICTION", "acl-priv");
    const back = v6({}, (b) => b.nacl("acl-priv", "vpc-v6", ["subnet-priv-a"], { ingress: ["100 allow -1 0.0.0.0/0", "101 allow tcp 443 ::/0"], egress: ["100 allow -1 0.0.0.0/0", "101 allow -1 ::/0"] }));
    const r = run(back, { source: "i-dual", destination: "internet6" });
    blocked(r, "SUBNET_ACL_RESTRICTION", "acl-priv");
    assert.equal(r.explanations[0]!.returnPath, true, why(r));
  });
  test("::/0 → igw in a private subnet is reachable outbound too (the exposure is inbound: see below)", () => {
    reachable(run(v6({ privateV6Target: "igw" }), { source: "i-dual", destination: "internet6" }), /internet gateway igw-v6 forwards IPv6/);
  });
  test("no ::/0 route: NO_ROUTE_TO_DESTINATION at the private table", () => {
    blocked(run(v6({ privateV6Target: "none" }), { source: "i-dual", destination: "internet6" }), "NO_ROUTE_TO_DESTINATION", "rtb-priv-a");
  });
});

describe("NAT64 and DNS64 from an IPv6-only subnet", () => {
  test("an IPv4 address is reachable through DNS64 + NAT64, the IPv4 leg out of the NAT's subnet with its Elastic IP", () => {
    const r = run(v6(), { source: "i-v6only", destination: "203.0.113.10" });
    reachable(r, /NAT gateway nat-a \(NAT64; public, Elastic IP 3\.3\.3\.3\) translates .* to IPv4 203\.0\.113\.10/);
    assert.ok(r.hops.some((h) => /route 64:ff9b::\/96 → nat-a/.test(h.action)), why(r));
    assert.ok(r.hops.some((h) => /route 0\.0\.0\.0\/0 → igw-v6/.test(h.action)), why(r));
    assert.ok(r.hops.some((h) => /internet gateway igw-v6 translates .* to public 3\.3\.3\.3/.test(h.action)), why(r));
    assert.ok(r.additionalDetails.some((d) => d.startsWith("DNS64_ASSUMED:") && d.includes("64:ff9b::cb00:710a")), why(r));
  });
  test("the synthesized address asked directly: the same path", () => {
    reachable(run(v6(), { source: "i-v6only", destination: "64:ff9b::cb00:710a" }), /NAT64/);
  });
  test("DNS64 off: DNS64_NOT_ENABLED at the subnet", () => {
    blocked(run(v6({ dns64: false }), { source: "i-v6only", destination: "203.0.113.10" }), "DNS64_NOT_ENABLED", "subnet-v6only-a");
  });
  test("DNS64 on without a 64:ff9b::/96 route to a NAT: ::/0 → eigw carries it nowhere", () => {
    blocked(run(v6({ nat64Route: false }), { source: "i-v6only", destination: "203.0.113.10" }), "NO_ROUTE_TO_DESTINATION", "eigw-v6");
  });
  test("the NAT without an Elastic IP: the IPv4 leg stops at the internet gateway", () => {
    blocked(run(v6({ natEip: false }), { source: "i-v6only", destination: "203.0.113.10" }), "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "igw-v6");
  });
  test("a NAT gateway drops IPv6 that is not 64:ff9b::/96", () => {
    const snap = v6({}, (b) => b.tweak((s) => s.routeTables.find((t) => t.RouteTableId === "rtb-v6only-a")!.Routes!.push({ DestinationIpv6CidrBlock: "2606:4700::/32", NatGatewayId: "nat-a", State: "active" })));
    blocked(run(snap, { source: "i-v6only", destination: "2606:4700::1" }), "NO_ROUTE_TO_DESTINATION", "nat-a");
  });
  test("an IPv6-only source asks for the IPv6 internet by default", () => {
    reachable(run(v6(), { source: "i-v6only", destination: "internet" }), /eigw-v6/);
  });
});

describe("inbound from the internet", () => {
  test("IPv6 to the private dual-stack subnet: refused (the reply route is the egress-only gateway)", () => {
    const r = run(v6(), { source: "internet6", destination: "i-dual" });
    blocked(r, "EGRESS_ONLY_GATEWAY_NO_INBOUND", "eigw-v6");
    assert.equal(r.explanations[0]!.returnPath, true);
  });
  test("IPv6 to the IPv6-only subnet (by address) and to the subnet itself: refused", () => {
    blocked(run(v6(), { source: "internet6", destination: "2600:1f18:aa:10b::10" }), "EGRESS_ONLY_GATEWAY_NO_INBOUND", "eigw-v6");
    blocked(run(v6(), { source: "internet6", destination: "subnet-v6only-a" }), "EGRESS_ONLY_GATEWAY_NO_INBOUND", "eigw-v6");
  });
  test("IPv4 to the private subnet: no public address to deliver to", () => {
    blocked(run(v6(), { source: "internet", destination: "i-dual" }), "NO_PUBLIC_ADDRESS_FOR_INGRESS", "i-dual");
  });
  test("a VPC with only an egress-only gateway: nothing enters", () => {
    blocked(run(v6({ noIgw: true }), { source: "internet6", destination: "i-dual" }), "EGRESS_ONLY_GATEWAY_NO_INBOUND", "eigw-v6");
  });
  test("::/0 → igw in the private subnet (the mistake the audit flags) exposes it: only its security group stands", () => {
    blocked(run(v6({ privateV6Target: "igw" }), { source: "internet6", destination: "i-dual" }), "ENI_SG_RULES_MISMATCH", "sg-app");
  });
  test("the public web server: reachable over IPv4 (its public address) and IPv6", () => {
    reachable(run(v6(), { source: "internet", destination: "5.5.5.5" }), /translates public 5\.5\.5\.5/);
    reachable(run(v6(), { source: "internet6", destination: "i-web" }), /reply routed ::\/0 → igw-v6/);
  });
});

describe("VPC Block Public Access", () => {
  const bidir = (more?: (b: SnapshotBuilder) => void) => v6({}, (b) => (b.bpa("block-bidirectional"), more?.(b)));
  const ingress = (more?: (b: SnapshotBuilder) => void) => v6({}, (b) => (b.bpa("block-ingress"), more?.(b)));

  test("block-bidirectional: every internet path unreachable with VPC_BLOCK_PUBLIC_ACCESS_ENABLED", () => {
    const snap = bidir();
    blocked(run(snap, { source: "i-dual", destination: "internet6" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "eigw-v6");
    blocked(run(snap, { source: "i-dual", destination: "internet" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    blocked(run(snap, { source: "i-v6only", destination: "203.0.113.10" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    blocked(run(snap, { source: "i-web", destination: "internet" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    blocked(run(snap, { source: "internet", destination: "i-web" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    blocked(run(snap, { source: "internet6", destination: "i-web" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    // paths that stay inside the VPC are not its business
    reachable(run(snap, { source: "i-dual", destination: "i-web" }));
  });
  test("an allow-egress exclusion on one subnet restores that subnet's egress only", () => {
    const snap = bidir((b) => b.bpaExclusion("subnet-priv-a", "allow-egress"));
    reachable(run(snap, { source: "i-dual", destination: "internet6" }), /eigw-v6/);
    // its IPv4 leaves through the NAT, whose own subnet is not excluded
    blocked(run(snap, { source: "i-dual", destination: "internet" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    blocked(run(snap, { source: "i-v6only", destination: "internet6" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "eigw-v6");
    blocked(run(snap, { source: "internet6", destination: "i-web" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
  });
  test("excluding the NAT's subnet (allow-egress) lets the private subnets out through it; inbound stays blocked", () => {
    const snap = bidir((b) => b.bpaExclusion("subnet-pub-a", "allow-egress"));
    reachable(run(snap, { source: "i-dual", destination: "internet" }), /NAT gateway nat-a/);
    reachable(run(snap, { source: "i-v6only", destination: "203.0.113.10" }), /NAT64/);
    blocked(run(snap, { source: "internet", destination: "i-web" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
  });
  test("a VPC exclusion covers its subnets; allow-bidirectional lets inbound in", () => {
    const snap = bidir((b) => b.bpaExclusion("vpc-v6", "allow-bidirectional"));
    reachable(run(snap, { source: "i-dual", destination: "internet6" }));
    reachable(run(snap, { source: "internet", destination: "i-web" }));
  });
  test("block-ingress: NAT gateway and egress-only gateway egress allowed; direct IGW traffic both ways blocked", () => {
    const snap = ingress();
    reachable(run(snap, { source: "i-dual", destination: "internet6" }), /eigw-v6/);
    reachable(run(snap, { source: "i-dual", destination: "internet" }), /nat-a/);
    reachable(run(snap, { source: "i-v6only", destination: "203.0.113.10" }), /NAT64/);
    blocked(run(snap, { source: "i-web", destination: "internet" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    blocked(run(snap, { source: "internet", destination: "i-web" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    // allow-egress applies only under block-bidirectional
    blocked(run(ingress((b) => b.bpaExclusion("subnet-pub-a", "allow-egress")), { source: "i-web", destination: "internet" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "igw-v6");
    reachable(run(ingress((b) => b.bpaExclusion("subnet-pub-a", "allow-bidirectional")), { source: "internet", destination: "i-web" }));
  });
  test("an exclusion not yet complete is not in effect; one whose state would change the answer leaves it unknown", () => {
    const deleted = bidir((b) => b.bpaExclusion("subnet-priv-a", "allow-egress", "delete-complete"));
    blocked(run(deleted, { source: "i-dual", destination: "internet6" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "eigw-v6");
    const r = run(bidir((b) => b.bpaExclusion("subnet-priv-a", "allow-egress", "create-in-progress")), { source: "i-dual", destination: "internet6" });
    assert.equal(r.verdict, "unknown", why(r));
    assert.equal(r.unknownReasons[0]!.code, "BLOCK_PUBLIC_ACCESS_UPDATING");
  });
  test("an exclusion being updated (or whose update failed) may still have its old mode: inbound is unknown, never a definite block", () => {
    // allow-bidirectional → allow-egress in progress: the old mode may still let the connection in
    for (const state of ["update-in-progress", "update-failed"]) {
      const r = run(bidir((b) => b.bpaExclusion("subnet-pub-a", "allow-egress", state)), { source: "internet", destination: "i-web" });
      assert.equal(r.verdict, "unknown", `${state}: ${why(r)}`);
      assert.equal(r.unknownReasons[0]!.code, "BLOCK_PUBLIC_ACCESS_UPDATING");
      assert.match(r.unknownReasons[0]!.detail, /changing state \(or an update of one failed\)/);
    }
  });
  test("the mode being updated: unknown unless an allow-bidirectional exclusion makes it moot", () => {
    const r = run(v6({}, (b) => b.bpa("block-bidirectional", "update-in-progress")), { source: "i-dual", destination: "internet6" });
    assert.equal(r.verdict, "unknown", why(r));
    assert.equal(r.unknownReasons[0]!.code, "BLOCK_PUBLIC_ACCESS_UPDATING");
    reachable(run(v6({}, (b) => (b.bpa("block-bidirectional", "update-in-progress"), b.bpaExclusion("vpc-v6", "allow-bidirectional"))), { source: "i-dual", destination: "internet6" }));
  });
  test("exclusions not allowed (an Organizations declarative policy): an exclusion that would change the answer leaves it unknown, never reachable", () => {
    const notAllowed = (b: SnapshotBuilder) => (b.s.vpcBlockPublicAccessOptions!.ExclusionsAllowed = "not-allowed");
    const r = run(bidir((b) => (b.bpaExclusion("subnet-priv-a", "allow-egress"), notAllowed(b))), { source: "i-dual", destination: "internet6" });
    assert.equal(r.verdict, "unknown", why(r));
    assert.equal(r.unknownReasons[0]!.code, "BLOCK_PUBLIC_ACCESS_UPDATING");
    assert.match(r.unknownReasons[0]!.detail, /ExclusionsAllowed: not-allowed/);
    // no exclusion involved: the block is proven as before
    blocked(run(bidir(notAllowed), { source: "i-dual", destination: "internet6" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "eigw-v6");
  });
  test("BPA not read (AccessDenied) → internet verdicts unknown with how to collect; paths inside the VPC unaffected", () => {
    const raw = structuredClone(s1v6().s) as Record<string, unknown>;
    delete raw.vpcBlockPublicAccessOptions;
    delete raw.vpcBlockPublicAccessExclusions;
    raw.omitted = [{ resource: "vpcBlockPublicAccess", operation: "DescribeVpcBlockPublicAccessOptions", code: "UnauthorizedOperation" }];
    const snap = parseSnapshot(raw);
    for (const q of [{ source: "i-dual", destination: "internet6" }, { source: "i-dual", destination: "internet" }, { source: "internet", destination: "i-web" }]) {
      const r = run(snap, q);
      assert.equal(r.verdict, "unknown", why(r));
      assert.equal(r.unknownReasons[0]!.code, "NOT_COLLECTED");
      assert.match(r.unknownReasons[0]!.collect, /ec2:DescribeVpcBlockPublicAccessOptions/);
    }
    reachable(run(snap, { source: "i-dual", destination: "i-web" }));
    // a snapshot that does not carry BPA at all (an older version's): unknown too, never reachable
    delete raw.omitted;
    const r = run(parseSnapshot(raw), { source: "i-dual", destination: "internet6" });
    assert.equal(r.verdict, "unknown", why(r));
    assert.equal(r.unknownReasons[0]!.code, "NOT_IN_SNAPSHOT");
  });
  test("a blocked path stays unreachable whatever BPA says (blocked before the gateway)", () => {
    blocked(run(bidir(), { source: "i-dual", destination: "internet6" }), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "eigw-v6");
    blocked(run(v6({ appEgress: [] }, (b) => b.bpa("block-bidirectional")), { source: "i-dual", destination: "internet6" }), "ENI_SG_RULES_MISMATCH", "sg-app");
  });
});
