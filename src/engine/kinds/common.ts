// Small pieces the kind modules share: their clients, and the not-found / dependency rules of deletes.
import type { Context } from "../../context.js";
import { classifyError } from "../../aws/errors.js";
import { type BatchDescribe, describeBatched, waitBatched, waitWithSpinner } from "../../aws/wait.js";
import { eventually, isDependency } from "../../aws/retry.js";


export { ec2Of } from "../../aws/ec2-api.js";
export { iamOf } from "../../aws/iam-api.js";
export { lambdaOf } from "../../aws/lambda-api.js";
export { latticeOf } from "../../aws/lattice-api.js";

/** A delete of something already gone is done. */
export async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (classifyError(err) !== "not-found") throw err;
  }
}

/** Retries a delete that AWS refuses while a just-deleted dependent is still going away. */
export const retryDependency = (ctx: Context, fn: () => Promise<unknown>): Promise<void> =>
  eventually(ctx, () => ignoreNotFound(fn()), { retryOn: isDependency, attempts: 12, firstDelayMs: Math.max(20, ctx.wait.minDelayMs) });

/**
 * A delete that goes first, without a read: what the plan itself hangs on the resource (its attachment,
 * its associations) was undone before it. Refused with DependencyViolation (something a crash left
 * unrecorded, or made meanwhile, still holds it): the resource is read, `release` undoes what holds it,
 * and it is deleted again. Gone by the read: done.
 */
export async function deleteReleasing<T>(remove: () => Promise<unknown>, read: () => Promise<T | undefined>, release: (t: T) => Promise<void>): Promise<void> {
  try {
    await remove();
    return;
  } catch (err) {
    if (!isDependency(err)) throw err;
  }
  const t = await read();
  if (!t) return;
  await release(t);
  await remove();
}

/** What a deleter sees of a resource that goes away slowly (NAT gateways, endpoints, Lattice resources). */
export interface GoingAway {
  gone: boolean;
  /** Its delete was already accepted (a re-run after Ctrl-C or a crash only waits). */
  deleting?: boolean;
  status?: string;
}

/** Deletes (unless already on its way) and waits until it is gone; Ctrl-C stops the wait at once. */
export async function deleteAndWait(ctx: Context, what: string, read: () => Promise<GoingAway>, remove: () => Promise<unknown>, usualMs?: number): Promise<void> {
  const now = await read();
  if (now.gone) return;
  if (!now.deleting) await ignoreNotFound(remove());
  await waitWithSpinner(
    ctx,
    `${what} to be deleted`,
    async () => {
      const cur = await read();
      return cur.gone ? { done: true } : { done: false, status: cur.status ?? "deleting" };
    },
    () => `${what} deleted`,
    usualMs,
  );
}

/**
 * deleteAndWait for a kind whose Describe answers many ids at once: deletions waited for at the same
 * time share each poll round's call (destroy of three NAT gateways: one DescribeNatGateways a round).
 * `seen`: the resource as a Describe of this run just answered (destroy's sweep): no look of its own
 * before the delete. The first poll comes at once (as the SDK's waiters do): the delete's answer says
 * nothing of its state, and a fast delete (an emulator's) needs no wait.
 */
export async function deleteAndWaitBatched<T>(
  ctx: Context,
  what: string,
  d: BatchDescribe<T>,
  id: string,
  going: (item: T | undefined) => GoingAway,
  remove: () => Promise<unknown>,
  usualMs?: number,
  seen?: T,
): Promise<void> {
  const now = going(seen ?? (await describeBatched(d, id, ctx.wait, ctx.clock)));
  if (now.gone) return;
  if (!now.deleting) await ignoreNotFound(remove());
  await waitBatched(
    ctx,
    `${what} to be deleted`,
    d,
    id,
    (item) => {
      const cur = going(item);
      return cur.gone ? { done: true } : { done: false, status: cur.status ?? "deleting" };
    },
    () => `${what} deleted`,
    usualMs,
  );
}
