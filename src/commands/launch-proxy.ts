// launch-proxy (S2, issue 9): an egress proxy (Squid on Amazon Linux 2023) in the plan's private subnets.
// Every option and every fact of the account it depends on is checked first (all problems at once,
// exit 2, no mutating call): the domains, port and sources, the chosen subnets (this VPC's, private),
// and the offline analyzer's proof that those subnets reach the internet on 443. Then, as steps of
// the plan: an IAM role trusted by EC2 with AmazonSSMManagedInstanceCore, an instance profile, the
// proxy's security group (the port from the VPC and --allow-cidr only; out only tcp 80/443), and one
// instance per chosen subnet; then, unless --skip-verify, Systems Manager registration and a Run
// Command check that squid is active and its config parses. --print-config changes nothing.
import { ec2Of } from "../aws/ec2-api.js";
import { ssmOf } from "../aws/ssm-api.js";
import type { Options } from "./launch-proxy.spec.js";
import type { Context } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { Problems, intOption, cidrOption, awsId, listOption } from "../cli/options.js";
import { validateDomains } from "../proxy/domains.js";
import { destinationCidrProblem, renderSquidConfig, renderUserData } from "../proxy/squid.js";
import { EC2_TRUST_POLICY, PROXY_EGRESS_PORTS, SSM_CORE_POLICY_ARN, VERIFY_SCRIPT, amiParameterFor, architectureOf, proxyLaunchInput, proxyUrl, squidInputFor } from "../proxy/launch.js";
import { RFC1918, containsCidr } from "../net/cidr.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { assertNotLocked } from "../locks/file-lock.js";
import { defaultName, runSteps, type StepDef } from "../engine/engine.js";
import { LIMITS, lengthProblem, ruleCountProblems, tagProblems } from "../aws/limits.js";
import { planTags } from "../aws/tags.js";
import type { Plan, ProxySettings } from "../plans/schema.js";
import { planSubnets, requirePlanVpc } from "../engine/kinds/views.js";
import { defaultRouteOf, effectiveRouteTable, routeTableLookup, routesToInternetGateway } from "../net/routes.js";
import { iamRoleStep, roleNameOf } from "../engine/kinds/iam-role.js";
import { rolePolicyAttachmentStep } from "../engine/kinds/iam-role-policy-attachment.js";
import { instanceProfileStep } from "../engine/kinds/iam-instance-profile.js";
import { securityGroupStep } from "../engine/kinds/security-group.js";
import { egressRuleStep, ingressRuleStep } from "../engine/kinds/security-group-rule.js";
import { ec2InstanceStep, proxyInstances, type LaunchInput } from "../engine/kinds/ec2-instance.js";
import { listSubnets, orUndefined } from "../aws/ec2.js";
import { byText } from "../order.js";

/** launch-proxy's options: its spec's flags (values as typed; this command checks them, every problem at once). */
export type LaunchProxyOptions = Options;


