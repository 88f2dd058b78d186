// audit's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  vpc: flag.variadic("vpc-id", "only these VPCs (else --plan [FILE]: the plan's VPCs, or --all-vpcs)").completesPlanIds("vpc"),
  allVpcs: flag.bool("every VPC of each region").defaultIs("the plan's VPCs when a plan file exists, else every VPC"),
  allRegions: flag.bool("every region enabled for the account (DescribeRegions); else each --region R is a scope"),
  snapshot: flag.variadic("file", "audit snapshot files (egress-cli snapshot --out FILE) offline instead of live"),
  format: flag.value("format", "text, json, junit, sarif or markdown").defaultIs("text; json with --json"),
  output: flag.value("file", "write the report to FILE (a new path or an existing regular file; atomic) instead of stdout"),
  failOn: flag.value("severity", "exit 3 when an open finding is at or above: info, low, medium, high, critical; none never fails").defaultIs("high"),
  rules: flag.value("ids", "only these rule ids (comma-separated)"),
  skipRules: flag.value("ids", "skip these rule ids (comma-separated)"),
  baseline: flag.value("file", "an earlier JSON report: only findings not in it count as open"),
  shard: flag.value("i/n", "audit only the I-th of N slices of the scopes (CI matrix; join with audit merge)"),
  sarifAnchor: flag.value("file", "SARIF: the repository file every result points at").defaultIs("the plan file, else the snapshot file"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "audit",
  description: "path-aware network findings (no egress, blackholes, Lambda placement, MSK mappings, endpoints, open groups, overlaps, cost) for CI; exit 3 on an open finding at or above --fail-on (default: high). `audit merge FILE…` joins shard reports",
  args: [{ name: "[merge-files...]", help: "`merge FILE…`: join JSON reports of --shard runs instead of auditing" }],
  flags,
  repeatsGlobal: ["region", "profile"],
  examples: ["egress-cli audit --all-vpcs      # exit 3 on an open high or critical finding", "egress-cli audit --snapshot snap.json --format sarif --output audit.sarif --fail-on none   # report only", "egress-cli audit --region us-east-1 --region eu-west-1 --shard 1/2 --format json --output s1.json && egress-cli audit merge s1.json s2.json --format markdown"],
  run: async () => (await import("./audit.js")).auditCommand,
});
