// VPC Block Public Access in the sandbox: DescribeVpcBlockPublicAccessOptions, ModifyVpcBlockPublicAccessOptions,
// CreateVpcBlockPublicAccessExclusion, DescribeVpcBlockPublicAccessExclusions, ModifyVpcBlockPublicAccessExclusion
// and DeleteVpcBlockPublicAccessExclusion, in the SDK's shapes (VpcBlockPublicAccessOptions, VpcBlockPublicAccess-
// Exclusion). A change is update-in-progress / create-in-progress (… delete-in-progress) for a while (AWS: "a few
// minutes"; here 60 s scaled like NAT gateway creation, instant without realistic latency) and then *-complete.
// The emulated Reachability Analyzer sees these through regionSnapshot (snapshot-state.ts) and enforces them with
// the offline analyzer (VPC_BLOCK_PUBLIC_ACCESS_ENABLED).
import { awsError } from "./errors.js";
import { get } from "./ec2-core.js";
import type { OpContext, Ops, RecordOpHandler } from "./handler.js";
import { newId } from "./model.js";
import { applyFilters, paginate, tagsFromSpecs, tagsOut, type FilterFns } from "./query.js";

const MODES = ["off", "block-bidirectional", "block-ingress"];
const EXCLUSION_MODES = ["allow-bidirectional", "allow-egress"];
/** How long a change stays in progress (scaled like a NAT gateway's 90 s creation). */
const CHANGE_MS = 60_000;
const NAT_CREATE_MS = 90_000;

interface OptionsRec {
  mode: string;
  /** default-state until the first change. */
  changed: boolean;
  _updatedAt: number;
  _readyAt: number;
}

interface ExclusionRec {
  ExclusionId: string;
  InternetGatewayExclusionMode: string;
  ResourceArn: string;
  /** The step it is in: create, update or delete; in progress until _readyAt. */
  step: "create" | "update" | "delete";
  Tags: { Key: string; Value: string }[];
  _createdAt: number;
  _updatedAt: number;
  _readyAt: number;
  _deletedAt?: number;
}

interface BpaStore {
  options: OptionsRec;
  exclusions: Record<string, ExclusionRec>;
}

const fresh = (): BpaStore => ({ options: { mode: "off", changed: false, _updatedAt: 0, _readyAt: 0 }, exclusions: {} });

/** The region's BPA records, created on the first change. */
function store(ctx: OpContext): BpaStore {
  return (ctx.rs.ext.bpa ??= fresh()) as BpaStore;
}

/** The same, for reads: an untouched region is answered from defaults without writing anything. */
function peek(ctx: OpContext): BpaStore {
  return (ctx.rs.ext.bpa as BpaStore | undefined) ?? fresh();
}

/** Loads a snapshot's BPA options and exclusions as settled state (`sandbox load`). */
export function importBpa(ctx: OpContext, options: { InternetGatewayBlockMode?: string } | undefined, exclusions: Array<{ ExclusionId?: string; InternetGatewayExclusionMode?: string; ResourceArn?: string; State?: string; Tags?: { Key?: string; Value?: string }[] }> | undefined): void {
  const s = fresh();
  const mode = options?.InternetGatewayBlockMode ?? "off";
  s.options = { mode, changed: mode !== "off", _updatedAt: ctx.now, _readyAt: ctx.now };
  for (const e of exclusions ?? []) {
    if (!e.ResourceArn || !e.InternetGatewayExclusionMode || /^(delete|disable)-/.test(e.State ?? "")) continue;
    const id = e.ExclusionId ?? newId("exclusion");
    s.exclusions[id] = { ExclusionId: id, InternetGatewayExclusionMode: e.InternetGatewayExclusionMode, ResourceArn: e.ResourceArn, step: "create", Tags: (e.Tags ?? []).filter((t) => t.Key).map((t) => ({ Key: t.Key!, Value: t.Value ?? "" })), _createdAt: ctx.now, _updatedAt: ctx.now, _readyAt: ctx.now };
  }
  ctx.rs.ext.bpa = s;
}

