// Plan file: round trip, stable bytes, refusal of corrupt/truncated/wrong-version/foreign plans
// (file left byte-identical), the committed JSON Schema, and the serialising PlanWriter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../src/errors.js";
import { newPlan, planJsonSchemaText, RESOURCE_KINDS, type Plan } from "../src/plans/schema.js";
import { KIND_NAMES, kindOf } from "../src/engine/kinds/index.js";
import { checkPlanIdentity, loadPlan, PlanWriter, savePlan, serializePlan, sortKeysDeep } from "../src/plans/store.js";

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), "egress-plan-"));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function samplePlan(): Plan {
  const p = newPlan({
    name: "sms-api",
    backend: "sandbox",
    region: "us-east-1",
    accountId: "123456789012",
    now: new Date("2026-11-01T10:00:00.000Z"),
    planId: "5b1e7f7e-2f4c-4a8e-9d0c-1f2e3d4c5b6a",
    spec: { vpc: { cidr: "10.0.0.0/16", azs: ["us-east-1a", "us-east-1b"], publicPerAz: 1, privatePerAz: 1, subnetPrefix: 20 } },
  });
  p.resources["vpc"] = { kind: "vpc", id: "vpc-0abc1234def567890", owned: true, state: "created", dependsOn: [], cidr: "10.0.0.0/16", generation: 0, attrs: {}, createdAt: "2026-11-01T10:00:01.000Z" };
  p.resources["nat/us-east-1a/eip"] = { kind: "elastic-ip", id: null, owned: true, state: "pending", dependsOn: ["vpc"], az: "us-east-1a", clientToken: "tok-1", generation: 0, attrs: { publicIp: "3.3.3.3" } };
  p.journal.push({ step: "vpc", action: "create", status: "done", resourceId: "vpc-0abc1234def567890", at: "2026-11-01T10:00:01.000Z" });
  p.outputs.egressIps = ["3.3.3.3"];
  return p;
}

const refused = (re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof UsageError, String(e));
  assert.equal(e.exitCode, 2);
  assert.match(e.message, re);
  return true;
};

test("the plan schema's kind names are the engine's registry, in the same (sweep) order, each module naming itself", async () => {
  assert.deepEqual([...KIND_NAMES], [...RESOURCE_KINDS]);
  for (const name of RESOURCE_KINDS) assert.equal((await kindOf(name))?.kind, name, name);
});

test("a record's attrs are read through its kind's schema (typed, recordOf, recordsOf), never cast: no `attrs as` in src/", () => {
  const src = join(import.meta.dirname, "..", "src");
  const casts: string[] = [];
  for (const f of readdirSync(src, { recursive: true, encoding: "utf8" }).filter((x) => x.endsWith(".ts")).sort()) {
    readFileSync(join(src, f), "utf8").split("\n").forEach((line, i) => /\battrs\)?\s+as\s/.test(line) && casts.push(`src/${f}:${i + 1}: ${line.trim()}`));
  }
  assert.deepEqual(casts, []);
});

test("missing plan -> undefined", async () => {
  assert.equal(await loadPlan(join(tmp(), "nope.json")), undefined);
});

test("round trip: save then load gives the same plan, updatedAt stamped", async () => {
  const file = join(tmp(), "egress-plan.json");
  const plan = samplePlan();
  assert.equal(plan.updatedAt, "2026-11-01T10:00:00.000Z");
  await savePlan(file, plan, { now: new Date("2026-11-02T00:00:00.000Z") });
  assert.equal(plan.updatedAt, "2026-11-02T00:00:00.000Z");
  assert.equal(plan.createdAt, "2026-11-01T10:00:00.000Z");
  const loaded = await loadPlan(file);
  assert.deepEqual(loaded, plan);
  const text = readFileSync(file, "utf8");
  assert.ok(text.endsWith("}\n"));
  assert.match(text, /\n  "accountId": "123456789012",\n/);
  // no temp files left behind
  assert.deepEqual(readdirSync(join(file, "..")), ["egress-plan.json"]);
});

