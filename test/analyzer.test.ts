// Table-driven corpus for the offline reachability analyzer: every scenario's working and broken
// variants, with the expected verdict, blocking component and explanation code.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { analyzePath, buildIndex, EXPLANATION_CODES, type PathQuery, type PathResult } from "../src/analysis/analyzer.js";
import { parseSnapshot, SnapshotError, type Snapshot } from "../src/analysis/snapshot.js";
import { UsageError } from "../src/errors.js";
import { SnapshotBuilder, s1, s2, s3, s4, s5 } from "./fixtures/analysis/build.js";

interface Case {
  name: string;
  snap: () => Snapshot;
  query: PathQuery;
  reachable: boolean;
  /** Expected first explanation: code and blocking component id. */
  code?: keyof typeof EXPLANATION_CODES;
  component?: string;
  /** Extra checks. */
  detail?: RegExp;
  additional?: string[];
  noAdditional?: string[];
  hop?: RegExp;
  check?: (r: PathResult) => void;
}

const toIgw = (source = "lambda:sms-sender"): PathQuery => ({ source, destination: "igw" });

/** Topology with an IPv6 VPC: dual-stack instance in a subnet routed ::/0 → eigw (or not). */
function ipv6(o: { eigw?: boolean; instanceIpv6?: boolean } = {}) {
  const b = new SnapshotBuilder()
    .vpc("vpc-v6", "10.50.0.0/16", { ipv6: "2600:1f18:1:100::/56" })
    .subnet("subnet-v6", "vpc-v6", "10.50.1.0/24", "us-east-1a", { ipv6: "2600:1f18:1:101::/64" })
    .eigw("eigw-v6", "vpc-v6")
    .sg("sg-v6", "vpc-v6", { egress: ["-1:all:0.0.0.0/0", "-1:all:::/0"] })
    .routeTable("rtb-v6", "vpc-v6", o.eigw === false ? {} : { "::/0": "eigw-v6" }, ["subnet-v6"])
    .instance("i-v6", "subnet-v6", { sgs: ["sg-v6"], ipv6: o.instanceIpv6 === false ? undefined : "2600:1f18:1:101::10" });
  return b.build();
}

/** Peering / transit gateway exits from a VPC. */
function exits(o: { pcxStatus?: string; defaultToTgw?: boolean; tgwAttached?: boolean } = {}) {
  const b = new SnapshotBuilder()
    .vpc("vpc-a", "10.60.0.0/16")
    .vpc("vpc-b", "10.61.0.0/16")
    .subnet("subnet-a", "vpc-a", "10.60.1.0/24", "us-east-1a")
    .sg("sg-a", "vpc-a")
    .peering("pcx-ab", "vpc-a", "vpc-b", o.pcxStatus ?? "active")
    .routeTable("rtb-a", "vpc-a", { "10.61.0.0/16": "pcx-ab", ...(o.defaultToTgw ? { "0.0.0.0/0": "tgw-core" } : {}) }, ["subnet-a"])
    .instance("i-a", "subnet-a", { sgs: ["sg-a"] });
  if (o.tgwAttached ?? true) {
    b.tweak((s) => s.transitGatewayAttachments!.push({ TransitGatewayAttachmentId: "tgw-attach-a", TransitGatewayId: "tgw-core", ResourceType: "vpc", ResourceId: "vpc-a", State: "available" }));
  }
  return b.build();
}

/** S1 VPC plus an S3 gateway endpoint on the private tables. */
function s3Gateway(o: { lambdaEgress?: string[] } = {}) {
  return s1({ lambdaSgEgress: o.lambdaEgress ?? ["tcp:443:0.0.0.0/0"] })
    .gatewayEndpoint("vpce-s3", "vpc-sms", "s3", "pl-63a5400a", ["52.216.0.0/15", "54.231.0.0/16"], ["rtb-priv-a", "rtb-priv-b"])
    .build();
}

