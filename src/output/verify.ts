// verify's reports: text, JUnit (a test case per intent: <failure> with the violations as text for a
// violated one, <error type="unknown"> for one that could not be decided — never a pass), SARIF 2.1.0
// (a rule per intent, a result per violation or undecided pair, located at the intent's line in the
// intent file, so GitHub shows it on the line that declared it) and Markdown (a table, the
// violations, the first failing path of each violated intent drawn in Mermaid). Same report, same
// bytes. Pure: the report in, text out.
import { createHash } from "node:crypto";
import type { IntentResult, Outcome, PairResult, VerifyResult } from "../verify/evaluate.js";
import { xmlEscape } from "./audit-junit.js";
import { SARIF_SCHEMA_URI } from "./audit-sarif.js";
import { GITHUB_COMMENT_LIMIT } from "./audit-markdown.js";

export const VERIFY_REPORT_SCHEMA = "egress-cli/verify-report" as const;

export interface VerifyReport extends VerifyResult {
  command: "verify";
  schema: typeof VERIFY_REPORT_SCHEMA;
  version: 1;
  tool: { name: "egress-cli"; version: string };
  /** The intent file as given (repository-relative when it is under the working directory). */
  file: string;
  snapshot: { takenAt: string; region: string; accountId: string; files?: string[] };
  /** Where proxies' allowlists came from (domain intents). */
  proxies: Array<{ instanceId: string; port: number; allowDomains: string[] | null; origin?: string }>;
  intents: Array<IntentResult & { line: number; from: string[]; to: string[]; ports: number[] }>;
}

const ICON: Record<Outcome, string> = { holds: "✓", violated: "✗", unknown: "?" };
const MAX_LISTED = 20;

export function pairLine(p: PairResult): string {
  const where = `${p.source} → ${p.destination}:${p.port}${p.route ? ` [${p.route}]` : ""}`;
  if (p.outcome === "unknown") return `${where}: unknown — ${p.detail ?? "not evaluated"}`;
  const at = p.component ? ` at ${p.component.id}${p.code ? ` (${p.code})` : ""}` : "";
  const kind = { blocked: "blocked", reachable: "reachable, expected unreachable", "not-via": "not through the required via", "never-via": "through a never-via component", "no-source": "no source" }[p.kind ?? "blocked"];
  return `${where}: ${kind}${at}${p.detail ? ` — ${p.detail}` : ""}${p.hops.length && p.kind === "blocked" ? `\n      path: ${p.hops.join(" → ")}` : ""}`;
}

export function renderVerifyText(r: VerifyReport): string {
  const out: string[] = [];
  for (const it of r.intents) {
    out.push(`${ICON[it.outcome]} ${it.outcome.padEnd(8)} ${it.name}  (${r.file}:${it.line}; ${it.sources} source(s), ${it.pairs} path(s))`);
    const rows = [...it.violations, ...it.unknowns];
    for (const p of rows.slice(0, MAX_LISTED)) out.push(`    ${pairLine(p)}`);
    if (rows.length > MAX_LISTED) out.push(`    … and ${rows.length - MAX_LISTED} more (--format json lists all)`);
  }
  const s = r.summary;
  out.push("", `${s.intents} intent(s): ${s.holds} hold, ${s.violated} violated, ${s.unknown} unknown (${s.pairs} paths evaluated on the snapshot of ${r.snapshot.accountId}/${r.snapshot.region} taken ${r.snapshot.takenAt}).`);
  if (s.unknown && !s.violated) out.push("Unknown is not a pass: the reasons above say what was not evaluated and how to collect it.");
  return out.join("\n");
}

