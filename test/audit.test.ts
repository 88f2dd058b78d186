// audit end to end on the sandbox: the example account's seeded problems (exactly), our own build
// passing its own audit, exit codes (--fail-on, --baseline, suppression, failed scope), bad input.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { SANDBOX_CREDENTIALS, exampleSandbox, plugged } from "./helpers.js";

const medPlus = (doc: any) => doc.findings.filter((f: any) => ["medium", "high", "critical"].includes(f.severity));
const names = (doc: any, sandbox: any) => {
  const rs = sandbox.state().regions["us-east-1"];
  const label = (id: string) => {
    const tags = rs.vpcs[id]?.Tags ?? rs.instances?.[id]?.Tags ?? rs.securityGroups[id]?.Tags ?? rs.natGateways[id]?.Tags ?? rs.addresses[id]?.Tags ?? rs.ext?.instances?.[id]?.Tags;
    return tags?.find((t: any) => t.Key === "Name")?.Value ?? (id.includes(":function:") ? id.split(":").pop() : id.match(/^[0-9a-f-]{36}$/) ? "msk-mapping" : id);
  };
  return doc.findings.map((f: any) => `${f.severity} ${f.ruleId} ${label(f.resourceId)}`).sort();
};

describe("audit on the sandbox", () => {
  test("--all-vpcs on the example account reports exactly the seeded problems", async () => {
    const { run, sandbox } = await exampleSandbox("egress-audit-");
    const r = await run("audit", "--all-vpcs", "--format", "json");
    assert.equal(r.code, 3, "the default --fail-on is high: the open high findings fail the audit");
    const doc = r.json();
    assert.equal(doc.schema, "egress-cli/audit-report");
    assert.equal(doc.failOn, "high");
    assert.equal(doc.summary.failing, 4);
    assert.deepEqual(names(doc, sandbox), [
      "high lambda-public-subnet report-generator", // Lambda in the default VPC's public subnets
      "high msk-esm-no-egress msk-mapping", // S4: on-demand mapping, no NAT, no lambda/sts endpoints
      "high nat-subnet-no-igw-route nat-misplaced", // NAT in a subnet without an IGW route
      "high sg-open-admin-ports legacy-debug", // SSH + RDP from 0.0.0.0/0
      "low eip-unassociated idle-eip",
      "low vpc-no-flow-logs default-vpc",
      "low vpc-no-flow-logs legacy",
      "low vpc-no-flow-logs msk",
      "low vpc-no-flow-logs team-a",
      "low vpc-no-flow-logs team-b",
      "medium vpc-cidr-overlap team-a", // S2: two VPCs on 10.0.0.0/16
      "medium vpc-cidr-overlap team-b",
      "medium workload-no-egress legacy-app", // S5: private instances, no NAT
      "medium workload-no-egress legacy-db",
    ].map((x) => x.replace("default-vpc", Object.values<any>(sandbox.state().regions["us-east-1"].vpcs).find((v) => v.IsDefault).VpcId)).sort());
    const s5 = doc.findings.find((f: any) => f.ruleId === "workload-no-egress");
    assert.equal(s5.evidence.blocking.code, "NO_ROUTE_TO_DESTINATION");
    assert.ok(s5.evidence.hops.length >= 2, "hop list");
    assert.match(s5.fix, /add-nat/);
    assert.equal(doc.summary.open.high, 4);
  });

  test("our own build (create-vpc + add-nat + attach-lambda) has nothing at medium or above", async () => {
    const { run } = await exampleSandbox("egress-audit-own-");
    assert.equal((await run("create-vpc", "--name", "sms", "--azs", "2")).code, 0);
    assert.equal((await run("add-nat", "--mode", "single")).code, 0);
    assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
    const r = await run("audit", "--plan", "--format", "json", "--fail-on", "medium");
    assert.equal(r.code, 0, r.stdout);
    const doc = r.json();
    assert.deepEqual(medPlus(doc), []);
    assert.equal(doc.scopes[0].vpcs, 1);
    assert.ok(doc.findings.some((f: any) => f.ruleId === "nat-cross-az"), "single NAT for two AZs is reported at low");
  });

  test("exit codes: --fail-on, --baseline, suppression tag, failed scope", async () => {
    const { run, cwd, sandbox } = await exampleSandbox("egress-audit-exit-");
    assert.equal((await run("audit", "--all-vpcs", "--fail-on", "high")).code, 3);
    assert.equal((await run("audit", "--all-vpcs", "--fail-on", "critical")).code, 0);
    assert.equal((await run("audit", "--all-vpcs")).code, 3, "default: --fail-on high");
    assert.equal((await run("audit", "--all-vpcs", "--fail-on", "none")).code, 0, "--fail-on none never fails");
    assert.equal((await run("audit", "--all-vpcs", "--fail-on", "NONE", "--format", "json")).json().failOn, undefined);
    const base = await run("audit", "--all-vpcs", "--format", "json", "--output", "base.json", "--fail-on", "none");
    assert.equal(base.code, 0, base.stderr);
    assert.equal((await run("audit", "--all-vpcs", "--fail-on", "low", "--baseline", "base.json")).code, 0, "nothing new");
    // A new problem after the baseline: only it fails.
    const ec2 = (await import("@aws-sdk/client-ec2"));
    const client = plugged(sandbox, new ec2.EC2({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
    await client.allocateAddress({ Domain: "vpc" });
    const again = await run("audit", "--all-vpcs", "--fail-on", "low", "--baseline", "base.json", "--format", "json");
    assert.equal(again.code, 3);
    const open = again.json().findings.filter((f: any) => f.status === "open");
    assert.deepEqual(open.map((f: any) => f.ruleId), ["eip-unassociated"]);
    // Suppression: tag the open group; sg-open-admin-ports is then suppressed with the reason, not failed.
    const sg = again.json().findings.find((f: any) => f.ruleId === "sg-open-admin-ports").resourceId;
    await client.createTags({ Resources: [sg], Tags: [{ Key: "egress-cli:audit-ignore", Value: "sg-open-admin-ports" }, { Key: "egress-cli:audit-ignore-reason", Value: "break-glass group, JIT-attached" }] });
    const sup = await run("audit", "--all-vpcs", "--fail-on", "high", "--rules", "sg-open-admin-ports", "--format", "json");
    assert.equal(sup.code, 0, sup.stdout);
    const f = sup.json().findings[0];
    assert.equal(f.status, "suppressed");
    assert.equal(f.suppression.reason, "break-glass group, JIT-attached");
    // A scope that fails (a region the sandbox does not emulate answers AuthFailure) → exit 1, the other still audited.
    const failed = await run("audit", "--all-vpcs", "--region", "us-east-1", "--region", "af-south-1", "--format", "json");
    assert.equal(failed.code, 1, failed.stderr);
    const fd = failed.json();
    assert.equal(fd.scopes.length, 2);
    assert.deepEqual(fd.scopes.map((s: any) => s.status).sort(), ["failed", "ok"]);
    assert.ok(fd.findings.length > 0);
    void cwd;
  });

  test("bad input: malformed / foreign snapshot, unknown rule id, bad flags → exit 2 with a clear message", async () => {
    const { run, cwd } = await exampleSandbox("egress-audit-bad-");
    writeFileSync(path.join(cwd, "bad.json"), "{ not json");
    writeFileSync(path.join(cwd, "foreign.json"), JSON.stringify({ version: 7, takenAt: "x", region: "us-east-1", accountId: "1" }));
    writeFileSync(path.join(cwd, "plan-like.json"), JSON.stringify({ version: 1, name: "x" }));
    let r = await run("audit", "--snapshot", "bad.json");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json is not valid JSON/);
    r = await run("audit", "--snapshot", "foreign.json");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unsupported snapshot version 7/);
    r = await run("audit", "--snapshot", "plan-like.json");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid snapshot/);
    r = await run("audit", "--all-vpcs", "--rules", "no-such-rule,workload-no-egress", "--skip-rules", "nope");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown rule id\(s\): no-such-rule, nope/);
    r = await run("audit", "--format", "xml", "--fail-on", "severe", "--shard", "3/2");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /3 problems/);
    assert.match(r.stderr, /--format must be/);
    assert.match(r.stderr, /--fail-on must be/);
    assert.match(r.stderr, /--shard must be/);
    r = await run("audit", "--all-vpcs", "--baseline", "bad.json");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--baseline .*bad\.json is not valid JSON/);
  });

  test("--snapshot FILE audits offline; --shard and audit merge join shard reports", async () => {
    const { run, cwd } = await exampleSandbox("egress-audit-shard-");
    assert.equal((await run("snapshot", "--all-vpcs", "--out", "a.json")).code, 0);
    const live = (await run("audit", "--all-vpcs", "--format", "json")).json();
    const off = await run("audit", "--snapshot", "a.json", "--format", "json");
    assert.equal(off.code, 3, off.stderr);
    assert.deepEqual(off.json().findings.map((f: any) => f.fingerprint).sort(), live.findings.map((f: any) => f.fingerprint).sort());
    // Two files of two "accounts": shard 1/2 takes the first, 2/2 the second; merge joins them.
    const doc = JSON.parse(readFileSync(path.join(cwd, "a.json"), "utf8"));
    writeFileSync(path.join(cwd, "b.json"), JSON.stringify({ ...doc, accountId: "222222222222" }));
    assert.equal((await run("audit", "--snapshot", "a.json", "b.json", "--shard", "1/2", "--format", "json", "--output", "s1.json", "--fail-on", "none")).code, 0);
    assert.equal((await run("audit", "--snapshot", "a.json", "b.json", "--shard", "2/2", "--format", "json", "--output", "s2.json", "--fail-on", "none")).code, 0);
    const s1 = JSON.parse(readFileSync(path.join(cwd, "s1.json"), "utf8"));
    assert.equal(s1.scopes.length, 1);
    const m = await run("audit", "merge", "s1.json", "s2.json", "--format", "json", "--fail-on", "high");
    assert.equal(m.code, 3);
    const merged = m.json();
    assert.equal(merged.scopes.length, 2);
    assert.equal(merged.findings.length, live.findings.length * 2);
    // Shards made with --fail-on none carry no threshold: merge applies the default (high) unless told.
    assert.equal((await run("audit", "merge", "s1.json", "s2.json")).code, 3);
    assert.equal((await run("audit", "merge", "s1.json", "s2.json", "--fail-on", "none")).code, 0);
    assert.equal(new Set(merged.findings.map((f: any) => f.fingerprint)).size, merged.findings.length);
    const bad = await run("audit", "merge", "a.json");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /this is a snapshot, not an audit report/);
  });
});

