// AWS RAM in the sandbox (service key "ram", per region in rs.ext.ram): resource shares of the resources
// this sandbox can share (VPC Lattice resource configurations, subnets) with account ids, organization
// and OU ARNs. Create/Get/Associate/Disassociate/Delete with RAM's validation and errors
// (InvalidParameterException, MalformedArnException, UnknownResourceException, IdempotentParameterMismatchException,
// OperationNotPermittedException). RAM's JSON is camelCase. Deviation: no AWS Organizations, so OU and
// organization principals are accepted by ARN shape and associate as ASSOCIATED like account ids; an
// association of another account's principal never needs acceptance (as within an organization).
import { randomUUID } from "node:crypto";
import { awsError } from "./errors.js";
import type { OpContext, OpHandler, Ops, RecordOpHandler } from "./handler.js";
import type { RegionState } from "./model.js";
import { latticeStore } from "./lattice.js";
import { fingerprint } from "./query.js";
import { registerInventory } from "./inventory.js";

export interface AssociationRec {
  associatedEntity: string;
  associationType: "PRINCIPAL" | "RESOURCE";
  status: "ASSOCIATING" | "ASSOCIATED" | "DISASSOCIATING" | "DISASSOCIATED";
  external: boolean;
  creationTime: number;
  lastUpdatedTime: number;
}

export interface ResourceShareRec {
  resourceShareArn: string;
  name: string;
  allowExternalPrincipals: boolean;
  status: "ACTIVE" | "DELETED";
  tags: Array<{ key: string; value: string }>;
  creationTime: number;
  lastUpdatedTime: number;
  associations: AssociationRec[];
}

export interface RamStore {
  shares: Record<string, ResourceShareRec>;
  clientTokens: Record<string, { fingerprint: string; arn: string }>;
}

export function ramStore(rs: RegionState): RamStore {
  // Every key filled in (see latticeStore: a read may create the store unpersisted).
  const s = (rs.ext.ram ??= { shares: {}, clientTokens: {} }) as Partial<RamStore>;
  s.shares ??= {};
  s.clientTokens ??= {};
  return s as RamStore;
}

const invalid = (m: string) => awsError("InvalidParameterException", m);

const ACCOUNT = /^\d{12}$/;
const ORG = /^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const OU = /^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const IAM_PRINCIPAL = /^arn:aws:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/** Account, organization, OU or IAM role/user; returns the account it belongs to (undefined: organization-wide). */
function checkPrincipal(p: unknown): string | undefined {
  if (typeof p !== "string" || !p) throw invalid("The principal must be a non-empty string.");
  if (ACCOUNT.test(p)) return p;
  if (ORG.test(p) || OU.test(p)) return undefined;
  if (IAM_PRINCIPAL.test(p)) return p.split(":")[4];
  if (p.startsWith("arn:")) throw awsError("MalformedArnException", `The specified ARN ${p} is not valid.`);
  throw invalid(`Principal ID ${p} is malformed. Verify the ID and try again.`);
}

function checkResource(ctx: OpContext, arn: unknown): string {
  if (typeof arn !== "string") throw awsError("MalformedArnException", "The specified resource ARN is not valid.");
  const m = /^arn:aws:([a-z0-9-]+):([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) throw awsError("MalformedArnException", `The specified resource ARN ${arn} is not valid. Verify the ARN and try again.`);
  const [, service, region, account, type, id] = m;
  if (region !== ctx.region || account !== ctx.accountId) throw awsError("UnknownResourceException", `The resource ${arn} does not exist or is not in this account and Region.`);
  const exists =
    service === "vpc-lattice" && type === "resourceconfiguration"
      ? Object.values(latticeStore(ctx.rs).configurations).some((c) => c.arn === arn || c.id === id)
      : service === "ec2" && type === "subnet"
        ? !!ctx.rs.subnets[id]
        : undefined;
  if (exists === undefined) throw awsError("InvalidParameterException", `The resource type of ${arn} cannot be shared by the sandbox (resource configurations and subnets).`);
  if (!exists) throw awsError("UnknownResourceException", `The resource ${arn} does not exist.`);
  return arn;
}

function list(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalid(`${field} must be a list.`);
  return v as string[];
}

function checkTags(v: unknown): ResourceShareRec["tags"] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalid("tags must be a list.");
  if (v.length > 50) throw awsError("TagLimitExceededException", "The number of tags exceeds the limit of 50.");
  return v.map((t: { key?: unknown; value?: unknown } | undefined) => {
    if (typeof t?.key !== "string" || !t.key || t.key.length > 128) throw invalid(`Invalid tag key ${String(t?.key)}.`);
    if (t.key.toLowerCase().startsWith("aws:")) throw awsError("TagPolicyViolationException", "Tag keys starting with aws: are reserved.");
    return { key: t.key, value: typeof t.value === "string" ? t.value : "" };
  });
}

