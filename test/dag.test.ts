// The one scheduler (src/dag.ts): `bounded` runs independent tasks through runDag. Driven by promises
// the test resolves itself, never by timers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bounded, runDag } from "../src/dag.js";

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}
const tick = () => new Promise<void>((r) => setImmediate(r));

test("bounded: results in task order, never more than `limit` in flight", async () => {
  const gates = Array.from({ length: 5 }, gate);
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const run = bounded(
    gates.map((g, i) => async () => {
      started.push(i);
      peak = Math.max(peak, ++inFlight);
      await g.p;
      inFlight--;
      return i * 10;
    }),
    2,
  );
  await tick();
  assert.deepEqual(started, [0, 1]);
  gates[1].open();
  await tick();
  assert.deepEqual(started, [0, 1, 2]);
  for (const g of gates) g.open();
  assert.deepEqual(await run, [0, 10, 20, 30, 40]);
  assert.equal(peak, 2);
  assert.deepEqual(await bounded([], 4), []);
});

test("bounded: after a failure nothing new starts, the running task is awaited, the first failure is thrown", async () => {
  const slow = gate();
  const started: number[] = [];
  let slowFinished = false;
  const run = bounded(
    [
      async () => {
        started.push(0);
        await slow.p;
        slowFinished = true;
      },
      async () => {
        started.push(1);
        throw new Error("boom");
      },
      async () => {
        started.push(2);
      },
    ],
    2,
  );
  await tick();
  slow.open();
  await assert.rejects(run, /boom/);
  assert.equal(slowFinished, true, "the running task finished before bounded returned");
  assert.deepEqual(started, [0, 1], "task 2 never started");
});
