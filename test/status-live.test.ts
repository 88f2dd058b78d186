// Issue 8 items 5 and 6: status shows the LIVE routes (each subnet's effective route table:
// explicit association, else the main table) and flags drift from the plan; one effective-route-
// table function (src/net/routes.ts) for import, add-nat, status and the analyzer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DeleteRouteCommand, DeleteSubnetCommand, DescribeRouteTablesCommand, DisassociateRouteTableCommand, EC2Client } from "@aws-sdk/client-ec2";
import { SANDBOX_CREDENTIALS, exampleSandbox, plugged } from "./helpers.js";
import { effectiveRouteTable, routeTableLookup, defaultRouteOf, routeTargetId } from "../src/net/routes.js";

test("effectiveRouteTable: explicit association, else the main table; disassociated associations do not count", () => {
  const tables = [
    { RouteTableId: "rtb-main", VpcId: "vpc-1", Associations: [{ Main: true }] },
    { RouteTableId: "rtb-a", VpcId: "vpc-1", Associations: [{ SubnetId: "subnet-a" }, { SubnetId: "subnet-c", AssociationState: { State: "disassociated" } }] },
    { RouteTableId: "rtb-other", VpcId: "vpc-2", Associations: [{ Main: true }] },
  ];
  const lookup = routeTableLookup(tables);
  assert.deepEqual(effectiveRouteTable({ SubnetId: "subnet-a", VpcId: "vpc-1" }, lookup), { table: tables[1], main: false });
  assert.deepEqual(effectiveRouteTable({ SubnetId: "subnet-b", VpcId: "vpc-1" }, lookup), { table: tables[0], main: true });
  assert.deepEqual(effectiveRouteTable({ SubnetId: "subnet-c", VpcId: "vpc-1" }, lookup), { table: tables[0], main: true });
  assert.equal(effectiveRouteTable({ SubnetId: "subnet-x", VpcId: "vpc-9" }, lookup), undefined);
  assert.equal(routeTargetId(defaultRouteOf([{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local" }, { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" }])), "nat-1");
});

test("item 5: a private default route deleted by hand shows as none in status, flagged as drift", async () => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "drift", "--cidr", "10.60.0.0/16")).code, 0);
  assert.equal((await s.run("add-nat")).code, 0);
  const before = (await s.run("status", "--json")).json();
  assert.deepEqual(before.drift, []);
  const priv = before.subnets.find((x: any) => x.tier === "private");
  assert.match(priv.defaultRoute, /^nat-/);
  const ec2 = plugged(s.sandbox, new EC2Client({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
  await ec2.send(new DeleteRouteCommand({ RouteTableId: priv.routeTableId, DestinationCidrBlock: "0.0.0.0/0" }));
  const r = await s.run("status", "--json");
  assert.equal(r.code, 0, r.stderr);
  const st = r.json();
  assert.equal(st.checkedLive, true);
  const now = st.subnets.find((x: any) => x.subnetId === priv.subnetId);
  assert.equal(now.defaultRoute, null, "live: no default route");
  assert.equal(now.plannedDefaultRoute, priv.defaultRoute, "the plan's memory is kept apart");
  assert.deepEqual(st.drift, [{ subnetId: priv.subnetId, what: "0.0.0.0/0 route", plan: priv.defaultRoute, live: null }]);
  const human = await s.run("status");
  assert.match(human.stdout, new RegExp(`Drift[\\s\\S]*${priv.subnetId}: 0\\.0\\.0\\.0/0 route is none \\(plan: ${priv.defaultRoute}\\)`));
  // Offline, status can only tell the plan's memory.
  const off = (await s.run("status", "--offline", "--json")).json();
  assert.equal(off.subnets.find((x: any) => x.subnetId === priv.subnetId).defaultRoute, priv.defaultRoute);
});

test("item 6: for an imported VPC (S5) status shows the public subnet's route to the IGW from its effective table", async () => {
  const s = await exampleSandbox();
  const legacy = Object.values<any>(s.region().vpcs).find((v) => v.Tags.some((t: any) => t.Key === "Name" && /legacy/.test(t.Value)));
  assert.ok(legacy, "the S5 legacy VPC is seeded");
  assert.equal((await s.run("import", "--vpc", legacy.VpcId, "--name", "legacy")).code, 0);
  assert.equal((await s.run("add-nat")).code, 0);
  const st = (await s.run("status", "--json")).json();
  const pub = st.subnets.filter((x: any) => x.tier === "public");
  assert.ok(pub.length > 0);
  for (const p of pub) assert.match(p.defaultRoute, /^igw-/, `${p.subnetId} routes to the IGW`);
  for (const p of st.subnets.filter((x: any) => x.tier === "private")) assert.match(p.defaultRoute, /^nat-/);
  assert.deepEqual(st.drift, []);
});

test("issue 24: status reads DescribeSubnets only when the route tables leave a subnet open — a subnet deleted by hand and one moved to the main table are still drift", async () => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "gone", "--azs", "2")).code, 0);
  assert.equal((await s.run("add-nat")).code, 0);
  const before = (await s.run("status", "--json")).json();
  const [a, b] = before.subnets.filter((x: any) => x.tier === "private");
  const ec2 = new EC2Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const { plugSandbox } = await import("../src/sandbox/index.js");
  plugSandbox(ec2, s.sandbox, "ec2");
  await ec2.send(new DeleteSubnetCommand({ SubnetId: a.subnetId }));
  const tables = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [before.vpcId] }] }))).RouteTables!;
  const assoc = tables.flatMap((t) => t.Associations ?? []).find((x) => x.SubnetId === b.subnetId)!;
  await ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc.RouteTableAssociationId }));
  const main = tables.find((t) => t.Associations?.some((x) => x.Main))!.RouteTableId;
  const from = s.sandbox.journal.length;
  const st = (await s.run("status", "--json")).json();
  assert.ok(s.sandbox.journal.slice(from).some((c) => c.operation === "DescribeSubnets"), "the subnets were read: the tables no longer answer for them");
  assert.deepEqual(st.drift, [
    { subnetId: a.subnetId, what: "subnet", plan: a.subnetId, live: null },
    { subnetId: b.subnetId, what: "route table", plan: b.routeTableId, live: main },
    { subnetId: b.subnetId, what: "0.0.0.0/0 route", plan: b.defaultRoute, live: null },
  ]);
});

test("issue 24: what only the bill needs failing (DescribeNetworkInterfaces denied) leaves the VPC unpriced, never unread: states and routes are still there", async () => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "denied", "--azs", "2")).code, 0);
  assert.equal((await s.run("add-nat")).code, 0);
  const st = (await s.run("status", "--json")).json();
  const ec2 = new EC2Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const { plugSandbox } = await import("../src/sandbox/index.js");
  plugSandbox(ec2, s.sandbox, "ec2");
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "DescribeNetworkInterfacesCommand") throw Object.assign(new Error("You are not authorized to perform this operation."), { name: "UnauthorizedOperation", $metadata: { httpStatusCode: 403 } });
      return next(args);
    },
    { step: "initialize" },
  );
  const { collectVpcs } = await import("../src/aws/snapshot.js");
  const nat = st.natGateways[0].natGatewayId;
  const read = await collectVpcs({ region: "us-east-1", ec2: async () => ec2, accountId: async () => st.accountId } as any, [st.vpcId], { routeTables: true, natGatewayIds: [nat] });
  assert.equal(read.snapshot, undefined);
  assert.match(read.error!.message, /not authorized/);
  assert.equal(read.states[nat], "available");
  assert.ok(read.routeTables.some((t: any) => t.Associations?.some((x: any) => x.Main)));
});
