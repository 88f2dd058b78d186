// The idempotent step runner behind every provisioning command (DESIGN.md "The step engine").
// A step has a stable id; running it either (1) verifies the resource the journal recorded,
// (2) adopts what an interrupted run created (found by tags, or a relation that already holds),
// or (3) creates it with tags at creation and a client token, recording the result at once.
// Independent steps run concurrently, bounded. Kill -9 at any point and a re-run converges.
import { createHash } from "node:crypto";
import { CliError, ExitCode, Interrupted } from "../errors.js";
import type { Context } from "../context.js";
import type { Plan } from "../plans/schema.js";
import { planTags, stepFilters, type Tag } from "../aws/tags.js";
import type { PlanSession } from "./session.js";
import { classifyError, toCliError } from "../aws/errors.js";
import { eventually } from "../aws/retry.js";
import { runDag } from "../dag.js";

export type ResourceRecord = Plan["resources"][string];

export interface StepResult {
  id: string | null;
  attrs?: Record<string, unknown>;
  /** create only: the resource as the create call answered it (kept in memory for this run: PlanSession.made), never recorded. */
  answer?: unknown;
}

export interface StepRun {
  readonly ctx: Context;
  readonly session: PlanSession;
  readonly stepId: string;
  /** No record of this step when this run started: no earlier run tried it (see adoptsOnly). */
  readonly fresh: boolean;
  readonly planName: string;
  /** Idempotency token: plan id + step id + generation (bumped when the resource is deleted). */
  readonly clientToken: string;
  /** Name + egress-cli:plan, plan-id and step tags for TagSpecifications. */
  readonly tags: Tag[];
  /** Describe filters finding what this step of this plan created (plan-id + step tags). */
  readonly stepFilters: { Name: string; Values: string[] }[];
  /** Resource id recorded for another (earlier) step. */
  ref(stepId: string): string;
  record(stepId: string): ResourceRecord | undefined;
  /** What one run of the step already read (discover, intent and create share it); forgotten after a failed create. */
  memo<T>(key: string, read: () => Promise<T>): Promise<T>;
  forget(): void;
}

export interface StepDef {
  id: string;
  kind: string;
  /** Human label, e.g. "NAT gateway in us-east-1a". */
  label: string;
  /** The Name tag (defaults to `<plan>-<step id with / as ->`). */
  name?: string;
  dependsOn?: string[];
  owned?: boolean;
  meta?: { az?: string; cidr?: string; tier?: "public" | "private" };
  /** Is the recorded resource still there (and as wanted)? Undefined → recreate. */
  verify?(run: StepRun, rec: ResourceRecord): Promise<StepResult | undefined>;
  /** Finds what an interrupted run created (by tags), or a relation that already holds. */
  discover?(run: StepRun): Promise<StepResult | undefined>;
  /**
   * discover only adopts what this plan made: with no record of the step at all, no run of this
   * plan ever called create (the record is written before the call), so the lookup is skipped.
   */
  adoptsOnly?: boolean;
  /**
   * Facts to record BEFORE the mutating call (e.g. the route a ReplaceRoute overwrites), so a
   * crash right after the call cannot lose them. Kept in the record's attrs; create can read them.
   */
  intent?(run: StepRun): Promise<Record<string, unknown>>;
  /**
   * intent records something only about what an earlier run of the step may have left (a fresh step has
   * nothing to record), so a fresh step's pending record is written ahead as a step without intent's is.
   */
  intentIfTried?: boolean;
  create(run: StepRun): Promise<StepResult>;
  /** After create/adopt/verify: wait until the resource is usable (e.g. NAT available). */
  settle?(run: StepRun, result: StepResult): Promise<StepResult | void>;
  /** With --dry-run: a DryRun call proving permission (only when its inputs already exist). */
  dryRun?(run: StepRun): Promise<void>;
  /**
   * Steps whose resources this step's calls change in place (the route table it adds a route to,
   * the subnet it re-associates, the VPC whose attribute it sets, the group it adds a rule to), as
   * opposed to resources it merely places something in. Before any step runs, the engine checks
   * that none of them that this plan did not create is another plan's (checkTargets).
   */
  changes?: string[];
}

