// Sandbox NAT gateways, Elastic IPs, ENIs and a full teardown in dependency order, through the real SDK v3 client.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import { SANDBOX_CREDENTIALS, plugged, rejectsWithCode, sandboxKit } from "./helpers.js";
import assert from "node:assert/strict";
import { EC2 } from "@aws-sdk/client-ec2";
import type { SandboxOpenOptions } from "../src/sandbox/index.js";

const setup = (opts: Omit<SandboxOpenOptions, "clock"> = {}) => sandboxKit({ ...opts, ec2: { maxAttempts: 1 } });

const rejects = rejectsWithCode;

/** S1 topology up to the NAT: VPC, IGW, public + private subnets and tables. */
async function network(ec2: EC2, withIgw = true) {
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const pub = (await ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a" })).Subnet!.SubnetId!;
  const priv = (await ec2.createSubnet({ VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" })).Subnet!.SubnetId!;
  let igw: string | undefined;
  if (withIgw) {
    igw = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
    await ec2.attachInternetGateway({ InternetGatewayId: igw, VpcId });
  }
  const pubRt = (await ec2.createRouteTable({ VpcId })).RouteTable!.RouteTableId!;
  const privRt = (await ec2.createRouteTable({ VpcId })).RouteTable!.RouteTableId!;
  const pubAssoc = (await ec2.associateRouteTable({ RouteTableId: pubRt, SubnetId: pub })).AssociationId!;
  const privAssoc = (await ec2.associateRouteTable({ RouteTableId: privRt, SubnetId: priv })).AssociationId!;
  if (igw) await ec2.createRoute({ RouteTableId: pubRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  return { VpcId, pub, priv, igw, pubRt, privRt, pubAssoc, privAssoc };
}

test("Elastic IPs: quota of 5 per region, release rules, public-looking unique addresses", async () => {
  const { sb, ec2 } = await setup();
  const ips: string[] = [];
  for (let i = 0; i < 5; i++) {
    const a = await ec2.allocateAddress({ Domain: "vpc" });
    assert.match(a.AllocationId!, /^eipalloc-[0-9a-f]{17}$/);
    assert.equal(a.Domain, "vpc");
    ips.push(a.PublicIp!);
  }
  assert.equal(new Set(ips).size, 5);
  await rejects(ec2.allocateAddress({ Domain: "vpc" }), "AddressLimitExceeded", /maximum number of addresses/);
  const attrs = await ec2.describeAccountAttributes({ AttributeNames: ["vpc-max-elastic-ips" as any] });
  assert.equal(attrs.AccountAttributes![0].AttributeValues![0].AttributeValue, "5");
  const { Addresses } = await ec2.describeAddresses({ PublicIps: [ips[0]] });
  assert.equal(Addresses!.length, 1);
  await ec2.releaseAddress({ AllocationId: Addresses![0].AllocationId! });
  await rejects(ec2.releaseAddress({ AllocationId: Addresses![0].AllocationId! }), "InvalidAllocationID.NotFound");
  await ec2.allocateAddress({ Domain: "vpc" });
  // the quota is per region
  const eu = plugged(sb, new EC2({ region: "eu-west-1", credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 }));
  const euIps = [];
  for (let i = 0; i < 5; i++) euIps.push((await eu.allocateAddress({})).PublicIp!);
  const live = Object.values(sb.state().regions).flatMap((r) => Object.values(r.addresses).map((a) => a.PublicIp));
  assert.equal(live.length, 10);
  assert.equal(new Set(live).size, 10); // unique across the account
  await rejects(eu.allocateAddress({}), "AddressLimitExceeded");
});

test("NAT gateway: pending -> available, ENI with private IP, EIP associated, IGW detach blocked, ClientToken idempotency", async () => {
  const { sb, ec2 } = await setup();
  const net = await network(ec2);
  const eip = await ec2.allocateAddress({ Domain: "vpc" });
  await rejects(ec2.createNatGateway({ SubnetId: net.pub }), "MissingParameter");
  await rejects(ec2.createNatGateway({ SubnetId: "subnet-0123456789abcdef0", AllocationId: eip.AllocationId }), "InvalidSubnetID.NotFound");
  const created = await ec2.createNatGateway({
    SubnetId: net.pub,
    AllocationId: eip.AllocationId,
    ClientToken: "nat-token-1",
    TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "egress-cli:stack", Value: "sms-api" }] }],
  });
  const nat = created.NatGateway!;
  assert.equal(nat.State, "pending");
  assert.ok(nat.CreateTime instanceof Date);
  assert.match(nat.NatGatewayId!, /^nat-[0-9a-f]{17}$/);
  assert.equal(nat.NatGatewayAddresses![0].PublicIp, eip.PublicIp);
  assert.equal(nat.NatGatewayAddresses![0].PrivateIp, "10.0.0.4");

  const again = await ec2.createNatGateway({ SubnetId: net.pub, AllocationId: eip.AllocationId, ClientToken: "nat-token-1", TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "egress-cli:stack", Value: "sms-api" }] }] });
  assert.equal(again.NatGateway!.NatGatewayId, nat.NatGatewayId);
  assert.equal(sb.journal.at(-1)!.mutating, false);
  await rejects(ec2.createNatGateway({ SubnetId: net.priv, AllocationId: eip.AllocationId, ClientToken: "nat-token-1" }), "IdempotentParameterMismatch");
  await rejects(ec2.createNatGateway({ SubnetId: net.pub, AllocationId: eip.AllocationId }), "Resource.AlreadyAssociated");

  const d = await ec2.describeNatGateways({ NatGatewayIds: [nat.NatGatewayId!] });
  assert.equal(d.NatGateways![0].State, "available");
  const enis = await ec2.describeNetworkInterfaces({ Filters: [{ Name: "subnet-id", Values: [net.pub] }] });
  assert.equal(enis.NetworkInterfaces!.length, 1);
  const eni = enis.NetworkInterfaces![0];
  assert.equal(eni.InterfaceType, "nat_gateway");
  assert.equal(eni.Association!.PublicIp, eip.PublicIp);
  assert.equal(eni.RequesterManaged, true);
  const addr = (await ec2.describeAddresses({ AllocationIds: [eip.AllocationId!] })).Addresses![0];
  assert.equal(addr.NetworkInterfaceId, eni.NetworkInterfaceId);
  assert.match(addr.AssociationId!, /^eipassoc-/);
  const sub = (await ec2.describeSubnets({ SubnetIds: [net.pub] })).Subnets![0];
  assert.equal(sub.AvailableIpAddressCount, 250);

  await rejects(ec2.releaseAddress({ AllocationId: eip.AllocationId! }), "InvalidIPAddress.InUse");
  await rejects(ec2.disassociateAddress({ AssociationId: addr.AssociationId! }), "AuthFailure");
  await rejects(ec2.deleteSubnet({ SubnetId: net.pub }), "DependencyViolation");
  await rejects(
    ec2.detachInternetGateway({ InternetGatewayId: net.igw!, VpcId: net.VpcId }),
    "DependencyViolation",
    /has some mapped public address\(es\)/,
  );
  await ec2.createRoute({ RouteTableId: net.privRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat.NatGatewayId });
  const rt = (await ec2.describeRouteTables({ RouteTableIds: [net.privRt] })).RouteTables![0];
  assert.equal(rt.Routes!.find((r) => r.NatGatewayId)!.State, "active");
  assert.deepEqual(
    await sb.taggedResources("us-east-1", "egress-cli:stack", "sms-api"),
    [{ type: "natgateway", id: nat.NatGatewayId, state: "available" }],
  );
});

