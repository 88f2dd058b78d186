// create-vpc --ipv6 [--ipv6-only-private], add-nat's NAT64 + DNS64 for IPv6-only subnets, status's
// IPv6 egress per subnet, import's IPv6 tiers — end to end on the sandbox, audited, destroyed clean.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleSandbox, readPlan } from "./helpers.js";
import { cidrContains, parseCidr } from "../src/net/addr.js";

type Env = Awaited<ReturnType<typeof exampleSandbox>>;
const call = async (env: Env, op: string, input: object) => {
  const r = await env.run("sandbox", "call", "ec2", op, JSON.stringify(input));
  assert.equal(r.code, 0, `${op}: ${r.stderr}`);
  return r.json();
};
/** The audit at its default --fail-on (high): exit 0, and no high or critical finding. */
async function auditPasses(env: Env) {
  const a = await env.run("--json", "audit", "--plan");
  const doc = a.json();
  const bad = doc.findings.filter((f: any) => f.severity === "high" || f.severity === "critical");
  assert.deepEqual(bad.map((f: any) => `${f.ruleId ?? f.rule} ${f.resourceId ?? ""}`), []);
  assert.equal(a.code, 0, a.stderr);
  return doc;
}
async function destroyedClean(env: Env, plan: string) {
  const d = await env.run("destroy", "--yes");
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual(await env.sandbox.taggedResources("us-east-1", "egress-cli:plan", plan), []);
}

test("create-vpc --ipv6: a /56, a /64 per subnet (dual-stack, IPv6 on creation), ::/0 → IGW public and → EIGW private; idempotent; audited; status live; destroyed clean", async () => {
  const env = await exampleSandbox("egress-ipv6-");
  const r = await env.run("--json", "create-vpc", "--name", "dual", "--cidr", "10.61.0.0/16", "--azs", "2", "--ipv6");
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  const block = parseCidr(out.ipv6Cidr)!;
  assert.equal(block.len, 56);
  assert.match(out.egressOnlyInternetGatewayId, /^eigw-/);
  assert.equal(out.subnets.length, 4);
  for (const s of out.subnets) {
    assert.ok(s.cidr, "dual-stack: an IPv4 block too");
    assert.ok(cidrContains(block, parseCidr(s.ipv6Cidr)!) && parseCidr(s.ipv6Cidr)!.len === 64, s.ipv6Cidr);
  }
  const subnets = (await call(env, "DescribeSubnets", { SubnetIds: out.subnets.map((s: any) => s.subnetId) })).Subnets;
  assert.ok(subnets.every((s: any) => s.AssignIpv6AddressOnCreation === true && s.Ipv6Native === false));
  const tables = (await call(env, "DescribeRouteTables", { Filters: [{ Name: "vpc-id", Values: [out.vpcId] }] })).RouteTables;
  const v6 = (t: any) => t.Routes.find((x: any) => x.DestinationIpv6CidrBlock === "::/0");
  const pub = tables.find((t: any) => t.RouteTableId === out.routeTables.find((x: any) => x.tier === "public").routeTableId);
  assert.equal(v6(pub).GatewayId, out.internetGatewayId);
  for (const t of out.routeTables.filter((x: any) => x.tier === "private")) {
    const live = tables.find((x: any) => x.RouteTableId === t.routeTableId);
    assert.equal(v6(live).EgressOnlyInternetGatewayId, out.egressOnlyInternetGatewayId);
    assert.equal(live.Routes.find((x: any) => x.DestinationCidrBlock === "0.0.0.0/0"), undefined, "no IPv4 egress before add-nat");
  }
  assert.equal(readPlan<any>(env.cwd).resources.eigw.kind, "egress-only-igw");
  // a re-run changes nothing
  const before = env.sandbox.stats().mutatingCalls;
  const again = await env.run("--json", "create-vpc");
  assert.equal(again.code, 0, again.stderr);
  assert.ok(Object.values(again.json().steps).every((o) => o === "exists"));
  assert.equal(env.sandbox.stats().mutatingCalls, before);
  await auditPasses(env);
  // status: each subnet's IPv6 egress, as AWS has it now (a route replaced by hand shows)
  const st = await env.run("--json", "status");
  assert.equal(st.code, 0, st.stderr);
  const rows = st.json().subnets;
  assert.ok(rows.filter((s: any) => s.tier === "private").every((s: any) => s.ipv6DefaultRoute === `${out.egressOnlyInternetGatewayId} (out only)`));
  assert.ok(rows.filter((s: any) => s.tier === "public").every((s: any) => s.ipv6DefaultRoute === `${out.internetGatewayId} (in and out)`));
  const privTable = out.routeTables.find((x: any) => x.tier === "private").routeTableId;
  await call(env, "DeleteRoute", { RouteTableId: privTable, DestinationIpv6CidrBlock: "::/0" });
  const st2 = (await env.run("--json", "status")).json().subnets;
  assert.ok(st2.some((s: any) => s.tier === "private" && s.ipv6DefaultRoute === null), "the deleted route shows at once");
  const drift = (await env.run("--json", "status")).json().drift;
  assert.ok(drift.some((d: any) => d.what === "::/0 route" && d.plan === out.egressOnlyInternetGatewayId && d.live === null), JSON.stringify(drift));
  const text = await env.run("status");
  assert.match(text.stdout, /::\/0 →/);
  assert.match(text.stdout, /out only/);
  await destroyedClean(env, "dual");
});

