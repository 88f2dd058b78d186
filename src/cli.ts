// The commander program: global options (accepted before or after the command name), the commands
// derived from their specs (src/commands/index.ts lists them; src/cli/spec.ts derives options, help
// and typed options; actions load lazily, so --help and --version never load the AWS SDK), the checks
// every command shares (repeated or contradicting flags), and the one place that turns errors into exit codes.
import { Command, CommanderError, Help, Option } from "commander";
import { CliError, ExitCode, UsageError } from "./errors.js";
import { VERSION } from "./version.js";
import type { Context, GlobalOptions, Out } from "./context.js";
import { collect, commanderOptions, isGroup, optionsLater, parseFlags, withOptions, withOptionsOnRun, type ActionEnv, type AnyCommandSpec, type Spec } from "./cli/spec.js";
import { COMMANDS } from "./commands/index.js";

export interface RunDeps {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: Out;
  stderr: Out;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  signal: AbortSignal;
  /** Tests: an already-open sandbox (to read its call journal). */
  sandbox?: import("./sandbox/index.js").Sandbox;
  /** Told which command runs (the compile cache in src/boot.ts keeps code per command). */
  onCommand?: (name: string) => void;
}

/** A command's action, as commander hands it over: raw option values (parsed by its spec's flags in `lazy`). */
type Action = (ctx: Context, opts: Record<string, unknown>, args: string[], env: Pick<ActionEnv, "program">) => Promise<number | void>;

/**
 * `--plan [file]` means one thing wherever it stands: the plan (audit: and scope to it). A bare
 * `--plan` therefore names no file — it never replaces a FILE given elsewhere on the line
 * (`egress-cli --plan ok.json audit --plan` is ok.json) — and two different FILEs are refused.
 * Commander would set a bare optional option to `true` over the earlier value: restore it.
 */
function keepPlanFile(program: Command): void {
  let file: string | undefined;
  program.on("option:plan", (value?: string | null) => {
    if (value == null) {
      if (file !== undefined) program.setOptionValueWithSource("plan", file, "cli");
    } else if (file !== undefined && file !== value) {
      program.error(`error: --plan given twice with different files (${file}, ${value}); pass one.`, { code: "commander.invalidArgument", exitCode: ExitCode.usage });
    } else file = value;
  });
}

function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option("--region <region>", "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region); audit: repeat for several", collect)
    .option("--profile <name>", "AWS shared-config profile (credentials: env, SSO, profiles, IMDS); audit: repeat for several", collect)
    .option("--endpoint-url <url>", "send AWS calls to this endpoint (also AWS_ENDPOINT_URL), e.g. LocalStack")
    .option("--sandbox", "use the embedded AWS emulator (state in .egress/sandbox.json; also EGRESS_SANDBOX=1)")
    .option("--sandbox-file <file>", "sandbox state file (implies --sandbox)")
    .option("--plan [file]", "plan file (default: egress-plan.json); audit: --plan with or without FILE scopes the audit to the plan's VPCs")
    .option("--json", "print one JSON document on stdout and nothing else there")
    .option("--yes", "never prompt; assume yes")
    .option("--dry-run", "make no change; on AWS, prove permissions with EC2 DryRun")
    .option("--no-color", "no colour (also NO_COLOR)")
    .option("--verbose", "log each AWS call to stderr")
    .option("--max-parallel <n>", "at most this many independent steps at once (default: 4)");
}

export function buildProgram(deps: RunDeps, onAction: (name: string, action: () => Promise<Action>, cmd: Command, args: unknown[]) => Promise<void>): Command {
  const program = addGlobalOptions(new Command("egress-cli"))
    .description("Provision and audit AWS VPC egress: NAT gateways with static IPs, Lambda in a VPC, endpoints, a shared proxy, reachability proofs.")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) })
    // a command's options are made on first need (withOptions): its help (`help add-nat` does not go
    // through preSubcommand) and a listing's `[options]` ask for them here
    .configureHelp({
      showGlobalOptions: true,
      visibleOptions(cmd) {
        return Help.prototype.visibleOptions.call(this, withOptions(cmd));
      },
      visibleCommands(cmd) {
        for (const c of cmd.commands) withOptions(c);
        return Help.prototype.visibleCommands.call(this, cmd);
      },
    })
    .exitOverride();
  keepPlanFile(program);
  withOptionsOnRun(program);
  for (const spec of COMMANDS) addSpec(program, spec, "", onAction);
  program.addHelpText("after", () => exitCodesHelp(program));
  return program;
}

