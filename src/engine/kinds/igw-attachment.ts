// Kind "igw-attachment": the plan's IGW attached to its VPC (a relation; adopted when it holds).
import * as z from "zod";
import { CliError } from "../../errors.js";
import { errorCode } from "../../aws/errors.js";
import { getInternetGateway, isAttachedTo } from "../../aws/ec2.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of, retryDependency } from "./common.js";
import { byRelation, defineKind } from "./kind.js";


export const igwAttachmentKind = defineKind({
  kind: "igw-attachment",
  attrs: z.looseObject({ internetGatewayId: z.string(), vpcId: z.string() }),
  owner: async (ctx, rec, plan) => byRelation(ctx, plan, [rec.attrs.internetGatewayId, rec.attrs.vpcId]),
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    try {
      await retryDependency(ctx, () => ec2.detachInternetGateway({ InternetGatewayId: rec.attrs.internetGatewayId, VpcId: rec.attrs.vpcId }));
    } catch (err) {
      if (errorCode(err) !== "Gateway.NotAttached") throw err;
    }
  },
});

export function igwAttachmentStep(): StepDef {
  const holds = async (run: StepRun) => {
    const igwId = run.ref("igw");
    const vpcId = run.ref("vpc");
    const g = await getInternetGateway(await ec2Of(run), igwId);
    if (!g || !isAttachedTo(g, vpcId)) {
      const other = g?.Attachments?.find((a) => (a.State as string) === "available" || a.State === "attached");
      if (other) throw new CliError(`Internet gateway ${igwId} is attached to ${other.VpcId}, not ${vpcId}.`);
      return undefined;
    }
    return { id: igwId, attrs: { internetGatewayId: igwId, vpcId } };
  };
  return {
    id: "igw/attachment",
    kind: igwAttachmentKind.kind,
    label: "internet gateway attachment",
    dependsOn: ["igw", "vpc"],
    changes: ["vpc"],
    // With no record of this step, no run of the plan ever attached it (the record is written before
    // the call): nothing to look for; an attachment made by someone else fails AttachInternetGateway
    // (Resource.AlreadyAssociated) instead.
    adoptsOnly: true,
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async create(run) {
      const igwId = run.ref("igw");
      const vpcId = run.ref("vpc");
      await (await ec2Of(run)).attachInternetGateway({ InternetGatewayId: igwId, VpcId: vpcId });
      return { id: igwId, attrs: { internetGatewayId: igwId, vpcId } };
    },
  };
}

export default igwAttachmentKind;