export async function launchProxyCommand(ctx: Context, opts: LaunchProxyOptions): Promise<number> {
  // another run holds the plan: exit 5 before judging the input (that run may change what is valid)
  if (!opts.printConfig && !ctx.opts.dryRun) await assertNotLocked(ctx.planPath);
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
    else if (!cidrs.includes(c)) cidrs.push(c);
  }
  const instanceType = opts.instanceType ?? "t3.micro";
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceType)) problems.add(`--instance-type '${instanceType}' is not an instance type name (t3.micro, t4g.small, …).`);
  if (opts.perAz && opts.subnets !== undefined) problems.add("--per-az picks one private subnet per AZ; --subnets names them yourself: pass one of them.");
  const subnetIds: string[] = [];
  for (const raw of opts.subnets !== undefined ? ((await problems.check(() => listOption("subnets", opts.subnets!))) ?? []) : []) {
    const id = await problems.check(() => awsId("subnet", "a subnet", raw));
    if (id) subnetIds.push(id);
  }
  if (opts.subnets !== undefined && !subnetIds.length && !problems.list.length) problems.add("--subnets names no subnet.", "--subnets subnet-1,subnet-2");
  const plan = await problems.check(() => loadCheckedPlan(ctx, { offline: true }));
  const vpcCidr = plan?.resources.vpc?.cidr;
  if (plan && !vpcCidr) problems.add("The plan has no VPC CIDR to admit: launch-proxy runs on a plan made by create-vpc or import.");
  const destCidrs = await destCidrOptions(problems, "allow-dest-cidr", opts.allowDestCidr, vpcCidr);
  if (plan) {
    const extra = cidrs.filter((c) => c !== vpcCidr).length;
    for (const p of ruleCountProblems(`The proxy's group (tcp/${port ?? 3128} from the VPC and ${extra} --allow-cidr)`, 1 + extra, PROXY_EGRESS_PORTS.length)) problems.add(p, "Admit fewer, wider source ranges (one /16 instead of many /24s).");
    for (const p of proxyNameProblems(plan, port ?? 3128)) problems.add(p);
  }
  problems.throwIfAny();

  const settings: ProxySettings = { port: port!, allowDomains: domains, allowCidrs: cidrs, ...(destCidrs.length ? { allowDestCidrs: destCidrs } : {}), verifySni: opts.verifySni === true, instanceType, perAz: opts.perAz === true, skipVerify: opts.skipVerify === true };
  const squidInput = squidInputFor(settings, vpcCidr!);
  const squidConf = renderSquidConfig(squidInput);
  // EC2 takes 16 KB of user data: a longer one boots squid denying everything, and the config follows by Run Command
  const fullUserData = renderUserData(squidConf, { verifySni: settings.verifySni });
  const allowlistDelivery = Buffer.byteLength(fullUserData, "utf8") <= LIMITS.userDataBytes ? "user-data" : "run-command";
  const userData = allowlistDelivery === "user-data" ? fullUserData : renderUserData(renderSquidConfig({ ...squidInput, allowDomains: [] }), { verifySni: settings.verifySni, allowlistByRunCommand: true });
  if (opts.printConfig) {
    ctx.emit({ command: "launch-proxy", printConfig: true, port: port!, allowDomains: domains, allowCidrs: [vpcCidr!, ...cidrs.filter((c) => c !== vpcCidr)], allowlistDelivery, squidConf, userData }, (r) => `# ${"/etc/squid/squid.conf"}${r.allowlistDelivery === "run-command" ? " (sent by SSM Run Command after boot: the user data would exceed 16 KB)" : ""}\n${r.squidConf}\n# user data\n${r.userData}`);
    return 0;
  }
  if (allowlistDelivery === "run-command" && settings.skipVerify) {
    throw new UsageError(
      `The squid config for ${domains.length} domains makes ${Buffer.byteLength(fullUserData, "utf8")} bytes of user data; EC2 takes at most ${LIMITS.userDataBytes}. It is sent through SSM Run Command after boot, which --skip-verify rules out.`,
      "Drop --skip-verify (the proxies must reach the SSM endpoints), or shorten the list (a .example.com pattern covers every subdomain).",
    );
  }
  refuseChangedProxy(plan!, settings, subnetIds);

  // ---- the account, read only: the subnets and the analyzer's egress proof ----
  const chosen = await chooseSubnets(ctx, plan!, settings.perAz, subnetIds);
  const ami = await latestImage(ctx, instanceType);

  // ---- provisioning ----
  const session = await openSession(ctx, {}, "launch-proxy");
  try {
    session.plan.proxy = settings; // written by runSteps once its pre-flight checks pass
    const steps = proxySteps(session.plan, settings, chosen, ami, userData);
    const report = await runSteps(ctx, session, steps);
    const proxies = proxyInstances(session.plan);
    let verified: "skipped" | "ok" = "skipped";
    if (allowlistDelivery === "run-command" && !ctx.opts.dryRun) {
      const { pushSquidConfig } = await import("../aws/ssm.js");
      await pushSquidConfig(ctx, proxies.map((p) => p.id), squidConf, "launch-proxy", "The proxies deny everything until the config is in; re-run launch-proxy with the same flags, it sends it again.");
    }
    if (!settings.skipVerify && !ctx.opts.dryRun) {
      await verifyProxies(ctx, proxies.map((p) => p.id));
      verified = "ok";
    }
    const result = {
      command: "launch-proxy",
      dryRun: ctx.opts.dryRun,
      plan: session.plan.name,
      region: session.plan.region,
      port: settings.port,
      allowDomains: settings.allowDomains,
      allowCidrs: [vpcCidr!, ...cidrs.filter((c) => c !== vpcCidr)],
      verifySni: settings.verifySni,
      allowlistDelivery,
      imageId: ami.imageId,
      securityGroupId: session.plan.resources["proxy/sg"]?.id ?? null,
      instanceProfile: session.plan.resources["proxy/profile"]?.id ?? null,
      role: session.plan.resources["proxy/role"]?.id ?? null,
      proxies: proxies.map((p) => ({ instanceId: p.id, az: p.az, subnetId: p.subnetId, privateIp: p.privateIp, instanceType: p.instanceType, url: p.privateIp ? proxyUrl(p.privateIp, settings.port) : null })),
      verified,
      steps: report.outcomes,
    };
    ctx.emit(result, renderLaunchProxy);
    return 0;
  } finally {
    await session.close();
  }
}

