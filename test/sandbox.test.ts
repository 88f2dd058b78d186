// Sandbox EC2 emulation driven through the real SDK v3 client: fresh account shape and network rules.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { test } from "node:test";
import { SANDBOX_CREDENTIALS as credentials, rejectsWithCode, sandboxKit } from "./helpers.js";
import assert from "node:assert/strict";
import { EC2 } from "@aws-sdk/client-ec2";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const setup = (region = "us-east-1") => sandboxKit({ region, ec2: { maxAttempts: 1 } });

const rejects = rejectsWithCode;

test("a fresh account has a default VPC per region with default subnets, IGW, main route table, SG and NACL", async () => {
  const { sb, ec2 } = await setup();
  assert.match(sb.accountId, /^\d{12}$/);
  const { Vpcs } = await ec2.describeVpcs({});
  assert.equal(Vpcs!.length, 1);
  const vpc = Vpcs![0];
  assert.equal(vpc.CidrBlock, "172.31.0.0/16");
  assert.equal(vpc.IsDefault, true);
  assert.match(vpc.VpcId!, /^vpc-[0-9a-f]{17}$/);
  assert.equal(vpc.OwnerId, sb.accountId);
  assert.equal((await ec2.describeVpcs({ Filters: [{ Name: "owner-id", Values: [sb.accountId] }] })).Vpcs!.length, 1);
  const { Subnets } = await ec2.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] });
  assert.deepEqual(Subnets!.map((s) => s.AvailabilityZone).sort(), ["a", "b", "c", "d", "e", "f"].map((l) => `us-east-1${l}`));
  const byAz = new Map(Subnets!.map((s) => [s.AvailabilityZone, s]));
  assert.equal(byAz.get("us-east-1a")!.CidrBlock, "172.31.0.0/20");
  assert.equal(byAz.get("us-east-1b")!.CidrBlock, "172.31.16.0/20");
  assert.equal(byAz.get("us-east-1a")!.AvailabilityZoneId, "use1-az1");
  assert.ok(Subnets!.every((s) => s.DefaultForAz && s.MapPublicIpOnLaunch && s.AvailableIpAddressCount === 4091));
  const { InternetGateways } = await ec2.describeInternetGateways({ Filters: [{ Name: "attachment.vpc-id", Values: [vpc.VpcId!] }] });
  assert.equal(InternetGateways!.length, 1);
  const { RouteTables } = await ec2.describeRouteTables({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] });
  assert.equal(RouteTables!.length, 1);
  assert.equal(RouteTables![0].Associations![0].Main, true);
  assert.deepEqual(
    RouteTables![0].Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State]),
    [["172.31.0.0/16", "local", "active"], ["0.0.0.0/0", InternetGateways![0].InternetGatewayId, "active"]],
  );
  const { SecurityGroups } = await ec2.describeSecurityGroups({ Filters: [{ Name: "vpc-id", Values: [vpc.VpcId!] }] });
  assert.equal(SecurityGroups!.length, 1);
  assert.equal(SecurityGroups![0].GroupName, "default");
  assert.equal(SecurityGroups![0].IpPermissions![0].UserIdGroupPairs![0].GroupId, SecurityGroups![0].GroupId);
  assert.equal(SecurityGroups![0].IpPermissionsEgress![0].IpRanges![0].CidrIp, "0.0.0.0/0");
  const { NetworkAcls } = await ec2.describeNetworkAcls({});
  assert.equal(NetworkAcls!.length, 1);
  assert.equal(NetworkAcls![0].IsDefault, true);
  assert.equal(NetworkAcls![0].Associations!.length, 6);
  assert.deepEqual(NetworkAcls![0].Entries!.filter((e) => !e.Egress).map((e) => [e.RuleNumber, e.RuleAction]), [[100, "allow"], [32767, "deny"]]);
  const azs = await ec2.describeAvailabilityZones({});
  assert.equal(azs.AvailabilityZones!.length, 6);
  const regions = await ec2.describeRegions({});
  assert.ok(regions.Regions!.some((r) => r.RegionName === "ap-northeast-2"));
});

