// What an audit rule is (the cdk-nag shape): metadata plus a pure function over one snapshot's index
// that returns findings. Rules never call AWS and never read files; path rules share one cache of
// analyzer verdicts (AuditContext.egress), so a path is evaluated once per (subnet, security-group set).
import type { Hop, PathResult, Verdict } from "../analyzer.js";
import type { SnapshotIndex } from "../snapshot-index.js";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** The equivalent single-resource check of other tools, where one exists. */
export interface Equivalents {
  prowler?: string;
  steampipe?: string;
  checkov?: string;
}

export interface Evidence {
  /** The analyzed path (source → destination) for path rules. */
  path?: { from: string; to: string; port: number; reachable: boolean; verdict?: Verdict };
  /** Verdict "unknown": what the analyzer could not evaluate on this path, and how to collect it. */
  notEvaluated?: { code: string; id: string; detail: string; collect: string }[];
  /** Hop list: component id, type and what happened there. */
  hops?: { id: string; type: string; action: string; detail?: string }[];
  /** The component that stops the path, with Reachability Analyzer's explanation code. */
  blocking?: { id: string; type: string; code: string; detail: string };
  /** Rule-specific facts (ids, CIDRs, ports, monthly figures). */
  facts?: Record<string, string | number | boolean | string[]>;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** The resource the finding is about (what a suppression tag goes on). */
  resourceId: string;
  resourceType: string;
  vpcId?: string;
  message: string;
  evidence: Evidence;
  /** The egress-cli command (or AWS CLI call) that fixes it. */
  fix: string;
  /** Monthly saving in USD (cost rules). */
  monthlySavings?: number;
  /** Used only to draw the failing path in Markdown diagrams; not serialised. */
  pathResult?: PathResult;
  pathFrom?: string;
}

/** A rule's result before the framework adds scope, status and fingerprint. */
export type RawFinding = Omit<Finding, "ruleId" | "severity"> & { severity?: Severity };

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  rationale: string;
  /** Help text: what to do (SARIF help, docs). */
  help: string;
  equivalents: Equivalents;
  /** Snapshot arrays the rule depends on: when one was not collected (`omitted`), the rule is not evaluated. */
  needs: string[];
  /**
   * About the whole region (resources in no VPC, one VPC against the others): evaluated only in a
   * region-wide scope (--all-vpcs); a VPC scope has not collected the rest, so it lists the rule as
   * not evaluated rather than passing it.
   */
  regionWide?: true;
  /** Findings, as a list or one at a time (a generator: the audit takes each before the next is made). */
  check(ctx: AuditContext): Iterable<RawFinding>;
}

export interface EgressVerdict {
  result: PathResult;
  /** True only when proven (verdict "reachable"). */
  reachable: boolean;
  /** "unknown" is its own evidence: never a pass, never "no egress" (see unknownEgress). */
  verdict: Verdict;
}

export interface AuditContext {
  ix: SnapshotIndex;
  region: string;
  accountId: string;
  /**
   * Analyzer verdict, cached under `key` (e.g. subnet + sorted group ids): one analysis per key. Its `result`
   * is at hand right after the call; read again later for an older key, it is computed again (the same one).
   */
  egress(key: string, source: string, destination: string, port?: number): EgressVerdict;
}

export function hopsOf(hops: Hop[]): NonNullable<Evidence["hops"]> {
  return hops.map((h) => ({ id: h.component.id, type: h.component.type, action: h.action, ...(h.detail ? { detail: h.detail } : {}) }));
}

/** Evidence from a path result: hop list and the blocking component. */
export function pathEvidence(r: PathResult, from: string, to: string, port: number, facts?: Evidence["facts"]): Evidence {
  const failing = r.paths?.find((p) => p.verdict === "unreachable") ?? r.paths?.find((p) => !p.reachable) ?? r;
  const e = failing.explanations[0];
  return {
    path: { from, to, port, reachable: r.reachable, verdict: r.verdict },
    ...(r.verdict === "unknown" ? { notEvaluated: r.unknownReasons.map((u) => ({ code: u.code, id: u.component.id, detail: u.detail, collect: u.collect })) } : {}),
    hops: hopsOf(failing.hops),
    ...(e ? { blocking: { id: e.component.id, type: e.component.type, code: e.code, detail: e.detail } } : {}),
    ...(facts ? { facts } : {}),
  };
}

export const nameTag = (tags: { Key?: string; Value?: string }[] | undefined): string | undefined => tags?.find((t) => t.Key === "Name")?.Value;

/**
 * A path rule's finding when the analyzer could neither prove nor refute the path (verdict "unknown"):
 * low severity, "could not prove …", with what was not evaluated and how to collect it. Never a pass
 * (the rule stays silent only on a proven path) and never the rule's "no egress" claim.
 */
export function unknownEgress(
  v: EgressVerdict,
  what: { resourceId: string; resourceType: string; vpcId?: string; label: string; from: string; to: string; facts?: Evidence["facts"] },
): RawFinding {
  const reasons = v.result.unknownReasons;
  const first = reasons[0];
  return {
    severity: "low",
    resourceId: what.resourceId,
    resourceType: what.resourceType,
    ...(what.vpcId ? { vpcId: what.vpcId } : {}),
    message: `Could not prove egress for ${what.label} to ${what.to}: ${reasons.map((u) => u.detail).join("; ") || "part of the path was not evaluated"}.`,
    evidence: pathEvidence(v.result, what.from, what.to, 443, what.facts),
    fix: `nothing to change yet — collect what was not evaluated, then audit again: ${[...new Set(reasons.map((u) => u.collect))].join("; ") || (first ? first.collect : "take the snapshot again")}`,
    pathResult: v.result,
    pathFrom: what.from,
  };
}