function renderLaunchProxy(r: { proxies: Array<{ instanceId: string; az?: string; url: string | null }>; verified: string; securityGroupId: string | null; dryRun: boolean; allowDomains: string[] }): string {
  if (r.dryRun) return "launch-proxy --dry-run: the permission checks above; nothing was created.";
  const lines = [`Proxy group ${r.securityGroupId}; allowed: ${r.allowDomains.join(" ")}`];
  for (const p of r.proxies) lines.push(`  ${p.az}: ${p.instanceId}  ${p.url}`);
  lines.push(r.verified === "ok" ? "squid is active and its config parses (checked through SSM Run Command)." : "Not verified through SSM (--skip-verify).");
  lines.push(`Use: HTTPS_PROXY=${r.proxies[0]?.url ?? "?"} HTTP_PROXY=${r.proxies[0]?.url ?? "?"}`);
  return lines.join("\n");
}

/** A plan's proxy is changed only by `proxy allow` (domains) or destroy and relaunch (the rest). */
function refuseChangedProxy(plan: Plan, want: ProxySettings, subnetIds: string[]): void {
  const have = plan.proxy;
  if (!have || !proxyInstances(plan).length) return;
  if (have.allowDomains.join(" ") !== want.allowDomains.join(" ") && have.port === want.port) {
    throw new UsageError(`The plan's proxy already allows ${have.allowDomains.join(" ")}; this run asks for ${want.allowDomains.join(" ")}.`, "Change the allowlist in place with egress-cli proxy allow --add/--remove (the instances stay).");
  }
  const differs: string[] = (["port", "instanceType", "perAz", "verifySni"] as const).filter((k) => have[k] !== want[k]);
  if (have.allowCidrs.join() !== want.allowCidrs.join()) differs.push("allowCidrs");
  if ((have.allowDestCidrs ?? []).join() !== (want.allowDestCidrs ?? []).join()) {
    throw new UsageError(`The plan's proxy relays to ${(have.allowDestCidrs ?? []).join(" ") || "no internal range"}; this run asks for ${(want.allowDestCidrs ?? []).join(" ") || "none"}.`, "Change it in place with egress-cli proxy allow --add-dest-cidr/--remove-dest-cidr (the instances stay).");
  }
  const recordedSubnets = proxyInstances(plan).map((p) => p.subnetId);
  if (subnetIds.length && subnetIds.some((s) => !recordedSubnets.includes(s))) differs.push("subnets");
  if (differs.length) {
    throw new UsageError(`The plan's proxy was launched with other settings (${differs.join(", ")}): launch-proxy does not replace running proxies.`, "Re-run with the same flags to resume, or run destroy first.");
  }
}

/**
 * AWS limits of the names, descriptions and tags proxySteps gives (the group's rules are counted by the
 * caller), known before any call. The user data needs no refusal: one too long for EC2 boots a deny-all
 * config and the full one follows by Run Command.
 */
function proxyNameProblems(plan: Plan, port: number): string[] {
  const ids = ["proxy/role", "proxy/profile", "proxy/sg", "proxy/<az>/instance"];
  return [
    ...[
      lengthProblem("The proxy's security group name", proxyGroupName(plan.name), LIMITS.securityGroupNameChars),
      lengthProblem("The proxy's security group description", proxyGroupDescription(plan.name, port), LIMITS.securityGroupDescriptionChars),
      lengthProblem("The proxy's IAM role name", roleNameOf(plan.name, "proxy/role"), LIMITS.iamRoleNameChars),
      lengthProblem("The proxy's instance profile name", defaultName(plan.name, "proxy/profile"), LIMITS.iamInstanceProfileNameChars),
    ].filter((p): p is string => p !== undefined),
    ...ids.flatMap((id) => tagProblems(`The ${id} resource`, planTags(plan, id, defaultName(plan.name, id)))),
  ];
}

const proxyGroupName = (planName: string) => `${planName}-proxy`;
const proxyGroupDescription = (planName: string, port: number) => `egress-cli proxy of plan ${planName}: tcp/${port} from private sources, out tcp 80/443`;

