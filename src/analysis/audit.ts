// The audit: runs the rules over each scope's snapshot, applies suppressions (the
// `egress-cli:audit-ignore` tag) and a baseline, and builds the report document — the stable JSON
// that `--format json` prints and `--baseline` / `audit merge` read back. Pure: snapshots in, a
// report out; the command does the AWS calls and the files.
import { createHash } from "node:crypto";
import * as z from "zod";
import { analyzePath, type PathResult, type Verdict } from "./analyzer.js";
import { buildIndex, type SnapshotIndex } from "./snapshot-index.js";
import type { Snapshot, Tag } from "./snapshot.js";
import { RULES, RULES_BY_ID } from "./rules/index.js";
import { SEVERITIES, severityRank, type AuditContext, type Finding, type Rule, type Severity } from "./rules/types.js";

export const REPORT_SCHEMA = "egress-cli/audit-report" as const;
export const REPORT_VERSION = 1 as const;
export const IGNORE_TAG = "egress-cli:audit-ignore";
export const IGNORE_REASON_TAG = "egress-cli:audit-ignore-reason";

export type FindingStatus = "open" | "suppressed" | "baseline";

export interface ReportFinding {
  /** Stable identity: sha-256 of rule id + account + region + resource id (SARIF partialFingerprints, baselines). */
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  title: string;
  accountId: string;
  region: string;
  vpcId?: string;
  resourceId: string;
  resourceType: string;
  message: string;
  evidence: Finding["evidence"];
  fix: string;
  monthlySavings?: number;
  equivalents: Rule["equivalents"];
  status: FindingStatus;
  suppression?: { tag: string; reason: string };
}

export interface ScopeReport {
  /** `${accountId}/${region}` or the scope's label when it failed before knowing them. */
  id: string;
  accountId?: string;
  region?: string;
  profile?: string;
  source: string;
  status: "ok" | "failed";
  error?: { code: string; message: string };
  vpcs?: number;
  /** The VPCs a VPC scope (--vpc, --plan) was about; absent for a region-wide scope (--all-vpcs). */
  vpcIds?: string[];
  /** Resource types the snapshot could not read, and the rules that were therefore not evaluated. */
  omitted: string[];
  rulesNotEvaluated: string[];
  /** A VPC scope: the region-wide rules it did not evaluate (also in rulesNotEvaluated); --all-vpcs does. */
  rulesRegionWide?: string[];
}

export interface AuditReport {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  generatedAt: string;
  tool: { name: "egress-cli"; version: string };
  failOn?: Severity;
  rules: { id: string; severity: Severity; title: string; rationale: string; help: string; equivalents: Rule["equivalents"] }[];
  scopes: ScopeReport[];
  findings: ReportFinding[];
  summary: {
    open: Record<Severity, number>;
    suppressed: number;
    baseline: number;
    failedScopes: number;
    /** Open findings at or above failOn. */
    failing: number;
    monthlySavings: number;
  };
}

export interface AuditOptions {
  /** Only these rule ids (validated by the caller against RULES_BY_ID). */
  rules?: string[];
  skipRules?: string[];
}

/** Rule ids that do not exist (the command turns them into exit 2). */
export function unknownRuleIds(ids: string[]): string[] {
  return ids.filter((id) => !RULES_BY_ID.has(id));
}

export function selectRules(opts: AuditOptions): Rule[] {
  return RULES.filter((r) => (!opts.rules?.length || opts.rules.includes(r.id)) && !opts.skipRules?.includes(r.id));
}

export function fingerprintOf(ruleId: string, accountId: string, region: string, resourceId: string): string {
  return createHash("sha256").update(`${ruleId}|${accountId}|${region}|${resourceId}`).digest("hex").slice(0, 32);
}

/** Findings of one snapshot, in memory (PathResult kept for diagrams). */
export interface ScopeAudit {
  scope: ScopeReport;
  findings: (ReportFinding & { pathResult?: Finding["pathResult"]; pathFrom?: string })[];
  snapshot: Snapshot;
  /** Analyzer runs (distinct path keys) — what "once per subnet and group set" means in numbers. */
  pathAnalyses: number;
}

