// The non-EC2 kinds prove the kind contract (issue 7 item 7): each is created through a step, the
// sandbox crashes right after the create call (before the plan records it), and destroy finds it
// by its kind's sweep (IAM: the plan's path + tags; Lattice: the plan's name prefix + tags) and deletes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { cleanEnv, exampleSandbox, openSandbox, readPlan } from "./helpers.js";
import { createContext } from "../src/context.js";
import { createLogger } from "../src/output/logger.js";
import { Sandbox } from "../src/sandbox/index.js";
import { openSession } from "../src/engine/session.js";
import { runSteps, type StepDef } from "../src/engine/engine.js";
import type { Plan } from "../src/plans/schema.js";
import { iamRoleStep } from "../src/engine/kinds/iam-role.js";
import { instanceProfileStep } from "../src/engine/kinds/iam-instance-profile.js";
import { resourceGatewayStep } from "../src/engine/kinds/lattice-resource-gateway.js";
import { resourceConfigurationStep } from "../src/engine/kinds/lattice-resource-configuration.js";
import { securityGroupStep } from "../src/engine/kinds/security-group.js";
import { ec2InstanceStep } from "../src/engine/kinds/ec2-instance.js";
import { publicImages } from "../src/sandbox/ec2-instances.js";

const R = "us-east-1";

/** Runs steps in process against `sandbox` (the CLI's own context, plan session and engine). */
async function runInProcess(cwd: string, file: string, sandbox: Sandbox, steps: StepDef[]) {
  const stderr = new PassThrough();
  const log = await createLogger({ stderr, color: false, verbose: false, interactive: false });
  const opts = { sandbox: true, sandboxFile: file, plan: "egress-plan.json", json: false, yes: true, dryRun: false, color: false, verbose: false };
  const ctx = createContext(opts, { cwd, env: cleanEnv(), stdout: new PassThrough(), stderr, log, signal: new AbortController().signal, sandbox, userAgent: "test" });
  const session = await openSession(ctx, {}, "test");
  try {
    return await runSteps(ctx, session, steps);
  } finally {
    await session.close();
  }
}


/** create-vpc, then the prerequisite steps, then `step` with the sandbox crashing right after its create call. */
async function crashAfterCreate(build: (plan: Plan) => { before: StepDef[]; step: StepDef }) {
  const env = await exampleSandbox();
  assert.equal((await env.run("create-vpc", "--name", "kinds", "--azs", "2")).code, 0);
  const { before, step } = build(readPlan(env.cwd));
  if (before.length) await runInProcess(env.cwd, env.file, await openSandbox(env.file), before);
  const crashing = await Sandbox.open({ file: env.file, faults: { crashAfter: 1, crashMode: "throw" }, env: {} });
  await assert.rejects(runInProcess(env.cwd, env.file, crashing, [step]), /crash/i);
  const rec = readPlan(env.cwd).resources[step.id];
  assert.equal(rec.state, "pending", "the crash came before the plan recorded the resource");
  assert.equal(rec.id, null);
  return env;
}

async function destroySweeps(env: Awaited<ReturnType<typeof exampleSandbox>>, kind: string) {
  const fresh = await openSandbox(env.file);
  const { cli } = await import("./helpers.js");
  const d = await cli(["--sandbox-file", env.file, "destroy", "--yes", "--json"], { cwd: env.cwd, env: env.env, sandbox: fresh });
  assert.equal(d.code, 0, d.stderr);
  const adopted = d.json().orphansAdopted.filter((o: any) => o.kind === kind);
  assert.equal(adopted.length, 1, JSON.stringify(d.json().orphansAdopted));
  return { fresh, id: adopted[0].id as string };
}

const subnetSteps = (plan: Plan) => Object.keys(plan.resources).filter((s) => plan.resources[s].kind === "subnet" && plan.resources[s].tier === "private").sort();

