// Issue 8 (what an operator hits): regression tests for the message, input and terminal items
// that are checked in process — 8, 9, 10, 11, 13 ('n'), 15 (stdout colour), 17, 18, 19, 20, 25, 30.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { run as runCli } from "../src/cli.js";
import { cli, cleanEnv, exampleSandbox, openSandbox, ROOT, tempDir } from "./helpers.js";

const ESC = /\u001b\[/;

test("item 17: S4's add-endpoint lambda sts secretsmanager --policy least-privilege lists every problem at once (exit 2, nothing changed); the mapping's role and secret are derived (issue 18)", async () => {
  const s = await exampleSandbox();
  const msk = Object.values<any>(s.region().vpcs).find((v) => v.Tags.some((t: any) => t.Value === "msk"));
  const clusterSg = Object.values<any>(s.region().securityGroups).find((g) => g.GroupName === "msk-cluster").GroupId;
  assert.equal((await s.run("import", "--vpc", msk.VpcId, "--name", "msk")).code, 0);
  const plan = readFileSync(path.join(s.cwd, "egress-plan.json"), "utf8");
  const calls = s.sandbox.stats().mutatingCalls;
  const r = await s.run("add-endpoint", "lambda", "sts", "secretsmanager", "--policy", "least-privilege", "--allow-from", clusterSg, "--json");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /enableDnsSupport|enableDnsHostnames/);
  assert.doesNotMatch(r.stderr, /problems|needs --principal|needs --resource/, "derived from the MSK mapping");
  assert.equal(r.json().error.exitCode, 2);
  // A group no mapping uses: nothing to derive, so DNS, --principal and --resource come together.
  const def = Object.values<any>(s.region().securityGroups).find((g) => g.VpcId === msk.VpcId && g.GroupName === "default").GroupId;
  const all = await s.run("add-endpoint", "lambda", "sts", "secretsmanager", "--policy", "least-privilege", "--allow-from", def, "--json");
  assert.equal(all.code, 2, all.stderr);
  assert.match(all.stderr, /2 problems/);
  assert.match(all.stderr, /enableDnsSupport|enableDnsHostnames/);
  assert.match(all.stderr, /--principal ROLE_ARN .* and --resource SECRET_ARN/);
  assert.equal(s.sandbox.stats().mutatingCalls, calls);
  assert.equal(readFileSync(path.join(s.cwd, "egress-plan.json"), "utf8"), plan);
});

test("item 8: user-info in --endpoint-url is never stored in the plan nor shown", async () => {
  // The plan's backend is derived in one place; check it with the pure helper and the backend string.
  const { redactUrl } = await import("../src/net/url.js");
  assert.equal(redactUrl("http://user:password@127.0.0.1:18080"), "http://127.0.0.1:18080");
  assert.equal(redactUrl("endpoint:http://user:password@127.0.0.1:18080/"), "endpoint:http://127.0.0.1:18080/");
  assert.equal(redactUrl("https://127.0.0.1:4566"), "https://127.0.0.1:4566");
  // Issue 19 item 6: a query string (a security token) or fragment is dropped too.
  assert.equal(redactUrl("http://127.0.0.1:5301/?X-Amz-Security-Token=abc#frag"), "http://127.0.0.1:5301/");
  assert.equal(redactUrl("endpoint:http://u:p@127.0.0.1:5301/x?a=b"), "endpoint:http://127.0.0.1:5301/x");
  const { createAwsClients } = await import("../src/aws/clients.js");
  const log = (await import("../src/output/logger.js")).createLogger({ stderr: new PassThrough(), color: false, verbose: false, interactive: false });
  const clients = createAwsClients({ region: "us-east-1", endpointUrl: "http://user:password@127.0.0.1:18080", verbose: false, log: await log, userAgent: "t", env: {} });
  assert.equal(clients.backend, "endpoint:http://127.0.0.1:18080");
  // End to end: nothing listens on port 9; the error names the endpoint without the password.
  const cwd = tempDir();
  const r = await cli(["--endpoint-url", "http://user:password@127.0.0.1:9", "create-vpc", "--name", "x", "--region", "us-east-1"], { cwd, env: cleanEnv({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "x", AWS_MAX_ATTEMPTS: "1" }) });
  assert.doesNotMatch(r.stdout + r.stderr, /user:password|password@/);
  assert.match(r.stderr, /could not reach http:\/\/127\.0\.0\.1:9:/);
});

