// `sandbox call SERVICE OPERATION [JSON]`: any operation the sandbox implements, through the SDK client
// plugged into it (retries, journal, persistence, faults), with usage errors for what it cannot call.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { cli, cleanEnv, openSandbox, readSandboxState, spawnCli, tempDir } from "./helpers.js";
import { nearMatches, parseCallInput, resolveOperation } from "../src/commands/sandbox-call.js";
import { Sandbox } from "../src/sandbox/index.js";

async function setup(faults?: Record<string, unknown>) {
  const cwd = tempDir("egress-call-");
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file, faults);
  const call = (...args: string[]) => cli(["--sandbox-file", file, "sandbox", "call", ...args], { cwd, sandbox });
  return { cwd, file, sandbox, call };
}

test("a call answers with the operation's output shape, is journaled and persisted", async () => {
  const { file, sandbox, call } = await setup();
  const made = await call("ec2", "CreateVpc", '{"CidrBlock":"10.9.0.0/16","TagSpecifications":[{"ResourceType":"vpc","Tags":[{"Key":"Name","Value":"demo"}]}]}');
  assert.equal(made.code, 0, made.stderr);
  const vpc = made.json().Vpc;
  assert.match(vpc.VpcId, /^vpc-[0-9a-f]{17}$/);
  assert.equal(vpc.CidrBlock, "10.9.0.0/16");
  assert.equal(made.json().$metadata, undefined, "the SDK's $metadata is not part of the output shape");
  // the AWS CLI's spelling of the operation is the same operation
  const seen = await call("ec2", "describe-vpcs", JSON.stringify({ VpcIds: [vpc.VpcId] }));
  assert.equal(seen.code, 0, seen.stderr);
  assert.deepEqual(seen.json().Vpcs.map((v: any) => v.Tags), [[{ Key: "Name", Value: "demo" }]]);
  const ops = sandbox.journal.map((r) => `${r.operation}${r.mutating ? "*" : ""}`);
  assert.deepEqual(ops, ["CreateVpc*", "DescribeVpcs"]);
  // persisted: another process's view of the file holds the VPC
  assert.ok(readSandboxState(file).regions["us-east-1"].vpcs[vpc.VpcId]);
  const other = await Sandbox.open({ file, env: {} });
  assert.equal(other.stats().mutatingCalls, 1);
});