test("NAT gateway without an attached IGW goes to failed with Gateway.NotAttached", async () => {
  const { ec2 } = await setup();
  const net = await network(ec2, false);
  const eip = await ec2.allocateAddress({});
  const { NatGateway } = await ec2.createNatGateway({ SubnetId: net.pub, AllocationId: eip.AllocationId });
  assert.equal(NatGateway!.State, "pending");
  const d = (await ec2.describeNatGateways({ NatGatewayIds: [NatGateway!.NatGatewayId!] })).NatGateways![0];
  assert.equal(d.State, "failed");
  assert.equal(d.FailureCode, "Gateway.NotAttached");
  assert.equal(d.FailureMessage, `Network ${net.VpcId} has no Internet gateway attached`);
  // no ENI, and the EIP is free again
  assert.equal((await ec2.describeNetworkInterfaces({ Filters: [{ Name: "vpc-id", Values: [net.VpcId] }] })).NetworkInterfaces!.length, 0);
  await rejects(ec2.createRoute({ RouteTableId: net.privRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: NatGateway!.NatGatewayId }), "InvalidNatGatewayID.NotFound");
  await ec2.releaseAddress({ AllocationId: eip.AllocationId! });
});

test("private NAT gateway needs no EIP", async () => {
  const { ec2 } = await setup();
  const net = await network(ec2, false);
  const { NatGateway } = await ec2.createNatGateway({ SubnetId: net.priv, ConnectivityType: "private" });
  assert.equal(NatGateway!.ConnectivityType, "private");
  assert.equal(NatGateway!.NatGatewayAddresses![0].AllocationId, undefined);
  const d = (await ec2.describeNatGateways({ Filter: [{ Name: "vpc-id", Values: [net.VpcId] }] })).NatGateways![0];
  assert.equal(d.State, "available");
});

