// destroy: delete everything the plan owns in reverse dependency order; keep imported resources
// and user-supplied Elastic IPs; resumable. Prompts on a TTY unless --yes; refuses without a TTY.
import type { Context } from "../context.js";
import type { Options } from "./destroy.spec.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { existsSync } from "node:fs";
import { openSession, loadCheckedPlan, type PlanSession } from "../engine/session.js";
import type { Plan } from "../plans/schema.js";
import { checkAnchors, deletionOrder, destroyPlan, findOrphans, sweepPlan, type Sweep } from "../engine/destroy.js";
import { describeResource, type Text, type C } from "../output/render.js";

export async function destroyCommand(ctx: Context, opts: Partial<Options> = {}): Promise<number> {
  if (!ctx.opts.yes && !ctx.opts.dryRun && !ctx.interactive) {
    throw new UsageError("destroy deletes AWS resources and needs confirmation; no terminal to ask on.", "Pass --yes to confirm non-interactively.");
  }
  // With --yes nothing is shown before the deletes: the plan is read once, under the lock, and its sweep
  // (reads only) is made while the account is asked; the owner checks and deletes start from it once the
  // plan has passed its check. Else the plan is read and shown first, and read and swept again under the lock.
  let sweep: Promise<Sweep> | undefined;
  const meanwhile = (plan: Plan) => {
    sweep = sweepPlan(ctx, plan);
    sweep.catch(() => {}); // awaited by destroyWith
  };
  let session = ctx.opts.yes && !ctx.opts.dryRun && existsSync(ctx.planPath) ? await openSession(ctx, { meanwhile }, "destroy") : undefined;
  try {
    return await destroyWith(ctx, opts, session ? session.plan : await loadCheckedPlan(ctx), async () => (session ??= await openSession(ctx, {}, "destroy")), () => sweep);
  } finally {
    await session?.close();
  }
}

async function destroyWith(ctx: Context, opts: Partial<Options>, plan: Plan, open: () => Promise<PlanSession>, swept: () => Promise<Sweep> | undefined): Promise<number> {
  // Before anything else: a NotFound must mean "gone", not "looked in the wrong place".
  await checkAnchors(ctx, plan, { forgetMissing: Boolean(opts.forgetMissing) });
  const order = await deletionOrder(plan.resources);
  // Resources carrying this plan's id that it never recorded (a crashed run): deleted too, so shown
  // too. With --yes nothing is shown first: the one sweep is made under the plan's lock (destroyPlan).
  const orphans = ctx.opts.dryRun || !ctx.opts.yes ? await findOrphans(ctx, plan) : [];
  const describe = (step: string) => describeResource({ step, kind: plan.resources[step].kind, id: plan.resources[step].id });
  if (ctx.opts.dryRun) {
    const result = {
      command: "destroy",
      dryRun: true,
      plan: plan.name,
      wouldDelete: order.map((s) => ({ step: s, kind: plan.resources[s].kind, id: plan.resources[s].id })),
      orphans: orphans.map((o) => ({ kind: o.kind, id: o.id, step: o.step })),
    };
    ctx.emit(result, renderDestroy);
    return 0;
  }
  if (!ctx.opts.yes) {
    const lines = [...order.map((s) => "  - " + describe(s)), ...orphans.map((o) => `  - ${o.kind} ${o.id} (left unrecorded by an interrupted run of step ${o.step})`)];
    ctx.log.info(`This deletes ${lines.length} resource(s) of plan "${plan.name}" in ${plan.region}:\n${lines.join("\n")}`);
    // Declining is not success (terraform exits 1 too): a script must not go on as if it was destroyed.
    if (!(await ctx.confirm(`Destroy plan "${plan.name}"?`))) throw new CliError("destroy cancelled: nothing was deleted.", ExitCode.failure, undefined, "Cancelled");
  }
  const session = await open();
  const report = await destroyPlan(ctx, session, await swept());
  const result = { command: "destroy", dryRun: false, plan: plan.name, ...report };
  ctx.emit(result, renderDestroy);
  return 0;
}

// ---------- the human rendering of the result (--json prints the result itself) ----------

interface DeletedResource {
  step: string;
  kind: string;
  id?: string | null;
}

/** A dry run lists wouldDelete (and orphans); a run what was deleted, adopted and kept. */
export interface DestroyResult {
  dryRun: boolean;
  plan: string;
  wouldDelete?: DeletedResource[];
  orphans?: Array<{ kind: Text; id: Text; step: Text }>;
  deleted?: unknown[];
  orphansAdopted?: Array<{ id: Text }>;
  kept?: Array<{ kind: string; id?: Text; step: Text; reason: string }>;
}

export function renderDestroy(r: DestroyResult, c: C): string {
  if (r.dryRun) {
    const orphans = (r.orphans ?? []).map((o) => `  ${o.kind} ${o.id} (orphan of step ${o.step}, left by an interrupted run)`);
    if (!r.wouldDelete?.length && !orphans.length) return "Dry run — nothing to delete.";
    return [c.bold("Dry run — would delete, in this order:"), ...(r.wouldDelete ?? []).map((d) => `  ${describeResource(d)}`), ...orphans].join("\n");
  }
  const lines = [`${c.green("✔")} Destroyed plan ${c.bold(r.plan)}: ${r.deleted?.length ?? 0} resource(s) deleted`];
  if (r.orphansAdopted?.length) lines.push(`  also removed ${r.orphansAdopted.length} orphan(s) left by an interrupted run: ${r.orphansAdopted.map((o) => o.id).join(", ")}`);
  const kept = (r.kept ?? []).filter((k) => k.kind !== "vpc-attribute");
  const imported = kept.filter((k) => k.reason === "not owned (imported or yours)");
  if (imported.length) lines.push(`  kept (not owned): ${imported.map((k) => `${k.kind} ${k.id}`).join(", ")}`);
  for (const k of kept.filter((x) => !imported.includes(x))) lines.push(`  kept ${k.kind} ${k.id ?? ""} (${k.step}): ${k.reason}`);
  return lines.join("\n");
}
