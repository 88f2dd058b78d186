// What egress-cli takes from @smithy/core/retry (see src/aws/sdk.ts): the built CLI bundles only these.
export {
  ConfiguredRetryStrategy,
} from "@smithy/core/retry";
