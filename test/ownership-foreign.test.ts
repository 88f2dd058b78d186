// Never touch what is not ours, part 2 (issue 19 items 1-4): a destroy looking in the wrong region,
// a Lambda function another plan attached, a --shared import, and orphan sweeps on an endpoint that
// ignores tag filters. Each test fails on the code before the fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cli, exampleSandbox, openSandbox, readPlan } from "./helpers.js";
import type { Plan } from "../src/plans/schema.js";
import type { Sandbox } from "../src/sandbox/index.js";

const R = "us-east-1";
const writePlan = (cwd: string, p: Plan, file = "egress-plan.json") => writeFileSync(path.join(cwd, file), JSON.stringify(p, null, 2));

/** Counts the mutating calls the sandbox answers from now on. */
function mutations(sb: Sandbox) {
  const calls: string[] = [];
  const orig = sb.call.bind(sb);
  sb.call = async (service, operation, input, region) => {
    if (!/^(Describe|Get|List)/.test(operation) && input?.DryRun !== true) calls.push(operation);
    return orig(service, operation, input, region);
  };
  return calls;
}

// ---------- item 3: a --shared import never changes the other plan's resources ----------

test("--shared import: add-endpoint (gateway) and add-nat are refused before the first change when they would touch the other plan's route tables", async () => {
  const { cwd, sandbox, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  const vpcA = readPlan(cwd).resources.vpc.id!;
  assert.equal((await run("--plan", "b.json", "import", "--vpc", vpcA, "--name", "pb", "--shared")).code, 0);
  const tablesBefore = JSON.stringify(Object.values<any>(region().routeTables).filter((t) => t.VpcId === vpcA).map((t) => t.Routes));
  const eipsBefore = Object.keys(region().addresses).length;
  const calls = mutations(sandbox);
  const planB = readFileSync(path.join(cwd, "b.json"), "utf8");

  const ep = await run("--plan", "b.json", "add-endpoint", "sts", "dynamodb");
  assert.equal(ep.code, 2, ep.stderr);
  assert.match(ep.stderr, /route-table rtb-\w+ belongs to another egress-cli plan, pa/);
  const nat = await run("--plan", "b.json", "add-nat");
  assert.equal(nat.code, 2, nat.stderr);
  assert.match(nat.stderr, /Refused before any change: .*belongs to another egress-cli plan, pa/);

  assert.deepEqual(calls, [], "no mutating call at all");
  // Exit 2 changes no file either: the command's inputs are written only after the pre-flight checks.
  assert.equal(readFileSync(path.join(cwd, "b.json"), "utf8"), planB, "plan b.json is byte for byte as it was");
  assert.equal(Object.keys(region().addresses).length, eipsBefore, "no Elastic IP allocated");
  assert.equal(Object.values<any>(region().natGateways).filter((n) => n.VpcId === vpcA).length, 0, "no NAT gateway created");
  assert.equal(JSON.stringify(Object.values<any>(region().routeTables).filter((t) => t.VpcId === vpcA).map((t) => t.Routes)), tablesBefore, "plan pa's route tables are unchanged");
  // The plain import of a VPC that is nobody's plan still gets its NAT (the check is only about other plans).
  const msk = Object.values<any>(region().vpcs).find((v) => v.Tags?.some((t: any) => t.Value === "msk"));
  assert.ok(msk);
});

// ---------- item 4: orphan sweeps do not trust the server's tag filter ----------

test("destroy on an endpoint that ignores tag filters: other plans' and the user's NAT gateways are not taken for orphans", async () => {
  const { cwd, file, sandbox, env, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  assert.equal((await run("add-nat")).code, 0);
  assert.equal((await run("--plan", "b.json", "create-vpc", "--name", "pb", "--azs", "1", "--cidr", "10.9.0.0/16")).code, 0);
  assert.equal((await run("--plan", "b.json", "add-nat")).code, 0);
  const natsA = Object.values<any>(region().natGateways).filter((n) => n.VpcId === readPlan(cwd).resources.vpc.id && n.State === "available").map((n) => n.NatGatewayId);
  assert.equal(natsA.length, 1);
  const others = Object.values<any>(region().natGateways).filter((n) => n.State === "available" && !natsA.includes(n.NatGatewayId)).length;
  assert.ok(others >= 2, "plan pb's NAT and the example account's");
  void sandbox;
  // The same account, through an endpoint that ignores tag: filters on Describe calls.
  const blind = await openSandbox(file, { ignoreTagFilters: true });
  const d = await cli(["--sandbox-file", file, "destroy", "--yes"], { cwd, env, sandbox: blind });
  assert.equal(d.code, 0, d.stderr);
  assert.doesNotMatch(d.stderr, /not this plan's/);
  assert.equal(
    Object.values<any>(blind.state().regions[R].natGateways).filter((n: any) => n.State === "available").length,
    others,
    "every NAT gateway that is not plan pa's is still there",
  );
});

test("destroy names every record it left undeleted: the refused one and those that had to wait for it", async () => {
  const { cwd, sandbox, run } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  assert.equal((await run("add-endpoint", "sts")).code, 0);
  // Another VPC's endpoint in place of the plan's: refused; its group, subnet and VPC must wait for it.
  const foreignVpc = (await sandbox.call("ec2", "CreateVpc", { CidrBlock: "10.77.0.0/16" }, R)).Vpc.VpcId as string;
  const foreign = (await sandbox.call("ec2", "CreateVpcEndpoint", { VpcId: foreignVpc, ServiceName: `com.amazonaws.${R}.s3`, VpcEndpointType: "Gateway" }, R)).VpcEndpoint.VpcEndpointId as string;
  const plan = readPlan(cwd);
  const epStep = Object.keys(plan.resources).find((s) => plan.resources[s].kind === "vpc-endpoint")!;
  const sgStep = Object.keys(plan.resources).find((s) => plan.resources[s].kind === "security-group")!;
  plan.resources[epStep].id = foreign;
  writePlan(cwd, plan);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, new RegExp(`Step ${epStep}: vpc-endpoint ${foreign} is not this plan's`));
  assert.match(d.stderr, new RegExp(`Left undeleted because they must go after the above: .*security-group ${plan.resources[sgStep].id} \\(${sgStep}\\)`));
  assert.match(d.stderr, /vpc vpc-\w+ \(vpc\)/);
  assert.match(d.stderr, /\d+ resource\(s\) deleted, \d+ left undeleted/);
  assert.doesNotMatch(d.stderr, /The plan file names a resource/);
});

// ---------- item 1: destroy looking in the wrong region ----------

/** create-vpc + add-nat in us-east-1, then the plan file's region field edited to eu-west-1. */
async function planInWrongRegion(opts: { legacy: boolean }) {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "cx", "--azs", "1")).code, 0);
  assert.equal((await s.run("add-nat")).code, 0);
  const plan = readPlan(s.cwd);
  const live = Object.keys(plan.resources).filter((k) => plan.resources[k].state === "created").length;
  if (opts.legacy) for (const r of Object.values(plan.resources)) delete (r as { region?: string }).region;
  else for (const r of Object.values(plan.resources)) assert.equal(r.region, R, "each record names its own region");
  writePlan(s.cwd, { ...plan, region: "eu-west-1" });
  return { ...s, plan, live };
}

