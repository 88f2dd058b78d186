// Unfiltered Describe pages answer from the collection's kept list; a record still inside its
// eventual-consistency window stays out of them until it becomes visible, then appears.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { sandboxKit } from "./helpers.js";

test("a new record joins unfiltered Describe pages once visible, and pages stay whole", async () => {
  const { ec2, clock } = await sandboxKit({ faults: { consistencyDelayMs: 60 }, ec2: { retryStrategy: new ConfiguredRetryStrategy(1, () => 1) } });
  const allSubnets = async () => {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const r = await ec2.describeSubnets({ MaxResults: 5, NextToken });
      ids.push(...r.Subnets!.map((s) => s.SubnetId!));
      NextToken = r.NextToken;
    } while (NextToken);
    return ids;
  };
  const before = await allSubnets(); // the default VPC's subnets, one per AZ, over two pages
  assert.equal(before.length, 6);
  assert.equal(new Set(before).size, 6);
  const vpcId = (await ec2.describeVpcs({})).Vpcs![0]!.VpcId!;
  await clock.sleep(80);
  const vpc2 = (await ec2.createVpc({ CidrBlock: "10.1.0.0/16" })).Vpc!.VpcId!;
  assert.deepEqual((await ec2.describeVpcs({})).Vpcs!.map((v) => v.VpcId), [vpcId], "not visible yet");
  await clock.sleep(80);
  assert.deepEqual((await ec2.describeVpcs({})).Vpcs!.map((v) => v.VpcId).sort(), [vpcId, vpc2].sort(), "visible now");
  assert.deepEqual(await allSubnets(), before);
});

/** The default VPC's 6 subnets, then a seventh still inside its 60 ms consistency window. */
async function lateSubnet() {
  const kit = await sandboxKit({ faults: { consistencyDelayMs: 60 }, ec2: { retryStrategy: new ConfiguredRetryStrategy(1, () => 1) } });
  const vpc = (await kit.ec2.describeVpcs({})).Vpcs![0]!.VpcId!;
  await kit.clock.sleep(80);
  await kit.ec2.createSubnet({ VpcId: vpc, CidrBlock: "172.31.96.0/20" });
  return kit;
}

test("a page of every record is a run of positions: a record not visible yet leaves its page short, and a token keeps its place when the record appears", async () => {
  const { ec2, clock } = await lateSubnet();
  const first = await ec2.describeSubnets({ MaxResults: 5 });
  assert.equal(first.Subnets!.length, 5);
  const second = await ec2.describeSubnets({ MaxResults: 5, NextToken: first.NextToken });
  assert.equal(second.Subnets!.length, 1, "the new subnet's place is in this page, left out while it is not visible");
  assert.equal(second.NextToken, undefined);
  await clock.sleep(80);
  const again = await ec2.describeSubnets({ MaxResults: 5, NextToken: first.NextToken });
  assert.equal(again.Subnets!.length, 2, "the same token, the record now visible: it appears in its place");
  const ids = [...first.Subnets!, ...again.Subnets!].map((s) => s.SubnetId);
  assert.equal(new Set(ids).size, 7);
});

test("a NextToken without MaxResults answers the rest from the same position", async () => {
  const { ec2, clock } = await lateSubnet();
  const first = await ec2.describeSubnets({ MaxResults: 5 });
  await clock.sleep(80); // the new subnet is visible now
  const rest = await ec2.describeSubnets({ NextToken: first.NextToken });
  const ids = [...first.Subnets!, ...rest.Subnets!].map((s) => s.SubnetId);
  assert.equal(ids.length, 7);
  assert.equal(new Set(ids).size, 7, "nothing twice, nothing skipped");
});