const addressTags = new WeakMap<SnapshotIndex, Map<string, Tag[] | undefined>>();

function tagsOfResource(ix: SnapshotIndex, id: string): Tag[] | undefined {
  let addrs = addressTags.get(ix);
  if (!addrs) addressTags.set(ix, (addrs = new Map(ix.snapshot.addresses.map((a) => [a.AllocationId ?? a.PublicIp ?? "", a.Tags]))));
  const byArn = ix.lambdaFunctions.get(id);
  if (byArn) return Object.entries((byArn as { Tags?: Record<string, string> }).Tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  return (
    ix.instances.get(id)?.Tags ??
    ix.vpcs.get(id)?.Tags ??
    ix.subnets.get(id)?.Tags ??
    ix.natGateways.get(id)?.Tags ??
    ix.securityGroups.get(id)?.group.Tags ??
    ix.vpcEndpoints.get(id)?.Tags ??
    ix.networkAcls.get(id)?.acl.Tags ??
    ix.routeTables.get(id.split("/")[0]!)?.table.Tags ??
    (() => {
      const e = ix.networkInterfaces.get(id);
      return e ? (e.TagSet ?? e.Tags) : undefined;
    })() ??
    addrs.get(id)
  );
}

/** `egress-cli:audit-ignore=rule-a,rule-b` (or `*`) with an optional `egress-cli:audit-ignore-reason`. */
export function suppressionFor(tags: Tag[] | undefined, ruleId: string): { tag: string; reason: string } | undefined {
  const v = tags?.find((t) => t.Key === IGNORE_TAG)?.Value;
  if (!v) return undefined;
  const ids = v.split(/[,\s]+/).filter(Boolean);
  if (!ids.includes(ruleId) && !ids.includes("*")) return undefined;
  return { tag: `${IGNORE_TAG}=${v}`, reason: tags?.find((t) => t.Key === IGNORE_REASON_TAG)?.Value ?? "(no reason given: add an egress-cli:audit-ignore-reason tag)" };
}

/**
 * Full path results held at once: the latest key's, which the rule that asked reads next. Verdicts are
 * kept for every key (a few bytes each); a result asked for again later is computed again (the analysis
 * is pure: same index, same query, same result). Holding every result held ~8 KB a key (400 MB for the
 * 52,000 keys of the 10× bench account, most of them reachable and never read again), and even a
 * window of 64 kept each long enough to be promoted to V8's old generation (~230 MB more garbage
 * there before a collection).
 */
export const RESULTS_KEPT = 1;

/** Runs the selected rules over one snapshot. */
export function auditSnapshot(
  snapshot: Snapshot,
  rules: Rule[],
  scope: Omit<ScopeReport, "omitted" | "rulesNotEvaluated" | "status" | "id"> & { omitted?: string[] },
  opts: { paths?: boolean } = {},
): ScopeAudit {
  const ix = buildIndex(snapshot);
  const omitted = [...new Set([...(scope.omitted ?? []), ...(((snapshot as { omitted?: { resource: string }[] }).omitted ?? []).map((o) => o.resource))])].sort();
  // Every key's verdict, and the full result of the latest key only (RESULTS_KEPT).
  const verdicts = new Map<string, Verdict>();
  const results = new Map<string, PathResult>();
  const keep = (k: string, r: PathResult) => {
    results.delete(k);
    results.set(k, r);
    if (results.size > RESULTS_KEPT) results.delete(results.keys().next().value!);
  };
  const ctx: AuditContext = {
    ix,
    region: snapshot.region,
    accountId: snapshot.accountId,
    egress(key, source, destination, port = 443) {
      const k = `${key}|${destination}|${port}`;
      const analyze = () => {
        const r = analyzePath(ix, { source, destination, port, protocol: "tcp" });
        keep(k, r);
        return r;
      };
      let verdict = verdicts.get(k);
      if (!verdict) verdicts.set(k, (verdict = analyze().verdict));
      return {
        reachable: verdict === "reachable",
        verdict,
        get result() {
          return results.get(k) ?? analyze();
        },
      };
    },
  };
  // A snapshot of some VPCs (--vpc, --plan) is audited for those VPCs: a finding counts only when it
  // is in or attached to one of them. Region-level findings (an idle Elastic IP is in no VPC) belong
  // to a region-wide scope (--all-vpcs), as do resources the scope's snapshot merely sees.
  const scoped = (snapshot as { scope?: { vpcIds?: string[] | "all" } }).scope?.vpcIds;
  const scopeVpcs = Array.isArray(scoped) ? new Set(scoped) : undefined;
  const notEvaluated: string[] = [];
  const regionWide: string[] = [];
  const findings: ScopeAudit["findings"] = [];
  for (const rule of rules) {
    if (rule.needs.some((n) => omitted.includes(n))) {
      notEvaluated.push(rule.id);
      continue;
    }
    if (scopeVpcs && rule.regionWide) {
      notEvaluated.push(rule.id);
      regionWide.push(rule.id);
      continue;
    }
    for (const raw of rule.check(ctx)) {
      if (scopeVpcs && !(raw.vpcId && scopeVpcs.has(raw.vpcId))) continue;
      const suppression = suppressionFor(tagsOfResource(ix, raw.resourceId), rule.id);
      const { severity, pathResult, pathFrom, ...rest } = raw;
      findings.push({
        fingerprint: fingerprintOf(rule.id, snapshot.accountId, snapshot.region, raw.resourceId),
        ruleId: rule.id,
        severity: severity ?? rule.severity,
        title: rule.title,
        accountId: snapshot.accountId,
        region: snapshot.region,
        ...rest,
        equivalents: rule.equivalents,
        status: suppression ? "suppressed" : "open",
        ...(suppression ? { suppression } : {}),
        // only the Markdown report's diagrams draw a path: otherwise it is not kept (one per finding)
        ...(pathResult && opts.paths !== false ? { pathResult, pathFrom } : {}),
      });
    }
  }
  return {
    scope: { id: `${snapshot.accountId}/${snapshot.region}`, ...scope, omitted, rulesNotEvaluated: notEvaluated, status: "ok", vpcs: snapshot.vpcs.length, ...(scopeVpcs ? { vpcIds: [...scopeVpcs].sort(), rulesRegionWide: regionWide } : {}) },
    findings,
    snapshot,
    pathAnalyses: verdicts.size,
  };
}

const bySeverityThenId = (a: ReportFinding, b: ReportFinding) =>
  severityRank(b.severity) - severityRank(a.severity) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0) || (a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0);

