// The one place that builds AWS SDK clients. Commands never call `new XxxClient`: they ask the
// context for a client, which is how --endpoint-url, --profile, --verbose and the sandbox plug in.
// SDK packages are imported lazily here so `--help` and pure commands never load them.
import { configSdk, ec2Sdk, iamSdk, lambdaSdk, latticeSdk, ramSdk, retrySdk, ssmSdk, stsSdk } from "./sdk.js";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { STSClient } from "@aws-sdk/client-sts";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { RAMClient } from "@aws-sdk/client-ram";
import type { Sandbox } from "../sandbox/index.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { redactUrl } from "../net/url.js";
import type { Logger } from "../output/logger.js";

export interface AwsSettings {
  region: string;
  profile?: string;
  endpointUrl?: string;
  /** Set when the embedded emulator answers instead of AWS. */
  sandbox?: Sandbox;
  verbose: boolean;
  log: Logger;
  userAgent: string;
  /** The invocation's environment (the SDK itself reads process.env; tests inject their own). */
  env: Record<string, string | undefined>;
}

export interface AwsClients {
  readonly region: string;
  /** "aws", "sandbox" or "endpoint:<url>": recorded in the plan so a plan is never applied to another backend. */
  readonly backend: string;
  ec2(): Promise<EC2Client>;
  sts(): Promise<STSClient>;
  iam(): Promise<IAMClient>;
  lambda(): Promise<LambdaClient>;
  /** VPC Lattice: resource gateways and resource configurations (PrivateLink sharing, S2). */
  lattice(): Promise<VPCLatticeClient>;
  /** Systems Manager: public AMI parameters, managed-instance registration, Run Command (the proxy, S2). */
  ssm(): Promise<SSMClient>;
  /** Resource Access Manager: sharing the proxy's resource configuration with other accounts (S2). */
  ram(): Promise<RAMClient>;
  accountId(): Promise<string>;
  /**
   * The reads a run needed are done (a snapshot taken): the backend may let go of what they loaded. On AWS
   * nothing; the embedded sandbox puts the collections it parsed for them back to unparsed, so the account
   * lives once in the process (as the snapshot) while the analysis runs.
   */
  release?(): void;
}

const SECRETISH = /secret|password|credential|privatekey|sessiontoken|authorization/i;

/** Input summary for --verbose: never logs credentials or secret-looking fields. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4) return "…";
  if (Array.isArray(value)) return value.slice(0, 10).map((v) => redact(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRETISH.test(k) ? "***" : redact(v, depth + 1);
    return out;
  }
  if (typeof value === "string" && value.length > 200) return value.slice(0, 200) + "…";
  return value;
}

/** Attempts of a sandbox call (the SDK's retry strategy, with millisecond backoff). */
const SANDBOX_ATTEMPTS = 10;

