// Systems Manager in the sandbox (service key "ssm", per region in rs.ext.ssm): the public parameters
// for the latest Amazon Linux 2023 AMIs (GetParameter/GetParameters), managed-instance registration
// (DescribeInstanceInformation: a running instance whose profile's role allows ssm:UpdateInstanceInformation
// registers a little after boot) and Run Command (SendCommand AWS-RunShellScript, GetCommandInvocation,
// ListCommandInvocations) executing the script on the instance's emulated host (instance-shell.ts).
// Deviation: the agent's network path to the SSM endpoints is not checked (any running instance with the
// role registers). SendCommand refuses parameters that with the document exceed 64 KB (the documented
// document quota, which "includes the content specified for input parameters at runtime"); AWS does not
// document the error code for it, the sandbox answers InvalidParameters. Errors as SSM names them: ParameterNotFound, InvalidInstanceId, InvalidDocument,
// InvalidParameters, InvocationDoesNotExist, ValidationException.
import { randomUUID } from "node:crypto";
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler } from "./handler.js";
import type { RegionState } from "./model.js";
import { instanceStore, publicImages, type InstanceRec } from "./ec2-instances.js";
import { profileStore } from "./iam-profiles.js";
import { roleDocuments } from "./iam.js";
import { runScript } from "./instance-shell.js";

const NAT_CREATE_MS = 90_000;
/** The size of AWS-RunShellScript's content (schema 2.2, one aws:runShellScript step), counted against the 64 KB document quota. */
const RUN_SHELL_SCRIPT_DOCUMENT_BYTES = 2_048;
/** The agent registers ~1 min after boot; a command takes a few seconds. Scaled like the NAT timing. */
const REGISTER_MS = 60_000;
const COMMAND_MS = 3_000;

export interface CommandRec {
  CommandId: string;
  DocumentName: string;
  Comment?: string;
  Parameters: Record<string, string[]>;
  InstanceIds: string[];
  RequestedDateTime: string;
  TimeoutSeconds: number;
  /** Per instance: when the result shows, and the result (computed at send time on the host). */
  invocations: Record<string, { doneAt: number; exitCode: number; stdout: string; stderr: string }>;
}

export interface SsmStore {
  commands: Record<string, CommandRec>;
}

export function ssmStore(rs: RegionState): SsmStore {
  return (rs.ext.ssm ??= { commands: {} }) as SsmStore;
}

const scaled = (ctx: OpContext, ms: number) => (ms * ctx.timing.natCreateMs) / NAT_CREATE_MS;

// ---------- parameters ----------

const LATEST = "/aws/service/ami-amazon-linux-latest/";

function publicParameters(region: string): Record<string, string> {
  const [x86, arm] = publicImages(region);
  return {
    [`${LATEST}al2023-ami-kernel-default-x86_64`]: x86.ImageId,
    [`${LATEST}al2023-ami-kernel-6.1-x86_64`]: x86.ImageId,
    [`${LATEST}al2023-ami-kernel-default-arm64`]: arm.ImageId,
    [`${LATEST}al2023-ami-kernel-6.1-arm64`]: arm.ImageId,
  };
}

function parameterView(ctx: OpContext, name: string, value: string) {
  return {
    Name: name,
    Type: "String",
    Value: value,
    Version: 1,
    LastModifiedDate: new Date("2024-12-12T00:00:00Z"),
    ARN: `arn:aws:ssm:${ctx.region}::parameter${name}`,
    DataType: "text",
  };
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || !name || name.length > 2048)
    throw awsError("ValidationException", `1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint: Member must have length between 1 and 2048`);
  return name;
}

const GetParameter: RecordOpHandler<"ssm", "GetParameter"> = (ctx) => {
  const name = checkName(ctx.input.Name);
  const value = publicParameters(ctx.region)[name];
  if (value === undefined) throw awsError("ParameterNotFound", "", 400);
  return { Parameter: parameterView(ctx, name, value) };
};

const GetParameters: RecordOpHandler<"ssm", "GetParameters"> = (ctx) => {
  const names: unknown = ctx.input.Names;
  if (!Array.isArray(names) || names.length < 1 || names.length > 10)
    throw awsError("ValidationException", "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10");
  const params = publicParameters(ctx.region);
  const found = [];
  const invalid = [];
  for (const n of names) {
    const name = checkName(n);
    if (params[name] !== undefined) found.push(parameterView(ctx, name, params[name]));
    else invalid.push(name);
  }
  return { Parameters: found, InvalidParameters: invalid };
};

// ---------- managed instances ----------

