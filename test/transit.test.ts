// Transit gateways and VPC peering in the sandbox through the real SDK client (AWS's states,
// validation and error codes, first-wins propagation), and S2's history proven on the sandbox: two
// consumer VPCs on 10.0.0.0/16 attached to a transit gateway with a central NAT egress VPC — the
// second consumer is unreachable with the overlap reason, in Reachability Analyzer mode and --local.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EC2Client,
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AssociateTransitGatewayRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayRouteCommand,
  CreateTransitGatewayRouteTableCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteTransitGatewayCommand,
  DeleteTransitGatewayRouteCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewaysCommand,
  DescribeVpcPeeringConnectionsCommand,
  DisableTransitGatewayRouteTablePropagationCommand,
  EnableTransitGatewayRouteTablePropagationCommand,
  GetTransitGatewayRouteTableAssociationsCommand,
  SearchTransitGatewayRoutesCommand,
} from "@aws-sdk/client-ec2";
import { cli, cleanEnv, rejectsWithCode, sandboxKit, tempDir } from "./helpers.js";

const creds = { accessKeyId: "x", secretAccessKey: "y" };

async function setup() {
  const { sb: sandbox, client } = await sandboxKit();
  await sandbox.reset();
  const ec2 = client(new EC2Client({ region: "us-east-1", credentials: creds }));
  const cwd = tempDir("egress-transit-");
  const run = async (...args: string[]) => {
    const r = await cli(args, { cwd, env: cleanEnv(), sandbox });
    return { ...r, json: () => JSON.parse(r.stdout) };
  };
  return { sandbox, ec2, run };
}

type Ec2 = EC2Client;

async function vpc(ec2: Ec2, cidr: string) {
  return (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
}
async function subnet(ec2: Ec2, vpcId: string, cidr: string, az = "us-east-1a") {
  return (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet!.SubnetId!;
}
async function table(ec2: Ec2, vpcId: string, subnets: string[]) {
  const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  for (const s of subnets) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: s }));
  return id;
}

/**
 * S2's first attempt: egress VPC 10.100.0.0/16 (NAT gateway, internet gateway; its public table routes
 * 10.0.0.0/8 back to the transit gateway), two consumer VPCs that both use 10.0.0.0/16, each with an
 * interface endpoint ENI as the workload, all on one transit gateway with its default route table
 * (default association and propagation) and a static 0.0.0.0/0 → the egress attachment.
 */
async function s2History(ec2: Ec2) {
  const eg = await vpc(ec2, "10.100.0.0/16");
  const egPub = await subnet(ec2, eg, "10.100.0.0/24");
  const egTgw = await subnet(ec2, eg, "10.100.20.0/24");
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: eg }));
  const eip = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!;
  const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: egPub, AllocationId: eip }))).NatGateway!.NatGatewayId!;
  const egPubRt = await table(ec2, eg, [egPub]);
  const egTgwRt = await table(ec2, eg, [egTgw]);
  await ec2.send(new CreateRouteCommand({ RouteTableId: egPubRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  await ec2.send(new CreateRouteCommand({ RouteTableId: egTgwRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }));

  const tgw = (await ec2.send(new CreateTransitGatewayCommand({ Description: "central egress" }))).TransitGateway!;
  assert.equal(tgw.State, "pending");
  const tgwId = tgw.TransitGatewayId!;
  const defaultRtb = tgw.Options!.AssociationDefaultRouteTableId!;
  const egAtt = (await ec2.send(new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: tgwId, VpcId: eg, SubnetIds: [egTgw] }))).TransitGatewayVpcAttachment!.TransitGatewayAttachmentId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: egPubRt, DestinationCidrBlock: "10.0.0.0/8", TransitGatewayId: tgwId }));
  await ec2.send(new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: defaultRtb, DestinationCidrBlock: "0.0.0.0/0", TransitGatewayAttachmentId: egAtt }));
  const consumers: { vpc: string; att: string; eni: string; subnet: string }[] = [];
  for (const name of ["team1", "team2"]) {
    const v = await vpc(ec2, "10.0.0.0/16");
    const app = await subnet(ec2, v, "10.0.1.0/24");
    const attSubnet = await subnet(ec2, v, "10.0.100.0/24");
    const rt = await table(ec2, v, [app, attSubnet]);
    const att = (await ec2.send(new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: tgwId, VpcId: v, SubnetIds: [attSubnet], TagSpecifications: [{ ResourceType: "transit-gateway-attachment", Tags: [{ Key: "Name", Value: name }] }] }))).TransitGatewayVpcAttachment!.TransitGatewayAttachmentId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: tgwId }));
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: v, GroupName: `${name}-app`, Description: "workload" }))).GroupId!;
    const ep = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: v, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.secretsmanager", PrivateDnsEnabled: false, SubnetIds: [app], SecurityGroupIds: [sg] }))).VpcEndpoint!;
    consumers.push({ vpc: v, att, eni: ep.NetworkInterfaceIds![0]!, subnet: app });
  }
  return { eg, egAtt, tgwId, defaultRtb, consumers, egPubRt };
}

