// Crash safety of the regional NAT paths with a real kill -9 (issue 21): for every mutating call N of
// add-nat --mode regional (manual, the user's Elastic IPs) and of the per-az ⇄ regional switch
// (--reuse-eips), the sandbox SIGKILLs the CLI right after applying call N; a re-run must leave the account
// as an uninterrupted run does — no duplicate, no orphan — and egress from the same addresses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { BIN, accountSignature, openSandbox, planIds, readSandboxState, tempDir } from "./helpers.js";
import { copyDir, crashMatrix, exec } from "./crash-kit.js";

const CREATE = ["create-vpc", "--name", "crash", "--cidr", "10.20.0.0/16", "--azs", "2"];

/** A fresh account with two Elastic IPs of the user's (not the plan's). */
async function freshAccount(): Promise<{ template: string; eips: Array<{ AllocationId: string; PublicIp: string }> }> {
  const template = tempDir("egress-crash-rnat-");
  const sb = await openSandbox(path.join(template, "sb.json"));
  const eips = [await sb.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1"), await sb.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1")];
  return { template, eips: eips as Array<{ AllocationId: string; PublicIp: string }> };
}

/** Everything tagged with the plan must be recorded in it. */
function noOrphans(dir: string, n: number): string[] {
  const r = readSandboxState(path.join(dir, "sb.json")).regions["us-east-1"];
  const ids: string[] = [];
  for (const [k, idField] of [["addresses", "AllocationId"], ["natGateways", "NatGatewayId"], ["routeTables", "RouteTableId"]] as const)
    for (const x of Object.values<any>(r[k])) if (x.State !== "deleted" && x.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "crash")) ids.push(x[idField]);
  const recorded = planIds(path.join(dir, "egress-plan.json"));
  return ids.filter((id) => !recorded.has(id)).map((id) => `N=${n}: orphan ${id} is tagged with the plan but not recorded`);
}

/** The public addresses the plan's live NAT gateways egress from. */
function egressIps(dir: string): string[] {
  const r = readSandboxState(path.join(dir, "sb.json")).regions["us-east-1"];
  return Object.values<any>(r.natGateways)
    .filter((n) => n.State === "available")
    .flatMap((n) => (n.AvailabilityMode === "regional" ? (n.Addresses ?? []).map((a: any) => a.PublicIp) : [r.addresses[n.AllocationId]?.PublicIp]))
    .sort();
}

test("kill -9 after every mutating call of create-vpc + add-nat --mode regional --az-eip, then re-run: same account, your addresses", { timeout: 600_000 }, async () => {
  assert.ok(existsSync(path.join(path.dirname(BIN), "..", "dist", "cli.js")), "run `npm run build` first (npm test does)");
  const { template, eips } = await freshAccount();
  const NAT = ["add-nat", "--mode", "regional", "--az-eip", `us-east-1a=${eips[0].AllocationId},us-east-1b=${eips[1].AllocationId}`];
  const want = eips.map((e) => e.PublicIp).sort();
  const m = await crashMatrix({ template, commands: [CREATE, NAT], signature: accountSignature, check: (dir, n) => [...noOrphans(dir, n), ...(egressIps(dir).join() === want.join() ? [] : [`N=${n}: egress from ${egressIps(dir)}, not ${want}`])] });
  console.log(`create-vpc: ${m.perCommand[0]} changes, add-nat --mode regional: ${m.perCommand[1]}: ${m.perCommand[0] + m.perCommand[1]} kill points`);
  assert.ok(m.perCommand[1] >= 3, `add-nat made ${m.perCommand[1]} changes`);
  assert.deepEqual(m.failures, []);
});

test("kill -9 at every point of the per-az → regional switch (--reuse-eips) and back, then re-run: no duplicate, no orphan, the same IPs", { timeout: 600_000 }, async () => {
  const { template } = await freshAccount();
  const perAz = copyDir(template);
  assert.equal((await exec(CREATE, perAz)).code, 0);
  assert.equal((await exec(["add-nat", "--mode", "per-az"], perAz)).code, 0);
  const before = egressIps(perAz);
  assert.equal(before.length, 2);
  const check = (dir: string, n: number) => [...noOrphans(dir, n), ...(egressIps(dir).join() === before.join() ? [] : [`N=${n}: egress from ${egressIps(dir)}, not ${before}`])];
  const there = await crashMatrix({ template: perAz, commands: [["add-nat", "--mode", "regional", "--reuse-eips"]], signature: accountSignature, check });
  console.log(`per-az → regional: ${there.perCommand[0]} kill points; back: measured below`);
  assert.ok(there.perCommand[0] >= 6, `the switch made ${there.perCommand[0]} changes`);
  assert.deepEqual(there.failures, []);

  const regional = copyDir(perAz);
  assert.equal((await exec(["add-nat", "--mode", "regional", "--reuse-eips"], regional)).code, 0);
  assert.deepEqual(egressIps(regional), before);
  const back = await crashMatrix({ template: regional, commands: [["add-nat", "--mode", "per-az", "--reuse-eips"]], signature: accountSignature, check });
  console.log(`regional → per-az: ${back.perCommand[0]} kill points`);
  assert.ok(back.perCommand[0] >= 6, `the way back made ${back.perCommand[0]} changes`);
  assert.deepEqual(back.failures, []);
});

test("kill -9 at every point of single → automatic regional with --yes (make before break), then re-run: no duplicate, no orphan", { timeout: 600_000 }, async () => {
  const { template } = await freshAccount();
  const single = copyDir(template);
  assert.equal((await exec(CREATE, single)).code, 0);
  assert.equal((await exec(["add-nat"], single)).code, 0);
  const m = await crashMatrix({ template: single, commands: [["--yes", "add-nat", "--mode", "regional"]], signature: accountSignature, check: noOrphans });
  console.log(`single → regional (--yes): ${m.perCommand[0]} kill points`);
  assert.ok(m.perCommand[0] >= 4, `the replacement made ${m.perCommand[0]} changes`);
  assert.deepEqual(m.failures, []);
});
