// Crash safety of launch-proxy with a real kill -9: for every mutating call N of launch-proxy --per-az
// (role, policy attachment, profile, its role, group, default-egress revoke, rules, two RunInstances,
// Run Command), the sandbox SIGKILLs the CLI right after applying call N. (1) The re-run leaves the
// account exactly as an uninterrupted run does: no second role, profile, group or instance. (2)
// destroy right after the crash leaves nothing: instances terminated, role, profile and group gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { accountSignature, openSandbox, readSandboxState, tempDir } from "./helpers.js";
import { copyDir, crashMatrix, exec, pool } from "./crash-kit.js";

const LAUNCH = ["launch-proxy", "--per-az", "--allow-domain", ".example.com", "--allow-domain", "api.vendor.io"];
const R = "us-east-1";

/** accountSignature plus what launch-proxy makes: instances, the plan's IAM roles and profiles, group rules (no random ids). */
function proxySignature(state: any) {
  const r = state.regions[R];
  const step = (x: any) => x?.Tags?.find((t: any) => t.Key === "egress-cli:step")?.Value ?? "-";
  const sgName = (id: string) => r.securityGroups[id]?.GroupName ?? `gone:${id}`;
  return {
    ...accountSignature(state),
    instances: Object.values<any>(r.ext?.instances ?? {}).filter((i) => i.State.Name !== "terminated").map((i) => `${step(i)}|${r.subnets[i.SubnetId]?.CidrBlock}|${i.InstanceType}|${i.State.Name}|${i.SecurityGroups.map((g: any) => g.GroupName).join(",")}|${i.IamInstanceProfile?.Arn.split("/").pop()}`).sort(),
    roles: Object.values<any>(state.ext?.iam?.roles ?? {}).map((x) => `${x.RoleName}|${x.Path.startsWith("/egress-cli/")}|${x.attached.join(",")}`).sort(),
    profiles: Object.values<any>(state.ext?.iamInstanceProfiles ?? {}).map((p) => `${p.InstanceProfileName}|${p.Roles.map((x: any) => x.RoleName ?? x).join(",")}`).sort(),
    rules: Object.values<any>(r.securityGroupRules).map((x) => `${sgName(x.GroupId)}|${x.IsEgress ? "out" : "in"}|${x.IpProtocol}/${x.FromPort}|${x.CidrIpv4 ?? x.ReferencedGroupId ?? "-"}`).sort(),
  };
}

async function egressTemplate(): Promise<{ template: string; pristine: unknown }> {
  const template = tempDir("egress-crash-proxy-");
  const sb = await openSandbox(path.join(template, "sb.json"));
  await sb.call("ec2", "DescribeVpcs", {}, R);
  const pristine = proxySignature(sb.state());
  assert.equal((await exec(["create-vpc", "--name", "crashp", "--cidr", "10.30.0.0/16", "--azs", "2"], template)).code, 0);
  assert.equal((await exec(["add-nat"], template)).code, 0);
  return { template, pristine };
}

test("kill -9 after every mutating call of launch-proxy --per-az, then re-run: the same proxies, role, profile and group as an uninterrupted run; destroy right after each crash leaves nothing", { timeout: 900_000 }, async (t) => {
  const { template, pristine } = await egressTemplate();
  const m = await crashMatrix({ template, commands: [LAUNCH], signature: proxySignature });
  assert.ok(m.perCommand[0] >= 11, `launch-proxy made ${m.perCommand[0]} changes`);
  t.diagnostic(`launch-proxy --per-az: ${m.perCommand[0]} mutating calls, each crashed after`);
  const expected = m.expected as ReturnType<typeof proxySignature>;
  assert.equal(expected.instances.length, 2, JSON.stringify(expected.instances));
  assert.equal(expected.profiles.length, 1);
  assert.deepEqual(m.failures, []);

  const failures: string[] = [];
  await pool(Array.from({ length: m.perCommand[0] }, (_, i) => i + 1), 2, async (n) => {
    const dir = copyDir(template);
    const crashed = await exec(LAUNCH, dir, `crashAfter=${n},crashMode=kill`);
    if (crashed.signal !== "SIGKILL") failures.push(`N=${n}: not killed (${crashed.code}) ${crashed.stderr}`);
    const d = await exec(["destroy", "--yes"], dir);
    if (d.code !== 0) failures.push(`N=${n}: destroy failed: ${d.stderr}`);
    try {
      assert.deepEqual(proxySignature(readSandboxState(path.join(dir, "sb.json"))), pristine);
    } catch (e) {
      failures.push(`N=${n}: destroy after the crash left something:\n${(e as Error).message.slice(0, 1500)}`);
    }
  });
  assert.deepEqual(failures, []);
});
