// Tears down what a plan owns: first adopts orphans (what a crashed run created but never
// recorded, found by each kind's sweep), then undoes records in reverse dependency order through
// the one scheduler, checking before each delete that the live resource is this plan's.
import type { TagDescription } from "@aws-sdk/client-ec2";
import type { Context } from "../context.js";
import { toCliError } from "../aws/errors.js";
import { CliError, ExitCode } from "../errors.js";
import { Interrupted, type ResourceRecord } from "./engine.js";
import type { PlanSession } from "./session.js";
import type { Plan } from "../plans/schema.js";
import { runDag } from "../dag.js";
import { kindOf } from "./kinds/index.js";
import { notOursError, typed, type Found, type Kind, type Seen } from "./kinds/kind.js";

export interface DestroyReport {
  deleted: Array<{ step: string; kind: string; id: string | null }>;
  kept: Array<{ step: string; kind: string; id: string | null; reason: string }>;
  orphansAdopted: Array<{ kind: string; id: string }>;
}

export type Orphan = Found;

/** A context whose AWS clients are another profile's (same backend, region and settings): connect-proxy's consumer accounts. */
export function contextForProfile(ctx: Context, profile: string | undefined): Context {
  if (!profile) return ctx;
  let clients: ReturnType<Context["aws"]> | undefined;
  return { ...ctx, aws: () => (clients ??= ctx.awsFor({ profile })) };
}

/** The profile a record was made with (connect-proxy --consumer-profile): it is checked and undone with those credentials. */
const profileOf = (rec: { attrs?: Record<string, unknown> }) => (typeof rec.attrs?.profile === "string" ? rec.attrs.profile : undefined);

/** The kind modules of these records (loaded once); an unknown kind is refused before anything changes. */
async function kindsFor(resources: Record<string, ResourceRecord>, steps: string[]): Promise<Map<string, Kind>> {
  const out = new Map<string, Kind>();
  for (const step of steps) {
    const name = resources[step].kind;
    if (out.has(name)) continue;
    const k = await kindOf(name);
    if (!k) throw new CliError(`Do not know how to delete a ${name} (${step}); the plan may come from a newer egress-cli.`);
    out.set(name, k);
  }
  return out;
}

/**
 * The relations among these records that another of them takes along (`goesWith`: a route with its
 * table): relation step → the step it goes with.
 */
function holdersOf(resources: Record<string, ResourceRecord>, kinds: Map<string, Kind>, ids: string[]): Map<string, string> {
  const set = new Set(ids);
  const out = new Map<string, string>();
  for (const id of ids) {
    const k = kinds.get(resources[id].kind);
    const h = k?.goesWith?.(typed(k, id, resources[id]), resources);
    if (h && h !== id && set.has(h)) out.set(id, h);
  }
  return out;
}

/**
 * Must `id` wait for `other` to be undone first? (`other` depends on it, or its kind says so.) A
 * relation another record takes along waits only for that record, and nothing waits for it.
 */
function mustWait(resources: Record<string, ResourceRecord>, kinds: Map<string, Kind>, id: string, other: string, holders?: Map<string, string>): boolean {
  if (holders?.has(other)) return false;
  if (holders?.has(id)) return holders.get(id) === other;
  const rec = resources[id];
  if (resources[other].dependsOn.includes(id)) return true;
  const k = kinds.get(rec.kind);
  return Boolean(k?.deleteAfter?.(typed(k, id, rec), resources).includes(other));
}

/** What destroy would delete, in order (for prompts and --dry-run). */
export async function deletionOrder(resources: Record<string, ResourceRecord>): Promise<string[]> {
  const live = Object.entries(resources).filter(([, r]) => r.state === "created" && r.owned).map(([id]) => id);
  const kinds = await kindsFor(resources, live);
  const holders = holdersOf(resources, kinds, live);
  const remaining = new Set(live);
  const order: string[] = [];
  while (remaining.size) {
    const batch = [...remaining].filter((id) => ![...remaining].some((other) => other !== id && mustWait(resources, kinds, id, other, holders)));
    if (!batch.length) throw new Error(`internal: dependency cycle among ${[...remaining].join(", ")}`);
    for (const id of batch.sort()) {
      order.push(id);
      remaining.delete(id);
    }
  }
  return order;
}

