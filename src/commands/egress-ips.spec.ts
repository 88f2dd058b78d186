// egress-ips's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  vpc: flag.variadic("vpc-id", "only these VPCs (else --plan: the plan's VPC, or --all-vpcs)").defaultIs("the plan's VPC when a plan file exists, else every VPC").completesPlanIds("vpc"),
  allVpcs: flag.bool("every VPC in the region"),
  allRegions: flag.bool("every VPC of every region enabled for the account (DescribeRegions)"),
  format: flag.value("format", "text (an address a line, # comments), json or csv").choices(["text", "json", "csv"] as const).defaultIs("text; json with --json"),
  check: flag.value("file", "compare with a committed list (a file this command wrote, a JSON array, or one IP a line); exit 3 and print the difference when they differ"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "egress-ips",
  description: "every static egress IP (zonal and regional NAT Elastic IPs, their AZ, the workloads the analyzer proves leave through each) for a vendor allowlist; --check FILE exits 3 when the live set differs",
  flags,
  examples: ["egress-cli egress-ips", "egress-cli egress-ips --format csv > allowlist.csv", "egress-cli egress-ips --check allowlist.csv   # in CI: exit 3 when the IPs changed"],
  run: async () => (await import("./egress-ips.js")).egressIpsCommand,
});
