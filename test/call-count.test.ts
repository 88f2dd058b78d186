// No repeated calls for what a step already knows (issue 11 item 3): create-vpc --azs 3 makes at
// most 30 AWS calls (it made 60: 25 DescribeRouteTables), and a re-run only reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Sandbox, type SandboxOpenOptions } from "../src/sandbox/index.js";
import { TestClock } from "./clock.js";
import { readFileSync } from "node:fs";
import { cleanEnv, cli, exampleSandbox, plugged, SANDBOX_CREDENTIALS, tempDir } from "./helpers.js";

/**
 * exampleSandbox on a TestClock: time moves only when nothing runs, so waits started together (three
 * NAT gateways) share their poll rounds the way they do on AWS, where a poll delay (2 s) is far
 * longer than the creates between them; on the wall clock the sandbox's 10 ms delay may split them.
 */
async function clockedSandbox(faults?: SandboxOpenOptions["faults"]) {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await Sandbox.open({ file, env: {}, clock: new TestClock(), ...(faults ? { faults } : {}) });
  await sandbox.reset({ examples: true });
  const env = cleanEnv();
  return { cwd, sandbox, run: (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env, sandbox }) };
}

/** The VPCs tagged with this plan name still in the sandbox's us-east-1. */
const vpcsOfPlan = (sandbox: Sandbox, name: string) =>
  Object.values((sandbox.state().regions["us-east-1"] as any).vpcs as Record<string, any>).filter((v) => v.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === name));

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

// Issue 24: destroy plans its calls. One sweep, shared by the orphan check, the owner checks and the
// deletes: the kinds that need only their tags (VPC, subnets, internet gateway, route tables, Elastic
// IPs) in one DescribeTags, the NAT gateways (their state) in their own; no Describe of a resource the
// sweep just saw; routes go with their tables (no DeleteRoute); a route table is deleted without a read.
// A 3-AZ per-az plan made 73 calls (29 mutating), then 33; the rest of the guarantees are crash.test.ts's
// kill -9 matrix and the ownership tests.
test("destroy of a 3-AZ per-az plan makes at most 29 AWS calls: one sweep, then the deletes", async () => {
  const { sandbox, run } = await clockedSandbox();
  for (const args of [["create-vpc", "--name", "lean", "--azs", "3"], ["add-nat", "--mode", "per-az"]]) assert.equal((await run(...args)).code, 0);
  const from = sandbox.journal.length;
  const r = await run("destroy", "--yes", "--json");
  assert.equal(r.code, 0, r.stderr);
  const { total, counts } = countSince(sandbox.journal, from);
  assert.ok(total <= 29, `destroy made ${total} calls: ${JSON.stringify(counts)}`);
  assert.equal(counts.DescribeTags, 1, JSON.stringify(counts));
  for (const op of ["DescribeVpcs", "DescribeSubnets", "DescribeInternetGateways", "DescribeRouteTables", "DescribeAddresses"]) assert.equal(counts[op], undefined, `${op}: ${JSON.stringify(counts)}`);
  // one look at the NAT gateways before the deletes (the sweep), one poll round for all three after
  assert.equal(counts.DescribeNatGateways, 2, JSON.stringify(counts));
  assert.equal(counts.DeleteRoute, undefined);
  assert.equal(counts.DisassociateRouteTable, 6);
  assert.deepEqual([counts.DeleteNatGateway, counts.ReleaseAddress, counts.DeleteSubnet, counts.DeleteRouteTable, counts.DeleteVpc], [3, 3, 6, 4, 1]);
  // every record is accounted for: the relations went with what held them
  const report = r.json();
  assert.equal(report.deleted.filter((d: any) => d.kind === "route").length, 4);
  assert.equal(report.deleted.filter((d: any) => d.kind === "route-table-association").length, 6);
  assert.deepEqual(vpcsOfPlan(sandbox, "lean"), []);
});

