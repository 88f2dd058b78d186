// Test helpers: run the real CLI in process (captured streams, a temp working directory, a
// sandbox file) or as the built binary in a child process (for kill -9 crash tests).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { spawnSync } from "node:child_process";
import { run } from "../src/cli.js";
import type { EC2, EC2ClientConfig } from "@aws-sdk/client-ec2";
import { Sandbox, plugSandbox, type SandboxOpenOptions } from "../src/sandbox/index.js";
import type { Plan } from "../src/plans/schema.js";
import { StateFile } from "../src/sandbox/store.js";
import { TestClock } from "./clock.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const BIN = path.join(ROOT, "bin", "egress-cli");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json(): any;
}

export function tempDir(prefix = "egress-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A clean environment: no real AWS settings leak into tests. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true" };
  return { ...env, ...extra };
}

export async function cli(
  argv: string[],
  opts: { cwd: string; env?: Record<string, string | undefined>; sandbox?: Sandbox; tty?: boolean; input?: string },
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: Boolean(opts.tty) });
  const stdin = Object.assign(new PassThrough(), { isTTY: Boolean(opts.tty) });
  if (opts.input !== undefined) stdin.end(opts.input);
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await run(argv, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdout, stderr, stdin, signal: new AbortController().signal, sandbox: opts.sandbox });
  return { code, stdout: out, stderr: err, json: () => JSON.parse(out) };
}

/** Runs the built binary; returns status (null when killed) and signal. */
export function spawnCli(argv: string[], opts: { cwd: string; env?: Record<string, string | undefined> }) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: opts.cwd, env: opts.env ?? (cleanEnv() as NodeJS.ProcessEnv), encoding: "utf8", timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The sandbox account as a process would load it: the state file plus its journal. */
export function readSandboxState(file: string): any {
  return new StateFile(file).load();
}