async function analyze(run: Awaited<ReturnType<typeof setup>>["run"], from: string, to: string) {
  const one = async (mode: string[]) => {
    const r = await run("--sandbox", "analyze-path", "--from", from, "--to", to, ...mode, "--json");
    const doc = r.json();
    assert.ok(!doc.error, `${from} → ${to} ${mode.join(" ")}: ${r.stderr}`);
    assert.equal(r.code, doc.reachable ? 0 : 4, r.stderr);
    return { reachable: doc.reachable as boolean, explanation: doc.result.explanations[0], hops: doc.result.hops.map((h: any) => h.component.id as string) };
  };
  const aws = await one([]);
  const local = await one(["--local"]);
  assert.equal(aws.reachable, local.reachable, JSON.stringify({ aws, local }));
  if (!aws.reachable) assert.deepEqual([aws.explanation.code, aws.explanation.component.id], [local.explanation.code, local.explanation.component.id]);
  return local;
}

test("S2's history on the sandbox: the second 10.0.0.0/16 consumer of a central-egress transit gateway is unreachable (overlap), the first reaches the internet", async () => {
  const { ec2, run } = await setup();
  const h = await s2History(ec2);
  // The default route table kept the first consumer's 10.0.0.0/16 only (the transit gateway keeps the first).
  const routes = (await ec2.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: h.defaultRtb, Filters: [{ Name: "route-search.exact-match", Values: ["10.0.0.0/16"] }] }))).Routes!;
  assert.deepEqual(routes.map((r) => [r.Type, r.TransitGatewayAttachments![0]!.TransitGatewayAttachmentId]), [["propagated", h.consumers[0]!.att]]);
  const first = await analyze(run, h.consumers[0]!.eni, "internet");
  assert.equal(first.reachable, true, JSON.stringify(first));
  assert.ok([h.tgwId, h.egAtt].every((x) => first.hops.includes(x) || first.hops.includes(h.defaultRtb)), first.hops.join(" → "));
  const second = await analyze(run, h.consumers[1]!.eni, "internet");
  assert.equal(second.reachable, false);
  assert.equal(second.explanation.code, "TGW_ROUTE_OVERLAP");
  assert.equal(second.explanation.component.id, h.defaultRtb);
  assert.equal(second.explanation.returnPath, true);
  for (const x of ["10.0.0.0/16", h.consumers[0]!.vpc, h.consumers[1]!.vpc]) assert.ok(second.explanation.detail.includes(x), `${x} not named: ${second.explanation.detail}`);
});

