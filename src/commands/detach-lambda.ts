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
import { functionsUsingRole, getFunctionConfiguration, roleNameOf } from "../engine/lambda-steps.js";
import type { PlanSession } from "../engine/session.js";
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
    const result = { command: "detach-lambda", dryRun: true, plan: plan.name, functionName: ref.name, restoresVpcConfig: previous, wouldDelete: [`${base}/vpc-config`, `${base}/iam`, `${base}/sg`].filter((s) => plan.resources[s] && plan.resources[s].state !== "deleted" && !(s === `${base}/iam` && functionsUsingRole(plan.resources, (plan.resources[s].attrs as { roleName: string }).roleName, { exceptStep: `${base}/vpc-config`, unknownCounts: true }).length)) };
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
    // The ENI policy egress-cli attached stays while another function of the plan runs in the VPC
    // under the same role (it may never have needed an iam step of its own because of it).
    const roleName = roleNameOf((cfg.attrs as { role?: unknown }).role) ?? (await currentRoleName(ctx, ref.name)) ?? (session.plan.resources[`${base}/iam`]?.attrs as { roleName?: string } | undefined)?.roleName;
    await recordMissingRoles(ctx, session);
    const attachments = Object.entries(session.plan.resources).filter(
      ([step, r]) => r.kind === "iam-role-policy-attachment" && r.state !== "deleted" && (step === `${base}/iam` || (roleName !== undefined && (r.attrs as { roleName?: string }).roleName === roleName)),
    );
    for (const [step, r] of attachments) {
      const role = (r.attrs as { roleName: string }).roleName;
      const users = functionsUsingRole(session.plan.resources, role, { unknownCounts: true });
      if (users.length) {
        // Another function's own attachment is simply still in use: only ours is worth reporting.
        if (step === `${base}/iam`) {
          const reason = `role ${role} is also the execution role of ${users.map((u) => u.functionName).join(", ")}, still attached to the VPC by this plan; its ENI permissions stay until that is detached (or destroy)`;
          ctx.log.info(`Keeping ${(r.attrs as { policyArn?: string }).policyArn?.split("/").pop() ?? "the policy"} on ${role}: ${reason}.`);
          kept.push({ step, id: r.id, reason });
        }
        continue;
      }
      await undo(step);
    }
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

async function currentRoleName(ctx: Context, functionName: string): Promise<string | undefined> {
  return roleNameOf((await getFunctionConfiguration(await (await ctx.aws()).lambda(), functionName))?.Role);
}

/** Plans written before the role was recorded: look it up for every function still in the VPC, and record it. */
async function recordMissingRoles(ctx: Context, session: PlanSession): Promise<void> {
  let changed = false;
  for (const [step, r] of Object.entries(session.plan.resources)) {
    if (r.kind !== "lambda-vpc-config" || r.state === "deleted" || (r.attrs as { role?: unknown }).role) continue;
    const name = (r.attrs as { functionName?: string }).functionName ?? step.split("/")[1];
    const f = await getFunctionConfiguration(await (await ctx.aws()).lambda(), name);
    if (!f?.Role) continue;
    session.upsert(step, { ...r, attrs: { ...r.attrs, role: f.Role } });
    changed = true;
  }
  if (changed) await session.save();
}
