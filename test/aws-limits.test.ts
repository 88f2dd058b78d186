// Issue 19 (item 7): AWS limits known before the first call. The pure checks (src/aws/limits.ts) with plain
// data; add-endpoint refusing, before any change, endpoints whose routes would pass a table's quota; the
// sandbox holding to the same quotas with AWS's error codes (RouteLimitExceeded,
// RulesPerSecurityGroupLimitExceeded), so a command that skipped the check would fail half-way there too.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { LIMITS, endpointQuotaProblems, lengthProblem, routeCountProblems, ruleCountProblems, tagProblems } from "../src/aws/limits.js";
import { cleanEnv, cli, openSandbox, tempDir } from "./helpers.js";

test("limits: tags, names, rules, routes and endpoints against AWS's numbers", () => {
  assert.deepEqual(tagProblems("x", [{ Key: "Name", Value: "a" }]), []);
  const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  assert.match(tagProblems("x", many)[0], /51 tags; AWS allows 50/);
  assert.match(tagProblems("x", [{ Key: "k".repeat(129), Value: "v" }])[0], /129 characters; AWS allows 128/);
  assert.match(tagProblems("x", [{ Key: "k", Value: "é".repeat(257) }])[0], /257 characters; AWS allows 256/);
  assert.match(tagProblems("x", [{ Key: "aws:foo", Value: "v" }])[0], /reserves/);
  assert.equal(lengthProblem("role", "r".repeat(64), LIMITS.iamRoleNameChars), undefined);
  assert.match(lengthProblem("role", "r".repeat(65), LIMITS.iamRoleNameChars)!, /65 characters; AWS allows 64/);
  assert.deepEqual(ruleCountProblems("g", 60, 60), []);
  assert.equal(ruleCountProblems("g", 61, 61).length, 2);
  assert.deepEqual(routeCountProblems([{ id: "rtb-1", routes: 48, adding: 2 }]), []);
  assert.match(routeCountProblems([{ id: "rtb-1", routes: 49, adding: 2 }, { id: "rtb-2", routes: 49, adding: 0 }]).join(), /rtb-1 holds 49 routes; 2 more/);
  assert.deepEqual(endpointQuotaProblems({ vpcId: "vpc-1", region: "us-east-1", interfaceInVpc: 49, newInterface: 1, gatewayInRegion: 19, newGateway: 1 }), []);
  assert.equal(endpointQuotaProblems({ vpcId: "vpc-1", region: "us-east-1", interfaceInVpc: 50, newInterface: 1, gatewayInRegion: 20, newGateway: 1 }).length, 2);
});

test("add-endpoint s3 dynamodb on a private route table holding 49 routes: refused (exit 2) before any change, the table named; the sandbox refuses a 51st route itself", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env: cleanEnv(), sandbox });
  assert.equal((await run("create-vpc", "--name", "lim", "--cidr", "10.0.0.0/16", "--azs", "1")).code, 0);
  const r = (sandbox.state().regions["us-east-1"] as any);
  const table = Object.values<any>(r.routeTables).find((t) => t.Tags?.some((x: any) => x.Key === "egress-cli:step" && x.Value.startsWith("route-table/private/")));
  const igw = Object.values<any>(r.internetGateways).find((g) => g.VpcId === table.VpcId).InternetGatewayId;
  for (let i = table.Routes.length; i < 49; i++) await sandbox.call("ec2", "CreateRoute", { RouteTableId: table.RouteTableId, DestinationCidrBlock: `192.168.${i}.0/24`, GatewayId: igw }, "us-east-1");
  const before = sandbox.stats().mutatingCalls;
  const refused = await run("add-endpoint", "s3", "dynamodb");
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`${table.RouteTableId} holds 49 routes; 2 more would pass the quota of 50`));
  assert.equal(sandbox.stats().mutatingCalls, before, "nothing created");
  const one = await run("add-endpoint", "s3");
  assert.equal(one.code, 0, one.stderr);
  await assert.rejects(sandbox.call("ec2", "CreateRoute", { RouteTableId: table.RouteTableId, DestinationCidrBlock: "192.168.200.0/24", GatewayId: igw }, "us-east-1"), (e: any) => e.name === "RouteLimitExceeded");
});

test("sandbox: a security group takes 60 inbound rules, the 61st is RulesPerSecurityGroupLimitExceeded", async () => {
  const cwd = tempDir();
  const sandbox = await openSandbox(path.join(cwd, "sb.json"));
  const vpc = (await sandbox.call("ec2", "CreateVpc", { CidrBlock: "10.9.0.0/16" }, "us-east-1")).Vpc.VpcId;
  const g = (await sandbox.call("ec2", "CreateSecurityGroup", { GroupName: "lim", Description: "lim", VpcId: vpc }, "us-east-1")).GroupId;
  const perm = (i: number) => ({ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: `10.${i}.0.0/16` }] });
  await sandbox.call("ec2", "AuthorizeSecurityGroupIngress", { GroupId: g, IpPermissions: Array.from({ length: 60 }, (_, i) => perm(i)) }, "us-east-1");
  await assert.rejects(sandbox.call("ec2", "AuthorizeSecurityGroupIngress", { GroupId: g, IpPermissions: [perm(60)] }, "us-east-1"), (e: any) => e.name === "RulesPerSecurityGroupLimitExceeded");
});

test("add-nat on a private route table already holding 50 routes: refused (exit 2) before the Elastic IP and the NAT gateway are made", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env: cleanEnv(), sandbox });
  assert.equal((await run("create-vpc", "--name", "limnat", "--cidr", "10.0.0.0/16", "--azs", "1")).code, 0);
  const r = sandbox.state().regions["us-east-1"] as any;
  const table = Object.values<any>(r.routeTables).find((t) => t.Tags?.some((x: any) => x.Key === "egress-cli:step" && x.Value.startsWith("route-table/private/")));
  const igw = Object.values<any>(r.internetGateways).find((g) => g.VpcId === table.VpcId).InternetGatewayId;
  for (let i = table.Routes.length; i < 50; i++) await sandbox.call("ec2", "CreateRoute", { RouteTableId: table.RouteTableId, DestinationCidrBlock: `192.168.${i}.0/24`, GatewayId: igw }, "us-east-1");
  const before = sandbox.stats().mutatingCalls;
  const refused = await run("add-nat");
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`${table.RouteTableId} holds 50 routes; 1 more would pass the quota of 50`));
  assert.equal(sandbox.stats().mutatingCalls, before, "no Elastic IP, no NAT gateway");
});
