// detach-lambda's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  function: flag.value("name|arn", "[required] the function"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "detach-lambda",
  description: "restore a function's VPC config from before attach-lambda (destroy does this too)",
  flags,
  examples: ["egress-cli detach-lambda --function sms-sender", "egress-cli --dry-run detach-lambda --function sms-sender"],
  run: async () => (await import("./detach-lambda.js")).detachLambdaCommand,
});
