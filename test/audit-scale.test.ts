// Issue 24: what the audit does differently at account scale gives the same findings — VPC CIDR
// overlaps found from a sorted list (not every pair), path results not kept after the rule read them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { auditSnapshot } from "../src/analysis/audit.js";
import { RULES_BY_ID } from "../src/analysis/rules/index.js";
import { cidrOverlaps, parseCidr } from "../src/net/addr.js";
import { good } from "./audit-fixtures.js";

test("vpc-cidr-overlap: every overlapping pair, in the VPCs' order, as comparing each VPC with every other finds them", () => {
  const blocks: Array<[string, string[]]> = [
    ["vpc-a", ["10.0.0.0/8"]],
    ["vpc-b", ["10.1.0.0/16", "192.168.0.0/24"]],
    ["vpc-c", ["10.1.2.0/24"]],
    ["vpc-d", ["172.16.0.0/12"]],
    ["vpc-e", ["172.31.0.0/16", "10.200.0.0/16"]],
    ["vpc-f", ["192.168.0.128/25"]],
    ["vpc-g", ["100.64.0.0/16"]],
    ["vpc-h", ["10.1.0.0/16"]],
  ];
  const snap = good((s) => {
    for (const [VpcId, [CidrBlock, ...more]] of blocks) s.vpcs.push({ VpcId, CidrBlock, CidrBlockAssociationSet: [CidrBlock, ...more].map((c) => ({ CidrBlock: c, CidrBlockState: { State: "associated" } })) });
  });
  const findings = auditSnapshot(snap, [RULES_BY_ID.get("vpc-cidr-overlap")!], { source: "test" }).findings;
  // by hand: every VPC against every other
  const v4 = (id: string) => {
    const vpc = snap.vpcs.find((v) => v.VpcId === id)!;
    return [...new Set([vpc.CidrBlock, ...(vpc.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock)].filter(Boolean) as string[])].map((c) => parseCidr(c)!);
  };
  const expected = snap.vpcs
    .map((a) => ({ id: a.VpcId, others: snap.vpcs.filter((b) => b.VpcId !== a.VpcId).flatMap((b) => v4(b.VpcId).filter((cb) => v4(a.VpcId).some((ca) => cidrOverlaps(ca, cb))).map((cb) => `${b.VpcId} ${cb.text}`)) }))
    .filter((x) => x.others.length);
  assert.ok(expected.length >= 6, "the fixture overlaps");
  assert.deepEqual(
    findings.map((f) => ({ id: f.resourceId, others: f.evidence.facts!.overlapsWith })),
    expected,
  );
});

test("a path rule reads the same result when it is computed again: the Lambda rules share keys across rules", () => {
  const rules = ["lambda-no-egress", "lambda-public-subnet", "workload-no-egress"].map((id) => RULES_BY_ID.get(id)!);
  const snap = good((s) => {
    for (const fn of s.lambdaFunctions ?? []) fn.VpcConfig.SubnetIds = [s.subnets[0].SubnetId];
  });
  const together = auditSnapshot(snap, rules, { source: "test" });
  const alone = rules.flatMap((r) => auditSnapshot(snap, [r], { source: "test" }).findings);
  assert.deepEqual(together.findings, alone);
  assert.ok(together.findings.length > 0);
});
