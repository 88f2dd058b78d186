// Batched waits (issue 11 item 3): resources of one kind awaited at once share one Describe call per
// poll round — the mechanism on plain data, then add-nat --mode per-az and destroy on the sandbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Interrupted } from "../src/errors.js";
import { Sandbox } from "../src/sandbox/index.js";
import { type BatchDescribe, type WaitContext, waitBatched } from "../src/aws/wait.js";
import { TestClock } from "./clock.js";
import { cleanEnv, cli, tempDir } from "./helpers.js";

// Time is a TestClock: rounds, pauses and the NAT gateways' minutes pass in order, not on the wall clock.
function waitCtx(clock: TestClock, signal = new AbortController().signal): WaitContext {
  const spinner = { update() {}, succeed() {}, fail() {} };
  return { log: { spin: () => spinner }, wait: { minDelayMs: 5, maxDelayMs: 20, timeoutMs: 5_000 }, signal, clock };
}

/** A fake Describe: resource `id` is ready after `readyAfter[id]` rounds that saw it. */
function fake(readyAfter: Record<string, number>) {
  const calls: string[][] = [];
  const seen: Record<string, number> = {};
  const d: BatchDescribe<{ id: string; ready: boolean }> = {
    client: {},
    kind: "thing",
    async describe(ids) {
      calls.push([...ids].sort());
      return ids.filter((id) => id in readyAfter).map((id) => ({ id, ready: (seen[id] = (seen[id] ?? 0) + 1) >= readyAfter[id]! }));
    },
    idOf: (t) => t.id,
  };
  const judge = (t: { ready: boolean } | undefined) => (!t ? { done: false, status: "not visible yet" } : t.ready ? { done: true, value: t } : { done: false, status: "pending" });
  return { d, calls, judge };
}

test("waits of one kind started together share one Describe a round; a late one joins the next round", async () => {
  const { d, calls, judge } = fake({ a: 3, b: 4, c: 2 });
  const clock = new TestClock();
  const ctx = waitCtx(clock);
  const a = waitBatched(ctx, "a", d, "a", judge, () => "a");
  const b = waitBatched(ctx, "b", d, "b", judge, () => "b");
  await clock.sleep(1);
  const c = waitBatched(ctx, "c", d, "c", judge, () => "c");
  await Promise.all([a, b, c]);
  // rounds at 0 (a, b), 5 (a, b, c: the newcomer restarts the backoff), 10 (a, b, c: a and c done), 18 (b done)
  assert.deepEqual(calls, [["a", "b"], ["a", "b", "c"], ["a", "b", "c"], ["b"]], "one call a round, the late one rides along, who is done leaves");
});

test("a batched wait reports a failure state, a Describe error, and Ctrl-C to each waiter", async () => {
  const { d, judge } = fake({ a: 99 });
  const failing = (t: unknown) => (t ? { done: false, failure: "went to state failed" } : judge(undefined));
  const clock = new TestClock();
  await assert.rejects(waitBatched(waitCtx(clock), "NAT a", d, "a", failing, () => ""), /NAT a: went to state failed/);
  const broken: BatchDescribe<never> = { client: {}, kind: "broken", describe: async () => Promise.reject(new Error("Throttling")), idOf: () => undefined };
  await Promise.all(["x", "y"].map((id) => assert.rejects(waitBatched(waitCtx(clock), id, broken, id, () => ({ done: false }), () => ""), /Throttling/)));
  const ac = new AbortController();
  const waiting = waitBatched(waitCtx(clock, ac.signal), "a", d, "a", judge, () => "");
  void clock.sleep(15).then(() => ac.abort());
  await assert.rejects(waiting, (e) => e instanceof Interrupted);
});

test("add-nat --mode per-az over 3 AZs: one DescribeNatGateways a poll round for the three NATs, and destroy the same", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  // NAT gateways take their 90 s (deletion 60 s) scaled to 0.45 s (0.3 s): several poll rounds, on a
  // TestClock (the run waits on the sandbox's clock), so however slow the machine the three NATs are
  // created before time moves
  const sandbox = await Sandbox.open({ file, env: {}, latency: "realistic", timeScale: 0.005, clock: new TestClock() });
  const natCalls: number[] = [];
  const call = sandbox.call.bind(sandbox);
  sandbox.call = (service, operation, input, region) => {
    if (operation === "DescribeNatGateways") natCalls.push(input.Filter?.find((f: { Name: string }) => f.Name === "nat-gateway-id")?.Values.length ?? 0);
    return call(service, operation, input, region);
  };
  const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env: cleanEnv(), sandbox });
  assert.equal((await run("create-vpc", "--name", "ha", "--azs", "3")).code, 0);
  const r = await run("add-nat", "--mode", "per-az");
  assert.equal(r.code, 0, r.stderr);
  const waits = natCalls.filter((n) => n > 0);
  assert.ok(waits.includes(3), `one call carried the three NATs: ${JSON.stringify(natCalls)}`);
  // unbatched, each NAT is polled on its own: as many calls as ids asked for (3 × ~9 here)
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.ok(waits.length * 2 <= sum(waits), `one call a round for every NAT awaited: ${JSON.stringify(natCalls)}`);
  natCalls.length = 0;
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 0, d.stderr);
  const gone = natCalls.filter((n) => n > 0);
  assert.ok(gone.includes(3), `destroy waits for the three deletions in one call a round: ${JSON.stringify(natCalls)}`);
  assert.ok(gone.length * 2 <= sum(gone), JSON.stringify(natCalls));
  // on the TestClock no time passes while the three are being created or deleted: every round asks for all three
  assert.ok(waits.every((n) => n === 3) && gone.every((n) => n === 3), `rounds: ${JSON.stringify(waits)} then ${JSON.stringify(gone)}`);
});
