// Table-driven corpus for the offline reachability analyzer: every scenario's working and broken
// variants, with the expected verdict, blocking component and explanation code.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { analyzePath, buildIndex, EXPLANATION_CODES, type PathQuery, type PathResult } from "../src/analysis/analyzer.js";
import { parseSnapshot, SnapshotError, type Snapshot } from "../src/analysis/snapshot.js";
import { UsageError } from "../src/errors.js";
import { SnapshotBuilder, s1 } from "./fixtures/analysis/build.js";
import { cases, toIgw } from "./fixtures/analysis/corpus.js";

describe("analyzePath corpus", () => {
  test("corpus has at least 40 cases", () => assert.ok(cases.length >= 40, `${cases.length} cases`));
  for (const c of cases) {
    test(c.name, () => {
      const r = analyzePath(c.snap(), c.query);
      const why = JSON.stringify({ explanations: r.explanations, additionalDetails: r.additionalDetails, hops: r.hops.map((h) => h.action) }, null, 1);
      assert.equal(r.reachable, c.reachable, why);
      const verdict = c.verdict ?? (c.reachable ? "reachable" : "unreachable");
      assert.equal(r.verdict, verdict, why);
      if (verdict !== "unreachable") assert.equal(r.explanations.length, 0, why);
      else assert.ok(r.explanations.length >= 1, why);
      if (verdict === "unknown") {
        assert.ok(r.unknownReasons.length >= 1 && r.unknownReasons.every((u) => u.detail && u.collect && u.component.id), why);
        if (c.unknown) assert.equal(r.unknownReasons[0]!.code, c.unknown, why);
      } else assert.deepEqual(r.unknownReasons, [], why);
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
