// Reads declared freshOutputs (registry.ts) are answered without the deep copy: their answers must share no
// object or array with the state, or a caller changing an answer (the snapshot code cleans answers in
// place) would change the account. Checked on the demo account and on a loaded snapshot with the nested
// fields only an import stores (ACL entries' PortRange/IcmpTypeCode, an ENI's attachment).
import { test } from "node:test";
import assert from "node:assert/strict";
import { adoptSnapshot } from "../src/analysis/snapshot.js";
import { Sandbox } from "../src/sandbox/index.js";
import { handlerFor, isFreshOutput } from "../src/sandbox/registry.js";

const hex = (n: number) => n.toString(16).padStart(17, "0");
const VPC = `vpc-${hex(1)}`;
const SUBNETS = [`subnet-${hex(1)}`, `subnet-${hex(2)}`];
const SGS = [`sg-${hex(1)}`, `sg-${hex(2)}`];

/** A snapshot document with what only a load stores: nested ACL entries, an ENI attachment, IPv6, descriptions. */
function loaded() {
  return {
    version: 1,
    takenAt: new Date(0).toISOString(),
    region: "us-west-2",
    accountId: "123456789012",
    vpcs: [{ VpcId: VPC, CidrBlock: "10.0.0.0/16", IsDefault: false, Tags: [{ Key: "Name", Value: "fresh" }] }],
    subnets: SUBNETS.map((id, i) => ({ SubnetId: id, VpcId: VPC, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: `us-west-2${"ab"[i]}`, MapPublicIpOnLaunch: i === 0, Tags: [{ Key: "tier", Value: String(i) }] })),
    internetGateways: [{ InternetGatewayId: `igw-${hex(1)}`, Attachments: [{ VpcId: VPC, State: "available" }], Tags: [{ Key: "Name", Value: "igw" }] }],
    routeTables: [
      {
        RouteTableId: `rtb-${hex(1)}`,
        VpcId: VPC,
        Routes: [
          { DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active", Origin: "CreateRouteTable" },
          { DestinationCidrBlock: "0.0.0.0/0", GatewayId: `igw-${hex(1)}`, State: "active", Origin: "CreateRoute" },
          { DestinationCidrBlock: "172.16.0.0/12", NatGatewayId: `nat-${hex(1)}`, State: "active", Origin: "CreateRoute" },
        ],
        Associations: [{ Main: true, RouteTableAssociationId: `rtbassoc-${hex(1)}` }, { SubnetId: SUBNETS[0], RouteTableAssociationId: `rtbassoc-${hex(2)}` }],
        Tags: [{ Key: "Name", Value: "rt" }],
      },
    ],
    natGateways: [
      {
        NatGatewayId: `nat-${hex(1)}`,
        VpcId: VPC,
        SubnetId: SUBNETS[0],
        State: "available",
        ConnectivityType: "public",
        NatGatewayAddresses: [{ PrivateIp: "10.0.0.5", PublicIp: "100.64.0.1", AllocationId: `eipalloc-${hex(1)}`, NetworkInterfaceId: `eni-${hex(1)}`, IsPrimary: true }],
        Tags: [{ Key: "Name", Value: "nat" }],
      },
    ],
    addresses: [{ AllocationId: `eipalloc-${hex(1)}`, PublicIp: "100.64.0.1", Domain: "vpc", NetworkInterfaceId: `eni-${hex(1)}`, PrivateIpAddress: "10.0.0.5", AssociationId: `eipassoc-${hex(1)}`, Tags: [{ Key: "Name", Value: "eip" }] }],
    securityGroups: SGS.map((id, i) => ({
      GroupId: id,
      GroupName: i ? "app" : "default",
      Description: "fresh",
      VpcId: VPC,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "internal" }], Ipv6Ranges: [{ CidrIpv6: "::/0" }], PrefixListIds: [{ PrefixListId: "pl-63a5400a" }], UserIdGroupPairs: [{ GroupId: SGS[1 - i], Description: "peer" }] },
      ],
      IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }],
      Tags: [{ Key: "Name", Value: `sg${i}` }],
    })),
    networkAcls: [
      {
        NetworkAclId: `acl-${hex(1)}`,
        VpcId: VPC,
        IsDefault: true,
        Entries: [
          { RuleNumber: 90, Protocol: "6", RuleAction: "deny", Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 22, To: 22 } },
          { RuleNumber: 95, Protocol: "1", RuleAction: "allow", Egress: false, CidrBlock: "0.0.0.0/0", IcmpTypeCode: { Code: -1, Type: -1 } },
          { RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: true, CidrBlock: "0.0.0.0/0" },
        ],
        Associations: SUBNETS.map((s, i) => ({ SubnetId: s, NetworkAclId: `acl-${hex(1)}`, NetworkAclAssociationId: `aclassoc-${hex(i + 1)}` })),
        Tags: [{ Key: "Name", Value: "acl" }],
      },
    ],
    networkInterfaces: [
      { NetworkInterfaceId: `eni-${hex(1)}`, SubnetId: SUBNETS[0], VpcId: VPC, InterfaceType: "nat_gateway", PrivateIpAddress: "10.0.0.5", Groups: [], RequesterManaged: true },
      {
        NetworkInterfaceId: `eni-${hex(2)}`,
        SubnetId: SUBNETS[1],
        VpcId: VPC,
        InterfaceType: "interface",
        PrivateIpAddress: "10.0.1.10",
        Groups: SGS.map((GroupId) => ({ GroupId })),
        Attachment: { AttachmentId: `eni-attach-${hex(1)}`, InstanceId: `i-${hex(1)}`, DeviceIndex: 0, Status: "attached", EnaSrdSpecification: { EnaSrdEnabled: false, EnaSrdUdpSpecification: { EnaSrdUdpEnabled: false } } },
        TagSet: [{ Key: "Name", Value: "app" }],
      },
    ],
  };
}

