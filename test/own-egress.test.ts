// What egress-cli builds passes its own audit on egress (issue 18 §4): every group it creates has the
// narrowest egress its role needs from the start — endpoint groups none, the resource gateway's only the
// proxy group on the proxy port, the proxy's tcp 80/443, a Lambda function's tcp/443 plus --egress-port —
// and the rule sg-egress-wider-than-needed: its cases on snapshot fixtures, and its fix applied as
// printed on the sandbox, re-audited clean.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { auditSnapshot } from "../src/analysis/audit.js";
import { RULES_BY_ID } from "../src/analysis/rules/index.js";
import type { Snapshot } from "../src/analysis/snapshot.js";
import { good } from "./audit-fixtures.js";
import { SANDBOX_CREDENTIALS, exampleSandbox, openSandbox, plugged, readPlan, s2World } from "./helpers.js";

const RULE = "sg-egress-wider-than-needed";
const R = "us-east-1";

const run = (snap: Snapshot) => auditSnapshot(snap, [RULES_BY_ID.get(RULE)!], { source: "test" }).findings;
const sg = (s: any, id: string) => s.securityGroups.find((g: any) => g.GroupId === id);
const ALL_OUT = { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] };

/** The good fixture plus a resource gateway (group sg-rgw, one ENI) with a configuration on tcp 3128. */
function withGateway(egress: object[], configs: object[] = [{ id: "rcfg-1", resourceGatewayId: "rgw-1", portRanges: ["3128"], resourceConfigurationDefinition: { ipResource: { ipAddress: "10.10.10.10" } } }]) {
  return (s: any) => {
    s.securityGroups.push({ GroupId: "sg-rgw", GroupName: "rgw", VpcId: "vpc-good", IpPermissions: [], IpPermissionsEgress: egress });
    s.networkInterfaces.push({ NetworkInterfaceId: "eni-rgw-a", SubnetId: "subnet-priv-a", VpcId: "vpc-good", InterfaceType: "interface", Description: "VPC Lattice resource gateway rgw-1", PrivateIpAddress: "10.10.10.40", Groups: [{ GroupId: "sg-rgw" }] });
    s.resourceGateways = [{ id: "rgw-1", vpcIdentifier: "vpc-good", subnetIds: ["subnet-priv-a"], securityGroupIds: ["sg-rgw"], status: "ACTIVE", networkInterfaceIds: ["eni-rgw-a"] }];
    s.resourceConfigurations = configs;
  };
}

