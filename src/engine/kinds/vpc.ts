// Kind "vpc": the plan's VPC (tagged; adopted by its step tags). Deleted last.
import { CreateVpcCommand, DeleteVpcCommand, type Vpc } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { getVpc, listVpcs } from "../../aws/ec2.js";
import { planFilters, tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of, retryDependency } from "./common.js";
import { byTags, defineKind, stepTag } from "./kind.js";
import { taggedStep } from "./tagged.js";

export const vpcKind = defineKind({
  kind: "vpc",
  attrs: z.looseObject({}),
  owner: async (ctx, rec, plan) => byTags(await getVpc(await ec2Of(ctx), rec.id!), plan),
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    await retryDependency(ctx, () => ec2.send(new DeleteVpcCommand({ VpcId: rec.id! })));
  },
  async sweep(ctx, plan) {
    return (await listVpcs(await ec2Of(ctx), planFilters(plan))).map((v) => ({ kind: "vpc", id: v.VpcId!, step: stepTag(v.Tags), refs: [] }));
  },
});

export function vpcStep(cidr: string): StepDef {
  const input = (run: StepRun) => ({ CidrBlock: cidr, TagSpecifications: tagSpec("vpc", run.tags) });
  return taggedStep<Vpc>({
    id: "vpc",
    kind: vpcKind.kind,
    label: `VPC ${cidr}`,
    meta: { cidr },
    get: async (run, id) => getVpc(await ec2Of(run), id),
    find: async (run) => listVpcs(await ec2Of(run), run.stepFilters),
    result: (v) => ({ id: v.VpcId! }),
    create: async (run) => (await (await ec2Of(run)).send(new CreateVpcCommand(input(run)))).Vpc!,
    dryRun: async (run) => void (await (await ec2Of(run)).send(new CreateVpcCommand({ ...input(run), DryRun: true }))),
  });
}

export default vpcKind;
