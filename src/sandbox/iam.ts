// IAM emulation (account-wide, in state.ext.iam): roles, their attached managed policies and inline
// policies, and the AWS managed policies egress-cli uses. Documents are returned URL-encoded as IAM
// does. Errors: NoSuchEntity (404), EntityAlreadyExists (409), InvalidInput, MalformedPolicyDocument.
import { randomBytes } from "node:crypto";
import type { PolicyDocument } from "../aws/policy-eval.js";
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops } from "./handler.js";
import type { SandboxState } from "./model.js";

export interface RoleRec {
  RoleName: string;
  RoleId: string;
  Path: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  CreateDate: string;
  attached: string[];
  inline: Record<string, string>;
}

export interface IamState {
  roles: Record<string, RoleRec>;
}

const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** AWS managed policies the tool and the seeded examples use (documents as AWS publishes them, trimmed). */
export const MANAGED_POLICIES: Record<string, { name: string; path: string; document: string }> = {
  "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": {
    name: "AWSLambdaBasicExecutionRole",
    path: "/service-role/",
    document: doc({ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }),
  },
  "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole": {
    name: "AWSLambdaVPCAccessExecutionRole",
    path: "/service-role/",
    document: doc({
      Sid: "AWSLambdaVPCAccessExecutionPermissions",
      Effect: "Allow",
      Action: [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    }),
  },
  "arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole": {
    name: "AWSLambdaMSKExecutionRole",
    path: "/service-role/",
    document: doc({
      Effect: "Allow",
      Action: [
        "kafka:DescribeCluster",
        "kafka:DescribeClusterV2",
        "kafka:GetBootstrapBrokers",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
      ],
      Resource: "*",
    }),
  },
  "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore": {
    name: "AmazonSSMManagedInstanceCore",
    path: "/",
    document: doc({ Effect: "Allow", Action: ["ssm:UpdateInstanceInformation", "ssmmessages:*", "ec2messages:*"], Resource: "*" }),
  },
};

export function iamState(state: SandboxState): IamState {
  return (state.ext.iam ??= { roles: {} }) as IamState;
}

function roleId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let s = "AROA";
  for (const b of randomBytes(17)) s += alphabet[b % alphabet.length];
  return s;
}

const roleArn = (ctx: { accountId: string }, r: RoleRec) => `arn:aws:iam::${ctx.accountId}:role${r.Path}${r.RoleName}`;

export function roleView(ctx: { accountId: string }, r: RoleRec) {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: roleArn(ctx, r),
    CreateDate: new Date(r.CreateDate),
    AssumeRolePolicyDocument: encodeURIComponent(r.AssumeRolePolicyDocument),
    ...(r.Description ? { Description: r.Description } : {}),
    MaxSessionDuration: 3600,
  };
}

function getRole(ctx: OpContext): RoleRec {
  const name = ctx.input.RoleName;
  if (typeof name !== "string" || !name) throw awsError("ValidationError", "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null");
  const r = iamState(ctx.state).roles[name];
  if (!r) throw awsError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404);
  return r;
}

function checkPolicyDocument(text: unknown): string {
  if (typeof text !== "string") throw awsError("MalformedPolicyDocument", "Syntax errors in policy.");
  try {
    const d = JSON.parse(text);
    if (!d || typeof d !== "object" || d.Statement === undefined) throw new Error("no statement");
  } catch {
    throw awsError("MalformedPolicyDocument", "Syntax errors in policy.");
  }
  return text;
}

/** Creates a role directly in the state (seeding and tests). */
export function putRole(state: SandboxState, name: string, opts: { trust?: string; attached?: string[]; inline?: Record<string, string>; description?: string } = {}): RoleRec {
  const r: RoleRec = {
    RoleName: name,
    RoleId: roleId(),
    Path: "/service-role/",
    AssumeRolePolicyDocument: opts.trust ?? doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }),
    ...(opts.description ? { Description: opts.description } : {}),
    CreateDate: new Date().toISOString(),
    attached: opts.attached ?? [],
    inline: opts.inline ?? {},
  };
  iamState(state).roles[name] = r;
  return r;
}

/** Every policy document in force for a role (attached managed + inline), parsed. */
export function roleDocuments(state: SandboxState, roleName: string): PolicyDocument[] {
  const r = iamState(state).roles[roleName];
  if (!r) return [];
  const out: PolicyDocument[] = [];
  for (const arn of r.attached) {
    const m = MANAGED_POLICIES[arn];
    if (m) out.push(JSON.parse(m.document));
  }
  for (const d of Object.values(r.inline)) out.push(JSON.parse(d));
  return out;
}

const CreateRole: OpHandler<"iam", "CreateRole"> = (ctx) => {
  const name = ctx.input.RoleName;
  if (typeof name !== "string" || !/^[\w+=,.@-]{1,64}$/.test(name)) throw awsError("ValidationError", `Invalid role name ${String(name)}`);
  if (iamState(ctx.state).roles[name]) throw awsError("EntityAlreadyExists", `Role with name ${name} already exists.`, 409);
  const trust = checkPolicyDocument(ctx.input.AssumeRolePolicyDocument);
  const r = putRole(ctx.state, name, { trust, description: ctx.input.Description });
  r.Path = ctx.input.Path ?? "/";
  ctx.mutated();
  return { Role: roleView(ctx, r) };
};