test("iam-role: a crash right after CreateRole leaves a role under the plan's path; destroy sweeps and deletes it", async () => {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const env = await crashAfterCreate(() => ({ before: [], step: iamRoleStep({ id: "proxy/role", label: "proxy role", trustPolicy: trust }) }));
  const fresh0 = await openSandbox(env.file);
  assert.equal(Object.values<any>((fresh0.state().ext as any).iam.roles).filter((r) => r.Path.startsWith("/egress-cli/")).length, 1, "the role was created");
  const { fresh, id } = await destroySweeps(env, "iam-role");
  assert.match(id, /^kinds-proxy-role$/);
  assert.equal(Object.values<any>((fresh.state().ext as any).iam.roles).filter((r) => r.Path.startsWith("/egress-cli/")).length, 0, "destroy deleted it");
});

test("lattice-resource-gateway: a crash right after CreateResourceGateway; destroy sweeps it by name prefix and tags", async () => {
  const env = await crashAfterCreate((plan) => ({ before: [], step: resourceGatewayStep({ id: "proxy/gateway", subnetSteps: subnetSteps(plan), securityGroupSteps: [] }) }));
  const gateways = (sb: Sandbox) => Object.values<any>((sb.state().regions[R].ext as any).lattice?.gateways ?? {});
  assert.equal(gateways(await openSandbox(env.file)).length, 1, "the gateway was created");
  const { fresh } = await destroySweeps(env, "lattice-resource-gateway");
  assert.equal(gateways(fresh).length, 0, "destroy deleted it");
  assert.deepEqual((await fresh.taggedResources(R, "egress-cli:plan", "kinds")).filter((r) => r.state !== "deleted" && r.state !== "terminated"), [], "and the plan's VPC after it");
});

test("lattice-resource-configuration: a crash right after CreateResourceConfiguration; destroy sweeps it before its gateway", async () => {
  const env = await crashAfterCreate((plan) => ({
    before: [resourceGatewayStep({ id: "proxy/gateway", subnetSteps: subnetSteps(plan), securityGroupSteps: [] })],
    step: resourceConfigurationStep({ id: "proxy/config", gatewayStep: "proxy/gateway", target: { ipAddress: "10.0.0.10" }, ports: [3128] }),
  }));
  const store = (sb: Sandbox) => (sb.state().regions[R].ext as any).lattice ?? { gateways: {}, configurations: {} };
  assert.equal(Object.keys(store(await openSandbox(env.file)).configurations).length, 1, "the configuration was created");
  const { fresh } = await destroySweeps(env, "lattice-resource-configuration");
  assert.equal(Object.keys(store(fresh).configurations).length, 0);
  assert.equal(Object.keys(store(fresh).gateways).length, 0, "the recorded gateway went after it");
});

test("iam-instance-profile: a crash right after CreateInstanceProfile; destroy sweeps it (and the recorded role after it)", async () => {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const env = await crashAfterCreate(() => ({
    before: [iamRoleStep({ id: "proxy/role", label: "proxy role", trustPolicy: trust })],
    step: instanceProfileStep({ id: "proxy/profile", roleStep: "proxy/role" }),
  }));
  const profiles = (sb: Sandbox) => Object.values<any>((sb.state().ext as any).iamInstanceProfiles ?? {}).filter((p) => p.Path.startsWith("/egress-cli/"));
  assert.equal(profiles(await openSandbox(env.file)).length, 1, "the profile was created");
  const { fresh } = await destroySweeps(env, "iam-instance-profile");
  assert.equal(profiles(fresh).length, 0, "destroy deleted it");
  assert.equal(Object.values<any>((fresh.state().ext as any).iam.roles).filter((r) => r.Path.startsWith("/egress-cli/")).length, 0, "and the role");
});

