// attach-lambda / detach-lambda end to end on the sandbox (S1 and S3), and the refusals that must
// exit 2 before any mutating call.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { writeFileSync } from "node:fs";
import { cli, cleanEnv, exampleSandbox, openSandbox, readSandboxState, tempDir } from "./helpers.js";

async function setup(name: string, createArgs: string[] = ["--cidr", "10.0.0.0/16", "--azs", "2"]) {
  const { cwd, file, sandbox, run } = await exampleSandbox();
  const vpc = await run("create-vpc", "--name", name, ...createArgs, "--json");
  assert.equal(vpc.code, 0, vpc.stderr);
  return { cwd, file, sandbox, run, vpc: vpc.json() };
}

const region = (sandbox: any) => sandbox.state().regions["us-east-1"];
const fnOf = (sandbox: any, name: string) => region(sandbox).ext.lambda.functions[name];
const roleOf = (sandbox: any, name: string) => sandbox.state().ext.iam.roles[name];

test("S1: create-vpc → add-nat → attach-lambda → status → destroy restores the function and removes everything else", async () => {
  const { sandbox, run, vpc } = await setup("sms-api");
  assert.equal((await run("add-nat", "--mode", "single")).code, 0);
  const att = await run("attach-lambda", "--function", "sms-sender", "--json");
  assert.equal(att.code, 0, att.stderr);
  const a = att.json();
  const privates = vpc.subnets.filter((s: any) => s.tier === "private").map((s: any) => s.subnetId).sort();
  assert.deepEqual(a.subnetIds.sort(), privates);
  assert.match(a.securityGroupId, /^sg-/);
  assert.equal(a.iam.changed, true);
  assert.equal(a.egressIps.length, 1);
  assert.equal(a.lastUpdateStatus, "Successful");
  // The account: VpcConfig has the private subnets and the new SG; the role has the policy; the SG has no ingress.
  const fn = fnOf(sandbox, "sms-sender");
  assert.deepEqual([...fn.VpcConfig.SubnetIds].sort(), privates);
  assert.deepEqual(fn.VpcConfig.SecurityGroupIds, [a.securityGroupId]);
  assert.ok(roleOf(sandbox, "sms-sender-role").attached.includes("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"));
  const rules = Object.values<any>(region(sandbox).securityGroupRules).filter((r) => r.GroupId === a.securityGroupId);
  assert.equal(rules.filter((r) => !r.IsEgress).length, 0, "no ingress");
  const enis = Object.values<any>(region(sandbox).networkInterfaces).filter((e) => e.InterfaceType === "lambda");
  assert.equal(enis.length, 2);
  // Idempotent re-run.
  const again = await run("attach-lambda", "--function", "sms-sender", "--json");
  assert.equal(again.code, 0, again.stderr);
  assert.ok(Object.values(again.json().steps).every((o) => o === "exists"), JSON.stringify(again.json().steps));
  // status shows the function and its egress IP.
  const st = await run("status", "--json");
  assert.equal(st.code, 0, st.stderr);
  const s = st.json();
  assert.deepEqual(s.lambdaFunctions.map((f: any) => [f.functionName, f.egressIps]), [["sms-sender", a.egressIps]]);
  const human = await run("status");
  assert.match(human.stdout, /sms-sender/);
  // destroy: original config (none) back, policy detached, nothing tagged left.
  const d = await run("destroy", "--yes", "--json");
  assert.equal(d.code, 0, d.stderr);
  assert.equal(fnOf(sandbox, "sms-sender").VpcConfig, undefined);
  assert.ok(!roleOf(sandbox, "sms-sender-role").attached.includes("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"));
  assert.deepEqual(await sandbox.taggedResources("us-east-1", "egress-cli:plan", "sms-api"), []);
  assert.equal(Object.values<any>(region(sandbox).networkInterfaces).filter((e) => e.InterfaceType === "lambda").length, 0);
});

test("detach-lambda restores a previous VPC config; an equivalent inline policy leaves IAM alone (S3 role)", async () => {
  const { sandbox, run, vpc } = await setup("rot", ["--azs", "2", "--public-subnets", "0", "--cidr", "10.1.0.0/16"]);
  const att = await run("attach-lambda", "--function", "rotate-db-secret", "--json");
  assert.equal(att.code, 0, att.stderr);
  const a = att.json();
  assert.equal(a.iam.changed, false);
  assert.deepEqual(a.iam.alreadyGrantedBy, ["inline policy rotation-and-vpc"]);
  assert.equal(a.egressIps.length, 0);
  assert.match(att.stderr, /neither a NAT route nor VPC endpoints/);
  assert.deepEqual(roleOf(sandbox, "rotate-db-secret-role").attached, ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]);
  const det = await run("detach-lambda", "--function", "rotate-db-secret", "--json");
  assert.equal(det.code, 0, det.stderr);
  assert.equal(fnOf(sandbox, "rotate-db-secret").VpcConfig, undefined);
  assert.ok(det.json().undone.includes("lambda/rotate-db-secret/sg"));
  // Attach to one subnet with the user's group, then re-attach by plan: previous config comes back.
  const sub = vpc.subnets[0].subnetId;
  const again = await run("attach-lambda", "--function", "rotate-db-secret", "--subnets", sub, "--json");
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await run("detach-lambda", "--function", "rotate-db-secret")).code, 0);
  assert.equal((await run("detach-lambda", "--function", "rotate-db-secret")).code, 2, "nothing left to detach");
});

