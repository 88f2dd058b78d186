// The three verdicts (issue 18 §1), pure: every state of every route target read from the snapshot
// and deciding the path (one test per state), and what makes a path unknown rather than reachable
// (data not collected, a VPC outside the snapshot, an address nobody holds), with the reasons named.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { analyzePath, type PathQuery, type PathResult } from "../src/analysis/analyzer.js";
import { comparePathResults, fromNetworkInsightsAnalysis, toNetworkInsightsAnalysis } from "../src/analysis/reachability.js";
import type { Snapshot } from "../src/analysis/snapshot.js";
import { SnapshotBuilder, natInstanceVpc, s1, s2, transitVpcs } from "./fixtures/analysis/build.js";

/** A private subnet whose 0.0.0.0/0 goes to a NAT instance (by instance id, or by its ENI). */
function natInstance(o: { state?: string; byEni?: boolean; eniStatus?: string; omitInstances?: boolean; dropInstance?: boolean } = {}) {
  return natInstanceVpc({ via: o.byEni ? "eni" : "instance" })
    .tweak((s) => {
      const nat = s.instances.find((i) => i.InstanceId === "i-nat")!;
      if (o.state) nat.State = { Name: o.state };
      const eni = s.networkInterfaces.find((e) => e.NetworkInterfaceId === "eni-i-nat")!;
      eni.SourceDestCheck = false;
      eni.Status = o.eniStatus ?? "in-use";
      if (o.dropInstance || o.omitInstances) s.instances = s.instances.filter((i) => i.InstanceId !== "i-nat");
      if (o.omitInstances) {
        s.instances = [];
        (s as Record<string, unknown>).omitted = [{ resource: "instances", operation: "DescribeInstances", code: "UnauthorizedOperation", message: "denied" }];
      }
    })
    .build();
}

const toInternet: PathQuery = { source: "i-ni-app", destination: "internet" };

function assertVerdict(r: PathResult, verdict: PathResult["verdict"], why = "") {
  const ctx = `${why} ${JSON.stringify({ verdict: r.verdict, explanations: r.explanations.map((e) => `${e.code} ${e.component.id}: ${e.detail}`), unknown: r.unknownReasons, details: r.additionalDetails })}`;
  assert.equal(r.verdict, verdict, ctx);
  assert.equal(r.reachable, verdict === "reachable", ctx);
  if (verdict === "unknown") {
    assert.ok(r.unknownReasons.length > 0, ctx);
    for (const u of r.unknownReasons) assert.ok(u.code && u.component.id && u.detail && u.collect, ctx);
    assert.equal(r.explanations.length, 0, ctx);
  } else assert.deepEqual(r.unknownReasons, [], ctx);
  if (verdict === "unreachable") assert.ok(r.explanations.length > 0, ctx);
}

