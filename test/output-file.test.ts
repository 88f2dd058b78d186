// Issue 8 item 1: every --out/--output goes through one writer that refuses the plan, its lock, the
// sandbox state, symlinks, devices and FIFOs (by inode and real path), and writes atomically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { linkSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exampleSandbox } from "./helpers.js";

test("snapshot --out refuses the plan, its lock, the sandbox file, links to them, devices, FIFOs and folders (exit 2, nothing changed)", async (t) => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "outs", "--cidr", "10.61.0.0/16")).code, 0);
  const planFile = path.join(s.cwd, "egress-plan.json");
  writeFileSync(path.join(s.cwd, "egress-plan.json.lock"), "{}");
  symlinkSync(planFile, path.join(s.cwd, "link-to-plan.json"));
  linkSync(planFile, path.join(s.cwd, "hardlink-to-plan.json"));
  symlinkSync(path.join(s.cwd, "nowhere.json"), path.join(s.cwd, "dangling.json"));
  execFileSync("mkfifo", [path.join(s.cwd, "fifo")]);
  mkdirSync(path.join(s.cwd, "adir"));
  mkdirSync(path.join(s.cwd, "sub"));
  const cases: [string, RegExp][] = [
    ["egress-plan.json", /is the plan file/],
    ["./sub/../egress-plan.json", /is the plan file/],
    ["egress-plan.json.lock", /companion/],
    [".egress/sandbox.json", /sandbox state file/],
    ["link-to-plan.json", /symbolic link/],
    ["dangling.json", /symbolic link/],
    ["hardlink-to-plan.json", /same file under another name/],
    ["fifo", /not a regular file/],
    ["/dev/null", /not a regular file/],
    ["adir", /is a directory/],
    ["missing-folder/snap.json", /does not exist/],
    ["", /empty/],
  ];
  for (const [out, message] of cases) {
    await t.test(out || "(empty)", async () => {
      const plan = readFileSync(planFile, "utf8");
      const sandbox = readFileSync(s.file, "utf8");
      const calls = s.sandbox.stats().calls;
      const r = await s.run("snapshot", "--out", out, "--json");
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.json().error.code, "OutputFileRefused");
      assert.equal(readFileSync(planFile, "utf8"), plan);
      assert.equal(readFileSync(s.file, "utf8"), sandbox);
      assert.equal(s.sandbox.stats().calls, calls, "refused before any AWS call");
    });
  }
  assert.ok(lstatSync(path.join(s.cwd, "fifo")).isFIFO(), "the FIFO is still a FIFO");
  assert.ok(lstatSync(path.join(s.cwd, "link-to-plan.json")).isSymbolicLink());
  assert.ok(lstatSync("/dev/null").isCharacterDevice());
});

test("snapshot --out writes a new file and replaces an existing regular report", async () => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "outs2", "--cidr", "10.62.0.0/16")).code, 0);
  const r1 = await s.run("snapshot", "--out", "snap.json");
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(s.cwd, "snap.json"), "utf8")).region, "us-east-1");
  writeFileSync(path.join(s.cwd, "old.json"), "old report");
  const r2 = await s.run("snapshot", "--out", "old.json");
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(readFileSync(path.join(s.cwd, "old.json"), "utf8").startsWith("{"));
});
