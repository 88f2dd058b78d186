// A command declared once: its name, description, positional arguments, flags (value name, parser,
// default, required, repeatable, choices, help), examples and a lazy loader of its action. From one spec
// are derived the commander options (help text with the default written once), the typed options
// object the action receives (`OptionsOf<typeof spec.flags>`: no hand-written interface), and through
// the commander tree the help and the completion scripts. Specs live in src/commands/<name>.spec.ts,
// which import no AWS SDK and no command body: `--help` and `--version` load only the specs.
import { Option, type Command } from "commander";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { usageFromProblems, type Problem } from "./options.js";

/** A value parser from options.ts: the raw text of one value → its typed value, or a UsageError. */
export type Parse<T> = (raw: string) => T;

/** Repeatable by repetition (`--share-with A --share-with B`): commander keeps every value in order. */
export function collect(value: string, previous: string[] | string | undefined): string[] {
  return [...(Array.isArray(previous) ? previous : []), value];
}

export interface FlagDef {
  kind: "bool" | "negated" | "toggle" | "value";
  help: string;
  /** toggle: the help of `--no-<name>`. */
  offHelp?: string;
  /** value: the placeholder in `--name <value>`. */
  value?: string;
  parse?: Parse<unknown>;
  /** The value when the flag is not given (filled after parsing, never handed to commander). */
  default?: unknown;
  /** How the default reads in the help, "(default: …)": the default itself unless told. */
  defaultHelp?: string;
  required?: boolean;
  /** collect: repeat the flag; variadic: several values after one flag (`--vpc a b`). */
  repeatable?: "collect" | "variadic";
  choices?: readonly string[];
  /** Completion offers the plan file's ids of this AWS prefix (`vpc` → vpc-…). */
  planIds?: string;
}

/** A flag's declaration; T is the type of its value in the parsed options object. */
export class Flag<T> {
  declare readonly _type: T;
  constructor(readonly def: FlagDef) {}
  /** The value when the flag is not given; `shown` is how the help writes it (default: String(value)). */
  default(value: NonNullable<T>, shown?: string | null): Flag<NonNullable<T>> {
    return new Flag({ ...this.def, default: value, ...(shown === null ? {} : { defaultHelp: shown ?? String(value) }) });
  }
  /** A default the command works out itself (it depends on other flags or the account): help text only. */
  defaultIs(text: string): Flag<T> {
    return new Flag({ ...this.def, defaultHelp: text });
  }
  /** Commander refuses the command without it (exit 2), before anything runs. */
  required(): Flag<NonNullable<T>> {
    return new Flag({ ...this.def, required: true });
  }
  /** Completion offers the ids of this prefix (`vpc`, `subnet`) found in the plan file. */
  completesPlanIds(prefix: string): Flag<T> {
    return new Flag({ ...this.def, planIds: prefix });
  }
  /** Only these values (commander refuses others; completion offers them). */
  choices<C extends string>(choices: readonly C[]): Flag<C | Extract<T, undefined>> {
    return new Flag({ ...this.def, choices });
  }
}

function valueFlag(value: string, help: string): Flag<string | undefined>;
function valueFlag<T>(value: string, help: string, parse: Parse<T>): Flag<T | undefined>;
function valueFlag(value: string, help: string, parse?: Parse<unknown>): Flag<unknown> {
  return new Flag({ kind: "value", value, help, ...(parse ? { parse } : {}) });
}
function repeatedFlag(value: string, help: string): Flag<string[] | undefined>;
function repeatedFlag<T>(value: string, help: string, parse: Parse<T>): Flag<T[] | undefined>;
function repeatedFlag(value: string, help: string, parse?: Parse<unknown>): Flag<unknown> {
  return new Flag({ kind: "value", value, help, repeatable: "collect", ...(parse ? { parse } : {}) });
}
function variadicFlag(value: string, help: string): Flag<string[] | undefined>;
function variadicFlag<T>(value: string, help: string, parse: Parse<T>): Flag<T[] | undefined>;
function variadicFlag(value: string, help: string, parse?: Parse<unknown>): Flag<unknown> {
  return new Flag({ kind: "value", value, help, repeatable: "variadic", ...(parse ? { parse } : {}) });
}

