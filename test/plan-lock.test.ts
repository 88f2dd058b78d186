// Plan lock: exclusive, stale-pid takeover, foreign-host handling, release only if ours.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync, readdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { LockedError } from "../src/errors.js";
import { acquireLock, isPidAlive, lockPathFor } from "../src/plans/lock.js";

function planPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "egress-lock-"));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "egress-plan.json");
}

function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  assert.equal(r.status, 0);
  assert.ok(r.pid && !isPidAlive(r.pid), "child should have exited");
  return r.pid!;
}

test("acquire writes pid/hostname/startedAt/command; second acquire -> LockedError; release removes", async () => {
  const plan = planPath();
  const lock = await acquireLock(plan, { command: "add-nat --mode single" });
  const info = JSON.parse(readFileSync(lockPathFor(plan), "utf8"));
  assert.equal(info.pid, process.pid);
  assert.equal(info.hostname, hostname());
  assert.equal(info.command, "add-nat --mode single");
  assert.ok(!Number.isNaN(Date.parse(info.startedAt)));
  await assert.rejects(acquireLock(plan, { command: "destroy" }), (e: unknown) => {
    assert.ok(e instanceof LockedError);
    assert.equal(e.exitCode, 5);
    assert.match(e.message, new RegExp(`pid ${process.pid} on this host \\(command "add-nat --mode single"\\), started `));
    assert.match(e.hint ?? "", /delete .*egress-plan\.json\.lock/);
    return true;
  });
  await lock.release();
  assert.equal(existsSync(lockPathFor(plan)), false);
  const again = await acquireLock(plan, "status"); // command text alone is accepted
  assert.equal(again.info.command, "status");
  await again.release();
});

test("stale lock (dead pid on this host) is taken over", async () => {
  const plan = planPath();
  const pid = deadPid();
  writeFileSync(lockPathFor(plan), JSON.stringify({ pid, hostname: hostname(), startedAt: "2026-11-01T00:00:00.000Z", command: "create-vpc" }));
  const lock = await acquireLock(plan, { command: "create-vpc" });
  assert.match(lock.tookOver ?? "", new RegExp(`stale lock from pid ${pid}.*no longer running`));
  assert.equal(JSON.parse(readFileSync(lockPathFor(plan), "utf8")).pid, process.pid);
  assert.deepEqual(readdirSync(join(plan, "..")).sort(), ["egress-plan.json.lock"], "no .stale files left");
  await lock.release();
});

test("parallel takers of one stale lock: exactly one wins, every time", async () => {
  // 50 rounds: the race this guards (a fresh lock moved aside with the stale one) lost ~1 round in 7
  const dead = deadPid();
  for (let round = 0; round < 50; round++) {
    const plan = planPath();
    writeFileSync(lockPathFor(plan), JSON.stringify({ pid: dead, hostname: hostname(), startedAt: new Date().toISOString(), command: "x" }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock(plan)));
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, `round ${round}: ${won.length} runs hold the lock`);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof LockedError);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
    assert.deepEqual(readdirSync(join(plan, "..")).filter((f) => f.includes(".lock")), [], `round ${round}: no lock or breaker left`);
  }
});

test("a breaker left by a run killed while removing a stale lock does not block the next", async () => {
  const plan = planPath();
  writeFileSync(lockPathFor(plan), JSON.stringify({ pid: deadPid(), hostname: hostname(), startedAt: new Date().toISOString(), command: "x" }));
  writeFileSync(`${lockPathFor(plan)}.break`, JSON.stringify({ pid: deadPid(), hostname: hostname() }));
  const lock = await acquireLock(plan, "create-vpc");
  assert.match(lock.tookOver ?? "", /no longer running/);
  assert.equal(existsSync(`${lockPathFor(plan)}.break`), false);
  await lock.release();
});

test("release does not remove a lock that is not ours", async () => {
  const plan = planPath();
  const lock = await acquireLock(plan);
  const other = JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: "other", token: "someone-else" });
  writeFileSync(lockPathFor(plan), other);
  await lock.release();
  assert.equal(readFileSync(lockPathFor(plan), "utf8"), other);
  lock.releaseSync(); // idempotent
  assert.equal(existsSync(lockPathFor(plan)), true);
});

test("lock from another host: refused while young, taken over when older than the limit", async () => {
  const plan = planPath();
  writeFileSync(lockPathFor(plan), JSON.stringify({ pid: 1, hostname: "ci-runner-7", startedAt: new Date().toISOString(), command: "destroy" }));
  await assert.rejects(acquireLock(plan), (e: unknown) => {
    assert.ok(e instanceof LockedError);
    assert.match(e.message, /another host: pid 1 on host ci-runner-7 \(command "destroy"\)/);
    assert.match(e.hint ?? "", /after 24 h/);
    return true;
  });
  const old = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
  writeFileSync(lockPathFor(plan), JSON.stringify({ pid: 1, hostname: "ci-runner-7", startedAt: old, command: "destroy" }));
  const lock = await acquireLock(plan);
  assert.match(lock.tookOver ?? "", /abandoned lock .* ci-runner-7/);
  lock.releaseSync();
  assert.equal(existsSync(lockPathFor(plan)), false);
});

test("unreadable lock: refused while recent, taken over once old", async () => {
  const plan = planPath();
  writeFileSync(lockPathFor(plan), "");
  await assert.rejects(acquireLock(plan), (e: unknown) => e instanceof LockedError && /unreadable and recent/.test(e.message));
  const past = new Date(Date.now() - 60_000);
  utimesSync(lockPathFor(plan), past, past);
  const lock = await acquireLock(plan);
  assert.match(lock.tookOver ?? "", /unreadable/);
  await lock.release();
});
