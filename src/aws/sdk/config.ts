// What egress-cli takes from @smithy/core/config (see src/aws/sdk.ts): the SDK's own shared-config
// loader, so ~/.aws/config and ~/.aws/credentials are read exactly as the SDK (and the AWS CLI) reads them.
export {
  loadSharedConfigFiles,
} from "@smithy/core/config";
