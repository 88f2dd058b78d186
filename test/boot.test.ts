// The built executable's start-up (src/boot.ts): the compile cache is written on a first run, used on the
// next, and a damaged or disabled cache only means compiling as usual — same output every time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { BIN, cleanEnv, tempDir } from "./helpers.js";

function run(tmp: string, extra: Record<string, string> = {}, args = ["--help"]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...cleanEnv(), TMPDIR: tmp, ...extra } as NodeJS.ProcessEnv });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout;
}

test("the compile cache is written by a first run, read by the next, and survives damage", () => {
  const tmp = tempDir();
  const first = run(tmp);
  const root = path.join(tmp, `egress-cli-compile-cache-${process.getuid?.() ?? 0}`);
  assert.equal(statSync(root).mode & 0o077, 0, "only its owner may write code there");
  const dir = path.join(root, `${process.version}-${process.arch}`);
  const entries = readdirSync(dir).filter((f) => !f.endsWith(".tmp"));
  assert.equal(entries.length, 1, `the bundle (--help requires nothing else): ${entries}`);
  assert.match(entries[0]!, /^[0-9a-f]{28}\._$/, "the entry of a run with no command");
  const runsOf = (f: string) => readFileSync(path.join(dir, f)).toString("latin1", 28, 29);
  assert.equal(runsOf(entries[0]!), "1", "written by one run");
  // the next two runs add what they compiled; from the third on, a hit rewrites nothing
  assert.equal(run(tmp), first);
  assert.equal(runsOf(entries[0]!), "2");
  assert.equal(run(tmp), first);
  assert.equal(runsOf(entries[0]!), "3");
  const mtimes = entries.map((f) => statSync(path.join(dir, f)).mtimeMs);
  assert.equal(run(tmp), first);
  assert.deepEqual(entries.map((f) => statSync(path.join(dir, f)).mtimeMs), mtimes, "a hit rewrites nothing");
  assert.equal(runsOf(entries[0]!), "3");
  // a run that writes entries prunes: the old one-per-file format, month-old entries, abandoned temporaries
  const old = [path.join(dir, "0".repeat(40)), path.join(dir, `${"1".repeat(40)}.gone-command`), path.join(dir, `${"2".repeat(40)}._.123.tmp`)];
  for (const f of old) writeFileSync(f, "x");
  // and the entries Node's own cache wrote when Node >= 22.1 used it
  mkdirSync(path.join(root, "node", "v24.0.0-x64-0"), { recursive: true });
  writeFileSync(path.join(root, "node", "v24.0.0-x64-0", "1a2b3c4d"), "x");
  utimesSync(old[1]!, new Date(Date.now() - 40 * 86400_000), new Date(Date.now() - 40 * 86400_000));
  utimesSync(old[2]!, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
  // damaged entries (right hash, garbage code) are rejected by V8 and rewritten; so is a torn header
  for (const f of entries) writeFileSync(path.join(dir, f), Buffer.concat([Buffer.from(readHash(path.join(dir, f))), Buffer.from("garbage")]));
  assert.equal(run(tmp), first);
  assert.notDeepEqual(entries.map((f) => statSync(path.join(dir, f)).mtimeMs), mtimes, "rejected code is rewritten");
  assert.deepEqual(old.filter((f) => existsSync(f)), [], "pruned");
  assert.equal(existsSync(path.join(root, "node")), false, "Node's own cache's old entries pruned");
  for (const f of entries) writeFileSync(path.join(dir, f), Buffer.from(readHash(path.join(dir, f))));
  assert.equal(run(tmp), first);
  assert.equal(run(tmp, { EGRESS_NO_COMPILE_CACHE: "1" }), first);
  const off = tempDir();
  run(off, { EGRESS_NO_COMPILE_CACHE: "1" });
  assert.deepEqual(readdirSync(off), [], "disabled: nothing written");
});

test("each command has its own entry, found from argv before the CLI parses it; once its first runs wrote it, runs rewrite nothing", () => {
  const tmp = tempDir();
  for (let i = 0; i < 3; i++) run(tmp); // --help first: the bundle's entry holds only the shell's code
  const dir = path.join(tmp, `egress-cli-compile-cache-${process.getuid?.() ?? 0}`, `${process.version}-${process.arch}`);
  const [help] = readdirSync(dir);
  const bundle = help!.slice(0, 28);
  const sizeOf = (name: string) => statSync(path.join(dir, `${bundle}.${name}`)).size;
  const mtimeOf = (name: string) => statSync(path.join(dir, `${bundle}.${name}`)).mtimeMs;
  const sb = ["--sandbox-file", path.join(tmp, "sb.json")];
  // a first create-vpc that stops at a usage error, then two that run: the entry holds the code of both paths
  run(tmp, {}, [...sb, "sandbox", "init", "--force"]);
  const bad = spawnSync(process.execPath, [BIN, ...sb, "create-vpc", "--name", "c", "--cidr", "10.0.0.0/8", "--plan", path.join(tmp, "p0.json")], { encoding: "utf8", env: { ...cleanEnv(), TMPDIR: tmp } as NodeJS.ProcessEnv });
  assert.equal(bad.status, 2, bad.stderr);
  const partial = sizeOf("create-vpc");
  // (three runs that reach AWS: the SDK files the usage error never loaded have their three writes too)
  for (let i = 1; i <= 3; i++) {
    run(tmp, {}, [...sb, "sandbox", "init", "--force"]);
    run(tmp, {}, [...sb, "create-vpc", "--name", `c${i}`, "--plan", path.join(tmp, `p${i}.json`)]);
  }
  assert.ok(sizeOf("create-vpc") > partial, `a later run adds the code it compiled: ${partial} → ${sizeOf("create-vpc")}`);
  assert.ok(sizeOf("sandbox+init") > sizeOf("_"), "sandbox init's entry holds its code too");
  assert.ok(sizeOf("create-vpc") > sizeOf("_"));
  const sdk = readdirSync(dir).filter((f) => f.endsWith(".create-vpc") && !f.startsWith(bundle));
  assert.ok(sdk.length > 1, `the SDK files create-vpc loaded have entries of their own: ${sdk}`);
  const before = readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).mtimeMs]);
  // the command is found among argv's words, options and their values around it
  run(tmp, {}, [...sb, "sandbox", "init", "--force"]);
  run(tmp, {}, [...sb, "--region", "us-east-1", "create-vpc", "--name", "c4", "--plan", path.join(tmp, "p4.json")]);
  // an option's value spelt like a command is passed over for the command after it
  run(tmp, {}, [...sb, "--plan", "create-vpc", "sandbox", "init", "--force"]);
  run(tmp);
  // a run that never reaches its command (help of a command) writes no entry
  run(tmp, {}, ["create-vpc", "--help"]);
  assert.deepEqual(readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).mtimeMs]), before, "every entry was a hit: nothing rewritten");
  assert.equal(mtimeOf("_"), before.find(([f]) => f === `${bundle}._`)![1]);
});

