// The segmented state file: a process parses only the collections its calls touch; journal changes to
// a collection not parsed yet apply when it is; compaction copies unparsed collections as bytes; a file
// in the older whole-JSON format still loads; a torn or damaged file is a SandboxStateError naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { EC2 } from "@aws-sdk/client-ec2";
import { Sandbox, SandboxStateError } from "../src/sandbox/index.js";
import { StateFile } from "../src/sandbox/store.js";
import { SANDBOX_CREDENTIALS, openSandbox, plugged, tempDir } from "./helpers.js";

const ec2Of = (sb: Sandbox) => plugged(sb, new EC2({ region: "us-east-1", credentials: SANDBOX_CREDENTIALS }));
const ENIS = "regions.us-east-1.networkInterfaces";
const RULES = "regions.us-east-1.securityGroupRules";

/** Folds the journal into a new state file, as a compaction does. */
async function compact(file: string): Promise<void> {
  const f = new StateFile(file);
  const st = f.load();
  await f.locked(() => f.compact(st));
}

/** Every ENI id, read a page of `max` at a time. */
async function eniIdsByPage(ec2: EC2, max: number): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.describeNetworkInterfaces({ MaxResults: max, ...(NextToken ? { NextToken } : {}) });
    ids.push(...page.NetworkInterfaces!.map((e) => e.NetworkInterfaceId!));
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

/** A compacted account: a VPC with two subnets, ENIs in the first, a group with a rule. */
async function account(): Promise<{ file: string; vpc: string; subnets: string[] }> {
  const file = path.join(tempDir(), "sb.json");
  const ec2 = ec2Of(await openSandbox(file));
  const vpc = (await ec2.createVpc({ CidrBlock: "10.1.0.0/16" })).Vpc!.VpcId!;
  const subnets = [];
  for (const c of ["10.1.1.0/24", "10.1.2.0/24"]) subnets.push((await ec2.createSubnet({ VpcId: vpc, CidrBlock: c })).Subnet!.SubnetId!);
  for (let i = 0; i < 3; i++) await ec2.createNetworkInterface({ SubnetId: subnets[0] });
  const sg = (await ec2.createSecurityGroup({ VpcId: vpc, GroupName: "app", Description: "app" })).GroupId!;
  await ec2.authorizeSecurityGroupIngress({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] });
  await compact(file);
  return { file, vpc, subnets };
}