test("unknown keys survive a load/save round trip (loose objects)", async () => {
  const file = join(tmp(), "p.json");
  const plan = samplePlan() as Plan & { future?: unknown };
  (plan as Record<string, unknown>).future = { x: 1 };
  (plan.resources["vpc"] as Record<string, unknown>).extra = "kept";
  await savePlan(file, plan);
  const loaded = (await loadPlan(file)) as Record<string, unknown> & Plan;
  assert.deepEqual(loaded.future, { x: 1 });
  assert.equal((loaded.resources["vpc"] as Record<string, unknown>).extra, "kept");
});

test("stable key order: same bytes whatever the insertion order; arrays keep order", () => {
  const a = samplePlan();
  const reordered = Object.fromEntries(Object.entries(a).reverse()) as Plan;
  assert.equal(serializePlan(a), serializePlan(reordered));
  assert.deepEqual(sortKeysDeep({ b: 1, a: [{ z: 1, y: 2 }, 3], c: undefined }), { a: [{ y: 2, z: 1 }, 3], b: 1 });
  assert.equal(JSON.stringify(sortKeysDeep({ b: 1, a: 2 })), '{"a":2,"b":1}');
  const text = serializePlan(a);
  const keys = [...text.matchAll(/^  "(\w+)":/gm)].map((m) => m[1]);
  assert.deepEqual(keys, [...keys].sort());
  assert.ok(text.includes('"us-east-1a",\n'), "2-space indented arrays");
});

async function assertRefusedUntouched(content: string, re: RegExp): Promise<void> {
  const file = join(tmp(), "egress-plan.json");
  writeFileSync(file, content);
  const before = readFileSync(file);
  await assert.rejects(loadPlan(file), refused(re));
  assert.ok(readFileSync(file).equals(before), "file must be byte-identical");
}