/** Every object and array reachable from v. */
function objects(v: unknown, into = new Set<object>()): Set<object> {
  if (typeof v !== "object" || v === null || into.has(v)) return into;
  into.add(v);
  for (const x of Object.values(v)) objects(x, into);
  return into;
}

const READS = ["DescribeVpcs", "DescribeSubnets", "DescribeInternetGateways", "DescribeRouteTables", "DescribeNatGateways", "DescribeAddresses", "DescribeSecurityGroups", "DescribeNetworkAcls", "DescribeNetworkInterfaces"];

test("the snapshot's reads are declared fresh, and their answers share nothing with the state: changing an answer changes nothing", async () => {
  const sb = await Sandbox.open({ env: {} });
  await sb.reset({ examples: true });
  await sb.importSnapshot(adoptSnapshot(loaded()), "us-west-2");
  for (const op of READS) assert.ok(isFreshOutput(handlerFor("ec2", op)!), `${op} is answered without the copy`);
  for (const region of ["us-east-1", "us-west-2"]) {
    const answers = Object.fromEntries(await Promise.all(READS.map(async (op) => [op, await sb.call("ec2", op, {}, region)] as const)));
    const state = objects((sb as unknown as { st: object }).st);
    let seen = 0;
    for (const [op, out] of Object.entries(answers)) {
      const mine = objects(out);
      seen += mine.size;
      const shared = [...mine].filter((o) => state.has(o));
      assert.deepEqual(shared, [], `${op} in ${region} hands out pieces of the state`);
    }
    assert.ok(seen > 100, `the answers were not empty (${seen} objects)`);
    // the proof by use: vandalise every answer, then read again
    const before = JSON.stringify(answers);
    for (const o of Object.values(answers).flatMap((a) => [...objects(a)])) {
      if (Array.isArray(o)) o.push("changed");
      else for (const k of Object.keys(o)) if (typeof (o as Record<string, unknown>)[k] !== "object") (o as Record<string, unknown>)[k] = "changed";
    }
    const again = Object.fromEntries(await Promise.all(READS.map(async (op) => [op, await sb.call("ec2", op, {}, region)] as const)));
    assert.equal(JSON.stringify(again), before, `the account in ${region} is unchanged`);
  }
  // the nested imported fields are there (so the check above covered them)
  const acl = (await sb.call("ec2", "DescribeNetworkAcls", {}, "us-west-2")).NetworkAcls[0];
  assert.deepEqual(acl.Entries.find((e: { RuleNumber: number }) => e.RuleNumber === 90).PortRange, { From: 22, To: 22 });
  const eni = (await sb.call("ec2", "DescribeNetworkInterfaces", { NetworkInterfaceIds: [`eni-${hex(2)}`] }, "us-west-2")).NetworkInterfaces[0];
  assert.equal(eni.Attachment.EnaSrdSpecification.EnaSrdUdpSpecification.EnaSrdUdpEnabled, false);
});