export function createAwsClients(settings: AwsSettings): AwsClients {
  const cache = new Map<string, Promise<unknown>>();
  const backend = settings.sandbox ? "sandbox" : settings.endpointUrl ? `endpoint:${redactUrl(settings.endpointUrl)}` : "aws";
  let account: Promise<string> | undefined;

  async function baseConfig(): Promise<Record<string, unknown>> {
    const config: Record<string, unknown> = {
      region: settings.region,
      customUserAgent: settings.userAgent,
    };
    if (settings.sandbox) {
      // The emulator answers below the retry middleware: keep the SDK's real retry logic but with
      // millisecond backoff so fault-injection runs stay fast.
      const { ConfiguredRetryStrategy } = retrySdk();
      config.retryStrategy = new ConfiguredRetryStrategy(SANDBOX_ATTEMPTS, (attempt: number) => 2 + attempt * 3);
      config.credentials = { accessKeyId: "SANDBOXACCESSKEY", secretAccessKey: "sandbox" };
      // Settings a client otherwise looks up in the environment and then in ~/.aws/config and credentials,
      // each miss a thrown and caught ProviderError with its stack trace (30 a `--sandbox status`, and a
      // read of both files). None means anything to an emulator in this process (no endpoint is reached),
      // and a sandbox run does not depend on the user's AWS configuration; maxAttempts is the strategy's own.
      config.useFipsEndpoint = false;
      config.useDualstackEndpoint = false;
      config.authSchemePreference = [];
      config.userAgentAppId = async () => undefined;
      config.maxAttempts = SANDBOX_ATTEMPTS;
      config.ignoreConfiguredEndpointUrls = true; // AWS_ENDPOINT_URL(_<SERVICE>) and the profile's services section
      config.disableClockSkewCorrection = false; // the SDK's default: correction on
      // The emulator answers in the middleware stack (plugSandbox), so no request reaches an HTTP
      // handler: none is built, and Node's https/tls stay unloaded.
      config.requestHandler = { handle: () => Promise.reject(new Error("a sandbox call reached the HTTP handler")) };
    } else {
      config.retryMode = "adaptive";
      config.maxAttempts = 8;
      const env = settings.env;
      if (settings.profile) config.profile = settings.profile;
      else if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
        // Same precedence as the SDK's default chain (environment first), but from our env.
        config.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
      } else if (env.AWS_PROFILE) config.profile = env.AWS_PROFILE;
      if (settings.endpointUrl) config.endpoint = settings.endpointUrl;
    }
    return config;
  }

  // A connection that never got an answer (nothing listening, no such host): name the endpoint and
  // the call, and point at the URL, instead of a bare `connect ECONNREFUSED` (issue 8 item 20).
  const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);
  function unreachable(client: any, service: string) {
    client.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        try {
          return await next(args);
        } catch (err: any) {
          const code = err?.code ?? err?.errno;
          if (!NETWORK.has(code) || err?.$metadata?.httpStatusCode) throw err;
          const op = String(context.commandName ?? "").replace(/Command$/, "");
          const where = settings.endpointUrl ? redactUrl(settings.endpointUrl) : `the AWS ${service} endpoint of ${settings.region}`;
          throw new CliError(
            `${service}:${op} could not reach ${where}: ${code}${err?.address ? ` (${err.address}${err.port ? `:${err.port}` : ""})` : ""}`,
            ExitCode.failure,
            settings.endpointUrl
              ? `Is the AWS-compatible service running there? Check --endpoint-url / AWS_ENDPOINT_URL (LocalStack listens on http://127.0.0.1:4566).`
              : "Check the network connection and any HTTPS_PROXY setting; re-run the same command, it resumes where it stopped.",
            "EndpointUnreachable",
          );
        }
      },
      { step: "initialize", name: "egressUnreachable", priority: "high" },
    );
  }

  function instrument(client: any, service: string) {
    // The SDK's logger middleware runs its sensitive-data filter over every response to hand the result
    // to a logger that discards it (we give it none): a third of `snapshot`'s CPU on a big account.
    // --verbose has its own middleware below.
    client.middlewareStack.remove("loggerMiddleware");
    if (!settings.sandbox) unreachable(client, service);
    if (settings.verbose) {
      client.middlewareStack.add(
        (next: any, context: any) => async (args: any) => {
          const started = Date.now();
          const op = String(context.commandName ?? "").replace(/Command$/, "");
          try {
            const result = await next(args);
            settings.log.debug(`${service}:${op} ${JSON.stringify(redact(args.input))} → ok (${Date.now() - started} ms)`);
            return result;
          } catch (err: any) {
            settings.log.debug(`${service}:${op} ${JSON.stringify(redact(args.input))} → ${err?.name ?? "Error"} (${Date.now() - started} ms)`);
            throw err;
          }
        },
        { step: "initialize", name: "egressVerboseLog", priority: "high" },
      );
    }
    if (settings.sandbox) {
      const sandbox = settings.sandbox;
      return import("../sandbox/index.js").then(({ plugSandbox }) => {
        plugSandbox(client, sandbox, service);
        return client;
      });
    }
    return Promise.resolve(client);
  }

  function get<T>(key: string, load: () => Promise<new (config: any) => T>): Promise<T> {
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = (async () => {
        const Ctor = await load();
        const client = new Ctor(await baseConfig());
        return (await instrument(client, key)) as T;
      })();
      cache.set(key, p);
    }
    return p;
  }

  const clients: AwsClients = {
    region: settings.region,
    backend,
    ec2: () => get("ec2", async () => ec2Sdk().EC2Client),
    sts: () => get("sts", async () => stsSdk().STSClient),
    iam: () => get("iam", async () => iamSdk().IAMClient),
    lambda: () => get("lambda", async () => lambdaSdk().LambdaClient),
    lattice: () => get("vpc-lattice", async () => latticeSdk().VPCLatticeClient),
    ssm: () => get("ssm", async () => ssmSdk().SSMClient),
    ram: () => get("ram", async () => ramSdk().RAMClient),
    accountId() {
      account ??= (async () => {
        const { GetCallerIdentityCommand } = stsSdk();
        const sts = await clients.sts();
        const out = await sts.send(new GetCallerIdentityCommand({}));
        if (!out.Account) throw new Error("STS GetCallerIdentity returned no account id");
        return out.Account;
      })();
      return account;
    },
    release() {
      settings.sandbox?.release();
    },
  };
  return clients;
}

/**
 * Region resolution in the AWS CLI's order: --region, AWS_REGION, AWS_DEFAULT_REGION, the
 * profile's `region` in the shared config file; the sandbox falls back to us-east-1.
 */
export async function resolveRegion(opts: {
  region?: string;
  profile?: string;
  env: Record<string, string | undefined>;
  sandbox: boolean;
}): Promise<string> {
  const explicit = opts.region ?? opts.env.AWS_REGION ?? opts.env.AWS_DEFAULT_REGION;
  if (explicit) return explicit;
  const fromProfile = await profileRegion(opts.profile ?? opts.env.AWS_PROFILE ?? "default", opts.env);
  if (fromProfile) return fromProfile;
  if (opts.sandbox) return "us-east-1";
  throw new UsageError(
    "No AWS region given.",
    "Pass --region, set AWS_REGION, or set `region` in your AWS profile (aws configure).",
    "NoRegion",
  );
}

/**
 * The profile's `region`, read by the SDK's own shared-config loader (the files' syntax, `[profile x]`
 * and `[default]` sections, comments, sub-sections, the config file before the credentials file) from
 * the files this invocation's environment names (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, HOME).
 */
async function profileRegion(profile: string, env: Record<string, string | undefined>): Promise<string | undefined> {
  const { homedir } = await import("node:os");
  const { join } = await import("node:path");
  const home = env.HOME ?? homedir();
  const { configFile, credentialsFile } = await configSdk().loadSharedConfigFiles({
    configFilepath: env.AWS_CONFIG_FILE ?? join(home, ".aws", "config"),
    filepath: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials"),
    ignoreCache: true, // one process may run several invocations (tests): read the files as they are now
  });
  return configFile[profile]?.region ?? credentialsFile[profile]?.region;
}
