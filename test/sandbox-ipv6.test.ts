// The sandbox's IPv6: Amazon-provided VPC blocks, /64 subnets inside them, IPv6-only subnets,
// egress-only internet gateways and IPv6 routes, with AWS's error codes.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import assert from "node:assert/strict";
import { rejectsWithCode, sandboxKit } from "./helpers.js";
import { ipv6SubnetCidr } from "../src/net/ipv6-layout.js";

async function dualStackVpc() {
  const kit = await sandboxKit();
  const made = await kit.ec2.createVpc({ CidrBlock: "10.1.0.0/16", AmazonProvidedIpv6CidrBlock: true });
  const vpcId = made.Vpc!.VpcId!;
  const block = (await kit.ec2.describeVpcs({ VpcIds: [vpcId] })).Vpcs![0].Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock!;
  return { ...kit, vpcId, block, made };
}
const slash64 = (block: string, n: number) => ipv6SubnetCidr(block, n);

test("CreateVpc with an Amazon-provided /56: associating in the answer (no CIDR yet), associated in Describe, local IPv6 route", async () => {
  const { ec2, vpcId, block, made } = await dualStackVpc();
  assert.deepEqual(made.Vpc!.Ipv6CidrBlockAssociationSet!.map((a) => [a.Ipv6CidrBlock, a.Ipv6CidrBlockState?.State]), [["", "associating"]]);
  assert.match(block, /^2600:1f[0-9a-f]{2}:[0-9a-f:]+\/56$/);
  const described = (await ec2.describeVpcs({ Filters: [{ Name: "ipv6-cidr-block-association.ipv6-cidr-block", Values: [block] }] })).Vpcs!;
  assert.deepEqual(described.map((v) => v.VpcId), [vpcId]);
  const main = (await ec2.describeRouteTables({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] })).RouteTables![0];
  assert.ok(main.Routes!.some((r) => r.DestinationIpv6CidrBlock === block && r.GatewayId === "local"));
  const rt = (await ec2.createRouteTable({ VpcId: vpcId })).RouteTable!;
  assert.ok(rt.Routes!.some((r) => r.DestinationIpv6CidrBlock === block && r.GatewayId === "local"), "a new table routes the block locally too");
  // one Amazon-provided block per network border group
  await rejectsWithCode(ec2.associateVpcCidrBlock({ VpcId: vpcId, AmazonProvidedIpv6CidrBlock: true }), "CidrLimitExceeded");
});

test("AssociateVpcCidrBlock / DisassociateVpcCidrBlock on an IPv4 VPC; a block in use cannot go", async () => {
  const { ec2 } = await sandboxKit();
  const vpcId = (await ec2.createVpc({ CidrBlock: "10.2.0.0/16" })).Vpc!.VpcId!;
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.2.0.0/24", Ipv6CidrBlock: "2600:1f18:1:100::/64" }), "InvalidParameterValue", /no IPv6 CIDR block/);
  const r = await ec2.associateVpcCidrBlock({ VpcId: vpcId, AmazonProvidedIpv6CidrBlock: true });
  assert.equal(r.Ipv6CidrBlockAssociation!.Ipv6CidrBlockState!.State, "associating");
  const assoc = (await ec2.describeVpcs({ VpcIds: [vpcId] })).Vpcs![0].Ipv6CidrBlockAssociationSet![0];
  assert.equal(assoc.Ipv6CidrBlockState!.State, "associated");
  const s = await ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.2.0.0/24", Ipv6CidrBlock: slash64(assoc.Ipv6CidrBlock!, 1), AvailabilityZone: "us-east-1a" });
  await rejectsWithCode(ec2.disassociateVpcCidrBlock({ AssociationId: assoc.AssociationId }), "InvalidCidrBlock.InUse");
  await ec2.deleteSubnet({ SubnetId: s.Subnet!.SubnetId });
  await ec2.disassociateVpcCidrBlock({ AssociationId: assoc.AssociationId });
  assert.equal((await ec2.describeVpcs({ VpcIds: [vpcId] })).Vpcs![0].Ipv6CidrBlockAssociationSet, undefined);
  const primary = (await ec2.describeVpcs({ VpcIds: [vpcId] })).Vpcs![0].CidrBlockAssociationSet![0].AssociationId;
  await rejectsWithCode(ec2.disassociateVpcCidrBlock({ AssociationId: primary }), "OperationNotPermitted");
  await rejectsWithCode(ec2.disassociateVpcCidrBlock({ AssociationId: "vpc-cidr-assoc-0123456789abcdef0" }), "InvalidVpcCidrBlockAssociationID.NotFound");
});

