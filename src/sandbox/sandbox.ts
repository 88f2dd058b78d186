// The Sandbox class: one emulated account, answering calls through the handler registry with faults,
// latency, time-driven transitions and persistence (store.ts) under the state file's lock.
import { eigwStore } from "./ec2-ipv6-model.js";
import { type Clock, realClock, sleep } from "../clock.js";
import { SandboxCrash, SandboxError, awsError } from "./errors.js";
import { CliError } from "../errors.js";
import { KINDS } from "./ec2-core.js";
import type { OpContext, LooseInput, Timing } from "./handler.js";
import { handlerFor, hasService, isFreshOutput } from "./registry.js";
import "./services.js";
import { seedDefaultVpc } from "./ec2-network.js";
import { natSettleDue, settle } from "./ec2-egress.js";
import { lambdaSettleDue, seedLambdaExamples, settleLambda } from "./lambda.js";
import { endpointsSettleDue, settleEndpoints } from "./ec2-endpoints.js";
import { seedExamples } from "./examples.js";
import { instancesSettleDue, settleInstances } from "./ec2-instances.js";
import { importSnapshotInto } from "./snapshot-state.js";
import { StateFile, entryOf, JOURNAL_KEEP, SandboxStateError } from "./store.js";
import { forgetParsed, forgetTables, markChanged, readTransient, relazify, unparsed } from "./lazy.js";
import { type Change, Tracker, at, plain, unitDepth } from "./tracker.js";
import { dropIndexes, indexChanged } from "./indexes.js";
import { type SandboxSummary, globalInventory, regionInventory } from "./inventory.js";
import { type FaultConfig, parseFaults, parseLatency, prng } from "./faults.js";
import {
  type CallRecord,
  type RegionState,
  type SandboxState,
  REGIONS,
  STATE_VERSION,
  emptyRegion,
  newAccountId,
  newUserId,
  withSeededIds,
} from "./model.js";

export interface SandboxOpenOptions {
  file?: string;
  faults?: Partial<FaultConfig>;
  latency?: "none" | "realistic";
  timeScale?: number;
  env?: Record<string, string | undefined>;
  /** The run's Ctrl-C: ends a wait for the state file's lock (Interrupted, exit 130). */
  signal?: AbortSignal;
  /**
   * Whose time the time-driven transitions (NAT pending → available, a Lambda update in progress…) and
   * the per-call latency run on: real by default; a test hands in one it drives (test/clock.ts). A run
   * given this sandbox waits on the same clock (the context takes it from `sandbox.clock`).
   */
  clock?: Clock;
}

const REALISTIC = { natCreateMs: 90_000, natDeleteMs: 60_000, perCallMs: 20 };

/** Operations that only read: answered on the plain state, without the lock, and never written. */
const READ_ONLY = /^(Describe|Get|List)/;

const MUTATING_PREFIXES = /^(Create|Delete|Modify|Attach|Detach|Associate|Disassociate|Replace|Allocate|Release|Authorize|Revoke|Start|Update|Put|Add|Remove|Tag|Untag|Invoke|Run|Terminate|Stop|Reboot)/;

function freshState(now: number): SandboxState {
  return {
    version: STATE_VERSION,
    accountId: newAccountId(),
    userId: newUserId(),
    createdAt: new Date(now).toISOString(),
    counters: { calls: 0, mutatingCalls: 0 },
    regions: {},
    journal: [],
    ext: {},
  };
}

export class Sandbox {
  readonly journal: CallRecord[] = [];
  private st: SandboxState;
  private readonly file?: string;
  private readonly store?: StateFile;
  /** Calls answered since this process last wrote (added to the persisted counter with the next write). */
  private unsavedCalls = 0;
  private readonly faults: FaultConfig;
  private readonly timing: Timing;
  private readonly perCallMs: number;
  private readonly rand: () => number;
  /** Regions seeded in memory by a read and not written yet: written (whole) with their first change. */
  private readonly unwritten = new Set<string>();
  private processMutating = 0;
  private seq = 0;
  private crashed = false;
  private signal: AbortSignal | undefined;
  /** Whose time this sandbox lives on (see SandboxOpenOptions.clock). */
  readonly clock: Clock;