function shareView(ctx: OpContext, s: ResourceShareRec) {
  return {
    resourceShareArn: s.resourceShareArn,
    name: s.name,
    owningAccountId: ctx.accountId,
    allowExternalPrincipals: s.allowExternalPrincipals,
    status: s.status,
    tags: s.tags.map((t) => ({ ...t })),
    creationTime: new Date(s.creationTime),
    lastUpdatedTime: new Date(s.lastUpdatedTime),
    featureSet: "STANDARD",
  };
}

function assocView(ctx: OpContext, s: ResourceShareRec, a: AssociationRec) {
  return {
    resourceShareArn: s.resourceShareArn,
    resourceShareName: s.name,
    associatedEntity: a.associatedEntity,
    associationType: a.associationType,
    status: a.status,
    creationTime: new Date(a.creationTime),
    lastUpdatedTime: new Date(a.lastUpdatedTime),
    external: a.external,
  };
}

function getShare(ctx: OpContext, arn: unknown): ResourceShareRec {
  if (typeof arn !== "string" || !arn) throw invalid("resourceShareArn is required.");
  if (!/^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share\/[0-9a-f-]{36}$/.test(arn)) throw awsError("MalformedArnException", `The specified resource share ARN ${arn} is not valid.`);
  const s = ramStore(ctx.rs).shares[arn];
  if (!s) throw awsError("UnknownResourceException", `The resource share ${arn} does not exist.`);
  return s;
}

/** Checks every principal and resource before any change; returns the new associations. */
function associations(ctx: OpContext, allowExternal: boolean, principals: string[], resources: string[]): AssociationRec[] {
  const out: AssociationRec[] = [];
  for (const p of principals) {
    const account = checkPrincipal(p);
    if (account === ctx.accountId && ACCOUNT.test(p)) throw invalid("The resource share owner's own account cannot be a principal.");
    const external = account !== undefined && account !== ctx.accountId;
    if (external && !allowExternal)
      throw awsError("OperationNotPermittedException", `The resource share does not allow external principals; ${p} is outside your organization.`);
    out.push({ associatedEntity: p, associationType: "PRINCIPAL", status: "ASSOCIATED", external, creationTime: ctx.now, lastUpdatedTime: ctx.now });
  }
  for (const r of resources) out.push({ associatedEntity: checkResource(ctx, r), associationType: "RESOURCE", status: "ASSOCIATED", external: false, creationTime: ctx.now, lastUpdatedTime: ctx.now });
  return out;
}

function idempotent(ctx: OpContext, op: string): { key?: string; prior?: ResourceShareRec; fp: string } {
  const token = ctx.input.clientToken;
  const fp = fingerprint(ctx.input);
  if (token === undefined) return { fp };
  if (typeof token !== "string" || !token || token.length > 64) throw awsError("InvalidClientTokenException", "The client token is not valid.");
  const key = `${op}:${token}`;
  const t = ramStore(ctx.rs).clientTokens[key];
  if (t && t.fingerprint !== fp) throw awsError("IdempotentParameterMismatchException", `The client token ${token} was already used with different parameters.`);
  return { key, fp, ...(t ? { prior: ramStore(ctx.rs).shares[t.arn] } : {}) };
}

