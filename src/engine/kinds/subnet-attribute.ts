// Kind "subnet-attribute": DNS64 turned on for one of the plan's IPv6-only subnets (a relation, no id):
// add-nat does it together with the NAT64 route (64:ff9b::/96 → NAT) the synthesized addresses need.
// The value before is recorded first (intent); destroy puts it back on a subnet the plan does not
// delete (an imported one), before the NAT64 route goes (the step depends on that route).
import * as z from "zod";
import { getSubnet } from "../../aws/ec2.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { byRelation, defineKind, recordsOf } from "./kind.js";
import { subnetKind } from "./subnet.js";

export const subnetAttributeKind = defineKind({
  kind: "subnet-attribute",
  attrs: z.looseObject({
    attribute: z.literal("EnableDns64").optional(),
    subnetId: z.string().optional(),
    /** false: egress-cli turned it on (destroy turns it off again on a subnet it keeps); absent: it was on already. */
    previousValue: z.boolean().optional(),
  }),
  owner: async (ctx, rec, plan) => byRelation(ctx, plan, [rec.attrs.subnetId]),
  async delete(ctx, rec, plan) {
    const { subnetId, previousValue } = rec.attrs;
    if (previousValue !== false || !subnetId) return;
    // a subnet the plan created goes with the same destroy: nothing to put back
    if (recordsOf(plan, subnetKind).some(([, r]) => r.id === subnetId && r.owned)) return;
    const ec2 = await ec2Of(ctx);
    if (!(await getSubnet(ec2, subnetId))) return;
    await ec2.modifySubnetAttribute({ SubnetId: subnetId, EnableDns64: { Value: false } });
  },
});
export default subnetAttributeKind;

/** DNS64 on for the subnet of `subnetStep`, once `dependsOn` (its table's NAT64 route) holds. */
export function dns64Step(o: { id: string; subnetStep: string; dependsOn: string[] }): StepDef {
  const holds = async (run: StepRun) => {
    const s = await getSubnet(await ec2Of(run), run.ref(o.subnetStep));
    return s?.EnableDns64 ? { id: null, attrs: { attribute: "EnableDns64", subnetId: run.ref(o.subnetStep) } } : undefined;
  };
  return {
    id: o.id,
    kind: subnetAttributeKind.kind,
    label: `DNS64 on for ${o.subnetStep}`,
    dependsOn: [o.subnetStep, ...o.dependsOn],
    changes: [o.subnetStep],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    // Only reached when it is off: what to put back.
    intent: async (run) => ({ attribute: "EnableDns64", subnetId: run.ref(o.subnetStep), previousValue: false }),
    async create(run) {
      await (await ec2Of(run)).modifySubnetAttribute({ SubnetId: run.ref(o.subnetStep), EnableDns64: { Value: true } });
      return { id: null, attrs: { attribute: "EnableDns64", subnetId: run.ref(o.subnetStep) } };
    },
  };
}