test("deleting a NAT: deleting -> deleted, ENI removed, EIP disassociated, routes become blackhole, deleted NAT stays visible", async () => {
  const { sb, ec2 } = await setup();
  const net = await network(ec2);
  const eip = await ec2.allocateAddress({});
  const nat = (await ec2.createNatGateway({ SubnetId: net.pub, AllocationId: eip.AllocationId, TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "k", Value: "v" }] }] })).NatGateway!.NatGatewayId!;
  await ec2.describeNatGateways({});
  await ec2.createRoute({ RouteTableId: net.privRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat });
  assert.deepEqual(await ec2.deleteNatGateway({ NatGatewayId: nat }).then((r) => r.NatGatewayId), nat);
  const d = (await ec2.describeNatGateways({ NatGatewayIds: [nat] })).NatGateways![0];
  assert.equal(d.State, "deleted");
  assert.ok(d.DeleteTime instanceof Date);
  const deleted = await ec2.describeNatGateways({ Filter: [{ Name: "state", Values: ["deleted"] }] });
  assert.equal(deleted.NatGateways!.length, 1);
  assert.equal((await ec2.describeNetworkInterfaces({ Filters: [{ Name: "subnet-id", Values: [net.pub] }] })).NetworkInterfaces!.length, 0);
  const addr = (await ec2.describeAddresses({ AllocationIds: [eip.AllocationId!] })).Addresses![0];
  assert.equal(addr.AssociationId, undefined);
  const rt = (await ec2.describeRouteTables({ RouteTableIds: [net.privRt] })).RouteTables![0];
  assert.equal(rt.Routes!.find((r) => r.NatGatewayId === nat)!.State, "blackhole");
  assert.deepEqual(await sb.taggedResources("us-east-1", "k", "v"), []);
});

test("realistic latency: NAT stays pending until the scaled duration has passed", async () => {
  // unscaled (90 s to create, 60 s to delete, 20 ms a call) on the kit's TestClock: the minutes pass at once, in order
  const { ec2, clock } = await setup({ latency: "realistic" });
  const net = await network(ec2);
  const eip = await ec2.allocateAddress({});
  const nat = (await ec2.createNatGateway({ SubnetId: net.pub, AllocationId: eip.AllocationId })).NatGateway!.NatGatewayId!;
  const state = async () => (await ec2.describeNatGateways({ NatGatewayIds: [nat] })).NatGateways![0].State;
  assert.equal(await state(), "pending");
  await clock.sleep(89_000);
  assert.equal(await state(), "pending", "still pending after 89 s");
  await clock.sleep(1_000);
  assert.equal(await state(), "available");
  await ec2.deleteNatGateway({ NatGatewayId: nat });
  assert.equal(await state(), "deleting");
  await clock.sleep(59_000);
  assert.equal(await state(), "deleting", "still deleting after 59 s");
  await clock.sleep(1_000);
  assert.equal(await state(), "deleted");
});