const CreateResourceShare: RecordOpHandler<"ram", "CreateResourceShare"> = (ctx) => {
  const name = ctx.input.name;
  if (typeof name !== "string" || !name || name.length > 255) throw invalid("The name parameter is required (1-255 characters).");
  const { key, fp, prior } = idempotent(ctx, "CreateResourceShare");
  if (prior) return { resourceShare: shareView(ctx, prior), clientToken: ctx.input.clientToken };
  const allowExternal = ctx.input.allowExternalPrincipals ?? true;
  const tags = checkTags(ctx.input.tags);
  const assocs = associations(ctx, allowExternal, list(ctx.input.principals, "principals"), list(ctx.input.resourceArns, "resourceArns"));
  if (ctx.input.permissionArns !== undefined) throw invalid("The sandbox uses each resource type's default permission (no permissionArns).");
  const arn = `arn:aws:ram:${ctx.region}:${ctx.accountId}:resource-share/${randomUUID()}`;
  const s: ResourceShareRec = { resourceShareArn: arn, name, allowExternalPrincipals: allowExternal, status: "ACTIVE", tags, creationTime: ctx.now, lastUpdatedTime: ctx.now, associations: assocs };
  ramStore(ctx.rs).shares[arn] = s;
  if (key) ramStore(ctx.rs).clientTokens[key] = { fingerprint: fp, arn };
  ctx.mutated();
  return { resourceShare: shareView(ctx, s), ...(ctx.input.clientToken ? { clientToken: ctx.input.clientToken } : {}) };
};

const GetResourceShares: OpHandler<"ram", "GetResourceShares"> = (ctx) => {
  const owner = ctx.input.resourceOwner;
  if (owner !== "SELF" && owner !== "OTHER-ACCOUNTS") throw invalid("resourceOwner must be SELF or OTHER-ACCOUNTS.");
  if (owner === "OTHER-ACCOUNTS") return { resourceShares: [] };
  let items = Object.values(ramStore(ctx.rs).shares);
  const arns = list(ctx.input.resourceShareArns, "resourceShareArns");
  if (arns.length) items = items.filter((s) => arns.includes(s.resourceShareArn));
  if (ctx.input.resourceShareStatus) items = items.filter((s) => s.status === ctx.input.resourceShareStatus);
  if (ctx.input.name) items = items.filter((s) => s.name === ctx.input.name);
  for (const f of ctx.input.tagFilters ?? []) items = items.filter((s) => s.tags.some((t) => t.key === f.tagKey && (!f.tagValues?.length || f.tagValues.includes(t.value))));
  return page(ctx, items, "resourceShares", (s) => shareView(ctx, s));
};