// The one DescribeTags proves ownership only for resources the plan recorded: a tagged resource it
// does not record (what a crash between a create and its record leaves) sends its kind to that kind's
// own sweep, which gives the orphan's step and references; it is adopted and deleted.
test("destroy: an orphan subnet in the tag sweep's answer is swept by its kind, adopted and deleted", async () => {
  const { cwd, sandbox, run } = await clockedSandbox();
  assert.equal((await run("create-vpc", "--name", "lean", "--azs", "2")).code, 0);
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  const [a, b] = plan.spec.vpc.cidr.split(".");
  const tags = [
    { Key: "egress-cli:plan-id", Value: plan.planId },
    { Key: "egress-cli:plan", Value: "lean" },
    { Key: "egress-cli:step", Value: "subnet/private/us-east-1a/9" },
  ];
  const orphan = (await sandbox.call("ec2", "CreateSubnet", { VpcId: plan.resources.vpc.id, CidrBlock: `${a}.${b}.250.0/24`, AvailabilityZone: "us-east-1a", TagSpecifications: [{ ResourceType: "subnet", Tags: tags }] }, "us-east-1")).Subnet.SubnetId;
  const from = sandbox.journal.length;
  const r = await run("destroy", "--yes", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json().orphansAdopted, [{ kind: "subnet", id: orphan }]);
  const { counts } = countSince(sandbox.journal, from);
  assert.deepEqual([counts.DescribeTags, counts.DescribeSubnets, counts.DescribeVpcs, counts.DeleteSubnet], [1, 1, undefined, 5], JSON.stringify(counts));
  const region = sandbox.state().regions["us-east-1"] as any;
  assert.equal(region.subnets[orphan], undefined);
  assert.equal(region.vpcs[plan.resources.vpc.id], undefined);
});

// A role without ec2:DescribeTags (or an endpoint without it): every kind is swept on its own, as before.
test("destroy: DescribeTags refused (UnauthorizedOperation) → each kind swept on its own; everything deleted", async () => {
  const { sandbox, run } = await clockedSandbox({ deny: ["DescribeTags"] });
  for (const args of [["create-vpc", "--name", "lean", "--azs", "2"], ["add-nat"]]) assert.equal((await run(...args)).code, 0);
  const from = sandbox.journal.length;
  const r = await run("destroy", "--yes", "--json");
  assert.equal(r.code, 0, r.stderr);
  const calls = sandbox.journal.slice(from);
  assert.deepEqual(calls.filter((c: any) => c.operation === "DescribeTags").map((c: any) => c.errorCode), ["UnauthorizedOperation"]);
  const { counts } = countSince(sandbox.journal, from);
  for (const op of ["DescribeVpcs", "DescribeSubnets", "DescribeInternetGateways", "DescribeRouteTables", "DescribeAddresses"]) assert.equal(counts[op], 1, `${op}: ${JSON.stringify(counts)}`);
  assert.deepEqual(vpcsOfPlan(sandbox, "lean"), []);
});

// A route table is deleted without a read: the plan's associations were undone first. One associated
// meanwhile (here: the plan's subnet, disassociated and associated again outside the plan, so its
// record names an association that no longer exists) makes AWS refuse with DependencyViolation; the
// table is then read once, that association dropped, and the table deleted.
test("destroy: a route table holding an association the plan did not record is read once, emptied and deleted", async () => {
  const { cwd, sandbox, run } = await clockedSandbox();
  assert.equal((await run("create-vpc", "--name", "lean", "--azs", "1")).code, 0);
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  const assoc = plan.resources["subnet/private/us-east-1a/0/association"];
  await sandbox.call("ec2", "DisassociateRouteTable", { AssociationId: assoc.id }, "us-east-1");
  const again = (await sandbox.call("ec2", "AssociateRouteTable", { SubnetId: assoc.attrs.subnetId, RouteTableId: assoc.attrs.routeTableId }, "us-east-1")).AssociationId;
  assert.notEqual(again, assoc.id);
  const from = sandbox.journal.length;
  // one step at a time: the table (route-table/…) goes before its subnet (subnet/…), which would take the association along
  const r = await run("--max-parallel", "1", "destroy", "--yes", "--json");
  assert.equal(r.code, 0, r.stderr);
  const calls = sandbox.journal.slice(from).map((c: any) => `${c.operation}${c.errorCode ? `:${c.errorCode}` : ""}`);
  const table = calls.indexOf("DeleteRouteTable:DependencyViolation");
  assert.ok(table >= 0, calls.join(" "));
  assert.deepEqual(calls.slice(table + 1, table + 4), ["DescribeRouteTables", "DisassociateRouteTable", "DeleteRouteTable"], calls.join(" "));
  assert.equal(calls.filter((c) => c === "DescribeRouteTables").length, 1);
  const region = sandbox.state().regions["us-east-1"] as any;
  assert.equal(region.routeTables[assoc.attrs.routeTableId], undefined);
  assert.equal(region.vpcs[plan.resources.vpc.id], undefined);
});

