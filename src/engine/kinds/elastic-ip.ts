// Kind "elastic-ip": the address of a NAT gateway (tagged), or one the user brought (--eip:
// recorded owned:false, never released).
import { AllocateAddressCommand, ReleaseAddressCommand, type Address } from "@aws-sdk/client-ec2";
import { z } from "zod";
import { CliError } from "../../errors.js";
import { errorCode } from "../../aws/errors.js";
import { getAddress, listAddresses } from "../../aws/ec2.js";
import { planFilters, tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of, retryDependency } from "./common.js";
import { byTags, defineKind, stepTag } from "./kind.js";
import { taggedStep } from "./tagged.js";

export const elasticIpKind = defineKind({
  kind: "elastic-ip",
  attrs: z.looseObject({ publicIp: z.string().optional() }),
  owner: async (ctx, rec, plan) => byTags(await getAddress(await ec2Of(ctx), rec.id!), plan),
  async delete(ctx, rec) {
    const ec2 = await ec2Of(ctx);
    await retryDependency(ctx, async () => {
      try {
        await ec2.send(new ReleaseAddressCommand({ AllocationId: rec.id! }));
      } catch (err) {
        // Still associated for a moment after its NAT gateway was deleted.
        if (errorCode(err) === "InvalidIPAddress.InUse") throw Object.assign(new Error((err as Error).message), { name: "DependencyViolation" });
        throw err;
      }
    });
  },
  async sweep(ctx, plan) {
    return (await listAddresses(await ec2Of(ctx), planFilters(plan))).map((a) => ({ kind: "elastic-ip", id: a.AllocationId!, step: stepTag(a.Tags), refs: [] }));
  },
});

export function elasticIpStep(o: { id: string; az: string; byoAllocationId?: string }): StepDef {
  if (o.byoAllocationId) {
    const allocationId = o.byoAllocationId;
    const find = async (run: StepRun) => {
      const a = await getAddress(await ec2Of(run), allocationId);
      return a ? { id: allocationId, attrs: { publicIp: a.PublicIp } } : undefined;
    };
    return {
      id: o.id,
      kind: elasticIpKind.kind,
      label: `your Elastic IP ${allocationId}`,
      owned: false,
      meta: { az: o.az },
      verify: (run) => find(run),
      discover: (run) => find(run),
      async create() {
        throw new CliError(`Elastic IP ${allocationId} no longer exists in this account/region.`);
      },
    };
  }
  return taggedStep<Address>({
    id: o.id,
    kind: elasticIpKind.kind,
    label: `Elastic IP for the NAT gateway in ${o.az}`,
    meta: { az: o.az },
    get: async (run, id) => getAddress(await ec2Of(run), id),
    find: async (run) => listAddresses(await ec2Of(run), run.stepFilters),
    result: (a) => ({ id: a.AllocationId!, attrs: { publicIp: a.PublicIp } }),
    create: async (run) => {
      const r = await (await ec2Of(run)).send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagSpec("elastic-ip", run.tags) }));
      return { AllocationId: r.AllocationId, PublicIp: r.PublicIp };
    },
    dryRun: async (run) => void (await (await ec2Of(run)).send(new AllocateAddressCommand({ Domain: "vpc", DryRun: true }))),
  });
}

export default elasticIpKind;
