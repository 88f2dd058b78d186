// Kind "ec2-instance": an EC2 instance (today the egress proxies of launch-proxy). Created by
// RunInstances with TagSpecifications and a ClientToken (a re-run after a lost answer gets the same
// instance back); its step waits until it is running. The deleter terminates it and waits until it
// is terminated: its network interface goes only then, and with it what keeps the subnet and the
// security group from being deleted. Destroy order: the instance before its subnet, group and
// instance profile (its step depends on them; a swept orphan names them as refs).
import type { Filter, Instance, RunInstancesCommandInput } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../../aws/ec2-api.js";
import * as z from "zod";
import { orUndefined } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import { type BatchDescribe, waitBatched } from "../../aws/wait.js";
import type { Plan } from "../../plans/schema.js";
import type { StepDef, StepRun } from "../engine.js";
import { deleteAndWaitBatched, ec2Of } from "./common.js";
import { defineKind, recordsOf } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";
import { byText } from "../../order.js";

/** How long AWS usually takes to run / terminate an instance (shown next to the elapsed time). */
const INSTANCE_USUAL_MS = { create: 30_000, delete: 60_000 };

/** Every state but terminated: what is still there to terminate (or wait for). */
const NOT_TERMINATED = ["pending", "running", "stopping", "stopped", "shutting-down"];

export const listInstances = async (ec2: Ec2Api, Filters?: Filter[], InstanceIds?: string[]): Promise<Instance[]> =>
  (await ec2.describeInstances({ Filters, InstanceIds, ...(InstanceIds ? {} : { MaxResults: 1000 }) })).flatMap((x) => x.Instances ?? []);

export const getInstance = async (ec2: Ec2Api, id: string) => (await orUndefined(listInstances(ec2, undefined, [id])))?.[0];

/** Instances awaited at once are polled together (a filter: an id not visible yet is just absent). */
const instanceBatch = (ec2: Ec2Api): BatchDescribe<Instance> => ({
  client: ec2,
  kind: "ec2-instance",
  describe: (ids) => listInstances(ec2, [{ Name: "instance-id", Values: ids }]),
  idOf: (i) => i.InstanceId,
});

const stateOf = (i: Instance | undefined) => i?.State?.Name ?? "unknown";
const profileName = (i: Instance) => i.IamInstanceProfile?.Arn?.split("/").pop();

const type: Ec2Type<Instance> = {
  kind: "ec2-instance",
  get: getInstance,
  list: (ec2, f) => listInstances(ec2, [...f, { Name: "instance-state-name", Values: NOT_TERMINATED }]),
  idOf: (i) => i.InstanceId!,
  refs: (i) => [i.SubnetId, ...(i.SecurityGroups ?? []).map((g) => g.GroupId), profileName(i)],
  live: (i) => stateOf(i) !== "terminated",
};

/** What the plan keeps of an instance (status, cost, share-proxy and proxy allow read it). */
const InstanceAttrs = z.lazy(() => z.looseObject({
  subnetId: z.string().optional(),
  az: z.string().optional(),
  privateIp: z.string().optional(),
  instanceType: z.string().optional(),
  imageId: z.string().optional(),
  state: z.string().optional(),
  securityGroupIds: z.array(z.string()).optional(),
  instanceProfileArn: z.string().optional(),
}));

export const instanceAttrs = (i: Instance) => ({
  subnetId: i.SubnetId,
  az: i.Placement?.AvailabilityZone,
  privateIp: i.PrivateIpAddress,
  instanceType: i.InstanceType,
  imageId: i.ImageId,
  state: i.State?.Name,
  securityGroupIds: (i.SecurityGroups ?? []).map((g) => g.GroupId!),
  instanceProfileArn: i.IamInstanceProfile?.Arn,
});

