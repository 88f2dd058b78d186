// Ownership before every delete or modify (issue 7): destroy never touches a resource the plan
// file names but this plan did not create; no command changes another plan's resources; what an
// imported VPC had before egress-cli changed it comes back on destroy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { exampleSandbox, readPlan } from "./helpers.js";
import { createAwsClients } from "../src/aws/clients.js";
import { createLogger } from "../src/output/logger.js";
import { AWS_WAIT } from "../src/aws/wait.js";
import { KIND_NAMES, kindOf } from "../src/engine/kinds/index.js";
import { typed } from "../src/engine/kinds/kind.js";
import type { Context } from "../src/context.js";
import type { Plan } from "../src/plans/schema.js";
import type { Sandbox } from "../src/sandbox/index.js";

const R = "us-east-1";
const writePlan = (cwd: string, p: Plan) => writeFileSync(path.join(cwd, "egress-plan.json"), JSON.stringify(p, null, 2));

/** Records the inputs of every call the sandbox answers (the journal keeps only operation names). */
function spy(sb: Sandbox) {
  const calls: Array<{ operation: string; input: Record<string, any> }> = [];
  const orig = sb.call.bind(sb);
  sb.call = async (service, operation, input, region) => {
    calls.push({ operation, input });
    return orig(service, operation, input, region);
  };
  return calls;
}

test("a foreign Elastic IP's allocation id in the plan's EIP record: destroy exits 1 naming it, and the address stays allocated", async () => {
  const { cwd, sandbox, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "own", "--azs", "1")).code, 0);
  assert.equal((await run("add-nat")).code, 0);
  const mine = (await sandbox.call("ec2", "AllocateAddress", { Domain: "vpc" }, R)).AllocationId as string;
  const plan = readPlan(cwd);
  const eipStep = Object.keys(plan.resources).find((s) => plan.resources[s].kind === "elastic-ip")!;
  plan.resources[eipStep].id = mine;
  writePlan(cwd, plan);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, new RegExp(`Step ${eipStep}: elastic-ip ${mine} is not this plan's \\(no tags\\)`));
  assert.ok(region().addresses[mine], "the hand-allocated address is still allocated");
  assert.equal(readPlan(cwd).resources[eipStep].state, "created", "the refused record stays as it was");
});

test("the default VPC's id in the plan's vpc record: DeleteVpc is never called on it", async () => {
  const { cwd, sandbox, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "own", "--azs", "1")).code, 0);
  const defaultVpc = Object.values<any>(region().vpcs).find((v) => v.IsDefault).VpcId as string;
  const plan = readPlan(cwd);
  plan.resources.vpc.id = defaultVpc;
  writePlan(cwd, plan);
  const calls = spy(sandbox);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, new RegExp(`Step vpc: vpc ${defaultVpc} is not this plan's`));
  assert.ok(!calls.some((c) => c.operation === "DeleteVpc" && c.input.VpcId === defaultVpc), "DeleteVpc was not called on the default VPC");
  assert.ok(region().vpcs[defaultVpc], "the default VPC is still there");
});

async function kindContext(sb: Sandbox): Promise<Context> {
  const log = await createLogger({ stderr: new PassThrough(), color: false, verbose: false, interactive: false });
  const aws = createAwsClients({ region: R, sandbox: sb, verbose: false, log, userAgent: "test", env: {} });
  return { aws: async () => aws, log, wait: { ...AWS_WAIT, minDelayMs: 5, maxDelayMs: 20 }, signal: new AbortController().signal, concurrency: 4 } as unknown as Context;
}

