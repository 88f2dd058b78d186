// Every audit rule on snapshot fixtures: silent on the well-built VPC (the negative case, plus the
// near misses other tools get wrong), and firing on the one mutation that breaks it (the positive case).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzePath } from "../src/analysis/analyzer.js";
import { auditSnapshot } from "../src/analysis/audit.js";
import { RULES, RULES_BY_ID } from "../src/analysis/rules/index.js";
import { deniedRanges } from "../src/analysis/rules/nacl-blocks-return.js";
import { buildIndex } from "../src/analysis/snapshot-index.js";
import type { Snapshot } from "../src/analysis/snapshot.js";
import { good, goodSnapshot, regionalSnapshot } from "./audit-fixtures.js";

function run(snap: Snapshot, ruleId: string) {
  const rule = RULES_BY_ID.get(ruleId);
  assert.ok(rule, ruleId);
  return auditSnapshot(snap, [rule], { source: "test" }).findings;
}

const rt = (s: any, id: string) => s.routeTables.find((t: any) => t.RouteTableId === id);
const sg = (s: any, id: string) => s.securityGroups.find((g: any) => g.GroupId === id);

/** One breaking mutation per rule, and what the finding must say. */
const POSITIVE: Record<string, { mutate: (s: any) => void; resource: string | string[]; check?: (f: any) => void }> = {
  "workload-no-egress": {
    mutate: (s) => (rt(s, "rtb-priv-a").Routes = rt(s, "rtb-priv-a").Routes.filter((r: any) => !r.NatGatewayId)),
    resource: "i-app",
    check: (f) => {
      assert.equal(f.evidence.blocking.code, "NO_ROUTE_TO_DESTINATION");
      assert.equal(f.evidence.blocking.id, "rtb-priv-a");
      assert.match(f.message, /no public IP/);
    },
  },
  "nat-subnet-no-igw-route": {
    mutate: (s) => (s.routeTables.find((t: any) => t.RouteTableId === "rtb-pub").Associations = [{ SubnetId: "subnet-pub-b" }]),
    resource: "nat-a",
    check: (f) => assert.equal(f.evidence.blocking.id, "rtb-main"),
  },
  "nat-no-eip": { mutate: (s) => (s.natGateways[0].NatGatewayAddresses = [{ PrivateIp: "10.10.0.5", NetworkInterfaceId: "eni-nat-a" }]), resource: "nat-a" },
  "route-to-dead-nat": {
    mutate: (s) => {
      s.natGateways[1].State = "failed";
      rt(s, "rtb-priv-b").Routes[1].State = "blackhole";
    },
    resource: "rtb-priv-b/0.0.0.0/0",
    check: (f) => assert.equal(f.evidence.blocking.code, "BAD_STATE_ROUTE"),
  },
  "nat-cross-az": {
    mutate: (s) => (rt(s, "rtb-priv-b").Routes[1].NatGatewayId = "nat-a"),
    resource: "subnet-priv-b",
    check: (f) => assert.match(f.message, /one regional NAT gateway for every AZ/),
  },
  "regional-nat-az-uncovered": {
    // The good VPC on a regional NAT gateway in manual mode with an Elastic IP in AZ a only; workloads run in both.
    mutate: (s) => Object.assign(s, structuredClone(regionalSnapshot({ azs: ["a"], manual: true }))),
    resource: "nat-r",
    check: (f) => {
      assert.equal(f.evidence.blocking.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
      assert.deepEqual(f.evidence.facts.subnets, ["subnet-priv-b"]);
      assert.match(f.fix, /^manual: .*egress-cli egress-ips.*aws ec2 associate-nat-gateway-address --nat-gateway-id nat-r --availability-zone us-east-1b --allocation-ids eipalloc-/);
    },
  },
  "cost-nat-mode": {
    // A third zonal NAT gateway (and Elastic IP) in AZ a that nothing routes to: 3 NAT-hours where 2 AZs egress.
    mutate: (s) => s.natGateways.push({ NatGatewayId: "nat-spare", VpcId: "vpc-good", SubnetId: "subnet-pub-a", State: "available", ConnectivityType: "public", NatGatewayAddresses: [{ AllocationId: "eipalloc-spare", PublicIp: "198.51.100.3", IsPrimary: true }] }),
    resource: "vpc-good",
    check: (f) => {
      // 3 x 32.85 + 3 x 3.65 = 109.50 now; regional in 2 AZs: 2 x 32.85 + 2 x 3.65 = 73.00.
      assert.equal(f.evidence.facts.currentMonthlyUsd, 109.5);
      assert.equal(f.evidence.facts.regionalMonthlyUsd, 73);
      assert.equal(f.evidence.facts.suggested, "regional");
      assert.equal(f.monthlySavings, 36.5);
      assert.match(f.fix, /^manual: .*cost --vpc vpc-good --compare-nat-modes/);
    },
  },
  "lambda-public-subnet": {
    mutate: (s) => (s.lambdaFunctions[0].VpcConfig.SubnetIds = ["subnet-pub-a", "subnet-pub-b"]),
    resource: "arn:aws:lambda:us-east-1:111111111111:function:worker",
    check: (f) => assert.equal(f.evidence.blocking.code, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"),
  },
  "lambda-no-egress": {
    mutate: (s) => {
      for (const t of s.routeTables) t.Routes = t.Routes.filter((r: any) => !r.NatGatewayId);
      s.vpcEndpoints = [];
    },
    resource: "arn:aws:lambda:us-east-1:111111111111:function:worker",
    check: (f) => assert.equal(f.evidence.blocking.code, "NO_ROUTE_TO_DESTINATION"),
  },
  "lambda-single-az": { mutate: (s) => (s.lambdaFunctions[0].VpcConfig.SubnetIds = ["subnet-priv-a"]), resource: "arn:aws:lambda:us-east-1:111111111111:function:worker" },
  "msk-esm-no-egress": {
    mutate: (s) => {
      for (const t of s.routeTables) t.Routes = t.Routes.filter((r: any) => !r.NatGatewayId);
    },
    resource: "esm-orders",
    check: (f) => {
      assert.deepEqual(f.evidence.facts.clusterSubnets, ["subnet-priv-a", "subnet-priv-b"]);
      assert.ok(f.evidence.facts.unreachable.includes("subnet-priv-a → lambda"), "sts has an endpoint in subnet a; lambda has none");
      assert.ok(!f.evidence.facts.unreachable.includes("subnet-priv-a → sts"));
    },
  },
  "msk-cluster-sg-ports": { mutate: (s) => (sg(s, "sg-msk").IpPermissions = [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: "sg-msk" }] }]), resource: "sg-msk" },
  "endpoint-no-private-dns": { mutate: (s) => (s.vpcEndpoints[2].PrivateDnsEnabled = false), resource: "vpce-sts" },
  "endpoint-sg-admits-nothing": { mutate: (s) => (sg(s, "sg-ep").IpPermissions = [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.10.0.0/16" }] }]), resource: "vpce-sts" },
  "endpoint-sg-public-range": { mutate: (s) => sg(s, "sg-ep").IpPermissions[0].IpRanges.push({ CidrIp: "0.0.0.0/0" }), resource: "vpce-sts", check: (f) => assert.deepEqual(f.evidence.facts.publicCidrs, ["0.0.0.0/0"]) },
  "endpoint-full-access-policy": { mutate: (s) => delete s.vpcEndpoints[2].PolicyDocument, resource: "vpce-sts" },
  "sg-open-all-ports": { mutate: (s) => sg(s, "sg-app").IpPermissions.push({ IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] }), resource: "sg-app" },
  "sg-open-admin-ports": { mutate: (s) => sg(s, "sg-app").IpPermissions.push({ IpProtocol: "tcp", FromPort: 20, ToPort: 25, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }), resource: "sg-app", check: (f) => assert.match(f.message, /SSH \(22\), Telnet \(23\)/) },
  "sg-default-has-rules": { mutate: (s) => sg(s, "sg-default").IpPermissions.push({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }), resource: "sg-default" },
  "sg-egress-wider-than-needed": {
    mutate: (s) => (sg(s, "sg-ep").IpPermissionsEgress = [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }]),
    resource: "sg-ep",
    check: (f) => {
      assert.equal(f.severity, "low");
      assert.equal(f.evidence.facts.role, "endpoint");
      assert.equal(f.fix, `aws ec2 revoke-security-group-egress --group-id sg-ep --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`);
    },
  },
  "nacl-blocks-return": {
    mutate: (s) => s.networkAcls[0].Entries.splice(2, 0, { RuleNumber: 50, Protocol: "6", RuleAction: "deny", Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 32768, To: 65535 } }),
    resource: "acl-good",
    check: (f) => assert.deepEqual(f.evidence.facts.deniedPorts, ["32768-65535"]),
  },
  "vpc-cidr-overlap": {
    mutate: (s) => {
      s.vpcs.push({ VpcId: "vpc-other", CidrBlock: "10.10.128.0/17" });
      s.transitGatewayAttachments = [{ TransitGatewayAttachmentId: "tgw-attach-1", TransitGatewayId: "tgw-1", ResourceType: "vpc", ResourceId: "vpc-good", State: "available" }, { TransitGatewayAttachmentId: "tgw-attach-2", TransitGatewayId: "tgw-1", ResourceType: "vpc", ResourceId: "vpc-other", State: "available" }];
    },
    resource: ["vpc-good", "vpc-other"],
    check: (f) => {
      assert.equal(f.severity, "high", "both on one transit gateway");
      assert.equal(f.evidence.facts.transitGatewayId, "tgw-1");
    },
  },
  "subnet-public-ip-private": { mutate: (s) => (s.subnets[2].MapPublicIpOnLaunch = true), resource: "subnet-priv-a" },
  "eip-unassociated": { mutate: (s) => s.addresses.push({ AllocationId: "eipalloc-idle", PublicIp: "198.51.100.9", Domain: "vpc" }), resource: "eipalloc-idle", check: (f) => assert.equal(f.monthlySavings, 3.65) },
  "vpc-no-flow-logs": { mutate: (s) => (s.flowLogs[0].FlowLogStatus = "ERROR"), resource: "vpc-good" },
  "imdsv1-on-forwarder": {
    mutate: (s) => {
      s.instances[0].MetadataOptions.HttpTokens = "optional";
      s.instances[0].SourceDestCheck = false;
    },
    resource: "i-app",
  },
  "cost-shared-egress": {
    mutate: (s) => {
      // Three more VPCs with two NAT gateways each: 8 NATs where 2 (one per AZ) would do.
      for (const n of [1, 2, 3]) {
        s.vpcs.push({ VpcId: `vpc-x${n}`, CidrBlock: `10.${20 + n}.0.0/16` });
        for (const az of ["a", "b"]) {
          s.subnets.push({ SubnetId: `subnet-x${n}${az}`, VpcId: `vpc-x${n}`, CidrBlock: `10.${20 + n}.${az === "a" ? 0 : 1}.0/24`, AvailabilityZone: `us-east-1${az}` });
          s.natGateways.push({ NatGatewayId: `nat-x${n}${az}`, VpcId: `vpc-x${n}`, SubnetId: `subnet-x${n}${az}`, State: "available", NatGatewayAddresses: [{ AllocationId: `eipalloc-x${n}${az}`, PublicIp: `198.51.100.${30 + n * 2 + (az === "a" ? 0 : 1)}` }] });
        }
      }
    },
    resource: ["vpc-good", "vpc-x1", "vpc-x2", "vpc-x3"],
    check: (f) => {
      // (8 - 2) NATs × 32.85 − 5 attachments × 36.50 = 14.60 USD/month overall.
      assert.equal(f.evidence.facts.savingMonthlyUsd, 14.6);
      assert.equal(f.monthlySavings, 3.65);
    },
  },
  "dns64-no-nat64-route": {
    mutate: (s) => (s.subnets[2].EnableDns64 = true),
    resource: "subnet-priv-a",
    check: (f) => {
      assert.equal(f.fix, "aws ec2 create-route --route-table-id rtb-priv-a --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id nat-a");
      assert.match(f.message, /DNS64 on, but its route table rtb-priv-a has no 64:ff9b::\/96 route/);
    },
  },
  "ipv6-private-subnet-igw-route": {
    mutate: (s) => {
      s.vpcs[0].Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: "2600:1f18:aa:100::/56" }];
      s.subnets[2].Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: "2600:1f18:aa:10a::/64" }];
      s.egressOnlyInternetGateways = [{ EgressOnlyInternetGatewayId: "eigw-good", Attachments: [{ VpcId: "vpc-good", State: "attached" }] }];
      rt(s, "rtb-priv-a").Routes.push({ DestinationIpv6CidrBlock: "::/0", GatewayId: "igw-good", State: "active" });
    },
    resource: "subnet-priv-a",
    check: (f) => assert.equal(f.fix, "aws ec2 replace-route --route-table-id rtb-priv-a --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id eigw-good"),
  },
  "bpa-blocks-egress": {
    mutate: (s) => (s.vpcBlockPublicAccessOptions = { InternetGatewayBlockMode: "block-bidirectional", State: "update-complete" }),
    resource: ["subnet-priv-a", "subnet-priv-b"],
    check: (f) => {
      assert.equal(f.fix, "aws ec2 create-vpc-block-public-access-exclusion --subnet-id subnet-pub-a --internet-gateway-exclusion-mode allow-egress");
      assert.equal(f.evidence.blocking.code, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED");
    },
  },
  "cost-nat-ipv4-ipv6-capable": {
    mutate: (s) => (s.vpcs[0].Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: "2600:1f18:aa:100::/56" }]),
    resource: "vpc-good",
    check: (f) => {
      // two NAT gateways (2 × 32.85) and their two Elastic IPs (2 × 3.65), from the one cost model
      assert.equal(f.evidence.facts.natMonthlyUsd, 73);
      assert.equal(f.evidence.facts.publicIpv4MonthlyUsd, 7.3);
      assert.match(f.fix, /^manual: /);
    },
  },
  "cost-gateway-endpoint": { mutate: (s) => (s.vpcEndpoints = s.vpcEndpoints.filter((e: any) => e.VpcEndpointId !== "vpce-ddb")), resource: "vpc-good", check: (f) => assert.deepEqual(f.evidence.facts.missing, ["dynamodb"]) },
};

