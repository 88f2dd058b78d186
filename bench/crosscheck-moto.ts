// Independent cross-check of `analyze-path --local` against moto (an independent AWS emulator).
//
// Each topology is built through the plain AWS SDK (never through egress-cli commands, so the build does
// not depend on our code), next to the verdict a careful human derives from AWS's documented behaviour.
// Then the built CLI (`npm run build` first) runs `egress-cli --endpoint-url … analyze-path --local --json`
// on it, and its verdict and exit code are compared with that expectation. Also: `snapshot` on moto must
// not crash on calls moto lacks (they are recorded in `omitted`).
//
// Run: npm run build && node --import tsx bench/crosscheck-moto.ts
// Needs moto (`python3 -m moto.server`, `pip install 'moto[server]'`); not part of `npm test` (CI has no moto).
// Binds moto to 127.0.0.1 on a free port; exits 1 on any disagreement (or any "reachable" without proof).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startMoto } from "./moto.js";
import {
  EC2Client,
  AcceptVpcPeeringConnectionCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayRouteCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  CreateVpcPeeringConnectionCommand,
  CreateEgressOnlyInternetGatewayCommand,
  DescribeVpcsCommand,
  DeleteNatGatewayCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeImagesCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DetachInternetGatewayCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ReplaceNetworkAclAssociationCommand,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
  SearchTransitGatewayRoutesCommand,
  StopInstancesCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { CreateResourceGatewayCommand, VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";

type Verdict = "reachable" | "unreachable" | "unknown";
const EXIT: Record<Verdict, number> = { reachable: 0, unreachable: 4, unknown: 6 };

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "egress-cli");
const REGION = "us-east-1";
const CREDS = { accessKeyId: "testing", secretAccessKey: "testing" };

// ---------------------------------------------------------------------------------------------
// moto on a free loopback port

// moto on a free loopback port: bench/moto.ts (shared with the moto flow bench)

// ---------------------------------------------------------------------------------------------
// Building blocks (plain SDK calls)

let ec2: EC2Client;
let motoUrl = "";
let ami = "";
const AZ_A = `${REGION}a`;
const AZ_B = `${REGION}b`;

const https = (cidr: string, port = 443): IpPermission => ({ IpProtocol: "tcp", FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] });