/** Flag constructors. The key of a spec's `flags` record is the flag's name in camelCase (`allVpcs` → `--all-vpcs`). */
export const flag = {
  /** `--x`: true when given, else false. */
  bool: (help: string) => new Flag<boolean>({ kind: "bool", help }),
  /** `--no-x`: false when given, else true. */
  negated: (help: string) => new Flag<boolean>({ kind: "negated", help }),
  /** `--x` and `--no-x` (true unless `--no-x`; both together are refused). */
  toggle: (help: string, offHelp: string) => new Flag<boolean>({ kind: "toggle", help, offHelp }),
  /** `--x <value>`, one value (given twice: refused), parsed by `parse` when given. */
  value: valueFlag,
  /** `--x <value>` repeated: every value in order (each parsed by `parse`). */
  repeated: repeatedFlag,
  /** `--x <value...>`: several values after one flag. */
  variadic: variadicFlag,
};

export type Flags = Record<string, Flag<unknown>>;

type Simplify<T> = { [K in keyof T]: T[K] };

/** The parsed, typed options object of a spec's flags (a flag that may be absent is an optional key). */
export type OptionsOf<F extends Flags> = Simplify<
  { [K in keyof F as undefined extends F[K]["_type"] ? never : K]: F[K]["_type"] } & { [K in keyof F as undefined extends F[K]["_type"] ? K : never]?: F[K]["_type"] }
>;

export interface ArgSpec {
  /** `<name>` required, `[name]` optional; `...` for several. */
  name: string;
  help: string;
}

/** What an action gets besides its options and positional arguments. */
export interface ActionEnv {
  /** The program's command tree (completion). */
  program: Command;
  /** The flags given on the command line (spec keys): a command that keeps a plan's earlier choice unless told otherwise asks here, since defaults are filled in. */
  given: ReadonlySet<string>;
}

export type Action<O> = (ctx: Context, opts: O, args: string[], env: ActionEnv) => Promise<number | void>;

export interface CommandSpec<F extends Flags = Flags> {
  /** The word typed (a subcommand's own word: `init` under `sandbox`). */
  name: string;
  description: string;
  args?: ArgSpec[];
  flags: F;
  /** Two or three lines shown at the end of its --help. */
  examples: string[];
  /** Global flags this command takes several times (audit: each --region is a scope). */
  repeatsGlobal?: readonly ("region" | "profile")[];
  /** Loads the action only when the command runs (keeps the SDK out of --help). */
  run: () => Promise<Action<OptionsOf<F>>>;
}

/** A word that only groups subcommands (`sandbox`, `proxy`). */
export interface GroupSpec {
  name: string;
  description: string;
  examples?: string[];
  subcommands: AnyCommandSpec[];
}

/** A spec of any flags: the list of commands holds specs whose option types differ. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- existential: each spec's run is checked against its own flags by defineCommand
export type AnyCommandSpec = CommandSpec<any>;

export type Spec = AnyCommandSpec | GroupSpec;

/** Declares a command; the identity, for inference of its options type. */
export function defineCommand<F extends Flags>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

export const isGroup = (s: Spec): s is GroupSpec => "subcommands" in s;

export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The long flag a spec key stands for (`--no-iam` for a negated `iam`). */
export function longFlag(key: string, f: FlagDef): string {
  return f.kind === "negated" ? `--no-${kebab(key)}` : `--${kebab(key)}`;
}

/** Help text: "[required] " in front, "(default: …)" at the end, both from the declaration. */
function helpOf(f: FlagDef): string {
  return `${f.required ? "[required] " : ""}${f.help}${f.defaultHelp !== undefined ? ` (default: ${f.defaultHelp})` : ""}`;
}

/** The options whose values completion takes from the plan file: the id prefix. */
const PLAN_IDS = new WeakMap<Option, string>();

