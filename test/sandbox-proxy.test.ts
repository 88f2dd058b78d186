// The sandbox's EC2 instances, IAM instance profiles, SSM and RAM through the real SDK clients (what
// launch-proxy, proxy allow and share-proxy call): AWS's validation, error codes and state timing.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EC2Client,
  CreateVpcCommand,
  CreateSubnetCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  RunInstancesCommand,
  DescribeInstancesCommand,
  TerminateInstancesCommand,
  DescribeNetworkInterfacesCommand,
  ModifyInstanceMetadataOptionsCommand,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import {
  IAMClient,
  CreateRoleCommand,
  AttachRolePolicyCommand,
  DetachRolePolicyCommand,
  CreateInstanceProfileCommand,
  AddRoleToInstanceProfileCommand,
  RemoveRoleFromInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  ListInstanceProfilesForRoleCommand,
  GetInstanceProfileCommand,
  DeleteRoleCommand,
} from "@aws-sdk/client-iam";
import { SSMClient, GetParameterCommand, GetParametersCommand, DescribeInstanceInformationCommand, SendCommandCommand, GetCommandInvocationCommand } from "@aws-sdk/client-ssm";
import {
  RAMClient,
  CreateResourceShareCommand,
  GetResourceSharesCommand,
  GetResourceShareAssociationsCommand,
  AssociateResourceShareCommand,
  DisassociateResourceShareCommand,
  DeleteResourceShareCommand,
} from "@aws-sdk/client-ram";
import { VPCLatticeClient, CreateResourceGatewayCommand, CreateResourceConfigurationCommand } from "@aws-sdk/client-vpc-lattice";
import { outcome, sandboxKit } from "./helpers.js";
import type { TestClock } from "./clock.js";
import { renderSquidConfig, renderUserData, reconfigureScript } from "../src/proxy/squid.js";

const creds = { accessKeyId: "x", secretAccessKey: "y" };
/** The AWS error code a call failed with ("ok" when it did not). */
const code = async (p: Promise<unknown>) => (await outcome(p)).split(" ")[0];
const AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });

/**
 * timeScale 0.001: a NAT takes 90 ms, an instance starts in 30 ms, SSM registers 60 ms later, a profile
 * propagates in 8 ms — on a TestClock (`clock.sleep` lets time pass), so no step races the wall clock.
 */
async function setup(timeScale = 0.001) {
  const { sb, clock, client: mk } = await sandboxKit({ latency: "realistic", timeScale });
  await sb.reset();
  const ec2 = mk(new EC2Client({ region: "us-east-1", credentials: creds }), "ec2");
  const iam = mk(new IAMClient({ region: "us-east-1", credentials: creds }), "iam");
  const ssm = mk(new SSMClient({ region: "us-east-1", credentials: creds }), "ssm");
  const ram = mk(new RAMClient({ region: "us-east-1", credentials: creds }), "ram");
  const lattice = mk(new VPCLatticeClient({ region: "us-east-1", credentials: creds }), "vpc-lattice");
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "proxy", Description: "proxy" }))).GroupId!;
  const ami = (await ssm.send(new GetParameterCommand({ Name: AL2023 }))).Parameter!.Value!;
  return { sb, ec2, iam, ssm, ram, lattice, vpc, subnet, sg, ami, clock };
}

function launch(ami: string, subnet: string, sg: string, extra: Partial<RunInstancesCommandInput> = {}): RunInstancesCommandInput {
  return {
    ImageId: ami,
    InstanceType: "t3.micro",
    MinCount: 1,
    MaxCount: 1,
    SubnetId: subnet,
    SecurityGroupIds: [sg],
    MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled" },
    BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeType: "gp3", VolumeSize: 8, Encrypted: true, DeleteOnTermination: true } }],
    TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "proxy-a" }] }],
    ...extra,
  };
}

async function profileWithSsmRole(iam: IAMClient, name = "egress-proxy") {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }));
  const p = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: [{ Key: "egress-cli:plan", Value: "t" }] }))).InstanceProfile!;
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
  return p;
}

/** Looks every 5 ms of the sandbox's clock until `fn` answers, for at most `ms` of it. */
async function until<T>(clock: TestClock, fn: () => Promise<T | undefined>, ms = 2000): Promise<T> {
  const end = clock.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (clock.now() > end) throw new Error("timed out");
    await clock.sleep(5);
  }
}

