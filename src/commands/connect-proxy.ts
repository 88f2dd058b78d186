// connect-proxy (S2, issue 9 item 4): a consumer VPC reaches the shared proxy through PrivateLink —
// in the consumer's subnets, one Resource VPC endpoint per shared proxy configuration, behind a
// security group admitting the proxy port from the consumer VPC's CIDR; waited until available. Prints
// the endpoints' private IPs and the HTTPS_PROXY/HTTP_PROXY/NO_PROXY lines per subnet (the endpoint of
// the proxy in the subnet's own AZ when there is one). Overlapping CIDRs do not matter (PrivateLink).
// --consumer-profile: the consumer VPC is in another account; its records carry that account and
// profile, so destroy and status use those credentials.
import { ec2Api } from "../aws/ec2-api.js";
import type { Subnet } from "@aws-sdk/client-ec2";
import type { Options } from "./connect-proxy.spec.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { classifyError } from "../aws/errors.js";
import { getVpc, listSecurityGroups, listSubnets } from "../aws/ec2.js";
import { runSteps, type StepDef, type StepResult } from "../engine/engine.js";
import { contextForProfile } from "../engine/destroy.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { recordOf, recordsOf } from "../engine/kinds/kind.js";
import { ramResourceShareKind } from "../engine/kinds/ram-resource-share.js";
import { resourceConfigurationKind } from "../engine/kinds/lattice-resource-configuration.js";
import { resourceEndpointStep, type EndpointAddress } from "../engine/kinds/resource-endpoint.js";
import { ingressRuleStep } from "../engine/kinds/security-group-rule.js";
import { securityGroupStep } from "../engine/kinds/security-group.js";
import { vpcEndpointKind } from "../engine/kinds/vpc-endpoint.js";
import { planVpc } from "../engine/kinds/views.js";
import { proxySettings } from "../plans/schema.js";
import { awsId, listOption, Problems } from "../cli/options.js";
import { sharedConfigurations } from "./share-proxy.js";

/** connect-proxy's options: its spec's flags (values as typed; this command checks them, every problem at once). */
export type ConnectProxyOptions = Options;

/** Where a consumer's records live: recorded with each of them (destroy and status use these credentials). */
export interface Placement {
  accountId: string;
  region: string;
  profile?: string;
}

/** The step, with its records carrying the account (and profile) they were made in. */
function placed(step: StepDef, where: Placement): StepDef {
  const extra = { accountId: where.accountId, region: where.region, ...(where.profile ? { profile: where.profile } : {}) };
  const add = (r: StepResult | undefined): StepResult | undefined => r && { ...r, attrs: { ...(r.attrs ?? {}), ...extra } };
  return {
    ...step,
    intent: async (run) => ({ ...(step.intent ? await step.intent(run) : {}), ...extra }),
    ...(step.verify ? { verify: async (run, rec) => add(await step.verify!(run, rec)) } : {}),
    ...(step.discover ? { discover: async (run) => add(await step.discover!(run)) } : {}),
    create: async (run) => add(await step.create(run))!,
    ...(step.settle ? { settle: async (run, res) => add((await step.settle!(run, res)) ?? res) } : {}),
  };
}

/** NO_PROXY: the instance metadata service and the consumer VPC itself stay direct. */
export function proxyEnv(ip: string, port: number, vpcCidr: string) {
  const url = `http://${ip}:${port}`;
  return { HTTPS_PROXY: url, HTTP_PROXY: url, NO_PROXY: ["localhost", "127.0.0.1", "169.254.169.254", vpcCidr].join(",") };
}

