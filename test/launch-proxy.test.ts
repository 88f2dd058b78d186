// launch-proxy on the sandbox: every bad option refused at once (exit 2, zero mutating calls) and
// --print-config printing the exact squid.conf (admitting the plan's VPC CIDR) and user data, changing nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { cli, cleanEnv, openSandbox, tempDir } from "./helpers.js";
import { checkSquidConfig } from "../src/proxy/squid.js";

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
  // without --print-config this version says what is missing (exit 1) and changes nothing
  const launch = await run("launch-proxy", "--allow-domain", "api.vendor.io");
  assert.equal(launch.code, 1);
  assert.match(launch.stderr, /not built yet/);
  assert.equal(sandbox.stats().mutatingCalls, before);
});
