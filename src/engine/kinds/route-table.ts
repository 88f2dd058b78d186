// Kind "route-table": a plan route table (tagged, client token). Its deleter also drops subnet
// associations that were made but never recorded (the table is ours, so they are too).
import type { RouteTable } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { getRouteTable, listRouteTables } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef } from "../engine.js";
import { deleteReleasing, ec2Of, ignoreNotFound } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";


const type: Ec2Type<RouteTable> = { kind: "route-table", get: getRouteTable, list: (ec2, f) => listRouteTables(ec2, f), idOf: (t) => t.RouteTableId!, refs: (t) => [t.VpcId], resourceType: "route-table" };

export const routeTableKind = defineKind({
  kind: type.kind,
  /** Imported tables: the AZs of their subnets and whether it is the VPC's main table. */
  attrs: z.looseObject({ azs: z.array(z.string()).optional(), main: z.boolean().optional() }),
  // Deleted at once: the plan's own associations were undone before it (its delete waits for them).
  // Still associated (an association a crash left unrecorded, or one made meanwhile): those are dropped,
  // then it is deleted.
  ...ec2KindParts(type, (_ctx, ec2, id) =>
    deleteReleasing(
      () => ec2.deleteRouteTable({ RouteTableId: id }),
      () => getRouteTable(ec2, id),
      async (t) => {
        for (const a of t.Associations ?? []) {
          if (a.Main || !a.RouteTableAssociationId) continue;
          await ignoreNotFound(ec2.disassociateRouteTable({ AssociationId: a.RouteTableAssociationId }));
        }
      },
    ),
  ),
});
export default routeTableKind;

export function routeTableStep(o: { id: string; label: string; az?: string; tier: "public" | "private" }): StepDef {
  return ec2Step(type, {
    id: o.id,
    label: o.label,
    dependsOn: ["vpc"],
    meta: { tier: o.tier, ...(o.az ? { az: o.az } : {}) },
    result: (t) => ({ id: t.RouteTableId! }),
    create: async (run) =>
      (await (await ec2Of(run)).createRouteTable({ VpcId: run.ref("vpc"), ClientToken: run.clientToken, TagSpecifications: tagSpec("route-table", run.tags) }))
        .RouteTable!,
    dryRun: async (run) =>
      void (await (await ec2Of(run)).createRouteTable({ VpcId: run.ref("vpc"), TagSpecifications: tagSpec("route-table", run.tags), DryRun: true })),
  });
}
