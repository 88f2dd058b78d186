// Human rendering of a path analysis (local analyzer or Reachability Analyzer, same model): the
// verdict, the hop list as a readable chain, the blocking component with its explanation code,
// per-subnet verdicts for a Lambda, and --compare disagreements as a bug report. Pure.
import type { Colors } from "./color.js";
import type { Hop, PathResult, UnknownReason, Verdict } from "../analysis/analyzer.js";
import type { Disagreement } from "../analysis/reachability.js";

export interface AnalyzePathReport {
  command: "analyze-path";
  mode: "local" | "aws" | "compare";
  from: string;
  to: string;
  protocol: string;
  port: number;
  /** True only for a proven path (verdict "reachable"). */
  reachable: boolean;
  verdict: Verdict;
  /** What was not evaluated and how to collect it (verdict "unknown"). */
  unknownReasons: UnknownReason[];
  result: PathResult;
  /** --compare: the other engine's result and the differences. */
  local?: PathResult;
  disagreements?: Disagreement[];
  reachabilityAnalyzer?: { analyses: Array<{ source: string; networkInsightsPathId: string; networkInsightsAnalysisId?: string; kept: boolean }>; temporaryNetworkInterface?: string };
  snapshot?: { takenAt: string; file?: string };
  /** RA mode on a path through a Resource VPC endpoint: what RA cannot see, and the half it proved instead. */
  privateLink?: { endpointId: string; resourceConfigurationId: string; resourceGatewayId: string; target: string; reason: string; provenHalf: { from: string; to: string; protocol: string; port: number } };
  /** The fix for a blocked path, when known (also in result.hint). */
  hint?: string;
  /** Reachability Analyzer was asked for (default mode or --compare) but cannot analyze this path (IPv6): the offline analyzer answered. */
  fallback?: { requested: "aws" | "compare"; used: "local"; reason: string };
}

const short = (h: Hop) => h.component.id;

/** The hop list compressed to a one-line chain of component ids (consecutive duplicates merged). */
export function hopChain(from: string, hops: Hop[], to?: string): string {
  const ids: string[] = [from];
  for (const h of hops) if (!h.aclRule?.returnPath && ids[ids.length - 1] !== short(h)) ids.push(short(h));
  if (to && ids[ids.length - 1] !== to) ids.push(to);
  return ids.join(" → ");
}

function hopLines(c: Colors, hops: Hop[], indent = "  "): string[] {
  const width = String(hops.length).length;
  return hops.map((h, i) => `${indent}${c.dim(String(i + 1).padStart(width))}  ${h.action}${h.detail ? c.dim(` (${h.detail})`) : ""}`);
}

export function renderPathResult(r: PathResult, c: Colors, head: { from: string; to: string; protocol: string; port: number }): string {
  const what = `${head.from} → ${head.to} (${head.protocol}${head.protocol === "icmp" ? "" : ` ${head.port}`})`;
  const verdict = r.verdict ?? (r.reachable ? "reachable" : "unreachable");
  const lines: string[] = [
    verdict === "reachable" ? `${c.green("✔ reachable")}: ${what}` : verdict === "unknown" ? `${c.yellow("? unknown")}: ${what} — not proven either way` : `${c.red("✖ not reachable")}: ${what}`,
  ];
  if (r.hops.length) {
    lines.push(`  ${hopChain(head.from, r.hops, verdict === "unreachable" ? r.explanations[0]?.component.id : undefined)}`);
    lines.push(...hopLines(c, r.hops));
  }
  for (const u of verdict === "unknown" ? (r.unknownReasons ?? []) : []) {
    lines.push(`  ${c.yellow("? unknown:")} ${c.bold(u.component.id)} ${c.dim(`[${u.code}]`)}`);
    lines.push(`    ${u.detail}`);
    lines.push(`    ${c.dim("to collect:")} ${u.collect}`);
  }
  for (const e of r.explanations) {
    lines.push(`  ${c.red("blocked at")} ${c.bold(e.component.id)} ${c.dim(`[${e.code}]`)}${e.returnPath ? c.dim(" (return path)") : ""}`);
    lines.push(`    ${e.detail}`);
  }
  if (r.paths && r.paths.length > 1) {
    lines.push("  per subnet (the function may run in any of them):");
    for (const p of r.paths) {
      const e = p.explanations[0];
      const u = p.verdict === "unknown" ? p.unknownReasons[0] : undefined;
      lines.push(`    ${p.reachable ? c.green("✔") : u ? c.yellow("?") : c.red("✖")} ${p.source.id}${u ? ` — unknown: ${u.code} at ${u.component.id}` : e ? ` — ${e.code} at ${e.component.id}` : ""}`);
    }
  }
  if (r.hint) lines.push(`  ${c.yellow("hint:")} ${r.hint}`);
  // Per-subnet verdicts are shown above; their machine-readable detail lines are for JSON only.
  // Codes already shown as "? unknown" reasons are not repeated as details.
  const shown = new Set<string>(verdict === "unknown" ? (r.unknownReasons ?? []).map((u) => u.code) : []);
  for (const d of r.additionalDetails) if (!d.startsWith("LAMBDA_SUBNET_RESULT:") && !shown.has(d.slice(0, d.indexOf(":")))) lines.push(c.dim(`  · ${d}`));
  return lines.join("\n");
}