test("import's reads (VPC, subnets with their free addresses, route tables, gateways) parse neither ENIs nor rules", async () => {
  const { file, vpc, subnets } = await account();
  assert.match(readFileSync(file, "utf8").split("\n")[0]!, /^\{"format":"egress-cli sandbox state, segmented, 1"/);
  const sb = await openSandbox(file);
  assert.ok(sb.unparsed().includes(ENIS) && sb.unparsed().includes(RULES), "nothing is parsed on load");
  const ec2 = ec2Of(sb);
  const f = [{ Name: "vpc-id", Values: [vpc] }];
  await ec2.describeVpcs({ VpcIds: [vpc] });
  const found = (await ec2.describeSubnets({ Filters: f })).Subnets!;
  await ec2.describeRouteTables({ Filters: f });
  await ec2.describeInternetGateways({ Filters: [{ Name: "attachment.vpc-id", Values: [vpc] }] });
  assert.ok(sb.unparsed().includes(ENIS), `the ENIs stay unparsed: ${sb.unparsed().join(", ")}`);
  assert.ok(sb.unparsed().includes(RULES), "the rules stay unparsed");
  // the Describes by VPC parsed only that VPC's subnets and route tables (persisted indexes with each record's place)
  assert.ok(sb.unparsed().includes("regions.us-east-1.subnets") && sb.unparsed().includes("regions.us-east-1.routeTables"), "subnets and route tables read record by record");
  assert.deepEqual(found.map((s) => s.CidrBlock).sort(), ["10.1.1.0/24", "10.1.2.0/24"]);
  // the free-address count came from the persisted ENIs-by-subnet index, and is what AWS would say
  const free = Object.fromEntries(found.map((s) => [s.SubnetId!, s.AvailableIpAddressCount]));
  assert.deepEqual(free, { [subnets[0]!]: 256 - 5 - 3, [subnets[1]!]: 256 - 5 });
  // a read of one subnet's ENIs parses only theirs (the ENIs-by-subnet index keeps each record's place), and gets them all
  const enis = (await ec2.describeNetworkInterfaces({ Filters: [{ Name: "subnet-id", Values: [subnets[0]!] }] })).NetworkInterfaces!;
  assert.equal(enis.length, 3);
  assert.ok(sb.unparsed().includes(ENIS), "the ENIs read record by record");
  // a page of every ENI reads only the page's records; the pages hold what the whole list holds, in its order
  const paged = await eniIdsByPage(ec2, 5);
  assert.ok(sb.unparsed().includes(ENIS), "paged through unparsed");
  const every = (await ec2.describeNetworkInterfaces({})).NetworkInterfaces!;
  assert.ok(!sb.unparsed().includes(ENIS), "a Describe without MaxResults parses the collection");
  assert.deepEqual(paged, every.map((e) => e.NetworkInterfaceId));
  assert.deepEqual(every.map((e) => e.NetworkInterfaceId).sort(), enis.map((e) => e.NetworkInterfaceId).sort());
  // parsing the subnets whole (an unfiltered Describe, then a change through the tracker) keeps what was read
  const all = (await ec2.describeSubnets({})).Subnets!.filter((s) => s.VpcId === vpc);
  assert.deepEqual(all.map((s) => [s.SubnetId, s.AvailableIpAddressCount]), found.map((s) => [s.SubnetId, s.AvailableIpAddressCount]));
  assert.ok(!sb.unparsed().includes("regions.us-east-1.subnets"));
  await ec2.createSubnet({ VpcId: vpc, CidrBlock: "10.1.3.0/24" });
  assert.equal((await ec2Of(await openSandbox(file)).describeSubnets({ Filters: f })).Subnets!.length, 3);
});

test("a change through a tracked call after record-by-record reads: the read records are the state's, nothing is lost", async () => {
  const { file, vpc, subnets } = await account();
  const sb = await openSandbox(file);
  const ec2 = ec2Of(sb);
  const f = [{ Name: "vpc-id", Values: [vpc] }];
  await ec2.describeSubnets({ Filters: f });
  assert.ok(sb.unparsed().includes("regions.us-east-1.subnets"));
  await ec2.modifySubnetAttribute({ SubnetId: subnets[1], MapPublicIpOnLaunch: { Value: true } });
  await ec2.createNetworkInterface({ SubnetId: subnets[1] });
  const after = (await ec2.describeSubnets({ Filters: f })).Subnets!.map((s) => [s.SubnetId, s.MapPublicIpOnLaunch, s.AvailableIpAddressCount]);
  const expected = [
    [subnets[0], false, 256 - 5 - 3],
    [subnets[1], true, 256 - 5 - 1],
  ];
  assert.deepEqual(after, expected);
  await compact(file);
  const again = (await ec2Of(await openSandbox(file)).describeSubnets({ Filters: f })).Subnets!.map((s) => [s.SubnetId, s.MapPublicIpOnLaunch, s.AvailableIpAddressCount]);
  assert.deepEqual(again, expected, "the same after a compaction");
});

test("another process's change to an unparsed collection waits in it: counted at once, applied when it is read", async () => {
  const { file, subnets } = await account();
  const reader = await openSandbox(file);
  const r = ec2Of(reader);
  await r.describeSubnets({ SubnetIds: subnets });
  assert.ok(reader.unparsed().includes(ENIS));
  // a second process adds an ENI and deletes one (journal lines only; the state file is not rewritten)
  const writer = ec2Of(await openSandbox(file));
  const before = (await writer.describeNetworkInterfaces({})).NetworkInterfaces!.map((e) => e.NetworkInterfaceId!);
  const added = (await writer.createNetworkInterface({ SubnetId: subnets[1] })).NetworkInterface!.NetworkInterfaceId!;
  await writer.deleteNetworkInterface({ NetworkInterfaceId: before[0] });
  const counts = (await r.describeSubnets({ SubnetIds: subnets })).Subnets!.map((s) => s.AvailableIpAddressCount);
  assert.deepEqual(counts, [256 - 5 - 2, 256 - 5 - 1], "the index is brought up to date without parsing the ENIs");
  assert.ok(reader.unparsed().includes(ENIS), "still unparsed");
  const ids = (await r.describeNetworkInterfaces({})).NetworkInterfaces!.map((e) => e.NetworkInterfaceId!).sort();
  assert.deepEqual(ids, [...before.slice(1), added].sort(), "parsed with the queued changes applied");
  // a mutating call on the reader (which parses ENIs through the tracker) sees them too
  await r.deleteNetworkInterface({ NetworkInterfaceId: added });
  assert.equal((await ec2Of(await openSandbox(file)).describeNetworkInterfaces({})).NetworkInterfaces!.length, 2);
});

test("compaction copies unparsed collections as bytes and re-encodes changed ones; the result loads the same", async () => {
  const { file, subnets } = await account();
  const full = (await openSandbox(file)).state();
  const sf = new StateFile(file);
  const st = sf.load();
  // one collection changed through the journal (queued, unparsed), the rest untouched
  const writer = ec2Of(await openSandbox(file));
  await writer.createNetworkInterface({ SubnetId: subnets[1] });
  await sf.locked(() => {
    sf.tail(st);
    sf.compact(st);
  });
  const ruleBytes = (f: string) => {
    const lines = readFileSync(f, "utf8").split("\n");
    const header = JSON.parse(lines[0]!);
    const item = header.items.find((i: any) => i.segment?.join(".") === RULES);
    return readFileSync(f).subarray(Buffer.byteLength(lines[0]!) + 1 + item.offset, Buffer.byteLength(lines[0]!) + 1 + item.offset + item.length).toString();
  };
  assert.deepEqual(JSON.parse(ruleBytes(file)), full.regions["us-east-1"].securityGroupRules, "the copied rules segment");
  const again = await openSandbox(file);
  const after = again.state();
  assert.deepEqual(after.regions["us-east-1"].securityGroupRules, full.regions["us-east-1"].securityGroupRules);
  assert.deepEqual(after.regions["us-east-1"].vpcs, full.regions["us-east-1"].vpcs);
  assert.equal(Object.keys(after.regions["us-east-1"].networkInterfaces).length, Object.keys(full.regions["us-east-1"].networkInterfaces).length + 1);
  // the persisted index was rebuilt for the changed collection
  const fresh = await openSandbox(file);
  const counts = (await ec2Of(fresh).describeSubnets({ SubnetIds: subnets })).Subnets!.map((s) => s.AvailableIpAddressCount);
  assert.deepEqual(counts, [256 - 5 - 3, 256 - 5 - 1]);
  assert.ok(fresh.unparsed().includes(ENIS));
});

test("a state file in the older whole-JSON format loads, and the next compaction writes the segmented one", async () => {
  const { file, vpc } = await account();
  const st = (await openSandbox(file)).state();
  // the older format: the whole state as one JSON document, without a journal continuing it
  writeFileSync(file, JSON.stringify(st));
  writeFileSync(`${file}.journal`, "");
  const sb = await openSandbox(file);
  const ec2 = ec2Of(sb);
  assert.deepEqual((await ec2.describeVpcs({ VpcIds: [vpc] })).Vpcs!.map((v) => v.CidrBlock), ["10.1.0.0/16"]);
  assert.deepEqual(sb.unparsed(), [], "parsed whole");
  await ec2.createSubnet({ VpcId: vpc, CidrBlock: "10.1.3.0/24" });
  assert.match(readFileSync(file, "utf8"), /^\{"format":"egress-cli sandbox state, segmented, 1"/);
  const subnets = (await ec2Of(await openSandbox(file)).describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc] }] })).Subnets!;
  assert.equal(subnets.length, 3);
});

