// Tears down what a plan owns: first adopts orphans (resources tagged with the plan that a
// crashed run created but never recorded), then deletes in reverse dependency order, bounded
// concurrency, recording each deletion at once so an interrupted destroy resumes.
import type { Context } from "../context.js";
import { toCliError } from "../aws/errors.js";
import { CliError } from "../errors.js";
import { findTaggedResources } from "./ec2-steps.js";
import { deleteAfter, deleters, undoableWhenPending } from "./kinds.js";
import { Interrupted, type ResourceRecord } from "./engine.js";
import type { PlanSession } from "./session.js";
import type { Plan } from "../plans/schema.js";

export interface DestroyReport {
  deleted: Array<{ step: string; kind: string; id: string | null }>;
  kept: Array<{ step: string; kind: string; id: string | null; reason: string }>;
  orphansAdopted: Array<{ kind: string; id: string }>;
}

/** What destroy would delete, in order (for prompts and --dry-run). */
export function deletionOrder(resources: Record<string, ResourceRecord>): string[] {
  const live = Object.entries(resources).filter(([, r]) => r.state === "created" && r.owned);
  const remaining = new Set(live.map(([id]) => id));
  const order: string[] = [];
  while (remaining.size) {
    const batch = [...remaining].filter((id) => ![...remaining].some((other) => other !== id && mustWait(resources, id, other)));
    if (!batch.length) throw new Error(`internal: dependency cycle among ${[...remaining].join(", ")}`);
    for (const id of batch.sort()) {
      order.push(id);
      remaining.delete(id);
    }
  }
  return order;
}

/** Must `id` wait for `other` to be deleted first? (`other` depends on it, or its kind says so.) */
function mustWait(resources: Record<string, ResourceRecord>, id: string, other: string): boolean {
  return resources[other].dependsOn.includes(id) || Boolean(deleteAfter[resources[id].kind]?.(resources[id], resources).includes(other));
}

export type Orphan = Awaited<ReturnType<typeof findTaggedResources>>[number];

/** Resources carrying this plan's id that the plan does not record (left by a crashed run). Read-only. */
export async function findOrphans(ctx: Context, plan: Plan): Promise<Orphan[]> {
  const recorded = new Set(Object.values(plan.resources).filter((r) => r.id && r.state === "created").map((r) => r.id));
  return (await findTaggedResources(ctx, plan)).filter((t) => !recorded.has(t.id));
}

async function adoptOrphans(ctx: Context, session: PlanSession): Promise<DestroyReport["orphansAdopted"]> {
  const plan = session.plan;
  const orphans = await findOrphans(ctx, plan);
  const stepById = new Map<string, string>();
  for (const [step, r] of Object.entries(plan.resources)) if (r.id && r.state === "created") stepById.set(r.id, step);
  // Pass 1: name every orphan. A crash between a create call and recording it leaves the step's
  // own record pending: the orphan takes that record. Anything else (a duplicate) gets its own.
  const taken = new Set<string>();
  for (const t of orphans) {
    const rec = plan.resources[t.step];
    const own = !taken.has(t.step) && (!rec || rec.state !== "created" || !rec.id);
    const stepId = own ? t.step : `orphan/${t.kind}/${t.id}`;
    taken.add(stepId);
    stepById.set(t.id, stepId);
  }
  // Pass 2: record them with dependencies on whatever they reference (so e.g. an orphan endpoint
  // is deleted before the orphan security group it uses).
  for (const t of orphans) {
    const stepId = stepById.get(t.id)!;
    const rec = stepId === t.step ? plan.resources[t.step] : undefined;
    const deps = (t.refs as (string | undefined)[]).map((id) => (id ? stepById.get(id) : undefined)).filter((x): x is string => Boolean(x) && x !== stepId);
    session.upsert(stepId, {
      kind: t.kind,
      id: t.id,
      owned: true,
      state: "created",
      dependsOn: [...new Set([...(rec?.dependsOn ?? []), ...deps])],
      generation: rec?.generation ?? 0,
      attrs: { ...(rec?.attrs ?? {}), orphan: true },
      createdAt: new Date().toISOString(),
    } as ResourceRecord);
    if ("attachedTo" in t && typeof t.attachedTo === "string") {
      const vpcStep = stepById.get(t.attachedTo);
      const attachStep = `${stepId}/attachment`;
      if (plan.resources[attachStep]?.state !== "created") {
        session.upsert(attachStep, {
          kind: "igw-attachment",
          id: t.id,
          owned: true,
          state: "created",
          dependsOn: [stepId, ...(vpcStep ? [vpcStep] : [])],
          generation: 0,
          attrs: { internetGatewayId: t.id, vpcId: t.attachedTo, orphan: true },
        } as ResourceRecord);
      }
    }
    session.journal({ step: stepId, action: "adopt", status: "done", resourceId: t.id, error: "orphan found by tag; will be deleted" });
  }
  // Pending records: a relation whose call may have been made is undone from its recorded
  // intent; anything else pending has nothing behind it (a tagged resource would have been found).
  let changed = orphans.length > 0;
  for (const [step, r] of Object.entries(plan.resources)) {
    if (r.state !== "pending" || r.id) continue;
    changed = true;
    if (undoableWhenPending[r.kind]?.(r.attrs)) session.upsert(step, { ...r, state: "created", attrs: { ...r.attrs, maybeNotApplied: true } });
    else session.upsert(step, { ...r, state: "deleted", deletedAt: new Date().toISOString() });
  }
  if (changed) await session.save();
  return orphans.map((t) => ({ kind: t.kind, id: t.id }));
}

