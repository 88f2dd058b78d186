// import's declaration: flags, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";
import { parse } from "../cli/options.js";

export const flags = {
  vpc: flag.value("vpc-id", "the VPC to import", parse.id("vpc", "a VPC")).required(),
  name: flag.value("name", "plan name", parse.name()).required(),
  shared: flag.bool("import although the VPC holds another egress-cli plan's resources (they stay untouched: no command changes them)"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "import",
  description: "adopt an existing VPC into a plan (nothing imported is ever deleted)",
  flags,
  examples: ["egress-cli import --vpc vpc-0123456789abcdef0 --name legacy", "egress-cli --plan legacy.json import --vpc vpc-0123456789abcdef0 --name legacy --json"],
  run: async () => (await import("./import.js")).importCommand,
});
