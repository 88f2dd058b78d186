// The sandbox's Lambda, IAM and VPC-endpoint emulation through the real SDK clients: seeded
// functions and roles, async update states, hyperplane ENIs, AWS's errors, endpoint services,
// interface/gateway endpoints and prefix lists.
import { test } from "node:test";
import { outcome, SANDBOX_CREDENTIALS as creds } from "./helpers.js";
import assert from "node:assert/strict";
import { EC2Client, CreateVpcCommand, CreateSubnetCommand, CreateSecurityGroupCommand, ModifyVpcAttributeCommand, CreateRouteTableCommand, CreateVpcEndpointCommand, DescribeVpcEndpointsCommand, DeleteVpcEndpointsCommand, DescribeVpcEndpointServicesCommand, DescribeRouteTablesCommand, DescribeNetworkInterfacesCommand, DeleteSecurityGroupCommand, DescribePrefixListsCommand } from "@aws-sdk/client-ec2";
import { LambdaClient, GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand, ListEventSourceMappingsCommand, GetFunctionCommand } from "@aws-sdk/client-lambda";
import { IAMClient, GetRoleCommand, ListAttachedRolePoliciesCommand, AttachRolePolicyCommand, DetachRolePolicyCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { sandboxKit } from "./helpers.js";


async function setup() {
  const { sb, client } = await sandboxKit();
  await sb.reset({ examples: true });
  const ec2 = client(new EC2Client({ region: "us-east-1", credentials: creds }));
  const lambda = client(new LambdaClient({ region: "us-east-1", credentials: creds }), "lambda");
  const iam = client(new IAMClient({ region: "us-east-1", credentials: creds }), "iam");
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
  const a = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.9.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  const b = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.9.2.0/24", AvailabilityZone: "us-east-1b" }))).Subnet!.SubnetId!;
  const e = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.9.5.0/24", AvailabilityZone: "us-east-1e" }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "fn", Description: "fn" }))).GroupId!;
  return { sb, ec2, lambda, iam, vpc, a, b, e, sg };
}

const code = outcome;

test("seeded functions, roles and the on-demand MSK event source mapping", async () => {
  const { lambda, iam } = await setup();
  for (const name of ["sms-sender", "rotate-db-secret", "msk-consumer"]) {
    const f = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    assert.equal(f.State, "Active");
    assert.equal(f.LastUpdateStatus, "Successful");
    assert.equal(f.VpcConfig, undefined);
    const role = await iam.send(new GetRoleCommand({ RoleName: f.Role!.split("/").pop()! }));
    assert.equal(role.Role!.Arn, f.Role);
  }
  const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: "rotate-db-secret-role" }));
  const doc = await iam.send(new GetRolePolicyCommand({ RoleName: "rotate-db-secret-role", PolicyName: inline.PolicyNames![0] }));
  assert.match(decodeURIComponent(doc.PolicyDocument!), /ec2:CreateNetworkInterface/);
  const esm = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "msk-consumer" }));
  assert.equal(esm.EventSourceMappings!.length, 1);
  assert.match(esm.EventSourceMappings![0].EventSourceArn!, /^arn:aws:kafka:us-east-1:\d{12}:cluster\/msk-demo\//);
  assert.equal(await code(lambda.send(new GetFunctionCommand({ FunctionName: "nope" }))), "ResourceNotFoundException 404");
  assert.equal(await code(iam.send(new GetRoleCommand({ RoleName: "nope" }))), "NoSuchEntity 404");
});