export type StepOutcome = "created" | "adopted" | "exists" | "would-create" | "would-skip";

export interface RunReport {
  outcomes: Record<string, StepOutcome>;
  dryRunChecks: Array<{ step: string; result: "allowed" | "denied" | "skipped"; detail?: string }>;
}

export function clientTokenFor(planId: string, stepId: string, generation: number): string {
  return createHash("sha256").update(`${planId}:${stepId}:${generation}`).digest("hex").slice(0, 40);
}

export function defaultName(planName: string, stepId: string): string {
  return `${planName}-${stepId.replace(/\//g, "-")}`;
}

export { Interrupted };

function makeRun(ctx: Context, session: PlanSession, step: Pick<StepDef, "id" | "name">, fresh: boolean): StepRun {
  const plan = session.plan;
  const memos = new Map<string, Promise<unknown>>();
  const rec = plan.resources[step.id];
  const generation = rec?.generation ?? 0;
  return {
    ctx,
    session,
    stepId: step.id,
    fresh,
    planName: plan.name,
    clientToken: clientTokenFor(plan.planId, step.id, generation),
    tags: planTags(plan, step.id, step.name ?? defaultName(plan.name, step.id)),
    stepFilters: stepFilters(plan, step.id),
    ref(stepId) {
      const r = session.plan.resources[stepId];
      if (!r || r.state !== "created" || !r.id) throw new Error(`internal: step ${step.id} needs ${stepId}, which is not done`);
      return r.id;
    },
    record: (stepId) => session.plan.resources[stepId],
    memo<T>(key: string, read: () => Promise<T>): Promise<T> {
      let p = memos.get(key) as Promise<T> | undefined;
      if (!p) {
        p = read();
        memos.set(key, p);
        p.catch(() => memos.delete(key));
      }
      return p;
    },
    forget: () => memos.clear(),
  };
}

/**
 * Runs steps in dependency order, `ctx.concurrency` at a time. The plan is on disk when it returns, unless
 * `flush: false`: a caller that writes the plan again right away (awaiting that save() before it prints
 * anything) saves one fsynced write; a failure or an interrupt still flushes before it is thrown.
 */
export async function runSteps(ctx: Context, session: PlanSession, steps: StepDef[], opts: { flush?: boolean } = {}): Promise<RunReport> {
  const report: RunReport = { outcomes: {}, dryRunChecks: [] };
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const s of steps) {
    for (const d of s.dependsOn ?? []) {
      if (!byId.has(d) && session.plan.resources[d]?.state !== "created") throw new Error(`internal: step ${s.id} depends on unknown step ${d}`);
    }
  }
  await checkTargets(ctx, session.plan, steps);
  if (ctx.opts.dryRun) return dryRun(ctx, session, steps, report);
  // The command's inputs (plan.spec, set in memory by the caller) are written now, after the checks
  // above (exit 2 leaves the plan file as it was); the first create's pending record, written before
  // its call, carries them (the writer folds the two into one write).
  session.saveLater();

  const region = (await ctx.aws()).region;
  // A tagged resource's step with no record at all was never tried (see adoptsOnly): known before any
  // record is written ahead.
  const fresh = new Set(steps.filter((s) => !session.plan.resources[s.id]).map((s) => s.id));
  // Group commit: the pending records (client tokens) of the run's steps go on disk in one write before
  // the first step starts, instead of a write per step (or per wave of steps that become ready together)
  // right before its call: still before each create call, only earlier. Only a step with nothing recorded
  // to read back (no record, or a deleted one) and no intent (facts read right before its call); a record
  // written ahead that a failure leaves unused is a pending one with no call behind it, which a re-run
  // looks up (discover) and destroy marks deleted, as after a crash right before the call.
  const ahead = new Map<string, Promise<void>>();
  const now = steps.filter((s) => !needsIntent(s, fresh.has(s.id)) && (!session.plan.resources[s.id] || session.plan.resources[s.id].state === "deleted"));
  if (now.length > 1) {
    for (const s of now) session.upsert(s.id, pendingRecord(session, s, region));
    const saved = session.save();
    for (const s of now) ahead.set(s.id, saved);
  }
  const { failure } = await runDag({
    ids: steps.map((s) => s.id),
    waits: (id, open) => (byId.get(id)!.dependsOn ?? []).some((d) => open.has(d)),
    run: async (id) => {
      report.outcomes[id] = await runOne(ctx, session, byId.get(id)!, { fresh: fresh.has(id), region, recorded: ahead.get(id) });
    },
    limit: ctx.concurrency,
    signal: ctx.signal,
  });
  if (opts.flush !== false || failure || ctx.signal.aborted) await session.flush();
  if (failure) throw failure instanceof CliError ? failure : toCliError(failure, `Step ${stepLabel(byId, failure)}`);
  if (ctx.signal.aborted) throw new Interrupted();
  return report;
}

