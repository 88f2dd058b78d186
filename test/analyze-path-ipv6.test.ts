// analyze-path and IPv6 (issue 22 item 2): --to internet6 / an IPv6 address / an IPv4 address from an
// IPv6-only source, --from internet|internet6; Reachability Analyzer (IPv4 only) is never asked for an IPv6
// path: the offline analyzer answers, and the text and the JSON say so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Sandbox } from "../src/sandbox/index.js";
import { s1v6 } from "./fixtures/analysis/build.js";
import { cleanEnv, cli, tempDir } from "./helpers.js";

async function setup() {
  const sandbox = await Sandbox.open({ env: {} });
  const cwd = tempDir("egress-ap6-");
  writeFileSync(path.join(cwd, "v6.json"), JSON.stringify(s1v6().build()));
  const run = (...argv: string[]) => cli(["--sandbox", "analyze-path", ...argv], { cwd, env: cleanEnv(), sandbox });
  return { run };
}

test("--compare on an IPv6 path: RA cannot analyze IPv6, stated in text and JSON; the offline analyzer answers (EIGW reachable)", async () => {
  const { run } = await setup();
  const j = await run("--from", "i-dual", "--to", "internet6", "--compare", "--snapshot", "v6.json", "--json");
  assert.equal(j.code, 0, j.stdout + j.stderr);
  const doc = j.json();
  assert.equal(doc.verdict, "reachable");
  assert.equal(doc.mode, "local");
  assert.deepEqual([doc.fallback.requested, doc.fallback.used], ["compare", "local"]);
  assert.match(doc.fallback.reason, /Reachability Analyzer analyzes IPv4 only/);
  assert.ok(doc.result.hops.some((h: { component: { id: string } }) => h.component.id === "eigw-v6"));
  const t = await run("--from", "i-dual", "--to", "2606:4700:4700::1111", "--compare", "--snapshot", "v6.json");
  assert.equal(t.code, 0, t.stdout + t.stderr);
  assert.match(t.stdout, /Reachability Analyzer analyzes IPv4 only .* cannot analyze 2606:4700:4700::1111 \(IPv6\)\. The offline analyzer answered instead\./);
  assert.match(t.stderr, /Falling back to the offline analyzer/);
});

test("an IPv4 address from the IPv6-only subnet: reachable through DNS64/NAT64, the answer says it assumes DNS64", async () => {
  const { run } = await setup();
  const r = await run("--from", "i-v6only", "--to", "203.0.113.10", "--local", "--snapshot", "v6.json");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /DNS64_ASSUMED: .*assumes the name of 203\.0\.113\.10 resolves through the Route 53 Resolver's DNS64/);
  assert.match(r.stdout, /NAT64/);
});

test("--compare from an IPv6-only source (told by the offline analysis, not a live read): fallback stated", async () => {
  const { run } = await setup();
  const r = await run("--from", "i-v6only", "--to", "203.0.113.10", "--compare", "--snapshot", "v6.json", "--json");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.json().fallback.reason, /cannot analyze i-v6only: it is IPv6-only/);
  assert.equal(r.json().reachabilityAnalyzer, undefined);
});

test("--from internet6 to the private subnet: unreachable (exit 4) through the egress-only gateway; bad inbound destinations exit 2", async () => {
  const { run } = await setup();
  const r = await run("--from", "internet6", "--to", "i-dual", "--local", "--snapshot", "v6.json", "--json");
  assert.equal(r.code, 4, r.stdout + r.stderr);
  assert.equal(r.json().result.explanations[0].code, "EGRESS_ONLY_GATEWAY_NO_INBOUND");
  const ra = await run("--from", "internet6", "--to", "i-dual", "--compare", "--snapshot", "v6.json", "--json");
  assert.equal(ra.code, 4);
  assert.match(ra.json().fallback.reason, /IPv6 from the internet/);
  const bad = await run("--from", "internet", "--to", "service:s3", "--local", "--snapshot", "v6.json");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /cannot be reached from the internet/);
});

test("default mode on the sandbox (IPv4 account): an IPv6 destination is not sent to RA; the offline analyzer's answer, stated", async () => {
  const sandbox = await Sandbox.open({ env: {} });
  const cwd = tempDir("egress-ap6-");
  const ids = await sandbox.call("ec2", "DescribeSubnets", {}, "us-east-1");
  const subnet = ids.Subnets[0].SubnetId;
  const r = await cli(["--sandbox", "analyze-path", "--from", subnet, "--to", "internet6", "--json"], { cwd, env: cleanEnv(), sandbox });
  const doc = r.json();
  assert.equal(doc.fallback.requested, "aws");
  assert.equal(doc.reachabilityAnalyzer, undefined, "no Reachability Analyzer call");
  assert.equal(r.code, 4, r.stdout + r.stderr); // the default VPC's subnet has no IPv6 CIDR
  assert.equal(doc.result.explanations[0].code, "SOURCE_HAS_NO_IPV6_ADDRESS");
});
