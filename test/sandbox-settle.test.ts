// Issue 24: a sandbox read settles only what is due. Whether a timed transition (NAT gateway, endpoint,
// instance, Lambda update) is due is asked of the plain state through indexes of what is in transit:
// a read of a settled account tracks nothing and serialises no record; a due transition still settles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tracker } from "../src/sandbox/tracker.js";
import { sandboxKit } from "./helpers.js";

test("a read of a settled account makes no tracker; a NAT gateway due to be available is settled by the next read", async () => {
  const { sb, ec2, clock } = await sandboxKit({ latency: "realistic", timeScale: 0.001 });
  const vpc = (await ec2.createVpc({ CidrBlock: "10.9.0.0/16" })).Vpc!.VpcId!;
  const subnet = (await ec2.createSubnet({ VpcId: vpc, CidrBlock: "10.9.0.0/24" })).Subnet!.SubnetId!;
  const igw = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  await ec2.attachInternetGateway({ InternetGatewayId: igw, VpcId: vpc });
  const alloc = (await ec2.allocateAddress({ Domain: "vpc" })).AllocationId!;
  const nat = (await ec2.createNatGateway({ SubnetId: subnet, AllocationId: alloc })).NatGateway!.NatGatewayId!;
  const made: number[] = [];
  const changes = Tracker.prototype.changes;
  Tracker.prototype.changes = function (this: Tracker, root: object) {
    made.push(1);
    return changes.call(this, root);
  };
  try {
    await ec2.describeVpcs({});
    await ec2.describeSubnets({});
    assert.equal(made.length, 0, "reads with nothing due track nothing");
    assert.equal((await ec2.describeNatGateways({ NatGatewayIds: [nat] })).NatGateways![0].State, "pending");
    await clock.sleep(200);
    assert.equal((await ec2.describeNatGateways({ NatGatewayIds: [nat] })).NatGateways![0].State, "available");
    assert.equal(made.length, 1, "the due transition was applied once, under the lock");
    await ec2.describeNatGateways({});
    assert.equal(made.length, 1);
  } finally {
    Tracker.prototype.changes = changes;
  }
  void sb;
});
