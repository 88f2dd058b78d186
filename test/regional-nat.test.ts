// Regional NAT gateways in the pure code (issue 21 items 4 and 6): the analyzer follows a route to one
// from every AZ it is registered in and answers REGIONAL_NGW_ROUTE_AZ_RESTRICTION for any other (as
// Reachability Analyzer does, and the sandbox's RA through the same analyzer); plain data only.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzePath, EXPLANATION_CODES } from "../src/analysis/analyzer.js";
import { fromNetworkInsightsAnalysis, toNetworkInsightsAnalysis } from "../src/analysis/reachability.js";
import { regionalSnapshot } from "./audit-fixtures.js";

describe("analyzer: regional NAT gateway", () => {
  test("reachable from each AZ it is registered in, through that AZ's Elastic IP and its own route table", () => {
    const snap = regionalSnapshot();
    for (const [subnet, ip] of [["subnet-priv-a", "198.51.100.11"], ["subnet-priv-b", "198.51.100.12"]] as const) {
      const r = analyzePath(snap, { source: subnet, destination: "igw" });
      assert.equal(r.verdict, "reachable", JSON.stringify(r.explanations));
      assert.ok(r.hops.some((h) => h.component.id === "nat-r" && h.action.includes(`Elastic IP ${ip}`)), r.hops.map((h) => h.action).join("\n"));
      assert.ok(r.hops.some((h) => h.component.id === "rtb-nat-r"), "its own route table is a hop");
      assert.ok(!r.additionalDetails.some((d) => d.startsWith("AVAILABILITY_ZONE_CROSSED")), "a regional NAT serves each AZ in that AZ");
    }
    const lambda = analyzePath(snap, { source: "lambda:worker", destination: "igw" });
    assert.equal(lambda.verdict, "reachable");
  });

  test("an AZ it is not registered in: unreachable, REGIONAL_NGW_ROUTE_AZ_RESTRICTION at the NAT gateway (manual mode says how to add it)", () => {
    const r = analyzePath(regionalSnapshot({ azs: ["a"], manual: true }), { source: "subnet-priv-b", destination: "igw" });
    assert.equal(r.verdict, "unreachable");
    assert.equal(r.explanations[0]!.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    assert.equal(r.explanations[0]!.component.id, "nat-r");
    assert.match(r.explanations[0]!.detail, /not registered in us-east-1b.*registered in: us-east-1a.*manual mode.*associate-nat-gateway-address --nat-gateway-id nat-r --availability-zone us-east-1b/);
    assert.equal(EXPLANATION_CODES.REGIONAL_NGW_ROUTE_AZ_RESTRICTION, "The regional NAT gateway is not registered in the Availability Zone where the traffic originates.");
    // The Lambda in both AZs: unreachable because of its AZ b subnet.
    const fn = analyzePath(regionalSnapshot({ azs: ["a"], manual: true }), { source: "lambda:worker", destination: "igw" });
    assert.equal(fn.verdict, "unreachable");
    assert.equal(fn.paths?.find((p) => p.verdict === "unreachable")?.explanations[0]?.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    // An address still being assigned does not serve yet.
    const assigning = analyzePath(regionalSnapshot({}, (s) => (s.natGateways[0].NatGatewayAddresses[1].Status = "associating")), { source: "subnet-priv-b", destination: "igw" });
    assert.equal(assigning.explanations[0]?.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    assert.match(assigning.explanations[0]!.detail, /automatic mode/);
  });

  test("its route table decides: no internet route there is NO_ROUTE_TO_DESTINATION at rtb-nat-r; a table not in the snapshot is unknown", () => {
    const noIgw = analyzePath(regionalSnapshot({}, (s) => (s.routeTables.find((t: any) => t.RouteTableId === "rtb-nat-r").Routes.pop())), { source: "subnet-priv-a", destination: "igw" });
    assert.equal(noIgw.verdict, "unreachable");
    assert.equal(noIgw.explanations[0]!.code, "NO_ROUTE_TO_DESTINATION");
    assert.equal(noIgw.explanations[0]!.component.id, "rtb-nat-r");
    const gone = analyzePath(regionalSnapshot({}, (s) => (s.routeTables = s.routeTables.filter((t: any) => t.RouteTableId !== "rtb-nat-r"))), { source: "subnet-priv-a", destination: "igw" });
    assert.equal(gone.verdict, "unknown");
    assert.equal(gone.unknownReasons[0]!.code, "NOT_IN_SNAPSHOT");
  });

  test("RA's shape carries the code both ways (what the sandbox's Reachability Analyzer answers)", () => {
    const r = analyzePath(regionalSnapshot({ azs: ["a"], manual: true }), { source: "subnet-priv-b", destination: "igw" });
    const ra = toNetworkInsightsAnalysis(r, { region: "us-east-1", accountId: "111111111111" });
    assert.equal(ra.Explanations[0]!.ExplanationCode, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    const back = fromNetworkInsightsAnalysis(ra, { source: { id: "subnet-priv-b", type: "AWS::EC2::Subnet" }, destination: "igw" });
    assert.equal(back.explanations[0]!.code, "REGIONAL_NGW_ROUTE_AZ_RESTRICTION");
    assert.equal(back.explanations[0]!.component.id, "nat-r");
  });
});