test("item 20: ECONNREFUSED names the endpoint and the call, hints at the URL", { timeout: 60_000 }, async () => {
  const cwd = tempDir();
  const r = await cli(["--endpoint-url", "http://127.0.0.1:9", "create-vpc", "--name", "x", "--region", "us-east-1", "--json"], { cwd, env: cleanEnv({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "x" }) });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /(ec2|sts):[A-Za-z]+ could not reach http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
  assert.match(r.stderr, /--endpoint-url/);
  assert.doesNotMatch(r.stderr, /error: Error:/);
  assert.equal(r.json().error.code, "EndpointUnreachable");
});

test("item 19: the plan's region is the default; only an explicit --region that differs is refused", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env, sandbox });
  assert.equal((await run("--region", "ap-northeast-2", "create-vpc", "--name", "seoul")).code, 0);
  const st = await run("status", "--json");
  assert.equal(st.code, 0, st.stderr);
  assert.equal(st.json().region, "ap-northeast-2");
  assert.equal((await run("status", "--region", "ap-northeast-2")).code, 0);
  const other = await run("status", "--region", "us-east-1");
  assert.equal(other.code, 2);
  assert.match(other.stderr, /belongs to region ap-northeast-2 \(this run: us-east-1\)/);
});

test("item 18: create-vpc --public-subnets 0 does not suggest add-nat", async () => {
  const s = await exampleSandbox();
  const r = await s.run("create-vpc", "--name", "nopub", "--public-subnets", "0");
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /add-nat/);
  // The hint carries the backend this run used (issue 18): copy-paste reaches the same sandbox.
  assert.ok(r.stdout.includes(`Next: egress-cli --sandbox-file ${s.file} add-endpoint`), r.stdout);
});