test("SSM publishes the AL2023 AMIs of both architectures; EC2 describes them; unknown parameters are ParameterNotFound", async () => {
  const { ec2, ssm } = await setup();
  const arm = (await ssm.send(new GetParameterCommand({ Name: AL2023.replace("x86_64", "arm64") }))).Parameter!;
  const both = await ssm.send(new GetParametersCommand({ Names: [AL2023, AL2023.replace("x86_64", "arm64"), "/aws/service/nope"] }));
  assert.equal(both.Parameters!.length, 2);
  assert.deepEqual(both.InvalidParameters, ["/aws/service/nope"]);
  const images = (await ec2.send(new DescribeImagesCommand({ ImageIds: both.Parameters!.map((p) => p.Value!) }))).Images!;
  assert.deepEqual(images.map((i) => i.Architecture).sort(), ["arm64", "x86_64"]);
  assert.equal(images.find((i) => i.ImageId === arm.Value)!.Architecture, "arm64");
  assert.equal(await code(ssm.send(new GetParameterCommand({ Name: "/aws/service/ami-amazon-linux-latest/nope" }))), "ParameterNotFound");
  assert.equal(await code(ec2.send(new DescribeImagesCommand({ ImageIds: ["ami-0123456789abcdef0"] }))), "InvalidAMIID.NotFound");
});

test("RunInstances: private subnet, no public IP, IMDSv2 hop 1, encrypted gp3, tags, an ENI with the groups; pending → running → shutting-down → terminated; the ENI goes", async () => {
  const { ec2, ami, subnet, sg, sb, clock } = await setup();
  const r = await ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, { ClientToken: "tok-1" })));
  const i = r.Instances![0];
  assert.equal(i.State!.Name, "pending");
  assert.equal(i.PublicIpAddress, undefined);
  assert.equal(i.MetadataOptions!.HttpTokens, "required");
  assert.equal(i.MetadataOptions!.HttpPutResponseHopLimit, 1);
  assert.deepEqual(i.Tags, [{ Key: "Name", Value: "proxy-a" }]);
  const eniId = i.NetworkInterfaces![0].NetworkInterfaceId!;
  const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))).NetworkInterfaces![0];
  assert.deepEqual(eni.Groups!.map((g) => g.GroupId), [sg]);
  assert.equal(eni.Attachment!.InstanceId, i.InstanceId);
  assert.equal(eni.SubnetId, subnet);
  const vol = (sb.state().regions["us-east-1"].ext.instances[i.InstanceId!] as any)._volumes[0];
  assert.deepEqual([vol.VolumeType, vol.Encrypted, vol.VolumeSize], ["gp3", true, 8]);
  // the same client token answers the same reservation; other parameters with it are refused
  const again = await ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, { ClientToken: "tok-1" })));
  assert.equal(again.Instances![0].InstanceId, i.InstanceId);
  assert.equal(await code(ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, { ClientToken: "tok-1", InstanceType: "t3.small" })))), "IdempotentParameterMismatch");
  await until(clock, async () => ((await ec2.send(new DescribeInstancesCommand({ InstanceIds: [i.InstanceId!] }))).Reservations![0].Instances![0].State!.Name === "running" ? true : undefined));
  const t = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [i.InstanceId!] }));
  assert.deepEqual([t.TerminatingInstances![0].PreviousState!.Name, t.TerminatingInstances![0].CurrentState!.Name], ["running", "shutting-down"]);
  await until(clock, async () => ((await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["terminated"] }] }))).Reservations!.length ? true : undefined));
  assert.equal(await code(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))), "InvalidNetworkInterfaceID.NotFound");
});

test("RunInstances validation: architecture mismatch, unknown type, key pairs, hop limit, small root volume, groups of another VPC, bad AMI id", async () => {
  const { ec2, ami, subnet, sg } = await setup();
  const other = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" }))).Vpc!.VpcId!;
  const foreignSg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: other, GroupName: "x", Description: "x" }))).GroupId!;
  const cases: Array<[Partial<RunInstancesCommandInput>, string]> = [
    [{ InstanceType: "t4g.micro" }, "InvalidParameterValue"],
    [{ InstanceType: "t3.huge" as any }, "InvalidParameterValue"],
    [{ KeyName: "mine" }, "InvalidKeyPair.NotFound"],
    [{ MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 65 } }, "InvalidParameterValue"],
    [{ BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 4 } }] }, "InvalidBlockDeviceMapping"],
    [{ SecurityGroupIds: [foreignSg] }, "InvalidParameter"],
    [{ ImageId: "ami-nope" }, "InvalidAMIID.Malformed"],
    [{ IamInstanceProfile: { Name: "missing" } }, "InvalidParameterValue"],
  ];
  for (const [extra, expected] of cases) assert.equal(await code(ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, extra)))), expected, JSON.stringify(extra));
  assert.equal((await ec2.send(new DescribeInstancesCommand({}))).Reservations!.length, 0);
});