test("on every Node the cache is egress-cli's own (Node's keeps only code compiled before a file runs): no entry of Node's, and either switch turns it off", () => {
  const tmp = tempDir();
  const first = run(tmp);
  const root = path.join(tmp, `egress-cli-compile-cache-${process.getuid?.() ?? 0}`);
  assert.deepEqual(readdirSync(root), [`${process.version}-${process.arch}`], "one directory, this Node's");
  for (const env of [{ EGRESS_NO_COMPILE_CACHE: "1" }, { NODE_DISABLE_COMPILE_CACHE: "1" }] as Record<string, string>[]) {
    const off = tempDir();
    assert.equal(run(off, env), first);
    assert.deepEqual(readdirSync(off), [], "disabled: nothing written");
  }
});

function readHash(file: string): string {
  return spawnSync("head", ["-c", "28", file], { encoding: "latin1" }).stdout;
}

// src/plans/checked.ts: the built CLI does not check again a plan text it checked (a load that passed) or
// wrote (checked before the write); any other text is checked in full.
test("a plan text the built CLI checked or wrote is not checked again; an edited one is, and a refused one is never marked", () => {
  const tmp = tempDir();
  const cwd = tempDir();
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, "--sandbox-file", path.join(cwd, "sb.json"), ...args], { cwd, encoding: "utf8", env: { ...cleanEnv(), TMPDIR: tmp, ...extra } as NodeJS.ProcessEnv });
  assert.equal(cli(["create-vpc", "--name", "marked"]).status, 0);
  const root = path.join(tmp, `egress-cli-compile-cache-${process.getuid?.() ?? 0}`);
  const folders = readdirSync(root).filter((f) => f.startsWith("plans-"));
  assert.equal(folders.length, 1, `one folder, this build's: ${readdirSync(root)}`);
  const build = folders[0]!.slice("plans-".length);
  const planFile = path.join(cwd, "egress-plan.json");
  const marker = path.join(root, folders[0]!, createHash("sha256").update(planFile).digest("hex").slice(0, 32));
  const stamp = (text: string) => createHash("sha256").update(`${build}\n${text}`).digest("hex");
  const good = readFileSync(planFile, "utf8");
  assert.equal(readFileSync(marker, "latin1"), stamp(good), "the text create-vpc wrote last is marked");
  // an edit the schema refuses: checked in full (exit 2), and not marked
  const bad = good.replace('"state": "created"', '"state": "bogus"');
  writeFileSync(planFile, bad);
  const refused = cli(["status", "--offline"]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /does not match the plan schema: .*state/);
  assert.equal(readFileSync(marker, "latin1"), stamp(good));
  // the marker is what skips the check: the same text marked (as this build would have, had it written it) passes
  writeFileSync(marker, stamp(bad));
  assert.equal(cli(["status", "--offline"]).status, 0);
  // from another build, or with the cache off, the text is checked again
  writeFileSync(marker, createHash("sha256").update(`another-build\n${bad}`).digest("hex"));
  assert.equal(cli(["status", "--offline"]).status, 2);
  writeFileSync(marker, stamp(bad));
  assert.equal(cli(["status", "--offline"], { EGRESS_NO_COMPILE_CACHE: "1" }).status, 2);
  // a plan that passes is marked by the load that checked it
  writeFileSync(planFile, good);
  writeFileSync(marker, "torn");
  assert.equal(cli(["status", "--offline"]).status, 0);
  assert.equal(readFileSync(marker, "latin1"), stamp(good));
});

