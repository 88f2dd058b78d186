// Sandbox regional NAT gateways (AvailabilityMode=regional) through the real SDK v3 client: automatic mode's
// AZ expansion and retraction following the VPC's interfaces, manual mode's Elastic IPs per AZ and their
// rules, Associate/DisassociateNatGatewayAddress, deletion; every request and answer checked against the
// SDK's model (member names, enum values).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { EC2 } from "@aws-sdk/client-ec2";
import type * as E from "@aws-sdk/client-ec2";
import { rejectsWithCode as rejects, sandboxKit } from "./helpers.js";
import { shapeProblems } from "./sdk-shape.js";

const setup = () => sandboxKit({ latency: "realistic", ec2: { maxAttempts: 1 } });

interface Ops {
  createNatGateway: [E.CreateNatGatewayCommandInput, E.CreateNatGatewayCommandOutput];
  describeNatGateways: [E.DescribeNatGatewaysCommandInput, E.DescribeNatGatewaysCommandOutput];
  associateNatGatewayAddress: [E.AssociateNatGatewayAddressCommandInput, E.AssociateNatGatewayAddressCommandOutput];
  disassociateNatGatewayAddress: [E.DisassociateNatGatewayAddressCommandInput, E.DisassociateNatGatewayAddressCommandOutput];
  deleteNatGateway: [E.DeleteNatGatewayCommandInput, E.DeleteNatGatewayCommandOutput];
}

/** Calls an EC2 operation after checking its input against the SDK's model, then checks the answer. */
async function call<K extends keyof Ops>(ec2: EC2, op: K, input: Ops[K][0]): Promise<Ops[K][1]> {
  const name = op[0].toUpperCase() + op.slice(1);
  assert.deepEqual(shapeProblems(`${name}Request`, input), []);
  const out = (await (ec2[op] as unknown as (i: unknown) => Promise<Ops[K][1]>)(input));
  const { $metadata: _m, ...body } = out;
  assert.deepEqual(shapeProblems(`${name}Result`, body), []);
  return out;
}

/** A VPC with an attached internet gateway and a private subnet in each of us-east-1a/b/c. */
async function vpc(ec2: EC2, igw = true) {
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const subnets: Record<string, string> = {};
  for (const [i, az] of ["us-east-1a", "us-east-1b", "us-east-1c"].entries())
    subnets[az] = (await ec2.createSubnet({ VpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: az })).Subnet!.SubnetId!;
  if (igw) {
    const g = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
    await ec2.attachInternetGateway({ InternetGatewayId: g, VpcId });
  }
  return { VpcId, subnets };
}

const byAz = (n: { NatGatewayAddresses?: { AvailabilityZone?: string; Status?: string }[] }) =>
  Object.fromEntries((n.NatGatewayAddresses ?? []).map((a) => [a.AvailabilityZone!, a.Status!]));