describe("route targets: instances (NAT instances, appliances)", () => {
  test("a running NAT instance forwards (the baseline)", () => {
    assertVerdict(analyzePath(natInstance(), toInternet), "reachable");
    assertVerdict(analyzePath(natInstance({ byEni: true }), toInternet), "reachable");
  });
  for (const state of ["stopped", "stopping", "shutting-down", "terminated", "pending"]) {
    test(`a ${state} NAT instance behind the route: a blackhole (BAD_STATE_ROUTE, unreachable)`, () => {
      const r = analyzePath(natInstance({ state }), toInternet);
      assertVerdict(r, "unreachable", state);
      assert.equal(r.explanations[0]!.code, "BAD_STATE_ROUTE");
      assert.equal(r.explanations[0]!.component.id, "rtb-ni-priv");
      assert.equal(r.explanations[0]!.state, state);
      assert.match(r.explanations[0]!.detail, new RegExp(`i-nat, which is ${state}.*blackhole`));
      assert.ok(!r.hops.some((h) => /forwards and translates/.test(h.action)), "no hop through the stopped instance");
    });
  }
  test("a stopped NAT instance routed by its network interface: a blackhole too", () => {
    const r = analyzePath(natInstance({ state: "stopped", byEni: true }), toInternet);
    assertVerdict(r, "unreachable");
    assert.equal(r.explanations[0]!.code, "BAD_STATE_ROUTE");
    assert.equal(r.explanations[0]!.networkInterface?.id, "i-nat");
  });
  for (const status of ["available", "detaching", "attaching"]) {
    test(`a route to a network interface that is ${status}: a blackhole`, () => {
      const r = analyzePath(natInstance({ byEni: true, eniStatus: status }), toInternet);
      assertVerdict(r, "unreachable", status);
      assert.equal(r.explanations[0]!.code, "BAD_STATE_ROUTE");
      assert.equal(r.explanations[0]!.state, status);
    });
  }
  test("a route to an instance the snapshot does not hold (terminated and gone): a blackhole", () => {
    const r = analyzePath(natInstance({ dropInstance: true }), toInternet);
    assertVerdict(r, "unreachable");
    assert.equal(r.explanations[0]!.code, "BAD_STATE_ROUTE");
    assert.match(r.explanations[0]!.detail, /not in the snapshot/);
  });
  test("instances not collected (DescribeInstances denied): unknown, naming the permission", () => {
    const r = analyzePath(natInstance({ omitInstances: true }), { source: "eni-i-ni-app", destination: "internet" });
    assertVerdict(r, "unknown");
    assert.equal(r.unknownReasons[0]!.code, "NOT_COLLECTED");
    assert.match(r.unknownReasons[0]!.collect, /ec2:DescribeInstances/);
  });
  test("a detached destination interface (available) answers nothing (BAD_STATE)", () => {
    const snap = natInstance();
    snap.networkInterfaces.push({ ...structuredClone(snap.networkInterfaces.find((e) => e.NetworkInterfaceId === "eni-i-ni-app")!), NetworkInterfaceId: "eni-spare", PrivateIpAddress: "10.70.1.200", PrivateIpAddresses: [{ PrivateIpAddress: "10.70.1.200", Primary: true }], Status: "available", Attachment: undefined });
    const r = analyzePath(snap, { source: "i-nat", destination: "10.70.1.200", port: 443 });
    assertVerdict(r, "unreachable");
    assert.deepEqual([r.explanations[0]!.code, r.explanations[0]!.component.id], ["BAD_STATE", "eni-spare"]);
  });
  test("a stopped destination instance answers nothing (BAD_STATE)", () => {
    const snap = natInstance();
    snap.instances.find((i) => i.InstanceId === "i-ni-app")!.State = { Name: "stopped" };
    const r = analyzePath(snap, { source: "i-nat", destination: "i-ni-app", port: 22 });
    assertVerdict(r, "unreachable");
    assert.equal(r.explanations[0]!.code, "BAD_STATE");
    assert.equal(r.explanations[0]!.component.id, "i-ni-app");
  });
});

describe("route targets: NAT gateways", () => {
  test("available: reachable", () => assertVerdict(analyzePath(s1().build(), { source: "lambda:sms-sender", destination: "igw" }), "reachable"));
  for (const state of ["pending", "failed", "deleting", "deleted"]) {
    test(`${state}: unreachable (BAD_STATE at the NAT gateway)`, () => {
      const r = analyzePath(s1({ natState: state }).build(), { source: "subnet-priv-a", destination: "igw" });
      assertVerdict(r, "unreachable", state);
      assert.equal(r.explanations[0]!.code, "BAD_STATE");
      assert.equal(r.explanations[0]!.state, state);
    });
  }
});

