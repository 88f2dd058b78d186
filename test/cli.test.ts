// The CLI shell: global options before or after the command, exit codes, lazy loading (no SDK on
// --help/--version), stdout/stderr discipline, and the built binary itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { BIN, ROOT, cli, cleanEnv, tempDir } from "./helpers.js";
import { VERSION } from "../src/version.js";

test("--version matches package.json", async () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
  assert.equal(VERSION, pkg.version);
  const r = await cli(["--version"], { cwd: tempDir() });
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), pkg.version);
});

test("--help and --version of the built binary load no AWS SDK module", () => {
  for (const args of [["--help"], ["--version"], ["create-vpc", "--help"], ["sandbox", "--help"]]) {
    const r = spawnSync(process.execPath, ["--import", path.join(ROOT, "test/fixtures/trace-imports.mjs"), BIN, ...args], { encoding: "utf8", env: cleanEnv() as NodeJS.ProcessEnv });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.length > 0);
    assert.doesNotMatch(r.stderr, /SDK-IMPORT/, `${args.join(" ")} imported the SDK:\n${r.stderr.slice(0, 500)}`);
  }
  // The tracer itself works: a command that talks to AWS does load it.
  const dir = tempDir();
  const r = spawnSync(process.execPath, ["--import", path.join(ROOT, "test/fixtures/trace-imports.mjs"), BIN, "--sandbox", "sandbox", "init"], { encoding: "utf8", cwd: dir, env: cleanEnv() as NodeJS.ProcessEnv });
  assert.equal(r.status, 0, r.stderr);
  const status = spawnSync(process.execPath, ["--import", path.join(ROOT, "test/fixtures/trace-imports.mjs"), BIN, "--sandbox", "create-vpc", "--name", "t"], { encoding: "utf8", cwd: dir, env: cleanEnv() as NodeJS.ProcessEnv });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stderr, /SDK-IMPORT/);
});

test("global options are accepted before and after the command name", async () => {
  const dir = tempDir();
  const env = cleanEnv();
  assert.equal((await cli(["--sandbox", "create-vpc", "--name", "g"], { cwd: dir, env })).code, 0);
  const a = await cli(["--sandbox", "status", "--json", "--offline"], { cwd: dir, env });
  const b = await cli(["status", "--sandbox", "--json", "--offline"], { cwd: dir, env });
  const c = await cli(["--json", "status", "--offline", "--sandbox"], { cwd: dir, env });
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(a.json(), b.json());
  assert.deepEqual(a.json(), c.json());
  assert.equal(a.json().plan, "g");
});

test("--json prints exactly one JSON document on stdout, logs stay on stderr", async () => {
  const dir = tempDir();
  const r = await cli(["--sandbox", "create-vpc", "--name", "j", "--json"], { cwd: dir, env: cleanEnv() });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.command, "create-vpc");
  const err = await cli(["--sandbox", "add-nat", "--mode", "per-az", "--eip", "nope", "--json"], { cwd: dir, env: cleanEnv() });
  assert.equal(err.code, 2);
  assert.equal(JSON.parse(err.stdout).error.exitCode, 2);
  assert.match(err.stderr, /error:/);
});

test("exit codes: unknown command 2, help 0, EGRESS_SANDBOX=1 selects the sandbox", async () => {
  const dir = tempDir();
  assert.equal((await cli(["nope"], { cwd: dir })).code, 2);
  assert.equal((await cli(["--help"], { cwd: dir })).code, 0);
  const r = await cli(["create-vpc", "--name", "envsb", "--json"], { cwd: dir, env: cleanEnv({ EGRESS_SANDBOX: "1" }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(path.join(dir, "egress-plan.json"), "utf8")).backend, "sandbox");
});

test("NO_COLOR and --no-color: no escape codes on stderr", async () => {
  const dir = tempDir();
  const r = await cli(["--sandbox", "add-nat", "--no-color"], { cwd: dir, env: cleanEnv({ NO_COLOR: "1" }) });
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stderr, /\u001b\[/);
});

test("a reader that stops early (`egress-cli --help | head -1`) ends the output, not the command: exit 0, no EPIPE trace", async () => {
  const { spawn } = await import("node:child_process");
  const dir = tempDir();
  assert.equal((await cli(["--sandbox", "create-vpc", "--name", "pipe"], { cwd: dir, env: cleanEnv() })).code, 0);
  for (const args of [["--help"], ["--sandbox", "status", "--json"]]) {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: cleanEnv() as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error'/, `${args.join(" ")}: ${stderr.slice(0, 400)}`);
    assert.equal(code, 0, stderr);
  }
});

test("the bundle keeps only the parts of zod it uses: no other locale, no fromJSONSchema", () => {
  // zod's namespace as a value (`import { z }`, `await import("zod")`) makes esbuild keep all of zod
  // (its 40 locales, JSON Schema import): 470 KB more for every command to load
  const bundle = readFileSync(path.join(ROOT, "dist", "egress-cli.cjs"), "utf8");
  assert.doesNotMatch(bundle, /Ungültige Eingabe/, "the German locale is in the bundle");
  assert.doesNotMatch(bundle, /fromJSONSchema/, "zod's JSON Schema import is in the bundle");
  assert.match(bundle, /Invalid input/, "the English messages are");
});

test("a command loads only the SDK services it calls: --sandbox status takes STS's and EC2's files, no other service's", async () => {
  const dir = tempDir();
  assert.equal((await cli(["--sandbox", "create-vpc", "--name", "svc"], { cwd: dir, env: cleanEnv() })).code, 0);
  const r = spawnSync(process.execPath, ["--import", path.join(ROOT, "test/fixtures/trace-imports.mjs"), BIN, "--sandbox", "status"], { encoding: "utf8", cwd: dir, env: cleanEnv() as NodeJS.ProcessEnv });
  assert.equal(r.status, 0, r.stderr);
  const loaded = [...r.stderr.matchAll(/SDK-IMPORT \S*\/dist\/sdk\/([\w-]+)\.cjs/g)].map((m) => m[1]);
  assert.ok(loaded.includes("ec2") && loaded.includes("sts"), `loaded: ${loaded}`);
  for (const other of ["iam", "lambda", "lattice", "ssm", "ram"]) assert.ok(!loaded.includes(other), `status loaded ${other}: ${loaded}`);
});