test("transit gateway API: states, associations, propagations (first wins), static and blackhole routes, AWS error codes", async () => {
  const { ec2 } = await setup();
  const h = await s2History(ec2);
  const [c1, c2] = h.consumers as [(typeof h.consumers)[0], (typeof h.consumers)[0]];
  const tg = (await ec2.send(new DescribeTransitGatewaysCommand({ TransitGatewayIds: [h.tgwId] }))).TransitGateways![0]!;
  assert.equal(tg.State, "available");
  const atts = (await ec2.send(new DescribeTransitGatewayAttachmentsCommand({ Filters: [{ Name: "resource-id", Values: [c1.vpc] }] }))).TransitGatewayAttachments!;
  assert.deepEqual(atts.map((a) => [a.ResourceType, a.State, a.Association?.TransitGatewayRouteTableId]), [["vpc", "available", h.defaultRtb]]);
  const assocs = (await ec2.send(new GetTransitGatewayRouteTableAssociationsCommand({ TransitGatewayRouteTableId: h.defaultRtb }))).Associations!;
  assert.equal(assocs.length, 3);
  // Errors: duplicate attachment, same-AZ subnets, already associated, duplicate propagation, existing route, unknown ids.
  await rejectsWithCode(ec2.send(new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: h.tgwId, VpcId: c1.vpc, SubnetIds: [c1.subnet] })), "DuplicateTransitGatewayAttachment");
  const v = await vpc(ec2, "10.9.0.0/16");
  const [a1, a2] = [await subnet(ec2, v, "10.9.1.0/24"), await subnet(ec2, v, "10.9.2.0/24")];
  await rejectsWithCode(ec2.send(new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: h.tgwId, VpcId: v, SubnetIds: [a1, a2] })), "DuplicateSubnetsInSameZone");
  await rejectsWithCode(ec2.send(new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: "tgw-0123456789abcdef0", VpcId: v, SubnetIds: [a1] })), "InvalidTransitGatewayID.NotFound");
  await rejectsWithCode(ec2.send(new AssociateTransitGatewayRouteTableCommand({ TransitGatewayRouteTableId: h.defaultRtb, TransitGatewayAttachmentId: c1.att })), "Resource.AlreadyAssociated");
  await rejectsWithCode(ec2.send(new EnableTransitGatewayRouteTablePropagationCommand({ TransitGatewayRouteTableId: h.defaultRtb, TransitGatewayAttachmentId: c1.att })), "TransitGatewayRouteTablePropagation.Duplicate");
  await rejectsWithCode(ec2.send(new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: h.defaultRtb, DestinationCidrBlock: "0.0.0.0/0", TransitGatewayAttachmentId: h.egAtt })), "RouteAlreadyExists");
  await rejectsWithCode(ec2.send(new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: h.defaultRtb, DestinationCidrBlock: "10.2.0.0/15" })), "MissingParameter");
  await rejectsWithCode(ec2.send(new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: h.defaultRtb, DestinationCidrBlock: "10.1.2.0/15", Blackhole: true })), "InvalidParameterValue");
  await rejectsWithCode(ec2.send(new DeleteTransitGatewayCommand({ TransitGatewayId: h.tgwId })), "IncorrectState", /non-deleted Transit Gateway Attachments/);
  await rejectsWithCode(ec2.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: h.defaultRtb, Filters: undefined })), "MissingParameter");
  // First wins: disabling team1's propagation installs team2's 10.0.0.0/16.
  await ec2.send(new DisableTransitGatewayRouteTablePropagationCommand({ TransitGatewayRouteTableId: h.defaultRtb, TransitGatewayAttachmentId: c1.att }));
  const search = async () => (await ec2.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: h.defaultRtb, Filters: [{ Name: "route-search.exact-match", Values: ["10.0.0.0/16"] }] }))).Routes!;
  assert.deepEqual((await search()).map((r) => r.TransitGatewayAttachments![0]!.TransitGatewayAttachmentId), [c2.att]);
  // A static blackhole beats the propagated route on the same prefix; deleting it brings the propagated one back.
  const bh = (await ec2.send(new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: h.defaultRtb, DestinationCidrBlock: "10.0.0.0/16", Blackhole: true }))).Route!;
  assert.deepEqual([bh.Type, bh.State], ["static", "blackhole"]);
  assert.deepEqual((await search()).map((r) => [r.Type, r.State]), [["static", "blackhole"]]);
  await ec2.send(new DeleteTransitGatewayRouteCommand({ TransitGatewayRouteTableId: h.defaultRtb, DestinationCidrBlock: "10.0.0.0/16" }));
  assert.deepEqual((await search()).map((r) => r.Type), ["propagated"]);
  // A new route table starts pending and empty; routes to pcx-/tgw- targets are validated.
  const rtb = (await ec2.send(new CreateTransitGatewayRouteTableCommand({ TransitGatewayId: h.tgwId }))).TransitGatewayRouteTable!;
  assert.deepEqual([rtb.State, rtb.DefaultAssociationRouteTable], ["pending", false]);
  const lone = await table(ec2, v, []);
  await rejectsWithCode(ec2.send(new CreateRouteCommand({ RouteTableId: lone, DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: h.tgwId })), "InvalidTransitGatewayID.NotFound", /not attached/);
});

