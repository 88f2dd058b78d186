// IPv6 egress and VPC Block Public Access end to end on the sandbox (issue 22's must-show, built with SDK
// calls until create-vpc --ipv6 builds it): a dual-stack VPC with a public subnet (IGW, NAT gateway), a
// dual-stack private subnet (0.0.0.0/0 → NAT, ::/0 → egress-only gateway) and an IPv6-only subnet (DNS64,
// ::/0 → egress-only gateway, 64:ff9b::/96 → NAT). analyze-path proves the IPv6 paths (the offline analyzer:
// Reachability Analyzer is IPv4-only, and says so), refuses inbound, and BPA set with `sandbox call` cuts
// every internet path with VPC_BLOCK_PUBLIC_ACCESS_ENABLED until an allow-egress exclusion restores one subnet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCidr } from "../src/net/addr.js";
import { cleanEnv, cli, sandboxKit, tempDir } from "./helpers.js";

/** The i-th /64 of a /56. */
function slot(block56: string, i: number): string {
  const c = parseCidr(block56)!;
  const base = c.base + (BigInt(i) << 64n);
  const groups: string[] = [];
  for (let g = 7; g >= 4; g--) groups.push(((base >> BigInt(g * 16)) & 0xffffn).toString(16));
  return `${groups.join(":")}::/64`;
}

async function dualStack() {
  const { sb, ec2 } = await sandboxKit();
  const vpc = (await ec2.createVpc({ CidrBlock: "10.90.0.0/16", AmazonProvidedIpv6CidrBlock: true })).Vpc!.VpcId!;
  const block = (await ec2.describeVpcs({ VpcIds: [vpc] })).Vpcs![0]!.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!;
  const sub = async (cidr: string | undefined, i: number) =>
    (await ec2.createSubnet({ VpcId: vpc, AvailabilityZone: "us-east-1a", Ipv6CidrBlock: slot(block, i), ...(cidr ? { CidrBlock: cidr } : { Ipv6Native: true }) })).Subnet!.SubnetId!;
  const pub = await sub("10.90.0.0/24", 0);
  const priv = await sub("10.90.10.0/24", 1);
  const v6only = await sub(undefined, 2);
  await ec2.modifySubnetAttribute({ SubnetId: v6only, EnableDns64: { Value: true } });
  const igw = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  await ec2.attachInternetGateway({ InternetGatewayId: igw, VpcId: vpc });
  const eigw = (await ec2.createEgressOnlyInternetGateway({ VpcId: vpc })).EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId!;
  const table = async (subnet: string, routes: Array<Record<string, string>>) => {
    const rt = (await ec2.createRouteTable({ VpcId: vpc })).RouteTable!.RouteTableId!;
    for (const r of routes) await ec2.createRoute({ RouteTableId: rt, ...r });
    await ec2.associateRouteTable({ RouteTableId: rt, SubnetId: subnet });
    return rt;
  };
  await table(pub, [{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }, { DestinationIpv6CidrBlock: "::/0", GatewayId: igw }]);
  const eip = (await ec2.allocateAddress({ Domain: "vpc" })).AllocationId!;
  const nat = (await ec2.createNatGateway({ SubnetId: pub, AllocationId: eip })).NatGateway!.NatGatewayId!;
  await table(priv, [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }, { DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw }]);
  const v6rt = await table(v6only, [{ DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw }, { DestinationIpv6CidrBlock: "64:ff9b::/96", NatGatewayId: nat }]);
  // a workload's interface in the private subnet: Reachability Analyzer's IPv4 source
  const eni = (await ec2.createNetworkInterface({ SubnetId: priv })).NetworkInterface!.NetworkInterfaceId!;
  const cwd = tempDir("egress-ipv6-e2e-");
  const run = (...argv: string[]) => cli(["--sandbox", ...argv], { cwd, env: cleanEnv(), sandbox: sb });
  return { sb, ec2, run, ids: { vpc, pub, priv, v6only, igw, eigw, nat, v6rt, eni } };
}

const code = (r: { json(): any }) => r.json().result.explanations[0]?.code;
const hopIds = (r: { json(): any }) => r.json().result.hops.map((h: { component: { id: string } }) => h.component.id);

