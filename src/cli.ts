// The commander program: global options (accepted before or after the command name), command
// registration with lazy imports (so --help and --version never load the AWS SDK), and the one
// place that turns errors into exit codes.
import { Command, CommanderError, Option } from "commander";
import { CliError, ExitCode, UsageError } from "./errors.js";
import { VERSION } from "./version.js";
import type { Context, GlobalOptions, Out } from "./context.js";

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

/** A command: its raw commander options are parsed (zod) by the command itself, at its boundary. */
type Action = (ctx: Context, opts: object, args: string[]) => Promise<number | void>;

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

/** Repeatable global options (--region, --profile): every value in order; commands other than audit use the last. */
function collect(value: string, previous: string[] | string | undefined): string[] {
  return [...(Array.isArray(previous) ? previous : []), value];
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
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  keepPlanFile(program);

  const lazy = (name: string, load: () => Promise<Action>) =>
    async function (this: Command, ...args: unknown[]) {
      await onAction(name, load, this, args);
    };

  program
    .command("create-vpc")
    .description("create a VPC with public and private subnets over K AZs, an internet gateway and route tables")
    .option("--name <name>", "[required for a new plan] plan name (tags every resource: egress-cli:plan=<name>)")
    .option("--cidr <cidr|auto>", "VPC IPv4 CIDR (/16–/28), or auto: a private range overlapping no VPC in the region (default: auto)")
    .option("--azs <k>", "number of availability zones (default: 2)")
    .option("--public-subnets <k>", "public subnets per AZ; 0 = no internet gateway (default: 1)")
    .option("--private-subnets <k>", "private subnets per AZ (default: 1)")
    .option("--subnet-prefix <p>", "subnet prefix length, e.g. 20 (default: the largest that fits)")
    .action(lazy("create-vpc", async () => (await import("./commands/create-vpc.js")).createVpcCommand));

  program
    .command("import")
    .description("adopt an existing VPC into a plan (nothing imported is ever deleted)")
    .requiredOption("--vpc <vpc-id>", "[required] the VPC to import")
    .requiredOption("--name <name>", "[required] plan name")
    .option("--shared", "import although the VPC holds another egress-cli plan's resources (they stay untouched: no command changes them)")
    .action(lazy("import", async () => (await import("./commands/import.js")).importCommand));

  program
    .command("add-nat")
    .description("add NAT gateway(s) with Elastic IPs and route the private subnets through them")
    .addOption(new Option("--mode <mode>", "one NAT for all AZs, or one per AZ (HA) (default: single)").choices(["single", "per-az"]))
    .option("--eip <allocation-id...>", "use your own Elastic IP(s) (never released by destroy)")
    .option("--az <az...>", "AZ(s) for the NAT gateway(s)")
    .action(lazy("add-nat", async () => (await import("./commands/add-nat.js")).addNatCommand));

  program
    .command("attach-lambda")
    .description("put a Lambda function in the plan's private subnets with its own security group; prints its egress IPs")
    .option("--function <name|arn>", "[required] the function (name, or ARN in the plan's region)")
    .option("--security-group <new|sg-id>", "a new group with no ingress, or one of yours (default: new)")
    .option("--subnets <private|ids>", "the plan's private subnets, or a comma-separated list of subnet ids (default: private)")
    .option("--allow-public-subnet", "accept public subnets (a Lambda ENI never gets a public IP: no internet there)")
    .option("--no-iam", "never change the execution role; refuse if it cannot manage ENIs")
    .option("--egress-port <port[:cidr]>", "the new group lets the function out on tcp 443 only; also allow this port, to the VPC's CIDR or to CIDR (5432, 8443:0.0.0.0/0); repeat", collect)
    .option("--take-over", "move a function whose VPC config is another plan's or in subnets not named here (else exit 2)")
    .action(lazy("attach-lambda", async () => (await import("./commands/attach-lambda.js")).attachLambdaCommand));

  program
    .command("detach-lambda")
    .description("restore a function's VPC config from before attach-lambda (destroy does this too)")
    .option("--function <name|arn>", "[required] the function")
    .action(lazy("detach-lambda", async () => (await import("./commands/detach-lambda.js")).detachLambdaCommand));

  program
    .command("share-proxy")
    .description("PrivateLink to the proxy without a load balancer: a VPC Lattice resource gateway and one resource configuration per proxy, shared with RAM (--share-with)")
    .option("--share-with <account-id|ou-arn>", "share the proxy with this account (12 digits) or organizational unit (ARN); repeat", collect)
    .option("--domain <name>", "custom domain for the consumers' private DNS; prints the TXT record its verification needs")
    .action(lazy("share-proxy", async () => (await import("./commands/share-proxy.js")).shareProxyCommand));

  program
    .command("connect-proxy")
    .description("a Resource VPC endpoint per shared proxy in a consumer VPC (overlapping CIDRs fine); prints the HTTPS_PROXY lines to use")
    .option("--consumer-vpc <vpc-id>", "[required] the VPC whose workloads use the proxy")
    .option("--subnets <ids>", "[required] its subnets for the endpoints, comma-separated, one per AZ")
    .option("--consumer-profile <profile>", "the consumer VPC is in another account: its AWS profile")
    .option("--security-group <sg-id>", "use this group of the consumer VPC instead of a new one admitting the proxy port from its CIDR; repeat", collect)
    .action(lazy("connect-proxy", async () => (await import("./commands/connect-proxy.js")).connectProxyCommand));

  program
    .command("add-endpoint")
    .description("VPC endpoints: interface (one subnet per AZ, private DNS, a 443-only security group) or gateway (s3, dynamodb)")
    .argument("[service...]", "service names: secretsmanager, sts, lambda, ssm, logs, kms, ecr.api, ecr.dkr, s3, dynamodb, …")
    .option("--subnets <private|ids>", "interface endpoints: the plan's private subnets, or a comma-separated list (default: private)")
    .option("--allow-from <source...>", "who may connect on 443: lambda:NAME, sg-…, or a CIDR (default: the VPC CIDR)")
    .option("--policy <full|least-privilege|file>", "endpoint policy (default: full, with a warning where a narrower template exists; least-privilege with --for, or for secretsmanager with --resource)")
    .option("--principal <arn...>", "least-privilege secretsmanager: the roles allowed (default: the roles of lambda: sources)")
    .option("--resource <arn...>", "least-privilege secretsmanager: the secret ARNs allowed")
    .option("--private-dns", "resolve the service's public name to the endpoint (default)")
    .option("--no-private-dns", "keep the service's public DNS name pointing at the public endpoint")
    .option("--allow-public-source", "accept --allow-from CIDRs that admit more than a /8 of public addresses in total")
    .option("--enable-vpc-dns", "turn on enableDnsSupport/enableDnsHostnames when private DNS needs them")
    .option("--for <preset>", "msk-esm: lambda + sts (+ secretsmanager with --sasl) for an MSK event source mapping")
    .option("--sasl", "--for msk-esm: the mapping reads SASL/SCRAM secrets (adds secretsmanager)")
    .action(lazy("add-endpoint", async () => (await import("./commands/add-endpoint.js")).addEndpointCommand));

  program
    .command("status")
    .description("what the plan holds, the static egress IPs, and a monthly cost estimate")
    .option("--offline", "read the plan only; make no AWS call")
    .option("--gb-per-month <gb>", "expected GB/month through the NAT gateways, for the cost estimate")
    .action(lazy("status", async () => (await import("./commands/status.js")).statusCommand));

  program
    .command("destroy")
    .description("delete everything the plan owns, in reverse order (imported resources and your EIPs are kept)")
    .option("--forget-missing", "a plan from before per-resource regions whose VPCs are all missing: delete what is left and forget the rest (else exit 2)")
    .action(lazy("destroy", async () => (await import("./commands/destroy.js")).destroyCommand));

  program
    .command("snapshot")
    .description("write one JSON document with everything that decides a network path (VPCs, routes, SGs, NACLs, ENIs, endpoints, Lambda…)")
    .option("--vpc <vpc-id...>", "only these VPCs (default: the plan's VPC when a plan file exists, else every VPC)")
    .option("--all-vpcs", "every VPC in the region")
    .option("--out <file>", "write the snapshot to FILE (default: stdout)")
    .action(lazy("snapshot", async () => (await import("./commands/snapshot.js")).snapshotCommand));

  program
    .command("analyze-path")
    .description("prove that traffic gets from --from to --to, or show where and why it is blocked (exit 0 reachable, 4 not, 6 unknown: not proven either way)")
    .option("--from <source>", "[required] subnet-…, eni-…, i-…, nat-…, vpce-… or lambda:FUNCTION_NAME")
    .option("--to <destination>", "[required] igw, internet, igw-…, an IP address or CIDR, service:NAME, eni-…, i-…, vpce-…, domain:NAME (--local)")
    .option("--protocol <protocol>", "tcp, udp or icmp (--local only) (default: tcp)")
    .option("--port <port>", "destination port (default: 443)")
    .option("--local", "the free offline analyzer on a fresh snapshot (no Reachability Analyzer charge)")
    .option("--aws", "AWS Reachability Analyzer (the default; about 0.10 USD per analysis)")
    .option("--compare", "run both and report any disagreement as a bug report")
    .option("--keep", "keep the Reachability Analyzer path and analysis (default: delete them)")
    .option("--snapshot <file>", "--local/--compare: analyze this snapshot file instead of a fresh one")
    .option("--vpc <vpc-id...>", "--local: snapshot only these VPCs (default: every VPC)")
    .action(lazy("analyze-path", async () => (await import("./commands/analyze-path.js")).analyzePathCommand));

  program
    .command("launch-proxy")
    .description("an egress proxy (Squid, domain allowlist) in the plan's private subnets, managed through SSM only (no key, no public IP)")
    .option("--allow-domain <pattern>", "[required] destination allowed, Squid dstdomain style (.example.com = it and its subdomains); repeat", collect)
    .option("--allow-cidr <cidr>", "private source range admitted besides the VPC's CIDR; repeat", collect)
    .option("--allow-dest-cidr <cidr>", "private destination range relayed after all (loopback, link-local, private ranges and the VPC's CIDR are denied by address); repeat", collect)
    .option("--port <port>", "proxy port (default: 3128)")
    .option("--instance-type <type>", "instance type (default: t3.micro)")
    .option("--per-az", "one proxy per AZ")
    .option("--subnets <ids>", "private subnets to launch in (comma-separated)")
    .option("--verify-sni", "peek at the TLS ClientHello and tunnel only names on the list (never decrypts)")
    .option("--skip-verify", "do not verify squid through SSM Run Command")
    .option("--print-config", "print the exact squid.conf and user data; change nothing")
    .action(lazy("launch-proxy", async () => (await import("./commands/launch-proxy.js")).launchProxyCommand));

  const proxy = program.command("proxy").description("the running egress proxies: allow");
  proxy
    .command("allow")
    .description("change the proxies' domain allowlist in place (SSM Run Command: write, squid -k parse, reconfigure)")
    .option("--add <pattern>", "domain to allow, Squid dstdomain style; repeat", collect)
    .option("--remove <pattern>", "domain to stop allowing; repeat", collect)
    .option("--add-dest-cidr <cidr>", "private destination range to relay after all (see launch-proxy --allow-dest-cidr); repeat", collect)
    .option("--remove-dest-cidr <cidr>", "destination range to stop relaying; repeat", collect)
    .action(lazy("proxy allow", async () => (await import("./commands/proxy-allow.js")).proxyAllowCommand));

  program
    .command("diagram")
    .description("draw the topology (VPC, subnets by tier and AZ, route tables, gateways, NATs + EIPs, endpoints, Lambda, instances) as Mermaid or DOT, optionally with an analyzed path highlighted")
    .addOption(new Option("--format <format>", "output format (default: mermaid)").choices(["mermaid", "dot"]))
    .option("--vpc <vpc-id...>", "only these VPCs (default: the plan's VPC when a plan file exists, else every VPC)")
    .option("--snapshot <file>", "draw this snapshot file instead of a fresh snapshot")
    .option("--path-from <source>", "highlight the path from this source (as analyze-path --from)")
    .option("--path-to <destination>", "… to this destination (as analyze-path --to)")
    .option("--path", "highlight the plan's first Lambda function (else first private subnet) → igw")
    .option("--protocol <protocol>", "protocol of the highlighted path (default: tcp)")
    .option("--port <port>", "destination port of the highlighted path (default: 443)")
    .action(lazy("diagram", async () => (await import("./commands/diagram.js")).diagramCommand));

  program
    .command("audit")
    .description("path-aware network findings (no egress, blackholes, Lambda placement, MSK mappings, endpoints, open groups, overlaps, cost) for CI; exit 3 on an open finding at or above --fail-on (default: high). `audit merge FILE…` joins shard reports")
    .argument("[merge-files...]", "`merge FILE…`: join JSON reports of --shard runs instead of auditing")
    .option("--vpc <vpc-id...>", "only these VPCs (else --plan [FILE]: the plan's VPCs, or --all-vpcs)")
    .option("--all-vpcs", "every VPC of each region (default: the plan's VPCs when a plan file exists, else every VPC)")
    .option("--all-regions", "every region enabled for the account (DescribeRegions); else each --region R is a scope")
    .option("--snapshot <file...>", "audit snapshot files (egress-cli snapshot --out FILE) offline instead of live")
    .option("--format <format>", "text, json, junit, sarif or markdown (default: text; json with --json)")
    .option("--output <file>", "write the report to FILE (a new path or an existing regular file; atomic) instead of stdout")
    .option("--fail-on <severity>", "exit 3 when an open finding is at or above: info, low, medium, high, critical; none never fails (default: high)")
    .option("--rules <ids>", "only these rule ids (comma-separated)")
    .option("--skip-rules <ids>", "skip these rule ids (comma-separated)")
    .option("--baseline <file>", "an earlier JSON report: only findings not in it count as open")
    .option("--shard <i/n>", "audit only the I-th of N slices of the scopes (CI matrix; join with audit merge)")
    .option("--sarif-anchor <file>", "SARIF: the repository file every result points at (default: the plan file, else the snapshot file)")
    .action(lazy("audit", async () => (await import("./commands/audit.js")).auditCommand));

  program
    .command("verify")
    .description("egress intent as code: check an intent file (YAML/JSON) exhaustively and offline — every source against every destination, domains through the proxy's allowlist; exit 0 all hold, 3 a violation, 6 unknown. --init writes a starter")
    .argument("[file]", "the intent file (schema/intent.schema.json); with --init, the file to write (default: egress-intents.yaml)")
    .option("--snapshot <file...>", "evaluate snapshot files (egress-cli snapshot --out FILE) instead of a live snapshot")
    .option("--vpc <vpc-id...>", "a live snapshot of only these VPCs (default: the plan's VPCs when a plan file exists, else every VPC)")
    .option("--all-vpcs", "a live snapshot of every VPC in the region")
    .option("--format <format>", "text, json, junit, sarif or markdown (default: text; json with --json)")
    .option("--output <file>", "write the report to FILE (atomic) instead of stdout")
    .option("--naa-scope <file>", "evaluate a Network Access Analyzer scope (MatchPaths/ExcludePaths, the subset in README) instead of an intent file")
    .option("--init", "write a commented starter intent file for the VPCs at hand (never over an existing file)")
    .action(lazy("verify", async () => (await import("./commands/verify.js")).verifyCommand));

  program
    .command("cost")
    .description("the egress bill by VPC (NAT gateway hours and GB, public IPv4, interface endpoints) with the savings the audit's cost rules find")
    .option("--snapshot <file>", "price this snapshot file instead of a live snapshot")
    .option("--vpc <vpc-id...>", "only these VPCs (default: the plan's VPCs when a plan file exists, else every VPC)")
    .option("--all-vpcs", "every VPC in the region")
    .option("--gb-per-month <gb>", "expected GB/month through the NAT gateways (split over them), for the data-processing line")
    .action(lazy("cost", async () => (await import("./commands/cost.js")).costCommand));

  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish) for every command and flag: source <(egress-cli completion bash)")
    .argument("<shell>", "bash, zsh or fish")
    .action(
      lazy("completion", async () => {
        const { completionCommand } = await import("./commands/completion.js");
        return (ctx, _opts, args) => completionCommand(ctx, args, commandTree(program));
      }),
    );

  const sandbox = program.command("sandbox").description("the embedded AWS emulator: init, show, load, reset");
  sandbox
    .command("init")
    .description("create the sandbox account (a default VPC per region, like a new AWS account)")
    .option("--examples", "also seed example VPCs for demos and audits")
    .option("--force", "replace an existing sandbox")
    .action(lazy("sandbox init", async () => (await import("./commands/sandbox.js")).sandboxInit));
  sandbox
    .command("show")
    .description("summarise the sandbox account")
    .action(lazy("sandbox show", async () => (await import("./commands/sandbox.js")).sandboxShow));
  sandbox
    .command("load")
    .description("replace a region of the sandbox with a snapshot document (egress-cli snapshot --out FILE)")
    .argument("<file>", "snapshot file")
    .action(lazy("sandbox load", async () => (await import("./commands/sandbox-load.js")).sandboxLoad));
  sandbox
    .command("reset")
    .description("wipe the sandbox back to a fresh account")
    .option("--examples", "also seed example VPCs")
    .action(lazy("sandbox reset", async () => (await import("./commands/sandbox.js")).sandboxReset));

  addExamples(program);
  return program;
}

