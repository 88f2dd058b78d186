// Kind "network-interface": a network interface egress-cli creates itself — today only the
// temporary Reachability Analyzer source of `analyze-path --from subnet-…` (src/engine/temp-eni.ts),
// recorded before it exists, tagged with the plan, deleted after the analysis. destroy and the
// orphan sweep find what a crash left by its tags, like every other kind.
import type { NetworkInterface } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { matchesTagFilters, planFilters } from "../../aws/tags.js";
import { ec2Of, ignoreNotFound } from "./common.js";
import { byTags, defineKind, stepTag } from "./kind.js";

async function getNetworkInterface(ec2: Awaited<ReturnType<typeof ec2Of>>, id: string): Promise<NetworkInterface | undefined> {
  try {
    return (await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: [id] }))[0];
  } catch {
    return undefined;
  }
}

export const networkInterfaceKind = defineKind({
  kind: "network-interface",
  attrs: z.looseObject({ subnetId: z.string().optional(), temporary: z.boolean().optional(), purpose: z.string().optional() }),
  owner: async (ctx, rec, plan) => {
    const eni = await getNetworkInterface(await ec2Of(ctx), rec.id!);
    return byTags(eni ? { Tags: eni.TagSet } : undefined, plan);
  },
  async delete(ctx, rec) {
    await ignoreNotFound((await ec2Of(ctx)).deleteNetworkInterface({ NetworkInterfaceId: rec.id! }));
  },
  async sweep(ctx, plan) {
    const filters = planFilters(plan);
    return (await (await ec2Of(ctx)).describeNetworkInterfaces({ Filters: filters })).filter((e) => matchesTagFilters(e.TagSet, filters)).map((e) => ({ kind: "network-interface", id: e.NetworkInterfaceId!, step: stepTag(e.TagSet), refs: [e.SubnetId!, ...(e.Groups ?? []).map((g) => g.GroupId!)] }));
  },
});

export default networkInterfaceKind;