export async function connectProxyCommand(ctx: Context, opts: ConnectProxyOptions): Promise<number> {
  const problems = new Problems();
  if (!opts.consumerVpc) problems.add("--consumer-vpc is required (the VPC whose workloads use the proxy).");
  const vpcId = opts.consumerVpc ? await problems.check(() => awsId("vpc", "--consumer-vpc", opts.consumerVpc!)) : undefined;
  const subnetIds: string[] = [];
  if (!opts.subnets) problems.add("--subnets is required (comma-separated subnet ids of the consumer VPC, one per AZ).");
  for (const raw of opts.subnets ? ((await problems.check(() => listOption("subnets", opts.subnets!))) ?? []) : []) {
    const id = await problems.check(() => awsId("subnet", "--subnets", raw));
    if (id) subnetIds.push(id);
  }
  const groupIds: string[] = [];
  const groupItems: string[] = [];
  for (const g of opts.securityGroup ?? []) groupItems.push(...((await problems.check(() => listOption("security-group", g))) ?? []));
  for (const raw of groupItems) {
    const id = await problems.check(() => awsId("sg", "--security-group", raw));
    if (id && !groupIds.includes(id)) groupIds.push(id);
  }
  const plan = await problems.check(() => loadCheckedPlan(ctx));
  const settings = plan && proxySettings(plan);
  const configs = plan ? sharedConfigurations(plan) : [];
  if (plan && !settings) problems.add(`Plan "${plan.name}" has no proxy yet.`, "Run egress-cli launch-proxy, then egress-cli share-proxy.", "NoProxy");
  else if (plan && !configs.length) problems.add(`Plan "${plan.name}" has no shared proxy configuration yet.`, "Run egress-cli share-proxy first.", "NotShared");
  problems.throwIfAny();

  // The consumer side, read-only: its account, its VPC, its subnets and groups.
  const cctx = contextForProfile(ctx, opts.consumerProfile);
  const consumerAws = await cctx.aws();
  const region = plan!.region;
  if (opts.consumerProfile) {
    const { resolveRegion } = await import("../aws/clients.js");
    // the region the profile is configured for (its `region` in ~/.aws/config), if any
    const profileRegion = await resolveRegion({ profile: opts.consumerProfile, env: { ...ctx.env, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, sandbox: false }).catch((e) => (e instanceof UsageError ? undefined : Promise.reject(e)));
    if (profileRegion && profileRegion !== region) {
      problems.add(`--consumer-profile ${opts.consumerProfile} is configured for ${profileRegion}, but the proxy is shared in ${region}: a Resource endpoint connects only to a resource configuration in its own Region.`, "Connect consumer VPCs of the proxy's Region (or run a proxy in that Region).", "OtherRegion");
    }
  }
  const accountId = await consumerAws.accountId();
  const ec2 = ec2Api(await consumerAws.ec2());
  const vpc = await getVpc(ec2, vpcId!);
  if (!vpc) {
    problems.add(`--consumer-vpc ${vpcId} does not exist in ${region} (account ${accountId}).`, `A Resource endpoint must be in the shared configuration's Region (${region}); check the id${opts.consumerProfile ? "" : ", and --consumer-profile for a VPC of another account"}.`, "VpcNotFound");
    problems.throwIfAny();
  }
  const egress = planVpc(plan!);
  if (egress && egress.id === vpcId) problems.add(`--consumer-vpc ${vpcId} is the proxy's own VPC: its workloads reach the proxy directly.`, "connect-proxy is for other VPCs; in this VPC use the proxy's own address.");
  let subnets: Subnet[] = [];
  try {
    subnets = await listSubnets(ec2, undefined, subnetIds);
  } catch (err) {
    if (classifyError(err) !== "not-found") throw err;
    // one of them does not exist: ask one by one to name every missing one
    for (const id of subnetIds) {
      const one = await listSubnets(ec2, undefined, [id]).catch((e) => (classifyError(e) === "not-found" ? [] : Promise.reject(e)));
      if (!one.length) problems.add(`--subnets ${id} does not exist in ${region}.`);
      else subnets.push(...one);
    }
  }
  const azs = new Map<string, string>();
  for (const s of subnets) {
    if (s.VpcId !== vpcId) problems.add(`--subnets ${s.SubnetId} is in ${s.VpcId}, not in the consumer VPC ${vpcId}.`);
    else if (azs.has(s.AvailabilityZone!)) problems.add(`--subnets ${azs.get(s.AvailabilityZone!)} and ${s.SubnetId} are both in ${s.AvailabilityZone}: a VPC endpoint takes one subnet per AZ.`);
    else azs.set(s.AvailabilityZone!, s.SubnetId!);
  }
  if (groupIds.length) {
    const groups = await listSecurityGroups(ec2, undefined, groupIds).catch((e) => (classifyError(e) === "not-found" ? undefined : Promise.reject(e)));
    if (!groups) problems.add(`--security-group ${groupIds.join(", ")}: not every group exists in ${region}.`);
    else for (const g of groups) if (g.VpcId !== vpcId) problems.add(`--security-group ${g.GroupId} is in ${g.VpcId}, not in the consumer VPC ${vpcId}.`);
  }
  if (accountId !== plan!.accountId) {
    // Another account sees the configurations only through the RAM share.
    const share = recordOf(plan!, ramResourceShareKind, "proxy/share");
    const principals = share?.state === "created" ? (share.attrs.principals ?? []) : [];
    const ous = principals.filter((p) => p.startsWith("arn:aws:organizations:"));
    if (!principals.includes(accountId) && !ous.length) {
      problems.add(`The proxy is not shared with account ${accountId} (the consumer's): no shared configuration to connect to.`, `Run egress-cli share-proxy --share-with ${accountId} first.`, "NotShared");
    } else if (!principals.includes(accountId)) ctx.log.warn(`Account ${accountId} is not named in the share; it must be in ${ous.join(", ")} for the endpoints to be accepted.`);
  }
  problems.throwIfAny();

  // A custom domain on the configurations (share-proxy --domain): private DNS on the endpoints, which
  // needs the consumer VPC's DNS support and hostnames (read, never changed here).
  const customDomains = configs.map((c) => recordOf(plan!, resourceConfigurationKind, c.step)?.attrs.customDomainName).filter((x): x is string => Boolean(x));
  let privateDns = false;
  if (customDomains.length) {
    const attr = async (Attribute: "enableDnsSupport" | "enableDnsHostnames") => {
      const r = await ec2.describeVpcAttribute({ VpcId: vpcId!, Attribute });
      return Attribute === "enableDnsSupport" ? r.EnableDnsSupport?.Value : r.EnableDnsHostnames?.Value;
    };
    privateDns = Boolean((await attr("enableDnsSupport")) && (await attr("enableDnsHostnames")));
    if (!privateDns) ctx.log.warn(`${vpcId} does not have both enableDnsSupport and enableDnsHostnames: the endpoints get no private DNS for ${customDomains.join(", ")}; use their IPs.`);
  }
  const cidr = vpc!.CidrBlock!;
  const port = settings!.port;
  const where: Placement = { accountId, region, ...(opts.consumerProfile ? { profile: opts.consumerProfile } : {}) };
  const base = `consumer/${vpcId}`;
  const sgSteps = groupIds.length ? [] : [`${base}/sg`];
  const steps: StepDef[] = [
    ...(groupIds.length
      ? []
      : [
          securityGroupStep({ id: `${base}/sg`, groupName: `${plan!.name}-proxy-endpoint`, description: `egress-cli: the ${plan!.name} proxy's Resource endpoints`, label: `security group of the proxy endpoints in ${vpcId}`, vpcId: vpcId! }),
          ingressRuleStep({ id: `${base}/sg/ingress/vpc-cidr`, groupStep: `${base}/sg`, source: { kind: "cidr", cidr, label: `the consumer VPC ${vpcId}` }, port }),
        ]),
    ...configs.map((c) =>
      resourceEndpointStep({
        id: `${base}/endpoint/${c.az}`,
        vpcId: vpcId!,
        subnetIds: [...azs.keys()].sort().map((az) => azs.get(az)!),
        securityGroupSteps: sgSteps,
        securityGroupIds: groupIds,
        configurationStep: c.step,
        label: `Resource endpoint in ${vpcId} for the proxy in ${c.az}`,
        privateDns,
      }),
    ),
  ].map((s) => placed(s, where));
  const ruleStep = groupIds.length ? undefined : `${base}/sg/ingress/vpc-cidr`;
  // an endpoint is usable once its group admits the port
  for (const s of steps) if (ruleStep && s.id.startsWith(`${base}/endpoint/`)) s.dependsOn = [...(s.dependsOn ?? []), ruleStep];

  const session = await openSession(ctx, {}, "connect-proxy");
  try {
    const consumers = { ...session.plan.spec.consumers };
    consumers[vpcId!] = { subnets: [...azs.values()], accountId, ...(opts.consumerProfile ? { profile: opts.consumerProfile } : {}), ...(groupIds.length ? { securityGroups: groupIds } : {}) };
    session.plan.spec = { ...session.plan.spec, consumers };
    // runSteps writes the spec once its pre-flight checks pass (a refusal writes no file).
    const report = await runSteps(cctx, session, steps);
    const p = session.plan;
    const endpoints = configs.map((c) => {
      const rec = recordOf(p, vpcEndpointKind, `${base}/endpoint/${c.az}`);
      const addresses: EndpointAddress[] = (rec?.attrs.addresses ?? []).slice();
      return { step: `${base}/endpoint/${c.az}`, proxyAz: c.az, vpcEndpointId: rec?.id ?? null, state: rec?.attrs.state ?? null, resourceConfigurationArn: c.arn, addresses, dnsNames: (rec?.attrs.dnsNames ?? []).filter(Boolean), privateDns };
    });
    const env = [...azs.entries()].sort().map(([az, subnetId]) => {
      // the endpoint of the proxy in the subnet's own AZ (no cross-AZ hop), else the first one
      const ep = endpoints.find((e) => e.proxyAz === az) ?? endpoints[0];
      const ip = ep?.addresses.find((a) => a.subnetId === subnetId)?.privateIp;
      return { subnetId, az, vpcEndpointId: ep?.vpcEndpointId ?? null, ...(ip ? proxyEnv(ip, port, cidr) : {}) };
    });
    const result = {
      command: "connect-proxy",
      dryRun: ctx.opts.dryRun,
      plan: p.name,
      consumer: { vpcId, cidr, accountId, region, ...(opts.consumerProfile ? { profile: opts.consumerProfile } : {}) },
      port,
      securityGroupIds: groupIds.length ? groupIds : sgSteps.map((s) => p.resources[s]?.id ?? null),
      endpoints,
      env,
      steps: report.outcomes,
    };
    ctx.emit(result, (r) =>
      [
        `Consumer VPC ${r.consumer.vpcId} (${r.consumer.cidr}, account ${r.consumer.accountId}) → the proxy on port ${r.port} through PrivateLink`,
        ...r.endpoints.map((e) => `Resource endpoint ${e.vpcEndpointId} (proxy in ${e.proxyAz}): ${e.addresses.map((a) => `${a.privateIp} in ${a.subnetId} (${a.az})`).join(", ")}`),
        ...r.env.flatMap((e) => (e.HTTPS_PROXY ? [`# workloads in ${e.subnetId} (${e.az}):`, `export HTTPS_PROXY=${e.HTTPS_PROXY}`, `export HTTP_PROXY=${e.HTTP_PROXY}`, `export NO_PROXY=${e.NO_PROXY}`] : [])),
      ].join("\n"),
    );
    return 0;
  } finally {
    await session.close();
  }
}

/** The plan's consumer endpoints (connect-proxy's Resource endpoints), with the account they live in. */
export function consumerEndpoints(plan: Parameters<typeof recordsOf>[0]) {
  return recordsOf(plan, vpcEndpointKind)
    .filter(([step, r]) => step.startsWith("consumer/") && r.attrs.vpcEndpointType === "Resource")
    .map(([step, r]) => ({ step, id: r.id!, attrs: r.attrs }));
}