test("a just-created instance profile is refused by RunInstances until it propagates; DeleteRole is a DeleteConflict while the role is in it", async () => {
  const { ec2, iam, ami, subnet, sg, clock } = await setup(0.01); // 80 ms propagation
  const p = await profileWithSsmRole(iam);
  const err = await ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, { IamInstanceProfile: { Arn: p.Arn } }))).then(() => undefined, (e) => e);
  assert.equal(err?.name, "InvalidParameterValue");
  assert.match(err.message, /Invalid IAM Instance Profile/);
  await clock.sleep(100);
  const i = (await ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, { IamInstanceProfile: { Arn: p.Arn } })))).Instances![0];
  assert.equal(i.IamInstanceProfile!.Arn, p.Arn);
  assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "egress-proxy" }))).InstanceProfiles!.map((x) => x.InstanceProfileName), ["egress-proxy"]);
  assert.equal((await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "egress-proxy" }))).InstanceProfile!.Roles![0].RoleName, "egress-proxy");
  await iam.send(new DetachRolePolicyCommand({ RoleName: "egress-proxy", PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }));
  assert.equal(await code(iam.send(new DeleteRoleCommand({ RoleName: "egress-proxy" }))), "DeleteConflict");
  assert.equal(await code(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "egress-proxy" }))), "DeleteConflict");
  assert.equal(await code(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "egress-proxy", RoleName: "egress-proxy" }))), "LimitExceeded");
  await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "egress-proxy", RoleName: "egress-proxy" }));
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "egress-proxy" }));
  await iam.send(new DeleteRoleCommand({ RoleName: "egress-proxy" }));
  assert.equal(await code(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "egress-proxy" }))), "NoSuchEntity");
});

test("SSM: the instance registers after boot; Run Command runs the user data's squid; a config that does not parse fails and the old one stays", async () => {
  const { ec2, iam, ssm, ami, subnet, sg, clock } = await setup();
  const p = await profileWithSsmRole(iam);
  await clock.sleep(15);
  const conf = renderSquidConfig({ port: 3128, allowDomains: [".example.com"], allowCidrs: ["10.0.0.0/16"], verifySni: false });
  const userData = Buffer.from(renderUserData(conf, { verifySni: false })).toString("base64");
  const id = (await ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, { IamInstanceProfile: { Arn: p.Arn }, UserData: userData })))).Instances![0].InstanceId!;
  assert.equal(await code(ssm.send(new SendCommandCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: [id], Parameters: { commands: ["true"] } }))), "InvalidInstanceId");
  await until(clock, async () => ((await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: "InstanceIds", Values: [id] }] }))).InstanceInformationList!.length ? true : undefined));
  const run = async (commands: string[]) => {
    const c = (await ssm.send(new SendCommandCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: [id], Parameters: { commands } }))).Command!;
    return until(clock, async () => {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: c.CommandId!, InstanceId: id }));
      return inv.Status === "InProgress" || inv.Status === "Pending" ? undefined : inv;
    });
  };
  const ok = await run(["set -e", "squid -k parse", "systemctl is-active squid"]);
  assert.equal(ok.Status, "Success");
  assert.equal(ok.StandardOutputContent, "active\n");
  const broken = conf.replace("http_access deny all", "http_access deny nosuchacl");
  const bad = await run(["set -e", ...reconfigureScript(broken)]);
  assert.equal(bad.Status, "Failed");
  assert.match(bad.StandardErrorContent!, /ACL not found: nosuchacl/);
  const after = await run(["set -e", "squid -k parse", "systemctl is-active squid"]);
  assert.equal(after.Status, "Success");
  assert.equal(await code(ssm.send(new SendCommandCommand({ DocumentName: "AWS-RunPowerShellScript", InstanceIds: [id], Parameters: { commands: ["x"] } }))), "InvalidDocument");
  assert.equal(await code(ssm.send(new GetCommandInvocationCommand({ CommandId: "00000000-0000-0000-0000-000000000000", InstanceId: id }))), "InvocationDoesNotExist");
  // an instance without the SSM role never registers
  const plain = (await ec2.send(new RunInstancesCommand(launch(ami, subnet, sg)))).Instances![0].InstanceId!;
  await clock.sleep(120);
  const seen = (await ssm.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList!.map((x) => x.InstanceId);
  assert.deepEqual(seen, [id]);
  void plain;
  // IMDS options can be changed in place
  const m = await ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpTokens: "optional" }));
  assert.equal(m.InstanceMetadataOptions!.HttpTokens, "optional");
});