/**
 * No command changes another plan's resources (a `--shared` import records them, owned: false):
 * every recorded resource a step changes that this plan did not create is looked up, and one
 * carrying another plan's egress-cli:plan-id refuses the whole run before its first mutating call
 * (exit 2). What this plan created, or creates in this run, is its own.
 */
export async function checkTargets(ctx: Context, plan: Plan, steps: StepDef[]): Promise<void> {
  const targets = new Map<string, { kind: string; steps: string[] }>();
  for (const s of steps) {
    for (const t of s.changes ?? []) {
      const r = plan.resources[t];
      if (!r || r.owned || r.state !== "created" || !r.id) continue;
      const e = targets.get(r.id) ?? { kind: r.kind, steps: [] };
      e.steps.push(s.id);
      targets.set(r.id, e);
    }
  }
  if (!targets.size) return;
  const [{ ec2Of }, { tagsOfId }, { otherPlanOf }] = await Promise.all([import("../aws/ec2-api.js"), import("../aws/ec2.js"), import("./kinds/kind.js")]);
  const ec2 = await ec2Of(ctx);
  const refused: string[] = [];
  for (const [id, t] of targets) {
    const other = otherPlanOf((await tagsOfId(ec2, id)) ?? undefined, plan);
    if (other) refused.push(`${t.kind} ${id} belongs to another egress-cli plan, ${other} (step${t.steps.length > 1 ? "s" : ""} ${t.steps.join(", ")} would change it)`);
  }
  if (refused.length) {
    throw new CliError(
      `Refused before any change: ${refused.join("; ")}. egress-cli does not change another plan's resources.`,
      ExitCode.usage,
      "Run this command on that plan (its --plan file), or leave those resources out. Nothing was created.",
      "OtherPlan",
    );
  }
}

function stepLabel(byId: Map<string, StepDef>, err: unknown): string {
  const id = (err as { stepId?: string })?.stepId;
  const s = id ? byId.get(id) : undefined;
  return s ? `"${s.label}" (${s.id})` : "";
}

/** Must the step record facts right before its call (its intent), or can its pending record be written ahead? */
function needsIntent(step: StepDef, fresh: boolean): boolean {
  return Boolean(step.intent) && !(fresh && step.intentIfTried);
}

/** How runSteps starts a step: was it never recorded, the region, and its pending record if written ahead. */
interface StepStart {
  fresh: boolean;
  region: string;
  recorded?: Promise<void>;
}

/** What a step's record holds besides its id, state and attrs (the generation is the one recorded now). */
function recordBase(session: PlanSession, step: StepDef, region: string) {
  const generation = session.plan.resources[step.id]?.generation ?? 0;
  return {
    kind: step.kind,
    // Where it lives: a NotFound is only "gone" when asked there (destroy, checkPlanIdentity).
    region,
    owned: step.owned ?? true,
    dependsOn: step.dependsOn ?? [],
    generation,
    clientToken: clientTokenFor(session.plan.planId, step.id, generation),
    ...(step.meta ?? {}),
  };
}