describe("sg-egress-wider-than-needed on snapshot fixtures", () => {
  test("a resource gateway's group: egress on its configurations' port is needed; any other port or all traffic is flagged, and only that rule is revoked", () => {
    const proxyOnly = { IpProtocol: "tcp", FromPort: 3128, ToPort: 3128, UserIdGroupPairs: [{ GroupId: "sg-app" }] };
    assert.deepEqual(run(good(withGateway([proxyOnly]))), []);
    const wide = run(good(withGateway([proxyOnly, { IpProtocol: "tcp", FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }])));
    assert.deepEqual(wide.map((f) => [f.resourceId, f.severity]), [["sg-rgw", "low"]]);
    assert.equal(wide[0]!.fix, `aws ec2 revoke-security-group-egress --group-id sg-rgw --ip-permissions '[{"IpProtocol":"tcp","FromPort":0,"ToPort":65535,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`);
    assert.match(wide[0]!.message, /only connects to its resource configurations' targets on tcp 3128/);
    // Not judged when what the gateway needs is not known: no configuration yet, or one forwarding every port.
    assert.deepEqual(run(good(withGateway([ALL_OUT], []))), []);
    assert.deepEqual(run(good(withGateway([ALL_OUT], [{ id: "rcfg-1", resourceGatewayId: "rgw-1", portRanges: [] }]))), []);
  });

  test("a Lambda function's group with all traffic out to the internet is info, and its fix keeps HTTPS (authorize 443, then revoke)", () => {
    const f = run(good((s) => (sg(s, "sg-lambda").IpPermissionsEgress = [ALL_OUT])));
    assert.deepEqual(f.map((x) => [x.resourceId, x.severity]), [["sg-lambda", "info"]]);
    assert.equal(
      f[0]!.fix,
      `aws ec2 authorize-security-group-egress --group-id sg-lambda --ip-permissions '[{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]' && aws ec2 revoke-security-group-egress --group-id sg-lambda --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`,
    );
    // HTTPS already allowed: only the revoke; peers of the same rule other than the internet stay.
    const both = run(good((s) => sg(s, "sg-lambda").IpPermissionsEgress.push({ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }, { CidrIp: "10.10.0.0/16" }] })));
    assert.equal(both[0]!.fix, `aws ec2 revoke-security-group-egress --group-id sg-lambda --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`);
    // A port to the internet is a choice the owner made: not flagged.
    assert.deepEqual(run(good((s) => sg(s, "sg-lambda").IpPermissionsEgress.push({ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }))), []);
  });

  test("a Resource endpoint's group with egress is flagged; a VPC's default group, or a group an instance shares with an endpoint, is not judged", () => {
    const resourceEp = (s: any) => {
      s.securityGroups.push({ GroupId: "sg-rep", GroupName: "proxy-endpoint", VpcId: "vpc-good", IpPermissions: [{ IpProtocol: "tcp", FromPort: 3128, ToPort: 3128, IpRanges: [{ CidrIp: "10.10.0.0/16" }] }], IpPermissionsEgress: [ALL_OUT, { IpProtocol: "tcp", FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: "::/0" }] }] });
      s.vpcEndpoints.push({ VpcEndpointId: "vpce-res", VpcId: "vpc-good", VpcEndpointType: "Resource", State: "available", SubnetIds: ["subnet-priv-a"], NetworkInterfaceIds: ["eni-res-a"], Groups: [{ GroupId: "sg-rep" }], ResourceConfigurationArn: "arn:aws:vpc-lattice:us-east-1:111111111111:resourceconfiguration/rcfg-1" });
      s.networkInterfaces.push({ NetworkInterfaceId: "eni-res-a", SubnetId: "subnet-priv-a", VpcId: "vpc-good", InterfaceType: "vpc_endpoint", RequesterManaged: true, PrivateIpAddress: "10.10.10.50", Groups: [{ GroupId: "sg-rep" }] });
    };
    const f = run(good(resourceEp));
    assert.deepEqual(f.map((x) => x.resourceId), ["sg-rep"]);
    assert.equal(f[0]!.fix, `aws ec2 revoke-security-group-egress --group-id sg-rep --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]},{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'`);
    const shared = good((s) => {
      sg(s, "sg-ep").IpPermissionsEgress = [ALL_OUT];
      s.instances[0].SecurityGroups.push({ GroupId: "sg-ep" });
    });
    assert.deepEqual(run(shared), [], "an instance in the group may need the egress");
    const inDefault = good((s) => (s.vpcEndpoints[2].Groups = [{ GroupId: "sg-default" }]));
    assert.deepEqual(run(inDefault), [], "the default group is AWS's (sg-default-has-rules)");
  });
});

// ---------- on the sandbox ----------

type Region = any;
/** A group's egress rules as "proto/from-to peer" (peer: CIDR, or the referenced group's name). */
function egressOf(rs: Region, groupId: string): string[] {
  return Object.values<any>(rs.securityGroupRules)
    .filter((r) => r.GroupId === groupId && r.IsEgress)
    .map((r) => `${r.IpProtocol}/${r.FromPort}-${r.ToPort} ${r.CidrIpv4 ?? r.CidrIpv6 ?? rs.securityGroups[r.ReferencedGroupId]?.GroupName ?? r.ReferencedGroupId}`)
    .sort();
}
const egressFindings = (doc: any) => doc.findings.filter((f: any) => f.ruleId === RULE || f.ruleId.startsWith("sg-") || f.ruleId.startsWith("endpoint-sg"));

/** Runs one printed `aws ec2 …-security-group-egress` fix (commands joined by &&) as the SDK calls it names. */
async function applyAwsFix(fix: string, sandbox: Awaited<ReturnType<typeof openSandbox>>): Promise<void> {
  const ec2 = await import("@aws-sdk/client-ec2");
  const client = plugged(sandbox, new ec2.EC2({ region: R, credentials: SANDBOX_CREDENTIALS }));
  for (const cmd of fix.split(" && ")) {
    const m = cmd.match(/^aws ec2 (revoke|authorize)-security-group-egress --group-id (sg-[0-9a-f]+) --ip-permissions '(.+)'$/);
    assert.ok(m, `a fix this test can run: ${cmd}`);
    const input = { GroupId: m[2]!, IpPermissions: JSON.parse(m[3]!) };
    await (m[1] === "revoke" ? client.revokeSecurityGroupEgress(input) : client.authorizeSecurityGroupEgress(input));
  }
}