test("a torn header, a cut-short file or a damaged segment: SandboxStateError naming the file; quarantine sees the damage", async () => {
  const { file } = await account();
  const good = readFileSync(file);
  const headerEnd = good.indexOf(10);
  const expectStateError = (fn: () => unknown, what: string) =>
    assert.throws(fn, (e: unknown) => e instanceof SandboxStateError && e.message.includes(file), what);

  truncateSync(file, Math.floor(headerEnd / 2));
  expectStateError(() => new StateFile(file).load(), "torn header");

  writeFileSync(file, good);
  truncateSync(file, statSync(file).size - 10);
  expectStateError(() => new StateFile(file).load(), "cut short");

  // same length, bad bytes inside the ENI segment: found when it is parsed (and by quarantine's full check)
  const header = JSON.parse(good.subarray(0, headerEnd).toString());
  const seg = header.items.find((i: any) => i.segment?.join(".") === ENIS);
  const bad = Buffer.from(good);
  bad.fill("#", headerEnd + 1 + seg.offset, headerEnd + 1 + seg.offset + 5);
  writeFileSync(file, bad);
  const st = new StateFile(file).load();
  assert.ok(st.regions["us-east-1"].vpcs, "other collections still read");
  expectStateError(() => Object.keys(st.regions["us-east-1"].networkInterfaces), "damaged segment");
  const sb = await openSandbox(file);
  await assert.rejects(ec2Of(sb).describeNetworkInterfaces({}), (e: unknown) => e instanceof SandboxStateError, "a call surfaces it as is (exit 2), not as an emulator bug");
  assert.equal(await Sandbox.quarantine(file), `${file}.corrupt`);

  // a damaged stored index (ENI counts per subnet): the call that reads it, and quarantine, see it
  const counts = seg.counts["eni.subnet"];
  const badCounts = Buffer.from(good);
  badCounts.fill("#", headerEnd + 1 + counts.offset, headerEnd + 1 + counts.offset + 3);
  writeFileSync(file, badCounts);
  const sb2 = await openSandbox(file);
  await assert.rejects(ec2Of(sb2).describeSubnets({}), (e: unknown) => e instanceof SandboxStateError && e.message.includes(file));
  assert.equal(await Sandbox.quarantine(file), `${file}.corrupt`);
});