test("full teardown in dependency order; each premature delete is a DependencyViolation", async () => {
  const { ec2 } = await setup();
  const net = await network(ec2);
  const eip = await ec2.allocateAddress({});
  const nat = (await ec2.createNatGateway({ SubnetId: net.pub, AllocationId: eip.AllocationId })).NatGateway!.NatGatewayId!;
  await ec2.createRoute({ RouteTableId: net.privRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat });
  const sg = (await ec2.createSecurityGroup({ VpcId: net.VpcId, GroupName: "lambda", Description: "fn" })).GroupId!;

  await rejects(ec2.deleteVpc({ VpcId: net.VpcId }), "DependencyViolation");
  await rejects(ec2.detachInternetGateway({ InternetGatewayId: net.igw!, VpcId: net.VpcId }), "DependencyViolation");
  await rejects(ec2.deleteSubnet({ SubnetId: net.pub }), "DependencyViolation");
  await rejects(ec2.releaseAddress({ AllocationId: eip.AllocationId! }), "InvalidIPAddress.InUse");
  await ec2.deleteNatGateway({ NatGatewayId: nat });
  await ec2.describeNatGateways({ NatGatewayIds: [nat] }); // deleted
  await ec2.releaseAddress({ AllocationId: eip.AllocationId! });
  await rejects(ec2.deleteRouteTable({ RouteTableId: net.privRt }), "DependencyViolation");
  await ec2.disassociateRouteTable({ AssociationId: net.privAssoc });
  await ec2.disassociateRouteTable({ AssociationId: net.pubAssoc });
  await ec2.deleteRouteTable({ RouteTableId: net.privRt });
  await ec2.deleteRouteTable({ RouteTableId: net.pubRt });
  await ec2.deleteSubnet({ SubnetId: net.pub });
  await ec2.deleteSubnet({ SubnetId: net.priv });
  await rejects(ec2.deleteInternetGateway({ InternetGatewayId: net.igw! }), "DependencyViolation");
  await ec2.detachInternetGateway({ InternetGatewayId: net.igw!, VpcId: net.VpcId });
  await ec2.deleteInternetGateway({ InternetGatewayId: net.igw! });
  await rejects(ec2.deleteVpc({ VpcId: net.VpcId }), "DependencyViolation");
  await ec2.deleteSecurityGroup({ GroupId: sg });
  await ec2.deleteVpc({ VpcId: net.VpcId });
  assert.equal((await ec2.describeVpcs({})).Vpcs!.length, 1);
});

test("AssociateAddress/DisassociateAddress: NAT interfaces are requester-managed; unknown ids", async () => {
  const { ec2 } = await setup();
  const net = await network(ec2);
  const natEip = await ec2.allocateAddress({});
  await ec2.createNatGateway({ SubnetId: net.pub, AllocationId: natEip.AllocationId });
  const eni = (await ec2.describeNetworkInterfaces({ Filters: [{ Name: "interface-type", Values: ["nat_gateway"] }] })).NetworkInterfaces![0];
  const other = await ec2.allocateAddress({});
  // NAT interfaces are requester-managed: the user cannot re-map their addresses
  await rejects(ec2.associateAddress({ AllocationId: other.AllocationId, NetworkInterfaceId: eni.NetworkInterfaceId, AllowReassociation: true }), "AuthFailure");
  await rejects(ec2.associateAddress({ AllocationId: other.AllocationId, NetworkInterfaceId: "eni-0123456789abcdef0" }), "InvalidNetworkInterfaceID.NotFound");
  await rejects(ec2.disassociateAddress({ AssociationId: "eipassoc-0123456789abcdef0" }), "InvalidAssociationID.NotFound");
});