async function vpc(n: number): Promise<string> {
  return (await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${n}.0.0/16` }))).Vpc!.VpcId!;
}
async function subnet(vpcId: string, cidr: string, az = AZ_A): Promise<string> {
  return (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet!.SubnetId!;
}
/** A route table of its own for the subnet (never the main table: what we add is what the subnet uses). */
async function table(vpcId: string, ...subnetIds: string[]): Promise<string> {
  const rt = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  for (const s of subnetIds) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: s }));
  return rt;
}
async function route(rt: string, dest: string, target: Record<string, string>): Promise<void> {
  await ec2.send(new CreateRouteCommand({ RouteTableId: rt, ...(dest.includes(":") ? { DestinationIpv6CidrBlock: dest } : { DestinationCidrBlock: dest }), ...target }));
}
async function igw(vpcId: string): Promise<string> {
  const id = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId }));
  return id;
}
/** A security group: AWS's default egress (all traffic to 0.0.0.0/0) and the given ingress. */
async function sg(vpcId: string, name: string, ingress: IpPermission[] = []): Promise<string> {
  const id = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }))).GroupId!;
  if (ingress.length) await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: ingress }));
  return id;
}
interface Inst {
  id: string;
  eni: string;
  ip: string;
}
async function instance(subnetId: string, sgs: string[], publicIp = false): Promise<Inst> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: ami,
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: sgs, AssociatePublicIpAddress: publicIp }],
    }),
  );
  const i = out.Instances![0]!;
  return { id: i.InstanceId!, eni: i.NetworkInterfaces![0]!.NetworkInterfaceId!, ip: i.PrivateIpAddress! };
}
async function eip(): Promise<string> {
  return (await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!;
}
async function natGateway(subnetId: string): Promise<string> {
  return (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: await eip() }))).NatGateway!.NatGatewayId!;
}
/** A subnet with 0.0.0.0/0 → a new internet gateway. */
async function publicSubnet(vpcId: string, cidr: string, az = AZ_A): Promise<{ subnet: string; rt: string; igw: string }> {
  const s = await subnet(vpcId, cidr, az);
  const rt = await table(vpcId, s);
  const g = await igw(vpcId);
  await route(rt, "0.0.0.0/0", { GatewayId: g });
  return { subnet: s, rt, igw: g };
}
/** Replaces the subnet's network ACL with a new one holding only `entries` (plus AWS's final deny). */
async function acl(vpcId: string, subnetId: string, entries: Array<{ n: number; egress: boolean; allow: boolean; proto: string; cidr: string; from?: number; to?: number }>): Promise<string> {
  const id = (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;
  for (const e of entries) {
    await ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: id,
        RuleNumber: e.n,
        Egress: e.egress,
        RuleAction: e.allow ? "allow" : "deny",
        Protocol: e.proto,
        ...(e.cidr.includes(":") ? { Ipv6CidrBlock: e.cidr } : { CidrBlock: e.cidr }),
        ...(e.from !== undefined ? { PortRange: { From: e.from, To: e.to ?? e.from } } : {}),
      }),
    );
  }
  const cur = (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: "association.subnet-id", Values: [subnetId] }] }))).NetworkAcls![0]!;
  const assoc = cur.Associations!.find((a) => a.SubnetId === subnetId)!.NetworkAclAssociationId!;
  await ec2.send(new ReplaceNetworkAclAssociationCommand({ AssociationId: assoc, NetworkAclId: id }));
  return id;
}
async function peering(a: string, b: string, accept: boolean): Promise<string> {
  const id = (await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: b }))).VpcPeeringConnection!.VpcPeeringConnectionId!;
  if (accept) await ec2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
  return id;
}
/** A transit gateway without default propagation (AWS then learns no route by itself: only the static routes given). */
async function transitGateway(): Promise<{ tgw: string; rtb: string }> {
  const tgw = (await ec2.send(new CreateTransitGatewayCommand({ Options: { DefaultRouteTableAssociation: "enable", DefaultRouteTablePropagation: "disable" } }))).TransitGateway!;
  const rtb =
    tgw.Options?.AssociationDefaultRouteTableId ??
    (await ec2.send(new DescribeTransitGatewayRouteTablesCommand({ Filters: [{ Name: "transit-gateway-id", Values: [tgw.TransitGatewayId!] }] }))).TransitGatewayRouteTables![0]!
      .TransitGatewayRouteTableId!;
  return { tgw: tgw.TransitGatewayId!, rtb };
}
async function tgwAttach(tgw: string, vpcId: string, subnetIds: string[]): Promise<string> {
  return (await ec2.send(new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: tgw, VpcId: vpcId, SubnetIds: subnetIds }))).TransitGatewayVpcAttachment!
    .TransitGatewayAttachmentId!;
}
async function tgwRoute(rtb: string, cidr: string, att: string | "blackhole"): Promise<void> {
  await ec2.send(
    new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: rtb, DestinationCidrBlock: cidr, ...(att === "blackhole" ? { Blackhole: true } : { TransitGatewayAttachmentId: att }) }),
  );
}

// ---------------------------------------------------------------------------------------------
// The topologies

interface Query {
  from: string;
  to: string;
  port?: number;
  vpcs: string[];
  /** Analyze on the snapshot as taken (moto's missing BPA operations left in `omitted`). */
  raw?: boolean;
}
interface Case {
  name: string;
  /** The verdict AWS's documented behaviour gives, and why. */
  expected: Verdict | (() => Verdict);
  why: string;
  build: () => Promise<Query>;
}

/** Whether moto answers SearchTransitGatewayRoutes with the routes it holds (probed through the SDK, not our code). */
let motoTgwRoutes: boolean | null = null;
async function probeTgwRoutes(rtb: string, cidr: string): Promise<void> {
  try {
    // As any collector may ask (MaxResults 5-1000 is AWS's documented range).
    const r = await ec2.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: rtb, Filters: [{ Name: "state", Values: ["active", "blackhole"] }], MaxResults: 1000 }));
    motoTgwRoutes = (r.Routes ?? []).some((x) => x.DestinationCidrBlock === cidr);
  } catch {
    motoTgwRoutes = false;
  }
}
const tgwExpect = (v: Verdict) => () => (motoTgwRoutes ? v : "unknown");

let n = 100;
const next = () => n++;
const shared: { natInstance?: Inst; natInstanceQuery?: Query; destInstance?: Inst; destQuery?: Query } = {};

const cases: Case[] = [
  {
    name: "public subnet + IGW, instance with public IP → igw",
    expected: "reachable",
    why: "0.0.0.0/0 → attached igw, public IPv4, SG egress all, default NACL allows all",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const i = await instance(p.subnet, [await sg(v, "app")], true);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "public subnet + IGW, instance without public IP → igw",
    expected: "unreachable",
    why: "the IGW translates only addresses paired with a public IPv4",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const i = await instance(p.subnet, [await sg(v, "app")], false);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "private subnet + NAT gateway → igw",
    expected: "reachable",
    why: "0.0.0.0/0 → available NAT (EIP) in a public subnet → igw",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const nat = await natGateway(p.subnet);
      const priv = await subnet(v, `10.${n - 1}.2.0/24`);
      await route(await table(v, priv), "0.0.0.0/0", { NatGatewayId: nat });
      const i = await instance(priv, [await sg(v, "app")]);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "private subnet, no default route → igw",
    expected: "unreachable",
    why: "the subnet's table has only the local route",
    async build() {
      const v = await vpc(next());
      await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const priv = await subnet(v, `10.${n - 1}.2.0/24`);
      await table(v, priv);
      const i = await instance(priv, [await sg(v, "app")]);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "NAT gateway in a subnet without an IGW route → igw",
    expected: "unreachable",
    why: "what the NAT translates is routed by its own subnet's table, which has no 0.0.0.0/0",
    async build() {
      const v = await vpc(next());
      await igw(v);
      const natSubnet = await subnet(v, `10.${n - 1}.1.0/24`);
      await table(v, natSubnet);
      const nat = await natGateway(natSubnet);
      const priv = await subnet(v, `10.${n - 1}.2.0/24`);
      await route(await table(v, priv), "0.0.0.0/0", { NatGatewayId: nat });
      const i = await instance(priv, [await sg(v, "app")]);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "NAT instance (source/dest check off), running → igw",
    expected: "reachable",
    why: "0.0.0.0/0 → the instance's ENI; it forwards (check off), its SG admits the subnet, it has a public IP",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const natSg = await sg(v, "nat", [https(`10.${n - 1}.0.0/16`)]);
      const nat = await instance(p.subnet, [natSg], true);
      // On the route's target, the interface (moto's ModifyInstanceAttribute leaves the primary ENI's flag on,
      // where AWS changes the primary interface's: see README's cross-check notes).
      await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: nat.eni, SourceDestCheck: { Value: false } }));
      const priv = await subnet(v, `10.${n - 1}.2.0/24`);
      await route(await table(v, priv), "0.0.0.0/0", { NetworkInterfaceId: nat.eni });
      const i = await instance(priv, [await sg(v, "app")]);
      shared.natInstance = nat;
      shared.natInstanceQuery = { from: i.id, to: "igw", vpcs: [v] };
      return shared.natInstanceQuery;
    },
  },
  {
    name: "the same NAT instance after StopInstances → igw",
    expected: "unreachable",
    why: "a stopped instance forwards nothing: the route is a blackhole",
    async build() {
      await ec2.send(new StopInstancesCommand({ InstanceIds: [shared.natInstance!.id] }));
      return shared.natInstanceQuery!;
    },
  },
  {
    name: "NAT instance with source/dest check on → igw",
    expected: "unreachable",
    why: "an ENI with source/dest check drops traffic not addressed to itself",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const nat = await instance(p.subnet, [await sg(v, "nat", [https(`10.${n - 1}.0.0/16`)])], true);
      const priv = await subnet(v, `10.${n - 1}.2.0/24`);
      await route(await table(v, priv), "0.0.0.0/0", { InstanceId: nat.id });
      const i = await instance(priv, [await sg(v, "app")]);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "NACL without an outbound allow → igw",
    expected: "unreachable",
    why: "a new network ACL denies everything until rules are added; only inbound rules here",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      await acl(v, p.subnet, [{ n: 100, egress: false, allow: true, proto: "-1", cidr: "0.0.0.0/0" }]);
      const i = await instance(p.subnet, [await sg(v, "app")], true);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "NACL that blocks the return traffic (no ephemeral ports in) → igw",
    expected: "unreachable",
    why: "NACLs are stateless: the reply to 1024-65535 must be allowed inbound; only 443 is",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      await acl(v, p.subnet, [
        { n: 100, egress: true, allow: true, proto: "6", cidr: "0.0.0.0/0", from: 443 },
        { n: 100, egress: false, allow: true, proto: "6", cidr: "0.0.0.0/0", from: 443 },
      ]);
      const i = await instance(p.subnet, [await sg(v, "app")], true);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "NACL allowing 443 out and ephemeral ports in → igw",
    expected: "reachable",
    why: "the same ACL with 1024-65535 inbound lets the reply back",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      await acl(v, p.subnet, [
        { n: 100, egress: true, allow: true, proto: "6", cidr: "0.0.0.0/0", from: 443 },
        { n: 100, egress: false, allow: true, proto: "6", cidr: "0.0.0.0/0", from: 1024, to: 65535 },
      ]);
      const i = await instance(p.subnet, [await sg(v, "app")], true);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "security group without egress rules → igw",
    expected: "unreachable",
    why: "a security group with no outbound rule allows no outbound traffic",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const g = await sg(v, "closed");
      await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: g, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
      const i = await instance(p.subnet, [g], true);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "route to a deleted NAT gateway (blackhole) → igw",
    expected: "unreachable",
    why: "DeleteNatGateway leaves the route in state blackhole",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const nat = await natGateway(p.subnet);
      const priv = await subnet(v, `10.${n - 1}.2.0/24`);
      await route(await table(v, priv), "0.0.0.0/0", { NatGatewayId: nat });
      await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
      const i = await instance(priv, [await sg(v, "app")]);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "route to an internet gateway that was detached → igw",
    expected: "unreachable",
    why: "a detached internet gateway carries nothing (the route becomes a blackhole)",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const i = await instance(p.subnet, [await sg(v, "app")], true);
      await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: p.igw, VpcId: v }));
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "private NAT gateway (ConnectivityType private) → igw",
    expected: "unreachable",
    why: "a private NAT gateway has no Elastic IP: the IGW has nothing public to translate to",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: p.subnet, ConnectivityType: "private" }))).NatGateway!.NatGatewayId!;
      const priv = await subnet(v, `10.${n - 1}.2.0/24`);
      await route(await table(v, priv), "0.0.0.0/0", { NatGatewayId: nat });
      const i = await instance(priv, [await sg(v, "app")]);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "public subnet + IGW, Elastic IP associated after launch → igw",
    expected: "reachable",
    why: "AssociateAddress pairs the instance's private address with a public IPv4",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const i = await instance(p.subnet, [await sg(v, "app")], false);
      await ec2.send(new AssociateAddressCommand({ AllocationId: await eip(), InstanceId: i.id }));
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "NACL deny 443 (rule 50) before allow all (rule 100) → igw",
    expected: "unreachable",
    why: "NACL rules are evaluated lowest number first; the first match decides",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      await acl(v, p.subnet, [
        { n: 50, egress: true, allow: false, proto: "6", cidr: "0.0.0.0/0", from: 443 },
        { n: 100, egress: true, allow: true, proto: "-1", cidr: "0.0.0.0/0" },
        { n: 100, egress: false, allow: true, proto: "-1", cidr: "0.0.0.0/0" },
      ]);
      const i = await instance(p.subnet, [await sg(v, "app")], true);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  {
    name: "same subnet, NACL denying everything → instance in the subnet",
    expected: "reachable",
    why: "network ACLs filter traffic entering or leaving a subnet, not traffic within it",
    async build() {
      const v = await vpc(next());
      const a = await subnet(v, `10.${n - 1}.1.0/24`);
      await acl(v, a, []);
      const src = await instance(a, [await sg(v, "app")]);
      const dst = await instance(a, [await sg(v, "db", [https(`10.${n - 1}.0.0/16`)])]);
      return { from: src.id, to: dst.ip, vpcs: [v] };
    },
  },
  {
    name: "security group egress only to 10.0.0.0/8 → igw",
    expected: "unreachable",
    why: "no outbound rule covers the internet's addresses",
    async build() {
      const v = await vpc(next());
      const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
      const g = await sg(v, "narrow");
      await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: g, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
      await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: g, IpPermissions: [https("10.0.0.0/8")] }));
      const i = await instance(p.subnet, [g], true);
      return { from: i.id, to: "igw", vpcs: [v] };
    },
  },
  ...peeringCases(),
  {
    name: "address inside the VPC held by an instance's ENI (SG admits 443)",
    expected: "reachable",
    why: "local route; destination SG admits the VPC CIDR; default NACLs",
    async build() {
      const v = await vpc(next());
      const a = await subnet(v, `10.${n - 1}.1.0/24`);
      const b = await subnet(v, `10.${n - 1}.2.0/24`, AZ_B);
      const src = await instance(a, [await sg(v, "app")]);
      const dst = await instance(b, [await sg(v, "db", [https(`10.${n - 1}.0.0/16`)])]);
      shared.destInstance = dst;
      shared.destQuery = { from: src.id, to: dst.ip, vpcs: [v] };
      return shared.destQuery;
    },
  },
  {
    name: "the same destination after StopInstances",
    expected: "unreachable",
    why: "a stopped instance answers nothing",
    async build() {
      await ec2.send(new StopInstancesCommand({ InstanceIds: [shared.destInstance!.id] }));
      return shared.destQuery!;
    },
  },
  {
    name: "address inside the VPC held by an ENI whose SG does not admit 443",
    expected: "unreachable",
    why: "the destination's security group has no matching inbound rule",
    async build() {
      const v = await vpc(next());
      const a = await subnet(v, `10.${n - 1}.1.0/24`);
      const b = await subnet(v, `10.${n - 1}.2.0/24`);
      const src = await instance(a, [await sg(v, "app")]);
      const dst = await instance(b, [await sg(v, "db", [https(`10.${n - 1}.0.0/16`, 5432)])]);
      return { from: src.id, to: dst.ip, vpcs: [v] };
    },
  },
  {
    name: "address inside the VPC that no ENI holds",
    expected: "unknown",
    why: "routed locally to its subnet, but nothing is known to answer there",
    async build() {
      const v = await vpc(next());
      const a = await subnet(v, `10.${n - 1}.1.0/24`);
      await subnet(v, `10.${n - 1}.2.0/24`);
      const src = await instance(a, [await sg(v, "app")]);
      return { from: src.id, to: `10.${n - 1}.2.70`, vpcs: [v] };
    },
  },
  ...transitCases(),
  ...endpointCases(),
  ...ipv6Cases(),
  {
    name: "PrivateLink Resource endpoint (VPC Lattice resource gateway) → the resource",
    expected: "reachable",
    why: "a resource gateway in the provider VPC, a resource configuration for the target's address, a Resource endpoint in the consumer",
    async build() {
      const k = next();
      const v = await vpc(k);
      const s = await subnet(v, `10.${k}.1.0/24`);
      const lattice = new VPCLatticeClient({ endpoint: motoUrl, region: REGION, credentials: CREDS, maxAttempts: 1 });
      await lattice.send(new CreateResourceGatewayCommand({ name: `rgw-${k}`, vpcIdentifier: v, subnetIds: [s] }));
      throw new Error("this moto answers CreateResourceGateway: extend this case (CreateResourceConfiguration, a Resource VPC endpoint)");
    },
  },
];

function peeringCases(): Case[] {
  async function pair(state: "active" | "pending" | "deleted", routeBack = true): Promise<{ a: string; b: string; src: Inst; dst: Inst; pcx: string }> {
    const na = next();
    const nb = next();
    const a = await vpc(na);
    const b = await vpc(nb);
    const sa = await subnet(a, `10.${na}.1.0/24`);
    const sb = await subnet(b, `10.${nb}.1.0/24`);
    const pcx = await peering(a, b, state !== "pending");
    if (state === "deleted") await ec2.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    await route(await table(a, sa), `10.${nb}.0.0/16`, { VpcPeeringConnectionId: pcx });
    const tb = await table(b, sb);
    if (routeBack) await route(tb, `10.${na}.0.0/16`, { VpcPeeringConnectionId: pcx });
    const src = await instance(sa, [await sg(a, "app")]);
    const dst = await instance(sb, [await sg(b, "svc", [https(`10.${na}.0.0/16`)])]);
    return { a, b, src, dst, pcx };
  }
  return [
    {
      name: "VPC peering active, routes both ways → peer instance",
      expected: "reachable",
      why: "active pcx, routes both ways, peer SG admits the source VPC",
      async build() {
        const p = await pair("active");
        return { from: p.src.id, to: p.dst.ip, vpcs: [p.a, p.b] };
      },
    },
    {
      name: "VPC peering pending-acceptance → peer instance",
      expected: "unreachable",
      why: "only an active peering connection carries traffic",
      async build() {
        const p = await pair("pending");
        return { from: p.src.id, to: p.dst.ip, vpcs: [p.a, p.b] };
      },
    },
    {
      name: "VPC peering deleted → peer instance",
      expected: "unreachable",
      why: "a deleted peering connection carries nothing (route blackhole)",
      async build() {
        const p = await pair("deleted");
        return { from: p.src.id, to: p.dst.ip, vpcs: [p.a, p.b] };
      },
    },
    {
      name: "VPC peering active, no route back in B → peer instance",
      expected: "unreachable",
      why: "the reply from B must be routed to the peering connection; B's table has only its local route",
      async build() {
        const p = await pair("active", false);
        return { from: p.src.id, to: p.dst.ip, vpcs: [p.a, p.b] };
      },
    },
    {
      name: "VPC peering active, peer VPC not in the snapshot (--vpc A)",
      expected: "unknown",
      why: "the peer's ACL, SGs and return route were not collected",
      async build() {
        const p = await pair("active");
        return { from: p.src.id, to: p.dst.ip, vpcs: [p.a] };
      },
    },
    {
      name: "0.0.0.0/0 → peering connection (no edge-to-edge) → igw",
      expected: "unreachable",
      why: "a peering connection never carries traffic to the peer's internet gateway",
      async build() {
        const na = next();
        const nb = next();
        const a = await vpc(na);
        const b = await vpc(nb);
        const sa = await subnet(a, `10.${na}.1.0/24`);
        await publicSubnet(b, `10.${nb}.1.0/24`);
        const pcx = await peering(a, b, true);
        await route(await table(a, sa), "0.0.0.0/0", { VpcPeeringConnectionId: pcx });
        const src = await instance(sa, [await sg(a, "app")]);
        return { from: src.id, to: "igw", vpcs: [a, b] };
      },
    },
  ];
}

function transitCases(): Case[] {
  async function twoVpcs(destRoute: "static" | "none" | "blackhole"): Promise<{ a: string; b: string; src: Inst; dst: Inst }> {
    const na = next();
    const nb = next();
    const a = await vpc(na);
    const b = await vpc(nb);
    const sa = await subnet(a, `10.${na}.1.0/24`);
    const sb = await subnet(b, `10.${nb}.1.0/24`);
    const { tgw, rtb } = await transitGateway();
    const attA = await tgwAttach(tgw, a, [sa]);
    const attB = await tgwAttach(tgw, b, [sb]);
    await tgwRoute(rtb, `10.${na}.0.0/16`, attA);
    if (destRoute === "static") await tgwRoute(rtb, `10.${nb}.0.0/16`, attB);
    if (destRoute === "blackhole") await tgwRoute(rtb, `10.${nb}.0.0/16`, "blackhole");
    await route(await table(a, sa), `10.${nb}.0.0/16`, { TransitGatewayId: tgw });
    await route(await table(b, sb), `10.${na}.0.0/16`, { TransitGatewayId: tgw });
    if (motoTgwRoutes === null) await probeTgwRoutes(rtb, `10.${na}.0.0/16`);
    const src = await instance(sa, [await sg(a, "app")]);
    const dst = await instance(sb, [await sg(b, "svc", [https(`10.${na}.0.0/16`)])]);
    return { a, b, src, dst };
  }
  return [
    {
      name: "TGW: both VPCs attached, static routes both ways → instance in B",
      expected: tgwExpect("reachable"),
      why: "available attachments in the AZ, tgw-rtb routes each CIDR to its attachment (unknown if moto cannot answer the route tables)",
      async build() {
        const t = await twoVpcs("static");
        return { from: t.src.id, to: t.dst.ip, vpcs: [t.a, t.b] };
      },
    },
    {
      name: "TGW: route table has no route to B → instance in B",
      expected: tgwExpect("unreachable"),
      why: "propagation disabled and no static route: the TGW drops it",
      async build() {
        const t = await twoVpcs("none");
        return { from: t.src.id, to: t.dst.ip, vpcs: [t.a, t.b] };
      },
    },
    {
      name: "TGW: blackhole route to B → instance in B",
      expected: tgwExpect("unreachable"),
      why: "a blackhole TGW route drops the traffic",
      async build() {
        const t = await twoVpcs("blackhole");
        return { from: t.src.id, to: t.dst.ip, vpcs: [t.a, t.b] };
      },
    },
    {
      name: "TGW: attached VPC B not in the snapshot (--vpc A)",
      expected: "unknown",
      why: "where B's subnet routes the reply and what its SGs admit was not collected",
      async build() {
        const t = await twoVpcs("static");
        return { from: t.src.id, to: t.dst.ip, vpcs: [t.a] };
      },
    },
  ];
}

/**
 * IPv6 (issue 22): what moto supports of it — VPC /56 (AmazonProvidedIpv6CidrBlock), subnet /64s and
 * IPv6-only subnets, egress-only internet gateways, IPv6 routes (::/0, 64:ff9b::/96 → NAT), IPv6 NACL
 * entries. Sources are subnets: moto gives instances no IPv6 address (Ipv6AddressCount is ignored). Each
 * subnet gets a NACL of its own with the rules written out: moto's default ACL has no ::/0 rules (AWS adds
 * them when a VPC gets an IPv6 block), and DNS64 is not kept by moto, so NAT64 is asked for by its
 * 64:ff9b::/96 address (what DNS64 would synthesize for 203.0.113.10).
 */
function ipv6Cases(): Case[] {
  async function dualStack(o: { privV6Route?: "eigw" | "igw" | "none"; v6AclRules?: boolean; nat64Route?: boolean } = {}) {
    const k = next();
    const v = (await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${k}.0.0/16`, AmazonProvidedIpv6CidrBlock: true }))).Vpc!.VpcId!;
    const block = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [v] }))).Vpcs![0]!.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!;
    const slot = (i: number) => block.replace(/0::\/56$/, `${i}::/64`);
    const mk = async (cidr: string | undefined, i: number) =>
      (await ec2.send(new CreateSubnetCommand({ VpcId: v, AvailabilityZone: AZ_A, Ipv6CidrBlock: slot(i), ...(cidr ? { CidrBlock: cidr } : { Ipv6Native: true }) }))).Subnet!.SubnetId!;
    const pub = await mk(`10.${k}.1.0/24`, 0);
    const priv = await mk(`10.${k}.2.0/24`, 1);
    const v6only = await mk(undefined, 2);
    const allow = (cidr: string) => [{ n: 100, egress: true, allow: true, proto: "-1", cidr }, { n: 100, egress: false, allow: true, proto: "-1", cidr }];
    for (const sub of [pub, priv, v6only]) await acl(v, sub, [...allow("0.0.0.0/0"), ...(o.v6AclRules === false ? [] : allow("::/0").map((e) => ({ ...e, n: 101 })))]);
    const g = await igw(v);
    const pubRt = await table(v, pub);
    await route(pubRt, "0.0.0.0/0", { GatewayId: g });
    await route(pubRt, "::/0", { GatewayId: g });
    const eigw = (await ec2.send(new CreateEgressOnlyInternetGatewayCommand({ VpcId: v }))).EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId!;
    const nat = await natGateway(pub);
    const privRt = await table(v, priv);
    await route(privRt, "0.0.0.0/0", { NatGatewayId: nat });
    if ((o.privV6Route ?? "eigw") !== "none") await route(privRt, "::/0", o.privV6Route === "igw" ? { GatewayId: g } : { EgressOnlyInternetGatewayId: eigw });
    const v6Rt = await table(v, v6only);
    await route(v6Rt, "::/0", { EgressOnlyInternetGatewayId: eigw });
    if (o.nat64Route !== false) await route(v6Rt, "64:ff9b::/96", { NatGatewayId: nat });
    return { v, pub, priv, v6only, eigw, nat, igw: g };
  }
  return [
    {
      name: "IPv6: dual-stack private subnet, ::/0 → egress-only IGW → internet6",
      expected: "reachable",
      why: "::/0 → attached egress-only gateway; the subnet's ACL allows ::/0 both ways (a subnet source: no SG)",
      async build() {
        const d = await dualStack();
        return { from: d.priv, to: "internet6", vpcs: [d.v] };
      },
    },
    {
      name: "IPv6: dual-stack private subnet without a ::/0 route → an IPv6 address",
      expected: "unreachable",
      why: "only the local routes match 2606:4700:4700::1111",
      async build() {
        const d = await dualStack({ privV6Route: "none" });
        return { from: d.priv, to: "2606:4700:4700::1111", vpcs: [d.v] };
      },
    },
    {
      name: "IPv6: network ACL with IPv4 rules only → internet6",
      expected: "unreachable",
      why: "a custom ACL's rules are per family: no ::/0 rule, so the implicit deny drops IPv6",
      async build() {
        const d = await dualStack({ v6AclRules: false });
        return { from: d.priv, to: "internet6", vpcs: [d.v] };
      },
    },
    {
      name: "IPv6: internet6 → the private subnet behind the egress-only gateway",
      expected: "unreachable",
      why: "an egress-only gateway admits no connection opened from the internet; the reply route is the egress-only gateway, not the IGW",
      async build() {
        const d = await dualStack();
        return { from: "internet6", to: d.priv, vpcs: [d.v] };
      },
    },
    {
      name: "IPv6: public dual-stack subnet, ::/0 → IGW → internet6",
      expected: "reachable",
      why: "IPv6 needs no translation at the internet gateway",
      async build() {
        const d = await dualStack();
        return { from: d.pub, to: "internet6", vpcs: [d.v] };
      },
    },
    {
      name: "IPv6: IPv6-only subnet, 64:ff9b::/96 → NAT gateway (NAT64) → 64:ff9b::cb00:710a",
      expected: "reachable",
      why: "the NAT gateway translates 64:ff9b::/96 to IPv4 (203.0.113.10) and leaves from its public subnet with its EIP",
      async build() {
        const d = await dualStack();
        return { from: d.v6only, to: "64:ff9b::cb00:710a", vpcs: [d.v] };
      },
    },
    {
      name: "IPv6: IPv6-only subnet without a 64:ff9b::/96 route → 64:ff9b::cb00:710a",
      expected: "unreachable",
      why: "::/0 → egress-only gateway: the internet has no route to 64:ff9b::/96; only a NAT gateway translates it",
      async build() {
        const d = await dualStack({ nat64Route: false });
        return { from: d.v6only, to: "64:ff9b::cb00:710a", vpcs: [d.v] };
      },
    },
    {
      name: "BPA not readable (moto has no BPA operations) → igw, on the snapshot as taken",
      expected: "unknown",
      why: "a snapshot that could not read VPC Block Public Access proves no internet path (the other rows take moto's BPA as off, which it is: moto has none)",
      async build() {
        const v = await vpc(next());
        const p = await publicSubnet(v, `10.${n - 1}.1.0/24`);
        const i = await instance(p.subnet, [await sg(v, "app")], true);
        return { from: i.id, to: "igw", vpcs: [v], raw: true };
      },
    },
  ];
}

