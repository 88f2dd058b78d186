// add-endpoint's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  subnets: flag.value("private|ids", "interface endpoints: the plan's private subnets, or a comma-separated list").defaultIs("private"),
  allowFrom: flag.variadic("source", "who may connect on 443: lambda:NAME, sg-…, or a CIDR").default([], "the VPC CIDR"),
  policy: flag.value("full|least-privilege|file", "endpoint policy").defaultIs("full, with a warning where a narrower template exists; least-privilege with --for, or for secretsmanager with --resource"),
  principal: flag.variadic("arn", "least-privilege secretsmanager: the roles allowed").default([], "the roles of lambda: sources"),
  resource: flag.variadic("arn", "least-privilege secretsmanager: the secret ARNs allowed").default([], null),
  privateDns: flag.toggle("resolve the service's public name to the endpoint (default)", "keep the service's public DNS name pointing at the public endpoint"),
  allowPublicSource: flag.bool("accept --allow-from CIDRs that admit more than a /8 of public addresses in total"),
  enableVpcDns: flag.bool("turn on enableDnsSupport/enableDnsHostnames when private DNS needs them"),
  for: flag.value("preset", "msk-esm: lambda + sts (+ secretsmanager with --sasl) for an MSK event source mapping"),
  sasl: flag.bool("--for msk-esm: the mapping reads SASL/SCRAM secrets (adds secretsmanager)"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "add-endpoint",
  description: "VPC endpoints: interface (one subnet per AZ, private DNS, a 443-only security group) or gateway (s3, dynamodb)",
  args: [{ name: "[service...]", help: "service names: secretsmanager, sts, lambda, ssm, logs, kms, ecr.api, ecr.dkr, s3, dynamodb, …" }],
  flags,
  examples: ["egress-cli add-endpoint secretsmanager --allow-from lambda:rotate-db-secret", "egress-cli add-endpoint s3 dynamodb                 # gateway endpoints (free)", "egress-cli add-endpoint --for msk-esm --allow-from sg-0123456789abcdef0 --enable-vpc-dns"],
  run: async () => (await import("./add-endpoint.js")).addEndpointCommand,
});
