// Kind "vpc": the plan's VPC (tagged; adopted by its step tags). Deleted last.
import type { Vpc } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { getVpc, listVpcs } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";


const type: Ec2Type<Vpc> = { kind: "vpc", get: getVpc, list: (ec2, f) => listVpcs(ec2, f), idOf: (v) => v.VpcId! };

export const vpcKind = defineKind({
  kind: type.kind,
  // VpcState as AWS last answered it (CreateVpc: pending; create-vpc's name check and import: available)
  attrs: z.looseObject({ state: z.string().optional() }),
  ...ec2KindParts(type, (_ctx, ec2, id) => ec2.deleteVpc({ VpcId: id })),
});
export default vpcKind;

export function vpcStep(cidr: string): StepDef {
  const input = (run: StepRun) => ({ CidrBlock: cidr, TagSpecifications: tagSpec("vpc", run.tags) });
  return ec2Step(type, {
    id: "vpc",
    label: `VPC ${cidr}`,
    meta: { cidr },
    // its state as AWS gave it: status reads no DescribeVpcs for a VPC once seen available (src/aws/snapshot.ts collectVpcs)
    result: (v) => ({ id: v.VpcId!, ...(v.State ? { attrs: { state: v.State } } : {}) }),
    create: async (run) => (await (await ec2Of(run)).createVpc(input(run))).Vpc!,
    dryRun: async (run) => void (await (await ec2Of(run)).createVpc({ ...input(run), DryRun: true })),
  });
}
