// launch-proxy on the sandbox: every bad option refused at once (exit 2, zero mutating calls) and
// --print-config printing the exact squid.conf (admitting the plan's VPC CIDR) and user data, changing nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { cli, cleanEnv, openSandbox, readPlan, tempDir } from "./helpers.js";
import { TestClock } from "./clock.js";
import { checkSquidConfig } from "../src/proxy/squid.js";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { Sandbox } from "../src/sandbox/index.js";

async function withPlan() {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv();
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env, sandbox });
  assert.equal((await run("create-vpc", "--name", "egress", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  return { run, sandbox };
}

test("launch-proxy refuses invalid or overlapping domains, a port outside 1-65535 and public sources, all at once, changing nothing", async () => {
  const { run, sandbox } = await withPlan();
  const before = sandbox.stats().mutatingCalls;
  const r = await run("launch-proxy", "--allow-domain", "*.example.com", "--allow-domain", ".a.com", "--allow-domain", "x.a.com", "--allow-domain", "https://b.com/x", "--port", "0", "--allow-cidr", "8.8.8.0/24", "--print-config");
  assert.equal(r.code, 2);
  for (const m of ["'*.example.com'", "'x.a.com' overlaps '.a.com'", "'https://b.com/x'", "port", "8.8.8.0/24"]) assert.ok(r.stderr.includes(m), `${m} in ${r.stderr}`);
  assert.equal((await run("launch-proxy", "--allow-domain", "a.com", "--port", "65536", "--print-config")).code, 2);
  assert.equal((await run("launch-proxy", "--print-config")).code, 2);
  assert.equal(sandbox.stats().mutatingCalls, before);
});

test("launch-proxy --print-config prints the squid.conf admitting the VPC's CIDR and --allow-cidr, and the user data; nothing changes", async () => {
  const { run, sandbox } = await withPlan();
  const before = sandbox.stats().mutatingCalls;
  const r = await run("launch-proxy", "--allow-domain", ".example.com", "--allow-domain", "api.vendor.io", "--allow-cidr", "10.1.0.0/16", "--verify-sni", "--print-config", "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  assert.match(out.squidConf, /^acl egress_src src 10\.0\.0\.0\/16 10\.1\.0\.0\/16$/m);
  assert.match(out.squidConf, /^acl egress_dst dstdomain -n \.example\.com api\.vendor\.io$/m);
  assert.match(out.squidConf, /^ssl_bump splice egress_sni$/m);
  assert.deepEqual(checkSquidConfig(out.squidConf), []);
  assert.ok(out.userData.includes(out.squidConf.trimEnd()));
  const text = await run("launch-proxy", "--allow-domain", "api.vendor.io", "--print-config");
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^http_port 3128$/m);
  assert.equal(sandbox.stats().mutatingCalls, before);
});

// ---------- launching on the sandbox ----------

const R = "us-east-1";
const region = (sb: Awaited<ReturnType<typeof openSandbox>>) => sb.state().regions[R] as any;
const liveInstances = (sb: Awaited<ReturnType<typeof openSandbox>>) => Object.values<any>(region(sb).ext.instances ?? {}).filter((i) => i.State.Name !== "terminated");
const planRoles = (sb: Awaited<ReturnType<typeof openSandbox>>) => Object.values<any>((sb.state().ext as any).iam?.roles ?? {}).filter((r) => r.Path.startsWith("/egress-cli/"));
const planProfiles = (sb: Awaited<ReturnType<typeof openSandbox>>) => Object.values<any>((sb.state().ext as any).iamInstanceProfiles ?? {}).filter((p) => p.Path.startsWith("/egress-cli/"));

/** create-vpc (2 AZs) + add-nat --mode per-az: the S2 egress VPC. `latency`: realistic timing scaled (profile propagation, boot, SSM registration). */
async function egressVpc(o: { nat?: boolean; timeScale?: number } = {}) {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  // realistic timing runs on a TestClock (the run waits on the sandbox's clock): no race with the wall clock
  const sandbox = o.timeScale ? await Sandbox.open({ file, env: {}, latency: "realistic", timeScale: o.timeScale, clock: new TestClock() }) : await openSandbox(file);
  const env = cleanEnv();
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env, sandbox });
  assert.equal((await run("create-vpc", "--name", "egress", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  if (o.nat !== false) assert.equal((await run("add-nat", "--mode", "per-az")).code, 0);
  return { cwd, file, run, sandbox };
}

test("S2 launch-proxy --per-az: role, profile, group, one locked-down proxy per AZ, squid verified through SSM; re-run changes nothing; audit finds nothing on it; destroy removes it all", async () => {
  const { cwd, run, sandbox } = await egressVpc({ timeScale: 0.002 });
  const r = await run("launch-proxy", "--per-az", "--allow-domain", ".example.com", "--allow-domain", "api.vendor.io", "--allow-cidr", "10.1.0.0/16", "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  assert.equal(out.verified, "ok");
  assert.deepEqual(out.proxies.map((p: any) => p.az), ["us-east-1a", "us-east-1b"]);
  for (const p of out.proxies) assert.equal(p.url, `http://${p.privateIp}:3128`);
  assert.match(r.stderr, /registered with Systems Manager/, "the progress display showed the SSM wait");

  const plan = readPlan<any>(cwd);
  assert.deepEqual(plan.proxy, { port: 3128, allowDomains: [".example.com", "api.vendor.io"], allowCidrs: ["10.1.0.0/16"], verifySni: false, instanceType: "t3.micro", perAz: true, skipVerify: false });
  for (const step of ["proxy/role", "proxy/role/ssm-core", "proxy/profile", "proxy/sg", "proxy/us-east-1a/instance", "proxy/us-east-1b/instance"]) assert.equal(plan.resources[step]?.state, "created", step);
  assert.deepEqual(Object.keys(plan.resources["proxy/us-east-1a/instance"].attrs).filter((k) => ["subnetId", "az", "privateIp", "instanceType", "imageId"].includes(k)).sort(), ["az", "imageId", "instanceType", "privateIp", "subnetId"]);

  // the instances: private subnets, no key, no public IP, IMDSv2 with hop limit 1, encrypted gp3 root, the profile, tags, client token
  const instances = liveInstances(sandbox);
  assert.equal(instances.length, 2);
  const privateSubnets = new Set(Object.values<any>(plan.resources).filter((x) => x.kind === "subnet" && x.tier === "private").map((x) => x.id));
  for (const i of instances) {
    assert.ok(privateSubnets.has(i.SubnetId), `${i.InstanceId} in a private subnet`);
    assert.equal(i.KeyName, undefined);
    assert.equal(i.PublicIpAddress, undefined);
    assert.equal(i.MetadataOptions.HttpTokens, "required");
    assert.equal(i.MetadataOptions.HttpPutResponseHopLimit, 1);
    assert.deepEqual([i._volumes[0].VolumeType, i._volumes[0].Encrypted], ["gp3", true]);
    assert.match(i.IamInstanceProfile.Arn, /instance-profile\/egress-cli\//);
    assert.ok(i.ClientToken);
    assert.ok(i.Tags.some((t: any) => t.Key === "egress-cli:plan-id" && t.Value === plan.planId));
    assert.equal(i._host.units.squid.active, true, "the user data installed and started squid");
  }
  // the group: the port from the VPC and --allow-cidr only; out only tcp 80 and 443
  const rules = (egress: boolean) =>
    Object.values<any>(region(sandbox).securityGroupRules).filter((x) => x.GroupId === out.securityGroupId && x.IsEgress === egress).map((x) => `${x.IpProtocol}/${x.FromPort}-${x.ToPort}/${x.CidrIpv4 ?? x.ReferencedGroupId ?? x.CidrIpv6}`).sort();
  assert.deepEqual(rules(false), ["tcp/3128-3128/10.0.0.0/16", "tcp/3128-3128/10.1.0.0/16"]);
  assert.deepEqual(rules(true), ["tcp/443-443/0.0.0.0/0", "tcp/80-80/0.0.0.0/0"], "the default allow-all egress rule is gone");
  // the role: trusted by EC2, AmazonSSMManagedInstanceCore only
  const [role] = planRoles(sandbox);
  assert.match(JSON.stringify(role), /ec2\.amazonaws\.com/);

  // a re-run: the same instances, nothing created
  const again = await run("launch-proxy", "--per-az", "--allow-domain", ".example.com", "--allow-domain", "api.vendor.io", "--allow-cidr", "10.1.0.0/16", "--json");
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.json().proxies.map((p: any) => p.instanceId), out.proxies.map((p: any) => p.instanceId));
  assert.ok(Object.values(again.json().steps).every((s) => s === "exists"), JSON.stringify(again.json().steps));
  assert.equal(liveInstances(sandbox).length, 2);

  // our own audit finds nothing on what launch-proxy built
  const a = await run("audit", "--format", "json");
  const ours = new Set([out.securityGroupId, ...out.proxies.map((p: any) => p.instanceId), out.instanceProfile, out.role]);
  const findings = JSON.parse(a.stdout).findings.filter((f: any) => ours.has(f.resourceId));
  assert.deepEqual(findings, []);

  const d = await run("destroy", "--yes", "--json");
  assert.equal(d.code, 0, d.stderr);
  assert.equal((await run("status", "--offline", "--json")).json().proxy, undefined, "status shows no proxy after destroy");
  assert.deepEqual(liveInstances(sandbox), []);
  assert.deepEqual(planRoles(sandbox), []);
  assert.deepEqual(planProfiles(sandbox), []);
  assert.equal(region(sandbox).securityGroups[out.securityGroupId], undefined);
});

test("launch-proxy refuses (exit 2, zero mutating calls) subnets with no way out on 443 (the analyzer's reason), of another VPC, or public", async () => {
  const noNat = await egressVpc({ nat: false });
  let before = noNat.sandbox.stats().mutatingCalls;
  const r = await noNat.run("launch-proxy", "--allow-domain", "api.vendor.io");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /has no path to the internet on tcp\/443/);
  assert.match(r.stderr, /[A-Z_]{6,}: /, "the analyzer's explanation code");
  assert.equal(noNat.sandbox.stats().mutatingCalls, before);

  const { cwd, run, sandbox } = await egressVpc();
  const plan = readPlan<any>(cwd);
  const publicSubnet = Object.values<any>(plan.resources).find((x) => x.kind === "subnet" && x.tier === "public").id;
  const foreign = Object.values<any>(region(sandbox).subnets).find((x) => x.VpcId !== plan.resources.vpc.id).SubnetId;
  before = sandbox.stats().mutatingCalls;
  const bad = await run("launch-proxy", "--allow-domain", "api.vendor.io", "--subnets", `${publicSubnet},${foreign},subnet-0123456789abcdef0`);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /3 problems/);
  assert.match(bad.stderr, new RegExp(`${publicSubnet} .*is public`));
  assert.match(bad.stderr, new RegExp(`${foreign} is in vpc-`));
  assert.match(bad.stderr, /subnet-0123456789abcdef0: no such subnet/);
  // and without --print-config, bad domains and a bad port are refused before any AWS call too
  const opts = await run("launch-proxy", "--allow-domain", "*.x.com", "--allow-domain", ".a.com", "--allow-domain", "b.a.com", "--port", "70000");
  assert.equal(opts.code, 2);
  assert.match(opts.stderr, /3 problems/);
  assert.equal(sandbox.stats().mutatingCalls, before);
  assert.equal(readPlan<any>(cwd).proxy, undefined, "the plan is unchanged");
});

test("proxy allow --add/--remove rewrites the running proxies' squid.conf in place through SSM (same instances); the plan records the list; bad edits refused with zero mutating calls", async () => {
  const { cwd, run, sandbox } = await egressVpc();
  const r = await run("launch-proxy", "--per-az", "--allow-domain", ".example.com", "--allow-domain", "api.vendor.io", "--json");
  assert.equal(r.code, 0, r.stderr);
  const ids = r.json().proxies.map((p: any) => p.instanceId);
  const conf = (id: string) => region(sandbox).ext.instances[id]._host.files["/etc/squid/squid.conf"] as string;

  const before = sandbox.stats().mutatingCalls;
  for (const args of [["--add", "*.bad.com"], ["--add", "x.example.com"], ["--remove", "nope.io"], ["--remove", ".example.com", "--remove", "api.vendor.io"], []]) {
    const bad = await run("proxy", "allow", ...args);
    assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.stderr}`);
  }
  assert.equal(sandbox.stats().mutatingCalls, before, "refusals change nothing");

  const a = await run("proxy", "allow", "--add", ".newvendor.com", "--remove", "api.vendor.io", "--json");
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(a.json().allowDomains, [".example.com", ".newvendor.com"]);
  assert.deepEqual(a.json().instances, ids);
  assert.deepEqual(readPlan<any>(cwd).proxy.allowDomains, [".example.com", ".newvendor.com"]);
  for (const id of ids) {
    assert.match(conf(id), /^acl egress_dst dstdomain -n \.example\.com \.newvendor\.com$/m);
    assert.equal(region(sandbox).ext.instances[id]._host.units.squid.active, true);
  }
  assert.deepEqual(liveInstances(sandbox).map((i) => i.InstanceId).sort(), [...ids].sort(), "no instance replaced");
  const same = await run("proxy", "allow", "--add", ".newvendor.com", "--json");
  assert.equal(same.json().changed, false);
});

test("proxy allow: a config that would not parse never replaces the running one (rolled back), the plan keeps the old list, exit 1", async () => {
  const { cwd, run, sandbox } = await egressVpc({ nat: true });
  assert.equal((await run("launch-proxy", "--allow-domain", "api.vendor.io")).code, 0);
  const [id] = liveInstances(sandbox).map((i) => i.InstanceId);
  const host = region(sandbox).ext.instances[id]._host;
  const old = host.files["/etc/squid/squid.conf"];
  // a plan edited by hand with a source squid cannot parse: the rendered config fails `squid -k parse` (acl src)
  const planFile = path.join(cwd, "egress-plan.json");
  const plan = readPlan<any>(cwd);
  plan.proxy.allowCidrs = ["10.1.0.0/16x"];
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  const r = await run("proxy", "allow", "--add", ".newvendor.com");
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /Reconfiguring squid failed/);
  assert.equal(host.files["/etc/squid/squid.conf"], old, "the old config is still in place");
  assert.equal(host.units.squid.active, true);
  assert.deepEqual(readPlan<any>(cwd).proxy.allowDomains, ["api.vendor.io"]);
});

test("launch-proxy right after creating the instance profile: RunInstances is retried while EC2 does not see the profile yet (no fixed sleep), one instance", async () => {
  // timeScale 0.04: the profile propagates in 320 ms after its role is added (the group and its rules are
  // made meanwhile, well within that), an instance boots in 1.2 s
  const { run, sandbox } = await egressVpc({ timeScale: 0.04 });
  const r = await run("--verbose", "launch-proxy", "--allow-domain", "api.vendor.io", "--skip-verify", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /ec2:RunInstances .* → InvalidParameterValue/, "the first launch met the not-yet-propagated profile");
  assert.match(r.stderr, /ec2:RunInstances .* → ok/);
  assert.equal(liveInstances(sandbox).length, 1);
  assert.equal(r.json().verified, "skipped");
});

test("status shows the live proxy instances (state, type, private IP), the resource gateway and consumers' Resource endpoints, their cost and the saving against a NAT per consumer VPC", async () => {
  const { cwd, run, sandbox } = await egressVpc();
  assert.equal((await run("launch-proxy", "--per-az", "--allow-domain", "api.vendor.io")).code, 0);
  const s = await run("status", "--json");
  assert.equal(s.code, 0, s.stderr);
  const st = s.json();
  assert.deepEqual(st.proxy.instances.map((i: any) => [i.az, i.state, i.instanceType]), [["us-east-1a", "running", "t3.micro"], ["us-east-1b", "running", "t3.micro"]]);
  for (const i of st.proxy.instances) assert.equal(i.url, `http://${i.privateIp}:3128`);
  assert.ok(st.cost.lines.some((l: any) => l.item === "EC2 instance t3.micro (2 x 730 h)"), JSON.stringify(st.cost.lines));

  // what share-proxy / connect-proxy record (S2 contract): a resource gateway and one Resource endpoint per consumer VPC
  const planFile = path.join(cwd, "egress-plan.json");
  const plan = readPlan<any>(cwd);
  const rec = (kind: string, id: string, attrs: object) => ({ kind, id, owned: true, state: "created", dependsOn: [], generation: 0, attrs });
  plan.resources["proxy/gateway"] = rec("lattice-resource-gateway", "rgw-0123456789abcdef0", { name: "egress-proxy-gateway", status: "ACTIVE" });
  for (const [vpc, acct] of [["vpc-0aaaaaaaaaaaaaaa1", plan.accountId], ["vpc-0bbbbbbbbbbbbbbb2", "111122223333"]])
    plan.resources[`consumer/${vpc}/endpoint`] = rec("vpc-endpoint", `vpce-${vpc.slice(4)}`, { vpcEndpointType: "Resource", vpcId: vpc, accountId: acct, subnetIds: ["subnet-1", "subnet-2"], state: "available" });
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  const off = await run("status", "--offline", "--json");
  assert.equal(off.code, 0, off.stderr);
  const p = off.json().proxy;
  assert.deepEqual(p.resourceGateways.map((g: any) => g.id), ["rgw-0123456789abcdef0"]);
  assert.deepEqual(p.resourceEndpoints.map((e: any) => [e.vpcId, e.accountId]), [["vpc-0aaaaaaaaaaaaaaa1", plan.accountId], ["vpc-0bbbbbbbbbbbbbbb2", "111122223333"]]);
  // offline, each consumer is priced from this plan's endpoints in it (2 AZ each); the shared design is the whole egress VPC plus them
  assert.deepEqual(p.consumers.map((c: any) => [c.vpcId, c.resourceEndpointAzs, c.cost.source, c.cost.totalMonthly]), [["vpc-0aaaaaaaaaaaaaaa1", 2, "plan", 14.6], ["vpc-0bbbbbbbbbbbbbbb2", 2, "plan", 14.6]]);
  assert.equal(p.saving.consumerVpcs, 2);
  assert.equal(p.saving.perConsumerNat.totalMonthly, 73);
  assert.equal(p.saving.shared.consumerEndpointsMonthly, 29.2);
  assert.equal(p.saving.shared.egressVpcMonthly, Math.round(off.json().cost.totalMonthly * 100) / 100);
  // live, consumer VPCs that cannot be read (these do not exist) are said so: no cost for them, the comparison a lower bound
  const lv = await run("status", "--json");
  assert.equal(lv.code, 0, lv.stderr);
  const lp = lv.json().proxy;
  for (const c of lp.consumers) {
    assert.equal(c.cost, null);
    assert.match(c.error, /could not read vpc-0aaaaaaaaaaaaaaa1, vpc-0bbbbbbbbbbbbbbb2/);
  }
  assert.equal(lp.saving.complete, false);
  assert.ok(lp.saving.assumptions.some((a: string) => /could not be read: their Resource endpoints are taken from the plan's records/.test(a)));
  assert.equal(lp.saving.shared.consumerEndpointsMonthly, 29.2);
  const text = await run("status", "--offline");
  assert.match(text.stdout, /proxy instance/);
  assert.match(text.stdout, /Resource gateway rgw-0123456789abcdef0/);
  assert.match(text.stdout, /The shared proxy (saves|costs) \d+\.\d\d USD\/month( more)? \(73\.00 - \d+\.\d\d\)/);
  void sandbox;
});

test("launch-proxy --dry-run: every check, the steps it would run, zero mutating calls, the plan unchanged", async () => {
  const { cwd, run, sandbox } = await egressVpc();
  const before = sandbox.stats().mutatingCalls;
  const planBefore = readFileSync(path.join(cwd, "egress-plan.json"), "utf8");
  const r = await run("--dry-run", "launch-proxy", "--per-az", "--allow-domain", "api.vendor.io", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().dryRun, true);
  assert.deepEqual(r.json().proxies, []);
  assert.equal(r.json().steps["proxy/us-east-1a/instance"], "would-create");
  assert.equal(sandbox.stats().mutatingCalls, before);
  assert.equal(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"), planBefore);
});

test("proxy allow: a crash right after its Run Command call; the re-run applies the same list and records it, same instances", async () => {
  const { cwd, file, run, sandbox } = await egressVpc();
  assert.equal((await run("launch-proxy", "--allow-domain", "api.vendor.io")).code, 0);
  const ids = liveInstances(sandbox).map((i) => i.InstanceId);
  const crashing = await openSandbox(file, { crashAfter: 1, crashMode: "throw" });
  const crashed = await cli(["--sandbox-file", file, "proxy", "allow", "--add", ".newvendor.com"], { cwd, env: cleanEnv(), sandbox: crashing });
  assert.notEqual(crashed.code, 0);
  assert.deepEqual(readPlan<any>(cwd).proxy.allowDomains, ["api.vendor.io"], "the crash came before the plan recorded the list");
  const fresh = await openSandbox(file);
  const again = await cli(["--sandbox-file", file, "proxy", "allow", "--add", ".newvendor.com", "--json"], { cwd, env: cleanEnv(), sandbox: fresh });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json().changed, true);
  assert.deepEqual(readPlan<any>(cwd).proxy.allowDomains, ["api.vendor.io", ".newvendor.com"]);
  assert.deepEqual(liveInstances(fresh).map((i) => i.InstanceId), ids);
  assert.match(region(fresh).ext.instances[ids[0]]._host.files["/etc/squid/squid.conf"], /dstdomain -n api\.vendor\.io \.newvendor\.com$/m);
});

test("launch-proxy --subnets ID --instance-type t4g.micro: one proxy in that subnet, on the arm64 AL2023 image", async () => {
  const { cwd, run, sandbox } = await egressVpc();
  const plan = readPlan<any>(cwd);
  const b = Object.values<any>(plan.resources).find((x) => x.kind === "subnet" && x.tier === "private" && x.az === "us-east-1b").id;
  const r = await run("launch-proxy", "--subnets", b, "--instance-type", "t4g.micro", "--allow-domain", "api.vendor.io", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json().proxies.map((p: any) => [p.az, p.subnetId, p.instanceType]), [["us-east-1b", b, "t4g.micro"]]);
  const [i] = liveInstances(sandbox);
  assert.equal(i.Architecture, "arm64");
  assert.equal(i.ImageId, r.json().imageId);
  assert.equal(readPlan<any>(cwd).resources["proxy/us-east-1b/instance"].id, i.InstanceId);
});

// ---------- issue 19: internal destinations (--allow-dest-cidr), a locked plan ----------

test("launch-proxy denies internal destinations by address; --allow-dest-cidr opens a private range only (strict: loopback, link-local, public, malformed refused at once)", async () => {
  const { run, sandbox } = await withPlan();
  const before = sandbox.stats().mutatingCalls;
  const bad = await run("launch-proxy", "--allow-domain", "api.vendor.io", "--allow-dest-cidr", "127.0.0.0/8", "--allow-dest-cidr", "169.254.169.254/32", "--allow-dest-cidr", "8.8.8.0/24", "--allow-dest-cidr", "10.1.0.0/16x", "--allow-dest-cidr", "10.2.0.1/16", "--print-config");
  assert.equal(bad.code, 2);
  for (const m of ["127.0.0.0/8 overlaps", "169.254.169.254/32 overlaps", "8.8.8.0/24 is not inside a private range", "10.1.0.0/16x", "host bits"]) assert.ok(bad.stderr.includes(m), `${m} in ${bad.stderr}`);
  const plain = (await run("launch-proxy", "--allow-domain", "api.vendor.io", "--print-config", "--json")).json().squidConf as string;
  for (const rule of ["http_access deny to_localhost", "http_access deny egress_to_loopback", "http_access deny egress_to_linklocal", "http_access deny egress_to_private", "http_access deny !CONNECT !egress_http_methods"]) assert.ok(plain.split("\n").includes(rule), rule);
  const opened = await run("launch-proxy", "--allow-domain", "api.vendor.io", "--allow-dest-cidr", "10.20.0.0/16", "--print-config", "--json");
  assert.equal(opened.code, 0, opened.stderr);
  assert.match(opened.json().squidConf, /^acl egress_dst_allowed dst 10\.20\.0\.0\/16$/m);
  assert.match(opened.json().squidConf, /^http_access deny egress_to_private !egress_dst_allowed$/m);
  assert.match(opened.json().squidConf, /^http_access deny egress_to_linklocal$/m);
  assert.deepEqual(checkSquidConfig(opened.json().squidConf), []);
  assert.equal(sandbox.stats().mutatingCalls, before);
});

test("proxy allow --add-dest-cidr/--remove-dest-cidr change the relayed internal ranges in place; the plan records them; bad values refused", async () => {
  const { cwd, run, sandbox } = await egressVpc();
  const r = await run("launch-proxy", "--allow-domain", "api.vendor.io", "--allow-dest-cidr", "10.20.0.0/16", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readPlan<any>(cwd).proxy.allowDestCidrs, ["10.20.0.0/16"]);
  const [id] = r.json().proxies.map((p: any) => p.instanceId);
  const conf = () => region(sandbox).ext.instances[id]._host.files["/etc/squid/squid.conf"] as string;
  assert.match(conf(), /^acl egress_dst_allowed dst 10\.20\.0\.0\/16$/m);
  // a relaunch asking for other internal ranges is pointed at proxy allow
  const relaunch = await run("launch-proxy", "--allow-domain", "api.vendor.io");
  assert.equal(relaunch.code, 2);
  assert.match(relaunch.stderr, /--add-dest-cidr/);
  const before = sandbox.stats().mutatingCalls;
  for (const args of [["--add-dest-cidr", "169.254.0.0/16"], ["--add-dest-cidr", "1.2.3.0/24"], ["--remove-dest-cidr", "10.99.0.0/16"], ["--add-dest-cidr", " "]]) {
    const bad = await run("proxy", "allow", ...args);
    assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.stderr}`);
  }
  assert.equal(sandbox.stats().mutatingCalls, before, "refusals change nothing");
  const a = await run("proxy", "allow", "--add-dest-cidr", "192.168.5.0/24", "--remove-dest-cidr", "10.20.0.0/16", "--json");
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(a.json().allowDestCidrs, ["192.168.5.0/24"]);
  assert.deepEqual(readPlan<any>(cwd).proxy.allowDestCidrs, ["192.168.5.0/24"]);
  assert.match(conf(), /^acl egress_dst_allowed dst 192\.168\.5\.0\/24$/m);
  const b = await run("proxy", "allow", "--remove-dest-cidr", "192.168.5.0/24", "--json");
  assert.equal(b.code, 0, b.stderr);
  assert.equal(readPlan<any>(cwd).proxy.allowDestCidrs, undefined);
  assert.doesNotMatch(conf(), /egress_dst_allowed/);
  assert.match(conf(), /^http_access deny egress_to_private$/m);
});

test("launch-proxy and proxy allow on a plan another live run holds: exit 5 before the input is judged (even bad input), nothing called", async () => {
  const { cwd, run, sandbox } = await egressVpc();
  const lock = path.join(cwd, "egress-plan.json.lock");
  writeFileSync(lock, JSON.stringify({ pid: process.ppid /* a live process that is not this run */, hostname: hostname(), startedAt: new Date().toISOString(), command: "add-nat", token: "other" }));
  const before = sandbox.stats().mutatingCalls;
  for (const args of [["launch-proxy", "--allow-domain", "api.vendor.io"], ["launch-proxy", "--allow-domain", "*.bad", "--port", "0"], ["launch-proxy"], ["proxy", "allow", "--add", "x.io"], ["proxy", "allow"], ["proxy", "allow", "--add", "*.bad"]]) {
    const r = await run(...args);
    assert.equal(r.code, 5, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /locked by another egress-cli run/);
  }
  assert.equal(sandbox.stats().mutatingCalls, before);
  rmSync(lock);
  assert.equal((await run("launch-proxy")).code, 2, "unlocked: the input is judged");
});

// ---------- issue 19: AWS limits known before the first call; a long allowlist by Run Command ----------

/** 800 distinct, non-overlapping names of ~50 characters: 40 KB of allowlist, 80 KB with --verify-sni. */
const LONG_LIST = Array.from({ length: 800 }, (_, i) => `service-${String(i).padStart(3, "0")}.api.some-long-vendor-name-${i % 7}.example.net`);

test("launch-proxy with 800 --allow-domain: the user data stays under EC2's 16 KB (squid boots denying everything), the full config follows by Run Command in parts; verified; a lost config is sent again on re-run", async () => {
  const { cwd, run, sandbox } = await egressVpc();
  const printed = await run("launch-proxy", ...LONG_LIST.flatMap((d) => ["--allow-domain", d]), "--verify-sni", "--print-config", "--json");
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(printed.json().allowlistDelivery, "run-command");
  assert.ok(Buffer.byteLength(printed.json().userData) <= 16_384, `${Buffer.byteLength(printed.json().userData)} bytes of user data`);
  assert.doesNotMatch(printed.json().userData, /service-000/, "the user data holds no allowlist");
  assert.match(printed.json().userData, /^http_access deny all$/m);

  const sent = () => Object.values<any>(region(sandbox).ext.ssm?.commands ?? {}).length;
  const r = await run("launch-proxy", ...LONG_LIST.flatMap((d) => ["--allow-domain", d]), "--verify-sni", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().allowlistDelivery, "run-command");
  assert.equal(r.json().verified, "ok");
  const [id] = r.json().proxies.map((p: any) => p.instanceId);
  const inst = region(sandbox).ext.instances[id];
  assert.ok(Buffer.from(inst._userData, "base64").length <= 16_384);
  const conf = () => region(sandbox).ext.instances[id]._host.files["/etc/squid/squid.conf"] as string;
  assert.equal(conf(), printed.json().squidConf, "the instance runs the full config");
  assert.equal(inst._host.files["/etc/squid/squid.conf.part"], undefined);
  const commands = Object.values<any>(region(sandbox).ext.ssm.commands);
  assert.ok(commands.length >= 3, `${commands.length} Run Commands: the config in parts, then the check`);
  for (const c of commands) assert.ok(Buffer.byteLength(JSON.stringify(c.Parameters)) + 2048 <= 65_536, "each command within the 64 KB document quota");
  assert.deepEqual(readPlan<any>(cwd).proxy.allowDomains, LONG_LIST);

  // as after a crash between the launch and the push: the proxy still runs the boot config; the re-run sends it again
  await sandbox.call("ssm", "SendCommand", { DocumentName: "AWS-RunShellScript", InstanceIds: [id], Parameters: { commands: ["cat > /etc/squid/squid.conf <<'X'", "http_port 3128", "http_access deny all", "X"] } }, R);
  assert.doesNotMatch(conf(), /service-000/);
  const before = sent();
  const again = await run("launch-proxy", ...LONG_LIST.flatMap((d) => ["--allow-domain", d]), "--verify-sni", "--json");
  assert.equal(again.code, 0, again.stderr);
  assert.ok(Object.values(again.json().steps).every((o) => o === "exists"), "nothing created again");
  assert.ok(sent() > before);
  assert.equal(conf(), printed.json().squidConf);

  // proxy allow on the long list: sent in parts too
  const allowed = await run("proxy", "allow", "--add", "late.vendor.io", "--json");
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(conf(), /^acl egress_dst dstdomain -n (.* )?late\.vendor\.io$/m);
});

test("a long allowlist with --skip-verify is refused before any call (its config needs Run Command); more --allow-cidr than a group's 60 inbound rules too", async () => {
  const { run, sandbox } = await egressVpc({ nat: true });
  const before = sandbox.stats().mutatingCalls;
  const r = await run("launch-proxy", ...LONG_LIST.flatMap((d) => ["--allow-domain", d]), "--skip-verify");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /16384/);
  assert.match(r.stderr, /--skip-verify/);
  const cidrs = Array.from({ length: 60 }, (_, i) => `10.${100 + Math.floor(i / 50)}.${(i % 50) * 4}.0/22`);
  const many = await run("launch-proxy", "--allow-domain", "api.vendor.io", ...cidrs.flatMap((c) => ["--allow-cidr", c]));
  assert.equal(many.code, 2, many.stderr);
  assert.match(many.stderr, /60 inbound rules/);
  assert.equal(sandbox.stats().mutatingCalls, before, "nothing created");
});

test("sandbox SendCommand: parameters that with the document exceed 64 KB are refused (InvalidParameters), nothing runs", async () => {
  const { run, sandbox } = await egressVpc();
  const r = await run("launch-proxy", "--allow-domain", "api.vendor.io", "--json");
  assert.equal(r.code, 0, r.stderr);
  const [id] = r.json().proxies.map((p: any) => p.instanceId);
  const before = Object.keys(region(sandbox).ext.ssm.commands).length;
  await assert.rejects(sandbox.call("ssm", "SendCommand", { DocumentName: "AWS-RunShellScript", InstanceIds: [id], Parameters: { commands: ["echo " + "x".repeat(63 * 1024)] } }, R), (e: any) => e.name === "InvalidParameters" && /64 KB/.test(e.message));
  assert.equal(Object.keys(region(sandbox).ext.ssm.commands).length, before);
  // just under: accepted
  await sandbox.call("ssm", "SendCommand", { DocumentName: "AWS-RunShellScript", InstanceIds: [id], Parameters: { commands: ["echo " + "x".repeat(60 * 1024)] } }, R);
});
