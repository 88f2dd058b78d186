// add-endpoint end to end on the sandbox: S3 (no-internet VPC, Secrets Manager endpoint admitting
// only the Lambda group), gateway endpoints, and S4's msk-esm preset with least-privilege policies.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { SANDBOX_CREDENTIALS, cli, cleanEnv, exampleSandbox, openSandbox, plugged, tempDir } from "./helpers.js";

const setup = () => exampleSandbox();
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
  assert.deepEqual(await sandbox.taggedResources("us-east-1", "egress-cli:plan", "rotation"), []);
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
  const ec2 = plugged(sandbox, new EC2Client({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
  const bare = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: msk.VpcId, GroupName: "bare", Description: "bare" }))).GroupId!;
  const r = await run("add-endpoint", "--for", "msk-esm", "--allow-from", bare, "--no-private-dns", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no broker port and no self-reference/);
  const checks = r.json().clusterChecks;
  assert.equal(checks.find((c: any) => /broker ports/.test(c.check)).ok, false);
  assert.deepEqual(r.json().endpoints.map((e: any) => e.service).sort(), ["lambda", "sts"]);
});

test("a re-run converges the live endpoint: policy, private DNS, subnets, and a group added by hand; the JSON reports the live values", async () => {
  const { cwd, sandbox, run } = await setup();
  const vpc = await run("create-vpc", "--name", "conv", "--cidr", "10.20.0.0/16", "--azs", "2", "--json");
  assert.equal(vpc.code, 0, vpc.stderr);
  const privates = vpc.json().subnets.filter((s: any) => s.tier === "private").map((s: any) => s.subnetId);
  const live = (id: string) => region(sandbox).ext.vpcEndpoints[id];
  const first = await run("add-endpoint", "sts", "--json");
  assert.equal(first.code, 0, first.stderr);
  const id = first.json().endpoints[0].vpcEndpointId;
  assert.equal(live(id).PolicyDocument, undefined, "full: AWS's default policy");
  assert.deepEqual(first.json().endpoints[0].policyDocument.Statement[0].Action, "*", "the live (default) policy is reported");
  // Another policy: the live endpoint gets it, and the JSON says what it has.
  const narrow = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:GetCallerIdentity", Resource: "*" }] };
  writeFileSync(path.join(cwd, "narrow.json"), JSON.stringify(narrow, null, 2));
  const second = await run("add-endpoint", "sts", "--policy", "narrow.json", "--no-private-dns", "--subnets", privates[0], "--json");
  assert.equal(second.code, 0, second.stderr);
  const e2 = second.json().endpoints[0];
  assert.equal(e2.vpcEndpointId, id, "the same endpoint, modified");
  assert.deepEqual(JSON.parse(live(id).PolicyDocument), narrow);
  assert.deepEqual(e2.policyDocument, narrow);
  assert.equal(live(id).PrivateDnsEnabled, false);
  assert.equal(e2.privateDns, false);
  assert.deepEqual(live(id).SubnetIds, [privates[0]]);
  assert.deepEqual(e2.subnetIds, [privates[0]]);
  assert.deepEqual(e2.modified.sort(), ["policy", "private DNS", "subnets"]);
  // The same again: nothing to change (the policy compares as normalised JSON, not as text).
  const same = await run("add-endpoint", "sts", "--policy", "narrow.json", "--no-private-dns", "--subnets", privates[0], "--json");
  assert.equal(same.code, 0, same.stderr);
  assert.deepEqual(same.json().endpoints[0].modified, []);
  // Drift made by hand (another group, another policy) is undone; back to full resets the policy.
  const { EC2Client, CreateSecurityGroupCommand, ModifyVpcEndpointCommand } = await import("@aws-sdk/client-ec2");
  const ec2 = plugged(sandbox, new EC2Client({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
  const stray = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc.json().vpcId, GroupName: "stray", Description: "stray" }))).GroupId!;
  await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSecurityGroupIds: [stray] }));
  const back = await run("add-endpoint", "sts", "--policy", "full", "--json");
  assert.equal(back.code, 0, back.stderr);
  const e3 = back.json().endpoints[0];
  assert.deepEqual(live(id).Groups, [e3.securityGroupId]);
  assert.notEqual(e3.securityGroupId, stray);
  assert.equal(live(id).PolicyDocument, undefined, "ResetPolicy");
  assert.equal(live(id).PrivateDnsEnabled, true);
  assert.deepEqual([...live(id).SubnetIds].sort(), [...privates].sort());
  assert.deepEqual(e3.modified.sort(), ["policy", "private DNS", "security groups", "subnets"]);
});

