// Kind "route-table": a plan route table (tagged, client token). Its deleter first drops subnet
// associations that were made but never recorded (the table is ours, so they are too).
import { CreateRouteTableCommand, DeleteRouteTableCommand, DisassociateRouteTableCommand, type RouteTable } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { getRouteTable, listRouteTables } from "../../aws/ec2.js";
import { planFilters, tagSpec } from "../../aws/tags.js";
import type { StepDef } from "../engine.js";
import { ec2Of, ignoreNotFound, retryDependency } from "./common.js";
import { byTags, defineKind, stepTag } from "./kind.js";
import { taggedStep } from "./tagged.js";

export const routeTableKind = defineKind({
  kind: "route-table",
  /** Imported tables: the AZs of their subnets and whether it is the VPC's main table. */
  attrs: z.looseObject({ azs: z.array(z.string()).optional(), main: z.boolean().optional() }),
  owner: async (ctx, rec, plan) => byTags(await getRouteTable(await ec2Of(ctx), rec.id!), plan),
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    const t = await getRouteTable(ec2, rec.id!);
    if (!t) return;
    for (const a of t.Associations ?? []) {
      if (!a.Main && a.RouteTableAssociationId) await ignoreNotFound(ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId })));
    }
    await retryDependency(ctx, () => ec2.send(new DeleteRouteTableCommand({ RouteTableId: rec.id! })));
  },
  async sweep(ctx, plan) {
    return (await listRouteTables(await ec2Of(ctx), planFilters(plan))).map((t) => ({ kind: "route-table", id: t.RouteTableId!, step: stepTag(t.Tags), refs: [t.VpcId!] }));
  },
});

export function routeTableStep(o: { id: string; label: string; az?: string; tier: "public" | "private" }): StepDef {
  return taggedStep<RouteTable>({
    id: o.id,
    kind: routeTableKind.kind,
    label: o.label,
    dependsOn: ["vpc"],
    meta: { tier: o.tier, ...(o.az ? { az: o.az } : {}) },
    get: async (run, id) => getRouteTable(await ec2Of(run), id),
    find: async (run) => listRouteTables(await ec2Of(run), run.stepFilters),
    result: (t) => ({ id: t.RouteTableId! }),
    create: async (run) =>
      (await (await ec2Of(run)).send(new CreateRouteTableCommand({ VpcId: run.ref("vpc"), ClientToken: run.clientToken, TagSpecifications: tagSpec("route-table", run.tags) })))
        .RouteTable!,
    dryRun: async (run) =>
      void (await (await ec2Of(run)).send(new CreateRouteTableCommand({ VpcId: run.ref("vpc"), TagSpecifications: tagSpec("route-table", run.tags), DryRun: true }))),
  });
}

export default routeTableKind;
