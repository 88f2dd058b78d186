// Regional NAT gateways in the pure code (issue 21 items 4 and 6): the analyzer follows a route to one
// from every AZ it is registered in and answers REGIONAL_NGW_ROUTE_AZ_RESTRICTION for any other (as
// Reachability Analyzer does, and the sandbox's RA through the same analyzer); plain data only.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzePath, EXPLANATION_CODES } from "../src/analysis/analyzer.js";
import { fromNetworkInsightsAnalysis, toNetworkInsightsAnalysis } from "../src/analysis/reachability.js";
import { regionalSnapshot } from "./audit-fixtures.js";
import { auditSnapshot } from "../src/analysis/audit.js";
import { regionalNatCoverage } from "../src/analysis/nat.js";
import { RULES_BY_ID } from "../src/analysis/rules/index.js";

describe("analyzer: regional NAT gateway", () => {
  test("reachable from each AZ it is registered in, through that AZ's Elastic IP and its own route table", () => {
    const snap = regionalSnapshot();
    for (const [subnet, ip] of [["subnet-priv-a", "198.51.100.11"], ["subnet-priv-b", "198.51.100.12"]] as const) {
      const r = analyzePath(snap, { source: subnet, destination: "igw" });
      assert.equal(r.verdict, "reachable", JSON.stringify(r.explanations));
      assert.ok(r.hops.some((h) => h.component.id === "nat-r" && h.action.includes(`Elastic IP ${ip}`)), r.hops.map((h) => h.action).join("\n"));
      assert.ok(r.hops.some((h) => h.component.id === "rtb-nat-r"), "its own route table is a hop");
      assert.ok(!r.additionalDetails.some((d) => d.startsWith("AVAILABILITY_ZONE_CROSSED")), "a regional NAT serves each AZ in that AZ");
    }
    const lambda = analyzePath(snap, { source: "lambda:worker", destination: "igw" });
    assert.equal(lambda.verdict, "reachable");
  });

  test("an AZ it is not registered in: unreachable, REGIONAL_NGW_ROUTE_AZ_RESTRICTION at the NAT gateway (manual mode says how to add it)", () => {
    const r = analyzePath(regionalSnapshot({ azs: ["a"], manual: true }), { source: "subnet-priv-b", destination: "igw" });
    assert.equal(r.verdict, "unreachable");
    assert.equal(r.explanations[0]!.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    assert.equal(r.explanations[0]!.component.id, "nat-r");
    assert.match(r.explanations[0]!.detail, /not registered in us-east-1b.*registered in: us-east-1a.*manual mode.*associate-nat-gateway-address --nat-gateway-id nat-r --availability-zone us-east-1b/);
    assert.equal(EXPLANATION_CODES.REGIONAL_NGW_ROUTE_AZ_RESTRICTION, "The regional NAT gateway is not registered in the Availability Zone where the traffic originates.");
    // The Lambda in both AZs: unreachable because of its AZ b subnet.
    const fn = analyzePath(regionalSnapshot({ azs: ["a"], manual: true }), { source: "lambda:worker", destination: "igw" });
    assert.equal(fn.verdict, "unreachable");
    assert.equal(fn.paths?.find((p) => p.verdict === "unreachable")?.explanations[0]?.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    // An address that is going is no coverage: definite.
    const going = analyzePath(regionalSnapshot({}, (s) => (s.natGateways[0].NatGatewayAddresses[1].Status = "disassociating")), { source: "subnet-priv-b", destination: "igw" });
    assert.equal(going.explanations[0]?.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    assert.match(going.explanations[0]!.detail, /automatic mode/);
  });

  test("an address still associating is not yet proven: the analyzer says unknown (REGIONAL_NGW_ADDRESS_PENDING) and regional-nat-az-uncovered reports the AZ as not yet covered — one coverage answer (regionalNatCoverage)", () => {
    const snap = regionalSnapshot({ manual: true }, (s) => (s.natGateways[0].NatGatewayAddresses[1].Status = "associating"));
    assert.deepEqual(regionalNatCoverage(snap.natGateways[0]!), { serving: ["us-east-1a"], pending: ["us-east-1b"] });
    const r = analyzePath(snap, { source: "subnet-priv-b", destination: "igw" });
    assert.equal(r.verdict, "unknown", JSON.stringify(r.explanations));
    assert.equal(r.unknownReasons[0]!.code, "REGIONAL_NGW_ADDRESS_PENDING");
    assert.match(r.unknownReasons[0]!.detail, /us-east-1b.*still being associated \(198\.51\.100\.12: associating\)/);
    assert.equal(analyzePath(snap, { source: "subnet-priv-a", destination: "igw" }).verdict, "reachable");
    const f = auditSnapshot(snap, [RULES_BY_ID.get("regional-nat-az-uncovered")!], { source: "test" }).findings;
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, "low");
    assert.match(f[0]!.message, /does not cover us-east-1b yet: its address in us-east-1b is still associating \(not yet succeeded\)/);
    assert.equal(f[0]!.evidence.notEvaluated?.[0]?.code, "REGIONAL_NGW_ADDRESS_PENDING");
    assert.deepEqual(f[0]!.evidence.facts?.pendingAzs, ["us-east-1b"]);
    // succeeded: covered (no finding, reachable); failed: not covered (the high finding, unreachable)
    const done = regionalSnapshot({ manual: true });
    assert.deepEqual(auditSnapshot(done, [RULES_BY_ID.get("regional-nat-az-uncovered")!], { source: "test" }).findings, []);
    const failed = regionalSnapshot({ manual: true }, (s) => (s.natGateways[0].NatGatewayAddresses[1].Status = "failed"));
    const ff = auditSnapshot(failed, [RULES_BY_ID.get("regional-nat-az-uncovered")!], { source: "test" }).findings;
    assert.deepEqual(ff.map((x) => [x.severity, x.evidence.blocking?.code]), [["high", "REGIONAL_NGW_ROUTE_AZ_RESTRICTION"]]);
    assert.equal(analyzePath(failed, { source: "subnet-priv-b", destination: "igw" }).verdict, "unreachable");
  });

  test("its route table decides: no internet route there is NO_ROUTE_TO_DESTINATION at rtb-nat-r; a table not listed is AWS's default, said so", () => {
    const noIgw = analyzePath(regionalSnapshot({}, (s) => (s.routeTables.find((t: any) => t.RouteTableId === "rtb-nat-r").Routes.pop())), { source: "subnet-priv-a", destination: "igw" });
    assert.equal(noIgw.verdict, "unreachable");
    assert.equal(noIgw.explanations[0]!.code, "NO_ROUTE_TO_DESTINATION");
    assert.equal(noIgw.explanations[0]!.component.id, "rtb-nat-r");
    // Not listed: the table AWS creates with the gateway (0.0.0.0/0 → the VPC's internet gateway) is assumed, and said so.
    const gone = analyzePath(regionalSnapshot({}, (s) => (s.routeTables = s.routeTables.filter((t: any) => t.RouteTableId !== "rtb-nat-r"))), { source: "subnet-priv-a", destination: "igw" });
    assert.equal(gone.verdict, "reachable");
    assert.ok(gone.additionalDetails.some((d) => d.startsWith("ASSUMED_REGIONAL_NAT_ROUTE_TABLE: route table rtb-nat-r")), gone.additionalDetails.join("\n"));
    // …but with no internet gateway attached to assume it to, nothing says where it goes: unknown.
    const noIgw2 = analyzePath(regionalSnapshot({}, (s) => {
      s.routeTables = s.routeTables.filter((t: any) => t.RouteTableId !== "rtb-nat-r");
      s.internetGateways = [];
    }), { source: "subnet-priv-a", destination: "8.8.8.8" });
    assert.equal(noIgw2.verdict, "unknown");
    assert.equal(noIgw2.unknownReasons[0]!.code, "NOT_IN_SNAPSHOT");
  });

  test("RA's shape carries the code both ways (what the sandbox's Reachability Analyzer answers)", () => {
    const r = analyzePath(regionalSnapshot({ azs: ["a"], manual: true }), { source: "subnet-priv-b", destination: "igw" });
    const ra = toNetworkInsightsAnalysis(r, { region: "us-east-1", accountId: "111111111111" });
    assert.equal(ra.Explanations[0]!.ExplanationCode, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    const back = fromNetworkInsightsAnalysis(ra, { source: { id: "subnet-priv-b", type: "AWS::EC2::Subnet" }, destination: "igw" });
    assert.equal(back.explanations[0]!.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    assert.equal(back.explanations[0]!.component.id, "nat-r");
  });
});

describe("cost: regional NAT gateway (one cost model, dated estimate)", async () => {
  const { estimateMonthlyCost, natModesComparison, REGIONAL_NAT_PRICE, PRICES } = await import("../src/analysis/cost.js");
  const { vpcCosts } = await import("../src/analysis/rules/bill.js");
  const { buildIndex } = await import("../src/analysis/snapshot-index.js");
  const { natDesignOf } = await import("../src/analysis/nat.js");

  test("priced per AZ it is active in, at the zonal rate, and said to be an estimate with its date", () => {
    const e = estimateMonthlyCost({ region: "us-east-1", regionalNatGatewayAzs: 2, publicIpv4Addresses: 2, gbProcessed: 100 });
    assert.deepEqual(e.lines.map((l) => [l.item, l.monthly]), [
      ["Regional NAT gateway (2 AZ x 730 h, estimate)", 65.7],
      ["NAT gateway data processed", 4.5],
      ["Public IPv4 address (2 x 730 h)", 7.3],
    ]);
    assert.equal(e.estimate, true);
    assert.ok(e.assumptions.some((a) => a.includes(REGIONAL_NAT_PRICE.asOf) && /estimate/.test(a)));
    for (const [r, p] of Object.entries(PRICES)) assert.equal(p.regionalNatGatewayAzHour, p.natGatewayHour, r);
    assert.equal(estimateMonthlyCost({ region: "us-east-1", natGateways: 1 }).estimate, undefined, "a zonal bill is not marked");
  });

  test("a snapshot's regional NAT gateway: its AZs and its Elastic IPs (by allocation: its addresses name no interface) on its VPC's bill", () => {
    const ix = buildIndex(regionalSnapshot());
    const [v] = vpcCosts(ix).vpcs;
    assert.equal(v!.natGateways, 0);
    assert.equal(v!.regionalNatGatewayAzs, 2);
    assert.equal(v!.publicIpv4Addresses, 2);
    assert.equal(v!.totalMonthly, 80.3, "65.70 regional + 7.30 Elastic IPs + 7.30 the sts endpoint");
    // Without DescribeAddresses (status reads none) the NAT's own addresses give the same count.
    const noAddresses = vpcCosts(buildIndex(regionalSnapshot({}, (s) => (s.addresses = [])))).vpcs[0]!;
    assert.equal(noAddresses.publicIpv4Addresses, 2);
    assert.equal(vpcCosts(ix).input.idlePublicIpv4, 0, "its Elastic IPs are not idle");
  });

  test("compare-nat-modes: single / per-az / regional for the workload AZs, single's cross-AZ transfer with GB", () => {
    const c = natModesComparison({ region: "us-east-1", azs: 2, gbPerMonth: 1000 });
    const by = Object.fromEntries(c.modes.map((m) => [m.mode, m]));
    // single: 32.85 + 45 GB + 3.65 IP + 500 GB x 2 x 0.01 = 91.50; per-az: 65.70 + 45 + 7.30 = 118.00; regional the same (estimate).
    assert.equal(by.single!.totalMonthly, 91.5);
    assert.equal(by.single!.interAzMonthly, 10);
    assert.equal(by["per-az"]!.totalMonthly, 118);
    assert.equal(by.regional!.totalMonthly, 118);
    assert.equal(by.regional!.estimate, true);
    assert.equal(c.cheapest, "single");
    const d = natDesignOf(buildIndex(regionalSnapshot()), "vpc-good");
    assert.deepEqual([d.current, d.azs, d.workloadAzs], ["regional", ["us-east-1a", "us-east-1b"], ["us-east-1a", "us-east-1b"]]);
  });
});

describe("audit: the zonal rules on a regional NAT gateway", async () => {
  const { auditSnapshot } = await import("../src/analysis/audit.js");
  const { RULES } = await import("../src/analysis/rules/index.js");
  test("the good VPC on a regional NAT gateway (automatic or manual, both AZs) has no finding; an automatic one with no address yet is not nat-no-eip", () => {
    for (const snap of [regionalSnapshot(), regionalSnapshot({ manual: true }), regionalSnapshot({}, (s) => (s.natGateways[0].NatGatewayAddresses = []))]) {
      const a = auditSnapshot(snap, [...RULES], { source: "test" });
      const expected = snap.natGateways[0]!.NatGatewayAddresses.length ? [] : ["workload-no-egress i-app", "msk-esm-no-egress esm-orders"];
      assert.deepEqual(a.findings.map((f) => `${f.ruleId} ${f.resourceId}`), expected);
    }
  });
});

test("NAT64 (64:ff9b::/96) routed to a regional NAT gateway: unknown (NAT64_NOT_EVALUATED), never a definite answer", () => {
  const snap = regionalSnapshot({}, (s) => {
    s.vpcs.find((v: any) => v.VpcId === "vpc-good").Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: "2600:1f18:aaaa:bb00::/56", Ipv6CidrBlockState: { State: "associated" } }];
    s.subnets.find((x: any) => x.SubnetId === "subnet-priv-a").Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: "2600:1f18:aaaa:bb01::/64", Ipv6CidrBlockState: { State: "associated" } }];
    for (const t of s.routeTables) if (t.Routes.some((r: any) => r.NatGatewayId === "nat-r")) t.Routes.push({ DestinationIpv6CidrBlock: "64:ff9b::/96", NatGatewayId: "nat-r", State: "active" });
    for (const a of s.networkAcls) for (const e of [...a.Entries]) if (e.CidrBlock === "0.0.0.0/0") a.Entries.push({ ...e, CidrBlock: undefined, Ipv6CidrBlock: "::/0" });
  });
  const r = analyzePath(snap, { source: "subnet-priv-a", destination: "64:ff9b::c633:6401" });
  assert.equal(r.verdict, "unknown", JSON.stringify(r.explanations));
  assert.deepEqual(r.unknownReasons.map((u) => [u.code, u.component.id]), [["NAT64_NOT_EVALUATED", "nat-r"]]);
});
