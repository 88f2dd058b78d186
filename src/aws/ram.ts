// AWS Resource Access Manager through only the operations egress-cli uses: sharing the proxy's
// VPC Lattice resource configuration with other accounts or OUs (S2). RAM tags are {key, value};
// this interface speaks the EC2-style {Key, Value} the rest of egress-cli uses. Get calls page through
// the SDK's paginators.
import type { ResourceShare, ResourceShareAssociation } from "@aws-sdk/client-ram";
import type { Context } from "../context.js";
import { over } from "./api.js";
import { errorCode } from "./errors.js";
import { ramSdk } from "./sdk.js";

export type Tag = { Key: string; Value: string };

export interface Share {
  resourceShareArn: string;
  name?: string;
  status?: string;
  allowExternalPrincipals?: boolean;
  Tags: Tag[];
}

export interface Ram {
  /** Shares this account owns, filtered by ARN and/or tags (DELETED ones included: callers decide). */
  ownShares(filter: { arns?: string[]; tags?: Tag[] }): Promise<Share[]>;
  create(input: { name: string; resourceArns: string[]; principals: string[]; clientToken: string; tags: Tag[] }): Promise<Share>;
  /** The share's associated principals or resources (status ASSOCIATED or ASSOCIATING). */
  associated(arn: string, type: "PRINCIPAL" | "RESOURCE"): Promise<string[]>;
  associate(arn: string, o: { principals?: string[]; resourceArns?: string[]; clientToken?: string }): Promise<void>;
  disassociate(arn: string, o: { principals?: string[]; resourceArns?: string[] }): Promise<void>;
  /** Deletes it; a share already gone (UnknownResourceException) or deleted is fine. */
  remove(arn: string): Promise<void>;
  /** One cheap read (GetResourceShares, maxResults 1): does this endpoint have RAM at all? */
  probe(): Promise<void>;
}

const toShare = (s: ResourceShare): Share => ({
  resourceShareArn: s.resourceShareArn!,
  name: s.name,
  status: s.status,
  allowExternalPrincipals: s.allowExternalPrincipals,
  Tags: (s.tags ?? []).map((t) => ({ Key: t.key ?? "", Value: t.value ?? "" })),
});

const GONE = new Set(["UnknownResourceException", "InvalidStateTransitionException"]);

export async function ramOf(c: Context | { ctx: Context }): Promise<Ram> {
  const ctx = "aws" in c ? c : c.ctx;
  const client = await (await ctx.aws()).ram();
  const sdk = ramSdk();
  const { all } = over(client);
  const shares = all(sdk.paginateGetResourceShares, (p) => p.resourceShares);
  const associations = all(sdk.paginateGetResourceShareAssociations, (p) => p.resourceShareAssociations);
  return {
    ownShares: async ({ arns, tags }) =>
      (
        await shares({
          resourceOwner: "SELF",
          ...(arns?.length ? { resourceShareArns: arns } : {}),
          ...(tags?.length ? { tagFilters: tags.map((t) => ({ tagKey: t.Key, tagValues: [t.Value] })) } : {}),
        })
      ).map(toShare),
    async create(i) {
      const r = await client.send(
        new sdk.CreateResourceShareCommand({
          name: i.name,
          resourceArns: i.resourceArns,
          principals: i.principals,
          // Account ids outside the caller's organization are external principals (S2's consumers).
          allowExternalPrincipals: true,
          clientToken: i.clientToken,
          tags: i.tags.map((t) => ({ key: t.Key, value: t.Value })),
        }),
      );
      return toShare(r.resourceShare!);
    },
    async associated(arn, type) {
      const rows: ResourceShareAssociation[] = await associations({ associationType: type, resourceShareArns: [arn] });
      return rows.filter((a) => a.status === "ASSOCIATED" || a.status === "ASSOCIATING").map((a) => a.associatedEntity!);
    },
    async associate(arn, o) {
      await client.send(new sdk.AssociateResourceShareCommand({ resourceShareArn: arn, principals: o.principals, resourceArns: o.resourceArns, clientToken: o.clientToken }));
    },
    async disassociate(arn, o) {
      await client.send(new sdk.DisassociateResourceShareCommand({ resourceShareArn: arn, principals: o.principals, resourceArns: o.resourceArns }));
    },
    probe: async () => void (await client.send(new sdk.GetResourceSharesCommand({ resourceOwner: "SELF", maxResults: 1 }))),
    async remove(arn) {
      try {
        await client.send(new sdk.DeleteResourceShareCommand({ resourceShareArn: arn }));
      } catch (err) {
        if (!GONE.has(errorCode(err))) throw err;
      }
    },
  };
}
