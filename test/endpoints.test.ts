// add-endpoint end to end on the sandbox: S3 (no-internet VPC, Secrets Manager endpoint admitting
// only the Lambda group), gateway endpoints, and S4's msk-esm preset with least-privilege policies.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { cli, cleanEnv, openSandbox, tempDir } from "./helpers.js";

async function setup() {
  const cwd = tempDir();
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  await sandbox.reset({ examples: true });
  const env = cleanEnv();
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env, sandbox });
  return { cwd, sandbox, run };
}
const region = (sandbox: any) => sandbox.state().regions["us-east-1"];

test("S3: no public subnets, attach-lambda, add-endpoint secretsmanager --allow-from lambda:NAME; 443 only from the Lambda SG; destroy removes it all", async () => {
  const { sandbox, run } = await setup();
  assert.equal((await run("create-vpc", "--name", "rotation", "--azs", "2", "--public-subnets", "0")).code, 0);
  const att = await run("attach-lambda", "--function", "rotate-db-secret", "--json");
  assert.equal(att.code, 0, att.stderr);
  const lambdaSg = att.json().securityGroupId;
  const r = await run("add-endpoint", "secretsmanager", "s3", "--allow-from", "lambda:rotate-db-secret", "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  const sm = out.endpoints.find((e: any) => e.service === "secretsmanager");
  assert.equal(sm.type, "Interface");
  assert.equal(sm.state, "available");
  assert.equal(sm.subnetIds.length, 2, "one subnet per AZ");
  assert.ok(sm.dnsNames.includes("secretsmanager.us-east-1.amazonaws.com"), "private DNS on");
  const rules = Object.values<any>(region(sandbox).securityGroupRules).filter((x) => x.GroupId === sm.securityGroupId && !x.IsEgress);
  assert.deepEqual(rules.map((x) => [x.IpProtocol, x.FromPort, x.ToPort, x.ReferencedGroupId ?? x.CidrIpv4]), [["tcp", 443, 443, lambdaSg]]);
  const s3 = out.endpoints.find((e: any) => e.service === "s3");
  assert.equal(s3.type, "Gateway");
  assert.equal(s3.routeTableIds.length, 2, "both private route tables");
  // Idempotent.
  const again = await run("add-endpoint", "secretsmanager", "s3", "--allow-from", "lambda:rotate-db-secret", "--json");
  assert.equal(again.code, 0, again.stderr);
  assert.ok(Object.values(again.json().steps).every((o) => o === "exists"), JSON.stringify(again.json().steps));
  const st = (await run("status", "--json")).json();
  assert.equal(st.vpcEndpoints.length, 2);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(region(sandbox).ext.vpcEndpoints, {});
  assert.equal(region(sandbox).ext.lambda.functions["rotate-db-secret"].VpcConfig, undefined);
  assert.deepEqual(sandbox.taggedResources("us-east-1", "egress-cli:plan", "rotation"), []);
});

test("S4: --for msk-esm creates exactly lambda + sts (+ secretsmanager with --sasl) with least-privilege policies and checks the cluster group", async () => {
  const { sandbox, run } = await setup();
  const msk = Object.values<any>(region(sandbox).vpcs).find((v) => v.Tags.some((t: any) => t.Value === "msk"));
  const clusterSg = Object.values<any>(region(sandbox).securityGroups).find((g) => g.GroupName === "msk-cluster").GroupId;
  assert.equal((await run("import", "--vpc", msk.VpcId, "--name", "msk")).code, 0);
  // The imported VPC has DNS hostnames off: explained, exit 2, unless --enable-vpc-dns.
  const refused = await run("add-endpoint", "--for", "msk-esm", "--allow-from", clusterSg);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /enableDnsHostnames off/);
  const secret = `arn:aws:secretsmanager:us-east-1:${sandbox.accountId}:secret:msk/scram-AbCdEf`;
  const role = `arn:aws:iam::${sandbox.accountId}:role/service-role/msk-consumer-role`;
  const r = await run("add-endpoint", "--for", "msk-esm", "--sasl", "--allow-from", clusterSg, "--enable-vpc-dns", "--principal", role, "--resource", secret, "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  assert.deepEqual(out.endpoints.map((e: any) => e.service).sort(), ["lambda", "secretsmanager", "sts"]);
  const eps = Object.values<any>(region(sandbox).ext.vpcEndpoints).filter((e) => e.VpcId === msk.VpcId);
  assert.equal(eps.length, 3);
  const policy = (svc: string) => JSON.parse(eps.find((e) => e.ServiceName.endsWith(`.${svc}`)).PolicyDocument);
  assert.deepEqual(policy("sts").Statement[0].Principal, { Service: "lambda.amazonaws.com" });
  assert.equal(policy("sts").Statement[0].Action, "sts:AssumeRole");
  assert.equal(policy("lambda").Statement[0].Action, "lambda:InvokeFunction");
  assert.deepEqual(policy("secretsmanager").Statement[0].Principal, { AWS: [role] });
  assert.deepEqual(policy("secretsmanager").Statement[0].Resource, [secret]);
  for (const e of out.endpoints) {
    const ing = Object.values<any>(region(sandbox).securityGroupRules).filter((x) => x.GroupId === e.securityGroupId && !x.IsEgress);
    assert.deepEqual(ing.map((x) => [x.FromPort, x.ReferencedGroupId]), [[443, clusterSg]]);
  }
  assert.ok(out.clusterChecks.every((c: any) => c.ok), JSON.stringify(out.clusterChecks));
});

test("S4: a cluster group without broker ports is flagged", async () => {
  const { sandbox, run } = await setup();
  const msk = Object.values<any>(region(sandbox).vpcs).find((v) => v.Tags.some((t: any) => t.Value === "msk"));
  assert.equal((await run("import", "--vpc", msk.VpcId, "--name", "msk")).code, 0);
  // A bare group (egress all, no ingress) stands in for a misconfigured cluster group.
  const { EC2Client, CreateSecurityGroupCommand } = await import("@aws-sdk/client-ec2");
  const { plugSandbox } = await import("../src/sandbox/index.js");
  const ec2 = new EC2Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  plugSandbox(ec2, sandbox, "ec2");
  const bare = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: msk.VpcId, GroupName: "bare", Description: "bare" }))).GroupId!;
  const r = await run("add-endpoint", "--for", "msk-esm", "--allow-from", bare, "--no-private-dns", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no broker port and no self-reference/);
  const checks = r.json().clusterChecks;
  assert.equal(checks.find((c: any) => /broker ports/.test(c.check)).ok, false);
  assert.deepEqual(r.json().endpoints.map((e: any) => e.service).sort(), ["lambda", "sts"]);
});
