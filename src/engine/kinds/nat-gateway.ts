// Kind "nat-gateway": a public NAT gateway (tagged, client token). Its step waits until it is
// available; its deleter until it is deleted (so its address can be released).
import { CreateNatGatewayCommand, DeleteNatGatewayCommand, type NatGateway } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { getNatGateway, listNatGateways } from "../../aws/ec2.js";
import { planFilters, tagSpec } from "../../aws/tags.js";
import { waitWithSpinner } from "../../aws/wait.js";
import type { StepDef } from "../engine.js";
import { ec2Of, ignoreNotFound } from "./common.js";
import { byTags, defineKind, stepTag } from "./kind.js";
import { taggedStep } from "./tagged.js";

/** How long AWS usually takes to make a NAT gateway available / deleted (shown next to the elapsed time). */
const NAT_USUAL_MS = { create: 90_000, delete: 60_000 };

export const natGatewayKind = defineKind({
  kind: "nat-gateway",
  attrs: z.looseObject({
    state: z.string().optional(),
    publicIp: z.string().optional(),
    privateIp: z.string().optional(),
    allocationId: z.string().optional(),
    subnetId: z.string().optional(),
  }),
  owner: async (ctx, rec, plan) => {
    const n = await getNatGateway(await ec2Of(ctx), rec.id!);
    return byTags(n && n.State !== "deleted" ? n : undefined, plan);
  },
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    const n = await getNatGateway(ec2, rec.id!);
    if (!n || n.State === "deleted") return;
    if (n.State !== "deleting") await ignoreNotFound(ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: rec.id! })));
    await waitWithSpinner(
      ctx,
      `NAT gateway ${rec.id} to be deleted`,
      async () => {
        const cur = await getNatGateway(ec2, rec.id!);
        return !cur || cur.State === "deleted" ? { done: true } : { done: false, status: cur.State };
      },
      () => `NAT gateway ${rec.id} deleted`,
      NAT_USUAL_MS.delete,
    );
  },
  async sweep(ctx, plan) {
    const nats = await listNatGateways(await ec2Of(ctx), [...planFilters(plan), { Name: "state", Values: ["pending", "available", "failed", "deleting"] }]);
    return nats.map((n) => ({
      kind: "nat-gateway",
      id: n.NatGatewayId!,
      step: stepTag(n.Tags),
      refs: [n.SubnetId, n.NatGatewayAddresses?.[0]?.AllocationId].filter((x): x is string => Boolean(x)),
    }));
  },
});

export const natAttrs = (n: NatGateway) => {
  const addr = n.NatGatewayAddresses?.[0];
  return { state: n.State, publicIp: addr?.PublicIp, privateIp: addr?.PrivateIp, allocationId: addr?.AllocationId, subnetId: n.SubnetId };
};

export function natGatewayStep(o: { id: string; az: string; subnetStep: string; eipStep: string; dependsOn: string[] }): StepDef {
  return taggedStep<NatGateway>({
    id: o.id,
    kind: natGatewayKind.kind,
    label: `NAT gateway in ${o.az}`,
    dependsOn: [o.subnetStep, o.eipStep, ...o.dependsOn],
    meta: { az: o.az },
    get: async (run, id) => getNatGateway(await ec2Of(run), id),
    find: async (run) => listNatGateways(await ec2Of(run), [...run.stepFilters, { Name: "state", Values: ["pending", "available"] }]),
    live: (n) => n.State === "pending" || n.State === "available",
    result: (n) => ({ id: n.NatGatewayId!, attrs: natAttrs(n) }),
    create: async (run) =>
      (
        await (await ec2Of(run)).send(
          new CreateNatGatewayCommand({
            SubnetId: run.ref(o.subnetStep),
            AllocationId: run.ref(o.eipStep),
            ConnectivityType: "public",
            ClientToken: run.clientToken,
            TagSpecifications: tagSpec("natgateway", run.tags),
          }),
        )
      ).NatGateway!,
    async settle(run, result) {
      const ec2 = await ec2Of(run);
      const nat = await waitWithSpinner(
        run.ctx,
        `NAT gateway ${result.id} in ${o.az} to become available`,
        async () => {
          const n = await getNatGateway(ec2, result.id!);
          if (!n) return { done: false, status: "not visible yet" };
          if (n.State === "available") return { done: true, value: n };
          if (n.State === "failed") return { done: false, failure: `went to state failed: ${n.FailureCode ?? ""} ${n.FailureMessage ?? ""}`.trim() };
          if (n.State === "deleting" || n.State === "deleted") return { done: false, failure: `is ${n.State}` };
          return { done: false, status: n.State };
        },
        (n) => `NAT gateway ${result.id} in ${o.az} is available (${natAttrs(n).publicIp})`,
        NAT_USUAL_MS.create,
      );
      return { id: result.id, attrs: natAttrs(nat) };
    },
    dryRun: async (run) =>
      void (await (await ec2Of(run)).send(new CreateNatGatewayCommand({ SubnetId: run.ref(o.subnetStep), AllocationId: run.ref(o.eipStep), DryRun: true }))),
  });
}

export default natGatewayKind;
