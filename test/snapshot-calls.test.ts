// snapshot --all-vpcs costs a number of AWS calls that depends on the pages, never on the VPCs
// (issue 11): one paginated pass per resource type, MaxResults at AWS's maximum, so 2 VPCs and 40
// VPCs make the same calls, and 1,200 network interfaces take two DescribeNetworkInterfaces pages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Sandbox } from "../src/sandbox/index.js";
import { cleanEnv, cli, tempDir } from "./helpers.js";

const hex = (n: number) => n.toString(16).padStart(17, "0");

/** A snapshot document of `vpcs` VPCs with one subnet each holding `enis` network interfaces. */
function account(vpcs: number, enis: number) {
  const d = { version: 1, takenAt: new Date().toISOString(), region: "us-east-1", accountId: "123456789012" } as Record<string, unknown>;
  const list = (k: string) => ((d[k] ??= []) as object[]);
  let eni = 0;
  for (let v = 0; v < vpcs; v++) {
    const vpc = `vpc-${hex(v)}`;
    const subnet = `subnet-${hex(v)}`;
    const sg = `sg-${hex(v)}`;
    list("vpcs").push({ VpcId: vpc, CidrBlock: `10.${v}.0.0/16`, IsDefault: false });
    list("subnets").push({ SubnetId: subnet, VpcId: vpc, CidrBlock: `10.${v}.0.0/20`, AvailabilityZone: "us-east-1a" });
    list("securityGroups").push({ GroupId: sg, GroupName: "default", Description: "default", VpcId: vpc, IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] });
    list("routeTables").push({ RouteTableId: `rtb-${hex(v)}`, VpcId: vpc, Routes: [{ DestinationCidrBlock: `10.${v}.0.0/16`, GatewayId: "local", State: "active" }], Associations: [{ Main: true, RouteTableAssociationId: `rtbassoc-${hex(v)}` }] });
    list("internetGateways").push({ InternetGatewayId: `igw-${hex(v)}`, Attachments: [{ VpcId: vpc, State: "available" }] });
    for (let e = 0; e < enis; e++) {
      list("networkInterfaces").push({ NetworkInterfaceId: `eni-${hex(eni++)}`, SubnetId: subnet, VpcId: vpc, InterfaceType: "interface", PrivateIpAddress: `10.${v}.${Math.floor((e + 10) / 250)}.${(e + 10) % 250}`, Groups: [{ GroupId: sg }] });
    }
  }
  return d;
}

/** Loads the account into a fresh sandbox, takes `snapshot --all-vpcs`, and counts its calls by operation. */
async function snapshotCalls(vpcs: number, enis: number) {
  const cwd = tempDir("egress-snapcalls-");
  const file = path.join(cwd, "sb.json");
  const sandbox = await Sandbox.open({ file, env: {} });
  writeFileSync(path.join(cwd, "account.json"), JSON.stringify(account(vpcs, enis)));
  const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env: cleanEnv(), sandbox });
  const load = await run("sandbox", "load", "account.json");
  assert.equal(load.code, 0, load.stderr);
  const from = sandbox.journal.length;
  const r = await run("snapshot", "--all-vpcs", "--out", "snap.json");
  assert.equal(r.code, 0, r.stderr);
  const calls = sandbox.journal.slice(from);
  const counts: Record<string, number> = {};
  for (const c of calls) counts[`${c.service}:${c.operation}`] = (counts[`${c.service}:${c.operation}`] ?? 0) + 1;
  const snap = JSON.parse(readFileSync(path.join(cwd, "snap.json"), "utf8"));
  return { calls, counts, snap };
}

test("snapshot --all-vpcs makes the same calls for 2 VPCs and for 40, one page per resource type", async () => {
  const small = await snapshotCalls(2, 3);
  const big = await snapshotCalls(40, 3);
  assert.equal(small.snap.vpcs.length, 2); // load replaces the region: no default VPC
  assert.equal(big.snap.vpcs.length, 40);
  assert.equal(big.snap.networkInterfaces.length, 120);
  assert.deepEqual(big.counts, small.counts);
  // every resource type is read once (prefix lists: their list, then the entries of each of the region's lists)
  for (const [op, n] of Object.entries(big.counts)) if (op !== "ec2:GetManagedPrefixListEntries") assert.equal(n, 1, `${op}: ${n} calls`);
  assert.ok(big.calls.every((c) => !c.mutating), "a snapshot only reads");
});

test("snapshot --all-vpcs pages DescribeNetworkInterfaces by 1,000 (AWS's maximum): 1,200 interfaces are 2 calls", async () => {
  const { counts, snap } = await snapshotCalls(40, 30);
  assert.equal(snap.networkInterfaces.length, 1200);
  assert.equal(new Set(snap.networkInterfaces.map((e: { NetworkInterfaceId: string }) => e.NetworkInterfaceId)).size, 1200);
  assert.equal(counts["ec2:DescribeNetworkInterfaces"], 2);
  assert.equal(counts["ec2:DescribeSubnets"], 1);
});
