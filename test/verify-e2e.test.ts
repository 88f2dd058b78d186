// verify end to end on the sandbox: each scenario's intent file in examples/ passes on the scenario's
// end state and fails, naming the right intent, on its broken start state (S1 before the NAT, S2 a
// domain not yet on the proxy's allowlist, S3 before the endpoint, S4 before the endpoints, S5's
// private instances); the reports (SARIF against the official 2.1.0 schema, at the intent's line;
// JUnit through a real XML parser; Markdown with Mermaid); --init; analyze-path --to domain:NAME
// agreeing with verify; bad input exit 2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { cli, cleanEnv, exampleSandbox, readPlan, ROOT, s2World, tempDir } from "./helpers.js";

const require = createRequire(import.meta.url);
const Ajv: typeof import("ajv-draft-04").default = require("ajv-draft-04");
const addFormats: typeof import("ajv-formats").default = require("ajv-formats");

function withExamples(cwd: string): void {
  mkdirSync(path.join(cwd, "examples"), { recursive: true });
  mkdirSync(path.join(cwd, "schema"), { recursive: true });
  for (const f of ["s1-sms-api", "s2-egress-proxy", "s3-rotation", "s4-msk", "s5-legacy"]) copyFileSync(path.join(ROOT, "examples", `${f}.intents.yaml`), path.join(cwd, "examples", `${f}.intents.yaml`));
  copyFileSync(path.join(ROOT, "schema", "intent.schema.json"), path.join(cwd, "schema", "intent.schema.json"));
}

type Run = (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string; json(): any }>;

async function verify(run: Run, file: string, ...extra: string[]) {
  const r = await run("verify", `examples/${file}.intents.yaml`, "--format", "json", ...extra);
  assert.ok(r.stdout.trim().startsWith("{"), `${file}: ${r.stderr}`);
  const doc = r.json();
  assert.equal(r.code, doc.outcome === "violated" ? 3 : doc.outcome === "unknown" ? 6 : 0, r.stderr);
  return { code: r.code, doc, outcomes: Object.fromEntries(doc.intents.map((i: any) => [i.name, i.outcome])) as Record<string, string> };
}