/** vpc-a peered with vpc-b (eni-b 10.61.1.20). */
function peered(status = "active", tweak?: (s: SnapshotBuilder["s"]) => void) {
  const b = new SnapshotBuilder()
    .vpc("vpc-a", "10.60.0.0/16")
    .vpc("vpc-b", "10.61.0.0/16")
    .subnet("subnet-a", "vpc-a", "10.60.1.0/24", "us-east-1a")
    .subnet("subnet-b", "vpc-b", "10.61.1.0/24", "us-east-1a")
    .peering("pcx-ab", "vpc-a", "vpc-b", status)
    .sg("sg-a", "vpc-a", { egress: ["-1:all:0.0.0.0/0"] })
    .sg("sg-b", "vpc-b", { ingress: ["tcp:443:10.60.0.0/16"] })
    .routeTable("rtb-a", "vpc-a", { "10.61.0.0/16": "pcx-ab" }, ["subnet-a"])
    .routeTable("rtb-b", "vpc-b", { "10.60.0.0/16": "pcx-ab" }, ["subnet-b"])
    .instance("i-a", "subnet-a", { sgs: ["sg-a"], ip: "10.60.1.10" })
    .eni("eni-b", "subnet-b", { sgs: ["sg-b"], ip: "10.61.1.20" });
  if (tweak) b.tweak(tweak);
  return b.build();
}

describe("route targets: peering connections", () => {
  test("active: reachable", () => assertVerdict(analyzePath(peered(), { source: "i-a", destination: "10.61.1.20" }), "reachable"));
  for (const code of ["initiating-request", "pending-acceptance", "provisioning", "failed", "rejected", "expired", "deleting", "deleted"]) {
    test(`${code}: unreachable`, () => {
      const r = analyzePath(peered(code), { source: "i-a", destination: "10.61.1.20" });
      assertVerdict(r, "unreachable", code);
      assert.equal(r.explanations[0]!.code, "BAD_STATE");
      assert.equal(r.explanations[0]!.component.id, "pcx-ab");
    });
  }
  test("the peer VPC is another account's (not in the snapshot): unknown, asking for that account's --profile", () => {
    const snap = peered("active", (s) => {
      s.vpcs = s.vpcs.filter((v) => v.VpcId !== "vpc-b");
      s.subnets = s.subnets.filter((x) => x.VpcId !== "vpc-b");
      s.vpcPeeringConnections[0]!.AccepterVpcInfo!.OwnerId = "210987654321";
    });
    const r = analyzePath(snap, { source: "i-a", destination: "10.61.1.20" });
    assertVerdict(r, "unknown");
    assert.equal(r.unknownReasons[0]!.code, "PATH_LEAVES_VPC");
    assert.match(r.unknownReasons[0]!.detail, /peer VPC vpc-b of pcx-ab .*account 210987654321/);
    assert.match(r.unknownReasons[0]!.collect, /--profile/);
  });
  test("peering connections not collected: unknown, not a blackhole", () => {
    const snap = peered("active", (s) => {
      s.vpcPeeringConnections = [];
      (s as Record<string, unknown>).omitted = [{ resource: "vpcPeeringConnections", operation: "DescribeVpcPeeringConnections", code: "UnauthorizedOperation", message: "denied" }];
    });
    const r = analyzePath(snap, { source: "i-a", destination: "10.61.1.20" });
    assertVerdict(r, "unknown");
    assert.match(r.unknownReasons[0]!.collect, /ec2:DescribeVpcPeeringConnections/);
  });
  test("an address of the peer VPC no interface holds: unknown (DESTINATION_NOT_EVALUATED)", () => {
    const r = analyzePath(peered(), { source: "i-a", destination: "10.61.1.99" });
    assertVerdict(r, "unknown");
    assert.equal(r.unknownReasons[0]!.code, "DESTINATION_NOT_EVALUATED");
  });
});

/** vpc-a → transit gateway tgw-x → vpc-b (eni-b). */
function transit(o: { aState?: string; bState?: string; tgwState?: string; collected?: boolean } = {}) {
  const b = transitVpcs(o);
  if (o.collected === false) {
    b.tweak((s) => {
      delete s.transitGateways;
      delete s.transitGatewayVpcAttachments;
      delete s.transitGatewayRouteTables;
      (s as Record<string, unknown>).omitted = [{ resource: "transitGateways", operation: "DescribeTransitGateways", code: "InternalError", message: "SearchTransitGatewayRoutes failed" }];
    });
  }
  return b.build();
}

