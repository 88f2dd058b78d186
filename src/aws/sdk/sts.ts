// What egress-cli takes from @aws-sdk/client-sts (see src/aws/sdk.ts): the built CLI bundles only these.
export {
  STSClient,
  GetCallerIdentityCommand,
} from "@aws-sdk/client-sts";