// Issue 24: add-nat --mode per-az (3 AZs) made 20 calls (minimal 10: its 9 changes and one look at
// the NAT gateways). Its pre-flight reads the VPC's route tables and the addresses once; a public
// subnet associated with a table is proven by it (no DescribeSubnets), an active route to an
// internet gateway proves it attached (no DescribeInternetGateways: AWS shows a route to a detached
// gateway as blackhole); the route steps start from the tables it read; the three NAT gateways
// created together share one poll round.
test("add-nat --mode per-az (3 AZs) makes at most 14 AWS calls", async () => {
  const { sandbox, run } = await clockedSandbox();
  assert.equal((await run("create-vpc", "--name", "lean", "--azs", "3")).code, 0);
  const from = sandbox.journal.length;
  const r = await run("add-nat", "--mode", "per-az", "--json");
  assert.equal(r.code, 0, r.stderr);
  const { total, counts } = countSince(sandbox.journal, from);
  assert.ok(total <= 14, `add-nat made ${total} calls: ${JSON.stringify(counts)}`);
  assert.deepEqual([counts.AllocateAddress, counts.CreateNatGateway, counts.CreateRoute], [3, 3, 3]);
  assert.equal(counts.DescribeRouteTables, 1, JSON.stringify(counts));
  assert.equal(counts.DescribeNatGateways, 1, JSON.stringify(counts));
  assert.equal(counts.DescribeSubnets, undefined);
  assert.equal(counts.DescribeInternetGateways, undefined);
  const out = r.json();
  assert.equal(out.natGateways.length, 3);
  assert.ok(out.natGateways.every((n: any) => n.state === "available"));
  assert.equal(out.routes.length, 3);
  // the routes are there, each to its AZ's NAT gateway
  const tables = Object.values((sandbox.state().regions["us-east-1"] as any).routeTables as Record<string, any>);
  for (const route of out.routes) {
    const t = tables.find((x) => x.RouteTableId === route.routeTableId);
    assert.equal(t.Routes.find((x: any) => x.DestinationCidrBlock === "0.0.0.0/0")?.NatGatewayId, route.target);
  }
});

test("add-nat with fewer reads still refuses a public subnet whose internet gateway was detached, or whose subnet is gone, changing nothing", async () => {
  const { cwd, sandbox, run } = await clockedSandbox();
  assert.equal((await run("create-vpc", "--name", "lean", "--azs", "2")).code, 0);
  const { EC2 } = await import("@aws-sdk/client-ec2");
  const ec2 = plugged(sandbox, new EC2({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  await ec2.detachInternetGateway({ InternetGatewayId: plan.resources.igw.id, VpcId: plan.resources.vpc.id });
  let from = sandbox.journal.length;
  let r = await run("add-nat");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no route to an attached internet gateway/);
  assert.ok(sandbox.journal.slice(from).every((c) => !c.mutating));
  await ec2.attachInternetGateway({ InternetGatewayId: plan.resources.igw.id, VpcId: plan.resources.vpc.id });
  // a public subnet moved to the main table (no route to the gateway) is described, then refused
  await ec2.disassociateRouteTable({ AssociationId: plan.resources["subnet/public/us-east-1a/0/association"].id });
  from = sandbox.journal.length;
  r = await run("add-nat", "--az", "us-east-1a");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /no route to an attached internet gateway/);
  assert.ok(sandbox.journal.slice(from).some((c) => c.operation === "DescribeSubnets"));
  assert.ok(sandbox.journal.slice(from).every((c) => !c.mutating));
});
