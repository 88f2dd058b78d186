// Scenario S1 end to end on the sandbox: create-vpc → add-nat → status → destroy, through the
// real CLI entry point, checked against the emulated account.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { cli, cleanEnv, openSandbox, tempDir } from "./helpers.js";

test("S1: create-vpc (2 AZs) → add-nat single → status → destroy leaves nothing tagged with the plan", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  const g = ["--sandbox-file", file];

  const vpc = await cli([...g, "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2", "--json"], { cwd, env, sandbox });
  assert.equal(vpc.code, 0, vpc.stderr);
  const v = vpc.json();
  assert.match(v.vpcId, /^vpc-[0-9a-f]{17}$/);
  assert.equal(v.subnets.length, 4);
  assert.deepEqual(v.subnets.map((s: any) => s.cidr).sort(), ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]);

  // The topology as AWS sees it: public table → IGW, private tables keep only local.
  const region = sandbox.state().regions["us-east-1"];
  const tables = Object.values(region.routeTables as Record<string, any>).filter((t: any) => t.VpcId === v.vpcId);
  assert.equal(tables.length, 4, "main + public + 2 private");
  const pub = tables.find((t: any) => t.Tags?.some((x: any) => x.Value === "route-table/public"));
  assert.ok(pub.Routes.some((r: any) => r.DestinationCidrBlock === "0.0.0.0/0" && r.GatewayId === v.internetGatewayId));
  assert.equal(pub.Associations.filter((a: any) => a.SubnetId).length, 2);

  const nat = await cli([...g, "add-nat", "--mode", "single", "--json"], { cwd, env, sandbox });
  assert.equal(nat.code, 0, nat.stderr);
  const n = nat.json();
  assert.equal(n.natGateways.length, 1);
  assert.equal(n.egressIps.length, 1);
  assert.match(n.egressIps[0], /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(n.routes.length, 2, "both private route tables route through the NAT");

  const status = await cli([...g, "status", "--json"], { cwd, env, sandbox });
  assert.equal(status.code, 0, status.stderr);
  const s = status.json();
  assert.deepEqual(s.egressIps, n.egressIps);
  assert.equal(s.cost.currency, "USD");
  assert.ok(Math.abs(s.cost.totalMonthly - (0.045 + 0.005) * 730) < 0.01, `cost ${s.cost.totalMonthly}`);

  // Human output names the egress IP and the cost.
  const human = await cli([...g, "status"], { cwd, env, sandbox });
  assert.match(human.stdout, new RegExp(n.egressIps[0].replace(/\./g, "\\.")));
  assert.match(human.stdout, /36\.50 USD/);

  // Re-running both commands changes nothing (idempotent).
  const before = sandbox.stats().mutatingCalls;
  assert.equal((await cli([...g, "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16"], { cwd, env, sandbox })).code, 0);
  assert.equal((await cli([...g, "add-nat", "--mode", "single"], { cwd, env, sandbox })).code, 0);
  assert.equal(sandbox.stats().mutatingCalls, before, "a re-run makes no change");

  const destroy = await cli([...g, "destroy", "--yes", "--json"], { cwd, env, sandbox });
  assert.equal(destroy.code, 0, destroy.stderr);
  assert.deepEqual(await sandbox.taggedResources("us-east-1", "egress-cli:plan", "sms-api"), []);
  const after = sandbox.state().regions["us-east-1"];
  assert.equal(Object.values(after.addresses as Record<string, any>).length, 0, "the allocated EIP was released");
});

test("S1 with your own Elastic IPs: per-az NATs use them, destroy keeps them allocated", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  const g = ["--sandbox-file", file];
  const a1 = await sandbox.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1");
  const a2 = await sandbox.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1");
  assert.equal((await cli([...g, "create-vpc", "--name", "byo", "--azs", "2"], { cwd, env, sandbox })).code, 0);
  const nat = await cli([...g, "add-nat", "--mode", "per-az", "--eip", a1.AllocationId, a2.AllocationId, "--json"], { cwd, env, sandbox });
  assert.equal(nat.code, 0, nat.stderr);
  assert.deepEqual(nat.json().egressIps.sort(), [a1.PublicIp, a2.PublicIp].sort());
  // per-az: each private table routes to the NAT in its own AZ.
  const r = nat.json();
  for (const route of r.routes) {
    const az = route.step.split("/")[2];
    const natInAz = r.natGateways.find((x: any) => x.az === az);
    assert.equal(route.target, natInAz.natGatewayId);
  }
  const destroy = await cli([...g, "destroy", "--yes"], { cwd, env, sandbox });
  assert.equal(destroy.code, 0, destroy.stderr);
  assert.deepEqual(await sandbox.taggedResources("us-east-1", "egress-cli:plan", "byo"), []);
  const ids = Object.values(sandbox.state().regions["us-east-1"].addresses as Record<string, any>).map((x: any) => x.AllocationId).sort();
  assert.deepEqual(ids, [a1.AllocationId, a2.AllocationId].sort(), "BYO EIPs are still allocated");
});