const GetRole: OpHandler<"iam", "GetRole"> = (ctx) => ({ Role: roleView(ctx, getRole(ctx)) });

const ListAttachedRolePolicies: OpHandler<"iam", "ListAttachedRolePolicies"> = (ctx) => {
  const r = getRole(ctx);
  return {
    AttachedPolicies: r.attached.map((arn) => ({ PolicyArn: arn, PolicyName: MANAGED_POLICIES[arn]?.name ?? arn.split("/").pop() })),
    IsTruncated: false,
  };
};

function policyArnParam(ctx: OpContext): string {
  const arn = ctx.input.PolicyArn;
  if (typeof arn !== "string" || !/^arn:aws:iam::(aws|\d{12}):policy\/.+/.test(arn)) throw awsError("InvalidInput", `ARN ${String(arn)} is not valid.`);
  return arn;
}

const AttachRolePolicy: OpHandler<"iam", "AttachRolePolicy"> = (ctx) => {
  const r = getRole(ctx);
  const arn = policyArnParam(ctx);
  if (!MANAGED_POLICIES[arn]) throw awsError("NoSuchEntity", `Policy ${arn} does not exist or is not attachable.`, 404);
  if (r.attached.includes(arn)) return {}; // attaching twice is a no-op in IAM
  if (r.attached.length >= 10) throw awsError("LimitExceeded", `Cannot exceed quota for PoliciesPerRole: 10`, 409);
  r.attached.push(arn);
  ctx.mutated();
  return {};
};

const DetachRolePolicy: OpHandler<"iam", "DetachRolePolicy"> = (ctx) => {
  const r = getRole(ctx);
  const arn = policyArnParam(ctx);
  if (!r.attached.includes(arn)) throw awsError("NoSuchEntity", `Policy ${arn} was not found.`, 404);
  r.attached = r.attached.filter((a) => a !== arn);
  ctx.mutated();
  return {};
};

const ListRolePolicies: OpHandler<"iam", "ListRolePolicies"> = (ctx) => ({ PolicyNames: Object.keys(getRole(ctx).inline).sort(), IsTruncated: false });

const GetRolePolicy: OpHandler<"iam", "GetRolePolicy"> = (ctx) => {
  const r = getRole(ctx);
  const name = ctx.input.PolicyName ?? "";
  const d = r.inline[name];
  if (d === undefined) throw awsError("NoSuchEntity", `The role policy with name ${name} cannot be found.`, 404);
  return { RoleName: r.RoleName, PolicyName: name, PolicyDocument: encodeURIComponent(d) };
};

const PutRolePolicy: OpHandler<"iam", "PutRolePolicy"> = (ctx) => {
  const r = getRole(ctx);
  const name = ctx.input.PolicyName;
  if (typeof name !== "string" || !name) throw awsError("ValidationError", "PolicyName is required");
  r.inline[name] = checkPolicyDocument(ctx.input.PolicyDocument);
  ctx.mutated();
  return {};
};

const DeleteRolePolicy: OpHandler<"iam", "DeleteRolePolicy"> = (ctx) => {
  const r = getRole(ctx);
  const name = ctx.input.PolicyName ?? "";
  if (r.inline[name] === undefined) throw awsError("NoSuchEntity", `The role policy with name ${name} cannot be found.`, 404);
  delete r.inline[name];
  ctx.mutated();
  return {};
};

const GetPolicy: OpHandler<"iam", "GetPolicy"> = (ctx) => {
  const arn = policyArnParam(ctx);
  const m = MANAGED_POLICIES[arn];
  if (!m) throw awsError("NoSuchEntity", `Policy ${arn} was not found.`, 404);
  return { Policy: { PolicyName: m.name, Arn: arn, Path: m.path, DefaultVersionId: "v1", IsAttachable: true, AttachmentCount: 0 } };
};

const GetPolicyVersion: OpHandler<"iam", "GetPolicyVersion"> = (ctx) => {
  const arn = policyArnParam(ctx);
  const m = MANAGED_POLICIES[arn];
  if (!m || (ctx.input.VersionId ?? "v1") !== "v1") throw awsError("NoSuchEntity", `Policy ${arn} version ${ctx.input.VersionId} does not exist or is not attachable.`, 404);
  return { PolicyVersion: { Document: encodeURIComponent(m.document), VersionId: "v1", IsDefaultVersion: true } };
};

/** CreateRole and GetRole without tags: iam-roles.ts registers them, adding tags (one handler per operation). */
export { CreateRole as createRoleUntagged, GetRole as getRoleUntagged };

export const iamOps: Ops<"iam"> = {
  ListAttachedRolePolicies,
  AttachRolePolicy,
  DetachRolePolicy,
  ListRolePolicies,
  GetRolePolicy,
  PutRolePolicy,
  DeleteRolePolicy,
  GetPolicy,
  GetPolicyVersion,
};