test("item 25: unknown commands in --json carry hint and exitCode; no hint points at a command that does not exist", async () => {
  const cwd = tempDir();
  const r = await cli(["launch-rocket", "--json"], { cwd });
  assert.equal(r.code, 2);
  const e = r.json().error;
  assert.equal(e.code, "UnknownCommand");
  assert.equal(e.exitCode, 2);
  assert.match(e.hint, /--help/);
  // Every `egress-cli <command>` a message suggests is a command of the program.
  const { buildProgram } = await import("../src/cli.js");
  const program = buildProgram({ cwd, env: {}, stdout: new PassThrough(), stderr: new PassThrough(), signal: new AbortController().signal }, async () => {});
  const commands = new Set(program.commands.map((c) => c.name()));
  const files: string[] = [];
  const walk = (d: string) => readdirSync(d, { withFileTypes: true }).forEach((x) => (x.isDirectory() ? walk(path.join(d, x.name)) : x.name.endsWith(".ts") && files.push(path.join(d, x.name))));
  walk(path.join(ROOT, "src"));
  const named = new Map<string, string>();
  for (const f of files) {
    const code = readFileSync(f, "utf8").split("\n").filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join("\n"); // messages, not comments
    // global flags that take no value (--sandbox) are not followed by one
    for (const m of code.matchAll(/(?:[`(]|[Rr]un |[Uu]se |Next: )egress-cli (?:--(?:sandbox|json|yes|dry-run|verbose|no-color) |--[a-z-]+(?: \S+)? )*([a-z][a-z-]*[a-z])/g)) named.set(m[1], path.relative(ROOT, f));
  }
  assert.ok(named.size > 5, "found the suggestions");
  named.delete("egress-cli");
  for (const [name, file] of named) assert.ok(commands.has(name), `${file} suggests "egress-cli ${name}", which is not a command`);
});

test("item 15: colour is decided per stream — stdout redirected gets no ANSI codes while stderr is a terminal", async () => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "colour")).code, 0);
  const stdout = Object.assign(new PassThrough(), { isTTY: false });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let out = "";
  stdout.on("data", (d) => (out += d));
  stderr.resume();
  const code = await runCli(["--sandbox-file", s.file, "status"], { cwd: s.cwd, env: cleanEnv(), stdout, stderr, signal: new AbortController().signal, sandbox: s.sandbox });
  assert.equal(code, 0);
  assert.match(out, /Plan colour/);
  assert.doesNotMatch(out, ESC);
});

test("item 13: answering n at the destroy prompt exits 1 with 'destroy cancelled'", async () => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "keep")).code, 0);
  const r = await cli(["--sandbox-file", s.file, "destroy"], { cwd: s.cwd, env: s.env, sandbox: s.sandbox, tty: true, input: "n\n" });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /destroy cancelled/);
  assert.doesNotMatch(r.stderr, /AbortError/);
});

test("item 30: destroy never lists a vpc-attribute with an empty id", async () => {
  const s = await exampleSandbox();
  assert.equal((await s.run("create-vpc", "--name", "attrs")).code, 0);
  const r = await s.run("destroy", "--dry-run");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /vpc-attribute vpc\/dns-(support|hostnames)\n/);
  assert.doesNotMatch(r.stdout, /vpc-attribute\s+\(/);
});

test("item 9: --allow-public-source lets public sources broader than a /8 through (the bad-input matrix has the refusal)", async () => {
  const { publicAddressCount } = await import("../src/commands/add-endpoint.js");
  assert.equal(publicAddressCount(["0.0.0.0/1", "128.0.0.0/1"]), 2 ** 32 - 2 ** 24 - 2 ** 20 - 2 ** 16 - 2 ** 22);
  assert.equal(publicAddressCount(["10.0.0.0/8", "192.168.1.0/24"]), 0);
  assert.equal(publicAddressCount(["203.0.113.0/24"]), 256);
});

test("item 30: every command's --help has 2-3 examples and marks required options; the program's help lists the exit codes; README's command table is one table", async () => {
  const cwd = tempDir();
  const { buildProgram } = await import("../src/cli.js");
  const program = buildProgram({ cwd, env: {}, stdout: new PassThrough(), stderr: new PassThrough(), signal: new AbortController().signal }, async () => {});
  const names: string[][] = [];
  const visit = (cmd: any, prefix: string[]) => cmd.commands.filter((c: any) => c.name() !== "help").forEach((c: any) => (names.push([...prefix, c.name()]), visit(c, [...prefix, c.name()])));
  visit(program, []);
  assert.ok(names.length >= 16);
  for (const n of names) {
    const r = await cli([...n, "--help"], { cwd });
    assert.equal(r.code, 0);
    const examples = r.stdout.split("\n").filter((l) => l.startsWith("  $ egress-cli"));
    assert.ok(examples.length >= 2 && examples.length <= 3, `${n.join(" ")} --help has ${examples.length} examples`);
  }
  assert.match((await cli(["attach-lambda", "--help"], { cwd })).stdout, /--function <name\|arn>\s+\[required\]/);
  assert.match((await cli(["analyze-path", "--help"], { cwd })).stdout, /--from <source>\s+\[required\]/);
  assert.match((await cli(["sandbox", "--help"], { cwd })).stdout, /load <file>/);
  const top = (await cli(["--help"], { cwd })).stdout;
  assert.match(top, /Exit codes:[\s\S]*\b2 +bad usage[\s\S]*\b130 +interrupted/);
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("## Commands"), readme.indexOf("Details, flags and JSON shapes"));
  const rows = table.split("\n").filter((l) => l.startsWith("|"));
  const firstRow = table.split("\n").findIndex((l) => l.startsWith("|"));
  const lastRow = table.split("\n").map((l) => l.startsWith("|")).lastIndexOf(true);
  assert.equal(lastRow - firstRow + 1, rows.length, "no blank line inside the command table");
  assert.match(table, /`sandbox load FILE`/);
  for (const n of names.filter((x) => x.length === 1 && x[0] !== "sandbox")) assert.ok(rows.some((r) => r.includes(`\`${n[0]}`)), `README documents ${n[0]}`);
  // Exit 3 (--fail-on) is documented only while a command can return it.
  if (!names.some((x) => x[0] === "audit")) assert.doesNotMatch(readme, /\| 3 \|/);
});