/** The program's commands and flags as plain data, for completion scripts (one source: what commander holds). */
function commandTree(cmd: Command): import("./commands/completion.js").CommandTree {
  return {
    name: cmd.name(),
    flags: cmd.options
      .filter((o) => o.long && !o.hidden)
      .map((o) => ({ flag: o.long!, takesValue: Boolean(o.required || o.optional), ...(o.argChoices?.length ? { choices: o.argChoices } : {}) })),
    subcommands: cmd.commands.filter((c) => c.name() !== "help").map(commandTree),
  };
}

/** Two or three examples per command, shown at the end of its --help. */
const EXAMPLES: Record<string, string[]> = {
  "create-vpc": ["egress-cli create-vpc --name sms-api --cidr 10.0.0.0/16 --azs 2", "egress-cli create-vpc --name rotation --public-subnets 0   # private only: no IGW, no NAT", "egress-cli --dry-run create-vpc --name sms-api"],
  import: ["egress-cli import --vpc vpc-0123456789abcdef0 --name legacy", "egress-cli --plan legacy.json import --vpc vpc-0123456789abcdef0 --name legacy --json"],
  "add-nat": ["egress-cli add-nat                       # one NAT gateway, a new Elastic IP", "egress-cli add-nat --mode per-az         # one per AZ (HA)", "egress-cli add-nat --eip eipalloc-0123456789abcdef0   # your own, allow-listed IP"],
  "attach-lambda": ["egress-cli attach-lambda --function sms-sender", "egress-cli attach-lambda --function sms-sender --security-group sg-0123456789abcdef0", "egress-cli attach-lambda --function rotate-db-secret --egress-port 5432"],
  "detach-lambda": ["egress-cli detach-lambda --function sms-sender", "egress-cli --dry-run detach-lambda --function sms-sender"],
  "share-proxy": ["egress-cli share-proxy", "egress-cli share-proxy --share-with 111122223333 --share-with 444455556666"],
  "connect-proxy": ["egress-cli connect-proxy --consumer-vpc vpc-0123456789abcdef0 --subnets subnet-0123456789abcdef0,subnet-0fedcba9876543210", "egress-cli connect-proxy --consumer-vpc vpc-0123456789abcdef0 --subnets subnet-0123456789abcdef0 --consumer-profile team-a"],
  "add-endpoint": ["egress-cli add-endpoint secretsmanager --allow-from lambda:rotate-db-secret", "egress-cli add-endpoint s3 dynamodb                 # gateway endpoints (free)", "egress-cli add-endpoint --for msk-esm --allow-from sg-0123456789abcdef0 --enable-vpc-dns"],
  status: ["egress-cli status", "egress-cli status --gb-per-month 500", "egress-cli status --offline --json"],
  destroy: ["egress-cli destroy                # asks first on a terminal", "egress-cli destroy --yes", "egress-cli destroy --dry-run"],
  snapshot: ["egress-cli snapshot --out snap.json", "egress-cli snapshot --all-vpcs | jq '.vpcs | length'", "egress-cli snapshot --vpc vpc-0123456789abcdef0 --out snap.json"],
  "analyze-path": ["egress-cli analyze-path --from lambda:sms-sender --to igw", "egress-cli analyze-path --from subnet-0123456789abcdef0 --to service:secretsmanager --local", "egress-cli analyze-path --from i-0123456789abcdef0 --to 203.0.113.10 --port 80 --compare"],
  diagram: ["egress-cli diagram > vpc.mmd", "egress-cli diagram --format dot --path | dot -Tsvg > vpc.svg", "egress-cli diagram --path-from lambda:sms-sender --path-to igw"],
  audit: ["egress-cli audit --all-vpcs      # exit 3 on an open high or critical finding", "egress-cli audit --snapshot snap.json --format sarif --output audit.sarif --fail-on none   # report only", "egress-cli audit --region us-east-1 --region eu-west-1 --shard 1/2 --format json --output s1.json && egress-cli audit merge s1.json s2.json --format markdown"],
  "launch-proxy": ["egress-cli launch-proxy --allow-domain .example.com --allow-domain api.vendor.io", "egress-cli launch-proxy --per-az --allow-domain api.vendor.io --verify-sni", "egress-cli launch-proxy --allow-domain api.vendor.io --print-config"],
  proxy: ["egress-cli proxy allow --add .newvendor.com", "egress-cli proxy allow --remove api.vendor.io"],
  "proxy allow": ["egress-cli proxy allow --add .newvendor.com", "egress-cli proxy allow --add a.io --remove b.io"],
  cost: ["egress-cli cost --all-vpcs", "egress-cli cost --snapshot snap.json --json", "egress-cli cost --gb-per-month 500"],
  sandbox: ["egress-cli --sandbox sandbox init --examples", "egress-cli --sandbox sandbox show", "egress-cli --sandbox sandbox load snap.json"],
  "sandbox init": ["egress-cli --sandbox sandbox init", "egress-cli --sandbox sandbox init --examples --force"],
  "sandbox show": ["egress-cli --sandbox sandbox show", "egress-cli --sandbox sandbox show --json"],
  "sandbox load": ["egress-cli snapshot --out snap.json && egress-cli --sandbox sandbox load snap.json", "egress-cli --sandbox-file lab.json sandbox load snap.json"],
  completion: ["egress-cli completion bash > ~/.local/share/bash-completion/completions/egress-cli   # or in ~/.bashrc: source <(egress-cli completion bash)", "egress-cli completion zsh > \"${fpath[1]}/_egress-cli\"", "egress-cli completion fish > ~/.config/fish/completions/egress-cli.fish"],
  "sandbox reset": ["egress-cli --sandbox sandbox reset", "egress-cli --sandbox sandbox reset --examples"],
};

