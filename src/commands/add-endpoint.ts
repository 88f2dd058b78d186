// add-endpoint: private access to AWS services. Interface endpoints (one subnet per AZ, only in AZs
// the service is offered in, private DNS on by default) behind a per-service security group that
// admits 443 only from the --allow-from sources (default: the VPC CIDR); gateway endpoints (s3,
// dynamodb) on the private route tables. --policy full | least-privilege (S4's narrow policies) |
// FILE (validated). --for msk-esm is S4's preset: lambda + sts (+ secretsmanager with --sasl),
// admitting the cluster's group, and checking that group's broker and 443 rules.
import { ec2Api, ec2Of } from "../aws/ec2-api.js";
import { lambdaOf } from "../aws/lambda-api.js";
import { readFile, stat } from "node:fs/promises";
import type { SecurityGroup, ServiceDetail } from "@aws-sdk/client-ec2";
import { sandboxRequested, type Context } from "../context.js";
import { UsageError } from "../errors.js";
import { classifyError, errorCode } from "../aws/errors.js";
import { getVpc, isLiveEndpoint, listRouteTables, listSecurityGroups, listSubnets, listVpcEndpoints } from "../aws/ec2.js";
import { endpointQuotaProblems, routeCountProblems, ruleCountProblems } from "../aws/limits.js";
import { kafkaMappingsOf } from "../analysis/rules/msk.js";
import { policyProblems } from "../aws/policy-eval.js";
import { runSteps, type StepDef } from "../engine/engine.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { vpcAttributeStep } from "../engine/kinds/vpc-attribute.js";
import { undoSteps } from "../engine/destroy.js";
import { typed } from "../engine/kinds/kind.js";
import { privateRouteTables, requirePlanVpc, type PlanSubnet } from "../engine/kinds/views.js";
import { ingressRuleStep, ruleSource, securityGroupRuleKind, type RuleSource } from "../engine/kinds/security-group-rule.js";
import { securityGroupStep } from "../engine/kinds/security-group.js";
import { vpcEndpointStep } from "../engine/kinds/vpc-endpoint.js";
import { getFunctionConfiguration } from "../engine/kinds/lambda-vpc-config.js";
import { parseCidr } from "../net/addr.js";
import { containsCidr } from "../net/cidr.js";
import { chooseSubnets, functionNotFound, parseFunctionRef } from "../cli/lambda.js";
import { awsIdPattern, cidrOption, Problems } from "../cli/options.js";
import type { Options } from "./add-endpoint.spec.js";
import { table, stepSummary, dryRunLines, type Text, type DryRunPart, type RenderOptions, type C } from "../output/render.js";
import type { Plan } from "../plans/schema.js";

const GATEWAY = new Set(["s3", "dynamodb"]);
/** Services --policy least-privilege has a template for, and what each template admits. */
const TEMPLATES: Record<string, string> = {
  secretsmanager: "secretsmanager:GetSecretValue/DescribeSecret for the --principal roles on the --resource secrets (either derived, when not given, from the VPC's Kafka event source mappings)",
  sts: "only sts:AssumeRole by lambda.amazonaws.com (an event source mapping's pollers; see --for msk-esm)",
  lambda: "only lambda:InvokeFunction by lambda.amazonaws.com (an event source mapping's pollers; see --for msk-esm)",
};
const BROKER_PORTS = [9098, 9096, 9094];

type Source = RuleSource & { key: string; roleArn?: string };

/** A source that is meant as a CIDR (digits, dots, a slash or colons), parsed by the one strict CIDR parser. */
function looksLikeCidr(s: string): boolean {
  return /^[0-9.:/a-fA-F]+$/.test(s) && /[./:]/.test(s) && !s.startsWith("sg-");
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];
/** More public addresses than this (a /8) in total need --allow-public-source. */
const PUBLIC_SOURCE_LIMIT = 2 ** 24;

/** How many public (not RFC 1918 / shared) IPv4 addresses the given CIDRs admit together. */
export function publicAddressCount(cidrs: string[]): number {
  let total = 0;
  for (const cidr of new Set(cidrs)) {
    const c = parseCidr(cidr);
    if (!c || c.v !== 4) continue;
    let n = 2 ** (32 - c.len);
    for (const p of PRIVATE_RANGES) {
      if (containsCidr(p, cidr)) n = 0;
      else if (containsCidr(cidr, p)) n -= 2 ** (32 - Number(p.split("/")[1]));
    }
    total += Math.max(0, n);
  }
  return total;
}

/** Who may read which secrets through the Secrets Manager endpoint: one statement each. */
export interface SecretGrant {
  principals: string[];
  resources: string[];
}

/** S4's narrow endpoint policies. Secrets Manager: one statement per grant, so a role reads only its own secrets. */
export function leastPrivilegePolicy(service: string, opts: { principals: string[]; resources: string[] } | { grants: SecretGrant[] }): object {
  if (service === "secretsmanager") {
    const grants = "grants" in opts ? opts.grants : [opts];
    return {
      Version: "2012-10-17",
      Statement: grants.map((g, i) => ({ Sid: `OnlyTheseRolesAndSecrets${grants.length > 1 ? i + 1 : ""}`, Effect: "Allow", Principal: { AWS: g.principals }, Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: g.resources })),
    };
  }
  if (service === "sts") return { Version: "2012-10-17", Statement: [{ Sid: "LambdaAssumeRoleOnly", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }] };
  if (service === "lambda") return { Version: "2012-10-17", Statement: [{ Sid: "LambdaInvokeOnly", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: "*" }] };
  throw new UsageError(`--policy least-privilege has no template for ${service} (it has secretsmanager, sts and lambda).`, "Use --policy full, or a policy FILE.");
}

