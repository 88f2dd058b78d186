// The sandbox's persistence: reads write nothing, each change is one fsynced journal line, concurrent
// processes on one file lose nothing, an unreadable state is refused (exit 2) and recovered by reset
// or init --force; `sandbox show`/`init` (no silent creation, readable inventory).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EC2 } from "@aws-sdk/client-ec2";
import { Sandbox } from "../src/sandbox/index.js";
import { BIN, SANDBOX_CREDENTIALS, accountSignature, cleanEnv, cli, exampleSandbox, openSandbox, plugged, readSandboxState, tempDir } from "./helpers.js";

const ec2Of = (sb: Sandbox) => plugged(sb, new EC2({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
const bytes = (f: string) => (existsSync(f) ? readFileSync(f) : null);

function execBin(args: string[], cwd: string, env: Record<string, string | undefined> = cleanEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: env as NodeJS.ProcessEnv, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test("reads write nothing; a change is one journal line that another instance reads back", async () => {
  const dir = tempDir();
  const file = path.join(dir, "sb.json");
  const sb = await openSandbox(file);
  const ec2 = ec2Of(sb);
  const vpc = (await ec2.createVpc({ CidrBlock: "10.9.0.0/16" })).Vpc!.VpcId!;
  const state = bytes(file);
  const journal = bytes(`${file}.journal`);
  await ec2.describeVpcs({});
  await ec2.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc] }] });
  await ec2.describeSecurityGroups({});
  assert.deepEqual(bytes(file), state, "the state file is untouched by reads");
  assert.deepEqual(bytes(`${file}.journal`), journal, "the journal is untouched by reads");
  // one more change appends exactly one line and leaves the state file alone
  await ec2.createSubnet({ VpcId: vpc, CidrBlock: "10.9.1.0/24" });
  assert.deepEqual(bytes(file), state);
  const lines = readFileSync(`${file}.journal`, "utf8").trimEnd().split("\n");
  assert.equal(lines.length, journal!.toString().trimEnd().split("\n").length + 1);
  const other = await openSandbox(file);
  const subnets = Object.values<any>(other.state().regions["us-east-1"].subnets).filter((s) => s.VpcId === vpc);
  assert.deepEqual(subnets.map((s) => s.CidrBlock), ["10.9.1.0/24"]);
  // and the first instance sees the second's change on its next call
  await ec2Of(other).createSubnet({ VpcId: vpc, CidrBlock: "10.9.2.0/24" });
  const seen = (await ec2.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc] }] })).Subnets!.map((s) => s.CidrBlock).sort();
  assert.deepEqual(seen, ["10.9.1.0/24", "10.9.2.0/24"]);
});

test("a torn last journal line (crash mid-append) is ignored; the state before it loads", async () => {
  const dir = tempDir();
  const file = path.join(dir, "sb.json");
  const sb = await openSandbox(file);
  await ec2Of(sb).createVpc({ CidrBlock: "10.8.0.0/16" });
  appendFileSync(`${file}.journal`, '{"changes":[[["regions","us-east-1","vpcs","vpc-0000');
  const st = readSandboxState(file);
  assert.deepEqual(Object.values<any>(st.regions["us-east-1"].vpcs).map((v) => v.CidrBlock).sort(), ["10.8.0.0/16", "172.31.0.0/16"]);
});

