// Kind "route-table": a plan route table (tagged, client token). Its deleter also drops subnet
// associations that were made but never recorded (the table is ours, so they are too).
import type { RouteTable } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { getRouteTable, listRouteTables } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef } from "../engine.js";
import { deleteReleasing, ec2Of, ignoreNotFound } from "./common.js";
import { byRelation, defineKind, isOurs } from "./kind.js";
import { CliError, ExitCode } from "../../errors.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";


const type: Ec2Type<RouteTable> = { kind: "route-table", get: getRouteTable, list: (ec2, f) => listRouteTables(ec2, f), idOf: (t) => t.RouteTableId!, refs: (t) => [t.VpcId], resourceType: "route-table" };

export const routeTableKind = defineKind({
  kind: type.kind,
  /** Imported tables: the AZs of their subnets and whether it is the VPC's main table. */
  attrs: z.looseObject({ azs: z.array(z.string()).optional(), main: z.boolean().optional() }),
  // Deleted at once: the plan's own associations were undone before it (its delete waits for them).
  // Still associated (an association a crash left unrecorded, or one made meanwhile): the plan's subnets
  // are disassociated, then it is deleted; a subnet that is not the plan's, or the table made the VPC's
  // main one, is left as it is and named (exit 1).
  ...ec2KindParts(type, (ctx, ec2, id, _seen, plan) =>
    deleteReleasing(
      () => ec2.deleteRouteTable({ RouteTableId: id }),
      () => getRouteTable(ec2, id),
      async (t) => {
        if (t.Associations?.some((a) => a.Main)) {
          throw new CliError(
            `Route table ${id} is now the main route table of ${t.VpcId} (made so outside egress-cli): AWS deletes a main route table only with its VPC; it was left in place.`,
            ExitCode.failure,
            "Make the VPC's original main route table main again (ReplaceRouteTableAssociation on the main association), then re-run destroy.",
          );
        }
        const held = (t.Associations ?? []).filter((a) => a.RouteTableAssociationId);
        const foreign: string[] = [];
        for (const a of held) if (plan && a.SubnetId && !isOurs(await byRelation(ctx, plan, [a.SubnetId]))) foreign.push(`${a.SubnetId} (${a.RouteTableAssociationId})`);
        if (foreign.length) {
          throw new CliError(
            `Route table ${id} is associated with ${foreign.length === 1 ? "subnet" : "subnets"} ${foreign.join(", ")}, not this plan's: nothing was changed there.`,
            ExitCode.failure,
            "Associate those subnets with another route table (or delete them if they are yours to delete), then re-run destroy.",
          );
        }
        for (const a of held) await ignoreNotFound(ec2.disassociateRouteTable({ AssociationId: a.RouteTableAssociationId! }));
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
