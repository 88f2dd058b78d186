// Loading and saving the plan file. Loads refuse anything doubtful (not JSON, truncated, wrong
// version, fails the schema, other account/region/backend) and never rewrite it; saves are
// atomic (temp file + fsync + rename + directory fsync) with stable key order for clean diffs.

import { accessSync, constants, lstatSync, readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { CliError, UsageError } from "../errors.js";
import { fileTarget, writeFileAtomic, type FileTarget } from "../atomic-file.js";
import { PLAN_VERSION, planSchemas, type Plan } from "./schema.js";
import { checkedBefore, rememberChecked } from "./checked.js";
import { redactUrl } from "../net/url.js";

const REFUSE = "refusing to touch it";
const RESTORE_HINT = "restore it from version control, fix it by hand, or pass --plan FILE to use another plan file";

function refuse(path: string, problem: string): UsageError {
  return new UsageError(`${path} ${problem} — ${REFUSE}; restore it from version control or pass --plan`, RESTORE_HINT, "PlanInvalid");
}

function describeJsonError(err: unknown, text: string): string {
  const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const bytes = Buffer.byteLength(text, "utf8");
  const posMatch = /position (\d+)/.exec(msg);
  const pos = posMatch ? Number(posMatch[1]) : undefined;
  // Truncation: the parser ran off the end, or the text does not end like a JSON object does.
  const ranOffEnd = /Unexpected end of JSON input|Unterminated string/i.test(msg) || (pos !== undefined && pos >= text.trimEnd().length);
  if (ranOffEnd || !text.trimEnd().endsWith("}")) return `truncated at byte ${bytes}?`;
  if (pos !== undefined) {
    const before = text.slice(0, pos);
    const line = before.split("\n").length;
    const column = pos - before.lastIndexOf("\n");
    return `syntax error at line ${line} column ${column}: ${msg.replace(/ in JSON at position.*$/, "")}`;
  }
  return `syntax error: ${msg}`;
}

/** Longest file name (bytes) on Linux/macOS file systems, and what the plan's companions add (".lock.break", the temp file's suffix). */
const NAME_MAX = 255;
const COMPANION_SUFFIX = 24;

/**
 * The plan path must be a regular file, or a new name in an existing folder: a directory,
 * /dev/zero, a FIFO or a path through a missing folder is refused (exit 2) naming the path, never
 * read or replaced. `forWrite`: also the file and its folder must be writable (the atomic save
 * renames a temp file into the folder). Returns false when the file does not exist yet.
 */
export async function checkPlanPath(path: string, opts: { forWrite?: boolean } = {}): Promise<boolean> {
  const shown = path.length > 120 ? `${path.slice(0, 60)}…${path.slice(-40)}` : path;
  const bad = (why: string, hint = "pass --plan FILE with a plan file's path") => new UsageError(`Plan path ${shown} ${why}`, hint, "PlanPathInvalid");
  // The plan's companions (<plan>.lock, <plan>.lock.break, the atomic writer's temp file) add to its
  // name: a name the file system would refuse for any of them is refused now, not mid-run.
  const base = basename(path);
  if (Buffer.byteLength(base) > NAME_MAX - COMPANION_SUFFIX) throw bad(`has a file name of ${Buffer.byteLength(base)} bytes; the limit is ${NAME_MAX - COMPANION_SUFFIX} (file systems allow ${NAME_MAX}, and the plan's lock and temporary files add to it)`, "pass --plan FILE with a shorter name");
  // Synchronous: a few page-cache lookups of microseconds, where each asynchronous one waits for a turn of
  // the event loop (milliseconds while a command's first AWS calls are being prepared: the plan is read then).
  // A symlink whose target is missing would be replaced by a regular file on the first save.
  const link = quietly(() => lstatSync(path));
  if (link?.isSymbolicLink() && !quietly(() => statSync(path))) throw bad("is a symbolic link to a file that does not exist; egress-cli would replace the link with a new file", "pass --plan FILE with the real path, or remove the dangling link");
  let exists = true;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw bad("is a directory, not a plan file");
    if (!st.isFile()) throw bad("is not a regular file (a device, FIFO or socket), so it cannot be a plan");
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw bad("goes through something that is not a folder");
    if (code === "ENAMETOOLONG") throw bad("is too long for the file system", "pass --plan FILE with a shorter path");
    if (code === "ELOOP") throw bad("is a loop of symbolic links");
    if (code === "EACCES" || code === "EPERM") throw bad("cannot be read (permission denied)", "check the folder's permissions");
    if (code !== "ENOENT") throw err;
    exists = false;
    const dir = quietly(() => statSync(dirname(path)));
    if (!dir) throw bad(`is in a folder that does not exist (${dirname(path)})`, "create the folder first, or pass --plan FILE in an existing folder");
    if (!dir.isDirectory()) throw bad(`is in ${dirname(path)}, which is not a folder`);
  }
  if (opts.forWrite) {
    const writable = (p: string) => quietly(() => (accessSync(p, constants.W_OK), true)) ?? false;
    if (!writable(dirname(path))) throw bad(`is in a folder egress-cli cannot write to (${dirname(path)})`, "check the folder's permissions, or pass --plan FILE elsewhere");
    if (exists && !writable(path)) throw bad("is not writable", "check the file's permissions");
  }
  return exists;
}