/**
 * A plan written before records named their region: a NotFound proves nothing when the lookup may
 * be in the wrong region or account (an edited region field, a stale copy). Its VPCs are the
 * anchors: when none of them exists where this run looks, destroy refuses (exit 2) before any
 * call, unless the user says the resources really are gone (--forget-missing). Read-only.
 */
export async function checkAnchors(ctx: Context, plan: Plan, opts: { forgetMissing?: boolean } = {}): Promise<void> {
  const anchors = Object.entries(plan.resources).filter(([, r]) => r.kind === "vpc" && r.state === "created" && r.id);
  if (!anchors.length || anchors.every(([, r]) => r.region !== undefined)) return;
  const [{ ec2Of }, { tagsOfId }] = await Promise.all([import("../aws/ec2-api.js"), import("../aws/ec2.js")]);
  const ec2 = await ec2Of(ctx);
  for (const [, r] of anchors) if ((await tagsOfId(ec2, r.id!)) !== undefined) return;
  const region = (await ctx.aws()).region;
  const ids = anchors.map(([, r]) => r.id).join(", ");
  if (opts.forgetMissing) {
    ctx.log.warn(`None of plan "${plan.name}"'s VPCs (${ids}) exists in ${region}; --forget-missing: records of resources not found are marked deleted.`);
    return;
  }
  throw new CliError(
    `None of plan "${plan.name}"'s VPCs (${ids}) exists in ${region} (account ${plan.accountId}): the plan may be for another region or account, where its resources still run. Nothing was deleted.`,
    ExitCode.usage,
    "If the plan's region field is wrong, set it back and run with that --region. If the VPC really was deleted outside egress-cli, pass --forget-missing to delete what is left and forget the rest.",
    "PlanAnchorsMissing",
  );
}

/** What one sweep of a plan's kinds found: every resource carrying its tag, as the answers gave them. */
export interface Sweep {
  found: Found[];
  /** The swept resources by kind and id, for the owner checks and deletes of the same run. */
  seen(profile: string | undefined): Seen;
}

/**
 * The kinds whose owner checks and deletes need only tags (Kind.sweptByTag), swept by one DescribeTags
 * of the plan's id: each kind's resources carrying it. A kind is swept on its own instead when the answer
 * holds an id of it the plan does not record as created (an orphan is adopted with its step and
 * references), or lacks one the plan records (gone, no longer tagged as the plan's, or an endpoint whose
 * DescribeTags does not report that kind: moto names an Elastic IP `vpc-elastic-ip`, so the filter finds
 * none; the kind's own sweep tells which, and is what its owner checks start from). A DescribeTags that
 * fails (not allowed to the role, not implemented by the endpoint) leaves every kind to its own sweep.
 */
async function sweepByTag(ctx: Context, plan: Plan, kinds: Kind[]): Promise<Found[][]> {
  const [{ ec2Of }, { TAG_PLAN_ID }] = await Promise.all([import("../aws/ec2-api.js"), import("../aws/tags.js")]);
  let tags: TagDescription[];
  try {
    tags = await (await ec2Of(ctx)).describeTags({
      Filters: [
        { Name: "key", Values: [TAG_PLAN_ID] },
        { Name: "value", Values: [plan.planId] },
        { Name: "resource-type", Values: kinds.map((k) => k.sweptByTag!.resourceType) },
      ],
      MaxResults: 1000,
    });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.debug(`DescribeTags failed (${(err as Error)?.name}): each kind is swept on its own`);
    return Promise.all(kinds.map((k) => k.sweep!(ctx, plan)));
  }
  const key = (kind: string, id: string) => `${kind}|${id}`;
  /** Created records by kind and id (any account's: an id of another account's is not an orphan here either). */
  const created = new Map<string, string>();
  /** The ids this account's DescribeTags should answer, by kind: created records the plan owns, made without another profile. */
  const expected = new Map<string, string[]>();
  for (const [step, r] of Object.entries(plan.resources)) {
    if (!r.id || r.state !== "created") continue;
    created.set(key(r.kind, r.id), step);
    if (!r.owned || profileOf(r)) continue;
    const ids = expected.get(r.kind) ?? [];
    ids.push(r.id);
    expected.set(r.kind, ids);
  }
  return Promise.all(
    kinds.map(async (k) => {
      // the filters are checked here too: an endpoint that ignores one must not hand us others' resources
      const ids = tags.filter((t) => t.Key === TAG_PLAN_ID && t.Value === plan.planId && t.ResourceType === k.sweptByTag!.resourceType && t.ResourceId).map((t) => t.ResourceId!);
      const answered = new Set(ids);
      const missing = (expected.get(k.kind) ?? []).some((id) => !answered.has(id));
      if (missing || ids.some((id) => !created.has(key(k.kind, id)))) return k.sweep!(ctx, plan);
      // what the owner checks see of them: the tag that makes them this plan's
      return ids.map((id) => ({ kind: k.kind, id, step: created.get(key(k.kind, id))!, refs: [], live: { Tags: [{ Key: TAG_PLAN_ID, Value: plan.planId }] } }));
    }),
  );
}

