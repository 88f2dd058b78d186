// Kind "elastic-ip": the address of a NAT gateway (tagged), or one the user brought (--eip:
// recorded owned:false, never released).
import type { Address } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { CliError } from "../../errors.js";
import { errorCode } from "../../aws/errors.js";
import { getAddress, listAddresses } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";


const type: Ec2Type<Address> = { kind: "elastic-ip", get: getAddress, list: (ec2, f) => listAddresses(ec2, f), idOf: (a) => a.AllocationId!, resourceType: "elastic-ip" };

export const elasticIpKind = defineKind({
  kind: "elastic-ip",
  attrs: z.looseObject({ publicIp: z.string().optional() }),
  ...ec2KindParts(type, async (_ctx, ec2, id) => {
    try {
      await ec2.releaseAddress({ AllocationId: id });
    } catch (err) {
      // Still associated for a moment after its NAT gateway was deleted.
      if (errorCode(err) === "InvalidIPAddress.InUse") throw Object.assign(new Error((err as Error).message), { name: "DependencyViolation" });
      throw err;
    }
  }),
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
  return ec2Step(type, {
    id: o.id,
    label: `Elastic IP for the NAT gateway in ${o.az}`,
    meta: { az: o.az },
    result: (a) => ({ id: a.AllocationId!, attrs: { publicIp: a.PublicIp } }),
    create: async (run) => {
      const r = await (await ec2Of(run)).allocateAddress({ Domain: "vpc", TagSpecifications: tagSpec("elastic-ip", run.tags) });
      return { AllocationId: r.AllocationId, PublicIp: r.PublicIp };
    },
    dryRun: async (run) => void (await (await ec2Of(run)).allocateAddress({ Domain: "vpc", DryRun: true })),
  });
}

export default elasticIpKind;
