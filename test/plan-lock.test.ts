// Plan lock: exclusive, stale-pid takeover, foreign-host handling, release only if ours.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync, readdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { LockedError } from "../src/errors.js";
import { acquireLock, isPidAlive, lockPathFor } from "../src/locks/file-lock.js";

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

test("parallel takers of one stale lock in one process: exactly one wins, nothing left behind", async () => {
  const dead = deadPid();
  for (let round = 0; round < 20; round++) {
    const plan = planPath();
    writeFileSync(lockPathFor(plan), JSON.stringify({ pid: dead, hostname: hostname(), startedAt: new Date().toISOString(), command: "x" }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock(plan)));
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, `round ${round}: ${won.length} runs hold the lock`);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof LockedError);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
    assert.deepEqual(readdirSync(join(plan, "..")).filter((f) => f.includes(".lock")), [], `round ${round}: no lock, breaker or temporary file left`);
  }
});

test("separate processes racing for a stale lock (a dead owner's, or an old empty one): never two holders at once", async () => {
  const { spawn } = await import("node:child_process");
  const dir = mkdtempSync(join(tmpdir(), "egress-lock-race-"));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  const ROUNDS = 20;
  const TAKERS = 6;
  const dead = deadPid();
  const plans = Array.from({ length: ROUNDS }, (_, r) => {
    const plan = join(dir, `r${r}`, "egress-plan.json");
    mkdirSync(join(dir, `r${r}`));
    if (r % 2) {
      writeFileSync(lockPathFor(plan), ""); // a run killed between create and write, long ago
      utimesSync(lockPathFor(plan), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    } else {
      writeFileSync(lockPathFor(plan), JSON.stringify({ pid: dead, hostname: hostname(), startedAt: new Date().toISOString(), command: "x" }));
    }
    return plan;
  });
  const lockModule = new URL("../src/locks/file-lock.ts", import.meta.url).pathname;
  // each taker, once all are running: per round, try the lock; the holder proves it is alone by
  // creating <round>/holder with O_EXCL (EEXIST = someone else holds it too), holds 40 ms, releases
  const script = `
    import { acquireLock } from ${JSON.stringify(lockModule)};
    import { appendFileSync, existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
    import { join } from "node:path";
    const [dir, me, takers, rounds] = [process.argv[1], process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
    writeFileSync(join(dir, "ready-" + me), "");
    while (!existsSync(join(dir, "go"))) await new Promise((r) => setTimeout(r, 5));
    const t0 = Number(readFileSync(join(dir, "go"), "utf8"));
    for (let r = 0; r < rounds; r++) {
      while (Date.now() < t0 + r * 300) await new Promise((res) => setImmediate(res));
      let lock;
      try { lock = await acquireLock(join(dir, "r" + r, "egress-plan.json"), "race"); } catch (e) { if (e.name !== "LockedError" && e.constructor?.name !== "LockedError") appendFileSync(join(dir, "log"), "error " + e.message + "\\n"); continue; }
      try { writeFileSync(join(dir, "r" + r, "holder"), me, { flag: "wx" }); appendFileSync(join(dir, "log"), "won " + r + "\\n"); }
      catch { appendFileSync(join(dir, "log"), "TWO-HOLDERS " + r + "\\n"); }
      await new Promise((res) => setTimeout(res, 40));
      try { unlinkSync(join(dir, "r" + r, "holder")); } catch {}
      await lock.release();
    }
  `;
  const children = Array.from({ length: TAKERS }, (_, i) =>
    new Promise<number | null>((resolve) => {
      const c = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dir, String(i), String(TAKERS), String(ROUNDS)], { cwd: new URL("..", import.meta.url).pathname, stdio: ["ignore", "ignore", "inherit"] });
      c.on("close", resolve);
    }),
  );
  const deadline = Date.now() + 60_000;
  while (Array.from({ length: TAKERS }, (_, i) => existsSync(join(dir, `ready-${i}`))).includes(false) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  writeFileSync(join(dir, "go"), String(Date.now() + 100));
  assert.deepEqual(await Promise.all(children), Array(TAKERS).fill(0));
  const log = readFileSync(join(dir, "log"), "utf8");
  assert.doesNotMatch(log, /TWO-HOLDERS|error/, log);
  for (let r = 0; r < ROUNDS; r++) assert.match(log, new RegExp(`^won ${r}$`, "m"), `round ${r}: somebody took the stale lock`);
  for (let r = 0; r < ROUNDS; r++) assert.deepEqual(readdirSync(join(dir, `r${r}`)), [], `round ${r}: no lock, breaker or temporary file left`);
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

test("this pid on a lock or a breaker that this process does not hold is an earlier process's (a restarted container reuses pids): taken over", async () => {
  const plan = planPath();
  writeFileSync(lockPathFor(plan), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: "2026-11-01T00:00:00.000Z", command: "x", token: "earlier" }));
  writeFileSync(`${lockPathFor(plan)}.break`, JSON.stringify({ pid: process.pid, hostname: hostname(), token: "earlier" }));
  const lock = await acquireLock(plan, "status");
  assert.match(lock.tookOver ?? "", /an earlier process with this run's pid/);
  // while this process holds it, it is live to a second acquisition here too
  await assert.rejects(acquireLock(plan, "status"), LockedError);
  await lock.release();
  assert.deepEqual(readdirSync(join(plan, "..")), [], "no lock, breaker or temporary file left");
});