test("destroy with a plan whose region field was edited: exit 2 before any change, every record still tracked", async () => {
  const { cwd, sandbox, run, region, plan, live } = await planInWrongRegion({ legacy: false });
  const calls = mutations(sandbox);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 2, d.stderr);
  assert.match(d.stderr, /region field eu-west-1\) records \d+ resource\(s\) made in us-east-1/);
  assert.deepEqual(calls, [], "no mutating call");
  const after = readPlan(cwd);
  assert.equal(Object.values(after.resources).filter((r) => r.state === "created").length, live, "no record marked deleted");
  assert.ok(region().vpcs[plan.resources.vpc.id!], "the VPC still runs");
  assert.ok(Object.values<any>(region().natGateways).some((n) => n.VpcId === plan.resources.vpc.id && n.State === "available"), "the NAT gateway still runs");
  // Other commands refuse the same way: nothing would be looked up where it lives.
  assert.equal((await run("add-nat")).code, 2);
  // Put back, it destroys cleanly.
  writePlan(cwd, { ...after, region: R });
  assert.equal((await run("destroy", "--yes")).code, 0);
});

test("an older plan (records without a region) in the wrong region: destroy refuses when none of its VPCs exists there, unless --forget-missing", async () => {
  const { cwd, sandbox, run, region, plan, live } = await planInWrongRegion({ legacy: true });
  const calls = mutations(sandbox);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 2, d.stderr);
  assert.match(d.stderr, new RegExp(`None of plan "cx"'s VPCs \\(${plan.resources.vpc.id}\\) exists in eu-west-1 .*may be for another region or account`));
  assert.match(d.stderr, /--forget-missing/);
  assert.deepEqual(calls, [], "no mutating call");
  assert.equal(Object.values(readPlan(cwd).resources).filter((r) => r.state === "created").length, live);
  assert.ok(region().vpcs[plan.resources.vpc.id!], "the VPC still runs");
  // In its own region the older plan destroys as before (its VPC is found there).
  writePlan(cwd, { ...readPlan(cwd), region: R });
  const ok = await run("destroy", "--yes");
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(region().vpcs[plan.resources.vpc.id!], undefined);
});

