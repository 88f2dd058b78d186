// detach-lambda: puts a function back on the VPC config recorded before attach-lambda changed it
// (none, or its old subnets and groups), detaches the ENI policy if egress-cli attached it, and
// deletes the function's security group when nothing else uses it any more (else destroy will).
import { DeleteSecurityGroupCommand } from "@aws-sdk/client-ec2";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { classifyError } from "../aws/errors.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { deleters } from "../engine/kinds.js";
import { parseFunctionRef } from "./lambda-common.js";
import { renderDetachLambda } from "../output/render.js";

export async function detachLambdaCommand(ctx: Context, opts: { function?: string }): Promise<number> {
  const plan = await loadCheckedPlan(ctx);
  const ref = parseFunctionRef(opts.function, plan);
  const base = `lambda/${ref.name}`;
  const cfg = plan.resources[`${base}/vpc-config`];
  if (!cfg || cfg.state === "deleted") {
    throw new UsageError(`Plan "${plan.name}" has no VPC attachment of function ${ref.name} to undo.`, "egress-cli status lists the attached functions.", "NotAttached");
  }
  const previous = (cfg.attrs as { previousVpcConfig?: unknown }).previousVpcConfig ?? null;
  if (ctx.opts.dryRun) {
    const result = { command: "detach-lambda", dryRun: true, plan: plan.name, functionName: ref.name, restoresVpcConfig: previous, wouldDelete: [`${base}/vpc-config`, `${base}/iam`, `${base}/sg`].filter((s) => plan.resources[s] && plan.resources[s].state !== "deleted") };
    ctx.emit(result, renderDetachLambda);
    return 0;
  }
  const session = await openSession(ctx, {}, "detach-lambda");
  const done: string[] = [];
  const kept: Array<{ step: string; id: string | null; reason: string }> = [];
  try {
    const undo = async (step: string) => {
      const rec = session.plan.resources[step];
      if (!rec || rec.state === "deleted") return;
      session.journal({ step, action: "delete", status: "started", resourceId: rec.id ?? undefined });
      await session.save();
      await deleters[rec.kind](ctx, rec); // pending too: the change may have gone through before a crash
      session.upsert(step, { ...rec, state: "deleted", deletedAt: new Date().toISOString(), generation: rec.generation + 1 });
      session.journal({ step, action: "delete", status: "done", resourceId: rec.id ?? undefined });
      await session.save();
      done.push(step);
    };
    // A pending config record may hide an update that went through before a crash: restore anyway.
    await undo(`${base}/vpc-config`);
    await undo(`${base}/iam`);
    const sg = session.plan.resources[`${base}/sg`];
    if (sg && sg.state === "created") {
      // One try: rules of other groups (an endpoint group admitting this one) keep it alive; destroy removes it.
      const referenced = Object.entries(session.plan.resources).some(([, r]) => r.state === "created" && r.dependsOn.includes(`${base}/sg`) && r.kind !== "lambda-vpc-config");
      if (referenced) kept.push({ step: `${base}/sg`, id: sg.id, reason: "still referenced by other rules of this plan; destroy removes it" });
      else {
        try {
          await (await (await ctx.aws()).ec2()).send(new DeleteSecurityGroupCommand({ GroupId: sg.id! }));
          session.upsert(`${base}/sg`, { ...sg, state: "deleted", deletedAt: new Date().toISOString(), generation: sg.generation + 1 });
          session.journal({ step: `${base}/sg`, action: "delete", status: "done", resourceId: sg.id ?? undefined });
          done.push(`${base}/sg`);
        } catch (err) {
          const cls = classifyError(err);
          if (cls === "not-found") {
            session.upsert(`${base}/sg`, { ...sg, state: "deleted", deletedAt: new Date().toISOString(), generation: sg.generation + 1 });
            done.push(`${base}/sg`);
          } else if (cls === "dependency") kept.push({ step: `${base}/sg`, id: sg.id, reason: "still in use (Lambda ENIs are released with a delay); destroy removes it" });
          else throw err;
        }
      }
    }
    const outputs = session.plan.outputs as { lambdaEgressIps?: Record<string, string[]> };
    if (outputs.lambdaEgressIps) delete outputs.lambdaEgressIps[ref.name];
    await session.save();
    const result = { command: "detach-lambda", dryRun: false, plan: plan.name, functionName: ref.name, restoredVpcConfig: previous, undone: done, kept };
    ctx.emit(result, renderDetachLambda);
    return 0;
  } finally {
    await session.close();
  }
}
