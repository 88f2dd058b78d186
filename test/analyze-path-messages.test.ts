// analyze-path's messages (issue 8 items 21, 23, 24): an unknown service is bad input with the closest
// names; S5 says why (no public IP, no NAT: nothing for the IGW to translate to) and gives the fix as
// a hint; the hop list shows the source's group before the endpoint it resolved to; an all-traffic
// ACL rule reads as all traffic; per-subnet detail lines stay out of the human output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { colors } from "../src/output/color.js";
import { analyzePath } from "../src/analysis/analyzer.js";
import { closestServices, isKnownService } from "../src/analysis/services.js";
import { renderPathResult } from "../src/output/path.js";
import { UsageError } from "../src/errors.js";
import { SnapshotBuilder, s1, s3, s5 } from "./fixtures/analysis/build.js";
import { exampleSandbox } from "./helpers.js";

const plain = colors(false);

test("item 21: service:bogus is an unknown service (UsageError naming the closest names), offline and through the CLI", async () => {
  assert.equal(isKnownService("secretsmanager"), true);
  assert.equal(isKnownService("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"), true);
  assert.deepEqual(closestServices("secretsmanagr", 1), ["secretsmanager"]);
  assert.throws(
    () => analyzePath(s3().build(), { source: "lambda:rotate-db-secret", destination: "service:secretsmanagr" }),
    (e: unknown) => e instanceof UsageError && /unknown AWS service "secretsmanagr"/.test(e.message) && /service:secretsmanager/.test(e.hint ?? ""),
  );
  const { run } = await exampleSandbox("egress-msg-");
  for (const mode of [["--local"], []]) {
    const r = await run("analyze-path", "--from", "subnet-0123456789abcdef0", "--to", "service:bogus", ...mode, "--json");
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.match(doc.error.message, /unknown AWS service "bogus"/);
    assert.match(doc.error.hint, /closest names: service:/);
  }
});

test("item 23: S5 says why — no public IP and no NAT, so the IGW has no address to translate to — and hints the fix", () => {
  // The seeded S5: the private subnet's table (the main one) has only the local route.
  const noRoute = new SnapshotBuilder()
    .vpc("vpc-legacy", "10.40.0.0/16")
    .subnet("subnet-app", "vpc-legacy", "10.40.1.0/24", "us-east-1a")
    .igw("igw-legacy", "vpc-legacy")
    .sg("sg-app", "vpc-legacy", { egress: ["-1:all:0.0.0.0/0"] })
    .instance("i-db", "subnet-app", { sgs: ["sg-app"] })
    .build();
  const r = analyzePath(noRoute, { source: "i-db", destination: "0.0.0.0/0" });
  assert.equal(r.explanations[0]!.code, "NO_ROUTE_TO_DESTINATION");
  assert.match(r.explanations[0]!.detail, /no public IPv4 address and no NAT gateway.*no public address to translate 10\.40\.1\.\d+ to/);
  assert.match(r.hint!, /NAT gateway.*egress-cli import --vpc vpc-legacy --name NAME, then egress-cli add-nat --mode single/);
  assert.match(renderPathResult(r, plain, { from: "i-db", to: "0.0.0.0/0", protocol: "tcp", port: 443 }), /hint: give subnet-app a NAT gateway/);
  // The other classic variant: routed straight to the IGW without a public IP.
  const viaIgw = analyzePath(s5().build(), { source: "i-db", destination: "0.0.0.0/0" });
  assert.equal(viaIgw.explanations[0]!.code, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS");
  assert.match(viaIgw.hint!, /add-nat/);
  // Reachable, or fixed with a NAT: no hint.
  assert.equal(analyzePath(s5({ fixed: true }).build(), { source: "i-db", destination: "0.0.0.0/0" }).hint, undefined);
});

test("item 24: the source's group comes before the endpoint; an all-traffic ACL rule reads as all traffic; no LAMBDA_SUBNET_RESULT lines in human output", () => {
  const r = analyzePath(s3().build(), { source: "lambda:rotate-db-secret", destination: "service:secretsmanager" });
  for (const p of r.paths!) {
    const sg = p.hops.findIndex((h) => /security group sg-rot-lambda egress/.test(h.action));
    const ep = p.hops.findIndex((h) => /resolves \(private DNS\) to interface endpoint/.test(h.action));
    assert.ok(sg >= 0 && ep > sg, p.hops.map((h) => h.action).join("\n"));
  }
  const s1Path = analyzePath(s1().build(), { source: "lambda:sms-sender", destination: "igw" });
  const acl = s1Path.hops.find((h) => h.component.type === "AWS::EC2::NetworkAcl")!;
  assert.match(acl.action, /rule 100 \(allow all traffic 0\.0\.0\.0\/0\) admits tcp 443/);
  assert.ok(r.additionalDetails.some((d) => d.startsWith("LAMBDA_SUBNET_RESULT:")), "kept in JSON");
  const text = renderPathResult(r, plain, { from: "lambda:rotate-db-secret", to: "service:secretsmanager", protocol: "tcp", port: 443 });
  assert.doesNotMatch(text, /LAMBDA_SUBNET_RESULT/);
  assert.match(text, /per subnet/);
});
