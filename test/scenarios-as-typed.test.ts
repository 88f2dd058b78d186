// SCENARIOS.md's command lines exactly as a user types them (issue 18 §5): a fresh directory, the
// README's "A first session" (its commands read from README.md), then one scenario's lines with the
// global --sandbox the README uses and the example ids filled in (vpc-0msk… → the seeded MSK VPC).
// Ids are looked up the way a user would, with `sandbox show --json`. Nothing is passed that the
// scenario does not type: no --json, no --yes, no --enable-vpc-dns. S4's add-endpoint asks at a
// terminal before turning on the VPC's DNS hostnames: answered "y" on a fake TTY in process, and once
// on a real pseudo-terminal by the built binary (`npm run build` first, like test/pty.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { BIN, ROOT, cleanEnv, cli, readSandboxState, tempDir } from "./helpers.js";
import { functionNotFound, similarNames } from "../src/cli/lambda.js";

/** The README's first session, as egress-cli argv lists (comments and the build/alias lines dropped). */
function firstSession(): string[][] {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /## A first session\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, "README.md has a first session");
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l.startsWith("egress-cli "))
    .map((l) => l.split(/\s+/).slice(1));
}

async function afterFirstSession() {
  const cwd = tempDir("egress-typed-");
  const env = cleanEnv();
  const exec = (argv: string[], o: { tty?: boolean; input?: string } = {}) => cli(argv, { cwd, env, ...o });
  for (const argv of firstSession()) {
    const r = await exec(argv);
    assert.equal(r.code, 0, `README first session: egress-cli ${argv.join(" ")}: ${r.stderr}`);
  }
  const show = (await exec(["--sandbox", "sandbox", "show", "--json"])).json();
  const vpcs: any[] = show.summary.regions["us-east-1"].vpcs;
  const vpc = (name: string) => vpcs.find((v) => v.name === name);
  const ids = {
    "vpc-0msk...": vpc("msk").id,
    "sg-0cluster...": vpc("msk").resources.securityGroups.find((g: any) => g.name === "msk-cluster").id,
    "vpc-0legacy...": vpc("legacy").id,
    "i-0db...": vpc("legacy").resources.instances.find((i: any) => i.name === "legacy-db").id,
  };
  /** One SCENARIOS.md line, as typed: `egress-cli …` (with --sandbox), `&&` chains, `#` comments dropped. */
  const typed = async (line: string, o: { tty?: boolean; input?: string } = {}) => {
    let last;
    for (const part of line.replace(/\s+#.*$/, "").split("&&")) {
      let words = part.trim().split(/\s+/);
      assert.equal(words[0], "egress-cli", line);
      words = words.slice(1).map((w) => (ids as Record<string, string>)[w] ?? w);
      last = await exec(["--sandbox", ...words], o);
      if (last.code !== 0) return last;
    }
    return last!;
  };
  const state = () => readSandboxState(path.join(cwd, ".egress", "sandbox.json")).regions["us-east-1"];
  return { cwd, exec, typed, ids, state };
}

test("the README's first session uses the example account, so SCENARIOS.md's functions and VPCs are there", () => {
  const lines = firstSession().map((a) => a.join(" "));
  assert.ok(lines.includes("--sandbox sandbox init --examples"), lines.join("\n"));
  assert.ok(lines.every((l) => l.startsWith("--sandbox ")), "every line carries --sandbox");
});

test("S1 as typed after the first session: the function gets the NAT's Elastic IP, reaches the IGW, status shows the IP and the cost", async () => {
  const { typed } = await afterFirstSession();
  const vpc = await typed("egress-cli create-vpc --name sms-api --cidr 10.0.0.0/16 --azs 2");
  assert.equal(vpc.code, 0, vpc.stderr);
  const nat = await typed("egress-cli add-nat --mode single");
  assert.equal(nat.code, 0, nat.stderr);
  const ip = /Static egress IP\(s\): (\d+\.\d+\.\d+\.\d+)/.exec(nat.stdout)?.[1];
  assert.ok(ip, nat.stdout);
  const att = await typed("egress-cli attach-lambda --function sms-sender");
  assert.equal(att.code, 0, att.stderr);
  assert.match(att.stdout, new RegExp(`Egress IP\\(s\\) of sms-sender: ${ip.replace(/\./g, "\\.")}`));
  const path1 = await typed("egress-cli analyze-path --from lambda:sms-sender --to igw");
  assert.equal(path1.code, 0, `reachable: ${path1.stdout}${path1.stderr}`);
  assert.match(path1.stdout, /igw-[0-9a-f]{17}/);
  const st = await typed("egress-cli status            # shows the static egress IP(s) and the monthly cost");
  assert.equal(st.code, 0, st.stderr);
  assert.ok(st.stdout.includes(ip), st.stdout);
  assert.match(st.stdout, /USD/);
});

test("S3 as typed after the first session: rotate-db-secret reaches Secrets Manager through the endpoint", async () => {
  const { typed } = await afterFirstSession();
  for (const line of ["egress-cli create-vpc --name rotation --azs 2 --public-subnets 0", "egress-cli attach-lambda --function rotate-db-secret"]) {
    const r = await typed(line);
    assert.equal(r.code, 0, `${line}: ${r.stderr}`);
  }
  const ep = await typed("egress-cli add-endpoint secretsmanager --allow-from lambda:rotate-db-secret");
  assert.equal(ep.code, 0, ep.stderr);
  assert.match(ep.stdout, /secretsmanager\s+│ Interface │ vpce-[0-9a-f]{17} │ available/);
  const p = await typed("egress-cli analyze-path --from lambda:rotate-db-secret --to service:secretsmanager");
  assert.equal(p.code, 0, `reachable: ${p.stdout}${p.stderr}`);
  assert.match(p.stdout, /vpce-[0-9a-f]{17}/);
});

test("S4 as typed after the first session: add-endpoint derives the Secrets Manager policy from the MSK mapping, asks before turning on DNS hostnames, and the audit's finding is gone", async () => {
  const { typed, ids, state } = await afterFirstSession();
  const imp = await typed("egress-cli import --vpc vpc-0msk... --name msk");
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stderr, /held plan "sms-api", which has nothing left to undo/);
  const audit = "egress-cli audit --vpc vpc-0msk...     # flags an on-demand mapping with no NAT and no endpoints";
  const before = await typed(audit);
  assert.ok([0, 3].includes(before.code), `audit: ${before.code} ${before.stderr}`); // 3 once --fail-on high is the default
  assert.match(before.stdout, /msk-esm-no-egress/);

  const line = "egress-cli add-endpoint lambda sts secretsmanager --policy least-privilege --allow-from sg-0cluster...";
  const endpoints = () => Object.values<any>(state().ext.vpcEndpoints ?? {}).filter((e) => e.VpcId === ids["vpc-0msk..."]);
  // No terminal: the one thing it cannot derive or decide is the VPC's DNS hostnames (principal and secret are derived).
  const scripted = await typed(line);
  assert.equal(scripted.code, 2, scripted.stderr);
  assert.match(scripted.stderr, /enableDnsHostnames off/);
  assert.match(scripted.stderr, /--enable-vpc-dns/);
  assert.doesNotMatch(scripted.stderr, /problems|needs --principal|needs --resource/);
  // At a terminal, "n": refused the same way, nothing changed.
  const declined = await typed(line, { tty: true, input: "n\n" });
  assert.equal(declined.code, 2, declined.stderr);
  assert.match(declined.stderr, /Turn it on \(destroy turns it back off\)\? \[y\/N\]/);
  assert.equal(endpoints().length, 0);
  assert.equal(state().vpcs[ids["vpc-0msk..."]].EnableDnsHostnames, false);
  // At a terminal, "y": the three endpoints.
  const r = await typed(line, { tty: true, input: "y\n" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(state().vpcs[ids["vpc-0msk..."]].EnableDnsHostnames, true);
  const eps = endpoints();
  assert.deepEqual(eps.map((e) => e.ServiceName.split(".").pop()).sort(), ["lambda", "secretsmanager", "sts"]);
  const policy = (svc: string) => JSON.parse(eps.find((e) => e.ServiceName.endsWith(`.${svc}`)).PolicyDocument);
  // STS and Lambda: the principal lambda.amazonaws.com on "*" (S4).
  assert.deepEqual(policy("sts").Statement, [{ Sid: "LambdaAssumeRoleOnly", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }]);
  assert.deepEqual(policy("lambda").Statement, [{ Sid: "LambdaInvokeOnly", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: "*" }]);
  // Secrets Manager: the mapping's function's role on the mapping's one secret.
  const lambda = state().ext.lambda;
  const esm = Object.values<any>(lambda.eventSourceMappings).find((m) => m.EventSourceArn.includes(":cluster/msk-demo/"));
  const secret = esm.SourceAccessConfigurations.find((c: any) => c.Type === "SASL_SCRAM_512_AUTH").URI;
  const role = lambda.functions[esm.FunctionName].Role;
  assert.match(secret, /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:AmazonMSK_/);
  assert.match(role, /^arn:aws:iam::\d{12}:role\/service-role\/msk-consumer-role$/);
  assert.deepEqual(policy("secretsmanager").Statement, [
    { Sid: "OnlyTheseRolesAndSecrets", Effect: "Allow", Principal: { AWS: [role] }, Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [secret] },
  ]);
  // The output shows the policies and where the derived inputs came from.
  assert.match(r.stdout, /Policy of the secretsmanager endpoint \(least-privilege\):/);
  assert.ok(r.stdout.includes(`derived from event source mapping ${esm.UUID} (function msk-consumer, role ${role}, secret(s) ${secret})`), r.stdout);
  assert.match(r.stdout, /Allow Service lambda\.amazonaws\.com: sts:AssumeRole on \*/);

  const after = await typed(audit);
  assert.equal(after.code, 0, after.stdout + after.stderr);
  assert.doesNotMatch(after.stdout, /msk-esm-no-egress/);
});

test("S5 as typed after the first session: the audit says why, the database cannot get out, import && add-nat fixes it", async () => {
  const { typed } = await afterFirstSession();
  const audit = await typed("egress-cli audit --vpc vpc-0legacy...          # finds instances with no egress path and says why");
  assert.ok([0, 3].includes(audit.code), audit.stderr);
  assert.match(audit.stdout, /workload-no-egress/);
  const probe = "egress-cli analyze-path --from i-0db... --to 0.0.0.0/0 --local";
  const blocked = await typed(probe);
  assert.equal(blocked.code, 4, blocked.stdout + blocked.stderr);
  assert.match(blocked.stdout, /NO_ROUTE_TO_DESTINATION/);
  const fix = await typed("egress-cli import --vpc vpc-0legacy... --name legacy && egress-cli add-nat --mode single");
  assert.equal(fix.code, 0, fix.stderr);
  assert.match(fix.stdout, /Static egress IP\(s\): \d+\.\d+\.\d+\.\d+/);
  const open = await typed(probe);
  assert.equal(open.code, 0, open.stdout + open.stderr);
});

test("attach-lambda of a function that is not there: how to get one, and the names that are close", async () => {
  const cwd = tempDir("egress-typed-");
  const run = (...argv: string[]) => cli(["--sandbox", ...argv], { cwd, env: cleanEnv() });
  assert.equal((await run("sandbox", "init")).code, 0);
  assert.equal((await run("create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  const plain = await run("attach-lambda", "--function", "sms-sender");
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /No Lambda function named "sms-sender" in us-east-1 \(account \d{12}\)\. There are no functions there\./);
  assert.match(plain.stderr, /aws lambda create-function --function-name sms-sender --region us-east-1/);
  assert.match(plain.stderr, /sandbox init --examples/);
  // A reset account is another account: the old plan file stays with the old one.
  assert.equal((await run("sandbox", "reset", "--examples")).code, 0);
  assert.equal((await run("--plan", "b.json", "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  const typo = await run("--plan", "b.json", "attach-lambda", "--function", "sms-sendr");
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /Did you mean sms-sender\?/);
  // Against a real account the hint names no sandbox command.
  const fake = { listFunctions: async () => [{ FunctionName: "sms-sender-v2" }] } as any;
  const real = await functionNotFound(fake, "sms-sender", { region: "eu-west-1", sandbox: false });
  assert.match(real.message, /Did you mean sms-sender-v2\?/);
  assert.doesNotMatch(`${real.message} ${real.hint}`, /sandbox/);
  const denied = await functionNotFound({ listFunctions: async () => Promise.reject(new Error("AccessDenied")) } as any, "f", { region: "eu-west-1", sandbox: false });
  assert.match(denied.hint ?? "", /aws lambda create-function --function-name f/);
  assert.deepEqual(similarNames("rotate-secret", ["msk-consumer", "report-generator", "rotate-db-secret", "sms-sender"]), ["rotate-db-secret"]);
  assert.deepEqual(similarNames("SMS-SENDER", ["sms-sender", "sms-sender-v2", "other"]), ["sms-sender", "sms-sender-v2"]);
  assert.deepEqual(similarNames("x", ["alpha", "beta"]), []);
});

test("S4's add-endpoint: --dry-run shows the derived policies; an --allow-from group no mapping uses leaves nothing to derive, and the error names the flags", async () => {
  const { typed, exec, ids } = await afterFirstSession();
  assert.equal((await typed("egress-cli import --vpc vpc-0msk... --name msk")).code, 0);
  const dry = await exec(["--sandbox", "add-endpoint", "lambda", "sts", "secretsmanager", "--policy", "least-privilege", "--allow-from", ids["sg-0cluster..."], "--enable-vpc-dns", "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Dry run — nothing was changed/);
  assert.match(dry.stdout, /Policy of the secretsmanager endpoint \(least-privilege\):\n  Allow AWS arn:aws:iam::\d{12}:role\/service-role\/msk-consumer-role: secretsmanager:GetSecretValue, secretsmanager:DescribeSecret on arn:aws:secretsmanager:us-east-1:\d{12}:secret:AmazonMSK_msk-demo-consumer-/);
  const json = (await exec(["--sandbox", "add-endpoint", "lambda", "sts", "secretsmanager", "--policy", "least-privilege", "--allow-from", ids["sg-0cluster..."], "--enable-vpc-dns", "--dry-run", "--json"])).json();
  assert.equal(json.derivedPolicyInputs.length, 1);
  assert.equal(json.derivedPolicyInputs[0].service, "secretsmanager");
  assert.match(json.derivedPolicyInputs[0].from[0].functionArn, /:function:msk-consumer$/);
  // The msk-esm preset: without --sasl it says the mapping reads a secret; with --sasl the policy is derived.
  const preset = await exec(["--sandbox", "add-endpoint", "--for", "msk-esm", "--allow-from", ids["sg-0cluster..."], "--enable-vpc-dns", "--dry-run", "--json"]);
  assert.equal(preset.code, 0, preset.stderr);
  assert.ok(preset.json().warnings.some((w: string) => /reads arn:aws:secretsmanager:.*AmazonMSK_.* from Secrets Manager: add --sasl/.test(w)), JSON.stringify(preset.json().warnings));
  const sasl = await exec(["--sandbox", "add-endpoint", "--for", "msk-esm", "--sasl", "--allow-from", ids["sg-0cluster..."], "--enable-vpc-dns", "--dry-run", "--json"]);
  assert.equal(sasl.code, 0, sasl.stderr);
  assert.deepEqual(sasl.json().endpoints.map((e: any) => e.service).sort(), ["lambda", "secretsmanager", "sts"]);
  assert.match(sasl.json().endpoints.find((e: any) => e.service === "secretsmanager").policyDocument.Statement[0].Resource[0], /secret:AmazonMSK_msk-demo-consumer-/);
  // The VPC's default group is no cluster's: no mapping to learn from; both flags named, with the reason.
  const show = (await exec(["--sandbox", "sandbox", "show", "--json"])).json();
  const def = show.summary.regions["us-east-1"].vpcs.find((v: any) => v.id === ids["vpc-0msk..."]).resources.securityGroups.find((g: any) => g.name === "default").id;
  const none = await exec(["--sandbox", "add-endpoint", "secretsmanager", "--policy", "least-privilege", "--allow-from", def, "--enable-vpc-dns"]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /needs --principal ROLE_ARN .* and --resource SECRET_ARN .*: they could not be derived, because the Kafka event source mapping\(s\) of vpc-[0-9a-f]+ \([0-9a-f-]+: cluster groups sg-[0-9a-f]+\) use none of the --allow-from groups sg-/);
  // Given --resource, only the principal is derived (the mapping's role).
  const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-AbCdEf";
  const half = await exec(["--sandbox", "add-endpoint", "secretsmanager", "--policy", "least-privilege", "--allow-from", ids["sg-0cluster..."], "--resource", secret, "--enable-vpc-dns", "--dry-run", "--json"]);
  assert.equal(half.code, 0, half.stderr);
  const st = half.json().endpoints[0].policyDocument.Statement;
  assert.equal(st.length, 1);
  assert.deepEqual(st[0].Resource, [secret]);
  assert.match(st[0].Principal.AWS[0], /role\/service-role\/msk-consumer-role$/);
  assert.deepEqual(half.json().derivedPolicyInputs[0].resources, undefined);
});

test("pure: a Kafka mapping's secrets come from its SourceAccessConfigurations; derived grants give one Secrets Manager statement each", async () => {
  const { kafkaMappingsOf } = await import("../src/analysis/rules/msk.js");
  const { leastPrivilegePolicy } = await import("../src/commands/add-endpoint.js");
  const sm = (n: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${n}`;
  const esms = [
    { UUID: "m1", EventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abc-1", FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f1", SourceAccessConfigurations: [{ Type: "SASL_SCRAM_512_AUTH", URI: sm("AmazonMSK_a") }, { Type: "SERVER_ROOT_CA_CERTIFICATE", URI: sm("ca") }] },
    { UUID: "m2", EventSourceArn: "arn:aws:kafka:us-east-1:123456789012:cluster/orders/abc-1", FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f2", ProvisionedPollerConfig: { MinimumPollers: 1 } },
    { UUID: "m3", EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:q", SourceAccessConfigurations: [{ Type: "BASIC_AUTH", URI: sm("mq") }] },
  ];
  const enis = [{ NetworkInterfaceId: "eni-1", SubnetId: "subnet-1", Description: "Amazon MSK network interface for cluster orders", Groups: [{ GroupId: "sg-c" }] }];
  const ms = kafkaMappingsOf(esms, enis);
  assert.deepEqual(ms.map((m) => [m.id, m.secretArns, m.subnetIds, m.groupIds, m.onDemand]), [
    ["m1", [sm("AmazonMSK_a"), sm("ca")], ["subnet-1"], ["sg-c"], true],
    ["m2", [], ["subnet-1"], ["sg-c"], false],
  ]);
  const doc = leastPrivilegePolicy("secretsmanager", { grants: [{ principals: ["arn:aws:iam::123456789012:role/r1"], resources: [sm("a")] }, { principals: ["arn:aws:iam::123456789012:role/r2"], resources: [sm("b")] }] }) as any;
  assert.deepEqual(doc.Statement.map((s: any) => [s.Sid, s.Principal.AWS, s.Resource]), [
    ["OnlyTheseRolesAndSecrets1", ["arn:aws:iam::123456789012:role/r1"], [sm("a")]],
    ["OnlyTheseRolesAndSecrets2", ["arn:aws:iam::123456789012:role/r2"], [sm("b")]],
  ]);
});

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("S4's add-endpoint as typed on a real terminal (util-linux script, the built binary): the question, a typed y, the endpoints", { skip: !hasScript && "util-linux script missing", timeout: 120_000 }, async () => {
  const { cwd, typed, ids, state } = await afterFirstSession();
  assert.equal((await typed("egress-cli import --vpc vpc-0msk... --name msk")).code, 0);
  const env = { ...cleanEnv(), TERM: "xterm" } as NodeJS.ProcessEnv;
  const line = `${process.execPath} ${BIN} --sandbox add-endpoint lambda sts secretsmanager --policy least-privilege --allow-from ${ids["sg-0cluster..."]}`;
  const child = spawn("script", ["-q", "-e", "-c", `stty cols 200 rows 40; ${line}`, "/dev/null"], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let answered = false;
  const onData = (d: string) => {
    output += d;
    if (!answered && /\[y\/N\] $/.test(output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ""))) {
      answered = true;
      child.stdin.write("y\r");
    }
  };
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const timer = setTimeout(() => child.kill("SIGKILL"), 100_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(timer);
  const text = output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
  assert.ok(answered, text);
  assert.equal(code, 0, text);
  assert.match(text, /has enableDnsHostnames off; private DNS for the lambda, sts, secretsmanager endpoint\(s\) needs it on\. Turn it on \(destroy turns it back off\)\? \[y\/N\] y/);
  assert.match(text, /Policy of the secretsmanager endpoint \(least-privilege\):/);
  assert.equal(state().vpcs[ids["vpc-0msk..."]].EnableDnsHostnames, true);
  assert.equal(Object.values<any>(state().ext.vpcEndpoints).filter((e) => e.VpcId === ids["vpc-0msk..."]).length, 3);
});