/** Cluster-group checks of S4: broker ports (or a self-reference) in, 443 out. */
export function mskClusterChecks(g: SecurityGroup): Array<{ check: string; ok: boolean; detail?: string }> {
  const covers = (p: { IpProtocol?: string; FromPort?: number; ToPort?: number }, port: number) => p.IpProtocol === "-1" || (p.IpProtocol === "tcp" && (p.FromPort ?? 0) <= port && port <= (p.ToPort ?? 65535));
  const ingress = g.IpPermissions ?? [];
  const self = ingress.some((p) => p.UserIdGroupPairs?.some((u) => u.GroupId === g.GroupId));
  const ports = BROKER_PORTS.filter((port) => ingress.some((p) => covers(p, port)));
  const out443 = (g.IpPermissionsEgress ?? []).some((p) => covers(p, 443));
  return [
    { check: `cluster group ${g.GroupId} admits the broker ports (9098 IAM, 9096 SASL/SCRAM, 9094 TLS) or itself`, ok: self || ports.length > 0, detail: self ? "self-referencing rule" : ports.length ? `tcp ${ports.join(", ")}` : "no broker port and no self-reference: the event source mapping's pollers cannot reach the brokers" },
    { check: `cluster group ${g.GroupId} allows outbound 443`, ok: out443, detail: out443 ? undefined : "without it the mapping cannot reach the lambda/sts/secretsmanager endpoints" },
  ];
}

function normalizeService(raw: string, region: string): string {
  const short = raw.startsWith(`com.amazonaws.${region}.`) ? raw.slice(`com.amazonaws.${region}.`.length) : raw;
  if (/^com\.amazonaws\./.test(short)) throw new UsageError(`${raw} is not a service of ${region}.`);
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(short)) throw new UsageError(`${JSON.stringify(raw)} is not a service name (e.g. secretsmanager, ecr.dkr, s3).`);
  return short;
}

/** --allow-from 0.0.0.0/0 (or ::/0, or any /0): refused, the project admits no ingress from anywhere. */
function refuseAnywhere(raws: string[]): void {
  for (const raw of raws) {
    const c = parseCidr(raw);
    if (c && c.len === 0) {
      throw new UsageError(
        `--allow-from ${raw}: egress-cli never opens an endpoint's group to ${c.v === 4 ? "0.0.0.0/0" : "::/0"} (every address); an endpoint is for clients inside the VPC.`,
        "Name the clients: lambda:NAME, their security group (sg-…), or a CIDR inside the VPC (the default is the VPC CIDR).",
        "IngressFromAnywhere",
      );
    }
  }
}

/** A policy file as --policy names it: a regular file of at most a policy's size, or a message saying what it is instead. */
async function readPolicyFile(file: string, given: string): Promise<string> {
  const refuse = (why: string) => new UsageError(`--policy ${given}: ${why} (expected full, least-privilege or a JSON policy file).`, undefined, "PolicyFileInvalid");
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT" || err.code === "ENOTDIR") throw refuse("no such file");
    throw refuse(`cannot be read (${err.code})`);
  });
  if (info.isDirectory()) throw refuse("is a directory");
  if (!info.isFile()) throw refuse("is not a regular file (a device, FIFO or socket)");
  // An endpoint policy is at most 20,480 characters; a file many times that is not one (and is not read whole).
  if (info.size > 4 * 20_480) throw refuse(`is ${info.size} bytes; an endpoint policy is at most 20,480 characters`);
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw refuse(`cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
}

async function resolveSources(ctx: Context, plan: Plan, vpcId: string, vpcCidrs: string[], raws: string[], warnings: string[]): Promise<Source[]> {
  const ec2 = await ec2Of(ctx);
  const out: Source[] = [];
  const vpcCidr = vpcCidrs[0];
  for (const raw of raws) {
    if (raw.startsWith("lambda:")) {
      const ref = parseFunctionRef(raw.slice("lambda:".length), plan);
      const lambda = await lambdaOf(ctx);
      const fn = await getFunctionConfiguration(lambda, ref.name);
      if (!fn) throw await functionNotFound(lambda, ref.name, { region: plan.region, accountId: plan.accountId, flag: `--allow-from ${raw}`, sandbox: sandboxRequested(ctx.opts, ctx.env) });
      const rec = plan.resources[`lambda/${ref.name}/vpc-config`];
      const groups = fn.VpcConfig?.SecurityGroupIds ?? [];
      if (!groups.length || fn.VpcConfig?.VpcId !== vpcId) {
        throw new UsageError(`--allow-from ${raw}: the function is not attached to the plan's VPC ${vpcId}${fn.VpcConfig?.VpcId ? ` (it is in ${fn.VpcConfig.VpcId})` : ""}.`, `Run egress-cli attach-lambda --function ${ref.name} first.`);
      }
      const planSg = plan.resources[`lambda/${ref.name}/sg`];
      for (const g of groups) {
        const groupStep = rec?.state === "created" && planSg?.state === "created" && planSg.id === g ? `lambda/${ref.name}/sg` : undefined;
        out.push({ kind: "sg", ...(groupStep ? { groupStep } : { groupId: g }), label: `${raw} (${g})`, key: `lambda-${ref.name}${groups.length > 1 ? `-${g}` : ""}`, roleArn: fn.Role });
      }
    } else if (awsIdPattern("sg").test(raw)) {
      const g = (await listSecurityGroups(ec2, [{ Name: "group-id", Values: [raw] }]))[0];
      if (!g) throw new UsageError(`--allow-from ${raw}: no such security group in ${plan.region}.`, undefined, "GroupNotFound");
      if (g.VpcId !== vpcId) throw new UsageError(`--allow-from ${raw}: the group is in ${g.VpcId}, not in the plan's VPC ${vpcId}.`);
      out.push({ kind: "sg", groupId: raw, label: `${raw}${g.GroupName ? ` (${g.GroupName})` : ""}`, key: raw });
    } else if (looksLikeCidr(raw)) {
      if (!vpcCidrs.some((v) => containsCidr(v, raw.trim()))) {
        warnings.push(`--allow-from ${raw} is outside the VPC's CIDR${vpcCidrs.length > 1 ? "s" : ""} (${vpcCidrs.join(", ")}): only traffic that reaches the VPC from there (peering, VPN, Transit Gateway) can use it.`);
      }
      const cidr = cidrOption("allow-from", raw);
      out.push({ kind: "cidr", cidr, label: cidr, key: cidr.replace("/", "_") });
    } else {
      throw new UsageError(`--allow-from ${JSON.stringify(raw)}: expected lambda:NAME, sg-… or a CIDR (e.g. 10.0.0.0/16).`);
    }
  }
  if (!out.length) out.push({ kind: "cidr", cidr: vpcCidr, label: `the VPC CIDR ${vpcCidr}`, key: vpcCidr.replace("/", "_") });
  return out;
}

