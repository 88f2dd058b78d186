// Kind "subnet": a public or private subnet of the plan's VPC (tagged with its tier too).
import type { Subnet } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { getSubnet, listSubnets } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";


const type: Ec2Type<Subnet> = { kind: "subnet", get: getSubnet, list: (ec2, f) => listSubnets(ec2, f), idOf: (s) => s.SubnetId!, refs: (s) => [s.VpcId] };

export const subnetKind = defineKind({
  kind: type.kind,
  /** Imported subnets record the route table that decides their routes. */
  attrs: z.looseObject({ routeTableId: z.string().optional() }),
  ...ec2KindParts(type, (_ctx, ec2, id) => ec2.deleteSubnet({ SubnetId: id })),
});
export default subnetKind;

export function subnetStep(o: { id: string; cidr: string; az: string; tier: "public" | "private"; vpcStep?: string }): StepDef {
  const vpcStepId = o.vpcStep ?? "vpc";
  const input = (run: StepRun) => ({
    VpcId: run.ref(vpcStepId),
    CidrBlock: o.cidr,
    AvailabilityZone: o.az,
    TagSpecifications: tagSpec("subnet", [...run.tags, { Key: "egress-cli:tier", Value: o.tier }]),
  });
  return ec2Step(type, {
    id: o.id,
    label: `${o.tier} subnet ${o.cidr} in ${o.az}`,
    dependsOn: [vpcStepId],
    meta: { az: o.az, cidr: o.cidr, tier: o.tier },
    result: (s) => ({ id: s.SubnetId! }),
    create: async (run) => (await (await ec2Of(run)).createSubnet(input(run))).Subnet!,
    dryRun: async (run) => void (await (await ec2Of(run)).createSubnet({ ...input(run), DryRun: true })),
  });
}