test("other services: sts, iam; no input means {}", async () => {
  const { sandbox, call } = await setup();
  const who = await call("sts", "GetCallerIdentity");
  assert.equal(who.code, 0, who.stderr);
  assert.equal(who.json().Account, sandbox.accountId);
  const role = await call("iam", "CreateRole", JSON.stringify({ RoleName: "demo", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
  assert.equal(role.code, 0, role.stderr);
  assert.equal(role.json().Role.RoleName, "demo");
});

test("injected throttling goes through the SDK's retry strategy like every other call", async () => {
  const { sandbox, call } = await setup({ throttleRate: 0.5, seed: 7 });
  for (let i = 0; i < 6; i++) {
    const r = await call("ec2", "DescribeVpcs");
    assert.equal(r.code, 0, r.stderr);
  }
  assert.ok(sandbox.journal.some((r) => r.errorCode === "RequestLimitExceeded"), "some attempts were throttled and retried");
  assert.equal(sandbox.journal.filter((r) => !r.errorCode).length, 6);
});

test("an AWS error is printed like other commands' (exit 1, the code; --json an error document)", async () => {
  const { call, cwd, file, sandbox } = await setup();
  const r = await call("ec2", "DeleteVpc", '{"VpcId":"vpc-0123456789abcdef0"}');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ec2 DeleteVpc failed: InvalidVpcID\.NotFound/);
  assert.equal(r.stdout, "");
  const j = await cli(["--sandbox-file", file, "--json", "sandbox", "call", "ec2", "DeleteVpc", '{"VpcId":"vpc-0123456789abcdef0"}'], { cwd, sandbox });
  assert.equal(j.code, 1);
  assert.equal(j.json().error.code, "InvalidVpcID.NotFound");
});

test("unknown service or operation: exit 2 with the nearest names; bad JSON: exit 2; all problems at once", async () => {
  const { call, sandbox } = await setup();
  const op = await call("ec2", "DescribeVpc");
  assert.equal(op.code, 2);
  assert.match(op.stderr, /does not implement ec2 DescribeVpc\. Did you mean DescribeVpcs\b/);
  const svc = await call("ec3", "DescribeVpcs");
  assert.equal(svc.code, 2);
  assert.match(svc.stderr, /no service named "ec3"\. Did you mean ec2\?/);
  const bad = await call("ec2", "CreateVpc", "{CidrBlock:1}");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not valid JSON/);
  const arr = await call("ec2", "CreateVpc", "[]");
  assert.equal(arr.code, 2);
  assert.match(arr.stderr, /must be a JSON object/);
  const both = await call("ec2", "CreateVpcs", "{");
  assert.equal(both.code, 2);
  assert.match(both.stderr, /2 problems/);
  assert.match(both.stderr, /not valid JSON/);
  assert.match(both.stderr, /Did you mean CreateVpc\b/);
  const extra = await call("ec2", "DescribeVpcs", "{}", "{}");
  assert.equal(extra.code, 2);
  assert.equal(sandbox.journal.length, 0, "nothing was called");
});

test("only with --sandbox: without it exit 2 and no sandbox file is made; --dry-run is refused", async () => {
  const cwd = tempDir("egress-call-");
  const r = await cli(["sandbox", "call", "ec2", "DescribeVpcs"], { cwd, env: cleanEnv() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--sandbox was not given/);
  assert.equal(existsSync(path.join(cwd, ".egress")), false);
  const d = await cli(["--sandbox", "--dry-run", "sandbox", "call", "ec2", "DescribeVpcs"], { cwd, env: cleanEnv() });
  assert.equal(d.code, 2);
  assert.match(d.stderr, /DryRun in their input/);
});

test("`sandbox call SERVICE list` lists what the sandbox implements", async () => {
  const { call } = await setup();
  const r = await call("ec2", "list");
  assert.equal(r.code, 0);
  const ops = r.stdout.trim().split("\n");
  assert.ok(ops.includes("CreateVpc") && ops.includes("DescribeRouteTables"));
});

test("resolveOperation / nearMatches / parseCallInput (plain data)", () => {
  const catalog = { ec2: ["CreateRoute", "CreateRouteTable", "DescribeVpcs"], "vpc-lattice": ["ListResourceGateways"] };
  assert.deepEqual(resolveOperation(catalog, "EC2", "create-route-table"), { service: "ec2", operation: "CreateRouteTable" });
  assert.deepEqual(resolveOperation(catalog, "vpc-lattice", "list_resource_gateways"), { service: "vpc-lattice", operation: "ListResourceGateways" });
  assert.throws(() => resolveOperation(catalog, "ec2", "CreateRoot"), /Did you mean CreateRoute\?/);
  assert.throws(() => resolveOperation(catalog, "lattice", "x"), /Did you mean vpc-lattice\?/);
  assert.deepEqual(nearMatches("zzzzzzzz", ["CreateVpc"]), []);
  assert.deepEqual(parseCallInput(undefined), {});
  assert.deepEqual(parseCallInput(" "), {});
  assert.deepEqual(parseCallInput('{"A":[1]}'), { A: [1] });
  assert.throws(() => parseCallInput("null"), /must be a JSON object/);
});

test("the built CLI: a call through the bundled SDK, then read back by another process", () => {
  const cwd = tempDir("egress-call-bin-");
  const made = spawnCli(["--sandbox", "sandbox", "call", "ec2", "CreateVpc", '{"CidrBlock":"10.42.0.0/16"}'], { cwd });
  assert.equal(made.status, 0, made.stderr);
  const id = JSON.parse(made.stdout).Vpc.VpcId;
  const read = spawnCli(["--sandbox", "sandbox", "call", "ec2", "DescribeVpcs", JSON.stringify({ VpcIds: [id] })], { cwd });
  assert.equal(read.status, 0, read.stderr);
  assert.equal(JSON.parse(read.stdout).Vpcs[0].CidrBlock, "10.42.0.0/16");
  const unknown = spawnCli(["--sandbox", "sandbox", "call", "ec2", "FlyToTheMoon"], { cwd });
  assert.equal(unknown.status, 2);
});