/** The commander options of a spec's flags. */
export function commanderOptions(flags: Flags): Option[] {
  const out: Option[] = [];
  for (const [key, { def: f }] of Object.entries(flags)) {
    const long = longFlag(key, f);
    if (f.kind === "bool" || f.kind === "negated") out.push(new Option(long, helpOf(f)));
    else if (f.kind === "toggle") out.push(new Option(long, helpOf(f)), new Option(`--no-${kebab(key)}`, f.offHelp!));
    else {
      const o = new Option(`${long} <${f.value}${f.repeatable === "variadic" ? "..." : ""}>`, helpOf(f));
      if (f.repeatable === "collect") o.argParser(collect);
      if (f.choices) o.choices(f.choices);
      if (f.required) o.makeOptionMandatory();
      if (f.planIds) PLAN_IDS.set(o, f.planIds);
      out.push(o);
    }
  }
  return out;
}

/**
 * Commander's raw option values → the typed options object: each given value through its flag's
 * parser, defaults filled in. Every problem is collected and thrown as one UsageError (exit 2).
 */
export function parseFlags<F extends Flags>(flags: F, raw: Record<string, unknown>): OptionsOf<F> {
  const out: Record<string, unknown> = {};
  const problems: Problem[] = [];
  const parseOne = (f: FlagDef, v: unknown): unknown => {
    if (!f.parse || typeof v !== "string") return v;
    try {
      return f.parse(v);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.push({ message: err.message, ...(err.hint ? { hint: err.hint } : {}) });
      return undefined;
    }
  };
  for (const [key, { def: f }] of Object.entries(flags)) {
    const v = raw[key];
    if (f.kind === "bool") out[key] = v === true;
    else if (f.kind === "negated" || f.kind === "toggle") out[key] = v !== false;
    else if (v === undefined) out[key] = f.default;
    else out[key] = Array.isArray(v) ? v.map((x) => parseOne(f, x)) : parseOne(f, v);
  }
  if (problems.length) throw usageFromProblems(problems);
  return out as OptionsOf<F>;
}

/** A command as completion sees it: its name, flags (long names), whether each takes a value, subcommands. */
export interface CommandTree {
  name: string;
  flags: Array<{ flag: string; takesValue: boolean; choices?: string[]; planIds?: string }>;
  subcommands: CommandTree[];
}

/**
 * A command's options, made when commander is about to run it (`preSubcommand`, withOptionsOnRun) or when
 * something reads the tree (commandTree, help listings: withOptions): making every command's options on
 * every run cost each start-up ~1.8 ms for the one command it runs (issue 24).
 */
const PENDING_OPTIONS = new WeakMap<Command, () => void>();

/** Adds `cmd`'s options through `add` when it is first needed (withOptions). */
export function optionsLater(cmd: Command, add: () => void): void {
  PENDING_OPTIONS.set(cmd, add);
}

/** The command with its options added (once). */
export function withOptions(cmd: Command): Command {
  const add = PENDING_OPTIONS.get(cmd);
  if (add) {
    PENDING_OPTIONS.delete(cmd);
    add();
  }
  return cmd;
}

/** A group (or the program) adds its subcommand's options before commander parses the subcommand's argv. */
export function withOptionsOnRun(group: Command): void {
  group.hook("preSubcommand", (_group, sub) => {
    withOptions(sub);
  });
}

/** The program's commands and flags as plain data, for completion scripts: the tree derived from the specs. */
export function commandTree(cmd: Command): CommandTree {
  withOptions(cmd);
  return {
    name: cmd.name(),
    flags: cmd.options
      .filter((o) => o.long && !o.hidden)
      .map((o) => ({ flag: o.long!, takesValue: Boolean(o.required || o.optional), ...(o.argChoices?.length ? { choices: o.argChoices } : {}), ...(PLAN_IDS.has(o) ? { planIds: PLAN_IDS.get(o) } : {}) })),
    subcommands: cmd.commands.filter((c) => c.name() !== "help").map(commandTree),
  };
}
