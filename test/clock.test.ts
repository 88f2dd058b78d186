// The clock tests drive (test/clock.ts): timers fire in due order, time moves only when nothing is in
// flight (a file being read holds it), a cancelled timer never fires; and src/clock.ts's sleep ends at
// once on abort. What the other timing tests stand on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { realClock, sleep } from "../src/clock.js";
import { TestClock } from "./clock.js";

test("timers fire in due order (ties in the order they were set); work between them is done before time moves", async () => {
  const clock = new TestClock(0);
  const log: string[] = [];
  const a = (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(10);
      await readFile(import.meta.filename); // real I/O between two sleeps: time waits for it
      log.push(`a@${clock.now()}`);
    }
  })();
  const b = (async () => {
    for (let i = 0; i < 2; i++) {
      await clock.sleep(15);
      log.push(`b@${clock.now()}`);
    }
  })();
  await Promise.all([a, b]);
  // a's third sleep is set at 20 (after its read), b's second at 15: both due at 30, b's set first
  assert.deepEqual(log, ["a@10", "b@15", "a@20", "b@30", "a@30"]);
  assert.equal(clock.elapsed(), 30);
});

test("a cancelled timer never fires and does not move time; sleep on a clock ends at once on abort", async () => {
  const clock = new TestClock(0);
  let fired = false;
  const cancel = clock.setTimer(() => (fired = true), 1_000);
  cancel();
  await clock.sleep(5);
  assert.equal(fired, false);
  assert.equal(clock.elapsed(), 5);
  const ac = new AbortController();
  const long = sleep(60_000, ac.signal, clock);
  await clock.sleep(7);
  ac.abort();
  await long;
  assert.equal(clock.elapsed(), 12, "the 60 s sleep ended at the abort");
  const aborted = new AbortController();
  aborted.abort();
  const other = new TestClock(0);
  await sleep(60_000, aborted.signal, other);
  assert.equal(other.elapsed(), 0, "an already aborted signal does not sleep at all");
  assert.ok(Math.abs(realClock.now() - Date.now()) < 1_000, "realClock is Date.now");
});
