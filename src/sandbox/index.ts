// The embedded AWS emulator ("sandbox"): an account persisted to JSON, answered below the SDK v3 clients by a middleware.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { randomUUID } from "node:crypto";
import writeFileAtomic from "write-file-atomic";
import { SandboxCrash, SandboxError, awsError } from "./errors.js";
import { type Handler, type OpContext, type Timing, KINDS } from "./ec2-core.js";
import { networkOps, seedDefaultVpc } from "./ec2-network.js";
import { egressOps, settle } from "./ec2-egress.js";
import { stsOps } from "./sts.js";
import { iamOps } from "./iam.js";
import { lambdaOps, seedLambdaExamples, settleLambda } from "./lambda.js";
import { endpointOps, settleEndpoints } from "./ec2-endpoints.js";
import { seedExamples } from "./examples.js";
import { insightsOps } from "./insights.js";
import { latticeOps } from "./lattice.js";
import { importSnapshotInto } from "./snapshot-state.js";
import {
  type CallRecord,
  type RegionState,
  type SandboxState,
  REGIONS,
  STATE_VERSION,
  emptyRegion,
  newAccountId,
  newUserId,
} from "./model.js";

export { SandboxError, SandboxCrash } from "./errors.js";
export type { CallRecord, SandboxState, RegionState } from "./model.js";
export type { OpContext, Handler } from "./ec2-core.js";
// building blocks for other emulated services (Lambda ENIs, analyzers) that live in src/sandbox
export { awsError } from "./errors.js";
export { newId, REGIONS, zonesOf } from "./model.js";
export { get as getResource, allocPrivateIp, isVisible } from "./ec2-core.js";

export interface FaultConfig {
  throttleRate: number;
  serverErrorRate: number;
  consistencyDelayMs: number;
  latencyMs: number;
  crashAfter?: number;
  crashMode: "kill" | "throw";
  seed: number;
}

export interface SandboxOpenOptions {
  file?: string;
  faults?: Partial<FaultConfig>;
  latency?: "none" | "realistic";
  timeScale?: number;
  env?: Record<string, string | undefined>;
}

const JOURNAL_KEEP = 500;
const REALISTIC = { natCreateMs: 90_000, natDeleteMs: 60_000, perCallMs: 20 };

/** Operations per service; other sandbox modules may add services or operations with registerService. */
const SERVICES: Record<string, Record<string, Handler>> = {
  ec2: { ...networkOps, ...egressOps },
  sts: stsOps,
};
// Lambda, IAM and VPC endpoints (attach-lambda, add-endpoint).
registerService("ec2", endpointOps);
registerService("iam", iamOps);
registerService("lambda", lambdaOps);

// Reachability Analyzer and the read-only operations for imported-only resource types (analyze-path, snapshot).
registerService("ec2", insightsOps);

// VPC Lattice resource gateways and configurations (PrivateLink Resource endpoints, S2).
registerService("vpc-lattice", latticeOps);

/** An emulated operation's handler (the emulated Reachability Analyzer reads the region through them). */
export function handlerFor(service: string, operation: string): Handler | undefined {
  return SERVICES[service]?.[operation];
}

/** Adds (or extends) an emulated service. Handlers get the same context as the EC2 ones. */
export function registerService(service: string, ops: Record<string, Handler>): void {
  SERVICES[service] = { ...(SERVICES[service] ?? {}), ...ops };
}

/** Operations the emulator implements, per service (for docs and `sandbox show`). */
export function implementedOperations(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(SERVICES).map(([s, ops]) => [s, Object.keys(ops).sort()]));
}

