// IAM instance profiles (account-wide, in state.ext.iamInstanceProfiles) and DeleteRole with IAM's
// DeleteConflict checks. A profile is "propagating" for a while after it is created or gets its role:
// RunInstances refuses it meanwhile with InvalidParameterValue "Invalid IAM Instance Profile name",
// as AWS does (IAM is eventually consistent; the EC2 User Guide says to retry).
import { randomBytes } from "node:crypto";
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops } from "./handler.js";
import type { SandboxState, Tag } from "./model.js";
import { iamState, roleView } from "./iam.js";
import { byText } from "../order.js";
import { registerGlobalInventory } from "./inventory.js";

export interface InstanceProfileRec {
  InstanceProfileName: string;
  InstanceProfileId: string;
  Path: string;
  CreateDate: string;
  Roles: string[];
  Tags: Tag[];
  /** RunInstances sees the profile (with its current role) from this instant on. */
  _readyAt: number;
}

/** How long a new profile (or a role just added to one) takes to reach EC2; scaled like the NAT timing. */
export const PROFILE_PROPAGATION_MS = 8_000;
const NAT_CREATE_MS = 90_000;

export function profileStore(state: SandboxState): Record<string, InstanceProfileRec> {
  return (state.ext.iamInstanceProfiles ??= {}) as Record<string, InstanceProfileRec>;
}

export const profileArn = (accountId: string, p: InstanceProfileRec) => `arn:aws:iam::${accountId}:instance-profile${p.Path}${p.InstanceProfileName}`;

function propagationMs(ctx: OpContext): number {
  return (PROFILE_PROPAGATION_MS * ctx.timing.natCreateMs) / NAT_CREATE_MS + ctx.timing.consistencyDelayMs;
}

function uniqueId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let s = prefix;
  for (const b of randomBytes(17)) s += alphabet[b % alphabet.length];
  return s;
}

const NAME = /^[\w+=,.@-]{1,128}$/;