test("each region gets its own default VPC with its real AZ names; unknown region fails like AuthFailure", async () => {
  const { sb, client } = await setup();
  const seoul = client(new EC2({ region: "ap-northeast-2", credentials, maxAttempts: 1 }));
  const { Subnets } = await seoul.describeSubnets({});
  assert.deepEqual(Subnets!.map((s) => s.AvailabilityZone).sort(), ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"]);
  const nowhere = client(new EC2({ region: "xx-nowhere-1", credentials, maxAttempts: 1 }));
  await rejects(nowhere.describeVpcs({}), "AuthFailure");
  assert.deepEqual(Object.keys(sb.state().regions), ["ap-northeast-2"]); // regions are created lazily
});

test("STS GetCallerIdentity returns the sandbox account", async () => {
  const { sb, client } = await setup();
  const sts = client(new STSClient({ region: "us-east-1", credentials }), "sts");
  const id = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, sb.accountId);
  assert.equal(id.Arn, `arn:aws:iam::${sb.accountId}:user/sandbox`);
  assert.match(id.UserId!, /^AIDA/);
});

test("CreateVpc validates the CIDR and creates main route table, default SG and NACL; tags honoured", async () => {
  const { ec2 } = await setup();
  await rejects(ec2.createVpc({ CidrBlock: "10.0.0.0/8" }), "InvalidVpc.Range", /The CIDR '10.0.0.0\/8' is invalid/);
  await rejects(ec2.createVpc({ CidrBlock: "10.0.0.0/29" }), "InvalidVpc.Range");
  await rejects(ec2.createVpc({ CidrBlock: "10.0.0.300/16" }), "InvalidParameterValue");
  await rejects(ec2.createVpc({ CidrBlock: "10.0.0.1/16" }), "InvalidParameterValue");
  await rejects(
    ec2.createVpc({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "a", Value: "b" }] }] }),
    "InvalidParameterValue",
  );
  const { Vpc } = await ec2.createVpc({ CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "sms-api" }] }] });
  assert.deepEqual(Vpc!.Tags, [{ Key: "Name", Value: "sms-api" }]);
  assert.equal(Vpc!.IsDefault, false);
  const rts = await ec2.describeRouteTables({ Filters: [{ Name: "vpc-id", Values: [Vpc!.VpcId!] }, { Name: "association.main", Values: ["true"] }] });
  assert.equal(rts.RouteTables!.length, 1);
  const sgs = await ec2.describeSecurityGroups({ Filters: [{ Name: "vpc-id", Values: [Vpc!.VpcId!] }, { Name: "group-name", Values: ["default"] }] });
  assert.equal(sgs.SecurityGroups!.length, 1);
  const acls = await ec2.describeNetworkAcls({ Filters: [{ Name: "vpc-id", Values: [Vpc!.VpcId!] }] });
  assert.equal(acls.NetworkAcls!.length, 1);
  const attr = await ec2.describeVpcAttribute({ VpcId: Vpc!.VpcId!, Attribute: "enableDnsHostnames" });
  assert.equal(attr.EnableDnsHostnames!.Value, false);
  await ec2.modifyVpcAttribute({ VpcId: Vpc!.VpcId!, EnableDnsHostnames: { Value: true } });
  assert.equal((await ec2.describeVpcAttribute({ VpcId: Vpc!.VpcId!, Attribute: "enableDnsHostnames" })).EnableDnsHostnames!.Value, true);
  assert.equal((await ec2.describeVpcAttribute({ VpcId: Vpc!.VpcId!, Attribute: "enableDnsSupport" })).EnableDnsSupport!.Value, true);
  await rejects(ec2.modifyVpcAttribute({ VpcId: Vpc!.VpcId!, EnableDnsHostnames: { Value: true }, EnableDnsSupport: { Value: true } }), "InvalidParameterCombination");
});