const changeMs = (ctx: OpContext) => Math.round((CHANGE_MS * ctx.timing.natCreateMs) / NAT_CREATE_MS);

function optionsView(ctx: OpContext) {
  const o = peek(ctx).options;
  return {
    AwsAccountId: ctx.accountId,
    AwsRegion: ctx.region,
    State: !o.changed ? "default-state" : ctx.now < o._readyAt ? "update-in-progress" : "update-complete",
    InternetGatewayBlockMode: o.mode,
    ...(o.changed ? { LastUpdateTimestamp: new Date(o._updatedAt) } : {}),
    ManagedBy: "account",
    ExclusionsAllowed: "allowed",
  };
}

function exclusionState(ctx: OpContext, e: ExclusionRec): string {
  return `${e.step}-${ctx.now < e._readyAt ? "in-progress" : "complete"}`;
}

function exclusionView(ctx: OpContext, e: ExclusionRec) {
  return {
    ExclusionId: e.ExclusionId,
    InternetGatewayExclusionMode: e.InternetGatewayExclusionMode,
    ResourceArn: e.ResourceArn,
    State: exclusionState(ctx, e),
    CreationTimestamp: new Date(e._createdAt),
    LastUpdateTimestamp: new Date(e._updatedAt),
    ...(e._deletedAt !== undefined ? { DeletionTimestamp: new Date(e._deletedAt) } : {}),
    ...tagsOut(e.Tags),
  };
}

function checkMode(value: unknown, param: string, allowed: string[]): string {
  if (value === undefined || value === null || value === "") throw awsError("MissingParameter", `The request must contain the parameter ${param}`);
  if (!allowed.includes(String(value))) throw awsError("InvalidParameterValue", `Value (${String(value)}) for parameter ${param} is invalid. Valid values: ${allowed.join(", ")}.`);
  return String(value);
}

const DescribeVpcBlockPublicAccessOptions: RecordOpHandler<"ec2", "DescribeVpcBlockPublicAccessOptions"> = (ctx) => {
  ctx.dry();
  return { VpcBlockPublicAccessOptions: optionsView(ctx) };
};

const ModifyVpcBlockPublicAccessOptions: RecordOpHandler<"ec2", "ModifyVpcBlockPublicAccessOptions"> = (ctx) => {
  const mode = checkMode(ctx.input.InternetGatewayBlockMode, "InternetGatewayBlockMode", MODES);
  ctx.dry();
  const o = store(ctx).options;
  o.mode = mode;
  o.changed = true;
  o._updatedAt = ctx.now;
  o._readyAt = ctx.now + changeMs(ctx);
  ctx.mutated();
  return { VpcBlockPublicAccessOptions: optionsView(ctx) };
};

function getExclusion(ctx: OpContext, id: unknown): ExclusionRec {
  if (id === undefined || id === null || id === "") throw awsError("MissingParameter", "The request must contain the parameter ExclusionId");
  const e = peek(ctx).exclusions[String(id)];
  if (!e || (e.step === "delete" && ctx.now >= e._readyAt)) throw awsError("InvalidVpcBlockPublicAccessExclusionId.NotFound", `The exclusion ID '${String(id)}' does not exist`);
  return e;
}

