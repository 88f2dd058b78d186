// Crash safety of the IPv6 build with a real kill -9: for every mutating call N of create-vpc --ipv6
// --ipv6-only-private + add-nat (NAT64 routes, DNS64), and of their destroy, the sandbox SIGKILLs the
// CLI right after applying call N; a re-run must leave the account as an uninterrupted run does.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync } from "node:fs";
import { accountSignature, openSandbox, planIds, readSandboxState, tempDir } from "./helpers.js";
import { copyDir, crashMatrix, exec } from "./crash-kit.js";
import { parseCidr } from "../src/net/addr.js";

const CREATE = ["create-vpc", "--name", "crash6", "--cidr", "10.30.0.0/16", "--azs", "2", "--ipv6", "--ipv6-only-private"];
const NAT = ["add-nat"];
const DESTROY = ["destroy", "--yes"];

const step = (x: any) => x?.Tags?.find((t: any) => t.Key === "egress-cli:step")?.Value ?? "-";

/** accountSignature plus what it does not see: IPv6 blocks (as slots of the VPC's /56), subnet IPv6 attributes, EIGWs, IPv6 routes. */
function signature(state: any) {
  const r = state.regions["us-east-1"];
  const eigws = (r.ext?.egressOnlyInternetGateways ?? {}) as Record<string, any>;
  const blockOf = (vpcId: string) => r.vpcs[vpcId]?.Ipv6Cidrs?.[0]?.Ipv6CidrBlock;
  const slot = (vpcId: string, cidr: string) => {
    const b = blockOf(vpcId);
    return b ? String((parseCidr(cidr)!.base - parseCidr(b)!.base) >> 64n) : `?${cidr}`;
  };
  const target = (rt: any, x: any) =>
    x.GatewayId === "local" ? "local" : x.EgressOnlyInternetGatewayId ? `eigw:${step(eigws[x.EgressOnlyInternetGatewayId])}` : x.GatewayId ? `igw:${step(r.internetGateways[x.GatewayId])}` : x.NatGatewayId ? `nat:${step(r.natGateways[x.NatGatewayId])}` : "other";
  const dest = (rt: any, x: any) => (x.DestinationIpv6CidrBlock === blockOf(rt.VpcId) ? "vpc/56" : x.DestinationIpv6CidrBlock);
  // accountSignature names subnets by their IPv4 block: an IPv6-only one by its slot instead
  const named = structuredClone(state);
  for (const sub of Object.values<any>(named.regions["us-east-1"].subnets)) if (!sub.CidrBlock && sub.Ipv6Cidrs?.length) sub.CidrBlock = `v6slot:${slot(sub.VpcId, sub.Ipv6Cidrs[0].Ipv6CidrBlock)}`;
  return {
    ...accountSignature(named),
    vpcsV6: Object.values<any>(r.vpcs).map((v) => `${v.CidrBlock}|v6=${(v.Ipv6Cidrs ?? []).length}`).sort(),
    subnetsV6: Object.values<any>(r.subnets)
      .filter((s) => s.Ipv6Cidrs?.length)
      .map((s) => `${step(s)}|slot=${slot(s.VpcId, s.Ipv6Cidrs[0].Ipv6CidrBlock)}|native=${Boolean(s.Ipv6Native)}|assign=${Boolean(s.AssignIpv6AddressOnCreation)}|dns64=${Boolean(s.EnableDns64)}|aaaa=${Boolean(s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsAAAARecord)}`)
      .sort(),
    eigws: Object.values<any>(eigws).map((g) => `${step(g)}|${r.vpcs[g.VpcId]?.CidrBlock}`).sort(),
    routesV6: Object.values<any>(r.routeTables)
      .map((t) => `${step(t)}:${t.Routes.filter((x: any) => x.DestinationIpv6CidrBlock).map((x: any) => `${dest(t, x)}>${target(t, x)}`).sort().join(",")}`)
      .sort(),
  };
}

async function freshAccount() {
  const template = tempDir("egress-crash6-base-");
  const sb = await openSandbox(path.join(template, "sb.json"));
  await sb.call("ec2", "DescribeVpcs", {}, "us-east-1");
  return { template, pristine: signature(sb.state()) };
}

/** Everything tagged with the plan is recorded in it (EIGWs included). */
function noOrphans(dir: string, n: number): string[] {
  const r = readSandboxState(path.join(dir, "sb.json")).regions["us-east-1"];
  const ids: string[] = [];
  const tagged = (x: any) => x.State !== "deleted" && x.Tags?.some((t: any) => t.Key === "egress-cli:plan" && t.Value === "crash6");
  for (const [k, f] of [["vpcs", "VpcId"], ["subnets", "SubnetId"], ["internetGateways", "InternetGatewayId"], ["routeTables", "RouteTableId"], ["addresses", "AllocationId"], ["natGateways", "NatGatewayId"]] as const)
    for (const x of Object.values<any>(r[k])) if (tagged(x)) ids.push(x[f]);
  const eigws = Object.values<any>(r.ext?.egressOnlyInternetGateways ?? {}).filter(tagged).map((g) => g.EgressOnlyInternetGatewayId);
  const plan = JSON.parse(readFileSync(path.join(dir, "egress-plan.json"), "utf8"));
  const recordedEigw = new Set(Object.values<any>(plan.resources).filter((x) => x.kind === "egress-only-igw" && x.state === "created").map((x) => x.id));
  const recorded = planIds(path.join(dir, "egress-plan.json"));
  return [...ids.filter((id) => !recorded.has(id)), ...eigws.filter((id) => !recordedEigw.has(id))].map((id) => `N=${n}: orphan ${id} is tagged with the plan but not recorded`);
}

test("kill -9 after every mutating call of create-vpc --ipv6 --ipv6-only-private + add-nat, then re-run: same account as an uninterrupted run", { timeout: 900_000 }, async () => {
  const { template } = await freshAccount();
  const m = await crashMatrix({ template, commands: [CREATE, NAT], signature, check: noOrphans });
  // create-vpc: VPC, 2 DNS attributes, EIGW, IGW + attachment, 3 tables, 2 IPv4 + 1 IPv6 public routes… ; add-nat: EIP, NAT, 2 routes, 2 NAT64 routes, 2 DNS64
  assert.ok(m.perCommand[0] >= 20 && m.perCommand[1] >= 8, `create-vpc made ${m.perCommand[0]} changes, add-nat ${m.perCommand[1]}`);
  assert.deepEqual(m.failures, []);
});

test("kill -9 after every mutating call of destroy of that plan, then re-run: nothing of it is left", { timeout: 900_000 }, async () => {
  const { template, pristine } = await freshAccount();
  const built = copyDir(template);
  assert.equal((await exec(CREATE, built)).code, 0);
  assert.equal((await exec(NAT, built)).code, 0);
  const m = await crashMatrix({ template: built, commands: [DESTROY], signature });
  assert.deepEqual(m.expected, pristine, "an uninterrupted destroy gives back the fresh account");
  assert.deepEqual(m.failures, []);
});
