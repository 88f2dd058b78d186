// What a printed command needs to run where this invocation ran: audit fixes and every
// "Next: egress-cli …" hint carry the backend and global flags the user gave (`--sandbox`,
// `--sandbox-file F`, `--region`, `--profile`, `--endpoint-url`, `--plan F`), so that copy-paste
// works. Rules and renderers write commands without them; this is the one place that adds them. Pure.

export interface InvocationFlags {
  /** The sandbox was asked for (flag or EGRESS_SANDBOX*): `--sandbox`, or `--sandbox-file F` when F was given. */
  sandbox?: boolean;
  sandboxFile?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** The plan file when it is not the default (egress-plan.json). */
  plan?: string;
}

export const DEFAULT_PLAN_FILE = "egress-plan.json";

/** The flags of an invocation, from its global options (region/profile: the scope's, when the command has several). */
export function invocationFlags(
  opts: { sandbox?: boolean; sandboxFile?: string; region?: string; profile?: string; endpointUrl?: string; plan?: string },
  env: Record<string, string | undefined> = {},
): InvocationFlags {
  const sandbox = Boolean(opts.sandbox || opts.sandboxFile !== undefined || env.EGRESS_SANDBOX === "1" || env.EGRESS_SANDBOX === "true" || env.EGRESS_SANDBOX_FILE);
  return {
    ...(sandbox ? { sandbox: true } : {}),
    // The default file is what --sandbox opens: no need to name it.
    ...(opts.sandboxFile !== undefined && opts.sandboxFile.replace(/^\.\//, "") !== ".egress/sandbox.json" ? { sandboxFile: opts.sandboxFile } : {}),
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpointUrl && !sandbox ? { endpointUrl: opts.endpointUrl } : {}),
    ...(opts.plan && opts.plan !== DEFAULT_PLAN_FILE ? { plan: opts.plan } : {}),
  };
}

/** A word as a POSIX shell reads it back unchanged. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-.,:/=@+%]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function egressFlags(f: InvocationFlags, segment: string): string[] {
  const out: string[] = [];
  if (f.sandboxFile !== undefined) out.push("--sandbox-file", shellQuote(f.sandboxFile));
  else if (f.sandbox) out.push("--sandbox");
  if (f.region && !/(^|\s)--region\s/.test(segment)) out.push("--region", shellQuote(f.region));
  if (f.profile && !/(^|\s)--profile\s/.test(segment)) out.push("--profile", shellQuote(f.profile));
  if (f.endpointUrl) out.push("--endpoint-url", shellQuote(f.endpointUrl));
  // A command that names its own plan file (an imported VPC's) keeps it.
  if (f.plan && !/(^|\s)--plan\s/.test(segment)) out.push("--plan", shellQuote(f.plan));
  return out;
}

function awsFlags(f: InvocationFlags, segment: string): string[] {
  const out: string[] = [];
  if (f.region && !/(^|\s)--region\s/.test(segment)) out.push("--region", shellQuote(f.region));
  if (f.profile && !/(^|\s)--profile\s/.test(segment)) out.push("--profile", shellQuote(f.profile));
  if (f.endpointUrl) out.push("--endpoint-url", shellQuote(f.endpointUrl));
  return out;
}

/**
 * Every `egress-cli …` command in `text` (a fix, a hint: several joined by `&&`, or after `# or:`)
 * gets the invocation's flags right after `egress-cli`; every `aws SERVICE …` call its region,
 * profile and endpoint. Words such as `egress-cli:audit-ignore` (a tag) are not commands.
 */
export function carryFlags(text: string, f: InvocationFlags): string {
  return text.replace(/(^|[\s(`])(egress-cli|aws)(?= [a-z-])/g, (m, pre: string, tool: string, at: number) => {
    const start = at + pre.length + tool.length;
    const rest = text.slice(start);
    const end = rest.search(/&&|\|\||;|#|`|$/);
    const segment = rest.slice(0, end);
    if (tool === "aws" && !/^ [a-z0-9-]+ [a-z0-9-]+/.test(rest)) return m;
    const flags = tool === "egress-cli" ? egressFlags(f, segment) : awsFlags(f, segment);
    return flags.length ? `${pre}${tool} ${flags.join(" ")}` : m;
  });
}

/** "egress-cli" with the invocation's flags: the start of every "Next: …" hint. */
export function cliPrefix(f: InvocationFlags): string {
  return carryFlags("egress-cli x", f).slice(0, -2);
}

/**
 * A fix that imports a VPC into a plan file of its own (`egress-cli --plan F import --vpc V --name N &&
 * egress-cli --plan F …`) when this run's plan file already holds V: the import is dropped and the
 * commands run on this run's plan (carryFlags then adds `--plan` when that file is not the default).
 */
export function onRunPlan(fix: string, planVpcId: string | undefined): string {
  if (!planVpcId) return fix;
  const m = /egress-cli --plan (\S+) import --vpc (\S+) --name \S+ && /.exec(fix);
  if (!m || m[2] !== planVpcId) return fix;
  return fix.replace(m[0], "").split(`egress-cli --plan ${m[1]} `).join("egress-cli ");
}
