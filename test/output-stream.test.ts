// Issue 24: large --out documents are written as chunks (src/cli/output-file.ts jsonChunks +
// writeOutputFile), byte for byte what JSON.stringify(doc, null, 2) + "\n" gives, atomically.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from "node:fs";
import path from "node:path";
import { jsonChunks, writeOutputFile } from "../src/cli/output-file.js";
import { firstLines } from "../src/output/audit-sarif.js";
import { exampleSandbox, tempDir } from "./helpers.js";

const same = (doc: unknown) => {
  for (const depth of [0, 1, 2, 3, 4, 6]) assert.equal([...jsonChunks(doc, depth)].join(""), JSON.stringify(doc, null, 2) + "\n", `depth ${depth}`);
};

test("jsonChunks gives JSON.stringify's bytes: arrays element by element, empty ones, nested objects, undefined, dates, strings with newlines", () => {
  same({});
  same({ a: [] });
  same({ a: [1, { b: [2, { c: "x\ny" }] }, null, "s"], n: 1, s: "t", o: { p: [], q: { r: 1 } }, u: undefined, d: new Date(0) as unknown, e: [undefined, 2] });
  same({ version: 1, vpcs: [{ VpcId: "vpc-1", Tags: [{ Key: "Name", Value: "a\"b" }] }], omitted: [] });
  // at any depth: a SARIF log's results sit at depth 3, a report's findings at 1; toJSON, functions, symbols, empty members
  same({ $schema: "x", runs: [{ tool: { rules: [{ id: "r" }] }, results: [{ m: { text: "a\nb" }, f: () => 1, s: Symbol("s"), at: new Date(5) }, {}, []], p: {} }] });
  same([1, [2, [3, [4, [5]]]], { a: { b: { c: { d: {} } } } }, null, "x"]);
  same({ j: { toJSON: (k: string) => ({ key: k, v: [1, 2] }) }, arr: [{ toJSON: (k: string) => `at ${k}` }, undefined, () => 0] });
  same("text");
  same(null);
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

test("audit --output writes each format as chunks: the file's bytes are what stdout prints, JSON is JSON.stringify's", async () => {
  const { run, cwd } = await exampleSandbox();
  for (const format of ["text", "json", "junit", "markdown"]) {
    const out = path.join(cwd, `report.${format}`);
    const printed = await run("audit", "--all-vpcs", "--fail-on", "none", "--format", format);
    const written = await run("audit", "--all-vpcs", "--fail-on", "none", "--format", format, "--output", out);
    assert.equal(written.code, 0, written.stderr);
    const file = readFileSync(out, "utf8");
    const strip = (s: string) => s.replace(/"generatedAt": "[^"]*"/g, "").replace(/\n$/, "");
    assert.equal(strip(file), strip(printed.stdout), format);
    if (format === "json") assert.equal(file, JSON.stringify(JSON.parse(file), null, 2) + "\n");
  }
  assert.deepEqual(readdirSync(cwd).filter((f) => f.endsWith(".tmp")), []);
});

test("firstLines: the line of each id's first quoted occurrence, as a search per id finds it, in one pass", () => {
  const doc = { vpcs: [{ VpcId: "vpc-1", Description: 'x"vpc-2' }, { VpcId: "vpc-2" }], subnets: [{ SubnetId: "subnet-1", VpcId: "vpc-1" }], odd: ['a"b', "vpc-1x"] };
  const text = JSON.stringify(doc, null, 2);
  const ids = ["vpc-1", "vpc-2", "subnet-1", 'a"b', "vpc-9", "x"];
  const bySearch = new Map<string, number>();
  for (const id of ids) {
    const i = text.indexOf(JSON.stringify(id));
    if (i >= 0) bySearch.set(id, text.slice(0, i).split("\n").length);
  }
  const got = firstLines(text, ids);
  assert.deepEqual([...got].sort(), [...bySearch].sort());
  assert.equal(got.get("vpc-2"), bySearch.get("vpc-2")); // inside `"x\"vpc-2"` first, as the search finds it
  assert.ok(!got.has("vpc-9"));
});
