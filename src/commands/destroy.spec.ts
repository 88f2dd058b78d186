// destroy's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  forgetMissing: flag.bool("a plan from before per-resource regions whose VPCs are all missing: delete what is left and forget the rest (else exit 2)"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "destroy",
  description: "delete everything the plan owns, in reverse order (imported resources and your EIPs are kept)",
  flags,
  examples: ["egress-cli destroy                # asks first on a terminal", "egress-cli destroy --yes", "egress-cli destroy --dry-run"],
  run: async () => (await import("./destroy.js")).destroyCommand,
});
