// Issue 19 (item 13): four create-vpc runs with the same --name in different plan files, started at once
// as separate processes on one sandbox account. The name check before creating is a read, so every run
// may pass it; the VPC is tagged with the name at creation and checked again right after: a run that sees
// another VPC with its name gives way (deletes its own VPC, keeps no plan file; after a random pause it
// checks the name again) — at most one plan holds the name, the others exit 2, nothing is left over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { BIN, cleanEnv, cli, openSandbox, readSandboxState, tempDir } from "./helpers.js";

function runCli(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env: cleanEnv(env) as NodeJS.ProcessEnv, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

test("four concurrent create-vpc --name same in different plan files: at most one holds the name, the others exit 2 with nothing left behind", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sandbox.json");
  // each AWS call takes 300 ms: the window between the name check and CreateVpc is wide, as on AWS
  const runs = await Promise.all([1, 2, 3, 4].map((i) => runCli(["--sandbox-file", file, "--plan", `p${i}.json`, "create-vpc", "--name", "same", "--azs", "1"], cwd, { EGRESS_SANDBOX_FAULTS: "latencyMs=300" })));
  const won = runs.flatMap((r, i) => (r.code === 0 ? [i + 1] : []));
  assert.ok(won.length <= 1, `${won.length} runs hold the name "same": ${runs.map((r) => r.stderr).join("\n")}`);
  for (const [i, r] of runs.entries()) {
    if (r.code === 0) continue;
    assert.equal(r.code, 2, `run ${i + 1}: ${r.stderr}`);
    assert.match(r.stderr, /plan named "same"/);
    assert.equal(existsSync(path.join(cwd, `p${i + 1}.json`)), false, `run ${i + 1} gave way and keeps no plan file`);
  }
  // no orphan: the VPCs tagged with the name are the winner's only
  const region = readSandboxState(file).regions["us-east-1"];
  const named = Object.values<any>(region.vpcs).filter((v) => v.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "same"));
  assert.equal(named.length, won.length);
  if (won.length) assert.ok(existsSync(path.join(cwd, `p${won[0]}.json`)));
  // the name is taken now: a later run is refused before creating anything
  const late = await runCli(["--sandbox-file", file, "--plan", "late.json", "create-vpc", "--name", "same"], cwd);
  assert.equal(late.code, won.length ? 2 : 0, late.stderr);
});

test("the same race in one process (the four runs interleave at every AWS call, so all pass the name check before any creates): at most one plan holds the name", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  const runs = await Promise.all([1, 2, 3, 4].map((i) => cli(["--sandbox-file", file, "--plan", `p${i}.json`, "create-vpc", "--name", "same", "--azs", "1"], { cwd, env: cleanEnv(), sandbox })));
  const won = runs.filter((r) => r.code === 0);
  // all four gave way at first; after their random pauses one usually wins (none, if the pauses collide thrice)
  assert.ok(won.length <= 1, runs.map((r) => `${r.code}: ${r.stderr}`).join("\n"));
  for (const r of runs) if (r.code !== 0) assert.equal(r.code, 2, r.stderr);
  const named = Object.values<any>((sandbox.state().regions["us-east-1"] as any).vpcs).filter((v) => v.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "same"));
  assert.equal(named.length, won.length, "the runs that gave way deleted their VPCs");
  assert.ok(runs.some((r) => /at the same time/.test(r.stderr)), "the race was seen and settled after creation");
});
