// VPC Block Public Access in the sandbox (issue 22 item 3): the four operations (and Modify/Delete of an
// exclusion) in the SDK's shapes with AWS's states and errors; the emulated Reachability Analyzer and the
// offline analyzer both enforce it (VPC_BLOCK_PUBLIC_ACCESS_ENABLED); `snapshot` reads it, and one that
// could not (AccessDenied) leaves every internet verdict unknown.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { Sandbox } from "../src/sandbox/index.js";
import { collectSnapshot } from "../src/aws/snapshot.js";
import type { AwsClients } from "../src/aws/clients.js";
import { analyzePath } from "../src/analysis/analyzer.js";
import { s1 } from "./fixtures/analysis/build.js";
import { SANDBOX_CREDENTIALS, cleanEnv, cli, plugged, rejectsWithCode, sandboxKit, tempDir } from "./helpers.js";

test("options: default-state/off; a change is update-in-progress for 60 s (realistic latency), then update-complete; bad input refused", async () => {
  const { ec2, clock } = await sandboxKit({ latency: "realistic" });
  const first = (await ec2.describeVpcBlockPublicAccessOptions({})).VpcBlockPublicAccessOptions!;
  assert.equal(first.State, "default-state");
  assert.equal(first.InternetGatewayBlockMode, "off");
  assert.equal(first.ExclusionsAllowed, "allowed");
  const m = (await ec2.modifyVpcBlockPublicAccessOptions({ InternetGatewayBlockMode: "block-bidirectional" })).VpcBlockPublicAccessOptions!;
  assert.deepEqual([m.State, m.InternetGatewayBlockMode], ["update-in-progress", "block-bidirectional"]);
  assert.ok(m.LastUpdateTimestamp instanceof Date);
  await clock.sleep(59_000);
  assert.equal((await ec2.describeVpcBlockPublicAccessOptions({})).VpcBlockPublicAccessOptions!.State, "update-in-progress");
  await clock.sleep(1_000);
  assert.equal((await ec2.describeVpcBlockPublicAccessOptions({})).VpcBlockPublicAccessOptions!.State, "update-complete");
  await rejectsWithCode(ec2.modifyVpcBlockPublicAccessOptions({} as never), "MissingParameter");
  await rejectsWithCode(ec2.modifyVpcBlockPublicAccessOptions({ InternetGatewayBlockMode: "block-everything" as never }), "InvalidParameterValue", /block-bidirectional/);
  await rejectsWithCode(ec2.modifyVpcBlockPublicAccessOptions({ InternetGatewayBlockMode: "off", DryRun: true }), "DryRunOperation");
  // DescribeVpcs reports the Region's mode on each VPC
  const vpcs = await ec2.describeVpcs({});
  assert.ok(vpcs.Vpcs!.length > 0 && vpcs.Vpcs!.every((v) => v.BlockPublicAccessStates?.InternetGatewayBlockMode === "block-bidirectional"));
});