/** One sweep per kind the plan ever held (and per profile its records were made with). Read-only. */
export async function sweepPlan(ctx: Context, plan: Plan): Promise<Sweep> {
  // Only kinds the plan ever held can have orphans: the engine records a step (pending) before its create call.
  const names = [...new Set(Object.values(plan.resources).map((r) => r.kind))];
  const kinds = (await Promise.all(names.map((n) => kindOf(n)))).filter((k): k is Kind => Boolean(k?.sweep));
  const { KIND_NAMES } = await import("./kinds/index.js");
  kinds.sort((a, b) => KIND_NAMES.indexOf(a.kind as never) - KIND_NAMES.indexOf(b.kind as never));
  const byTag = kinds.filter((k) => k.sweptByTag);
  const tagged = byTag.length ? sweepByTag(ctx, plan, byTag) : undefined;
  tagged?.catch(() => {}); // awaited below
  const found = (await Promise.all(kinds.map((k) => (k.sweptByTag ? tagged!.then((t) => t[byTag.indexOf(k)]!) : k.sweep!(ctx, plan))))).flat();
  const live = new Map<string, unknown>();
  const key = (profile: string | undefined, kind: string, id: string) => `${profile ?? ""}|${kind}|${id}`;
  for (const t of found) live.set(key(undefined, t.kind, t.id), t.live);
  // Records made in another account (a profile's) are swept there too, for the kinds they hold.
  const byProfile = new Map<string, Set<string>>();
  for (const r of Object.values(plan.resources)) {
    const p = profileOf(r);
    if (p) byProfile.set(p, (byProfile.get(p) ?? new Set()).add(r.kind));
  }
  const seen = new Set(found.map((t) => `${t.kind}|${t.id}`));
  for (const [profile, names] of byProfile) {
    const pctx = contextForProfile(ctx, profile);
    for (const k of kinds.filter((x) => names.has(x.kind))) {
      for (const t of await k.sweep!(pctx, plan)) {
        live.set(key(profile, t.kind, t.id), t.live);
        if (seen.has(`${t.kind}|${t.id}`)) continue; // the same account as the plan's
        seen.add(`${t.kind}|${t.id}`);
        found.push({ ...t, profile });
      }
    }
  }
  return { found, seen: (profile) => (kind, id) => live.get(key(profile, kind, id)) };
}

/** Resources carrying this plan's id that it does not record (left by a crashed run). Read-only. */
export async function findOrphans(ctx: Context, plan: Plan, sweep?: Sweep): Promise<Orphan[]> {
  const recorded = new Set(Object.values(plan.resources).filter((r) => r.id && r.state === "created").map((r) => r.id));
  return (sweep ?? (await sweepPlan(ctx, plan))).found.filter((t) => !recorded.has(t.id));
}

