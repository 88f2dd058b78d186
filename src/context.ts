// Everything a command needs from the outside world, built once per invocation: options, IO,
// logger, AWS clients (lazily), plan path, wait settings and the SIGINT signal. Commands receive
// it; they never read process.env, argv or construct SDK clients themselves.
import path from "node:path";
import type { AwsClients } from "./aws/clients.js";
import { AWS_WAIT, type WaitSettings } from "./aws/wait.js";
import { type Clock, realClock } from "./clock.js";
import { colors } from "./output/color.js";
import { cliPrefix, invocationFlags } from "./output/invocation.js";
import { CliError, ExitCode, UsageError } from "./errors.js";
import { parseProfile, parseRegion } from "./aws/names.js";
import { redactUrl } from "./net/url.js";
import type { Logger } from "./output/logger.js";
import type { Sandbox } from "./sandbox/index.js";

export interface GlobalOptions {
  region?: string;
  profile?: string;
  /** Every --region / --profile given, in order (audit scopes); region/profile are the last. */
  regions?: string[];
  profiles?: string[];
  /** --plan was given on the command line (audit: scope to the plan's VPCs). */
  planGiven?: boolean;
  endpointUrl?: string;
  sandbox: boolean;
  sandboxFile?: string;
  plan: string;
  json: boolean;
  yes: boolean;
  dryRun: boolean;
  color: boolean;
  verbose: boolean;
  maxParallel?: string;
}

export type Out = NodeJS.WritableStream & { isTTY?: boolean };

export interface Context {
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  readonly opts: GlobalOptions;
  readonly log: Logger;
  readonly stdout: Out;
  /** True when a human can answer a prompt (stdin and stderr are TTYs, not CI). */
  readonly interactive: boolean;
  readonly planPath: string;
  /** The sandbox state file this run would use (resolved even without --sandbox: output files must never replace it). */
  readonly sandboxFile: string;
  readonly wait: WaitSettings;
  /** Whose time the waits and retries pause on: real, or the clock a test opened its sandbox with. */
  readonly clock: Clock;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  /** AWS clients; resolves region and (for the sandbox) opens the emulator on first use. */
  aws(): Promise<AwsClients>;
  /** Clients for another region/profile than the global options' (audit scopes); same backend and settings. */
  awsFor(scope: { region?: string; profile?: string }): Promise<AwsClients>;
  /** The sandbox, only for the `sandbox` command itself. */
  sandbox(): Promise<Sandbox>;
  confirm(question: string): Promise<boolean>;
  /** Writes a result to stdout (a JSON document with --json). */
  print(text: string): void;
  printJson(doc: unknown): void;
  /** The one way a command shows its result: the JSON document with --json, else the rendering. */
  emit<T>(result: T, render: (result: T, color: import("./output/color.js").Colors, o: { columns?: number; cli?: string }) => string): void;
}

export interface ContextDeps {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: Out;
  stderr: Out;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  log: Logger;
  signal: AbortSignal;
  /** Tests may hand in an already-open sandbox (to read its journal); its clock is then the run's. */
  sandbox?: Sandbox;
  userAgent: string;
}

export function sandboxRequested(opts: GlobalOptions, env: Record<string, string | undefined>): boolean {
  return opts.sandbox || opts.sandboxFile !== undefined || env.EGRESS_SANDBOX === "1" || env.EGRESS_SANDBOX === "true" || Boolean(env.EGRESS_SANDBOX_FILE);
}

function parallelism(raw: string | undefined): number {
  if (raw === undefined) return 4;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 32) throw new UsageError(`--max-parallel must be a whole number from 1 to 32, got ${JSON.stringify(raw)}.`);
  return Number(raw);
}

