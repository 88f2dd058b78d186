// The sandbox's VPC Lattice emulation through the real SDK client: resource gateways (their ENIs in
// each subnet with the gateway's groups), resource configurations, Lattice's validation and errors,
// pagination, idempotency, and the `snapshot` command collecting both (with the gateway's ENIs).
import { test } from "node:test";
import { outcome } from "./helpers.js";
import assert from "node:assert/strict";
import { CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand, DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  CreateResourceGatewayCommand,
  GetResourceGatewayCommand,
  ListResourceGatewaysCommand,
  DeleteResourceGatewayCommand,
  CreateResourceConfigurationCommand,
  GetResourceConfigurationCommand,
  ListResourceConfigurationsCommand,
  DeleteResourceConfigurationCommand,
} from "@aws-sdk/client-vpc-lattice";
import { cli, cleanEnv, latticeSandbox, tempDir } from "./helpers.js";

async function setup() {
  const { sb, ec2, lattice, vpc, a } = await latticeSandbox();
  const b = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.100.11.0/24", AvailabilityZone: "us-east-1b" }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "rgw", Description: "resource gateway" }))).GroupId!;
  const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const otherSubnet = (await ec2.send(new CreateSubnetCommand({ VpcId: other, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  return { sb, ec2, lattice, vpc, a, b, sg, other, otherSubnet };
}

const code = outcome;

test("CreateResourceGateway makes one ENI per subnet with the gateway's groups; Get/List/Delete", async () => {
  const { ec2, lattice, vpc, a, b, sg } = await setup();
  const gw = await lattice.send(new CreateResourceGatewayCommand({ name: "egress-proxy", vpcIdentifier: vpc, subnetIds: [a, b], securityGroupIds: [sg] }));
  assert.match(gw.id!, /^rgw-[0-9a-f]{17}$/);
  assert.match(gw.arn!, new RegExp(`^arn:aws:vpc-lattice:us-east-1:\\d{12}:resourcegateway/${gw.id}$`));
  assert.equal(gw.status, "ACTIVE");
  const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] }))).NetworkInterfaces!.filter((e) => e.Description?.includes(gw.id!));
  assert.deepEqual(enis.map((e) => e.SubnetId).sort(), [a, b].sort());
  for (const e of enis) {
    assert.deepEqual(e.Groups!.map((g) => g.GroupId), [sg]);
    assert.match(e.PrivateIpAddress!, /^10\.100\.1[01]\./);
  }
  const got = await lattice.send(new GetResourceGatewayCommand({ resourceGatewayIdentifier: gw.arn! }));
  assert.deepEqual([got.id, got.vpcId, got.subnetIds, got.securityGroupIds, got.ipAddressType], [gw.id, vpc, [a, b], [sg], "IPV4"]);
  const list = await lattice.send(new ListResourceGatewaysCommand({}));
  assert.deepEqual(list.items!.map((g) => [g.id, g.vpcIdentifier]), [[gw.id, vpc]]);
  const del = await lattice.send(new DeleteResourceGatewayCommand({ resourceGatewayIdentifier: gw.id! }));
  assert.equal(del.status, "DELETE_IN_PROGRESS");
  const left = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] }))).NetworkInterfaces!;
  assert.equal(left.filter((e) => e.Description?.includes(gw.id!)).length, 0, "its ENIs go with it");
  assert.equal(await code(lattice.send(new GetResourceGatewayCommand({ resourceGatewayIdentifier: gw.id! }))), "ResourceNotFoundException 404");
});

