// Markdown for a pull-request comment: a summary table, failed scopes, findings by severity (with
// the blocking component and the fix), then a Mermaid diagram per VPC with findings, its failing
// paths marked (src/output/diagram.ts). Cut with a note before GitHub's 65,536-character comment
// limit: diagrams go first, then findings. Pure: the report and the diagrams in, text out.
import type { AuditReport, ReportFinding, ScopeAudit } from "../analysis/audit.js";
import { renderDiagram } from "./diagram.js";
import { SEVERITIES } from "../analysis/rules/types.js";

export const GITHUB_COMMENT_LIMIT = 65_536;

export interface VpcDiagram {
  vpcId: string;
  title: string;
  mermaid: string;
}

const ICON: Record<string, string> = { critical: "🟥", high: "🟧", medium: "🟨", low: "🟦", info: "⬜" };
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function findingLine(f: ReportFinding): string {
  const b = f.evidence.blocking;
  const status = f.status === "suppressed" ? ` _(suppressed: ${cell(f.suppression?.reason ?? "")})_` : f.status === "baseline" ? " _(in baseline)_" : "";
  return `| ${ICON[f.severity]} ${f.severity} | \`${f.ruleId}\` | \`${f.resourceId}\`${f.vpcId && f.vpcId !== f.resourceId ? ` in \`${f.vpcId}\`` : ""} | ${cell(f.message)}${b ? ` Blocked at \`${b.id}\` (${b.code}).` : ""}${status} | \`${cell(f.fix)}\` |`;
}

/** Diagrams drawn when asked for: the comment's limit is often reached first (10,000 findings leave room for none). */
export interface DiagramSource {
  count: number;
  at(i: number): VpcDiagram;
}

export function renderMarkdown(report: AuditReport, diagrams: VpcDiagram[] | DiagramSource, limit = GITHUB_COMMENT_LIMIT): string {
  const source: DiagramSource = Array.isArray(diagrams) ? { count: diagrams.length, at: (i) => diagrams[i]! } : diagrams;
  const head: string[] = [];
  head.push("## egress-cli audit", "");
  const ok = report.scopes.filter((s) => s.status === "ok");
  head.push(`${ok.length} scope(s) audited${ok.length ? `: ${ok.map((s) => `\`${s.id}\``).join(", ")}` : ""}${report.failOn ? ` · fail on **${report.failOn}** and above: **${report.summary.failing}** finding(s)` : ""}.`, "");
  head.push("| severity | open |", "|---|---:|");
  for (const s of [...SEVERITIES].reverse()) head.push(`| ${ICON[s]} ${s} | ${report.summary.open[s]} |`);
  head.push(`| suppressed | ${report.summary.suppressed} |`, `| in baseline | ${report.summary.baseline} |`);
  if (report.summary.monthlySavings) head.push("", `Savings found by the cost rules: **${report.summary.monthlySavings.toFixed(2)} USD/month**.`);
  const failed = report.scopes.filter((s) => s.status === "failed");
  if (failed.length) {
    head.push("", "### Failed scopes", "");
    for (const s of failed) head.push(`- \`${s.id}\` (${s.source}): ${s.error?.code}: ${cell(s.error?.message ?? "")}`);
  }
  const findings = report.findings;
  const rows = findings.map(findingLine);
  const tableHead = ["", "### Findings", "", "| severity | rule | resource | finding | fix |", "|---|---|---|---|---|"];
  const block = (d: VpcDiagram) => ["", "", `### ${d.title}`, "", "```mermaid", d.mermaid.trimEnd(), "```"].join("\n");
  const note = (rowsLeft: number, diagramsLeft: number) => `\n\n> ✂️ Cut to stay under GitHub's ${limit.toLocaleString("en-US")}-character comment limit: ${rowsLeft} finding(s) and ${diagramsLeft} diagram(s) left out. The full report: \`egress-cli audit --format json\`.\n`;
  let out = head.join("\n");
  if (!findings.length) out += "\n\nNo findings.";
  const reserve = note(99999, 99999).length;
  let keptRows = 0;
  if (rows.length) {
    out += "\n" + tableHead.join("\n");
    for (const r of rows) {
      if (out.length + r.length + 1 + reserve > limit) break;
      out += `\n${r}`;
      keptRows++;
    }
  }
  let keptDiagrams = 0;
  if (keptRows === rows.length) {
    for (let i = 0; i < source.count; i++) {
      const b = block(source.at(i));
      if (out.length + b.length + reserve > limit) break;
      out += b;
      keptDiagrams++;
    }
  }
  if (keptRows < rows.length || keptDiagrams < source.count) out += note(rows.length - keptRows, source.count - keptDiagrams);
  else out += "\n";
  return out;
}

/** One Mermaid diagram per VPC with open findings, its failing paths marked. */
export function auditDiagrams(report: AuditReport, audits: ScopeAudit[]): VpcDiagram[] {
  const source = auditDiagramSource(report, audits);
  return Array.from({ length: source.count }, (_, i) => source.at(i));
}

/** The same diagrams, each drawn only when asked for (the VPCs and their order worked out at once). */
export function auditDiagramSource(report: AuditReport, audits: ScopeAudit[]): DiagramSource {
  const todo: { a: ScopeAudit; vpcId: string }[] = [];
  for (const a of audits) {
    const inSnapshot = new Set(a.snapshot.vpcs.map((v) => v.VpcId));
    const vpcIds = [...new Set(report.findings.filter((f) => f.status === "open" && f.vpcId && f.accountId === a.snapshot.accountId && f.region === a.snapshot.region).map((f) => f.vpcId!))].sort();
    for (const vpcId of vpcIds) if (inSnapshot.has(vpcId)) todo.push({ a, vpcId });
  }
  return { count: todo.length, at: (i) => diagramOf(todo[i]!.a, todo[i]!.vpcId) };
}

function diagramOf(a: ScopeAudit, vpcId: string): VpcDiagram {
  const failing = a.findings.filter((f) => f.vpcId === vpcId && f.pathResult && f.pathResult.verdict === "unreachable" && f.status === "open");
  const runs = failing.flatMap((f) => f.pathResult!.paths?.filter((p) => p.verdict === "unreachable") ?? [{ ...f.pathResult!, source: f.pathResult!.source }]);
  const first = failing[0];
  const path = first
    ? { from: first.pathFrom ?? first.pathResult!.source.id, to: first.pathResult!.destination, result: { ...first.pathResult!, paths: runs.map((r) => ({ source: r.source, reachable: r.reachable, verdict: r.verdict, unknownReasons: r.unknownReasons, hops: r.hops, explanations: r.explanations, additionalDetails: r.additionalDetails })) } }
    : undefined;
  const name = a.snapshot.vpcs.find((v) => v.VpcId === vpcId)?.Tags?.find((t) => t.Key === "Name")?.Value;
  return { vpcId, title: `${vpcId}${name ? ` (${name})` : ""} · ${a.snapshot.region}${failing.length ? ` · ${failing.length} failing path(s) marked` : ""}`, mermaid: renderDiagram(a.snapshot, { format: "mermaid", vpcIds: [vpcId], path }) };
}
