// diagram's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  format: flag.value("format", "output format").choices(["mermaid", "dot"] as const).default("mermaid"),
  vpc: flag.variadic("vpc-id", "only these VPCs").defaultIs("the plan's VPC when a plan file exists, else every VPC").completesPlanIds("vpc"),
  snapshot: flag.value("file", "draw this snapshot file instead of a fresh snapshot"),
  pathFrom: flag.value("source", "highlight the path from this source (as analyze-path --from)").completesPlanIds("subnet"),
  pathTo: flag.value("destination", "… to this destination (as analyze-path --to)"),
  path: flag.bool("highlight the plan's first Lambda function (else first private subnet) → igw"),
  protocol: flag.value("protocol", "protocol of the highlighted path").defaultIs("tcp"),
  port: flag.value("port", "destination port of the highlighted path").defaultIs("443"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "diagram",
  description: "draw the topology (VPC, subnets by tier and AZ, route tables, gateways, NATs + EIPs, endpoints, Lambda, instances) as Mermaid or DOT, optionally with an analyzed path highlighted",
  flags,
  examples: ["egress-cli diagram > vpc.mmd", "egress-cli diagram --format dot --path | dot -Tsvg > vpc.svg", "egress-cli diagram --path-from lambda:sms-sender --path-to igw"],
  run: async () => (await import("./diagram.js")).diagramCommand,
});