describe("route targets: transit gateways and their attachments", () => {
  const q = { source: "i-a", destination: "10.61.1.20" };
  test("available: reachable", () => assertVerdict(analyzePath(transit(), q), "reachable"));
  for (const state of ["pending", "pendingAcceptance", "modifying", "deleting", "deleted", "failed", "rejected"]) {
    test(`the source VPC's attachment ${state}: unreachable`, () => {
      const r = analyzePath(transit({ aState: state }), q);
      assertVerdict(r, "unreachable", state);
      assert.equal(r.explanations[0]!.code, "BAD_STATE_ATTACHMENT");
    });
    test(`the destination VPC's attachment ${state}: unreachable`, () => {
      const r = analyzePath(transit({ bState: state }), q);
      assertVerdict(r, "unreachable", state);
      assert.equal(r.explanations[0]!.component.id, "tgw-attach-b");
    });
  }
  test("the transit gateway itself deleting: unreachable", () => {
    const r = analyzePath(transit({ tgwState: "deleting" }), q);
    assertVerdict(r, "unreachable");
    assert.equal(r.explanations[0]!.code, "BAD_STATE");
  });
  test("route tables not collected (SearchTransitGatewayRoutes failed): unknown, naming the permission", () => {
    const r = analyzePath(transit({ collected: false }), q);
    assertVerdict(r, "unknown");
    assert.equal(r.unknownReasons[0]!.code, "PATH_LEAVES_VPC");
    assert.match(r.unknownReasons[0]!.detail, /transit gateway route tables of tgw-x are not in the snapshot \(DescribeTransitGateways failed: InternalError\)/);
    assert.match(r.unknownReasons[0]!.collect, /ec2:SearchTransitGatewayRoutes/);
  });
});

describe("route targets and destinations: VPC endpoints", () => {
  for (const state of ["pendingAcceptance", "pending", "deleting", "deleted", "rejected", "failed", "expired"]) {
    test(`an interface endpoint ${state}: unreachable`, () => {
      const snap = s1().build();
      snap.vpcEndpoints.push({
        VpcEndpointId: "vpce-sm",
        VpcId: "vpc-sms",
        VpcEndpointType: "Interface",
        ServiceName: "com.amazonaws.us-east-1.secretsmanager",
        State: state,
        PrivateDnsEnabled: true,
        SubnetIds: ["subnet-priv-a"],
        NetworkInterfaceIds: [],
        RouteTableIds: [],
        Groups: [],
      });
      const r = analyzePath(snap, { source: "subnet-priv-a", destination: "service:secretsmanager" });
      assertVerdict(r, "unreachable", state);
      assert.equal(r.explanations[0]!.code, "BAD_STATE");
      assert.equal(r.explanations[0]!.component.id, "vpce-sm");
    });
  }
  test("a gateway endpoint deleting behind a prefix-list route: unreachable", () => {
    const snap = s1().gatewayEndpoint("vpce-s3", "vpc-sms", "s3", "pl-63a5400a", ["52.216.0.0/15"], ["rtb-priv-a"]).build();
    snap.vpcEndpoints.find((e) => e.VpcEndpointId === "vpce-s3")!.State = "deleting";
    const r = analyzePath(snap, { source: "subnet-priv-a", destination: "service:s3" });
    assertVerdict(r, "unreachable");
    assert.equal(r.explanations[0]!.component.id, "vpce-s3");
  });
  for (const state of ["pendingAcceptance", "pending", "rejected"]) {
    test(`a Resource endpoint ${state}: unreachable`, () => {
      const snap = s2().build();
      snap.vpcEndpoints.find((e) => e.VpcEndpointId === "vpce-team1-proxy")!.State = state;
      const r = analyzePath(snap, { source: "i-team1-client", destination: "10.0.1.70", port: 3128 });
      assertVerdict(r, "unreachable", state);
      assert.equal(r.explanations[0]!.component.id, "vpce-team1-proxy");
    });
  }
});