test("S2 end to end (create-vpc, add-nat per-az, launch-proxy, share-proxy, connect-proxy ×2): each group has only the egress its role needs, and audit reports nothing on egress", async () => {
  const { cwd, sandbox, ok, teams } = await s2World("egress-own-s2-", { connect: true });
  const consumers = teams.map((t) => t.vpcId);
  const plan = readPlan<any>(cwd);
  const rs = sandbox.state().regions[R];
  const proxySg = plan.resources["proxy/sg"].id;
  assert.deepEqual(egressOf(rs, proxySg), ["tcp/443-443 0.0.0.0/0", "tcp/80-80 0.0.0.0/0"], "Squid: HTTP and HTTPS out");
  assert.deepEqual(egressOf(rs, plan.resources["proxy/gateway/sg"].id), [`tcp/3128-3128 ${rs.securityGroups[proxySg].GroupName}`], "the resource gateway reaches only the proxies, on 3128");
  for (const vpc of consumers) {
    const g = plan.resources[`consumer/${vpc}/sg`].id;
    assert.equal(rs.securityGroups[g].VpcId, vpc);
    assert.deepEqual(egressOf(rs, g), [], "a Resource endpoint never opens a connection");
  }
  // Every group any plan created is one of those (nothing else left with the default allow-all).
  const ours = Object.values<any>(rs.securityGroups).filter((g) => (g.Tags ?? []).some((t: any) => t.Key === "egress-cli:plan-id"));
  assert.equal(ours.length, 4);
  for (const g of ours) assert.ok(!egressOf(rs, g.GroupId).some((e) => e.startsWith("-1/")), `${g.GroupName}: ${egressOf(rs, g.GroupId)}`);

  const a = await ok("audit", "--all-vpcs", "--format", "json");
  assert.deepEqual(egressFindings(a.json()), []);
  // Widened by hand (all out on a consumer's endpoint group, every port on the gateway's): both found,
  // each fix applied as printed, re-audited clean, the built rules untouched.
  const ec2 = await import("@aws-sdk/client-ec2");
  const client = plugged(sandbox, new ec2.EC2({ region: R, credentials: SANDBOX_CREDENTIALS }));
  const consumerSg = plan.resources[`consumer/${consumers[0]}/sg`].id;
  const gatewaySg = plan.resources["proxy/gateway/sg"].id;
  await client.authorizeSecurityGroupEgress({ GroupId: consumerSg, IpPermissions: [ALL_OUT] });
  await client.authorizeSecurityGroupEgress({ GroupId: gatewaySg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] });
  const wide = (await ok("audit", "--all-vpcs", "--format", "json")).json().findings.filter((f: any) => f.ruleId === RULE);
  assert.deepEqual(wide.map((f: any) => [f.resourceId, f.severity, f.evidence.facts.role]).sort(), [[consumerSg, "low", "endpoint"], [gatewaySg, "low", "resource-gateway"]].sort());
  for (const f of wide) await applyAwsFix(f.fix, sandbox);
  assert.deepEqual(egressFindings((await ok("audit", "--all-vpcs", "--format", "json")).json()), []);
  assert.deepEqual(egressOf(sandbox.state().regions[R], gatewaySg), [`tcp/3128-3128 ${rs.securityGroups[proxySg].GroupName}`]);
  // The paths still hold: each consumer subnet → its Resource endpoint → gateway → proxy:3128.
  const p1 = readPlan<any>(cwd, "team1.json");
  const ep = plan.resources[`consumer/${consumers[0]}/endpoint/us-east-1a`].id;
  const sub = Object.values<any>(p1.resources).find((r) => r.kind === "subnet").id;
  const v = await ok("analyze-path", "--from", sub, "--to", ep, "--port", "3128", "--local", "--json");
  assert.equal(v.json().reachable, true);
});

