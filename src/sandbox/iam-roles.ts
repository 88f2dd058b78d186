// IAM roles, the parts the iam-role kind needs beyond src/sandbox/iam.ts: tags at CreateRole (as
// IAM validates them: at most 50, keys 1-128 chars, unique), GetRole returning them, ListRoles by
// PathPrefix (which, as on AWS, returns no tags) and ListRoleTags.
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler } from "./handler.js";
import { createRoleUntagged, getRoleUntagged, iamState, type RoleRec } from "./iam.js";
import { registerGlobalInventory } from "./inventory.js";

type Tag = { Key: string; Value: string };
type TaggedRole = RoleRec & { Tags?: Tag[] };

function checkTags(tags: unknown): Tag[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw awsError("ValidationError", "Tags must be a list");
  if (tags.length > 50) throw awsError("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50", 409);
  const seen = new Set<string>();
  return tags.map((t) => {
    const k = t?.Key;
    if (typeof k !== "string" || k.length < 1 || k.length > 128) throw awsError("ValidationError", `Invalid tag key ${String(k)}`);
    if (typeof t.Value !== "string" || t.Value.length > 256) throw awsError("ValidationError", `Invalid tag value for ${k}`);
    if (seen.has(k)) throw awsError("InvalidInput", `Duplicate tag keys found: ${k}`);
    seen.add(k);
    return { Key: k, Value: t.Value };
  });
}

const role = (ctx: OpContext): TaggedRole => {
  const r = iamState(ctx.state).roles[ctx.input.RoleName];
  if (!r) throw awsError("NoSuchEntity", `The role with name ${ctx.input.RoleName} cannot be found.`, 404);
  return r as TaggedRole;
};

const CreateRole: RecordOpHandler<"iam", "CreateRole"> = (ctx) => {
  const tags = checkTags(ctx.input.Tags);
  const out = createRoleUntagged(ctx);
  const r = role(ctx);
  r.Tags = tags;
  return { Role: { ...out.Role!, ...(tags.length ? { Tags: tags } : {}) } };
};

const GetRole: RecordOpHandler<"iam", "GetRole"> = (ctx) => {
  const out = getRoleUntagged(ctx);
  const tags = role(ctx).Tags ?? [];
  return { Role: { ...out.Role!, ...(tags.length ? { Tags: tags } : {}) } };
};

const ListRoles: RecordOpHandler<"iam", "ListRoles"> = (ctx) => {
  const prefix = ctx.input.PathPrefix ?? "/";
  if (typeof prefix !== "string" || !prefix.startsWith("/")) throw awsError("ValidationError", "PathPrefix must begin with /");
  const names = Object.keys(iamState(ctx.state).roles).sort();
  const start = ctx.input.Marker ? Number(ctx.input.Marker) : 0;
  const max = Math.min(Number(ctx.input.MaxItems ?? 100), 1000);
  const matching = names.filter((n) => iamState(ctx.state).roles[n].Path.startsWith(prefix));
  const page = matching.slice(start, start + max);
  // ListRoles returns no Tags (IAM's list calls return a subset of the attributes).
  const Roles = page.map((n) => {
    const { Role } = getRoleUntagged({ ...ctx, input: { RoleName: n } });
    return Role!; // the untagged handlers always answer a Role (the SDK types it optional)
  });
  const more = start + max < matching.length;
  return { Roles, IsTruncated: more, ...(more ? { Marker: String(start + max) } : {}) };
};

const ListRoleTags: OpHandler<"iam", "ListRoleTags"> = (ctx) => ({ Tags: role(ctx).Tags ?? [], IsTruncated: false });


export const iamRoleOps: Ops<"iam"> = { CreateRole, GetRole, ListRoles, ListRoleTags };

// `sandbox show`: IAM roles (account-wide) with their managed policies.
registerGlobalInventory("iamRoles", (state) =>
  Object.values(((state.ext.iam as { roles?: Record<string, TaggedRole> } | undefined)?.roles ?? {})).map((r) => ({
    id: r.RoleName,
    detail: `path ${r.Path}; policies ${r.attached.map((a) => a.split("/").pop()).join(", ") || "none"}${Object.keys(r.inline).length ? `; inline ${Object.keys(r.inline).join(", ")}` : ""}`,
  })),
);
