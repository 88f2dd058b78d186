// destroy: delete everything the plan owns in reverse dependency order; keep imported resources
// and user-supplied Elastic IPs; resumable. Prompts on a TTY unless --yes; refuses without a TTY.
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { openSession, loadCheckedPlan } from "../engine/session.js";
import { deletionOrder, destroyPlan, findOrphans } from "../engine/destroy.js";
import { renderDestroy } from "../output/render.js";

export async function destroyCommand(ctx: Context): Promise<number> {
  if (!ctx.opts.yes && !ctx.opts.dryRun && !ctx.interactive) {
    throw new UsageError("destroy deletes AWS resources and needs confirmation; no terminal to ask on.", "Pass --yes to confirm non-interactively.");
  }
  const plan = await loadCheckedPlan(ctx);
  const order = deletionOrder(plan.resources);
  // Resources carrying this plan's id that it never recorded (a crashed run): deleted too, so shown too.
  const orphans = await findOrphans(ctx, plan);
  const describe = (step: string) => `${plan.resources[step].kind} ${plan.resources[step].id ?? ""} (${step})`;
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
    if (!(await ctx.confirm(`Destroy plan "${plan.name}"?`))) {
      ctx.log.info("Nothing deleted.");
      return 0;
    }
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
