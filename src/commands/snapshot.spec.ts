// snapshot's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  vpc: flag.variadic("vpc-id", "only these VPCs").defaultIs("the plan's VPC when a plan file exists, else every VPC").completesPlanIds("vpc"),
  allVpcs: flag.bool("every VPC in the region"),
  out: flag.value("file", "write the snapshot to FILE").defaultIs("stdout"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "snapshot",
  description: "write one JSON document with everything that decides a network path (VPCs, routes, SGs, NACLs, ENIs, endpoints, Lambda…)",
  flags,
  examples: ["egress-cli snapshot --out snap.json", "egress-cli snapshot --all-vpcs | jq '.vpcs | length'", "egress-cli snapshot --vpc vpc-0123456789abcdef0 --out snap.json"],
  run: async () => (await import("./snapshot.js")).snapshotCommand,
});
