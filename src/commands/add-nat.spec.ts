// add-nat's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";
import { parse } from "../cli/options.js";

export const flags = {
  mode: flag.value("mode", "one NAT for all AZs, one per AZ (HA), or one regional NAT gateway across the AZs").choices(["single", "per-az", "regional"] as const).default("single"),
  eip: flag.variadic("allocation-id", "use your own Elastic IP(s) (never released by destroy)", parse.id("eipalloc", "an Elastic IP allocation")).default([], null),
  az: flag.variadic("az", "AZ(s) for the NAT gateway(s)"),
  azEip: flag.repeated("az=allocation-id,...", "--mode regional, manual mode: your Elastic IP per AZ (us-east-1a=eipalloc-…); repeat or comma-separate").default([], null),
  reuseEips: flag.bool("change mode (per-az ↔ regional) keeping the plan's Elastic IPs, AZ by AZ"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "add-nat",
  description: "add NAT gateway(s) with Elastic IPs and route the private subnets through them",
  flags,
  examples: ["egress-cli add-nat --mode per-az         # one per AZ (HA)", "egress-cli add-nat --mode regional --az-eip us-east-1a=eipalloc-0123456789abcdef0,us-east-1b=eipalloc-0fedcba9876543210   # your allow-listed IPs", "egress-cli add-nat --mode regional --reuse-eips   # per-az → regional, same IPs"],
  run: async () => (await import("./add-nat.js")).addNatCommand,
});