test("ram-resource-share: a crash right after CreateResourceShare; destroy sweeps it (GetResourceShares SELF + tags) before the configuration", async () => {
  const { ramResourceShareStep } = await import("../src/engine/kinds/ram-resource-share.js");
  const env = await crashAfterCreate((plan) => ({
    before: [
      resourceGatewayStep({ id: "proxy/gateway", subnetSteps: subnetSteps(plan), securityGroupSteps: [] }),
      resourceConfigurationStep({ id: "proxy/config", gatewayStep: "proxy/gateway", target: { ipAddress: "10.0.0.10" }, ports: [3128] }),
    ],
    step: ramResourceShareStep({ id: "proxy/share", resourceSteps: ["proxy/config"], principals: ["111122223333"] }),
  }));
  const shares = (sb: Sandbox) => Object.values<any>((sb.state().regions[R].ext as any).ram?.shares ?? {});
  const before = shares(await openSandbox(env.file));
  assert.equal(before.length, 1, "the share was created");
  assert.equal(before[0].status, "ACTIVE");
  assert.ok(before[0].tags.some((t: any) => t.key === "egress-cli:step" && t.value === "proxy/share"), "tagged at creation");
  const { fresh, id } = await destroySweeps(env, "ram-resource-share");
  assert.equal(id, before[0].resourceShareArn);
  assert.deepEqual(shares(fresh).map((s) => s.status), ["DELETED"], "destroy deleted it");
  assert.equal(Object.keys((fresh.state().regions[R].ext as any).lattice.configurations).length, 0, "and the configuration after it");
});

test("ram-resource-share: a re-run adopts the share by its tags and converges its principals", async () => {
  const { ramResourceShareStep } = await import("../src/engine/kinds/ram-resource-share.js");
  const env = await exampleSandbox();
  assert.equal((await env.run("create-vpc", "--name", "kinds", "--azs", "2")).code, 0);
  const plan = readPlan(env.cwd);
  const base = [
    resourceGatewayStep({ id: "proxy/gateway", subnetSteps: subnetSteps(plan), securityGroupSteps: [] }),
    resourceConfigurationStep({ id: "proxy/config", gatewayStep: "proxy/gateway", target: { ipAddress: "10.0.0.10" }, ports: [3128] }),
  ];
  const first = await runInProcess(env.cwd, env.file, await openSandbox(env.file), [...base, ramResourceShareStep({ id: "proxy/share", resourceSteps: ["proxy/config"], principals: ["111122223333"] })]);
  assert.equal(first.outcomes["proxy/share"], "created");
  const again = await runInProcess(env.cwd, env.file, await openSandbox(env.file), [...base, ramResourceShareStep({ id: "proxy/share", resourceSteps: ["proxy/config"], principals: ["444455556666"] })]);
  assert.equal(again.outcomes["proxy/share"], "exists");
  const sb = await openSandbox(env.file);
  const [share] = Object.values<any>((sb.state().regions[R].ext as any).ram.shares);
  const principals = share.associations.filter((a: any) => a.associationType === "PRINCIPAL");
  assert.deepEqual(principals.map((a: any) => [a.associatedEntity, a.status]).sort(), [["111122223333", "DISASSOCIATED"], ["444455556666", "ASSOCIATED"]]);
  assert.deepEqual(readPlan(env.cwd).resources["proxy/share"].attrs?.principals, ["444455556666"]);
});

test("ec2-instance: a crash right after RunInstances; destroy sweeps it by tag, terminates it, then deletes its group, profile and role", async () => {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const env = await crashAfterCreate((plan) => ({
    before: [
      iamRoleStep({ id: "proxy/role", label: "proxy role", trustPolicy: trust }),
      instanceProfileStep({ id: "proxy/profile", roleStep: "proxy/role" }),
      securityGroupStep({ id: "proxy/sg", groupName: "kinds-proxy", description: "proxy", label: "proxy group" }),
    ],
    step: ec2InstanceStep({
      id: "proxy/us-east-1a/instance",
      az: "us-east-1a",
      label: "proxy in us-east-1a",
      dependsOn: [subnetSteps(plan)[0], "proxy/sg", "proxy/profile"],
      imageId: publicImages(R)[0].ImageId,
      launch: async (run, imageId) => ({
        ImageId: imageId,
        InstanceType: "t3.micro",
        SubnetId: run.ref(subnetSteps(plan)[0]),
        SecurityGroupIds: [run.ref("proxy/sg")],
        IamInstanceProfile: { Name: run.ref("proxy/profile") },
      }),
    }),
  }));
  const instances = (sb: Sandbox) => Object.values<any>((sb.state().regions[R].ext as any).instances ?? {}).filter((i) => i.Tags?.some((t: any) => t.Key === "egress-cli:step" && t.Value === "proxy/us-east-1a/instance"));
  const made = instances(await openSandbox(env.file));
  assert.equal(made.length, 1, "the instance was launched");
  assert.ok(made[0].ClientToken, "with a client token");
  const { fresh, id } = await destroySweeps(env, "ec2-instance");
  assert.equal(id, made[0].InstanceId);
  assert.deepEqual(instances(fresh).map((i) => i.State.Name), ["terminated"], "destroy terminated it (and waited: its group could go)");
  assert.equal(Object.values<any>(fresh.state().regions[R].securityGroups).filter((g) => g.GroupName === "kinds-proxy").length, 0, "its group went after it");
  assert.equal(Object.values<any>((fresh.state().ext as any).iamInstanceProfiles ?? {}).filter((p) => p.Path.startsWith("/egress-cli/")).length, 0, "and its profile");
  assert.equal(Object.values<any>((fresh.state().ext as any).iam.roles).filter((r) => r.Path.startsWith("/egress-cli/")).length, 0, "and the role");
});