test("--ipv6-only-private, then add-nat: 64:ff9b::/96 → NAT and DNS64 on for the IPv6-only subnets (both); audited; destroyed clean", async () => {
  const env = await exampleSandbox("egress-ipv6-only-");
  const r = await env.run("--json", "create-vpc", "--name", "six", "--cidr", "10.62.0.0/16", "--azs", "2", "--ipv6-only-private");
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  const priv = out.subnets.filter((s: any) => s.tier === "private");
  assert.equal(priv.length, 2);
  assert.ok(priv.every((s: any) => s.cidr === null && s.ipv6Cidr));
  const live = (await call(env, "DescribeSubnets", { SubnetIds: priv.map((s: any) => s.subnetId) })).Subnets;
  for (const s of live) {
    assert.equal(s.CidrBlock, undefined);
    assert.equal(s.Ipv6Native, true);
    assert.equal(s.EnableDns64, false, "no DNS64 before a NAT64 route exists");
    assert.equal(s.PrivateDnsNameOptionsOnLaunch.HostnameType, "resource-name");
    assert.equal(s.PrivateDnsNameOptionsOnLaunch.EnableResourceNameDnsAAAARecord, true);
  }
  await auditPasses(env);
  const nat = await env.run("--json", "add-nat");
  assert.equal(nat.code, 0, nat.stderr);
  const n = nat.json();
  const natId = n.natGateways[0].natGatewayId;
  assert.equal(n.nat64.routes.length, 2);
  assert.ok(n.nat64.routes.every((x: any) => x.natGatewayId === natId && x.destination === "64:ff9b::/96"));
  assert.ok(n.nat64.subnets.every((x: any) => x.dns64));
  const after = (await call(env, "DescribeSubnets", { SubnetIds: priv.map((s: any) => s.subnetId) })).Subnets;
  assert.ok(after.every((s: any) => s.EnableDns64 === true));
  const tables = (await call(env, "DescribeRouteTables", { RouteTableIds: out.routeTables.filter((t: any) => t.tier === "private").map((t: any) => t.routeTableId) })).RouteTables;
  for (const t of tables) assert.equal(t.Routes.find((x: any) => x.DestinationIpv6CidrBlock === "64:ff9b::/96")?.NatGatewayId, natId);
  const st = (await env.run("--json", "status")).json().subnets.filter((s: any) => s.tier === "private");
  assert.ok(st.every((s: any) => s.nat64Route === natId && /^eigw-.* \(out only\)$/.test(s.ipv6DefaultRoute)));
  const again = await env.run("--json", "add-nat");
  assert.ok(Object.values(again.json().steps).every((o) => o === "exists"), JSON.stringify(again.json().steps));
  await auditPasses(env);
  await destroyedClean(env, "six");
});

