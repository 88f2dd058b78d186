// Monthly cost estimate: S1/S2 numbers, unknown regions, input checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/errors.js";
import { estimateMonthlyCost, PRICES, PRICES_AS_OF } from "../src/analysis/cost.js";

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

test("the S2 proxy: instance hours by type, Resource endpoint AZ-hours, and the saving against one NAT gateway per consumer VPC", async () => {
  const { proxySaving } = await import("../src/analysis/cost.js");
  const proxy = estimateMonthlyCost({ region: "us-east-1", natGateways: 0, publicIpv4Addresses: 0, instances: { "t3.micro": 2, "x9.weird": 1 }, resourceEndpointAzs: 4, resourceGateways: 1 });
  assert.deepEqual(proxy.lines.map((l) => [l.item, l.quantity, l.unitPrice, l.monthly]), [
    ["EC2 instance t3.micro (2 x 730 h)", 1460, 0.0104, 15.184],
    ["Resource VPC endpoint (4 AZ x 730 h)", 2920, 0.01, 29.2],
  ]);
  assert.equal(proxy.totalMonthly, 44.384);
  assert.ok(proxy.assumptions.some((a) => a.includes("x9.weird")), "an unpriced type is named, not guessed");
  assert.ok(proxy.assumptions.some((a) => /resource gateway: no hourly charge/.test(a)));
  // two consumer VPCs that would each need a NAT gateway (32.85) and its Elastic IP (3.65)
  assert.deepEqual(proxySaving("us-east-1", { consumerVpcs: 2, proxy }), { consumerVpcs: 2, natPerVpcMonthly: 36.5, natAlternativeMonthly: 73, proxyMonthly: 44.384, savingMonthly: 28.616 });
  const fr = estimateMonthlyCost({ region: "eu-central-1", natGateways: 0, publicIpv4Addresses: 0, instances: { "t4g.small": 1 } });
  assert.ok(fr.assumptions.some((a) => a.includes("us-east-1's on-demand")));
});
