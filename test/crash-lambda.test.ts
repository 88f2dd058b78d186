// Crash safety of attach-lambda and add-endpoint (issue 3), and destroy after an interrupted run:
// kill -9 after every mutating call, re-run, and the account — EC2, the function's VPC config,
// its role's policies, endpoints and security-group rules — equals an uninterrupted run's.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { accountSignature, openSandbox, readSandboxState, tempDir } from "./helpers.js";
import { copyDir, crashMatrix, exec, pool } from "./crash-kit.js";

const R = "us-east-1";

/** accountSignature plus what attach-lambda and add-endpoint change, without random ids. */
function fullSignature(state: any) {
  const r = state.regions[R];
  const subnetCidr = (id: string) => r.subnets[id]?.CidrBlock ?? `gone:${id}`;
  const groupName = (id: string) => r.securityGroups[id]?.GroupName ?? `gone:${id}`;
  const fns = Object.values<any>(r.ext?.lambda?.functions ?? {}).map(
    (f) => `${f.FunctionName}|subnets=${(f.VpcConfig?.SubnetIds ?? []).map(subnetCidr).sort()}|sgs=${(f.VpcConfig?.SecurityGroupIds ?? []).map(groupName).sort()}|${f.LastUpdateStatus ?? ""}`,
  );
  const roles = Object.values<any>(state.ext?.iam?.roles ?? {}).map((x) => `${x.RoleName}|${[...(x.AttachedPolicies ?? x.attachedPolicies ?? [])].map((p: any) => p.PolicyArn ?? p).sort()}`);
  const endpoints = Object.values<any>(r.ext?.vpcEndpoints ?? {})
    .filter((e) => !["deleted", "deleting"].includes(String(e.State).toLowerCase()))
    .map((e) => `${e.ServiceName}|${e.VpcEndpointType}|${(e.SubnetIds ?? []).map(subnetCidr).sort()}|${(e.Groups ?? e.SecurityGroupIds ?? []).map((g: any) => groupName(g.GroupId ?? g)).sort()}|${e.State}|dns=${e.PrivateDnsEnabled}`);
  const rules = Object.values<any>(r.securityGroupRules).map(
    (x) => `${groupName(x.GroupId)}|${x.IsEgress ? "out" : "in"}|${x.IpProtocol}|${x.FromPort}-${x.ToPort}|${x.CidrIpv4 ?? (x.ReferencedGroupId ? groupName(x.ReferencedGroupId) : x.PrefixListId ?? "")}`,
  );
  return { ...accountSignature(state), functions: fns.sort(), roles: roles.sort(), endpoints: endpoints.sort(), rules: rules.sort() };
}

async function s1Template(): Promise<string> {
  const dir = tempDir("egress-crash-lambda-");
  const sb = await openSandbox(path.join(dir, "sb.json"));
  await sb.reset({ examples: true });
  for (const c of [["create-vpc", "--name", "lam", "--cidr", "10.40.0.0/16", "--azs", "2"], ["add-nat", "--mode", "single"]]) {
    const r = await exec(c, dir);
    assert.equal(r.code, 0, r.stderr);
  }
  return dir;
}

test("kill -9 after every mutating call of attach-lambda + add-endpoint, then re-run: same account as an uninterrupted run", { timeout: 600_000 }, async () => {
  const template = await s1Template();
  const m = await crashMatrix({
    template,
    commands: [
      ["attach-lambda", "--function", "sms-sender"],
      ["add-endpoint", "secretsmanager", "sts", "--allow-from", "lambda:sms-sender"],
    ],
    signature: fullSignature,
  });
  assert.ok(m.perCommand[0] >= 3 && m.perCommand[1] >= 4, `attach-lambda made ${m.perCommand[0]} changes, add-endpoint ${m.perCommand[1]}`);
  assert.deepEqual(m.failures, []);
});

test("kill -9 during create-vpc/add-nat/attach-lambda/add-endpoint, then destroy instead of a re-run: orphans are found by tag and nothing is left", { timeout: 600_000 }, async () => {
  const base = tempDir("egress-crash-orphans-");
  const sb = await openSandbox(path.join(base, "sb.json"));
  await sb.reset({ examples: true });
  const pristine = fullSignature(sb.state());
  const commands = [
    ["create-vpc", "--name", "orph", "--cidr", "10.60.0.0/16", "--azs", "2"],
    ["add-nat", "--mode", "per-az"],
    ["attach-lambda", "--function", "sms-sender"],
    ["add-endpoint", "secretsmanager", "--allow-from", "lambda:sms-sender"],
  ];
  // How many mutating calls each command makes, from one uninterrupted run.
  const ref = copyDir(base);
  const counts: number[] = [];
  for (const c of commands) {
    const before = readSandboxState(path.join(ref, "sb.json")).counters.mutatingCalls;
    assert.equal((await exec(c, ref)).code, 0);
    counts.push(readSandboxState(path.join(ref, "sb.json")).counters.mutatingCalls - before);
  }
  // Crash points: each command's every 2nd call (the full matrix runs in the test above), then destroy.
  const points: Array<[number, number]> = [];
  counts.forEach((n, i) => {
    for (let k = 1; k <= n; k += 2) points.push([i, k]);
  });
  const failures: string[] = [];
  await pool(points, 2, async ([i, k]) => {
    const dir = copyDir(base);
    for (const c of commands.slice(0, i)) await exec(c, dir);
    const crashed = await exec(commands[i], dir, `crashAfter=${k},crashMode=kill`);
    if (crashed.signal !== "SIGKILL") failures.push(`${commands[i][0]}#${k}: not killed ${crashed.stderr}`);
    const d = await exec(["destroy", "--yes"], dir);
    if (d.code !== 0) failures.push(`${commands[i][0]}#${k}: destroy failed: ${d.stderr}`);
    const state = readSandboxState(path.join(dir, "sb.json"));
    try {
      assert.deepEqual(fullSignature(state), pristine);
    } catch (e) {
      failures.push(`${commands[i][0]}#${k}: account not back to its start:\n${(e as Error).message.slice(0, 1500)}`);
    }
  });
  assert.ok(points.length >= 15);
  assert.deepEqual(failures, []);
});
