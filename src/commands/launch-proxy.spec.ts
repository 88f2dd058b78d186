// launch-proxy's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type OptionsOf } from "../cli/spec.js";

export const flags = {
  allowDomain: flag.repeated("pattern", "[required] destination allowed, Squid dstdomain style (.example.com = it and its subdomains); repeat"),
  allowCidr: flag.repeated("cidr", "private source range admitted besides the VPC's CIDR; repeat"),
  allowDestCidr: flag.repeated("cidr", "private destination range relayed after all (loopback, link-local, private ranges and the VPC's CIDR are denied by address); repeat"),
  port: flag.value("port", "proxy port").defaultIs("3128"),
  instanceType: flag.value("type", "instance type").defaultIs("t3.micro"),
  perAz: flag.bool("one proxy per AZ"),
  subnets: flag.value("ids", "private subnets to launch in (comma-separated)"),
  verifySni: flag.bool("peek at the TLS ClientHello and tunnel only names on the list (never decrypts)"),
  skipVerify: flag.bool("do not verify squid through SSM Run Command"),
  printConfig: flag.bool("print the exact squid.conf and user data; change nothing"),
};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "launch-proxy",
  description: "an egress proxy (Squid, domain allowlist) in the plan's private subnets, managed through SSM only (no key, no public IP)",
  flags,
  examples: ["egress-cli launch-proxy --allow-domain .example.com --allow-domain api.vendor.io", "egress-cli launch-proxy --per-az --allow-domain api.vendor.io --verify-sni", "egress-cli launch-proxy --allow-domain api.vendor.io --print-config"],
  run: async () => (await import("./launch-proxy.js")).launchProxyCommand,
});
