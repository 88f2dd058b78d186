// import (S5): adopt a legacy VPC whose private subnet has no way out, add a NAT gateway to it,
// then destroy: only what egress-cli created goes away; the imported VPC is untouched. Also
// --dry-run: says what would happen, proves permissions with DryRun, changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { accountSignature, cli, cleanEnv, openSandbox, tempDir } from "./helpers.js";
import type { Sandbox } from "../src/sandbox/index.js";

const R = "us-east-1";

/** The S5 legacy stack's network: public subnet routed to an IGW, private subnet on the main table. */
async function legacyVpc(sb: Sandbox) {
  const vpc = (await sb.call("ec2", "CreateVpc", { CidrBlock: "10.50.0.0/16" }, R)).Vpc.VpcId;
  const pub = (await sb.call("ec2", "CreateSubnet", { VpcId: vpc, CidrBlock: "10.50.1.0/24", AvailabilityZone: "us-east-1a" }, R)).Subnet.SubnetId;
  const priv = (await sb.call("ec2", "CreateSubnet", { VpcId: vpc, CidrBlock: "10.50.2.0/24", AvailabilityZone: "us-east-1a" }, R)).Subnet.SubnetId;
  const igw = (await sb.call("ec2", "CreateInternetGateway", {}, R)).InternetGateway.InternetGatewayId;
  await sb.call("ec2", "AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc }, R);
  const rt = (await sb.call("ec2", "CreateRouteTable", { VpcId: vpc }, R)).RouteTable.RouteTableId;
  await sb.call("ec2", "CreateRoute", { RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }, R);
  await sb.call("ec2", "AssociateRouteTable", { RouteTableId: rt, SubnetId: pub }, R);
  return { vpc, pub, priv, igw, rt };
}

/** A temp dir, a fresh sandbox holding the legacy VPC, and the CLI's sandbox flag. */
async function legacySetup() {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sb = await openSandbox(file);
  return { cwd, sb, env: cleanEnv(), g: ["--sandbox-file", file], legacy: await legacyVpc(sb) };
}

test("S5: import a legacy VPC, add a NAT for the private subnet, destroy keeps the imported VPC", async () => {
  const { cwd, sb, env, g, legacy } = await legacySetup();
  const before = accountSignature(sb.state());

  const imp = await cli([...g, "import", "--vpc", legacy.vpc, "--name", "legacy", "--json"], { cwd, env, sandbox: sb });
  assert.equal(imp.code, 0, imp.stderr);
  const i = imp.json();
  assert.deepEqual(i.subnets.map((s: any) => [s.subnetId, s.tier]).sort(), [[legacy.pub, "public"], [legacy.priv, "private"]].sort());
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  assert.ok(Object.values<any>(plan.resources).every((r) => r.owned === false), "everything imported is not owned");
  assert.deepEqual(accountSignature(sb.state()), before, "import changes nothing in the account");

  const nat = await cli([...g, "add-nat", "--mode", "single", "--json"], { cwd, env, sandbox: sb });
  assert.equal(nat.code, 0, nat.stderr);
  const n = nat.json();
  assert.equal(n.natGateways.length, 1);
  // The private subnet is on the main table: that is where the NAT route goes.
  const main = Object.values<any>(sb.state().regions[R].routeTables).find((t) => t.VpcId === legacy.vpc && t.Associations.some((a: any) => a.Main));
  assert.ok(main.Routes.some((r: any) => r.DestinationCidrBlock === "0.0.0.0/0" && r.NatGatewayId === n.natGateways[0].natGatewayId));

  const d = await cli([...g, "destroy", "--yes", "--json"], { cwd, env, sandbox: sb });
  assert.equal(d.code, 0, d.stderr);
  assert.ok(d.json().kept.some((k: any) => k.kind === "vpc" && k.id === legacy.vpc));
  assert.deepEqual(accountSignature(sb.state()), before, "the legacy VPC is exactly as before");
});

test("add-nat over an existing default route remembers it and destroy puts it back", async () => {
  const { cwd, sb, env, g, legacy } = await legacySetup();
  // A private table that (wrongly) has a default route to the IGW already.
  const rt2 = (await sb.call("ec2", "CreateRouteTable", { VpcId: legacy.vpc }, R)).RouteTable.RouteTableId;
  const priv2 = (await sb.call("ec2", "CreateSubnet", { VpcId: legacy.vpc, CidrBlock: "10.50.3.0/24", AvailabilityZone: "us-east-1b" }, R)).Subnet.SubnetId;
  await sb.call("ec2", "AssociateRouteTable", { RouteTableId: rt2, SubnetId: priv2 }, R);
  const before = accountSignature(sb.state());
  assert.equal((await cli([...g, "import", "--vpc", legacy.vpc, "--name", "legacy2"], { cwd, env, sandbox: sb })).code, 0);
  const nat = await cli([...g, "add-nat"], { cwd, env, sandbox: sb });
  assert.equal(nat.code, 0, nat.stderr);
  assert.equal((await cli([...g, "destroy", "--yes"], { cwd, env, sandbox: sb })).code, 0);
  assert.deepEqual(accountSignature(sb.state()), before);
});

test("--dry-run: reports the steps, proves permissions with DryRun, writes no plan and changes nothing", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sb = await openSandbox(file);
  const env = cleanEnv();
  const calls = sb.stats().mutatingCalls;
  const r = await cli(["--sandbox-file", file, "create-vpc", "--name", "dry", "--dry-run", "--json"], { cwd, env, sandbox: sb });
  assert.equal(r.code, 0, r.stderr);
  const doc = r.json();
  assert.equal(doc.dryRun, true);
  assert.equal(doc.steps.vpc, "would-create");
  assert.deepEqual(doc.dryRunChecks.find((c: any) => c.step === "vpc"), { step: "vpc", result: "allowed" });
  assert.ok(sb.journal.some((j) => j.operation === "CreateVpc" && j.dryRun), "a DryRun CreateVpc was made");
  assert.equal(sb.stats().mutatingCalls, calls);
  assert.ok(!existsSync(path.join(cwd, "egress-plan.json")));
  // And after a real run, a dry-run add-nat checks AllocateAddress and says the NAT would be created.
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "dry"], { cwd, env, sandbox: sb })).code, 0);
  const planBefore = readFileSync(path.join(cwd, "egress-plan.json"), "utf8");
  const c2 = sb.stats().mutatingCalls;
  const n = await cli(["--sandbox-file", file, "add-nat", "--dry-run", "--json"], { cwd, env, sandbox: sb });
  assert.equal(n.code, 0, n.stderr);
  assert.equal(n.json().steps["nat/us-east-1a"], "would-create");
  assert.equal(sb.stats().mutatingCalls, c2);
  assert.equal(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"), planBefore);
  const d = await cli(["--sandbox-file", file, "destroy", "--dry-run", "--json"], { cwd, env, sandbox: sb });
  assert.equal(d.code, 0);
  assert.ok(d.json().wouldDelete.length >= 15);
  assert.equal(sb.stats().mutatingCalls, c2);
});
