// verify: egress intent as code (issue 23). Reads an intent file (YAML or JSON; schema/intent.schema.json),
// takes one snapshot (live: --vpc / --all-vpcs / the plan's VPCs, like `snapshot`; or --snapshot FILE…)
// and evaluates every intent exhaustively and offline through the analyzer (src/verify/). Reports:
// text, json, junit, sarif, markdown. Exit 0 every intent holds, 3 one is violated, 6 none is
// violated but one could not be decided (unknown is never a pass), 2 bad input. `verify --init`
// writes a commented starter for the VPCs at hand (never over an existing file). The command's
// flags are declared in verify.spec.ts.
import path from "node:path";
import type { Context } from "../context.js";
import { ExitCode, UsageError } from "../errors.js";
import { Problems } from "../cli/options.js";
import type { Snapshot } from "../analysis/snapshot.js";
import type { ProxyInfo } from "../verify/domain.js";
import type { VerifyReport } from "../output/verify.js";
import type { Options } from "./verify.spec.js";

export const VERIFY_FORMATS = ["text", "json", "junit", "sarif", "markdown"] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

/** What the action reads of its options (src/commands/verify.spec.ts declares them). */
export type VerifyOptions = Options;

export const DEFAULT_INTENT_FILE = "egress-intents.yaml";

export async function verifyCommand(ctx: Context, opts: VerifyOptions, args: string[] = []): Promise<number> {
  const problems = new Problems();
  if (args.length > 1) problems.add(`verify takes one intent file, got ${args.length}: ${args.join(" ")}.`);
  const file = args[0];
  if (opts.init) return initCommand(ctx, opts, file ?? DEFAULT_INTENT_FILE, problems);
  if (!file && !opts.naaScope) problems.add("verify needs an intent file: egress-cli verify FILE (or --naa-scope scope.json; --init writes a starter).");
  if (file && opts.naaScope) problems.add(`verify checks one document: the intent file ${file} or the scope --naa-scope ${opts.naaScope}, not both.`);
  const format = (opts.format ?? (ctx.opts.json ? "json" : "text")).toLowerCase();
  if (!(VERIFY_FORMATS as readonly string[]).includes(format)) problems.add(`--format must be one of ${VERIFY_FORMATS.join(", ")}, got ${JSON.stringify(opts.format)}.`);
  if (ctx.opts.json && opts.format && format !== "json") problems.add(`--json and --format ${format} disagree; pass one of them.`);
  if (opts.snapshot?.length && (opts.vpc?.length || opts.allVpcs)) problems.add("--snapshot FILE reads a snapshot; --vpc/--all-vpcs choose what a live one takes: pass one of them.");
  if (opts.output !== undefined) {
    const { checkOutputFile } = await import("../cli/output-file.js");
    await problems.check(() => checkOutputFile(ctx, "--output", opts.output!, { flag: "--format", names: VERIFY_FORMATS }));
  }
  // The intent file is read and checked before any AWS call.
  let loaded: import("../verify/intent.js").LoadedIntents | undefined;
  let shownFile = "";
  if (file) {
    const r = await readIntentFile(ctx, file);
    shownFile = r.shown;
    if (!r.ok) for (const p of r.problems) problems.add(`${r.shown}: ${p}`);
    else loaded = r.value;
  }
  let naa: import("../verify/naa.js").NaaScope | undefined;
  if (opts.naaScope) {
    const { readFile } = await import("node:fs/promises");
    const { parseNaaScope } = await import("../verify/naa.js");
    const full = path.resolve(ctx.cwd, opts.naaScope);
    const text = await readFile(full, "utf8").catch((e: NodeJS.ErrnoException) => {
      problems.add(`--naa-scope ${full}: cannot read it (${e.code ?? e.message}).`);
      return undefined;
    });
    if (text !== undefined) {
      const n = parseNaaScope(text);
      if (!n.ok) problems.add(`--naa-scope ${opts.naaScope} is outside the subset verify evaluates:\n    - ${n.problems.join("\n    - ")}`, "the subset is in README (verify → Network Access Analyzer scopes)", "NaaScopeUnsupported");
      else naa = n.value;
    }
  }
  problems.throwIfAny();

  const snap = await loadSnapshot(ctx, opts);
  const { buildIndex } = await import("../analysis/analyzer.js");
  const ix = buildIndex(snap.snapshot);
  const proxies = await proxiesOf(ctx, snap.snapshot);
  const { VERSION } = await import("../version.js");
  const base = { command: "verify" as const, schema: "egress-cli/verify-report" as const, version: 1 as const, tool: { name: "egress-cli" as const, version: VERSION }, snapshot: { takenAt: snap.snapshot.takenAt, region: snap.snapshot.region, accountId: snap.snapshot.accountId, ...(snap.files ? { files: snap.files } : {}) }, proxies };

  let report: VerifyReport;
  if (naa) {
    const { checkNaaIds, evaluateNaaScope } = await import("../verify/naa.js");
    checkNaaIds(ix, naa);
    const r = evaluateNaaScope(ix, naa);
    report = { ...base, file: repoPath(ctx, opts.naaScope!), outcome: r.outcome, summary: r.summary, intents: r.intents };
  } else {
    const { checkSelectors, evaluateIntents } = await import("../verify/evaluate.js");
    const { asList, portsOf } = await import("../verify/intent.js");
    const intents = loaded!.file.intents;
    checkSelectors(ix, intents, loaded!.lines);
    const r = evaluateIntents(ix, intents, proxies);
    report = {
      ...base,
      file: shownFile,
      outcome: r.outcome,
      summary: r.summary,
      intents: r.intents.map((x, i) => ({ ...x, line: loaded!.lines[i]!, from: asList(intents[i]!.from), to: asList(intents[i]!.to), ports: portsOf(intents[i]!) })),
    };
  }
  const text = await render(report, format as VerifyFormat);
  if (opts.output !== undefined) {
    const { writeOutputFile } = await import("../cli/output-file.js");
    const full = await writeOutputFile(ctx, "--output", opts.output, text, { flag: "--format", names: VERIFY_FORMATS });
    ctx.log.info(`verify report (${format}) written to ${full}: ${report.summary.holds} hold, ${report.summary.violated} violated, ${report.summary.unknown} unknown`);
  } else ctx.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  return report.outcome === "violated" ? ExitCode.findings : report.outcome === "unknown" ? ExitCode.unknown : ExitCode.ok;
}