test("release(): what reads parsed goes back to unparsed and reads the same again; what this process changed stays", async () => {
  const { file, vpc, subnets } = await account();
  const sb = await openSandbox(file);
  const ec2 = ec2Of(sb);
  const read = async () => ({
    enis: (await ec2.describeNetworkInterfaces({})).NetworkInterfaces!,
    groups: (await ec2.describeSecurityGroups({ Filters: [{ Name: "vpc-id", Values: [vpc] }] })).SecurityGroups!,
    subnets: (await ec2.describeSubnets({})).Subnets!,
  });
  const first = await read();
  assert.ok(!sb.unparsed().includes(ENIS), "an unpaged Describe of every ENI parses them");
  assert.ok(sb.unparsed().includes(RULES), "each group's rules read through the rules-by-group index, record by record");
  sb.release();
  assert.ok(sb.unparsed().includes(ENIS) && sb.unparsed().includes(RULES) && sb.unparsed().includes("regions.us-east-1.subnets"), `released: ${sb.unparsed().join(", ")}`);
  assert.deepEqual(await read(), first, "parsed again, the same answers");
  // a change by this process: that collection stays parsed (its records are no longer the file's), the others go
  const added = (await ec2.createNetworkInterface({ SubnetId: subnets[1] })).NetworkInterface!.NetworkInterfaceId!;
  await ec2.describeSecurityGroups({});
  sb.release();
  assert.ok(!sb.unparsed().includes(ENIS), "the changed ENIs stay parsed");
  assert.ok(sb.unparsed().includes(RULES), "the rules, read only, go");
  const enis = (await ec2.describeNetworkInterfaces({})).NetworkInterfaces!.map((e) => e.NetworkInterfaceId);
  assert.deepEqual(enis.sort(), [...first.enis.map((e) => e.NetworkInterfaceId), added].sort());
  const counts = (await ec2.describeSubnets({ SubnetIds: subnets })).Subnets!.map((s) => s.AvailableIpAddressCount);
  assert.deepEqual(counts, [256 - 5 - 3, 256 - 5 - 1], "the indexes, dropped with them, are rebuilt right");
});

test("release(): another process's changes are never lost — queued in a released collection, kept in a parsed one", async () => {
  const { file, subnets } = await account();
  const reader = await openSandbox(file);
  const r = ec2Of(reader);
  const before = (await r.describeNetworkInterfaces({})).NetworkInterfaces!.map((e) => e.NetworkInterfaceId!);
  await r.describeSecurityGroups({});
  const writer = ec2Of(await openSandbox(file));
  // applied to the reader's parsed ENIs when it next calls: they then stay parsed
  const one = (await writer.createNetworkInterface({ SubnetId: subnets[1] })).NetworkInterface!.NetworkInterfaceId!;
  await r.describeVpcs({});
  reader.release();
  assert.ok(!reader.unparsed().includes(ENIS), "changed by another process's journal line: stays parsed");
  assert.ok(reader.unparsed().includes(RULES));
  // a rule added while the reader's rules are released waits in them
  const sg = (await writer.describeSecurityGroups({ Filters: [{ Name: "group-name", Values: ["app"] }] })).SecurityGroups![0]!.GroupId!;
  await writer.authorizeSecurityGroupIngress({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] });
  const perms = (await r.describeSecurityGroups({ GroupIds: [sg] })).SecurityGroups![0]!.IpPermissions!.map((p) => p.FromPort).sort();
  assert.deepEqual(perms, [443, 8443]);
  const ids = (await r.describeNetworkInterfaces({})).NetworkInterfaces!.map((e) => e.NetworkInterfaceId!).sort();
  assert.deepEqual(ids, [...before, one].sort());
  // and after another release, once the rules were parsed with the queued rule in them
  reader.release();
  assert.deepEqual((await r.describeSecurityGroups({ GroupIds: [sg] })).SecurityGroups![0]!.IpPermissions!.map((p) => p.FromPort).sort(), [443, 8443]);
});