/** Strict --allow-dest-cidr / --add-dest-cidr values: IPv4 blocks inside a private range or the VPC (destinationCidrProblem). */
export async function destCidrOptions(problems: Problems, flag: string, raws: string[] | undefined, vpcCidr: string | undefined): Promise<string[]> {
  const out: string[] = [];
  for (const raw of raws ?? []) {
    const c = await problems.check(() => cidrOption(flag, raw));
    if (c === undefined) continue;
    const problem = destinationCidrProblem(c, vpcCidr);
    if (problem) problems.add(`--${flag} ${c} ${problem}.`, "e.g. --" + flag + " 10.20.0.0/16 for a peered network the proxy must reach");
    else if (out.includes(c)) problems.add(`--${flag} ${c} is given twice.`);
    else out.push(c);
  }
  return out;
}

interface ChosenSubnet {
  subnetId: string;
  az: string;
  /** The plan's step for it, when the plan records it (the instance is deleted before it). */
  step?: string;
}

/** The subnets to launch in, each checked: this VPC's, private, and reaching the internet on 443 (all problems at once). */
async function chooseSubnets(ctx: Context, plan: Plan, perAz: boolean, named: string[]): Promise<ChosenSubnet[]> {
  const vpcId = requirePlanVpc(plan);
  const problems = new Problems();
  const ec2 = await ec2Of(ctx);
  const recorded = planSubnets(plan);
  const stepOf = new Map(recorded.map((s) => [s.subnetId, s.step]));
  let ids: string[];
  if (named.length) {
    // one by one: every missing subnet is named, not only the first DescribeSubnets complains about
    const found = (await Promise.all(named.map((id) => orUndefined(listSubnets(ec2, undefined, [id]))))).map((r, i) => ({ id: named[i], subnet: r?.[0] }));
    for (const f of found) {
      if (!f.subnet) problems.add(`--subnets ${f.id}: no such subnet in ${plan.region}.`);
      else if (f.subnet.VpcId !== vpcId) problems.add(`--subnets ${f.id} is in ${f.subnet.VpcId}, not in the plan's VPC ${vpcId}: the proxy runs in the plan's VPC.`);
    }
    ids = found.filter((f) => f.subnet?.VpcId === vpcId).map((f) => f.id);
  } else {
    const privates = planSubnets(plan, "private");
    if (!privates.length) throw new UsageError(`Plan "${plan.name}" has no private subnet to run the proxy in.`, "Create the VPC with private subnets, or name them with --subnets.");
    const byAz = new Map<string, string>();
    for (const s of privates) if (!byAz.has(s.az)) byAz.set(s.az, s.subnetId);
    ids = perAz ? [...byAz.entries()].sort(([a], [b]) => byText(a, b)).map(([, id]) => id) : [privates[0].subnetId];
  }

  const { takeSnapshot } = await import("./snapshot.js");
  const { analyzePath } = await import("../analysis/analyzer.js");
  const snap = await takeSnapshot(ctx, { vpc: [vpcId] });
  const tables = routeTableLookup(snap.routeTables ?? []);
  const out: ChosenSubnet[] = [];
  for (const id of ids) {
    const s = (snap.subnets ?? []).find((x) => x.SubnetId === id);
    if (!s) {
      problems.add(`Subnet ${id} is not in the snapshot of ${vpcId}.`);
      continue;
    }
    const route = defaultRouteOf(effectiveRouteTable(s, tables)?.table.Routes);
    if (routesToInternetGateway(route)) {
      problems.add(`Subnet ${id} (${s.AvailabilityZone}) is public (0.0.0.0/0 → ${route?.GatewayId}): the proxy runs in a private subnet, reachable only through its group.`, "Name private subnets with --subnets, or leave it out to use the plan's.");
      continue;
    }
    const path = analyzePath(snap, { source: id, destination: "internet", protocol: "tcp", port: 443 });
    if (path.verdict === "unknown") {
      problems.add(`Subnet ${id} (${s.AvailabilityZone}): could not prove it reaches the internet on tcp/443: ${path.unknownReasons.map((u) => u.detail).join("; ")}.`, path.unknownReasons[0]?.collect);
      continue;
    }
    if (!path.reachable) {
      const why = path.explanations.map((e) => `${e.code}: ${e.detail}`).join("; ") || "no path";
      problems.add(`Subnet ${id} (${s.AvailabilityZone}) has no path to the internet on tcp/443, so a proxy there could not reach anything: ${why}.`, path.hint ?? "Add a NAT gateway (egress-cli add-nat) or fix the route, then re-run.");
      continue;
    }
    if (out.some((o) => o.az === s.AvailabilityZone)) {
      problems.add(`--subnets names two subnets in ${s.AvailabilityZone}: one proxy per AZ.`);
      continue;
    }
    out.push({ subnetId: id, az: s.AvailabilityZone!, step: stepOf.get(id) });
  }
  problems.throwIfAny();
  return out;
}

