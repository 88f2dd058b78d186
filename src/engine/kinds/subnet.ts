// Kind "subnet": a public or private subnet of the plan's VPC (tagged with its tier too).
import { CreateSubnetCommand, DeleteSubnetCommand, type Subnet } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { getSubnet, listSubnets } from "../../aws/ec2.js";
import { planFilters, tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of, retryDependency } from "./common.js";
import { byTags, defineKind, stepTag } from "./kind.js";
import { taggedStep } from "./tagged.js";

export const subnetKind = defineKind({
  kind: "subnet",
  /** Imported subnets record the route table that decides their routes. */
  attrs: z.looseObject({ routeTableId: z.string().optional() }),
  owner: async (ctx, rec, plan) => byTags(await getSubnet(await ec2Of(ctx), rec.id!), plan),
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    await retryDependency(ctx, () => ec2.send(new DeleteSubnetCommand({ SubnetId: rec.id! })));
  },
  async sweep(ctx, plan) {
    return (await listSubnets(await ec2Of(ctx), planFilters(plan))).map((s) => ({ kind: "subnet", id: s.SubnetId!, step: stepTag(s.Tags), refs: [s.VpcId!] }));
  },
});

export function subnetStep(o: { id: string; cidr: string; az: string; tier: "public" | "private"; vpcStep?: string }): StepDef {
  const vpcStepId = o.vpcStep ?? "vpc";
  const input = (run: StepRun) => ({
    VpcId: run.ref(vpcStepId),
    CidrBlock: o.cidr,
    AvailabilityZone: o.az,
    TagSpecifications: tagSpec("subnet", [...run.tags, { Key: "egress-cli:tier", Value: o.tier }]),
  });
  return taggedStep<Subnet>({
    id: o.id,
    kind: subnetKind.kind,
    label: `${o.tier} subnet ${o.cidr} in ${o.az}`,
    dependsOn: [vpcStepId],
    meta: { az: o.az, cidr: o.cidr, tier: o.tier },
    get: async (run, id) => getSubnet(await ec2Of(run), id),
    find: async (run) => listSubnets(await ec2Of(run), run.stepFilters),
    result: (s) => ({ id: s.SubnetId! }),
    create: async (run) => (await (await ec2Of(run)).send(new CreateSubnetCommand(input(run)))).Subnet!,
    dryRun: async (run) => void (await (await ec2Of(run)).send(new CreateSubnetCommand({ ...input(run), DryRun: true }))),
  });
}

export default subnetKind;
