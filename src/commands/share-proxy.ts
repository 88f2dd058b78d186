// share-proxy (S2, issue 9 item 3): PrivateLink to the egress proxy without a load balancer. A VPC
// Lattice resource gateway in the proxies' subnets (its own security group, whose only egress is the
// proxy group on the proxy port, admitted on that port by the proxy's group), one SINGLE resource
// configuration per proxy (TCP, the proxy port, the proxy's private IP), and with --share-with a RAM
// share of the configurations. --domain: the custom domain consumers' private DNS uses, with the TXT
// record its verification needs.
//
// One SINGLE configuration per proxy, not a GROUP with CHILD configurations: a Resource endpoint for a
// GROUP reaches each child only by that child's DNS name (CreateVpcEndpoint: "to reach a resource that
// belongs to a group, specify the parent GROUP"), while S2's consumers point HTTPS_PROXY at an endpoint
// IP (private DNS for resource endpoints is not something they can count on). A SINGLE configuration's
// endpoint IPs reach exactly its proxy, so with per-AZ proxies every consumer can use each of them.
import type { Options } from "./share-proxy.spec.js";
import type { Context } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { errorCode } from "../aws/errors.js";
import { answeredWithoutData } from "../aws/snapshot.js";
import { runSteps, type StepDef } from "../engine/engine.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { proxyInstances } from "../engine/kinds/ec2-instance.js";
import { recordOf, recordsOf } from "../engine/kinds/kind.js";
import { resourceGatewayKind, resourceGatewayStep } from "../engine/kinds/lattice-resource-gateway.js";
import { resourceConfigurationKind, resourceConfigurationStep } from "../engine/kinds/lattice-resource-configuration.js";
import { ramResourceShareKind, ramResourceShareStep } from "../engine/kinds/ram-resource-share.js";
import { domainVerificationKind, domainVerificationStep } from "../engine/kinds/lattice-domain-verification.js";
import { egressRuleStep, ingressRuleStep } from "../engine/kinds/security-group-rule.js";
import { securityGroupStep } from "../engine/kinds/security-group.js";
import { planSubnets } from "../engine/kinds/views.js";
import { proxySettings, type Plan } from "../plans/schema.js";
import { Problems } from "../cli/options.js";
import { byText } from "../order.js";

/** share-proxy's options: its spec's flags (values as typed; this command checks them, every problem at once). */
export type ShareProxyOptions = Options;

const ACCOUNT = /^\d{12}$/;
const OU_ARN = /^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The custom domain of the proxy in `az`: the domain itself for one proxy, `<az>.<domain>` for per-AZ proxies (a verified domain covers its subdomains). */
export const customDomainOf = (domain: string, az: string, proxies: number) => (proxies > 1 ? `${az}.${domain}` : domain);

/** The step of the configuration for the proxy in `az`. */
export const configurationStepOf = (az: string) => `proxy/${az}/config`;

/** The plan's shared proxy: one configuration per proxy (by AZ), created by share-proxy. */
export function sharedConfigurations(plan: Pick<Plan, "resources">): Array<{ step: string; az: string; id: string; arn: string; ipAddress?: string }> {
  return recordsOf(plan, resourceConfigurationKind)
    .filter(([step, r]) => /^proxy\/[^/]+\/config$/.test(step) && r.id && r.attrs.arn)
    .map(([step, r]) => ({ step, az: step.split("/")[1]!, id: r.id!, arn: r.attrs.arn!, ipAddress: r.attrs.ipAddress }))
    .sort((a, b) => byText(a.az, b.az));
}

/**
 * A read call first: an endpoint that does not offer the service (a 404 or 501, an unknown
 * operation, a body that is not the service's data) fails the command with exit 1 naming the
 * service, before anything was changed.
 */
export async function requireService(service: string, what: string, probe: () => Promise<unknown>, where: string): Promise<void> {
  try {
    await probe();
  } catch (err) {
    const code = errorCode(err);
    const missing = answeredWithoutData(err) || ["InvalidAction", "UnknownOperationException", "UnknownOperation", "UnsupportedOperation", "NotImplemented"].includes(code);
    if (!missing) throw err;
    throw new CliError(
      `${what} (${service}) is not available at ${where} (${code}); nothing was changed.`,
      ExitCode.failure,
      `share-proxy needs ${what}. Run it against AWS, or an endpoint that emulates ${service} (the sandbox does).`,
      "ServiceUnavailable",
    );
  }
}