test("--forget-missing: an older plan whose VPC really was deleted outside egress-cli is forgotten", async () => {
  const { cwd, run, sandbox } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "gone", "--azs", "1", "--public-subnets", "0")).code, 0);
  const plan = readPlan(cwd);
  for (const r of Object.values(plan.resources)) delete (r as { region?: string }).region;
  writePlan(cwd, plan);
  // Deleted by hand: subnets, route tables, then the VPC.
  const st = sandbox.state().regions[R] as any;
  for (const s of Object.values<any>(st.subnets).filter((x) => x.VpcId === plan.resources.vpc.id)) await sandbox.call("ec2", "DeleteSubnet", { SubnetId: s.SubnetId }, R);
  for (const t of Object.values<any>(st.routeTables).filter((x) => x.VpcId === plan.resources.vpc.id && !x.Associations?.some((a: any) => a.Main))) await sandbox.call("ec2", "DeleteRouteTable", { RouteTableId: t.RouteTableId }, R);
  await sandbox.call("ec2", "DeleteVpc", { VpcId: plan.resources.vpc.id }, R);
  assert.equal((await run("destroy", "--yes")).code, 2);
  const d = await run("destroy", "--yes", "--forget-missing");
  assert.equal(d.code, 0, d.stderr);
  assert.ok(Object.values(readPlan(cwd).resources).every((r) => r.state !== "created"));
});

// ---------- item 2: a Lambda function another plan attached ----------

const ENI_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

test("attach-lambda of a function another plan attached: exit 2 without --take-over; with it, both plans' destroys finish and neither breaks the other", async () => {
  const { sandbox, run, region } = await exampleSandbox();
  const fn = () => region().ext.lambda.functions["sms-sender"];
  const attached = () => sandbox.state().ext.iam.roles["sms-sender-role"].attached as string[];
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
  assert.ok(attached().includes(ENI_POLICY), "plan pa attached the ENI policy");
  const configA = JSON.stringify(fn().VpcConfig);
  assert.equal((await run("--plan", "b.json", "create-vpc", "--name", "pb", "--azs", "1", "--cidr", "10.8.0.0/16")).code, 0);

  const calls = mutations(sandbox);
  const refused = await run("--plan", "b.json", "attach-lambda", "--function", "sms-sender");
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /attached by another egress-cli plan: .*plan pa \(/);
  assert.match(refused.stderr, /--take-over/);
  assert.deepEqual(calls, [], "no mutating call");
  assert.equal(JSON.stringify(fn().VpcConfig), configA, "the function stays where plan pa put it");

  const moved = await run("--plan", "b.json", "attach-lambda", "--function", "sms-sender", "--take-over");
  assert.equal(moved.code, 0, moved.stderr);
  assert.notEqual(JSON.stringify(fn().VpcConfig), configA);

  // pa's destroy leaves the function (now pb's) and the ENI policy pb's attachment relies on.
  const dA = await run("destroy", "--yes");
  assert.equal(dA.code, 0, dA.stderr);
  assert.match(dA.stdout, /kept iam-role-policy-attachment .*sms-sender \(in vpc-\w+\)/);
  assert.ok(attached().includes(ENI_POLICY), "the ENI policy stays for pb's attachment");
  assert.ok(fn().VpcConfig?.SubnetIds?.length, "the function is still in pb's VPC");

  // pb's destroy: the config it recorded as previous (pa's subnets) is gone, so the function leaves the VPC.
  const dB = await run("--plan", "b.json", "destroy", "--yes");
  assert.equal(dB.code, 0, dB.stderr);
  assert.match(dB.stderr, /previous VPC config names .* which no longer exist; detaching it from the VPC instead/);
  assert.equal(fn().VpcConfig, undefined);
  assert.deepEqual(await sandbox.taggedResources(R, "egress-cli:plan", "pb"), []);
  assert.deepEqual(await sandbox.taggedResources(R, "egress-cli:plan", "pa"), []);
});

