// Lambda emulation (per region, in rs.ext.lambda): functions with their execution role and VPC
// config, the asynchronous update states (LastUpdateStatus InProgress → Successful | Failed), the
// hyperplane ENIs a VPC function gets (one per subnet + security-group set, InterfaceType "lambda",
// shared between functions with the same pair, released some time after the last user leaves),
// and event source mappings. Errors as Lambda returns them (ResourceNotFoundException 404,
// ResourceConflictException 409, InvalidParameterValueException 400).
import { registerInventory } from "./inventory.js";
import { randomUUID, createHash } from "node:crypto";
import { defineIndex, lookup } from "./indexes.js";
import { awsError } from "./errors.js";
import { allocPrivateIp } from "./ec2-core.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler } from "./handler.js";
import { newId, newMac, type EniRec, type RegionState, type SandboxState, type SgRec, type SubnetRec } from "./model.js";
import { putRole, roleDocuments } from "./iam.js";
import { missingEniActions } from "../aws/policy-eval.js";
import { byText } from "../order.js";

export interface VpcConfigRec {
  SubnetIds: string[];
  SecurityGroupIds: string[];
  VpcId: string;
}

export interface FunctionRec {
  FunctionName: string;
  Runtime: string;
  Role: string;
  Handler: string;
  Description: string;
  Timeout: number;
  MemorySize: number;
  CodeSize: number;
  CodeSha256: string;
  LastModified: string;
  RevisionId: string;
  VpcConfig?: VpcConfigRec;
  LastUpdateStatus: "Successful" | "InProgress" | "Failed";
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  Tags: Record<string, string>;
  _update?: { doneAt: number; previous?: VpcConfigRec; releaseMs: number };
}

export interface EsmRec {
  UUID: string;
  EventSourceArn: string;
  FunctionName: string;
  State: string;
  BatchSize: number;
  Topics?: string[];
  StartingPosition?: string;
  /** How the pollers authenticate (SASL_SCRAM_512_AUTH → a Secrets Manager secret ARN, …), as Lambda stores it. */
  SourceAccessConfigurations?: Array<{ Type: string; URI: string }>;
  LastModified: string;
}

export interface LambdaStore {
  functions: Record<string, FunctionRec>;
  eventSourceMappings: Record<string, EsmRec>;
}

type LambdaEni = EniRec & { _lambdaKey?: string; _releaseAt?: number };
// Lambda ENIs waiting to be released: settleLambda runs before every call, and finds them without parsing every ENI
defineIndex("eni.lambda-release", "networkInterfaces", (e: LambdaEni) => (e.InterfaceType === "lambda" && e._releaseAt !== undefined ? "waiting" : undefined), { persist: "counts" });

// Realistic durations (multiplied by the sandbox time scale, derived from the NAT timing).
const UPDATE_VPC_MS = 5_000;
const UPDATE_OTHER_MS = 1_000;
const ENI_RELEASE_MS = 20_000;

export function lambdaStore(rs: RegionState): LambdaStore {
  return (rs.ext.lambda ??= { functions: {}, eventSourceMappings: {} }) as LambdaStore;
}

const scale = (ctx: OpContext) => ctx.timing.natCreateMs / 90_000;
const functionArn = (region: string, account: string, name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`;
const lambdaTime = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");
const eniKey = (subnetId: string, groups: string[]) => `${subnetId}|${[...groups].sort().join(",")}`;

function notFound(ctx: OpContext, name: string): Error {
  return awsError("ResourceNotFoundException", `Function not found: ${name.startsWith("arn:") ? name : functionArn(ctx.region, ctx.accountId, name)}`, 404);
}

/** FunctionName may be a name, a full ARN (optionally qualified) or a partial ARN (account:function:name). */
function resolve(ctx: OpContext, raw: unknown): FunctionRec {
  if (typeof raw !== "string" || !raw) throw awsError("ValidationException", "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null");
  let name = raw;
  const full = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(:(\$LATEST|[A-Za-z0-9_-]+))?$/.exec(raw);
  const partial = /^(\d{12}):function:([A-Za-z0-9_-]{1,64})$/.exec(raw);
  if (full) {
    if (full[1] !== ctx.region || full[2] !== ctx.accountId) throw notFound(ctx, raw);
    name = full[3];
  } else if (partial) {
    if (partial[1] !== ctx.accountId) throw notFound(ctx, raw);
    name = partial[2];
  } else if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) {
    throw awsError("ValidationException", `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  }
  const fn = lambdaStore(ctx.rs).functions[name];
  if (!fn) throw notFound(ctx, raw);
  return fn;
}