export function fileOrNull(file: string): string | null {
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

export async function openSandbox(file: string, faults?: Record<string, unknown>): Promise<Sandbox> {
  return Sandbox.open({ file, faults: faults as any, env: {} });
}

/**
 * A run-independent picture of one region of the sandbox account: every resource described by
 * what it is (CIDRs, AZs, step tags, route targets), not by its random id. Two runs that built
 * the same thing have equal signatures; a duplicate or an orphan changes it.
 */
export function accountSignature(state: any, region = "us-east-1"): Record<string, string[]> {
  const r = state.regions[region];
  if (!r) return {};
  const step = (x: any) => x?.Tags?.find((t: any) => t.Key === "egress-cli:step")?.Value ?? "-";
  const vpcCidr = (id?: string) => (id ? (r.vpcs[id]?.CidrBlock ?? `gone:${id}`) : "-");
  const subnetCidr = (id?: string) => (id ? (r.subnets[id]?.CidrBlock ?? `gone:${id}`) : "-");
  const live = (n: any) => n.State !== "deleted";
  const target = (rt: any) =>
    rt.GatewayId === "local" ? "local" : rt.GatewayId ? `igw:${step(r.internetGateways[rt.GatewayId])}` : rt.NatGatewayId ? `nat:${step(r.natGateways[rt.NatGatewayId])}` : "other";
  const sorted = (xs: string[]) => xs.sort();
  return {
    vpcs: sorted(Object.values<any>(r.vpcs).map((v) => `${v.CidrBlock}|default=${v.IsDefault}|${step(v)}|dns=${v.EnableDnsSupport},${v.EnableDnsHostnames}`)),
    subnets: sorted(Object.values<any>(r.subnets).map((s) => `${vpcCidr(s.VpcId)}|${s.CidrBlock}|${s.AvailabilityZone}|${step(s)}`)),
    internetGateways: sorted(Object.values<any>(r.internetGateways).map((g) => `${step(g)}|attached=${vpcCidr(g.VpcId)}`)),
    routeTables: sorted(
      Object.values<any>(r.routeTables).map(
        (t) =>
          `${vpcCidr(t.VpcId)}|${step(t)}|main=${t.Associations.some((a: any) => a.Main)}|routes=${t.Routes.map((x: any) => `${x.DestinationCidrBlock}>${target(x)}`).sort().join(",")}|assoc=${t.Associations.filter((a: any) => a.SubnetId).map((a: any) => subnetCidr(a.SubnetId)).sort().join(",")}`,
      ),
    ),
    addresses: sorted(Object.values<any>(r.addresses).map((a) => `${step(a)}|associated=${Boolean(a.AssociationId)}`)),
    natGateways: sorted(
      Object.values<any>(r.natGateways)
        .filter(live)
        .map((n) => `${step(n)}|${subnetCidr(n.SubnetId)}|${n.State}|eip=${step(r.addresses[n.AllocationId])}${n.AvailabilityMode === "regional" ? `|regional:${(n.Addresses ?? []).map((a: any) => `${a.AvailabilityZone}=${a._auto ? "auto" : step(r.addresses[a.AllocationId])}/${a.Status}`).sort().join(",")}` : ""}`),
    ),
    securityGroups: sorted(Object.values<any>(r.securityGroups).map((g) => `${vpcCidr(g.VpcId)}|${g.GroupName}`)),
    networkInterfaces: sorted(Object.values<any>(r.networkInterfaces).map((e) => `${subnetCidr(e.SubnetId)}|${e.InterfaceType}`)),
    networkAcls: sorted(Object.values<any>(r.networkAcls).map((a) => `${vpcCidr(a.VpcId)}|default=${a.IsDefault}`)),
  };
}

/** Every id in the plan file that is live, by step. */
export function planIds(planFile: string): Set<string> {
  const plan = JSON.parse(readFileSync(planFile, "utf8"));
  return new Set(
    Object.values<any>(plan.resources)
      .filter((r) => r.state === "created" && r.id && /^(vpc|subnet|igw|rtb|eipalloc|nat)-/.test(r.id) && r.kind !== "igw-attachment")
      .map((r) => r.id),
  );
}

/** A temp working directory with an empty sandbox, `run(...argv)` and `ok(...argv)` (a command that must exit 0). */
export async function freshSandbox(prefix = "egress-test-", o: { examples?: boolean } = {}) {
  const cwd = tempDir(prefix);
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  await sandbox.reset(o.examples ? { examples: true } : undefined);
  const env = cleanEnv();
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env, sandbox });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  return { cwd, file, sandbox, env, run, ok, region: () => sandbox.state().regions["us-east-1"] as any };
}

/** freshSandbox seeded with the examples (S1/S3/S4 functions, S2/S4/S5 VPCs). */
export const exampleSandbox = (prefix = "egress-test-") => freshSandbox(prefix, { examples: true });

/**
 * S2's world on a fresh sandbox: the egress VPC (create-vpc 10.100.0.0/16, add-nat per-az, launch-proxy per
 * AZ allowing .example.com and api.vendor.io) and two consumer VPCs, team1 and team2 (10.0.0.0/16 both,
 * private subnets only; plan files team1.json, team2.json). `connect`: then share-proxy and connect-proxy
 * for each team. `ok(...argv)` runs a command that must exit 0.
 */
export async function s2World(prefix = "egress-s2-", o: { connect?: boolean } = {}) {
  const w = await freshSandbox(prefix);
  const { cwd, ok } = w;
  await ok("create-vpc", "--name", "egress", "--cidr", "10.100.0.0/16", "--azs", "2");
  await ok("add-nat", "--mode", "per-az");
  await ok("launch-proxy", "--per-az", "--allow-domain", ".example.com", "--allow-domain", "api.vendor.io");
  const teams: Array<{ name: string; vpcId: string; subnets: string[] }> = [];
  for (const t of ["team1", "team2"]) {
    await ok("--plan", `${t}.json`, "create-vpc", "--name", t, "--cidr", "10.0.0.0/16", "--azs", "2", "--public-subnets", "0");
    const p = readPlan(cwd, `${t}.json`);
    teams.push({ name: t, vpcId: p.resources.vpc!.id!, subnets: Object.values(p.resources).filter((r) => r.kind === "subnet").map((r) => r.id!).sort() });
  }
  if (o.connect) {
    await ok("share-proxy");
    for (const t of teams) await ok("connect-proxy", "--consumer-vpc", t.vpcId, "--subnets", t.subnets.join(","));
  }
  return { ...w, teams };
}