describe("cost", () => {
  test("the egress bill by VPC with the savings the cost rules found; bad input exit 2", async () => {
    const { run } = await exampleSandbox("egress-cost-");
    assert.equal((await run("create-vpc", "--name", "sms", "--azs", "2")).code, 0);
    assert.equal((await run("add-nat", "--mode", "per-az")).code, 0);
    const r = await run("cost", "--all-vpcs", "--json", "--gb-per-month", "100");
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    const sms = doc.vpcs.find((v: any) => v.name === "sms-vpc");
    assert.equal(sms.natGateways, 2);
    assert.equal(sms.publicIpv4Addresses, 2);
    // 2 × 32.85 NAT hours + 2 × 3.65 addresses + 2/3 of 100 GB × 0.045 (the misplaced example NAT carries the rest).
    assert.equal(sms.totalMonthly, 76);
    assert.equal(doc.idleAddresses.count, 1);
    assert.deepEqual(doc.savings.map((s: any) => s.ruleId).sort(), ["cost-gateway-endpoint", "eip-unassociated"]);
    assert.equal(doc.savingsMonthly, 3.65);
    const text = await run("cost", "--all-vpcs");
    assert.match(text.stdout, /Total: \d+\.\d\d USD\/month/);
    assert.match(text.stdout, /Savings found/);
    const bad = await run("cost", "--snapshot", "x.json", "--all-vpcs");
    assert.equal(bad.code, 2);
    assert.equal((await run("cost", "--gb-per-month", "-3")).code, 2);
  });
});

