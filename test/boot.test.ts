// The built executable's start-up (src/boot.ts): the compile cache is written on a first run, used on the
// next, and a damaged or disabled cache only means compiling as usual — same output every time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, cleanEnv, tempDir } from "./helpers.js";

// Node >= 22.1 has its own (src/boot.ts then uses it); @types/node 20 does not know it
const builtIn = typeof ((await import("node:module")).default as unknown as { enableCompileCache?: unknown }).enableCompileCache === "function";

function run(tmp: string, extra: Record<string, string> = {}, args = ["--help"]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...cleanEnv(), TMPDIR: tmp, ...extra } as NodeJS.ProcessEnv });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout;
}

test("the compile cache is written by a first run, read by the next, and survives damage", { skip: builtIn && "Node's own compile cache is used" }, () => {
  const tmp = tempDir();
  const first = run(tmp);
  const root = path.join(tmp, `egress-cli-compile-cache-${process.getuid?.() ?? 0}`);
  assert.equal(statSync(root).mode & 0o077, 0, "only its owner may write code there");
  const dir = path.join(root, `${process.version}-${process.arch}`);
  const entries = readdirSync(dir).filter((f) => !f.endsWith(".tmp"));
  assert.equal(entries.length, 1, `the bundle (--help requires nothing else): ${entries}`);
  const mtimes = entries.map((f) => statSync(path.join(dir, f)).mtimeMs);
  assert.equal(run(tmp), first);
  assert.deepEqual(entries.map((f) => statSync(path.join(dir, f)).mtimeMs), mtimes, "a hit rewrites nothing");
  // damaged entries (right hash, garbage code) are rejected by V8 and rewritten; so is a torn header
  for (const f of entries) writeFileSync(path.join(dir, f), Buffer.concat([Buffer.from(readHash(path.join(dir, f))), Buffer.from('[""]\ngarbage')]));
  assert.equal(run(tmp), first);
  assert.notDeepEqual(entries.map((f) => statSync(path.join(dir, f)).mtimeMs), mtimes, "rejected code is rewritten");
  for (const f of entries) writeFileSync(path.join(dir, f), Buffer.from(readHash(path.join(dir, f))));
  assert.equal(run(tmp), first);
  assert.equal(run(tmp, { EGRESS_NO_COMPILE_CACHE: "1" }), first);
  const off = tempDir();
  run(off, { EGRESS_NO_COMPILE_CACHE: "1" });
  assert.deepEqual(readdirSync(off), [], "disabled: nothing written");
});

test("a command the cache has not seen adds its code to the entry; once there, its runs rewrite nothing", { skip: builtIn && "Node's own compile cache is used" }, () => {
  const tmp = tempDir();
  run(tmp); // --help first: the bundle's entry holds only the shell's code
  const dir = path.join(tmp, `egress-cli-compile-cache-${process.getuid?.() ?? 0}`, `${process.version}-${process.arch}`);
  const bundle = readdirSync(dir).filter((f) => !f.endsWith(".tmp"));
  assert.equal(bundle.length, 1);
  const entry = path.join(dir, bundle[0]!);
  const header = () => readFileSync(entry, "latin1").slice(40, readFileSync(entry, "latin1").indexOf("\n"));
  assert.deepEqual(JSON.parse(header()), [""]);
  const sizeAfterHelp = statSync(entry).size;
  const init = ["--sandbox-file", path.join(tmp, "sb.json"), "sandbox", "init", "--force"];
  run(tmp, {}, init);
  assert.deepEqual(JSON.parse(header()), ["", "sandbox init"]);
  assert.ok(statSync(entry).size > sizeAfterHelp, "sandbox init's code was added");
  const mtime = statSync(entry).mtimeMs;
  run(tmp, {}, init);
  run(tmp);
  assert.equal(statSync(entry).mtimeMs, mtime, "both commands are covered: nothing rewritten");
});

function readHash(file: string): string {
  return spawnSync("head", ["-c", "40", file], { encoding: "latin1" }).stdout;
}
