// What egress-cli takes from @aws-sdk/client-ram (see src/aws/sdk.ts): the built CLI bundles only these.
export {
  RAMClient,
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  GetResourceSharesCommand,
  paginateGetResourceShareAssociations,
  paginateGetResourceShares,
} from "@aws-sdk/client-ram";