describe("audit rules on snapshot fixtures", () => {
  test("every rule has a positive case here, metadata, and no finding on the well-built VPC", () => {
    assert.deepEqual(Object.keys(POSITIVE).sort(), RULES.map((r) => r.id).sort());
    const a = auditSnapshot(goodSnapshot(), [...RULES], { source: "test" });
    assert.deepEqual(a.findings.map((f) => `${f.ruleId} ${f.resourceId}`), []);
    for (const r of RULES) {
      assert.ok(r.title && r.rationale && r.help, r.id);
      assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  for (const [id, p] of Object.entries(POSITIVE)) {
    test(`${id}: fires on the broken fixture, silent on the good one`, () => {
      assert.deepEqual(run(goodSnapshot(), id), [], "negative");
      const found = run(good(p.mutate), id);
      const expected = Array.isArray(p.resource) ? p.resource : [p.resource];
      assert.deepEqual(found.map((f) => f.resourceId).sort(), [...expected].sort());
      const f = found.find((x) => x.resourceId === expected[0])!;
      assert.ok(f.message.length > 10 && f.fix.length > 5);
      assert.equal(f.fingerprint.length, 32);
      p.check?.(f);
    });
  }

  test("near misses other tools report: a deny after a matching allow (NACL order), a full-access policy where none can be set, AWS's own default group rules", () => {
    const ordered = good((s) => s.networkAcls[0].Entries.push({ RuleNumber: 200, Protocol: "6", RuleAction: "deny", Egress: false, CidrBlock: "0.0.0.0/0", PortRange: { From: 1024, To: 65535 } }));
    assert.deepEqual(run(ordered, "nacl-blocks-return"), []);
    const ix = buildIndex(ordered);
    assert.deepEqual(deniedRanges(ix.networkAcls.get("acl-good")!.ingress, 1024, 65535).denied, []);
    const noPolicySupport = good((s) => {
      s.vpcEndpoints[2].ServiceName = "com.amazonaws.us-east-1.sms-voice";
      delete s.vpcEndpoints[2].PolicyDocument;
    });
    assert.deepEqual(run(noPolicySupport, "endpoint-full-access-policy"), []);
    assert.deepEqual(run(goodSnapshot(), "sg-default-has-rules"), [], "self-reference in + all out is AWS's default");
    // Lambda in public subnets is one finding (lambda-public-subnet), not also lambda-no-egress.
    const pub = good((s) => (s.lambdaFunctions[0].VpcConfig.SubnetIds = ["subnet-pub-a", "subnet-pub-b"]));
    assert.deepEqual(run(pub, "lambda-no-egress"), []);
    // A provisioned-mode Kafka mapping has its own poller network: not reported.
    const provisioned = good((s) => {
      for (const t of s.routeTables) t.Routes = t.Routes.filter((r: any) => !r.NatGatewayId);
      s.eventSourceMappings[0].ProvisionedPollerConfig = { MinimumPollers: 1, MaximumPollers: 2 };
    });
    assert.deepEqual(run(provisioned, "msk-esm-no-egress"), []);
  });

  test("bpa-blocks-egress and the analyzer give one BPA answer: exclusions (allow-egress / allow-bidirectional, VPC or subnet), ExclusionsAllowed, and states being changed", () => {
    const arn = (id: string) => `arn:aws:ec2:us-east-1:111111111111:${id.startsWith("vpc-") ? "vpc" : "subnet"}/${id}`;
    const bpa = (mode: string, o: { state?: string; exclusionsAllowed?: string; exclusions?: Array<[string, string, string?]> } = {}) =>
      good((s) => {
        s.vpcBlockPublicAccessOptions = { InternetGatewayBlockMode: mode, State: o.state ?? "update-complete", ...(o.exclusionsAllowed ? { ExclusionsAllowed: o.exclusionsAllowed } : {}) };
        s.vpcBlockPublicAccessExclusions = (o.exclusions ?? []).map(([id, m, st], i) => ({ ExclusionId: `exclusion-${i}`, InternetGatewayExclusionMode: m, ResourceArn: arn(id), State: st ?? "create-complete" }));
      });
    const cases: Array<[string, Snapshot, { a: string; b: string }]> = [
      ["block-bidirectional, no exclusion", bpa("block-bidirectional"), { a: "unreachable", b: "unreachable" }],
      ["allow-egress on subnet-pub-a (NAT a's subnet)", bpa("block-bidirectional", { exclusions: [["subnet-pub-a", "allow-egress"]] }), { a: "reachable", b: "unreachable" }],
      ["allow-bidirectional on the VPC", bpa("block-bidirectional", { exclusions: [["vpc-good", "allow-bidirectional"]] }), { a: "reachable", b: "reachable" }],
      ["allow-egress on a workload subnet (not the NAT's)", bpa("block-bidirectional", { exclusions: [["subnet-priv-a", "allow-egress"]] }), { a: "unreachable", b: "unreachable" }],
      ["block-ingress lets NAT egress out", bpa("block-ingress"), { a: "reachable", b: "reachable" }],
      ["an exclusion being created", bpa("block-bidirectional", { exclusions: [["subnet-pub-a", "allow-egress", "create-in-progress"]] }), { a: "unknown", b: "unreachable" }],
      ["an exclusion being updated (its mode before is not in the snapshot)", bpa("block-bidirectional", { exclusions: [["subnet-pub-a", "allow-egress", "update-in-progress"]] }), { a: "unknown", b: "unreachable" }],
      ["an exclusion whose update failed", bpa("block-bidirectional", { exclusions: [["subnet-pub-b", "allow-egress", "update-failed"]] }), { a: "unreachable", b: "unknown" }],
      ["an exclusion that failed to be created, one deleted", bpa("block-bidirectional", { exclusions: [["subnet-pub-a", "allow-egress", "create-failed"], ["subnet-pub-b", "allow-bidirectional", "delete-complete"]] }), { a: "unreachable", b: "unreachable" }],
      ["an exclusion being deleted", bpa("block-bidirectional", { exclusions: [["vpc-good", "allow-egress", "delete-in-progress"]] }), { a: "unknown", b: "unknown" }],
      ["the mode being updated (block-bidirectional)", bpa("block-bidirectional", { state: "update-in-progress" }), { a: "unknown", b: "unknown" }],
      ["the mode being updated from off", bpa("off", { state: "update-in-progress" }), { a: "unknown", b: "unknown" }],
      ["the mode being updated, the VPC excluded both ways", bpa("block-bidirectional", { state: "update-in-progress", exclusions: [["vpc-good", "allow-bidirectional"]] }), { a: "reachable", b: "reachable" }],
      ["ExclusionsAllowed not-allowed with an exclusion that would matter", bpa("block-bidirectional", { exclusionsAllowed: "not-allowed", exclusions: [["vpc-good", "allow-egress"]] }), { a: "unknown", b: "unknown" }],
      ["ExclusionsAllowed not-allowed, no exclusion", bpa("block-bidirectional", { exclusionsAllowed: "not-allowed" }), { a: "unreachable", b: "unreachable" }],
    ];
    const ruleSays = (findings: ReturnType<typeof run>, subnet: string) => {
      const f = findings.find((x) => x.resourceId === subnet);
      return !f ? "reachable" : f.severity === "high" ? "unreachable" : "unknown";
    };
    for (const [name, snap, want] of cases) {
      const findings = run(snap, "bpa-blocks-egress");
      for (const [az, subnet] of [["a", "subnet-priv-a"], ["b", "subnet-priv-b"]] as const) {
        const path = analyzePath(snap, { source: subnet, destination: "internet", port: 443 });
        const codes = [...path.explanations.map((e) => e.code), ...path.unknownReasons.map((u) => u.code)];
        assert.equal(path.verdict, want[az], `${name}: analyzer, ${subnet}: ${JSON.stringify(codes)}`);
        assert.equal(ruleSays(findings, subnet), want[az], `${name}: rule, ${subnet}: ${JSON.stringify(findings.map((f) => f.message))}`);
        if (want[az] === "unreachable") assert.ok(codes.includes("VPC_BLOCK_PUBLIC_ACCESS_ENABLED"), name);
        if (want[az] === "unknown") {
          assert.ok(codes.includes("BLOCK_PUBLIC_ACCESS_UPDATING"), name);
          const f = findings.find((x) => x.resourceId === subnet)!;
          assert.match(f.message, /^Could not decide whether VPC Block Public Access/);
          assert.equal(f.evidence.notEvaluated?.[0]?.code, "BLOCK_PUBLIC_ACCESS_UPDATING");
          assert.match(f.fix, /^nothing to change yet/);
        }
      }
    }
  });

  test("IPv6 and BPA near misses: block-ingress, an allow-egress exclusion on the NAT subnets, a NAT64 route, a public subnet's ::/0 → igw, subnets already on an egress-only gateway", () => {
    const bidir = (s: any) => (s.vpcBlockPublicAccessOptions = { InternetGatewayBlockMode: "block-bidirectional", State: "update-complete" });
    assert.deepEqual(run(good((s) => (s.vpcBlockPublicAccessOptions = { InternetGatewayBlockMode: "block-ingress", State: "update-complete" })), "bpa-blocks-egress"), []);
    const excluded = good((s) => {
      bidir(s);
      s.vpcBlockPublicAccessExclusions = ["a", "b"].map((az) => ({ ExclusionId: `exclusion-${az}`, InternetGatewayExclusionMode: "allow-egress", ResourceArn: `arn:aws:ec2:us-east-1:111111111111:subnet/subnet-pub-${az}`, State: "create-complete" }));
    });
    assert.deepEqual(run(excluded, "bpa-blocks-egress"), []);
    // an exclusion still being created may or may not be in effect yet: subnet-priv-a's egress is not decided
    // (a low "could not decide" finding, never the high "no egress"); subnet-priv-b's NAT subnet has none: blocked
    const pending = good((s) => {
      bidir(s);
      s.vpcBlockPublicAccessExclusions = [{ ExclusionId: "exclusion-a", InternetGatewayExclusionMode: "allow-egress", ResourceArn: "arn:aws:ec2:us-east-1:111111111111:subnet/subnet-pub-a", State: "create-in-progress" }];
    });
    assert.deepEqual(run(pending, "bpa-blocks-egress").map((f) => `${f.resourceId} ${f.severity}`).sort(), ["subnet-priv-a low", "subnet-priv-b high"]);
    // BPA not collected: the rule is not evaluated (never a pass)
    const denied = good((s) => {
      delete s.vpcBlockPublicAccessOptions;
      delete s.vpcBlockPublicAccessExclusions;
      s.omitted = [{ resource: "vpcBlockPublicAccess", operation: "DescribeVpcBlockPublicAccessOptions", code: "UnauthorizedOperation" }];
    });
    const a = auditSnapshot(denied, [RULES_BY_ID.get("bpa-blocks-egress")!], { source: "test" });
    assert.ok(JSON.stringify(a).includes("bpa-blocks-egress"), "listed as not evaluated");
    assert.deepEqual(a.findings, []);
    const nat64 = good((s) => {
      s.subnets[2].EnableDns64 = true;
      rt(s, "rtb-priv-a").Routes.push({ DestinationIpv6CidrBlock: "64:ff9b::/96", NatGatewayId: "nat-a", State: "active" });
    });
    assert.deepEqual(run(nat64, "dns64-no-nat64-route"), []);
    const v6 = (s: any) => {
      s.vpcs[0].Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: "2600:1f18:aa:100::/56" }];
      s.subnets.forEach((x: any, i: number) => (x.Ipv6CidrBlockAssociationSet = [{ Ipv6CidrBlock: `2600:1f18:aa:10${i}::/64` }]));
      s.egressOnlyInternetGateways = [{ EgressOnlyInternetGatewayId: "eigw-good", Attachments: [{ VpcId: "vpc-good", State: "attached" }] }];
      rt(s, "rtb-pub").Routes.push({ DestinationIpv6CidrBlock: "::/0", GatewayId: "igw-good", State: "active" });
      for (const id of ["rtb-priv-a", "rtb-priv-b"]) rt(s, id).Routes.push({ DestinationIpv6CidrBlock: "::/0", EgressOnlyInternetGatewayId: "eigw-good", State: "active" });
    };
    assert.deepEqual(run(good(v6), "ipv6-private-subnet-igw-route"), []);
    assert.deepEqual(run(good(v6), "cost-nat-ipv4-ipv6-capable"), []);
  });

  test("vpc-cidr-overlap names the transit gateway route table where both propagate the same CIDR (TGW_ROUTE_OVERLAP)", () => {
    const snap = good((s) => {
      s.vpcs.push({ VpcId: "vpc-twin", CidrBlock: "10.10.0.0/16" });
      s.transitGateways = [{ TransitGatewayId: "tgw-1", State: "available" }];
      s.transitGatewayVpcAttachments = [
        { TransitGatewayAttachmentId: "tgw-attach-good", TransitGatewayId: "tgw-1", VpcId: "vpc-good", SubnetIds: ["subnet-priv-a"], State: "available" },
        { TransitGatewayAttachmentId: "tgw-attach-twin", TransitGatewayId: "tgw-1", VpcId: "vpc-twin", SubnetIds: [], State: "available" },
      ];
      s.transitGatewayRouteTables = [{ TransitGatewayRouteTableId: "tgw-rtb-1", TransitGatewayId: "tgw-1", State: "available", Associations: [], Propagations: [{ TransitGatewayAttachmentId: "tgw-attach-good", State: "enabled" }, { TransitGatewayAttachmentId: "tgw-attach-twin", State: "enabled" }], Routes: [] }];
    });
    const f = run(snap, "vpc-cidr-overlap").find((x) => x.resourceId === "vpc-good")!;
    assert.equal(f.severity, "high");
    assert.equal(f.evidence.blocking?.code, "TGW_ROUTE_OVERLAP");
    assert.equal(f.evidence.blocking?.id, "tgw-rtb-1");
  });

  test("path rules analyze once per (subnet, security groups, public IP), not once per ENI", () => {
    const snap = good((s) => {
      rt(s, "rtb-priv-a").Routes = rt(s, "rtb-priv-a").Routes.filter((r: any) => !r.NatGatewayId);
      for (let i = 0; i < 50; i++) s.networkInterfaces.push({ NetworkInterfaceId: `eni-w${i}`, SubnetId: "subnet-priv-a", VpcId: "vpc-good", InterfaceType: "interface", PrivateIpAddress: `10.10.10.${100 + i}`, Status: "in-use", Groups: [{ GroupId: "sg-app" }] });
    });
    const a = auditSnapshot(snap, [RULES_BY_ID.get("workload-no-egress")!], { source: "test" });
    assert.equal(a.findings.length, 51);
    assert.equal(a.pathAnalyses, 1);
  });

  test("suppression tag with its reason; a rule whose resource type was not collected is not evaluated", () => {
    const snap = good((s) => {
      sg(s, "sg-app").IpPermissions.push({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] });
      sg(s, "sg-app").Tags = [{ Key: "egress-cli:audit-ignore", Value: "sg-open-admin-ports,vpc-no-flow-logs" }, { Key: "egress-cli:audit-ignore-reason", Value: "bastion, JIT" }];
      s.flowLogs = [];
      s.omitted = [{ resource: "flowLogs", operation: "DescribeFlowLogs", code: "UnauthorizedOperation", message: "no" }];
    });
    const a = auditSnapshot(snap, [RULES_BY_ID.get("sg-open-admin-ports")!, RULES_BY_ID.get("vpc-no-flow-logs")!], { source: "test" });
    assert.equal(a.findings.length, 1);
    assert.equal(a.findings[0]!.status, "suppressed");
    assert.equal(a.findings[0]!.suppression!.reason, "bastion, JIT");
    assert.deepEqual(a.scope.rulesNotEvaluated, ["vpc-no-flow-logs"]);
    assert.deepEqual(a.scope.omitted, ["flowLogs"]);
  });
});