test("--allow-from: 0.0.0.0/0 and ::/0 refused, a CIDR outside the VPC warned about, narrowing on a re-run revokes the old rule", async () => {
  const { cwd, sandbox, run } = await setup();
  assert.equal((await run("create-vpc", "--name", "narrow", "--cidr", "10.30.0.0/16", "--azs", "2")).code, 0);
  const before = sandbox.stats().mutatingCalls;
  for (const any of ["0.0.0.0/0", "::/0"]) {
    const r = await run("add-endpoint", "sts", "--allow-from", "10.30.0.0/16", "--allow-from", any);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /never opens an endpoint's group to (0\.0\.0\.0\/0|::\/0)/);
  }
  assert.equal(sandbox.stats().mutatingCalls, before, "refused before any change");
  const wide = await run("add-endpoint", "sts", "--allow-from", "10.30.0.0/16", "--allow-from", "192.168.7.0/24", "--json");
  assert.equal(wide.code, 0, wide.stderr);
  assert.match(wide.stderr, /192\.168\.7\.0\/24 is outside the VPC's CIDR \(10\.30\.0\.0\/16\)/);
  assert.match(wide.stderr, /full-access policy \(the default\); --policy least-privilege would allow only sts:AssumeRole/);
  const groupId = wide.json().endpoints[0].securityGroupId;
  const ingress = () => Object.values<any>(region(sandbox).securityGroupRules).filter((x) => x.GroupId === groupId && !x.IsEgress).map((x) => x.CidrIpv4).sort();
  assert.deepEqual(ingress(), ["10.30.0.0/16", "192.168.7.0/24"]);
  const narrowed = await run("add-endpoint", "sts", "--allow-from", "10.30.1.0/24", "--json");
  assert.equal(narrowed.code, 0, narrowed.stderr);
  assert.deepEqual(ingress(), ["10.30.1.0/24"], "only what is asked for now");
  assert.deepEqual(narrowed.json().revokedIngress.map((x: any) => x.source).sort(), ["10.30.0.0/16", "192.168.7.0/24"]);
  assert.match(narrowed.stderr, /Revoked ingress tcp\/443 from 10\.30\.0\.0\/16 into the sts endpoint's group/);
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  assert.equal(plan.resources["endpoint/sts/sg/ingress/10.30.0.0_16"].state, "deleted");
  assert.ok(plan.journal.some((j: any) => j.step === "endpoint/sts/sg/ingress/192.168.7.0_24" && j.action === "delete" && j.status === "done"));
  // Idempotent, and destroy does not trip over the revoked records.
  const again = await run("add-endpoint", "sts", "--allow-from", "10.30.1.0/24", "--json");
  assert.deepEqual(again.json().revokedIngress, []);
  assert.equal((await run("destroy", "--yes")).code, 0);
  assert.deepEqual(await sandbox.taggedResources("us-east-1", "egress-cli:plan", "narrow"), []);
});

test("--policy default: least-privilege for secretsmanager given --resource and a principal, full (with a warning) without", async () => {
  const { sandbox, run } = await setup();
  assert.equal((await run("create-vpc", "--name", "pol", "--cidr", "10.40.0.0/16", "--azs", "2")).code, 0);
  const plain = await run("add-endpoint", "secretsmanager", "--json");
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.json().endpoints[0].policy, "full");
  assert.match(plain.stderr, /--policy least-privilege would allow secretsmanager:GetSecretValue\/DescribeSecret .* \(it needs --resource SECRET_ARN and --principal ROLE_ARN/);
  const secret = `arn:aws:secretsmanager:us-east-1:${sandbox.accountId}:secret:db-AbCdEf`;
  const role = `arn:aws:iam::${sandbox.accountId}:role/app`;
  const narrow = await run("add-endpoint", "secretsmanager", "--resource", secret, "--principal", role, "--json");
  assert.equal(narrow.code, 0, narrow.stderr);
  const e = narrow.json().endpoints[0];
  assert.equal(e.policy, "least-privilege");
  assert.deepEqual(e.policyDocument.Statement[0].Resource, [secret]);
  assert.deepEqual(JSON.parse(region(sandbox).ext.vpcEndpoints[e.vpcEndpointId].PolicyDocument).Statement[0].Principal, { AWS: [role] });
  assert.doesNotMatch(narrow.stderr, /full-access policy/);
});
