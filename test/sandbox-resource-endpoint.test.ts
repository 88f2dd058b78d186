// The sandbox's Resource VPC endpoints (PrivateLink to a VPC Lattice resource configuration, S2)
// through the real SDK: AWS's checks before any change, one ENI per subnet with the endpoint's groups,
// pending → available, DNS entries, Describe/Delete, and the configuration that cannot go while used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand, CreateVpcEndpointCommand, DescribeVpcEndpointsCommand, DeleteVpcEndpointsCommand, DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { CreateResourceGatewayCommand, CreateResourceConfigurationCommand, DeleteResourceConfigurationCommand, GetResourceGatewayCommand } from "@aws-sdk/client-vpc-lattice";
import { latticeSandbox, outcome as withStatus } from "./helpers.js";

const outcome = async (p: Promise<unknown>) => (await withStatus(p)).split(" ")[0];

async function setup(timeScale?: number) {
  const { sb, ec2, lattice, vpc, a, clock } = await latticeSandbox(timeScale ? { latency: "realistic", timeScale } : {});
  const gw = await lattice.send(new CreateResourceGatewayCommand({ name: "egress-proxy", vpcIdentifier: vpc, subnetIds: [a] }));
  const cfg = await lattice.send(
    new CreateResourceConfigurationCommand({ name: "proxy-a", type: "SINGLE", resourceGatewayIdentifier: gw.id!, protocol: "TCP", portRanges: ["3128"], resourceConfigurationDefinition: { ipResource: { ipAddress: "10.100.10.50" } } }),
  );
  // The consumer: the same 10.0.0.0/16 another team uses too.
  const consumer = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const c1 = (await ec2.send(new CreateSubnetCommand({ VpcId: consumer, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  const c2 = (await ec2.send(new CreateSubnetCommand({ VpcId: consumer, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1b" }))).Subnet!.SubnetId!;
  const c3 = (await ec2.send(new CreateSubnetCommand({ VpcId: consumer, CidrBlock: "10.0.3.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: consumer, GroupName: "proxy-endpoint", Description: "proxy endpoint" }))).GroupId!;
  const foreignSg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "x", Description: "x" }))).GroupId!;
  return { sb, ec2, lattice, vpc, a, cfg, consumer, c1, c2, c3, sg, foreignSg, clock };
}

test("CreateVpcEndpoint Resource: one ENI per subnet with the group, DNS entries, Describe by id, ClientToken, Delete", async () => {
  const { ec2, consumer, c1, c2, sg, cfg } = await setup();
  const input = { VpcEndpointType: "Resource" as const, VpcId: consumer, ResourceConfigurationArn: cfg.arn!, SubnetIds: [c1, c2], SecurityGroupIds: [sg], ClientToken: "tok-1" };
  const ep = (await ec2.send(new CreateVpcEndpointCommand(input))).VpcEndpoint!;
  assert.equal(ep.VpcEndpointType, "Resource");
  assert.equal(ep.ResourceConfigurationArn, cfg.arn);
  assert.equal(ep.ServiceName, undefined, "a Resource endpoint names no service");
  assert.deepEqual(ep.SubnetIds, [c1, c2]);
  assert.equal(ep.NetworkInterfaceIds!.length, 2);
  assert.ok(ep.DnsEntries!.some((d) => d.DnsName!.includes(`.${cfg.id}.`) && d.DnsName!.endsWith(".vpc-lattice-rsc.us-east-1.on.aws")), JSON.stringify(ep.DnsEntries));
  const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ep.NetworkInterfaceIds }))).NetworkInterfaces!;
  assert.deepEqual(enis.map((e) => e.SubnetId).sort(), [c1, c2].sort());
  for (const e of enis) {
    assert.deepEqual(e.Groups!.map((g) => g.GroupId), [sg]);
    assert.match(e.PrivateIpAddress!, /^10\.0\.[12]\.\d+$/, "addresses of the consumer's subnets");
  }
  const again = (await ec2.send(new CreateVpcEndpointCommand(input))).VpcEndpoint!;
  assert.equal(again.VpcEndpointId, ep.VpcEndpointId, "same ClientToken → same endpoint");
  const got = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).VpcEndpoints!;
  assert.deepEqual(got.map((e) => [e.VpcEndpointType, e.State, e.ResourceConfigurationArn]), [["Resource", "available", cfg.arn]]);
  const byType = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-endpoint-type", Values: ["Resource"] }] }))).VpcEndpoints!;
  assert.deepEqual(byType.map((e) => e.VpcEndpointId), [ep.VpcEndpointId]);
  assert.deepEqual((await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).Unsuccessful, []);
  assert.deepEqual((await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [consumer] }] }))).VpcEndpoints, []);
  assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "vpc-id", Values: [consumer] }] }))).NetworkInterfaces, [], "its ENIs went with it");
});