/** mulberry32: a small seeded PRNG so fault sequences are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses EGRESS_SANDBOX_FAULTS ("throttleRate=0.3,crashAfter=7,crashMode=kill,seed=1"). */
export function parseFaults(spec: string | undefined): Partial<FaultConfig> {
  const out: Partial<FaultConfig> = {};
  if (!spec) return out;
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = part.split("=").map((s) => s.trim());
    switch (k) {
      case "throttleRate":
      case "serverErrorRate":
      case "consistencyDelayMs":
      case "latencyMs":
      case "crashAfter":
      case "seed": {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new Error(`EGRESS_SANDBOX_FAULTS: ${k} must be a number, got '${v}'`);
        out[k] = n;
        break;
      }
      case "crashMode":
        if (v !== "kill" && v !== "throw") throw new Error(`EGRESS_SANDBOX_FAULTS: crashMode must be kill or throw, got '${v}'`);
        out.crashMode = v;
        break;
      default:
        throw new Error(`EGRESS_SANDBOX_FAULTS: unknown key '${k}'`);
    }
  }
  return out;
}

/** Parses EGRESS_SANDBOX_LATENCY ("none", "realistic" or "realistic:0.01"). */
export function parseLatency(spec: string | undefined): { latency?: "none" | "realistic"; timeScale?: number } {
  if (!spec) return {};
  const [mode, scale] = spec.split(":");
  if (mode !== "none" && mode !== "realistic") throw new Error(`EGRESS_SANDBOX_LATENCY: expected none or realistic[:scale], got '${spec}'`);
  const out: { latency?: "none" | "realistic"; timeScale?: number } = { latency: mode };
  if (scale !== undefined) {
    const n = Number(scale);
    if (!(n >= 0)) throw new Error(`EGRESS_SANDBOX_LATENCY: bad time scale '${scale}'`);
    out.timeScale = n;
  }
  return out;
}

const MUTATING_PREFIXES = /^(Create|Delete|Modify|Attach|Detach|Associate|Disassociate|Replace|Allocate|Release|Authorize|Revoke|Start|Update|Put|Add|Remove|Tag|Untag|Invoke|Run|Terminate|Stop|Reboot)/;