test("attach-lambda of a function already in subnets this plan did not set and the command does not name: exit 2 unless --take-over", async () => {
  const { sandbox, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  const cfg = () => {
    const c = region().ext.lambda.functions["report-generator"].VpcConfig;
    return JSON.stringify(c && { ...c, SubnetIds: [...c.SubnetIds].sort() });
  };
  const before = cfg();
  const calls = mutations(sandbox);
  const r = await run("attach-lambda", "--function", "report-generator");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /which this plan did not set and this command does not name/);
  assert.deepEqual(calls, []);
  assert.equal(cfg(), before);
  const moved = await run("attach-lambda", "--function", "report-generator", "--take-over");
  assert.equal(moved.code, 0, moved.stderr);
  assert.equal((await run("detach-lambda", "--function", "report-generator")).code, 0);
  assert.equal(cfg(), before, "its own config is back");
});

test("a delete that fails (an interface someone else put in the plan's subnet): destroy exits 1 naming the failed step and every record still left", async () => {
  const { cwd, sandbox, run } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1", "--public-subnets", "0")).code, 0);
  const plan = readPlan(cwd);
  const subnetStep = Object.keys(plan.resources).find((s) => plan.resources[s].kind === "subnet")!;
  await sandbox.call("ec2", "CreateNetworkInterface", { SubnetId: plan.resources[subnetStep].id }, R);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, new RegExp(`Deleting subnet ${plan.resources[subnetStep].id} \\(${subnetStep}\\)`));
  assert.match(d.stderr, new RegExp(`Also left undeleted \\(re-run to resume\\): .*vpc ${plan.resources.vpc.id} \\(vpc\\)`));
  assert.doesNotMatch(d.stderr.split("Also left undeleted")[1] ?? "", new RegExp(`\\(${subnetStep}\\)`), "the failed one is not listed twice");
});

// Review of issue 24's fifth pass: a plan route table refused for its associations (DependencyViolation) is
// read and emptied of the plan's subnets only; a subnet that is not the plan's stays associated and is named.
test("destroy: a plan route table a foreign subnet was associated with is left, with that association, and named (exit 1)", async () => {
  const { cwd, sandbox, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  const plan = readPlan(cwd);
  const table = plan.resources["route-table/private/us-east-1a"].id!;
  const [a, b] = plan.spec.vpc!.cidr.split(".");
  // the user's own subnet in the plan's VPC, on the plan's private table
  const mine = (await sandbox.call("ec2", "CreateSubnet", { VpcId: plan.resources.vpc.id, CidrBlock: `${a}.${b}.240.0/24`, AvailabilityZone: "us-east-1a" }, R)).Subnet.SubnetId as string;
  const assoc = (await sandbox.call("ec2", "AssociateRouteTable", { SubnetId: mine, RouteTableId: table }, R)).AssociationId as string;
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, new RegExp(`Route table ${table} is associated with subnet ${mine} \\(${assoc}\\), not this plan's: nothing was changed there`));
  const t = region().routeTables[table];
  assert.ok(t, "the table stays");
  assert.ok(JSON.stringify(t).includes(assoc), "and so does the user's association");
  assert.ok(region().subnets[mine], "and the user's subnet");
});

// The same deleter, on a plan route table made the VPC's main one outside egress-cli: AWS deletes a main table
// only with its VPC, so destroy names it at once (no retries) and leaves it main.
test("destroy: a plan route table made the VPC's main one is named and left (exit 1), still main", async () => {
  const { cwd, sandbox, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  const plan = readPlan(cwd);
  const vpc = plan.resources.vpc.id!;
  const table = plan.resources["route-table/private/us-east-1a"].id!;
  const tables = (await sandbox.call("ec2", "DescribeRouteTables", { Filters: [{ Name: "vpc-id", Values: [vpc] }, { Name: "association.main", Values: ["true"] }] }, R)).RouteTables as any[];
  const mainAssoc = tables[0].Associations.find((a: any) => a.Main).RouteTableAssociationId as string;
  await sandbox.call("ec2", "ReplaceRouteTableAssociation", { AssociationId: mainAssoc, RouteTableId: table }, R);
  const from = sandbox.journal.length;
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, new RegExp(`Route table ${table} is now the main route table of ${vpc}`));
  const refused = sandbox.journal.slice(from).filter((c: any) => c.operation === "DeleteRouteTable" && c.errorCode === "DependencyViolation");
  assert.equal(refused.length, 1, "asked once, not retried");
  assert.ok(region().routeTables[table].Associations.some((a: any) => a.Main), "still the main table");
});
