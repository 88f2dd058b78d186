// No repeated calls for what a step already knows (issue 11 item 3): create-vpc --azs 3 makes at
// most 30 AWS calls (it made 60: 25 DescribeRouteTables), and a re-run only reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleSandbox } from "./helpers.js";

const countSince = (journal: Array<{ operation: string }>, from: number) => {
  const counts: Record<string, number> = {};
  for (const c of journal.slice(from)) counts[c.operation] = (counts[c.operation] ?? 0) + 1;
  return { total: journal.length - from, counts };
};

test("create-vpc --azs 3 makes at most 30 AWS calls, one DescribeRouteTables per route step at most", async () => {
  const { sandbox, run } = await exampleSandbox();
  const from = sandbox.journal.length;
  const r = await run("create-vpc", "--name", "lean", "--azs", "3");
  assert.equal(r.code, 0, r.stderr);
  const { total, counts } = countSince(sandbox.journal, from);
  assert.ok(total <= 30, `create-vpc --azs 3 made ${total} calls: ${JSON.stringify(counts)}`);
  assert.ok((counts.DescribeRouteTables ?? 0) <= 2, JSON.stringify(counts));
  assert.equal(counts.CreateSubnet, 6);
  assert.equal(counts.AssociateRouteTable, 6);
  // A re-run of the same command changes nothing: reads only.
  const again = sandbox.journal.length;
  assert.equal((await run("create-vpc", "--name", "lean", "--azs", "3")).code, 0);
  assert.ok(sandbox.journal.slice(again).every((c) => !c.mutating), JSON.stringify(countSince(sandbox.journal, again).counts));
});
