// What egress-cli takes from @aws-sdk/client-lambda (see src/aws/sdk.ts): the built CLI bundles only these.
export {
  LambdaClient,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
  paginateListEventSourceMappings,
  paginateListFunctions,
} from "@aws-sdk/client-lambda";