test("unknown and malformed ids give AWS's codes", async () => {
  const { ec2 } = await setup();
  await rejects(ec2.describeVpcs({ VpcIds: ["vpc-0123456789abcdef0"] }), "InvalidVpcID.NotFound", /The vpc ID 'vpc-0123456789abcdef0' does not exist/);
  await rejects(ec2.describeVpcs({ VpcIds: ["vpc-xyz"] }), "InvalidVpcID.Malformed");
  await rejects(ec2.describeSubnets({ SubnetIds: ["subnet-0123456789abcdef0"] }), "InvalidSubnetID.NotFound");
  await rejects(ec2.describeInternetGateways({ InternetGatewayIds: ["igw-0123456789abcdef0"] }), "InvalidInternetGatewayID.NotFound");
  await rejects(ec2.describeRouteTables({ RouteTableIds: ["rtb-0123456789abcdef0"] }), "InvalidRouteTableID.NotFound");
  await rejects(ec2.describeAddresses({ AllocationIds: ["eipalloc-0123456789abcdef0"] }), "InvalidAllocationID.NotFound");
  await rejects(ec2.describeNatGateways({ NatGatewayIds: ["nat-0123456789abcdef0"] }), "NatGatewayNotFound");
  await rejects(ec2.deleteNatGateway({ NatGatewayId: "nat-0123456789abcdef0" }), "InvalidNatGatewayID.NotFound");
  await rejects(ec2.describeSecurityGroups({ GroupIds: ["sg-0123456789abcdef0"] }), "InvalidGroup.NotFound");
  await rejects(ec2.describeNetworkInterfaces({ NetworkInterfaceIds: ["eni-0123456789abcdef0"] }), "InvalidNetworkInterfaceID.NotFound");
  await rejects(ec2.disassociateRouteTable({ AssociationId: "rtbassoc-0123456789abcdef0" }), "InvalidAssociationID.NotFound");
  await rejects(ec2.deleteVpc({ VpcId: "vpc-0123456789abcdef0" }), "InvalidVpcID.NotFound");
  await rejects(ec2.createTags({ Resources: ["subnet-0123456789abcdef0"], Tags: [{ Key: "a", Value: "b" }] }), "InvalidSubnetID.NotFound");
  await rejects(ec2.describeVpcs({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] }), "InvalidParameterValue", /The filter 'no-such-filter' is invalid/);
});

test("an operation the sandbox does not implement is InvalidAction", async () => {
  const { ec2 } = await setup();
  await rejects(ec2.describeInstanceTypes({}), "InvalidAction", /DescribeInstanceTypes/);
});

test("CreateSubnet: inside the VPC, no overlap, /16-/28, AZ of the region", async () => {
  const { ec2 } = await setup();
  const { Vpc } = await ec2.createVpc({ CidrBlock: "10.0.0.0/16" });
  const VpcId = Vpc!.VpcId!;
  await rejects(ec2.createSubnet({ VpcId, CidrBlock: "10.1.0.0/24", AvailabilityZone: "us-east-1a" }), "InvalidSubnet.Range", /The CIDR '10.1.0.0\/24' is invalid/);
  await rejects(ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/29", AvailabilityZone: "us-east-1a" }), "InvalidSubnet.Range");
  await rejects(
    ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "eu-west-1a" }),
    "InvalidParameterValue",
    /Value \(eu-west-1a\) for parameter availabilityZone is invalid\. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f\./,
  );
  const { Subnet } = await ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a" });
  assert.equal(Subnet!.AvailableIpAddressCount, 251);
  assert.equal(Subnet!.MapPublicIpOnLaunch, false);
  await rejects(ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.128/25", AvailabilityZone: "us-east-1b" }), "InvalidSubnet.Conflict", /conflicts with another subnet/);
  const b = await ec2.createSubnet({ VpcId, CidrBlock: "10.0.1.0/24", AvailabilityZoneId: "use1-az2" });
  assert.equal(b.Subnet!.AvailabilityZone, "us-east-1b");
  await ec2.modifySubnetAttribute({ SubnetId: Subnet!.SubnetId!, MapPublicIpOnLaunch: { Value: true } });
  const { Subnets } = await ec2.describeSubnets({ SubnetIds: [Subnet!.SubnetId!] });
  assert.equal(Subnets![0].MapPublicIpOnLaunch, true);
  const pub = await ec2.describeSubnets({ Filters: [{ Name: "vpc-id", Values: [VpcId] }, { Name: "map-public-ip-on-launch", Values: ["true"] }] });
  assert.equal(pub.Subnets!.length, 1);
});