function page<T>(ctx: OpContext, items: T[], key: string, view: (t: T) => unknown) {
  const max = ctx.input.maxResults ?? 500;
  if (!Number.isInteger(max) || max < 1 || max > 500) throw invalid("maxResults must be between 1 and 500.");
  const start = ctx.input.nextToken ? Number(Buffer.from(ctx.input.nextToken, "base64url").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw awsError("InvalidNextTokenException", "The specified value for NextToken is not valid.");
  const slice = items.slice(start, start + max);
  return { [key]: slice.map(view), ...(start + max < items.length ? { nextToken: Buffer.from(String(start + max)).toString("base64url") } : {}) };
}

const GetResourceShareAssociations: OpHandler<"ram", "GetResourceShareAssociations"> = (ctx) => {
  const type = ctx.input.associationType;
  if (type !== "PRINCIPAL" && type !== "RESOURCE") throw invalid("associationType must be PRINCIPAL or RESOURCE.");
  if (type === "PRINCIPAL" && ctx.input.resourceArn !== undefined) throw invalid("resourceArn can be used only with associationType RESOURCE.");
  if (type === "RESOURCE" && ctx.input.principal !== undefined) throw invalid("principal can be used only with associationType PRINCIPAL.");
  const arns = list(ctx.input.resourceShareArns, "resourceShareArns");
  const rows: Array<[ResourceShareRec, AssociationRec]> = [];
  for (const s of Object.values(ramStore(ctx.rs).shares)) {
    if (arns.length && !arns.includes(s.resourceShareArn)) continue;
    for (const a of s.associations) {
      if (a.associationType !== type) continue;
      if (ctx.input.resourceArn && a.associatedEntity !== ctx.input.resourceArn) continue;
      if (ctx.input.principal && a.associatedEntity !== ctx.input.principal) continue;
      if (ctx.input.associationStatus && a.status !== ctx.input.associationStatus) continue;
      rows.push([s, a]);
    }
  }
  return page(ctx, rows, "resourceShareAssociations", ([s, a]) => assocView(ctx, s, a));
};

const AssociateResourceShare: OpHandler<"ram", "AssociateResourceShare"> = (ctx) => {
  const s = getShare(ctx, ctx.input.resourceShareArn);
  if (s.status !== "ACTIVE") throw awsError("InvalidStateTransitionException", `The resource share ${s.resourceShareArn} is ${s.status}.`);
  const principals = list(ctx.input.principals, "principals");
  const resources = list(ctx.input.resourceArns, "resourceArns");
  if (!principals.length && !resources.length) throw invalid("Specify principals or resourceArns.");
  const fresh = associations(ctx, s.allowExternalPrincipals, principals, resources);
  const out: AssociationRec[] = [];
  for (const a of fresh) {
    const existing = s.associations.find((x) => x.associatedEntity === a.associatedEntity && x.associationType === a.associationType);
    if (existing) {
      if (existing.status !== "ASSOCIATED") Object.assign(existing, { status: "ASSOCIATED", lastUpdatedTime: ctx.now });
      out.push(existing);
    } else {
      s.associations.push(a);
      out.push(a);
    }
  }
  s.lastUpdatedTime = ctx.now;
  ctx.mutated();
  return { resourceShareAssociations: out.map((a) => assocView(ctx, s, a)), ...(ctx.input.clientToken ? { clientToken: ctx.input.clientToken } : {}) };
};

const DisassociateResourceShare: OpHandler<"ram", "DisassociateResourceShare"> = (ctx) => {
  const s = getShare(ctx, ctx.input.resourceShareArn);
  const entities = [...list(ctx.input.principals, "principals"), ...list(ctx.input.resourceArns, "resourceArns")];
  if (!entities.length) throw invalid("Specify principals or resourceArns.");
  const out: AssociationRec[] = [];
  for (const e of entities) {
    const a = s.associations.find((x) => x.associatedEntity === e && x.status === "ASSOCIATED");
    if (!a) throw awsError("UnknownResourceException", `${e} is not associated with the resource share ${s.resourceShareArn}.`);
    out.push(a);
  }
  for (const a of out) Object.assign(a, { status: "DISASSOCIATED", lastUpdatedTime: ctx.now });
  s.lastUpdatedTime = ctx.now;
  ctx.mutated();
  return { resourceShareAssociations: out.map((a) => assocView(ctx, s, a)), ...(ctx.input.clientToken ? { clientToken: ctx.input.clientToken } : {}) };
};

const DeleteResourceShare: OpHandler<"ram", "DeleteResourceShare"> = (ctx) => {
  const s = getShare(ctx, ctx.input.resourceShareArn);
  if (s.status === "DELETED") throw awsError("InvalidStateTransitionException", `The resource share ${s.resourceShareArn} is already deleted.`);
  s.status = "DELETED";
  for (const a of s.associations) if (a.status === "ASSOCIATED") Object.assign(a, { status: "DISASSOCIATED", lastUpdatedTime: ctx.now });
  s.lastUpdatedTime = ctx.now;
  ctx.mutated();
  return { returnValue: true, ...(ctx.input.clientToken ? { clientToken: ctx.input.clientToken } : {}) };
};

const TagResource: OpHandler<"ram", "TagResource"> = (ctx) => {
  const s = getShare(ctx, ctx.input.resourceShareArn);
  const add = checkTags(ctx.input.tags);
  s.tags = s.tags.filter((t) => !add.some((a) => a.key === t.key)).concat(add);
  ctx.mutated();
  return {};
};

const UntagResource: OpHandler<"ram", "UntagResource"> = (ctx) => {
  const s = getShare(ctx, ctx.input.resourceShareArn);
  const keys = list(ctx.input.tagKeys, "tagKeys");
  s.tags = s.tags.filter((t) => !keys.includes(t.key));
  ctx.mutated();
  return {};
};

export const ramOps: Ops<"ram"> = {
  CreateResourceShare,
  GetResourceShares,
  GetResourceShareAssociations,
  AssociateResourceShare,
  DisassociateResourceShare,
  DeleteResourceShare,
  TagResource,
  UntagResource,
};

// `sandbox show`: RAM resource shares (region-wide, in no VPC), deleted ones left out as AWS's console does.
registerInventory("resourceShares", (rs) =>
  Object.values(((rs.ext.ram as Partial<RamStore> | undefined)?.shares ?? {}) as Record<string, ResourceShareRec>)
    .filter((sh) => sh.status !== "DELETED")
    .map((sh) => ({
      item: {
        id: sh.resourceShareArn,
        name: sh.name,
        state: sh.status,
        detail: `${sh.associations.filter((a) => a.status === "ASSOCIATED" && a.associationType === "RESOURCE").length} resource(s), ${sh.associations.filter((a) => a.status === "ASSOCIATED" && a.associationType === "PRINCIPAL").length} principal(s)`,
      },
    })),
);
