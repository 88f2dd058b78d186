// Issue 22's must-show, as a user types it: S1 and S3 with --ipv6 (dual-stack and IPv6-only private
// subnets), analyze-path to an IPv6 internet address (reachable through the egress-only gateway), to an IPv4
// address from an IPv6-only subnet (reachable through DNS64/NAT64), inbound from the internet to the private
// subnet (unreachable); then VPC Block Public Access block-bidirectional set with `sandbox call`: every
// internet path unreachable with VPC_BLOCK_PUBLIC_ACCESS_ENABLED, and an allow-egress exclusion on one subnet
// restores that subnet's egress only.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleSandbox } from "./helpers.js";

type Env = Awaited<ReturnType<typeof exampleSandbox>>;
const privateSubnets = (out: any) => out.subnets.filter((s: any) => s.tier === "private").map((s: any) => s.subnetId as string).sort();
async function ok(env: Env, ...argv: string[]) {
  const r = await env.run(...argv);
  assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stdout}${r.stderr}`);
  return r;
}
/** analyze-path --json: exit code, verdict, first explanation code and component. */
async function path(env: Env, plan: string, ...argv: string[]) {
  const r = await env.run("--plan", plan, "analyze-path", "--json", ...argv);
  const j = r.json();
  return { code: r.code, j, verdict: j.verdict as string, exp: j.result.explanations[0] as { code: string; component: { id: string } } | undefined, text: r.stdout + r.stderr };
}

test("S1 --ipv6 (dual-stack, and IPv6-only private subnets) and S3 --ipv6: IPv6 egress through the egress-only gateway, NAT64 from IPv6-only, inbound refused", async () => {
  const env = await exampleSandbox("egress-s1v6-");
  // S1, dual-stack
  const s1 = (await ok(env, "--plan", "s1.json", "--json", "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2", "--ipv6")).json();
  await ok(env, "--plan", "s1.json", "add-nat", "--mode", "single");
  await ok(env, "--plan", "s1.json", "attach-lambda", "--function", "sms-sender");
  const [privA] = privateSubnets(s1);
  const v6 = await path(env, "s1.json", "--from", privA!, "--to", "2606:4700:4700::1111");
  assert.equal(v6.code, 0, v6.text);
  assert.match(v6.j.fallback.reason, /Reachability Analyzer analyzes IPv4 only/);
  assert.ok(v6.j.result.hops.some((h: any) => h.component.id === s1.egressOnlyInternetGatewayId), v6.text);
  const lambda = await path(env, "s1.json", "--from", "lambda:sms-sender", "--to", "igw"); // IPv4: Reachability Analyzer (emulated) itself
  assert.equal(lambda.code, 0, lambda.text);
  assert.equal(lambda.j.fallback, undefined);
  const inbound = await path(env, "s1.json", "--from", "internet6", "--to", privA!);
  assert.equal(inbound.code, 4, inbound.text);
  assert.equal(inbound.exp?.code, "EGRESS_ONLY_GATEWAY_NO_INBOUND");

  // S1 with IPv6-only private subnets: add-nat gives them NAT64 + DNS64
  const s1only = (await ok(env, "--plan", "s1only.json", "--json", "create-vpc", "--name", "sms-v6", "--cidr", "10.1.0.0/16", "--azs", "2", "--ipv6-only-private")).json();
  await ok(env, "--plan", "s1only.json", "add-nat", "--mode", "single");
  const [onlyA] = privateSubnets(s1only);
  const n64 = await path(env, "s1only.json", "--from", onlyA!, "--to", "203.0.113.10");
  assert.equal(n64.code, 0, n64.text);
  assert.ok(n64.j.result.additionalDetails.some((d: string) => d.startsWith("DNS64_ASSUMED:")), n64.text);
  assert.ok(n64.j.result.hops.some((h: any) => /NAT64/.test(h.action)), n64.text);
  assert.match(n64.j.fallback.reason, /IPv6-only/);
  const in6 = await path(env, "s1only.json", "--from", "internet6", "--to", onlyA!);
  assert.equal(in6.code, 4, in6.text);
  assert.equal(in6.exp?.code, "EGRESS_ONLY_GATEWAY_NO_INBOUND");

  // S3 with IPv6: no public subnets, no internet gateway, IPv6 out through the egress-only gateway only
  const s3 = (await ok(env, "--plan", "s3.json", "--json", "create-vpc", "--name", "rotation", "--cidr", "10.20.0.0/16", "--azs", "2", "--public-subnets", "0", "--ipv6")).json();
  const [s3a] = privateSubnets(s3);
  const s3v6 = await path(env, "s3.json", "--from", s3a!, "--to", "internet6");
  assert.equal(s3v6.code, 0, s3v6.text);
  const s3v4 = await path(env, "s3.json", "--from", s3a!, "--to", "203.0.113.10", "--local");
  assert.equal(s3v4.code, 4, s3v4.text);
  assert.equal(s3v4.exp?.code, "NO_ROUTE_TO_DESTINATION");
  const s3in = await path(env, "s3.json", "--from", "internet6", "--to", s3a!);
  assert.equal(s3in.code, 4, s3in.text);
  assert.equal(s3in.exp?.code, "EGRESS_ONLY_GATEWAY_NO_INBOUND");

  // VPC Block Public Access, block-bidirectional, set as a user would
  const set = await ok(env, "sandbox", "call", "ec2", "ModifyVpcBlockPublicAccessOptions", '{"InternetGatewayBlockMode":"block-bidirectional"}');
  assert.equal(JSON.parse(set.stdout).VpcBlockPublicAccessOptions.InternetGatewayBlockMode, "block-bidirectional");
  const blocked: Array<[string, string, string]> = [
    ["s1.json", privA!, "2606:4700:4700::1111"],
    ["s1.json", "lambda:sms-sender", "igw"],
    ["s1only.json", onlyA!, "203.0.113.10"],
    ["s3.json", s3a!, "internet6"],
  ];
  for (const [plan, from, to] of blocked) {
    const r = await path(env, plan, "--from", from, "--to", to);
    assert.equal(r.code, 4, `${from} → ${to}: ${r.text}`);
    assert.equal(r.exp?.code, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", `${from} → ${to}`);
  }
  assert.equal((await path(env, "s1.json", "--from", "internet6", "--to", privA!)).code, 4);
  // an allow-egress exclusion on S1's private subnet A: its IPv6 egress only
  await ok(env, "sandbox", "call", "ec2", "CreateVpcBlockPublicAccessExclusion", JSON.stringify({ SubnetId: privA, InternetGatewayExclusionMode: "allow-egress" }));
  assert.equal((await path(env, "s1.json", "--from", privA!, "--to", "2606:4700:4700::1111")).code, 0);
  const [, privB] = privateSubnets(s1);
  for (const [plan, from, to] of [["s1.json", privB!, "2606:4700:4700::1111"], ["s1.json", "lambda:sms-sender", "igw"], ["s3.json", s3a!, "internet6"]] as const) {
    const r = await path(env, plan, "--from", from, "--to", to);
    assert.equal(r.code, 4, `${from} → ${to} stays blocked: ${r.text}`);
    assert.equal(r.exp?.code, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED");
  }
  const stillIn = await path(env, "s1.json", "--from", "internet6", "--to", privA!);
  assert.equal(stillIn.code, 4);
  // the audit names the subnets whose egress BPA takes away, and which of their routes
  const ar = await env.run("audit", "--all-vpcs", "--format", "json");
  assert.ok([0, 3].includes(ar.code), ar.stdout + ar.stderr);
  const audit = ar.json();
  const bpa = new Map<string, string[]>(audit.findings.filter((f: any) => f.ruleId === "bpa-blocks-egress").map((f: any) => [f.resourceId, f.evidence.facts.routes]));
  // B: both its routes; A: only its IPv4 route through the NAT (whose own subnet is not excluded)
  assert.deepEqual(bpa.get(privB!)?.map((r) => r.split(" → ")[0]).sort(), ["0.0.0.0/0", "::/0"]);
  assert.deepEqual(bpa.get(privA!)?.map((r) => r.split(" → ")[0]), ["0.0.0.0/0"]);
  assert.ok(bpa.has(s3a!) && bpa.has(onlyA!), JSON.stringify([...bpa.keys()]));
});