/** A Kafka event source mapping of the VPC as --policy least-privilege uses it: its function's role and its secrets. */
export interface MappingGrant {
  eventSourceMapping: string;
  eventSourceArn: string;
  functionArn: string;
  role?: string;
  secrets: string[];
  clusterSecurityGroups: string[];
}

/**
 * The Kafka event source mappings whose cluster sits in the VPC (MSK brokers' interfaces there, or a
 * self-managed cluster's VPC_SUBNET access configurations naming its subnets), narrowed to those
 * whose cluster groups are among `clusterGroups` when any are given; each with its function's
 * execution role (the pollers read the mapping's secrets with it) and the secrets it names.
 */
async function kafkaMappingGrants(ctx: Context, vpcId: string, clusterGroups: string[]): Promise<{ all: MappingGrant[]; matching: MappingGrant[] }> {
  const ec2 = await ec2Of(ctx);
  const lambda = await lambdaOf(ctx);
  const [enis, esms, subnets] = await Promise.all([ec2.describeNetworkInterfaces({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }), lambda.listEventSourceMappings({}), listSubnets(ec2, [{ Name: "vpc-id", Values: [vpcId] }])]);
  const inVpc = new Set(subnets.map((x) => x.SubnetId));
  const all: MappingGrant[] = [];
  for (const m of kafkaMappingsOf(esms, enis)) {
    if (!m.subnetIds.some((id) => inVpc.has(id))) continue;
    // A role we may not read is reported as such (the user then names it with --principal).
    const fn = m.esm.FunctionArn ? await getFunctionConfiguration(lambda, m.esm.FunctionArn).catch((err) => (classifyError(err) === "auth" ? undefined : Promise.reject(err))) : undefined;
    all.push({ eventSourceMapping: m.id, eventSourceArn: m.esm.EventSourceArn ?? "", functionArn: m.esm.FunctionArn ?? "", ...(fn?.Role ? { role: fn.Role } : {}), secrets: m.secretArns, clusterSecurityGroups: m.groupIds });
  }
  const matching = clusterGroups.length ? all.filter((g) => g.clusterSecurityGroups.some((id) => clusterGroups.includes(id))) : all;
  return { all, matching };
}

