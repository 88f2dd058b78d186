// Issue 18 §3: one cost model. `status` (live) and `cost --vpc` give the same lines and total for the
// same VPC — S1 (NAT + EIP), S3 (an interface endpoint), S2 (the egress VPC and a consumer) — and S2's
// saving is the difference of the two totals printed beside it, with the break-even count.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleSandbox } from "./helpers.js";

async function world() {
  const w = await exampleSandbox("egress-cost-eq-");
  const ok = async (...args: string[]) => {
    const r = await w.run(...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  /** status's cost for its VPC and cost --vpc's entry for it. */
  const both = async (vpcId: string, ...extra: string[]) => {
    const st = (await ok("status", "--json", ...extra)).json();
    const co = (await ok("cost", "--vpc", vpcId, "--json", ...extra)).json();
    return { st, co, entry: co.vpcs.find((v: any) => v.vpcId === vpcId) };
  };
  return { ...w, ok, both };
}

test("S1: status and cost give the same lines and total for the NAT gateway and its Elastic IP (with and without --gb-per-month)", async () => {
  const { ok, both } = await world();
  const vpc = (await ok("create-vpc", "--name", "sms-api", "--azs", "2", "--json")).json().vpcId;
  await ok("add-nat", "--mode", "single");
  const { st, entry } = await both(vpc);
  assert.equal(st.cost.vpcId, vpc);
  assert.equal(st.cost.source, "live");
  assert.deepEqual(st.cost.lines, entry.lines);
  assert.equal(st.cost.totalMonthly, entry.totalMonthly);
  assert.equal(st.cost.totalMonthly, 36.5);
  const gb = await both(vpc, "--gb-per-month", "100");
  assert.deepEqual(gb.st.cost.lines, gb.entry.lines);
  assert.equal(gb.st.cost.totalMonthly, 36.5 + 4.5);
});

test("S3: after add-endpoint secretsmanager, status prices the interface endpoint (2 AZ x 730 h = 14.60) exactly as cost does", async () => {
  const { ok, both } = await world();
  const vpc = (await ok("create-vpc", "--name", "rotation", "--azs", "2", "--public-subnets", "0", "--json")).json().vpcId;
  await ok("attach-lambda", "--function", "rotate-db-secret");
  await ok("add-endpoint", "secretsmanager", "--allow-from", "lambda:rotate-db-secret");
  const { st, entry } = await both(vpc);
  assert.deepEqual(st.cost.lines.map((l: any) => [l.item, l.quantity, l.unitPrice, l.monthly]), [["Interface VPC endpoint (2 AZ x 730 h)", 1460, 0.01, 14.6]]);
  assert.deepEqual(st.cost.lines, entry.lines);
  assert.equal(st.cost.totalMonthly, 14.6);
  assert.equal(entry.totalMonthly, 14.6);
  assert.deepEqual(st.cost.unpriced, []);
  // offline, from the plan's records: the same figure
  const off = (await ok("status", "--offline", "--json")).json();
  assert.equal(off.cost.source, "plan");
  assert.deepEqual(off.cost.lines, st.cost.lines);
  const text = await ok("status");
  assert.match(text.stdout, new RegExp(`Estimated monthly cost of ${vpc}: 14\\.60 USD`));
});

test("S2: status and cost agree for the egress VPC and a consumer; the saving is the difference of the totals printed beside it; break-even 13 consumer VPCs", async () => {
  const { ok, both, run } = await world();
  const egress = (await ok("create-vpc", "--name", "egress", "--cidr", "10.100.0.0/16", "--azs", "2", "--json")).json().vpcId;
  await ok("add-nat", "--mode", "per-az");
  await ok("launch-proxy", "--per-az", "--allow-domain", ".example.com");
  const teams: string[] = [];
  for (const t of ["team1", "team2"]) {
    const v = (await ok("--plan", `${t}.json`, "create-vpc", "--name", t, "--cidr", "10.0.0.0/16", "--azs", "2", "--public-subnets", "0", "--json")).json();
    teams.push(v.vpcId);
    await ok("share-proxy");
    await ok("connect-proxy", "--consumer-vpc", v.vpcId, "--subnets", v.subnets.map((s: any) => s.subnetId).join(","));
  }
  const { st, entry } = await both(egress);
  // the egress VPC: 2 NAT gateways, their 2 Elastic IPs, 2 t3.micro proxies and their 8 GB gp3 root volumes (the resource gateway bills nothing)
  assert.deepEqual(st.cost.lines, entry.lines);
  assert.equal(st.cost.totalMonthly, entry.totalMonthly);
  assert.deepEqual(st.cost.lines.map((l: any) => l.item), [
    "NAT gateway (2 x 730 h)",
    "Public IPv4 address (2 x 730 h)",
    "EC2 instance t3.micro (2 x 730 h)",
    "EBS gp3 volume (16 GB x 1 month)",
  ]);
  assert.ok(st.cost.assumptions.some((a: string) => /resource gateway \(1\)/.test(a)), "status read the gateway too");
  assert.equal(st.cost.totalMonthly, 89.464);
  // each consumer: one Resource endpoint per proxy, each in 2 AZs; status's figure for it is cost's
  for (const id of teams) {
    const c = (await ok("cost", "--vpc", id, "--json")).json().vpcs[0];
    const s = st.proxy.consumers.find((x: any) => x.vpcId === id);
    assert.deepEqual(s.cost.lines, c.lines, id);
    assert.equal(s.cost.totalMonthly, c.totalMonthly);
    assert.equal(c.totalMonthly, 29.2);
    assert.equal(s.resourceEndpointAzs, 4);
  }
  const s = st.proxy.saving;
  assert.equal(s.consumerVpcs, 2);
  assert.equal(s.gbAssumed, true);
  assert.equal(s.shared.egressVpcMonthly, 89.46, "the egress VPC as status prices it, to the cent");
  assert.equal(s.shared.consumerEndpointsMonthly, 58.4);
  assert.equal(s.shared.totalMonthly, 147.86);
  assert.equal(s.perConsumerNat.perVpcMonthly, 36.5);
  assert.equal(s.perConsumerNat.totalMonthly, 73);
  // the saving printed is the difference of the two totals printed beside it
  assert.equal(s.savingMonthly, Math.round((s.perConsumerNat.totalMonthly - s.shared.totalMonthly) * 100) / 100);
  assert.equal(s.savingMonthly, -74.86);
  // break-even: 13 consumers x (36.50 - 29.20) = 94.90 > 89.46; 12 x 7.30 = 87.60 is not
  assert.equal(s.breakEvenConsumerVpcs, 13);
  const at = (n: number) => n * s.perConsumerNat.perVpcMonthly - (s.shared.egressVpcMonthly + n * (s.shared.consumerEndpointsMonthly / s.consumerVpcs));
  assert.ok(at(13) > 0 && at(12) <= 0, `${at(12)} ${at(13)}`);
  const text = await run("status");
  assert.match(text.stdout, /shared design: +147\.86 USD\/month = egress VPC 89\.46 \+ consumers' Resource endpoints 58\.40/);
  assert.match(text.stdout, /NAT per consumer VPC: 73\.00 USD\/month = 2 x 36\.50/);
  assert.match(text.stdout, /The shared proxy costs 74\.86 USD\/month more \(73\.00 - 147\.86\)/);
  assert.match(text.stdout, /Break-even: 13 consumer VPC\(s\)/);
  // at the same GB on both sides the saving still equals the difference of the printed totals
  const g = (await ok("status", "--json", "--gb-per-month", "1000")).json().proxy.saving;
  assert.equal(g.gbPerMonth, 1000);
  assert.equal(g.perConsumerNat.gbMonthly, 45);
  assert.equal(g.shared.egressVpcMonthly, 134.46);
  assert.equal(g.shared.consumerEndpointsMonthly, 58.4 + 10, "the Resource endpoints' GB");
  assert.equal(g.savingMonthly, Math.round((g.perConsumerNat.totalMonthly - g.shared.totalMonthly) * 100) / 100);
});

test("a plan VPC status cannot read is priced from the plan's records and says so (exit 0, never a silent 0)", async () => {
  const { ok, cwd } = await world();
  await ok("create-vpc", "--name", "gone", "--azs", "2");
  await ok("add-nat", "--mode", "single");
  const { readFileSync, writeFileSync } = await import("node:fs");
  const file = `${cwd}/egress-plan.json`;
  const plan = JSON.parse(readFileSync(file, "utf8"));
  plan.resources.vpc.id = "vpc-0123456789abcdef0"; // a VPC that is not there
  writeFileSync(file, JSON.stringify(plan, null, 2));
  const st = (await ok("status", "--json")).json();
  assert.equal(st.cost.source, "plan");
  assert.match(st.cost.assumptions[0], /could not read vpc-0123456789abcdef0 to price it as it runs: .*; priced from the plan's records/);
  assert.equal(st.cost.totalMonthly, 36.5, "the NAT gateway and its Elastic IP the plan records");
});

test("issue 24: what status's one read does not expect — an interface endpoint made by hand in S1's VPC — is read because its ENIs show it, and priced as cost prices it", async () => {
  const { ok, both, sandbox } = await world();
  const vpc = (await ok("create-vpc", "--name", "by-hand", "--azs", "2", "--json")).json().vpcId;
  await ok("add-nat", "--mode", "single");
  const st0 = (await ok("status", "--json")).json();
  const { CreateVpcEndpointCommand, EC2Client } = await import("@aws-sdk/client-ec2");
  const ec2 = new EC2Client({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const { plugSandbox } = await import("../src/sandbox/index.js");
  plugSandbox(ec2, sandbox, "ec2");
  const subnets = st0.subnets.filter((s: any) => s.tier === "private").map((s: any) => s.subnetId);
  await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: subnets }));
  const from = sandbox.journal.length;
  const { st, entry } = await both(vpc);
  assert.ok(sandbox.journal.slice(from).some((c) => c.operation === "DescribeVpcEndpoints"));
  assert.deepEqual(st.cost.lines, entry.lines);
  assert.equal(st.cost.totalMonthly, entry.totalMonthly);
  assert.ok(st.cost.lines.some((l: any) => l.item === "Interface VPC endpoint (2 AZ x 730 h)"), JSON.stringify(st.cost.lines));
});
