// egress-ips (issue 21 item 5): the static egress addresses a vendor allowlist needs, each with the
// workloads the analyzer proves leave from it; the allowlist formats and --check's difference (pure),
// then end to end on the sandbox.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { allowlistDiff, egressIps, parseAllowlist, toCsv } from "../src/analysis/egress-ips.js";
import { buildIndex } from "../src/analysis/snapshot-index.js";
import { good, goodSnapshot, regionalSnapshot } from "./audit-fixtures.js";

const summary = (r: ReturnType<typeof egressIps>) => r.addresses.map((a) => `${a.publicIp} ${a.kind} ${a.via} ${a.availabilityZone} [${a.workloads.map((w) => `${w.source}@${w.subnetId}`).join(" ")}]`);

describe("egress-ips on snapshot fixtures", () => {
  test("zonal NAT per AZ: each Elastic IP with its AZ and the workloads whose proven path leaves from it", () => {
    const r = egressIps(buildIndex(goodSnapshot()));
    assert.deepEqual(summary(r), [
      "198.51.100.1 nat-gateway nat-a us-east-1a [i-app@subnet-priv-a lambda:worker@subnet-priv-a]",
      "198.51.100.2 nat-gateway nat-b us-east-1b [lambda:worker@subnet-priv-b]",
    ]);
    assert.deepEqual(r.noEgress, []);
    assert.equal(r.addresses[0]!.allocationId, "eipalloc-a");
  });

  test("regional NAT: an address per AZ; routes, not names, decide (AZ b routed to nat-a's address)", () => {
    assert.deepEqual(summary(egressIps(buildIndex(regionalSnapshot()))), [
      "198.51.100.11 regional-nat-gateway nat-r us-east-1a [i-app@subnet-priv-a lambda:worker@subnet-priv-a]",
      "198.51.100.12 regional-nat-gateway nat-r us-east-1b [lambda:worker@subnet-priv-b]",
    ]);
    const crossed = egressIps(buildIndex(good((s) => (s.routeTables.find((t: any) => t.RouteTableId === "rtb-priv-b").Routes[1].NatGatewayId = "nat-a"))));
    assert.deepEqual(summary(crossed)[0], "198.51.100.1 nat-gateway nat-a us-east-1a [i-app@subnet-priv-a lambda:worker@subnet-priv-a lambda:worker@subnet-priv-b]");
    assert.deepEqual(crossed.addresses[1]!.workloads, [], "nat-b's address is still a static egress address (listed), with no workload today");
  });

  test("a workload with no proven path is named with the analyzer's reason, never given an address", () => {
    const r = egressIps(buildIndex(regionalSnapshot({ azs: ["a"], manual: true })));
    assert.deepEqual(r.noEgress.map((w) => `${w.source}@${w.subnetId} ${w.verdict}`), ["lambda:worker@subnet-priv-b unreachable"]);
    assert.match(r.noEgress[0]!.reason, /^REGIONAL_NGW_ROUTE_AZ_RESTRICTION at nat-r/);
  });

  test("the files it writes are the files --check reads: JSON document, JSON array, CSV, text; a difference both ways", () => {
    const r = egressIps(buildIndex(goodSnapshot()));
    const ips = ["198.51.100.1", "198.51.100.2"];
    assert.deepEqual(parseAllowlist(JSON.stringify({ command: "egress-ips", addresses: r.addresses })), { ips, problems: [] });
    assert.deepEqual(parseAllowlist(JSON.stringify(ips)), { ips, problems: [] });
    const csv = toCsv(r.addresses);
    assert.match(csv, /^public_ip,allocation_id,via,kind,availability_zone,vpc_id,region,account_id,workloads\n198\.51\.100\.1,eipalloc-a,nat-a,nat-gateway,us-east-1a,vpc-good,us-east-1,111111111111,i-app lambda:worker\n/);
    assert.deepEqual(parseAllowlist(csv), { ips, problems: [] });
    assert.deepEqual(parseAllowlist("# vendor allowlist\n198.51.100.2/32\n\n198.51.100.1   nat-a us-east-1a\n"), { ips, problems: [] });
    assert.deepEqual(parseAllowlist("198.51.100.1\nexample.com\n").problems, ['line 2: "example.com" is not an IPv4 address']);
    assert.match(parseAllowlist("{ nope").problems[0]!, /^not valid JSON/);
    assert.deepEqual(allowlistDiff(["198.51.100.1", "198.51.100.3"], ips), { added: ["198.51.100.3"], removed: ["198.51.100.2"] });
  });
});