/** A disagreement between the offline analyzer and Reachability Analyzer, as an issue body. */
export function bugReport(rep: AnalyzePathReport): string {
  const aws = rep.result;
  const local = rep.local!;
  const row = (d: Disagreement) => `| ${d.field} | ${d.local} | ${d.aws} |`;
  return [
    `### egress-cli analyze-path: offline analyzer disagrees with Reachability Analyzer`,
    ``,
    `Query: \`analyze-path --from ${rep.from} --to ${rep.to} --protocol ${rep.protocol} --port ${rep.port} --compare\``,
    ``,
    `| field | --local | Reachability Analyzer |`,
    `|---|---|---|`,
    ...(rep.disagreements ?? []).map(row),
    ``,
    `Local hops: ${hopChain(rep.from, local.hops)}`,
    `RA hops: ${hopChain(rep.from, aws.hops)}`,
    `Local explanation: ${local.explanations[0] ? `${local.explanations[0].code} at ${local.explanations[0].component.id}: ${local.explanations[0].detail}` : "(none)"}`,
    `RA explanation: ${aws.explanations[0] ? `${aws.explanations[0].code} at ${aws.explanations[0].component.id}` : "(none)"}`,
    ``,
    `Attach the snapshot (\`egress-cli snapshot --out snap.json\`, ids are safe to share; remove tags you consider private).`,
  ].join("\n");
}

export function renderAnalyzePath(rep: AnalyzePathReport, c: Colors): string {
  const head = { from: rep.from, to: rep.to, protocol: rep.protocol, port: rep.port };
  const label = rep.mode === "local" ? "offline analyzer" : "Reachability Analyzer";
  const pl = rep.privateLink;
  const lines = pl
    ? [
        c.dim(`[${label}: ${pl.reason}; it proved ${pl.provenHalf.from} → ${pl.provenHalf.to} (${pl.provenHalf.protocol}/${pl.provenHalf.port}), the half behind ${pl.endpointId} → ${pl.resourceConfigurationId} → ${pl.resourceGatewayId}]`),
        renderPathResult(rep.result, c, { from: pl.provenHalf.from, to: pl.provenHalf.to, protocol: pl.provenHalf.protocol, port: pl.provenHalf.port }),
        ...(rep.local ? [c.dim(`[offline analyzer, the whole path ${rep.from} → ${rep.to}]`), renderPathResult(rep.local, c, head)] : []),
      ]
    : [
        ...(rep.fallback ? [c.yellow(`${rep.fallback.reason} The offline analyzer answered instead.`)] : []),
        c.dim(`[${label}${rep.snapshot ? `, snapshot ${rep.snapshot.file ?? rep.snapshot.takenAt}` : ""}]`),
        renderPathResult(rep.result, c, head),
      ];
  if (rep.mode === "compare") {
    if (!rep.disagreements?.length) lines.push(`${c.green("✔")} the offline analyzer agrees (verdict${rep.reachable ? "" : ", blocking component and code"})`);
    else {
      // Unknown on either side is never agreement: show what the offline analyzer could not evaluate.
      const v = rep.disagreements.find((x) => x.field === "verdict");
      if (v) {
        lines.push("", c.yellow(`Not in agreement: offline analyzer ${v.local}, Reachability Analyzer ${v.aws} (an unknown verdict proves nothing either way, so it is never agreement).`));
        if (rep.local && !pl && v.local === "unknown") lines.push(c.dim(`[offline analyzer]`), renderPathResult(rep.local, c, head));
      }
      lines.push("", c.yellow("The offline analyzer disagrees — please file this (https://github.com/egress-cli/egress-cli/issues):"), "", bugReport(rep));
    }
  }
  if (pl && rep.mode === "aws" && rep.verdict === "unknown") {
    // The asked path itself: not proven by the half above.
    lines.push(`${c.yellow("? unknown")}: ${rep.from} → ${rep.to} (${rep.protocol} ${rep.port}) — not proven either way`);
    for (const u of rep.unknownReasons) lines.push(`  ${u.detail}`, `  ${c.dim("to collect:")} ${u.collect}`);
  }
  const kept = rep.reachabilityAnalyzer?.analyses.filter((a) => a.kept) ?? [];
  if (kept.length) lines.push(c.dim(`  kept: ${kept.map((a) => `${a.networkInsightsPathId}${a.networkInsightsAnalysisId ? ` / ${a.networkInsightsAnalysisId}` : ""}`).join(", ")}`));
  return lines.join("\n");
}