test("CreateVpcEndpoint Resource: pending until available (scaled), and the configuration cannot be deleted while an endpoint uses it", async () => {
  const { ec2, lattice, consumer, c1, sg, cfg, clock } = await setup(0.005);
  const input = { VpcEndpointType: "Resource" as const, VpcId: consumer, ResourceConfigurationArn: cfg.arn!, SubnetIds: [c1], SecurityGroupIds: [sg] };
  const poll = async <T>(read: () => Promise<T>, done: (v: T) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const v = await read();
      if (done(v)) return v;
      await clock.sleep(20);
    }
    throw new Error("timed out");
  };
  const gwStatus = async () => (await lattice.send(new GetResourceGatewayCommand({ resourceGatewayIdentifier: cfg.resourceGatewayId! }))).status;
  // on the TestClock no time has passed since the gateway was created: it is still being created
  assert.equal(await gwStatus(), "CREATE_IN_PROGRESS");
  assert.equal(await outcome(ec2.send(new CreateVpcEndpointCommand(input))), "InvalidParameter", "its gateway is not ACTIVE yet");
  await poll(gwStatus, (s) => s === "ACTIVE");
  const ep = (await ec2.send(new CreateVpcEndpointCommand(input))).VpcEndpoint!;
  assert.equal(ep.State, "pending");
  assert.equal(await outcome(lattice.send(new DeleteResourceConfigurationCommand({ resourceConfigurationIdentifier: cfg.id! }))), "ConflictException");
  const got = await poll(async () => (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }))).VpcEndpoints![0], (e) => String(e.State) !== "pending");
  assert.equal(got.State, "available");
});

test("CreateVpcEndpoint Resource: AWS's refusals, each before any change", async () => {
  const { sb, ec2, consumer, c1, c3, sg, foreignSg, cfg, a } = await setup();
  const base = { VpcEndpointType: "Resource" as const, VpcId: consumer, ResourceConfigurationArn: cfg.arn!, SubnetIds: [c1], SecurityGroupIds: [sg] };
  const before = sb.stats().mutatingCalls;
  const otherAccount = cfg.arn!.replace(/:\d{12}:/, ":111122223333:");
  const cases: Array<[string, object, string]> = [
    ["no configuration", { ...base, ResourceConfigurationArn: undefined }, "MissingParameter"],
    ["a ServiceName too", { ...base, ServiceName: "com.amazonaws.us-east-1.sts" }, "InvalidParameter"],
    ["no subnets", { ...base, SubnetIds: [] }, "InvalidParameter"],
    ["two subnets in one AZ", { ...base, SubnetIds: [c1, c3] }, "DuplicateSubnetsInSameZone"],
    ["a subnet of another VPC", { ...base, SubnetIds: [a] }, "InvalidParameter"],
    ["a group of another VPC", { ...base, SecurityGroupIds: [foreignSg] }, "InvalidParameter"],
    ["an endpoint policy", { ...base, PolicyDocument: JSON.stringify({ Statement: [] }) }, "InvalidParameter"],
    ["a malformed ARN", { ...base, ResourceConfigurationArn: "arn:aws:vpc-lattice:us-east-1:123:resourceconfiguration/x" }, "InvalidParameter"],
    ["another account's configuration, not shared", { ...base, ResourceConfigurationArn: otherAccount }, "InvalidParameter"],
    ["another Region's configuration", { ...base, ResourceConfigurationArn: cfg.arn!.replace("us-east-1", "eu-west-1") }, "InvalidParameter"],
    ["a configuration that does not exist", { ...base, ResourceConfigurationArn: cfg.arn!.replace(/rcfg-[0-9a-f]+/, "rcfg-0123456789abcdef0") }, "InvalidParameter"],
    ["a ResourceConfigurationArn on an Interface endpoint", { ...base, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.sts" }, "InvalidParameter"],
  ];
  for (const [what, input, code] of cases) assert.equal(await outcome(ec2.send(new CreateVpcEndpointCommand(input as never))), code, what);
  assert.equal(sb.stats().mutatingCalls, before, "nothing changed");
  assert.deepEqual((await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints, []);
});
