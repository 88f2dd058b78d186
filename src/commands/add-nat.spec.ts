// add-nat's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";
import { parse } from "../cli/options.js";

export const flags = {
  mode: flag.value("mode", "one NAT for all AZs, or one per AZ (HA)").choices(["single", "per-az"] as const).default("single"),
  eip: flag.variadic("allocation-id", "use your own Elastic IP(s) (never released by destroy)", parse.id("eipalloc", "an Elastic IP allocation")).default([], null),
  az: flag.variadic("az", "AZ(s) for the NAT gateway(s)"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "add-nat",
  description: "add NAT gateway(s) with Elastic IPs and route the private subnets through them",
  flags,
  examples: ["egress-cli add-nat                       # one NAT gateway, a new Elastic IP", "egress-cli add-nat --mode per-az         # one per AZ (HA)", "egress-cli add-nat --eip eipalloc-0123456789abcdef0   # your own, allow-listed IP"],
  run: async () => (await import("./add-nat.js")).addNatCommand,
});
