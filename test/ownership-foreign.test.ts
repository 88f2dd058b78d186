// Never touch what is not ours, part 2 (issue 19 items 1-4): a destroy looking in the wrong region,
// a Lambda function another plan attached, a --shared import, and orphan sweeps on an endpoint that
// ignores tag filters. Each test fails on the code before the fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cli, exampleSandbox, openSandbox } from "./helpers.js";
import type { Plan } from "../src/plans/schema.js";
import type { Sandbox } from "../src/sandbox/index.js";

const R = "us-east-1";
const readPlan = (cwd: string, file = "egress-plan.json"): Plan => JSON.parse(readFileSync(path.join(cwd, file), "utf8"));
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

  const ep = await run("--plan", "b.json", "add-endpoint", "sts", "dynamodb");
  assert.equal(ep.code, 2, ep.stderr);
  assert.match(ep.stderr, /route-table rtb-\w+ belongs to another egress-cli plan, pa/);
  const nat = await run("--plan", "b.json", "add-nat");
  assert.equal(nat.code, 2, nat.stderr);
  assert.match(nat.stderr, /Refused before any change: .*belongs to another egress-cli plan, pa/);

  assert.deepEqual(calls, [], "no mutating call at all");
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
