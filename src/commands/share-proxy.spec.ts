// share-proxy's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  shareWith: flag.repeated("account-id|ou-arn", "share the proxy with this account (12 digits) or organizational unit (ARN); repeat"),
  domain: flag.value("name", "custom domain for the consumers' private DNS; prints the TXT record its verification needs"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "share-proxy",
  description: "PrivateLink to the proxy without a load balancer: a VPC Lattice resource gateway and one resource configuration per proxy, shared with RAM (--share-with)",
  flags,
  examples: ["egress-cli share-proxy", "egress-cli share-proxy --share-with 111122223333 --share-with 444455556666"],
  run: async () => (await import("./share-proxy.js")).shareProxyCommand,
});