test("refusals exit 2 with zero mutating calls", async () => {
  const { cwd, sandbox, run, vpc } = await setup("refuse");
  const before = sandbox.stats().mutatingCalls;
  const publicSubnet = vpc.subnets.find((s: any) => s.tier === "public").subnetId;
  const acct = sandbox.accountId;
  writeFileSync(path.join(cwd, "bad.json"), "{ not json");
  writeFileSync(path.join(cwd, "bad2.json"), JSON.stringify({ Statement: [{ Effect: "Maybe", Action: "s3:GetObject" }] }));
  const cases: Array<[string[], RegExp]> = [
    [["attach-lambda", "--function", "no-such-fn"], /No Lambda function named "no-such-fn"/],
    [["attach-lambda", "--function", `arn:aws:lambda:eu-west-1:${acct}:function:sms-sender`], /is in eu-west-1, but the plan's VPC is in us-east-1/],
    [["attach-lambda", "--function", "sms-sender", "--subnets", publicSubnet], /public subnet.*never gets a public IP/],
    [["attach-lambda", "--function", "sms-sender", "--no-iam"], /lacks ec2:CreateNetworkInterface/],
    [["attach-lambda", "--function", "bad name!"], /not a Lambda function name/],
    [["attach-lambda", "--function", "sms-sender", "--security-group", "sg-0123456789abcdef0"], /does not exist/],
    [["add-endpoint", "nosuchservice"], /Unknown endpoint service "nosuchservice"/],
    [["add-endpoint", "email-smtp"], /not offered in us-east-1a, us-east-1b/],
    [["add-endpoint", "secretsmanager", "--policy", "bad.json"], /not valid JSON/],
    [["add-endpoint", "secretsmanager", "--policy", "bad2.json"], /Effect must be/],
    [["add-endpoint", "secretsmanager", "--allow-from", "sg-0123456789abcdef0"], /no such security group/],
    [["add-endpoint", "secretsmanager", "--allow-from", "lambda:ghost"], /no Lambda function named "ghost"/],
    [["add-endpoint", "secretsmanager", "--allow-from", "lambda:sms-sender"], /not attached to the plan's VPC/],
    [["add-endpoint", "secretsmanager", "--allow-from", "somewhere"], /expected lambda:NAME, sg-… or a CIDR/],
    [["add-endpoint", "secretsmanager", "--policy", "least-privilege"], /needs --principal/],
    [["add-endpoint", "--for", "msk-esm", "sts"], /chooses the services itself/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(...argv);
    assert.equal(r.code, 2, `${argv.join(" ")} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(" "));
  }
  assert.equal(sandbox.stats().mutatingCalls, before, "no mutating call");
});

test("a shared role keeps the ENI policy egress-cli attached while another function of the plan still needs it (detach-lambda and destroy)", async () => {
  const { cwd, file } = await setup("shared");
  // zz-sender runs under sms-sender's role (the sandbox has no CreateFunction: add it to the state file).
  const st = readSandboxState(file);
  const fns = st.regions["us-east-1"].ext.lambda.functions;
  fns["zz-sender"] = { ...fns["sms-sender"], FunctionName: "zz-sender" };
  writeFileSync(file, JSON.stringify(st));
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env, sandbox });
  const policy = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
  const attached = () => roleOf(sandbox, "sms-sender-role").attached.includes(policy);
  const a = await run("attach-lambda", "--function", "sms-sender", "--json");
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.json().iam.changed, true);
  const b = await run("attach-lambda", "--function", "zz-sender", "--json");
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.json().iam.changed, false, "B relies on the policy attached for A");
  // Detaching A keeps the policy (B needs it) and says why.
  const detA = await run("detach-lambda", "--function", "sms-sender", "--json");
  assert.equal(detA.code, 0, detA.stderr);
  assert.ok(attached(), "still attached for zz-sender");
  const kept = detA.json().kept.find((k: any) => k.step === "lambda/sms-sender/iam");
  assert.match(kept?.reason ?? "", /also the execution role of zz-sender/);
  assert.ok(!detA.json().undone.includes("lambda/sms-sender/iam"));
  // Detaching B, the last user, removes it.
  const detB = await run("detach-lambda", "--function", "zz-sender", "--json");
  assert.equal(detB.code, 0, detB.stderr);
  assert.ok(detB.json().undone.includes("lambda/sms-sender/iam"));
  assert.ok(!attached());
  // destroy: A and B attached again; one step at a time, A's attachment would come right after A's
  // config (it sorts before zz-sender's): it must wait until B's config is restored too.
  assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
  assert.equal((await run("attach-lambda", "--function", "zz-sender")).code, 0);
  assert.ok(attached());
  const d = await run("--max-parallel", "1", "destroy", "--yes", "--json");
  assert.equal(d.code, 0, d.stderr);
  const order = d.json().deleted.map((x: any) => x.step);
  assert.ok(order.indexOf("lambda/sms-sender/iam") > order.indexOf("lambda/zz-sender/vpc-config"), order.join(", "));
  assert.ok(!attached());
});
