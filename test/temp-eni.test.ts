// Issue 8 item 27: analyze-path --from subnet-… (Reachability Analyzer mode) on a subnet with no
// network interface creates a temporary one (recorded in the plan first, tagged with it), runs the
// analysis from it and deletes it; a kill -9 leaves it to be swept by the next run or by destroy.
// --local is unchanged (no mutating call).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { exec } from "./crash-kit.js";
import { cli, cleanEnv, openSandbox, readSandboxState, tempDir } from "./helpers.js";

const enis = (state: any, subnetId: string) => Object.values<any>(state.regions["us-east-1"].networkInterfaces).filter((e) => e.SubnetId === subnetId && e.InterfaceType === "interface");

async function privateSubnet() {
  const cwd = tempDir("egress-tmpeni-");
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file);
  await sandbox.reset({ examples: true });
  const env = cleanEnv();
  const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env, sandbox });
  assert.equal((await run("create-vpc", "--name", "ra", "--cidr", "10.60.0.0/16")).code, 0);
  assert.equal((await run("add-nat")).code, 0);
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  const subnetId = Object.values<any>(plan.resources).find((r) => r.kind === "subnet" && r.tier === "private").id as string;
  return { cwd, file, sandbox, run, subnetId };
}

test("RA mode on a subnet without interfaces: a temporary ENI is created, recorded, used and deleted; the path is reachable", async () => {
  const s = await privateSubnet();
  assert.equal(enis(s.sandbox.state(), s.subnetId).length, 0);
  const r = await s.run("analyze-path", "--from", s.subnetId, "--to", "igw", "--json");
  assert.equal(r.code, 0, r.stderr);
  const doc = r.json();
  assert.equal(doc.reachable, true);
  assert.match(doc.reachabilityAnalyzer.temporaryNetworkInterface, /^eni-/);
  assert.equal(doc.result.source.id, s.subnetId);
  assert.match(r.stderr, /Created a temporary network interface eni-\S+ in subnet-/);
  assert.match(r.stderr, /Deleted the temporary network interface/);
  assert.equal(enis(s.sandbox.state(), s.subnetId).length, 0, "deleted after the analysis");
  const plan = JSON.parse(readFileSync(path.join(s.cwd, "egress-plan.json"), "utf8"));
  const rec = plan.resources[`analyze-path/temporary-eni/${s.subnetId}`];
  assert.equal(rec.state, "deleted");
  assert.equal(rec.id, doc.reachabilityAnalyzer.temporaryNetworkInterface);
  // --local is unchanged: no mutating call at all.
  const calls = s.sandbox.stats().mutatingCalls;
  const local = await s.run("analyze-path", "--from", s.subnetId, "--to", "igw", "--local");
  assert.equal(local.code, 0, local.stderr);
  assert.equal(s.sandbox.stats().mutatingCalls, calls);
  // Without a plan to record it in, nothing is created: exit 2 with the way out.
  const noPlan = await s.run("--plan", "none.json", "analyze-path", "--from", s.subnetId, "--to", "igw");
  assert.equal(noPlan.code, 2);
  assert.match(noPlan.stderr, /records it in a plan[\s\S]*--local/);
  assert.equal(s.sandbox.stats().mutatingCalls, calls);
});

test("kill -9 right after the temporary ENI is created: the next analyze-path sweeps it; after another crash, destroy does", { timeout: 120_000 }, async () => {
  const s = await privateSubnet();
  const crash = await exec(["analyze-path", "--from", s.subnetId, "--to", "igw"], s.cwd, "crashAfter=1,crashMode=kill");
  assert.equal(crash.signal, "SIGKILL", crash.stderr);
  assert.equal(enis(readSandboxState(s.file), s.subnetId).length, 1, "the crash left the interface");
  const again = await exec(["analyze-path", "--from", s.subnetId, "--to", "igw"], s.cwd);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Deleted 1 temporary network interface\(s\) left by an interrupted analyze-path/);
  assert.equal(enis(readSandboxState(s.file), s.subnetId).length, 0);
  // Crash again, this time after the interface was recorded as created (the path creation is call 2).
  const crash2 = await exec(["analyze-path", "--from", s.subnetId, "--to", "igw"], s.cwd, "crashAfter=2,crashMode=kill");
  assert.equal(crash2.signal, "SIGKILL", crash2.stderr);
  assert.equal(enis(readSandboxState(s.file), s.subnetId).length, 1);
  const destroyed = await exec(["destroy", "--yes"], s.cwd);
  assert.equal(destroyed.code, 0, destroyed.stderr);
  const state = readSandboxState(s.file);
  assert.equal(enis(state, s.subnetId).length, 0);
  const tagged = Object.values<any>(state.regions["us-east-1"].networkInterfaces).filter((e) => e.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "ra"));
  assert.deepEqual(tagged, [], "nothing tagged with the plan is left");
});
