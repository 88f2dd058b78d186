// launch-proxy (S2, issue 9): an egress proxy (Squid on Amazon Linux 2023) in the plan's private subnets.
// This version validates every option (all problems at once, exit 2, no AWS call) and, with
// --print-config, prints the exact squid.conf and user data it would install. Creating the proxy (role,
// instance profile, group, instances, SSM verification) is not built yet and fails with exit 1 saying so.
import type { Context } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { Problems, intOption, cidrOption } from "./options.js";
import { validateDomains } from "../proxy/domains.js";
import { renderSquidConfig, renderUserData } from "../proxy/squid.js";
import { RFC1918, containsCidr } from "../net/cidr.js";
import { loadCheckedPlan } from "../engine/session.js";

export interface LaunchProxyOptions {
  allowDomain?: string[];
  allowCidr?: string[];
  port?: string;
  instanceType?: string;
  perAz?: boolean;
  subnets?: string;
  verifySni?: boolean;
  skipVerify?: boolean;
  printConfig?: boolean;
}

export async function launchProxyCommand(ctx: Context, opts: LaunchProxyOptions): Promise<number> {
  const problems = new Problems();
  const domains = opts.allowDomain ?? [];
  if (!domains.length) problems.add("launch-proxy needs at least one --allow-domain (the proxy denies everything else).", "for example --allow-domain .example.com --allow-domain api.vendor.io");
  for (const p of validateDomains(domains)) problems.add(`--allow-domain '${p.pattern}' ${p.problem}.`);
  const port = await problems.check(() => intOption("port", opts.port ?? "3128", 1, 65535));
  const cidrs: string[] = [];
  for (const raw of opts.allowCidr ?? []) {
    const c = await problems.check(() => cidrOption("allow-cidr", raw));
    if (c === undefined) continue;
    // the proxy's group never admits a public range: sources are private networks only
    if (!RFC1918.some((r) => containsCidr(r, c))) problems.add(`--allow-cidr ${c} is not a private (RFC1918) range: the proxy admits only private sources.`, "name the consumer networks, e.g. 10.1.0.0/16");
    else cidrs.push(c);
  }
  if (opts.instanceType !== undefined && !/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(opts.instanceType)) problems.add(`--instance-type '${opts.instanceType}' is not an instance type name (t3.micro, t4g.small, …).`);
  if (opts.perAz && opts.subnets !== undefined) problems.add("--per-az picks one private subnet per AZ; --subnets names them yourself: pass one of them.");
  const plan = await problems.check(() => loadCheckedPlan(ctx, { offline: true }));
  const vpcCidr = plan?.resources.vpc?.cidr;
  if (plan && !vpcCidr) problems.add("The plan has no VPC CIDR to admit: launch-proxy runs on a plan made by create-vpc or import.");
  problems.throwIfAny();

  const squidConf = renderSquidConfig({ port: port!, allowDomains: domains, allowCidrs: [vpcCidr!, ...cidrs.filter((c) => c !== vpcCidr)], verifySni: opts.verifySni === true });
  const userData = renderUserData(squidConf, { verifySni: opts.verifySni === true });
  if (opts.printConfig) {
    ctx.emit({ command: "launch-proxy", printConfig: true, port: port!, allowDomains: domains, allowCidrs: [vpcCidr!, ...cidrs], squidConf, userData }, (r) => `# ${"/etc/squid/squid.conf"}\n${r.squidConf}\n# user data\n${r.userData}`);
    return 0;
  }
  throw new CliError(
    "launch-proxy can only --print-config in this version: creating the proxy (IAM role and instance profile, security group, instances, SSM check) is not built yet.",
    ExitCode.failure,
    "Review the configuration with --print-config; see issue 9 for the rest.",
    "NotImplemented",
  );
}