/** Whether the instance's profile role lets the agent register (AmazonSSMManagedInstanceCore or equivalent). */
function agentMayRegister(ctx: OpContext, i: InstanceRec): boolean {
  const arn = i.IamInstanceProfile?.Arn;
  if (!arn) return false;
  const profile = Object.values(profileStore(ctx.state)).find((p) => arn.endsWith(`:instance-profile${p.Path}${p.InstanceProfileName}`));
  if (!profile) return false;
  return profile.Roles.some((role) =>
    roleDocuments(ctx.state, role).some((d) =>
      [d.Statement].flat().some((s) => s?.Effect === "Allow" && [s.Action].flat().some((a) => a === "*" || a === "ssm:*" || a === "ssm:UpdateInstanceInformation")),
    ),
  );
}

function registered(ctx: OpContext): InstanceRec[] {
  return Object.values(instanceStore(ctx.rs)).filter(
    (i) => i._host !== undefined && i.State.Name === "running" && ctx.now >= i._readyAt + scaled(ctx, REGISTER_MS) && agentMayRegister(ctx, i),
  );
}

const DescribeInstanceInformation: OpHandler<"ssm", "DescribeInstanceInformation"> = (ctx) => {
  let items = registered(ctx);
  const wanted: string[] = [];
  for (const f of ctx.input.InstanceInformationFilterList ?? []) {
    if (f?.key !== "InstanceIds") throw awsError("InvalidInstanceInformationFilterValue", `The sandbox supports the InstanceIds filter key only, got ${f?.key}`);
    wanted.push(...(f.valueSet ?? []));
  }
  for (const f of ctx.input.Filters ?? []) {
    if (f?.Key !== "InstanceIds") throw awsError("InvalidFilterKey", `The sandbox supports the InstanceIds filter key only, got ${f?.Key}`);
    wanted.push(...(f.Values ?? []));
  }
  if (wanted.length) items = items.filter((i) => wanted.includes(i.InstanceId));
  const max = ctx.input.MaxResults ?? 50;
  if (!Number.isInteger(max) || max < 5 || max > 50) throw awsError("ValidationException", `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value between 5 and 50`);
  const start = ctx.input.NextToken ? Number(Buffer.from(ctx.input.NextToken, "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw awsError("InvalidNextToken", "The specified token is not valid.");
  const page = items.slice(start, start + max);
  return {
    InstanceInformationList: page.map((i) => ({
      InstanceId: i.InstanceId,
      PingStatus: "Online",
      LastPingDateTime: new Date(ctx.now),
      AgentVersion: "3.3.1142.0",
      IsLatestVersion: true,
      PlatformType: "Linux",
      PlatformName: "Amazon Linux",
      PlatformVersion: "2023",
      ResourceType: "EC2Instance",
      IPAddress: i.PrivateIpAddress,
      ComputerName: `ip-${i.PrivateIpAddress.replaceAll(".", "-")}.ec2.internal`,
      AssociationStatus: "Success",
    })),
    ...(start + max < items.length ? { NextToken: Buffer.from(String(start + max)).toString("base64url") } : {}),
  };
};

// ---------- Run Command ----------

const SendCommand: RecordOpHandler<"ssm", "SendCommand"> = (ctx) => {
  const doc = ctx.input.DocumentName;
  if (typeof doc !== "string" || !doc) throw awsError("ValidationException", "1 validation error detected: Value null at 'documentName' failed to satisfy constraint: Member must not be null");
  if (doc !== "AWS-RunShellScript") throw awsError("InvalidDocument", `Document ${doc} does not exist in your account (the sandbox emulates AWS-RunShellScript).`);
  if (ctx.input.Targets !== undefined) throw awsError("ValidationException", "The sandbox supports InstanceIds, not Targets");
  const ids: unknown = ctx.input.InstanceIds;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 50) throw awsError("ValidationException", "1 validation error detected: Value at 'instanceIds' failed to satisfy constraint: Member must have length between 1 and 50");
  const params = ctx.input.Parameters ?? {};
  const commands = params.commands;
  if (!Array.isArray(commands) || !commands.length || commands.some((c: unknown) => typeof c !== "string"))
    throw awsError("InvalidParameters", "Parameter \"commands\" is required and must be a list of strings for document AWS-RunShellScript.");
  const unknown = Object.keys(params).filter((k) => !["commands", "workingDirectory", "executionTimeout"].includes(k));
  if (unknown.length) throw awsError("InvalidParameters", `Unrecognized parameter ${unknown.join(", ")} for document AWS-RunShellScript.`);
  // the document's content with the parameters given at run time is at most 64 KB (AWS-RunShellScript: ~2 KB)
  const size = RUN_SHELL_SCRIPT_DOCUMENT_BYTES + Buffer.byteLength(JSON.stringify(params), "utf8");
  if (size > 65_536) throw awsError("InvalidParameters", `The document AWS-RunShellScript with its parameters is ${size} bytes; the size limit of a document, parameters included, is 64 KB.`);
  const online = new Set(registered(ctx).map((i) => i.InstanceId));
  const bad = (ids as string[]).filter((id) => !online.has(id));
  if (bad.length) throw awsError("InvalidInstanceId", `Instances [[${bad.join(", ")}]] not in a valid state for account ${ctx.accountId}`);
  const timeout = ctx.input.TimeoutSeconds ?? 3600;
  if (!Number.isInteger(timeout) || timeout < 30 || timeout > 2_592_000) throw awsError("ValidationException", "TimeoutSeconds must be between 30 and 2592000");
  const cmd: CommandRec = {
    CommandId: randomUUID(),
    DocumentName: doc,
    ...(ctx.input.Comment ? { Comment: String(ctx.input.Comment) } : {}),
    Parameters: structuredClone(params),
    InstanceIds: [...(ids as string[])],
    RequestedDateTime: new Date(ctx.now).toISOString(),
    TimeoutSeconds: timeout,
    invocations: {},
  };
  // the script runs now on the emulated host; its result shows once the command's time has passed
  for (const id of cmd.InstanceIds) {
    const host = instanceStore(ctx.rs)[id]._host;
    cmd.invocations[id] = { doneAt: ctx.now + scaled(ctx, COMMAND_MS), ...runScript(host, (commands as string[]).join("\n")) };
  }
  ssmStore(ctx.rs).commands[cmd.CommandId] = cmd;
  ctx.mutated();
  return { Command: commandView(ctx, cmd) };
};

function statusOf(ctx: OpContext, inv: CommandRec["invocations"][string]): string {
  if (ctx.now < inv.doneAt) return "InProgress";
  return inv.exitCode === 0 ? "Success" : "Failed";
}

function commandView(ctx: OpContext, c: CommandRec) {
  const statuses = Object.values(c.invocations).map((i) => statusOf(ctx, i));
  const status = statuses.includes("InProgress") ? "InProgress" : statuses.includes("Failed") ? "Failed" : "Success";
  return {
    CommandId: c.CommandId,
    DocumentName: c.DocumentName,
    DocumentVersion: "$DEFAULT",
    ...(c.Comment ? { Comment: c.Comment } : {}),
    Parameters: structuredClone(c.Parameters),
    InstanceIds: [...c.InstanceIds],
    RequestedDateTime: new Date(c.RequestedDateTime),
    Status: status,
    StatusDetails: status,
    TargetCount: c.InstanceIds.length,
    CompletedCount: statuses.filter((s) => s !== "InProgress").length,
    ErrorCount: statuses.filter((s) => s === "Failed").length,
    TimeoutSeconds: c.TimeoutSeconds,
  };
}

const GetCommandInvocation: RecordOpHandler<"ssm", "GetCommandInvocation"> = (ctx) => {
  const { CommandId, InstanceId } = ctx.input;
  if (typeof CommandId !== "string" || !/^[0-9a-f-]{36}$/.test(CommandId)) throw awsError("InvalidCommandId", "");
  if (typeof InstanceId !== "string" || !/^(i|mi)-[0-9a-f]{8,17}$/.test(InstanceId)) throw awsError("InvalidInstanceId", "");
  const c = ssmStore(ctx.rs).commands[CommandId];
  const inv = c?.invocations[InstanceId];
  if (!c || !inv) throw awsError("InvocationDoesNotExist", "");
  const status = statusOf(ctx, inv);
  const done = status !== "InProgress";
  return {
    CommandId,
    InstanceId,
    DocumentName: c.DocumentName,
    DocumentVersion: "$DEFAULT",
    PluginName: "aws:runShellScript",
    ResponseCode: done ? inv.exitCode : -1,
    Status: status,
    StatusDetails: status,
    StandardOutputContent: done ? inv.stdout.slice(0, 24_000) : "",
    StandardErrorContent: done ? inv.stderr.slice(0, 8_000) : "",
    ExecutionStartDateTime: c.RequestedDateTime,
    ...(done ? { ExecutionEndDateTime: new Date(inv.doneAt).toISOString() } : {}),
  };
};

export const ssmOps: Ops<"ssm"> = {
  GetParameter,
  GetParameters,
  DescribeInstanceInformation,
  SendCommand,
  GetCommandInvocation,
};
