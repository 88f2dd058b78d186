// Issue 18 §3: one cost model. `status` (live) and `cost --vpc` give the same lines and total for the
// same VPC — S1 (NAT + EIP), S3 (an interface endpoint), S2 (the egress VPC and a consumer) — and S2's
// saving is the difference of the two totals printed beside it, with the break-even count.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleSandbox } from "./helpers.js";

async function world() {
  const w = await exampleSandbox("egress-cost-eq-");
  const ok = async (...args: string[]) => {
    const r = await w.run(...args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  /** status's cost for its VPC and cost --vpc's entry for it. */
  const both = async (vpcId: string, ...extra: string[]) => {
    const st = (await ok("status", "--json", ...extra)).json();
    const co = (await ok("cost", "--vpc", vpcId, "--json", ...extra)).json();
    return { st, co, entry: co.vpcs.find((v: any) => v.vpcId === vpcId) };
  };
  return { ...w, ok, both };
}

test("S1: status and cost give the same lines and total for the NAT gateway and its Elastic IP (with and without --gb-per-month)", async () => {
  const { ok, both } = await world();
  const vpc = (await ok("create-vpc", "--name", "sms-api", "--azs", "2", "--json")).json().vpcId;
  await ok("add-nat", "--mode", "single");
  const { st, entry } = await both(vpc);
  assert.equal(st.cost.vpcId, vpc);
  assert.equal(st.cost.source, "live");
  assert.deepEqual(st.cost.lines, entry.lines);
  assert.equal(st.cost.totalMonthly, entry.totalMonthly);
  assert.equal(st.cost.totalMonthly, 36.5);
  const gb = await both(vpc, "--gb-per-month", "100");
  assert.deepEqual(gb.st.cost.lines, gb.entry.lines);
  assert.equal(gb.st.cost.totalMonthly, 36.5 + 4.5);
});

test("S3: after add-endpoint secretsmanager, status prices the interface endpoint (2 AZ x 730 h = 14.60) exactly as cost does", async () => {
  const { ok, both } = await world();
  const vpc = (await ok("create-vpc", "--name", "rotation", "--azs", "2", "--public-subnets", "0", "--json")).json().vpcId;
  await ok("attach-lambda", "--function", "rotate-db-secret");
  await ok("add-endpoint", "secretsmanager", "--allow-from", "lambda:rotate-db-secret");
  const { st, entry } = await both(vpc);
  assert.deepEqual(st.cost.lines.map((l: any) => [l.item, l.quantity, l.unitPrice, l.monthly]), [["Interface VPC endpoint (2 AZ x 730 h)", 1460, 0.01, 14.6]]);
  assert.deepEqual(st.cost.lines, entry.lines);
  assert.equal(st.cost.totalMonthly, 14.6);
  assert.equal(entry.totalMonthly, 14.6);
  assert.deepEqual(st.cost.unpriced, []);
  // offline, from the plan's records: the same figure
  const off = (await ok("status", "--offline", "--json")).json();
  assert.equal(off.cost.source, "plan");
  assert.deepEqual(off.cost.lines, st.cost.lines);
  const text = await ok("status");
  assert.match(text.stdout, new RegExp(`Estimated monthly cost of ${vpc}: 14\\.60 USD`));
});
