// The audit report for a terminal: findings grouped by severity (most severe first), each with its
// resource, the blocking component, and the fix; then failed scopes and the summary. Colour comes
// from the Colors the command passes (off when stdout is not a TTY).
import type { Colors } from "./color.js";
import type { AuditReport } from "../analysis/audit.js";
import { SEVERITIES, type Severity } from "../analysis/rules/types.js";

/** Several lines at once (a blank line and a heading). */
const lines = (...l: string[]) => l;

const paint = (c: Colors, s: Severity) => ({ critical: c.bgRed.white.bold, high: c.red.bold, medium: c.yellow, low: c.cyan, info: c.gray })[s];

export function renderAuditText(r: AuditReport, c: Colors): string {
  return [...auditTextLines(r, c)].join("\n");
}

/** The report's lines one at a time (a large report is written as it is made, never one string). */
export function* auditTextLines(r: AuditReport, c: Colors): Generator<string> {
  const ok = r.scopes.filter((s) => s.status === "ok");
  yield c.bold(`egress-cli audit · ${ok.length} scope(s)${ok.length ? `: ${ok.map((s) => `${s.id}${s.vpcIds ? ` (${s.vpcIds.join(", ")})` : ""}`).join(", ")}` : ""}`);
  for (const sev of [...SEVERITIES].reverse()) {
    const fs = r.findings.filter((f) => f.severity === sev);
    if (!fs.length) continue;
    yield* lines("", paint(c, sev)(`${sev.toUpperCase()} (${fs.length})`));
    for (const f of fs) {
      const tag = f.status === "open" ? "" : c.gray(f.status === "suppressed" ? ` [suppressed: ${f.suppression?.reason}]` : " [in baseline]");
      yield `  ${paint(c, sev)("●")} ${c.bold(f.ruleId)} ${f.resourceId}${f.vpcId && f.vpcId !== f.resourceId ? c.gray(` (${f.vpcId}, ${f.region})`) : c.gray(` (${f.region})`)}${tag}`;
      yield `    ${f.message}`;
      const b = f.evidence.blocking;
      if (b) yield c.gray(`    blocked at ${b.id}: ${b.code}`);
      if (f.evidence.hops?.length) yield c.gray(`    path: ${f.evidence.path?.from ?? "?"} → ${f.evidence.hops.map((h) => h.id).join(" → ")}${f.evidence.path ? ` ⇢ ${f.evidence.path.to}` : ""}`);
      yield `    fix: ${c.green(f.fix)}`;
    }
  }
  const failed = r.scopes.filter((s) => s.status === "failed");
  if (failed.length) {
    yield* lines("", c.red.bold(`FAILED SCOPES (${failed.length})`));
    for (const s of failed) yield `  ✗ ${s.id} (${s.source}): ${s.error?.code}: ${s.error?.message}`;
  }
  for (const s of ok) if (s.rulesRegionWide?.length) yield c.gray(`  ${s.id}: region-wide rules not evaluated in a VPC scope: ${s.rulesRegionWide.join(", ")} (audit --all-vpcs evaluates them)`);
  for (const s of ok) if (s.omitted.length) yield c.yellow(`  ${s.id}: not collected: ${s.omitted.join(", ")}${s.rulesNotEvaluated.some((r) => !s.rulesRegionWide?.includes(r)) ? `; rules not evaluated: ${s.rulesNotEvaluated.filter((r) => !s.rulesRegionWide?.includes(r)).join(", ")}` : ""}`);
  const counts = SEVERITIES.slice().reverse().map((s) => `${r.summary.open[s]} ${s}`).join(", ");
  yield* lines("", `Open: ${counts}; suppressed ${r.summary.suppressed}; in baseline ${r.summary.baseline}${r.summary.monthlySavings ? `; savings found ${r.summary.monthlySavings.toFixed(2)} USD/month` : ""}${r.failOn ? `; ${r.summary.failing} at or above --fail-on ${r.failOn}` : ""}.`);
}
