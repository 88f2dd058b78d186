// proxy allow's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  add: flag.repeated("pattern", "domain to allow, Squid dstdomain style; repeat"),
  remove: flag.repeated("pattern", "domain to stop allowing; repeat"),
  addDestCidr: flag.repeated("cidr", "private destination range to relay after all (see launch-proxy --allow-dest-cidr); repeat"),
  removeDestCidr: flag.repeated("cidr", "destination range to stop relaying; repeat"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "allow",
  description: "change the proxies' domain allowlist in place (SSM Run Command: write, squid -k parse, reconfigure)",
  flags,
  examples: ["egress-cli proxy allow --add .newvendor.com", "egress-cli proxy allow --add a.io --remove b.io"],
  run: async () => (await import("./proxy-allow.js")).proxyAllowCommand,
});