export function functionView(region: string, accountId: string, fn: FunctionRec) {
  return {
    FunctionName: fn.FunctionName,
    FunctionArn: functionArn(region, accountId, fn.FunctionName),
    Runtime: fn.Runtime,
    Role: fn.Role,
    Handler: fn.Handler,
    CodeSize: fn.CodeSize,
    Description: fn.Description,
    Timeout: fn.Timeout,
    MemorySize: fn.MemorySize,
    LastModified: fn.LastModified,
    CodeSha256: fn.CodeSha256,
    Version: "$LATEST",
    ...(fn.VpcConfig
      ? { VpcConfig: { SubnetIds: [...fn.VpcConfig.SubnetIds], SecurityGroupIds: [...fn.VpcConfig.SecurityGroupIds], VpcId: fn.VpcConfig.VpcId, Ipv6AllowedForDualStack: false } }
      : {}),
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: fn.RevisionId,
    State: "Active",
    LastUpdateStatus: fn.LastUpdateStatus,
    ...(fn.LastUpdateStatusReason ? { LastUpdateStatusReason: fn.LastUpdateStatusReason } : {}),
    ...(fn.LastUpdateStatusReasonCode ? { LastUpdateStatusReasonCode: fn.LastUpdateStatusReasonCode } : {}),
    PackageType: "Zip",
    Architectures: ["x86_64"],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${fn.FunctionName}` },
  };
}

/** Applies due update transitions and ENI releases. Called before every sandbox call. */
export function settleLambda(rs: RegionState, now: number): void {
  const store = rs.ext.lambda as LambdaStore | undefined;
  if (!store) return;
  for (const fn of Object.values(store.functions)) {
    const u = fn._update;
    if (!u || now < u.doneAt) continue;
    delete fn._update;
    const failure = placeEnis(rs, fn, u.doneAt);
    if (failure) {
      fn.VpcConfig = u.previous;
      fn.LastUpdateStatus = "Failed";
      fn.LastUpdateStatusReason = failure.reason;
      fn.LastUpdateStatusReasonCode = failure.code;
    } else {
      fn.LastUpdateStatus = "Successful";
      delete fn.LastUpdateStatusReason;
      delete fn.LastUpdateStatusReasonCode;
    }
    // ENIs nobody uses any more go away after a while (AWS takes minutes; scaled here).
    const inUse = new Set<string>();
    for (const f of Object.values(store.functions)) for (const s of f.VpcConfig?.SubnetIds ?? []) inUse.add(eniKey(s, f.VpcConfig!.SecurityGroupIds));
    for (const e of lookup<LambdaEni>(rs, "eni.type", "lambda")) {
      if (e.InterfaceType !== "lambda" || !e._lambdaKey) continue;
      if (inUse.has(e._lambdaKey)) delete e._releaseAt;
      else e._releaseAt ??= u.doneAt + u.releaseMs;
    }
  }
  for (const e of lookup<LambdaEni>(rs, "eni.lambda-release", "waiting")) {
    if (e.InterfaceType === "lambda" && e._releaseAt !== undefined && now >= e._releaseAt) delete rs.networkInterfaces[e.NetworkInterfaceId];
  }
}

function placeEnis(rs: RegionState, fn: FunctionRec, at: number): { code: string; reason: string } | undefined {
  const cfg = fn.VpcConfig;
  if (!cfg) return undefined;
  const planned: LambdaEni[] = [];
  for (const subnetId of cfg.SubnetIds) {
    const key = eniKey(subnetId, cfg.SecurityGroupIds);
    if (lookup<LambdaEni>(rs, "eni.type", "lambda").some((e) => e._lambdaKey === key)) continue;
    const subnet = rs.subnets[subnetId] as SubnetRec | undefined;
    if (!subnet) return { code: "InvalidSubnet", reason: `Lambda was unable to configure access to your environment variables because the subnet ${subnetId} does not exist.` };
    if (cfg.SecurityGroupIds.some((g) => !rs.securityGroups[g])) return { code: "InvalidSecurityGroup", reason: `Lambda was unable to create an ENI: one of the security groups ${cfg.SecurityGroupIds.join(", ")} does not exist.` };
    let ip: string;
    try {
      ip = allocPrivateIp(rs, subnet);
    } catch {
      return { code: "SubnetOutOfIPAddresses", reason: `Lambda was unable to create an ENI in subnet ${subnetId}: InsufficientFreeAddressesInSubnet.` };
    }
    const eni: LambdaEni = {
      NetworkInterfaceId: newId("eni"),
      SubnetId: subnetId,
      VpcId: subnet.VpcId,
      AvailabilityZone: subnet.AvailabilityZone,
      InterfaceType: "lambda",
      Description: `AWS Lambda VPC ENI-${fn.FunctionName}`,
      PrivateIpAddress: ip,
      MacAddress: newMac(),
      Groups: [...cfg.SecurityGroupIds],
      RequesterManaged: true,
      Tags: [],
      _createdAt: at,
      _visibleAt: at,
      _lambdaKey: key,
    };
    rs.networkInterfaces[eni.NetworkInterfaceId] = eni; // reserve the IP for the next subnet of the loop
    planned.push(eni);
  }
  return undefined;
}

function listOf(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw awsError("InvalidParameterValueException", `${what} must be a list of strings`);
  return v as string[];
}

const GetFunctionConfiguration: RecordOpHandler<"lambda", "GetFunctionConfiguration"> = (ctx) => functionView(ctx.region, ctx.accountId, resolve(ctx, ctx.input.FunctionName));

const GetFunction: RecordOpHandler<"lambda", "GetFunction"> = (ctx) => {
  const fn = resolve(ctx, ctx.input.FunctionName);
  return {
    Configuration: functionView(ctx.region, ctx.accountId, fn),
    Code: { RepositoryType: "S3", Location: `https://awslambda-${ctx.region}-tasks.s3.${ctx.region}.amazonaws.com/snapshots/${ctx.accountId}/${fn.FunctionName}-${fn.CodeSha256.slice(0, 8)}` },
    ...(Object.keys(fn.Tags).length ? { Tags: { ...fn.Tags } } : {}),
  };
};