test("every kind's ownership check: this plan's records are ours, the same record naming a foreign resource is not", async () => {
  const { cwd, sandbox, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "own", "--azs", "1")).code, 0);
  assert.equal((await run("add-nat")).code, 0);
  assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
  assert.equal((await run("add-endpoint", "s3", "sts", "--enable-vpc-dns")).code, 0, "endpoint");
  const plan = readPlan(cwd);
  const ctx = await kindContext(sandbox);
  const r = region();
  const dVpc = Object.values<any>(r.vpcs).find((v) => v.IsDefault).VpcId as string;
  const dSubnet = Object.values<any>(r.subnets).find((s) => s.VpcId === dVpc).SubnetId as string;
  const dTable = Object.values<any>(r.routeTables).find((t) => t.VpcId === dVpc).RouteTableId as string;
  const dGroup = Object.values<any>(r.securityGroups).find((g) => g.VpcId === dVpc).GroupId as string;
  const dIgw = Object.values<any>(r.internetGateways).find((g) => g.VpcId === dVpc).InternetGatewayId as string;
  const eip = (await sandbox.call("ec2", "AllocateAddress", { Domain: "vpc" }, R)).AllocationId as string;
  const nat = (await sandbox.call("ec2", "CreateNatGateway", { SubnetId: dSubnet, AllocationId: eip }, R)).NatGateway.NatGatewayId as string;
  const endpoint = (await sandbox.call("ec2", "CreateVpcEndpoint", { VpcId: dVpc, ServiceName: `com.amazonaws.${R}.s3`, VpcEndpointType: "Gateway" }, R)).VpcEndpoint.VpcEndpointId as string;
  const eip2 = (await sandbox.call("ec2", "AllocateAddress", { Domain: "vpc" }, R)).AllocationId as string;
  // The foreign version of each kind's record: its id, or what the relation joins, is not this plan's.
  const foreign: Record<string, (rec: any) => any> = {
    vpc: (x) => ({ ...x, id: dVpc }),
    subnet: (x) => ({ ...x, id: dSubnet }),
    "internet-gateway": (x) => ({ ...x, id: dIgw }),
    "igw-attachment": (x) => ({ ...x, attrs: { internetGatewayId: dIgw, vpcId: dVpc } }),
    "route-table": (x) => ({ ...x, id: dTable }),
    "route-table-association": (x) => ({ ...x, attrs: { ...x.attrs, subnetId: dSubnet, routeTableId: dTable } }),
    route: (x) => ({ ...x, attrs: { ...x.attrs, routeTableId: dTable } }),
    "elastic-ip": (x) => ({ ...x, id: eip2 }),
    "nat-gateway": (x) => ({ ...x, id: nat }),
    "security-group": (x) => ({ ...x, id: dGroup }),
    "vpc-attribute": (x) => ({ ...x, attrs: { ...x.attrs, vpcId: dVpc } }),
    "security-group-rule": (x) => ({ ...x, attrs: { ...x.attrs, groupId: dGroup } }),
    "iam-role-policy-attachment": (x) => ({ ...x, attrs: { roleName: "someone-elses-role", policyArn: x.attrs.policyArn } }),
    "lambda-vpc-config": (x) => ({ ...x, attrs: { ...x.attrs, subnetIds: [dSubnet] } }),
    "vpc-endpoint": (x) => ({ ...x, id: endpoint }),
  };
  const checked: string[] = [];
  for (const name of KIND_NAMES) {
    const entry = Object.entries(plan.resources).find(([, rec]) => rec.kind === name && rec.state === "created");
    if (!entry || !foreign[name]) continue;
    const [step, rec] = entry;
    const k = (await kindOf(name))!;
    assert.deepEqual(await k.owner(ctx, typed(k, step, rec), plan), { ours: true }, `${name} (${step}) is this plan's`);
    const other = await k.owner(ctx, typed(k, step, foreign[name](rec)), plan);
    assert.equal("ours" in other && other.ours, false, `${name} naming a foreign resource is refused: ${JSON.stringify(other)}`);
    checked.push(name);
  }
  assert.deepEqual(checked.sort(), Object.keys(foreign).sort(), "every kind of the S-flow plan was checked");
});

test("import of a VPC holding another plan's resources is refused unless --shared, and then no command changes that plan's routes", async () => {
  const { cwd, run, region } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "pa", "--azs", "1")).code, 0);
  const vpcA = readPlan(cwd).resources.vpc.id!;
  const routesBefore = JSON.stringify(Object.values<any>(region().routeTables).filter((t) => t.VpcId === vpcA).map((t) => t.Routes));
  const refused = await run("--plan", "b.json", "import", "--vpc", vpcA, "--name", "pb");
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /holds resources of another egress-cli plan, pa/);
  assert.match(refused.stderr, /--shared/);
  assert.equal((await run("--plan", "b.json", "import", "--vpc", vpcA, "--name", "pb", "--shared")).code, 0);
  const nat = await run("--plan", "b.json", "add-nat");
  assert.equal(nat.code, 2, nat.stderr);
  assert.match(nat.stderr, /belongs to another egress-cli plan, pa/);
  assert.equal(JSON.stringify(Object.values<any>(region().routeTables).filter((t) => t.VpcId === vpcA).map((t) => t.Routes)), routesBefore, "plan pa's routes are unchanged");
  assert.equal((await run("--plan", "b.json", "destroy", "--yes")).code, 0);
  assert.equal((await run("destroy", "--yes")).code, 0, "plan pa still destroys cleanly");
});