/** The newest Amazon Linux 2023 image for the instance type's architecture (public SSM parameter). */
async function latestImage(ctx: Context, instanceType: string): Promise<{ imageId: string; parameter: string }> {
  const parameter = amiParameterFor(instanceType);
  try {
    const r = await (await ssmOf(ctx)).getParameter({ Name: parameter });
    return { imageId: r.Parameter!.Value!, parameter };
  } catch (err) {
    if ((err as Error)?.name === "ParameterNotFound") throw new CliError(`The public parameter ${parameter} (${architectureOf(instanceType)}) does not exist in this region.`, ExitCode.failure);
    throw err;
  }
}

/** Role, attachment, profile, group and its rules, and one instance per chosen subnet, as steps. */
export function proxySteps(plan: Plan, s: ProxySettings, subnets: ChosenSubnet[], ami: { imageId: string }, userData: string): StepDef[] {
  const vpcCidr = plan.resources.vpc!.cidr!;
  const steps: StepDef[] = [
    iamRoleStep({ id: "proxy/role", label: "IAM role of the proxy (trusted by EC2)", trustPolicy: EC2_TRUST_POLICY, description: `egress-cli proxy of plan ${plan.name}: SSM agent only` }),
    { ...rolePolicyAttachmentStep({ id: "proxy/role/ssm-core", roleName: roleNameOf(plan.name, "proxy/role"), policyArn: SSM_CORE_POLICY_ARN }), dependsOn: ["proxy/role"] },
    instanceProfileStep({ id: "proxy/profile", roleStep: "proxy/role" }),
    securityGroupStep({ id: "proxy/sg", groupName: proxyGroupName(plan.name), description: proxyGroupDescription(plan.name, s.port), label: "proxy security group" }),
  ];
  [vpcCidr, ...s.allowCidrs.filter((c) => c !== vpcCidr)].forEach((cidr, n) =>
    steps.push(ingressRuleStep({ id: `proxy/sg/ingress/${n}`, groupStep: "proxy/sg", port: s.port, source: { kind: "cidr", cidr, label: n === 0 ? "the VPC" : "--allow-cidr" } })),
  );
  for (const port of PROXY_EGRESS_PORTS) steps.push(egressRuleStep({ id: `proxy/sg/egress/${port}`, groupStep: "proxy/sg", to: { cidr: "0.0.0.0/0" }, port, label: port === 443 ? "TLS out" : "HTTP out" }));
  for (const sub of subnets) {
    const id = `proxy/${sub.az}/instance`;
    steps.push(
      ec2InstanceStep({
        id,
        az: sub.az,
        label: `proxy instance in ${sub.az}`,
        // the instance needs its group's egress (dnf install at boot) and the profile's role policy (SSM)
        dependsOn: [...(sub.step ? [sub.step] : []), "proxy/sg", ...PROXY_EGRESS_PORTS.map((p) => `proxy/sg/egress/${p}`), "proxy/profile", "proxy/role/ssm-core"],
        imageId: ami.imageId,
        launch: async (run, imageId) => proxyLaunchInput({ imageId, instanceType: s.instanceType, subnetId: sub.subnetId, securityGroupId: run.ref("proxy/sg"), instanceProfileName: run.ref("proxy/profile"), userData }) as LaunchInput,
      }),
    );
  }
  return steps;
}

/** Every proxy registered with SSM, then squid active and its config parsing on each (Run Command). */
async function verifyProxies(ctx: Context, instanceIds: string[]): Promise<void> {
  const { waitRegistered, runShell, commandFailure } = await import("../aws/ssm.js");
  await waitRegistered(ctx, instanceIds);
  const results = await runShell(ctx, instanceIds, VERIFY_SCRIPT, "egress-cli launch-proxy: squid active, config parses");
  const failed = results.filter((r) => r.status !== "Success" || r.exitCode !== 0);
  if (failed.length) throw commandFailure("The squid check (systemctl is-active squid; squid -k parse)", failed, "Look at /var/log/cloud-init-output.log on the instance (aws ssm start-session); re-run launch-proxy after fixing, it resumes.");
}
