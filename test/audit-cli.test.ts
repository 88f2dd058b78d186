// The audit as CI runs it (issue 18 §4): one meaning per option name (no command option shares a
// name with a global one; `--plan` is the plan wherever it stands), a scope's findings are about the
// scope, and `--output json` (a format, not a path) is refused.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Option, type Command } from "commander";
import { buildProgram } from "../src/cli.js";
import { withOptions } from "../src/cli/spec.js";
import { auditSnapshot } from "../src/analysis/audit.js";
import { RULES } from "../src/analysis/rules/index.js";
import { good } from "./audit-fixtures.js";
import { exampleSandbox } from "./helpers.js";

const sink = { write: () => true, isTTY: false } as never;
const program = () => buildProgram({ cwd: "/", env: {}, stdout: sink, stderr: sink, signal: new AbortController().signal }, async () => {});

/** Every name an option answers to: --long, -s, and the attribute commander stores it under. */
const namesOf = (o: Option) => [o.long, o.short, o.long && `attr:${o.attributeName()}`].filter((x): x is string => Boolean(x));

/** Command options that share a name with a global option: `command --flag` pairs. */
function clashes(root: Command): string[] {
  const global = new Map(root.options.flatMap((o) => namesOf(o).map((n) => [n, o.flags] as const)));
  const out: string[] = [];
  const visit = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      const name = `${prefix}${sub.name()}`;
      // a command's options are made when first needed (withOptions): every one of them is walked
      for (const o of withOptions(sub).options) for (const n of namesOf(o)) if (global.has(n)) out.push(`${name} ${o.flags} (global ${global.get(n)})`);
      visit(sub, `${name} `);
    }
  };
  visit(root, "");
  return [...new Set(out)].sort();
}

describe("one meaning per option name", () => {
  test("no command declares an option named like a global option (the global one would shadow it, or it the global)", () => {
    const root = program();
    assert.ok(root.commands.length >= 15 && root.options.length >= 10, "walks the real program");
    assert.deepEqual(clashes(root), []);
    assert.ok(root.commands.filter((c) => c.options.length > 0).length >= 15, "with every command's options");
    // The walk does catch one: a planted `audit --plan [file]` and a `--color` against `--no-color`.
    const planted = program();
    planted.commands.find((c) => c.name() === "audit")!.addOption(new Option("--plan [file]", "scope"));
    planted.commands.find((c) => c.name() === "diagram")!.addOption(new Option("--color", "colour"));
    assert.deepEqual(clashes(planted), ["audit --plan [file] (global --plan [file])", "diagram --color (global --no-color)"]);
  });

  test("`--plan` is the plan wherever it stands: `--plan ok.json audit --plan` and `audit --plan ok.json` both audit ok.json; two different files are refused", async () => {
    const { run, cwd } = await exampleSandbox("egress-audit-plan-");
    assert.equal((await run("--plan", "ok.json", "create-vpc", "--name", "ok", "--azs", "2")).code, 0);
    assert.ok(existsSync(path.join(cwd, "ok.json")) && !existsSync(path.join(cwd, "egress-plan.json")));
    const vpcId = readFileSync(path.join(cwd, "ok.json"), "utf8").match(/"(vpc-[0-9a-f]+)"/)![1];
    for (const argv of [["--plan", "ok.json", "audit", "--plan"], ["audit", "--plan", "ok.json"], ["audit", "--plan=ok.json"], ["--plan", "ok.json", "audit", "--plan", "ok.json"], ["--plan", "ok.json", "audit"]]) {
      const r = await run(...argv, "--format", "json");
      assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
      const doc = r.json();
      assert.equal(doc.scopes[0].vpcs, 1, argv.join(" "));
      assert.ok(doc.findings.every((f: any) => f.vpcId === vpcId), `${argv.join(" ")}: only ok.json's VPC`);
    }
    const twice = await run("--plan", "ok.json", "audit", "--plan", "other.json");
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /--plan given twice with different files \(ok\.json, other\.json\)/);
    // Bare --plan alone: the default plan file, which is not there.
    const none = await run("audit", "--plan");
    assert.equal(none.code, 2);
    assert.match(none.stderr, /egress-plan\.json does not exist/);
  });
});

