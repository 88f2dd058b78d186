// destroy: delete everything the plan owns in reverse dependency order; keep imported resources
// and user-supplied Elastic IPs; resumable. Prompts on a TTY unless --yes; refuses without a TTY.
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { openSession, loadCheckedPlan } from "../engine/session.js";
import { deletionOrder, destroyPlan } from "../engine/destroy.js";
import { renderDestroy } from "../output/render.js";

export async function destroyCommand(ctx: Context): Promise<number> {
  const plan = await loadCheckedPlan(ctx);
  const order = deletionOrder(plan.resources);
  const describe = (step: string) => `${plan.resources[step].kind} ${plan.resources[step].id ?? ""} (${step})`;
  if (ctx.opts.dryRun) {
    const result = { command: "destroy", dryRun: true, plan: plan.name, wouldDelete: order.map((s) => ({ step: s, kind: plan.resources[s].kind, id: plan.resources[s].id })) };
    ctx.emit(result, renderDestroy);
    return 0;
  }
  if (!ctx.opts.yes) {
    if (!ctx.interactive) throw new UsageError("destroy deletes AWS resources and needs confirmation; no terminal to ask on.", "Pass --yes to confirm non-interactively.");
    ctx.log.info(`This deletes ${order.length} resource(s) of plan "${plan.name}" in ${plan.region}:\n${order.map((s) => "  - " + describe(s)).join("\n")}`);
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
