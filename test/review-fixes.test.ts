// Regressions found in review: two plans never touch each other's resources; destroy shows the
// orphans it will delete; the EIP quota check counts a crashed run's address once; --eip pairs with
// its --az; EGRESS_SANDBOX_FILE selects the sandbox; a stale lock's takeover is reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { accountSignature, cli, cleanEnv, openSandbox, readSandboxState, tempDir } from "./helpers.js";
import { exec } from "./crash-kit.js";

test("a plan name already used in the region is refused by import too, and destroy of one plan never deletes another's", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sb = await openSandbox(file);
  const env = cleanEnv();
  const g = ["--sandbox-file", file];
  assert.equal((await cli([...g, "create-vpc", "--name", "shared"], { cwd, env, sandbox: sb })).code, 0);
  const defaultVpc = Object.values<any>(sb.state().regions["us-east-1"].vpcs).find((v) => v.IsDefault).VpcId;
  const imp = await cli([...g, "import", "--vpc", defaultVpc, "--name", "shared", "--plan", "p2.json"], { cwd, env, sandbox: sb });
  assert.equal(imp.code, 2);
  assert.match(imp.stderr, /A plan named "shared" already exists/);
  // A second plan, interrupted and destroyed, leaves the first one exactly as it was.
  assert.equal((await cli([...g, "import", "--vpc", defaultVpc, "--name", "other", "--plan", "p2.json"], { cwd, env, sandbox: sb })).code, 0);
  const before = accountSignature(sb.state());
  assert.equal((await cli([...g, "destroy", "--yes", "--plan", "p2.json"], { cwd, env, sandbox: sb })).code, 0);
  assert.deepEqual(accountSignature(sb.state()), before);
  assert.notEqual((await sb.taggedResources("us-east-1", "egress-cli:plan", "shared")).length, 0);
});

test("destroy --dry-run and the prompt list the orphans a crashed run left", async () => {
  const cwd = tempDir();
  await openSandbox(path.join(cwd, "sb.json")).then((s) => s.state());
  // Killed right after CreateVpc: the VPC exists, tagged, but the plan never recorded it.
  const crashed = await exec(["create-vpc", "--name", "orph", "--azs", "2"], cwd, "crashAfter=1,crashMode=kill");
  assert.equal(crashed.signal, "SIGKILL");
  const r = await cli(["--sandbox-file", path.join(cwd, "sb.json"), "destroy", "--dry-run", "--json"], { cwd, env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  const doc = r.json();
  assert.deepEqual(doc.orphans.map((o: any) => [o.kind, o.step]), [["vpc", "vpc"]], JSON.stringify(doc));
  const human = await cli(["--sandbox-file", path.join(cwd, "sb.json"), "destroy", "--dry-run"], { cwd, env: cleanEnv() });
  assert.match(human.stdout, /orphan of step/);
});

test("after a kill -9 right after AllocateAddress, the re-run is not refused at the Elastic IP limit", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sb = await openSandbox(file);
  for (let i = 0; i < 4; i++) await sb.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1");
  assert.equal((await exec(["create-vpc", "--name", "q"], cwd)).code, 0);
  const killed = await exec(["add-nat"], cwd, "crashAfter=1,crashMode=kill");
  assert.equal(killed.signal, "SIGKILL");
  const again = await exec(["add-nat"], cwd);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(Object.keys(readSandboxState(file).regions["us-east-1"].addresses).length, 5);
});

test("--eip goes to the --az given at the same position", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sb = await openSandbox(file);
  const x = await sb.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1");
  const y = await sb.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1");
  const env = cleanEnv();
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "pair"], { cwd, env, sandbox: sb })).code, 0);
  const r = await cli(["--sandbox-file", file, "add-nat", "--mode", "per-az", "--az", "us-east-1b", "us-east-1a", "--eip", x.AllocationId, y.AllocationId, "--json"], { cwd, env, sandbox: sb });
  assert.equal(r.code, 0, r.stderr);
  const byAz = Object.fromEntries(r.json().natGateways.map((n: any) => [n.az, n.publicIp]));
  assert.deepEqual(byAz, { "us-east-1b": x.PublicIp, "us-east-1a": y.PublicIp });
});

test("EGRESS_SANDBOX_FILE alone selects the sandbox; a stale lock's takeover is reported", async () => {
  const cwd = tempDir();
  const env = cleanEnv({ EGRESS_SANDBOX_FILE: path.join(cwd, "env-sb.json") });
  const r = await cli(["create-vpc", "--name", "envfile", "--json"], { cwd, env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSyncUtf8(path.join(cwd, "egress-plan.json"))).backend, "sandbox");
  // A lock left by a process that no longer exists (pid 2^22 - 1 is never a live pid here).
  const { writeFileSync } = await import("node:fs");
  const { hostname } = await import("node:os");
  writeFileSync(path.join(cwd, "egress-plan.json.lock"), JSON.stringify({ pid: 4194303, hostname: hostname(), startedAt: new Date().toISOString(), command: "add-nat", token: "dead" }));
  const n = await cli(["add-nat"], { cwd, env });
  assert.equal(n.code, 0, n.stderr);
  assert.match(n.stderr, /Took over the lock/);
});

function readFileSyncUtf8(f: string): string {
  return readFileSync(f, "utf8");
}
