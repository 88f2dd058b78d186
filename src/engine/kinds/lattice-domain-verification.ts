// Kind "lattice-domain-verification": a VPC Lattice domain verification (StartDomainVerification) of the
// custom domain share-proxy gives the proxy's resource configurations (--domain): the TXT record the
// domain's owner publishes so consumers' private DNS can use it. Tagged; owned by its tags
// (ListTagsForResource); swept by listing and tags; deleted after the configurations that use it.
import type { GetDomainVerificationResponse } from "@aws-sdk/client-vpc-lattice";
import * as z from "zod";
import { orUndefined } from "../../aws/ec2.js";
import type { Context } from "../../context.js";
import type { StepDef } from "../engine.js";
import { latticeOf } from "./common.js";
import { byTags, defineKind, isOurs, stepTag, type Found } from "./kind.js";
import { latticeOwner, latticeTags, tagMap } from "./lattice-common.js";
import { taggedStep } from "./tagged.js";

type Verification = Pick<GetDomainVerificationResponse, "id" | "arn" | "domainName" | "status" | "txtMethodConfig">;

const getVerification = async (c: Context | { ctx: Context }, id: string): Promise<Verification | undefined> =>
  orUndefined((await latticeOf(c)).getDomainVerification({ domainVerificationIdentifier: id }));

const listVerifications = async (c: Context | { ctx: Context }): Promise<Verification[]> => (await latticeOf(c)).listDomainVerifications({});

const attrsOf = (v: Verification) => ({ arn: v.arn, domainName: v.domainName, status: v.status, txtName: v.txtMethodConfig?.name, txtValue: v.txtMethodConfig?.value });

export const domainVerificationKind = defineKind({
  kind: "lattice-domain-verification",
  attrs: z.looseObject({ arn: z.string().optional(), domainName: z.string().optional(), status: z.string().optional(), txtName: z.string().optional(), txtValue: z.string().optional() }),
  async owner(ctx, rec, plan) {
    const v = rec.id ? await getVerification(ctx, rec.id) : undefined;
    return v ? latticeOwner(ctx, v.arn, plan) : { gone: true };
  },
  async delete(ctx, rec) {
    const { ignoreNotFound } = await import("./common.js");
    await ignoreNotFound((await latticeOf(ctx)).deleteDomainVerification({ domainVerificationIdentifier: rec.id! }));
  },
  async sweep(ctx, plan): Promise<Found[]> {
    const out: Found[] = [];
    for (const v of await listVerifications(ctx)) {
      const tags = v.arn ? await latticeTags(ctx, v.arn) : undefined;
      if (tags && isOurs(byTags({ Tags: tags }, plan))) out.push({ kind: "lattice-domain-verification", id: v.id!, step: stepTag(tags), refs: [] });
    }
    return out;
  },
});
export default domainVerificationKind;

export function domainVerificationStep(o: { id: string; domainName: string }): StepDef {
  return taggedStep<Verification>({
    id: o.id,
    kind: domainVerificationKind.kind,
    label: `VPC Lattice domain verification of ${o.domainName}`,
    get: (run, id) => getVerification(run, id),
    find: async (run) => {
      const v = (await listVerifications(run)).find((x) => x.domainName === o.domainName);
      const tags = v?.arn ? await latticeTags(run, v.arn) : undefined;
      return v && tags && isOurs(byTags({ Tags: tags }, run.session.plan)) ? [v] : [];
    },
    result: (v) => ({ id: v.id!, attrs: attrsOf(v) }),
    create: async (run) => (await latticeOf(run)).startDomainVerification({ domainName: o.domainName, clientToken: run.clientToken.slice(0, 64), tags: tagMap(run.tags) }),
  });
}
