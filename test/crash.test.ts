// Crash safety with a real kill -9: for every mutating call N of create-vpc + add-nat --mode
// per-az (and of destroy), the sandbox SIGKILLs the CLI right after applying call N; a re-run
// must leave the account exactly as an uninterrupted run does — no duplicate, no orphan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { BIN, accountSignature, cleanEnv, openSandbox, planIds, readSandboxState, tempDir } from "./helpers.js";

const CREATE = ["create-vpc", "--name", "crash", "--cidr", "10.20.0.0/16", "--azs", "2"];
const NAT = ["add-nat", "--mode", "per-az"];
const DESTROY = ["destroy", "--yes"];

function exec(args: string[], cwd: string, faults?: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const env = cleanEnv(faults ? { EGRESS_SANDBOX_FAULTS: faults } : {}) as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, "--sandbox-file", "sb.json", ...args], { cwd, env, timeout: 60_000 }, (err, _out, stderr) => {
      resolve({ code: err ? ((err as any).code ?? null) : 0, signal: err ? ((err as any).signal ?? null) : null, stderr });
    });
  });
}

async function freshDir(template: string): Promise<string> {
  const dir = tempDir("egress-crash-");
  copyFileSync(template, path.join(dir, "sb.json"));
  return dir;
}

async function pool<T>(items: T[], size: number, fn: (x: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(Array.from({ length: size }, async () => {
    for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
  }));
}

const mutating = (dir: string) => readSandboxState(path.join(dir, "sb.json")).counters.mutatingCalls as number;

test("kill -9 after every mutating call of create-vpc + add-nat --mode per-az, then re-run: same account as an uninterrupted run", { timeout: 600_000 }, async () => {
  assert.ok(existsSync(path.join(path.dirname(BIN), "..", "dist", "cli.js")), "run `npm run build` first (npm test does)");
  const base = tempDir("egress-crash-base-");
  const template = path.join(base, "sb.json");
  await openSandbox(template).then((s) => s.state()); // a fresh account, persisted

  // Reference: uninterrupted.
  const ref = await freshDir(template);
  const m0 = mutating(ref);
  assert.equal((await exec(CREATE, ref)).code, 0);
  const m1 = mutating(ref);
  assert.equal((await exec(NAT, ref)).code, 0);
  const m2 = mutating(ref);
  const expected = accountSignature(readSandboxState(path.join(ref, "sb.json")));
  const createCalls = m1 - m0;
  const natCalls = m2 - m1;
  assert.ok(createCalls >= 14 && natCalls >= 6, `create-vpc made ${createCalls} changes, add-nat ${natCalls}`);

  const points = Array.from({ length: createCalls + natCalls }, (_, i) => i + 1);
  const failures: string[] = [];
  await pool(points, 2, async (n) => {
    const dir = await freshDir(template);
    if (n <= createCalls) {
      const crashed = await exec(CREATE, dir, `crashAfter=${n},crashMode=kill`);
      if (crashed.signal !== "SIGKILL") failures.push(`N=${n}: create-vpc was not killed (${crashed.code}) ${crashed.stderr}`);
      const again = await exec(CREATE, dir);
      if (again.code !== 0) failures.push(`N=${n}: create-vpc re-run failed: ${again.stderr}`);
      const nat = await exec(NAT, dir);
      if (nat.code !== 0) failures.push(`N=${n}: add-nat failed: ${nat.stderr}`);
    } else {
      assert.equal((await exec(CREATE, dir)).code, 0);
      const crashed = await exec(NAT, dir, `crashAfter=${n - createCalls},crashMode=kill`);
      if (crashed.signal !== "SIGKILL") failures.push(`N=${n}: add-nat was not killed (${crashed.code}) ${crashed.stderr}`);
      const again = await exec(NAT, dir);
      if (again.code !== 0) failures.push(`N=${n}: add-nat re-run failed: ${again.stderr}`);
    }
    const state = readSandboxState(path.join(dir, "sb.json"));
    try {
      assert.deepEqual(accountSignature(state), expected);
    } catch (e) {
      failures.push(`N=${n}: account differs from an uninterrupted run:\n${(e as Error).message.slice(0, 1500)}`);
    }
    // No orphan: everything tagged with the plan is recorded in the plan.
    const tagged = new Set(
      ["vpcs", "subnets", "internetGateways", "routeTables", "addresses", "natGateways"].flatMap((k) =>
        Object.values<any>(state.regions["us-east-1"][k])
          .filter((x) => x.State !== "deleted" && x.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "crash"))
          .map((x) => x.VpcId && k === "vpcs" ? x.VpcId : x.SubnetId && k === "subnets" ? x.SubnetId : x.InternetGatewayId ?? x.RouteTableId ?? x.AllocationId ?? x.NatGatewayId),
      ),
    );
    const recorded = planIds(path.join(dir, "egress-plan.json"));
    for (const id of tagged) if (!recorded.has(id)) failures.push(`N=${n}: orphan ${id} is tagged with the plan but not recorded`);
  });
  assert.deepEqual(failures, []);
});

test("kill -9 after every mutating call of destroy, then re-run: nothing of the plan is left", { timeout: 600_000 }, async () => {
  const base = tempDir("egress-crash-base-");
  const template = path.join(base, "sb.json");
  const sb = await openSandbox(template);
  await sb.call("ec2", "DescribeVpcs", {}, "us-east-1"); // regions materialise on first use
  const pristine = accountSignature(sb.state());
  const built = await freshDir(template);
  assert.equal((await exec(CREATE, built)).code, 0);
  assert.equal((await exec(NAT, built)).code, 0);
  const ref = await freshDir(path.join(built, "sb.json"));
  copyFileSync(path.join(built, "egress-plan.json"), path.join(ref, "egress-plan.json"));
  const d0 = mutating(ref);
  assert.equal((await exec(DESTROY, ref)).code, 0);
  const destroyCalls = mutating(ref) - d0;
  assert.deepEqual(accountSignature(readSandboxState(path.join(ref, "sb.json"))), pristine);
  assert.ok(destroyCalls >= 15, `destroy made ${destroyCalls} changes`);

  const failures: string[] = [];
  await pool(Array.from({ length: destroyCalls }, (_, i) => i + 1), 2, async (n) => {
    const dir = await freshDir(path.join(built, "sb.json"));
    copyFileSync(path.join(built, "egress-plan.json"), path.join(dir, "egress-plan.json"));
    const crashed = await exec(DESTROY, dir, `crashAfter=${n},crashMode=kill`);
    if (crashed.signal !== "SIGKILL") failures.push(`N=${n}: destroy was not killed (${crashed.code}) ${crashed.stderr}`);
    const again = await exec(DESTROY, dir);
    if (again.code !== 0) failures.push(`N=${n}: destroy re-run failed: ${again.stderr}`);
    try {
      assert.deepEqual(accountSignature(readSandboxState(path.join(dir, "sb.json"))), pristine);
    } catch (e) {
      failures.push(`N=${n}: account differs from a fresh one:\n${(e as Error).message.slice(0, 1500)}`);
    }
  });
  assert.deepEqual(failures, []);
});