  private constructor(state: SandboxState, file: string | undefined, faults: FaultConfig, timing: Timing, perCallMs: number, clock: Clock) {
    this.clock = clock;
    this.st = state;
    this.file = file;
    if (file) this.store = new StateFile(file);
    this.faults = faults;
    this.timing = timing;
    this.perCallMs = perCallMs;
    this.rand = prng(faults.seed);
  }

  static async open(opts: SandboxOpenOptions = {}): Promise<Sandbox> {
    const env = opts.env ?? process.env;
    const faults: FaultConfig = {
      throttleRate: 0,
      serverErrorRate: 0,
      consistencyDelayMs: 0,
      latencyMs: 0,
      crashMode: "throw",
      seed: 1,
      ...parseFaults(env.EGRESS_SANDBOX_FAULTS),
      ...stripUndefined(opts.faults ?? {}),
    };
    const lat = parseLatency(env.EGRESS_SANDBOX_LATENCY);
    const latency = opts.latency ?? lat.latency ?? "none";
    const timeScale = opts.timeScale ?? lat.timeScale ?? 1;
    const realistic = latency === "realistic";
    const timing: Timing = {
      natCreateMs: realistic ? REALISTIC.natCreateMs * timeScale : 0,
      natDeleteMs: realistic ? REALISTIC.natDeleteMs * timeScale : 0,
      consistencyDelayMs: faults.consistencyDelayMs,
    };
    const clock = opts.clock ?? realClock;
    const sb = new Sandbox(freshState(clock.now()), opts.file, faults, timing, realistic ? REALISTIC.perCallMs * timeScale : 0, clock);
    sb.signal = opts.signal;
    const store = sb.store;
    if (store) {
      if (store.exists()) sb.st = store.load();
      else
        await store.locked(() => {
          // another process may have created it meanwhile: then that account is the one
          if (store.exists()) sb.st = store.load();
          else store.compact(sb.st);
        }, opts.signal);
    }
    return sb;
  }

  /** Moves an unreadable state file aside as `<file>.corrupt`; returns where, or undefined if it was readable. */
  static quarantine(file: string, signal?: AbortSignal): Promise<string | undefined> {
    const store = new StateFile(file);
    return store.locked(() => store.quarantine(), signal);
  }

  /** Catches up with what other processes appended to the journal (a cheap stat when nothing changed). */
  private refresh(): void {
    if (!this.store) return;
    const r = this.store.tail(this.st);
    if (r === "reload") {
      const calls = this.st.counters;
      this.st = this.store.load();
      void calls;
      return;
    }
    this.reindex(r);
  }

  /** Tells the indexes which records changed (paths from the state root), and the collections that they changed. */
  private reindex(changes: Change[]): void {
    for (const c of changes) {
      const depth = unitDepth(c.path) - 1; // the collection's path length
      if (depth >= 1 && c.path.length > depth) {
        const holder = at(this.st, c.path.slice(0, depth - 1));
        if (typeof holder === "object" && holder !== null) markChanged(holder, c.path[depth - 1]!);
      }
      if (c.path[0] !== "regions") continue;
      const region = c.path[1];
      if (c.path.length <= 2) continue; // a whole region replaced: a new object, indexed afresh
      const rs = this.st.regions[region];
      if (rs) indexChanged(rs, c.path.slice(2), c.value);
    }
  }

  /** Persists one call's changes (under the lock, which the caller holds). */
  private write(changes: Change[], mutating: boolean, rec?: CallRecord): void {
    if (!this.store) {
      if (rec && mutating) {
        this.st.journal.push(rec);
        if (this.st.journal.length > JOURNAL_KEEP) this.st.journal.splice(0, this.st.journal.length - JOURNAL_KEEP);
      }
      return;
    }
    this.store.append(this.st, entryOf(changes, this.unsavedCalls, mutating, mutating ? rec : undefined));
    this.unsavedCalls = 0;
  }

