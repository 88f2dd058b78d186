// The command specs (src/commands/*.spec.ts): for every command, argv → the parsed, typed options its
// action receives (defaults filled, values parsed, repeatables in order), and the refusals the spec
// derives (required flags, choices, bad values, a single-valued flag given twice). Every spec's flags
// appear in its --help and in the completion script.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { CommanderError, type Command } from "commander";
import { buildProgram } from "../src/cli.js";
import { COMMANDS } from "../src/commands/index.js";
import { isGroup, longFlag, parseFlags, type AnyCommandSpec, type Flags } from "../src/cli/spec.js";
import { UsageError } from "../src/errors.js";
import { cli, tempDir } from "./helpers.js";

/** Every command by its path ("add-nat", "sandbox init"). */
const SPECS = new Map<string, AnyCommandSpec>();
for (const s of COMMANDS) {
  if (isGroup(s)) for (const sub of s.subcommands) SPECS.set(`${s.name} ${sub.name}`, sub);
  else SPECS.set(s.name, s);
}

type Parsed = { name: string; opts: Record<string, unknown>; args: string[] } | { error: string };

/** Parses argv as the CLI does, up to the options object the action would get (the action is not loaded). */
async function parsed(argv: string[]): Promise<Parsed> {
  let got: Parsed | undefined;
  const sink = new PassThrough();
  const program = buildProgram({ cwd: tempDir(), env: {}, stdout: sink, stderr: sink, signal: new AbortController().signal }, async (name, _load, cmd: Command, args) => {
    const spec = SPECS.get(name)!;
    try {
      got = { name, opts: parseFlags(spec.flags, cmd.opts()), args: (args.filter((a) => Array.isArray(a) || typeof a === "string") as (string | string[])[]).flat() };
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      got = { error: err.message };
    }
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return { error: err.message };
  }
  return got!;
}

/** argv → the options object (every key compared, so defaults are checked too), for every command. */
const TABLE: Array<{ argv: string[]; opts: Record<string, unknown>; args?: string[] }> = [
  { argv: ["create-vpc", "--name", "sms"], opts: { name: "sms", cidr: undefined, azs: 2, publicSubnets: 1, privateSubnets: 1, subnetPrefix: undefined, ipv6: false, ipv6OnlyPrivate: false } },
  { argv: ["create-vpc", "--cidr", "10.1.0.0/16", "--azs", "3", "--public-subnets", "0", "--subnet-prefix", "20"], opts: { name: undefined, cidr: "10.1.0.0/16", azs: 3, publicSubnets: 0, privateSubnets: 1, subnetPrefix: 20, ipv6: false, ipv6OnlyPrivate: false } },
  { argv: ["create-vpc", "--cidr", "auto"], opts: { name: undefined, cidr: undefined, azs: 2, publicSubnets: 1, privateSubnets: 1, subnetPrefix: undefined, ipv6: false, ipv6OnlyPrivate: false } },
  { argv: ["create-vpc", "--ipv6", "--ipv6-only-private"], opts: { name: undefined, cidr: undefined, azs: 2, publicSubnets: 1, privateSubnets: 1, subnetPrefix: undefined, ipv6: true, ipv6OnlyPrivate: true } },
  { argv: ["import", "--vpc", "vpc-0123456789abcdef0", "--name", "legacy"], opts: { vpc: "vpc-0123456789abcdef0", name: "legacy", shared: false } },
  { argv: ["add-nat"], opts: { mode: "single", eip: [], az: undefined, azEip: [], reuseEips: false } },
  { argv: ["add-nat", "--mode", "per-az", "--eip", "eipalloc-0123456789abcdef0", "eipalloc-0123456789abcdef1", "--az", "us-east-1a"], opts: { mode: "per-az", eip: ["eipalloc-0123456789abcdef0", "eipalloc-0123456789abcdef1"], az: ["us-east-1a"], azEip: [], reuseEips: false } },
  { argv: ["add-nat", "--mode", "regional", "--az-eip", "us-east-1a=eipalloc-0123456789abcdef0", "--az-eip", "us-east-1b=eipalloc-0123456789abcdef1", "--reuse-eips"], opts: { mode: "regional", eip: [], az: undefined, azEip: ["us-east-1a=eipalloc-0123456789abcdef0", "us-east-1b=eipalloc-0123456789abcdef1"], reuseEips: true } },
  { argv: ["attach-lambda", "--function", "f"], opts: { function: "f", securityGroup: "new", subnets: undefined, allowPublicSubnet: false, iam: true, egressPort: [], takeOver: false } },
  { argv: ["attach-lambda", "--function", "f", "--no-iam", "--egress-port", "5432", "--egress-port", "8443:0.0.0.0/0", "--take-over"], opts: { function: "f", securityGroup: "new", subnets: undefined, allowPublicSubnet: false, iam: false, egressPort: ["5432", "8443:0.0.0.0/0"], takeOver: true } },
  { argv: ["detach-lambda", "--function", "f"], opts: { function: "f" } },
  { argv: ["share-proxy", "--share-with", "111122223333", "--share-with", "444455556666"], opts: { shareWith: ["111122223333", "444455556666"], domain: undefined } },
  { argv: ["connect-proxy", "--consumer-vpc", "vpc-1", "--subnets", "subnet-1", "--security-group", "sg-1", "--security-group", "sg-2"], opts: { consumerVpc: "vpc-1", subnets: "subnet-1", consumerProfile: undefined, securityGroup: ["sg-1", "sg-2"] } },
  { argv: ["add-endpoint", "s3", "dynamodb"], args: ["s3", "dynamodb"], opts: { subnets: undefined, allowFrom: [], policy: undefined, principal: [], resource: [], privateDns: true, allowPublicSource: false, enableVpcDns: false, for: undefined, sasl: false } },
  { argv: ["add-endpoint", "--for", "msk-esm", "--sasl", "--no-private-dns", "--allow-from", "sg-1", "10.0.0.0/8"], args: [], opts: { subnets: undefined, allowFrom: ["sg-1", "10.0.0.0/8"], policy: undefined, principal: [], resource: [], privateDns: false, allowPublicSource: false, enableVpcDns: false, for: "msk-esm", sasl: true } },
  { argv: ["status", "--offline", "--gb-per-month", "12.5"], opts: { offline: true, gbPerMonth: 12.5 } },
  { argv: ["status"], opts: { offline: false, gbPerMonth: undefined } },
  { argv: ["destroy", "--forget-missing"], opts: { forgetMissing: true } },
  { argv: ["snapshot", "--vpc", "vpc-1", "vpc-2", "--out", "s.json"], opts: { vpc: ["vpc-1", "vpc-2"], allVpcs: false, out: "s.json" } },
  { argv: ["analyze-path", "--from", "subnet-1", "--to", "igw", "--local", "--port", "80"], opts: { from: "subnet-1", to: "igw", protocol: undefined, port: "80", local: true, aws: false, compare: false, keep: false, snapshot: undefined, vpc: undefined } },
  { argv: ["launch-proxy", "--allow-domain", ".a.io", "--allow-domain", "b.io", "--per-az"], opts: { allowDomain: [".a.io", "b.io"], allowCidr: undefined, allowDestCidr: undefined, port: undefined, instanceType: undefined, perAz: true, subnets: undefined, verifySni: false, skipVerify: false, printConfig: false } },
  { argv: ["proxy", "allow", "--add", "a.io", "--add", "b.io", "--remove", "c.io"], opts: { add: ["a.io", "b.io"], remove: ["c.io"], addDestCidr: undefined, removeDestCidr: undefined } },
  { argv: ["diagram"], opts: { format: "mermaid", vpc: undefined, snapshot: undefined, pathFrom: undefined, pathTo: undefined, path: false, protocol: undefined, port: undefined } },
  { argv: ["diagram", "--format", "dot", "--path"], opts: { format: "dot", vpc: undefined, snapshot: undefined, pathFrom: undefined, pathTo: undefined, path: true, protocol: undefined, port: undefined } },
  { argv: ["audit", "--all-vpcs", "--fail-on", "none", "--format", "sarif"], args: [], opts: { vpc: undefined, allVpcs: true, allRegions: false, snapshot: undefined, format: "sarif", output: undefined, failOn: "none", rules: undefined, skipRules: undefined, baseline: undefined, shard: undefined, sarifAnchor: undefined } },
  { argv: ["audit", "merge", "a.json", "b.json"], args: ["merge", "a.json", "b.json"], opts: { vpc: undefined, allVpcs: false, allRegions: false, snapshot: undefined, format: undefined, output: undefined, failOn: undefined, rules: undefined, skipRules: undefined, baseline: undefined, shard: undefined, sarifAnchor: undefined } },
  { argv: ["verify", "intents.yaml", "--snapshot", "a.json", "b.json", "--format", "sarif", "--output", "v.sarif"], args: ["intents.yaml"], opts: { snapshot: ["a.json", "b.json"], vpc: undefined, allVpcs: false, format: "sarif", output: "v.sarif", naaScope: undefined, init: false } },
  { argv: ["verify", "--init", "--vpc", "vpc-0123456789abcdef0"], args: [], opts: { snapshot: undefined, vpc: ["vpc-0123456789abcdef0"], allVpcs: false, format: undefined, output: undefined, naaScope: undefined, init: true } },
  { argv: ["cost", "--all-vpcs", "--gb-per-month", "500"], opts: { snapshot: undefined, vpc: undefined, allVpcs: true, gbPerMonth: 500, compareNatModes: false } },
  { argv: ["cost", "--compare-nat-modes"], opts: { snapshot: undefined, vpc: undefined, allVpcs: false, gbPerMonth: undefined, compareNatModes: true } },
  { argv: ["egress-ips"], opts: { vpc: undefined, allVpcs: false, allRegions: false, format: undefined, check: undefined } },
  { argv: ["egress-ips", "--all-regions", "--format", "csv", "--check", "allowlist.csv"], opts: { vpc: undefined, allVpcs: false, allRegions: true, format: "csv", check: "allowlist.csv" } },
  { argv: ["completion", "bash"], args: ["bash"], opts: {} },
  { argv: ["sandbox", "init", "--examples"], opts: { examples: true, force: false } },
  { argv: ["sandbox", "show"], opts: {} },
  { argv: ["sandbox", "load", "snap.json"], args: ["snap.json"], opts: {} },
  { argv: ["sandbox", "reset"], opts: { examples: false } },
  { argv: ["sandbox", "call", "ec2", "DescribeVpcs", "{}"], args: ["ec2", "DescribeVpcs", "{}"], opts: {} },
];

test("every command's argv → its typed options: values parsed, defaults filled, repeatables in order (table covers every spec)", async () => {
  const covered = new Set<string>();
  for (const row of TABLE) {
    const r = await parsed(row.argv);
    assert.ok(!("error" in r), `${row.argv.join(" ")}: ${"error" in r ? r.error : ""}`);
    covered.add(r.name);
    assert.deepEqual(r.opts, row.opts, row.argv.join(" "));
    if (row.args) assert.deepEqual(r.args, row.args, row.argv.join(" "));
  }
  assert.deepEqual([...SPECS.keys()].filter((n) => !covered.has(n)), [], "a command without a row in the table");
});

test("refusals derived from the specs: required flags, choices, bad values (every problem at once)", async () => {
  const refused: Array<[string[], RegExp]> = [
    [["import", "--name", "legacy"], /required option '--vpc <vpc-id>' not specified/],
    [["import", "--vpc", "vpc-0123456789abcdef0"], /required option '--name <name>' not specified/],
    [["add-nat", "--mode", "triple"], /--mode.*Allowed choices are single, per-az, regional/],
    [["diagram", "--format", "svg"], /Allowed choices are mermaid, dot/],
    [["egress-ips", "--format", "xml"], /Allowed choices are text, json, csv/],
    [["create-vpc", "--azs", "9"], /--azs must be from 1 to 6, got 9/],
    [["create-vpc", "--azs", "x", "--private-subnets", "7"], /2 problems[\s\S]*--azs must be a whole number[\s\S]*--private-subnets must be from 0 to 4/],
    [["add-nat", "--eip", "nope"], /eipalloc/],
    [["status", "--gb-per-month", "-1"], /--gb-per-month must be a number ≥ 0/],
    [["import", "--vpc", "subnet-1", "--name", "x"], /vpc-/],
  ];
  for (const [argv, message] of refused) {
    const r = await parsed(argv);
    assert.ok("error" in r, `${argv.join(" ")} was accepted`);
    assert.match(r.error, message, argv.join(" "));
  }
});

test("a single-valued flag given twice is refused (exit 2); a repeatable one is not; --region twice only where the spec repeats it (audit)", async () => {
  const cwd = tempDir();
  const twice = await cli(["add-nat", "--mode", "single", "--mode", "per-az"], { cwd });
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /--mode was given more than once/);
  const regions = await cli(["--region", "us-east-1", "status", "--region", "eu-west-1", "--offline"], { cwd });
  assert.equal(regions.code, 2);
  assert.match(regions.stderr, /--region was given more than once/);
  const audit = await cli(["--region", "us-east-1", "--region", "eu-west-1", "audit", "--snapshot", "none.json"], { cwd });
  assert.doesNotMatch(audit.stderr, /given more than once/);
  const repeat = await cli(["launch-proxy", "--allow-domain", "a.io", "--allow-domain", "b.io", "--print-config"], { cwd });
  assert.doesNotMatch(repeat.stderr, /given more than once/);
});

test("every spec's flags are in its --help (with the default written once) and in the completion script", async () => {
  const cwd = tempDir();
  const bash = (await cli(["completion", "bash"], { cwd })).stdout;
  for (const [name, spec] of SPECS) {
    const help = (await cli([...name.split(" "), "--help"], { cwd })).stdout;
    for (const [key, f] of Object.entries(spec.flags as Flags)) {
      const long = longFlag(key, f.def);
      assert.match(help, new RegExp(`${long}\\b`), `${name} --help lacks ${long}`);
      assert.ok(bash.includes(long), `the bash completion lacks ${name} ${long}`);
      if (f.def.defaultHelp !== undefined) {
        const flat = help.replace(/\s+/g, " ");
        assert.equal(flat.split(`(default: ${f.def.defaultHelp})`).length - 1 >= 1, true, `${name} --help lacks ${long}'s default (${f.def.defaultHelp})`);
      }
    }
    for (const e of spec.examples) assert.ok(help.replace(/\s+/g, " ").includes(e.replace(/\s+/g, " ")), `${name} --help lacks the example ${e}`);
  }
});