test("concurrent writers: child processes creating resources on one file at once all keep them, starting from a dead owner's lock", async () => {
  const dir = tempDir();
  const file = path.join(dir, "sb.json");
  await (await openSandbox(file)).reset();
  // a run killed inside a call left its lock: all four find it stale at once, and one at a time removes it
  const { spawnSync } = await import("node:child_process");
  writeFileSync(`${file}.lock`, JSON.stringify({ pid: spawnSync(process.execPath, ["-e", "0"]).pid, token: "dead" }));
  const src = new URL("../src/sandbox/index.ts", import.meta.url).pathname;
  const worker = (n: number) => `
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    const { EC2 } = await import("@aws-sdk/client-ec2");
    const { Sandbox, plugSandbox } = await import(${JSON.stringify(src)});
    const sb = await Sandbox.open({ file: ${JSON.stringify(file)}, env: {} });
    const ec2 = new EC2({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    plugSandbox(ec2, sb, "ec2");
    const vpc = (await ec2.createVpc({ CidrBlock: "10.${n}.0.0/16" })).Vpc.VpcId;
    for (let i = 0; i < 5; i++) await ec2.createSubnet({ VpcId: vpc, CidrBlock: "10.${n}." + i + ".0/24" });
  `;
  const runs = [1, 2, 3, 4].map(
    (n) =>
      new Promise<number>((resolve) =>
        execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", worker(n)], { cwd: new URL("..", import.meta.url).pathname, timeout: 60_000 }, (err, _o, stderr) => {
          if (err) console.error(stderr);
          resolve(err ? 1 : 0);
        }),
      ),
  );
  assert.deepEqual(await Promise.all(runs), [0, 0, 0, 0]);
  const st = readSandboxState(file);
  const subnets = Object.values<any>(st.regions["us-east-1"].subnets).filter((s) => !s.DefaultForAz);
  assert.equal(subnets.length, 20, "every process's 5 subnets are there");
  assert.equal(Object.values<any>(st.regions["us-east-1"].vpcs).length, 5);
  assert.equal(st.counters.mutatingCalls, 24);
  assert.ok(!existsSync(`${file}.lock`), "the lock is released");
  assert.ok(!existsSync(`${file}.lock.break`), "and no breaker is left");
});