export async function addEndpointCommand(ctx: Context, opts: Options, args: string[]): Promise<number> {
  // 1. Flags, offline.
  const plan = await loadCheckedPlan(ctx);
  const vpcId = requirePlanVpc(plan);
  const preset = opts.for;
  if (preset !== undefined && preset !== "msk-esm") throw new UsageError(`--for ${JSON.stringify(preset)}: the only preset is msk-esm.`);
  if (opts.sasl && preset !== "msk-esm") throw new UsageError("--sasl only goes with --for msk-esm.");
  if (preset && args.length) throw new UsageError(`--for ${preset} chooses the services itself (lambda, sts${opts.sasl ? ", secretsmanager" : ""}); do not also list ${args.join(", ")}.`);
  const services = [...new Set((preset ? ["lambda", "sts", ...(opts.sasl ? ["secretsmanager"] : [])] : args).map((s) => normalizeService(s, plan.region)))];
  if (!services.length) throw new UsageError("Name at least one service, e.g. egress-cli add-endpoint secretsmanager (or use --for msk-esm).");
  const policyMode = opts.policy ?? (preset ? "least-privilege" : "default");
  let policyFile: string | undefined;
  if (policyMode !== "full" && policyMode !== "least-privilege" && policyMode !== "default") {
    const text = await readPolicyFile(policyMode.startsWith("/") ? policyMode : `${ctx.cwd}/${policyMode}`, policyMode);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--policy ${policyMode} is not valid JSON: ${(err as Error).message}`, undefined, "MalformedPolicy");
    }
    const problems = policyProblems(doc, { text, maxChars: 20_480 });
    if (problems.length) throw new UsageError(`--policy ${policyMode} is not a usable endpoint policy: ${problems.join("; ")}.`, undefined, "MalformedPolicy");
    policyFile = JSON.stringify(doc);
  }
  refuseAnywhere(opts.allowFrom ?? []);
  // Every flag problem at once, before any AWS call (issue 8 items 11, 17).
  const problems = new Problems();
  for (const p of opts.principal ?? []) if (!/^(arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+|\d{12})$/.test(p)) problems.add(`--principal ${JSON.stringify(p)}: expected an IAM role/user ARN or an account id.`);
  for (const r of opts.resource ?? []) if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(r)) problems.add(`--resource ${JSON.stringify(r)}: expected a Secrets Manager secret ARN.`);
  const cidrSources: string[] = [];
  for (const raw of opts.allowFrom ?? []) {
    if (raw.startsWith("lambda:")) {
      const name = raw.slice("lambda:".length);
      if (!name) problems.add(`--allow-from ${raw} names no function: write lambda:FUNCTION_NAME (e.g. lambda:rotate-db-secret).`);
      else await problems.check(() => parseFunctionRef(name, plan));
    } else if (looksLikeCidr(raw)) {
      const c = await problems.check(() => cidrOption("allow-from", raw));
      if (c) cidrSources.push(c);
    }
  }
  // 0.0.0.0/1 + 128.0.0.0/1 is all of IPv4 in two halves: judged by the total, not one by one.
  const publicCount = publicAddressCount(cidrSources);
  if (publicCount > PUBLIC_SOURCE_LIMIT && !opts.allowPublicSource) {
    problems.add(
      `--allow-from ${cidrSources.join(" ")} admits ${publicCount.toLocaleString("en-US")} public IPv4 addresses (more than a /8); an endpoint is for clients inside the VPC.`,
      "Name the clients (lambda:NAME, sg-…, a CIDR inside the VPC), or pass --allow-public-source if this is really meant.",
      "PublicSource",
    );
  }
  const interfaceServices = services.filter((s) => !GATEWAY.has(s));
  // Gateway endpoints attach to route tables, not subnets: a --subnets they would ignore is refused.
  if (opts.subnets !== undefined && !interfaceServices.length) {
    problems.add(`--subnets applies to interface endpoints; ${services.join(" and ")} ${services.length === 1 ? "is a gateway endpoint" : "are gateway endpoints"} (routes in the plan's private route tables, no subnet).`, "leave --subnets out");
  }
  problems.throwIfAny();
  const chosen: PlanSubnet[] = interfaceServices.length ? chooseSubnets(plan, opts.subnets) : [];
  const privateDns = opts.privateDns !== false;

  // 2. Checks against the account (reads only).
  const aws = await ctx.aws();
  const ec2 = ec2Api(await aws.ec2());
  const vpc = await getVpc(ec2, vpcId);
  if (!vpc) throw new UsageError(`The plan's VPC ${vpcId} no longer exists.`);
  const details = new Map<string, ServiceDetail[]>();
  await Promise.all(
    services.map(async (s) => {
      try {
        const r = await ec2.describeVpcEndpointServices({ ServiceNames: [`com.amazonaws.${plan.region}.${s}`] });
        details.set(s, r.ServiceDetails ?? []);
      } catch (err) {
        if (errorCode(err) === "InvalidServiceName") throw new UsageError(`Unknown endpoint service "${s}": ${plan.region} offers no com.amazonaws.${plan.region}.${s}.`, "e.g. secretsmanager, sts, lambda, ssm, logs, kms, ecr.api, ecr.dkr, s3, dynamodb.", "UnknownService");
        throw err;
      }
    }),
  );
  const skippedAzs: Record<string, string[]> = {};
  const subnetsFor = new Map<string, PlanSubnet[]>();
  for (const s of interfaceServices) {
    const d = details.get(s)!.find((x) => x.ServiceType?.some((t) => t.ServiceType === "Interface"));
    if (!d) throw new UsageError(`${s} offers no interface endpoint in ${plan.region}.`);
    const zones = new Set(d.AvailabilityZones ?? []);
    const perAz = new Map<string, PlanSubnet>();
    for (const sub of chosen) if (!perAz.has(sub.az)) perAz.set(sub.az, sub);
    const ok = [...perAz.values()].filter((x) => zones.has(x.az));
    skippedAzs[s] = [...perAz.keys()].filter((az) => !zones.has(az)).sort();
    if (!ok.length) {
      throw new UsageError(`${s} is not offered in ${[...perAz.keys()].sort().join(", ")} (the AZs of the chosen subnets); it is offered in ${[...zones].sort().join(", ")}.`, "Pass --subnets with subnets in a supported AZ.", "ServiceNotInAz");
    }
    subnetsFor.set(s, ok);
  }
  const privateTables = privateRouteTables(plan).filter(([, r]) => r.id);
  for (const s of services.filter((x) => GATEWAY.has(x))) if (!privateTables.length) throw new UsageError(`A gateway endpoint for ${s} goes on the private route tables, and plan "${plan.name}" has none.`);

  // What the account tells us: collected too, so one run lists everything that needs fixing.
  const found = new Problems();
  const dnsSteps: StepDef[] = [];
  let dnsOff: string | undefined;
  if (interfaceServices.length && privateDns) {
    const attr = async (Attribute: "enableDnsSupport" | "enableDnsHostnames") => {
      const r = await ec2.describeVpcAttribute({ VpcId: vpcId, Attribute });
      return Attribute === "enableDnsSupport" ? r.EnableDnsSupport?.Value : r.EnableDnsHostnames?.Value;
    };
    const [support, hostnames] = await Promise.all([attr("enableDnsSupport"), attr("enableDnsHostnames")]);
    if (!support || !hostnames) {
      dnsOff = [!support && "enableDnsSupport", !hostnames && "enableDnsHostnames"].filter(Boolean).join(" and ");
      if (opts.enableVpcDns) dnsSteps.push(vpcAttributeStep("enableDnsSupport"), vpcAttributeStep("enableDnsHostnames"));
    }
  }

  const existing = (await listVpcEndpoints(ec2, [{ Name: "vpc-id", Values: [vpcId] }])).filter(isLiveEndpoint);
  const ours = new Set(Object.values(plan.resources).filter((r) => r.kind === "vpc-endpoint" && r.state === "created").map((r) => r.id));
  for (const s of services) {
    const clash = existing.find((e) => e.ServiceName === `com.amazonaws.${plan.region}.${s}` && !ours.has(e.VpcEndpointId!) && !e.Tags?.some((t) => t.Key === "egress-cli:plan" && t.Value === plan.name));
    if (clash && (GATEWAY.has(s) || (privateDns && clash.PrivateDnsEnabled))) {
      throw new UsageError(`${vpcId} already has an endpoint for ${s} (${clash.VpcEndpointId}) that this plan did not create${GATEWAY.has(s) ? "" : ", with private DNS on"}.`, "Use that endpoint, or delete it first.", "EndpointExists");
    }
  }

  const warnings: string[] = [];
  const vpcCidrs = [...new Set([vpc.CidrBlock!, ...(vpc.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State === "associated").map((a) => a.CidrBlock!)])];
  const sources = interfaceServices.length ? await resolveSources(ctx, plan, vpcId, vpcCidrs, opts.allowFrom ?? [], warnings) : [];
  let clusterChecks: ReturnType<typeof mskClusterChecks> | undefined;
  if (preset === "msk-esm") {
    let groups = sources.filter((s) => s.kind === "sg" && s.groupId).map((s) => (s as { groupId: string }).groupId);
    if (!(opts.allowFrom ?? []).length) {
      // No --allow-from: the cluster's group is the one admitting a broker port.
      const all = await listSecurityGroups(ec2, [{ Name: "vpc-id", Values: [vpcId] }]);
      const brokers = all.filter((g) => g.IpPermissions?.some((p) => p.IpProtocol === "tcp" && BROKER_PORTS.some((port) => (p.FromPort ?? 0) <= port && port <= (p.ToPort ?? 0))));
      if (brokers.length !== 1) throw new UsageError(`--for msk-esm: say which security group is the cluster's with --allow-from sg-…${brokers.length ? ` (candidates: ${brokers.map((g) => g.GroupId).join(", ")})` : ""}.`);
      groups = [brokers[0].GroupId!];
      sources.splice(0, sources.length, { kind: "sg", groupId: groups[0], label: `${groups[0]} (${brokers[0].GroupName}, the cluster's group)`, key: groups[0] });
    }
    if (!groups.length) throw new UsageError("--for msk-esm: --allow-from must name the cluster's security group (sg-…).");
    const gs = await listSecurityGroups(ec2, undefined, groups);
    clusterChecks = gs.flatMap((g) => mskClusterChecks(g));
    for (const c of clusterChecks) if (!c.ok) ctx.log.warn(`${c.check}: ${c.detail}`);
    if (!opts.sasl) {
      // The pollers of a mapping that names a secret (SASL/SCRAM, BASIC_AUTH, mTLS) read it from Secrets Manager too.
      const withSecrets = (await kafkaMappingGrants(ctx, vpcId, groups)).matching.filter((g) => g.secrets.length);
      if (withSecrets.length) warnings.push(`Event source mapping ${withSecrets.map((g) => `${g.eventSourceMapping} (${g.functionArn.split(":").pop()})`).join(", ")} reads ${[...new Set(withSecrets.flatMap((g) => g.secrets))].join(", ")} from Secrets Manager: add --sasl for a secretsmanager endpoint too (its policy derived from the mapping).`);
    }
  }

  const policies = new Map<string, { text?: string; mode: string }>();
  /** What --policy least-privilege derived (not given as flags), shown with the result and in --dry-run. */
  const derived: Array<{ service: string; principals?: string[]; resources?: string[]; from: Array<{ eventSourceMapping: string; eventSourceArn: string; functionArn: string; role: string; secrets: string[] }> }> = [];
  for (const s of services) {
    const principals = [...new Set([...(opts.principal ?? []), ...(s === "secretsmanager" && !(opts.principal ?? []).length ? sources.map((x) => x.roleArn).filter((x): x is string => Boolean(x)) : [])])];
    if (policyFile) policies.set(s, { text: policyFile, mode: `file:${policyMode}` });
    else if (policyMode === "full") policies.set(s, { mode: "full" });
    else if (policyMode === "default") {
      // Least privilege by default where the template fits what was given: Secrets Manager with
      // --resource and a principal. The sts/lambda templates admit only lambda.amazonaws.com (an
      // event source mapping), so for other callers full stays the default, with a pointer.
      if (s === "secretsmanager" && (opts.resource ?? []).length && principals.length) {
        policies.set(s, { text: JSON.stringify(leastPrivilegePolicy(s, { principals, resources: opts.resource ?? [] })), mode: "least-privilege" });
        continue;
      }
      policies.set(s, { mode: "full" });
      if (TEMPLATES[s]) {
        const missing = s === "secretsmanager" ? [!(opts.resource ?? []).length && "--resource SECRET_ARN", !principals.length && "--principal ROLE_ARN (or --allow-from lambda:NAME)"].filter(Boolean).join(" and ") : "";
        warnings.push(`The ${s} endpoint gets the full-access policy (the default); --policy least-privilege would allow ${TEMPLATES[s]}${missing ? ` (it needs ${missing})` : ""}.`);
      }
    } else if (s === "secretsmanager" && (!principals.length || !(opts.resource ?? []).length)) {
      // What was not given is derived from the VPC's Kafka event source mappings (S4): the pollers
      // read each mapping's secrets with its function's execution role.
      const clusterGroups = sources.flatMap((x) => (x.kind === "sg" && x.groupId && !x.roleArn ? [x.groupId] : []));
      const { all, matching } = await kafkaMappingGrants(ctx, vpcId, clusterGroups);
      const usable = matching.filter((g) => g.role && g.secrets.length);
      const givenPrincipals = principals.length > 0;
      const givenResources = (opts.resource ?? []).length > 0;
      const grants: SecretGrant[] = !givenPrincipals && !givenResources
        ? usable.map((g) => ({ principals: [g.role!], resources: g.secrets }))
        : [{ principals: givenPrincipals ? principals : [...new Set(usable.map((g) => g.role!))].sort(), resources: givenResources ? (opts.resource ?? []) : [...new Set(usable.flatMap((g) => g.secrets))].sort() }];
      if (!grants.length || grants.some((g) => !g.principals.length || !g.resources.length)) {
        const why = !all.length
          ? `no Kafka event source mapping has its cluster in ${vpcId}`
          : !matching.length
            ? `the Kafka event source mapping(s) of ${vpcId} (${all.map((g) => `${g.eventSourceMapping}: cluster groups ${g.clusterSecurityGroups.join(", ")}`).join("; ")}) use none of the --allow-from groups ${clusterGroups.join(", ")}`
            : matching.map((g) => `mapping ${g.eventSourceMapping} (${g.functionArn.split(":").pop()}) ${!g.secrets.length ? "names no secret (IAM or TLS authentication reads none)" : "has a function whose role could not be read"}`).join("; ");
        const missing = [!givenPrincipals && "--principal ROLE_ARN (or --allow-from lambda:NAME, whose role is used)", !givenResources && "--resource SECRET_ARN (the secret(s) the principals may read)"].filter(Boolean).join(" and ");
        found.add(`--policy least-privilege for secretsmanager needs ${missing}: they could not be derived, because ${why}.`, "Name them, or leave secretsmanager out if nothing in the VPC reads a secret.", "PolicyInputMissing");
        continue;
      }
      policies.set(s, { text: JSON.stringify(leastPrivilegePolicy(s, { grants })), mode: "least-privilege" });
      derived.push({
        service: s,
        ...(givenPrincipals ? {} : { principals: [...new Set(grants.flatMap((g) => g.principals))] }),
        ...(givenResources ? {} : { resources: [...new Set(grants.flatMap((g) => g.resources))] }),
        from: usable.map((g) => ({ eventSourceMapping: g.eventSourceMapping, eventSourceArn: g.eventSourceArn, functionArn: g.functionArn, role: g.role!, secrets: g.secrets })),
      });
    } else {
      policies.set(s, { text: JSON.stringify(leastPrivilegePolicy(s, { principals, resources: opts.resource ?? [] })), mode: "least-privilege" });
    }
  }

  for (const p of await limitProblems(ec2, plan, vpcId, existing, services, privateTables.map(([step, r]) => ({ step, id: r.id! })), sources.length)) found.add(p, "Release unused endpoints or routes, or request a quota increase (Service Quotas, Amazon VPC).", "LimitExceeded");
  // VPC DNS attributes off: turned on only with consent — --enable-vpc-dns, or a yes at the terminal
  // (asked once everything else is known to be fine, so a refusal never follows a yes).
  if (dnsOff && !opts.enableVpcDns) {
    const it = dnsOff.includes(" and ") ? "them" : "it";
    const problem = [
      `Private DNS makes ${interfaceServices[0]}.${plan.region}.amazonaws.com resolve to the endpoint inside the VPC, and AWS allows it only when the VPC has enableDnsSupport and enableDnsHostnames; ${vpcId} has ${dnsOff} off.`,
      `Pass --enable-vpc-dns to turn ${it} on (destroy turns ${it} back off; on a terminal the command asks), or --no-private-dns (then clients must use the endpoint's own DNS names).`,
      "VpcDnsOff",
    ] as const;
    const canAsk = ctx.opts.yes || ctx.interactive;
    if (found.list.length || !canAsk) found.add(...problem);
    else if (ctx.opts.dryRun) {
      dnsSteps.push(vpcAttributeStep("enableDnsSupport"), vpcAttributeStep("enableDnsHostnames"));
      warnings.push(`${vpcId} has ${dnsOff} off: ${ctx.opts.yes ? "with --yes the real run turns" : "the real run asks before turning"} ${it} on (destroy turns ${it} back off).`);
    } else if (await ctx.confirm(`${vpcId} has ${dnsOff} off; private DNS for the ${interfaceServices.join(", ")} endpoint(s) needs ${it} on. Turn ${it} on (destroy turns ${it} back off)?`)) {
      dnsSteps.push(vpcAttributeStep("enableDnsSupport"), vpcAttributeStep("enableDnsHostnames"));
    } else found.add(...problem);
  }

  found.throwIfAny();
  for (const w of warnings) ctx.log.warn(w);

  // 3. Steps.
  const steps: StepDef[] = [...dnsSteps];
  const dnsDeps = dnsSteps.map((s) => s.id);
  for (const s of services) {
    const base = `endpoint/${s}`;
    if (GATEWAY.has(s)) {
      steps.push(vpcEndpointStep({ id: base, serviceName: `com.amazonaws.${plan.region}.${s}`, type: "Gateway", routeTableSteps: privateTables.map(([step]) => step), policyDocument: policies.get(s)!.text }));
      continue;
    }
    steps.push(securityGroupStep({ id: `${base}/sg`, groupName: `${plan.name}-vpce-${s}`, description: `egress-cli: HTTPS to the ${s} endpoint`, label: `security group for the ${s} endpoint` }));
    for (const src of sources) steps.push(ingressRuleStep({ id: `${base}/sg/ingress/${src.key}`, groupStep: `${base}/sg`, source: src, port: 443 }));
    steps.push(
      vpcEndpointStep({
        id: base,
        serviceName: `com.amazonaws.${plan.region}.${s}`,
        type: "Interface",
        subnetSteps: subnetsFor.get(s)!.map((x) => x.step),
        securityGroupStep: `${base}/sg`,
        policyDocument: policies.get(s)!.text,
        privateDns,
        dependsOn: dnsDeps,
      }),
    );
  }

  const session = await openSession(ctx, {}, "add-endpoint");
  try {
    const spec = { ...session.plan.spec.endpoints };
    for (const s of services) spec[s] = { policy: policies.get(s)!.mode, privateDns: GATEWAY.has(s) ? undefined : privateDns, allowFrom: sources.map((x) => x.label), ...(preset ? { preset } : {}) };
    session.plan.spec = { ...session.plan.spec, endpoints: spec };
    // runSteps writes the spec once its pre-flight checks pass (a refusal writes no file).
    const report = await runSteps(ctx, session, steps);
    const revokedIngress = await revokeStaleIngress(ctx, session, interfaceServices, new Set(steps.map((x) => x.id)));
    const r = session.plan.resources;
    const result = {
      command: "add-endpoint",
      dryRun: ctx.opts.dryRun,
      plan: plan.name,
      region: plan.region,
      vpcId,
      endpoints: services.map((s) => {
        const rec = r[`endpoint/${s}`];
        // The live endpoint's values (the step reads them back after converging), not the request.
        const a = (rec?.attrs ?? {}) as { state?: string; subnetIds?: string[]; routeTableIds?: string[]; securityGroupIds?: string[]; dnsNames?: string[]; privateDnsEnabled?: boolean; policyDocument?: string | null; modified?: string[] };
        const live = a.policyDocument ?? policies.get(s)!.text;
        return {
          service: s,
          serviceName: `com.amazonaws.${plan.region}.${s}`,
          type: GATEWAY.has(s) ? "Gateway" : "Interface",
          vpcEndpointId: rec?.id ?? null,
          state: a.state ?? null,
          subnetIds: a.subnetIds ?? [],
          routeTableIds: a.routeTableIds ?? [],
          securityGroupId: GATEWAY.has(s) ? null : (a.securityGroupIds?.[0] ?? r[`endpoint/${s}/sg`]?.id ?? null),
          securityGroupIds: GATEWAY.has(s) ? [] : (a.securityGroupIds ?? []),
          privateDns: GATEWAY.has(s) ? null : (a.privateDnsEnabled ?? privateDns),
          dnsNames: a.dnsNames ?? [],
          policy: policies.get(s)!.mode,
          policyDocument: live ? parseJson(live) : null,
          modified: a.modified ?? [],
        };
      }),
      allowFrom: sources.map((x) => ({ label: x.label, kind: x.kind, ...(x.kind === "cidr" ? { cidr: x.cidr } : { groupId: x.groupId ?? r[x.groupStep!]?.id }) })),
      skippedAzs,
      revokedIngress,
      warnings,
      derivedPolicyInputs: derived,
      ...(clusterChecks ? { clusterChecks } : {}),
      steps: report.outcomes,
      ...(ctx.opts.dryRun ? { dryRunChecks: report.dryRunChecks } : {}),
    };
    ctx.emit(result, renderAddEndpoint);
    return 0;
  } finally {
    await session.close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * After the wanted rules are in place: the ingress rules this plan made for these services'
 * endpoint groups that the current --allow-from no longer asks for are revoked (journaled, the
 * records marked deleted), so narrowing --allow-from narrows the group. --dry-run only lists them.
 */
async function revokeStaleIngress(ctx: Context, session: Awaited<ReturnType<typeof openSession>>, services: string[], wanted: Set<string>) {
  const out: Array<{ service: string; step: string; source: string; revoked: boolean }> = [];
  for (const [step, rec] of Object.entries(session.plan.resources)) {
    const service = services.find((svc) => step.startsWith(`endpoint/${svc}/sg/ingress/`));
    if (!service || rec.kind !== "security-group-rule" || rec.state !== "created" || wanted.has(step)) continue;
    const source = ruleSource(typed(securityGroupRuleKind, step, rec)) ?? step.split("/").pop()!;
    if (ctx.opts.dryRun) {
      out.push({ service, step, source, revoked: false });
      continue;
    }
    await undoSteps(ctx, session, [step], { reason: "no longer in --allow-from" });
    ctx.log.info(`Revoked ingress tcp/443 from ${source} into the ${service} endpoint's group: no longer in --allow-from.`);
    out.push({ service, step, source, revoked: true });
  }
  return out;
}

/**
 * AWS quotas the new endpoints would pass (issue 19), known from reads before the first change: interface
 * endpoints per VPC, gateway endpoints per Region, routes per private route table (a gateway endpoint adds
 * one per table), inbound rules on an endpoint's group (one per --allow-from source).
 */
async function limitProblems(ec2: ReturnType<typeof ec2Api>, plan: Plan, vpcId: string, inVpc: Array<{ VpcEndpointType?: string }>, services: string[], tables: Array<{ step: string; id: string }>, sources: number): Promise<string[]> {
  const created = (s: string) => plan.resources[`endpoint/${s}`]?.state === "created";
  const newGateway = services.filter((s) => GATEWAY.has(s) && !created(s)).length;
  const newInterface = services.filter((s) => !GATEWAY.has(s) && !created(s)).length;
  const gatewayInRegion = newGateway ? (await listVpcEndpoints(ec2, [{ Name: "vpc-endpoint-type", Values: ["Gateway"] }])).filter(isLiveEndpoint).length : 0;
  const live = newGateway && tables.length ? await listRouteTables(ec2, undefined, tables.map((t) => t.id)) : [];
  return [
    ...endpointQuotaProblems({ vpcId, region: plan.region, interfaceInVpc: inVpc.filter((e) => e.VpcEndpointType === "Interface").length, newInterface, gatewayInRegion, newGateway }),
    ...routeCountProblems(live.map((t) => ({ id: t.RouteTableId!, routes: (t.Routes ?? []).filter((r) => r.Origin !== "EnableVgwRoutePropagation").length, adding: newGateway }))),
    ...(newInterface ? ruleCountProblems(`An endpoint's group (tcp/443 from ${sources} --allow-from source(s))`, sources, 1) : []),
  ];
}

// ---------- the human rendering of the result (--json prints the result itself) ----------

/** A policy statement as printed (the document is what the endpoint got). */
interface PolicyStatement {
  Effect?: Text;
  Principal?: "*" | Record<string, unknown>;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
}

export interface AddEndpointResult extends DryRunPart {
  steps: Record<string, string>;
  plan: string;
  vpcId: Text;
  endpoints: Array<{ service: Text; type: Text; vpcEndpointId: Text; state: Text; routeTableIds: string[]; subnetIds: string[]; privateDns?: boolean | null; policy: Text; policyDocument?: unknown }>;
  allowFrom: Array<{ label: Text }>;
  derivedPolicyInputs?: Array<{ service: Text; principals?: unknown; resources?: unknown; from: Array<{ eventSourceMapping: Text; functionArn: string; role: Text; secrets: string[] }> }>;
  skippedAzs?: Record<string, string[]>;
  clusterChecks?: Array<{ ok: boolean; check: Text; detail?: Text }>;
}

/** Each endpoint policy that is not AWS's full-access default, one line per statement; then where derived inputs came from. */
function endpointPolicyLines(r: AddEndpointResult, c: C): string[] {
  const list = (x: unknown) => (Array.isArray(x) ? x : [x]).join(", ");
  const lines: string[] = [];
  for (const e of r.endpoints ?? []) {
    const doc = e.policyDocument as { Statement?: PolicyStatement[] } | null | undefined;
    if (e.policy === "full" || !doc || typeof doc !== "object") continue;
    lines.push(`Policy of the ${e.service} endpoint (${e.policy}):`);
    for (const st of doc.Statement ?? []) {
      const p = st.Principal === "*" ? "anyone" : Object.entries(st.Principal ?? {}).map(([k, v]) => `${k} ${list(v)}`).join("; ");
      lines.push(`  ${st.Effect} ${p}: ${list(st.Action ?? st.NotAction)} on ${list(st.Resource ?? "*")}`);
    }
  }
  for (const d of r.derivedPolicyInputs ?? []) {
    const what = [d.principals && "principal(s)", d.resources && "secret(s)"].filter(Boolean).join(" and ");
    for (const f of d.from) lines.push(c.dim(`  ${d.service}: ${what} derived from event source mapping ${f.eventSourceMapping} (function ${f.functionArn.split(":").pop()}, role ${f.role}, secret(s) ${f.secrets.join(", ")}); --principal/--resource override`));
  }
  return lines;
}

export function renderAddEndpoint(r: AddEndpointResult, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return [...dryRunLines(c, r), ...endpointPolicyLines(r, c)].join("\n");
  const lines = [`${c.green("✔")} ${r.endpoints.length} VPC endpoint(s) in ${r.vpcId} — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`];
  lines.push(table(["service", "type", "endpoint", "state", "where", "private DNS", "policy"], r.endpoints.map((e) => [e.service, e.type, e.vpcEndpointId, e.state, e.type === "Gateway" ? e.routeTableIds.join(", ") : e.subnetIds.join(", "), e.type === "Gateway" ? "-" : e.privateDns ? "on" : "off", e.policy]), o));
  if (r.allowFrom.length) lines.push(`Endpoint security group(s) admit 443 only from: ${r.allowFrom.map((a) => a.label).join(", ")}`);
  lines.push(...endpointPolicyLines(r, c));
  for (const [svc, azs] of Object.entries(r.skippedAzs ?? {})) if ((azs as string[]).length) lines.push(c.yellow(`${svc} is not offered in ${(azs as string[]).join(", ")}: no endpoint ENI there.`));
  for (const chk of r.clusterChecks ?? []) lines.push(`${chk.ok ? c.green("✔") : c.yellow("✘")} ${chk.check}${chk.detail ? `: ${chk.detail}` : ""}`);
  return lines.join("\n");
}