test("S1 and S3 (attach-lambda, --egress-port, add-endpoint): Lambda groups tcp/443 (+ named ports), endpoint group none; audit reports nothing on egress; the rule's fix, applied as printed, clears what it finds", async () => {
  const { run, ok, cwd, sandbox, region } = await exampleSandbox("egress-own-s13-");
  // S1
  await ok("create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2");
  await ok("add-nat", "--mode", "single");
  const s1 = (await ok("attach-lambda", "--function", "sms-sender", "--json")).json();
  assert.deepEqual(s1.egress, [{ protocol: "tcp", port: 443, cidr: "0.0.0.0/0" }]);
  assert.deepEqual(egressOf(region(), s1.securityGroupId), ["tcp/443-443 0.0.0.0/0"]);
  assert.equal((await ok("analyze-path", "--from", "lambda:sms-sender", "--to", "igw", "--local", "--json")).json().reachable, true);
  const s1Vpc = readPlan<any>(cwd).resources.vpc.id;
  assert.deepEqual(egressFindings((await ok("audit", "--vpc", s1Vpc, "--format", "json")).json()), []);

  // S3: no internet; the function reaches Secrets Manager's endpoint (443) and its database (5432, in the VPC).
  const S3 = ["--plan", "rotation.json"];
  await ok(...S3, "create-vpc", "--name", "rotation", "--cidr", "10.60.0.0/16", "--azs", "2", "--public-subnets", "0");
  const bad = await run(...S3, "attach-lambda", "--function", "rotate-db-secret", "--egress-port", "0", "--egress-port", "5432:10.60.0.1/16", "--egress-port", "x:y:z");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /3 problems/);
  const s3 = (await ok(...S3, "attach-lambda", "--function", "rotate-db-secret", "--egress-port", "5432", "--json")).json();
  assert.deepEqual(egressOf(region(), s3.securityGroupId), ["tcp/443-443 0.0.0.0/0", "tcp/5432-5432 10.60.0.0/16"]);
  const ep = (await ok(...S3, "add-endpoint", "secretsmanager", "--allow-from", "lambda:rotate-db-secret", "--json")).json();
  const epSg = readPlan<any>(cwd, "rotation.json").resources["endpoint/secretsmanager/sg"].id;
  assert.deepEqual(egressOf(region(), epSg), [], "an interface endpoint never opens a connection");
  assert.equal((await ok(...S3, "analyze-path", "--from", "lambda:rotate-db-secret", "--to", "service:secretsmanager", "--local", "--json")).json().reachable, true);
  const s3Vpc = readPlan<any>(cwd, "rotation.json").resources.vpc.id;
  assert.deepEqual(egressFindings((await ok("audit", "--vpc", s3Vpc, "--format", "json")).json()), []);
  // A re-run without the port revokes it (what the command asks for is what the group holds).
  await ok(...S3, "attach-lambda", "--function", "rotate-db-secret");
  assert.deepEqual(egressOf(region(), s3.securityGroupId), ["tcp/443-443 0.0.0.0/0"]);
  void ep;

  // Widen both groups as the console would have made them, audit, apply each fix as printed, re-audit.
  const ec2 = await import("@aws-sdk/client-ec2");
  const client = plugged(sandbox, new ec2.EC2({ region: R, credentials: SANDBOX_CREDENTIALS }));
  for (const g of [epSg, s3.securityGroupId]) await client.authorizeSecurityGroupEgress({ GroupId: g, IpPermissions: [ALL_OUT] });
  const before = (await ok("audit", "--vpc", s3Vpc, "--format", "json")).json();
  const found = before.findings.filter((f: any) => f.ruleId === RULE);
  assert.deepEqual(found.map((f: any) => [f.resourceId, f.severity]).sort(), [[epSg, "low"], [s3.securityGroupId, "info"]].sort());
  for (const f of found) await applyAwsFix(f.fix, sandbox);
  const after = (await ok("audit", "--vpc", s3Vpc, "--format", "json")).json();
  assert.deepEqual(after.findings.filter((f: any) => f.ruleId === RULE), []);
  const key = (f: any) => `${f.ruleId} ${f.resourceId}`;
  const was = new Set(before.findings.map(key));
  assert.deepEqual(after.findings.filter((f: any) => !was.has(key(f))).map(key), [], "no new finding");
  assert.deepEqual(egressOf(region(), epSg), []);
  assert.deepEqual(egressOf(region(), s3.securityGroupId), ["tcp/443-443 0.0.0.0/0"]);
  assert.equal((await ok(...S3, "analyze-path", "--from", "lambda:rotate-db-secret", "--to", "service:secretsmanager", "--local", "--json")).json().reachable, true, "the fix kept HTTPS");

  // A group left with the default allow-all (an older version, or kill -9 between CreateSecurityGroup
  // and the revoke): the next run of the command narrows it.
  await client.authorizeSecurityGroupEgress({ GroupId: s1.securityGroupId, IpPermissions: [ALL_OUT] });
  await ok("attach-lambda", "--function", "sms-sender");
  assert.deepEqual(egressOf(region(), s1.securityGroupId), ["tcp/443-443 0.0.0.0/0"]);
});