test("S1 and S3: each example fails on the broken start state naming the intent, and holds on the end state", async () => {
  const { cwd, run } = await exampleSandbox("egress-verify-");
  withExamples(cwd);
  assert.equal((await run("create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
  const before = await verify(run, "s1-sms-api");
  assert.equal(before.code, 3);
  assert.equal(before.outcomes["sms-sender leaves through the NAT gateway (its Elastic IP is the allow-listed address)"], "violated");
  const v = before.doc.intents[0].violations[0];
  assert.equal(v.kind, "blocked");
  assert.equal(v.code, "NO_ROUTE_TO_DESTINATION");
  assert.match(v.component.id, /^rtb-/);
  assert.equal((await run("add-nat", "--mode", "single")).code, 0);
  const after = await verify(run, "s1-sms-api");
  assert.deepEqual([after.code, after.doc.summary.holds], [0, 2], JSON.stringify(after.doc.intents.map((i: any) => i.violations)));
  // Same input, same output, byte for byte.
  const a = await run("verify", "examples/s1-sms-api.intents.yaml", "--format", "sarif");
  const b = await run("verify", "examples/s1-sms-api.intents.yaml", "--format", "sarif");
  assert.equal(a.stdout, b.stdout);

  const s3 = await exampleSandbox("egress-verify-s3-");
  withExamples(s3.cwd);
  assert.equal((await s3.run("create-vpc", "--name", "rotation", "--azs", "2", "--public-subnets", "0")).code, 0);
  assert.equal((await s3.run("attach-lambda", "--function", "rotate-db-secret")).code, 0);
  const s3before = await verify(s3.run, "s3-rotation");
  assert.deepEqual(s3before.outcomes, { "the rotation function reaches Secrets Manager without the internet": "violated", "the rotation VPC has no internet": "holds" });
  assert.equal((await s3.run("add-endpoint", "secretsmanager", "--allow-from", "lambda:rotate-db-secret")).code, 0);
  const s3after = await verify(s3.run, "s3-rotation");
  assert.equal(s3after.code, 0, JSON.stringify(s3after.doc.intents));
});

test("S5 and S4: the seeded broken VPCs fail with the right intent; import + add-nat / add-endpoint make them hold", async () => {
  const { cwd, run, region } = await exampleSandbox("egress-verify-s5-");
  withExamples(cwd);
  const vpcTagged = (v: string) => Object.values<any>(region().vpcs).find((x) => (x.Tags ?? []).some((t: any) => t.Value === v)).VpcId as string;
  const legacy = vpcTagged("legacy");
  const before = await verify(run, "s5-legacy", "--vpc", legacy);
  assert.deepEqual(before.outcomes, { "private instances reach the package mirrors through a NAT gateway": "violated", "the web server and the bastion reach the internet directly": "holds" });
  const v = before.doc.intents[0].violations;
  assert.equal(v.length, 4, "two private instances × ports 80 and 443");
  assert.ok(v.every((x: any) => x.code === "NO_ROUTE_TO_DESTINATION"), JSON.stringify(v[0]));
  assert.equal((await run("import", "--vpc", legacy, "--name", "legacy")).code, 0);
  assert.equal((await run("add-nat", "--mode", "single")).code, 0);
  const after = await verify(run, "s5-legacy");
  assert.equal(after.code, 0, JSON.stringify(after.doc.intents.map((i: any) => i.violations)));

  const s4 = await exampleSandbox("egress-verify-s4-");
  withExamples(s4.cwd);
  const msk = Object.values<any>(s4.region().vpcs).find((x) => (x.Tags ?? []).some((t: any) => t.Value === "msk")).VpcId as string;
  const clusterSg = Object.values<any>(s4.region().securityGroups).find((g) => g.GroupName === "msk-cluster").GroupId;
  assert.equal((await s4.run("import", "--vpc", msk, "--name", "msk")).code, 0);
  const s4before = await verify(s4.run, "s4-msk");
  assert.deepEqual(Object.values(s4before.outcomes), ["violated", "violated"]);
  assert.equal(s4before.doc.intents[0].sources, 3, "the three brokers' interfaces");
  assert.equal((await s4.run("add-endpoint", "--for", "msk-esm", "--allow-from", clusterSg, "--enable-vpc-dns")).code, 0);
  const s4after = await verify(s4.run, "s4-msk");
  assert.equal(s4after.code, 0, JSON.stringify(s4after.doc.intents.map((i: any) => i.violations)));
});

test("S2: a domain not on the proxy's allowlist fails by name until `proxy allow --add`; analyze-path --to domain:NAME agrees", async () => {
  const { cwd, run, ok } = await s2World("egress-verify-s2-", { connect: true });
  withExamples(cwd);
  const before = await verify(run, "s2-egress-proxy", "--all-vpcs");
  assert.deepEqual(before.outcomes, {
    "consumers reach the vendor API through the proxy": "holds",
    "consumers reach the new vendor through the proxy": "violated",
    "consumers reach no domain off the allowlist": "holds",
    "consumers have no internet path of their own": "holds",
  });
  const v = before.doc.intents[1].violations[0];
  assert.deepEqual([v.kind, v.code], ["blocked", "PROXY_DOMAIN_NOT_ALLOWED"]);
  assert.match(v.component.id, /^i-/);
  assert.deepEqual(before.doc.proxies.map((p: any) => p.allowDomains), [[".example.com", "api.vendor.io"], [".example.com", "api.vendor.io"]]);

  // analyze-path gives the same answer for one source.
  const team1Subnet = Object.values(readPlan(cwd, "team1.json").resources).find((r) => r.kind === "subnet")!.id!;
  const ap = await run("analyze-path", "--local", "--from", team1Subnet, "--to", "domain:api.newvendor.com", "--json");
  assert.equal(ap.code, 4, ap.stderr);
  assert.equal(ap.json().result.explanations[0].code, "PROXY_DOMAIN_NOT_ALLOWED");
  const apOk = await run("analyze-path", "--local", "--from", team1Subnet, "--to", "domain:API.vendor.io.", "--json");
  assert.equal(apOk.code, 0, apOk.stderr);
  assert.ok(apOk.json().result.hops.some((h: any) => /dstdomain api\.vendor\.io/.test(h.action)));
  assert.equal((await run("analyze-path", "--from", team1Subnet, "--to", "domain:api.vendor.io")).code, 2, "Reachability Analyzer knows no domains: --local only");

  await ok("proxy", "allow", "--add", ".newvendor.com");
  const after = await verify(run, "s2-egress-proxy", "--all-vpcs");
  assert.equal(after.code, 0, JSON.stringify(after.doc.intents.map((i: any) => i.violations)));
});

test("reports: SARIF validates against the official schema and points at the intent's line; JUnit parses; Markdown draws the failing path; --output", async () => {
  const { cwd, run, region } = await exampleSandbox("egress-verify-rep-");
  withExamples(cwd);
  const legacy = Object.values<any>(region().vpcs).find((x) => (x.Tags ?? []).some((t: any) => t.Value === "legacy")).VpcId as string;
  const sarif = await run("verify", "examples/s5-legacy.intents.yaml", "--vpc", legacy, "--format", "sarif", "--output", "verify.sarif");
  assert.equal(sarif.code, 3, sarif.stderr);
  const log: any = JSON.parse(readFileSync(path.join(cwd, "verify.sarif"), "utf8"));
  const schema = JSON.parse(readFileSync(path.join(path.dirname(require.resolve("@microsoft/jest-sarif/package.json")), "lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const valid = validate(log);
  assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 3)));
  const results = JSON.parse(readFileSync(path.join(cwd, "verify.sarif"), "utf8")).runs[0].results;
  assert.equal(results.length, 4);
  const lines = readFileSync(path.join(cwd, "examples", "s5-legacy.intents.yaml"), "utf8").split("\n");
  const declared = lines.findIndex((l) => l.includes("name: private instances reach the package mirrors")) + 1;
  for (const r of results) {
    assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, "examples/s5-legacy.intents.yaml");
    assert.equal(r.locations[0].physicalLocation.region.startLine, declared);
    assert.equal(r.level, "error");
  }

  const junit = await run("verify", "examples/s5-legacy.intents.yaml", "--vpc", legacy, "--format", "junit");
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (n) => ["testsuite", "testcase"].includes(n) }).parse(junit.stdout);
  const cases = doc.testsuites.testsuite[0].testcase;
  assert.equal(cases.length, 2);
  assert.equal(doc.testsuites["@failures"], "1");
  assert.match(cases[0].failure["#text"], /NO_ROUTE_TO_DESTINATION/);
  assert.equal(cases[1].failure, undefined);

  const md = await run("verify", "examples/s5-legacy.intents.yaml", "--vpc", legacy, "--format", "markdown");
  assert.ok(md.stdout.includes(`| ✗ | private instances reach the package mirrors through a NAT gateway | ${declared} |`), md.stdout);
  assert.match(md.stdout, /```mermaid\nflowchart LR\n/);
  assert.match(md.stdout, /class n_\d+_rtb_[0-9a-f]+ bad/);
  const text = await run("verify", "examples/s5-legacy.intents.yaml", "--vpc", legacy);
  assert.ok(text.stdout.includes(`✗ violated private instances reach the package mirrors through a NAT gateway  (examples/s5-legacy.intents.yaml:${declared};`), text.stdout);
});

test("verify --init writes a starter that holds today and never overwrites; bad input is exit 2 with every problem", async () => {
  const { cwd, run } = await exampleSandbox("egress-verify-init-");
  assert.equal((await run("create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  assert.equal((await run("add-nat", "--mode", "single")).code, 0);
  assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
  const init = await run("verify", "--init");
  assert.equal(init.code, 0, init.stderr);
  const text = readFileSync(path.join(cwd, "egress-intents.yaml"), "utf8");
  assert.match(text, /^# egress-cli verify/);
  assert.match(text, /private subnets reach the internet only through a NAT gateway/);
  assert.match(text, /lambda:sms-sender reaches the internet through a NAT gateway/);
  const check = await run("verify", "egress-intents.yaml");
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const again = await run("verify", "--init");
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);
  assert.equal(readFileSync(path.join(cwd, "egress-intents.yaml"), "utf8"), text);

  writeFileSync(path.join(cwd, "bad.yaml"), "version: 1\nintents:\n  - name: a\n    from: subnet-0123456789abcdef0\n    to: internet\n    expect: reachable\n  - name: b\n    from: tier:private\n    to: internet\n    expect: sometimes\n");
  const bad = await run("verify", "bad.yaml", "--format", "xml");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--format must be/);
  assert.match(bad.stderr, /line 10: intents\.1\.expect/);
  const missing = await run("verify", "bad.yaml".replace("bad", "nothere"));
  assert.equal(missing.code, 2);
  writeFileSync(path.join(cwd, "ids.yaml"), "version: 1\nintents:\n  - name: a\n    from: subnet-0123456789abcdef0\n    to: internet\n    expect: reachable\n");
  const ids = await run("verify", "ids.yaml");
  assert.equal(ids.code, 2);
  assert.match(ids.stderr, /line 3: intent "a": subnet-0123456789abcdef0 is not in the snapshot/);
  assert.equal(existsSync(path.join(cwd, "verify.sarif")), false);
});

test("--naa-scope on the sandbox: the documentation's scopes give their findings on S5's seeded VPC (exit 3), none once the NAT is the only way out of the private tier; outside the subset: exit 2 listing it", async () => {
  const { cwd, run, region } = await exampleSandbox("egress-verify-naa-");
  mkdirSync(path.join(cwd, "naa"));
  for (const f of ["eni-to-igw", "internet-only-through-nat", "igw-ingress"]) copyFileSync(path.join(ROOT, "examples", "naa", `${f}.json`), path.join(cwd, "naa", `${f}.json`));
  const legacy = Object.values<any>(region().vpcs).find((x) => (x.Tags ?? []).some((t: any) => t.Value === "legacy")).VpcId as string;
  const instances = Object.values<any>(region().ext.instances).filter((i) => i.VpcId === legacy);
  const eniOf = (name: string) => instances.find((i) => (i.Tags ?? []).some((t: any) => t.Value === name)).NetworkInterfaces[0].NetworkInterfaceId as string;
  const r = await run("verify", "--naa-scope", "naa/internet-only-through-nat.json", "--vpc", legacy, "--format", "json");
  assert.equal(r.code, 3, r.stderr);
  const found = [...new Set(r.json().intents[0].violations.map((v: any) => v.source))].sort();
  assert.deepEqual(found, [eniOf("legacy-bastion"), eniOf("legacy-web")].sort(), "the two instances with public IPs reach the internet gateway directly");
  const sarif = await run("verify", "--naa-scope", "naa/internet-only-through-nat.json", "--vpc", legacy, "--format", "sarif");
  assert.equal(JSON.parse(sarif.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, "naa/internet-only-through-nat.json");
  assert.equal(JSON.parse(sarif.stdout).runs[0].results[0].locations[0].physicalLocation.region.startLine, 3);
  const refused = await run("verify", "--naa-scope", "naa/igw-ingress.json", "--vpc", legacy);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /outside the subset[\s\S]*AWS::EC2::InternetGateway/);
});

test("--snapshot files: an undecided path is exit 6 (JUnit <error>, never a pass); files of several Regions are refused; FILE with --naa-scope is exit 2", async () => {
  const { s1 } = await import("./fixtures/analysis/build.js");
  const cwd = tempDir("egress-verify-snap-");
  const b = s1({ natRoute: false }).tgw("tgw-central").tgwAttachment("tgw-attach-sms", "tgw-central", "vpc-sms", ["subnet-priv-a"]);
  b.tweak((s) => {
    s.routeTables.find((r) => r.RouteTableId === "rtb-priv-a")!.Routes!.push({ DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: "tgw-central", State: "active" } as never);
    delete s.transitGatewayRouteTables;
  });
  writeFileSync(path.join(cwd, "snap.json"), JSON.stringify(b.build()));
  writeFileSync(path.join(cwd, "other.json"), JSON.stringify({ ...s1().build(), region: "eu-west-1" }));
  writeFileSync(path.join(cwd, "i.yaml"), 'version: 1\nintents:\n  - name: private a leaves\n    from: subnet-priv-a\n    to: internet\n    expect: reachable\n');
  const env = cleanEnv();
  const run = (...a: string[]) => cli(["--sandbox", ...a], { cwd, env });
  const r = await run("verify", "i.yaml", "--snapshot", "snap.json", "--format", "junit");
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stdout, /<error type="unknown"[^>]*>[\s\S]*PATH_LEAVES_VPC|<error type="unknown"[^>]*>[\s\S]*NOT_COLLECTED/);
  const text = await run("verify", "i.yaml", "--snapshot", "snap.json");
  assert.match(text.stdout, /\? unknown +private a leaves/);
  assert.match(text.stdout, /Unknown is not a pass/);
  const two = await run("verify", "i.yaml", "--snapshot", "snap.json", "other.json");
  assert.equal(two.code, 2);
  assert.match(two.stderr, /several Regions/);
  const both = await run("verify", "i.yaml", "--naa-scope", "x.json", "--snapshot", "snap.json");
  assert.equal(both.code, 2);
  assert.match(both.stderr, /not both/);
});
