// One command's hold on the plan file: the lock, the in-memory plan, and serialised atomic
// saves (parallel steps record concurrently; saves asked for while a write is in flight are folded
// into one next write, so the file is never torn and concurrent steps share their fsyncs).
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { Plan } from "../plans/schema.js";
import { acquireLock } from "../locks/file-lock.js";
import { PlanWriter, checkPlanIdentity, checkPlanPath, loadPlan, nothingToUndo } from "../plans/store.js";

type Journal = Plan["journal"][number];
type ResourceRecord = Plan["resources"][string];

export class PlanSession {
  private readonly writer: PlanWriter;
  private dirty = false;
  /**
   * What this run's create calls made, as their answers gave them (step id → the answered resource; not
   * adopted or verified ones). What AWS documents of a new resource holds for these until a step of this
   * run changes it: a new VPC's DNS attributes, a new route table's routes and tags. Never on disk.
   */
  readonly made = new Map<string, unknown>();

  constructor(
    readonly path: string,
    public plan: Plan,
    private readonly lock: { release(): void | Promise<void> } | undefined,
    readonly isNew: boolean,
    private readonly readOnly: boolean,
    writer?: PlanWriter,
  ) {
    this.writer = writer ?? new PlanWriter(path);
  }

  upsert(stepId: string, rec: ResourceRecord): void {
    this.plan.resources[stepId] = rec;
    this.dirty = true;
  }

  journal(entry: Omit<Journal, "at">): void {
    // frozen: appended, never edited (the writer then checks it once, not at every save)
    this.plan.journal.push(Object.freeze({ ...entry, at: new Date().toISOString() }) as Journal);
    this.dirty = true;
  }

  /**
   * Queues an atomic write of the current plan; resolves when it (or a newer state) is on disk. Await it
   * where a record must be durable before what follows: the pending record (with its client token and
   * intent) before a create call.
   */
  save(): Promise<void> {
    if (this.readOnly) return Promise.resolve();
    this.dirty = false;
    return this.writer.save(this.plan);
  }

  /**
   * Queues the same write without waiting for it: for a record a re-run would find again by looking (what
   * a create made, found by its tags from the pending record; a delete, found gone). It is on disk with
   * the next save() (which writes the whole plan), or by flush()/close(), where a failed write resurfaces.
   */
  saveLater(): void {
    if (this.readOnly) return;
    this.dirty = false;
    this.writer.saveLater(this.plan);
  }

  async flush(): Promise<void> {
    if (this.dirty) await this.save();
    await this.writer.flush();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.lock?.release();
    }
  }
}

export interface OpenOptions {
  /** create-vpc/import: a missing plan is started with this name. */
  createWithName?: string;
  /** Read-only commands (status, dry runs) take no lock and never write. */
  readOnly?: boolean;
  /**
   * Read-only calls to start from the plan as read (under the lock when one is taken) while the account
   * is still being asked: they wait behind that round trip instead of after it. Their answers must not
   * be used before the plan has passed its check (the session is returned only then).
   */
  meanwhile?(plan: Plan): void;
}

/**
 * Opens the plan: lock (exit 5 if another live run holds it), load (exit 2 if corrupt), check
 * that it belongs to this account/region/backend (exit 2 if not). A new plan is written to disk
 * before the first mutating call so that a crash right after it is still recoverable.
 */