test("corrupt JSON refused, named, untouched", async () => {
  await assertRefusedUntouched('{"version": 1, "name": sms}', /egress-plan\.json is not valid JSON \(syntax error.*refusing to touch it/);
});

test("truncated JSON refused with the byte count", async () => {
  const full = serializePlan(samplePlan());
  const cut = full.slice(0, 300);
  await assertRefusedUntouched(cut, new RegExp(`is not valid JSON \\(truncated at byte ${Buffer.byteLength(cut)}\\?\\) — refusing to touch it; restore it from version control or pass --plan`));
});

test("empty file, non-object, missing version, wrong versions refused", async () => {
  await assertRefusedUntouched("", /is empty/);
  await assertRefusedUntouched("[1,2]", /expected a JSON object/);
  await assertRefusedUntouched('{"name":"x"}', /no "version" field/);
  await assertRefusedUntouched(serializePlan({ ...samplePlan(), version: 2 } as unknown as Plan), /plan version 2; this egress-cli reads version 1/);
  await assertRefusedUntouched(serializePlan({ ...samplePlan(), version: "1" } as unknown as Plan), /plan version "1"/);
});

test("plan.spec: a section of the wrong shape is refused with its path; unknown sections and fields survive", async () => {
  const bad = samplePlan() as unknown as { spec: { nat: unknown } };
  bad.spec.nat = { mode: "triple", azs: ["us-east-1a"] };
  await assertRefusedUntouched(JSON.stringify(bad), /does not match the plan schema: spec\.nat\.mode: Invalid option/);
  const dir = tmp();
  const file = join(dir, "egress-plan.json");
  const plan = samplePlan();
  plan.spec = { ...plan.spec, nat: { mode: "per-az", azs: ["us-east-1a"], fromNewerVersion: 1 }, futureSection: { x: 1 } };
  await savePlan(file, plan);
  const loaded = (await loadPlan(file))!;
  assert.equal(loaded.spec.nat?.mode, "per-az");
  assert.deepEqual([loaded.spec.nat?.fromNewerVersion, loaded.spec.futureSection], [1, { x: 1 }]);
});

test("schema violations refused with the path of the problem", async () => {
  const p = samplePlan() as unknown as { resources: Record<string, { state: string }>; accountId: string };
  p.resources["vpc"].state = "exploded";
  await assertRefusedUntouched(JSON.stringify(p), /does not match the plan schema: resources\.vpc\.state: Invalid option/);
  const q = samplePlan();
  q.accountId = "12345";
  await assertRefusedUntouched(JSON.stringify(q), /accountId: accountId must be 12 digits/);
});

test("newer-version error hints at upgrading", async () => {
  const file = join(tmp(), "p.json");
  writeFileSync(file, JSON.stringify({ version: 3 }));
  await assert.rejects(loadPlan(file), (e: unknown) => e instanceof UsageError && /upgrade egress-cli/.test(e.hint ?? ""));
});

test("checkPlanIdentity refuses foreign plans, says which and what was expected", () => {
  const p = { ...samplePlan(), backend: "aws" };
  checkPlanIdentity(p, { region: "us-east-1", accountId: "123456789012", backend: "aws" });
  checkPlanIdentity(p, { region: "us-east-1" }); // undefined fields not checked
  assert.throws(
    () => checkPlanIdentity(p, { region: "eu-west-1", accountId: "999999999999", backend: "aws" }, "egress-plan.json"),
    refused(/egress-plan\.json \(plan "sms-api"\) belongs to account 123456789012 \(this run: 999999999999\), region us-east-1 \(this run: eu-west-1\)/),
  );
  assert.throws(() => checkPlanIdentity(p, { backend: "sandbox" }), refused(/backend aws \(this run: sandbox\)/));
  const e = { ...p, backend: "endpoint:http://localhost:4566/" };
  checkPlanIdentity(e, { backend: "endpoint:http://localhost:4566" });
});

test("a foreign plan is not rewritten by a refused run (load -> identity check -> no save)", async () => {
  const file = join(tmp(), "egress-plan.json");
  await savePlan(file, samplePlan());
  const before = readFileSync(file);
  const loaded = (await loadPlan(file))!;
  assert.throws(() => checkPlanIdentity(loaded, { accountId: "000000000000" }), UsageError);
  assert.ok(readFileSync(file).equals(before));
});

test("savePlan checks again what changed since the last save: a record changed in place, a new journal entry", async () => {
  const file = join(tmp(), "p.json");
  const plan = samplePlan();
  await savePlan(file, plan); // every record and entry found valid once
  const good = readFileSync(file, "utf8");
  (plan.resources["vpc"] as { state: string }).state = "gone"; // the same object, now invalid
  await assert.rejects(savePlan(file, plan), /resources\.vpc\.state/);
  assert.equal(readFileSync(file, "utf8"), good, "nothing written");
  plan.resources["vpc"]!.state = "created";
  plan.journal.push({ step: "", action: "create", status: "done", at: "2026-11-01T10:00:02.000Z" });
  await assert.rejects(savePlan(file, plan), /journal\[1\]\.step/);
  plan.journal.pop();
  plan.resources[""] = { ...plan.resources["vpc"]! };
  await assert.rejects(savePlan(file, plan), /step id must not be empty/);
  delete plan.resources[""];
  await savePlan(file, plan);
  assert.equal((await loadPlan(file))!.resources["vpc"]!.state, "created");
});

test("savePlan refuses to write an invalid plan", async () => {
  const file = join(tmp(), "p.json");
  const bad = { ...samplePlan(), region: "Mars" };
  await assert.rejects(savePlan(file, bad), /refusing to save an invalid plan/);
  assert.equal(bad.updatedAt, "2026-11-01T10:00:00.000Z");
  assert.equal(await loadPlan(file), undefined);
});

test("PlanWriter: concurrent saves serialised, last state wins, flush waits", async () => {
  const file = join(tmp(), "p.json");
  const w = new PlanWriter(file);
  const plan = samplePlan();
  const saves: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) {
    plan.spec.counter = i;
    saves.push(w.save(plan)); // snapshot taken now; later mutation must not leak in
  }
  plan.spec.counter = 999; // not saved
  await w.flush();
  await Promise.all(saves);
  const loaded = (await loadPlan(file))!;
  assert.equal(loaded.spec.counter, 49);
  assert.ok(w.writes >= 1 && w.writes < 50, `coalesced: ${w.writes} writes`);
  assert.equal(w.lastSaved?.spec.counter, 49);
});

