// connect-proxy's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  consumerVpc: flag.value("vpc-id", "[required] the VPC whose workloads use the proxy"),
  subnets: flag.value("ids", "[required] its subnets for the endpoints, comma-separated, one per AZ"),
  consumerProfile: flag.value("profile", "the consumer VPC is in another account: its AWS profile"),
  securityGroup: flag.repeated("sg-id", "use this group of the consumer VPC instead of a new one admitting the proxy port from its CIDR; repeat"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "connect-proxy",
  description: "a Resource VPC endpoint per shared proxy in a consumer VPC (overlapping CIDRs fine); prints the HTTPS_PROXY lines to use",
  flags,
  examples: ["egress-cli connect-proxy --consumer-vpc vpc-0123456789abcdef0 --subnets subnet-0123456789abcdef0,subnet-0fedcba9876543210", "egress-cli connect-proxy --consumer-vpc vpc-0123456789abcdef0 --subnets subnet-0123456789abcdef0 --consumer-profile team-a"],
  run: async () => (await import("./connect-proxy.js")).connectProxyCommand,
});
