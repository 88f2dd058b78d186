// The diagram and IPv6 (issue 22 item 5): egress-only internet gateways as their own node, NAT64 on the NAT
// gateway that 64:ff9b::/96 leads to, IPv6 blocks on subnets and ::/0 on route tables, IPv6-only subnets in
// their tier by ::/0, and a NAT64 path highlighted through the NAT and the internet gateway.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzePath } from "../src/analysis/analyzer.js";
import { buildTopology, renderDiagram } from "../src/output/diagram.js";
import { s1v6 } from "./fixtures/analysis/build.js";

test("egress-only gateway node, NAT64 label, IPv6 blocks and routes, IPv6-only subnet in the private tier", () => {
  const snap = s1v6().build();
  const topo = buildTopology(snap);
  assert.equal(topo.nodes.get("eigw-v6")?.kind, "eigw");
  assert.deepEqual(topo.nodes.get("eigw-v6")?.label, ["eigw-v6", "egress-only internet gateway (IPv6 out only)"]);
  assert.match(topo.nodes.get("nat-a")!.label.join(" "), /NAT gateway · EIP 3\.3\.3\.3 · NAT64/);
  assert.deepEqual(topo.nodes.get("subnet-v6only-a")?.label, ["subnet-v6only-a", "IPv6-only", "2600:1f18:aa:10b::/64"]);
  assert.equal(topo.nodes.get("subnet-v6only-a")?.cluster, "vpc-v6/private/us-east-1a");
  assert.ok(topo.nodes.get("rtb-priv-a")!.label.includes("::/0 → eigw-v6"));
  const routes = topo.edges.filter((e) => e.kind === "route").map((e) => `${e.from} ${e.label} ${e.to}`);
  assert.ok(routes.includes("rtb-v6only-a 64:ff9b::/96 nat-a") && routes.includes("rtb-v6only-a ::/0 eigw-v6"), routes.join("\n"));
  const mmd = renderDiagram(snap, { format: "mermaid" });
  assert.match(mmd, /eigw_v6\(\(\("eigw-v6<br\/>egress-only internet gateway \(IPv6 out only\)"\)\)\)/);
  assert.match(renderDiagram(snap, { format: "dot" }), /"eigw-v6" \[.*shape=doublecircle/);
});

test("the NAT64 path is highlighted: IPv6-only subnet → NAT gateway → internet gateway", () => {
  const snap = s1v6().build();
  const result = analyzePath(snap, { source: "i-v6only", destination: "203.0.113.10" });
  assert.equal(result.verdict, "reachable");
  const mmd = renderDiagram(snap, { format: "mermaid", path: { from: "i-v6only", to: "203.0.113.10", result } });
  const cls = mmd.split("\n").find((l) => l.trim().startsWith("class ") && l.trim().endsWith(" path"))!;
  for (const n of ["i_v6only", "nat_a", "igw_v6", "rtb_v6only_a"]) assert.match(cls, new RegExp(`\\b${n}\\b`), cls);
});
