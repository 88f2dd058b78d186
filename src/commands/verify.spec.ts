// verify's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  snapshot: flag.variadic("file", "evaluate snapshot files (egress-cli snapshot --out FILE; several of one Region are read as one) instead of a live snapshot"),
  vpc: flag.variadic("vpc-id", "a live snapshot of only these VPCs").defaultIs("the plan's VPCs when a plan file exists, else every VPC").completesPlanIds("vpc"),
  allVpcs: flag.bool("a live snapshot of every VPC in the region"),
  format: flag.value("format", "text, json, junit, sarif or markdown").defaultIs("text; json with --json"),
  output: flag.value("file", "write the report to FILE (a new path or an existing regular file; atomic) instead of stdout"),
  naaScope: flag.value("file", "evaluate a Network Access Analyzer scope (MatchPaths/ExcludePaths; the subset in README) instead of an intent file"),
  init: flag.bool("write a commented starter intent file for the VPCs at hand, each intent holding today (never over an existing file)"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "verify",
  description: "egress intent as code: check an intent file (YAML or JSON, schema/intent.schema.json) exhaustively and offline — every source against every destination, domains through the proxy's allowlist; exit 0 all hold, 3 a violation, 6 unknown",
  args: [{ name: "[file]", help: "the intent file; with --init, the file to write (default: egress-intents.yaml)" }],
  flags,
  examples: ["egress-cli verify --init && egress-cli verify egress-intents.yaml", "egress-cli verify intents.yaml --snapshot snap.json --format sarif --output verify.sarif", "egress-cli verify --naa-scope scope.json --all-vpcs --format junit"],
  run: async () => (await import("./verify.js")).verifyCommand,
});