function page<T>(items: T[], input: { Marker?: string; MaxItems?: number }): { items: T[]; NextMarker?: string } {
  const start = input.Marker ? Number(Buffer.from(String(input.Marker), "base64url").toString("utf8")) : 0;
  if (!Number.isInteger(start) || start < 0) throw awsError("InvalidParameterValueException", "Invalid Marker.");
  const max = input.MaxItems === undefined ? 50 : Number(input.MaxItems);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) throw awsError("InvalidParameterValueException", "MaxItems must be between 1 and 10000.");
  const items2 = items.slice(start, start + max);
  return start + max < items.length ? { items: items2, NextMarker: Buffer.from(String(start + max)).toString("base64url") } : { items: items2 };
}

const ListFunctions: RecordOpHandler<"lambda", "ListFunctions"> = (ctx) => {
  const all = Object.values(lambdaStore(ctx.rs).functions).sort((a, b) => byText(a.FunctionName, b.FunctionName));
  const p = page(all, ctx.input);
  return { Functions: p.items.map((f) => functionView(ctx.region, ctx.accountId, f)), ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}) };
};

const UpdateFunctionConfiguration: RecordOpHandler<"lambda", "UpdateFunctionConfiguration"> = (ctx) => {
  const fn = resolve(ctx, ctx.input.FunctionName);
  const arn = functionArn(ctx.region, ctx.accountId, fn.FunctionName);
  if (fn.LastUpdateStatus === "InProgress") {
    throw awsError("ResourceConflictException", `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`, 409);
  }
  if (ctx.input.RevisionId !== undefined && ctx.input.RevisionId !== fn.RevisionId) {
    throw awsError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id", 412);
  }
  const v = ctx.input.VpcConfig;
  let next: VpcConfigRec | undefined = fn.VpcConfig;
  let vpcChange = false;
  if (v !== undefined) {
    vpcChange = true;
    const subnetIds = [...new Set(listOf(v.SubnetIds, "VpcConfig.SubnetIds"))];
    const groupIds = [...new Set(listOf(v.SecurityGroupIds, "VpcConfig.SecurityGroupIds"))];
    if (subnetIds.length > 16) throw awsError("InvalidParameterValueException", "1 validation error detected: Value at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length less than or equal to 16");
    if (groupIds.length > 5) throw awsError("InvalidParameterValueException", "1 validation error detected: Value at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 5");
    if (subnetIds.length === 0 && groupIds.length === 0) next = undefined;
    else {
      if (!subnetIds.length || !groupIds.length) throw awsError("InvalidParameterValueException", "SubnetIds and SecurityGroupIds must coexist.");
      const subnets = subnetIds.map((id) => {
        const s = ctx.rs.subnets[id] as SubnetRec | undefined;
        if (!s) throw awsError("InvalidParameterValueException", `Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '${id}' does not exist`);
        return s;
      });
      const groups = groupIds.map((id) => {
        const g = ctx.rs.securityGroups[id] as SgRec | undefined;
        if (!g) throw awsError("InvalidParameterValueException", `Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '${id}' does not exist`);
        return g;
      });
      const vpcs = new Set([...subnets.map((s) => s.VpcId), ...groups.map((g) => g.VpcId)]);
      if (vpcs.size > 1) throw awsError("InvalidParameterValueException", `Security groups and subnets must belong to the same VPC (got ${[...vpcs].join(", ")}).`);
      // Lambda checks the execution role before accepting a VPC config.
      const roleName = fn.Role.split("/").pop()!;
      if (!roleDocuments(ctx.state, roleName).length && !(ctx.state.ext.iam?.roles ?? {})[roleName]) {
        throw awsError("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
      }
      const missing = missingEniActions(roleDocuments(ctx.state, roleName));
      if (missing.length) {
        throw awsError("InvalidParameterValueException", `The provided execution role does not have permissions to call ${missing[0].split(":")[1]} on EC2`);
      }
      next = { SubnetIds: subnetIds, SecurityGroupIds: groupIds, VpcId: subnets[0].VpcId };
    }
  }
  for (const k of ["Timeout", "MemorySize"] as const) {
    if (ctx.input[k] !== undefined && (!Number.isInteger(ctx.input[k]) || ctx.input[k] < 1)) throw awsError("InvalidParameterValueException", `${k} must be a positive integer`);
  }
  ctx.dry();
  const previous = fn.VpcConfig;
  fn.VpcConfig = next;
  if (ctx.input.Description !== undefined) fn.Description = String(ctx.input.Description);
  if (ctx.input.Timeout !== undefined) fn.Timeout = ctx.input.Timeout;
  if (ctx.input.MemorySize !== undefined) fn.MemorySize = ctx.input.MemorySize;
  fn.LastUpdateStatus = "InProgress";
  delete fn.LastUpdateStatusReason;
  delete fn.LastUpdateStatusReasonCode;
  fn.RevisionId = randomUUID();
  fn.LastModified = lambdaTime(ctx.now);
  fn._update = { doneAt: ctx.now + (vpcChange ? UPDATE_VPC_MS : UPDATE_OTHER_MS) * scale(ctx), previous, releaseMs: ENI_RELEASE_MS * scale(ctx) };
  ctx.mutated();
  return functionView(ctx.region, ctx.accountId, fn);
};

const ListEventSourceMappings: RecordOpHandler<"lambda", "ListEventSourceMappings"> = (ctx) => {
  const store = lambdaStore(ctx.rs);
  let all = Object.values(store.eventSourceMappings);
  if (ctx.input.FunctionName !== undefined) {
    const fn = resolve(ctx, ctx.input.FunctionName);
    all = all.filter((m) => m.FunctionName === fn.FunctionName);
  }
  if (ctx.input.EventSourceArn !== undefined) all = all.filter((m) => m.EventSourceArn === ctx.input.EventSourceArn);
  const p = page(all, ctx.input);
  return {
    EventSourceMappings: p.items.map((m) => ({
      UUID: m.UUID,
      EventSourceArn: m.EventSourceArn,
      FunctionArn: functionArn(ctx.region, ctx.accountId, m.FunctionName),
      State: m.State,
      StateTransitionReason: "USER_INITIATED",
      BatchSize: m.BatchSize,
      ...(m.Topics ? { Topics: m.Topics } : {}),
      ...(m.StartingPosition ? { StartingPosition: m.StartingPosition } : {}),
      ...(m.SourceAccessConfigurations ? { SourceAccessConfigurations: m.SourceAccessConfigurations.map((c) => ({ ...c })) } : {}),
      LastModified: new Date(m.LastModified),
      LastProcessingResult: "OK",
    })),
    ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}),
  };
};