test("CreateResourceGateway validation: ValidationException, ResourceNotFoundException, ConflictException", async () => {
  const { lattice, vpc, a, b, sg, other, otherSubnet } = await setup();
  const create = (x: Record<string, unknown>) => code(lattice.send(new CreateResourceGatewayCommand({ name: "gw-one", vpcIdentifier: vpc, subnetIds: [a], securityGroupIds: [sg], ...x } as any)));
  assert.equal(await create({ name: "Bad_Name" }), "ValidationException 400");
  assert.equal(await create({ name: "ab" }), "ValidationException 400");
  assert.equal(await create({ subnetIds: [] }), "ValidationException 400");
  assert.equal(await create({ subnetIds: [otherSubnet] }), "ValidationException 400", "a subnet of another VPC");
  assert.equal(await create({ vpcIdentifier: "vpc-0123456789abcdef0" }), "ResourceNotFoundException 404");
  assert.equal(await create({ subnetIds: ["subnet-0123456789abcdef0"] }), "ResourceNotFoundException 404");
  assert.equal(await create({ securityGroupIds: ["sg-0123456789abcdef0"] }), "ResourceNotFoundException 404");
  assert.equal(await create({ vpcIdentifier: other, subnetIds: [otherSubnet] }), "ValidationException 400", "the group is in another VPC");
  assert.equal(await create({}), "ok");
  assert.equal(await create({ subnetIds: [b] }), "ConflictException 409", "names are unique");
  // Idempotent with a client token; the same token for another request conflicts.
  const t1 = await lattice.send(new CreateResourceGatewayCommand({ name: "gw-two", vpcIdentifier: vpc, subnetIds: [b], clientToken: "tok-1" }));
  const t2 = await lattice.send(new CreateResourceGatewayCommand({ name: "gw-two", vpcIdentifier: vpc, subnetIds: [b], clientToken: "tok-1" }));
  assert.equal(t1.id, t2.id);
  assert.equal(await code(lattice.send(new CreateResourceGatewayCommand({ name: "gw-three", vpcIdentifier: vpc, subnetIds: [b], clientToken: "tok-1" }))), "ConflictException 409");
});