  /**
   * Runs fn as one read-modify-write of the state: locked, after catching up with other processes.
   * Waiting for the lock is asynchronous (other calls of this process go on meanwhile); fn never awaits.
   */
  private async exclusive<T>(fn: () => T): Promise<T> {
    if (!this.store) return fn();
    return this.store.locked(() => {
      this.refresh();
      return fn();
    }, this.signal);
  }

  get accountId(): string {
    return this.st.accountId;
  }

  stats(): { calls: number; mutatingCalls: number } {
    this.refresh();
    return { ...this.st.counters };
  }

  state(): SandboxState {
    this.refresh();
    return structuredClone(this.st);
  }

  /**
   * Lets go of what reads parsed: every collection this process parsed and has not changed since (nor
   * has a journal line of another process) goes back to unparsed, its indexes with it, and is parsed
   * again from the state file (still open) if a later call needs it. For a run that has read what it
   * needs (a snapshot taken, the analysis to run on it): the records then live once in the process.
   */
  release(): void {
    if (!this.store) return; // an in-memory account has no file to parse again from
    relazify(this.st);
    forgetTables(this.st);
    for (const rs of Object.values(this.st.regions)) dropIndexes(rs);
  }

  /** Collections of the loaded state not parsed yet ("regions.us-east-1.networkInterfaces"): what loading saved. */
  unparsed(): string[] {
    return unparsed(this.st);
  }

  /** Fresh account in the same file (new account id); examples seeds the EC2 part of the demo account. */
  async reset(opts: { examples?: boolean } = {}): Promise<void> {
    await this.exclusive(() => {
      this.st = freshState(this.clock.now());
      if (opts.examples) {
        this.st.ext.examples = true;
        // seeded through a tracked view, so lookups made while seeding see what was seeded before
        const t = new Tracker();
        const state = t.view(this.st, []);
        this.region("us-east-1");
        seedExamples(this.ctxFor("us-east-1", "SeedExamples", {}, "ec2", undefined, state.regions["us-east-1"], 0, state));
        seedLambdaExamples(this.ctxFor("us-east-1", "SeedExamples", {}, "lambda", undefined, state.regions["us-east-1"], 0, state));
        this.reindex(t.changes(this.st));
      }
      this.unsavedCalls = 0;
      this.store?.compact(this.st);
      this.unwritten.clear();
    });
  }

  /** Replaces one region's state with a snapshot document's resources (`egress-cli sandbox load`). */
  async importSnapshot(snapshot: import("../analysis/snapshot.js").Snapshot, region = snapshot.region): Promise<void> {
    if (!REGIONS[region]) throw new Error(`the sandbox emulates no region named '${region}'`);
    await this.exclusive(() => {
      const rs = importSnapshotInto(this.ctxFor(region, "ImportSnapshot", {}, "ec2", undefined, emptyRegion(), 0), snapshot);
      dropIndexes(rs); // built from scratch, untracked
      this.st.regions[region] = rs;
      this.store?.compact(this.st);
      this.unwritten.clear();
    });
  }