describe("VPC Lattice resource gateways and configurations", () => {
  const q = { source: "i-team1-client", destination: "10.0.1.70", port: 3128 };
  test("both ACTIVE: reachable", () => assertVerdict(analyzePath(s2().build(), q), "reachable"));
  for (const status of ["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"]) {
    test(`resource gateway ${status}: unreachable`, () => {
      const snap = s2().build();
      snap.resourceGateways!.find((g) => g.id === "rgw-s2")!.status = status;
      const r = analyzePath(snap, q);
      assertVerdict(r, "unreachable", status);
      assert.equal(r.explanations[0]!.component.id, "rgw-s2");
    });
    test(`resource configuration ${status}: unreachable`, () => {
      const snap = s2().build();
      snap.resourceConfigurations!.find((c) => c.id === "rcfg-proxy")!.status = status;
      const r = analyzePath(snap, q);
      assertVerdict(r, "unreachable", status);
      assert.equal(r.explanations[0]!.component.id, "rcfg-proxy");
    });
  }
  test("the resource configuration not collected (ListResourceConfigurations denied): unknown, naming the permission", () => {
    const snap = s2().tweak((s) => {
      delete s.resourceConfigurations;
      (s as Record<string, unknown>).omitted = [{ resource: "resourceConfigurations", operation: "vpc-lattice:ListResourceConfigurations", code: "AccessDeniedException", message: "denied" }];
    }).build();
    const r = analyzePath(snap, q);
    assertVerdict(r, "unknown");
    assert.equal(r.unknownReasons[0]!.code, "PRIVATELINK_NOT_EVALUATED");
    assert.match(r.unknownReasons[0]!.collect, /vpc-lattice:GetResourceConfiguration/);
  });
  test("the proxy behind the configuration stopped: unreachable", () => {
    const snap = s2().build();
    snap.instances.find((i) => i.InstanceId === "i-proxy")!.State = { Name: "stopped" };
    const r = analyzePath(snap, q);
    assertVerdict(r, "unreachable");
    assert.equal(r.explanations[0]!.component.id, "i-proxy");
  });
});

describe("what the snapshot does not hold", () => {
  test("a subnet without a network ACL in the snapshot: unknown (ASSUMED_DEFAULT_ACL is not proof)", () => {
    const snap = s1().build();
    snap.networkAcls = [];
    const r = analyzePath(snap, { source: "lambda:sms-sender", destination: "igw" });
    assertVerdict(r, "unknown");
    assert.equal(r.unknownReasons[0]!.code, "NOT_IN_SNAPSHOT");
    assert.match(r.unknownReasons[0]!.collect, /ec2:DescribeNetworkAcls/);
  });
  test("service:NAME with the VPC's endpoints not collected: unknown (the name may resolve to an endpoint)", () => {
    const snap = s1().build();
    snap.vpcEndpoints = [];
    (snap as Record<string, unknown>).omitted = [{ resource: "vpcEndpoints", operation: "DescribeVpcEndpoints", code: "UnauthorizedOperation", message: "denied" }];
    const r = analyzePath(snap, { source: "subnet-priv-a", destination: "service:secretsmanager" });
    assertVerdict(r, "unknown");
    assert.match(r.unknownReasons[0]!.collect, /ec2:DescribeVpcEndpoints/);
    const full = analyzePath(s1().build(), { source: "subnet-priv-a", destination: "service:secretsmanager" });
    assertVerdict(full, "reachable");
  });
  test("prefix lists not collected: an address a prefix-list route might carry is unknown", () => {
    const build = () => s1().gatewayEndpoint("vpce-s3", "vpc-sms", "s3", "pl-63a5400a", ["52.216.0.0/15"], ["rtb-priv-a"]).build();
    assertVerdict(analyzePath(build(), { source: "subnet-priv-a", destination: "52.216.10.20" }), "reachable");
    const snap = build();
    snap.managedPrefixLists = [];
    (snap as Record<string, unknown>).omitted = [{ resource: "managedPrefixLists", operation: "DescribeManagedPrefixLists", code: "UnauthorizedOperation", message: "denied" }];
    const r = analyzePath(snap, { source: "subnet-priv-a", destination: "52.216.10.20" });
    assertVerdict(r, "unknown");
    assert.match(r.unknownReasons[0]!.detail, /pl-63a5400a/);
  });
  test("an address inside the VPC that no interface holds: unknown; an evaluated block still wins (unreachable)", () => {
    const snap = s1().build();
    const r = analyzePath(snap, { source: "subnet-priv-a", destination: "10.0.1.77", port: 3128 });
    assertVerdict(r, "unknown");
    assert.equal(r.unknownReasons[0]!.code, "DESTINATION_NOT_EVALUATED");
    assert.match(r.unknownReasons[0]!.collect, /describe-network-interfaces/);
  });
});

