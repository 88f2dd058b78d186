// sandbox's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, flag, type GroupSpec, type OptionsOf } from "../cli/spec.js";

export const initFlags = {
  examples: flag.bool("also seed example VPCs for demos and audits"),
  force: flag.bool("replace an existing sandbox"),
};
export type InitOptions = OptionsOf<typeof initFlags>;

export const resetFlags = {
  examples: flag.bool("also seed example VPCs"),
};
export type ResetOptions = OptionsOf<typeof resetFlags>;

export const initSpec = defineCommand({
  name: "init",
  description: "create the sandbox account (a default VPC per region, like a new AWS account)",
  flags: initFlags,
  examples: ["egress-cli --sandbox sandbox init", "egress-cli --sandbox sandbox init --examples --force"],
  run: async () => (await import("./sandbox.js")).sandboxInit,
});

export const showSpec = defineCommand({
  name: "show",
  description: "summarise the sandbox account",
  flags: {},
  examples: ["egress-cli --sandbox sandbox show", "egress-cli --sandbox sandbox show --json"],
  run: async () => (await import("./sandbox.js")).sandboxShow,
});

export const loadSpec = defineCommand({
  name: "load",
  description: "replace a region of the sandbox with a snapshot document (egress-cli snapshot --out FILE)",
  args: [{ name: "<file>", help: "snapshot file" }],
  flags: {},
  examples: ["egress-cli snapshot --out snap.json && egress-cli --sandbox sandbox load snap.json", "egress-cli --sandbox-file lab.json sandbox load snap.json"],
  run: async () => (await import("./sandbox-load.js")).sandboxLoad,
});

export const resetSpec = defineCommand({
  name: "reset",
  description: "wipe the sandbox back to a fresh account",
  flags: resetFlags,
  examples: ["egress-cli --sandbox sandbox reset", "egress-cli --sandbox sandbox reset --examples"],
  run: async () => (await import("./sandbox.js")).sandboxReset,
});

export const callSpec = defineCommand({
  name: "call",
  description: "call any operation the sandbox implements: SDK input as JSON, its output as JSON (needs --sandbox)",
  args: [
    { name: "<service>", help: "ec2, iam, lambda, ram, ssm, sts or vpc-lattice" },
    { name: "<operation>", help: "e.g. ModifyVpcBlockPublicAccessOptions (or modify-vpc-block-public-access-options); `list`: the service's operations" },
    { name: "[json]", help: "the operation's input: one JSON object, PascalCase members as in the SDK (default: {})" },
  ],
  flags: {},
  examples: [
    `egress-cli --sandbox sandbox call ec2 ModifyVpcBlockPublicAccessOptions '{"InternetGatewayBlockMode":"block-bidirectional"}'`,
    `egress-cli --sandbox sandbox call ec2 StopInstances '{"InstanceIds":["i-0123456789abcdef0"]}'`,
    "egress-cli --sandbox sandbox call ec2 list",
  ],
  run: async () => (await import("./sandbox-call.js")).sandboxCall,
});

export const spec: GroupSpec = {
  name: "sandbox",
  description: "the embedded AWS emulator: init, show, load, reset, call",
  examples: ["egress-cli --sandbox sandbox init --examples", "egress-cli --sandbox sandbox show", "egress-cli --sandbox sandbox load snap.json"],
  subcommands: [initSpec, showSpec, loadSpec, resetSpec, callSpec],
};
