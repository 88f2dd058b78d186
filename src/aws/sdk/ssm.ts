// What egress-cli takes from @aws-sdk/client-ssm (see src/aws/sdk.ts): the built CLI bundles only these.
export {
  SSMClient,
  GetCommandInvocationCommand,
  GetParameterCommand,
  SendCommandCommand,
  paginateDescribeInstanceInformation,
} from "@aws-sdk/client-ssm";