test("dual-stack and IPv6-only subnets: EIGW egress and NAT64 reachable, inbound refused; RA mode falls back, stated", async () => {
  const { run, ids } = await dualStack();
  const v6 = await run("analyze-path", "--from", ids.priv, "--to", "2606:4700:4700::1111", "--json");
  assert.equal(v6.code, 0, v6.stdout + v6.stderr);
  assert.equal(v6.json().fallback.requested, "aws");
  assert.match(v6.json().fallback.reason, /Reachability Analyzer analyzes IPv4 only/);
  assert.ok(hopIds(v6).includes(ids.eigw));

  const n64 = await run("analyze-path", "--from", ids.v6only, "--to", "203.0.113.10", "--json");
  assert.equal(n64.code, 0, n64.stdout + n64.stderr);
  assert.match(n64.json().fallback.reason, new RegExp(`${ids.v6only} is IPv6-only`));
  assert.ok([ids.nat, ids.igw].every((id) => hopIds(n64).includes(id)));
  assert.ok(n64.json().result.additionalDetails.some((d: string) => d.startsWith("DNS64_ASSUMED:")));
  const text = await run("analyze-path", "--from", ids.v6only, "--to", "203.0.113.10");
  assert.match(text.stdout, /Reachability Analyzer analyzes IPv4 only .* The offline analyzer answered instead\./);
  assert.match(text.stdout, /DNS64_ASSUMED/);

  for (const to of [ids.priv, ids.v6only]) {
    const inbound = await run("analyze-path", "--from", "internet6", "--to", to, "--local", "--json");
    assert.equal(inbound.code, 4, inbound.stdout + inbound.stderr);
    assert.equal(code(inbound), "EGRESS_ONLY_GATEWAY_NO_INBOUND");
  }
  // IPv4 from the same private subnet still leaves through the NAT gateway: RA (IPv4) answers that one itself.
  const v4 = await run("analyze-path", "--from", ids.eni, "--to", "internet", "--compare", "--json");
  assert.equal(v4.code, 0, v4.stdout + v4.stderr);
  assert.equal(v4.json().fallback, undefined);
  assert.deepEqual(v4.json().disagreements, []);
});

test("BPA block-bidirectional (sandbox call): every internet path unreachable with the code; an allow-egress exclusion on one subnet restores its egress only", async () => {
  const { run, ids } = await dualStack();
  const set = await run("sandbox", "call", "ec2", "ModifyVpcBlockPublicAccessOptions", '{"InternetGatewayBlockMode":"block-bidirectional"}');
  assert.equal(set.code, 0, set.stdout + set.stderr);
  const paths: Array<[string, string, string]> = [
    [ids.priv, "internet6", ids.eigw],
    [ids.priv, "internet", ids.igw],
    [ids.v6only, "203.0.113.10", ids.igw],
    [ids.v6only, "internet6", ids.eigw],
    [ids.pub, "internet", ids.igw],
  ];
  for (const [from, to, at] of paths) {
    const r = await run("analyze-path", "--from", from, "--to", to, "--local", "--json");
    assert.equal(r.code, 4, `${from} → ${to}: ${r.stdout}${r.stderr}`);
    assert.equal(code(r), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED");
    assert.equal(r.json().result.explanations[0].component.id, at);
  }
  // Reachability Analyzer (emulated) says the same on the IPv4 path it can analyze
  const ra = await run("analyze-path", "--from", ids.eni, "--to", "internet", "--json");
  assert.equal(ra.code, 4, ra.stdout + ra.stderr);
  assert.equal(code(ra), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED");

  const ex = await run("sandbox", "call", "ec2", "CreateVpcBlockPublicAccessExclusion", JSON.stringify({ SubnetId: ids.priv, InternetGatewayExclusionMode: "allow-egress" }));
  assert.equal(ex.code, 0, ex.stdout + ex.stderr);
  const restored = await run("analyze-path", "--from", ids.priv, "--to", "internet6", "--local", "--json");
  assert.equal(restored.code, 0, restored.stdout + restored.stderr);
  for (const [from, to] of [[ids.v6only, "internet6"], [ids.priv, "internet"], [ids.pub, "internet"]] as const) {
    const r = await run("analyze-path", "--from", from, "--to", to, "--local", "--json");
    assert.equal(r.code, 4, `${from} → ${to} stays blocked: ${r.stdout}`);
    assert.equal(code(r), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED");
  }
  const inbound = await run("analyze-path", "--from", "internet6", "--to", ids.priv, "--local", "--json");
  assert.equal(inbound.code, 4);
  assert.equal(code(inbound), "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "allow-egress admits no inbound");
  // the audit names what BPA took away
  const audit = await run("audit", "--all-vpcs", "--format", "json");
  const found = audit.json().findings.filter((f: { ruleId: string }) => f.ruleId === "bpa-blocks-egress").map((f: { resourceId: string }) => f.resourceId).sort();
  assert.deepEqual(found, [ids.priv, ids.v6only].sort());
});