// Review of issue 24's fifth pass: $TMPDIR/egress-cli-compile-cache-<uid> planted as a symbolic link (a shared
// /tmp) to another folder of this user's is not used: nothing in that folder is written or pruned.
test("a cache folder that is a symbolic link is not used: nothing where it points is written or pruned", () => {
  const tmp = tempDir();
  const victim = tempDir();
  chmodSync(victim, 0o755);
  mkdirSync(path.join(victim, "plans-0123456789abcdef"));
  writeFileSync(path.join(victim, "plans-0123456789abcdef", "budget.txt"), "keep me");
  utimesSync(path.join(victim, "plans-0123456789abcdef"), new Date(Date.now() - 40 * 86400_000), new Date(Date.now() - 40 * 86400_000));
  symlinkSync(victim, path.join(tmp, `egress-cli-compile-cache-${process.getuid?.() ?? 0}`));
  const cwd = tempDir();
  const r = spawnSync(process.execPath, [BIN, "--sandbox-file", path.join(cwd, "sb.json"), "create-vpc", "--name", "sym"], { cwd, encoding: "utf8", env: { ...cleanEnv(), TMPDIR: tmp } as NodeJS.ProcessEnv });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(path.join(victim, "plans-0123456789abcdef", "budget.txt"), "utf8"), "keep me");
  assert.deepEqual(readdirSync(victim).sort(), ["plans-0123456789abcdef"], "no cache written there");
});
