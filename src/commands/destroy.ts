// destroy: delete everything the plan owns in reverse dependency order; keep imported resources
// and user-supplied Elastic IPs; resumable. Prompts on a TTY unless --yes; refuses without a TTY.
import type { Context } from "../context.js";
import type { Options } from "./destroy.spec.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { openSession, loadCheckedPlan } from "../engine/session.js";
import { checkAnchors, deletionOrder, destroyPlan, findOrphans } from "../engine/destroy.js";
import { describeResource, renderDestroy } from "../output/render.js";

export async function destroyCommand(ctx: Context, opts: Partial<Options> = {}): Promise<number> {
  if (!ctx.opts.yes && !ctx.opts.dryRun && !ctx.interactive) {
    throw new UsageError("destroy deletes AWS resources and needs confirmation; no terminal to ask on.", "Pass --yes to confirm non-interactively.");
  }
  const plan = await loadCheckedPlan(ctx);
  // Before anything else: a NotFound must mean "gone", not "looked in the wrong place".
  await checkAnchors(ctx, plan, { forgetMissing: Boolean(opts.forgetMissing) });
  const order = await deletionOrder(plan.resources);
  // Resources carrying this plan's id that it never recorded (a crashed run): deleted too, so shown too.
  const orphans = await findOrphans(ctx, plan);
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
  const session = await openSession(ctx, {}, "destroy");
  try {
    const report = await destroyPlan(ctx, session);
    const result = { command: "destroy", dryRun: false, plan: plan.name, ...report };
    ctx.emit(result, renderDestroy);
    return 0;
  } finally {
    await session.close();
  }
}
