// Crash safety of share-proxy and connect-proxy with a real kill -9: for every mutating call N of
// share-proxy --share-with (gateway group, the proxy group's rule, resource gateway, a configuration
// per proxy, the RAM share) and of connect-proxy for two consumer VPCs that both use 10.0.0.0/16
// (endpoint group, its rule, an endpoint per proxy), the sandbox SIGKILLs the CLI right after applying
// call N. (1) The re-run leaves the account exactly as an uninterrupted run does: no second gateway,
// configuration, share, group or endpoint. (2) destroy right after the crash leaves nothing of the plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { accountSignature, openSandbox, readSandboxState, tempDir } from "./helpers.js";
import { copyDir, crashMatrix, exec, mutatingCalls, pool } from "./crash-kit.js";

const R = "us-east-1";

/** accountSignature plus what S2's sharing makes (no random ids): Lattice, endpoints, RAM, group rules, instances. */
function shareSignature(state: any) {
  const r = state.regions[R];
  const step = (x: any) => x?.Tags?.find((t: any) => t.Key === "egress-cli:step")?.Value ?? "-";
  const sgName = (id: string) => r.securityGroups[id]?.GroupName ?? `gone:${id}`;
  const vpcCidr = (id: string) => r.vpcs[id]?.CidrBlock ?? `gone:${id}`;
  const lattice = { gateways: r.ext?.lattice?.gateways ?? {}, configurations: r.ext?.lattice?.configurations ?? {} };
  return {
    ...accountSignature(state),
    gateways: Object.values<any>(lattice.gateways).map((g) => `${g.name}|${vpcCidr(g.vpcId)}|${g.subnetIds.length}|${g.securityGroupIds.map(sgName).join(",")}`).sort(),
    configurations: Object.values<any>(lattice.configurations).map((c) => `${c.name}|${c.portRanges.join(",")}|${c.resourceConfigurationDefinition?.ipResource?.ipAddress}`).sort(),
    endpoints: Object.values<any>(r.ext?.vpcEndpoints ?? {}).map((e) => `${e.VpcEndpointType}|${step(e)}|${e.State}|${e.SubnetIds.length}|${e.Groups.map(sgName).join(",")}`).sort(),
    shares: Object.values<any>(r.ext?.ram?.shares ?? {}).filter((s) => s.status !== "DELETED").map((s) => `${s.name}|${s.associations.filter((a: any) => a.status === "ASSOCIATED").map((a: any) => a.associationType).sort().join(",")}`).sort(),
    rules: Object.values<any>(r.securityGroupRules ?? {}).map((x) => `${sgName(x.GroupId)}|${x.IsEgress ? "out" : "in"}|${x.IpProtocol}/${x.FromPort}|${x.CidrIpv4 ?? sgName(x.ReferencedGroupId)}`).sort(),
    instances: Object.values<any>(r.ext?.instances ?? {}).filter((i) => i.State.Name !== "terminated").map((i) => `${step(i)}|${i.State.Name}`).sort(),
  };
}

async function s2Template() {
  const template = tempDir("egress-crash-share-");
  const sb = await openSandbox(path.join(template, "sb.json"));
  await sb.call("ec2", "DescribeVpcs", {}, R);
  const ok = async (args: string[]) => {
    const r = await exec(args, template);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  };
  await ok(["create-vpc", "--name", "crashs", "--cidr", "10.100.0.0/16", "--azs", "2"]);
  await ok(["add-nat", "--mode", "per-az"]);
  await ok(["launch-proxy", "--per-az", "--allow-domain", ".example.com", "--allow-domain", "api.vendor.io"]);
  const consumers: string[][] = [];
  for (const t of ["team1", "team2"]) {
    await ok(["--plan", `${t}.json`, "create-vpc", "--name", t, "--cidr", "10.0.0.0/16", "--azs", "2", "--public-subnets", "0"]);
    const p = JSON.parse(readFileSync(path.join(template, `${t}.json`), "utf8"));
    const subnets = Object.values<any>(p.resources).filter((r) => r.kind === "subnet").map((r) => r.id).sort();
    consumers.push(["connect-proxy", "--consumer-vpc", p.resources.vpc.id, "--subnets", subnets.join(",")]);
  }
  return { template, commands: [["share-proxy", "--share-with", "111122223333"], ...consumers] };
}

test("kill -9 after every mutating call of share-proxy and connect-proxy (two 10.0.0.0/16 consumers), then re-run: the account equals an uninterrupted run's; destroy right after each crash leaves nothing", { timeout: 1_200_000 }, async (t) => {
  const { template, commands } = await s2Template();
  const m = await crashMatrix({ template, commands, signature: shareSignature });
  t.diagnostic(`mutating calls: share-proxy ${m.perCommand[0]}, connect-proxy ${m.perCommand[1]} + ${m.perCommand[2]}; each crashed after`);
  const expected = m.expected as ReturnType<typeof shareSignature>;
  assert.equal(expected.gateways.length, 1);
  assert.equal(expected.configurations.length, 2, "one per proxy");
  assert.equal(expected.endpoints.length, 4, "one per proxy in each consumer VPC");
  assert.equal(expected.shares.length, 1);
  assert.ok(m.perCommand[0] >= 6 && m.perCommand[1] >= 4, JSON.stringify(m.perCommand));
  assert.deepEqual(m.failures, []);

  // destroy right after each crash: the plan's whole account footprint goes (what destroy of the uncrashed template leaves).
  const ref = copyDir(template);
  assert.equal((await exec(["destroy", "--yes"], ref)).code, 0);
  const clean = shareSignature(readSandboxState(path.join(ref, "sb.json")));
  const points: Array<[number, number]> = m.perCommand.flatMap((n, i) => Array.from({ length: n }, (_, k) => [i, k + 1] as [number, number]));
  const failures: string[] = [];
  await pool(points, 2, async ([i, k]) => {
    const dir = copyDir(template);
    for (const c of commands.slice(0, i)) if ((await exec(c, dir)).code !== 0) failures.push(`${i}/${k}: ${c[0]} failed`);
    const before = mutatingCalls(dir);
    const crashed = await exec(commands[i], dir, `crashAfter=${k},crashMode=kill`);
    if (crashed.signal !== "SIGKILL" || mutatingCalls(dir) - before !== k) failures.push(`${commands[i][0]} N=${k}: not killed there (${crashed.code}) ${crashed.stderr}`);
    const d = await exec(["destroy", "--yes"], dir);
    if (d.code !== 0) failures.push(`${commands[i][0]} N=${k}: destroy failed: ${d.stderr}`);
    try {
      assert.deepEqual(shareSignature(readSandboxState(path.join(dir, "sb.json"))), clean);
    } catch (e) {
      failures.push(`${commands[i][0]} N=${k}: destroy after the crash left something:\n${(e as Error).message.slice(0, 1500)}`);
    }
  });
  assert.deepEqual(failures, []);
});
