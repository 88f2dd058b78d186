// Kind "subnet": a public or private subnet of the plan's VPC (tagged with its tier too).
import type { Subnet } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { getSubnet, listSubnets } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { defineKind, typed } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";
import { ipv6SubnetCidr } from "../../net/ipv6-layout.js";
import { liveIpv6Association } from "../../net/routes.js";
import { vpcKind } from "./vpc.js";


const type: Ec2Type<Subnet> = { kind: "subnet", get: getSubnet, list: (ec2, f) => listSubnets(ec2, f), idOf: (s) => s.SubnetId!, refs: (s) => [s.VpcId], resourceType: "subnet" };

export const subnetKind = defineKind({
  kind: type.kind,
  /** Imported subnets record the route table that decides their routes; IPv6 subnets their /64. */
  attrs: z.looseObject({ routeTableId: z.string().optional(), ipv6Cidr: z.string().optional(), ipv6Only: z.boolean().optional(), ipv6Tier: z.enum(["public", "private"]).optional() }),
  ...ec2KindParts(type, (_ctx, ec2, id) => ec2.deleteSubnet({ SubnetId: id })),
});
export default subnetKind;

/**
 * A subnet of the plan's VPC. `ipv6Slot`: its /64 is that slot of the VPC's /56 (src/net/ipv6-layout.ts),
 * known once the VPC step recorded the block; `cidr` undefined: IPv6-only (Ipv6Native).
 */
export function subnetStep(o: { id: string; cidr?: string; az: string; tier: "public" | "private"; vpcStep?: string; ipv6Slot?: number }): StepDef {
  const vpcStepId = o.vpcStep ?? "vpc";
  const ipv6Cidr = (run: StepRun) => {
    if (o.ipv6Slot === undefined) return undefined;
    const block = typed(vpcKind, vpcStepId, run.record(vpcStepId)!).attrs.ipv6Cidr;
    if (!block) throw new Error(`internal: step ${o.id} needs the IPv6 block of ${vpcStepId}, which is not recorded`);
    return ipv6SubnetCidr(block, o.ipv6Slot);
  };
  const input = (run: StepRun) => {
    const v6 = ipv6Cidr(run);
    return {
      VpcId: run.ref(vpcStepId),
      ...(o.cidr ? { CidrBlock: o.cidr } : { Ipv6Native: true }),
      ...(v6 ? { Ipv6CidrBlock: v6 } : {}),
      AvailabilityZone: o.az,
      TagSpecifications: tagSpec("subnet", [...run.tags, { Key: "egress-cli:tier", Value: o.tier }]),
    };
  };
  const six = (s: Subnet) => s.Ipv6CidrBlockAssociationSet?.find((a) => liveIpv6Association(a.Ipv6CidrBlockState?.State))?.Ipv6CidrBlock;
  return ec2Step(type, {
    id: o.id,
    label: `${o.tier} subnet ${[o.cidr, o.ipv6Slot !== undefined ? "IPv6 /64" : undefined].filter(Boolean).join(" + ")} in ${o.az}`,
    dependsOn: [vpcStepId],
    meta: { az: o.az, ...(o.cidr ? { cidr: o.cidr } : {}), tier: o.tier },
    result: (s) => ({ id: s.SubnetId!, ...(six(s) ? { attrs: { ipv6Cidr: six(s), ...(s.Ipv6Native ? { ipv6Only: true } : {}) } } : {}) }),
    create: async (run) => (await (await ec2Of(run)).createSubnet(input(run))).Subnet!,
    dryRun: async (run) => void (await (await ec2Of(run)).createSubnet({ ...input(run), DryRun: true })),
    // IPv6 settings AWS takes only after creation (ModifySubnetAttribute, one attribute a call), checked
    // on every run so a crash between the create and them is finished by the re-run: dual-stack network
    // interfaces get an IPv6 address (as AWS documents for dual-stack subnets); IPv6-only ones are
    // named by resource, so their AAAA records resolve (there is no IPv4 address for an A record).
    settle:
      o.ipv6Slot === undefined
        ? undefined
        : async (run, result) => {
            const ec2 = await ec2Of(run);
            const s = await getSubnet(ec2, result.id!);
            if (!s) return;
            if (o.cidr && !s.AssignIpv6AddressOnCreation) await ec2.modifySubnetAttribute({ SubnetId: s.SubnetId, AssignIpv6AddressOnCreation: { Value: true } });
            if (!o.cidr && !s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsAAAARecord)
              await ec2.modifySubnetAttribute({ SubnetId: s.SubnetId, EnableResourceNameDnsAAAARecordOnLaunch: { Value: true } });
          },
  });
}