describe("a scope's findings are about the scope", () => {
  test("pure: a snapshot scoped to VPCs keeps findings in them only and lists region-wide rules as not evaluated; a region-wide one evaluates them", () => {
    const broken = (scope?: object) =>
      good((x) => {
        x.addresses.push({ AllocationId: "eipalloc-idle", PublicIp: "198.51.100.9", Domain: "vpc" });
        x.vpcs.push({ VpcId: "vpc-other", CidrBlock: "10.10.0.0/16" });
        x.flowLogs = [];
        if (scope) x.scope = scope;
      });
    const ids = (a: ReturnType<typeof auditSnapshot>) => a.findings.map((f) => `${f.ruleId} ${f.resourceId}`).sort();
    const wide = auditSnapshot(broken({ vpcIds: "all" }), [...RULES], { source: "test" });
    assert.ok(ids(wide).includes("eip-unassociated eipalloc-idle"));
    assert.ok(ids(wide).includes("vpc-cidr-overlap vpc-good"));
    assert.ok(ids(wide).includes("vpc-no-flow-logs vpc-other"));
    assert.equal(wide.scope.vpcIds, undefined);
    assert.deepEqual(auditSnapshot(broken(), [...RULES], { source: "test" }).findings.length, wide.findings.length, "no scope recorded: region-wide");
    const one = auditSnapshot(broken({ vpcIds: ["vpc-good"] }), [...RULES], { source: "test" });
    assert.deepEqual(ids(one), ["vpc-no-flow-logs vpc-good"]);
    assert.deepEqual(one.scope.vpcIds, ["vpc-good"]);
    assert.deepEqual(one.scope.rulesRegionWide, RULES.filter((r) => r.regionWide).map((r) => r.id));
    assert.ok(one.scope.rulesRegionWide!.length >= 3);
  });

  test("audit --vpc <msk vpc> reports the MSK VPC's findings only: not the region's idle Elastic IP, nor other VPCs'", async () => {
    const { run, region } = await exampleSandbox("egress-audit-scope-");
    const vpcs = Object.values<any>(region().vpcs);
    const msk = vpcs.find((v) => v.Tags?.some((t: any) => t.Key === "Name" && t.Value === "msk")).VpcId;
    const r = await run("audit", "--vpc", msk, "--format", "json");
    const doc = r.json();
    assert.deepEqual(doc.findings.map((f: any) => `${f.severity} ${f.ruleId}`).sort(), ["high msk-esm-no-egress", "low vpc-no-flow-logs"]);
    assert.ok(doc.findings.every((f: any) => f.vpcId === msk));
    assert.deepEqual(doc.scopes[0].vpcIds, [msk]);
    // Rules about the whole region are not evaluated on one VPC (never passed): --all-vpcs evaluates them.
    assert.deepEqual([...doc.scopes[0].rulesRegionWide].sort(), ["cost-shared-egress", "eip-unassociated", "vpc-cidr-overlap"]);
    for (const id of doc.scopes[0].rulesRegionWide) assert.ok(doc.scopes[0].rulesNotEvaluated.includes(id));
    assert.equal(r.code, 3, "exit 3 on the MSK mapping (high), the scope's own finding");
    // Without the MSK mapping's high finding, the scope has nothing that fails: the idle EIP does not count.
    const low = await run("audit", "--vpc", msk, "--skip-rules", "msk-esm-no-egress", "--fail-on", "low", "--format", "json");
    assert.deepEqual(low.json().findings.map((f: any) => f.ruleId), ["vpc-no-flow-logs"]);
    const noFlow = await run("audit", "--vpc", msk, "--skip-rules", "msk-esm-no-egress,vpc-no-flow-logs", "--fail-on", "info");
    assert.equal(noFlow.code, 0, noFlow.stdout);
    assert.match(noFlow.stdout, new RegExp(`us-east-1 \\(${msk}\\)`), "the text report names the scope's VPCs");
    // The region-wide scope still reports the idle Elastic IP.
    const all = (await run("audit", "--all-vpcs", "--format", "json")).json();
    assert.ok(all.findings.some((f: any) => f.ruleId === "eip-unassociated"));
    assert.equal(all.scopes[0].vpcIds, undefined);
    // Two overlapping VPCs (S2's team-a/team-b): a scope of one of them cannot prove "no overlap" — JUnit
    // skips the rule with the reason instead of a passing case; the region-wide scope finds the overlap.
    const teamA = vpcs.find((v) => v.Tags?.some((t: any) => t.Key === "Name" && t.Value === "team-a")).VpcId;
    const { XMLParser } = await import("fast-xml-parser");
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (n) => ["testsuite", "testcase"].includes(n) }).parse((await run("audit", "--vpc", teamA, "--format", "junit")).stdout);
    const overlap = junit.testsuites.testsuite.find((x: any) => x["@name"] === "vpc-cidr-overlap").testcase;
    assert.equal(overlap.length, 1);
    assert.match(overlap[0].skipped["@message"], new RegExp(`a region-wide rule: the scope is ${teamA} \\(audit --all-vpcs evaluates it\\)`));
    const text = await run("audit", "--vpc", teamA);
    assert.match(text.stdout, /region-wide rules not evaluated in a VPC scope: .*vpc-cidr-overlap/);
    assert.ok(all.findings.some((f: any) => f.ruleId === "vpc-cidr-overlap" && f.vpcId === teamA));
    // A snapshot file taken of one VPC is audited as that VPC's scope too.
    assert.equal((await run("snapshot", "--vpc", msk, "--out", "msk.json")).code, 0);
    const off = (await run("audit", "--snapshot", "msk.json", "--format", "json")).json();
    assert.deepEqual(off.findings.map((f: any) => f.fingerprint).sort(), doc.findings.map((f: any) => f.fingerprint).sort());
  });
});

