// SARIF 2.1.0 for GitHub code scanning: one run per scope (account + region, its
// runAutomationDetails.id), every rule with help text and a security-severity score, every result
// with a physical location (the anchor file: the plan, the snapshot, or --sarif-anchor; line of the
// resource id when the command found it there) and its own partialFingerprints (rule + resource).
// GitHub accepts at most 25,000 results per run: beyond that the run is cut with a notification.
// Pure: the report and the anchor in, a SARIF log object out.
import type { AuditReport, ReportFinding } from "../analysis/audit.js";
import type { Severity } from "../analysis/rules/types.js";

export const SARIF_MAX_RESULTS_PER_RUN = 25_000;
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** GitHub maps security-severity to critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
export const SECURITY_SEVERITY: Record<Severity, string | undefined> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0", info: undefined };
const LEVEL: Record<Severity, "error" | "warning" | "note"> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };

export interface SarifAnchor {
  /** Repository-relative path (forward slashes) every result points at. */
  uri: string;
  /** Resource id → 1-based line where it first appears in the anchor file. */
  lines?: Map<string, number>;
}

/** `anchorFor(accountId/region)`: the file a scope's results point at. */
export function renderSarif(report: AuditReport, anchorFor: (scopeKey: string) => SarifAnchor): { log: object; truncated: number } {
  const scopes = report.scopes.filter((s) => s.status === "ok");
  const keys = new Set(scopes.map((s) => `${s.accountId}/${s.region}`));
  for (const f of report.findings) keys.add(`${f.accountId}/${f.region}`);
  const rules = report.rules.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale },
    help: { text: r.help, markdown: `${r.help}\n\n${equivalentsText(r.equivalents)}`.trim() },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ["network", "aws", "egress", ...(r.id.startsWith("cost-") ? ["cost"] : ["security"])], ...(SECURITY_SEVERITY[r.severity] ? { "security-severity": SECURITY_SEVERITY[r.severity] } : {}), severity: r.severity, ...r.equivalents },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  let truncated = 0;
  const runs = [...keys].sort().map((key) => {
    const [accountId, region] = key.split("/");
    const all = report.findings.filter((f) => f.accountId === accountId && f.region === region && f.status !== "baseline");
    const kept = all.slice(0, SARIF_MAX_RESULTS_PER_RUN);
    const anchor = anchorFor(key);
    truncated += all.length - kept.length;
    return {
      tool: { driver: { name: "egress-cli", informationUri: "https://github.com/egress-cli/egress-cli", semanticVersion: report.tool.version, version: report.tool.version, rules } },
      automationDetails: { id: `egress-cli-audit/${accountId}/${region}/` },
      originalUriBaseIds: { SRCROOT: { uri: "file:///" } },
      artifacts: [{ location: { uri: anchor.uri, uriBaseId: "%SRCROOT%" } }],
      invocations: [
        {
          executionSuccessful: true,
          ...(all.length > kept.length
            ? { toolExecutionNotifications: [{ level: "warning", message: { text: `${all.length - kept.length} results left out: GitHub code scanning accepts at most ${SARIF_MAX_RESULTS_PER_RUN} results per run (see the JSON report for all).` } }] }
            : {}),
        },
      ],
      results: kept.map((f) => result(f, ruleIndex.get(f.ruleId), anchor)),
      properties: { accountId, region },
    };
  });
  // runAutomationDetails is `automationDetails` in the 2.1.0 object model.
  return { log: { $schema: SARIF_SCHEMA_URI, version: "2.1.0", runs }, truncated };
}

/**
 * The 1-based line of the first `"id"` in a JSON text, for each id found: one pass over the text (each
 * stretch between two quotes looked up), not a search and a count of the lines before it per id (at
 * 10,000 findings on a 100 MB snapshot, hours). An id JSON would escape is searched for as before.
 */
export function firstLines(text: string, ids: string[]): Map<string, number> {
  const lines = new Map<string, number>();
  const plain = new Set(ids.filter((id) => JSON.stringify(id) === `"${id}"`));
  const lengths = new Set([...plain].map((id) => id.length));
  let line = 1;
  let counted = 0;
  const lineAt = (i: number) => {
    for (; counted < i; counted++) if (text.charCodeAt(counted) === 10) line++;
    return line;
  };
  for (let p = text.indexOf('"'); p >= 0 && lines.size < plain.size; ) {
    const q = text.indexOf('"', p + 1);
    if (q < 0) break;
    if (lengths.has(q - p - 1)) {
      const s = text.slice(p + 1, q);
      if (plain.has(s) && !lines.has(s)) lines.set(s, lineAt(p));
    }
    p = q;
  }
  for (const id of ids) {
    if (plain.has(id)) continue;
    const i = text.indexOf(JSON.stringify(id));
    if (i >= 0) lines.set(id, text.slice(0, i).split("\n").length);
  }
  return lines;
}

function equivalentsText(e: AuditReport["rules"][number]["equivalents"]): string {
  const parts = [e.prowler && `Prowler \`${e.prowler}\``, e.steampipe && `Steampipe \`${e.steampipe}\``, e.checkov && `Checkov \`${e.checkov}\``].filter(Boolean);
  return parts.length ? `Equivalent single-resource checks: ${parts.join(", ")}.` : "";
}

function result(f: ReportFinding, ruleIndex: number | undefined, anchor: SarifAnchor) {
  const line = anchor.lines?.get(f.resourceId) ?? (f.vpcId ? anchor.lines?.get(f.vpcId) : undefined) ?? 1;
  const b = f.evidence.blocking;
  return {
    ruleId: f.ruleId,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level: LEVEL[f.severity],
    message: { text: `${f.message}${b ? ` Blocked at ${b.id} (${b.code}).` : ""} Fix: ${f.fix}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: anchor.uri, uriBaseId: "%SRCROOT%", index: 0 }, region: { startLine: line } },
        logicalLocations: [{ name: f.resourceId, fullyQualifiedName: `${f.accountId}/${f.region}/${f.vpcId ? `${f.vpcId}/` : ""}${f.resourceId}`, kind: "resource" }],
      },
    ],
    partialFingerprints: { "egressCliFinding/v1": f.fingerprint },
    ...(f.status === "suppressed" ? { suppressions: [{ kind: "external", status: "accepted", justification: f.suppression?.reason ?? "" }] } : {}),
    properties: { severity: f.severity, resourceType: f.resourceType, accountId: f.accountId, region: f.region, ...(f.vpcId ? { vpcId: f.vpcId } : {}), ...(SECURITY_SEVERITY[f.severity] ? { "security-severity": SECURITY_SEVERITY[f.severity] } : {}) },
  };
}
