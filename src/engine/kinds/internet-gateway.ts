// Kind "internet-gateway": the plan's IGW (tagged). Its deleter detaches it from wherever it is
// attached, recorded or not (a crash can land between AttachInternetGateway and its record).
import { CreateInternetGatewayCommand, DeleteInternetGatewayCommand, DetachInternetGatewayCommand, type InternetGateway } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { errorCode } from "../../aws/errors.js";
import { getInternetGateway, listInternetGateways } from "../../aws/ec2.js";
import { planFilters, tagSpec } from "../../aws/tags.js";
import type { StepDef } from "../engine.js";
import { ec2Of, retryDependency } from "./common.js";
import { byTags, defineKind, stepTag } from "./kind.js";
import { taggedStep } from "./tagged.js";

export const internetGatewayKind = defineKind({
  kind: "internet-gateway",
  attrs: z.looseObject({}),
  owner: async (ctx, rec, plan) => byTags(await getInternetGateway(await ec2Of(ctx), rec.id!), plan),
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    const g = await getInternetGateway(ec2, rec.id!);
    if (!g) return;
    for (const a of g.Attachments ?? []) {
      if (!a.VpcId || a.State === "detached") continue;
      try {
        await retryDependency(ctx, () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: rec.id!, VpcId: a.VpcId })));
      } catch (err) {
        if (errorCode(err) !== "Gateway.NotAttached") throw err;
      }
    }
    await retryDependency(ctx, () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: rec.id! })));
  },
  async sweep(ctx, plan) {
    return (await listInternetGateways(await ec2Of(ctx), planFilters(plan))).map((g) => ({
      kind: "internet-gateway",
      id: g.InternetGatewayId!,
      step: stepTag(g.Tags),
      refs: [],
      attachedTo: g.Attachments?.[0]?.VpcId,
    }));
  },
});

export function internetGatewayStep(): StepDef {
  return taggedStep<InternetGateway>({
    id: "igw",
    kind: internetGatewayKind.kind,
    label: "internet gateway",
    get: async (run, id) => getInternetGateway(await ec2Of(run), id),
    find: async (run) => listInternetGateways(await ec2Of(run), run.stepFilters),
    result: (g) => ({ id: g.InternetGatewayId! }),
    create: async (run) => (await (await ec2Of(run)).send(new CreateInternetGatewayCommand({ TagSpecifications: tagSpec("internet-gateway", run.tags) }))).InternetGateway!,
    dryRun: async (run) => void (await (await ec2Of(run)).send(new CreateInternetGatewayCommand({ DryRun: true }))),
  });
}

export default internetGatewayKind;