/** A NAT instance in the public subnet of a fresh VPC, routed from the private subnet. */
function natInstance(o: { sourceDestCheck: boolean; natSgIngress?: string[] }) {
  return new SnapshotBuilder()
    .vpc("vpc-ni", "10.70.0.0/16")
    .subnet("subnet-ni-pub", "vpc-ni", "10.70.0.0/24", "us-east-1a")
    .subnet("subnet-ni-priv", "vpc-ni", "10.70.1.0/24", "us-east-1a")
    .igw("igw-ni", "vpc-ni")
    .routeTable("rtb-ni-pub", "vpc-ni", { "0.0.0.0/0": "igw-ni" }, ["subnet-ni-pub"])
    .sg("sg-nat-instance", "vpc-ni", { ingress: o.natSgIngress ?? ["-1:all:10.70.0.0/16"] })
    .sg("sg-ni-app", "vpc-ni")
    .instance("i-nat", "subnet-ni-pub", { sgs: ["sg-nat-instance"], publicIp: "18.1.1.1", sourceDestCheck: o.sourceDestCheck })
    .routeTable("rtb-ni-priv", "vpc-ni", { "0.0.0.0/0": "i-nat" }, ["subnet-ni-priv"])
    .instance("i-ni-app", "subnet-ni-priv", { sgs: ["sg-ni-app"] })
    .build();
}

/** Two instances in one VPC (different subnets) plus one in the same subnet, for local delivery. */
function local(o: { dbIngress?: string[]; dbNaclIngress?: string[]; dbNaclEgress?: string[] } = {}) {
  const b = new SnapshotBuilder()
    .vpc("vpc-l", "10.80.0.0/16")
    .subnet("subnet-l-app", "vpc-l", "10.80.1.0/24", "us-east-1a")
    .subnet("subnet-l-db", "vpc-l", "10.80.2.0/24", "us-east-1b")
    .sg("sg-l-app", "vpc-l")
    .sg("sg-l-db", "vpc-l", { ingress: o.dbIngress ?? ["tcp:5432:sg-l-app"] })
    .instance("i-l-app", "subnet-l-app", { sgs: ["sg-l-app"], ip: "10.80.1.10" })
    .instance("i-l-app2", "subnet-l-app", { sgs: ["sg-l-db"], ip: "10.80.1.11" })
    .instance("i-l-db", "subnet-l-db", { sgs: ["sg-l-db"], ip: "10.80.2.10" });
  if (o.dbNaclIngress) b.nacl("acl-l-db", "vpc-l", ["subnet-l-db"], { ingress: o.dbNaclIngress, egress: o.dbNaclEgress ?? ["100 allow -1 0.0.0.0/0"] });
  return b.build();
}

