// The one atomic file write (src/atomic-file.ts): the plan and every --out/--output file go through it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileTarget, writeFileAtomic } from "../src/atomic-file.js";

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "egress-atomic-"));
  test.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test("a temporary left by a kill -9 of a process with this pid (pids repeat: pid 1 in every container) neither stops the write nor is deleted", async () => {
  const d = dir();
  const file = join(d, "plan.json");
  const stale = join(d, `plan.json.${process.pid.toString(36)}-1.tmp`);
  writeFileSync(stale, "half a plan");
  for (let i = 0; i < 3; i++) await writeFileAtomic(await fileTarget(file), `{"n":${i}}\n`);
  assert.equal(readFileSync(file, "utf8"), '{"n":2}\n');
  assert.equal(readFileSync(stale, "utf8"), "half a plan", "another writer's file is not ours to delete");
  assert.deepEqual(readdirSync(d).sort(), ["plan.json", `plan.json.${process.pid.toString(36)}-1.tmp`]);
});

test("chunks give the same bytes as one string; the file's mode is kept; a symlink's target is replaced, not the link", async () => {
  const d = dir();
  const real = join(d, "real.json");
  writeFileSync(real, "old");
  chmodSync(real, 0o640);
  const link = join(d, "link.json");
  symlinkSync(real, link);
  const big = Array.from({ length: 5000 }, (_, i) => `{"i":${i},"s":"é${"x".repeat(40)}"}\n`);
  await writeFileAtomic(await fileTarget(link), big);
  assert.equal(readFileSync(real, "utf8"), big.join(""));
  assert.equal(statSync(real).mode & 0o777, 0o640);
  assert.ok(statSync(link, { throwIfNoEntry: true }) && readdirSync(d).sort().join(",") === "link.json,real.json");
  await writeFileAtomic(await fileTarget(join(d, "one.json")), big.join(""));
  assert.equal(readFileSync(join(d, "one.json"), "utf8"), big.join(""));
});

test("a write that cannot be made leaves nothing behind and says why", async () => {
  const d = dir();
  await assert.rejects(writeFileAtomic(await fileTarget(join(d, "no-such-folder", "p.json")), "x"), { code: "ENOENT" });
  assert.equal(existsSync(join(d, "no-such-folder")), false);
  assert.deepEqual(readdirSync(d), []);
});
