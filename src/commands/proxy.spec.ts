// The `proxy` group: its subcommands' specs (allow).
import type { GroupSpec } from "../cli/spec.js";
import { spec as allow } from "./proxy-allow.spec.js";

export const spec: GroupSpec = {
  name: "proxy",
  description: "the running egress proxies: allow",
  examples: ["egress-cli proxy allow --add .newvendor.com", "egress-cli proxy allow --remove api.vendor.io"],
  subcommands: [allow],
};
