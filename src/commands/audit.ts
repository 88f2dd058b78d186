// audit: path-aware network findings for CI. Scopes (profile × region, or one per --snapshot FILE)
// are collected concurrently (bounded) and audited with the pure rules (src/analysis/rules); a scope
// that fails is reported and the others still run. Reports: text, json, junit, sarif, markdown.
// `audit merge FILE…` joins shard reports (--shard I/N) into any format.
import { ec2Api } from "../aws/ec2-api.js";
import path from "node:path";
import type { Context } from "../context.js";
import type { Options } from "./audit.spec.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import type { AuditReport, ScopeAudit, ScopeReport } from "../analysis/audit.js";
import type { Severity } from "../analysis/rules/types.js";
import type { Snapshot } from "../analysis/snapshot.js";
import { VERSION } from "../version.js";

export const FORMATS = ["text", "json", "junit", "sarif", "markdown"] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** audit's options: its spec's flags, and what the command adds from the globals (each --region/--profile is a scope). */
export type AuditOptions = Partial<Options> & {
  /** Set from the global `--plan [FILE]` (audit declares no option of that name: one meaning per name). */
  plan?: boolean;
  region?: string[] | string;
  profile?: string[] | string;
};

/** CI tools (Checkov, tfsec, Prowler) fail by default: so does the audit, on high and critical. */
export const DEFAULT_FAIL_ON: Severity = "high";

interface Parsed {
  format: ReportFormat;
  /** undefined: --fail-on not given (the caller's default applies); "none": never fail. */
  failOn?: Severity | "none";
  rules?: string[];
  skipRules?: string[];
  shard?: { index: number; count: number };
}

const list = (v: string[] | string | undefined): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean));

/** Every flag problem at once (exit 2), before any AWS call or file read. */
export async function parseCommon(ctx: Context, opts: AuditOptions, problems: string[]): Promise<Parsed> {
  const { isSeverity, unknownRuleIds } = await import("../analysis/audit.js");
  const format = (opts.format ?? (ctx.opts.json ? "json" : "text")).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format)) problems.push(`--format must be one of ${FORMATS.join(", ")}, got ${JSON.stringify(opts.format)}.`);
  if (ctx.opts.json && opts.format && format !== "json") problems.push(`--json and --format ${format} disagree; pass one of them.`);
  const failOn = opts.failOn?.toLowerCase();
  if (failOn !== undefined && failOn !== "none" && !isSeverity(failOn)) problems.push(`--fail-on must be info, low, medium, high, critical or none, got ${JSON.stringify(opts.failOn)}.`);
  const rules = list(opts.rules);
  const skipRules = list(opts.skipRules);
  const unknown = unknownRuleIds([...rules, ...skipRules]);
  if (unknown.length) problems.push(`unknown rule id(s): ${[...new Set(unknown)].join(", ")} (see docs/audit.md or \`egress-cli audit --help\`).`);
  let shard: Parsed["shard"];
  if (opts.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(opts.shard);
    if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) problems.push(`--shard must be I/N with 1 ≤ I ≤ N (e.g. 2/4), got ${JSON.stringify(opts.shard)}.`);
    else shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  if (opts.output !== undefined) {
    const { checkOutputFile } = await import("../cli/output-file.js");
    await checkOutputFile(ctx, "--output", opts.output, { flag: "--format", names: FORMATS }).catch((e: Error) => problems.push(e.message));
  }
  return { format: format as ReportFormat, failOn: failOn as Parsed["failOn"], rules: rules.length ? rules : undefined, skipRules, shard };
}

function throwProblems(problems: string[]): void {
  if (problems.length === 1) throw new UsageError(problems[0]!);
  if (problems.length) throw new UsageError(`${problems.length} problems:\n  - ${problems.join("\n  - ")}`);
}