export const lambdaOps: Ops<"lambda"> = {
  GetFunction,
  GetFunctionConfiguration,
  ListFunctions,
  UpdateFunctionConfiguration,
  ListEventSourceMappings,
};

/** Puts a function (and its role, if missing) directly into the state: seeding and tests. */
export function putFunction(
  state: SandboxState,
  rs: RegionState,
  region: string,
  fn: { name: string; runtime: string; handler: string; roleName: string; description?: string },
): FunctionRec {
  const rec: FunctionRec = {
    FunctionName: fn.name,
    Runtime: fn.runtime,
    Role: `arn:aws:iam::${state.accountId}:role/service-role/${fn.roleName}`,
    Handler: fn.handler,
    Description: fn.description ?? "",
    Timeout: 30,
    MemorySize: 256,
    CodeSize: 2048,
    CodeSha256: createHash("sha256").update(fn.name).digest("base64"),
    LastModified: lambdaTime(Date.now()),
    RevisionId: randomUUID(),
    LastUpdateStatus: "Successful",
    Tags: {},
  };
  void region;
  lambdaStore(rs).functions[fn.name] = rec;
  return rec;
}

const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

/** `sandbox init --examples`: the functions of scenarios S1, S3 and S4, each with its own role. */
export function seedLambdaExamples(ctx: OpContext): void {
  const iamRoles = (ctx.state.ext.iam?.roles ?? {}) as Record<string, unknown>;
  const role = (name: string, opts: Parameters<typeof putRole>[2]) => {
    if (!iamRoles[name]) putRole(ctx.state, name, opts);
  };
  // S1: only basic logging; attach-lambda must add AWSLambdaVPCAccessExecutionRole.
  role("sms-sender-role", { attached: [BASIC], description: "S1: sends SMS through an IP-allowlisted vendor API" });
  putFunction(ctx.state, ctx.rs, ctx.region, { name: "sms-sender", runtime: "nodejs20.x", handler: "index.handler", roleName: "sms-sender-role", description: "S1: SMS vendor client (needs a static egress IP)" });
  // S3: an inline policy already grants the ENI actions (attach-lambda must notice and leave IAM alone).
  role("rotate-db-secret-role", {
    attached: [BASIC],
    inline: {
      "rotation-and-vpc": JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"], Resource: "*" },
          { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecretVersionStage"], Resource: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:rotation/aurora-*` },
        ],
      }),
    },
    description: "S3: rotates the Aurora secret",
  });
  putFunction(ctx.state, ctx.rs, ctx.region, { name: "rotate-db-secret", runtime: "python3.12", handler: "lambda_function.lambda_handler", roleName: "rotate-db-secret-role", description: "S3: Secrets Manager rotation for Aurora" });
  // S4: the MSK execution role (includes the ENI actions) and an on-demand event source mapping that
  // authenticates with SASL/SCRAM: its secret (MSK requires the AmazonMSK_ prefix) is read by the
  // pollers with the function's role, so the role may read that one secret.
  const secretArn = `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:AmazonMSK_msk-demo-consumer-Xq3vRb`;
  role("msk-consumer-role", {
    attached: ["arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole"],
    inline: { "msk-scram-secret": JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn }] }) },
    description: "S4: consumes an MSK topic",
  });
  putFunction(ctx.state, ctx.rs, ctx.region, { name: "msk-consumer", runtime: "java21", handler: "example.Handler::handleRequest", roleName: "msk-consumer-role", description: "S4: MSK event source mapping target" });
  const uuid = randomUUID();
  lambdaStore(ctx.rs).eventSourceMappings[uuid] = {
    UUID: uuid,
    EventSourceArn: `arn:aws:kafka:${ctx.region}:${ctx.accountId}:cluster/msk-demo/${randomUUID()}-3`,
    FunctionName: "msk-consumer",
    State: "Enabled",
    BatchSize: 100,
    Topics: ["orders"],
    StartingPosition: "LATEST",
    SourceAccessConfigurations: [{ Type: "SASL_SCRAM_512_AUTH", URI: secretArn }],
    LastModified: new Date(ctx.now).toISOString(),
  };
}

registerInventory("lambdaFunctions", (rs) =>
  Object.values(((rs.ext.lambda as LambdaStore | undefined)?.functions ?? {}) as Record<string, FunctionRec>).map((f) => ({
    vpcId: f.VpcConfig?.VpcId,
    item: { id: f.FunctionName, state: f.LastUpdateStatus, detail: `${f.Runtime}${f.VpcConfig ? ` in ${f.VpcConfig.SubnetIds.join(", ")}` : " (no VPC)"}` },
  })),
);