/** One spec → its commander command (options, arguments, help with examples, lazy action); groups recurse. */
function addSpec(parent: Command, spec: Spec, prefix: string, onAction: Parameters<typeof buildProgram>[1]): void {
  const name = prefix ? `${prefix} ${spec.name}` : spec.name;
  const cmd = parent.command(spec.name).description(spec.description);
  if (spec.examples?.length) cmd.addHelpText("after", `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join("\n")}\n`);
  if (isGroup(spec)) {
    withOptionsOnRun(cmd);
    for (const sub of spec.subcommands) addSpec(cmd, sub, name, onAction);
    return;
  }
  for (const a of spec.args ?? []) cmd.argument(a.name, a.help);
  optionsLater(cmd, () => {
    for (const o of commanderOptions(spec.flags)) cmd.addOption(o);
  });
  SPECS.set(cmd, spec);
  const load = async (): Promise<Action> => {
    const action = await spec.run();
    return (ctx, raw, args, env) => action(ctx, parseFlags(spec.flags, raw), args, { ...env, given: new Set(Object.keys(raw).filter((k) => raw[k] !== undefined)) });
  };
  cmd.action(async function (this: Command, ...args: unknown[]) {
    await onAction(name, load, this, args);
  });
}

/** The spec each commander command came from (refuseRepeatedFlags reads its repeatable flags). */
const SPECS = new WeakMap<Command, AnyCommandSpec>();

/** The exit codes, at the end of the program's --help (3 only once a command can return it). */
function exitCodesHelp(program: Command): string {
  const hasAudit = program.commands.some((c) => c.name() === "audit");
  const hasEgressIps = program.commands.some((c) => c.name() === "egress-ips");
  return [
    "",
    "Exit codes:",
    "  0    success",
    "  1    AWS or runtime failure (re-run to resume); destroy answered n",
    "  2    bad usage or invalid input: nothing was changed",
    ...(hasAudit ? ["  3    audit: an open finding at or above --fail-on (default: high); verify: an intent is violated"] : []),
    ...(hasEgressIps ? [`  3    egress-ips --check: the live egress IPs differ from the file`] : []),
    "  4    analyze-path: not reachable (a hop that was evaluated blocks it)",
    "  5    the plan is locked by another live run",
    "  6    analyze-path: unknown (part of the path was not evaluated; the reasons say what to collect); verify: an intent could not be decided",
    "  130  interrupted (Ctrl-C): the plan is consistent; re-run to finish",
    "",
  ].join("\n");
}

function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  const all = (v: unknown): string[] => (Array.isArray(v) ? v : typeof v === "string" ? [v] : []);
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  return {
    region: all(o.region).at(-1),
    profile: all(o.profile).at(-1),
    regions: all(o.region),
    profiles: all(o.profile),
    planGiven: root.getOptionValueSource("plan") === "cli",
    endpointUrl: o.endpointUrl as string | undefined,
    sandbox: Boolean(o.sandbox),
    sandboxFile: o.sandboxFile as string | undefined,
    // `--plan` with no FILE (audit: "the plan's VPCs") means the default plan file.
    plan: typeof o.plan === "string" ? o.plan : "egress-plan.json",
    json: Boolean(o.json),
    yes: Boolean(o.yes),
    dryRun: Boolean(o.dryRun),
    color: o.color !== false,
    verbose: Boolean(o.verbose),
    maxParallel: o.maxParallel as string | undefined,
  };
}

/**
 * `--x --no-x` together: commander keeps the last one silently; refuse instead (exit 2), for
 * every flag that has a negation.
 */
function refuseConflictingFlags(cmd: Command, argv: string[]): void {
  const given = new Set(argv.map((a) => a.split("=")[0]));
  const all = [...cmd.options, ...(cmd.parent?.options ?? [])];
  const clashes = all
    .filter((o) => o.negate && o.long)
    .map((o) => [o.long!.replace(/^--no-/, "--"), o.long!] as const)
    .filter(([pos, neg]) => all.some((p) => p.long === pos && !p.negate) && given.has(pos) && given.has(neg));
  if (clashes.length) throw new UsageError(`${clashes.map(([p, n]) => `${p} and ${n}`).join("; ")} contradict each other; pass one of them.`, undefined, "ConflictingOptions");
}

/**
 * A single-valued option given twice (`--mode single --mode per-az`): commander keeps the last one
 * silently; refuse instead (exit 2), once for every command. Repeatable options are the variadic ones
 * (`--vpc <id...>`) and those that collect (`--allow-domain`); `--region`/`--profile` only for a
 * command whose spec says `repeatsGlobal` (audit: each is a scope).
 */
