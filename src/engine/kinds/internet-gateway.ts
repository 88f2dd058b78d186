// Kind "internet-gateway": the plan's IGW (tagged). Its deleter detaches it from wherever it is
// attached, recorded or not (a crash can land between AttachInternetGateway and its record).
import type { InternetGateway } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { errorCode } from "../../aws/errors.js";
import { getInternetGateway, listInternetGateways } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef } from "../engine.js";
import { deleteReleasing, ec2Of, retryDependency } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";


const type: Ec2Type<InternetGateway> = {
  kind: "internet-gateway",
  get: getInternetGateway,
  list: (ec2, f) => listInternetGateways(ec2, f),
  idOf: (g) => g.InternetGatewayId!,
  resourceType: "internet-gateway",
  // An orphan gateway still attached to a VPC gets an attachment record too (destroy detaches it first).
  attachedTo: (g) => g.Attachments?.[0]?.VpcId,
};

export const internetGatewayKind = defineKind({
  kind: type.kind,
  attrs: z.looseObject({}),
  // Deleted at once: its attachment record was undone first. Still attached (an attachment a crash left
  // unrecorded): detached from wherever it is, then deleted.
  ...ec2KindParts(type, (ctx, ec2, id) =>
    deleteReleasing(
      () => ec2.deleteInternetGateway({ InternetGatewayId: id }),
      () => getInternetGateway(ec2, id),
      async (g) => {
        for (const a of g.Attachments ?? []) {
          if (!a.VpcId || a.State === "detached") continue;
          try {
            await retryDependency(ctx, () => ec2.detachInternetGateway({ InternetGatewayId: id, VpcId: a.VpcId }));
          } catch (err) {
            if (errorCode(err) !== "Gateway.NotAttached") throw err;
          }
        }
      },
    ),
  ),
});
export default internetGatewayKind;

export function internetGatewayStep(): StepDef {
  return ec2Step(type, {
    id: "igw",
    label: "internet gateway",
    result: (g) => ({ id: g.InternetGatewayId! }),
    create: async (run) => (await (await ec2Of(run)).createInternetGateway({ TagSpecifications: tagSpec("internet-gateway", run.tags) })).InternetGateway!,
    dryRun: async (run) => void (await (await ec2Of(run)).createInternetGateway({ DryRun: true })),
  });
}