export function renderVerifyJunit(r: VerifyReport): string {
  const a = xmlEscape;
  const cases = r.intents.map((it) => {
    const head = `    <testcase classname="egress-cli.verify" name="${a(it.name)}" file="${a(r.file)}" line="${it.line}">`;
    if (it.outcome === "holds") return `${head}<system-out>${a(`${it.sources} source(s), ${it.pairs} path(s): every one as expected (${it.expect})`)}</system-out></testcase>`;
    if (it.outcome === "violated") {
      const text = it.violations.map(pairLine).join("\n");
      return `${head}<failure type="violation" message="${a(`${it.violations.length} violation(s) of "${it.name}" (expect ${it.expect})`)}">${a(text)}</failure></testcase>`;
    }
    return `${head}<error type="unknown" message="${a(`"${it.name}" could not be decided: ${it.unknowns.length} path(s) not evaluated`)}">${a(it.unknowns.map(pairLine).join("\n"))}</error></testcase>`;
  });
  const s = r.summary;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="egress-cli verify" tests="${s.intents}" failures="${s.violated}" errors="${s.unknown}" skipped="0">\n  <testsuite name="${a(r.file)}" tests="${s.intents}" failures="${s.violated}" errors="${s.unknown}" skipped="0">\n${cases.join("\n")}\n  </testsuite>\n</testsuites>\n`;
}

const slug = (name: string, i: number) => `intent-${i + 1}-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60)}`;

export function renderVerifySarif(r: VerifyReport): object {
  const rules = r.intents.map((it, i) => ({
    id: slug(it.name, i),
    name: it.name,
    shortDescription: { text: it.name },
    fullDescription: { text: `${it.from.join(", ")} → ${it.to.join(", ")} on ${it.ports.join(", ")}: expect ${it.expect}` },
    help: { text: `Declared in ${r.file} line ${it.line}. egress-cli verify evaluates every matched source against every destination offline; a violation lists the path and the blocking or offending component.` },
    defaultConfiguration: { level: "error" },
    properties: { tags: ["network", "aws", "egress", "intent"] },
  }));
  const results = r.intents.flatMap((it, i) =>
    [...it.violations, ...it.unknowns].map((p) => ({
      ruleId: rules[i]!.id,
      ruleIndex: i,
      level: p.outcome === "violation" ? "error" : "warning",
      message: { text: `${p.outcome === "violation" ? "Violated" : "Not decided (unknown)"}: "${it.name}": ${pairLine(p).replace(/\n\s+/g, " ")}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: r.file, uriBaseId: "%SRCROOT%", index: 0 }, region: { startLine: it.line } },
          ...(p.component ? { logicalLocations: [{ name: p.component.id, fullyQualifiedName: `${r.snapshot.accountId}/${r.snapshot.region}/${p.component.id}`, kind: "resource" }] } : {}),
        },
      ],
      partialFingerprints: { "egressCliIntent/v1": createHash("sha256").update(`${it.name}|${p.source}|${p.destination}|${p.port}|${p.route ?? ""}|${p.outcome}`).digest("hex").slice(0, 32) },
      properties: { outcome: p.outcome, source: p.source, destination: p.destination, port: p.port, hops: p.hops, ...(p.kind ? { kind: p.kind } : {}), ...(p.code ? { code: p.code } : {}) },
    })),
  );
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "egress-cli", informationUri: "https://github.com/egress-cli/egress-cli", semanticVersion: r.tool.version, version: r.tool.version, rules } },
        automationDetails: { id: `egress-cli-verify/${r.snapshot.accountId}/${r.snapshot.region}/` },
        originalUriBaseIds: { SRCROOT: { uri: "file:///" } },
        artifacts: [{ location: { uri: r.file, uriBaseId: "%SRCROOT%" } }],
        invocations: [{ executionSuccessful: true }],
        results,
        properties: { accountId: r.snapshot.accountId, region: r.snapshot.region, outcome: r.outcome },
      },
    ],
  };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const mid = (s: string) => `n_${s.replace(/[^A-Za-z0-9_]/g, "_")}`;
const label = (s: string) => s.replace(/"/g, "'");

/** A failing path as a Mermaid flowchart: the hops in order, the blocking or offending component marked. */
export function pathMermaid(p: PairResult): string {
  const nodes = [p.source, ...p.hops.filter((h, i, all) => all.indexOf(h) === i && h !== p.source)];
  const bad = p.component?.id;
  if (bad && !nodes.includes(bad)) nodes.push(bad);
  if (p.kind !== "blocked" && !nodes.includes(p.destination)) nodes.push(p.destination);
  const lines = ["flowchart LR"];
  nodes.forEach((n, i) => lines.push(`  ${mid(`${i}_${n}`)}["${label(n)}"]`));
  for (let i = 1; i < nodes.length; i++) lines.push(`  ${mid(`${i - 1}_${nodes[i - 1]}`)} --> ${mid(`${i}_${nodes[i]}`)}`);
  if (bad) lines.push(`  classDef bad fill:#fdd,stroke:#c00,stroke-width:2px`, `  class ${mid(`${nodes.indexOf(bad)}_${bad}`)} bad`);
  return lines.join("\n");
}

/** Cut before GitHub's comment limit, whole intents at a time, with a note (the table always stays). */
export function renderVerifyMarkdown(r: VerifyReport, limit = GITHUB_COMMENT_LIMIT): string {
  const s = r.summary;
  const out = ["## egress-cli verify", "", `\`${r.file}\` on \`${r.snapshot.accountId}/${r.snapshot.region}\` (snapshot ${r.snapshot.takenAt}): **${s.holds}** hold, **${s.violated}** violated, **${s.unknown}** unknown of ${s.intents} intent(s), ${s.pairs} paths.`, ""];
  out.push("| | intent | line | expect | sources | paths | violations | unknown |", "|---|---|---:|---|---:|---:|---:|---:|");
  for (const it of r.intents) out.push(`| ${ICON[it.outcome]} | ${cell(it.name)} | ${it.line} | ${it.expect} | ${it.sources} | ${it.pairs} | ${it.violations.length} | ${it.unknowns.length} |`);
  const failing = r.intents.filter((x) => x.outcome !== "holds");
  for (const [n, it] of failing.entries()) {
    const before = out.length;
    out.push("", `### ${ICON[it.outcome]} ${cell(it.name)} (line ${it.line})`, "");
    const rows = [...it.violations, ...it.unknowns];
    for (const p of rows.slice(0, MAX_LISTED)) out.push(`- ${cell(pairLine(p).replace(/\n\s+/g, " "))}`);
    if (rows.length > MAX_LISTED) out.push(`- … and ${rows.length - MAX_LISTED} more (see the JSON report)`);
    const first = it.violations[0];
    if (first && (first.hops.length || first.component)) out.push("", "```mermaid", pathMermaid(first), "```");
    if (out.join("\n").length > limit - 200) {
      out.splice(before);
      out.push("", `_${failing.length - n} more failing intent(s) left out: GitHub comments hold ${limit} characters (the JSON report has all)._`);
      break;
    }
  }
  return `${out.join("\n")}\n`;
}