test("two plans on one sandbox file at once: both create-vpc runs keep all their resources", async () => {
  const dir = tempDir();
  const env = cleanEnv();
  assert.equal((await execBin(["--sandbox-file", "sb.json", "sandbox", "init"], dir, env)).code, 0);
  const [a, b] = await Promise.all([
    execBin(["--sandbox-file", "sb.json", "--plan", "a.json", "create-vpc", "--name", "pa", "--cidr", "10.10.0.0/16"], dir, env),
    execBin(["--sandbox-file", "sb.json", "--plan", "b.json", "create-vpc", "--name", "pb", "--cidr", "10.20.0.0/16"], dir, env),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const st = readSandboxState(path.join(dir, "sb.json"));
  for (const plan of ["a.json", "b.json"]) {
    const p = JSON.parse(readFileSync(path.join(dir, plan), "utf8"));
    const ids = Object.values<any>(p.resources).filter((r) => r.state === "created" && /^(vpc|subnet|igw|rtb)-[0-9a-f]+$/.test(r.id ?? "")).map((r) => r.id);
    assert.ok(ids.length >= 5, `${plan} recorded its resources`);
    const rs = st.regions["us-east-1"];
    const missing = ids.filter((id: string) => !rs.vpcs[id] && !rs.subnets[id] && !rs.internetGateways[id] && !rs.routeTables[id]);
    assert.deepEqual(missing, [], `${plan}: every recorded resource exists in the sandbox`);
  }
  const sig = accountSignature(st);
  assert.ok(sig.vpcs.some((v) => v.startsWith("10.10.0.0/16")) && sig.vpcs.some((v) => v.startsWith("10.20.0.0/16")));
});

test("an unreadable sandbox state: exit 2 naming the file; reset and init --force recover, keeping it as .corrupt", async () => {
  const dir = tempDir();
  const env = cleanEnv();
  const file = path.join(dir, "sb.json");
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "c"], { cwd: dir, env })).code, 0);
  const size = statSync(file).size;
  truncateSync(file, Math.floor(size / 2));
  const torn = readFileSync(file);
  for (const args of [["status"], ["sandbox", "show"], ["create-vpc", "--name", "d"]]) {
    const r = await cli(["--sandbox-file", file, ...args], { cwd: dir, env });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.ok(r.stderr.includes(file), `names the file: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /SyntaxError/);
    assert.match(r.stderr, /sandbox reset/);
  }
  assert.deepEqual(readFileSync(file), torn, "nothing changed");
  const reset = await cli(["--sandbox-file", file, "sandbox", "reset", "--json"], { cwd: dir, env });
  assert.equal(reset.code, 0, reset.stderr);
  assert.equal(reset.json().recovered, `${file}.corrupt`);
  assert.deepEqual(readFileSync(`${file}.corrupt`), torn, "the bad file is kept");
  assert.equal((await cli(["--sandbox-file", file, "sandbox", "show"], { cwd: dir, env })).code, 0);
  // init --force does the same; an invalid (not torn) document too
  writeFileSync(file, JSON.stringify({ version: 1, hello: "world" }));
  const init = await cli(["--sandbox-file", file, "sandbox", "init", "--force"], { cwd: dir, env });
  assert.equal(init.code, 0, init.stderr);
  assert.match(readFileSync(`${file}.corrupt`, "utf8"), /hello/);
  assert.equal(readSandboxState(file).version, 1);
});

test("sandbox show in an empty folder creates nothing (exit 2); init twice is refused (exit 2) unless --force", async () => {
  const dir = tempDir();
  const env = cleanEnv();
  const show = await cli(["--sandbox", "sandbox", "show"], { cwd: dir, env });
  assert.equal(show.code, 2);
  assert.match(show.stderr, /No sandbox at .*sandbox\.json/);
  assert.match(show.stderr, /sandbox init/);
  assert.ok(!existsSync(path.join(dir, ".egress")), "no sandbox was created");
  assert.equal((await cli(["--sandbox", "sandbox", "init"], { cwd: dir, env })).code, 0);
  const file = path.join(dir, ".egress", "sandbox.json");
  const before = bytes(file);
  const again = await cli(["--sandbox", "sandbox", "init"], { cwd: dir, env });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);
  assert.match(again.stderr, /--force/);
  assert.deepEqual(bytes(file), before, "the account is untouched");
  assert.equal((await cli(["--sandbox", "sandbox", "init", "--force"], { cwd: dir, env })).code, 0);
});

test("sandbox show: a readable inventory per VPC in human mode, the same data with --json", async () => {
  const { run } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "inv", "--cidr", "10.60.0.0/16")).code, 0);
  assert.equal((await run("add-nat")).code, 0);
  assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
  const human = await run("sandbox", "show");
  assert.equal(human.code, 0, human.stderr);
  assert.doesNotMatch(human.stdout, /^\s*[{}]/m, "no raw JSON dump");
  for (const label of ["subnets (", "route tables (", "NAT gateways (", "Elastic IPs (", "security groups (", "Lambda functions (", "internet gateways ("])
    assert.ok(human.stdout.includes(label), `lists ${label}`);
  assert.match(human.stdout, /10\.60\.0\.0\/16/);
  assert.match(human.stdout, /sms-sender/);
  assert.match(human.stdout, /0\.0\.0\.0\/0 → nat-/);
  const json = await run("sandbox", "show", "--json");
  const vpc = json.json().summary.regions["us-east-1"].vpcs.find((v: any) => v.cidr === "10.60.0.0/16");
  assert.match(vpc.name, /^inv/);
  assert.ok(vpc.resources.natGateways.length >= 1);
  assert.deepEqual(vpc.resources.lambdaFunctions.map((f: any) => f.id), ["sms-sender"]);
  assert.ok(vpc.resources.subnets.every((s: any) => /^subnet-/.test(s.id) && s.detail.includes("us-east-1")));
  // functions outside a VPC are listed too
  const outside = json.json().summary.regions["us-east-1"].outsideVpcs.lambdaFunctions.map((f: any) => f.id);
  assert.ok(outside.includes("rotate-db-secret"));
});

test("a compaction deletes the temporary files a kill -9 left mid-compaction, never a running writer's", async () => {
  const { spawn, spawnSync } = await import("node:child_process");
  const dir = tempDir();
  const file = path.join(dir, "sb.json");
  const sb = await openSandbox(file);
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid!; // exited: its pid names nothing now
  const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
  try {
    const leftovers = [`${file}.${dead}.tmp`, `${file}.journal.${dead}.tmp`];
    const running = `${file}.${live.pid}.tmp`;
    const other = path.join(dir, `notes.txt.${dead}.tmp`);
    for (const f of [...leftovers, running, other]) writeFileSync(f, "partial");
    await sb.reset(); // compacts
    for (const f of leftovers) assert.equal(existsSync(f), false, `${path.basename(f)} was left`);
    assert.equal(existsSync(running), true, "a running process's temporary file is its own");
    assert.equal(existsSync(other), true, "a file that is not the sandbox's is not ours");
  } finally {
    live.kill();
  }
});
