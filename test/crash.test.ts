// Crash safety with a real kill -9: for every mutating call N of create-vpc + add-nat --mode
// per-az (and of destroy), the sandbox SIGKILLs the CLI right after applying call N; a re-run
// must leave the account exactly as an uninterrupted run does — no duplicate, no orphan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { BIN, accountSignature, openSandbox, planIds, readSandboxState, tempDir } from "./helpers.js";
import { copyDir, crashMatrix, exec } from "./crash-kit.js";

const CREATE = ["create-vpc", "--name", "crash", "--cidr", "10.20.0.0/16", "--azs", "2"];
const NAT = ["add-nat", "--mode", "per-az"];
const DESTROY = ["destroy", "--yes"];

async function freshAccount(): Promise<{ template: string; pristine: unknown }> {
  const template = tempDir("egress-crash-base-");
  const sb = await openSandbox(path.join(template, "sb.json"));
  await sb.call("ec2", "DescribeVpcs", {}, "us-east-1"); // regions materialise on first use
  return { template, pristine: accountSignature(sb.state()) };
}

/** Everything tagged with the plan must be recorded in it. */
function noOrphans(dir: string, n: number): string[] {
  const state = readSandboxState(path.join(dir, "sb.json"));
  const r = state.regions["us-east-1"];
  const ids: string[] = [];
  for (const [k, idField] of [["vpcs", "VpcId"], ["subnets", "SubnetId"], ["internetGateways", "InternetGatewayId"], ["routeTables", "RouteTableId"], ["addresses", "AllocationId"], ["natGateways", "NatGatewayId"]] as const) {
    for (const x of Object.values<any>(r[k])) {
      if (x.State !== "deleted" && x.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "crash")) ids.push(x[idField]);
    }
  }
  const recorded = planIds(path.join(dir, "egress-plan.json"));
  return ids.filter((id) => !recorded.has(id)).map((id) => `N=${n}: orphan ${id} is tagged with the plan but not recorded`);
}

test("kill -9 after every mutating call of create-vpc + add-nat --mode per-az, then re-run: same account as an uninterrupted run", { timeout: 600_000 }, async () => {
  assert.ok(existsSync(path.join(path.dirname(BIN), "..", "dist", "cli.js")), "run `npm run build` first (npm test does)");
  const { template } = await freshAccount();
  const m = await crashMatrix({ template, commands: [CREATE, NAT], signature: accountSignature, check: noOrphans });
  assert.ok(m.perCommand[0] >= 14 && m.perCommand[1] >= 6, `create-vpc made ${m.perCommand[0]} changes, add-nat ${m.perCommand[1]}`);
  assert.deepEqual(m.failures, []);
});

test("kill -9 after every mutating call of destroy, then re-run: nothing of the plan is left", { timeout: 600_000 }, async () => {
  const { template, pristine } = await freshAccount();
  const built = copyDir(template);
  assert.equal((await exec(CREATE, built)).code, 0);
  assert.equal((await exec(NAT, built)).code, 0);
  const m = await crashMatrix({ template: built, commands: [DESTROY], signature: accountSignature });
  assert.deepEqual(m.expected, pristine, "an uninterrupted destroy gives back the fresh account");
  // 2 NAT gateways, 2 addresses, 4 associations, 4 subnets, 3 route tables, the detach, the IGW, the
  // VPC: routes go with their tables (issue 24), so every crash point is one of these 18
  assert.ok(m.perCommand[0] >= 18, `destroy made ${m.perCommand[0]} changes`);
  assert.deepEqual(m.failures, []);
});