test("regional NAT, automatic mode: covers the AZs with interfaces, expands when one appears in a new AZ, retracts when the last goes", async () => {
  const { ec2, clock } = await setup();
  const { VpcId, subnets } = await vpc(ec2);
  const eni = await ec2.createNetworkInterface({ SubnetId: subnets["us-east-1a"] });
  const created = await call(ec2, "createNatGateway", {
    AvailabilityMode: "regional", VpcId, ClientToken: "rnat-1",
    TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "Name", Value: "r" }] }],
  });
  const nat = created.NatGateway!;
  assert.equal(nat.State, "pending");
  assert.equal(nat.AvailabilityMode, "regional");
  assert.equal(nat.AutoProvisionZones, "enabled");
  assert.equal(nat.AutoScalingIps, "enabled");
  assert.equal(nat.SubnetId, undefined);
  assert.match(nat.RouteTableId!, /^rtb-/);
  assert.deepEqual(byAz(nat), { "us-east-1a": "associating" });
  // same token, same request: the same gateway
  const again = await call(ec2, "createNatGateway", { AvailabilityMode: "regional", VpcId, ClientToken: "rnat-1", TagSpecifications: [{ ResourceType: "natgateway", Tags: [{ Key: "Name", Value: "r" }] }] });
  assert.equal(again.NatGateway!.NatGatewayId, nat.NatGatewayId);

  await clock.sleep(90_000);
  let d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.equal(d.State, "available");
  assert.deepEqual(byAz(d), { "us-east-1a": "succeeded" });
  const a = d.NatGatewayAddresses![0];
  assert.equal(a.AvailabilityZoneId, "use1-az1");
  assert.match(a.PublicIp!, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(a.IsPrimary, true);

  // a workload appears in us-east-1b: the gateway expands there (associating for the expansion time)
  const eniB = await ec2.createNetworkInterface({ SubnetId: subnets["us-east-1b"] });
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.deepEqual(byAz(d), { "us-east-1a": "succeeded", "us-east-1b": "associating" });
  await clock.sleep(90_000);
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.deepEqual(byAz(d), { "us-east-1a": "succeeded", "us-east-1b": "succeeded" });
  assert.equal(new Set(d.NatGatewayAddresses!.map((x) => x.PublicIp)).size, 2);

  // the last interface of us-east-1b goes: the gateway retracts from it
  await ec2.deleteNetworkInterface({ NetworkInterfaceId: eniB.NetworkInterface!.NetworkInterfaceId! });
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.equal(byAz(d)["us-east-1b"], "disassociating");
  await clock.sleep(90_000);
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.deepEqual(byAz(d), { "us-east-1a": "succeeded" });
  // automatic mode: AWS manages the addresses
  const eip = await ec2.allocateAddress({});
  await rejects(call(ec2, "associateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AllocationIds: [eip.AllocationId!], AvailabilityZone: "us-east-1c" }), "InvalidParameterCombination");
  await ec2.deleteNetworkInterface({ NetworkInterfaceId: eni.NetworkInterface!.NetworkInterfaceId! });
});

test("regional NAT, manual mode: the caller's Elastic IPs per AZ, their rules and AWS's error codes", async () => {
  const { ec2, clock } = await setup();
  const { VpcId, subnets } = await vpc(ec2);
  const [e1, e2, e3, e4] = await Promise.all([1, 2, 3, 4].map(() => ec2.allocateAddress({ Domain: "vpc" })));
  const ids = (e: { AllocationId?: string }) => [e.AllocationId!];
  const bad = async (input: Parameters<EC2["createNatGateway"]>[0], code: string) => rejects(ec2.createNatGateway(input), code);
  await bad({ AvailabilityMode: "regional" }, "MissingParameter");
  await bad({ AvailabilityMode: "regional", VpcId, SubnetId: subnets["us-east-1a"] }, "InvalidParameterCombination");
  await bad({ AvailabilityMode: "regional", VpcId, ConnectivityType: "private" }, "InvalidParameterCombination");
  await bad({ AvailabilityMode: "regional", VpcId, AllocationId: e1.AllocationId }, "InvalidParameterCombination");
  await bad({ AvailabilityMode: "multi" as never, VpcId }, "InvalidParameterValue");
  await bad({ SubnetId: subnets["us-east-1a"], AllocationId: e1.AllocationId, VpcId }, "InvalidParameterCombination");
  await bad({ AvailabilityMode: "regional", VpcId: "vpc-0123456789abcdef0" }, "InvalidVpcID.NotFound");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AllocationIds: ids(e1) }] }, "MissingParameter");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AvailabilityZoneId: "use1-az1", AllocationIds: ids(e1) }] }, "InvalidParameterCombination");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "eu-west-1a", AllocationIds: ids(e1) }] }, "InvalidParameterValue");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: [] }] }, "MissingParameter");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: ids(e1) }, { AvailabilityZoneId: "use1-az1", AllocationIds: ids(e2) }] }, "InvalidParameterValue");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: ids(e1) }, { AvailabilityZone: "us-east-1b", AllocationIds: ids(e1) }] }, "InvalidParameterValue");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: ["eipalloc-0123456789abcdef0"] }] }, "InvalidAllocationID.NotFound");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: Array(33).fill(e1.AllocationId) }] }, "InvalidParameterValue");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: ids(e1) }], DryRun: true }, "DryRunOperation");

  const nat = (await call(ec2, "createNatGateway", {
    AvailabilityMode: "regional", VpcId,
    AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1a", AllocationIds: ids(e1) }, { AvailabilityZoneId: "use1-az2", AllocationIds: ids(e2) }],
  })).NatGateway!;
  assert.equal(nat.AutoProvisionZones, "disabled");
  assert.equal(nat.AutoScalingIps, "disabled");
  assert.deepEqual(nat.NatGatewayAddresses!.map((a) => [a.AvailabilityZone, a.AvailabilityZoneId, a.PublicIp, a.Status]), [
    ["us-east-1a", "use1-az1", e1.PublicIp, "associating"],
    ["us-east-1b", "use1-az2", e2.PublicIp, "associating"],
  ]);
  // an Elastic IP of the gateway is in use: not for another gateway, not releasable, not disassociable by hand
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1c", AllocationIds: ids(e1) }] }, "Resource.AlreadyAssociated");
  await rejects(ec2.releaseAddress({ AllocationId: e1.AllocationId! }), "InvalidIPAddress.InUse");
  const held = (await ec2.describeAddresses({ AllocationIds: ids(e1) })).Addresses![0];
  assert.match(held.AssociationId!, /^eipassoc-/);
  await rejects(ec2.disassociateAddress({ AssociationId: held.AssociationId! }), "AuthFailure");
  // its addresses are mapped in the VPC: the internet gateway cannot be detached under it
  const igw = (await ec2.describeInternetGateways({ Filters: [{ Name: "attachment.vpc-id", Values: [VpcId] }] })).InternetGateways![0].InternetGatewayId!;
  await rejects(ec2.detachInternetGateway({ InternetGatewayId: igw, VpcId }), "DependencyViolation", /mapped public address/);
  // addresses are managed only once the gateway is available
  await rejects(call(ec2, "associateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AllocationIds: ids(e3), AvailabilityZone: "us-east-1c" }), "IncorrectState");
  await clock.sleep(90_000);
  let d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.deepEqual(byAz(d), { "us-east-1a": "succeeded", "us-east-1b": "succeeded" });
  // manual mode does not follow the interfaces
  await ec2.createNetworkInterface({ SubnetId: subnets["us-east-1c"] });
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.deepEqual(Object.keys(byAz(d)), ["us-east-1a", "us-east-1b"]);

  // a new AZ by hand; its rules
  await rejects(call(ec2, "associateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AllocationIds: ids(e3) }), "MissingParameter");
  await rejects(call(ec2, "associateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AllocationIds: ids(e2), AvailabilityZone: "us-east-1c" }), "Resource.AlreadyAssociated");
  const assoc = await call(ec2, "associateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AllocationIds: ids(e3), AvailabilityZone: "us-east-1c" });
  assert.deepEqual(assoc.NatGatewayAddresses!.map((a) => [a.AvailabilityZone, a.Status]), [["us-east-1c", "associating"]]);
  await clock.sleep(90_000);
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.deepEqual(byAz(d), { "us-east-1a": "succeeded", "us-east-1b": "succeeded", "us-east-1c": "succeeded" });

  // disassociate: the address drains (MaxDrainDurationSeconds), then its Elastic IP is free
  const b = d.NatGatewayAddresses!.find((a) => a.AvailabilityZone === "us-east-1b")!;
  await rejects(call(ec2, "disassociateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AssociationIds: [b.AssociationId!], MaxDrainDurationSeconds: 0 }), "InvalidParameterValue");
  await rejects(call(ec2, "disassociateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AssociationIds: ["eipassoc-0123456789abcdef0"] }), "InvalidAssociationID.NotFound");
  const dis = await call(ec2, "disassociateNatGatewayAddress", { NatGatewayId: nat.NatGatewayId!, AssociationIds: [b.AssociationId!], MaxDrainDurationSeconds: 30 });
  assert.equal(dis.NatGatewayAddresses![0].Status, "disassociating");
  await bad({ AvailabilityMode: "regional", VpcId, AvailabilityZoneAddresses: [{ AvailabilityZone: "us-east-1b", AllocationIds: ids(e2) }] }, "Resource.AlreadyAssociated");
  await clock.sleep(30_000);
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.deepEqual(Object.keys(byAz(d)), ["us-east-1a", "us-east-1c"]);
  assert.equal((await ec2.describeAddresses({ AllocationIds: ids(e2) })).Addresses![0].AssociationId, undefined);

  // delete: deleting (addresses disassociating), deleted; the user's Elastic IPs stay allocated, free
  await call(ec2, "deleteNatGateway", { NatGatewayId: nat.NatGatewayId! });
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.equal(d.State, "deleting");
  assert.deepEqual(new Set(Object.values(byAz(d))), new Set(["disassociating"]));
  await clock.sleep(60_000);
  d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.equal(d.State, "deleted");
  const free = (await ec2.describeAddresses({ AllocationIds: [e1.AllocationId!, e3.AllocationId!, e4.AllocationId!] })).Addresses!;
  assert.deepEqual(free.map((a) => a.AssociationId), [undefined, undefined, undefined]);
});

test("regional NAT in a VPC without an internet gateway fails with Gateway.NotAttached; zonal answers carry AvailabilityMode=zonal", async () => {
  const { ec2, clock } = await setup();
  const { VpcId } = await vpc(ec2, false);
  const nat = (await call(ec2, "createNatGateway", { AvailabilityMode: "regional", VpcId })).NatGateway!;
  await clock.sleep(90_000);
  const d = (await call(ec2, "describeNatGateways", { NatGatewayIds: [nat.NatGatewayId!] })).NatGateways![0];
  assert.equal(d.State, "failed");
  assert.equal(d.FailureCode, "Gateway.NotAttached");
  const other = await vpc(ec2);
  const sub = other.subnets["us-east-1a"];
  const rt = (await ec2.createRouteTable({ VpcId: other.VpcId })).RouteTable!.RouteTableId!;
  await ec2.associateRouteTable({ RouteTableId: rt, SubnetId: sub });
  const eip = await ec2.allocateAddress({});
  const zonal = (await call(ec2, "createNatGateway", { SubnetId: sub, AllocationId: eip.AllocationId })).NatGateway!;
  assert.equal(zonal.AvailabilityMode, "zonal");
});
