// completion's declaration: flags, defaults, help, examples (src/cli/spec.ts derives the rest).
import { defineCommand, type OptionsOf } from "../cli/spec.js";

export const flags = {};

/** The parsed options the action receives. */
export type Options = OptionsOf<typeof flags>;

export const spec = defineCommand({
  name: "completion",
  description: "print a shell completion script (bash, zsh or fish) for every command and flag: source <(egress-cli completion bash)",
  args: [{ name: "<shell>", help: "bash, zsh or fish" }],
  flags,
  examples: ["egress-cli completion bash > ~/.local/share/bash-completion/completions/egress-cli   # or in ~/.bashrc: source <(egress-cli completion bash)", "egress-cli completion zsh > \"${fpath[1]}/_egress-cli\"", "egress-cli completion fish > ~/.config/fish/completions/egress-cli.fish"],
  run: async () => (await import("./completion.js")).completionCommand,
});