export async function shareProxyCommand(ctx: Context, opts: ShareProxyOptions): Promise<number> {
  const problems = new Problems();
  const principals = [...new Set(opts.shareWith ?? [])];
  for (const p of principals) {
    if (!ACCOUNT.test(p) && !OU_ARN.test(p)) problems.add(`--share-with ${JSON.stringify(p)} is neither a 12-digit AWS account id nor an organizational unit ARN.`, "e.g. --share-with 111122223333 or --share-with arn:aws:organizations::111122223333:ou/o-abcd123456/ou-ab12-cdef3456");
  }
  const domain = opts.domain?.toLowerCase().replace(/\.$/, "");
  if (opts.domain !== undefined && !DOMAIN.test(domain!)) problems.add(`--domain ${JSON.stringify(opts.domain)} is not a domain name (e.g. proxy.example.com).`);
  const plan = await problems.check(() => loadCheckedPlan(ctx));
  const settings = plan && proxySettings(plan);
  const proxies = plan ? proxyInstances(plan) : [];
  if (plan && (!settings || !proxies.length)) problems.add(`Plan "${plan.name}" has no proxy yet: share-proxy shares the proxy that launch-proxy made.`, "Run egress-cli launch-proxy first.", "NoProxy");
  const accountId = plan ? await (await ctx.aws()).accountId() : undefined;
  for (const p of principals) if (p === accountId) problems.add(`--share-with ${p} is this plan's own account: its VPCs can connect without a share.`);
  const subnetSteps = new Map<string, string>();
  if (plan) {
    const byId = new Map(planSubnets(plan).map((s) => [s.subnetId, s]));
    for (const x of proxies) {
      const s = x.subnetId ? byId.get(x.subnetId) : undefined;
      if (!s) problems.add(`Proxy ${x.id} (${x.step}) is in subnet ${x.subnetId ?? "?"}, which the plan does not record.`);
      else if (!x.privateIp) problems.add(`Proxy ${x.id} (${x.step}) has no private IP recorded; re-run launch-proxy.`);
      else subnetSteps.set(s.az, s.step);
    }
  }
  if (plan && sharedConfigurations(plan).length) {
    // A configuration's custom domain is set when it is created: changing it is destroy + share again.
    const was = plan.spec.share?.domain;
    if (was !== domain) problems.add(`The proxy's resource configurations were created ${was ? `with --domain ${was}` : "without --domain"}; share-proxy cannot change that in place.`, "Keep the same --domain, or destroy and share again.");
  }
  problems.throwIfAny();
  const port = settings!.port;

  // Read calls before any change: VPC Lattice (and RAM when sharing) must exist at this endpoint.
  const aws = await ctx.aws();
  const where = aws.backend === "aws" ? `the AWS ${aws.region} endpoints` : aws.backend.replace(/^endpoint:/, "");
  const [{ latticeOf }, { ramOf }] = await Promise.all([import("../aws/lattice-api.js"), import("../aws/ram.js")]);
  await requireService("vpc-lattice", "VPC Lattice", async () => (await latticeOf(ctx)).probe(), where);
  if (principals.length) await requireService("ram", "AWS RAM", async () => (await ramOf(ctx)).probe(), where);

  const configSteps = proxies.map((x) => configurationStepOf(x.az!));
  const steps: StepDef[] = [
    securityGroupStep({ id: "proxy/gateway/sg", groupName: `${plan!.name}-proxy-gateway`, description: "egress-cli: VPC Lattice resource gateway of the proxy", label: "security group of the resource gateway" }),
    // The gateway only forwards to the proxies: its group's one egress rule is the proxy group on the port.
    egressRuleStep({ id: "proxy/gateway/sg/egress/proxy", groupStep: "proxy/gateway/sg", to: { groupStep: "proxy/sg" }, port, label: "to the proxy" }),
    ingressRuleStep({ id: "proxy/sg/ingress/gateway", groupStep: "proxy/sg", source: { kind: "sg", groupStep: "proxy/gateway/sg", label: "the resource gateway" }, port }),
    resourceGatewayStep({ id: "proxy/gateway", subnetSteps: [...subnetSteps.values()].sort(), securityGroupSteps: ["proxy/gateway/sg"] }),
    ...(domain ? [domainVerificationStep({ id: "proxy/domain", domainName: domain })] : []),
    ...proxies.map((x) => {
      const step = resourceConfigurationStep({
        id: configurationStepOf(x.az!),
        gatewayStep: "proxy/gateway",
        target: { ipAddress: x.privateIp! },
        ports: [port],
        ...(domain ? { customDomain: { name: customDomainOf(domain, x.az!, proxies.length), verificationStep: "proxy/domain" } } : {}),
      });
      // the proxy's group must admit the gateway before a consumer's first connection
      return { ...step, dependsOn: [...(step.dependsOn ?? []), "proxy/sg/ingress/gateway", "proxy/gateway/sg/egress/proxy", x.step] };
    }),
    ...(principals.length ? [ramResourceShareStep({ id: "proxy/share", resourceSteps: configSteps, principals, label: `RAM share of the proxy with ${principals.join(", ")}` })] : []),
  ];

  const session = await openSession(ctx, {}, "share-proxy");
  try {
    session.plan.spec = { ...session.plan.spec, share: { shareWith: principals, ...(domain ? { domain } : {}) } };
    // runSteps writes the spec once its pre-flight checks pass (a refusal writes no file).
    const report = await runSteps(ctx, session, steps);
    const p = session.plan;
    const gw = recordOf(p, resourceGatewayKind, "proxy/gateway");
    const share = recordOf(p, ramResourceShareKind, "proxy/share");
    const dv = domain ? recordOf(p, domainVerificationKind, "proxy/domain") : undefined;
    const result = {
      command: "share-proxy",
      dryRun: ctx.opts.dryRun,
      plan: p.name,
      region: p.region,
      port,
      resourceGateway: { id: gw?.id ?? null, arn: gw?.attrs.arn ?? null, securityGroupId: p.resources["proxy/gateway/sg"]?.id ?? null, subnetIds: [...subnetSteps.values()].sort().map((s) => p.resources[s]?.id) },
      resourceConfigurations: proxies.map((x) => {
        const c = recordOf(p, resourceConfigurationKind, configurationStepOf(x.az!));
        return { step: configurationStepOf(x.az!), az: x.az, id: c?.id ?? null, arn: c?.attrs.arn ?? null, ipAddress: x.privateIp, port, instanceId: x.id };
      }),
      share: share ? { arn: share.id, principals: share.attrs.principals ?? principals } : null,
      domain: dv
        ? { name: dv.attrs.domainName ?? domain, verificationId: dv.id, status: dv.attrs.status ?? null, txtRecord: { name: dv.attrs.txtName ?? null, type: "TXT", value: dv.attrs.txtValue ?? null }, customDomainNames: proxies.map((x) => customDomainOf(domain!, x.az!, proxies.length)) }
        : null,
      steps: report.outcomes,
    };
    ctx.emit(result, (r, _c, o) =>
      [
        `Resource gateway ${r.resourceGateway.id} (group ${r.resourceGateway.securityGroupId}) in ${r.resourceGateway.subnetIds.join(", ")}`,
        ...r.resourceConfigurations.map((c) => `Resource configuration ${c.id} (${c.az}): TCP ${c.port} → proxy ${c.instanceId} at ${c.ipAddress}\n  ${c.arn}`),
        ...(r.domain
          ? [
              `Custom domain ${r.domain.name} (${r.domain.customDomainNames.join(", ")}): verification ${r.domain.verificationId} is ${r.domain.status}. Publish this record in ${r.domain.name}'s DNS to prove you own it:`,
              `  ${r.domain.txtRecord.name} TXT "${r.domain.txtRecord.value}"`,
            ]
          : []),
        r.share ? `Shared with ${r.share.principals.join(", ")} (RAM share ${r.share.arn})` : "Not shared with other accounts (--share-with ACCOUNT_ID|OU_ARN to share).",
        `Next: ${o.cli ?? "egress-cli"} connect-proxy --consumer-vpc vpc-… --subnets subnet-…,subnet-…`,
      ].join("\n"),
    );
    return 0;
  } finally {
    await session.close();
  }
}
