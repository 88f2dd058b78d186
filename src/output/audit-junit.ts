// JUnit XML for CI test reports: one <testsuite> per rule, one <testcase> per rule × resource
// (a <failure> for an open finding at or above the report's --fail-on, a passing case with the
// finding in <system-out> for one below it, <skipped> for a suppressed or baselined one) and, for a
// rule with no finding in a scope, one passing test case per scope. Failed scopes are an <error>
// case. So `failures` is exactly what makes the exit code 3, and CI reporters agree with it.
// Pure: the report in, XML text out.
import { failsAt, type AuditReport } from "../analysis/audit.js";

export function xmlEscape(s: string): string {
  // Characters XML 1.0 forbids are dropped; the five specials escaped.
  return s.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

export function renderJunit(report: AuditReport): string {
  return [...junitChunks(report)].join("");
}

/**
 * The JUnit document as chunks, a test case at a time (a large report is never one string): the counts
 * in <testsuites> come first, so each rule's cases are worked out first and rendered as they are written.
 */
export function* junitChunks(report: AuditReport): Generator<string> {
  const a = (s: string) => xmlEscape(s);
  const okScopes = report.scopes.filter((s) => s.status === "ok");
  const suites: { rule: AuditReport["rules"][number]; cases: (() => string)[]; f: number; s: number }[] = [];
  let total = 0;
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  for (const rule of report.rules) {
    const cases: (() => string)[] = [];
    let f = 0;
    let s = 0;
    for (const x of report.findings.filter((y) => y.ruleId === rule.id)) {
      const name = () => `${x.resourceId} (${x.accountId}/${x.region})`;
      const detail = () => `${x.message}\n${x.evidence.blocking ? `blocked at ${x.evidence.blocking.id}: ${x.evidence.blocking.code}\n` : ""}fix: ${x.fix}`;
      if (failsAt(x, report.failOn)) {
        f++;
        cases.push(() => `    <testcase classname="${a(`egress-cli.audit.${rule.id}`)}" name="${a(name())}"><failure type="${a(x.severity)}" message="${a(x.message)}">${a(detail())}</failure></testcase>`);
      } else if (x.status === "open") {
        // Below the threshold (or --fail-on none): reported, not failed — as the exit code says.
        cases.push(() => `    <testcase classname="${a(`egress-cli.audit.${rule.id}`)}" name="${a(name())}"><system-out>${a(`${x.severity} finding, below --fail-on ${report.failOn ?? "none"}: ${detail()}`)}</system-out></testcase>`);
      } else {
        s++;
        cases.push(() => `    <testcase classname="${a(`egress-cli.audit.${rule.id}`)}" name="${a(name())}"><skipped message="${a(x.status === "suppressed" ? `suppressed: ${x.suppression?.reason ?? ""}` : "in baseline")}"/></testcase>`);
      }
    }
    for (const sc of okScopes) {
      if (sc.rulesNotEvaluated.includes(rule.id)) {
        s++;
        const why = sc.rulesRegionWide?.includes(rule.id) ? `a region-wide rule: the scope is ${sc.vpcIds?.join(", ")} (audit --all-vpcs evaluates it)` : `not collected: ${sc.omitted.join(", ")}`;
        cases.push(() => `    <testcase classname="${a(`egress-cli.audit.${rule.id}`)}" name="${a(`${sc.id}: not evaluated`)}"><skipped message="${a(why)}"/></testcase>`);
      } else if (!report.findings.some((y) => y.ruleId === rule.id && `${y.accountId}/${y.region}` === sc.id)) {
        cases.push(() => `    <testcase classname="${a(`egress-cli.audit.${rule.id}`)}" name="${a(`${sc.id}: every resource`)}"/>`);
      }
    }
    total += cases.length;
    failures += f;
    skipped += s;
    suites.push({ rule, cases, f, s });
  }
  const failed = report.scopes.filter((s) => s.status === "failed");
  if (failed.length) {
    errors = failed.length;
    total += failed.length;
  }
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="egress-cli audit" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n`;
  for (const [i, { rule, cases, f, s }] of suites.entries()) {
    if (i) yield "\n";
    yield `  <testsuite name="${a(rule.id)}" tests="${cases.length}" failures="${f}" errors="0" skipped="${s}">\n    <properties><property name="severity" value="${a(rule.severity)}"/><property name="title" value="${a(rule.title)}"/></properties>\n`;
    for (const [j, c] of cases.entries()) yield j ? `\n${c()}` : c();
    yield "\n  </testsuite>";
  }
  if (failed.length) {
    if (suites.length) yield "\n";
    yield `  <testsuite name="scopes" tests="${failed.length}" failures="0" errors="${failed.length}" skipped="0">\n${failed.map((s) => `    <testcase classname="egress-cli.audit.scope" name="${a(s.id)}"><error type="${a(s.error?.code ?? "Error")}" message="${a(s.error?.message ?? "")}"/></testcase>`).join("\n")}\n  </testsuite>`;
  }
  yield "\n</testsuites>\n";
}