export async function destroyPlan(ctx: Context, session: PlanSession): Promise<DestroyReport> {
  const report: DestroyReport = { deleted: [], kept: [], orphansAdopted: await adoptOrphans(ctx, session) };
  const resources = session.plan.resources;
  for (const [step, r] of Object.entries(resources)) {
    if (r.state === "created" && !r.owned) report.kept.push({ step, kind: r.kind, id: r.id, reason: "not owned (imported or yours)" });
  }
  const remaining = new Set(Object.entries(resources).filter(([, r]) => r.state === "created" && r.owned).map(([id]) => id));
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  const blocked = (id: string) => [...remaining, ...running.keys()].some((o) => o !== id && mustWait(resources, id, o));

  while ((remaining.size || running.size) && !(failure && !running.size)) {
    if (!failure && !ctx.signal.aborted) {
      for (const id of [...remaining].sort()) {
        if (running.size >= ctx.concurrency) break;
        if (blocked(id)) continue;
        remaining.delete(id);
        const rec = resources[id];
        const del = deleters[rec.kind];
        if (!del) throw new CliError(`Do not know how to delete a ${rec.kind} (${id}); the plan may come from a newer egress-cli.`);
        const p = (async () => {
          session.journal({ step: id, action: "delete", status: "started", resourceId: rec.id ?? undefined });
          await del(ctx, rec);
          session.upsert(id, { ...resources[id], state: "deleted", deletedAt: new Date().toISOString(), generation: resources[id].generation + 1 });
          session.journal({ step: id, action: "delete", status: "done", resourceId: rec.id ?? undefined });
          await session.save();
          report.deleted.push({ step: id, kind: rec.kind, id: rec.id });
          ctx.log.debug(`deleted ${rec.kind} ${rec.id ?? ""} (${id})`);
        })()
          .catch((err) => {
            session.journal({ step: id, action: "delete", status: "failed", resourceId: rec.id ?? undefined, error: `${(err as Error)?.name}: ${(err as Error)?.message}` });
            failure ??= toCliError(err, `Deleting ${rec.kind} ${rec.id ?? ""} (${id})`);
          })
          .finally(() => running.delete(id));
        running.set(id, p);
      }
    }
    if (!running.size) {
      if (remaining.size && !failure && !ctx.signal.aborted) throw new Error(`internal: cannot order deletion of ${[...remaining].join(", ")}`);
      break;
    }
    await Promise.race(running.values());
  }
  await session.flush();
  if (failure) throw failure;
  if (ctx.signal.aborted) throw new Interrupted();
  session.plan.outputs = {};
  await session.save();
  return report;
}
