// Bad input matrix: every case gets a clear message and exit 2 (5 for a locked plan), makes no
// mutating AWS call, and leaves every plan file byte-identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, lstatSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync, symlinkSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { cli, cleanEnv, fileOrNull, openSandbox, tempDir } from "./helpers.js";

interface Case {
  name: string;
  argv: string[];
  code?: number;
  message: RegExp;
  setup?: (dir: string) => void;
  teardown?: (dir: string) => void;
}

const cases: Case[] = [
  { name: "CIDR prefix > 32", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.0.0.0/33"], message: /prefix/i },
  { name: "CIDR with host bits", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.0.0.1/16"], message: /host bits.*10\.0\.0\.0\/16/ },
  { name: "VPC CIDR too large", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.0.0.0/8"], message: /\/16/ },
  { name: "VPC CIDR too small", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.0.0.0/29"], message: /\/28/ },
  { name: "octet > 255", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "300.0.0.0/16"], message: /300|octet|not a valid/i },
  { name: "IPv6 CIDR for the VPC", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "fd00::/48"], message: /IPv6|IPv4/ },
  { name: "not a CIDR", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "banana"], message: /banana/ },
  { name: "more AZs than the region has", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--azs", "4", "--region", "eu-west-1"], message: /eu-west-1 has 3 availability zones/ },
  { name: "zero AZs", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--azs", "0"], message: /--azs must be from 1/ },
  { name: "AZ count not a number", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--azs", "two"], message: /--azs must be a whole number/ },
  { name: "no subnets at all", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--public-subnets", "0", "--private-subnets", "0"], message: /nothing to create/ },
  { name: "subnets that do not fit", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.9.0.0/24", "--azs", "3", "--subnet-prefix", "25"], message: /need|fit/i },
  { name: "subnet prefix out of range", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--subnet-prefix", "29"], message: /--subnet-prefix must be from 16 to 28/ },
  { name: "invalid plan name", argv: ["create-vpc", "--plan", "new.json", "--name", "bad name!"], message: /name/i },
  { name: "missing --name for a new plan", argv: ["create-vpc", "--plan", "new.json"], message: /--name is required/ },
  { name: "plan name already used in the account", argv: ["create-vpc", "--plan", "new.json", "--name", "base"], message: /already exists/ },
  { name: "other name than the plan's", argv: ["create-vpc", "--name", "other"], message: /already holds plan "base"/ },
  { name: "different CIDR than the plan's VPC", argv: ["create-vpc", "--cidr", "10.1.0.0/16"], message: /laid out differently/ },
  { name: "malformed VPC id", argv: ["import", "--plan", "new.json", "--vpc", "vpc-123", "--name", "imp"], message: /not a VPC id/ },
  { name: "unknown VPC id", argv: ["import", "--plan", "new.json", "--vpc", "vpc-0123456789abcdef0", "--name", "imp"], message: /InvalidVpcID.NotFound|does not exist/ },
  { name: "unknown EIP", argv: ["add-nat", "--eip", "eipalloc-0123456789abcdef0"], message: /no such Elastic IP/ },
  { name: "malformed EIP id", argv: ["add-nat", "--eip", "bogus"], message: /not an Elastic IP allocation id/ },
  { name: "single mode with two AZs", argv: ["add-nat", "--mode", "single", "--az", "us-east-1a", "us-east-1b"], message: /at most one --az/ },
  { name: "unknown NAT mode", argv: ["add-nat", "--mode", "double"], message: /double|choices/ },
  { name: "AZ without a public subnet", argv: ["add-nat", "--az", "us-east-1f"], message: /no public subnet in us-east-1f/ },
  { name: "EIP count does not match per-az", argv: ["add-nat", "--mode", "per-az", "--eip", "eipalloc-0123456789abcdef0"], message: /needs 2/ },
  { name: "add-nat with no plan", argv: ["add-nat", "--plan", "missing.json"], message: /No plan at/ },
  {
    name: "truncated plan file",
    argv: ["status", "--plan", "trunc.json"],
    message: /not valid JSON|truncated/i,
    setup: (d) => writeFileSync(path.join(d, "trunc.json"), readFileSync(path.join(d, "egress-plan.json"), "utf8").slice(0, 300)),
  },
  {
    name: "plan of an unknown version",
    argv: ["status", "--plan", "v9.json"],
    message: /version/i,
    setup: (d) => writeFileSync(path.join(d, "v9.json"), JSON.stringify({ ...JSON.parse(readFileSync(path.join(d, "egress-plan.json"), "utf8")), version: 9 })),
  },
  { name: "plan of another region", argv: ["add-nat", "--region", "eu-west-1"], message: /region/i },
  {
    name: "plan of another account",
    argv: ["add-nat", "--plan", "foreign.json"],
    message: /account/i,
    setup: (d) => writeFileSync(path.join(d, "foreign.json"), JSON.stringify({ ...JSON.parse(readFileSync(path.join(d, "egress-plan.json"), "utf8")), accountId: "111122223333" }, null, 2)),
  },
  {
    name: "locked plan",
    argv: ["add-nat"],
    code: 5,
    message: /lock/i,
    setup: (d) => writeFileSync(path.join(d, "egress-plan.json.lock"), JSON.stringify({ pid: process.ppid /* a live run that is not this one */, hostname: hostname(), startedAt: new Date().toISOString(), command: "add-nat", token: "other" })),
    teardown: (d) => rmSync(path.join(d, "egress-plan.json.lock"), { force: true }),
  },
  { name: "--sandbox with --endpoint-url", argv: ["status", "--endpoint-url", "http://127.0.0.1:9"], message: /pass one of them/ },
  { name: "unknown command", argv: ["launch-rocket"], message: /unknown command/ },
  { name: "unknown option", argv: ["create-vpc", "--colour", "red"], message: /unknown option/ },
  { name: "not an AWS region", argv: ["status", "--region", "moon-1"], message: /not an AWS region/ },
  { name: "destroy without --yes and no terminal", argv: ["destroy"], message: /--yes/ },
  // Issue 8: one strict parser per value type, the same everywhere (item 11).
  { name: "prefix length with a leading zero", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.70.0.0/016"], message: /leading zero/ },
  { name: "--allow-from with host bits", argv: ["add-endpoint", "secretsmanager", "--allow-from", "10.0.0.1/16"], message: /--allow-from: 10\.0\.0\.1\/16 has host bits set; did you mean 10\.0\.0\.0\/16/ },
  { name: "--allow-from with a leading zero", argv: ["add-endpoint", "secretsmanager", "--allow-from", "10.0.0.0/016"], message: /leading zero/ },
  { name: "empty --region", argv: ["status", "--region", ""], message: /--region is empty/ },
  { name: "--private-dns with --no-private-dns", argv: ["add-endpoint", "secretsmanager", "--private-dns", "--no-private-dns"], message: /--private-dns and --no-private-dns contradict/ },
  { name: "port with a leading zero", argv: ["analyze-path", "--from", "subnet-0123456789abcdef0", "--to", "igw", "--local", "--port", "0443"], message: /--port must be a whole number/ },
  { name: "several bad create-vpc values reported together", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--azs", "nine", "--subnet-prefix", "40", "--cidr", "10.0.0.1/16"], message: /^(?=[\s\S]*3 problems)(?=[\s\S]*--azs must be a whole number)(?=[\s\S]*--subnet-prefix must be from 16 to 28)(?=[\s\S]*--cidr: 10\.0\.0\.1\/16 has host bits)/ },
  { name: "--gb-per-month not a number", argv: ["status", "--gb-per-month", "1e3"], message: /--gb-per-month must be a number/ },
  { name: "analyze-path: every bad flag at once", argv: ["analyze-path", "--to", "nowhere!", "--port", "99999", "--protocol", "sctp", "--local"], message: /^(?=[\s\S]*4 problems)(?=[\s\S]*--from is required)(?=[\s\S]*--to "nowhere!")(?=[\s\S]*--protocol must be)(?=[\s\S]*--port must be from 1 to 65535)/ },
  { name: "add-nat: two malformed EIPs at once", argv: ["add-nat", "--eip", "bogus", "eipalloc-XYZ"], message: /^(?=[\s\S]*2 problems)(?=[\s\S]*"bogus" is not an Elastic IP)(?=[\s\S]*"eipalloc-XYZ" is not an Elastic IP)/ },
  { name: "import: bad VPC id and bad name at once", argv: ["import", "--plan", "new.json", "--vpc", "vpc-1", "--name", "bad name!"], message: /^(?=[\s\S]*2 problems)(?=[\s\S]*not a VPC id)(?=[\s\S]*Name "bad name!")/ },
  // Item 9: public sources are judged by their total.
  { name: "all of IPv4 in two halves", argv: ["add-endpoint", "secretsmanager", "--allow-from", "0.0.0.0/1", "128.0.0.0/1"], message: /public IPv4 addresses \(more than a \/8\)[\s\S]*--allow-public-source/ },
  // Item 10: a subnet named twice.
  { name: "--subnets with one id twice", argv: ["add-endpoint", "secretsmanager", "--subnets", "subnet-0123456789abcdef0,subnet-0123456789abcdef0"], message: /names subnet-0123456789abcdef0 more than once/ },
  // Item 20: plan paths that cannot hold a plan.
  { name: "plan path is a directory", argv: ["status", "--plan", "adir"], message: /adir is a directory/, setup: (d) => mkdirSync(path.join(d, "adir"), { recursive: true }) },
  { name: "plan path is /dev/zero", argv: ["status", "--plan", "/dev/zero"], message: /\/dev\/zero is not a regular file/ },
  { name: "plan path in a missing folder", argv: ["create-vpc", "--plan", "nowhere/plan.json", "--name", "x"], message: /nowhere\/plan\.json is in a folder that does not exist/ },
  { name: "plan path through a file", argv: ["create-vpc", "--plan", "egress-plan.json/plan.json", "--name", "x"], message: /egress-plan\.json\/plan\.json/ },
  // Item 1: an output file that is the plan.
  { name: "snapshot --out the plan", argv: ["snapshot", "--out", "egress-plan.json"], message: /is the plan file/ },
  // Issue 19 item 8: a single-valued flag given twice is refused, never "the last one wins".
  { name: "--name twice", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--name", "y"], message: /--name was given more than once/ },
  { name: "--cidr twice", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.5.0.0/16", "--cidr", "10.6.0.0/16"], message: /--cidr was given more than once/ },
  { name: "--azs twice (= form)", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--azs=2", "--azs=3"], message: /--azs was given more than once/ },
  { name: "import --vpc twice", argv: ["import", "--plan", "new.json", "--vpc", "vpc-0123456789abcdef0", "--vpc", "vpc-0123456789abcdef1", "--name", "imp"], message: /--vpc was given more than once/ },
  { name: "add-nat --mode twice", argv: ["add-nat", "--mode", "single", "--mode", "per-az"], message: /--mode was given more than once/ },
  { name: "attach-lambda --function twice", argv: ["attach-lambda", "--function", "a", "--function", "b"], message: /--function was given more than once/ },
  { name: "analyze-path --port twice", argv: ["analyze-path", "--local", "--from", "subnet-0123456789abcdef0", "--to", "igw", "--port", "443", "--port", "80"], message: /--port was given more than once/ },
  { name: "--region twice (before and after the command)", argv: ["--region", "us-east-1", "status", "--region", "us-east-1"], message: /--region was given more than once/ },
  // Issue 19 item 9: one strict parser per type — nothing trimmed, no stray comma, no duplicate, no port 0.
  { name: "--cidr with a trailing space", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--cidr", "10.0.0.0/16 "], message: /white space around it/ },
  { name: "--azs with a leading space", argv: ["create-vpc", "--plan", "new.json", "--name", "x", "--azs", " 2"], message: /white space around it/ },
  { name: "--port with a leading space", argv: ["analyze-path", "--local", "--from", "subnet-0123456789abcdef0", "--to", "igw", "--port", " 3128"], message: /white space around it/ },
  { name: "analyze-path --port 0", argv: ["analyze-path", "--local", "--from", "subnet-0123456789abcdef0", "--to", "igw", "--port", "0"], message: /--port must be from 1 to 65535/ },
  { name: "--allow-domain with a pasted CR", argv: ["launch-proxy", "--allow-domain", "example.com\r"], message: /control character/ },
  { name: "--allow-domain with invalid Punycode", argv: ["launch-proxy", "--allow-domain", "xn--a.com"], message: /invalid Punycode label 'xn--a'/ },
  { name: "--allow-domain .", argv: ["launch-proxy", "--allow-domain", "."], message: /has no labels/ },
  { name: "launch-proxy --subnets X,X", argv: ["launch-proxy", "--allow-domain", "api.vendor.io", "--subnets", "subnet-0123456789abcdef0,subnet-0123456789abcdef0"], message: /names subnet-0123456789abcdef0 more than once/ },
  { name: "--subnets with a trailing comma", argv: ["add-endpoint", "secretsmanager", "--subnets", "subnet-0123456789abcdef0,"], message: /empty item/ },
  { name: "add-endpoint s3 --subnets (ignored before)", argv: ["add-endpoint", "s3", "--subnets", "subnet-0123456789abcdef0"], message: /--subnets applies to interface endpoints; s3 is a gateway endpoint/ },
  { name: "--profile ''", argv: ["audit", "--profile", ""], message: /--profile is empty/ },
  // Issue 19 item 11: paths refused before any call, never a raw Node error.
  { name: "--plan with a 300-character name", argv: ["status", "--plan", `${"p".repeat(300)}.json`], message: /file name of 305 bytes; the limit is/ },
  { name: "snapshot --out /proc/self/mem", argv: ["snapshot", "--out", "/proc/self/mem"], message: /kernel pseudo file system/ },
  {
    name: "plan path is a dangling symlink",
    argv: ["create-vpc", "--plan", "dangling.json", "--name", "x"],
    message: /symbolic link to a file that does not exist/,
    setup: (d) => {
      rmSync(path.join(d, "dangling.json"), { force: true });
      symlinkSync(path.join(d, "nowhere-target.json"), path.join(d, "dangling.json"));
    },
    teardown: (d) => {
      assert.ok(lstatSync(path.join(d, "dangling.json")).isSymbolicLink(), "the link is left as it was");
      assert.ok(!existsSync(path.join(d, "nowhere-target.json")), "and nothing was written through it");
    },
  },
  // Issue 19 item 12: messages that say what is wrong.
  { name: "--allow-from lambda: (no name)", argv: ["add-endpoint", "secretsmanager", "--allow-from", "lambda:"], message: /--allow-from lambda: names no function/ },
  { name: "--policy /dev/zero", argv: ["add-endpoint", "secretsmanager", "--policy", "/dev/zero"], message: /--policy \/dev\/zero: is not a regular file/ },
  { name: "--policy . (a folder)", argv: ["add-endpoint", "secretsmanager", "--policy", "."], message: /--policy \.: is a directory/ },
];

test(`bad input matrix (${cases.length} cases): exit 2/5, clear message, zero mutating calls, plan files untouched`, { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const file = path.join(dir, "sb.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  const ok = await cli(["--sandbox-file", file, "create-vpc", "--name", "base", "--cidr", "10.0.0.0/16"], { cwd: dir, env, sandbox });
  assert.equal(ok.code, 0, ok.stderr);
  const planFiles = ["egress-plan.json", "new.json", "trunc.json", "v9.json", "foreign.json", "missing.json"];

  for (const c of cases) {
    await t.test(c.name, async () => {
      c.setup?.(dir);
      const before = Object.fromEntries(planFiles.map((f) => [f, fileOrNull(path.join(dir, f))]));
      const calls = sandbox.stats().mutatingCalls;
      const sandboxBefore = readFileSync(file);
      const argv = c.argv.includes("--endpoint-url") ? ["--sandbox", ...c.argv] : ["--sandbox-file", file, ...c.argv];
      const r = await cli(argv, { cwd: dir, env, sandbox });
      c.teardown?.(dir);
      assert.equal(r.code, c.code ?? 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.equal(sandbox.stats().mutatingCalls, calls, "no mutating call");
      // Issue 19 item 10: exit 2 means nothing changed, files included — the sandbox file is
      // byte-identical (a region first read is seeded in memory, not written).
      assert.ok(readFileSync(file).equals(sandboxBefore), "sandbox file unchanged, byte for byte");
      for (const f of planFiles) assert.equal(fileOrNull(path.join(dir, f)), before[f], `${f} unchanged`);
      assert.ok(!existsSync(path.join(dir, "new.json")), "no new plan written");
    });
  }
});

test("EIP quota: add-nat refuses before allocating when the account would exceed its Elastic IP limit", async () => {
  const dir = tempDir();
  const file = path.join(dir, "sb.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "q", "--azs", "2"], { cwd: dir, env, sandbox })).code, 0);
  for (let i = 0; i < 4; i++) await sandbox.call("ec2", "AllocateAddress", { Domain: "vpc" }, "us-east-1");
  const plan = readFileSync(path.join(dir, "egress-plan.json"), "utf8");
  const calls = sandbox.stats().mutatingCalls;
  const r = await cli(["--sandbox-file", file, "add-nat", "--mode", "per-az", "--json"], { cwd: dir, env, sandbox });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /limit of 5/);
  assert.equal(r.json().error.code, "InvalidInput");
  assert.equal(sandbox.stats().mutatingCalls, calls);
  assert.equal(readFileSync(path.join(dir, "egress-plan.json"), "utf8"), plan);
});

test("a NAT gateway is refused in a plan without public subnets (S3-style VPC)", async () => {
  const dir = tempDir();
  const file = path.join(dir, "sb.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  const made = await cli(["--sandbox-file", file, "create-vpc", "--name", "rotation", "--public-subnets", "0", "--json"], { cwd: dir, env, sandbox });
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made.json().internetGatewayId, null);
  const calls = sandbox.stats().mutatingCalls;
  const r = await cli(["--sandbox-file", file, "add-nat"], { cwd: dir, env, sandbox });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no public subnet/);
  assert.equal(sandbox.stats().mutatingCalls, calls);
});