describe("--output/--out take a path, not a format", () => {
  test("audit --output json (a format word, no slash, no extension) exits 2 with 'did you mean --format json?'; snapshot --out shares the check; ./json is a file", async () => {
    const { run, cwd, sandbox } = await exampleSandbox("egress-audit-output-");
    const calls = sandbox.stats().calls;
    const cases: [string[], RegExp][] = [
      [["audit", "--all-vpcs", "--output", "json"], /--output json names a format, not a file: did you mean --format json\?/],
      [["audit", "--all-vpcs", "--output", "SARIF"], /did you mean --format sarif\?/],
      [["audit", "--all-vpcs", "--output", "md"], /did you mean --format markdown\?/],
      [["audit", "--all-vpcs", "--output", "xml"], /did you mean --format junit\?/],
      [["audit", "--all-vpcs", "--output", "csv"], /the formats are text, json, junit, sarif, markdown \(--format\)/],
      [["audit", "merge", "a.json", "--output", "junit"], /did you mean --format junit\?/],
      [["snapshot", "--out", "json"], /--out json names a format, not a file: this command writes one format; pass a file name/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv, "--json");
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(" "));
      assert.match(r.stderr, /a file by that name: --(output|out) \.\/\w+/);
      assert.equal(r.json().error.code, argv[0] === "snapshot" ? "OutputFileRefused" : "InvalidInput");
    }
    assert.equal(sandbox.stats().calls, calls, "refused before any AWS call");
    for (const f of ["json", "SARIF", "md", "xml", "csv", "junit"]) assert.ok(!existsSync(path.join(cwd, f)), `no file named ${f}`);
    // A path is a file, whatever its name.
    const ok = await run("audit", "--all-vpcs", "--output", "./json", "--fail-on", "none");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(readFileSync(path.join(cwd, "json"), "utf8"), /^egress-cli audit/);
    assert.equal((await run("audit", "--all-vpcs", "--output", "report.json", "--format", "json", "--fail-on", "none")).code, 0);
  });
});
