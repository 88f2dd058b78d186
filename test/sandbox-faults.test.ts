// Sandbox faults, persistence, DryRun, tags and pagination, through the real SDK v3 client and its retry strategy.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import { SANDBOX_CREDENTIALS, plugged, readSandboxState, rejectsWithCode, sandboxKit } from "./helpers.js";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EC2 } from "@aws-sdk/client-ec2";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { Sandbox, SandboxCrash, parseFaults, parseLatency, type SandboxOpenOptions } from "../src/sandbox/index.js";

/** The SDK's retry strategy with 1 ms backoff: `attempts` in all. */
const retry = (attempts: number) => new ConfiguredRetryStrategy(attempts, () => 1);
const client = (sb: Sandbox, opts: { attempts?: number; region?: string } = {}) =>
  plugged(sb, new EC2({ region: opts.region ?? "us-east-1", credentials: SANDBOX_CREDENTIALS, retryStrategy: retry(opts.attempts ?? 1) }));
const setup = (opts: Omit<SandboxOpenOptions, "clock"> = {}, attempts = 1) => sandboxKit({ ...opts, ec2: { retryStrategy: retry(attempts) } });

const rejects = rejectsWithCode;

function tmpFile() {
  const dir = mkdtempSync(join(tmpdir(), "egress-sandbox-"));
  return { file: join(dir, "sandbox.json"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test("throttling is RequestLimitExceeded 503, retried by the SDK's real retry strategy", async () => {
  const { sb, ec2 } = await setup({ faults: { throttleRate: 0.5, seed: 7 } }, 20);
  for (let i = 0; i < 10; i++) await ec2.describeVpcs({});
  const throttled = sb.journal.filter((r) => r.errorCode === "RequestLimitExceeded");
  assert.ok(throttled.length > 0, "some calls were throttled");
  assert.equal(sb.journal.filter((r) => !r.errorCode).length, 10);
  // without retries the error surfaces with AWS's shape
  const once = client(sb, { attempts: 1 });
  let seen: any;
  for (let i = 0; i < 30 && !seen; i++) await once.describeVpcs({}).catch((e) => (seen = e));
  assert.equal(seen.name, "RequestLimitExceeded");
  assert.equal(seen.$metadata.httpStatusCode, 503);
  assert.equal(seen.$fault, "server");
});

test("throttled or failed calls change nothing; server errors are retried", async () => {
  const { sb, ec2 } = await setup({ faults: { serverErrorRate: 0.4, throttleRate: 0.2, seed: 3 } }, 30);
  for (let i = 0; i < 4; i++) await ec2.createVpc({ CidrBlock: `10.${i}.0.0/16` });
  assert.equal(Object.keys(sb.state().regions["us-east-1"].vpcs).length, 5);
  assert.equal(sb.stats().mutatingCalls, 4);
  assert.ok(sb.journal.some((r) => r.errorCode === "InternalError" || r.errorCode === "Unavailable"));
});

test("fault sequences are reproducible from the seed", async () => {
  const run = async () => {
    const { sb, ec2 } = await setup({ faults: { throttleRate: 0.3, seed: 42 } }, 50);
    for (let i = 0; i < 8; i++) await ec2.describeVpcs({});
    return sb.journal.map((r) => r.errorCode ?? "ok").join(",");
  };
  assert.equal(await run(), await run());
});

test("eventual consistency: a new resource is invisible for consistencyDelayMs", async () => {
  const { ec2, clock } = await setup({ faults: { consistencyDelayMs: 60 } });
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  await rejects(ec2.describeVpcs({ VpcIds: [VpcId] }), "InvalidVpcID.NotFound");
  await rejects(ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a" }), "InvalidVpcID.NotFound");
  assert.equal((await ec2.describeVpcs({})).Vpcs!.length, 1);
  await clock.sleep(59);
  await rejects(ec2.describeVpcs({ VpcIds: [VpcId] }), "InvalidVpcID.NotFound");
  await clock.sleep(1);
  assert.equal((await ec2.describeVpcs({ VpcIds: [VpcId] })).Vpcs!.length, 1);
});

test("latencyMs is added to every call", async () => {
  const { ec2, clock } = await setup({ faults: { latencyMs: 30 } });
  await ec2.describeVpcs({});
  await ec2.describeSubnets({});
  assert.equal(clock.elapsed(), 60);
});

test("crashMode throw: the Nth mutating call is applied and persisted, then every call is refused", async () => {
  const t = tmpFile();
  try {
    const { sb, ec2 } = await setup({ file: t.file, faults: { crashAfter: 2, crashMode: "throw" } });
    await ec2.createVpc({ CidrBlock: "10.0.0.0/16" });
    await ec2.describeVpcs({}); // not mutating
    await assert.rejects(ec2.createVpc({ CidrBlock: "10.1.0.0/16", DryRun: true }), (e: any) => e.name === "DryRunOperation"); // not mutating
    await assert.rejects(ec2.createVpc({ CidrBlock: "10.1.0.0/16" }), (e: unknown) => e instanceof SandboxCrash);
    await assert.rejects(ec2.describeVpcs({}), (e: unknown) => e instanceof SandboxCrash);
    const reopened = await Sandbox.open({ file: t.file, env: {} });
    const cidrs = Object.values(reopened.state().regions["us-east-1"].vpcs).map((v) => v.CidrBlock).sort();
    assert.deepEqual(cidrs, ["10.0.0.0/16", "10.1.0.0/16", "172.31.0.0/16"]);
    assert.equal(sb.journal.filter((r) => r.mutating).length, 2);
  } finally {
    t.cleanup();
  }
});

test("crashMode kill: a real SIGKILL right after the Nth mutating call is persisted (env configured)", () => {
  const t = tmpFile();
  try {
    const code = `
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
      const { EC2 } = await import("@aws-sdk/client-ec2");
      const { Sandbox, plugSandbox } = await import(${JSON.stringify(new URL("../src/sandbox/index.ts", import.meta.url).pathname)});
      const sb = await Sandbox.open({ file: ${JSON.stringify(t.file)} });
      const ec2 = new EC2({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
      plugSandbox(ec2, sb, "ec2");
      await ec2.createVpc({ CidrBlock: "10.0.0.0/16" });
      await ec2.createVpc({ CidrBlock: "10.1.0.0/16" });
      console.log("survived");
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: new URL("..", import.meta.url).pathname,
      env: { ...process.env, EGRESS_SANDBOX_FAULTS: "crashAfter=1,crashMode=kill,seed=1" },
      encoding: "utf8",
    });
    assert.equal(r.signal, "SIGKILL", r.stderr);
    assert.doesNotMatch(r.stdout, /survived/);
    const state = readSandboxState(t.file);
    const cidrs = Object.values(state.regions["us-east-1"].vpcs).map((v: any) => v.CidrBlock).sort();
    assert.deepEqual(cidrs, ["10.0.0.0/16", "172.31.0.0/16"]);
  } finally {
    t.cleanup();
  }
});

test("persistence round trip: state, account id, counters and journal survive a reopen", async () => {
  const t = tmpFile();
  try {
    const { sb, ec2 } = await setup({ file: t.file });
    const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "p" }] }] })).Vpc!.VpcId!;
    const eip = await ec2.allocateAddress({});
    const again = await Sandbox.open({ file: t.file, env: {} });
    assert.equal(again.accountId, sb.accountId);
    assert.deepEqual(again.stats(), sb.stats());
    assert.equal(again.state().journal.length, sb.journal.length);
    const ec2b = client(again);
    const v = (await ec2b.describeVpcs({ VpcIds: [VpcId] })).Vpcs![0];
    assert.deepEqual(v.Tags, [{ Key: "Name", Value: "p" }]);
    assert.equal((await ec2b.describeAddresses({})).Addresses![0].PublicIp, eip.PublicIp);
    assert.equal(again.journal.length, 2); // this process's calls only
    await again.reset();
    assert.notEqual(again.accountId, sb.accountId);
    const third = await Sandbox.open({ file: t.file, env: {} });
    assert.equal(third.accountId, again.accountId);
    assert.equal((await client(third).describeVpcs({})).Vpcs!.length, 1);
  } finally {
    t.cleanup();
  }
});

test("DryRun: DryRunOperation 412 after validation, nothing changes, not counted as mutating", async () => {
  const { sb, ec2 } = await setup();
  await assert.rejects(ec2.createVpc({ CidrBlock: "10.0.0.0/16", DryRun: true }), (e: any) => {
    assert.equal(e.name, "DryRunOperation");
    assert.equal(e.message, "Request would have succeeded, but DryRun flag is set.");
    assert.equal(e.$metadata.httpStatusCode, 412);
    return true;
  });
  await rejects(ec2.createVpc({ CidrBlock: "10.0.0.0/8", DryRun: true }), "InvalidVpc.Range");
  await rejects(ec2.describeVpcs({ DryRun: true }), "DryRunOperation");
  await rejects(ec2.allocateAddress({ DryRun: true }), "DryRunOperation");
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  await rejects(ec2.deleteVpc({ VpcId, DryRun: true }), "DryRunOperation");
  await rejects(ec2.createTags({ Resources: [VpcId], Tags: [{ Key: "a", Value: "b" }], DryRun: true }), "DryRunOperation");
  assert.equal((await ec2.describeVpcs({})).Vpcs!.length, 2);
  assert.equal((await ec2.describeAddresses({})).Addresses!.length, 0);
  assert.equal(sb.stats().mutatingCalls, 1);
  assert.ok(sb.journal.filter((r) => r.dryRun).every((r) => !r.mutating));
});

test("DryRun on every mutating operation changes nothing", async () => {
  const { sb, ec2 } = await setup();
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const SubnetId = (await ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a" })).Subnet!.SubnetId!;
  const igw = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  await ec2.attachInternetGateway({ InternetGatewayId: igw, VpcId });
  const rtb = (await ec2.createRouteTable({ VpcId })).RouteTable!.RouteTableId!;
  const assoc = (await ec2.associateRouteTable({ RouteTableId: rtb, SubnetId })).AssociationId!;
  await ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  const eip = (await ec2.allocateAddress({})).AllocationId!;
  const sg = (await ec2.createSecurityGroup({ VpcId, GroupName: "g", Description: "g" })).GroupId!;
  const rtb2 = (await ec2.createRouteTable({ VpcId })).RouteTable!.RouteTableId!;
  const DryRun = true;
  const perm = [{ IpProtocol: "tcp", FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }];
  const calls: Array<() => Promise<unknown>> = [
    () => ec2.createVpc({ DryRun, CidrBlock: "10.1.0.0/16" }),
    () => ec2.createSubnet({ DryRun, VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1b" }),
    () => ec2.createInternetGateway({ DryRun }),
    () => ec2.detachInternetGateway({ DryRun, InternetGatewayId: igw, VpcId }),
    () => ec2.createRouteTable({ DryRun, VpcId }),
    () => ec2.deleteRouteTable({ DryRun, RouteTableId: rtb2 }),
    () => ec2.replaceRouteTableAssociation({ DryRun, AssociationId: assoc, RouteTableId: rtb2 }),
    () => ec2.disassociateRouteTable({ DryRun, AssociationId: assoc }),
    () => ec2.createRoute({ DryRun, RouteTableId: rtb, DestinationCidrBlock: "1.0.0.0/8", GatewayId: igw }),
    () => ec2.replaceRoute({ DryRun, RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }),
    () => ec2.deleteRoute({ DryRun, RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0" }),
    () => ec2.createNatGateway({ DryRun, SubnetId, AllocationId: eip }),
    () => ec2.releaseAddress({ DryRun, AllocationId: eip }),
    () => ec2.createSecurityGroup({ DryRun, VpcId, GroupName: "h", Description: "h" }),
    () => ec2.authorizeSecurityGroupIngress({ DryRun, GroupId: sg, IpPermissions: perm }),
    () => ec2.deleteSecurityGroup({ DryRun, GroupId: sg }),
    () => ec2.deleteTags({ DryRun, Resources: [VpcId] }),
  ];
  const before = JSON.stringify(sb.state().regions);
  for (const c of calls) await rejects(c(), "DryRunOperation");
  assert.equal(JSON.stringify(sb.state().regions), before);
});

test("tags: CreateTags/DeleteTags/DescribeTags and tag filters with wildcards", async () => {
  const { sb, ec2 } = await setup();
  const a = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const b = (await ec2.createVpc({ CidrBlock: "10.1.0.0/16" })).Vpc!.VpcId!;
  await ec2.createTags({ Resources: [a, b], Tags: [{ Key: "egress-cli:stack", Value: "sms-api" }] });
  await ec2.createTags({ Resources: [a], Tags: [{ Key: "Name", Value: "alpha" }] });
  const byTag = await ec2.describeVpcs({ Filters: [{ Name: "tag:egress-cli:stack", Values: ["sms-*"] }] });
  assert.equal(byTag.Vpcs!.length, 2);
  assert.equal((await ec2.describeVpcs({ Filters: [{ Name: "tag-key", Values: ["Name"] }] })).Vpcs!.length, 1);
  assert.equal((await ec2.describeVpcs({ Filters: [{ Name: "tag-value", Values: ["alpha", "nope"] }] })).Vpcs![0].VpcId, a);
  assert.equal((await ec2.describeVpcs({ Filters: [{ Name: "tag:Name", Values: ["alpha"] }, { Name: "is-default", Values: ["true"] }] })).Vpcs!.length, 0);
  const tags = await ec2.describeTags({ Filters: [{ Name: "resource-id", Values: [a] }] });
  assert.deepEqual(tags.Tags!.map((t) => [t.Key, t.ResourceType]), [["Name", "vpc"], ["egress-cli:stack", "vpc"]]);
  // resource-type (destroy's sweep names its kinds), exact or with a wildcard, with the other filters
  const subnet = (await ec2.createSubnet({ VpcId: a, CidrBlock: "10.0.1.0/24", TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "egress-cli:stack", Value: "sms-api" }] }] })).Subnet!.SubnetId!;
  const eip = (await ec2.allocateAddress({ Domain: "vpc", TagSpecifications: [{ ResourceType: "elastic-ip", Tags: [{ Key: "egress-cli:stack", Value: "sms-api" }] }] })).AllocationId!;
  const stack = (types: string[]) => ec2.describeTags({ Filters: [{ Name: "key", Values: ["egress-cli:stack"] }, { Name: "value", Values: ["sms-api"] }, { Name: "resource-type", Values: types }] });
  assert.deepEqual((await stack(["subnet", "elastic-ip"])).Tags!.map((t) => [t.ResourceId, t.ResourceType]).sort(), [[eip, "elastic-ip"], [subnet, "subnet"]].sort());
  assert.deepEqual((await stack(["vp*"])).Tags!.map((t) => t.ResourceId).sort(), [a, b].sort());
  assert.deepEqual((await stack(["natgateway"])).Tags, []);
  await ec2.deleteTags({ Resources: [a], Tags: [{ Key: "Name" }] });
  assert.equal((await ec2.describeVpcs({ VpcIds: [a] })).Vpcs![0].Tags!.length, 1);
  await rejects(ec2.createTags({ Resources: [a], Tags: [{ Key: "aws:x", Value: "y" }] }), "InvalidParameterValue");
  assert.deepEqual((await sb.taggedResources("us-east-1", "egress-cli:stack", "sms-api")).map((r) => r.id).sort(), [a, b, subnet, eip].sort());
});

test("pagination: MaxResults/NextToken on Describe calls, range checked", async () => {
  const { ec2 } = await setup();
  for (let i = 0; i < 6; i++) await ec2.createVpc({ CidrBlock: `10.${i}.0.0/16` });
  const seen: string[] = [];
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const r = await ec2.describeVpcs({ MaxResults: 5, NextToken });
    seen.push(...r.Vpcs!.map((v) => v.VpcId!));
    NextToken = r.NextToken;
    pages++;
  } while (NextToken);
  assert.equal(pages, 2);
  assert.equal(new Set(seen).size, 7);
  await rejects(ec2.describeVpcs({ MaxResults: 2 }), "InvalidParameterValue");
  await rejects(ec2.describeVpcs({ NextToken: "garbage" }), "InvalidPaginationToken");
});

test("env parsing: EGRESS_SANDBOX_FAULTS and EGRESS_SANDBOX_LATENCY; explicit options win", async () => {
  assert.deepEqual(parseFaults("throttleRate=0.3,serverErrorRate=0.05,consistencyDelayMs=50,crashAfter=7,crashMode=kill,seed=1"), {
    throttleRate: 0.3,
    serverErrorRate: 0.05,
    consistencyDelayMs: 50,
    crashAfter: 7,
    crashMode: "kill",
    seed: 1,
  });
  assert.deepEqual(parseLatency("realistic:0.01"), { latency: "realistic", timeScale: 0.01 });
  assert.throws(() => parseFaults("bogus=1"));
  const sb = await Sandbox.open({ env: { EGRESS_SANDBOX_FAULTS: "consistencyDelayMs=100000" }, faults: { consistencyDelayMs: 0 } });
  const ec2 = client(sb);
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  assert.equal((await ec2.describeVpcs({ VpcIds: [VpcId] })).Vpcs!.length, 1);
  const slow = await Sandbox.open({ env: { EGRESS_SANDBOX_FAULTS: "consistencyDelayMs=100000" } });
  const ec2s = client(slow);
  const v2 = (await ec2s.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  await rejects(ec2s.describeVpcs({ VpcIds: [v2] }), "InvalidVpcID.NotFound");
});

test("reset with examples seeds broken VPCs; summary lists them", async () => {
  const { sb, ec2 } = await setup();
  await sb.reset({ examples: true });
  const vpcs = (await ec2.describeVpcs({ Filters: [{ Name: "tag-key", Values: ["egress-cli:example"] }] })).Vpcs!;
  assert.equal(vpcs.filter((v) => v.CidrBlock === "10.0.0.0/16").length, 2);
  const s = (await sb.summary()) as any;
  assert.equal(s.accountId, sb.accountId);
  assert.equal(s.regions["us-east-1"].vpcs.length, 5);
});