/** Reads a JSON report file (--baseline, merge): exit 2 naming the file when it is not one. */
async function readReportFile(ctx: Context, option: string, file: string): Promise<AuditReport> {
  const { readFile } = await import("node:fs/promises");
  const { parseReport, ReportError } = await import("../analysis/audit.js");
  const full = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (err) {
    throw new UsageError(`${option} ${full}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new UsageError(`${option} ${full} is not valid JSON: ${(err as Error).message}`, "expected a report from `egress-cli audit --format json`", "ReportInvalid");
  }
  try {
    return parseReport(data);
  } catch (err) {
    if (err instanceof ReportError) throw new UsageError(`${option} ${full}: ${err.message}`, "expected a report from `egress-cli audit --format json`", "ReportInvalid");
    throw err;
  }
}

interface ScopeSpec {
  label: string;
  profile?: string;
  region?: string;
  file?: string;
}

export async function auditCommand(ctx: Context, opts: AuditOptions, args: string[] = []): Promise<number> {
  if (args[0] === "merge") return auditMergeCommand(ctx, opts, args.slice(1));
  if (args.length) throw new UsageError(`audit takes no arguments (got ${JSON.stringify(args[0])}); did you mean \`audit merge FILE…\`?`);
  const problems: string[] = [];
  const parsed = await parseCommon(ctx, opts, problems);
  const snapshots = opts.snapshot ?? [];
  const regions = list(ctx.opts.regions ?? opts.region);
  const profiles = list(ctx.opts.profiles ?? opts.profile);
  opts = { ...opts, plan: ctx.opts.planGiven };
  const scopeFlags = [opts.vpc?.length && "--vpc", opts.plan && "--plan", opts.allVpcs && "--all-vpcs"].filter(Boolean);
  if (scopeFlags.length > 1) problems.push(`${scopeFlags.join(" and ")} all choose the VPCs; pass one of them.`);
  if (snapshots.length && (regions.length || opts.allRegions || profiles.length || scopeFlags.length)) problems.push("--snapshot audits files: --vpc/--plan/--all-vpcs/--region/--all-regions/--profile do not apply.");
  if (regions.length && opts.allRegions) problems.push("--region and --all-regions both choose the regions; pass one of them.");
  if (opts.vpc?.length && (regions.length > 1 || opts.allRegions)) problems.push("--vpc ids belong to one region; do not combine them with several regions.");
  const { isValidRegion } = await import("../aws/names.js");
  for (const r of regions) if (!isValidRegion(r)) problems.push(`"${r}" is not an AWS region name (expected e.g. us-east-1).`);
  throwProblems(problems);

  const audit = await import("../analysis/audit.js");
  const rules = audit.selectRules({ rules: parsed.rules, skipRules: parsed.skipRules });
  const baseline = opts.baseline ? audit.baselineFingerprints(await readReportFile(ctx, "--baseline", opts.baseline)) : undefined;
  const { readSnapshotFile } = await import("./snapshot.js");
  // Files are read (and validated) up front: a malformed or foreign file is bad input (exit 2).
  const fileSnaps = new Map<string, Snapshot>();
  for (const f of snapshots) fileSnaps.set(f, await readSnapshotFile(ctx, f));

  let scopes: ScopeSpec[];
  if (snapshots.length) scopes = snapshots.map((f) => ({ label: `file ${f}`, file: f }));
  else {
    let regionList: (string | undefined)[] = regions.length ? regions : [undefined];
    if (opts.allRegions) {
      const aws = await ctx.aws();
      const r = await ec2Api(await aws.ec2()).describeRegions({});
      regionList = (r.Regions ?? []).map((x) => x.RegionName!).filter(Boolean).sort();
    }
    const profileList: (string | undefined)[] = profiles.length ? profiles : [undefined];
    scopes = profileList.flatMap((profile) => regionList.map((region) => ({ label: `${profile ? `profile ${profile} ` : ""}${region ?? "default region"}`, profile, region })));
  }
  if (parsed.shard) scopes = scopes.filter((_, i) => i % parsed.shard!.count === parsed.shard!.index - 1);

  const vpcScope = opts.vpc?.length ? { vpc: opts.vpc } : opts.allVpcs ? { allVpcs: true } : {};
  if (opts.plan) {
    const { loadPlan } = await import("../plans/store.js");
    if (!(await loadPlan(ctx.planPath))) throw new UsageError(`--plan: ${ctx.planPath} does not exist.`, "pass --vpc ID or --all-vpcs");
  }
  const { resolveScope } = await import("./snapshot.js");
  const vpcIds = snapshots.length ? undefined : (await resolveScope(ctx, vpcScope)).vpcIds;

  const { bounded } = await import("../dag.js");
  const spinner = ctx.log.spin(`Auditing ${scopes.length} scope(s)…`);
  let done = 0;
  const results = await bounded(
    scopes.map((spec) => async (): Promise<{ audit?: ScopeAudit; failed?: ScopeReport; snapshotFile?: string }> => {
      try {
        let snap: Snapshot;
        let omitted: string[] = [];
        if (spec.file) snap = fileSnaps.get(spec.file)!;
        else {
          const aws = spec.profile || spec.region ? await ctx.awsFor({ profile: spec.profile, region: spec.region }) : await ctx.aws();
          const { collectSnapshot } = await import("../aws/snapshot.js");
          const collected = await collectSnapshot(aws, { vpcIds }, { concurrency: Math.max(ctx.concurrency, 6) });
          omitted = collected.omitted.map((o) => o.resource);
          snap = collected;
        }
        const a = audit.auditSnapshot(snap, rules, { source: spec.file ? `snapshot ${spec.file}` : "live", ...(spec.profile ? { profile: spec.profile } : {}), accountId: snap.accountId, region: snap.region, omitted }, { paths: parsed.format === "markdown" });
        return { audit: await withInvocationFlags(ctx, a, spec), snapshotFile: spec.file };
      } catch (err) {
        if (err instanceof UsageError) throw err;
        const code = (err as CliError).code ?? (err as Error).name ?? "Error";
        return { failed: { id: spec.label, ...(spec.profile ? { profile: spec.profile } : {}), ...(spec.region ? { region: spec.region } : {}), source: spec.file ? `snapshot ${spec.file}` : "live", status: "failed", error: { code, message: (err as Error).message }, omitted: [], rulesNotEvaluated: [] } };
      } finally {
        spinner.update(`Auditing: ${++done}/${scopes.length} scope(s)`);
      }
    }),
    Math.max(1, Math.min(ctx.concurrency, 8)),
  );
  spinner.succeed(`Audited ${scopes.length} scope(s)`);
  for (const r of results) {
    if (r.failed) ctx.log.warn(`audit: ${r.failed.id}: ${r.failed.error!.code}: ${r.failed.error!.message}`);
    else if (r.audit!.scope.omitted.length) ctx.log.warn(`audit: ${r.audit!.scope.id}: not collected (omitted): ${r.audit!.scope.omitted.join(", ")}; rules not evaluated: ${r.audit!.scope.rulesNotEvaluated.join(", ") || "none"}`);
  }
  const audits = results.filter((r) => r.audit).map((r) => r.audit!);
  const report = audit.buildReport({
    scopes: results.map((r) => r.failed ?? r.audit!.scope),
    findings: audits.flatMap((a) => a.findings),
    rules,
    failOn: threshold(parsed.failOn ?? DEFAULT_FAIL_ON),
    baseline,
    version: VERSION,
    now: new Date(),
  });
  await writeReport(ctx, report, parsed.format, opts, { audits, snapshotFiles: results.filter((r) => r.snapshotFile).map((r) => r.snapshotFile!) });
  return exitCodeOf(report);
}

/** `none` never fails: no threshold in the report. */
const threshold = (f: Severity | "none"): Severity | undefined => (f === "none" ? undefined : f);

export function exitCodeOf(report: AuditReport): number {
  if (report.summary.failedScopes) return ExitCode.failure;
  if (report.summary.failing) return ExitCode.findings;
  return ExitCode.ok;
}

export async function auditMergeCommand(ctx: Context, opts: AuditOptions, files: string[]): Promise<number> {
  const problems: string[] = [];
  const parsed = await parseCommon(ctx, opts, problems);
  const scoping = [opts.vpc?.length && "--vpc", ctx.opts.planGiven && "--plan", opts.allVpcs && "--all-vpcs", ctx.opts.regions?.length && "--region", opts.allRegions && "--all-regions", ctx.opts.profiles?.length && "--profile", opts.snapshot && "--snapshot", opts.shard && "--shard"].filter(Boolean);
  if (scoping.length) problems.push(`audit merge joins reports: ${scoping.join(", ")} do not apply.`);
  if (!files.length) problems.push("audit merge needs one or more report FILEs (from `audit --format json --output FILE`).");
  if (opts.rules || opts.skipRules) problems.push("audit merge joins reports as they are: --rules/--skip-rules do not apply.");
  throwProblems(problems);
  const reports: AuditReport[] = [];
  for (const f of files) reports.push(await readReportFile(ctx, "audit merge", f));
  const audit = await import("../analysis/audit.js");
  const baseline = opts.baseline ? audit.baselineFingerprints(await readReportFile(ctx, "--baseline", opts.baseline)) : undefined;
  // --fail-on (none: null), else the shard reports' own threshold, else the default.
  const failOn = parsed.failOn === "none" ? null : (parsed.failOn ?? (reports.some((r) => r.failOn) ? undefined : DEFAULT_FAIL_ON));
  const report = audit.mergeReports(reports, { failOn, baseline, version: VERSION, now: new Date() });
  await writeReport(ctx, report, parsed.format, opts, { audits: [], snapshotFiles: [] });
  return exitCodeOf(report);
}

interface RenderExtras {
  audits: ScopeAudit[];
  snapshotFiles: string[];
}

async function writeReport(ctx: Context, report: AuditReport, format: ReportFormat, opts: AuditOptions, extras: RenderExtras): Promise<void> {
  // Chunks, never the whole report as one string (10,000 findings: tens of MB); the same bytes.
  const chunks = await renderReport(ctx, report, format, opts, extras);
  if (opts.output !== undefined) {
    const { writeOutputFile } = await import("../cli/output-file.js");
    const full = await writeOutputFile(ctx, "--output", opts.output, chunks, { flag: "--format", names: FORMATS });
    ctx.log.info(`audit report (${format}) written to ${full}`);
    return;
  }
  const { writeChunks } = await import("../cli/output-file.js");
  const last = await writeChunks(ctx.stdout, chunks);
  if (!last.endsWith("\n")) ctx.stdout.write("\n");
}

async function renderReport(ctx: Context, report: AuditReport, format: ReportFormat, opts: AuditOptions, extras: RenderExtras): Promise<Iterable<string>> {
  const { jsonChunks } = await import("../cli/output-file.js");
  switch (format) {
    case "json":
      return jsonChunks(report);
    case "text": {
      const { colors } = await import("../output/color.js");
      // Colour only for a terminal on stdout (a file or a pipe gets plain text), and never with --no-color/NO_COLOR.
      const color = colors(Boolean(ctx.opts.color && !ctx.env.NO_COLOR && ctx.stdout.isTTY && opts.output === undefined));
      const { auditTextLines } = await import("../output/audit-text.js");
      return (function* () {
        let first = true;
        for (const line of auditTextLines(report, color)) {
          yield first ? line : `\n${line}`;
          first = false;
        }
      })();
    }
    case "junit": {
      const { junitChunks } = await import("../output/audit-junit.js");
      return junitChunks(report);
    }
    case "sarif": {
      const anchors = await sarifAnchors(ctx, report, opts, extras);
      const { renderSarif } = await import("../output/audit-sarif.js");
      const { log, truncated } = renderSarif(report, (key) => anchors.get(key) ?? anchors.get("*")!);
      if (truncated) ctx.log.warn(`sarif: ${truncated} result(s) left out (GitHub accepts 25,000 per run); the JSON report has them all`);
      // log → runs → a run → its results: each result a chunk
      return jsonChunks(log, 4);
    }
    case "markdown": {
      // cut at GitHub's comment limit (65,536 characters): one string
      const { auditDiagramSource, renderMarkdown } = await import("../output/audit-markdown.js");
      return [renderMarkdown(report, auditDiagramSource(report, extras.audits))];
    }
  }
}

/**
 * Where SARIF results point: --sarif-anchor FILE, else the plan file, else the scope's snapshot file
 * (--snapshot), else the live snapshot written beside the report. The line of each resource id in
 * that file is found so code scanning shows the resource.
 */
async function sarifAnchors(ctx: Context, report: AuditReport, opts: AuditOptions, extras: RenderExtras): Promise<Map<string, { uri: string; lines: Map<string, number> }>> {
  const { existsSync } = await import("node:fs");
  const { readFile } = await import("node:fs/promises");
  const rel = (full: string) => path.relative(ctx.cwd, full).split(path.sep).join("/");
  const ids = [...new Set(report.findings.flatMap((f) => [f.resourceId, ...(f.vpcId ? [f.vpcId] : [])]))];
  const { firstLines } = await import("../output/audit-sarif.js");
  const anchorOf = async (full: string) => ({ uri: rel(full), lines: firstLines(await readFile(full, "utf8"), ids) });
  const out = new Map<string, { uri: string; lines: Map<string, number> }>();
  if (opts.sarifAnchor) {
    const full = path.resolve(ctx.cwd, opts.sarifAnchor);
    if (!existsSync(full)) throw new UsageError(`--sarif-anchor ${full} does not exist.`, "point it at a file in the repository (code scanning shows results on it)");
    out.set("*", await anchorOf(full));
    return out;
  }
  if (existsSync(ctx.planPath)) {
    out.set("*", await anchorOf(ctx.planPath));
    return out;
  }
  const { writeOutputFile } = await import("../cli/output-file.js");
  for (const a of extras.audits) {
    const key = `${a.snapshot.accountId}/${a.snapshot.region}`;
    const file = a.scope.source.startsWith("snapshot ") ? path.resolve(ctx.cwd, a.scope.source.slice("snapshot ".length)) : undefined;
    if (file) out.set(key, await anchorOf(file));
    else {
      const base = opts.output ? path.resolve(ctx.cwd, opts.output).replace(/\.(sarif|json)$/i, "") : path.resolve(ctx.cwd, "egress-audit");
      const { jsonChunks } = await import("../cli/output-file.js");
      const written = await writeOutputFile(ctx, "--output", `${base}.${a.snapshot.accountId}.${a.snapshot.region}.snapshot.json`, jsonChunks(a.snapshot));
      ctx.log.info(`sarif: results point at the snapshot ${written}`);
      out.set(key, await anchorOf(written));
    }
  }
  if (!out.size) throw new UsageError("--format sarif needs a file for the results to point at: pass --sarif-anchor FILE (or have a plan file).");
  if (!out.has("*")) out.set("*", [...out.values()][0]!);
  return out;
}

/**
 * The scope's fixes as the user can paste them: every `egress-cli …` with this run's backend and
 * global flags, every `aws …` with the scope's region/profile when the run chose them
 * (src/output/invocation.ts, the same function as the "Next:" hints).
 */
async function withInvocationFlags(ctx: Context, a: ScopeAudit, spec: ScopeSpec): Promise<ScopeAudit> {
  const { carryFlags, invocationFlags, onRunPlan } = await import("../output/invocation.js");
  // The VPC this run's plan file holds: fixes for it use that plan instead of importing it again.
  const { loadPlan } = await import("../plans/store.js");
  const planVpcId = await loadPlan(ctx.planPath).then((p) => p?.resources.vpc?.id ?? undefined, () => undefined);
  // A region the run chose (--region, --all-regions) or a snapshot file's: the fix must go there, not to the default region.
  const regionChosen = Boolean(ctx.opts.regions?.length || spec.region || spec.file);
  const flags = invocationFlags({ ...ctx.opts, region: regionChosen ? a.snapshot.region : undefined, profile: spec.profile ?? ctx.opts.profile }, ctx.env);
  return { ...a, findings: a.findings.map((f) => ({ ...f, fix: carryFlags(onRunPlan(f.fix, planVpcId ?? undefined), flags) })) };
}
