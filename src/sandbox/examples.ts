// `sandbox init --examples`: the EC2 side of a lived-in demo account (broken VPCs from scenarios S2, S4, S5),
// plus the problems `egress-cli audit` must find (issue 10): an idle Elastic IP, an open group, a Lambda
// function in public subnets, a NAT gateway in a subnet without an internet gateway route.
// Resource types the sandbox cannot create through its API (instances, service-managed ENIs such as an
// MSK cluster's brokers) are seeded here as a snapshot import would hold them, so the scenarios can be
// analyzed from the workloads they are about (Reachability Analyzer needs an ENI or instance as source).
import { allocPrivateIp, type OpContext } from "./ec2-core.js";
import { addRule, buildIgw, buildSubnet, buildVpc } from "./ec2-network.js";
import { putRole } from "./iam.js";
import { putFunction } from "./lambda.js";
import { newId, newMac, putEni, zonesOf } from "./model.js";
import type { AddressRec, EniRec, NatRec, SgRec, SubnetRec } from "./model.js";

const tag = (name: string, scenario: string) => [
  { Key: "Name", Value: name },
  { Key: "egress-cli:example", Value: scenario },
];

export function seedExamples(ctx: OpContext): void {
  const [a, b, c] = zonesOf(ctx.region).map((z) => z.ZoneName);
  // S2: project VPCs that all reused 10.0.0.0/16
  for (const team of ["team-a", "team-b"]) {
    const vpc = buildVpc(ctx, "10.0.0.0/16", false, tag(team, "S2"));
    buildSubnet(ctx, vpc, "10.0.1.0/24", a, { tags: tag(`${team}-private-a`, "S2") });
    buildSubnet(ctx, vpc, "10.0.2.0/24", b, { tags: tag(`${team}-private-b`, "S2") });
  }
  // S4: an MSK cluster's VPC with private subnets only, no NAT and no endpoints
  const msk = buildVpc(ctx, "10.30.0.0/16", false, tag("msk", "S4"));
  [a, b, c].forEach((az, i) => buildSubnet(ctx, msk, `10.30.${i + 1}.0/24`, az, { tags: tag(`msk-private-${az.slice(-1)}`, "S4") }));
  const cluster: SgRec = { GroupId: newId("sg"), GroupName: "msk-cluster", Description: "MSK brokers", VpcId: msk.VpcId, Tags: tag("msk-cluster", "S4"), _createdAt: ctx.now, _visibleAt: ctx.now };
  ctx.rs.securityGroups[cluster.GroupId] = cluster;
  // IAM (9098) and SASL/SCRAM (9096, what the event source mapping uses) from the cluster's own group.
  for (const port of [9098, 9096]) addRule(ctx, { GroupId: cluster.GroupId, IsEgress: false, IpProtocol: "tcp", FromPort: port, ToPort: port, ReferencedGroupId: cluster.GroupId });
  addRule(ctx, { GroupId: cluster.GroupId, IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" });
  // The brokers' network interfaces, one per cluster subnet, in the cluster's group (MSK manages them).
  for (const s of Object.values(ctx.rs.subnets).filter((x) => x.VpcId === msk.VpcId)) {
    seedEni(ctx, s, [cluster.GroupId], { Description: `Amazon MSK network interface for cluster msk-demo (broker ${s.AvailabilityZone.slice(-1)})`, RequesterManaged: true }, tag(`msk-broker-${s.AvailabilityZone.slice(-1)}`, "S4"));
  }
  // S5: legacy VPC; the private subnet has no route out (instances there cannot apt update)
  const legacy = buildVpc(ctx, "10.20.0.0/16", false, tag("legacy", "S5"));
  const pub = buildSubnet(ctx, legacy, "10.20.1.0/24", a, { tags: tag("legacy-public", "S5") });
  const priv = buildSubnet(ctx, legacy, "10.20.2.0/24", a, { tags: tag("legacy-private", "S5") });
  const igw = buildIgw(ctx, tag("legacy-igw", "S5"));
  igw.VpcId = legacy.VpcId;
  const rt = {
    RouteTableId: newId("rtb"),
    VpcId: legacy.VpcId,
    Routes: [
      { DestinationCidrBlock: legacy.CidrBlock, GatewayId: "local", Origin: "CreateRouteTable" as const },
      { DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw.InternetGatewayId, Origin: "CreateRoute" as const },
    ],
    Associations: [{ RouteTableAssociationId: newId("rtbassoc"), SubnetId: pub.SubnetId, Main: false }],
    Tags: tag("legacy-public", "S5"),
    _createdAt: ctx.now,
    _visibleAt: ctx.now,
  };
  ctx.rs.routeTables[rt.RouteTableId] = rt;
  // The four-instance stack: web server and bastion with public IPs, app server and database without.
  const group = (name: string, ingress: Array<[number, string]>): string => {
    const g: SgRec = { GroupId: newId("sg"), GroupName: name, Description: `legacy ${name}`, VpcId: legacy.VpcId, Tags: tag(name, "S5"), _createdAt: ctx.now, _visibleAt: ctx.now };
    ctx.rs.securityGroups[g.GroupId] = g;
    for (const [port, peer] of ingress) addRule(ctx, { GroupId: g.GroupId, IsEgress: false, IpProtocol: "tcp", FromPort: port, ToPort: port, ...(peer.startsWith("sg-") ? { ReferencedGroupId: peer } : { CidrIpv4: peer }) });
    addRule(ctx, { GroupId: g.GroupId, IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" });
    return g.GroupId;
  };
  const web = group("legacy-web", [[443, "0.0.0.0/0"], [80, "0.0.0.0/0"]]);
  const bastion = group("legacy-bastion", [[22, "203.0.113.0/24"]]);
  const app = group("legacy-app", [[8080, web], [22, bastion]]);
  const db = group("legacy-db", [[5432, app], [22, bastion]]);
  seedInstance(ctx, pub, web, "legacy-web", "198.51.100.80");
  seedInstance(ctx, pub, bastion, "legacy-bastion", "198.51.100.22");
  seedInstance(ctx, priv, app, "legacy-app");
  seedInstance(ctx, priv, db, "legacy-db");
  seedAuditExamples(ctx, legacy.VpcId);
}

/** The audit's seeded problems (test/audit.test.ts lists the findings they must produce, and only those). */
function seedAuditExamples(ctx: OpContext, legacyVpcId: string): void {
  const base = { _createdAt: ctx.now, _visibleAt: ctx.now };
  // An idle Elastic IP: billed, associated with nothing.
  const idle: AddressRec = { AllocationId: newId("eipalloc"), PublicIp: "198.51.100.200", Tags: tag("idle-eip", "audit"), ...base };
  ctx.rs.addresses[idle.AllocationId] = idle;
  // An open group: SSH and RDP from anywhere (attached to nothing yet).
  const open: SgRec = { GroupId: newId("sg"), GroupName: "legacy-debug", Description: "temporary debug access", VpcId: legacyVpcId, Tags: tag("legacy-debug", "audit"), ...base };
  ctx.rs.securityGroups[open.GroupId] = open;
  for (const port of [22, 3389]) addRule(ctx, { GroupId: open.GroupId, IsEgress: false, IpProtocol: "tcp", FromPort: port, ToPort: port, CidrIpv4: "0.0.0.0/0" });
  addRule(ctx, { GroupId: open.GroupId, IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" });
  // The default VPC: a Lambda function in its (public) default subnets, and a NAT gateway in a new
  // subnet whose route table has no route to the internet gateway.
  const def = Object.values(ctx.rs.vpcs).find((v) => v.IsDefault && v.VpcId)!;
  const defSubnets = Object.values(ctx.rs.subnets).filter((x) => x.VpcId === def.VpcId).sort((x, y) => (x.AvailabilityZone < y.AvailabilityZone ? -1 : 1));
  const defGroup = Object.values(ctx.rs.securityGroups).find((g) => g.VpcId === def.VpcId && g.GroupName === "default")!;
  putRole(ctx.state, "report-generator-role", { attached: ["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"], description: "audit example: a function in public subnets" });
  const fn = putFunction(ctx.state, ctx.rs, ctx.region, { name: "report-generator", runtime: "python3.12", handler: "app.handler", roleName: "report-generator-role", description: "audit example: VPC function in the default VPC's public subnets" });
  fn.VpcConfig = { SubnetIds: defSubnets.slice(0, 2).map((x) => x.SubnetId), SecurityGroupIds: [defGroup.GroupId], VpcId: def.VpcId };
  const [az] = zonesOf(ctx.region).map((z) => z.ZoneName);
  const natSubnet = buildSubnet(ctx, def, "172.31.240.0/24", az!, { tags: tag("nat-misplaced", "audit") });
  const rt = {
    RouteTableId: newId("rtb"),
    VpcId: def.VpcId,
    Routes: [{ DestinationCidrBlock: def.CidrBlock, GatewayId: "local", Origin: "CreateRouteTable" as const }],
    Associations: [{ RouteTableAssociationId: newId("rtbassoc"), SubnetId: natSubnet.SubnetId, Main: false }],
    Tags: tag("nat-misplaced", "audit"),
    ...base,
  };
  ctx.rs.routeTables[rt.RouteTableId] = rt;
  const eip: AddressRec = { AllocationId: newId("eipalloc"), PublicIp: "198.51.100.201", Tags: tag("nat-misplaced-eip", "audit"), ...base };
  ctx.rs.addresses[eip.AllocationId] = eip;
  const nat: NatRec = { NatGatewayId: newId("nat"), SubnetId: natSubnet.SubnetId, VpcId: def.VpcId, ConnectivityType: "public", State: "available", AllocationId: eip.AllocationId, _readyAt: ctx.now, Tags: tag("nat-misplaced", "audit"), ...base };
  const privateIp = allocPrivateIp(ctx.rs, natSubnet);
  const eni: EniRec = {
    NetworkInterfaceId: newId("eni"),
    SubnetId: natSubnet.SubnetId,
    VpcId: def.VpcId,
    AvailabilityZone: natSubnet.AvailabilityZone,
    InterfaceType: "nat_gateway",
    Description: `Interface for NAT Gateway ${nat.NatGatewayId}`,
    PrivateIpAddress: privateIp,
    MacAddress: newMac(),
    Groups: [],
    RequesterManaged: true,
    Tags: [],
    ...base,
  };
  ctx.rs.networkInterfaces[eni.NetworkInterfaceId] = eni;
  Object.assign(nat, { NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIp: privateIp, PublicIp: eip.PublicIp, EipAssociationId: newId("eipassoc") });
  Object.assign(eip, { AssociationId: (nat as unknown as { EipAssociationId: string }).EipAssociationId, NetworkInterfaceId: eni.NetworkInterfaceId, PrivateIpAddress: privateIp });
  ctx.rs.natGateways[nat.NatGatewayId] = nat;
}

function seedEni(ctx: OpContext, subnet: SubnetRec, groups: string[], extra: Partial<EniRec> & Record<string, unknown>, tags: { Key: string; Value: string }[] = []): EniRec {
  return putEni(ctx.rs, subnet, allocPrivateIp(ctx.rs, subnet), { MacAddress: "0e:00:00:00:00:00", Groups: groups, Tags: tags, _createdAt: ctx.now, _visibleAt: ctx.now, ...extra });
}

/** A running instance as DescribeInstances shows it (the sandbox serves instances read-only). */
function seedInstance(ctx: OpContext, subnet: SubnetRec, groupId: string, name: string, publicIp?: string): void {
  const instanceId = newId("i");
  const eni = seedEni(ctx, subnet, [groupId], { Description: "Primary network interface", _attachment: { InstanceId: instanceId, DeviceIndex: 0, Status: "attached" }, ...(publicIp ? { _publicIp: publicIp } : {}) });
  const groups = [{ GroupId: groupId, GroupName: ctx.rs.securityGroups[groupId]!.GroupName }];
  const instances = (ctx.rs.ext.instances ??= {}) as Record<string, unknown>;
  instances[instanceId] = {
    InstanceId: instanceId,
    InstanceType: "t3.small",
    ImageId: "ami-0abcdef1234567890",
    State: { Code: 16, Name: "running" },
    VpcId: subnet.VpcId,
    SubnetId: subnet.SubnetId,
    PrivateIpAddress: eni.PrivateIpAddress,
    ...(publicIp ? { PublicIpAddress: publicIp } : {}),
    SourceDestCheck: true,
    Placement: { AvailabilityZone: subnet.AvailabilityZone },
    SecurityGroups: groups,
    NetworkInterfaces: [{ NetworkInterfaceId: eni.NetworkInterfaceId, SubnetId: subnet.SubnetId, VpcId: subnet.VpcId, PrivateIpAddress: eni.PrivateIpAddress, Attachment: { DeviceIndex: 0, Status: "attached" }, Groups: groups, SourceDestCheck: true, ...(publicIp ? { Association: { PublicIp: publicIp } } : {}) }],
    Tags: tag(name, "S5"),
    _createdAt: ctx.now,
    _visibleAt: ctx.now,
  };
}