describe("a Lambda in several subnets: the verdicts combine", () => {
  const twoSubnets = (o: { aDown?: boolean; bViaVpn?: boolean }): Snapshot => {
    const snap = s1().build();
    if (o.bViaVpn) {
      // subnet-priv-b's default route leaves through a VPN gateway: what lies beyond is not in the snapshot.
      const t = snap.routeTables.find((rt) => rt.Associations.some((a) => a.SubnetId === "subnet-priv-b"))!;
      const r = t.Routes.find((x) => x.DestinationCidrBlock === "0.0.0.0/0")!;
      delete r.NatGatewayId;
      r.GatewayId = "vgw-0123456789abcdef0";
    }
    if (o.aDown) snap.natGateways.find((n) => n.NatGatewayId === "nat-a")!.State = "failed";
    return snap;
  };
  test("one subnet unknown, the other reachable: unknown", () => {
    const r = analyzePath(twoSubnets({ bViaVpn: true }), { source: "lambda:sms-sender", destination: "internet" });
    assertVerdict(r, "unknown");
    assert.deepEqual(r.paths!.map((p) => p.verdict).sort(), ["reachable", "unknown"]);
  });
  test("one subnet unreachable, the other unknown: unreachable", () => {
    const r = analyzePath(twoSubnets({ aDown: true, bViaVpn: true }), { source: "lambda:sms-sender", destination: "internet" });
    assertVerdict(r, "unreachable");
    assert.deepEqual(r.paths!.map((p) => p.verdict).sort(), ["unknown", "unreachable"]);
  });
});

describe("Reachability Analyzer shapes and --compare", () => {
  test("an unknown local verdict is NetworkPathFound=false with no explanation, and reads back as unknown", () => {
    const local = analyzePath(s1().build(), { source: "subnet-priv-a", destination: "10.0.1.77" });
    const ra = toNetworkInsightsAnalysis(local, { region: "us-east-1", accountId: "123456789012" });
    assert.equal(ra.NetworkPathFound, false);
    assert.deepEqual(ra.Explanations, []);
    const back = fromNetworkInsightsAnalysis(ra, { source: local.source, destination: local.destination });
    assert.equal(back.verdict, "unknown");
  });
  test("a stopped NAT instance: NetworkPathFound=false with BAD_STATE_ROUTE", () => {
    const ra = toNetworkInsightsAnalysis(analyzePath(natInstance({ state: "stopped" }), toInternet), { region: "us-east-1", accountId: "123456789012" });
    assert.equal(ra.NetworkPathFound, false);
    assert.equal(ra.Explanations[0]!.ExplanationCode, "BAD_STATE_ROUTE");
  });
  test("unknown on either side is a disagreement, never agreement", () => {
    const unknown = analyzePath(s1().build(), { source: "subnet-priv-a", destination: "10.0.1.77" });
    const reachable = analyzePath(s1().build(), { source: "subnet-priv-a", destination: "igw" });
    assert.deepEqual(comparePathResults(unknown, reachable), [{ field: "verdict", local: "unknown", aws: "reachable" }]);
    assert.deepEqual(comparePathResults(reachable, unknown), [{ field: "verdict", local: "reachable", aws: "unknown" }]);
    assert.equal(comparePathResults(unknown, unknown).length, 1);
    assert.deepEqual(comparePathResults(reachable, reachable), []);
  });
});