test("add-endpoint --enable-vpc-dns on an imported VPC, then destroy: DNS hostnames go back off", async () => {
  const { sandbox, run, region } = await exampleSandbox();
  const msk = Object.values<any>(region().vpcs).find((v) => v.Tags.some((t: any) => t.Value === "msk"));
  const hostnames = async () => (await sandbox.call("ec2", "DescribeVpcAttribute", { VpcId: msk.VpcId, Attribute: "enableDnsHostnames" }, R)).EnableDnsHostnames.Value;
  assert.equal(await hostnames(), false);
  assert.equal((await run("import", "--vpc", msk.VpcId, "--name", "msk")).code, 0);
  const ep = await run("add-endpoint", "sts", "--enable-vpc-dns");
  assert.equal(ep.code, 0, ep.stderr);
  assert.equal(await hostnames(), true);
  const d = await run("destroy", "--yes", "--json");
  assert.equal(d.code, 0, d.stderr);
  assert.equal(await hostnames(), false, "the imported VPC is back as it was");
});

test("attach-lambda re-run: no 'Previous VPC config' line when the plan recorded none", async () => {
  const { run } = await exampleSandbox();
  assert.equal((await run("create-vpc", "--name", "own", "--azs", "1")).code, 0);
  const first = await run("attach-lambda", "--function", "sms-sender");
  assert.equal(first.code, 0, first.stderr);
  const again = await run("attach-lambda", "--function", "sms-sender");
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /Previous VPC config recorded/);
  const json = await run("attach-lambda", "--function", "sms-sender", "--json");
  assert.equal(json.json().previousVpcConfig, null);
});

test("the S2 kinds' ownership check: each record of one plan is ours, and the same step naming another plan's resource is not", async () => {
  const { cwd, sandbox, run } = await exampleSandbox();
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  };
  // Two plans built the same way in one account: plan b's resources are as real and as tagged as
  // plan a's, so a record of a naming b's resource is exactly "a plan file holding an id that is not ours".
  for (const [p, cidr, domain] of [["a.json", "10.100.0.0/16", "proxy-a.example.com"], ["b.json", "10.101.0.0/16", "proxy-b.example.com"]]) {
    await ok("--plan", p, "create-vpc", "--name", p.slice(0, 1), "--cidr", cidr, "--azs", "1");
    await ok("--plan", p, "add-nat");
    await ok("--plan", p, "launch-proxy", "--allow-domain", ".example.com");
    await ok("--plan", p, "share-proxy", "--share-with", "111122223333", "--domain", domain);
  }
  const a = JSON.parse(readFileSync(path.join(cwd, "a.json"), "utf8")) as Plan;
  const b = JSON.parse(readFileSync(path.join(cwd, "b.json"), "utf8")) as Plan;
  const ctx = await kindContext(sandbox);
  const s2Kinds = ["iam-role", "iam-instance-profile", "ec2-instance", "lattice-resource-gateway", "lattice-resource-configuration", "ram-resource-share", "lattice-domain-verification"];
  const checked = new Set<string>();
  for (const [step, rec] of Object.entries(a.resources)) {
    if (!s2Kinds.includes(rec.kind) || rec.state !== "created") continue;
    const theirs = b.resources[step];
    assert.ok(theirs && theirs.kind === rec.kind && theirs.id !== rec.id, `plan b has its own ${step}`);
    const k = (await kindOf(rec.kind))!;
    assert.deepEqual(await k.owner(ctx, typed(k, step, rec), a), { ours: true }, `${rec.kind} (${step}) is plan a's`);
    const other = await k.owner(ctx, typed(k, step, theirs), a);
    assert.equal("ours" in other && other.ours, false, `${rec.kind} (${step}) naming plan b's ${theirs.id} is refused: ${JSON.stringify(other)}`);
    checked.add(rec.kind);
  }
  assert.deepEqual([...checked].sort(), [...s2Kinds].sort(), "every S2 kind was checked");
  // and destroy of a plan whose record names the other plan's instance exits 1, leaving that instance running
  const edited = structuredClone(a);
  const step = Object.keys(edited.resources).find((s) => edited.resources[s].kind === "ec2-instance")!;
  edited.resources[step] = structuredClone(b.resources[step]);
  writeFileSync(path.join(cwd, "a.json"), JSON.stringify(edited, null, 2));
  const d = await run("--plan", "a.json", "destroy", "--yes");
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, new RegExp(b.resources[step].id!));
  const live = await sandbox.call("ec2", "DescribeInstances", { InstanceIds: [b.resources[step].id!] }, R);
  assert.equal(live.Reservations[0].Instances[0].State.Name, "running", "plan b's proxy is untouched");
});