export async function openSession(ctx: Context, opts: OpenOptions, command: string): Promise<PlanSession> {
  const readOnly = Boolean(opts.readOnly || ctx.opts.dryRun);
  // A plan path that cannot hold a plan is refused before the lock and before any AWS call.
  await checkPlanPath(ctx.planPath, { forWrite: !readOnly });
  const aws = await ctx.aws();
  // The account is asked now and awaited once the lock is held and the plan read (the round trip overlaps
  // the file work); the plan is checked against it before it is used. A missing or corrupt plan is reported first.
  const account = aws.accountId();
  account.catch(() => {}); // awaited below
  const check = async (plan: Plan | undefined): Promise<Plan | undefined> => {
    if (!plan && !opts.createWithName) {
      throw new UsageError(
        `No plan at ${ctx.planPath}.`,
        "Start one with `egress-cli create-vpc --name NAME` or `egress-cli import --vpc vpc-… --name NAME`, or pass --plan FILE.",
        "NoPlan",
      );
    }
    if (plan) opts.meanwhile?.(plan);
    const accountId = await account;
    if (plan) {
      checkPlanIdentity(plan, { region: aws.region, accountId, backend: aws.backend });
      if (opts.createWithName && plan.name !== opts.createWithName) {
        if (nothingToUndo(plan)) {
          ctx.log.info(`${ctx.planPath} held plan "${plan.name}", which has nothing left to undo (destroyed); plan "${opts.createWithName}" starts in its place.`);
          return undefined;
        }
        throw new UsageError(
          `${ctx.planPath} already holds plan "${plan.name}", not "${opts.createWithName}".`,
          "Use --plan to start a separate plan file, or drop --name to continue this one.",
        );
      }
    }
    return plan;
  };
  if (readOnly) {
    const plan = await check(await loadPlan(ctx.planPath));
    if (plan) return new PlanSession(ctx.planPath, plan, undefined, false, true);
  }
  const lock = readOnly ? undefined : await acquireLock(ctx.planPath, command);
  try {
    if (lock?.tookOver) ctx.log.warn(`Took over the lock of a run that no longer exists (${lock.tookOver}); resuming from what the plan records.`);
    // Where saves go (the file a symlink names, its mode and owner) is looked up while the plan is read.
    const writer = readOnly ? undefined : new PlanWriter(ctx.planPath).prepare();
    // Read (and check) the plan under the lock: what another run wrote until now is what we build on.
    const plan = readOnly ? undefined : await check(await loadPlan(ctx.planPath));
    if (plan) return new PlanSession(ctx.planPath, plan, lock, false, readOnly, writer);
    const accountId = await account;
    const now = new Date().toISOString();
    const fresh: Plan = {
      version: 1,
      name: opts.createWithName!,
      planId: randomUUID(),
      backend: aws.backend,
      region: aws.region,
      accountId,
      createdAt: now,
      updatedAt: now,
      spec: {},
      resources: {},
      journal: [],
      outputs: {},
      analyses: [],
    } as Plan;
    return new PlanSession(ctx.planPath, fresh, lock, true, readOnly, writer);
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

/**
 * Reads the plan (which must exist) and checks it belongs to this account/region/backend. `meanwhile`: as
 * openSession's (read-only calls started from the plan as read, used only once the plan is checked).
 */
export async function loadCheckedPlan(ctx: Context, opts: { offline?: boolean; meanwhile?: (plan: Plan) => void } = {}): Promise<Plan> {
  // The account is asked (GetCallerIdentity, with the clients' set-up) while the plan file is read and
  // checked: the round trip overlaps the file work. The plan is not used before the check below passes.
  // No plan file: no AWS call (NoPlan is the answer, with no credentials needed).
  const identity = opts.offline || !existsSync(ctx.planPath) ? undefined : ctx.aws().then(async (aws) => ({ aws, accountId: await aws.accountId() }));
  identity?.catch(() => {}); // awaited below; a missing or corrupt plan is reported first, as before
  const plan = await loadPlan(ctx.planPath);
  if (!plan) {
    throw new UsageError(
      `No plan at ${ctx.planPath}.`,
      "Start one with `egress-cli create-vpc --name NAME` or `egress-cli import --vpc vpc-… --name NAME`, or pass --plan FILE.",
      "NoPlan",
    );
  }
  if (!opts.offline) {
    opts.meanwhile?.(plan);
    const { aws, accountId } = await (identity ?? ctx.aws().then(async (aws) => ({ aws, accountId: await aws.accountId() })));
    checkPlanIdentity(plan, { region: aws.region, accountId, backend: aws.backend });
  }
  return plan;
}