/** `f`'s answer, or undefined when it throws (a lookup whose failure the caller words itself). */
function quietly<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The region a plan file records, if it can be read; errors are left to loadPlan. */
export async function peekPlanRegion(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path);
    if (!st.isFile() || st.size > 64 * 1024 * 1024) return undefined;
    const region = (JSON.parse((await readFile(path, "utf8")).replace(/^\uFEFF/, "")) as { region?: unknown }).region;
    return typeof region === "string" && region ? region : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Nothing of this plan is left for destroy to undo: no record pending (a call that may have been
 * made) and none created and owned (what destroy deletes or restores) — a destroyed plan, or one
 * that only imported. Its file may then start another plan (create-vpc/import --name OTHER).
 */
export function nothingToUndo(plan: Plan): boolean {
  return Object.values(plan.resources).every((r) => r.state === "deleted" || (r.state === "created" && !r.owned));
}

/**
 * Read and validate a plan. Returns undefined when the file does not exist. Anything else that
 * is wrong throws UsageError naming the file and the problem; the file is left untouched.
 */
export async function loadPlan(path: string): Promise<Plan | undefined> {
  if (!(await checkPlanPath(path))) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8"); // synchronous, as checkPlanPath's lookups
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") throw new UsageError(`${path} is a directory, not a plan file`, "pass --plan FILE", "PlanInvalid");
    if (code === "EACCES" || code === "EPERM") {
      throw new UsageError(`${path} cannot be read (permission denied)`, "check the file's permissions", "PlanUnreadable");
    }
    throw err;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // editors on Windows add a BOM
  if (text.trim() === "") throw refuse(path, "is empty (0 bytes of JSON; truncated?)");

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw refuse(path, `is not valid JSON (${describeJsonError(err, text)})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw refuse(path, "is not an egress-cli plan (expected a JSON object)");
  }
  const version = (data as { version?: unknown }).version;
  if (version === undefined) throw refuse(path, 'has no "version" field, so it is not an egress-cli plan');
  if (version !== PLAN_VERSION) {
    const newer = typeof version === "number" && version > PLAN_VERSION;
    throw new UsageError(
      `${path} has plan version ${JSON.stringify(version)}; this egress-cli reads version ${PLAN_VERSION} — ${REFUSE}`,
      newer ? "it was written by a newer egress-cli: upgrade egress-cli" : RESTORE_HINT,
      "PlanVersion",
    );
  }
  let plan: Plan;
  // the text this build last checked or wrote: the schema has nothing to add (src/plans/checked.ts)
  if (checkedBefore(path, text)) plan = data as Plan;
  else {
    // jitless: a run loads its plan once, and zod's compiled fast path costs more to build than it saves
    // in one parse (~3 ms of a start-up)
    const parsed = planSchemas().PlanSchema.safeParse(data, { jitless: true });
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`);
      const more = parsed.error.issues.length > 5 ? ` (+${parsed.error.issues.length - 5} more)` : "";
      throw refuse(path, `does not match the plan schema: ${issues.join("; ")}${more}`);
    }
    plan = parsed.data;
    rememberChecked(path, text);
  }
  // just checked whole: the first save checks only what the command changes
  for (const item of [...Object.values(plan.resources), ...plan.journal]) valid.set(item, JSON.stringify(item));
  // a journal is appended to, never edited: frozen, its entries are not serialised again at every save
  for (const entry of plan.journal) Object.freeze(entry);
  return plan;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `${i ? "." : ""}${String(p)}` : `[${JSON.stringify(String(p))}]`))
    .join("");
}

