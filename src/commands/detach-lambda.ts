// detach-lambda: puts a function back on the VPC config recorded before attach-lambda changed it
// (none, or its old subnets and groups), detaches the ENI policy if egress-cli attached it, and
// deletes the function's security group when nothing else uses it any more (else destroy will).
import type { Options } from "./detach-lambda.spec.js";
import { lambdaOf } from "../aws/lambda-api.js";
import type { Context } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { undoSteps } from "../engine/destroy.js";
import { recordOf, recordsOf } from "../engine/kinds/kind.js";
import { rolePolicyAttachmentKind } from "../engine/kinds/iam-role-policy-attachment.js";
import { functionsUsingRole, getFunctionConfiguration, lambdaVpcConfigKind, roleNameOf } from "../engine/kinds/lambda-vpc-config.js";
import { parseFunctionRef } from "../cli/lambda.js";
import type { PlanSession } from "../engine/session.js";
import { type Text, type C } from "../output/render.js";


export async function detachLambdaCommand(ctx: Context, opts: Options): Promise<number> {
  const plan = await loadCheckedPlan(ctx);
  const ref = parseFunctionRef(opts.function, plan);
  const base = `lambda/${ref.name}`;
  const cfg = recordOf(plan, lambdaVpcConfigKind, `${base}/vpc-config`);
  if (!cfg || cfg.state === "deleted") {
    throw new UsageError(`Plan "${plan.name}" has no VPC attachment of function ${ref.name} to undo.`, "egress-cli status lists the attached functions.", "NotAttached");
  }
  const previous = cfg.attrs.previousVpcConfig ?? null;
  const iamRec = recordOf(plan, rolePolicyAttachmentKind, `${base}/iam`);
  if (ctx.opts.dryRun) {
    const result = { command: "detach-lambda", dryRun: true, plan: plan.name, functionName: ref.name, restoresVpcConfig: previous, wouldDelete: [`${base}/vpc-config`, `${base}/iam`, ...Object.keys(plan.resources).filter((s) => s.startsWith(`${base}/sg/egress/`)), `${base}/sg`].filter((s) => plan.resources[s] && plan.resources[s].state !== "deleted" && !(s === `${base}/iam` && functionsUsingRole(plan.resources, iamRec?.attrs.roleName ?? "", { exceptStep: `${base}/vpc-config`, unknownCounts: true }).length)) };
    ctx.emit(result, renderDetachLambda);
    return 0;
  }
  const session = await openSession(ctx, {}, "detach-lambda");
  const done: string[] = [];
  const kept: Array<{ step: string; id: string | null; reason: string }> = [];
  try {
    const undo = async (step: string) => {
      // A pending record too: the change may have gone through before a crash.
      const r = await undoSteps(ctx, session, [step]);
      done.push(...r.deleted.map((d) => d.step));
      // Kept instead of undone: something that is not this plan's relies on it (the ENI policy of a role another plan's function uses).
      kept.push(...r.kept.map((k) => ({ step: k.step, id: k.id, reason: k.reason })));
    };
    await undo(`${base}/vpc-config`);
    // The ENI policy egress-cli attached stays while another function of the plan runs in the VPC
    // under the same role (it may never have needed an iam step of its own because of it).
    const roleName = roleNameOf(cfg.attrs.role) ?? (await currentRoleName(ctx, ref.name)) ?? recordOf(session.plan, rolePolicyAttachmentKind, `${base}/iam`)?.attrs.roleName;
    await recordMissingRoles(ctx, session);
    const attachments = recordsOf(session.plan, rolePolicyAttachmentKind, { state: "any" }).filter(
      ([step, r]) => r.state !== "deleted" && (step === `${base}/iam` || (roleName !== undefined && r.attrs.roleName === roleName)),
    );
    for (const [step, r] of attachments) {
      const role = r.attrs.roleName ?? "";
      const users = functionsUsingRole(session.plan.resources, role, { unknownCounts: true });
      if (users.length) {
        // Another function's own attachment is simply still in use: only ours is worth reporting.
        if (step === `${base}/iam`) {
          const reason = `role ${role} is also the execution role of ${users.map((u) => u.functionName).join(", ")}, still attached to the VPC by this plan; its ENI permissions stay until that is detached (or destroy)`;
          ctx.log.info(`Keeping ${r.attrs.policyArn?.split("/").pop() ?? "the policy"} on ${role}: ${reason}.`);
          kept.push({ step, id: r.id, reason });
        }
        continue;
      }
      await undo(step);
    }
    const sg = session.plan.resources[`${base}/sg`];
    // The group's own egress rules go with it (the function no longer uses it).
    const ownEgress = Object.keys(session.plan.resources).filter((s) => s.startsWith(`${base}/sg/egress/`));
    if (sg && sg.state === "created") for (const s of ownEgress) await undo(s);
    if (sg && sg.state === "created") {
      // One try: rules of other groups (an endpoint group admitting this one) keep it alive; destroy removes it.
      const referenced = Object.entries(session.plan.resources).some(([, r]) => r.state === "created" && r.dependsOn.includes(`${base}/sg`) && r.kind !== "lambda-vpc-config");
      if (referenced) kept.push({ step: `${base}/sg`, id: sg.id, reason: "still referenced by other rules of this plan; destroy removes it" });
      else {
        try {
          await undo(`${base}/sg`);
        } catch (err) {
          // Lambda's hyperplane ENIs are released with a delay: destroy removes the group later.
          if (!(err instanceof CliError && err.code === "DependencyViolation")) throw err;
          kept.push({ step: `${base}/sg`, id: sg.id, reason: "still in use (Lambda ENIs are released with a delay); destroy removes it" });
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
  return roleNameOf((await getFunctionConfiguration(await lambdaOf(ctx), functionName))?.Role);
}

/** Plans written before the role was recorded: look it up for every function still in the VPC, and record it. */
async function recordMissingRoles(ctx: Context, session: PlanSession): Promise<void> {
  let changed = false;
  for (const [step, r] of Object.entries(session.plan.resources)) {
    if (r.kind !== "lambda-vpc-config" || r.state === "deleted" || r.attrs.role) continue;
    const name = String(r.attrs.functionName ?? step.split("/")[1]);
    const f = await getFunctionConfiguration(await lambdaOf(ctx), name);
    if (!f?.Role) continue;
    session.upsert(step, { ...r, attrs: { ...r.attrs, role: f.Role } });
    changed = true;
  }
  if (changed) await session.save();
}

// ---------- the human rendering of the result (--json prints the result itself) ----------

/** A dry run says what it would restore and undo; a run what it restored and kept. */
export interface DetachLambdaResult {
  dryRun: boolean;
  functionName: Text;
  restoresVpcConfig?: unknown;
  wouldDelete?: string[];
  restoredVpcConfig?: { SubnetIds?: string[] } | null;
  kept?: Array<{ step: Text; id: Text; reason: Text }>;
}

export function renderDetachLambda(r: DetachLambdaResult, c: C): string {
  if (r.dryRun) return `Dry run — would restore ${r.functionName}'s VPC config to ${r.restoresVpcConfig ? JSON.stringify(r.restoresVpcConfig) : "none"} and undo ${(r.wouldDelete ?? []).join(", ")}.`;
  const lines = [`${c.green("✔")} ${r.functionName}: VPC config restored to ${r.restoredVpcConfig ? (r.restoredVpcConfig.SubnetIds ?? []).join(", ") : "none (no VPC)"}`];
  for (const k of r.kept ?? []) lines.push(c.dim(`  kept ${k.step} ${k.id ?? ""}: ${k.reason}`));
  return lines.join("\n");
}
