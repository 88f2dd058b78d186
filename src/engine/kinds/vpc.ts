// Kind "vpc": the plan's VPC (tagged; adopted by its step tags). Deleted last.
import type { Vpc } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { getVpc, listVpcs } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import { waitWithSpinner } from "../../aws/wait.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";


const type: Ec2Type<Vpc> = { kind: "vpc", get: getVpc, list: (ec2, f) => listVpcs(ec2, f), idOf: (v) => v.VpcId!, resourceType: "vpc" };

export const vpcKind = defineKind({
  kind: type.kind,
  // VpcState as AWS last answered it (CreateVpc: pending; create-vpc's name check and import: available);
  // ipv6Cidr: its Amazon-provided /56 once associated (create-vpc --ipv6 lays the subnets' /64s out in it)
  attrs: z.looseObject({ state: z.string().optional(), ipv6Cidr: z.string().optional() }),
  ...ec2KindParts(type, (_ctx, ec2, id) => ec2.deleteVpc({ VpcId: id })),
});
export default vpcKind;

/** The VPC's associated IPv6 block, and whether one is on its way (associating). */
export function vpcIpv6Of(v: Vpc): { cidr?: string; pending: boolean } {
  const set = v.Ipv6CidrBlockAssociationSet ?? [];
  const done = set.find((a) => a.Ipv6CidrBlockState?.State === "associated" && a.Ipv6CidrBlock);
  return { cidr: done?.Ipv6CidrBlock, pending: set.some((a) => a.Ipv6CidrBlockState?.State === "associating") };
}

export function vpcStep(cidr: string, o: { ipv6?: boolean } = {}): StepDef {
  const input = (run: StepRun) => ({ CidrBlock: cidr, ...(o.ipv6 ? { AmazonProvidedIpv6CidrBlock: true } : {}), TagSpecifications: tagSpec("vpc", run.tags) });
  return ec2Step(type, {
    id: "vpc",
    label: `VPC ${cidr}${o.ipv6 ? " + IPv6 /56" : ""}`,
    meta: { cidr },
    // its state as AWS gave it: status reads no DescribeVpcs for a VPC once seen available (src/aws/snapshot.ts collectVpcs)
    result: (v) => {
      const ipv6Cidr = vpcIpv6Of(v).cidr;
      return { id: v.VpcId!, ...(v.State || ipv6Cidr ? { attrs: { ...(v.State ? { state: v.State } : {}), ...(ipv6Cidr ? { ipv6Cidr } : {}) } } : {}) };
    },
    create: async (run) => (await (await ec2Of(run)).createVpc(input(run))).Vpc!,
    dryRun: async (run) => void (await (await ec2Of(run)).createVpc({ ...input(run), DryRun: true })),
    // --ipv6: the Amazon-provided block is chosen while the association is `associating` (CreateVpc
    // answers it without the CIDR): wait for it, and associate one on a VPC that has none (a VPC
    // adopted from a run that created it without, or whose block was removed)
    settle: o.ipv6
      ? async (run, result) => {
          const ec2 = await ec2Of(run);
          const id = result.id!;
          const first = await getVpc(ec2, id);
          if (first && !vpcIpv6Of(first).cidr && !vpcIpv6Of(first).pending) await ec2.associateVpcCidrBlock({ VpcId: id, AmazonProvidedIpv6CidrBlock: true });
          const ipv6Cidr = await waitWithSpinner(
            run.ctx,
            `the IPv6 block of VPC ${id}`,
            async () => {
              const v = await getVpc(ec2, id);
              const six = v ? vpcIpv6Of(v) : { pending: false };
              return six.cidr ? { done: true, value: six.cidr } : { done: false, status: six.pending ? "associating" : "not visible yet" };
            },
            (c) => `VPC ${id} has IPv6 ${c}`,
          );
          return { id, attrs: { ...(result.attrs ?? {}), ipv6Cidr } };
        }
      : undefined,
  });
}