/** The record of a step about to be created, on disk before its call: what a crash right after the call is recovered from. */
function pendingRecord(session: PlanSession, step: StepDef, region: string, attrs: Record<string, unknown> = {}): ResourceRecord {
  return { ...recordBase(session, step, region), id: null, state: "pending", attrs } as ResourceRecord;
}

async function runOne(ctx: Context, session: PlanSession, step: StepDef, start: StepStart): Promise<StepOutcome> {
  try {
    return await runOneInner(ctx, session, step, start);
  } catch (err) {
    if (err && typeof err === "object") (err as { stepId?: string }).stepId ??= step.id;
    session.journal({ step: step.id, action: "create", status: "failed", error: `${(err as Error)?.name}: ${(err as Error)?.message}` });
    throw err;
  }
}

async function runOneInner(ctx: Context, session: PlanSession, step: StepDef, start: StepStart): Promise<StepOutcome> {
  const plan = session.plan;
  const existing = plan.resources[step.id];
  let run = makeRun(ctx, session, step, start.fresh);

  if (existing && existing.state === "created") {
    const verified = await verifyPatiently(ctx, step, run, existing);
    if (verified) {
      const settled = (step.settle && (await step.settle(run, verified))) || verified;
      if (settled.attrs && JSON.stringify({ ...existing.attrs, ...settled.attrs }) !== JSON.stringify(existing.attrs)) {
        session.upsert(step.id, { ...existing, id: settled.id, attrs: { ...existing.attrs, ...settled.attrs } });
        session.saveLater();
      }
      return "exists";
    }
    // The recorded resource is gone (deleted outside egress-cli, or a failed NAT): make a new one
    // with a fresh client token so AWS does not hand back the dead one.
    ctx.log.warn(`${step.label}: recorded ${existing.id ?? "resource"} no longer exists; creating it again.`);
    session.upsert(step.id, { ...existing, state: "deleted", generation: existing.generation + 1 });
    session.journal({ step: step.id, action: "update", status: "done", resourceId: existing.id ?? undefined, error: "missing; recreating" });
    run = makeRun(ctx, session, step, false);
  }

  const base = recordBase(session, step, start.region);
  // written ahead (runSteps' group commit): still pending, with nothing of a call behind it
  const withIntent = needsIntent(step, start.fresh);
  const ahead = start.recorded && plan.resources[step.id]?.state === "pending" && !withIntent ? start.recorded : undefined;

  const neverTried = step.adoptsOnly && (ahead ? start.fresh : !plan.resources[step.id]);
  const adopted = step.discover && !neverTried ? await eventually(ctx, () => step.discover!(run)) : undefined;
  const pendingAttrs = plan.resources[step.id]?.state === "pending" ? plan.resources[step.id].attrs : {};
  if (adopted) {
    session.upsert(step.id, { ...base, id: adopted.id, state: "created", attrs: { ...pendingAttrs, ...adopted.attrs }, createdAt: new Date().toISOString() });
    session.journal({ step: step.id, action: "adopt", status: "done", resourceId: adopted.id ?? undefined });
    // not awaited: a crash before it is on disk adopts the same again (discover)
    session.saveLater();
    const settled = step.settle && (await step.settle(run, adopted));
    if (settled) {
      session.upsert(step.id, { ...session.plan.resources[step.id], id: settled.id, attrs: { ...session.plan.resources[step.id].attrs, ...settled.attrs } });
      session.saveLater();
    }
    // A relation that already held (DNS on, route present) is "exists"; a found resource is "adopted".
    return adopted.id === null ? "exists" : "adopted";
  }

  // Record intent first: a crash after this line is recovered by discover() on the next run.
  const intent = withIntent ? await eventually(ctx, () => step.intent!(run)) : {};
  if (ahead) {
    session.journal({ step: step.id, action: "create", status: "started", clientToken: run.clientToken });
    await ahead;
  } else {
    session.upsert(step.id, pendingRecord(session, step, start.region, { ...pendingAttrs, ...intent }));
    session.journal({ step: step.id, action: "create", status: "started", clientToken: run.clientToken });
    await session.save();
  }
  const created = await createOnce(ctx, step, run);
  if (created.answer !== undefined) session.made.set(step.id, created.answer);
  session.upsert(step.id, { ...base, id: created.id, state: "created", attrs: { ...pendingAttrs, ...intent, ...created.attrs }, createdAt: new Date().toISOString() });
  session.journal({ step: step.id, action: "create", status: "done", resourceId: created.id ?? undefined, clientToken: run.clientToken });
  // Not awaited (the steps that wait for this one start now): until it is on disk the record is
  // pending, and a crash is recovered as a crash right after the call is (discover finds it by its
  // tags or relation). A dependent's own pending record is written with this one (the whole plan).
  session.saveLater();
  const settled = step.settle && (await step.settle(run, created));
  if (settled) {
    session.upsert(step.id, { ...session.plan.resources[step.id], id: settled.id, attrs: { ...session.plan.resources[step.id].attrs, ...settled.attrs } });
    session.saveLater();
  }
  return "created";
}