const cases: Case[] = [
  // ----- S1: Lambda → NAT → IGW -----
  {
    name: "S1 works: Lambda in private subnets, NAT per AZ with EIP, reaches the IGW",
    snap: () => s1().build(),
    query: toIgw(),
    reachable: true,
    noAdditional: ["AVAILABILITY_ZONE_CROSSED"],
    check: (r) => {
      const types = r.hops.map((h) => h.component.type);
      assert.deepEqual(types.slice(0, 8), [
        "AWS::EC2::SecurityGroup",
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::RouteTable",
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::NatGateway",
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::RouteTable",
        "AWS::EC2::InternetGateway",
      ]);
      assert.match(r.hops[0]!.action, /security group sg-lambda egress rule tcp 443 0\.0\.0\.0\/0 matched/);
      assert.match(r.hops[7]!.action, /translates .* to public 3\.3\.3\.3/);
      assert.equal(r.paths?.length, 2);
    },
  },
  { name: "S1 broken: private table has no route to the NAT", snap: () => s1({ natRoute: false }).build(), query: toIgw(), reachable: false, code: "NO_ROUTE_TO_DESTINATION", component: "rtb-priv-a" },
  {
    name: "S1 broken: NAT gateway placed in the private subnet (its subnet routes back to itself)",
    snap: () => s1({ natInPrivateSubnet: true }).build(),
    query: toIgw(),
    reachable: false,
    code: "NO_ROUTE_TO_DESTINATION",
    component: "rtb-priv-a",
    detail: /must sit in a public subnet/,
  },
  {
    name: "S1 broken: NAT gateway in a subnet with only the local route",
    snap: () =>
      s1()
        .subnet("subnet-iso", "vpc-sms", "10.0.20.0/24", "us-east-1a")
        .tweak((s) => {
          const nat = s.natGateways.find((n) => n.NatGatewayId === "nat-a")!;
          nat.SubnetId = "subnet-iso";
          s.networkInterfaces.find((e) => e.NetworkInterfaceId === "eni-nat-a")!.SubnetId = "subnet-iso";
        })
        .build(),
    query: { source: "subnet-priv-a", destination: "igw" },
    reachable: false,
    code: "NO_ROUTE_TO_DESTINATION",
    component: "rtb-main-vpc-sms",
  },
  {
    name: "S1 broken: public NAT gateway without an Elastic IP",
    snap: () => s1({ natEip: false }).build(),
    query: toIgw(),
    reachable: false,
    code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
    component: "igw-sms",
    detail: /NAT gateway nat-a has no public address/,
    check: (r) => assert.equal(r.explanations[0]!.natGateway?.id, "nat-a"),
  },
  { name: "S1 broken: NAT gateway failed (route still active)", snap: () => s1({ natState: "failed" }).build(), query: toIgw(), reachable: false, code: "BAD_STATE", component: "nat-a", detail: /failed/ },
  { name: "S1 broken: NAT gateway deleted → blackhole route", snap: () => s1({ blackhole: true }).build(), query: toIgw(), reachable: false, code: "BAD_STATE_ROUTE", component: "rtb-priv-a", detail: /blackhole/ },
  {
    name: "S1 broken: private subnets associated with the public table → Lambda has no public IP",
    snap: () => s1({ privateAssociation: "public" }).build(),
    query: toIgw(),
    reachable: false,
    code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
    component: "igw-sms",
    detail: /Lambda ENIs never get one/,
  },
  {
    name: "S1: main-table fallback with a NAT route is reachable",
    snap: () => s1({ privateAssociation: "main", mainTableRoutes: "nat", natMode: "single" }).build(),
    query: toIgw(),
    reachable: true,
    hop: /route table rtb-main route 0\.0\.0\.0\/0 → nat-a matched/,
    check: (r) => assert.ok(r.hops.some((h) => /main route table/.test(h.detail ?? ""))),
  },
  {
    name: "S1 broken: main-table fallback without routes",
    snap: () => s1({ privateAssociation: "main" }).build(),
    query: toIgw(),
    reachable: false,
    code: "NO_ROUTE_TO_DESTINATION",
    component: "rtb-main-vpc-sms",
    detail: /main route table/,
  },
  {
    name: "S1 broken: private NACL admits only 443 inbound → return traffic on ephemeral ports dropped",
    snap: () => s1({ privateNaclIngress: ["100 allow tcp 443 0.0.0.0/0"] }).build(),
    query: toIgw(),
    reachable: false,
    code: "SUBNET_ACL_RESTRICTION",
    component: "acl-priv",
    detail: /1024-65535/,
    check: (r) => {
      assert.equal(r.explanations[0]!.returnPath, true);
      assert.equal(r.explanations[0]!.direction, "ingress");
    },
  },
  {
    name: "S1: private NACL admitting 1024-65535 inbound works",
    snap: () => s1({ privateNaclIngress: ["100 allow tcp 1024-65535 0.0.0.0/0"] }).build(),
    query: toIgw(),
    reachable: true,
  },
  {
    name: "S1 broken: private NACL outbound denies 443",
    snap: () => s1({ privateNaclEgress: ["100 allow tcp 80 0.0.0.0/0"] }).build(),
    query: toIgw(),
    reachable: false,
    code: "SUBNET_ACL_RESTRICTION",
    component: "acl-priv",
    check: (r) => assert.equal(r.explanations[0]!.direction, "egress"),
  },
  { name: "S1 broken: Lambda SG egress removed", snap: () => s1({ lambdaSgEgress: [] }).build(), query: toIgw(), reachable: false, code: "ENI_SG_RULES_MISMATCH", component: "sg-lambda" },
  {
    name: "S1: SG egress only to the vendor's address admits the vendor, not another host",
    snap: () => s1({ lambdaSgEgress: ["tcp:443:198.51.100.7/32"] }).build(),
    query: { source: "lambda:sms-sender", destination: "8.8.8.8" },
    reachable: false,
    code: "ENI_SG_RULES_MISMATCH",
    component: "sg-lambda",
  },
  {
    name: "S1: the vendor's address through the NAT",
    snap: () => s1({ lambdaSgEgress: ["tcp:443:198.51.100.7/32"] }).build(),
    query: { source: "lambda:sms-sender", destination: "198.51.100.7" },
    reachable: true,
  },
  {
    name: "S1 broken: Lambda attached to the public subnets",
    snap: () => s1({ lambdaInPublicSubnets: true }).build(),
    query: toIgw(),
    reachable: false,
    code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
    component: "igw-sms",
  },
  {
    name: "S1: single NAT in AZ a → reachable but AVAILABILITY_ZONE_CROSSED for the AZ b subnet",
    snap: () => s1({ natMode: "single" }).build(),
    query: toIgw(),
    reachable: true,
    additional: ["AVAILABILITY_ZONE_CROSSED"],
    detail: undefined,
    check: (r) => assert.ok(r.additionalDetails.some((d) => /subnet-priv-b.*us-east-1b.*nat-a.*us-east-1a/.test(d))),
  },
  {
    name: "S1: no hyperplane ENIs in the snapshot → virtual ENIs with the function's SGs",
    snap: () => s1({ hyperplane: false }).build(),
    query: toIgw(),
    reachable: true,
    additional: ["VIRTUAL_LAMBDA_ENI"],
  },
  { name: "S1: from the private subnet (as with Reachability Analyzer) to the IGW", snap: () => s1().build(), query: toIgw("subnet-priv-a"), reachable: true, additional: ["SECURITY_GROUPS_NOT_EVALUATED"] },
  { name: "S1: from the NAT gateway itself to the internet", snap: () => s1().build(), query: { source: "nat-b", destination: "internet" }, reachable: true },
  { name: "S1 broken: private NAT gateway cannot reach the internet", snap: () => s1().tweak((s) => { for (const n of s.natGateways) { n.ConnectivityType = "private"; for (const a of n.NatGatewayAddresses!) delete a.PublicIp; } }).build(), query: toIgw(), reachable: false, code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", component: "igw-sms", detail: /private NAT gateway/ },
  { name: "S1 broken: internet gateway detached", snap: () => s1().tweak((s) => { s.internetGateways[0]!.Attachments = []; }).build(), query: toIgw(), reachable: false, code: "BAD_STATE_ATTACHMENT", component: "igw-sms" },
  {
    name: "NACL rule order: deny tcp 443 at 90 wins over allow all at 100",
    snap: () => s1({ privateNaclEgress: ["90 deny tcp 443 0.0.0.0/0", "100 allow -1 0.0.0.0/0"] }).build(),
    query: toIgw(),
    reachable: false,
    code: "SUBNET_ACL_RESTRICTION",
    component: "acl-priv",
    check: (r) => assert.equal(r.explanations[0]!.aclRule?.ruleNumber, 90),
  },
  {
    name: "NACL rule order: allow at 90 wins over deny at 100",
    snap: () => s1({ privateNaclEgress: ["90 allow tcp 443 0.0.0.0/0", "100 deny -1 0.0.0.0/0"] }).build(),
    query: toIgw(),
    reachable: true,
  },

  // ----- S2: central egress proxy, overlapping CIDRs -----
  { name: "S2: proxy instance in a private subnet goes out via its AZ's NAT", snap: () => s2().build(), query: { source: "i-proxy", destination: "internet" }, reachable: true, hop: /NAT gateway nat-eg-a/ },
  { name: "S2: resource gateway ENI → proxy 3128 admitted by the proxy SG (SG reference)", snap: () => s2().build(), query: { source: "eni-rgw-a", destination: "i-proxy", port: 3128 }, reachable: true, hop: /sg-proxy ingress rule tcp 3128 sg-rgw matched/ },
  {
    name: "S2 broken: proxy SG does not admit 3128 from the resource gateway",
    snap: () => s2({ proxyIngress: ["tcp:3128:192.168.0.0/16"] }).build(),
    query: { source: "eni-rgw-a", destination: "i-proxy", port: 3128 },
    reachable: false,
    code: "ENI_SG_RULES_MISMATCH",
    component: "sg-proxy",
    check: (r) => assert.equal(r.explanations[0]!.direction, "ingress"),
  },
  {
    name: "S2: overlapping CIDRs — 10.0.1.60 from team1 is team1's ENI (admits 8080)",
    snap: () => s2().build(),
    query: { source: "i-team1-client", destination: "10.0.1.60", port: 8080 },
    reachable: true,
    hop: /delivered to eni-team1-app/,
  },
  {
    name: "S2: overlapping CIDRs — 10.0.1.60 from team2 is team2's ENI (does not admit 8080)",
    snap: () => s2().build(),
    query: { source: "i-team2-client", destination: "10.0.1.60", port: 8080 },
    reachable: false,
    code: "ENI_SG_RULES_MISMATCH",
    component: "sg-team2-app",
  },
  {
    name: "S2: overlapping CIDRs — team1 cannot route to team2's ENI (local route keeps it in team1)",
    snap: () => s2().build(),
    query: { source: "i-team1-client", destination: "eni-team2-app", port: 9090 },
    reachable: false,
    code: "NO_ROUTE_TO_DESTINATION",
    detail: /overlapping CIDRs/,
  },

  // ----- S3: Lambda → Secrets Manager through an interface endpoint -----
  {
    name: "S3: Lambda → service:secretsmanager via interface endpoint with private DNS",
    snap: () => s3().build(),
    query: { source: "lambda:rotate-db-secret", destination: "service:secretsmanager" },
    reachable: true,
    hop: /resolves \(private DNS\) to interface endpoint vpce-sm/,
    check: (r) => assert.ok(r.paths!.every((p) => p.hops.some((h) => /delivered to eni-vpce-sm-/.test(h.action)))),
  },
  {
    name: "S3 broken: endpoint without private DNS → public endpoint over the internet, no NAT",
    snap: () => s3({ privateDns: false }).build(),
    query: { source: "lambda:rotate-db-secret", destination: "service:secretsmanager" },
    reachable: false,
    code: "ENI_SG_RULES_MISMATCH",
    component: "sg-rot-lambda",
    additional: ["SERVICE_ENDPOINT_NO_PRIVATE_DNS", "SERVICE_VIA_INTERNET"],
  },
  {
    name: "S3 broken: no private DNS and an open Lambda SG → no route to the internet",
    snap: () => s3({ privateDns: false }).tweak((s) => { s.securityGroups.find((g) => g.GroupId === "sg-rot-lambda")!.IpPermissionsEgress = [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]; }).build(),
    query: { source: "lambda:rotate-db-secret", destination: "service:secretsmanager" },
    reachable: false,
    code: "NO_ROUTE_TO_DESTINATION",
    component: "rtb-rot",
  },
  {
    name: "S3 broken: endpoint SG does not admit the Lambda SG on 443",
    snap: () => s3({ endpointIngress: ["tcp:443:10.99.0.0/16"] }).build(),
    query: { source: "lambda:rotate-db-secret", destination: "service:secretsmanager" },
    reachable: false,
    code: "ENI_SG_RULES_MISMATCH",
    component: "sg-rot-secrets",
  },
  { name: "S3 broken: endpoint still pending", snap: () => s3({ endpointState: "pending" }).build(), query: { source: "lambda:rotate-db-secret", destination: "service:secretsmanager" }, reachable: false, code: "BAD_STATE", component: "vpce-sm" },
  { name: "S3: Lambda → Aurora 5432 admitted by DatabaseSG from LambdaSG", snap: () => s3().build(), query: { source: "lambda:rotate-db-secret", destination: "eni-aurora", port: 5432 }, reachable: true },
  { name: "S3 broken: Lambda → Aurora on 3306 (Lambda SG egress has no rule)", snap: () => s3().build(), query: { source: "lambda:rotate-db-secret", destination: "eni-aurora", port: 3306 }, reachable: false, code: "ENI_SG_RULES_MISMATCH", component: "sg-rot-lambda" },

  // ----- S4: MSK event source mapping reaching Lambda / STS -----
  { name: "S4: cluster subnet a → service:lambda via endpoint", snap: () => s4({ mode: "endpoints" }).build(), query: { source: "eni-esm-a", destination: "service:lambda" }, reachable: true },
  { name: "S4: cluster subnet b → service:sts via endpoint", snap: () => s4({ mode: "endpoints" }).build(), query: { source: "eni-esm-b", destination: "service:sts" }, reachable: true, hop: /vpce-msk-sts/ },
  { name: "S4: cluster subnet b → service:lambda via its own AZ's NAT", snap: () => s4({ mode: "nat-per-az" }).build(), query: { source: "eni-esm-b", destination: "service:lambda" }, reachable: true, hop: /nat-msk-b/, noAdditional: ["AVAILABILITY_ZONE_CROSSED"] },
  { name: "S4: single NAT → subnet b crosses AZs", snap: () => s4({ mode: "nat-single" }).build(), query: { source: "eni-esm-b", destination: "service:sts" }, reachable: true, additional: ["AVAILABILITY_ZONE_CROSSED", "SERVICE_VIA_INTERNET"] },
  { name: "S4 broken: neither NAT nor endpoints", snap: () => s4({ mode: "none" }).build(), query: { source: "eni-esm-a", destination: "service:lambda" }, reachable: false, code: "NO_ROUTE_TO_DESTINATION", component: "rtb-msk" },

  // ----- S5: private instances that cannot apt update -----
  { name: "S5: web server with a public IP reaches the IGW", snap: () => s5().build(), query: { source: "i-web", destination: "igw" }, reachable: true, hop: /to public 54\.1\.1\.1/ },
  {
    name: "S5 broken: db without a public IP → IGW has no address to translate to",
    snap: () => s5().build(),
    query: { source: "i-db", destination: "0.0.0.0/0", port: 80 },
    reachable: false,
    code: "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
    component: "igw-legacy",
    detail: /i-db has no public IPv4/,
    check: (r) => assert.equal(r.explanations[0]!.networkInterface?.id, "i-db"),
  },
  { name: "S5 fixed: app subnet routed to a NAT gateway", snap: () => s5({ fixed: true }).build(), query: { source: "i-db", destination: "0.0.0.0/0", port: 80 }, reachable: true, hop: /nat-legacy/ },

  // ----- IPv6 -----
  { name: "IPv6 via egress-only internet gateway", snap: () => ipv6(), query: { source: "i-v6", destination: "internet", ipVersion: 6 }, reachable: true, hop: /egress-only internet gateway eigw-v6/ },
  { name: "IPv6 broken: no ::/0 route to the egress-only IGW", snap: () => ipv6({ eigw: false }), query: { source: "i-v6", destination: "::/0" }, reachable: false, code: "NO_ROUTE_TO_DESTINATION", component: "rtb-v6" },
  { name: "IPv6 broken: instance without an IPv6 address", snap: () => ipv6({ instanceIpv6: false }), query: { source: "i-v6", destination: "2001:db8::1" }, reachable: false, code: "SOURCE_HAS_NO_IPV6_ADDRESS", component: "i-v6" },

  // ----- Leaving the VPC -----
  { name: "peering exit: reachable, not analyzed further", snap: () => exits(), query: { source: "i-a", destination: "10.61.5.5" }, reachable: true, additional: ["PATH_LEAVES_VPC"], check: (r) => assert.ok(r.additionalDetails.some((d) => d.includes("leaves the VPC via pcx-ab, not analyzed further"))) },
  { name: "peering broken: connection pending acceptance", snap: () => exits({ pcxStatus: "pending-acceptance" }), query: { source: "i-a", destination: "10.61.5.5" }, reachable: false, code: "BAD_STATE", component: "pcx-ab" },
  { name: "igw destination with the default route to a transit gateway", snap: () => exits({ defaultToTgw: true }), query: { source: "i-a", destination: "igw" }, reachable: false, code: "NO_ROUTE_TO_DESTINATION", component: "rtb-a", detail: /tgw-core/ },
  { name: "transit gateway broken: the VPC has no attachment", snap: () => exits({ defaultToTgw: true, tgwAttached: false }), query: { source: "i-a", destination: "192.0.2.1" }, reachable: false, code: "BAD_STATE_ATTACHMENT", component: "tgw-core" },
  { name: "transit gateway exit to an address", snap: () => exits({ defaultToTgw: true }), query: { source: "i-a", destination: "192.0.2.1" }, reachable: true, additional: ["PATH_LEAVES_VPC"] },

  // ----- Gateway endpoint (prefix list) -----
  { name: "S3 gateway endpoint: service:s3 via the prefix-list route", snap: () => s3Gateway(), query: { source: "lambda:sms-sender", destination: "service:s3" }, reachable: true, hop: /route pl-63a5400a → vpce-s3 matched/ },
  { name: "S3 gateway endpoint: an S3 address prefers the prefix-list route over 0.0.0.0/0 → NAT", snap: () => s3Gateway(), query: { source: "subnet-priv-a", destination: "52.216.10.20" }, reachable: true, hop: /gateway endpoint vpce-s3/ },
  { name: "S3 gateway endpoint: SG egress by prefix list", snap: () => s3Gateway({ lambdaEgress: ["tcp:443:pl-63a5400a"] }), query: { source: "lambda:sms-sender", destination: "service:s3" }, reachable: true, hop: /egress rule tcp 443 pl-63a5400a matched/ },
  { name: "S3 gateway endpoint broken: SG egress only to the VPC", snap: () => s3Gateway({ lambdaEgress: ["tcp:443:10.0.0.0/16"] }), query: { source: "lambda:sms-sender", destination: "service:s3" }, reachable: false, code: "ENI_SG_RULES_MISMATCH", component: "sg-lambda" },

  // ----- NAT instance -----
  { name: "NAT instance broken: source/destination check on", snap: () => natInstance({ sourceDestCheck: true }), query: { source: "i-ni-app", destination: "internet" }, reachable: false, code: "ENI_SOURCE_DEST_CHECK_RESTRICTION", component: "i-nat" },
  { name: "NAT instance: source/destination check off", snap: () => natInstance({ sourceDestCheck: false }), query: { source: "i-ni-app", destination: "internet" }, reachable: true, hop: /to public 18\.1\.1\.1/ },
  { name: "NAT instance broken: its SG does not admit the private subnet", snap: () => natInstance({ sourceDestCheck: false, natSgIngress: ["tcp:22:10.0.0.0/8"] }), query: { source: "i-ni-app", destination: "internet" }, reachable: false, code: "ENI_SG_RULES_MISMATCH", component: "sg-nat-instance" },

  // ----- Local destinations -----
  { name: "local: app → db 5432 admitted by SG reference", snap: () => local(), query: { source: "i-l-app", destination: "i-l-db", port: 5432 }, reachable: true, hop: /sg-l-db ingress rule tcp 5432 sg-l-app matched/ },
  { name: "local broken: db SG admits 5432 only from another group", snap: () => local({ dbIngress: ["tcp:5432:sg-other"] }), query: { source: "i-l-app", destination: "i-l-db", port: 5432 }, reachable: false, code: "ENI_SG_RULES_MISMATCH", component: "sg-l-db" },
  { name: "local: same subnet skips network ACLs", snap: () => local(), query: { source: "i-l-app", destination: "10.80.1.11", port: 5432 }, reachable: true, check: (r) => assert.ok(!r.hops.some((h) => h.component.type === "AWS::EC2::NetworkAcl")) },
  { name: "local broken: db subnet NACL denies 5432 inbound", snap: () => local({ dbNaclIngress: ["100 allow tcp 22 10.80.0.0/16"] }), query: { source: "i-l-app", destination: "i-l-db", port: 5432 }, reachable: false, code: "SUBNET_ACL_RESTRICTION", component: "acl-l-db" },
  {
    name: "local broken: db subnet NACL admits 5432 in, but its outbound rules drop the reply",
    snap: () => local({ dbNaclIngress: ["100 allow tcp 5432 10.80.0.0/16"], dbNaclEgress: ["100 allow tcp 5432 10.80.0.0/16"] }),
    query: { source: "i-l-app", destination: "i-l-db", port: 5432 },
    reachable: false,
    code: "SUBNET_ACL_RESTRICTION",
    component: "acl-l-db",
    check: (r) => assert.deepEqual([r.explanations[0]!.returnPath, r.explanations[0]!.direction], [true, "egress"]),
  },
  { name: "local: address in the VPC held by no ENI", snap: () => local(), query: { source: "i-l-app", destination: "10.80.2.200", port: 5432 }, reachable: true, additional: ["DESTINATION_NOT_EVALUATED"] },
  { name: "IGW drops private destinations outside the VPC", snap: () => s5().build(), query: { source: "i-web", destination: "192.168.1.1" }, reachable: false, code: "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", component: "igw-legacy" },
];

describe("analyzePath corpus", () => {
  test("corpus has at least 40 cases", () => assert.ok(cases.length >= 40, `${cases.length} cases`));
  for (const c of cases) {
    test(c.name, () => {
      const r = analyzePath(c.snap(), c.query);
      const why = JSON.stringify({ explanations: r.explanations, additionalDetails: r.additionalDetails, hops: r.hops.map((h) => h.action) }, null, 1);
      assert.equal(r.reachable, c.reachable, why);
      if (c.reachable) assert.equal(r.explanations.length, 0, why);
      else assert.ok(r.explanations.length >= 1, why);
      if (c.code) assert.equal(r.explanations[0]?.code, c.code, why);
      if (c.component) assert.equal(r.explanations[0]?.component.id, c.component, why);
      if (c.detail) assert.match(r.explanations[0]?.detail ?? "", c.detail, why);
      for (const a of c.additional ?? []) assert.ok(r.additionalDetails.some((d) => d.startsWith(`${a}:`)), `${a} missing: ${why}`);
      for (const a of c.noAdditional ?? []) assert.ok(!r.additionalDetails.some((d) => d.startsWith(`${a}:`)), `${a} unexpected: ${why}`);
      if (c.hop) assert.ok(r.hops.some((h) => c.hop!.test(h.action)), `no hop matching ${c.hop}: ${why}`);
      for (const h of r.hops) assert.ok(h.component.id && h.component.type && h.action, "every hop names its component and action");
      c.check?.(r);
    });
  }
});

describe("analyzePath API", () => {
  test("a shared index gives the same answers as a snapshot", () => {
    const snap = s1({ natMode: "single" }).build();
    const ix = buildIndex(snap);
    for (const q of [toIgw(), toIgw("subnet-priv-b"), { source: "nat-a", destination: "internet" }]) {
      assert.deepEqual(analyzePath(ix, q), analyzePath(snap, q));
    }
  });

  test("explanation codes are documented", () => {
    const snap = s1({ natRoute: false }).build();
    const r = analyzePath(snap, toIgw());
    assert.ok(r.explanations.every((e) => e.code in EXPLANATION_CODES));
  });

  test("unknown source, destination, function, port → UsageError", () => {
    const snap = s1().build();
    assert.throws(() => analyzePath(snap, { source: "sg-123", destination: "igw" }), UsageError);
    assert.throws(() => analyzePath(snap, { source: "lambda:nope", destination: "igw" }), UsageError);
    assert.throws(() => analyzePath(snap, { source: "subnet-priv-a", destination: "somewhere" }), UsageError);
    assert.throws(() => analyzePath(snap, { source: "subnet-priv-a", destination: "igw", port: 70000 }), UsageError);
  });

  test("a Lambda outside any VPC is a usage error", () => {
    const snap = new SnapshotBuilder().tweak((s) => s.lambdaFunctions.push({ FunctionName: "plain" })).build();
    assert.throws(() => analyzePath(snap, { source: "lambda:plain", destination: "igw" }), /not attached to a VPC/);
  });
});

describe("snapshot document", () => {
  test("parseSnapshot applies defaults and keeps extra SDK fields", () => {
    const snap = parseSnapshot({
      version: 1,
      takenAt: "2026-01-01T00:00:00Z",
      region: "us-east-1",
      accountId: "123456789012",
      vpcs: [{ VpcId: "vpc-1", CidrBlock: "10.0.0.0/16", DhcpOptionsId: "dopt-1" }],
    });
    assert.deepEqual(snap.subnets, []);
    assert.equal((snap.vpcs[0] as Record<string, unknown>).DhcpOptionsId, "dopt-1");
    assert.equal(snap.transitGatewayAttachments, undefined);
  });

  test("parseSnapshot rejects another version and malformed documents", () => {
    assert.throws(() => parseSnapshot({ version: 2 }), /unsupported snapshot version 2/);
    assert.throws(
      () => parseSnapshot({ version: 1, takenAt: "x", region: "r", accountId: "a", subnets: [{ CidrBlock: "10.0.0.0/24" }] }),
      (e: unknown) => e instanceof SnapshotError && /subnets\.0\.SubnetId/.test(e.message),
    );
  });
});