test("RAM: a resource configuration shared with an account and an OU; malformed principals and unknown resources refused; disassociate and delete", async () => {
  const { ram, lattice, vpc, subnet, sg, sb } = await setup();
  const gw = (await lattice.send(new CreateResourceGatewayCommand({ name: "proxy-gw", vpcIdentifier: vpc, subnetIds: [subnet], securityGroupIds: [sg] }))).id!;
  const cfg = await lattice.send(new CreateResourceConfigurationCommand({ name: "proxy", type: "SINGLE", resourceGatewayIdentifier: gw, protocol: "TCP", portRanges: ["3128"], resourceConfigurationDefinition: { ipResource: { ipAddress: "10.0.1.10" } } }));
  const ou = "arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefghij";
  assert.equal(await code(ram.send(new CreateResourceShareCommand({ name: "p", resourceArns: [cfg.arn!], principals: ["12345"] }))), "InvalidParameterException");
  assert.equal(await code(ram.send(new CreateResourceShareCommand({ name: "p", resourceArns: [cfg.arn!], principals: ["arn:aws:organizations::1:ou/x"] }))), "MalformedArnException");
  assert.equal(await code(ram.send(new CreateResourceShareCommand({ name: "p", resourceArns: [cfg.arn!.replace(/rcfg-\w+/, "rcfg-0123456789abcdef0")] }))), "UnknownResourceException");
  assert.equal(await code(ram.send(new CreateResourceShareCommand({ name: "p", resourceArns: [cfg.arn!], principals: ["210987654321"], allowExternalPrincipals: false }))), "OperationNotPermittedException");
  const share = (await ram.send(new CreateResourceShareCommand({ name: "egress-proxy", resourceArns: [cfg.arn!], principals: ["210987654321"], tags: [{ key: "egress-cli:plan", value: "t" }], clientToken: "c1" }))).resourceShare!;
  const again = (await ram.send(new CreateResourceShareCommand({ name: "egress-proxy", resourceArns: [cfg.arn!], principals: ["210987654321"], tags: [{ key: "egress-cli:plan", value: "t" }], clientToken: "c1" }))).resourceShare!;
  assert.equal(again.resourceShareArn, share.resourceShareArn);
  assert.equal(await code(ram.send(new CreateResourceShareCommand({ name: "other", clientToken: "c1" }))), "IdempotentParameterMismatchException");
  await ram.send(new AssociateResourceShareCommand({ resourceShareArn: share.resourceShareArn!, principals: [ou] }));
  const principals = (await ram.send(new GetResourceShareAssociationsCommand({ associationType: "PRINCIPAL", resourceShareArns: [share.resourceShareArn!] }))).resourceShareAssociations!;
  assert.deepEqual(principals.map((a) => [a.associatedEntity, a.status, a.external]), [["210987654321", "ASSOCIATED", true], [ou, "ASSOCIATED", false]]);
  const resources = (await ram.send(new GetResourceShareAssociationsCommand({ associationType: "RESOURCE", resourceArn: cfg.arn! }))).resourceShareAssociations!;
  assert.equal(resources.length, 1);
  await ram.send(new DisassociateResourceShareCommand({ resourceShareArn: share.resourceShareArn!, principals: [ou] }));
  assert.equal(await code(ram.send(new DisassociateResourceShareCommand({ resourceShareArn: share.resourceShareArn!, principals: [ou] }))), "UnknownResourceException");
  assert.equal((await ram.send(new GetResourceSharesCommand({ resourceOwner: "SELF", tagFilters: [{ tagKey: "egress-cli:plan", tagValues: ["t"] }] }))).resourceShares!.length, 1);
  assert.deepEqual((await ram.send(new DeleteResourceShareCommand({ resourceShareArn: share.resourceShareArn! }))).returnValue, true);
  assert.equal((await ram.send(new GetResourceSharesCommand({ resourceOwner: "SELF", resourceShareStatus: "ACTIVE" }))).resourceShares!.length, 0);
  assert.equal(await code(ram.send(new GetResourceSharesCommand({ resourceOwner: "ANY" as any }))), "InvalidParameterException");
  assert.ok(sb.stats().mutatingCalls > 0);
});

test("taggedResources lists the plan's live instances, active RAM shares and instance profiles (what destroy must leave at zero)", async () => {
  const { sb, ec2, iam, ram, ami, subnet, sg } = await setup(0);
  const tag = [{ Key: "egress-cli:plan", Value: "s2" }];
  const id = (await ec2.send(new RunInstancesCommand(launch(ami, subnet, sg, { TagSpecifications: [{ ResourceType: "instance", Tags: tag }] })))).Instances![0].InstanceId!;
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "p", Tags: tag }));
  const share = (await ram.send(new CreateResourceShareCommand({ name: "s", tags: [{ key: "egress-cli:plan", value: "s2" }] }))).resourceShare!;
  const types = async () => (await sb.taggedResources("us-east-1", "egress-cli:plan", "s2")).map((r) => r.type).sort();
  assert.deepEqual(await types(), ["instance", "instance-profile", "resource-share"]);
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  await ram.send(new DeleteResourceShareCommand({ resourceShareArn: share.resourceShareArn! }));
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "p" }));
  await ec2.send(new DescribeInstancesCommand({}));
  assert.deepEqual(await types(), []);
});