export function createContext(opts: GlobalOptions, deps: ContextDeps): Context {
  // An explicit --region or --profile is checked now: '' must not silently mean the default.
  for (const r of new Set([...(opts.regions ?? []), ...(opts.region !== undefined ? [opts.region] : [])])) parseRegion(r);
  for (const p of new Set([...(opts.profiles ?? []), ...(opts.profile !== undefined ? [opts.profile] : [])])) parseProfile(p);
  const useSandbox = sandboxRequested(opts, deps.env);
  const givenEndpoint = opts.endpointUrl ?? deps.env.AWS_ENDPOINT_URL;
  // user:password@ is never sent (requests are signed) and never stored or shown (issue 8 item 8).
  const endpointUrl = givenEndpoint === undefined ? undefined : redactUrl(givenEndpoint);
  if (givenEndpoint !== undefined && endpointUrl !== givenEndpoint)
    deps.log.warn("--endpoint-url: the user name, password, query string and fragment in the URL are ignored (AWS requests are signed with your credentials) and never written to the plan or shown.");
  if (useSandbox && opts.endpointUrl) {
    throw new UsageError("--sandbox and --endpoint-url both choose where calls go; pass one of them.");
  }
  if (endpointUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(endpointUrl);
    } catch {
      throw new UsageError(`--endpoint-url ${JSON.stringify(givenEndpoint === undefined ? "" : redactUrl(givenEndpoint))} is not a URL (expected e.g. http://127.0.0.1:4566).`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--endpoint-url must be http or https, got ${url.protocol}`);
  }
  const sandboxFile = path.resolve(deps.cwd, opts.sandboxFile ?? deps.env.EGRESS_SANDBOX_FILE ?? ".egress/sandbox.json");
  let sandboxP: Promise<Sandbox> | undefined;
  const openSandbox = () =>
    (sandboxP ??= deps.sandbox
      ? Promise.resolve(deps.sandbox)
      : import("./sandbox/index.js").then(({ Sandbox }) => Sandbox.open({ file: sandboxFile, env: deps.env, signal: deps.signal })));
  let awsP: Promise<AwsClients> | undefined;
  // stderr first: process.stdin is made on first read (a stream, and for a file or /dev/null fs's streams)
  const interactive = Boolean(deps.stderr.isTTY && deps.stdin?.isTTY) && !deps.env.CI;
  // Colour is decided per stream: `status > st.txt` from a terminal gets no escape codes.
  const stdoutColor = colors(Boolean(opts.color && !deps.env.NO_COLOR && deps.stdout.isTTY));

  const clientsFor = async (regionOpt: string | undefined, profile: string | undefined): Promise<AwsClients> => {
    const { createAwsClients, resolveRegion } = await import("./aws/clients.js");
    // The plan's region is the default for commands on that plan; an explicit --region that
    // differs is refused later by the plan identity check (issue 8 item 19).
    const { peekPlanRegion } = await import("./plans/store.js");
    const planRegion = regionOpt === undefined ? await peekPlanRegion(path.resolve(deps.cwd, opts.plan)) : undefined;
    const region = await resolveRegion({ region: regionOpt ?? planRegion, profile, env: deps.env, sandbox: useSandbox });
    return createAwsClients({
      region: parseRegion(region),
      profile,
      endpointUrl: useSandbox ? undefined : endpointUrl,
      sandbox: useSandbox ? await openSandbox() : undefined,
      verbose: opts.verbose,
      log: deps.log,
      userAgent: deps.userAgent,
      env: deps.env,
    });
  };

  const ctx: Context = {
    cwd: deps.cwd,
    env: deps.env,
    opts,
    log: deps.log,
    stdout: deps.stdout,
    interactive,
    planPath: path.resolve(deps.cwd, opts.plan),
    sandboxFile,
    // The sandbox answers state changes in milliseconds (or scaled minutes): poll it quickly.
    wait: useSandbox ? { minDelayMs: 10, maxDelayMs: 200, timeoutMs: 10 * 60_000 } : AWS_WAIT,
    clock: deps.sandbox?.clock ?? realClock,
    concurrency: parallelism(opts.maxParallel),
    signal: deps.signal,
    aws() {
      awsP ??= clientsFor(opts.region, opts.profile);
      return awsP;
    },
    awsFor: (scope) => clientsFor(scope.region ?? opts.region, scope.profile ?? opts.profile),
    sandbox: openSandbox,
    async confirm(question) {
      if (opts.yes) return true;
      if (!interactive || !deps.stdin) return false;
      const { createInterface } = await import("node:readline/promises");
      const rl = createInterface({ input: deps.stdin, output: deps.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `, { signal: deps.signal });
        return /^y(es)?$/i.test(answer.trim());
      } catch (err) {
        // Ctrl-C at the prompt (readline answers it with an AbortError): an interrupt, exit 130.
        if ((err as Error)?.name === "AbortError") {
          deps.stderr.write("\n");
          throw new CliError("Interrupted at the prompt: nothing was changed.", ExitCode.interrupted, undefined, "Interrupted");
        }
        throw err;
      } finally {
        rl.close();
      }
    },
    print: (text) => deps.stdout.write(text.endsWith("\n") ? text : text + "\n"),
    printJson: (doc) => deps.stdout.write(JSON.stringify(doc, null, 2) + "\n"),
    emit(result, render) {
      if (opts.json) ctx.printJson(result);
      // Tables fit the terminal stdout goes to; piped output keeps its natural width.
      // `cli`: "egress-cli" with this run's backend flags, for the "Next: …" hints (src/output/invocation.ts).
      else ctx.print(render(result, stdoutColor, { columns: deps.stdout.isTTY ? (deps.stdout as { columns?: number }).columns : undefined, cli: cliPrefix(invocationFlags(opts, deps.env)) }));
    },
  };
  return ctx;
}