test("internet gateways: one per VPC, attach/detach/delete rules", async () => {
  const { ec2 } = await setup();
  const vpc1 = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const vpc2 = (await ec2.createVpc({ CidrBlock: "10.1.0.0/16" })).Vpc!.VpcId!;
  const igw1 = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  const igw2 = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  assert.match(igw1, /^igw-[0-9a-f]{17}$/);
  await ec2.attachInternetGateway({ InternetGatewayId: igw1, VpcId: vpc1 });
  await rejects(ec2.attachInternetGateway({ InternetGatewayId: igw1, VpcId: vpc2 }), "Resource.AlreadyAssociated", /is already attached to network/);
  await rejects(ec2.attachInternetGateway({ InternetGatewayId: igw2, VpcId: vpc1 }), "Resource.AlreadyAssociated");
  await rejects(ec2.detachInternetGateway({ InternetGatewayId: igw1, VpcId: vpc2 }), "Gateway.NotAttached", /is not attached to network/);
  await rejects(ec2.deleteInternetGateway({ InternetGatewayId: igw1 }), "DependencyViolation");
  const d = await ec2.describeInternetGateways({ InternetGatewayIds: [igw1] });
  assert.deepEqual(d.InternetGateways![0].Attachments, [{ VpcId: vpc1, State: "available" }]);
  await ec2.detachInternetGateway({ InternetGatewayId: igw1, VpcId: vpc1 });
  await ec2.deleteInternetGateway({ InternetGatewayId: igw1 });
  await rejects(ec2.describeInternetGateways({ InternetGatewayIds: [igw1] }), "InvalidInternetGatewayID.NotFound");
});

test("route tables and routes: targets, duplicates, associations, main table", async () => {
  const { ec2 } = await setup();
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const other = (await ec2.createVpc({ CidrBlock: "10.9.0.0/16" })).Vpc!.VpcId!;
  const subnet = (await ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a" })).Subnet!.SubnetId!;
  const otherSubnet = (await ec2.createSubnet({ VpcId: other, CidrBlock: "10.9.0.0/24", AvailabilityZone: "us-east-1a" })).Subnet!.SubnetId!;
  const { RouteTable } = await ec2.createRouteTable({ VpcId });
  const rtb = RouteTable!.RouteTableId!;
  assert.deepEqual(RouteTable!.Routes, [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" }]);
  const igw = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  await rejects(ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0123456789abcdef0" }), "InvalidGatewayID.NotFound");
  await rejects(ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }), "InvalidParameterValue", /belong to different networks/);
  await rejects(ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-0123456789abcdef0" }), "InvalidNatGatewayID.NotFound");
  await rejects(ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/33", GatewayId: igw }), "InvalidParameterValue");
  await ec2.attachInternetGateway({ InternetGatewayId: igw, VpcId });
  assert.equal((await ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw })).Return, true);
  await rejects(ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }), "RouteAlreadyExists", /The route identified by 0.0.0.0\/0 already exists/);
  await rejects(ec2.createRoute({ RouteTableId: rtb, DestinationCidrBlock: "10.0.0.0/16", GatewayId: igw }), "RouteAlreadyExists");
  await rejects(ec2.deleteRoute({ RouteTableId: rtb, DestinationCidrBlock: "1.2.3.0/24" }), "InvalidRoute.NotFound");
  await rejects(ec2.deleteRoute({ RouteTableId: rtb, DestinationCidrBlock: "10.0.0.0/16" }), "InvalidParameterValue");
  await rejects(ec2.replaceRoute({ RouteTableId: rtb, DestinationCidrBlock: "1.2.3.0/24", GatewayId: igw }), "InvalidParameterValue");
  await ec2.replaceRoute({ RouteTableId: rtb, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });

  await rejects(ec2.associateRouteTable({ RouteTableId: rtb, SubnetId: otherSubnet }), "InvalidParameterValue", /different networks/);
  const { AssociationId } = await ec2.associateRouteTable({ RouteTableId: rtb, SubnetId: subnet });
  assert.match(AssociationId!, /^rtbassoc-/);
  const rtb2 = (await ec2.createRouteTable({ VpcId })).RouteTable!.RouteTableId!;
  await rejects(ec2.associateRouteTable({ RouteTableId: rtb2, SubnetId: subnet }), "Resource.AlreadyAssociated");
  await rejects(ec2.deleteRouteTable({ RouteTableId: rtb }), "DependencyViolation", /has dependencies and cannot be deleted/);
  const { NewAssociationId } = await ec2.replaceRouteTableAssociation({ AssociationId: AssociationId!, RouteTableId: rtb2 });
  const byAssoc = await ec2.describeRouteTables({ Filters: [{ Name: "association.subnet-id", Values: [subnet] }] });
  assert.equal(byAssoc.RouteTables![0].RouteTableId, rtb2);
  await ec2.disassociateRouteTable({ AssociationId: NewAssociationId! });
  await ec2.deleteRouteTable({ RouteTableId: rtb });
  const main = (await ec2.describeRouteTables({ Filters: [{ Name: "vpc-id", Values: [VpcId] }, { Name: "association.main", Values: ["true"] }] })).RouteTables![0];
  await rejects(ec2.deleteRouteTable({ RouteTableId: main.RouteTableId! }), "DependencyViolation");
  await rejects(ec2.disassociateRouteTable({ AssociationId: main.Associations![0].RouteTableAssociationId! }), "InvalidParameterValue");

  // a route to an IGW that gets detached turns into a blackhole
  await ec2.createRoute({ RouteTableId: rtb2, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw });
  await ec2.detachInternetGateway({ InternetGatewayId: igw, VpcId });
  const after = (await ec2.describeRouteTables({ RouteTableIds: [rtb2] })).RouteTables![0];
  assert.equal(after.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.State, "blackhole");
  const bh = await ec2.describeRouteTables({ Filters: [{ Name: "route.state", Values: ["blackhole"] }] });
  assert.deepEqual(bh.RouteTables!.map((r) => r.RouteTableId), [rtb2]);
});

