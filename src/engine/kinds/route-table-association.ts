// Kind "route-table-association": a subnet on a plan route table (a relation). Replacing an
// explicit association records the table it had, and destroy puts the subnet back on it.
import * as z from "zod";
import { errorCode } from "../../aws/errors.js";
import { getRouteTable, listRouteTables } from "../../aws/ec2.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of, ignoreNotFound } from "./common.js";
import { byRelation, defineKind, refuseOtherPlan } from "./kind.js";


export const routeTableAssociationKind = defineKind({
  kind: "route-table-association",
  attrs: z.looseObject({ subnetId: z.string().optional(), routeTableId: z.string().optional(), previousRouteTableId: z.string().optional() }),
  owner: async (ctx, rec, plan) => byRelation(ctx, plan, [rec.attrs.subnetId, rec.attrs.routeTableId]),
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    const prev = rec.attrs.previousRouteTableId;
    if (prev && (await getRouteTable(ec2, prev))) {
      await ignoreNotFound(ec2.replaceRouteTableAssociation({ AssociationId: rec.id!, RouteTableId: prev }));
      return;
    }
    await ignoreNotFound(ec2.disassociateRouteTable({ AssociationId: rec.id! }));
  },
});

/** Associates a subnet with a route table; replaces an existing explicit association. */
export function associationStep(o: { id: string; subnetStep: string; routeTableStep: string }): StepDef {
  // One DescribeRouteTables per run of the step: discover, intent and create share it.
  const current = (run: StepRun) =>
    run.memo("association", async () => {
      const subnetId = run.ref(o.subnetStep);
      const tables = await listRouteTables(await ec2Of(run), [{ Name: "association.subnet-id", Values: [subnetId] }]);
      for (const t of tables) {
        const a = t.Associations?.find((x) => x.SubnetId === subnetId);
        if (a) return { table: t.RouteTableId!, associationId: a.RouteTableAssociationId!, tags: t.Tags };
      }
      return undefined;
    });
  // Never tried before this run (its pending record may be written ahead), and not a retry of this run's own call.
  const tried = new WeakSet<StepRun>();
  const fresh = async (run: StepRun) => run.fresh && !tried.has(run);
  const holds = async (run: StepRun) => {
    const c = await current(run);
    return c && c.table === run.ref(o.routeTableStep) ? { id: c.associationId, attrs: { subnetId: run.ref(o.subnetStep), routeTableId: c.table } } : undefined;
  };
  return {
    id: o.id,
    kind: routeTableAssociationKind.kind,
    label: `route table association for ${o.subnetStep}`,
    dependsOn: [o.subnetStep, o.routeTableStep],
    changes: [o.subnetStep, o.routeTableStep],
    // Never tried before: the subnet has no explicit association of ours; one made by someone else
    // is met by AssociateRouteTable's Resource.AlreadyAssociated below.
    adoptsOnly: true,
    intentIfTried: true,
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async intent(run) {
      if (await fresh(run)) return {};
      const c = await current(run);
      if (c) refuseOtherPlan(run.stepId, `the subnet's route table ${c.table}`, c.tags, run.session.plan);
      return c ? { previousRouteTableId: c.table } : {};
    },
    async create(run) {
      const ec2 = await ec2Of(run);
      const subnetId = run.ref(o.subnetStep);
      const routeTableId = run.ref(o.routeTableStep);
      const replace = async (c: { associationId: string; table: string }, extra: Record<string, unknown> = {}) => {
        const r = await ec2.replaceRouteTableAssociation({ AssociationId: c.associationId, RouteTableId: routeTableId });
        return { id: r.NewAssociationId!, attrs: { subnetId, routeTableId, ...extra } };
      };
      const c = (await fresh(run)) ? undefined : await current(run);
      tried.add(run);
      if (c) return replace(c);
      try {
        const r = await ec2.associateRouteTable({ SubnetId: subnetId, RouteTableId: routeTableId });
        return { id: r.AssociationId!, attrs: { subnetId, routeTableId } };
      } catch (err) {
        if (errorCode(err) !== "Resource.AlreadyAssociated") throw err;
        const now = await current(run);
        if (!now) throw err;
        refuseOtherPlan(run.stepId, `the subnet's route table ${now.table}`, now.tags, run.session.plan);
        return replace(now, { previousRouteTableId: now.table });
      }
    },
  };
}

export default routeTableAssociationKind;
