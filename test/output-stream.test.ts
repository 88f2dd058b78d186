// Issue 24: large --out documents are written as chunks (src/cli/output-file.ts jsonChunks +
// writeOutputFile), byte for byte what JSON.stringify(doc, null, 2) + "\n" gives, atomically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from "node:fs";
import path from "node:path";
import { jsonChunks, writeOutputFile } from "../src/cli/output-file.js";
import { exampleSandbox, tempDir } from "./helpers.js";

const same = (doc: Record<string, unknown>) => assert.equal([...jsonChunks(doc)].join(""), JSON.stringify(doc, null, 2) + "\n");

test("jsonChunks gives JSON.stringify's bytes: arrays element by element, empty ones, nested objects, undefined, dates, strings with newlines", () => {
  same({});
  same({ a: [] });
  same({ a: [1, { b: [2, { c: "x\ny" }] }, null, "s"], n: 1, s: "t", o: { p: [], q: { r: 1 } }, u: undefined, d: new Date(0) as unknown, e: [undefined, 2] });
  same({ version: 1, vpcs: [{ VpcId: "vpc-1", Tags: [{ Key: "Name", Value: "a\"b" }] }], omitted: [] });
});

test("snapshot --out streams the document: the file equals snapshot's stdout, mode of an existing file kept, no temporary left", async () => {
  const { run, cwd } = await exampleSandbox();
  const out = path.join(cwd, "snap.json");
  writeFileSync(out, "old");
  chmodSync(out, 0o600);
  const r = await run("snapshot", "--all-vpcs", "--out", out);
  assert.equal(r.code, 0, r.stderr);
  const file = readFileSync(out, "utf8");
  const doc = JSON.parse(file);
  assert.ok(doc.vpcs.length > 0);
  assert.equal(file, JSON.stringify(doc, null, 2) + "\n");
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(cwd).filter((f) => f.endsWith(".tmp")), []);
  const printed = await run("snapshot", "--all-vpcs");
  assert.equal(printed.code, 0);
  const a = JSON.parse(printed.stdout);
  assert.deepEqual({ ...a, takenAt: 0 }, { ...doc, takenAt: 0 });
  // chunks into a new file through the same atomic path
  const dir = tempDir();
  const full = await writeOutputFile({ cwd: dir, planPath: path.join(dir, "p.json"), sandboxFile: path.join(dir, "sb.json") }, "--out", path.join(dir, "x.json"), jsonChunks({ a: [1, 2] }));
  assert.equal(readFileSync(full, "utf8"), JSON.stringify({ a: [1, 2] }, null, 2) + "\n");
});