/** The credentials every SDK client of the sandbox is made with (the sandbox checks none). */
export const SANDBOX_CREDENTIALS = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };

/** `client`, its calls answered by `sb` (`service`: the sandbox's name for it, "ec2" by default). */
export function plugged<C extends { middlewareStack: any; config: any }>(sb: Sandbox, client: C, service = "ec2"): C {
  plugSandbox(client, sb, service);
  return client;
}

/**
 * The sandbox-test kit: a fresh in-memory sandbox on a TestClock (time passes only by `clock.sleep`,
 * see docs/CONVENTIONS.md, Tests), an EC2 client plugged into it (`region`, default us-east-1; `ec2`:
 * more client settings, e.g. maxAttempts), and `client(sdkClient, service)` to plug in more.
 */
export async function sandboxKit(opts: Omit<SandboxOpenOptions, "clock"> & { region?: string; ec2?: Partial<EC2ClientConfig> } = {}) {
  const { region = "us-east-1", ec2: ec2Config, ...open } = opts;
  const clock = new TestClock();
  const sb = await Sandbox.open({ env: {}, ...open, clock });
  const { EC2 } = await import("@aws-sdk/client-ec2");
  const client = <C extends { middlewareStack: any; config: any }>(c: C, service = "ec2") => plugged(sb, c, service);
  const ec2: EC2 = client(new EC2({ region, credentials: SANDBOX_CREDENTIALS, ...ec2Config }));
  return { sb, clock, ec2, client };
}

/** The plan file a command wrote in `cwd` (egress-plan.json unless named); `readPlan<any>` to poke at it. */
export function readPlan<T = Plan>(cwd: string, file = "egress-plan.json"): T {
  return JSON.parse(readFileSync(path.join(cwd, file), "utf8"));
}

/** Asserts that `p` rejects with this AWS error code (and message). */
export async function rejectsWithCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, code, `expected ${code}, got ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** "ok", or the AWS error code and HTTP status a call failed with. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    return `${(err as Error).name} ${(err as any).$metadata?.httpStatusCode}`;
  }
}

/** A loopback server answering every request with an HTML 404 page: an endpoint that lacks a service. */
export async function htmlNotFoundServer(): Promise<{ url: string; hits: () => number; close: () => void }> {
  const http = await import("node:http");
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(404, { "content-type": "text/html" });
    res.end("<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as import("node:net").AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, close: () => server.close() };
}

/** A fresh in-process sandbox on a TestClock with EC2 and VPC Lattice SDK clients plugged into it, and an egress VPC with one subnet. */
export async function latticeSandbox(opts: { latency?: "realistic"; timeScale?: number } = {}) {
  const clock = new TestClock();
  const { EC2Client, CreateVpcCommand, CreateSubnetCommand } = await import("@aws-sdk/client-ec2");
  const { VPCLatticeClient } = await import("@aws-sdk/client-vpc-lattice");
  const { plugSandbox } = await import("../src/sandbox/index.js");
  const sb = await Sandbox.open({ env: {}, ...opts, clock });
  await sb.reset();
  const credentials = { accessKeyId: "x", secretAccessKey: "y" };
  const ec2 = new EC2Client({ region: "us-east-1", credentials });
  const lattice = new VPCLatticeClient({ region: "us-east-1", credentials });
  plugSandbox(ec2, sb, "ec2");
  plugSandbox(lattice, sb, "vpc-lattice");
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.100.0.0/16" }))).Vpc!.VpcId!;
  const a = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.100.10.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  return { sb, ec2, lattice, vpc, a, clock };
}
