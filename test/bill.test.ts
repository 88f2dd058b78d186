// The snapshot → cost-model mapping (src/analysis/rules/bill.ts) with plain data: what `cost` and
// `status` (live) both price. Egress instances by type (the tool's proxies, NAT instances; not a
// workload, not a stopped one), Resource endpoints, resource gateways; what could not be collected
// or has no price is unpriced, never 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { billInput, vpcCosts } from "../src/analysis/rules/bill.js";
import { buildIndex } from "../src/analysis/snapshot-index.js";
import { good } from "./audit-fixtures.js";

const proxyTags = (az: string) => [{ Key: "egress-cli:plan", Value: "egress" }, { Key: "egress-cli:step", Value: `proxy/${az}/instance` }];
const instance = (id: string, type: string, extra: object) => ({ InstanceId: id, InstanceType: type, VpcId: "vpc-good", SubnetId: "subnet-priv-a", State: { Name: "running" }, SecurityGroups: [], NetworkInterfaces: [], ...extra });

test("the well-built VPC: 2 NAT gateways, their 2 Elastic IPs, the STS interface endpoint (1 AZ); the workload instance is not on the egress bill", () => {
  const { vpcs } = vpcCosts(buildIndex(good()));
  assert.equal(vpcs.length, 1);
  const v = vpcs[0];
  assert.deepEqual([v.natGateways, v.publicIpv4Addresses, v.interfaceEndpointAzs, v.resourceEndpointAzs, v.resourceGateways, v.instances], [2, 2, 1, 0, 0, {}]);
  assert.deepEqual(v.lines.map((l) => [l.item, l.monthly]), [
    ["NAT gateway (2 x 730 h)", 65.7],
    ["Public IPv4 address (2 x 730 h)", 7.3],
    ["Interface VPC endpoint (1 AZ x 730 h)", 7.3],
  ]);
  assert.equal(v.totalMonthly, 80.3);
  assert.equal(v.complete, true);
});

test("egress instances: egress-cli's (tagged) and forwarders (source/dest check off), running only, by type; an unknown type is unpriced", () => {
  const ix = buildIndex(good((s) => {
    s.instances.push(
      instance("i-proxy-a", "t3.micro", { Tags: proxyTags("us-east-1a") }),
      instance("i-proxy-b", "t3.micro", { Tags: proxyTags("us-east-1b") }),
      instance("i-nat", "t4g.nano", { SourceDestCheck: false }),
      instance("i-stopped", "t3.micro", { State: { Name: "stopped" }, Tags: proxyTags("us-east-1c") }),
      instance("i-odd", "x9.weird", { SourceDestCheck: false }),
    );
  }));
  const v = billInput(ix).vpcs[0];
  assert.deepEqual(v.instances, { "t3.micro": 2, "t4g.nano": 1, "x9.weird": 1 });
  const c = vpcCosts(ix).vpcs[0];
  assert.ok(c.lines.some((l) => l.item === "EC2 instance t3.micro (2 x 730 h)" && l.monthly === 15.184));
  assert.ok(c.lines.some((l) => l.item === "EC2 instance t4g.nano (1 x 730 h)"));
  // the proxies' root volumes are what launch-proxy makes (8 GB gp3 each, the stopped one's too); a NAT instance's are not known
  assert.equal(v.ebsGp3Gb, 24);
  assert.ok(c.lines.some((l) => l.item === "EBS gp3 volume (24 GB x 1 month)" && l.monthly === 1.92));
  assert.deepEqual(c.unpriced, [
    { item: "EBS volumes of i-nat", reason: "volume sizes are not in the snapshot" },
    { item: "EBS volumes of i-odd", reason: "volume sizes are not in the snapshot" },
    { item: "EC2 instance x9.weird (1 x 730 h)", reason: "no price on file for instance type x9.weird" },
  ]);
  assert.equal(c.complete, false);
});

test("Resource endpoints by AZ, resource gateways of the VPC, deleted ones left out", () => {
  const ix = buildIndex(good((s) => {
    s.vpcEndpoints.push(
      { VpcEndpointId: "vpce-res-1", VpcId: "vpc-good", VpcEndpointType: "Resource", State: "available", SubnetIds: ["subnet-priv-a", "subnet-priv-b"] },
      { VpcEndpointId: "vpce-res-2", VpcId: "vpc-good", VpcEndpointType: "Resource", State: "deleted", SubnetIds: ["subnet-priv-a"] },
    );
    s.resourceGateways = [{ id: "rgw-1", vpcIdentifier: "vpc-good", status: "ACTIVE" }, { id: "rgw-2", vpcId: "vpc-good", status: "DELETE_IN_PROGRESS" }];
  }));
  const v = billInput(ix).vpcs[0];
  assert.equal(v.resourceEndpointAzs, 2);
  assert.equal(v.resourceGateways, 1);
  const c = vpcCosts(ix).vpcs[0];
  assert.ok(c.lines.some((l) => l.item === "Resource VPC endpoint (2 AZ x 730 h)" && l.monthly === 14.6));
  assert.ok(c.estimate.assumptions.some((a) => /resource gateway \(1\): no hourly charge/.test(a)));
});

test("a resource type the snapshot could not read is unpriced for every VPC, and the total says it is a lower bound", () => {
  const ix = buildIndex(good((s) => {
    s.omitted = [{ resource: "vpcEndpoints", operation: "DescribeVpcEndpoints", code: "UnauthorizedOperation" }, { resource: "flowLogs", operation: "DescribeFlowLogs", code: "UnauthorizedOperation" }];
  }));
  const c = vpcCosts(ix).vpcs[0];
  assert.deepEqual(c.unpriced, [{ item: "interface and Resource VPC endpoints", reason: "not collected (DescribeVpcEndpoints: UnauthorizedOperation)" }], "flow logs are not on the bill");
  assert.equal(c.complete, false);
});

test("--gb-per-month is split over the chosen VPCs' NAT gateways; an idle Elastic IP is priced apart", () => {
  const ix = buildIndex(good((s) => s.addresses.push({ AllocationId: "eipalloc-idle", PublicIp: "198.51.100.9", Domain: "vpc" })));
  const { vpcs, idle } = vpcCosts(ix, { vpcIds: ["vpc-good"], gbPerMonth: 100 });
  assert.ok(vpcs[0].lines.some((l) => l.item === "NAT gateway data processed" && l.quantity === 100 && l.monthly === 4.5));
  assert.equal(idle.totalMonthly, 3.65);
});