test("exclusions: create (VPC or subnet, exactly one), describe with filters, modify, delete; states and errors", async () => {
  const { ec2, clock } = await sandboxKit({ latency: "realistic" });
  const vpcId = (await ec2.describeVpcs({})).Vpcs![0]!.VpcId!;
  const subnetId = (await ec2.describeSubnets({})).Subnets![0]!.SubnetId!;
  await rejectsWithCode(ec2.createVpcBlockPublicAccessExclusion({ InternetGatewayExclusionMode: "allow-egress" }), "InvalidParameterCombination");
  await rejectsWithCode(ec2.createVpcBlockPublicAccessExclusion({ InternetGatewayExclusionMode: "allow-egress", VpcId: vpcId, SubnetId: subnetId }), "InvalidParameterCombination");
  await rejectsWithCode(ec2.createVpcBlockPublicAccessExclusion({ InternetGatewayExclusionMode: "allow-egress", VpcId: "vpc-0123456789abcdef0" }), "InvalidVpcID.NotFound");
  await rejectsWithCode(ec2.createVpcBlockPublicAccessExclusion({ InternetGatewayExclusionMode: "allow-everything" as never, VpcId: vpcId }), "InvalidParameterValue");
  const created = (await ec2.createVpcBlockPublicAccessExclusion({ SubnetId: subnetId, InternetGatewayExclusionMode: "allow-egress", TagSpecifications: [{ ResourceType: "vpc-block-public-access-exclusion", Tags: [{ Key: "team", Value: "net" }] }] })).VpcBlockPublicAccessExclusion!;
  assert.match(created.ExclusionId!, /^exclusion-[0-9a-f]{17}$/);
  assert.equal(created.State, "create-in-progress");
  assert.equal(created.ResourceArn, `arn:aws:ec2:us-east-1:${(await ec2.describeVpcs({})).Vpcs![0]!.OwnerId}:subnet/${subnetId}`);
  await rejectsWithCode(ec2.createVpcBlockPublicAccessExclusion({ SubnetId: subnetId, InternetGatewayExclusionMode: "allow-bidirectional" }), "InvalidParameterValue", /already exists/);
  await clock.sleep(60_000);
  const vpcEx = (await ec2.createVpcBlockPublicAccessExclusion({ VpcId: vpcId, InternetGatewayExclusionMode: "allow-bidirectional" })).VpcBlockPublicAccessExclusion!;
  const list = await ec2.describeVpcBlockPublicAccessExclusions({});
  assert.deepEqual(list.VpcBlockPublicAccessExclusions!.map((e) => [e.ExclusionId, e.State]).sort(), [[created.ExclusionId, "create-complete"], [vpcEx.ExclusionId, "create-in-progress"]].sort());
  const egressOnly = await ec2.describeVpcBlockPublicAccessExclusions({ Filters: [{ Name: "internet-gateway-exclusion-mode", Values: ["allow-egress"] }] });
  assert.deepEqual(egressOnly.VpcBlockPublicAccessExclusions!.map((e) => e.ExclusionId), [created.ExclusionId]);
  const byTag = await ec2.describeVpcBlockPublicAccessExclusions({ Filters: [{ Name: "tag:team", Values: ["net"] }] });
  assert.deepEqual(byTag.VpcBlockPublicAccessExclusions!.map((e) => e.ExclusionId), [created.ExclusionId]);
  await rejectsWithCode(ec2.describeVpcBlockPublicAccessExclusions({ Filters: [{ Name: "colour", Values: ["x"] }] }), "InvalidParameterValue");
  // modify: update-in-progress → update-complete; not while another change is in progress
  await rejectsWithCode(ec2.modifyVpcBlockPublicAccessExclusion({ ExclusionId: vpcEx.ExclusionId, InternetGatewayExclusionMode: "allow-egress" }), "IncorrectState");
  const mod = (await ec2.modifyVpcBlockPublicAccessExclusion({ ExclusionId: created.ExclusionId, InternetGatewayExclusionMode: "allow-bidirectional" })).VpcBlockPublicAccessExclusion!;
  assert.deepEqual([mod.State, mod.InternetGatewayExclusionMode], ["update-in-progress", "allow-bidirectional"]);
  await clock.sleep(60_000);
  const del = (await ec2.deleteVpcBlockPublicAccessExclusion({ ExclusionId: created.ExclusionId })).VpcBlockPublicAccessExclusion!;
  assert.equal(del.State, "delete-in-progress");
  assert.ok(del.DeletionTimestamp instanceof Date);
  await clock.sleep(60_000);
  const after = await ec2.describeVpcBlockPublicAccessExclusions({ Filters: [{ Name: "state", Values: ["delete-complete"] }] });
  assert.deepEqual(after.VpcBlockPublicAccessExclusions!.map((e) => e.ExclusionId), [created.ExclusionId]);
  await rejectsWithCode(ec2.deleteVpcBlockPublicAccessExclusion({ ExclusionId: created.ExclusionId }), "InvalidVpcBlockPublicAccessExclusionId.NotFound");
  await rejectsWithCode(ec2.describeVpcBlockPublicAccessExclusions({ ExclusionIds: ["exclusion-00000000000000000"] }), "InvalidVpcBlockPublicAccessExclusionId.NotFound");
});

const PREFIXES = ["subnet", "igw", "rtb", "acl", "eni", "nat", "eipalloc", "vpc", "sg"];
/** The builder's readable ids as real-looking ones the sandbox accepts. */
function realIds<T>(doc: T): { doc: T; id: (s: string) => string } {
  const map = new Map<string, string>();
  const to = (s: string): string => {
    const prefix = PREFIXES.find((p) => s.startsWith(`${p}-`) && !/^[a-z]+-[0-9a-f]{17}$/.test(s));
    if (!prefix || s.includes(":") || s.includes("/")) return s;
    if (!map.has(s)) map.set(s, `${prefix}-${createHash("sha256").update(s).digest("hex").slice(0, 17)}`);
    return map.get(s)!;
  };
  const deep = (v: unknown): unknown => (typeof v === "string" ? to(v) : Array.isArray(v) ? v.map(deep) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v);
  return { doc: deep(doc) as T, id: to };
}

