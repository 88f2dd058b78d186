// `egress-cli completion bash|zsh|fish`: a shell completion script for every command, subcommand and
// flag, generated from the CLI's own command tree (commandTree in src/cli/spec.ts: the commands derived from their specs), so a flag
// added to a command completes without touching this file. `source <(egress-cli completion bash)`.
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { commandTree, type ActionEnv, type CommandTree } from "../cli/spec.js";
import type { Options } from "./completion.spec.js";


const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

/** Every command path ("add-nat", "proxy allow") with the flags that apply there (its own and the globals). */
function paths(tree: CommandTree): Array<{ path: string[]; flags: CommandTree["flags"]; subcommands: string[] }> {
  const out: Array<{ path: string[]; flags: CommandTree["flags"]; subcommands: string[] }> = [];
  const visit = (c: CommandTree, path: string[]) => {
    // the globals go with every command (before or after its name); --version only on its own
    const globals = path.length ? tree.flags.filter((f) => f.flag !== "--version") : tree.flags;
    out.push({ path, flags: path.length ? [...c.flags, ...globals] : globals, subcommands: c.subcommands.map((s) => s.name) });
    for (const s of c.subcommands) visit(s, [...path, s.name]);
  };
  visit(tree, []);
  return out;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(tree: CommandTree): string {
  const cases = paths(tree).map(({ path, flags, subcommands }) => {
    const words = [...subcommands, ...flags.map((f) => f.flag)].join(" ");
    const values = flags.filter((f) => f.takesValue).map((f) => f.flag).join("|");
    const choices = [
      ...flags.filter((f) => f.choices?.length).map((f) => `        ${f.flag}) COMPREPLY=($(compgen -W ${q(f.choices!.join(" "))} -- "$cur")); return ;;`),
      ...flags.filter((f) => f.planIds).map((f) => `        ${f.flag}) COMPREPLY=($(compgen -W "$(_egress_cli_plan_ids ${f.planIds})" -- "$cur")); return ;;`),
    ];
    return [
      `    ${q(path.join(" "))})`,
      ...(choices.length ? ["      case \"$prev\" in", ...choices, "      esac"] : []),
      ...(values ? [`      case "$prev" in ${values}) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac`] : []),
      `      COMPREPLY=($(compgen -W ${q(words)} -- "$cur")) ;;`,
    ].join("\n");
  });
  const commandWords = paths(tree).filter((p) => p.path.length).map((p) => p.path[p.path.length - 1]!);
  return `# egress-cli completion for bash: source <(egress-cli completion bash)
# The ids of one prefix (vpc, subnet) in the plan file (--plan FILE on the line, else egress-plan.json).
_egress_cli_plan_ids() {
  local plan=egress-plan.json i
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ \${COMP_WORDS[i]} == --plan && \${COMP_WORDS[i+1]} != -* ]]; then plan="\${COMP_WORDS[i+1]}"; fi
  done
  [[ -r $plan ]] && grep -oE "\\b$1-[0-9a-f]{8,17}\\b" "$plan" | sort -u
}
_egress_cli() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" w i
  # the command path: the words before the cursor that name commands (flags and their values skipped)
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case " ${commandWords.join(" ")} " in *" $w "*) path="\${path:+$path }$w" ;; esac
  done
  case "$path" in
${cases.join("\n")}
  esac
}
complete -o default -F _egress_cli egress-cli
`;
}

function zsh(tree: CommandTree): string {
  // zsh runs bash completion functions through bashcompinit: one script, the same answers.
  return `#compdef egress-cli
# egress-cli completion for zsh: source <(egress-cli completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(tree).split("\n").slice(1).join("\n")}`;
}

function fish(tree: CommandTree): string {
  const lines = ["# egress-cli completion for fish: egress-cli completion fish | source", "complete -c egress-cli -f"];
  const all = paths(tree);
  const top = all.filter((p) => p.path.length === 1).map((p) => p.path[0]!);
  for (const { path, flags, subcommands } of all) {
    const cond = path.length === 0 ? `not __fish_seen_subcommand_from ${top.join(" ")}` : path.map((w) => `__fish_seen_subcommand_from ${w}`).join("; and ");
    for (const s of subcommands) lines.push(`complete -c egress-cli -n ${q(cond)} -a ${q(s)}`);
    for (const f of flags) {
      const name = f.flag.replace(/^--/, "");
      lines.push(`complete -c egress-cli -n ${q(cond)} -l ${q(name)}${f.takesValue ? (f.choices?.length ? ` -x -a ${q(f.choices.join(" "))}` : " -r") : ""}`);
    }
  }
  return lines.join("\n") + "\n";
}

export function completionScript(shell: Shell, tree: CommandTree): string {
  return shell === "bash" ? bash(tree) : shell === "zsh" ? zsh(tree) : fish(tree);
}

export async function completionCommand(ctx: Context, _opts: Options, args: string[], env: ActionEnv): Promise<number> {
  const tree = commandTree(env.program);
  const shell = args[0];
  if (args.length !== 1 || !SHELLS.includes(shell as Shell)) {
    throw new UsageError(`completion needs one shell: ${SHELLS.join(", ")}${shell ? ` (got ${args.map((a) => JSON.stringify(a)).join(" ")})` : ""}.`, "source <(egress-cli completion bash)");
  }
  ctx.print(completionScript(shell as Shell, tree));
  return 0;
}
