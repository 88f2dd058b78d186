// The audit's report formats on fixture snapshots: SARIF validated against the SARIF 2.1.0 JSON schema
// (ajv; the schema ships in @microsoft/jest-sarif), JUnit parsed by a real XML parser, Markdown
// against a golden file (Mermaid blocks with the failing path marked) and cut before GitHub's limit,
// JSON read back by parseReport / mergeReports.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, test } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { auditSnapshot, buildReport, mergeReports, parseReport, type AuditReport, type ScopeAudit } from "../src/analysis/audit.js";
import { RULES } from "../src/analysis/rules/index.js";
import type { Severity } from "../src/analysis/rules/types.js";
import { renderJunit } from "../src/output/audit-junit.js";
import { auditDiagrams, renderMarkdown } from "../src/output/audit-markdown.js";
import { renderSarif, SARIF_MAX_RESULTS_PER_RUN } from "../src/output/audit-sarif.js";
import { good } from "./audit-fixtures.js";

const require = createRequire(import.meta.url);
// CommonJS packages: their module.exports is the class / plugin (the ESM default-import typing does not say so).
const Ajv: typeof import("ajv-draft-04").default = require("ajv-draft-04");
const addFormats: typeof import("ajv-formats").default = require("ajv-formats");
const NOW = new Date("2026-12-01T00:00:00.000Z");

/** The fixture VPC with several problems: private subnet a without NAT, an open group, an idle EIP, a second account. */
function broken(accountId = "111111111111"): ScopeAudit {
  const snap = good((s) => {
    s.accountId = accountId;
    const t = s.routeTables.find((x: any) => x.RouteTableId === "rtb-priv-a");
    t.Routes = t.Routes.filter((r: any) => !r.NatGatewayId);
    s.securityGroups.find((g: any) => g.GroupId === "sg-app").IpPermissions.push({ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] });
    s.addresses.push({ AllocationId: "eipalloc-idle", PublicIp: "198.51.100.9", Domain: "vpc" });
    s.flowLogs = [];
  });
  return auditSnapshot(snap, [...RULES], { source: "snapshot fixture.json", accountId, region: "us-east-1" });
}

function report(audits: ScopeAudit[], failOn?: Severity): AuditReport {
  return buildReport({ scopes: audits.map((a) => a.scope), findings: audits.flatMap((a) => a.findings), rules: [...RULES], failOn, version: "0.1.0", now: NOW });
}

