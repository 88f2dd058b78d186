// Ctrl-C and prompts: SIGINT during a NAT gateway wait exits 130 with a consistent plan and a
// released lock, and a re-run finishes with no duplicate; destroy asks on a terminal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { BIN, cli, cleanEnv, openSandbox, readSandboxState, tempDir } from "./helpers.js";

test("SIGINT while waiting for a NAT gateway: exit 130, plan consistent, lock released; re-run finishes", { timeout: 60_000 }, async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file);
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "int"], { cwd, env: cleanEnv(), sandbox })).code, 0);
  const env = cleanEnv({ EGRESS_SANDBOX_LATENCY: "realistic:0.1" }) as NodeJS.ProcessEnv; // a NAT takes ~9 s
  const child = spawn(process.execPath, [BIN, "--sandbox-file", file, "add-nat"], { cwd, env });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  // Interrupt once the NAT gateway has been created (recorded) and is being waited for.
  const started = Date.now();
  // (the NAT's own record: the plan file also holds create-vpc's records, created, after the NAT's key)
  const natState = () => {
    try {
      return JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8")).resources["nat/us-east-1a"]?.state;
    } catch {
      return undefined; // not there yet
    }
  };
  while (natState() !== "created") {
    if (Date.now() - started > 20_000) throw new Error(`NAT never recorded: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const t0 = Date.now();
  child.kill("SIGINT");
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 130, stderr);
  assert.ok(Date.now() - t0 < 3000, "stops promptly, without waiting for the NAT gateway");
  assert.match(stderr, /Interrupted/);
  assert.ok(!existsSync(path.join(cwd, "egress-plan.json.lock")), "lock released");
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  assert.equal(plan.resources["nat/us-east-1a"].state, "created");

  const again = await cli(["--sandbox-file", file, "add-nat", "--json"], { cwd, env: cleanEnv({ EGRESS_SANDBOX_LATENCY: "realistic:0.005" }) });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json().egressIps.length, 1);
  const nats = Object.values<any>(readSandboxState(file).regions["us-east-1"].natGateways).filter((n) => n.State !== "deleted");
  assert.equal(nats.length, 1, "no duplicate NAT gateway");
});

test("SIGINT while waiting for a VPC endpoint: exit 130 at once, endpoint recorded; re-run finishes with exactly one endpoint", { timeout: 60_000 }, async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const planFile = path.join(cwd, "egress-plan.json");
  const sandbox = await openSandbox(file);
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "int-vpce", "--azs", "2"], { cwd, env: cleanEnv(), sandbox })).code, 0);
  const env = cleanEnv({ EGRESS_SANDBOX_LATENCY: "realistic:0.1" }) as NodeJS.ProcessEnv; // an interface endpoint takes ~6 s
  const child = spawn(process.execPath, [BIN, "--sandbox-file", file, "add-endpoint", "sts"], { cwd, env });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const recorded = () => {
    try {
      return JSON.parse(readFileSync(planFile, "utf8")).resources["endpoint/sts"]?.state === "created";
    } catch {
      return false;
    }
  };
  const started = Date.now();
  while (!recorded()) {
    if (Date.now() - started > 20_000) throw new Error(`endpoint never recorded: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const t0 = Date.now();
  child.kill("SIGINT");
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.ok(Date.now() - t0 < 3000, `stops promptly, without waiting for the endpoint (${Date.now() - t0} ms)`);
  assert.match(stderr, /Interrupted/);
  assert.ok(!existsSync(`${planFile}.lock`), "lock released");
  const live = () => Object.values<any>(readSandboxState(file).regions["us-east-1"].ext.vpcEndpoints ?? {}).filter((e) => e.State !== "deleting");
  assert.equal(live()[0]?.State, "pending", "interrupted while the endpoint was still pending");

  const again = await cli(["--sandbox-file", file, "add-endpoint", "sts", "--json"], { cwd, env: cleanEnv({ EGRESS_SANDBOX_LATENCY: "realistic:0.005" }) });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json().endpoints[0].state, "available");
  assert.equal(live().length, 1, "exactly one endpoint");
  assert.equal(live()[0].VpcEndpointId, again.json().endpoints[0].vpcEndpointId);
});

test("destroy on a terminal asks first: 'n' deletes nothing and exits 1 (issue 8 item 13: as terraform), 'y' destroys", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "ask"], { cwd, env, sandbox })).code, 0);
  const calls = sandbox.stats().mutatingCalls;
  const no = await cli(["--sandbox-file", file, "destroy"], { cwd, env, sandbox, tty: true, input: "n\n" });
  assert.equal(no.code, 1, no.stderr);
  assert.match(no.stderr, /Destroy plan "ask"\?/);
  assert.match(no.stderr, /destroy cancelled: nothing was deleted/);
  assert.equal(sandbox.stats().mutatingCalls, calls);
  const yes = await cli(["--sandbox-file", file, "destroy"], { cwd, env, sandbox, tty: true, input: "y\n" });
  assert.equal(yes.code, 0, yes.stderr);
  assert.deepEqual(await sandbox.taggedResources("us-east-1", "egress-cli:plan", "ask"), []);
});