test("subnets: a /64 inside the VPC's /56, no overlap; dual-stack and IPv6-only (Ipv6Native) shapes", async () => {
  const { ec2, vpcId, block } = await dualStackVpc();
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.0.0/24", Ipv6CidrBlock: block.replace("/56", "/60") }), "InvalidSubnet.Range");
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.0.0/24", Ipv6CidrBlock: "2001:db8::/64" }), "InvalidSubnet.Range");
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.0.0/24", Ipv6CidrBlock: "not-a-cidr" }), "InvalidParameterValue");
  const dual = (await ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.0.0/24", Ipv6CidrBlock: slash64(block, 0), AvailabilityZone: "us-east-1a" })).Subnet!;
  assert.equal(dual.Ipv6CidrBlockAssociationSet![0].Ipv6CidrBlock, slash64(block, 0));
  assert.equal(dual.Ipv6Native, false);
  assert.equal(dual.AssignIpv6AddressOnCreation, false, "dual-stack: AssignIpv6AddressOnCreation is a separate ModifySubnetAttribute");
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.1.0/24", Ipv6CidrBlock: slash64(block, 0) }), "InvalidSubnet.Conflict");
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, Ipv6Native: true }), "MissingParameter");
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, Ipv6Native: true, CidrBlock: "10.1.2.0/24", Ipv6CidrBlock: slash64(block, 2) }), "InvalidParameterCombination");
  await rejectsWithCode(ec2.createSubnet({ VpcId: vpcId, Ipv6CidrBlock: slash64(block, 2) }), "MissingParameter", /cidrBlock/);
  const only = (await ec2.createSubnet({ VpcId: vpcId, Ipv6Native: true, Ipv6CidrBlock: slash64(block, 0x80), AvailabilityZone: "us-east-1b" })).Subnet!;
  assert.equal(only.CidrBlock, undefined);
  assert.equal(only.Ipv6Native, true);
  assert.equal(only.AssignIpv6AddressOnCreation, true);
  assert.equal(only.PrivateDnsNameOptionsOnLaunch!.HostnameType, "resource-name");
  assert.equal(only.AvailableIpAddressCount, 0);
  const listed = (await ec2.describeSubnets({ Filters: [{ Name: "ipv6-native", Values: ["true"] }] })).Subnets!;
  assert.deepEqual(listed.map((s) => s.SubnetId), [only.SubnetId]);
  // no ENI in an IPv6-only subnet (a sandbox limit, README)
  await rejectsWithCode(ec2.createNetworkInterface({ SubnetId: only.SubnetId }), "InvalidParameterValue", /IPv6-only/);
});