/** Whether a finding fails the audit (exit 3, a JUnit <failure>): open and at or above failOn. */
export function failsAt(f: Pick<ReportFinding, "status" | "severity">, failOn: Severity | undefined): boolean {
  return Boolean(failOn) && f.status === "open" && severityRank(f.severity) >= severityRank(failOn!);
}

/** Assembles the report: sorted findings, baseline applied, summary against failOn. */
export function buildReport(input: {
  scopes: ScopeReport[];
  findings: ReportFinding[];
  rules: Rule[] | AuditReport["rules"];
  failOn?: Severity;
  baseline?: Set<string>;
  version: string;
  now: Date;
}): AuditReport {
  // Two scopes can see the same resource (two profiles into one account): one finding per fingerprint.
  const seen = new Set<string>();
  const findings = input.findings
    .filter((f) => !seen.has(f.fingerprint) && Boolean(seen.add(f.fingerprint)))
    .map(({ pathResult: _p, pathFrom: _f, ...f }: ReportFinding & { pathResult?: unknown; pathFrom?: unknown }) => (f.status === "open" && input.baseline?.has(f.fingerprint) ? { ...f, status: "baseline" as const } : f))
    .sort(bySeverityThenId);
  const open = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (f.status === "open") open[f.severity]++;
  const failOn = input.failOn;
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    generatedAt: input.now.toISOString(),
    tool: { name: "egress-cli", version: input.version },
    ...(failOn ? { failOn } : {}),
    rules: input.rules.map((r) => ({ id: r.id, severity: r.severity, title: r.title, rationale: r.rationale, help: r.help, equivalents: r.equivalents })),
    scopes: [...input.scopes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    findings,
    summary: {
      open,
      suppressed: findings.filter((f) => f.status === "suppressed").length,
      baseline: findings.filter((f) => f.status === "baseline").length,
      failedScopes: input.scopes.filter((s) => s.status === "failed").length,
      failing: findings.filter((f) => failsAt(f, failOn)).length,
      monthlySavings: Math.round(findings.filter((f) => f.status !== "suppressed").reduce((s, f) => s + (f.monthlySavings ?? 0), 0) * 100) / 100,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading reports back (--baseline, audit merge)

const SeverityZ = z.enum(SEVERITIES);
const ReportFindingZ = z.looseObject({
  fingerprint: z.string(),
  ruleId: z.string(),
  severity: SeverityZ,
  title: z.string(),
  accountId: z.string(),
  region: z.string(),
  vpcId: z.string().optional(),
  resourceId: z.string(),
  resourceType: z.string(),
  message: z.string(),
  evidence: z.looseObject({}),
  fix: z.string(),
  monthlySavings: z.number().optional(),
  equivalents: z.looseObject({}),
  status: z.enum(["open", "suppressed", "baseline"]),
  suppression: z.looseObject({ tag: z.string(), reason: z.string() }).optional(),
});
const ReportZ = z.looseObject({
  schema: z.literal(REPORT_SCHEMA),
  version: z.literal(REPORT_VERSION),
  generatedAt: z.string(),
  tool: z.looseObject({ name: z.string(), version: z.string() }),
  rules: z.array(z.looseObject({ id: z.string(), severity: SeverityZ, title: z.string(), rationale: z.string(), help: z.string(), equivalents: z.looseObject({}) })),
  scopes: z.array(z.looseObject({ id: z.string(), source: z.string(), status: z.enum(["ok", "failed"]), omitted: z.array(z.string()), rulesNotEvaluated: z.array(z.string()) })),
  findings: z.array(ReportFindingZ),
});

export class ReportError extends Error {}

/** Validates a parsed JSON value as an audit report (throws ReportError saying what is wrong). */
export function parseReport(value: unknown): AuditReport {
  if (value && typeof value === "object" && (value as { schema?: unknown }).schema !== REPORT_SCHEMA) {
    const v = value as { schema?: unknown; version?: unknown };
    throw new ReportError(v.version === 1 && "takenAt" in (value as object) ? "this is a snapshot, not an audit report (JSON from `egress-cli audit --format json`)" : `not an egress-cli audit report (schema ${JSON.stringify(v.schema ?? null)}; expected "${REPORT_SCHEMA}")`);
  }
  const r = ReportZ.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ReportError(`invalid audit report: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data as unknown as AuditReport;
}

/**
 * Joins shard reports: scopes and findings of all (deduplicated by scope id / fingerprint), rules
 * united. failOn: null never fails; undefined takes the reports' own threshold.
 */
export function mergeReports(reports: AuditReport[], opts: { failOn?: Severity | null; baseline?: Set<string>; version: string; now: Date }): AuditReport {
  const scopes = new Map<string, ScopeReport>();
  const findings = new Map<string, ReportFinding>();
  const rules = new Map<string, AuditReport["rules"][number]>();
  for (const r of reports) {
    for (const s of r.scopes) scopes.set(`${s.id}|${s.source}`, s);
    for (const f of r.findings) findings.set(f.fingerprint, f.status === "baseline" ? { ...f, status: "open" } : f);
    for (const rule of r.rules) rules.set(rule.id, rule);
  }
  const ordered = RULES.filter((r) => rules.has(r.id)).map((r) => rules.get(r.id)!);
  for (const [id, r] of rules) if (!RULES_BY_ID.has(id)) ordered.push(r);
  return buildReport({ scopes: [...scopes.values()], findings: [...findings.values()], rules: ordered, failOn: opts.failOn === null ? undefined : (opts.failOn ?? reports.find((r) => r.failOn)?.failOn), baseline: opts.baseline, version: opts.version, now: opts.now });
}

/** Fingerprints of the findings an earlier report already had (open or baselined there). */
export function baselineFingerprints(report: AuditReport): Set<string> {
  return new Set(report.findings.filter((f) => f.status !== "suppressed").map((f) => f.fingerprint));
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}
