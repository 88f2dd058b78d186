// Kind "vpc-attribute": DNS support / DNS hostnames turned on for the plan's VPC (a relation, no id).
// The value before egress-cli turned it on is recorded first (intent), and destroy puts it back
// on a VPC the plan does not delete (an imported one).
import * as z from "zod";
import { getVpc } from "../../aws/ec2.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { byRelation, defineKind } from "./kind.js";


const ATTRIBUTES = ["enableDnsSupport", "enableDnsHostnames"] as const;
type Attribute = (typeof ATTRIBUTES)[number];
const key = (a: Attribute) => (a === "enableDnsSupport" ? "EnableDnsSupport" : "EnableDnsHostnames");
const stepIdOf = (a: Attribute) => (a === "enableDnsSupport" ? "vpc/dns-support" : "vpc/dns-hostnames");

export const vpcAttributeKind = defineKind({
  kind: "vpc-attribute",
  attrs: z.looseObject({
    attribute: z.enum(ATTRIBUTES).optional(),
    vpcId: z.string().optional(),
    /** false: egress-cli turned it on (destroy turns it off again on a VPC it keeps); absent: it was on already. */
    previousValue: z.boolean().optional(),
  }),
  owner: async (ctx, rec, plan) => byRelation(ctx, plan, [rec.attrs.vpcId ?? plan.resources.vpc?.id]),
  // DNS hostnames go back off before DNS support (AWS refuses support off while hostnames are on).
  deleteAfter: (rec, resources) => (rec.attrs.attribute === "enableDnsSupport" && resources["vpc/dns-hostnames"]?.state === "created" ? ["vpc/dns-hostnames"] : []),
  async delete(ctx, rec, plan) {
    const vpcRec = plan.resources.vpc;
    const vpcId = rec.attrs.vpcId ?? vpcRec?.id;
    // An owned VPC is deleted by the same destroy: nothing to put back.
    if (rec.attrs.previousValue !== false || !rec.attrs.attribute || !vpcId || (vpcRec?.id === vpcId && vpcRec.owned)) return;
    const ec2 = await ec2Of(ctx);
    if (!(await getVpc(ec2, vpcId))) return;
    await ec2.modifyVpcAttribute({ VpcId: vpcId, [key(rec.attrs.attribute)]: { Value: false } });
  },
});

export function vpcAttributeStep(attribute: Attribute): StepDef {
  const holds = async (run: StepRun) => {
    const r = await (await ec2Of(run)).describeVpcAttribute({ VpcId: run.ref("vpc"), Attribute: attribute });
    const v = attribute === "enableDnsSupport" ? r.EnableDnsSupport?.Value : r.EnableDnsHostnames?.Value;
    return v ? { id: null, attrs: { attribute, vpcId: run.ref("vpc") } } : undefined;
  };
  // A VPC this run's CreateVpc made has AWS's documented defaults (VPC user guide, "DNS attributes for
  // your VPC": DNS support on, DNS hostnames off but in a default VPC), which no step of this run has
  // changed before these two: no DescribeVpcAttribute. Any other VPC (adopted, verified, imported) is read.
  const byDefault = (run: StepRun) =>
    attribute === "enableDnsSupport" ? { id: null, attrs: { attribute, vpcId: run.ref("vpc") } } : undefined;
  return {
    id: stepIdOf(attribute),
    kind: vpcAttributeKind.kind,
    label: `VPC attribute ${attribute}`,
    dependsOn: ["vpc"],
    changes: ["vpc"],
    verify: (run) => holds(run),
    discover: async (run) => (run.session.made.has("vpc") ? byDefault(run) : holds(run)),
    // Only reached when it is off: what to put back.
    intent: async (run) => ({ attribute, vpcId: run.ref("vpc"), previousValue: false }),
    async create(run) {
      await (await ec2Of(run)).modifyVpcAttribute({ VpcId: run.ref("vpc"), [key(attribute)]: { Value: true } });
      return { id: null, attrs: { attribute, vpcId: run.ref("vpc") } };
    },
  };
}

export default vpcAttributeKind;