test("resource configurations: create (IP or DNS resource, TCP port ranges), get, list by gateway, pagination, delete order", async () => {
  const { lattice, vpc, a, b, sg } = await setup();
  const gw = await lattice.send(new CreateResourceGatewayCommand({ name: "egress-proxy", vpcIdentifier: vpc, subnetIds: [a, b], securityGroupIds: [sg] }));
  const cfg = await lattice.send(
    new CreateResourceConfigurationCommand({ name: "squid", type: "SINGLE", resourceGatewayIdentifier: gw.id, portRanges: ["3128"], protocol: "TCP", resourceConfigurationDefinition: { ipResource: { ipAddress: "10.100.10.20" } } }),
  );
  assert.match(cfg.id!, /^rcfg-[0-9a-f]{17}$/);
  const got = await lattice.send(new GetResourceConfigurationCommand({ resourceConfigurationIdentifier: cfg.arn! }));
  assert.deepEqual([got.resourceGatewayId, got.type, got.protocol, got.portRanges, got.status], [gw.id, "SINGLE", "TCP", ["3128"], "ACTIVE"]);
  assert.deepEqual(got.resourceConfigurationDefinition, { ipResource: { ipAddress: "10.100.10.20" } });
  await lattice.send(new CreateResourceConfigurationCommand({ name: "squid-dns", type: "SINGLE", resourceGatewayIdentifier: gw.id, portRanges: ["3128-3129"], resourceConfigurationDefinition: { dnsResource: { domainName: "proxy.egress.internal", ipAddressType: "IPV4" } } }));
  await lattice.send(new CreateResourceConfigurationCommand({ name: "squid-three", type: "SINGLE", resourceGatewayIdentifier: gw.id, portRanges: ["80", "443"], resourceConfigurationDefinition: { ipResource: { ipAddress: "10.100.10.21" } } }));
  const p1 = await lattice.send(new ListResourceConfigurationsCommand({ resourceGatewayIdentifier: gw.id, maxResults: 2 }));
  assert.equal(p1.items!.length, 2);
  const p2 = await lattice.send(new ListResourceConfigurationsCommand({ resourceGatewayIdentifier: gw.id, maxResults: 2, nextToken: p1.nextToken }));
  assert.deepEqual([p2.items!.length, p2.nextToken], [1, undefined]);
  assert.equal(await code(lattice.send(new ListResourceConfigurationsCommand({ maxResults: 0 }))), "ValidationException 400");

  const create = (x: Record<string, unknown>) =>
    code(lattice.send(new CreateResourceConfigurationCommand({ name: "cfg-x", type: "SINGLE", resourceGatewayIdentifier: gw.id, portRanges: ["3128"], resourceConfigurationDefinition: { ipResource: { ipAddress: "10.100.10.20" } }, ...x } as any)));
  assert.equal(await create({ portRanges: ["70000"] }), "ValidationException 400");
  assert.equal(await create({ portRanges: ["90-80"] }), "ValidationException 400");
  assert.equal(await create({ portRanges: [] }), "ValidationException 400");
  assert.equal(await create({ protocol: "UDP" }), "ValidationException 400");
  assert.equal(await create({ type: "WHATEVER" }), "ValidationException 400");
  assert.equal(await create({ resourceConfigurationDefinition: { ipResource: { ipAddress: "10.100.10.999" } } }), "ValidationException 400");
  assert.equal(await create({ resourceConfigurationDefinition: { dnsResource: { domainName: "not a name" } } }), "ValidationException 400");
  assert.equal(await create({ resourceGatewayIdentifier: "rgw-0123456789abcdef0" }), "ResourceNotFoundException 404");
  assert.equal(await create({ name: "squid" }), "ConflictException 409");

  // A gateway with configurations cannot be deleted; a configuration can, then the gateway.
  assert.equal(await code(lattice.send(new DeleteResourceGatewayCommand({ resourceGatewayIdentifier: gw.id! }))), "ConflictException 409");
  for (const c of (await lattice.send(new ListResourceConfigurationsCommand({}))).items!) {
    await lattice.send(new DeleteResourceConfigurationCommand({ resourceConfigurationIdentifier: c.id! }));
  }
  assert.equal(await code(lattice.send(new GetResourceConfigurationCommand({ resourceConfigurationIdentifier: cfg.id! }))), "ResourceNotFoundException 404");
  assert.equal(await code(lattice.send(new DeleteResourceGatewayCommand({ resourceGatewayIdentifier: gw.id! }))), "ok");
});

test("snapshot collects resource gateways (with their ENIs) and configurations from vpc-lattice", async () => {
  const { sb, lattice, vpc, a, b, sg } = await setup();
  const gw = await lattice.send(new CreateResourceGatewayCommand({ name: "egress-proxy", vpcIdentifier: vpc, subnetIds: [a, b], securityGroupIds: [sg] }));
  await lattice.send(new CreateResourceConfigurationCommand({ name: "squid", type: "SINGLE", resourceGatewayIdentifier: gw.id, portRanges: ["3128"], resourceConfigurationDefinition: { ipResource: { ipAddress: "10.100.10.20" } } }));
  const r = await cli(["--sandbox", "snapshot", "--vpc", vpc], { cwd: tempDir("egress-lattice-"), env: cleanEnv(), sandbox: sb });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.resourceGateways.length, 1);
  const g = doc.resourceGateways[0];
  assert.deepEqual([g.id, g.vpcId, g.status], [gw.id, vpc, "ACTIVE"]);
  assert.equal(g.networkInterfaceIds.length, 2);
  for (const id of g.networkInterfaceIds) assert.ok(doc.networkInterfaces.some((e: any) => e.NetworkInterfaceId === id && e.Description.includes(gw.id)));
  assert.deepEqual(doc.resourceConfigurations.map((c: any) => [c.name, c.portRanges, c.resourceConfigurationDefinition]), [["squid", ["3128"], { ipResource: { ipAddress: "10.100.10.20" } }]]);
  assert.ok(!doc.omitted.some((o: any) => o.resource.startsWith("resource")));
});