describe("audit --format sarif / junit / markdown / text end to end", () => {
  test("SARIF points at the snapshot written beside the report (no plan), or at the plan file; text has no colour off a TTY", async () => {
    const { run, cwd } = await exampleSandbox("egress-audit-sarif-");
    mkdirSync(path.join(cwd, "out"));
    const r = await run("audit", "--all-vpcs", "--format", "sarif", "--output", "out/audit.sarif");
    assert.equal(r.code, 3, r.stderr);
    const log = JSON.parse(readFileSync(path.join(cwd, "out", "audit.sarif"), "utf8"));
    const results = log.runs.flatMap((x: any) => x.results);
    const uri = results[0].locations[0].physicalLocation.artifactLocation.uri;
    assert.match(uri, /^out\/audit\.\d{12}\.us-east-1\.snapshot\.json$/);
    const snapText = readFileSync(path.join(cwd, uri), "utf8");
    for (const res of results) assert.ok(res.locations[0].physicalLocation.region.startLine >= 1);
    const workload = results.find((x: any) => x.ruleId === "workload-no-egress");
    const id = workload.locations[0].logicalLocations[0].name;
    assert.ok(snapText.split("\n")[workload.locations[0].physicalLocation.region.startLine - 1]!.includes(id), "the line names the resource");
    assert.equal(new Set(results.map((x: any) => x.partialFingerprints["egressCliFinding/v1"])).size, results.length);
    // With a plan file, results point at the plan.
    assert.equal((await run("create-vpc", "--name", "anchor", "--azs", "2")).code, 0);
    const p = await run("audit", "--plan", "--format", "sarif");
    assert.equal(p.code, 0, p.stderr);
    assert.equal(JSON.parse(p.stdout).runs[0].artifacts[0].location.uri, "egress-plan.json");
    const bad = await run("audit", "--plan", "--format", "sarif", "--sarif-anchor", "nope.txt");
    assert.equal(bad.code, 2);
    const text = await run("audit", "--all-vpcs");
    assert.doesNotMatch(text.stdout, /\x1b\[/, "no ANSI colour when stdout is not a TTY");
    const md = await run("audit", "--all-vpcs", "--format", "markdown");
    assert.ok((md.stdout.match(/```mermaid/g) ?? []).length >= 4, "a diagram per VPC with findings");
    const junit = await run("audit", "--all-vpcs", "--format", "junit");
    assert.match(junit.stdout, /^<\?xml version="1.0"/);
  });

  test("JUnit failures equal the open findings at or above --fail-on, and the exit code agrees (default high: exit 3)", async () => {
    const { run } = await exampleSandbox("egress-audit-junit-");
    const { XMLParser } = await import("fast-xml-parser");
    const all = (await run("audit", "--all-vpcs", "--format", "json", "--fail-on", "none")).json().findings;
    const rank = (s: string) => ["info", "low", "medium", "high", "critical"].indexOf(s);
    for (const failOn of [undefined, "none", "low", "medium", "high", "critical"]) {
      const r = await run("audit", "--all-vpcs", "--format", "junit", ...(failOn ? ["--fail-on", failOn] : []));
      const threshold = failOn ?? "high";
      const expected = threshold === "none" ? 0 : all.filter((f: any) => f.status === "open" && rank(f.severity) >= rank(threshold)).length;
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" }).parse(r.stdout);
      assert.equal(Number(doc.testsuites["@failures"]), expected, `--fail-on ${failOn ?? "(default)"}`);
      assert.equal(r.code, expected ? 3 : 0, `--fail-on ${failOn ?? "(default)"}: exit code agrees with the JUnit failures`);
    }
  });
});

describe("audit scopes", () => {
  test("--all-regions: one scope per region (DescribeRegions), collected concurrently; two profiles into one account give each finding once", async () => {
    const { run } = await exampleSandbox("egress-audit-regions-");
    const r = await run("audit", "--all-regions", "--all-vpcs", "--format", "json", "--fail-on", "none");
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.equal(doc.scopes.length, 7);
    assert.ok(doc.scopes.every((s: any) => s.status === "ok"));
    assert.equal(new Set(doc.scopes.map((s: any) => s.region)).size, 7);
    // The default VPC of every region has no flow log; the seeded problems are in us-east-1 only.
    assert.equal(doc.findings.filter((f: any) => f.ruleId === "vpc-no-flow-logs").length, 5 + 6);
    const p = await run("audit", "--all-vpcs", "--profile", "a", "--profile", "b", "--format", "json");
    assert.equal(p.code, 3, p.stderr);
    const pd = p.json();
    assert.deepEqual(pd.scopes.map((s: any) => s.profile).sort(), ["a", "b"]);
    assert.equal(new Set(pd.findings.map((f: any) => f.fingerprint)).size, pd.findings.length);
    assert.equal(pd.findings.length, 14);
  });
});
