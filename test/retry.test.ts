// The one retry helper (src/aws/retry.ts): what it retries ("not yet" only: throttling and 5xx are
// the SDK's), the pause it takes, and Ctrl-C during that pause ending the run at once (exit 130).
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually, isDependency } from "../src/aws/retry.js";
import { Interrupted } from "../src/errors.js";
import { TestClock } from "./clock.js";

const awsError = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });
// every context pauses on its own TestClock: the pauses are measured exactly, not raced
const ctxOf = (minDelayMs = 10, maxDelayMs = 200, signal = new AbortController().signal) => ({ wait: { minDelayMs, maxDelayMs, timeoutMs: 60_000 }, signal, clock: new TestClock() });

test("Ctrl-C during an eventual-consistency pause ends the wait at once: Interrupted, exit 130", async () => {
  const ac = new AbortController();
  const ctx = ctxOf(40_000, 60_000, ac.signal); // a 10 s first pause
  let calls = 0;
  void ctx.clock.sleep(30).then(() => ac.abort());
  await assert.rejects(
    eventually(ctx, async () => {
      calls++;
      throw awsError("InvalidSubnetID.NotFound");
    }),
    (err: unknown) => err instanceof Interrupted && err.exitCode === 130,
  );
  assert.equal(ctx.clock.elapsed(), 30, "stopped at the interrupt, not after the 10 s pause");
  assert.equal(calls, 1, "no attempt after the interrupt");
});

test("not found right after a create is retried until it is visible; the pause doubles", async () => {
  const at: number[] = [];
  const ctx = ctxOf(40);
  const r = await eventually(ctx, async (attempt) => {
    at.push(ctx.clock.elapsed());
    if (attempt < 4) throw awsError("InvalidRouteTableID.NotFound");
    return "rtb-1";
  });
  assert.equal(r, "rtb-1");
  assert.equal(at.length, 4);
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  assert.deepEqual(gaps, [10, 20, 40], "pauses of 10, 20, 40 ms");
});

test("throttling and 5xx are not retried again (the SDK's adaptive retry already did), nor other errors", async () => {
  for (const name of ["RequestLimitExceeded", "InternalError", "InvalidParameterValue"]) {
    let calls = 0;
    await assert.rejects(eventually(ctxOf(), async () => { calls++; throw awsError(name); }), { name });
    assert.equal(calls, 1, name);
  }
});

test("attempts bound the retries: the last error is thrown, the last unsettled value returned", async () => {
  let calls = 0;
  await assert.rejects(eventually(ctxOf(), async () => { calls++; throw awsError("DependencyViolation"); }, { retryOn: isDependency, attempts: 3 }), { name: "DependencyViolation" });
  assert.equal(calls, 3);
  let looks = 0;
  const v = await eventually(ctxOf(), async () => (looks++, undefined), { again: (x) => x === undefined, attempts: 5 });
  assert.equal(v, undefined);
  assert.equal(looks, 5);
});

test("beforeRetry that waits itself replaces the pause", async () => {
  const ctx = ctxOf(40_000, 60_000);
  let waited = 0;
  const r = await eventually(ctx, async (attempt) => {
    if (attempt < 3) throw awsError("ResourceConflictException");
    return "ok";
  }, { retryOn: () => true, beforeRetry: async () => (waited++, true) });
  assert.equal(r, "ok");
  assert.equal(waited, 2);
  assert.equal(ctx.clock.elapsed(), 0, "no 10 s pause");
});