async function adoptOrphans(ctx: Context, session: PlanSession, sweep: Sweep): Promise<DestroyReport["orphansAdopted"]> {
  const plan = session.plan;
  const orphans = await findOrphans(ctx, plan, sweep);
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
  const region = orphans.length ? (await ctx.aws()).region : undefined;
  for (const t of orphans) {
    const stepId = stepById.get(t.id)!;
    const rec = stepId === t.step ? plan.resources[t.step] : undefined;
    const deps = t.refs.map((id) => stepById.get(id)).filter((x): x is string => Boolean(x) && x !== stepId);
    session.upsert(stepId, {
      kind: t.kind,
      id: t.id,
      owned: true,
      state: "created",
      region,
      dependsOn: [...new Set([...(rec?.dependsOn ?? []), ...deps])],
      generation: rec?.generation ?? 0,
      attrs: { ...(rec?.attrs ?? {}), ...(t.profile ? { profile: t.profile } : {}), orphan: true },
      createdAt: new Date().toISOString(),
    });
    if (t.attachedTo) {
      const vpcStep = stepById.get(t.attachedTo);
      const attachStep = `${stepId}/attachment`;
      if (plan.resources[attachStep]?.state !== "created") {
        session.upsert(attachStep, {
          kind: "igw-attachment",
          id: t.id,
          owned: true,
          state: "created",
          region,
          dependsOn: [stepId, ...(vpcStep ? [vpcStep] : [])],
          generation: 0,
          attrs: { internetGatewayId: t.id, vpcId: t.attachedTo, orphan: true },
        });
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
    const k = await kindOf(r.kind);
    // a pending record from before its kind recorded an intent has nothing to undo from
    const intent = k?.undoableWhenPending ? k.attrs.safeParse(r.attrs ?? {}) : undefined;
    if (k?.undoableWhenPending && intent?.success && k.undoableWhenPending(intent.data)) session.upsert(step, { ...r, state: "created", attrs: { ...r.attrs, maybeNotApplied: true } });
    else session.upsert(step, { ...r, state: "deleted", deletedAt: new Date().toISOString() });
  }
  // not awaited: a crash before it is on disk finds the same by the next sweep
  if (changed) session.saveLater();
  return orphans.map(({ kind, id }) => ({ kind, id }));
}

export interface UndoReport {
  deleted: DestroyReport["deleted"];
  /** Records the plan gave up instead of undoing: something not this plan's relies on them. */
  kept: DestroyReport["kept"];
}

/**
 * Undoes these records (deletes the resource, or puts a relation back) in reverse dependency
 * order, `ctx.concurrency` at a time, each recorded as it is done so an interrupted run resumes. Before
 * touching one, its kind checks that the live resource is this plan's: one that is not is left
 * alone (and whatever must wait for it), the others go on, and the run ends with exit 1. `flush: false`:
 * as runSteps' (the caller saves the plan next and awaits it); a failure still flushes first.
 */
export async function undoSteps(ctx: Context, session: PlanSession, stepIds: string[], opts: { reason?: string; sweep?: Sweep; flush?: boolean } = {}): Promise<UndoReport> {
  const resources = session.plan.resources;
  const ids = [...new Set(stepIds)].filter((id) => resources[id] && resources[id].state !== "deleted").sort();
  const kinds = await kindsFor(resources, ids);
  const holders = holdersOf(resources, kinds, ids);
  const report: UndoReport = { deleted: [], kept: [] };
  const refused: CliError[] = [];
  const { failure, notRun } = await runDag({
    ids,
    waits: (id, open) => [...open].some((o) => o !== id && mustWait(resources, kinds, id, o, holders)),
    limit: ctx.concurrency,
    signal: ctx.signal,
    keepGoing: (err) => err instanceof CliError && err.code === "NotOwned",
    run: async (id) => {
      const rec = resources[id];
      const k = kinds.get(rec.kind)!;
      const view = typed(k, id, rec);
      const rctx = contextForProfile(ctx, profileOf(rec));
      const seen: Seen | undefined = opts.sweep?.seen(profileOf(rec));
      const holder = holders.get(id);
      if (holder && resources[holder].state === "deleted") {
        // Gone with what held it (a route with its table): nothing to call, nothing left to check.
        session.upsert(id, { ...rec, state: "deleted", deletedAt: new Date().toISOString(), generation: rec.generation + 1 });
        session.journal({ step: id, action: "delete", status: "done", resourceId: rec.id ?? undefined, error: `went with ${holder}` });
        session.saveLater();
        report.deleted.push({ step: id, kind: rec.kind, id: rec.id });
        return;
      }
      try {
        const owner = await k.owner(rctx, view, session.plan, seen);
        if ("ours" in owner && !owner.ours) {
          const err = notOursError(id, rec.kind, rec.id, owner.found, { orphan: rec.attrs?.orphan === true });
          refused.push(err);
          session.journal({ step: id, action: "delete", status: "failed", resourceId: rec.id ?? undefined, error: err.message });
          throw err;
        }
        if ("reliedOn" in owner) {
          // Not undone and no longer the plan's to undo: it stays recorded, owned: false (like an import).
          ctx.log.warn(`Keeping ${rec.kind} ${rec.id ?? ""} (${id}): ${owner.reliedOn}.`);
          session.upsert(id, { ...resources[id], owned: false, attrs: { ...resources[id].attrs, keptBecause: owner.reliedOn } });
          session.journal({ step: id, action: "update", status: "done", resourceId: rec.id ?? undefined, error: `kept: ${owner.reliedOn}` });
          session.saveLater();
          report.kept.push({ step: id, kind: rec.kind, id: rec.id, reason: owner.reliedOn });
          return;
        }
        session.journal({ step: id, action: "delete", status: "started", resourceId: rec.id ?? undefined });
        if (!("gone" in owner)) await k.delete(rctx, view, session.plan, seen);
        session.upsert(id, { ...resources[id], state: "deleted", deletedAt: new Date().toISOString(), generation: resources[id].generation + 1 });
        session.journal({ step: id, action: "delete", status: "done", resourceId: rec.id ?? undefined, ...(opts.reason ? { error: opts.reason } : {}) });
        // Not awaited (what waited for this delete starts now): a crash before it is on disk leaves the
        // record created, and the re-run finds the resource gone (the owner check's NotFound).
        session.saveLater();
        report.deleted.push({ step: id, kind: rec.kind, id: rec.id });
        ctx.log.debug(`deleted ${rec.kind} ${rec.id ?? ""} (${id})`);
      } catch (err) {
        if (err instanceof CliError && err.code === "NotOwned") throw err;
        session.journal({ step: id, action: "delete", status: "failed", resourceId: rec.id ?? undefined, error: `${(err as Error)?.name}: ${(err as Error)?.message}` });
        throw Object.assign(toCliError(err, `Deleting ${rec.kind} ${rec.id ?? ""} (${id})`), { stepId: id });
      }
    },
  });
  if (opts.flush !== false || failure || ctx.signal.aborted || refused.length) await session.flush();
  const describeLeft = (left: string[]) => left.map((id) => `${resources[id].kind}${resources[id].id ? ` ${resources[id].id}` : ""} (${id})`).join(", ");
  if (failure && !(failure instanceof CliError && failure.code === "NotOwned")) {
    // Say what is still there besides the failed one: nothing is left silently.
    const left = ids.filter((id) => resources[id]?.state !== "deleted" && id !== (failure as { stepId?: string }).stepId);
    if (!(failure instanceof CliError) || !left.length || ctx.signal.aborted) throw failure;
    throw new CliError(`${failure.message}\nAlso left undeleted (re-run to resume): ${describeLeft(left)}.`, failure.exitCode, failure.hint, failure.code);
  }
  if (ctx.signal.aborted) throw new Interrupted();
  if (refused.length) {
    // Every record left undeleted is named: the refused ones, and those that had to wait for them
    // (a plan's own endpoint waiting on a refused group is a failure too, not a silent leftover).
    const waited = notRun.filter((id) => resources[id]?.state !== "deleted");
    const lines = [
      ...refused.map((e) => e.message),
      ...(waited.length ? [`Left undeleted because they must go after the above: ${describeLeft(waited)}.`] : []),
      `${report.deleted.length} resource(s) deleted, ${refused.length + waited.length} left undeleted; re-run once the above is resolved.`,
    ];
    throw new CliError(lines.join("\n"), ExitCode.failure, refused[0].hint, "NotOwned");
  }
  return report;
}

/**
 * `sweep`: one made under this session's lock may be handed in (else one is made here); it finds the
 * orphans and is what the owner checks and deletes start from.
 */
export async function destroyPlan(ctx: Context, session: PlanSession, sweep?: Sweep): Promise<DestroyReport> {
  sweep ??= await sweepPlan(ctx, session.plan);
  const report: DestroyReport = { deleted: [], kept: [], orphansAdopted: await adoptOrphans(ctx, session, sweep) };
  const resources = session.plan.resources;
  for (const [step, r] of Object.entries(resources)) {
    if (r.state === "created" && !r.owned) report.kept.push({ step, kind: r.kind, id: r.id, reason: "not owned (imported or yours)" });
  }
  const owned = Object.entries(resources).filter(([, r]) => r.state === "created" && r.owned).map(([id]) => id);
  // one fsynced write for the deletes' records and the emptied outputs (saved below, before the summary)
  const undone = await undoSteps(ctx, session, owned, { sweep, flush: false });
  report.deleted = undone.deleted;
  report.kept.push(...undone.kept);
  session.plan.outputs = {};
  await session.save();
  return report;
}