describe("audit reports", () => {
  test("SARIF validates against the SARIF 2.1.0 schema; every result has a physical location and its own fingerprint", () => {
    const schema = JSON.parse(readFileSync(path.join(path.dirname(require.resolve("@microsoft/jest-sarif/package.json")), "lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const audits = [broken(), broken("222222222222")];
    const lines = new Map([["i-app", 42]]);
    const { log, truncated } = renderSarif(report(audits), () => ({ uri: "snapshots/fixture.json", lines }));
    assert.equal(truncated, 0);
    const ok = validate(log);
    assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const runs = (log as any).runs;
    assert.equal(runs.length, 2, "one run per account + region");
    assert.deepEqual(runs.map((r: any) => r.automationDetails.id), ["egress-cli-audit/111111111111/us-east-1/", "egress-cli-audit/222222222222/us-east-1/"]);
    const results = runs.flatMap((r: any) => r.results);
    assert.ok(results.length >= 8);
    for (const r of results) {
      assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, "snapshots/fixture.json");
      assert.ok(r.locations[0].physicalLocation.region.startLine >= 1);
    }
    const fps = results.map((r: any) => r.partialFingerprints["egressCliFinding/v1"]);
    assert.equal(new Set(fps).size, fps.length, "distinct fingerprints");
    assert.equal(results.find((r: any) => r.ruleId === "workload-no-egress").locations[0].physicalLocation.region.startLine, 42);
    const rules = runs[0].tool.driver.rules;
    const sev = (id: string) => rules.find((r: any) => r.id === id).properties["security-severity"];
    assert.equal(sev("sg-open-all-ports"), "9.5");
    assert.equal(sev("sg-open-admin-ports"), "8.0");
    assert.equal(sev("workload-no-egress"), "5.5");
    assert.equal(sev("eip-unassociated"), "2.0");
    assert.equal(sev("cost-gateway-endpoint"), undefined);
    assert.ok(rules.every((r: any) => r.help.text.length > 10 && r.shortDescription.text));
    assert.match(rules.find((r: any) => r.id === "sg-open-admin-ports").help.markdown, /Prowler `ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22`/);
  });

  test("SARIF respects GitHub's 25,000 results per run", () => {
    const a = broken();
    const f = a.findings.find((x) => x.ruleId === "workload-no-egress")!;
    const many = Array.from({ length: SARIF_MAX_RESULTS_PER_RUN + 10 }, (_, i) => ({ ...f, resourceId: `eni-${i}`, fingerprint: `fp${i}` }));
    const { log, truncated } = renderSarif(report([{ ...a, findings: many }]), () => ({ uri: "x.json" }));
    assert.equal(truncated, 10);
    assert.equal((log as any).runs[0].results.length, SARIF_MAX_RESULTS_PER_RUN);
    assert.match((log as any).runs[0].invocations[0].toolExecutionNotifications[0].message.text, /10 results left out/);
  });

  const parseJunit = (xml: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => ["testsuite", "testcase"].includes(name) }).parse(xml);

  test("JUnit parses with a real XML parser: one test case per rule × resource, failures for open findings at or above --fail-on", () => {
    const r = report([broken()], "low");
    r.findings[0] = { ...r.findings[0]!, status: "suppressed", suppression: { tag: "egress-cli:audit-ignore=x", reason: "known <&> \"quoted\"" } };
    const xml = renderJunit(r);
    const doc = parseJunit(xml);
    const suites = doc.testsuites.testsuite;
    assert.equal(suites.length, RULES.length);
    const cases = suites.flatMap((s: any) => s.testcase);
    const failures = cases.filter((c: any) => c.failure);
    assert.equal(failures.length, r.findings.filter((f) => f.status === "open" && f.severity !== "info").length);
    assert.equal(Number(doc.testsuites["@failures"]), failures.length);
    const skipped = cases.find((c: any) => c.skipped);
    assert.equal(skipped.skipped["@message"], 'suppressed: known <&> "quoted"');
    const noEgress = suites.find((s: any) => s["@name"] === "workload-no-egress");
    assert.equal(noEgress.testcase[0]["@name"], "i-app (111111111111/us-east-1)");
    const passing = suites.find((s: any) => s["@name"] === "nat-no-eip");
    assert.equal(passing.testcase[0]["@name"], "111111111111/us-east-1: every resource");
    assert.equal(passing.testcase[0].failure, undefined);
  });

  test("JUnit failures equal the open findings at or above --fail-on, for every threshold; the rest pass with the finding in <system-out>", () => {
    const a = broken();
    const findings = [...a.findings];
    // A suppressed high finding never fails, whatever the threshold.
    const high = findings.findIndex((f) => f.severity === "high");
    findings[high] = { ...findings[high]!, status: "suppressed", suppression: { tag: "t", reason: "r" } };
    const severities = new Set(findings.filter((f) => f.status === "open").map((f) => f.severity));
    assert.ok(severities.size >= 3, `fixture spans several severities: ${[...severities]}`);
    for (const failOn of ["info", "low", "medium", "high", "critical", undefined] as const) {
      const r = buildReport({ scopes: [a.scope], findings, rules: [...RULES], failOn, version: "0.1.0", now: NOW });
      const rank = (s: string) => ["info", "low", "medium", "high", "critical"].indexOf(s);
      const expected = failOn ? r.findings.filter((f) => f.status === "open" && rank(f.severity) >= rank(failOn)).length : 0;
      const doc = parseJunit(renderJunit(r));
      const cases = doc.testsuites.testsuite.flatMap((s: any) => s.testcase);
      const failed = cases.filter((c: any) => c.failure);
      assert.equal(Number(doc.testsuites["@failures"]), expected, `--fail-on ${failOn ?? "none"}`);
      assert.equal(failed.length, expected);
      assert.equal(r.summary.failing, expected, "the summary (and so the exit code) agrees");
      assert.equal(doc.testsuites.testsuite.reduce((n: number, s: any) => n + Number(s["@failures"]), 0), expected, "suite counts add up");
      for (const c of failed) assert.ok(rank(c.failure["@type"]) >= rank(failOn!), `${c["@name"]}: ${c.failure["@type"]} fails at ${failOn}`);
      const below = r.findings.filter((f) => f.status === "open").length - expected;
      const reported = cases.filter((c: any) => typeof c["system-out"] === "string" && /below --fail-on/.test(c["system-out"]));
      assert.equal(reported.length, below, "every open finding below the threshold is a passing case that still shows it");
      for (const c of reported) {
        assert.equal(c.failure, undefined);
        assert.match(c["system-out"], new RegExp(`^(info|low|medium|high|critical) finding, below --fail-on ${failOn ?? "none"}: [\\s\\S]+\\nfix: `));
      }
    }
  });

  test("SARIF levels follow the severity whatever --fail-on says; baselined findings are left out, suppressed ones carry suppressions", () => {
    const a = broken();
    const findings = a.findings.map((f, i) => (i === 0 ? { ...f, status: "suppressed" as const, suppression: { tag: "t", reason: "r" } } : f));
    const base = new Set([findings[1]!.fingerprint]);
    const levels = (failOn?: "low" | "critical") => {
      const r = buildReport({ scopes: [a.scope], findings, rules: [...RULES], failOn, baseline: base, version: "0.1.0", now: NOW });
      const { log } = renderSarif(r, () => ({ uri: "x.json" }));
      const results = (log as any).runs.flatMap((x: any) => x.results);
      assert.equal(results.length, r.findings.filter((f) => f.status !== "baseline").length);
      assert.ok(!results.some((x: any) => x.partialFingerprints["egressCliFinding/v1"] === findings[1]!.fingerprint), "baselined: not in the SARIF");
      assert.equal(results.filter((x: any) => x.suppressions).length, 1);
      const want: Record<string, string> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };
      for (const x of results) assert.equal(x.level, want[x.properties.severity]);
      return results.map((x: any) => `${x.ruleId} ${x.level}`);
    };
    assert.deepEqual(levels("low"), levels("critical"));
  });

  test("Markdown golden: summary table, findings, a Mermaid diagram per VPC with the failing path marked", () => {
    const a = broken();
    const r = report([a], "high");
    const md = renderMarkdown(r, auditDiagrams(r, [a]));
    const golden = path.join(import.meta.dirname, "fixtures", "audit-report.md");
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, md);
    assert.equal(md, readFileSync(golden, "utf8"));
    assert.match(md, /\| 🟧 high \| 2 \|/);
    const blocks = md.match(/```mermaid\n[\s\S]*?\n```/g) ?? [];
    assert.equal(blocks.length, 1);
    assert.match(blocks[0]!, /^```mermaid\nflowchart /);
    assert.match(blocks[0]!, /not reachable \(NO_ROUTE_TO_DESTINATION at rtb-priv-a\)/);
    assert.match(blocks[0]!, /linkStyle \d+/);
  });

  test("Markdown is cut with a note before GitHub's 65,536-character comment limit", () => {
    const a = broken();
    const f = a.findings.find((x) => x.ruleId === "workload-no-egress")!;
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...f, resourceId: `eni-${String(i).padStart(5, "0")}`, fingerprint: `fp${i}` }));
    const r = report([{ ...a, findings: many }]);
    const md = renderMarkdown(r, auditDiagrams(r, [a]));
    assert.ok(md.length < 65_536, `${md.length}`);
    assert.match(md, /Cut to stay under GitHub's 65,536-character comment limit: \d+ finding\(s\) and 1 diagram\(s\) left out/);
  });

  test("JSON reads back (parseReport) and merges; foreign documents are refused with what they are", () => {
    const r = JSON.parse(JSON.stringify(report([broken()], "high")));
    assert.deepEqual(parseReport(r), r);
    const m = mergeReports([r, JSON.parse(JSON.stringify(report([broken("222222222222")])))], { version: "0.1.0", now: NOW });
    assert.equal(m.scopes.length, 2);
    assert.equal(m.failOn, "high");
    assert.equal(m.summary.failing, 2 * r.summary.failing);
    assert.throws(() => parseReport({ version: 1, takenAt: "x", region: "r", accountId: "a" }), /this is a snapshot, not an audit report/);
    assert.throws(() => parseReport({ schema: "other" }), /not an egress-cli audit report/);
    assert.throws(() => parseReport({ ...r, findings: [{ ruleId: 1 }] }), /invalid audit report: findings\.0/);
  });
});