export interface PlanIdentity {
  region?: string;
  accountId?: string;
  backend?: string;
}

function normBackend(b: string): string {
  return b.startsWith("endpoint:") ? redactUrl(b).replace(/\/+$/, "") : b;
}

/**
 * Refuse a plan that belongs to another region, account or backend. Fields left undefined in
 * `expected` are not checked (e.g. the account before credentials are resolved).
 */
export function checkPlanIdentity(plan: Plan, expected: PlanIdentity, planPath = "the plan"): void {
  const diffs: string[] = [];
  if (expected.accountId !== undefined && plan.accountId !== expected.accountId) {
    diffs.push(`account ${plan.accountId} (this run: ${expected.accountId})`);
  }
  if (expected.region !== undefined && plan.region !== expected.region) {
    diffs.push(`region ${plan.region} (this run: ${expected.region})`);
  }
  if (expected.backend !== undefined && normBackend(plan.backend) !== normBackend(expected.backend)) {
    diffs.push(`backend ${redactUrl(plan.backend)} (this run: ${redactUrl(expected.backend)})`);
  }
  if (diffs.length === 0 && expected.region !== undefined) {
    // Each record names the region it was made in: a plan whose region field was edited (or a stale
    // copy) would look for its resources where they are not, and take every NotFound for "gone".
    const elsewhere = Object.entries(plan.resources).filter(([, r]) => r.state !== "deleted" && r.region !== undefined && r.region !== expected.region);
    if (elsewhere.length) {
      const regions = [...new Set(elsewhere.map(([, r]) => r.region))].sort();
      throw new UsageError(
        `${planPath} (plan "${plan.name}", region field ${plan.region}) records ${elsewhere.length} resource(s) made in ${regions.join(", ")} (${elsewhere.slice(0, 3).map(([s]) => s).join(", ")}${elsewhere.length > 3 ? ", …" : ""}), not in ${expected.region} where this run looks — refusing before any call that changes something`,
        `The plan file's region field was edited, or it is a copy of another plan: set "region" back to ${regions[0]} (and run with --region ${regions[0]}).`,
        "PlanForeign",
      );
    }
  }
  if (diffs.length === 0) return;
  throw new UsageError(
    `${planPath} (plan "${plan.name}") belongs to ${diffs.join(", ")} — refusing to mix them`,
    "run with the matching --region/--profile/--sandbox/--endpoint-url, or pass --plan FILE for a separate plan",
    "PlanForeign",
  );
}