  /** Live resources in a region carrying tagKey=tagValue (deleted NAT gateways excluded). */
  async taggedResources(region: string, tagKey: string, tagValue: string): Promise<Array<{ type: string; id: string; state?: string }>> {
    this.refresh();
    if (!this.st.regions[region]) return [];
    await this.settleRead(region);
    const rs = this.st.regions[region];
    if (!rs) return []; // dropped by a reload while settling: seeded in memory only, nothing tagged in it
    const out: Array<{ type: string; id: string; state?: string }> = [];
    for (const k of Object.values(KINDS)) {
      for (const [id, rec] of Object.entries(rs[k.coll] as Record<string, { Tags: Array<{ Key: string; Value: string }>; State?: string }>)) {
        if (!rec.Tags.some((t) => t.Key === tagKey && t.Value === tagValue)) continue;
        if (k.prefix === "nat" && rec.State === "deleted") continue;
        out.push({ type: k.resourceType, id, ...(rec.State ? { state: rec.State } : {}) });
      }
    }
    for (const g of Object.values(eigwStore(rs))) if (g.Tags.some((t) => t.Key === tagKey && t.Value === tagValue)) out.push({ type: "egress-only-internet-gateway", id: g.EgressOnlyInternetGatewayId });
    for (const store of Object.values(rs.ext)) {
      const tagged = (store as { tagged?: (key: string, value: string) => Array<{ type: string; id: string; state?: string }> } | undefined)?.tagged;
      if (typeof tagged === "function") out.push(...tagged.call(store, tagKey, tagValue));
    }
    // the proxy's resources (S2): live instances, active RAM shares, and the account's instance profiles
    const has = (tags: Array<{ Key?: string; Value?: string; key?: string; value?: string }> | undefined) =>
      (tags ?? []).some((t) => (t.Key ?? t.key) === tagKey && (t.Value ?? t.value) === tagValue);
    for (const i of Object.values((rs.ext.instances ?? {}) as Record<string, { InstanceId: string; State?: { Name?: string }; Tags?: Array<{ Key?: string; Value?: string }> }>))
      if (i.State?.Name !== "terminated" && has(i.Tags)) out.push({ type: "instance", id: i.InstanceId, state: i.State?.Name });
    for (const sh of Object.values((rs.ext.ram?.shares ?? {}) as Record<string, { resourceShareArn: string; status: string; tags?: Array<{ key?: string; value?: string }> }>))
      if (sh.status === "ACTIVE" && has(sh.tags)) out.push({ type: "resource-share", id: sh.resourceShareArn, state: sh.status });
    for (const p of Object.values((this.st.ext.iamInstanceProfiles ?? {}) as Record<string, { InstanceProfileName: string; Tags?: Array<{ Key?: string; Value?: string }> }>))
      if (has(p.Tags)) out.push({ type: "instance-profile", id: p.InstanceProfileName });
    return out;
  }

  /**
   * `egress-cli sandbox show`: per region, an inventory per VPC (subnets with their route table, route
   * tables with their routes, internet gateways, NAT gateways, Elastic IPs, security groups, and what
   * services registered with registerInventory add: endpoints, Lambda functions, instances…), plus
   * what belongs to no VPC.
   */
  async summary(): Promise<SandboxSummary> {
    this.refresh();
    const regions: SandboxSummary["regions"] = {};
    for (const name of Object.keys(this.st.regions)) {
      await this.settleRead(name);
      const rs = this.st.regions[name];
      if (rs) regions[name] = regionInventory(rs, this.st, this.clock.now()); // (a reload while settling may drop a region seeded in memory)
    }
    return {
      accountId: this.st.accountId,
      file: this.file ?? "(in memory)",
      createdAt: this.st.createdAt,
      calls: this.st.counters.calls,
      mutatingCalls: this.st.counters.mutatingCalls,
      global: globalInventory(this.st),
      regions,
    };
  }