/** The exit codes, at the end of the program's --help (3 only once a command can return it). */
function exitCodesHelp(program: Command): string {
  const hasAudit = program.commands.some((c) => c.name() === "audit");
  return [
    "",
    "Exit codes:",
    "  0    success",
    "  1    AWS or runtime failure (re-run to resume); destroy answered n",
    "  2    bad usage or invalid input: nothing was changed",
    ...(hasAudit ? ["  3    audit: an open finding at or above --fail-on (default: high); verify: an intent is violated"] : []),
    "  4    analyze-path: not reachable (a hop that was evaluated blocks it)",
    "  5    the plan is locked by another live run",
    "  6    analyze-path: unknown (part of the path was not evaluated; the reasons say what to collect); verify: an intent could not be decided",
    "  130  interrupted (Ctrl-C): the plan is consistent; re-run to finish",
    "",
  ].join("\n");
}

function addExamples(program: Command): void {
  const visit = (cmd: Command, prefix: string) => {
    for (const sub of cmd.commands) {
      const name = prefix ? `${prefix} ${sub.name()}` : sub.name();
      const ex = EXAMPLES[name];
      if (ex) sub.addHelpText("after", `\nExamples:\n${ex.map((e) => `  $ ${e}`).join("\n")}\n`);
      visit(sub, name);
    }
  };
  visit(program, "");
  program.addHelpText("after", () => exitCodesHelp(program));
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
 * (`--vpc <id...>`) and those that collect (`--allow-domain`); `--region`/`--profile` only for audit,
 * whose scopes they are.
 */
function refuseRepeatedFlags(cmd: Command, name: string, argv: string[]): void {
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
    if (collects && !(name !== "audit" && (o.long === "--region" || o.long === "--profile"))) return false;
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
      refuseRepeatedFlags(cmd, name, argv);
      const ctx = createContext(g, { ...deps, log, userAgent: `egress-cli/${VERSION}` });
      const action = await load();
      const positional = args.filter((a) => Array.isArray(a) || typeof a === "string") as string[];
      const code = await action(ctx, cmd.opts(), positional.flat());
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
    stdin: process.stdin,
    signal: controller.signal,
    ...hooks,
  });
  process.exitCode = controller.signal.aborted ? ExitCode.interrupted : code;
}
