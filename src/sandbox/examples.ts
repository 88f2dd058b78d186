// `sandbox init --examples`: the EC2 side of a lived-in demo account (broken VPCs from scenarios S2, S4, S5).
import type { OpContext } from "./ec2-core.js";
import { addRule, buildIgw, buildSubnet, buildVpc } from "./ec2-network.js";
import { newId, zonesOf } from "./model.js";
import type { SgRec } from "./model.js";

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
  addRule(ctx, { GroupId: cluster.GroupId, IsEgress: false, IpProtocol: "tcp", FromPort: 9098, ToPort: 9098, ReferencedGroupId: cluster.GroupId });
  addRule(ctx, { GroupId: cluster.GroupId, IsEgress: true, IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv4: "0.0.0.0/0" });
  // S5: legacy VPC; the private subnet has no route out (instances there cannot apt update)
  const legacy = buildVpc(ctx, "10.20.0.0/16", false, tag("legacy", "S5"));
  const pub = buildSubnet(ctx, legacy, "10.20.1.0/24", a, { tags: tag("legacy-public", "S5") });
  buildSubnet(ctx, legacy, "10.20.2.0/24", a, { tags: tag("legacy-private", "S5") });
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
}