  /** Answers one API call the way the service would. Throws SandboxError for AWS errors. */
  async call(service: string, operation: string, input: LooseInput, region: string): Promise<LooseInput> {
    if (this.crashed) throw new SandboxCrash("sandbox crashed earlier (crashAfter); this process must stop");
    const delay = this.faults.latencyMs + this.perCallMs;
    if (delay > 0) await sleep(delay, undefined, this.clock);
    const rec: CallRecord = {
      seq: ++this.seq,
      service,
      operation,
      region,
      mutating: false,
      dryRun: input?.DryRun === true,
      at: new Date(this.clock.now()).toISOString(),
    };
    this.st.counters.calls++;
    this.unsavedCalls++;
    let mutated = false;
    let persisted = false;
    let countedInside = false;
    try {
      // faults come first: nothing takes effect on a throttled or failed call
      if (this.faults.throttleRate > 0 && this.rand() < this.faults.throttleRate)
        throw new SandboxError("RequestLimitExceeded", "Request limit exceeded.", 503, { throttling: true });
      if (this.faults.serverErrorRate > 0 && this.rand() < this.faults.serverErrorRate)
        throw this.rand() < 0.5
          ? new SandboxError("InternalError", "An internal error has occurred", 500)
          : new SandboxError("Unavailable", "The service is unavailable. Please try again shortly.", 503);
      if (!hasService(service)) throw awsError("InvalidAction", `The service ${service} is not emulated by the sandbox.`);
      if (this.faults.deny?.includes(operation)) throw awsError("UnauthorizedOperation", "You are not authorized to perform this operation.", 403);
      if (!REGIONS[region])
        throw awsError(
          "AuthFailure",
          `AWS was not able to validate the provided access credentials (the sandbox emulates no region named '${region}'; emulated regions: ${Object.keys(REGIONS).join(", ")})`,
          401,
        );
      const handler = handlerFor(service, operation);
      if (!handler) throw awsError("InvalidAction", `The action ${operation} is not valid for this web service (not implemented by the sandbox).`);
      this.refresh();
      // First use of a region seeds it (default VPC…) in memory only, with ids derived from the account
      // and region: every process seeds the same one, and it is written with the first change to it.
      if (!this.st.regions[region]) this.region(region);
      if (this.faults.ignoreTagFilters && READ_ONLY.test(operation) && Array.isArray(input?.Filters)) {
        input = { ...input, Filters: input.Filters.filter((f: { Name?: string }) => !/^tag(:|-key$|-value$)/.test(String(f?.Name))) };
      }
      if (READ_ONLY.test(operation)) {
        // reads write nothing, except once when a time-driven transition falls due (it may create resources)
        await this.settleRead(region);
        if (!this.st.regions[region]) this.region(region); // a reload meanwhile may have dropped a region seeded in memory
        let untracked = false;
        const ctx = this.ctxFor(region, operation, input ?? {}, service, () => (untracked = mutated = true), this.st.regions[region]);
        // a handler whose answer shares nothing with the state (freshOutputs) only reads it: what it parses record by record is not kept
        const out = isFreshOutput(handler) ? readTransient(() => handler(ctx)) : handler(ctx);
        if (untracked && isFreshOutput(handler)) throw new Error(`sandbox: ${operation} is declared to answer fresh objects but changed the state`);
        if (untracked) {
          // a read that changed something: not expected, so keep it safe the slow way (nothing it parsed goes back to unparsed)
          forgetParsed(this.st);
          for (const rs of Object.values(this.st.regions)) dropIndexes(rs);
          await this.exclusive(() => {
            this.store?.compact(this.st);
            this.unwritten.clear();
          });
        }
        if (input?.DryRun === true) throw new SandboxError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
        return (isFreshOutput(handler) ? out : cloneOut(out)) as LooseInput;
      }
      return await this.exclusive(() => {
        const tracker = new Tracker();
        const state = tracker.view(this.st, []);
        let out: object | undefined;
        try {
          if (!this.st.regions[region]) this.region(region); // a reload may have dropped a region seeded in memory
          if (this.unwritten.delete(region)) this.write([{ path: ["regions", region], value: this.st.regions[region] }], false);
          const rs = state.regions[region];
          this.settleAll(rs, this.clock.now(), state);
          const ctx = this.ctxFor(region, operation, input ?? {}, service, () => (mutated = true), rs, this.timing.consistencyDelayMs, state);
          out = handler(ctx);
          return cloneOut(out) as LooseInput;
        } finally {
          if (input?.DryRun === true) {
            // a DryRun changes nothing, even if a handler forgot ctx.dry()
            tracker.rollback(this.st);
            mutated = false;
          }
          const changes = tracker.changes(this.st);
          this.reindex(changes);
          if (changes.length || mutated) this.write(changes, mutated, { ...rec, mutating: mutated });
          persisted = true;
          if (mutated) {
            // Counted, and an injected crash fired, here — under the lock, right after the write — not
            // after the await: another call of this process must not persist in between (crashAfter=N
            // means exactly N changes are on disk).
            this.processMutating++;
            countedInside = true;
            if (this.faults.crashAfter !== undefined && this.processMutating === this.faults.crashAfter) this.crash(rec);
          }
          if (input?.DryRun === true && out !== undefined) throw new SandboxError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
        }
      });
    } catch (e) {
      rec.errorCode = e instanceof SandboxError ? e.name : e instanceof SandboxCrash ? "SandboxCrash" : "InternalSandboxError";
      if (!(e instanceof SandboxError)) {
        // a bug in the emulator surfaces as a 500 the SDK will not retry forever, with the cause kept
        // (not a CliError: Ctrl-C while waiting for the lock is Interrupted, a lock held too long LockedError)
        if (e instanceof Error && !(e instanceof SandboxCrash) && !(e instanceof SandboxStateError) && !(e instanceof CliError)) {
          const err = new SandboxError("InternalError", `sandbox bug in ${operation}: ${e.message}`, 500);
          Object.assign(err, { cause: e });
          throw err;
        }
      }
      throw e;
    } finally {
      rec.mutating = mutated;
      if (mutated) {
        this.st.counters.mutatingCalls++;
        if (!countedInside) this.processMutating++;
      }
      this.journal.push(rec);
      void persisted;
      if (mutated && !countedInside && this.faults.crashAfter !== undefined && this.processMutating === this.faults.crashAfter) this.crash(rec);
    }
  }