function endpointCases(): Case[] {
  async function privateVpc(): Promise<{ v: string; s: string; rt: string; src: Inst; cidr: string }> {
    const k = next();
    const v = await vpc(k);
    const s = await subnet(v, `10.${k}.1.0/24`);
    const rt = await table(v, s);
    const src = await instance(s, [await sg(v, "app")]);
    return { v, s, rt, src, cidr: `10.${k}.0.0/16` };
  }
  return [
    {
      name: "S3 gateway endpoint on the subnet's route table → service:s3",
      expected: "reachable",
      why: "the endpoint adds pl-… → vpce-… to the table; SG egress all",
      async build() {
        const p = await privateVpc();
        await ec2.send(new CreateVpcEndpointCommand({ VpcId: p.v, ServiceName: `com.amazonaws.${REGION}.s3`, VpcEndpointType: "Gateway", RouteTableIds: [p.rt] }));
        return { from: p.src.id, to: "service:s3", vpcs: [p.v] };
      },
    },
    {
      name: "S3 gateway endpoint, SG egress only to 10.0.0.0/8 → service:s3",
      expected: "unreachable",
      why: "S3's addresses (the prefix list's) are not in any outbound rule",
      async build() {
        const p = await privateVpc();
        await ec2.send(new CreateVpcEndpointCommand({ VpcId: p.v, ServiceName: `com.amazonaws.${REGION}.s3`, VpcEndpointType: "Gateway", RouteTableIds: [p.rt] }));
        const g = await sg(p.v, "narrow");
        await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: g, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }));
        await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: g, IpPermissions: [https("10.0.0.0/8")] }));
        const i = await instance(p.s, [g]);
        return { from: i.id, to: "service:s3", vpcs: [p.v] };
      },
    },
    {
      name: "S3 gateway endpoint on another route table → service:s3",
      expected: "unreachable",
      why: "the subnet's table has no prefix-list route and no default route",
      async build() {
        const p = await privateVpc();
        const other = await table(p.v);
        await ec2.send(new CreateVpcEndpointCommand({ VpcId: p.v, ServiceName: `com.amazonaws.${REGION}.s3`, VpcEndpointType: "Gateway", RouteTableIds: [other] }));
        return { from: p.src.id, to: "service:s3", vpcs: [p.v] };
      },
    },
    {
      name: "interface endpoint with private DNS, SG admits 443 → service:secretsmanager",
      expected: "reachable",
      why: "the service name resolves to the endpoint's ENI in the VPC; its SG admits the VPC",
      async build() {
        const p = await privateVpc();
        const g = await sg(p.v, "vpce", [https(p.cidr)]);
        // moto gives an endpoint's ENI the VPC's default group instead of the endpoint's (AWS: the endpoint's).
        // The same rule on the default group changes nothing on AWS and makes moto's ENI admit what the endpoint's group does.
        const dflt = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [p.v] }, { Name: "group-name", Values: ["default"] }] })))
          .SecurityGroups![0]!.GroupId!;
        await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: dflt, IpPermissions: [https(p.cidr)] }));
        await ec2.send(
          new CreateVpcEndpointCommand({ VpcId: p.v, ServiceName: `com.amazonaws.${REGION}.secretsmanager`, VpcEndpointType: "Interface", SubnetIds: [p.s], SecurityGroupIds: [g], PrivateDnsEnabled: true }),
        );
        return { from: p.src.id, to: "service:secretsmanager", vpcs: [p.v] };
      },
    },
    {
      name: "interface endpoint with private DNS, SG without 443 → service:secretsmanager",
      expected: "unreachable",
      why: "the endpoint's security group admits nothing",
      async build() {
        const p = await privateVpc();
        const g = await sg(p.v, "vpce");
        await ec2.send(
          new CreateVpcEndpointCommand({ VpcId: p.v, ServiceName: `com.amazonaws.${REGION}.secretsmanager`, VpcEndpointType: "Interface", SubnetIds: [p.s], SecurityGroupIds: [g], PrivateDnsEnabled: true }),
        );
        return { from: p.src.id, to: "service:secretsmanager", vpcs: [p.v] };
      },
    },
    {
      name: "interface endpoint without private DNS, no internet route → service:secretsmanager",
      expected: "unreachable",
      why: "the name resolves to the public endpoint; the subnet has no route to the internet",
      async build() {
        const p = await privateVpc();
        const g = await sg(p.v, "vpce", [https(p.cidr)]);
        await ec2.send(
          new CreateVpcEndpointCommand({ VpcId: p.v, ServiceName: `com.amazonaws.${REGION}.secretsmanager`, VpcEndpointType: "Interface", SubnetIds: [p.s], SecurityGroupIds: [g], PrivateDnsEnabled: false }),
        );
        return { from: p.src.id, to: "service:secretsmanager", vpcs: [p.v] };
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

interface Got {
  verdict: string;
  exit: number;
  why: string;
  raw: string;
}

function cli(url: string, cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, "--endpoint-url", url, ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? "", HOME: cwd, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: REGION, NO_COLOR: "1" },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * moto has no VPC Block Public Access operations, so a snapshot of it omits BPA, and then (correctly) no
 * internet path is proven. moto's BPA is off by construction (it has none): the snapshot is taken, BPA is
 * recorded as off with no exclusions, and the path analyzed on that file. `raw` keeps the snapshot as taken.
 */
async function analyze(url: string, cwd: string, q: Query): Promise<Got> {
  const file = join(cwd, `q-${next()}.json`);
  const snap = await cli(url, cwd, ["snapshot", "--out", file, "--vpc", ...q.vpcs]);
  if (snap.code !== 0) return { verdict: "error", exit: snap.code, why: snap.stderr.trim().split("\n")[0]!.slice(0, 100), raw: snap.stderr };
  if (!q.raw) {
    const doc = JSON.parse(readFileSync(file, "utf8"));
    if (!doc.vpcBlockPublicAccessOptions && (doc.omitted ?? []).some((o: { resource: string }) => o.resource === "vpcBlockPublicAccess")) {
      doc.vpcBlockPublicAccessOptions = { InternetGatewayBlockMode: "off", State: "default-state" };
      doc.vpcBlockPublicAccessExclusions = [];
      doc.omitted = doc.omitted.filter((o: { resource: string }) => o.resource !== "vpcBlockPublicAccess");
      writeFileSync(file, JSON.stringify(doc));
    }
  }
  const r = await cli(url, cwd, ["analyze-path", "--local", "--json", "--from", q.from, "--to", q.to, "--port", String(q.port ?? 443), "--snapshot", file]);
  try {
    const j = JSON.parse(r.stdout);
    const res = j.result ?? {};
    const why =
      j.verdict === "unknown"
        ? (j.unknownReasons ?? res.unknownReasons ?? []).map((u: { code: string }) => u.code).join(",")
        : j.verdict === "unreachable"
          ? `${res.explanations?.[0]?.code ?? "?"}${res.explanations?.[0]?.component?.id ? ` at ${res.explanations[0].component.id.replace(/-[0-9a-f]{8,}$/, "-…")}` : ""}`
          : "";
    return { verdict: j.verdict ?? "?", exit: r.code, why, raw: r.stdout };
  } catch {
    return { verdict: "error", exit: r.code, why: (r.stderr || r.stdout).trim().split("\n")[0]!.slice(0, 100), raw: r.stdout + r.stderr };
  }
}

const NOT_SUPPORTED = /not (yet )?implemented|NotImplemented|InvalidAction|not supported/i;

async function main(): Promise<void> {
  readFileSync(BIN); // fail early without a build
  const moto = await startMoto();
  const cwd = mkdtempSync(join(tmpdir(), "crosscheck-moto-"));
  let failed = false;
  try {
    motoUrl = moto.url;
    ec2 = new EC2Client({ endpoint: moto.url, region: REGION, credentials: CREDS });
    ami = (await ec2.send(new DescribeImagesCommand({}))).Images![0]!.ImageId!;

    // 1. snapshot on moto: must not crash on what moto lacks; what it lacks is in `omitted`.
    const snap = await cli(moto.url, cwd, ["snapshot", "--all-vpcs", "--out", join(cwd, "snap.json"), "--json"]);
    let omitted: Array<{ resource: string; operation: string; code: string }> = [];
    if (snap.code === 0) omitted = JSON.parse(snap.stdout).omitted ?? [];
    console.log(`snapshot on moto: exit ${snap.code}; omitted: ${omitted.map((o) => `${o.resource} (${o.operation}: ${o.code})`).join(", ") || "none"}`);
    if (snap.code !== 0) {
      console.log(snap.stderr);
      failed = true;
    }

    // 2. The topologies.
    const rows: string[][] = [];
    let agree = 0;
    let ran = 0;
    let unproven = 0;
    const only = process.env.CROSSCHECK_ONLY;
    for (const c of cases.filter((x) => !only || x.name.includes(only))) {
      let q: Query;
      try {
        q = await c.build();
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        // moto answers a service it lacks with an HTML 404 page (the SDK cannot parse it), a call it lacks with NotImplemented.
        const unsupported = NOT_SUPPORTED.test(msg) || NOT_SUPPORTED.test((e as Error).name ?? "") || status === 404 || status === 501 || (e as Error).name === "SyntaxError";
        rows.push([c.name, typeof c.expected === "function" ? "?" : c.expected, unsupported ? "not supported by moto" : `build failed: ${msg.slice(0, 80)}`, unsupported ? "n/a" : "no"]);
        if (!unsupported) failed = true;
        continue;
      }
      const expected = typeof c.expected === "function" ? c.expected() : c.expected;
      const got = await analyze(moto.url, cwd, q);
      ran++;
      const ok = got.verdict === expected && got.exit === EXIT[expected];
      if (ok) agree++;
      else {
        failed = true;
        if (process.env.CROSSCHECK_VERBOSE) console.log(`${c.name}:\n${got.raw}`);
      }
      if (got.verdict === "reachable" && expected !== "reachable") unproven++;
      rows.push([c.name, `${expected} (${EXIT[expected]})`, `${got.verdict} (${got.exit})${got.why ? ` ${got.why}` : ""}`, ok ? "yes" : "NO"]);
    }
    if (motoTgwRoutes === false) console.log("moto fails SearchTransitGatewayRoutes (MaxResults) on a table with routes: the TGW verdicts that need the tables are expected unknown");
    const head = ["topology", "expected", "got", "agree"];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(w[i]!)).join(" | ")} |`;
    console.log(line(head));
    console.log(`|${w.map((x) => "-".repeat(x + 2)).join("|")}|`);
    for (const r of rows) console.log(line(r));
    console.log("\nWhy each expectation (AWS's documented behaviour):");
    for (const c of cases.filter((x) => !only || x.name.includes(only))) console.log(`- ${c.name}: ${c.why}`);
    console.log(`\n${agree} of ${ran} agree; reachable-without-proof: ${unproven}${rows.length > ran ? `; ${rows.length - ran} not run` : ""}`);
    if (unproven) failed = true;
  } finally {
    moto.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

await main();
