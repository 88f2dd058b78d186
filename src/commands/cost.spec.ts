// cost's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";
import { parse } from "../cli/options.js";

export const flags = {
  snapshot: flag.value("file", "price this snapshot file instead of a live snapshot"),
  vpc: flag.variadic("vpc-id", "only these VPCs").defaultIs("the plan's VPCs when a plan file exists, else every VPC").completesPlanIds("vpc"),
  allVpcs: flag.bool("every VPC in the region"),
  gbPerMonth: flag.value("gb", "expected GB/month through the NAT gateways (split over them), for the data-processing line", parse.amount("gb-per-month")),
  compareNatModes: flag.bool("also price single, per-AZ and regional NAT side by side for each VPC's workload AZs"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "cost",
  description: "the egress bill by VPC (NAT gateway hours and GB, public IPv4, interface endpoints) with the savings the audit's cost rules find",
  flags,
  examples: ["egress-cli cost --all-vpcs", "egress-cli cost --snapshot snap.json --json", "egress-cli cost --compare-nat-modes --gb-per-month 500"],
  run: async () => (await import("./cost.js")).costCommand,
});