test("CreateRouteTable ClientToken is idempotent", async () => {
  const { sb, ec2 } = await setup();
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const a = await ec2.createRouteTable({ VpcId, ClientToken: "tok-1" });
  const b = await ec2.createRouteTable({ VpcId, ClientToken: "tok-1" });
  assert.equal(a.RouteTable!.RouteTableId, b.RouteTable!.RouteTableId);
  assert.equal(sb.journal.at(-1)!.mutating, false);
  const other = (await ec2.createVpc({ CidrBlock: "10.1.0.0/16" })).Vpc!.VpcId!;
  await rejects(ec2.createRouteTable({ VpcId: other, ClientToken: "tok-1" }), "IdempotentParameterMismatch");
});

test("security groups: duplicates, rules, references, default group", async () => {
  const { ec2 } = await setup();
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const lambda = (await ec2.createSecurityGroup({ VpcId, GroupName: "lambda", Description: "Lambda SG" })).GroupId!;
  const db = (await ec2.createSecurityGroup({ VpcId, GroupName: "db", Description: "DB SG" })).GroupId!;
  await rejects(ec2.createSecurityGroup({ VpcId, GroupName: "lambda", Description: "again" }), "InvalidGroup.Duplicate", /already exists for VPC/);
  const perm = { IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: lambda }] };
  const auth = await ec2.authorizeSecurityGroupIngress({ GroupId: db, IpPermissions: [perm] });
  assert.equal(auth.SecurityGroupRules!.length, 1);
  assert.match(auth.SecurityGroupRules![0].SecurityGroupRuleId!, /^sgr-/);
  await rejects(ec2.authorizeSecurityGroupIngress({ GroupId: db, IpPermissions: [perm] }), "InvalidPermission.Duplicate");
  await rejects(ec2.authorizeSecurityGroupEgress({ GroupId: lambda, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }), "InvalidPermission.Duplicate");
  await ec2.authorizeSecurityGroupIngress({ GroupId: db, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/16", Description: "vpc" }] }] });
  const { SecurityGroups } = await ec2.describeSecurityGroups({ GroupIds: [db] });
  assert.equal(SecurityGroups![0].IpPermissions!.length, 2);
  const rules = await ec2.describeSecurityGroupRules({ Filters: [{ Name: "group-id", Values: [db] }] });
  assert.equal(rules.SecurityGroupRules!.length, 3); // 2 ingress + default egress
  await rejects(ec2.deleteSecurityGroup({ GroupId: lambda }), "DependencyViolation", /has a dependent object/);
  await rejects(ec2.revokeSecurityGroupIngress({ GroupId: db, IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }), "InvalidPermission.NotFound");
  await ec2.revokeSecurityGroupIngress({ GroupId: db, IpPermissions: [perm] });
  await ec2.deleteSecurityGroup({ GroupId: lambda });
  const def = (await ec2.describeSecurityGroups({ Filters: [{ Name: "vpc-id", Values: [VpcId] }, { Name: "group-name", Values: ["default"] }] })).SecurityGroups![0];
  await rejects(ec2.deleteSecurityGroup({ GroupId: def.GroupId! }), "CannotDelete");
  await rejects(ec2.authorizeSecurityGroupIngress({ GroupId: db, IpPermissions: [{ IpProtocol: "tcp", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }), "InvalidParameterValue");
});

test("DeleteVpc: DependencyViolation until subnets, IGW, route tables and groups are gone", async () => {
  const { ec2 } = await setup();
  const VpcId = (await ec2.createVpc({ CidrBlock: "10.0.0.0/16" })).Vpc!.VpcId!;
  const subnet = (await ec2.createSubnet({ VpcId, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a" })).Subnet!.SubnetId!;
  const igw = (await ec2.createInternetGateway({})).InternetGateway!.InternetGatewayId!;
  await ec2.attachInternetGateway({ InternetGatewayId: igw, VpcId });
  const rtb = (await ec2.createRouteTable({ VpcId })).RouteTable!.RouteTableId!;
  const sg = (await ec2.createSecurityGroup({ VpcId, GroupName: "app", Description: "app" })).GroupId!;
  const steps: Array<() => Promise<unknown>> = [
    () => ec2.deleteSubnet({ SubnetId: subnet }),
    () => ec2.detachInternetGateway({ InternetGatewayId: igw, VpcId }),
    () => ec2.deleteRouteTable({ RouteTableId: rtb }),
    () => ec2.deleteSecurityGroup({ GroupId: sg }),
  ];
  for (const step of steps) {
    await rejects(ec2.deleteVpc({ VpcId }), "DependencyViolation", new RegExp(`The vpc '${VpcId}' has dependencies and cannot be deleted`));
    await step();
  }
  await ec2.deleteVpc({ VpcId });
  await rejects(ec2.describeVpcs({ VpcIds: [VpcId] }), "InvalidVpcID.NotFound");
  const left = await ec2.describeRouteTables({ Filters: [{ Name: "vpc-id", Values: [VpcId] }] });
  assert.equal(left.RouteTables!.length, 0);
  await ec2.deleteInternetGateway({ InternetGatewayId: igw });
});

test("network ACL entries: CreateNetworkAclEntry / DeleteNetworkAclEntry with AWS's checks, first-match order kept", async () => {
  const { ec2 } = await setup();
  const acl = (await ec2.describeNetworkAcls({})).NetworkAcls![0]!.NetworkAclId!;
  const entry = { NetworkAclId: acl, Egress: false, Protocol: "6", RuleAction: "deny" as const, CidrBlock: "0.0.0.0/0", PortRange: { From: 1024, To: 65535 } };
  await ec2.createNetworkAclEntry({ ...entry, RuleNumber: 50 });
  await rejects(ec2.createNetworkAclEntry({ ...entry, RuleNumber: 50 }), "NetworkAclEntryAlreadyExists");
  await rejects(ec2.createNetworkAclEntry({ ...entry, RuleNumber: 100 }), "NetworkAclEntryAlreadyExists"); // the default allow
  await ec2.createNetworkAclEntry({ ...entry, RuleNumber: 50, Egress: true }); // same number, other direction
  await rejects(ec2.createNetworkAclEntry({ ...entry, RuleNumber: 32767 }), "InvalidParameterValue");
  await rejects(ec2.createNetworkAclEntry({ ...entry, RuleNumber: 60, PortRange: undefined }), "MissingParameter");
  await rejects(ec2.createNetworkAclEntry({ ...entry, RuleNumber: 60, CidrBlock: undefined }), "MissingParameter");
  await rejects(ec2.createNetworkAclEntry({ ...entry, RuleNumber: 60, RuleAction: "drop" as never }), "InvalidParameterValue");
  const inbound = (await ec2.describeNetworkAcls({ NetworkAclIds: [acl] })).NetworkAcls![0]!.Entries!.filter((e) => !e.Egress);
  assert.deepEqual(inbound.map((e) => `${e.RuleNumber} ${e.RuleAction} ${e.Protocol} ${e.PortRange ? `${e.PortRange.From}-${e.PortRange.To}` : "*"}`), ["50 deny 6 1024-65535", "100 allow -1 *", "32767 deny -1 *"]);
  await ec2.deleteNetworkAclEntry({ NetworkAclId: acl, RuleNumber: 50, Egress: false });
  await rejects(ec2.deleteNetworkAclEntry({ NetworkAclId: acl, RuleNumber: 50, Egress: false }), "InvalidNetworkAclEntry.NotFound");
  await rejects(ec2.deleteNetworkAclEntry({ NetworkAclId: acl, RuleNumber: 32767, Egress: false }), "InvalidNetworkAclEntry.NotFound");
});