test("ModifySubnetAttribute: IPv6 attributes need an IPv6 block; IPv6-only subnets refuse A records and ip-name", async () => {
  const { ec2, vpcId, block } = await dualStackVpc();
  const v4 = (await ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.9.0/24" })).Subnet!.SubnetId!;
  await rejectsWithCode(ec2.modifySubnetAttribute({ SubnetId: v4, AssignIpv6AddressOnCreation: { Value: true } }), "InvalidParameterValue");
  await rejectsWithCode(ec2.modifySubnetAttribute({ SubnetId: v4, EnableDns64: { Value: true } }), "InvalidParameterValue");
  await rejectsWithCode(ec2.modifySubnetAttribute({ SubnetId: v4, EnableResourceNameDnsAAAARecordOnLaunch: { Value: true } }), "InvalidParameterValue");
  const dual = (await ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.0.0/24", Ipv6CidrBlock: slash64(block, 0) })).Subnet!.SubnetId!;
  await ec2.modifySubnetAttribute({ SubnetId: dual, AssignIpv6AddressOnCreation: { Value: true } });
  const only = (await ec2.createSubnet({ VpcId: vpcId, Ipv6Native: true, Ipv6CidrBlock: slash64(block, 0x80) })).Subnet!.SubnetId!;
  await ec2.modifySubnetAttribute({ SubnetId: only, EnableDns64: { Value: true } });
  await ec2.modifySubnetAttribute({ SubnetId: only, EnableResourceNameDnsAAAARecordOnLaunch: { Value: true } });
  await rejectsWithCode(ec2.modifySubnetAttribute({ SubnetId: only, EnableResourceNameDnsARecordOnLaunch: { Value: true } }), "InvalidParameterValue");
  await rejectsWithCode(ec2.modifySubnetAttribute({ SubnetId: only, PrivateDnsHostnameTypeOnLaunch: "ip-name" }), "InvalidParameterValue");
  await rejectsWithCode(ec2.modifySubnetAttribute({ SubnetId: only, AssignIpv6AddressOnCreation: { Value: false } }), "InvalidParameterValue");
  // no IPv4 address, so no public IPv4 on launch; false is a no-op AWS takes
  await rejectsWithCode(ec2.modifySubnetAttribute({ SubnetId: only, MapPublicIpOnLaunch: { Value: true } }), "InvalidParameterValue", /IPv6-only/);
  await ec2.modifySubnetAttribute({ SubnetId: only, MapPublicIpOnLaunch: { Value: false } });
  const [d, o] = (await ec2.describeSubnets({ SubnetIds: [dual, only] })).Subnets!;
  assert.equal(d.AssignIpv6AddressOnCreation, true);
  assert.equal(o.EnableDns64, true);
  assert.equal(o.PrivateDnsNameOptionsOnLaunch!.EnableResourceNameDnsAAAARecord, true);
});

test("egress-only internet gateways: client token, tags at creation, tag filters only; DeleteVpc waits for them", async () => {
  const { ec2, vpcId } = await dualStackVpc();
  const input = { VpcId: vpcId, ClientToken: "tok-1", TagSpecifications: [{ ResourceType: "egress-only-internet-gateway" as const, Tags: [{ Key: "egress-cli:plan", Value: "p" }] }] };
  const a = (await ec2.createEgressOnlyInternetGateway(input)).EgressOnlyInternetGateway!;
  const again = (await ec2.createEgressOnlyInternetGateway(input)).EgressOnlyInternetGateway!;
  assert.equal(again.EgressOnlyInternetGatewayId, a.EgressOnlyInternetGatewayId, "same token, same gateway");
  await rejectsWithCode(ec2.createEgressOnlyInternetGateway({ ...input, TagSpecifications: [] }), "IdempotentParameterMismatch");
  assert.deepEqual(a.Attachments, [{ VpcId: vpcId, State: "attached" }]);
  const found = (await ec2.describeEgressOnlyInternetGateways({ Filters: [{ Name: "tag:egress-cli:plan", Values: ["p"] }] })).EgressOnlyInternetGateways!;
  assert.deepEqual(found.map((g) => g.EgressOnlyInternetGatewayId), [a.EgressOnlyInternetGatewayId]);
  await rejectsWithCode(ec2.describeEgressOnlyInternetGateways({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }), "InvalidParameterValue");
  await rejectsWithCode(ec2.describeEgressOnlyInternetGateways({ EgressOnlyInternetGatewayIds: ["eigw-0123456789abcdef0"] }), "InvalidEgressOnlyInternetGatewayId.NotFound");
  await rejectsWithCode(ec2.createEgressOnlyInternetGateway({ VpcId: "vpc-0123456789abcdef0" }), "InvalidVpcID.NotFound");
  await rejectsWithCode(ec2.deleteVpc({ VpcId: vpcId }), "DependencyViolation");
  assert.equal((await ec2.deleteEgressOnlyInternetGateway({ EgressOnlyInternetGatewayId: a.EgressOnlyInternetGatewayId })).ReturnCode, true);
  await rejectsWithCode(ec2.deleteEgressOnlyInternetGateway({ EgressOnlyInternetGatewayId: a.EgressOnlyInternetGatewayId }), "InvalidEgressOnlyInternetGatewayId.NotFound");
  await ec2.deleteVpc({ VpcId: vpcId });
});

test("IPv6 routes: ::/0 → eigw or igw, 64:ff9b::/96 → NAT; EIGW only for IPv6; blackhole once the gateway is gone", async () => {
  const { ec2, vpcId, block } = await dualStackVpc();
  const rt = (await ec2.createRouteTable({ VpcId: vpcId })).RouteTable!.RouteTableId!;
  const eigw = (await ec2.createEgressOnlyInternetGateway({ VpcId: vpcId })).EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId!;
  await rejectsWithCode(ec2.createRoute({ RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", EgressOnlyInternetGatewayId: eigw }), "InvalidParameterValue", /IPv6/);
  await rejectsWithCode(ec2.createRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-0123456789abcdef0" }), "InvalidGatewayID.NotFound");
  await rejectsWithCode(ec2.createRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", DestinationCidrBlock: "0.0.0.0/0", EgressOnlyInternetGatewayId: eigw }), "InvalidParameterCombination");
  await rejectsWithCode(ec2.createRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: slash64(block, 3), EgressOnlyInternetGatewayId: eigw }), "InvalidParameterValue", /more specific/);
  await ec2.createRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw });
  await rejectsWithCode(ec2.createRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw }), "RouteAlreadyExists");
  // the IPv4 default route is another route
  const igw = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  await ec2.attachInternetGateway({ InternetGatewayId: igw, VpcId: vpcId });
  await ec2.createRoute({ RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  await ec2.replaceRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", GatewayId: igw });
  let routes = (await ec2.describeRouteTables({ RouteTableIds: [rt] })).RouteTables![0].Routes!;
  assert.deepEqual(routes.filter((r) => r.DestinationIpv6CidrBlock === "::/0").map((r) => [r.GatewayId, r.State, r.DestinationCidrBlock]), [[igw, "active", undefined]]);
  await ec2.replaceRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: eigw });
  const byEigw = (await ec2.describeRouteTables({ Filters: [{ Name: "route.egress-only-internet-gateway-id", Values: [eigw] }] })).RouteTables!;
  assert.deepEqual(byEigw.map((t) => t.RouteTableId), [rt]);
  // NAT64: the well-known prefix to a NAT gateway
  const sub = (await ec2.createSubnet({ VpcId: vpcId, CidrBlock: "10.1.0.0/24", Ipv6CidrBlock: slash64(block, 0) })).Subnet!.SubnetId!;
  const eip = (await ec2.allocateAddress({ Domain: "vpc" })).AllocationId!;
  const nat = (await ec2.createNatGateway({ SubnetId: sub, AllocationId: eip })).NatGateway!.NatGatewayId!;
  await ec2.createRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "64:ff9b::/96", NatGatewayId: nat });
  await ec2.deleteEgressOnlyInternetGateway({ EgressOnlyInternetGatewayId: eigw });
  routes = (await ec2.describeRouteTables({ RouteTableIds: [rt] })).RouteTables![0].Routes!;
  assert.equal(routes.find((r) => r.DestinationIpv6CidrBlock === "::/0")!.State, "blackhole");
  assert.equal(routes.find((r) => r.DestinationIpv6CidrBlock === "64:ff9b::/96")!.NatGatewayId, nat);
  await ec2.deleteRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0" });
  await rejectsWithCode(ec2.deleteRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: "::/0" }), "InvalidRoute.NotFound");
  await rejectsWithCode(ec2.deleteRoute({ RouteTableId: rt, DestinationIpv6CidrBlock: block }), "InvalidParameterValue", /local/);
});