test("VPC peering: pending-acceptance → active, routes blackhole until accepted, overlapping CIDRs fail, AWS error codes; the path follows the peering and stops at the peer's NAT", async () => {
  const { ec2, run } = await setup();
  const a = await vpc(ec2, "10.60.0.0/16");
  const b = await vpc(ec2, "10.61.0.0/16");
  const sa = await subnet(ec2, a, "10.60.1.0/24");
  const sb = await subnet(ec2, b, "10.61.1.0/24");
  const pcx = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: b }))).VpcPeeringConnection!;
  assert.equal(pcx.Status!.Code, "initiating-request");
  const id = pcx.VpcPeeringConnectionId!;
  const status = async () => (await ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))).VpcPeeringConnections![0]!.Status!.Code;
  assert.equal(await status(), "pending-acceptance");
  const rta = await table(ec2, a, [sa]);
  const rtb = await table(ec2, b, [sb]);
  await ec2.send(new CreateRouteCommand({ RouteTableId: rta, DestinationCidrBlock: "10.61.0.0/16", VpcPeeringConnectionId: id }));
  await ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: "10.60.0.0/16", VpcPeeringConnectionId: id }));
  const routeState = async () => (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rta] }))).RouteTables![0]!.Routes!.find((r) => r.VpcPeeringConnectionId === id)!.State;
  assert.equal(await routeState(), "blackhole");
  await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
  assert.equal(await status(), "active");
  assert.equal(await routeState(), "active");
  await rejectsWithCode(ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })), "InvalidStateTransition", /from active to provisioning/);
  await rejectsWithCode(ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: ["pcx-0123456789abcdef0"] })), "InvalidVpcPeeringConnectionID.NotFound");
  await rejectsWithCode(ec2.send(new CreateRouteCommand({ RouteTableId: await table(ec2, await vpc(ec2, "10.70.0.0/16"), []), DestinationCidrBlock: "10.61.0.0/16", VpcPeeringConnectionId: id })), "InvalidParameterValue", /different networks/);
  const overlap = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: await vpc(ec2, "10.60.0.0/16") }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
  assert.equal((await ec2.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [overlap] }))).VpcPeeringConnections![0]!.Status!.Code, "failed");

  // The peer's endpoint ENI is reachable across the peering; the internet through the peer's NAT is not.
  const sgb = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: b, GroupName: "svc", Description: "svc" }))).GroupId!;
  const sga = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: a, GroupName: "client", Description: "client" }))).GroupId!;
  const { AuthorizeSecurityGroupIngressCommand } = await import("@aws-sdk/client-ec2");
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sgb, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: sga }] }] }));
  const epB = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: b, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.secretsmanager", PrivateDnsEnabled: false, SubnetIds: [sb], SecurityGroupIds: [sgb] }))).VpcEndpoint!;
  const epA = (await ec2.send(new CreateVpcEndpointCommand({ VpcId: a, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.sts", PrivateDnsEnabled: false, SubnetIds: [sa], SecurityGroupIds: [sga] }))).VpcEndpoint!;
  const across = await analyze(run, epA.NetworkInterfaceIds![0]!, epB.NetworkInterfaceIds![0]!);
  assert.equal(across.reachable, true, JSON.stringify(across));
  assert.ok(across.hops.includes(id), across.hops.join(" → "));
  await ec2.send(new CreateRouteCommand({ RouteTableId: rta, DestinationCidrBlock: "0.0.0.0/0", VpcPeeringConnectionId: id }));
  const out = await analyze(run, epA.NetworkInterfaceIds![0]!, "internet");
  assert.deepEqual([out.reachable, out.explanation.code, out.explanation.component.id], [false, "NO_ROUTE_TO_DESTINATION", id]);
  assert.match(out.explanation.detail, /no edge-to-edge routing/);
  await ec2.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
  assert.equal(await status(), "deleted");
  assert.equal(await routeState(), "blackhole");
});