// --- End to end on the sandbox (in process). ---
import { EC2 } from "@aws-sdk/client-ec2";
import { readFileSync, writeFileSync } from "node:fs";
import { SANDBOX_CREDENTIALS, exampleSandbox, plugged } from "./helpers.js";

type T = Awaited<ReturnType<typeof exampleSandbox>>;
const ok = async (t: T, ...argv: string[]) => {
  const r = await t.run(...argv);
  assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
  return r;
};
const planOf = (t: T) => JSON.parse(readFileSync(`${t.cwd}/egress-plan.json`, "utf8"));
// The test sandbox has no transition delays (no realistic timing): what a command waited for holds at the first look.
const until = async (what: string, f: () => Promise<boolean>) => assert.ok(await f(), `not yet: ${what}`);

describe("egress-ips end to end (sandbox)", () => {
  test("S1 as typed: the NAT gateway's Elastic IP, its AZ and lambda:sms-sender in both subnets; --check passes, then fails (exit 3) once the NAT's Elastic IP changes", async () => {
    const t = await exampleSandbox("egress-ips-s1-");
    await ok(t, "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2");
    await ok(t, "add-nat", "--mode", "single");
    await ok(t, "attach-lambda", "--function", "sms-sender");
    const plan = planOf(t);
    const eip = Object.values<any>(plan.resources).find((r) => r.kind === "elastic-ip");
    const nat = Object.values<any>(plan.resources).find((r) => r.kind === "nat-gateway");
    const doc = (await ok(t, "egress-ips", "--json")).json();
    assert.equal(doc.addresses.length, 1);
    const [a] = doc.addresses;
    assert.equal(a.via, nat.id);
    assert.equal(a.kind, "nat-gateway");
    assert.equal(a.allocationId, eip.id);
    assert.equal(a.availabilityZone, "us-east-1a");
    assert.deepEqual(a.workloads.map((w: any) => `${w.source} ${w.availabilityZone}`), ["lambda:sms-sender us-east-1a", "lambda:sms-sender us-east-1b"]);
    assert.deepEqual(doc.noEgress, []);
    assert.equal(doc.scope, "plan sms-api");
    const text = (await ok(t, "egress-ips")).stdout;
    assert.match(text, new RegExp(`^${a.publicIp.replace(/\./g, "\\.")} +${eip.id}  NAT ${nat.id}  us-east-1a  vpc-\\S+  ← lambda:sms-sender$`, "m"));

    // The committed list, in each format it writes: the same set passes.
    const csv = (await ok(t, "egress-ips", "--format", "csv")).stdout;
    writeFileSync(`${t.cwd}/egress-ips.csv`, csv);
    writeFileSync(`${t.cwd}/egress-ips.json`, (await ok(t, "egress-ips", "--format", "json")).stdout);
    writeFileSync(`${t.cwd}/egress-ips.txt`, text);
    for (const f of ["egress-ips.csv", "egress-ips.json", "egress-ips.txt"]) assert.match((await ok(t, "egress-ips", "--check", f)).stdout, /match/);

    // The NAT gateway is replaced with another Elastic IP (by hand, outside egress-cli).
    const ec2 = plugged(t.sandbox, new EC2({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
    const old = (await ec2.describeNatGateways({ NatGatewayIds: [nat.id] })).NatGateways![0]!;
    const fresh = await ec2.allocateAddress({ Domain: "vpc" });
    const replacement = (await ec2.createNatGateway({ SubnetId: old.SubnetId, AllocationId: fresh.AllocationId })).NatGateway!.NatGatewayId!;
    await until("the new NAT gateway", async () => (await ec2.describeNatGateways({ NatGatewayIds: [replacement] })).NatGateways![0]!.State === "available");
    for (const rt of (await ec2.describeRouteTables({ Filters: [{ Name: "route.nat-gateway-id", Values: [nat.id] }] })).RouteTables ?? []) {
      await ec2.replaceRoute({ RouteTableId: rt.RouteTableId, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: replacement });
    }
    await ec2.deleteNatGateway({ NatGatewayId: nat.id });
    await until("the old NAT gateway gone", async () => ["deleted"].includes((await ec2.describeNatGateways({ NatGatewayIds: [nat.id] })).NatGateways![0]?.State ?? "deleted"));

    const r = await t.run("egress-ips", "--check", "egress-ips.csv");
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /The live egress IPs differ from egress-ips\.csv:/);
    assert.match(r.stdout, new RegExp(`^\\+ ${fresh.PublicIp!.replace(/\./g, "\\.")}  live, not in the list: ${fresh.AllocationId}  NAT ${replacement}  us-east-1a .*← lambda:sms-sender$`, "m"));
    assert.match(r.stdout, new RegExp(`^- ${a.publicIp.replace(/\./g, "\\.")}  in the list, no longer an egress address$`, "m"));
    const j = await t.run("egress-ips", "--check", "egress-ips.json", "--json");
    assert.equal(j.code, 3);
    assert.deepEqual([j.json().check.matches, j.json().check.added.map((x: any) => x.publicIp), j.json().check.removed], [false, [fresh.PublicIp], [a.publicIp]]);
  });

  test("S1 on a regional NAT gateway (manual mode, an Elastic IP per AZ): each AZ's address and its workloads; reachable by --local and by the sandbox's Reachability Analyzer", async () => {
    const t = await exampleSandbox("egress-ips-regional-");
    await ok(t, "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2");
    await ok(t, "attach-lambda", "--function", "sms-sender");
    const plan = planOf(t);
    const vpcId = plan.resources.vpc.id;
    const ec2 = plugged(t.sandbox, new EC2({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
    const [ea, eb] = [await ec2.allocateAddress({ Domain: "vpc" }), await ec2.allocateAddress({ Domain: "vpc" })];
    const nat = (await ec2.createNatGateway({ AvailabilityMode: "regional", VpcId: vpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: [ea.AllocationId!] }, { AvailabilityZone: "us-east-1b", AllocationIds: [eb.AllocationId!] }] })).NatGateway!.NatGatewayId!;
    await until("the regional NAT gateway", async () => {
      const n = (await ec2.describeNatGateways({ NatGatewayIds: [nat] })).NatGateways![0]!;
      return n.State === "available" && (n.NatGatewayAddresses ?? []).every((x) => x.Status === "succeeded");
    });
    const tables = Object.values<any>(plan.resources).filter((r) => r.kind === "route-table" && r.tier === "private").map((r) => r.id as string);
    for (const rt of tables) await ec2.createRoute({ RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat });

    const doc = (await ok(t, "egress-ips", "--json")).json();
    assert.deepEqual(doc.addresses.map((a: any) => `${a.publicIp} ${a.allocationId} ${a.kind} ${a.via} ${a.availabilityZone} [${a.workloads.map((w: any) => w.source).join(" ")}]`), [
      `${ea.PublicIp} ${ea.AllocationId} regional-nat-gateway ${nat} us-east-1a [lambda:sms-sender]`,
      `${eb.PublicIp} ${eb.AllocationId} regional-nat-gateway ${nat} us-east-1b [lambda:sms-sender]`,
    ]);
    // status and cost price it as it runs: per AZ it is active in, marked an estimate; its Elastic IPs counted.
    const st = (await ok(t, "status", "--json")).json();
    assert.deepEqual(st.cost.lines.map((l: any) => [l.item, l.monthly]), [["Regional NAT gateway (2 AZ x 730 h, estimate)", 65.7], ["Public IPv4 address (2 x 730 h)", 7.3]]);
    assert.equal(st.cost.estimate, true);
    assert.deepEqual((await ok(t, "cost", "--json")).json().vpcs[0].lines, st.cost.lines);
    const local = await t.run("analyze-path", "--from", "lambda:sms-sender", "--to", "igw", "--local", "--json");
    assert.equal(local.code, 0, local.stdout);
    assert.equal(local.json().verdict, "reachable");
    const ra = await t.run("analyze-path", "--from", "lambda:sms-sender", "--to", "igw", "--json");
    assert.equal(ra.code, 0, ra.stdout + ra.stderr);
    assert.equal(ra.json().verdict, "reachable");

    // AZ b's address taken away (manual mode): AZ b's subnet is unreachable with RA's code, both ways, and the list changes.
    writeFileSync(`${t.cwd}/ips.txt`, (await ok(t, "egress-ips")).stdout);
    const assoc = (await ec2.describeNatGateways({ NatGatewayIds: [nat] })).NatGateways![0]!.NatGatewayAddresses!.find((x) => x.AvailabilityZone === "us-east-1b")!.AssociationId!;
    await ec2.disassociateNatGatewayAddress({ NatGatewayId: nat, AssociationIds: [assoc], MaxDrainDurationSeconds: 1 });
    await until("AZ b's address gone", async () => !(await ec2.describeNatGateways({ NatGatewayIds: [nat] })).NatGateways![0]!.NatGatewayAddresses!.some((x) => x.AvailabilityZone === "us-east-1b"));
    for (const mode of ["--local", "--aws"]) {
      const r = await t.run("analyze-path", "--from", "lambda:sms-sender", "--to", "igw", mode, "--json");
      assert.equal(r.code, 4, `${mode}: ${r.stdout}${r.stderr}`);
      const failing = r.json().result.paths.find((p: any) => p.verdict === "unreachable");
      assert.equal(failing.explanations[0].code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION", mode);
      assert.equal(failing.explanations[0].component.id, nat, mode);
    }
    const check = await t.run("egress-ips", "--check", "ips.txt");
    assert.equal(check.code, 3);
    assert.match(check.stdout, new RegExp(`^- ${eb.PublicIp!.replace(/\./g, "\\.")} `, "m"));
    const audit = (await t.run("audit", "--vpc", vpcId, "--format", "json")).json();
    assert.deepEqual(audit.findings.filter((f: any) => f.ruleId === "regional-nat-az-uncovered").map((f: any) => `${f.resourceId} ${f.evidence.facts.availabilityZone}`), [`${nat} us-east-1b`]);
  });
});

describe("cost --compare-nat-modes end to end (sandbox)", () => {
  test("S1 (single NAT, sms-sender in two AZs): single / per-az / regional side by side from the one cost model, regional marked an estimate", async () => {
    const t = await exampleSandbox("egress-natmodes-");
    await ok(t, "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2");
    await ok(t, "add-nat", "--mode", "single");
    await ok(t, "attach-lambda", "--function", "sms-sender");
    const doc = (await ok(t, "cost", "--compare-nat-modes", "--gb-per-month", "1000", "--json")).json();
    assert.equal(doc.natModes.length, 1);
    const [v] = doc.natModes;
    assert.deepEqual([v.current, v.azs], ["single", ["us-east-1a", "us-east-1b"]]);
    // single: 32.85 + 3.65 + 45.00 GB + 10.00 cross-AZ (500 GB each way at 0.01); per-az and regional: 65.70 + 7.30 + 45.00.
    assert.deepEqual(v.modes.map((m: any) => [m.mode, m.totalMonthly, m.estimate]), [["single", 91.5, false], ["per-az", 118, false], ["regional", 118, true]]);
    assert.equal(v.cheapest, "single");
    // The VPC's own bill line is today's single NAT, as status prices it.
    assert.equal(doc.vpcs[0].natGateways, 1);
    const text = (await ok(t, "cost", "--compare-nat-modes")).stdout;
    assert.match(text, /^\s+\* single\s+36\.50 {12}\s+cheapest/m);
    assert.match(text, /^\s+regional\s+73\.00 \(estimate\)/m);
  });
});

describe("egress-ips: bad input is exit 2, all problems at once, before any AWS call", () => {
  test("an unreadable or non-address --check file, --json with another --format, --vpc with --all-regions; a --format not offered", async () => {
    const t = await exampleSandbox("egress-ips-bad-");
    const before = t.sandbox.stats().calls;
    writeFileSync(`${t.cwd}/list.txt`, "198.51.100.1\nvendor.example.com\n");
    const r = await t.run("egress-ips", "--check", "list.txt", "--json", "--format", "csv", "--vpc", "vpc-0123456789abcdef0", "--all-regions");
    assert.equal(r.code, 2);
    assert.match(r.stdout + r.stderr, /3 problems \(nothing was read from AWS\): 1\. --json and --format csv disagree; pass one of them\. 2\. --vpc ids belong to one region; do not combine them with --all-regions\. 3\. --check \S+list\.txt: line 2: \\?"vendor\.example\.com\\?" is not an IPv4 address\./);
    const xml = await t.run("egress-ips", "--format", "xml");
    assert.equal(xml.code, 2);
    assert.match(xml.stderr, /Allowed choices are text, json, csv/);
    const missing = await t.run("egress-ips", "--check", "nope.csv");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--check \S+nope\.csv cannot be read: ENOENT/);
    assert.equal(t.sandbox.stats().calls, before, "no AWS call");
  });
});

describe("egress-ips --all-regions (sandbox)", () => {
  test("every region DescribeRegions lists, each snapshotted: the example account's NAT gateway address, its region named", async () => {
    const t = await exampleSandbox("egress-ips-regions-");
    const r = await t.run("egress-ips", "--all-regions", "--json");
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json();
    assert.ok(doc.regions.length > 1 && doc.regions.includes("us-east-1"), doc.regions.join(","));
    const nats = Object.values<any>(t.region().natGateways).filter((n) => n.State === "available");
    assert.deepEqual(doc.addresses.map((a: any) => `${a.region} ${a.via}`).sort(), nats.map((n) => `us-east-1 ${n.NatGatewayId}`).sort());
    assert.equal(doc.scope, "--all-vpcs");
  });
});

describe("S1 with add-nat --mode regional (sandbox)", () => {
  test("analyze-path reachable (--local and RA), egress-ips lists each AZ's address, status prices it (live and --offline alike); per-az → regional --reuse-eips passes egress-ips --check", async () => {
    const t = await exampleSandbox("egress-ips-s1r-");
    await ok(t, "create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2");
    await ok(t, "add-nat", "--mode", "per-az");
    await ok(t, "attach-lambda", "--function", "sms-sender");
    writeFileSync(`${t.cwd}/allowlist.csv`, (await ok(t, "egress-ips", "--format", "csv")).stdout);
    const before = (await ok(t, "egress-ips", "--json")).json().addresses.map((a: any) => `${a.availabilityZone} ${a.publicIp}`);
    await ok(t, "add-nat", "--mode", "regional", "--reuse-eips", "--yes");
    // The same egress IPs, now one regional gateway's per AZ: the committed allowlist still holds.
    const after = (await ok(t, "egress-ips", "--json")).json();
    assert.deepEqual(after.addresses.map((a: any) => `${a.availabilityZone} ${a.publicIp}`), before);
    assert.deepEqual([...new Set(after.addresses.map((a: any) => a.kind))], ["regional-nat-gateway"]);
    assert.deepEqual(after.addresses.map((a: any) => a.workloads.map((w: any) => w.source)), [["lambda:sms-sender"], ["lambda:sms-sender"]]);
    assert.match((await ok(t, "egress-ips", "--check", "allowlist.csv")).stdout, /match/);
    for (const mode of ["--local", "--aws"]) {
      const r = await t.run("analyze-path", "--from", "lambda:sms-sender", "--to", "igw", mode, "--json");
      assert.equal(r.code, 0, `${mode}: ${r.stdout}${r.stderr}`);
      assert.equal(r.json().verdict, "reachable");
    }
    const live = (await ok(t, "status", "--json")).json().cost;
    const offline = (await ok(t, "status", "--offline", "--json")).json().cost;
    assert.deepEqual(live.lines.map((l: any) => [l.item, l.monthly]), [["Regional NAT gateway (2 AZ x 730 h, estimate)", 65.7], ["Public IPv4 address (2 x 730 h)", 7.3]]);
    assert.deepEqual(offline.lines, live.lines, "the plan's records price as the account does");
  });
});
