// analyze-path's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  from: flag.value("source", "[required] subnet-…, eni-…, i-…, nat-…, vpce-…, lambda:FUNCTION_NAME, or internet, internet6, igw-… (a connection from the internet)").completesPlanIds("subnet"),
  to: flag.value("destination", "[required] igw, internet, internet6, igw-…, an IPv4/IPv6 address or CIDR, service:NAME, eni-…, i-…, vpce-…, domain:NAME (--local) (from the internet: eni-…, i-…, subnet-…, an address)"),
  protocol: flag.value("protocol", "tcp, udp or icmp (--local only)").defaultIs("tcp"),
  port: flag.value("port", "destination port").defaultIs("443"),
  local: flag.bool("the free offline analyzer on a fresh snapshot (no Reachability Analyzer charge)"),
  aws: flag.bool("AWS Reachability Analyzer (the default; about 0.10 USD per analysis)"),
  compare: flag.bool("run both and report any disagreement as a bug report"),
  keep: flag.bool("keep the Reachability Analyzer path and analysis (default: delete them)"),
  snapshot: flag.value("file", "--local/--compare: analyze this snapshot file instead of a fresh one"),
  vpc: flag.variadic("vpc-id", "--local: snapshot only these VPCs").defaultIs("every VPC").completesPlanIds("vpc"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "analyze-path",
  description: "prove that traffic gets from --from to --to, or show where and why it is blocked (exit 0 reachable, 4 not, 6 unknown: not proven either way)",
  flags,
  examples: ["egress-cli analyze-path --from lambda:sms-sender --to igw", "egress-cli analyze-path --from subnet-0123456789abcdef0 --to service:secretsmanager --local", "egress-cli analyze-path --from i-0123456789abcdef0 --to 203.0.113.10 --port 80 --compare"],
  run: async () => (await import("./analyze-path.js")).analyzePathCommand,
});