test("PlanWriter: saveLater writes the plan as it is when the write starts; a save() meanwhile carries it; flush writes what is left", async () => {
  const file = join(tmp(), "p.json");
  const w = new PlanWriter(file);
  const plan = samplePlan();
  plan.spec.counter = 1;
  w.saveLater(plan);
  plan.spec.counter = 2; // later changes go with it: nothing was copied
  await w.flush();
  assert.equal((await loadPlan(file))!.spec.counter, 2);
  assert.equal(w.writes, 1);
  // asked later, then a save(): one write, the save()'s state (taken after the saveLater)
  plan.spec.counter = 3;
  w.saveLater(plan);
  plan.spec.counter = 4;
  const saved = w.save(plan);
  plan.spec.counter = 5; // after the save(): not written
  await saved;
  assert.equal((await loadPlan(file))!.spec.counter, 4);
  assert.equal(w.writes, 2);
  await w.flush();
  assert.equal(w.writes, 2, "nothing left to write");
  // an invalid plan given to saveLater is not written, and the error resurfaces in flush
  const bad = { ...plan, version: 99 } as unknown as Plan;
  w.saveLater(bad);
  await assert.rejects(w.flush(), /refusing to save an invalid plan/);
  assert.equal((await loadPlan(file))!.spec.counter, 4);
});

test("PlanWriter: a write keeps the plan file's mode and replaces the file a symlink names, not the link", async () => {
  const { chmodSync, statSync, symlinkSync, lstatSync } = await import("node:fs");
  const dir = tmp();
  const real = join(dir, "real.json");
  const link = join(dir, "link.json");
  await savePlan(real, samplePlan());
  chmodSync(real, 0o600);
  symlinkSync(real, link);
  const w = new PlanWriter(link);
  const plan = samplePlan();
  plan.spec.counter = 7;
  await w.save(plan);
  assert.ok(lstatSync(link).isSymbolicLink(), "the link is still a link");
  assert.equal(statSync(real).mode & 0o777, 0o600);
  assert.equal((await loadPlan(link))!.spec.counter, 7);
  assert.deepEqual(readdirSync(dir).sort(), ["link.json", "real.json"], "no temporary file left");
});

test("PlanWriter: a failed write rejects its save and resurfaces in flush", async () => {
  const w = new PlanWriter(join(tmp(), "no-such-dir", "p.json"));
  const p = w.save(samplePlan());
  await assert.rejects(p);
  await assert.rejects(w.flush());
  await w.flush(); // error reported once
});

test("committed schema/plan.schema.json equals the generated one", () => {
  const committed = readFileSync(new URL("../schema/plan.schema.json", import.meta.url), "utf8");
  assert.equal(committed, planJsonSchemaText(), "run: node --import tsx src/plans/emit-schema.ts");
  const schema = JSON.parse(committed);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(JSON.stringify(schema).includes('"nat-gateway"'));
});

test("PlanWriter: a failed write made good by a later one is not reported again by flush; the file holds the newest plan", async () => {
  const dir = tmp();
  const file = join(dir, "p.json");
  mkdirSync(file); // a folder where the plan goes: the write's rename fails
  const w = new PlanWriter(file);
  const plan = samplePlan();
  await assert.rejects(w.save(plan));
  rmSync(file, { recursive: true });
  plan.spec.counter = 8;
  w.saveLater(plan);
  await w.flush(); // the newer write succeeded: nothing left to report
  assert.equal((await loadPlan(file))!.spec.counter, 8);
});

test("PlanWriter: a plan the schema refused after a failed write is still reported, even once a later write succeeds", async () => {
  const dir = tmp();
  const file = join(dir, "p.json");
  mkdirSync(file);
  const w = new PlanWriter(file);
  const plan = samplePlan();
  await assert.rejects(w.save(plan)); // the write fails
  rmSync(file, { recursive: true });
  await assert.rejects(w.save({ ...plan, version: 99 } as unknown as Plan), /refusing to save an invalid plan/);
  await w.save(plan); // written
  await assert.rejects(w.flush(), /refusing to save an invalid plan/);
});
