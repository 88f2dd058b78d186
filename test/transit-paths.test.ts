// Paths and diagrams between VPCs (issue 12), pure: diagram edges for peering connections and transit
// gateways, the dot grid for many VPCs (issue 8 item 29), and S2's lesson on the S2 snapshot topology —
// the same two 10.0.0.0/16 consumers fail through a central-egress transit gateway (overlap) and
// reach the internet through the PrivateLink proxy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzePath } from "../src/analysis/analyzer.js";
import { renderDiagram } from "../src/output/diagram.js";
import { SnapshotBuilder, s2 } from "./fixtures/analysis/build.js";
import { hub } from "./fixtures/analysis/corpus.js";

test("diagram: transit gateway and peering edges between VPC boxes (dot and mermaid)", () => {
  const snap = hub({ overlap: true });
  const dot = renderDiagram(snap, { format: "dot" });
  for (const v of ["vpc-egress", "vpc-c1", "vpc-c2"]) assert.match(dot, new RegExp(`"tgw-hub" -> "[^"]+" \\[lhead="cluster_${v}", arrowhead=none, label="tgw-attach-`), v);
  assert.match(dot, /"tgw-hub" \[label="tgw-hub\\ntransit gateway", shape=doubleoctagon/);
  const mm = renderDiagram(snap, { format: "mermaid" });
  assert.match(mm, /tgw_hub ---\|"tgw-attach-c1"\| cl_vpc_c1/);
  const peered = new SnapshotBuilder().vpc("vpc-a", "10.60.0.0/16").vpc("vpc-b", "10.61.0.0/16")
    .subnet("subnet-a", "vpc-a", "10.60.1.0/24", "us-east-1a").subnet("subnet-b", "vpc-b", "10.61.1.0/24", "us-east-1a")
    .peering("pcx-ab", "vpc-a", "vpc-b", "pending-acceptance").build();
  const pdot = renderDiagram(peered, { format: "dot" });
  assert.match(pdot, /"pcx-ab" -> "[^"]+" \[lhead="cluster_vpc-a", arrowhead=none, label="pending-acceptance", style=dashed\]/);
  assert.match(pdot, /"pcx-ab" -> "[^"]+" \[lhead="cluster_vpc-b"/);
});

test("item 29: diagram --format dot lays many VPCs out in a grid, not one strip", () => {
  const b = new SnapshotBuilder();
  for (let i = 0; i < 16; i++) b.vpc(`vpc-${String(i).padStart(2, "0")}`, `10.${i}.0.0/16`).subnet(`subnet-${String(i).padStart(2, "0")}`, `vpc-${String(i).padStart(2, "0")}`, `10.${i}.1.0/24`, "us-east-1a");
  const dot = renderDiagram(b.build(), { format: "dot" });
  const invis = [...dot.matchAll(/\[style=invis, ltail="cluster_(vpc-\d+)", lhead="cluster_(vpc-\d+)"\]/g)].map((m) => [m[1], m[2]]);
  // 16 VPCs → 4 columns: each VPC below the one four places before it, 12 stacking edges.
  assert.equal(invis.length, 12);
  assert.deepEqual(invis[0], ["vpc-00", "vpc-04"]);
  assert.deepEqual(invis[11], ["vpc-11", "vpc-15"]);
  // Three VPCs or fewer stay side by side.
  const few = new SnapshotBuilder().vpc("vpc-a", "10.1.0.0/16").subnet("subnet-a", "vpc-a", "10.1.1.0/24", "us-east-1a").build();
  assert.doesNotMatch(renderDiagram(few, { format: "dot" }), /style=invis/);
});

test("S2's lesson on the S2 snapshot topology: through a central-egress TGW the second 10.0.0.0/16 team fails (overlap); through the PrivateLink proxy both teams reach it", () => {
  // The S2 topology the scenario tests load, plus S2's first attempt: both team VPCs and the egress VPC on a TGW.
  const b = s2()
    .subnet("subnet-eg-tgw", "vpc-egress", "10.100.20.0/24", "us-east-1a")
    .routeTable("rtb-eg-tgw", "vpc-egress", { "0.0.0.0/0": "nat-eg-a" }, ["subnet-eg-tgw"])
    .tweak((s) => {
      const pub = s.routeTables.find((t) => t.RouteTableId === "rtb-eg-pub")!;
      pub.Routes!.push({ DestinationCidrBlock: "10.0.0.0/8", TransitGatewayId: "tgw-central", State: "active" });
      for (const team of ["team1", "team2"]) {
        s.routeTables.push({ RouteTableId: `rtb-${team}`, VpcId: `vpc-${team}`, Routes: [{ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "local", State: "active" }, { DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: "tgw-central", State: "active" }], Associations: [{ SubnetId: `subnet-${team}`, RouteTableId: `rtb-${team}` }] });
        s.securityGroups.find((g) => g.GroupId === `sg-${team}-client`)!.IpPermissionsEgress = [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }];
      }
    })
    .tgw("tgw-central")
    .tgwAttachment("tgw-attach-egress", "tgw-central", "vpc-egress", ["subnet-eg-tgw"])
    .tgwAttachment("tgw-attach-team1", "tgw-central", "vpc-team1", ["subnet-team1"])
    .tgwAttachment("tgw-attach-team2", "tgw-central", "vpc-team2", ["subnet-team2"])
    .tgwRouteTable("tgw-rtb-central", "tgw-central", {
      associate: ["tgw-attach-egress", "tgw-attach-team1", "tgw-attach-team2"],
      propagate: ["tgw-attach-egress", "tgw-attach-team1", "tgw-attach-team2"],
      routes: { "0.0.0.0/0": "tgw-attach-egress" },
    });
  const snap = b.build();
  const t1 = analyzePath(snap, { source: "i-team1-client", destination: "internet" });
  assert.equal(t1.reachable, true, JSON.stringify(t1.explanations));
  const t2 = analyzePath(snap, { source: "i-team2-client", destination: "internet" });
  assert.equal(t2.reachable, false);
  assert.equal(t2.explanations[0]!.code, "TGW_ROUTE_OVERLAP");
  assert.match(t2.explanations[0]!.detail, /10\.0\.0\.0\/16 .*tgw-attach-team1 \(vpc-team1\) and tgw-attach-team2 \(vpc-team2\)/);
  // The proxy path: each team's Resource endpoint at 10.0.1.70:3128 → PrivateLink → the proxy, which reaches the internet.
  for (const team of ["team1", "team2"]) {
    const r = analyzePath(snap, { source: `i-${team}-client`, destination: "10.0.1.70", port: 3128 });
    assert.equal(r.reachable, true, `${team}: ${JSON.stringify(r.explanations)}`);
    assert.ok(r.hops.some((h) => h.component.id === "i-proxy"), r.hops.map((h) => h.component.id).join(" → "));
  }
  assert.equal(analyzePath(snap, { source: "i-proxy", destination: "internet" }).reachable, true);
});