test("lattice-domain-verification: a crash right after StartDomainVerification; destroy sweeps it by its tags", async () => {
  const { domainVerificationStep } = await import("../src/engine/kinds/lattice-domain-verification.js");
  const env = await crashAfterCreate(() => ({ before: [], step: domainVerificationStep({ id: "proxy/domain", domainName: "proxy.corp.example" }) }));
  const verifications = (sb: Sandbox) => Object.values<any>((sb.state().regions[R].ext as any).lattice?.domainVerifications ?? {});
  assert.equal(verifications(await openSandbox(env.file)).length, 1, "the verification was started");
  const { fresh } = await destroySweeps(env, "lattice-domain-verification");
  assert.equal(verifications(fresh).length, 0, "destroy deleted it");
});

test("security-group-rule: a crash right after AuthorizeSecurityGroupIngress naming another group; destroy revokes it from its recorded intent before deleting either group", async () => {
  const { ingressRuleStep } = await import("../src/engine/kinds/security-group-rule.js");
  const env = await crashAfterCreate(() => ({
    before: [
      securityGroupStep({ id: "proxy/sg", groupName: "kinds-proxy", description: "proxy", label: "proxy group" }),
      securityGroupStep({ id: "proxy/gateway/sg", groupName: "kinds-gateway", description: "gateway", label: "gateway group" }),
    ],
    step: ingressRuleStep({ id: "proxy/sg/ingress/gateway", groupStep: "proxy/sg", source: { kind: "sg", groupStep: "proxy/gateway/sg", label: "the gateway" }, port: 3128 }),
  }));
  const plan = readPlan(env.cwd);
  const [proxySg, gatewaySg] = [plan.resources["proxy/sg"].id!, plan.resources["proxy/gateway/sg"].id!];
  assert.equal(plan.resources["proxy/sg/ingress/gateway"].attrs.groupId, proxySg, "the pending record holds the intent");
  const live = (await (await openSandbox(env.file)).call("ec2", "DescribeSecurityGroups", { GroupIds: [proxySg] }, R)).SecurityGroups[0];
  assert.ok(live.IpPermissions.some((p: any) => p.UserIdGroupPairs?.some((u: any) => u.GroupId === gatewaySg)), "the rule was authorized");
  const fresh = await openSandbox(env.file);
  const calls: string[] = [];
  const orig = fresh.call.bind(fresh);
  fresh.call = async (service, operation, input, region) => {
    try {
      return await orig(service, operation, input, region);
    } catch (err) {
      calls.push(`${operation} ${(err as Error).name}`);
      throw err;
    }
  };
  const { cli } = await import("./helpers.js");
  const d = await cli(["--sandbox-file", env.file, "destroy", "--yes", "--json"], { cwd: env.cwd, env: env.env, sandbox: fresh });
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(calls.filter((c) => /DependencyViolation/.test(c)), [], "the rule went first: no group deletion waited on it");
  const left = (await fresh.call("ec2", "DescribeSecurityGroups", { Filters: [{ Name: "group-id", Values: [proxySg, gatewaySg] }] }, R)).SecurityGroups;
  assert.deepEqual(left, [], "both groups deleted");
});