/** Recursively sort object keys (arrays keep their order); drops undefined like JSON does. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeysDeep(v);
    }
    return out;
  }
  return value;
}

/** The exact bytes savePlan writes. */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(sortKeysDeep(plan), null, 2)}\n`;
}

export interface SaveOptions {
  now?: Date;
}

/**
 * Validate, stamp updatedAt, and write atomically. On success `plan.updatedAt` is set to the
 * stamp that was written (nothing else in the object changes). A plan that fails the schema is
 * a bug: it is not written and the object is left as it was.
 */
export async function savePlan(path: string, plan: Plan, options: SaveOptions = {}): Promise<void> {
  const { text, updatedAt } = checkedText(path, plan, options);
  await writePlanText(await planTarget(path), text);
  plan.updatedAt = updatedAt;
}

/** What savePlan writes for `plan` now (stamped, checked, serialised); throws for an invalid plan. */
function checkedText(path: string, plan: Plan, options: SaveOptions): { text: string; updatedAt: string } {
  const stamped = { ...plan, updatedAt: (options.now ?? new Date()).toISOString() };
  const first = firstProblem(stamped);
  if (first) throw new CliError(`internal error: refusing to save an invalid plan to ${path}: ${formatPath(first.path)}: ${first.message}`);
  return { text: serializePlan(stamped), updatedAt: stamped.updatedAt };
}

/** Where a plan is written (src/atomic-file.ts), and the path as the user gave it, for messages. */
type PlanTarget = FileTarget & { path: string };

async function planTarget(path: string): Promise<PlanTarget> {
  return { path, ...(await fileTarget(path)) };
}

/** Writes a text checkedText made (so the next load of the same text need not check it again). */
async function writePlanText(target: PlanTarget, text: string): Promise<void> {
  try {
    await writeFileAtomic(target, text);
    rememberChecked(target.path, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS" || code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") {
      throw new UsageError(`Cannot write the plan ${target.path} (${code}).`, "check the path and its folder's permissions, or pass --plan FILE elsewhere", "PlanPathInvalid");
    }
    throw err;
  }
}

/** Resource records and journal entries found valid, with the JSON they had then; the rest of the last plan found valid. */
const valid = new WeakMap<object, string>();
let validRest: string | undefined;

/**
 * The first way `plan` breaks the schema (PlanSchema's answer), at the cost of what changed since the
 * last save: a record or journal entry that is the same object with the same JSON as when it was last
 * found valid is not checked again. (A command saves after every step; checking the whole plan each
 * time made saving quadratic in the plan's size: ~35 ms of a small destroy.)
 */
function firstProblem(plan: Plan): { path: readonly PropertyKey[]; message: string } | undefined {
  // the rest of the plan (spec, outputs, analyses) as last found valid; updatedAt is the stamp just made
  const rest = JSON.stringify({ ...plan, resources: undefined, journal: undefined, updatedAt: undefined });
  if (rest !== validRest) {
    const shell = planSchemas().PlanSchema.safeParse({ ...plan, resources: {}, journal: [] });
    if (!shell.success) return shell.error.issues[0];
    validRest = rest;
  }
  const { ResourceSchema, JournalEntrySchema } = planSchemas();
  const each = (items: Array<[string | number, unknown]>, where: string, schema: typeof ResourceSchema | typeof JournalEntrySchema) => {
    for (const [key, item] of items) {
      if (where === "resources" && key === "") return { path: [where, key], message: "step id must not be empty" };
      // a frozen journal entry (PlanSession.journal, loadPlan) cannot have changed since it was found valid
      if (Object.isFrozen(item) && valid.has(item as object)) continue;
      const json = typeof item === "object" && item !== null ? JSON.stringify(item) : undefined;
      if (json !== undefined && valid.get(item as object) === json) continue;
      const r = schema.safeParse(item);
      if (!r.success) return { path: [where, key, ...r.error.issues[0].path], message: r.error.issues[0].message };
      if (json !== undefined) valid.set(item as object, json);
    }
    return undefined;
  };
  return each(Object.entries(plan.resources), "resources", ResourceSchema) ?? each([...plan.journal.entries()], "journal", JournalEntrySchema);
}


/**
 * How long a saveLater() waits for a save() to carry it before it is written on its own: long enough for
 * the next step's record (in the same write), short next to an AWS call, so the file is never far behind.
 */
const LATER_MS = 100;

/**
 * Serialises saves from concurrently running steps to one file. Each save() checks and serialises the
 * plan as it is then (later changes do not leak in; the plan's own objects are checked, so what was
 * found valid before is not checked again); while a write is in flight only the newest text is kept,
 * so the file always ends with the last state given (intermediate states may be skipped). save()
 * resolves once a write at least as new as its state is on disk; flush() waits for everything and
 * rethrows a failed write. saveLater() asks for the same without waiting and without a copy: the plan is
 * checked and serialised as it is when the write starts (one serialisation for any number of asks).
 * A write starts a turn of the event loop after it is asked for, so saves asked together share it.
 */
export class PlanWriter {
  #pending: { text: string; updatedAt: string; plan: Plan } | undefined;
  /** saveLater's plan, asked after #pending (the newest ask wins) */
  #later: Plan | undefined;
  #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #running: Promise<void> | undefined;
  #error: unknown;
  /** #error is a failed write (not a refused plan): a later successful write clears it */
  #errorFromWrite = false;
  #lastText: string | undefined;
  #target: Promise<PlanTarget> | undefined;
  #soon: ReturnType<typeof setTimeout> | undefined;
  /** Number of writes performed (for tests and --verbose). */
  writes = 0;

  constructor(
    readonly path: string,
    private readonly options: SaveOptions = {},
  ) {}

  /** Looks up where the writes go (once per command) now, before the first write needs it. */
  prepare(): this {
    this.#target ??= planTarget(this.path);
    return this;
  }

  /** The last plan written, as read back from its text. */
  get lastSaved(): Plan | undefined {
    return this.#lastText === undefined ? undefined : (JSON.parse(this.#lastText) as Plan);
  }

  save(plan: Plan): Promise<void> {
    try {
      this.#pending = { ...checkedText(this.path, plan, this.options), plan };
      this.#later = undefined;
    } catch (err) {
      this.#refused(err);
      const failed = Promise.reject(err);
      failed.catch(() => {}); // as below: a caller that awaits later still gets it, and flush() reports it
      return failed;
    }
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    done.catch(() => {}); // fire-and-forget callers: the error resurfaces in flush()
    this.#start();
    return done;
  }

  saveLater(plan: Plan): void {
    this.#later = plan;
    // a write asked for meanwhile (save(), flush()) takes it; else it goes on its own a moment later
    if (this.#running || this.#soon) return;
    this.#soon = setTimeout(() => this.#start(), LATER_MS);
    this.#soon.unref?.();
  }

  #start(): void {
    clearTimeout(this.#soon);
    this.#soon = undefined;
    this.#running ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      // Group commit: the saves of steps that become ready together (each reaches its save() after a few
      // awaits of its own, within this turn of the event loop) share the first write and its fsyncs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.#pending || this.#later) {
        let job = this.#pending;
        if (this.#later) {
          try {
            job = { ...checkedText(this.path, this.#later, this.options), plan: this.#later };
          } catch (err) {
            this.#refused(err); // the last state save() was given is still written
          }
        }
        const waiters = this.#waiters;
        this.#pending = undefined;
        this.#later = undefined;
        this.#waiters = [];
        if (!job) continue;
        try {
          await writePlanText(await (this.#target ??= planTarget(this.path)), job.text);
          job.plan.updatedAt = job.updatedAt;
          this.#lastText = job.text;
          this.writes++;
          // a write that failed before is made good by this newer one (the whole plan, as new as any ask);
          // a plan the schema refused stays reported
          if (this.#errorFromWrite) [this.#error, this.#errorFromWrite] = [undefined, false];
          for (const w of waiters) w.resolve();
        } catch (err) {
          if (this.#error === undefined) [this.#error, this.#errorFromWrite] = [err, true];
          for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }

  /** A plan the schema refused: reported by flush() whatever is written after it (a failed write is not, once made good). */
  #refused(err: unknown): void {
    if (this.#error === undefined || this.#errorFromWrite) [this.#error, this.#errorFromWrite] = [err, false];
  }

  async flush(): Promise<void> {
    if (this.#soon) this.#start();
    while (this.#running) await this.#running;
    if (this.#error !== undefined) {
      const err = this.#error;
      this.#error = undefined;
      this.#errorFromWrite = false;
      throw err;
    }
  }
}
