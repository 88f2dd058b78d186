// attach-lambda's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  function: flag.value("name|arn", "[required] the function (name, or ARN in the plan's region)"),
  securityGroup: flag.value("new|sg-id", "a new group with no ingress, or one of yours", (raw) => raw.trim()).default("new"),
  subnets: flag.value("private|ids", "the plan's private subnets, or a comma-separated list of subnet ids").defaultIs("private"),
  allowPublicSubnet: flag.bool("accept public subnets (a Lambda ENI never gets a public IP: no internet there)"),
  iam: flag.negated("never change the execution role; refuse if it cannot manage ENIs"),
  egressPort: flag.repeated("port[:cidr]", "the new group lets the function out on tcp 443 only; also allow this port, to the VPC's CIDR or to CIDR (5432, 8443:0.0.0.0/0); repeat").default([], null),
  takeOver: flag.bool("move a function whose VPC config is another plan's or in subnets not named here (else exit 2)"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "attach-lambda",
  description: "put a Lambda function in the plan's private subnets with its own security group; prints its egress IPs",
  flags,
  examples: ["egress-cli attach-lambda --function sms-sender", "egress-cli attach-lambda --function sms-sender --security-group sg-0123456789abcdef0", "egress-cli attach-lambda --function rotate-db-secret --egress-port 5432"],
  run: async () => (await import("./attach-lambda.js")).attachLambdaCommand,
});
