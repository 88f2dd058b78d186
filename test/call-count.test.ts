// No repeated calls for what a step already knows (issue 11 item 3): create-vpc --azs 3 makes at
// most 30 AWS calls (it made 60: 25 DescribeRouteTables), and a re-run only reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleSandbox } from "./helpers.js";

const countSince = (journal: Array<{ operation: string }>, from: number) => {
  const counts: Record<string, number> = {};
  for (const c of journal.slice(from)) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
  return { total: journal.length - from, counts };
};

test("create-vpc --azs 3 makes at most 30 AWS calls, one DescribeRouteTables per route step at most", async () => {
  const { sandbox, run } = await exampleSandbox();
  const from = sandbox.journal.length;
  const r = await run("create-vpc", "--name", "lean", "--azs", "3");
  assert.equal(r.code, 0, r.stderr);
  const { total, counts } = countSince(sandbox.journal, from);
  assert.ok(total <= 30, `create-vpc --azs 3 made ${total} calls: ${JSON.stringify(counts)}`);
  assert.ok((counts.DescribeRouteTables ?? 0) <= 2, JSON.stringify(counts));
  assert.equal(counts.CreateSubnet, 6);
  assert.equal(counts.AssociateRouteTable, 6);
  // A re-run of the same command changes nothing: reads only.
  const again = sandbox.journal.length;
  assert.equal((await run("create-vpc", "--name", "lean", "--azs", "3")).code, 0);
  assert.ok(sandbox.journal.slice(again).every((c) => !c.mutating), JSON.stringify(countSince(sandbox.journal, again).counts));
});

// Issue 24: status reads the account once — its route tables, NAT gateways and ENIs, at once — and
// that one read feeds both the drift view and the cost model (it made 14 calls: the drift view's six
// and a price snapshot's eight). S1 after attach-lambda: GetCallerIdentity (the plan's account) and three
// Describes; nothing the ENIs show is there to read more of (no instance, no endpoint), the VPC's main
// route table proves the VPC still available, the NAT gateway holds the Elastic IP.
test("S1 status makes at most 4 AWS calls, reads only, and still prices as cost --vpc does", async () => {
  const { sandbox, run } = await exampleSandbox();
  for (const args of [["create-vpc", "--name", "sms-api", "--azs", "2"], ["add-nat"], ["attach-lambda", "--function", "sms-sender"]]) {
    const r = await run(...args);
    assert.equal(r.code, 0, r.stderr);
  }
  const from = sandbox.journal.length;
  const r = await run("status", "--json");
  assert.equal(r.code, 0, r.stderr);
  const { total, counts } = countSince(sandbox.journal, from);
  assert.ok(total <= 4, `status made ${total} calls: ${JSON.stringify(counts)}`);
  assert.deepEqual(Object.keys(counts).sort(), ["DescribeNatGateways", "DescribeNetworkInterfaces", "DescribeRouteTables", "GetCallerIdentity"]);
  assert.ok(sandbox.journal.slice(from).every((c) => !c.mutating));
  const st = r.json();
  assert.equal(st.checkedLive, true);
  assert.deepEqual(st.drift, []);
  assert.ok(st.subnets.every((s: any) => s.routeTableId), "every subnet's effective table found");
  const vpc = st.resources.find((x: any) => x.kind === "vpc");
  assert.equal(vpc.liveState, "available");
  const eips = st.resources.filter((x: any) => x.kind === "elastic-ip");
  assert.equal(eips.length, 1);
  assert.equal(eips[0].liveState, "allocated", "held by the NAT gateway: no DescribeAddresses");
  assert.equal(st.natGateways[0].state, "available");
  assert.equal(st.cost.source, "live");
  const co = (await run("cost", "--vpc", st.vpcId, "--json")).json().vpcs[0];
  assert.deepEqual(st.cost.lines, co.lines);
  assert.equal(st.cost.totalMonthly, 36.5);
});

// Issue 24: destroy plans its calls. One sweep per kind, shared by the orphan check, the owner checks
// and the deletes; no Describe of a resource the sweep just saw; routes go with their tables and
// associations with their subnets (no DeleteRoute / DisassociateRouteTable); route tables read once.
// A 3-AZ per-az plan made 73 calls (29 mutating); the rest of the guarantees are crash.test.ts's
// kill -9 matrix and the ownership tests.
test("destroy of a 3-AZ per-az plan makes at most 35 AWS calls: one sweep, then the deletes", async () => {
  const { sandbox, run } = await exampleSandbox();
  for (const args of [["create-vpc", "--name", "lean", "--azs", "3"], ["add-nat", "--mode", "per-az"]]) assert.equal((await run(...args)).code, 0);
  const from = sandbox.journal.length;
  const r = await run("destroy", "--yes", "--json");
  assert.equal(r.code, 0, r.stderr);
  const { total, counts } = countSince(sandbox.journal, from);
  assert.ok(total <= 35, `destroy made ${total} calls: ${JSON.stringify(counts)}`);
  for (const op of ["DescribeVpcs", "DescribeSubnets", "DescribeInternetGateways", "DescribeRouteTables", "DescribeAddresses"]) assert.equal(counts[op], 1, `${op}: ${JSON.stringify(counts)}`);
  assert.equal(counts.DeleteRoute, undefined);
  assert.equal(counts.DisassociateRouteTable, undefined);
  assert.deepEqual([counts.DeleteNatGateway, counts.ReleaseAddress, counts.DeleteSubnet, counts.DeleteRouteTable, counts.DeleteVpc], [3, 3, 6, 4, 1]);
  // every record is accounted for: the relations went with what held them
  const report = r.json();
  assert.equal(report.deleted.filter((d: any) => d.kind === "route").length, 4);
  assert.equal(report.deleted.filter((d: any) => d.kind === "route-table-association").length, 6);
  const region = sandbox.state().regions["us-east-1"] as any;
  const left = Object.values(region.vpcs as Record<string, any>).filter((v) => v.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "lean"));
  assert.deepEqual(left, []);
});