async function render(report: VerifyReport, format: VerifyFormat): Promise<string> {
  const out = await import("../output/verify.js");
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "junit":
      return out.renderVerifyJunit(report);
    case "sarif":
      return `${JSON.stringify(out.renderVerifySarif(report), null, 2)}\n`;
    case "markdown":
      return out.renderVerifyMarkdown(report);
    default:
      return out.renderVerifyText(report);
  }
}

/** The path a report names: relative to the working directory (a repository path, forward slashes) when under it. */
function repoPath(ctx: Context, file: string): string {
  const full = path.resolve(ctx.cwd, file);
  const rel = path.relative(ctx.cwd, full);
  return (rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : full).split(path.sep).join("/");
}

async function readIntentFile(ctx: Context, file: string) {
  const { readFile } = await import("node:fs/promises");
  const { parseIntentFile } = await import("../verify/intent.js");
  const shown = repoPath(ctx, file);
  let text: string;
  try {
    text = await readFile(path.resolve(ctx.cwd, file), "utf8");
  } catch (err) {
    return { ok: false as const, shown, problems: [`cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); egress-cli verify --init writes a starter`] };
  }
  return { ...parseIntentFile(text), shown };
}

async function loadSnapshot(ctx: Context, opts: VerifyOptions): Promise<{ snapshot: Snapshot; files?: string[] }> {
  const { readSnapshotFile, takeSnapshot } = await import("./snapshot.js");
  if (!opts.snapshot?.length) return { snapshot: await takeSnapshot(ctx, { vpc: opts.vpc, allVpcs: opts.allVpcs }) };
  const docs = [];
  for (const f of opts.snapshot) docs.push(await readSnapshotFile(ctx, f));
  const { mergeSnapshots } = await import("../verify/merge.js");
  const merged = mergeSnapshots(docs);
  if (!merged.ok) throw new UsageError(merged.problem, "snapshot files read together must be of one Region (the accounts may differ)");
  return { snapshot: merged.value, files: opts.snapshot.map((f) => repoPath(ctx, f)) };
}

/**
 * The egress proxies and their allowlists: the plan's (plan.proxy.allowDomains, launch-proxy's
 * instances) when the plan file exists; instances tagged as a proxy step of some plan otherwise, with
 * their allowlist not known (a domain through them is then unknown, never a guess).
 */
export async function proxiesOf(ctx: Context, snap: Snapshot): Promise<ProxyInfo[]> {
  const { loadPlan } = await import("../plans/store.js");
  const plan = await loadPlan(ctx.planPath).catch(() => undefined);
  const out = new Map<string, ProxyInfo>();
  if (plan?.proxy) {
    const { proxyInstances } = await import("../engine/kinds/ec2-instance.js");
    for (const p of proxyInstances(plan)) out.set(p.id, { instanceId: p.id, port: plan.proxy.port, allowDomains: [...plan.proxy.allowDomains], origin: repoPath(ctx, ctx.planPath) });
  }
  const { TAG_STEP } = await import("../aws/tags.js");
  for (const i of snap.instances) {
    const step = i.Tags?.find((t) => t.Key === TAG_STEP)?.Value ?? "";
    if (/^proxy\/[^/]+\/instance$/.test(step) && !out.has(i.InstanceId)) out.set(i.InstanceId, { instanceId: i.InstanceId, port: 3128, allowDomains: null });
  }
  return [...out.values()].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
}

/** verify --init: a commented starter for the VPCs at hand, each intent holding on today's network. */
async function initCommand(ctx: Context, opts: VerifyOptions, file: string, problems: Problems): Promise<number> {
  const { existsSync } = await import("node:fs");
  const full = path.resolve(ctx.cwd, file);
  if (existsSync(full)) problems.add(`${full} already exists; verify --init never overwrites a file.`, "name another file: egress-cli verify --init NEW.yaml");
  if (opts.format || opts.output || opts.naaScope) problems.add("--init writes FILE; --format, --output and --naa-scope are for checking one.");
  problems.throwIfAny();
  const snap = await loadSnapshot(ctx, opts);
  const proxies = await proxiesOf(ctx, snap.snapshot);
  const { starterIntents } = await import("../verify/starter.js");
  const text = starterIntents(snap.snapshot, proxies);
  const { writeOutputFile } = await import("../cli/output-file.js");
  const written = await writeOutputFile(ctx, "FILE", file, text);
  ctx.emit({ command: "verify --init", file: written, vpcs: snap.snapshot.vpcs.length }, (r) => `Wrote ${r.file} (${r.vpcs} VPC(s)); each intent in it holds today. Edit it to say what must stay true, then: egress-cli verify ${file}`);
  return ExitCode.ok;
}