function nameParam(ctx: OpContext, field = "InstanceProfileName"): string {
  const v = ctx.input[field];
  if (v === undefined || v === null || v === "")
    throw awsError("ValidationError", `1 validation error detected: Value null at '${field[0].toLowerCase() + field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  if (typeof v !== "string" || !NAME.test(v))
    throw awsError("ValidationError", `1 validation error detected: Value '${String(v)}' at '${field[0].toLowerCase() + field.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
  return v;
}

function getProfile(ctx: OpContext): InstanceProfileRec {
  const name = nameParam(ctx);
  const p = profileStore(ctx.state)[name];
  if (!p) throw awsError("NoSuchEntity", `Instance Profile ${name} cannot be found.`, 404);
  return p;
}

function getRoleNamed(ctx: OpContext) {
  const name = nameParam(ctx, "RoleName");
  const r = iamState(ctx.state).roles[name];
  if (!r) throw awsError("NoSuchEntity", `The role with name ${name} cannot be found.`, 404);
  return r;
}

function checkTags(tags: unknown): Tag[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw awsError("ValidationError", "Tags must be a list");
  if (tags.length > 50) throw awsError("LimitExceeded", "Cannot exceed quota for TagsPerInstanceProfile: 50", 409);
  return tags.map((t: { Key?: unknown; Value?: unknown } | undefined) => {
    if (typeof t?.Key !== "string" || !t.Key || t.Key.length > 128) throw awsError("ValidationError", `Invalid tag key '${t?.Key ?? ""}'`);
    if (typeof t?.Value !== "string" || t.Value.length > 256) throw awsError("ValidationError", `Invalid tag value for '${t.Key}'`);
    return { Key: t.Key, Value: t.Value };
  });
}

export function profileView(ctx: OpContext, p: InstanceProfileRec) {
  const roles = iamState(ctx.state).roles;
  return {
    Path: p.Path,
    InstanceProfileName: p.InstanceProfileName,
    InstanceProfileId: p.InstanceProfileId,
    Arn: profileArn(ctx.accountId, p),
    CreateDate: new Date(p.CreateDate),
    Roles: p.Roles.filter((r) => roles[r]).map((r) => roleView(ctx, roles[r])),
    ...(p.Tags.length ? { Tags: p.Tags.map((t) => ({ ...t })) } : {}),
  };
}

/**
 * What RunInstances sees of IamInstanceProfile {Arn|Name}: the profile once propagated, else the
 * error AWS gives (the caller retries on it).
 */
export function profileForLaunch(ctx: OpContext, spec: { Arn?: string; Name?: string }): InstanceProfileRec {
  const store = profileStore(ctx.state);
  let p: InstanceProfileRec | undefined;
  if (spec.Arn !== undefined) {
    p = Object.values(store).find((x) => profileArn(ctx.accountId, x) === spec.Arn);
    if (!p || ctx.now < p._readyAt) throw awsError("InvalidParameterValue", `Value (${spec.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
  } else {
    p = spec.Name !== undefined ? store[spec.Name] : undefined;
    if (!p || ctx.now < p._readyAt) throw awsError("InvalidParameterValue", `Value (${spec.Name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
  }
  return p;
}

const CreateInstanceProfile: OpHandler<"iam", "CreateInstanceProfile"> = (ctx) => {
  const name = nameParam(ctx);
  const path = ctx.input.Path ?? "/";
  if (typeof path !== "string" || !/^\/([\x21-\x7e]{0,510}\/)?$/.test(path)) throw awsError("ValidationError", `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`);
  const tags = checkTags(ctx.input.Tags);
  const store = profileStore(ctx.state);
  if (store[name]) throw awsError("EntityAlreadyExists", `Instance Profile ${name} already exists.`, 409);
  const p: InstanceProfileRec = {
    InstanceProfileName: name,
    InstanceProfileId: uniqueId("AIPA"),
    Path: path,
    CreateDate: new Date(ctx.now).toISOString(),
    Roles: [],
    Tags: tags,
    _readyAt: ctx.now + propagationMs(ctx),
  };
  store[name] = p;
  ctx.mutated();
  return { InstanceProfile: profileView(ctx, p) };
};

const GetInstanceProfile: OpHandler<"iam", "GetInstanceProfile"> = (ctx) => ({ InstanceProfile: profileView(ctx, getProfile(ctx)) });

const DeleteInstanceProfile: OpHandler<"iam", "DeleteInstanceProfile"> = (ctx) => {
  const p = getProfile(ctx);
  if (p.Roles.length) throw awsError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409);
  delete profileStore(ctx.state)[p.InstanceProfileName];
  ctx.mutated();
  return {};
};

const AddRoleToInstanceProfile: OpHandler<"iam", "AddRoleToInstanceProfile"> = (ctx) => {
  const p = getProfile(ctx);
  const r = getRoleNamed(ctx);
  if (p.Roles.length >= 1) throw awsError("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409);
  p.Roles.push(r.RoleName);
  p._readyAt = Math.max(p._readyAt, ctx.now + propagationMs(ctx));
  ctx.mutated();
  return {};
};

const RemoveRoleFromInstanceProfile: OpHandler<"iam", "RemoveRoleFromInstanceProfile"> = (ctx) => {
  const p = getProfile(ctx);
  const r = getRoleNamed(ctx);
  if (!p.Roles.includes(r.RoleName)) throw awsError("NoSuchEntity", `The role with name ${r.RoleName} cannot be found in instance profile ${p.InstanceProfileName}.`, 404);
  p.Roles = p.Roles.filter((x) => x !== r.RoleName);
  ctx.mutated();
  return {};
};

function page<T>(ctx: OpContext, items: T[]): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = ctx.input.MaxItems ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw awsError("ValidationError", `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  const start = ctx.input.Marker !== undefined ? Number(Buffer.from(String(ctx.input.Marker), "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw awsError("ValidationError", "Invalid Marker");
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: slice, IsTruncated: more, ...(more ? { Marker: Buffer.from(String(start + max)).toString("base64url") } : {}) };
}

const ListInstanceProfiles: OpHandler<"iam", "ListInstanceProfiles"> = (ctx) => {
  const prefix = ctx.input.PathPrefix ?? "/";
  const all = Object.values(profileStore(ctx.state)).filter((p) => p.Path.startsWith(prefix)).sort((a, b) => byText(a.InstanceProfileName, b.InstanceProfileName));
  const { items, ...rest } = page(ctx, all);
  return { InstanceProfiles: items.map((p) => profileView(ctx, p)), ...rest };
};

const ListInstanceProfilesForRole: OpHandler<"iam", "ListInstanceProfilesForRole"> = (ctx) => {
  const r = getRoleNamed(ctx);
  const all = Object.values(profileStore(ctx.state)).filter((p) => p.Roles.includes(r.RoleName)).sort((a, b) => byText(a.InstanceProfileName, b.InstanceProfileName));
  const { items, ...rest } = page(ctx, all);
  return { InstanceProfiles: items.map((p) => profileView(ctx, p)), ...rest };
};

const TagInstanceProfile: OpHandler<"iam", "TagInstanceProfile"> = (ctx) => {
  const p = getProfile(ctx);
  const add = checkTags(ctx.input.Tags);
  const out = p.Tags.filter((t) => !add.some((a) => a.Key === t.Key)).concat(add);
  if (out.length > 50) throw awsError("LimitExceeded", "Cannot exceed quota for TagsPerInstanceProfile: 50", 409);
  p.Tags = out;
  ctx.mutated();
  return {};
};

const UntagInstanceProfile: OpHandler<"iam", "UntagInstanceProfile"> = (ctx) => {
  const p = getProfile(ctx);
  const keys: unknown = ctx.input.TagKeys;
  if (!Array.isArray(keys)) throw awsError("ValidationError", "TagKeys is required");
  p.Tags = p.Tags.filter((t) => !keys.includes(t.Key));
  ctx.mutated();
  return {};
};

const ListInstanceProfileTags: OpHandler<"iam", "ListInstanceProfileTags"> = (ctx) => ({ Tags: getProfile(ctx).Tags.map((t) => ({ ...t })), IsTruncated: false });

/** DeleteRole: refused while the role has policies or sits in an instance profile, like IAM. */
const DeleteRole: OpHandler<"iam", "DeleteRole"> = (ctx) => {
  const r = getRoleNamed(ctx);
  if (r.attached.length) throw awsError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409);
  if (Object.keys(r.inline).length) throw awsError("DeleteConflict", "Cannot delete entity, must delete policies first.", 409);
  if (Object.values(profileStore(ctx.state)).some((p) => p.Roles.includes(r.RoleName)))
    throw awsError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.", 409);
  delete iamState(ctx.state).roles[r.RoleName];
  ctx.mutated();
  return {};
};

export const instanceProfileOps: Ops<"iam"> = {
  CreateInstanceProfile,
  GetInstanceProfile,
  DeleteInstanceProfile,
  AddRoleToInstanceProfile,
  RemoveRoleFromInstanceProfile,
  ListInstanceProfiles,
  ListInstanceProfilesForRole,
  TagInstanceProfile,
  UntagInstanceProfile,
  ListInstanceProfileTags,
  DeleteRole,
};

// `sandbox show`: instance profiles (account-wide).
registerGlobalInventory("instanceProfiles", (state) =>
  Object.values((state.ext.iamInstanceProfiles ?? {}) as Record<string, InstanceProfileRec>).map((p) => ({
    id: p.InstanceProfileName,
    detail: `path ${p.Path}; role ${p.Roles.join(", ") || "none"}`,
  })),
);
