// create-vpc's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";
import { parse } from "../cli/options.js";

export const flags = {
  name: flag.value("name", "[required for a new plan] plan name (tags every resource: egress-cli:plan=<name>)", parse.name()),
  cidr: flag.value("cidr|auto", "VPC IPv4 CIDR (/16–/28), or auto: a private range overlapping no VPC in the region", parse.vpcCidr()).defaultIs("auto"),
  azs: flag.value("k", "number of availability zones", parse.int("azs", 1, 6)).default(2),
  publicSubnets: flag.value("k", "public subnets per AZ; 0 = no internet gateway", parse.int("public-subnets", 0, 4)).default(1),
  privateSubnets: flag.value("k", "private subnets per AZ", parse.int("private-subnets", 0, 4)).default(1),
  subnetPrefix: flag.value("p", "subnet prefix length, e.g. 20", parse.int("subnet-prefix", 16, 28)).defaultIs("the largest that fits"),
  ipv6: flag.bool("dual-stack: an Amazon-provided IPv6 /56, a /64 per subnet, ::/0 → IGW (public) and → an egress-only IGW (private)"),
  ipv6OnlyPrivate: flag.bool("private subnets IPv6-only (no IPv4 block; implies --ipv6)"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "create-vpc",
  description: "create a VPC with public and private subnets over K AZs, an internet gateway and route tables",
  flags,
  examples: ["egress-cli create-vpc --name sms-api --cidr 10.0.0.0/16 --azs 2", "egress-cli create-vpc --name rotation --public-subnets 0   # private only: no IGW, no NAT", "egress-cli create-vpc --name v6 --ipv6 --ipv6-only-private   # dual-stack public, IPv6-only private"],
  run: async () => (await import("./create-vpc.js")).createVpcCommand,
});
