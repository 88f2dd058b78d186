// Reachability Analyzer mode runs one analysis per source ENI (a Lambda in 3 subnets = 3 analyses):
// they run concurrently, at most --max-parallel at once, and every one is cleaned up.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Sandbox } from "../src/sandbox/index.js";
import { TestClock } from "./clock.js";
import { cleanEnv, cli, tempDir } from "./helpers.js";

async function lambdaIn3Subnets() {
  const cwd = tempDir("egress-ra-");
  const file = path.join(cwd, "sb.json");
  // realistic latency × 0.02: an analysis takes 1.2 s, a NAT 1.8 s, on a TestClock (the journal's times are its)
  const sandbox = await Sandbox.open({ file, env: {}, latency: "realistic", timeScale: 0.02, clock: new TestClock() });
  await sandbox.reset({ examples: true });
  const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env: cleanEnv(), sandbox });
  for (const step of [["create-vpc", "--name", "ra", "--azs", "3"], ["add-nat"], ["attach-lambda", "--function", "sms-sender"]]) {
    const r = await run(...step);
    assert.equal(r.code, 0, r.stderr);
  }
  return { sandbox, run };
}

const starts = (sandbox: Sandbox, from: number) =>
  sandbox.journal.filter((j) => j.seq > from && j.operation === "StartNetworkInsightsAnalysis" && !j.errorCode).map((j) => Date.parse(j.at));

test("RA analyses of one command run concurrently, bounded by --max-parallel, and are all deleted", async () => {
  const { sandbox, run } = await lambdaIn3Subnets();
  let mark = sandbox.journal.at(-1)!.seq;
  const r = await run("analyze-path", "--from", "lambda:sms-sender", "--to", "internet", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().reachabilityAnalyzer.analyses.length, 3);
  const par = starts(sandbox, mark);
  assert.equal(par.length, 3);
  assert.ok(Math.max(...par) - Math.min(...par) < 1000, `all three started before the first (1.2 s) finished: ${par.map((t) => t - par[0]).join(", ")} ms`);
  const rs = sandbox.state().regions["us-east-1"] as any;
  assert.deepEqual(Object.keys(rs.ext.insights.paths), [], "paths deleted");
  assert.deepEqual(Object.keys(rs.ext.insights.analyses), [], "analyses deleted");

  mark = sandbox.journal.at(-1)!.seq;
  const seq = await run("--max-parallel", "1", "analyze-path", "--from", "lambda:sms-sender", "--to", "internet", "--json");
  assert.equal(seq.code, 0, seq.stderr);
  const one = starts(sandbox, mark);
  assert.equal(one.length, 3);
  for (let i = 1; i < 3; i++) assert.ok(one[i]! - one[i - 1]! >= 1100, "--max-parallel 1: one analysis after another");
  assert.deepEqual(seq.json().result.reachable, r.json().result.reachable);
});