function freshState(): SandboxState {
  return {
    version: STATE_VERSION,
    accountId: newAccountId(),
    userId: newUserId(),
    createdAt: new Date().toISOString(),
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
  private readonly faults: FaultConfig;
  private readonly timing: Timing;
  private readonly perCallMs: number;
  private readonly rand: () => number;
  private processMutating = 0;
  private seq = 0;
  private crashed = false;

  private constructor(state: SandboxState, file: string | undefined, faults: FaultConfig, timing: Timing, perCallMs: number) {
    this.st = state;
    this.file = file;
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
    let state: SandboxState | undefined;
    if (opts.file && existsSync(opts.file)) {
      const raw = JSON.parse(readFileSync(opts.file, "utf8"));
      if (raw?.version !== STATE_VERSION) throw new Error(`Sandbox state ${opts.file} has version ${raw?.version}; expected ${STATE_VERSION}. Run \`egress-cli sandbox reset\`.`);
      state = raw as SandboxState;
      state.ext ??= {};
    }
    const sb = new Sandbox(state ?? freshState(), opts.file, faults, timing, realistic ? REALISTIC.perCallMs * timeScale : 0);
    if (!state) sb.persist();
    return sb;
  }

  get accountId(): string {
    return this.st.accountId;
  }

  stats(): { calls: number; mutatingCalls: number } {
    return { ...this.st.counters };
  }

  state(): SandboxState {
    return structuredClone(this.st);
  }

  /** Fresh account in the same file (new account id); examples seeds the EC2 part of the demo account. */
  async reset(opts: { examples?: boolean } = {}): Promise<void> {
    this.st = freshState();
    if (opts.examples) {
      this.st.ext.examples = true;
      seedExamples(this.ctxFor("us-east-1", "SeedExamples", {}, "ec2", undefined, undefined, 0));
      seedLambdaExamples(this.ctxFor("us-east-1", "SeedExamples", {}, "lambda", undefined, undefined, 0));
    }
    this.persist();
  }

  /** Replaces one region's state with a snapshot document's resources (`egress-cli sandbox load`). */
  importSnapshot(snapshot: import("../analysis/snapshot.js").Snapshot, region = snapshot.region): void {
    if (!REGIONS[region]) throw new Error(`the sandbox emulates no region named '${region}'`);
    this.st.regions[region] = importSnapshotInto(this.ctxFor(region, "ImportSnapshot", {}, "ec2", undefined, emptyRegion(), 0), snapshot);
    this.persist();
  }

  /** Live resources in a region carrying tagKey=tagValue (deleted NAT gateways excluded). */
  taggedResources(region: string, tagKey: string, tagValue: string): Array<{ type: string; id: string; state?: string }> {
    const rs = this.st.regions[region];
    if (!rs) return [];
    settle(rs, Date.now());
    const out: Array<{ type: string; id: string; state?: string }> = [];
    for (const k of Object.values(KINDS)) {
      for (const [id, rec] of Object.entries(rs[k.coll] as Record<string, any>)) {
        if (!rec.Tags.some((t: any) => t.Key === tagKey && t.Value === tagValue)) continue;
        if (k.prefix === "nat" && rec.State === "deleted") continue;
        out.push({ type: k.resourceType, id, ...(rec.State ? { state: rec.State } : {}) });
      }
    }
    for (const store of Object.values(rs.ext)) {
      if (typeof (store as any)?.tagged === "function") out.push(...(store as any).tagged(tagKey, tagValue));
    }
    return out;
  }

  /** Per-region counts and short lists for `egress-cli sandbox show`. */
  summary(): object {
    const regions: Record<string, object> = {};
    for (const [name, rs] of Object.entries(this.st.regions)) {
      settle(rs, Date.now());
      const nameOf = (r: any) => r.Tags?.find((t: any) => t.Key === "Name")?.Value;
      regions[name] = {
        vpcs: Object.values(rs.vpcs).map((v) => ({ id: v.VpcId, cidr: v.CidrBlock, default: v.IsDefault, name: nameOf(v) })),
        subnets: Object.keys(rs.subnets).length,
        internetGateways: Object.keys(rs.internetGateways).length,
        routeTables: Object.keys(rs.routeTables).length,
        natGateways: Object.values(rs.natGateways).map((n) => ({ id: n.NatGatewayId, state: n.State, subnet: n.SubnetId })),
        elasticIps: Object.values(rs.addresses).map((a) => ({ id: a.AllocationId, ip: a.PublicIp, associated: !!a.AssociationId })),
        securityGroups: Object.keys(rs.securityGroups).length,
        networkInterfaces: Object.keys(rs.networkInterfaces).length,
      };
    }
    return {
      accountId: this.st.accountId,
      file: this.file ?? "(in memory)",
      createdAt: this.st.createdAt,
      calls: this.st.counters.calls,
      mutatingCalls: this.st.counters.mutatingCalls,
      regions,
    };
  }

  /** Answers one API call the way the service would. Throws SandboxError for AWS errors. */
  async call(service: string, operation: string, input: Record<string, any>, region: string): Promise<Record<string, any>> {
    if (this.crashed) throw new SandboxCrash("sandbox crashed earlier (crashAfter); this process must stop");
    const delay = this.faults.latencyMs + this.perCallMs;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const rec: CallRecord = {
      seq: ++this.seq,
      service,
      operation,
      region,
      mutating: false,
      dryRun: input?.DryRun === true,
      at: new Date().toISOString(),
    };
    this.st.counters.calls++;
    let mutated = false;
    try {
      // faults come first: nothing takes effect on a throttled or failed call
      if (this.faults.throttleRate > 0 && this.rand() < this.faults.throttleRate)
        throw new SandboxError("RequestLimitExceeded", "Request limit exceeded.", 503, { throttling: true });
      if (this.faults.serverErrorRate > 0 && this.rand() < this.faults.serverErrorRate)
        throw this.rand() < 0.5
          ? new SandboxError("InternalError", "An internal error has occurred", 500)
          : new SandboxError("Unavailable", "The service is unavailable. Please try again shortly.", 503);
      const ops = SERVICES[service];
      if (!ops) throw awsError("InvalidAction", `The service ${service} is not emulated by the sandbox.`);
      if (!REGIONS[region])
        throw awsError(
          "AuthFailure",
          `AWS was not able to validate the provided access credentials (the sandbox emulates no region named '${region}'; emulated regions: ${Object.keys(REGIONS).join(", ")})`,
          401,
        );
      const handler = ops[operation];
      if (!handler) throw awsError("InvalidAction", `The action ${operation} is not valid for this web service (not implemented by the sandbox).`);
      const ctx = this.ctxFor(region, operation, input ?? {}, service, () => (mutated = true));
      // safety net: a DryRun must change nothing even if a handler forgot to call ctx.dry()
      const before = input?.DryRun === true ? structuredClone(this.st.regions[region]) : undefined;
      const out = handler(ctx);
      if (before) {
        this.st.regions[region] = before;
        mutated = false;
        throw new SandboxError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
      }
      return structuredClone(out);
    } catch (e) {
      rec.errorCode = e instanceof SandboxError ? e.name : e instanceof SandboxCrash ? "SandboxCrash" : "InternalSandboxError";
      if (!(e instanceof SandboxError)) {
        // a bug in the emulator surfaces as a 500 the SDK will not retry forever, with the cause kept
        if (e instanceof Error && !(e instanceof SandboxCrash)) {
          const err = new SandboxError("InternalError", `sandbox bug in ${operation}: ${e.message}`, 500);
          (err as any).cause = e;
          throw err;
        }
      }
      throw e;
    } finally {
      rec.mutating = mutated;
      if (mutated) {
        this.st.counters.mutatingCalls++;
        this.processMutating++;
      }
      this.journal.push(rec);
      this.st.journal.push(rec);
      if (this.st.journal.length > JOURNAL_KEEP) this.st.journal.splice(0, this.st.journal.length - JOURNAL_KEEP);
      this.persist();
      if (mutated && this.faults.crashAfter !== undefined && this.processMutating === this.faults.crashAfter) this.crash(rec);
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

  private region(region: string): RegionState {
    let rs = this.st.regions[region];
    if (!rs) {
      rs = this.st.regions[region] = emptyRegion();
      const seedCtx = this.ctxFor(region, "SeedRegion", {}, "ec2", undefined, rs, 0);
      seedDefaultVpc(seedCtx);
    }
    return rs;
  }

  private ctxFor(
    region: string,
    operation: string,
    input: Record<string, any>,
    service = "ec2",
    onMutate?: () => void,
    rsOverride?: RegionState,
    consistencyDelayMs = this.timing.consistencyDelayMs,
  ): OpContext {
    const now = Date.now();
    const rs = rsOverride ?? this.region(region);
    if (!rsOverride) {
      settle(rs, now);
      settleLambda(rs, now);
      settleEndpoints(rs, now);
    }
    return {
      service,
      operation,
      region,
      rs,
      state: this.st,
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

  private persist(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic.sync(this.file, JSON.stringify(this.st));
  }

  /** Whether an operation name looks mutating (informational; the journal records what actually changed). */
  static looksMutating(operation: string): boolean {
    return MUTATING_PREFIXES.test(operation);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Plugs the sandbox below an SDK v3 client: a finalizeRequest middleware (after the retry middleware, so
 * throttling and 5xx go through the SDK's real retry strategy) that answers the command without any HTTP.
 */
export function plugSandbox(client: { middlewareStack: any; config: any }, sandbox: Sandbox, service: string): void {
  client.middlewareStack.add(
    (_next: any, context: any) => async (args: any) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      const r = client.config.region;
      const region = typeof r === "function" ? await r() : r;
      const result = await sandbox.call(service, operation, args.input ?? {}, region);
      return {
        output: { ...result, $metadata: { httpStatusCode: 200, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 } },
        response: { statusCode: 200, headers: {}, body: undefined },
      };
    },
    { step: "finalizeRequest", priority: "low", name: "egressSandbox", override: true },
  );
}