test("UpdateFunctionConfiguration: role without ENI permissions fails the real way; after attaching the policy it goes InProgress → Successful with hyperplane ENIs", async () => {
  const { lambda, iam, ec2, a, b, sg } = await setup();
  const upd = () => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "sms-sender", VpcConfig: { SubnetIds: [a, b], SecurityGroupIds: [sg] } }));
  await assert.rejects(upd(), (err: any) => err.name === "InvalidParameterValueException" && /does not have permissions to call CreateNetworkInterface on EC2/.test(err.message));
  await iam.send(new AttachRolePolicyCommand({ RoleName: "sms-sender-role", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "sms-sender-role" }));
  assert.ok(attached.AttachedPolicies!.some((p) => p.PolicyName === "AWSLambdaVPCAccessExecutionRole"));
  const r = await upd();
  assert.equal(r.LastUpdateStatus, "InProgress");
  const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "sms-sender" }));
  assert.equal(after.LastUpdateStatus, "Successful");
  assert.deepEqual(after.VpcConfig!.SubnetIds!.sort(), [a, b].sort());
  const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }));
  assert.equal(enis.NetworkInterfaces!.length, 2, "one ENI per subnet + SG pair");
  assert.ok(enis.NetworkInterfaces!.every((e) => e.Description === "AWS Lambda VPC ENI-sms-sender" && e.RequesterManaged));
  assert.equal(await code(ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }))), "DependencyViolation 400");
  // Detach: the ENIs are released and the group can go.
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "sms-sender", VpcConfig: { SubnetIds: [], SecurityGroupIds: [] } }));
  assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "sms-sender" }))).VpcConfig, undefined);
  assert.equal(await code(ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }))), "ok");
  await iam.send(new DetachRolePolicyCommand({ RoleName: "sms-sender-role", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
  assert.equal(await code(iam.send(new DetachRolePolicyCommand({ RoleName: "sms-sender-role", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }))), "NoSuchEntity 404");
});

test("an update in progress refuses another with ResourceConflictException (realistic latency)", async () => {
  // realistic timing, unscaled, on the kit's TestClock: the update takes its 1 s, each call its 20 ms
  const { sb, clock, client } = await sandboxKit({ latency: "realistic" });
  await sb.reset({ examples: true });
  const lambda = client(new LambdaClient({ region: "us-east-1", credentials: creds }), "lambda");
  const status = async () => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "rotate-db-secret" }))).LastUpdateStatus;
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "rotate-db-secret", Timeout: 60 }));
  assert.equal(await code(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "rotate-db-secret", Timeout: 61 }))), "ResourceConflictException 409");
  await clock.sleep(800);
  assert.equal(await status(), "InProgress", "still in progress 0.9 s later");
  await clock.sleep(300);
  assert.equal(await status(), "Successful");
  assert.equal((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "rotate-db-secret" }))).Timeout, 60, "the refused update changed nothing");
});

test("endpoint services, interface and gateway endpoints, private DNS rule, prefix lists", async () => {
  const { ec2, vpc, a, b, e, sg } = await setup();
  const svc = await ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: ["com.amazonaws.us-east-1.secretsmanager"] }));
  assert.ok(!svc.ServiceDetails![0].AvailabilityZones!.includes("us-east-1e"));
  assert.equal(await code(ec2.send(new DescribeVpcEndpointServicesCommand({ ServiceNames: ["com.amazonaws.us-east-1.nope"] }))), "InvalidServiceName 400");
  const iface = (subs: string[]) => ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.secretsmanager", SubnetIds: subs, SecurityGroupIds: [sg] }));
  assert.equal(await code(iface([a])), "InvalidParameter 400", "private DNS needs DNS hostnames");
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  assert.equal(await code(iface([e])), "InvalidParameter 400", "AZ not offered");
  const ep = (await iface([a, b])).VpcEndpoint!;
  assert.equal(ep.State, "pending");
  assert.equal(await code(iface([a])), "InvalidParameter 400", "conflicting private DNS");
  const d = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!] }));
  assert.equal(d.VpcEndpoints![0].State, "available");
  assert.ok(d.VpcEndpoints![0].DnsEntries!.some((x) => x.DnsName === "secretsmanager.us-east-1.amazonaws.com"));
  assert.equal(d.VpcEndpoints![0].NetworkInterfaceIds!.length, 2);
  const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
  const gw = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rt] }))).VpcEndpoint!;
  const pl = (await ec2.send(new DescribePrefixListsCommand({}))).PrefixLists!.find((p) => p.PrefixListName === "com.amazonaws.us-east-1.s3")!;
  const table = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rt] }))).RouteTables![0];
  assert.ok(table.Routes!.some((r) => r.DestinationPrefixListId === pl.PrefixListId && r.GatewayId === gw.VpcEndpointId));
  assert.equal(await code(ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ["vpce-0123456789abcdef0"] }))), "InvalidVpcEndpointId.NotFound 400");
  const del = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ep.VpcEndpointId!, gw.VpcEndpointId!, "vpce-0123456789abcdef0"] }));
  assert.equal(del.Unsuccessful!.length, 1);
  assert.equal((await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc] }] }))).VpcEndpoints!.length, 0);
  const table2 = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rt] }))).RouteTables![0];
  assert.ok(!table2.Routes!.some((r) => r.DestinationPrefixListId));
});

