// The sandbox's lock is the one file lock (src/locks/file-lock.ts): waiting for it is asynchronous
// (this process goes on meanwhile), bounded, and Ctrl-C ends it (exit 130) — in process and in a
// spawned CLI — leaving the other run's lock alone; a dead holder's lock is taken over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { run } from "../src/cli.js";
import { LockedError } from "../src/errors.js";
import { acquireFileLock, isPidAlive } from "../src/locks/file-lock.js";
import { StateFile } from "../src/sandbox/store.js";
import { BIN, cleanEnv, cli, openSandbox, tempDir } from "./helpers.js";

/** A live process on this host that is not this one: the "other run" holding a lock. */
function holder(): ChildProcess {
  const c = spawn(process.execPath, ["-e", "setTimeout(() => {}, 120_000)"], { stdio: "ignore" });
  test.after(() => c.kill("SIGKILL"));
  return c;
}

/** Writes `<file>.lock` as a run with that pid would (the format createLockFile writes). */
function holdLock(file: string, pid: number): string {
  const body = `${JSON.stringify({ pid, hostname: hostname(), startedAt: new Date().toISOString(), command: "create-vpc --name other", token: "other-run" }, null, 2)}\n`;
  writeFileSync(`${file}.lock`, body);
  return body;
}

async function runInProcess(argv: string[], cwd: string, signal: AbortSignal): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  let err = "";
  stdout.resume();
  stderr.on("data", (d) => (err += d));
  const code = await run(argv, { cwd, env: cleanEnv(), stdout, stderr, stdin, signal });
  return { code, stderr: err };
}

test("waiting for the sandbox's lock is asynchronous: this process goes on, the call runs once the holder is gone", async () => {
  const file = path.join(tempDir(), "sb.json");
  await openSandbox(file);
  const other = holder();
  holdLock(file, other.pid!);
  const store = new StateFile(file);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  setTimeout(() => other.kill("SIGKILL"), 300); // the holder dies: its lock is taken over
  const t0 = Date.now();
  const order: string[] = [];
  const done = store.locked(() => {
    order.push("critical section");
    return JSON.parse(readFileSync(`${file}.lock`, "utf8")).pid as number;
  });
  order.push("after locked() returned");
  const holderPid = await done;
  clearInterval(timer);
  assert.deepEqual(order, ["after locked() returned", "critical section"]);
  assert.equal(holderPid, process.pid, "held by this process inside the critical section");
  assert.ok(Date.now() - t0 >= 250, "it waited for the holder");
  assert.ok(ticks >= 10, `timers ran while it waited (${ticks} ticks): no synchronous spin`);
  assert.equal(existsSync(`${file}.lock`), false, "released");
});

test("a live holder's lock is waited for only so long: LockedError naming it, its lock left in place", async () => {
  const file = path.join(tempDir(), "sb.json");
  const other = holder();
  const body = holdLock(file, other.pid!);
  const t0 = Date.now();
  await assert.rejects(
    acquireFileLock(`${file}.lock`, { what: "The sandbox", waitMs: 300, foreignStaleAfterMs: 30_000, corruptStaleAfterMs: 5_000 }),
    (e: unknown) => {
      assert.ok(e instanceof LockedError);
      assert.equal(e.exitCode, 5);
      assert.match(e.message, new RegExp(`The sandbox is locked by another egress-cli run: pid ${other.pid} on this host \\(command "create-vpc --name other"\\).*; waited 300 ms`));
      return true;
    },
  );
  assert.ok(Date.now() - t0 >= 250, "it waited");
  assert.ok(Date.now() - t0 < 3_000, `for waitMs, not longer (${Date.now() - t0} ms)`);
  assert.equal(readFileSync(`${file}.lock`, "utf8"), body);
});

test("Ctrl-C while waiting for the sandbox's lock (in-process CLI): exit 130 at once, nothing changed, the other run's lock kept", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  await openSandbox(file);
  const before = readFileSync(file, "utf8");
  const other = holder();
  const body = holdLock(file, other.pid!);

  const controller = new AbortController();
  let finished = false;
  const t0 = Date.now();
  const running = runInProcess(["--sandbox-file", file, "sandbox", "reset"], cwd, controller.signal).finally(() => (finished = true));
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(finished, false, "still waiting for the lock");
  controller.abort();
  const r = await running;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Interrupted/);
  assert.ok(Date.now() - t0 < 5_000, `stops promptly (${Date.now() - t0} ms), not after the 60 s wait`);
  assert.equal(readFileSync(`${file}.lock`, "utf8"), body, "the holder's lock is untouched");
  assert.equal(readFileSync(file, "utf8"), before, "the account was not reset");

  // a signal already aborted: no wait at all
  const aborted = new AbortController();
  aborted.abort();
  const t1 = Date.now();
  const again = await runInProcess(["--sandbox-file", file, "sandbox", "reset"], cwd, aborted.signal);
  assert.equal(again.code, 130, again.stderr);
  assert.ok(Date.now() - t1 < 3_000);
  assert.ok(isPidAlive(other.pid!));
});

test("SIGINT to a CLI waiting for the sandbox's lock another run holds: exit 130 promptly, plan lock released; once the holder is gone a re-run finishes", { timeout: 60_000 }, async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  await openSandbox(file);
  const other = holder();
  const body = holdLock(file, other.pid!);
  const child = spawn(process.execPath, [BIN, "--sandbox-file", file, "create-vpc", "--name", "waits"], { cwd, env: cleanEnv() as NodeJS.ProcessEnv });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const planLock = path.join(cwd, "egress-plan.json.lock");
  // it holds the plan's lock and waits for the sandbox's (its first change is the VPC)
  const started = Date.now();
  while (!existsSync(planLock)) {
    if (Date.now() - started > 20_000) throw new Error(`never took the plan lock: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  await new Promise((r) => setTimeout(r, 700));
  const journal = `${file}.journal`;
  const journalBefore = existsSync(journal) ? statSync(journal).size : 0;
  const t0 = Date.now();
  child.kill("SIGINT");
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.ok(Date.now() - t0 < 3_000, `stops promptly (${Date.now() - t0} ms)`);
  assert.match(stderr, /Interrupted/);
  assert.equal(existsSync(planLock), false, "plan lock released");
  assert.equal(readFileSync(`${file}.lock`, "utf8"), body, "the holder's sandbox lock is untouched");
  assert.equal(existsSync(journal) ? statSync(journal).size : 0, journalBefore, "nothing was written to the sandbox");

  other.kill("SIGKILL");
  await new Promise((r) => other.once("exit", r));
  const again = await cli(["--sandbox-file", file, "create-vpc", "--name", "waits", "--json"], { cwd });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.json().vpcId, /^vpc-/);
  assert.equal(existsSync(`${file}.lock`), false, "the dead holder's lock was taken over, then released");
});