test("release(): a collection whose records were handed out one by one before it was parsed stays parsed (a record may have been changed in place, which no change list names)", async () => {
  const { file, vpc } = await account();
  const sb = await openSandbox(file);
  const ec2 = ec2Of(sb);
  const sg = (await ec2.describeSecurityGroups({ Filters: [{ Name: "vpc-id", Values: [vpc] }, { Name: "group-name", Values: ["app"] }] })).SecurityGroups![0]!.GroupId!;
  // DescribeSecurityGroupRules answers with copies (not freshOutputs): the records it reads one by one are kept
  await ec2.describeSecurityGroupRules({ Filters: [{ Name: "group-id", Values: [sg] }] });
  assert.ok(sb.unparsed().includes(RULES));
  const all = (await ec2.describeSecurityGroupRules({})).SecurityGroupRules!; // the whole collection, with those records in it
  assert.ok(!sb.unparsed().includes(RULES));
  await ec2.describeNetworkInterfaces({});
  sb.release();
  assert.ok(!sb.unparsed().includes(RULES), "the rules stay parsed: the file's bytes may not be them");
  assert.ok(sb.unparsed().includes(ENIS), "the ENIs, parsed whole and read only, go");
  assert.deepEqual((await ec2.describeSecurityGroupRules({})).SecurityGroupRules, all);
});

test("a read that answers fresh objects keeps nothing it read record by record: the collection goes back to unparsed", async () => {
  const { file, vpc } = await account();
  const sb = await openSandbox(file);
  const ec2 = ec2Of(sb);
  const byVpc = (await ec2.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc] }] })).Subnets!; // record by record, not kept
  assert.ok(sb.unparsed().includes("regions.us-east-1.subnets"));
  const all = (await ec2.describeSubnets({})).Subnets!; // parsed whole
  assert.ok(!sb.unparsed().includes("regions.us-east-1.subnets"));
  sb.release();
  assert.ok(sb.unparsed().includes("regions.us-east-1.subnets"), "released: nothing was handed out");
  assert.deepEqual((await ec2.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc] }] })).Subnets, byVpc);
  assert.deepEqual((await ec2.describeSubnets({})).Subnets, all);
});

test("records read one by one: a dense run is one read, scattered records are read each from its place, both exact", async () => {
  const { file, subnets } = await account();
  const ec2 = ec2Of(await openSandbox(file));
  // one ENI in ten in the second subnet, then a compaction: the first subnet's records lie close together (read as
  // one run), the second's four far apart (read each from its place)
  for (let i = 0; i < 40; i++) await ec2.createNetworkInterface({ SubnetId: subnets[i % 10 === 5 ? 1 : 0] });
  await compact(file);
  const expected = (await ec2Of(await openSandbox(file)).describeNetworkInterfaces({})).NetworkInterfaces!;
  const sb = await openSandbox(file);
  const fresh = ec2Of(sb);
  for (const s of subnets) {
    const got = (await fresh.describeNetworkInterfaces({ Filters: [{ Name: "subnet-id", Values: [s] }] })).NetworkInterfaces!;
    assert.deepEqual(got, expected.filter((e) => e.SubnetId === s), `the ENIs of ${s}, in the collection's order`);
  }
  // pages of 7: runs of the collection, read at once
  const pages = await eniIdsByPage(fresh, 7);
  assert.deepEqual(pages, expected.map((e) => e.NetworkInterfaceId));
  assert.ok(sb.unparsed().includes(ENIS), "all of it without parsing the collection");
});

test("a record found through two filter values is answered once (records read one by one are one object within a call)", async () => {
  const { file, vpc, subnets } = await account();
  const sb = await openSandbox(file);
  const ec2 = ec2Of(sb);
  const twice = (await ec2.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc, vpc] }] })).Subnets!;
  assert.deepEqual(twice.map((s) => s.SubnetId).sort(), [...subnets].sort());
  const enis = (await ec2.describeNetworkInterfaces({ Filters: [{ Name: "subnet-id", Values: [subnets[0]!, subnets[0]!] }] })).NetworkInterfaces!;
  assert.equal(enis.length, 3);
  assert.ok(sb.unparsed().includes(ENIS) && sb.unparsed().includes("regions.us-east-1.subnets"), "read record by record");
});