/**
 * Calls create without ever making a second copy: a not-found right after a dependency was created
 * is eventual consistency (nothing was made: retry). A throttling or 5xx answer that outlived the
 * SDK's own retries may have been applied with the response lost: look for the result by its tags
 * (discover) before giving up; a re-run resumes from the pending record either way.
 */
async function createOnce(ctx: Context, step: StepDef, run: StepRun): Promise<StepResult> {
  try {
    return await eventually(ctx, () => step.create(run), { beforeRetry: () => run.forget() });
  } catch (err) {
    run.forget();
    const cls = classifyError(err);
    if ((cls === "throttling" || cls === "transient") && step.discover) {
      const found = await eventually(ctx, () => step.discover!(run));
      if (found) return found;
    }
    throw err;
  }
}

/**
 * A resource recorded moments ago may not be visible yet (eventual consistency): before
 * concluding it is gone and creating another, look again a few times.
 */
async function verifyPatiently(ctx: Context, step: StepDef, run: StepRun, rec: ResourceRecord): Promise<StepResult | undefined> {
  if (!step.verify) return { id: rec.id };
  const young = Boolean(rec.createdAt && Date.now() - Date.parse(rec.createdAt) < 120_000);
  return eventually(
    ctx,
    () => {
      run.forget();
      return step.verify!(run, rec);
    },
    { again: (r) => !r && young },
  );
}

/** --dry-run: say what would happen; prove permissions with EC2 DryRun where inputs exist. */
async function dryRun(ctx: Context, session: PlanSession, steps: StepDef[], report: RunReport): Promise<RunReport> {
  for (const step of steps) {
    const rec = session.plan.resources[step.id];
    const run = makeRun(ctx, session, step, !rec);
    if (rec?.state === "created" && (!step.verify || (await step.verify(run, rec)))) {
      report.outcomes[step.id] = "would-skip";
      continue;
    }
    report.outcomes[step.id] = "would-create";
    const depsReady = (step.dependsOn ?? []).every((d) => session.plan.resources[d]?.state === "created");
    if (!step.dryRun || !depsReady) {
      report.dryRunChecks.push({ step: step.id, result: "skipped", detail: step.dryRun ? "depends on resources not created yet" : "no DryRun form" });
      continue;
    }
    try {
      await step.dryRun(run);
      report.dryRunChecks.push({ step: step.id, result: "allowed" });
    } catch (err) {
      const code = (err as Error)?.name;
      if (code === "DryRunOperation") report.dryRunChecks.push({ step: step.id, result: "allowed" });
      else if (code === "UnauthorizedOperation" || code === "AccessDenied") report.dryRunChecks.push({ step: step.id, result: "denied", detail: (err as Error).message });
      else throw err;
    }
  }
  return report;
}