  private crash(rec: CallRecord): void {
    if (this.faults.crashMode === "kill") {
      process.kill(process.pid, "SIGKILL");
    }
    this.crashed = true;
    // thrown from finally: replaces the call's result, like a process dying after the server applied the change
    throw new SandboxCrash(`sandbox crash injected after mutating call #${this.processMutating} (${rec.operation})`);
  }

  /**
   * Applies due transitions for a read. Whether any is due is asked of the plain state (records in a
   * timed state, found by index: nothing tracked, nothing serialised), so a read costs what is in
   * transit, not the account; only a due transition takes the lock.
   */
  private async settleRead(region: string): Promise<void> {
    const rs = this.st.regions[region];
    const now = this.clock.now();
    if (!rs || !(natSettleDue(rs, now) || lambdaSettleDue(rs, now) || endpointsSettleDue(rs, now) || instancesSettleDue(rs, now))) return;
    await this.exclusive(() => {
      if (!this.st.regions[region]) return; // dropped by a reload while waiting: nothing of it to settle
      const t = new Tracker();
      const viewed = t.view(this.st, []);
      this.settleAll(viewed.regions[region], this.clock.now(), viewed);
      const changes = t.changes(this.st);
      this.reindex(changes);
      if (changes.length) this.write(changes, false);
    });
  }

  /** Time-driven transitions (NAT, Lambda, endpoints) due by now. */
  private settleAll(rs: RegionState, now: number, state: SandboxState): void {
    settle(rs, now, state);
    settleLambda(rs, now);
    settleEndpoints(rs, now);
    settleInstances(rs, now);
  }

  /** Seeds a region the state does not hold yet, in memory (see `unwritten`): the same in every process. */
  private region(region: string): RegionState {
    let rs = this.st.regions[region];
    if (!rs) {
      rs = this.st.regions[region] = emptyRegion();
      const t = new Tracker();
      const ctx = { ...this.ctxFor(region, "SeedRegion", {}, "ec2", undefined, t.view(rs, ["regions", region]), 0), now: Date.parse(this.st.createdAt) || 0 };
      withSeededIds(`${this.st.accountId}/${region}`, () => seedDefaultVpc(ctx));
      dropIndexes(rs);
      if (this.store) this.unwritten.add(region);
    }
    return rs;
  }

  private ctxFor(
    region: string,
    operation: string,
    input: LooseInput,
    service: string,
    onMutate: (() => void) | undefined,
    rs: RegionState,
    consistencyDelayMs = this.timing.consistencyDelayMs,
    state: SandboxState = this.st,
  ): OpContext {
    const now = this.clock.now();
    return {
      service,
      operation,
      region,
      rs,
      state,
      input,
      now,
      accountId: this.st.accountId,
      timing: { ...this.timing, consistencyDelayMs },
      mutated: () => onMutate?.(),
      dry: () => {
        if (input.DryRun === true) throw new SandboxError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
      },
    };
  }

  /** Whether an operation name looks mutating (informational; the journal records what actually changed). */
  static looksMutating(operation: string): boolean {
    return MUTATING_PREFIXES.test(operation);
  }
}

/** A deep copy of a handler's output (Dates kept), so callers never hold pieces of the state. */
function cloneOut<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (Array.isArray(v)) return v.map(cloneOut) as T;
  const o = plain(v) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = cloneOut(o[k]);
  return out as T;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