test("add-nat refuses (exit 2, nothing changed) when an IPv6-only subnet's table already sends 64:ff9b::/96 elsewhere", async () => {
  const env = await exampleSandbox("egress-ipv6-refuse-");
  const r = await env.run("--json", "create-vpc", "--name", "six", "--cidr", "10.63.0.0/16", "--azs", "1", "--ipv6-only-private");
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  const table = out.routeTables.find((t: any) => t.tier === "private").routeTableId;
  // someone's NAT64 through another appliance: an ENI in the public subnet
  const pub = out.subnets.find((s: any) => s.tier === "public").subnetId;
  const eni = (await call(env, "CreateNetworkInterface", { SubnetId: pub })).NetworkInterface.NetworkInterfaceId;
  await call(env, "CreateRoute", { RouteTableId: table, DestinationIpv6CidrBlock: "64:ff9b::/96", NetworkInterfaceId: eni });
  const before = env.sandbox.stats().mutatingCalls;
  const nat = await env.run("add-nat");
  assert.equal(nat.code, 2, nat.stderr);
  assert.match(nat.stderr, /already sends 64:ff9b::\/96 to eni-/);
  assert.equal(env.sandbox.stats().mutatingCalls, before, "nothing was changed");
});

test("create-vpc: --ipv6-only-private without private subnets, and --ipv6 on an IPv4 plan, are refused (exit 2)", async () => {
  const env = await exampleSandbox("egress-ipv6-bad-");
  const a = await env.run("create-vpc", "--name", "x", "--ipv6-only-private", "--private-subnets", "0");
  assert.equal(a.code, 2);
  assert.match(a.stderr, /no private subnet to make IPv6-only/);
  assert.equal((await env.run("create-vpc", "--name", "v4", "--cidr", "10.64.0.0/16", "--azs", "1")).code, 0);
  const b = await env.run("create-vpc", "--ipv6");
  assert.equal(b.code, 2);
  assert.match(b.stderr, /--ipv6 \(plan's VPC is IPv4-only\)/);
});

test("import classifies IPv6 tiers the same way: ::/0 → IGW public, → EIGW private; an IPv6-only subnet's tier is its IPv6 tier", async () => {
  const env = await exampleSandbox("egress-ipv6-import-");
  const vpc = (await call(env, "CreateVpc", { CidrBlock: "10.65.0.0/16", AmazonProvidedIpv6CidrBlock: true })).Vpc.VpcId;
  const block = (await call(env, "DescribeVpcs", { VpcIds: [vpc] })).Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock;
  const { ipv6SubnetCidr } = await import("../src/net/ipv6-layout.js");
  const igw = (await call(env, "CreateInternetGateway", {})).InternetGateway.InternetGatewayId;
  await call(env, "AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
  const eigw = (await call(env, "CreateEgressOnlyInternetGateway", { VpcId: vpc })).EgressOnlyInternetGateway.EgressOnlyInternetGatewayId;
  const table = async (routes: object[]) => {
    const id = (await call(env, "CreateRouteTable", { VpcId: vpc })).RouteTable.RouteTableId;
    for (const r of routes) await call(env, "CreateRoute", { RouteTableId: id, ...r });
    return id;
  };
  const subnet = async (input: object, rt: string) => {
    const id = (await call(env, "CreateSubnet", { VpcId: vpc, AvailabilityZone: "us-east-1a", ...input })).Subnet.SubnetId;
    await call(env, "AssociateRouteTable", { RouteTableId: rt, SubnetId: id });
    return id;
  };
  const publicRt = await table([{ DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }, { DestinationIpv6CidrBlock: "::/0", GatewayId: igw }]);
  const privateRt = await table([{ DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw }]);
  const v6PublicRt = await table([{ DestinationIpv6CidrBlock: "::/0", GatewayId: igw }]);
  const dualPublic = await subnet({ CidrBlock: "10.65.0.0/24", Ipv6CidrBlock: ipv6SubnetCidr(block, 0) }, publicRt);
  const dualPrivate = await subnet({ CidrBlock: "10.65.1.0/24", Ipv6CidrBlock: ipv6SubnetCidr(block, 0x80) }, privateRt);
  const onlyPrivate = await subnet({ Ipv6Native: true, Ipv6CidrBlock: ipv6SubnetCidr(block, 0x81) }, privateRt);
  const onlyPublic = await subnet({ Ipv6Native: true, Ipv6CidrBlock: ipv6SubnetCidr(block, 1) }, v6PublicRt);
  const r = await env.run("--json", "import", "--vpc", vpc, "--name", "adopted");
  assert.equal(r.code, 0, r.stderr);
  const doc = r.json();
  const by = Object.fromEntries(doc.subnets.map((s: any) => [s.subnetId, `${s.tier}/${s.ipv6Tier}`]));
  assert.deepEqual(by, { [dualPublic]: "public/public", [dualPrivate]: "private/private", [onlyPrivate]: "private/private", [onlyPublic]: "public/public" });
  assert.equal(doc.egressOnlyInternetGatewayId, eigw);
  const plan = readPlan<any>(env.cwd);
  assert.equal(plan.resources.eigw.owned, false, "an imported gateway is never deleted");
  const text = await env.run("import", "--vpc", vpc, "--name", "adopted");
  assert.match(text.stdout, /IPv6 tier/);
});

test("an imported IPv6-only subnet: add-nat turns DNS64 on with its NAT64 route; destroy puts both back and keeps the subnet", async () => {
  const env = await exampleSandbox("egress-ipv6-kept-");
  const { ipv6SubnetCidr } = await import("../src/net/ipv6-layout.js");
  const vpc = (await call(env, "CreateVpc", { CidrBlock: "10.66.0.0/16", AmazonProvidedIpv6CidrBlock: true })).Vpc.VpcId;
  const block = (await call(env, "DescribeVpcs", { VpcIds: [vpc] })).Vpcs[0].Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock;
  const igw = (await call(env, "CreateInternetGateway", {})).InternetGateway.InternetGatewayId;
  await call(env, "AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
  const eigw = (await call(env, "CreateEgressOnlyInternetGateway", { VpcId: vpc })).EgressOnlyInternetGateway.EgressOnlyInternetGatewayId;
  const pubRt = (await call(env, "CreateRouteTable", { VpcId: vpc })).RouteTable.RouteTableId;
  await call(env, "CreateRoute", { RouteTableId: pubRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  const privRt = (await call(env, "CreateRouteTable", { VpcId: vpc })).RouteTable.RouteTableId;
  await call(env, "CreateRoute", { RouteTableId: privRt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw });
  const pub = (await call(env, "CreateSubnet", { VpcId: vpc, CidrBlock: "10.66.0.0/24", AvailabilityZone: "us-east-1a" })).Subnet.SubnetId;
  await call(env, "AssociateRouteTable", { RouteTableId: pubRt, SubnetId: pub });
  const only = (await call(env, "CreateSubnet", { VpcId: vpc, Ipv6Native: true, Ipv6CidrBlock: ipv6SubnetCidr(block, 0x80), AvailabilityZone: "us-east-1a" })).Subnet.SubnetId;
  await call(env, "AssociateRouteTable", { RouteTableId: privRt, SubnetId: only });
  assert.equal((await env.run("import", "--vpc", vpc, "--name", "kept")).code, 0);
  const nat = await env.run("--json", "add-nat");
  assert.equal(nat.code, 0, nat.stderr);
  assert.deepEqual(nat.json().nat64.subnets, [{ subnetId: only, dns64: true }]);
  const sub = async () => (await call(env, "DescribeSubnets", { SubnetIds: [only] })).Subnets[0];
  assert.equal((await sub()).EnableDns64, true);
  const d = await env.run("destroy", "--yes");
  assert.equal(d.code, 0, d.stderr);
  assert.equal((await sub()).EnableDns64, false, "DNS64 back off on the subnet the plan keeps");
  const routes = (await call(env, "DescribeRouteTables", { RouteTableIds: [privRt] })).RouteTables[0].Routes;
  assert.equal(routes.find((r: any) => r.DestinationIpv6CidrBlock === "64:ff9b::/96"), undefined, "the NAT64 route removed");
  assert.equal(routes.find((r: any) => r.DestinationIpv6CidrBlock === "::/0")?.EgressOnlyInternetGatewayId, eigw, "the imported ::/0 route kept");
  assert.equal((await call(env, "DescribeEgressOnlyInternetGateways", { EgressOnlyInternetGatewayIds: [eigw] })).EgressOnlyInternetGateways.length, 1, "the imported EIGW kept");
});

test("sandbox load of a snapshot of an IPv6 build keeps its IPv6: blocks, IPv6-only subnets, EIGW, ::/0 and NAT64 routes", async () => {
  const env = await exampleSandbox("egress-ipv6-load-");
  assert.equal((await env.run("create-vpc", "--name", "six", "--cidr", "10.67.0.0/16", "--azs", "1", "--ipv6-only-private")).code, 0);
  assert.equal((await env.run("add-nat")).code, 0);
  const vpcId = readPlan<any>(env.cwd).resources.vpc.id;
  const snap = await env.run("snapshot", "--vpc", vpcId, "--out", "snap.json");
  assert.equal(snap.code, 0, snap.stderr);
  const { cli, cleanEnv } = await import("./helpers.js");
  const other = (...a: string[]) => cli(["--sandbox-file", "other.json", ...a], { cwd: env.cwd, env: cleanEnv() });
  const loaded = await other("sandbox", "load", "snap.json");
  assert.equal(loaded.code, 0, loaded.stderr);
  const q = async (op: string, input: object) => (await other("sandbox", "call", "ec2", op, JSON.stringify(input))).json();
  const vpc = (await q("DescribeVpcs", { VpcIds: [vpcId] })).Vpcs[0];
  assert.equal(vpc.Ipv6CidrBlockAssociationSet.length, 1);
  const subnets = (await q("DescribeSubnets", { Filters: [{ Name: "vpc-id", Values: [vpcId] }] })).Subnets;
  const only = subnets.find((s: any) => s.Ipv6Native);
  assert.ok(only && only.CidrBlock === undefined && only.EnableDns64 === true, JSON.stringify(only));
  const tables = (await q("DescribeRouteTables", { Filters: [{ Name: "vpc-id", Values: [vpcId] }] })).RouteTables;
  const priv = tables.find((t: any) => t.Associations.some((a: any) => a.SubnetId === only.SubnetId));
  assert.match(priv.Routes.find((r: any) => r.DestinationIpv6CidrBlock === "::/0").EgressOnlyInternetGatewayId, /^eigw-/);
  assert.equal(priv.Routes.find((r: any) => r.DestinationIpv6CidrBlock === "::/0").State, "active");
  assert.match(priv.Routes.find((r: any) => r.DestinationIpv6CidrBlock === "64:ff9b::/96").NatGatewayId, /^nat-/);
});

test("create-vpc: --ipv6-only-private with 0 private subnets is collected with the other input problems (one exit 2, all reported, nothing changed)", async () => {
  const env = await exampleSandbox("egress-ipv6-problems-");
  const before = env.sandbox.stats().mutatingCalls;
  const a = await env.run("create-vpc", "--name", "x", "--cidr", "10.66.0.0/24", "--subnet-prefix", "16", "--ipv6-only-private", "--private-subnets", "0");
  assert.equal(a.code, 2, a.stderr);
  assert.match(a.stderr, /2 problems \(nothing was changed\)/);
  assert.match(a.stderr, /no private subnet to make IPv6-only/);
  assert.match(a.stderr, /Subnet size \/16 is larger than the VPC 10\.66\.0\.0\/24/);
  const b = await env.run("create-vpc", "--name", "x", "--ipv6-only-private", "--private-subnets", "0", "--public-subnets", "0");
  assert.equal(b.code, 2, b.stderr);
  assert.match(b.stderr, /leave nothing to create[\s\S]*no private subnet to make IPv6-only/);
  assert.equal(env.sandbox.stats().mutatingCalls, before, "nothing was changed");
});