function refuseRepeatedFlags(cmd: Command, argv: string[]): void {
  const options: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) options.push(...c.options);
  const counts = new Map<string, number>();
  for (const a of argv) {
    if (a === "--") break;
    if (a.startsWith("--")) counts.set(a.split("=")[0]!, (counts.get(a.split("=")[0]!) ?? 0) + 1);
  }
  const repeated = options.filter((o) => {
    if (!o.long || o.negate || !(o.required || o.optional) || o.variadic) return false;
    if (o.long === "--plan") return false; // keepPlanFile: a bare --plan or the same FILE again is one plan; two FILEs are refused there
    const collects = (o as Option & { parseArg?: unknown }).parseArg === collect;
    // --region/--profile: global, so they collect for every command; only a spec's repeatsGlobal repeats them.
    const global = o.long === "--region" || o.long === "--profile";
    if (collects && !(global && !SPECS.get(cmd)?.repeatsGlobal?.includes(o.long.slice(2) as "region" | "profile"))) return false;
    return (counts.get(o.long) ?? 0) > 1;
  });
  if (repeated.length) {
    throw new UsageError(
      `${repeated.map((o) => o.long).join(", ")} ${repeated.length === 1 ? "was" : "were"} given more than once; ${repeated.length === 1 ? "it takes" : "each takes"} one value.`,
      "pass each of them once",
      "RepeatedOption",
    );
  }
}

/** Runs the CLI with the given argv (without node and script) and returns the exit code. */
export async function run(argv: string[], deps: RunDeps): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let json = argv.includes("--json");
  const program = buildProgram(deps, async (name, load, cmd, args) => {
    deps.onCommand?.(name);
    const g = globalOptions(cmd);
    json = g.json;
    const color = g.color && !deps.env.NO_COLOR && Boolean(deps.stderr.isTTY);
    const { createLogger } = await import("./output/logger.js");
    const log = await createLogger({
      stderr: deps.stderr,
      color,
      verbose: g.verbose,
      interactive: Boolean(deps.stderr.isTTY) && !deps.env.CI,
    });
    // Through the logger, so the notice lands above the progress display instead of inside it.
    const notice = () => log.warn("Interrupted: finishing the steps in flight and saving the plan (Ctrl-C again to quit now)…");
    if (deps.signal.aborted) notice();
    else deps.signal.addEventListener("abort", notice, { once: true });
    const { createContext } = await import("./context.js");
    try {
      refuseConflictingFlags(cmd, argv);
      refuseRepeatedFlags(cmd, argv);
      // deps copied with its accessors (main's stdin is made only if a prompt reads it)
      const ctx = createContext(g, Object.assign(Object.defineProperties({} as RunDeps, Object.getOwnPropertyDescriptors(deps)), { log, userAgent: `egress-cli/${VERSION}` }));
      const action = await load();
      const positional = args.filter((a) => Array.isArray(a) || typeof a === "string") as string[];
      const code = await action(ctx, cmd.opts(), positional.flat(), { program });
      exitCode = code ?? ExitCode.ok;
    } catch (err) {
      exitCode = report(err, deps, json, log.color);
    }
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return ExitCode.ok;
      if (json) {
        const code = err.code === "commander.unknownCommand" ? "UnknownCommand" : err.code === "commander.unknownOption" ? "UnknownOption" : "InvalidUsage";
        const doc = { error: { code, message: err.message.replace(/^error: /, "").split("\n")[0], hint: "run egress-cli --help (or egress-cli COMMAND --help) for usage", exitCode: ExitCode.usage } };
        deps.stdout.write(JSON.stringify(doc, null, 2) + "\n");
      }
      return ExitCode.usage;
    }
    return report(err, deps, json, undefined);
  }
  return exitCode;
}

function report(err: unknown, deps: RunDeps, json: boolean, color: import("./output/color.js").Colors | undefined): number {
  const e = err instanceof CliError ? err : undefined;
  const code = e?.exitCode ?? ExitCode.failure;
  const message = e ? e.message : `${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`;
  const red = color ? color.red : (s: string) => s;
  deps.stderr.write(`${red("error:")} ${message}\n`);
  if (e?.hint) deps.stderr.write(`  ${e.hint}\n`);
  if (!e && deps.env.EGRESS_DEBUG) deps.stderr.write(`${(err as Error)?.stack}\n`);
  if (json) deps.stdout.write(JSON.stringify({ error: { code: e?.code ?? (err as Error)?.name ?? "Error", message, hint: e?.hint, exitCode: code } }, null, 2) + "\n");
  return code;
}

/** The executable's entry: real process streams, SIGINT → abort (exit 130), exit code. */
export async function main(hooks: Pick<RunDeps, "onCommand"> = {}): Promise<void> {
  const controller = new AbortController();
  // `egress-cli status | head -1`: once the reader has gone, later output is dropped (what the reader
  // asked for) instead of dying on an unhandled EPIPE; the command still finishes what it started.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
  }
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts++;
    if (interrupts > 1) process.exit(ExitCode.interrupted); // writes are atomic: the plan stays consistent
    controller.abort();
  });
  const code = await run(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    // read only by a prompt: Node makes process.stdin on first use (for a file or /dev/null, fs's streams)
    get stdin() {
      return process.stdin;
    },
    signal: controller.signal,
    ...hooks,
  });
  process.exitCode = controller.signal.aborted ? ExitCode.interrupted : code;
}
