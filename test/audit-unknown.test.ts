// Path rules and the third verdict (issue 18 §1): a path the analyzer could neither prove nor refute
// (here: the default route goes to a transit gateway whose route tables the snapshot could not collect)
// is its own evidence — a low "could not prove egress" finding naming what was not evaluated — never a
// pass and never the rule's "no egress" claim.
import assert from "node:assert/strict";
import { test } from "node:test";
import { auditSnapshot } from "../src/analysis/audit.js";
import { RULES_BY_ID } from "../src/analysis/rules/index.js";
import type { Snapshot } from "../src/analysis/snapshot.js";
import { good } from "./audit-fixtures.js";

/** Every NAT route replaced by a route to tgw-1; the VPC's attachment is known, the gateway's route tables are not. */
function viaUncollectedTgw(more?: (s: any) => void): Snapshot {
  return good((s) => {
    for (const t of s.routeTables) for (const r of t.Routes) if (r.NatGatewayId) (delete r.NatGatewayId, (r.TransitGatewayId = "tgw-1"));
    s.transitGatewayAttachments = [{ TransitGatewayAttachmentId: "tgw-attach-good", TransitGatewayId: "tgw-1", ResourceType: "vpc", ResourceId: "vpc-good", State: "available" }];
    s.omitted = [{ resource: "transitGateways", operation: "DescribeTransitGateways", code: "InvalidAction", message: "SearchTransitGatewayRoutes is not valid for this web service" }];
    more?.(s);
  });
}

const run = (snap: Snapshot, id: string) => auditSnapshot(snap, [RULES_BY_ID.get(id)!], { source: "test" }).findings;

function assertUnknownFinding(f: any, resourceId: string) {
  assert.equal(f.resourceId, resourceId);
  assert.equal(f.severity, "low");
  assert.match(f.message, /^Could not prove egress for /);
  assert.doesNotMatch(f.message, /cannot reach|no path|time out/);
  assert.equal(f.evidence.path.verdict, "unknown");
  assert.equal(f.evidence.path.reachable, false);
  assert.equal(f.evidence.blocking, undefined, "nothing evaluated blocks it");
  assert.equal(f.evidence.notEvaluated[0].code, "PATH_LEAVES_VPC");
  assert.match(f.evidence.notEvaluated[0].detail, /transit gateway route tables of tgw-1 are not in the snapshot \(DescribeTransitGateways failed: InvalidAction\)/);
  assert.match(f.fix, /^nothing to change yet .*ec2:SearchTransitGatewayRoutes/);
}

test("workload-no-egress: an unproven path is a low 'could not prove egress' finding, not a pass and not 'no egress'", () => {
  const found = run(viaUncollectedTgw(), "workload-no-egress");
  assert.deepEqual(found.map((f) => f.resourceId), ["i-app"]);
  assertUnknownFinding(found[0], "i-app");
  // With the route to nowhere instead, the rule's own finding (medium, "cannot reach").
  const none = run(good((s) => (s.routeTables.find((t: any) => t.RouteTableId === "rtb-priv-a").Routes = s.routeTables.find((t: any) => t.RouteTableId === "rtb-priv-a").Routes.filter((r: any) => !r.NatGatewayId))), "workload-no-egress");
  assert.equal(none[0]!.severity, "medium");
  assert.equal(none[0]!.evidence.path!.verdict, "unreachable");
});

test("lambda-no-egress: unknown in every subnet is the low finding; one subnet proven blocked is the rule's high finding", () => {
  const fn = "arn:aws:lambda:us-east-1:111111111111:function:worker";
  const unknown = run(viaUncollectedTgw((s) => (s.vpcEndpoints = [])), "lambda-no-egress");
  assert.equal(unknown.length, 1);
  assertUnknownFinding(unknown[0], fn);
  const mixed = run(
    viaUncollectedTgw((s) => {
      s.vpcEndpoints = [];
      const b = s.routeTables.find((t: any) => t.RouteTableId === "rtb-priv-b");
      b.Routes = b.Routes.filter((r: any) => !r.TransitGatewayId);
    }),
    "lambda-no-egress",
  );
  assert.equal(mixed.length, 1);
  assert.equal(mixed[0]!.severity, "high");
  assert.equal(mixed[0]!.evidence.path!.verdict, "unreachable");
  assert.match(mixed[0]!.message, /from [^ ]*subnet-priv-b/);
});

test("msk-esm-no-egress: pollers whose path to Lambda is unproven get the low finding", () => {
  const found = run(viaUncollectedTgw(), "msk-esm-no-egress");
  assert.equal(found.length, 1);
  assertUnknownFinding(found[0], "esm-orders");
});

test("the well-built VPC stays silent (every path proven)", () => {
  for (const id of ["workload-no-egress", "lambda-no-egress", "msk-esm-no-egress", "lambda-public-subnet"]) assert.deepEqual(run(good(() => {}), id), [], id);
});
