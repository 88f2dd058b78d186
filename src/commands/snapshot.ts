// snapshot: one versioned JSON document with everything that decides a network path in the chosen
// VPCs (see src/analysis/SNAPSHOT.md). Scope: --vpc ID…, else --all-vpcs, else the VPC(s) of the
// plan file when one exists, else every VPC of the region. Also the loader behind `--snapshot FILE`
// and the fresh snapshot that `analyze-path --local` and `diagram` take.
import path from "node:path";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { adoptSnapshot, SnapshotError, type Snapshot } from "../analysis/snapshot.js";
import { awsId } from "../cli/options.js";
import type { Options } from "./snapshot.spec.js";
import type { CollectedSnapshot } from "../aws/snapshot.js";

/** The scope flags snapshot shares with diagram, cost and analyze-path --local. */
export type ScopeOptions = Partial<Pick<Options, "vpc" | "allVpcs">>;


/** Validates the scope flags (before any AWS call) and resolves the plan's VPCs when neither is given. */
export async function resolveScope(ctx: Context, opts: ScopeOptions): Promise<{ vpcIds?: string[]; from: string }> {
  if (opts.vpc?.length && opts.allVpcs) throw new UsageError("--vpc and --all-vpcs both choose the scope; pass one of them.");
  if (opts.vpc?.length) return { vpcIds: [...new Set(opts.vpc.map((v) => awsId("vpc", "a VPC", v)))], from: "--vpc" };
  if (opts.allVpcs) return { from: "--all-vpcs" };
  const { loadPlan } = await import("../plans/store.js");
  const plan = await loadPlan(ctx.planPath);
  if (!plan) return { from: "all VPCs (no plan file)" };
  const { planVpcIds } = await import("../aws/snapshot.js");
  const ids = planVpcIds(plan as never);
  if (!ids.length) throw new UsageError(`The plan ${ctx.planPath} holds no VPC.`, "pass --vpc ID or --all-vpcs");
  return { vpcIds: ids, from: `plan ${plan.name}` };
}

/** Takes a live snapshot with a spinner; warns about resource types that could not be read. */
export async function takeSnapshot(ctx: Context, opts: ScopeOptions): Promise<CollectedSnapshot> {
  const scope = await resolveScope(ctx, opts);
  const { collectSnapshot } = await import("../aws/snapshot.js");
  const aws = await ctx.aws();
  const spinner = ctx.log.spin(`Snapshot of ${scope.vpcIds?.join(", ") ?? "every VPC"} in ${aws.region}…`);
  let snap: CollectedSnapshot;
  try {
    snap = await collectSnapshot(aws, { vpcIds: scope.vpcIds }, {
      concurrency: ctx.concurrency,
      onProgress: (done, total, resource) => spinner.update(`Snapshot: ${done}/${total} resource types (${resource})`),
    });
  } catch (err) {
    spinner.fail("Snapshot failed");
    throw err;
  }
  spinner.succeed(`Snapshot of ${snap.vpcs?.length ?? 0} VPC(s), ${snap.subnets?.length ?? 0} subnets, ${snap.networkInterfaces?.length ?? 0} network interfaces (${scope.from})`);
  if (snap.omitted.length) {
    ctx.log.warn(`snapshot: not collected (the caller or endpoint cannot read them): ${snap.omitted.map((o) => `${o.resource} (${o.code})`).join(", ")}; a path through them is "unknown" (analyze-path exit 6), never reachable`);
  }
  return snap;
}

/** Reads and validates a snapshot file (UsageError naming the file on any problem). */
export async function readSnapshotFile(ctx: Context, file: string): Promise<Snapshot> {
  const { readFile } = await import("node:fs/promises");
  const full = path.resolve(ctx.cwd, file);
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (err) {
    throw new UsageError(`Cannot read snapshot ${full}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "take one with `egress-cli snapshot --out FILE`", "SnapshotUnreadable");
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw new UsageError(`Snapshot ${full} is not valid JSON: ${(err as Error).message}`, undefined, "SnapshotInvalid");
  }
  try {
    return adoptSnapshot(data);
  } catch (err) {
    if (err instanceof SnapshotError) throw new UsageError(`Snapshot ${full}: ${err.message}`, err.issues.slice(1, 4).join("; ") || undefined, "SnapshotInvalid");
    throw err;
  }
}

export async function snapshotCommand(ctx: Context, opts: Options): Promise<number> {
  const { checkOutputFile, jsonChunks, writeChunks, writeOutputFile } = await import("../cli/output-file.js");
  // Refuse a bad --out before any AWS call.
  if (opts.out !== undefined) await checkOutputFile(ctx, "--out", opts.out);
  const snap = await takeSnapshot(ctx, opts);
  if (opts.out !== undefined) {
    // streamed: at 10× the document is ~60 MB, which as one string would sit beside the snapshot itself
    const full = await writeOutputFile(ctx, "--out", opts.out, jsonChunks(snap as unknown as Record<string, unknown>));
    const summary = {
      command: "snapshot",
      file: full,
      region: snap.region,
      accountId: snap.accountId,
      takenAt: snap.takenAt,
      scope: snap.scope,
      counts: Object.fromEntries(Object.entries(snap).filter(([, v]) => Array.isArray(v) && v !== snap.omitted).map(([k, v]) => [k, (v as unknown[]).length])),
      omitted: snap.omitted,
    };
    if (ctx.opts.json) ctx.printJson(summary);
    else ctx.print(`Snapshot written to ${full} (${summary.counts.vpcs ?? 0} VPC(s), ${summary.counts.subnets ?? 0} subnets${snap.omitted.length ? `; not collected: ${snap.omitted.map((o) => o.resource).join(", ")}` : ""})`);
  } else {
    // The document itself is the result (with or without --json): `egress-cli snapshot > snap.json`, streamed.
    await writeChunks(ctx.stdout, jsonChunks(snap as unknown as Record<string, unknown>));
  }
  return 0;
}
