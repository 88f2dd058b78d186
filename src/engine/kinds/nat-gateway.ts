// Kind "nat-gateway": a public NAT gateway (tagged, client token). Its step waits until it is
// available; its deleter until it is deleted (so its address can be released).
import type { NatGateway } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../../aws/ec2-api.js";
import * as z from "zod";
import { getNatGateway, listNatGateways } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import { type BatchDescribe, waitBatched } from "../../aws/wait.js";
import type { StepDef } from "../engine.js";
import { deleteAndWaitBatched, ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";

/** How long AWS usually takes to make a NAT gateway available / deleted (shown next to the elapsed time). */
const NAT_USUAL_MS = { create: 90_000, delete: 60_000 };

/** What the plan keeps of a NAT gateway: its state and addresses (status and add-nat read them). */
const NatAttrs = z.looseObject(Object.fromEntries(["state", "publicIp", "privateIp", "allocationId", "subnetId"].map((k) => [k, z.string().optional()])));

/** NAT gateways awaited at once are polled together (a filter, not NatGatewayIds: an id not visible yet is just absent). */
const natBatch = (ec2: Ec2Api): BatchDescribe<NatGateway> => ({
  client: ec2,
  kind: "nat-gateway",
  describe: (ids) => listNatGateways(ec2, [{ Name: "nat-gateway-id", Values: ids }]),
  idOf: (n) => n.NatGatewayId,
});

const type: Ec2Type<NatGateway> = {
  kind: "nat-gateway",
  get: getNatGateway,
  // A failed or deleting NAT gateway of the plan still has to be deleted (or waited for).
  list: (ec2, f) => listNatGateways(ec2, [...f, { Name: "state", Values: ["pending", "available", "failed", "deleting"] }]),
  idOf: (n) => n.NatGatewayId!,
  refs: (n) => [n.SubnetId, n.NatGatewayAddresses?.[0]?.AllocationId],
};

export const natGatewayKind = defineKind({
  kind: "nat-gateway",
  attrs: NatAttrs,
  ...ec2KindParts({ ...type, live: (n) => n.State !== "deleted" }, (ctx, ec2, id, seen) =>
    deleteAndWaitBatched(
      ctx,
      `NAT gateway ${id}`,
      natBatch(ec2),
      id,
      (n) => ({ gone: !n || n.State === "deleted", deleting: n?.State === "deleting", status: n?.State }),
      () => ec2.deleteNatGateway({ NatGatewayId: id }),
      NAT_USUAL_MS.delete,
      seen,
    ),
  ),
});

export const natAttrs = (n: NatGateway) => {
  const addr = n.NatGatewayAddresses?.[0];
  return { state: n.State, publicIp: addr?.PublicIp, privateIp: addr?.PrivateIp, allocationId: addr?.AllocationId, subnetId: n.SubnetId };
};

export function natGatewayStep(o: { id: string; az: string; subnetStep: string; eipStep: string; dependsOn: string[] }): StepDef {
  return ec2Step(type, {
    id: o.id,
    label: `NAT gateway in ${o.az}`,
    dependsOn: [o.subnetStep, o.eipStep, ...o.dependsOn],
    meta: { az: o.az },
    live: (n) => n.State === "pending" || n.State === "available",
    result: (n) => ({ id: n.NatGatewayId!, attrs: natAttrs(n) }),
    create: async (run) =>
      (
        await (await ec2Of(run)).createNatGateway({
            SubnetId: run.ref(o.subnetStep),
            AllocationId: run.ref(o.eipStep),
            ConnectivityType: "public",
            ClientToken: run.clientToken,
            TagSpecifications: tagSpec("natgateway", run.tags),
          })
      ).NatGateway!,
    async settle(run, result) {
      // available as AWS answered it (CreateNatGateway on an emulator, or the verify/adopt read): no poll
      if (result.attrs?.state === "available") return result;
      const ec2 = await ec2Of(run);
      const nat = await waitBatched(
        run.ctx,
        `NAT gateway ${result.id} in ${o.az} to become available`,
        natBatch(ec2),
        result.id!,
        (n) => {
          if (!n) return { done: false, status: "not visible yet" };
          if (n.State === "available") return { done: true, value: n };
          if (n.State === "failed") return { done: false, failure: `went to state failed: ${n.FailureCode ?? ""} ${n.FailureMessage ?? ""}`.trim() };
          if (n.State === "deleting" || n.State === "deleted") return { done: false, failure: `is ${n.State}` };
          return { done: false, status: n.State };
        },
        (n) => `NAT gateway ${result.id} in ${o.az} is available (${natAttrs(n).publicIp})`,
        NAT_USUAL_MS.create,
        // "pending" was just answered (CreateNatGateway, or the verify/adopt read): the next look a poll delay later
        { justChanged: result.attrs?.state === "pending" },
      );
      return { id: result.id, attrs: natAttrs(nat) };
    },
    dryRun: async (run) =>
      void (await (await ec2Of(run)).createNatGateway({ SubnetId: run.ref(o.subnetStep), AllocationId: run.ref(o.eipStep), DryRun: true })),
  });
}

export default natGatewayKind;
