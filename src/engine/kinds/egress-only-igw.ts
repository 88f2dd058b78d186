// Kind "egress-only-igw": the plan's egress-only internet gateway (IPv6 out, nothing in; tagged at
// creation, client token). It is attached to its VPC from creation to deletion (AWS has no attach or
// detach call), so it is one record; routes to it are route records of their own.
import type { EgressOnlyInternetGateway } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { orUndefined } from "../../aws/ec2.js";
import type { Ec2Api } from "../../aws/ec2-api.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef } from "../engine.js";
import { ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";

// DescribeEgressOnlyInternetGateways takes tag filters only (AWS documents no other), which is all a sweep needs.
const type: Ec2Type<EgressOnlyInternetGateway> = {
  kind: "egress-only-igw",
  get: async (ec2: Ec2Api, id: string) => (await orUndefined(ec2.describeEgressOnlyInternetGateways({ EgressOnlyInternetGatewayIds: [id] })))?.[0],
  list: (ec2, f) => ec2.describeEgressOnlyInternetGateways({ Filters: f }),
  idOf: (g) => g.EgressOnlyInternetGatewayId!,
  refs: (g) => [g.Attachments?.[0]?.VpcId],
};

export const egressOnlyIgwKind = defineKind({
  kind: type.kind,
  attrs: z.looseObject({ vpcId: z.string().optional() }),
  ...ec2KindParts(type, (_ctx, ec2, id) => ec2.deleteEgressOnlyInternetGateway({ EgressOnlyInternetGatewayId: id })),
});
export default egressOnlyIgwKind;

export function egressOnlyIgwStep(): StepDef {
  return ec2Step(type, {
    id: "eigw",
    label: "egress-only internet gateway",
    dependsOn: ["vpc"],
    result: (g) => ({ id: g.EgressOnlyInternetGatewayId!, attrs: { vpcId: g.Attachments?.[0]?.VpcId } }),
    create: async (run) =>
      (await (await ec2Of(run)).createEgressOnlyInternetGateway({ VpcId: run.ref("vpc"), ClientToken: run.clientToken, TagSpecifications: tagSpec("egress-only-internet-gateway", run.tags) })).EgressOnlyInternetGateway!,
    dryRun: async (run) => void (await (await ec2Of(run)).createEgressOnlyInternetGateway({ VpcId: run.ref("vpc"), DryRun: true })),
  });
}