export const ec2InstanceKind = defineKind({
  kind: "ec2-instance",
  attrs: InstanceAttrs,
  ...ec2KindParts(type, (ctx, ec2, id, seen) =>
    deleteAndWaitBatched(
      ctx,
      `instance ${id}`,
      instanceBatch(ec2),
      id,
      (i) => ({ gone: !i || stateOf(i) === "terminated", deleting: stateOf(i) === "shutting-down", status: stateOf(i) }),
      () => ec2.terminateInstances({ InstanceIds: [id] }),
      INSTANCE_USUAL_MS.delete,
      seen,
    ),
  ),
});
export default ec2InstanceKind;

/** The launch parameters a step passes (the step adds MinCount/MaxCount, ClientToken and the tags). */
export type LaunchInput = Omit<RunInstancesCommandInput, "MinCount" | "MaxCount" | "ClientToken" | "TagSpecifications">;

/**
 * One instance, launched tagged (instance and root volume) with the step's client token, waited until
 * running. The image is recorded before the call: a re-run after a crash launches with the same one
 * (a newer AMI published in between would change the request, and EC2 refuses a client token reused
 * with other parameters).
 */
export function ec2InstanceStep(o: { id: string; az: string; label: string; dependsOn: string[]; imageId: string; launch(run: StepRun, imageId: string): Promise<LaunchInput> }): StepDef {
  const imageOf = (run: StepRun) => {
    const prior = run.record(o.id);
    const recorded = prior?.state === "pending" ? prior.attrs.imageId : undefined;
    return typeof recorded === "string" ? recorded : o.imageId;
  };
  return ec2Step(type, {
    id: o.id,
    label: o.label,
    dependsOn: o.dependsOn,
    meta: { az: o.az },
    // a stopping or stopped proxy is still this step's instance: settle says what is wrong with it
    live: (i) => !["shutting-down", "terminated"].includes(stateOf(i)),
    result: (i) => ({ id: i.InstanceId!, attrs: instanceAttrs(i) }),
    intent: async (run) => ({ imageId: imageOf(run) }),
    create: async (run) => {
      const input = await o.launch(run, imageOf(run));
      const r = await (await ec2Of(run)).runInstances({
          ...input,
          MinCount: 1,
          MaxCount: 1,
          ClientToken: run.clientToken,
          // not the network interface: a plan-tagged ENI would be swept as the plan's own ENI
          TagSpecifications: [...tagSpec("instance", run.tags), ...tagSpec("volume", run.tags)],
        });
      return r.Instances![0];
    },
    async settle(run, result) {
      const ec2 = await ec2Of(run);
      const i = await waitBatched(
        run.ctx,
        `instance ${result.id} in ${o.az} to be running`,
        instanceBatch(ec2),
        result.id!,
        (cur) => {
          if (!cur) return { done: false, status: "not visible yet" };
          const s = stateOf(cur);
          if (s === "running") return { done: true, value: cur };
          if (s !== "pending") return { done: false, failure: `is ${s}${cur.StateReason?.Message ? ` (${cur.StateReason.Message})` : ""}` };
          return { done: false, status: s };
        },
        (cur) => `instance ${result.id} in ${o.az} is running (${cur.PrivateIpAddress})`,
        INSTANCE_USUAL_MS.create,
      );
      return { id: result.id, attrs: instanceAttrs(i) };
    },
  });
}

export interface ProxyInstance {
  step: string;
  id: string;
  az: string | undefined;
  subnetId: string | undefined;
  privateIp: string | undefined;
  instanceType: string | undefined;
}

/** The plan's proxy instances (launch-proxy's proxy/<az>/instance records), by step. */
export function proxyInstances(plan: Pick<Plan, "resources">): ProxyInstance[] {
  return recordsOf(plan, ec2InstanceKind)
    .filter(([step]) => /^proxy\/[^/]+\/instance$/.test(step))
    .sort(([a], [b]) => byText(a, b))
    .map(([step, r]) => ({ step, id: r.id!, az: r.attrs.az ?? r.az, subnetId: r.attrs.subnetId, privateIp: r.attrs.privateIp, instanceType: r.attrs.instanceType }));
}
