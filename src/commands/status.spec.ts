// status's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";
import { parse } from "../cli/options.js";

export const flags = {
  offline: flag.bool("read the plan only; make no AWS call"),
  gbPerMonth: flag.value("gb", "expected GB/month through the NAT gateways, for the cost estimate", parse.amount("gb-per-month")),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "status",
  description: "what the plan holds, the static egress IPs, and a monthly cost estimate",
  flags,
  examples: ["egress-cli status", "egress-cli status --gb-per-month 500", "egress-cli status --offline --json"],
  run: async () => (await import("./status.js")).statusCommand,
});
