// The typed plan views (src/engine/kinds/views.ts) on plain plan records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planDefaultRoute, planNatPublicIp, planRouteTableOf, planSubnets, planVpc, privateRouteTables, publicSubnetsByAz, requirePlanVpc, routeTableAzs } from "../src/engine/kinds/views.js";
import { routesToInternetGateway } from "../src/net/routes.js";
import type { Plan } from "../src/plans/schema.js";

const rec = (kind: string, id: string | null, extra: Record<string, unknown> = {}) =>
  ({ kind, id, owned: true, state: "created", dependsOn: [], generation: 0, attrs: {}, ...extra }) as Plan["resources"][string];

const resources: Plan["resources"] = {
  vpc: rec("vpc", "vpc-1", { cidr: "10.0.0.0/16" }),
  "subnet/public/us-east-1b/0": rec("subnet", "subnet-pb", { tier: "public", az: "us-east-1b" }),
  "subnet/public/us-east-1a/0": rec("subnet", "subnet-pa", { tier: "public", az: "us-east-1a" }),
  "subnet/private/us-east-1a/0": rec("subnet", "subnet-a", { tier: "private", az: "us-east-1a", attrs: { routeTableId: "rtb-main" } }),
  "subnet/private/us-east-1a/0/association": rec("route-table-association", "rtbassoc-1", { attrs: { subnetId: "subnet-a", routeTableId: "rtb-a" } }),
  "subnet/private/us-east-1b/0": rec("subnet", "subnet-b", { tier: "private", az: "us-east-1b", attrs: { routeTableId: "rtb-b" } }),
  "subnet/private/us-east-1c/0": rec("subnet", "subnet-c", { tier: "private", az: "us-east-1c", state: "deleted" }),
  "route-table/private/us-east-1b": rec("route-table", "rtb-b", { tier: "private", az: "us-east-1b" }),
  "route-table/private/rtb-x": rec("route-table", "rtb-x", { tier: "private", attrs: { azs: ["us-east-1c", "us-east-1a"] } }),
  "route-table/public": rec("route-table", "rtb-p", { tier: "public" }),
  "route-table/private/us-east-1a/nat-route": rec("route", "rtb-a|0.0.0.0/0", { attrs: { routeTableId: "rtb-a", destination: "0.0.0.0/0", target: { NatGatewayId: "nat-1" } } }),
  "nat/us-east-1a": rec("nat-gateway", "nat-1", { attrs: { publicIp: "203.0.113.7" } }),
};

test("the VPC view: created only; no VPC yet is exit 2", () => {
  assert.deepEqual(planVpc({ resources }), { id: "vpc-1", cidr: "10.0.0.0/16" });
  assert.equal(requirePlanVpc({ resources, name: "p" }), "vpc-1");
  const pending = { ...resources, vpc: rec("vpc", "vpc-1", { state: "pending" }) };
  assert.equal(planVpc({ resources: pending }), undefined);
  assert.throws(() => requirePlanVpc({ resources: pending, name: "p" }), (e: Error & { exitCode?: number }) => /Plan "p" has no VPC yet/.test(e.message));
});

test("subnets by tier, public subnets per AZ, private route tables and their AZs", () => {
  assert.deepEqual(planSubnets({ resources }, "private").map((s) => s.subnetId), ["subnet-a", "subnet-b"]);
  assert.deepEqual([...publicSubnetsByAz({ resources })], [["us-east-1a", "subnet/public/us-east-1a/0"], ["us-east-1b", "subnet/public/us-east-1b/0"]]);
  const tables = privateRouteTables({ resources });
  assert.deepEqual(tables.map(([step]) => step), ["route-table/private/rtb-x", "route-table/private/us-east-1b"]);
  assert.deepEqual(tables.map(([, r]) => routeTableAzs(r)), [["us-east-1a", "us-east-1c"], ["us-east-1b"]]);
});

test("the table and default route the plan recorded for a subnet", () => {
  assert.equal(planRouteTableOf({ resources }, "subnet-a"), "rtb-a", "the association wins over the subnet's recorded table");
  assert.equal(planRouteTableOf({ resources }, "subnet-b"), "rtb-b");
  assert.deepEqual(planDefaultRoute({ resources }, "rtb-a"), { NatGatewayId: "nat-1" });
  assert.equal(planDefaultRoute({ resources }, "rtb-b"), undefined);
  assert.equal(planNatPublicIp({ resources }, "nat-1"), "203.0.113.7");
});

test("a public subnet's route: 0.0.0.0/0 to an internet gateway, not blackholed", () => {
  assert.equal(routesToInternetGateway({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1", State: "active" }), true);
  assert.equal(routesToInternetGateway({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-1", State: "blackhole" }), false);
  assert.equal(routesToInternetGateway({ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: "nat-1" }), false);
  assert.equal(routesToInternetGateway({ DestinationCidrBlock: "10.0.0.0/16", GatewayId: "igw-1" }), false);
});
