// diagram: the topology of the plan's VPC (or --vpc …, or a --snapshot FILE) as Mermaid or Graphviz
// DOT on stdout, optionally with one analyzed path highlighted (--path-from/--path-to, or --path:
// the plan's first Lambda function, else its first private subnet, to the internet gateway).
// Reuses the snapshot collector and the offline analyzer; the rendering is src/output/diagram.ts.
// The diagram is the result: exit 0 even when the highlighted path is blocked (analyze-path is the
// command whose exit code says reachable or not).
import type { Options } from "./diagram.spec.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { DiagramFormat, DiagramPath } from "../output/diagram.js";

/** diagram's options (its spec's flags); a caller may leave out what it does not set. */
export type DiagramOptions = Partial<Options>;


/** Checks the flags before any AWS call; returns the format and the path query (if any). */
export async function parseDiagramOptions(opts: DiagramOptions): Promise<{ format: DiagramFormat; query?: { from: string; to: string; protocol: "tcp" | "udp" | "icmp"; port: number } | "plan" }> {
  const format = (opts.format ?? "mermaid").toLowerCase();
  if (format !== "mermaid" && format !== "dot") throw new UsageError(`--format must be mermaid or dot, got ${JSON.stringify(opts.format)}.`);
  if (opts.path && (opts.pathFrom || opts.pathTo)) throw new UsageError("--path and --path-from/--path-to both choose the path; pass one of them.");
  if (opts.path) return { format, query: "plan" };
  if (!opts.pathFrom && !opts.pathTo) {
    if (opts.port !== undefined || opts.protocol !== undefined) throw new UsageError("--port and --protocol apply to a highlighted path (--path-from/--path-to or --path).");
    return { format };
  }
  if (!opts.pathFrom || !opts.pathTo) throw new UsageError("--path-from and --path-to go together.", "e.g. --path-from lambda:sms-sender --path-to igw");
  const { parseAnalyzeOptions } = await import("./analyze-path.js");
  const q = parseAnalyzeOptions({ from: opts.pathFrom, to: opts.pathTo, port: opts.port, protocol: opts.protocol, local: true });
  return { format, query: { from: q.source, to: q.destination, protocol: q.protocol, port: q.port } };
}

/** --path: the plan's first attached Lambda function, else its first private subnet, to the internet gateway. */
async function planPath(ctx: Context): Promise<{ from: string; to: string }> {
  const { loadPlan } = await import("../plans/store.js");
  const plan = await loadPlan(ctx.planPath);
  if (!plan) throw new UsageError(`--path needs a plan (${ctx.planPath} does not exist).`, "pass --path-from SRC --path-to DST instead");
  const live = Object.entries(plan.resources)
    .filter(([, r]) => r.state === "created")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fn = live.find(([, r]) => r.kind === "lambda-vpc-config");
  if (fn) {
    const [{ typed }, { lambdaVpcConfigKind }] = await Promise.all([import("../engine/kinds/kind.js"), import("../engine/kinds/lambda-vpc-config.js")]);
    return { from: `lambda:${typed(lambdaVpcConfigKind, fn[0], fn[1]).attrs.functionName}`, to: "igw" };
  }
  const subnet = live.find(([, r]) => r.kind === "subnet" && r.tier === "private" && r.id);
  if (subnet) return { from: subnet[1].id!, to: "igw" };
  throw new UsageError(`The plan ${ctx.planPath} has no Lambda function and no private subnet to draw a path from.`, "pass --path-from SRC --path-to DST");
}

export async function diagramCommand(ctx: Context, opts: Options): Promise<number> {
  const { format, query } = await parseDiagramOptions(opts);
  const { readSnapshotFile, takeSnapshot } = await import("./snapshot.js");
  const q = query === "plan" ? { ...(await planPath(ctx)), protocol: "tcp" as const, port: 443 } : query;
  const snap = opts.snapshot ? await readSnapshotFile(ctx, opts.snapshot) : await takeSnapshot(ctx, opts.vpc?.length ? { vpc: opts.vpc } : {});
  let path: DiagramPath | undefined;
  if (q) {
    const { analyzePath } = await import("../analysis/analyzer.js");
    const result = analyzePath(snap, { source: q.from, destination: q.to, protocol: q.protocol, port: q.port });
    path = { from: q.from, to: q.to, result };
    const e = result.explanations[0];
    ctx.log.info(`path ${q.from} → ${q.to}: ${result.reachable ? "reachable" : result.verdict === "unknown" ? `unknown (${result.unknownReasons.map((u) => `${u.code} at ${u.component.id}`).join(", ")})` : `not reachable (${e?.code} at ${e?.component.id})`}`);
  }
  const { renderDiagram } = await import("../output/diagram.js");
  const diagram = renderDiagram(snap, { format, vpcIds: opts.vpc?.length ? opts.vpc : undefined, path });
  if (ctx.opts.json) {
    ctx.printJson({ format, diagram, ...(path ? { path: { from: path.from, to: path.to, reachable: path.result.reachable, verdict: path.result.verdict } } : {}) });
  } else ctx.stdout.write(diagram);
  return 0;
}
