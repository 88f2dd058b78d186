// The one cost model with plain data: S1/S2 numbers, unknown regions and unpriced items, input checks,
// and S2's like-for-like comparison with its break-even.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/errors.js";
import { estimateMonthlyCost, PRICES, PRICES_AS_OF, sharedEgressComparison } from "../src/analysis/cost.js";

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} != ${b}`);

test("S1 us-east-1: 1 NAT + 1 EIP = 0.045*730 + 0.005*730", () => {
  const e = estimateMonthlyCost({ region: "us-east-1", natGateways: 1, publicIpv4Addresses: 1 });
  near(e.totalMonthly, 0.045 * 730 + 0.005 * 730);
  near(e.totalMonthly, 36.5);
  assert.equal(e.currency, "USD");
  assert.equal(e.hoursPerMonth, 730);
  assert.equal(e.pricesAsOf, PRICES_AS_OF);
  assert.deepEqual(e.lines.map((l) => [l.unit, l.quantity, l.unitPrice]), [["hour", 730, 0.045], ["hour", 730, 0.005]]);
  near(e.lines[0].monthly, 32.85);
  near(e.lines[1].monthly, 3.65);
  assert.ok(e.assumptions.some((a) => /NAT data processing not included/.test(a)));
  assert.ok(e.assumptions.some((a) => /AWS public pricing pages/.test(a)));
});

test("ap-northeast-2 NAT with traffic; S2 per-AZ NAT with 2 EIPs and endpoints", () => {
  const kr = estimateMonthlyCost({ region: "ap-northeast-2", natGateways: 1, publicIpv4Addresses: 1, gbProcessed: 100 });
  near(kr.totalMonthly, 0.059 * 730 + 0.059 * 100 + 0.005 * 730);
  const s2 = estimateMonthlyCost({ region: "us-east-1", natGateways: 2, publicIpv4Addresses: 2, interfaceEndpointAzs: 2, gbProcessed: 0, endpointGbProcessed: 50 });
  near(s2.totalMonthly, 2 * 730 * 0.045 + 2 * 730 * 0.005 + 2 * 730 * 0.01 + 50 * 0.01);
  near(s2.lines.reduce((s, l) => s + l.monthly, 0), s2.totalMonthly);
});

test("unknown region falls back to us-east-1 and says so; estimates are labelled", () => {
  const e = estimateMonthlyCost({ region: "xx-nowhere-9", natGateways: 1, publicIpv4Addresses: 0 });
  assert.equal(e.priceRegion, "us-east-1");
  near(e.totalMonthly, 0.045 * 730);
  assert.ok(e.assumptions.some((a) => /xx-nowhere-9.*us-east-1 prices used/.test(a)));
  const fr = estimateMonthlyCost({ region: "eu-central-1", natGateways: 1, publicIpv4Addresses: 1 });
  assert.ok(fr.assumptions.some((a) => /estimates/.test(a)));
  for (const r of ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-2"]) assert.ok(PRICES[r], r);
});

test("nothing billable -> empty lines, zero total; bad input -> UsageError", () => {
  const e = estimateMonthlyCost({ region: "us-east-1", natGateways: 0, publicIpv4Addresses: 0 });
  assert.deepEqual(e.lines, []);
  assert.equal(e.totalMonthly, 0);
  assert.throws(() => estimateMonthlyCost({ region: "us-east-1", natGateways: -1, publicIpv4Addresses: 0 }), UsageError);
  assert.throws(() => estimateMonthlyCost({ region: "us-east-1", natGateways: 1.5, publicIpv4Addresses: 0 }), UsageError);
  assert.throws(() => estimateMonthlyCost({ region: "us-east-1", natGateways: 1, publicIpv4Addresses: 0, gbProcessed: Number.NaN }), UsageError);
});

test("the S2 proxy: instance hours by type, Resource endpoint AZ-hours, the resource gateway named (no hourly charge); an unknown type is unpriced, not 0", () => {
  const proxy = estimateMonthlyCost({ region: "us-east-1", instances: { "t3.micro": 2, "x9.weird": 1 }, resourceEndpointAzs: 4, resourceGateways: 1 });
  assert.deepEqual(proxy.lines.map((l) => [l.item, l.quantity, l.unitPrice, l.monthly]), [
    ["EC2 instance t3.micro (2 x 730 h)", 1460, 0.0104, 15.184],
    ["Resource VPC endpoint (4 AZ x 730 h)", 2920, 0.01, 29.2],
  ]);
  assert.ok(proxy.assumptions.some((a) => /resource gateway \(1\): no hourly charge/.test(a)), "counted and named, though it bills nothing");
  assert.equal(proxy.totalMonthly, 44.384);
  assert.deepEqual(proxy.unpriced, [{ item: "EC2 instance x9.weird (1 x 730 h)", reason: "no price on file for instance type x9.weird" }]);
  assert.equal(proxy.complete, false, "the total is a lower bound and says so");
  assert.ok(proxy.assumptions.some((a) => /Resource endpoint data processing not included/.test(a)));
  const fr = estimateMonthlyCost({ region: "eu-central-1", instances: { "t4g.small": 1 } });
  assert.ok(fr.assumptions.some((a) => a.includes("us-east-1's on-demand")));
  assert.equal(fr.complete, true);
});

test("what the caller could not collect is carried as unpriced; an unknown region is approximate and not complete", () => {
  const e = estimateMonthlyCost({ region: "us-east-1", natGateways: 1, unpriced: [{ item: "interface and Resource VPC endpoints", reason: "not collected (DescribeVpcEndpoints: AccessDenied)" }] });
  assert.equal(e.totalMonthly, 32.85);
  assert.equal(e.complete, false);
  assert.equal(e.unpriced.length, 1);
  const x = estimateMonthlyCost({ region: "xx-nowhere-9", publicIpv4Addresses: 1 });
  assert.equal(x.complete, false);
  assert.equal(x.totalMonthly, 3.65);
});

test("transit gateway attachments and Resource endpoint GB are priced from the table", () => {
  const e = estimateMonthlyCost({ region: "us-east-1", transitGatewayAttachments: 3, resourceEndpointAzs: 2, resourceEndpointGbProcessed: 100 });
  assert.deepEqual(e.lines.map((l) => [l.item, l.monthly]), [
    ["Resource VPC endpoint (2 AZ x 730 h)", 14.6],
    ["Resource VPC endpoint data processed", 1],
    ["Transit gateway attachment (3 x 730 h)", 109.5],
  ]);
});

describe("S2 compared like with like (sharedEgressComparison)", () => {
  // S2 as built: an egress VPC with 2 NAT gateways + 2 EIPs + 2 t3.micro proxies + the resource gateway
  // (88.184), two consumers each with one Resource endpoint per proxy in 2 AZs (4 AZ, 29.20 each).
  const egressVpc = { natGateways: 2, publicIpv4Addresses: 2, instances: { "t3.micro": 2 }, resourceGateways: 1 };
  test("the saving is the NAT side's total minus the shared side's, both printed; the shared side is the whole design", () => {
    const s = sharedEgressComparison({ region: "us-east-1", egressVpc, consumerEndpointAzs: [4, 4] });
    assert.deepEqual(s.shared, { egressVpcMonthly: 88.18, consumerEndpointsMonthly: 58.4, totalMonthly: 146.58 });
    assert.deepEqual(s.perConsumerNat, { perVpcMonthly: 36.5, gbMonthly: 0, totalMonthly: 73 });
    assert.equal(s.savingMonthly, -73.58);
    assert.equal(s.savingMonthly, Math.round((s.perConsumerNat.totalMonthly - s.shared.totalMonthly) * 100) / 100);
    assert.equal(s.gbAssumed, true);
    assert.ok(s.assumptions.some((a) => /0 GB\/month on both sides/.test(a)));
    assert.equal(s.complete, true);
  });
  test("break-even: the smallest consumer count at which the shared design costs less", () => {
    const s = sharedEgressComparison({ region: "us-east-1", egressVpc, consumerEndpointAzs: [4, 4] });
    assert.equal(s.endpointAzsPerConsumer, 4);
    assert.equal(s.breakEvenConsumerVpcs, 13);
    // checked with the model itself at 12 and 13 consumers
    for (const [n, cheaper] of [[12, false], [13, true]] as const) {
      const at = sharedEgressComparison({ region: "us-east-1", egressVpc, consumerEndpointAzs: Array(n).fill(4) });
      assert.equal(at.savingMonthly > 0, cheaper, `${n}: ${at.savingMonthly}`);
    }
    // one proxy, consumers in one AZ: 36.50 - 7.30 = 29.20 a consumer against 32.85 + 3.65 + 7.592 = 44.09 fixed → 2
    const small = sharedEgressComparison({ region: "us-east-1", egressVpc: { natGateways: 1, publicIpv4Addresses: 1, instances: { "t3.micro": 1 }, resourceGateways: 1 }, consumerEndpointAzs: [1] });
    assert.equal(small.breakEvenConsumerVpcs, 2);
    assert.ok(sharedEgressComparison({ region: "us-east-1", egressVpc: { natGateways: 1, publicIpv4Addresses: 1, instances: { "t3.micro": 1 }, resourceGateways: 1 }, consumerEndpointAzs: [1, 1] }).savingMonthly > 0);
  });
  test("no consumer yet: the shared side is the egress VPC alone, the break-even from the endpoints a consumer would get", () => {
    const s = sharedEgressComparison({ region: "us-east-1", egressVpc, consumerEndpointAzs: [], endpointAzsPerNewConsumer: 4, endpointAzsBasis: "no consumer yet" });
    assert.deepEqual(s.shared, { egressVpcMonthly: 88.18, consumerEndpointsMonthly: 0, totalMonthly: 88.18 });
    assert.equal(s.perConsumerNat.totalMonthly, 0);
    assert.equal(s.savingMonthly, -88.18);
    assert.equal(s.breakEvenConsumerVpcs, 13);
    assert.ok(s.assumptions.some((a) => /adds 4 Resource endpoint AZ\(s\) \(no consumer yet\)/.test(a)));
  });
  test("never, with the reason, when a consumer's endpoints cost as much as its own NAT gateway", () => {
    const s = sharedEgressComparison({ region: "us-east-1", egressVpc, consumerEndpointAzs: [6] });
    assert.equal(s.breakEvenConsumerVpcs, null);
    assert.match(s.breakEvenReason, /^never: each consumer VPC's Resource endpoints \(6 AZ, 43\.80 USD\/month\) cost as much as its own NAT gateway and Elastic IP \(36\.50\)/);
  });
  test("the same GB on both sides: NAT data on each, the Resource endpoints' GB on the shared side", () => {
    const s = sharedEgressComparison({ region: "us-east-1", egressVpc, consumerEndpointAzs: [4, 4], gbPerMonth: 1000 });
    assert.equal(s.perConsumerNat.gbMonthly, 45);
    assert.equal(s.perConsumerNat.totalMonthly, 73 + 45);
    assert.equal(s.shared.egressVpcMonthly, 88.18 + 45);
    assert.equal(s.shared.consumerEndpointsMonthly, 58.4 + 10);
    assert.equal(s.savingMonthly, Math.round((s.perConsumerNat.totalMonthly - s.shared.totalMonthly) * 100) / 100);
    // the GB charges do not grow with the count: the break-even moves by the endpoints' GB only
    assert.equal(s.breakEvenConsumerVpcs, 14);
  });
});

test("IPv6: an egress-only internet gateway adds no line (free per hour, said so); NAT64 is the NAT's own lines, said so", async () => {
  const { estimateMonthlyCost: est } = await import("../src/analysis/cost.js");
  const { vpcCosts } = await import("../src/analysis/rules/bill.js");
  const { buildIndex } = await import("../src/analysis/snapshot-index.js");
  const { s1v6 } = await import("./fixtures/analysis/build.js");
  const with0 = est({ region: "us-east-1", natGateways: 1, publicIpv4Addresses: 1 });
  const with1 = est({ region: "us-east-1", natGateways: 1, publicIpv4Addresses: 1, egressOnlyInternetGateways: 1, nat64NatGateways: 1 });
  assert.deepEqual(with1.lines, with0.lines);
  assert.equal(with1.totalMonthly, with0.totalMonthly);
  assert.ok(with1.assumptions.some((a) => /^Egress-only internet gateway \(1\): no hourly or per-GB processing charge/.test(a)));
  assert.ok(with1.assumptions.some((a) => /^NAT64 \(64:ff9b::\/96 routed to 1 NAT gateway\(s\)\)/.test(a)));
  // the dual-stack S1: one NAT (32.85), its Elastic IP and the web server's public IPv4 (2 × 3.65); the egress-only gateway 0
  const [v] = vpcCosts(buildIndex(s1v6().build())).vpcs;
  assert.equal(v!.input.egressOnlyInternetGateways, 1);
  assert.equal(v!.input.nat64NatGateways, 1);
  assert.equal(v!.totalMonthly, 40.15);
});
