// What the two VPC Lattice kinds share: their plan-scoped names (Lattice names are unique per
// account and region, 3-40 characters) and their tags (a map, read with ListTagsForResource: the
// List and Get calls return none).
import { createHash } from "node:crypto";
import { errorCode } from "../../aws/errors.js";
import type { BatchDescribe } from "../../aws/wait.js";
import type { Context } from "../../context.js";
import type { Plan } from "../../plans/schema.js";
import { latticeOf } from "./common.js";
import { byTags, isOurs, type Ownership } from "./kind.js";

/** `egc-<8 of plan id>-<8 of a step hash>`: the sweep lists names with the plan's prefix. */
export const latticePrefix = (plan: Pick<Plan, "planId">) => `egc-${plan.planId.replace(/-/g, "").slice(0, 8)}-`;
export const latticeName = (plan: Pick<Plan, "planId">, stepId: string) => `${latticePrefix(plan)}${createHash("sha256").update(stepId).digest("hex").slice(0, 8)}`;

/** Tags as EC2 writes them ([{Key, Value}]) turned into Lattice's map. */
export const tagMap = (tags: Array<{ Key: string; Value: string }>) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

export async function latticeTags(ctx: Context | { ctx: Context }, arn: string): Promise<Array<{ Key: string; Value: string }> | undefined> {
  try {
    const r = await (await latticeOf(ctx)).listTagsForResource({ resourceArn: arn });
    return Object.entries(r.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  } catch (err) {
    if (errorCode(err) === "ResourceNotFoundException") return undefined;
    throw err;
  }
}

export async function latticeOwner(ctx: Context, arn: string | undefined, plan: Plan): Promise<Ownership> {
  if (!arn) return { gone: true };
  const tags = await latticeTags(ctx, arn);
  return byTags(tags ? { Tags: tags } : undefined, plan);
}

/** The Lattice record shape both kinds share: what Get/List answer, reduced. */
export interface LatticeItem {
  id?: string;
  arn?: string;
  name?: string;
  status?: string;
}

/** One Lattice resource type's calls, from which its kind's owner, delete and sweep are built. */
export interface LatticeApi<T extends LatticeItem> {
  kind: string;
  what: string;
  get(ctx: Context | { ctx: Context }, id: string): Promise<T | undefined>;
  list(ctx: Context | { ctx: Context }): Promise<T[]>;
  remove(ctx: Context, id: string): Promise<unknown>;
  refs(item: T): string[];
}

export const isLiveLattice = (s: string | undefined) => !["DELETE_IN_PROGRESS", "DELETE_FAILED", "CREATE_FAILED"].includes(String(s));

/**
 * Lattice resources of a kind awaited at once are polled together: one List a round (Lattice has no
 * Get for several ids; List's summaries carry the status), not a Get per resource.
 */
export async function latticeBatch<T extends LatticeItem>(ctx: Context | { ctx: Context }, api: LatticeApi<T>): Promise<BatchDescribe<T>> {
  return {
    client: await latticeOf(ctx),
    kind: api.kind,
    describe: async (ids) => {
      const want = new Set(ids);
      return (await api.list(ctx)).filter((i) => i.id !== undefined && want.has(i.id));
    },
    idOf: (i) => i.id,
  };
}

export function latticeKindParts<T extends LatticeItem>(api: LatticeApi<T>) {
  return {
    async owner(ctx: Context, rec: { id: string | null; attrs: { arn?: string } }, plan: Plan): Promise<Ownership> {
      const live = rec.id ? await api.get(ctx, rec.id) : undefined;
      return live ? latticeOwner(ctx, live.arn, plan) : { gone: true };
    },
    async delete(ctx: Context, rec: { id: string | null }) {
      const id = rec.id!;
      if (!(await api.get(ctx, id))) return;
      try {
        await api.remove(ctx, id);
      } catch (err) {
        if (errorCode(err) !== "ResourceNotFoundException") throw err;
      }
      const { waitBatched } = await import("../../aws/wait.js");
      await waitBatched(
        ctx,
        `${api.what} ${id} to be deleted`,
        await latticeBatch(ctx, api),
        id,
        (cur) => (cur ? { done: false, status: String(cur.status) } : { done: true }),
        () => `${api.what} ${id} deleted`,
      );
    },
    async sweep(ctx: Context, plan: Plan) {
      const mine = (await api.list(ctx)).filter((i) => i.name?.startsWith(latticePrefix(plan)) && isLiveLattice(i.status));
      const out = [];
      for (const i of mine) {
        const tags = await latticeTags(ctx, i.arn!);
        if (tags && isOurs(byTags({ Tags: tags }, plan))) {
          out.push({ kind: api.kind, id: i.id!, step: tags.find((t) => t.Key === "egress-cli:step")?.Value ?? "unknown", refs: api.refs(i) });
        }
      }
      return out;
    },
  };
}