const CreateVpcBlockPublicAccessExclusion: RecordOpHandler<"ec2", "CreateVpcBlockPublicAccessExclusion"> = (ctx) => {
  const i = ctx.input;
  const mode = checkMode(i.InternetGatewayExclusionMode, "InternetGatewayExclusionMode", EXCLUSION_MODES);
  if (!!i.SubnetId === !!i.VpcId) throw awsError("InvalidParameterCombination", "Specify exactly one of SubnetId and VpcId.");
  // The resource must exist (its own NotFound error).
  const resource = i.SubnetId ? `subnet/${get<{ SubnetId: string }>(ctx, "subnet", i.SubnetId, "SubnetId").SubnetId}` : `vpc/${get<{ VpcId: string }>(ctx, "vpc", i.VpcId, "VpcId").VpcId}`;
  const arn = `arn:aws:ec2:${ctx.region}:${ctx.accountId}:${resource}`;
  const s = store(ctx);
  const live = Object.values(s.exclusions).find((e) => e.ResourceArn === arn && !(e.step === "delete" && ctx.now >= e._readyAt));
  if (live) throw awsError("InvalidParameterValue", `An exclusion (${live.ExclusionId}) already exists for ${resource}.`);
  const tags = tagsFromSpecs(i.TagSpecifications, "vpc-block-public-access-exclusion");
  ctx.dry();
  const rec: ExclusionRec = { ExclusionId: newId("exclusion"), InternetGatewayExclusionMode: mode, ResourceArn: arn, step: "create", Tags: tags, _createdAt: ctx.now, _updatedAt: ctx.now, _readyAt: ctx.now + changeMs(ctx) };
  s.exclusions[rec.ExclusionId] = rec;
  ctx.mutated();
  return { VpcBlockPublicAccessExclusion: exclusionView(ctx, rec) };
};

const DescribeVpcBlockPublicAccessExclusions: RecordOpHandler<"ec2", "DescribeVpcBlockPublicAccessExclusions"> = (ctx) => {
  const ids: string[] | undefined = ctx.input.ExclusionIds;
  for (const id of ids ?? []) getExclusion(ctx, id);
  let items = Object.values(peek(ctx).exclusions);
  if (ids?.length) items = items.filter((e) => ids.includes(e.ExclusionId));
  const fns: FilterFns<ExclusionRec> = {
    "resource-arn": (e) => [e.ResourceArn],
    "internet-gateway-exclusion-mode": (e) => [e.InternetGatewayExclusionMode],
    state: (e) => [exclusionState(ctx, e)],
  };
  items = applyFilters(items, ctx.input.Filters, fns, (e) => e.Tags);
  ctx.dry();
  const { page, NextToken } = paginate(items, ctx.input, "DescribeVpcBlockPublicAccessExclusions", { min: 5, max: 1000 });
  return { VpcBlockPublicAccessExclusions: page.map((e) => exclusionView(ctx, e)), ...(NextToken ? { NextToken } : {}) };
};

const ModifyVpcBlockPublicAccessExclusion: RecordOpHandler<"ec2", "ModifyVpcBlockPublicAccessExclusion"> = (ctx) => {
  const e = getExclusion(ctx, ctx.input.ExclusionId);
  const mode = checkMode(ctx.input.InternetGatewayExclusionMode, "InternetGatewayExclusionMode", EXCLUSION_MODES);
  if (ctx.now < e._readyAt || e.step === "delete") throw awsError("IncorrectState", `The exclusion ${e.ExclusionId} is ${exclusionState(ctx, e)}.`);
  ctx.dry();
  e.InternetGatewayExclusionMode = mode;
  e.step = "update";
  e._updatedAt = ctx.now;
  e._readyAt = ctx.now + changeMs(ctx);
  ctx.mutated();
  return { VpcBlockPublicAccessExclusion: exclusionView(ctx, e) };
};

const DeleteVpcBlockPublicAccessExclusion: RecordOpHandler<"ec2", "DeleteVpcBlockPublicAccessExclusion"> = (ctx) => {
  const e = getExclusion(ctx, ctx.input.ExclusionId);
  if (e.step === "delete") throw awsError("IncorrectState", `The exclusion ${e.ExclusionId} is ${exclusionState(ctx, e)}.`);
  ctx.dry();
  e.step = "delete";
  e._updatedAt = ctx.now;
  e._deletedAt = ctx.now;
  e._readyAt = ctx.now + changeMs(ctx);
  ctx.mutated();
  return { VpcBlockPublicAccessExclusion: exclusionView(ctx, e) };
};

export const bpaOps: Ops<"ec2"> = {
  DescribeVpcBlockPublicAccessOptions,
  ModifyVpcBlockPublicAccessOptions,
  CreateVpcBlockPublicAccessExclusion,
  DescribeVpcBlockPublicAccessExclusions,
  ModifyVpcBlockPublicAccessExclusion,
  DeleteVpcBlockPublicAccessExclusion,
};
