// A temporary network interface as Reachability Analyzer's source, for `analyze-path --from
// subnet-…` on a subnet that holds none yet (a fresh private subnet: the mission's own check).
// Crash safe like every step: the interface is recorded in the plan (pending, with its ClientToken)
// before it is created, tagged with the plan at creation, recorded as created at once, deleted
// after the analysis; whatever a crash left (a created record, a pending one, or an interface
// carrying the plan's id and the step) is swept by the next analyze-path and by destroy.
import { ec2Of } from "../aws/ec2-api.js";
import { randomUUID } from "node:crypto";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { Plan } from "../plans/schema.js";

/** Step ids of temporary interfaces: one per subnet. */
export const TEMP_ENI_STEP = (subnetId: string) => `analyze-path/temporary-eni/${subnetId}`;
export const isTempEniStep = (step: string) => step.startsWith("analyze-path/temporary-eni/");

type Session = Awaited<ReturnType<typeof import("./session.js").openSession>>;
type Ec2 = import("@aws-sdk/client-ec2").EC2Client;

/** Deletes one temporary interface (gone already is fine). */
async function deleteEni(ctx: Context, id: string): Promise<void> {
  // The kind's own delete (src/engine/kinds/network-interface.ts), as destroy uses it.
  const { networkInterfaceKind } = await import("./kinds/network-interface.js");
  await networkInterfaceKind.delete(ctx, { id } as never, undefined as never);
}

/**
 * Deletes every temporary interface the plan records or that carries the plan's id under a
 * temporary-interface step (left by a crashed run), and marks the records deleted. Returns the ids.
 */
export async function sweepTemporaryEnis(ctx: Context, session: Session): Promise<string[]> {
  const { TAG_STEP, matchesTagFilters, planFilters } = await import("../aws/tags.js");
  const ec2 = await ec2Of(ctx);
  const plan = session.plan;
  // The tag filter is checked on the answer too: an endpoint that ignores it must not hand us others' interfaces.
  const tagged = (await ec2.describeNetworkInterfaces({ Filters: planFilters(plan) })).filter((e) => matchesTagFilters(e.TagSet, planFilters(plan)));
  const found = new Map<string, string>(); // id → step
  for (const e of tagged) {
    const step = e.TagSet?.find((t) => t.Key === TAG_STEP)?.Value;
    if (step && isTempEniStep(step) && e.NetworkInterfaceId) found.set(e.NetworkInterfaceId, step);
  }
  for (const [step, rec] of Object.entries(plan.resources)) {
    if (isTempEniStep(step) && rec.state !== "deleted" && rec.id) found.set(rec.id, step);
  }
  const swept: string[] = [];
  for (const [id, step] of found) {
    await deleteEni(ctx, id);
    const rec = plan.resources[step];
    if (rec) session.upsert(step, { ...rec, id: rec.id ?? id, state: "deleted", deletedAt: new Date().toISOString(), generation: rec.generation + 1 });
    swept.push(id);
  }
  // Pending records whose create never happened: nothing to delete, the record is closed.
  for (const [step, rec] of Object.entries(plan.resources)) {
    if (isTempEniStep(step) && rec.state === "pending") session.upsert(step, { ...rec, state: "deleted", deletedAt: new Date().toISOString(), generation: rec.generation + 1 });
  }
  if (swept.length || Object.keys(plan.resources).some(isTempEniStep)) await session.save();
  return swept;
}

/**
 * Runs `use` with a temporary interface in the subnet (the VPC's default security group), then
 * deletes it. Needs the plan: the interface is recorded there before it exists.
 */
export async function withTemporaryEni<T>(ctx: Context, subnetId: string, use: (networkInterfaceId: string) => Promise<T>): Promise<T> {
  const { loadPlan } = await import("../plans/store.js");
  if (!(await loadPlan(ctx.planPath))) {
    throw new UsageError(
      `Subnet ${subnetId} holds no network interface, and Reachability Analyzer needs one as the source; egress-cli would create a temporary one, but it records it in a plan and there is none at ${ctx.planPath}.`,
      "pass --plan FILE of the plan this subnet belongs to, or use --local (it analyzes the subnet itself)",
      "NoSourceInterface",
    );
  }
  const { openSession } = await import("./session.js");
  const { planTags, tagSpec } = await import("../aws/tags.js");
  const { toCliError } = await import("../aws/errors.js");
  const session = await openSession(ctx, {}, "analyze-path");
  try {
    const ec2 = await ec2Of(ctx);
    const swept = await sweepTemporaryEnis(ctx, session);
    if (swept.length) ctx.log.info(`Deleted ${swept.length} temporary network interface(s) left by an interrupted analyze-path: ${swept.join(", ")}`);
    const plan: Plan = session.plan;
    const step = TEMP_ENI_STEP(subnetId);
    const prior = plan.resources[step];
    const clientToken = randomUUID();
    const generation = prior ? prior.generation + 1 : 0;
    // 1. Intent first: a crash after the create still leaves a record (and the tags) to find it by.
    // It sits in the subnet: destroy deletes it before the subnet.
    const subnetStep = Object.entries(plan.resources).find(([, r]) => r.kind === "subnet" && r.id === subnetId)?.[0];
    session.upsert(step, { kind: "network-interface", id: null, owned: true, state: "pending", region: (await ctx.aws()).region, dependsOn: subnetStep ? [subnetStep] : [], generation, clientToken, attrs: { subnetId, temporary: true, purpose: "Reachability Analyzer source" }, createdAt: new Date().toISOString() } as never);
    await session.save();
    const created = await ec2
      .createNetworkInterface({
          SubnetId: subnetId,
          Description: "egress-cli analyze-path: temporary Reachability Analyzer source (deleted after the analysis)",
          ClientToken: clientToken,
          TagSpecifications: tagSpec("network-interface", planTags(plan, step, `${plan.name}-analyze-path-${subnetId}`)),
        })
      .catch((err) => {
        throw toCliError(err, `creating a temporary network interface in ${subnetId}`);
      });
    const id = created.NetworkInterface!.NetworkInterfaceId!;
    session.upsert(step, { ...plan.resources[step]!, id, state: "created" });
    await session.save();
    ctx.log.info(`Created a temporary network interface ${id} in ${subnetId} (the VPC's default security group, tagged with plan ${plan.name}) as the Reachability Analyzer source; it is deleted after the analysis.`);
    try {
      return await use(id);
    } finally {
      await deleteEni(ctx, id);
      session.upsert(step, { ...plan.resources[step]!, state: "deleted", deletedAt: new Date().toISOString(), generation: generation + 1 });
      await session.save();
      ctx.log.info(`Deleted the temporary network interface ${id}.`);
    }
  } finally {
    await session.close();
  }
}