test("ModifyVpcEndpoint: policy (or ResetPolicy), subnets with their ENIs, groups and private DNS, checked like CreateVpcEndpoint", async () => {
  const { ec2, vpc, a, b, e, sg } = await setup();
  const { ModifyVpcEndpointCommand } = await import("@aws-sdk/client-ec2");
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const c = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.9.3.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  const sg2 = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "other", Description: "other" }))).GroupId!;
  const id = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: [a], SecurityGroupIds: [sg], PrivateDnsEnabled: false }))).VpcEndpoint!.VpcEndpointId!;
  const modify = (input: Record<string, unknown>) => ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, ...input }));
  const live = async () => (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }))).VpcEndpoints![0];
  const policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:GetCallerIdentity", Resource: "*" }] });
  assert.equal(await code(modify({ PolicyDocument: policy, ResetPolicy: true })), "InvalidParameter 400");
  assert.equal(await code(modify({ PolicyDocument: "{nope" })), "InvalidPolicyDocument 400");
  assert.equal(await code(modify({ AddSubnetIds: [c] })), "DuplicateSubnetsInSameZone 400", "one subnet per AZ");
  assert.equal(await code(modify({ AddSubnetIds: [e] })), "InvalidParameter 400", "AZ not offered");
  assert.equal(await code(modify({ RemoveSubnetIds: [a] })), "InvalidParameter 400", "at least one subnet");
  assert.equal(await code(modify({ RemoveSecurityGroupIds: [sg] })), "InvalidParameter 400", "at least one group");
  assert.equal(await code(modify({ RemoveSubnetIds: [b] })), "InvalidParameter 400", "not one of its subnets");
  assert.equal(await code(modify({ AddRouteTableIds: [] , RemoveRouteTableIds: ["rtb-0123456789abcdef0"] })), "InvalidParameter 400", "route tables are for gateway endpoints");
  assert.equal((await live()).NetworkInterfaceIds!.length, 1, "nothing changed by a refused call");
  // One call: new policy, a's ENI swapped for c's (same AZ), b added, the group replaced, private DNS on.
  await modify({ PolicyDocument: policy, RemoveSubnetIds: [a], AddSubnetIds: [c, b], AddSecurityGroupIds: [sg2], RemoveSecurityGroupIds: [sg], PrivateDnsEnabled: true });
  const after = await live();
  assert.equal(after.PolicyDocument, policy);
  assert.deepEqual([...after.SubnetIds!].sort(), [b, c].sort());
  assert.deepEqual(after.Groups!.map((g) => g.GroupId), [sg2]);
  assert.equal(after.PrivateDnsEnabled, true);
  const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: after.NetworkInterfaceIds }))).NetworkInterfaces!;
  assert.deepEqual(enis.map((x) => x.SubnetId).sort(), [b, c].sort());
  assert.ok(enis.every((x) => x.Groups!.map((g) => g.GroupId).join() === sg2));
  await modify({ ResetPolicy: true });
  assert.match((await live()).PolicyDocument!, /"Action":"\*"/);
  // A second endpoint for the service cannot turn private DNS on while this one has it.
  const other = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: [a], SecurityGroupIds: [sg], PrivateDnsEnabled: false }))).VpcEndpoint!.VpcEndpointId!;
  assert.equal(await code(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: other, PrivateDnsEnabled: true }))), "InvalidParameter 400");
  const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!.RouteTableId!;
  const gw = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [rt] }))).VpcEndpoint!.VpcEndpointId!;
  assert.equal(await code(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: gw, AddSubnetIds: [a] }))), "InvalidParameter 400", "subnets are for interface endpoints");
  assert.equal(await code(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: gw, PrivateDnsEnabled: true }))), "InvalidParameter 400");
});