test("BPA block-bidirectional set with an SDK call: Reachability Analyzer (emulated) and --local both answer VPC_BLOCK_PUBLIC_ACCESS_ENABLED; excluding the NAT subnets (allow-egress) restores the egress", async () => {
  const { doc, id } = realIds(s1().build());
  const sandbox = await Sandbox.open({ env: {} });
  await sandbox.importSnapshot(doc);
  const cwd = tempDir("egress-bpa-");
  const ask = (...extra: string[]) => cli(["--sandbox", "analyze-path", "--from", "lambda:sms-sender", "--to", "igw", "--json", ...extra], { cwd, env: cleanEnv(), sandbox });
  for (const mode of [["--local"], []]) assert.equal((await ask(...mode)).code, 0);

  await sandbox.call("ec2", "ModifyVpcBlockPublicAccessOptions", { InternetGatewayBlockMode: "block-bidirectional" }, "us-east-1");
  for (const mode of [["--local"], []]) {
    const r = await ask(...mode);
    assert.equal(r.code, 4, `${mode.join("") || "RA"}: ${r.stdout}${r.stderr}`);
    const e = r.json().result.explanations[0];
    assert.equal(e.code, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED");
    assert.equal(e.component.id, id("igw-sms"));
  }
  const text = await cli(["--sandbox", "analyze-path", "--from", "lambda:sms-sender", "--to", "igw", "--local"], { cwd, env: cleanEnv(), sandbox });
  assert.match(text.stdout, /VPC_BLOCK_PUBLIC_ACCESS_ENABLED/);
  assert.match(text.stdout, /block-bidirectional/);

  for (const s of ["subnet-pub-a", "subnet-pub-b"]) await sandbox.call("ec2", "CreateVpcBlockPublicAccessExclusion", { SubnetId: id(s), InternetGatewayExclusionMode: "allow-egress" }, "us-east-1");
  for (const mode of [["--local"], []]) {
    const r = await ask(...mode);
    assert.equal(r.code, 0, `${mode.join("") || "RA"}: ${r.stdout}${r.stderr}`);
  }
  // block-ingress: NAT gateway egress allowed without any exclusion
  await sandbox.call("ec2", "ModifyVpcBlockPublicAccessOptions", { InternetGatewayBlockMode: "block-ingress" }, "us-east-1");
  for (const ex of (await sandbox.call("ec2", "DescribeVpcBlockPublicAccessExclusions", {}, "us-east-1")).VpcBlockPublicAccessExclusions) {
    await sandbox.call("ec2", "DeleteVpcBlockPublicAccessExclusion", { ExclusionId: ex.ExclusionId }, "us-east-1");
  }
  for (const mode of [["--local"], []]) assert.equal((await ask(...mode)).code, 0);
});

test("snapshot reads BPA; a snapshot denied DescribeVpcBlockPublicAccessOptions omits it and every internet verdict is unknown (exit 6), with how to collect", async () => {
  const { doc, id } = realIds(s1().build());
  const sandbox = await Sandbox.open({ env: {} });
  await sandbox.importSnapshot(doc);
  await sandbox.call("ec2", "ModifyVpcBlockPublicAccessOptions", { InternetGatewayBlockMode: "block-ingress" }, "us-east-1");
  const creds = SANDBOX_CREDENTIALS;
  const clients = (deny: boolean) => {
    const ec2 = plugged(sandbox, new EC2Client({ region: "us-east-1", credentials: creds }));
    if (deny) {
      ec2.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === "DescribeVpcBlockPublicAccessOptionsCommand") throw Object.assign(new Error("You are not authorized to perform this operation."), { name: "UnauthorizedOperation", Code: "UnauthorizedOperation", $metadata: { httpStatusCode: 403 } });
          return next(args);
        },
        { step: "initialize", name: "denyBpa" },
      );
    }
    const lambda = plugged(sandbox, new LambdaClient({ region: "us-east-1", credentials: creds }), "lambda");
    const lattice = plugged(sandbox, new VPCLatticeClient({ region: "us-east-1", credentials: creds }), "vpc-lattice");
    return { region: "us-east-1", backend: "test", ec2: async () => ec2, lambda: async () => lambda, lattice: async () => lattice, accountId: async () => "123456789012" } as unknown as AwsClients;
  };
  const read = await collectSnapshot(clients(false));
  assert.equal(read.vpcBlockPublicAccessOptions?.InternetGatewayBlockMode, "block-ingress");
  assert.deepEqual(read.vpcBlockPublicAccessExclusions, []);
  assert.equal(analyzePath(read, { source: "lambda:sms-sender", destination: "igw" }).verdict, "reachable");

  const denied = await collectSnapshot(clients(true));
  assert.deepEqual(denied.omitted.map((o) => [o.resource, o.operation, o.code]), [["vpcBlockPublicAccess", "DescribeVpcBlockPublicAccessOptions", "UnauthorizedOperation"]]);
  assert.equal(denied.vpcBlockPublicAccessOptions, undefined);
  const r = analyzePath(denied, { source: "lambda:sms-sender", destination: "igw" });
  assert.equal(r.verdict, "unknown", JSON.stringify(r));
  assert.equal(r.unknownReasons[0]!.code, "NOT_COLLECTED");
  assert.equal(r.unknownReasons[0]!.component.id, id("igw-sms"));
  assert.match(r.unknownReasons[0]!.collect, /grant ec2:DescribeVpcBlockPublicAccessOptions/);
});
