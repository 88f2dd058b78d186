// adoptSnapshot (in place) answers what parseSnapshot (a copy through zod) answers: the same
// document with the same defaults, the same top-level key order, the same errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { adoptSnapshot, parseSnapshot, SnapshotError } from "../src/analysis/snapshot.js";
import { cases } from "./fixtures/analysis/corpus.js";

test("adoptSnapshot equals parseSnapshot on every analyzer corpus snapshot, stripped of its defaults", () => {
  for (const c of cases) {
    const full = c.snap();
    // Strip what defaults put back (empty lists), so the walk has defaults to fill in.
    const bare = JSON.parse(JSON.stringify(full, (_k, v) => (Array.isArray(v) && v.length === 0 ? undefined : v)));
    const expected = parseSnapshot(structuredClone(bare));
    const input = structuredClone(bare);
    const got = adoptSnapshot(input);
    assert.deepEqual(got, expected, c.name);
    assert.deepEqual(Object.keys(got), Object.keys(expected), `${c.name}: top-level key order`);
    // in place: the nested values are the caller's own objects (no copy)
    assert.equal(got.vpcs, input.vpcs, c.name);
  }
});

test("adoptSnapshot keeps unknown fields and fills defaults with fresh lists", () => {
  const doc = {
    version: 1,
    takenAt: "2026-01-01T00:00:00Z",
    region: "us-east-1",
    accountId: "123456789012",
    extra: { kept: true },
    routeTables: [{ RouteTableId: "rtb-1", VpcId: "vpc-1", PropagatingVgws: [] }, { RouteTableId: "rtb-2", VpcId: "vpc-1" }],
  };
  const s = adoptSnapshot(doc);
  assert.deepEqual((s as Record<string, unknown>).extra, { kept: true });
  assert.deepEqual(s.routeTables[0], { RouteTableId: "rtb-1", VpcId: "vpc-1", PropagatingVgws: [], Routes: [], Associations: [] });
  assert.notEqual(s.routeTables[0]!.Routes, s.routeTables[1]!.Routes, "each default is its own list");
  assert.deepEqual(s.vpcs, []);
});

test("adoptSnapshot reports an invalid document exactly as parseSnapshot does", () => {
  const bad = () => ({ version: 1, takenAt: "t", region: "us-east-1", accountId: "1", subnets: [{ SubnetId: "subnet-1" }, { SubnetId: 5, VpcId: "vpc-1" }] });
  const issues = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof SnapshotError);
      return [err.message, err.issues];
    }
    assert.fail("expected a SnapshotError");
  };
  assert.deepEqual(issues(() => adoptSnapshot(bad())), issues(() => parseSnapshot(bad())));
  assert.match(String(issues(() => adoptSnapshot(bad()))[0]), /subnets\.0\.VpcId/);
  assert.throws(() => adoptSnapshot({ version: 2 }), /unsupported snapshot version 2/);
  assert.throws(() => adoptSnapshot(null), SnapshotError);
});
