// attach-lambda: puts a Lambda function into the plan's (private) subnets with its own security
// group (no ingress), makes sure its execution role can manage ENIs (AWSLambdaVPCAccessExecutionRole
// unless an equivalent policy is already in force), waits for LastUpdateStatus=Successful and prints
// the egress IPs (the NAT Elastic IPs on its subnets' routes). The previous VPC config is recorded
// before the update so detach-lambda and destroy restore it. All checks happen before any change.
import { ec2Api } from "../aws/ec2-api.js";
import { iamOf } from "../aws/iam-api.js";
import { lambdaApi } from "../aws/lambda-api.js";
import { sandboxRequested, type Context } from "../context.js";
import { UsageError } from "../errors.js";
import { classifyError, errorCode } from "../aws/errors.js";
import { isLiveEndpoint, listSecurityGroups } from "../aws/ec2.js";
import { LAMBDA_VPC_ACCESS_POLICY_ARN, allows, decodePolicy, missingEniActions, type PolicyDocument } from "../aws/policy-eval.js";
import { runSteps, type StepDef } from "../engine/engine.js";
import { undoSteps } from "../engine/destroy.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { attachedPolicyArns, rolePolicyAttachmentStep } from "../engine/kinds/iam-role-policy-attachment.js";
import { getFunctionConfiguration, lambdaVpcConfigKind, lambdaVpcConfigStep, vpcConfigOf, vpcConfigOwners } from "../engine/kinds/lambda-vpc-config.js";
import type { FunctionConfiguration } from "@aws-sdk/client-lambda";
import type { Plan } from "../plans/schema.js";
import { recordOf } from "../engine/kinds/kind.js";
import { securityGroupStep } from "../engine/kinds/security-group.js";
import { egressRuleStep } from "../engine/kinds/security-group-rule.js";
import { listVpcEndpoints } from "../aws/ec2.js";
import { awsId, cidrOption, portOption, Problems } from "../cli/options.js";
import type { Options } from "./attach-lambda.spec.js";
import { chooseSubnets, functionNotFound, parseFunctionRef, subnetEgress } from "../cli/lambda.js";
import { requirePlanVpc } from "../engine/kinds/views.js";
import { table, stepSummary, dryRunLines, type Text, type DryRunPart, type RenderOptions, type C } from "../output/render.js";

interface RolePermissions {
  roleName: string;
  roleArn: string;
  missing: string[];
  grantedBy: string[];
  readable: boolean;
}

async function rolePermissions(ctx: Context, roleArn: string, accountId: string): Promise<RolePermissions> {
  const roleName = roleArn.split("/").pop()!;
  const result: RolePermissions = { roleName, roleArn, missing: [], grantedBy: [], readable: true };
  if (!roleArn.includes(`::${accountId}:`)) return { ...result, readable: false };
  const iam = await iamOf(ctx);
  try {
    const docs: Array<{ source: string; doc: PolicyDocument }> = [];
    for (const arn of await attachedPolicyArns(iam, roleName)) {
      const p = await iam.getPolicy({ PolicyArn: arn });
      const v = await iam.getPolicyVersion({ PolicyArn: arn, VersionId: p.Policy?.DefaultVersionId });
      const doc = decodePolicy(v.PolicyVersion?.Document);
      if (doc) docs.push({ source: `managed policy ${p.Policy?.PolicyName ?? arn}`, doc });
    }
    for (const name of await iam.listRolePolicies({ RoleName: roleName })) {
      const p = await iam.getRolePolicy({ RoleName: roleName, PolicyName: name });
      const doc = decodePolicy(p.PolicyDocument);
      if (doc) docs.push({ source: `inline policy ${name}`, doc });
    }
    result.missing = missingEniActions(docs.map((d) => d.doc));
    result.grantedBy = docs.filter((d) => allows([d.doc], "ec2:CreateNetworkInterface")).map((d) => d.source);
    return result;
  } catch (err) {
    if (errorCode(err) === "NoSuchEntity") throw new UsageError(`The execution role ${roleArn} of the function does not exist.`, "Fix the function's role first: Lambda refuses a VPC config when it cannot assume the role.");
    if (classifyError(err) === "auth") return { ...result, readable: false };
    throw err;
  }
}

/**
 * The egress of the group attach-lambda creates: HTTPS to anywhere (AWS APIs through a NAT or
 * interface endpoints, and what the function calls on the internet), plus each --egress-port
 * (tcp PORT to the VPC's CIDR — a database, a cache —, or to the CIDR after a colon). DNS needs no
 * rule: security groups do not filter traffic to the Amazon DNS server.
 */
export function lambdaEgress(raw: string[], vpcCidr: string, givenSg: string | undefined): Array<{ port: number; cidr: string; label: string }> {
  const problems = new Problems();
  const out = [{ port: 443, cidr: "0.0.0.0/0", label: "HTTPS out" }];
  for (const item of raw) {
    const [portText, cidrText, ...rest] = item.split(":");
    try {
      if (rest.length) throw new UsageError(`--egress-port ${JSON.stringify(item)}: expected PORT or PORT:CIDR (e.g. 5432 or 8443:0.0.0.0/0).`);
      const port = portOption("egress-port", portText);
      if (port === 0) throw new UsageError("--egress-port must be from 1 to 65535, got 0.");
      const cidr = cidrText === undefined ? vpcCidr : cidrOption("egress-port", cidrText);
      if (!out.some((e) => e.port === port && e.cidr === cidr)) out.push({ port, cidr, label: `--egress-port ${item}` });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.add(err.message, err.hint);
    }
  }
  if (raw.length && givenSg) problems.add(`--egress-port applies to the group attach-lambda creates; ${givenSg} is yours and is left as it is.`, "Drop --egress-port, or add the rule to your group yourself.");
  problems.throwIfAny();
  return out;
}

/**
 * A function already in a VPC that is not this plan's doing (another plan attached it, or it runs
 * in subnets the user did not name) is not moved silently: exit 2 unless --take-over. Its config
 * is then recorded as the previous one, which detach-lambda and destroy restore.
 */
async function refuseForeignVpcConfig(ctx: Context, plan: Plan, fn: FunctionConfiguration, named: string[], takeOver: boolean): Promise<void> {
  const current = vpcConfigOf(fn);
  if (!current || takeOver) return;
  const { otherPlans, unnamed } = await vpcConfigOwners(ctx, plan, current, named);
  if (!otherPlans.length && !unnamed.length) return;
  const where = `${fn.FunctionName} is in ${fn.VpcConfig?.VpcId ?? "a VPC"} (subnets ${current.SubnetIds.join(", ")}; groups ${current.SecurityGroupIds.join(", ") || "none"})`;
  throw new UsageError(
    otherPlans.length
      ? `Lambda function ${where}, attached by another egress-cli plan: ${otherPlans.join(", ")}. Attaching it here would move it out of that plan's VPC.`
      : `Lambda function ${where}, which this plan did not set and this command does not name (${unnamed.join(", ")}). Attaching it here would move it.`,
    "Detach it there first (egress-cli --plan THAT_PLAN detach-lambda), or pass --take-over to move it anyway (its current config is recorded and restored by detach-lambda and destroy).",
    "FunctionInAnotherVpc",
  );
}

export async function attachLambdaCommand(ctx: Context, opts: Options): Promise<number> {
  // 1. Flags, offline.
  const plan = await loadCheckedPlan(ctx);
  const ref = parseFunctionRef(opts.function, plan);
  const givenSg = opts.securityGroup === "new" ? undefined : awsId("sg", "a security group", opts.securityGroup);
  const wantIam = opts.iam;
  const vpcId = requirePlanVpc(plan);
  const subnets = chooseSubnets(plan, opts.subnets);
  const egressRules = lambdaEgress(opts.egressPort, plan.resources.vpc?.cidr ?? "", givenSg);
  const stepBase = `lambda/${ref.name}`;
  const prior = recordOf(plan, lambdaVpcConfigKind, `${stepBase}/vpc-config`);
  if (prior?.state === "created") {
    const a = prior.attrs;
    const want = subnets.map((s) => s.subnetId).sort();
    if (JSON.stringify([...(a.subnetIds ?? [])].sort()) !== JSON.stringify(want)) {
      throw new UsageError(`Function ${ref.name} is already attached by this plan to ${a.subnetIds?.join(", ")}; this run asks for ${want.join(", ")}.`, "Run egress-cli detach-lambda --function " + ref.name + " first.");
    }
  }

  // 2. Checks against the account (reads only).
  const aws = await ctx.aws();
  const ec2 = ec2Api(await aws.ec2());
  const lambda = lambdaApi(await aws.lambda());
  const fn = await getFunctionConfiguration(lambda, ref.name);
  if (!fn) throw await functionNotFound(lambda, ref.name, { region: aws.region, accountId: plan.accountId, sandbox: sandboxRequested(ctx.opts, ctx.env) });
  const egress = await subnetEgress(ec2, vpcId, subnets.map((s) => s.subnetId));
  const publicOnes = egress.filter((e) => e.public);
  if (publicOnes.length && !opts.allowPublicSubnet) {
    throw new UsageError(
      `${publicOnes.map((e) => e.subnetId).join(", ")} ${publicOnes.length > 1 ? "are public subnets" : "is a public subnet"} (0.0.0.0/0 → internet gateway). A Lambda function's ENI never gets a public IP, so in a public subnet it has no internet access at all.`,
      "Attach it to private subnets routed through a NAT gateway (the default: --subnets private), or pass --allow-public-subnet if it only needs the VPC.",
      "PublicSubnet",
    );
  }
  if (givenSg) {
    const g = (await listSecurityGroups(ec2, [{ Name: "group-id", Values: [givenSg] }]))[0];
    if (!g) throw new UsageError(`--security-group ${givenSg} does not exist in ${aws.region}.`);
    if (g.VpcId !== vpcId) throw new UsageError(`--security-group ${givenSg} is in ${g.VpcId}, not in the plan's VPC ${vpcId}.`);
  }
  await refuseForeignVpcConfig(ctx, plan, fn, [...subnets.map((s) => s.subnetId), ...(givenSg ? [givenSg] : [])], opts.takeOver);
  const role = await rolePermissions(ctx, fn.Role!, plan.accountId);
  const iamRec = plan.resources[`${stepBase}/iam`];
  const needIam = (role.readable && role.missing.length > 0) || (iamRec && iamRec.state !== "deleted");
  if (role.readable && role.missing.length && !wantIam) {
    throw new UsageError(
      `The execution role ${role.roleName} lacks ${role.missing.join(", ")}, so Lambda would refuse the VPC config ("The provided execution role does not have permissions to call CreateNetworkInterface on EC2").`,
      `Drop --no-iam to let egress-cli attach ${LAMBDA_VPC_ACCESS_POLICY_ARN.split("/").pop()}, or grant those actions yourself.`,
      "RoleLacksEniPermissions",
    );
  }
  if (!role.readable) ctx.log.warn(`Could not read the execution role ${fn.Role} (another account or no iam:Get* permission); Lambda will refuse the update if it cannot manage ENIs.`);

  const warnings: string[] = [];
  const noNat = egress.filter((e) => !e.natGatewayId && !e.public);
  const endpoints = (await listVpcEndpoints(ec2, [{ Name: "vpc-id", Values: [vpcId] }])).filter(isLiveEndpoint);
  const endpointServices = endpoints.map((e) => e.ServiceName!.split(".").slice(3).join("."));
  if (noNat.length) {
    warnings.push(
      endpoints.length
        ? `Subnet(s) ${noNat.map((e) => e.subnetId).join(", ")} have no NAT route: the function reaches only the VPC and the endpoints there (${endpointServices.join(", ")}).`
        : `Subnet(s) ${noNat.map((e) => e.subnetId).join(", ")} have neither a NAT route nor VPC endpoints: the function will reach nothing outside the VPC, not even AWS APIs. Run egress-cli add-nat, or add-endpoint for the services it calls.`,
    );
  }
  for (const w of warnings) ctx.log.warn(w);

  // 3. Steps.
  const steps: StepDef[] = [];
  if (!givenSg) {
    steps.push(
      securityGroupStep({
        id: `${stepBase}/sg`,
        groupName: `${plan.name}-lambda-${ref.name}`.slice(0, 255),
        description: `egress-cli: Lambda function ${ref.name} (no ingress)`,
        label: `security group for Lambda function ${ref.name}`,
      }),
      ...egressRules.map((e) => egressRuleStep({ id: `${stepBase}/sg/egress/${e.port}/${e.cidr}`, groupStep: `${stepBase}/sg`, to: { cidr: e.cidr }, port: e.port, label: e.label })),
    );
  }
  if (needIam) steps.push(rolePolicyAttachmentStep({ id: `${stepBase}/iam`, roleName: role.roleName, policyArn: LAMBDA_VPC_ACCESS_POLICY_ARN, functionName: ref.name }));
  steps.push(
    lambdaVpcConfigStep({
      id: `${stepBase}/vpc-config`,
      functionName: ref.name,
      subnetIds: subnets.map((s) => s.subnetId),
      securityGroupId: givenSg,
      securityGroupStep: givenSg ? undefined : `${stepBase}/sg`,
      dependsOn: [...subnets.map((s) => s.step), ...(givenSg ? [] : egressRules.map((e) => `${stepBase}/sg/egress/${e.port}/${e.cidr}`))],
      iamStep: needIam ? `${stepBase}/iam` : undefined,
    }),
  );

  const session = await openSession(ctx, {}, "attach-lambda");
  try {
    session.plan.spec = { ...session.plan.spec, lambda: { ...session.plan.spec.lambda, [ref.name]: { subnets: subnets.map((s) => s.subnetId), securityGroup: givenSg ?? "new" } } };
    // runSteps writes the spec once its pre-flight checks pass (a refusal writes no file).
    const report = await runSteps(ctx, session, steps);
    // Egress rules an earlier run made that this run's --egress-port no longer asks for: revoked.
    const wantedEgress = new Set(steps.map((s) => s.id));
    const staleEgress = Object.entries(session.plan.resources).filter(([id, r]) => id.startsWith(`${stepBase}/sg/egress/`) && r.state !== "deleted" && !wantedEgress.has(id)).map(([id]) => id);
    if (staleEgress.length && !ctx.opts.dryRun) await undoSteps(ctx, session, staleEgress, { reason: "no longer in --egress-port" });
    const a = recordOf(session.plan, lambdaVpcConfigKind, `${stepBase}/vpc-config`)?.attrs ?? {};
    const egressIps = [...new Set(egress.map((e) => e.egressIp).filter((x): x is string => Boolean(x)))];
    const iamStep = session.plan.resources[`${stepBase}/iam`];
    const result = {
      command: "attach-lambda",
      dryRun: ctx.opts.dryRun,
      plan: plan.name,
      region: plan.region,
      functionName: ref.name,
      functionArn: fn.FunctionArn,
      vpcId,
      subnetIds: subnets.map((s) => s.subnetId),
      securityGroupId: givenSg ?? session.plan.resources[`${stepBase}/sg`]?.id ?? null,
      securityGroupCreated: !givenSg,
      // What the new group lets the function open (a group of yours is left as it is).
      egress: givenSg ? null : egressRules.map((e) => ({ protocol: "tcp", port: e.port, cidr: e.cidr })),
      iam: {
        roleName: role.roleName,
        roleArn: role.roleArn,
        attachedPolicy: needIam ? LAMBDA_VPC_ACCESS_POLICY_ARN : null,
        changed: Boolean(needIam && report.outcomes[`${stepBase}/iam`] === "created"),
        alreadyGrantedBy: needIam ? [] : role.grantedBy,
        checked: role.readable,
        ...(iamStep ? { step: `${stepBase}/iam` } : {}),
      },
      // What the plan recorded (null: the function had none); only a dry run, with nothing recorded, shows what would be.
      previousVpcConfig: a.previousVpcConfig !== undefined ? a.previousVpcConfig : ctx.opts.dryRun ? vpcConfigOf(fn) : null,
      lastUpdateStatus: a.lastUpdateStatus ?? null,
      egressIps,
      subnets: egress,
      endpoints: endpointServices,
      warnings,
      steps: report.outcomes,
      ...(ctx.opts.dryRun ? { dryRunChecks: report.dryRunChecks } : {}),
    };
    if (!ctx.opts.dryRun) {
      session.plan.outputs = { ...session.plan.outputs, lambdaEgressIps: { ...((session.plan.outputs as { lambdaEgressIps?: object }).lambdaEgressIps ?? {}), [ref.name]: egressIps } };
      await session.save();
    }
    ctx.emit(result, renderAttachLambda);
    return 0;
  } finally {
    await session.close();
  }
}

// ---------- the human rendering of the result (--json prints the result itself) ----------

export interface AttachLambdaResult extends DryRunPart {
  steps: Record<string, string>;
  plan: string;
  functionName: Text;
  vpcId: Text;
  subnets: Array<{ subnetId: Text; routeTableId?: Text; egressIp?: Text; natGatewayId?: Text; public?: boolean }>;
  securityGroupId: Text;
  securityGroupCreated: boolean;
  egress: Array<{ port: Text; cidr: Text }> | null;
  iam: { roleName: Text; attachedPolicy?: string | null; changed: boolean; alreadyGrantedBy: string[] };
  previousVpcConfig?: { SubnetIds?: string[] } | null;
  egressIps: Text[];
}

export function renderAttachLambda(r: AttachLambdaResult, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  const lines = [`${c.green("✔")} Lambda function ${c.bold(`${r.functionName}`)} attached to ${r.vpcId} — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`];
  lines.push(table(["subnet", "route table", "egress"], r.subnets.map((s) => [s.subnetId, s.routeTableId, s.egressIp ? `NAT ${s.natGatewayId} → ${s.egressIp}` : s.public ? "public (no public IP for Lambda ENIs)" : "VPC only"]), o));
  lines.push(`Security group: ${r.securityGroupId}${r.securityGroupCreated ? ` (created, no ingress; out: ${(r.egress ?? []).map((e) => `tcp/${e.port} to ${e.cidr}`).join(", ")})` : " (yours)"}`);
  if (r.iam.attachedPolicy) lines.push(`Execution role ${r.iam.roleName}: ${r.iam.changed ? "attached" : "has"} ${r.iam.attachedPolicy.split("/").pop()}${r.iam.changed ? " (ENI permissions; detach-lambda/destroy remove it)" : ""}`);
  else if (r.iam.alreadyGrantedBy.length) lines.push(`Execution role ${r.iam.roleName}: ENI permissions already granted by ${r.iam.alreadyGrantedBy.join(", ")} (unchanged)`);
  if (r.previousVpcConfig) lines.push(c.dim(`Previous VPC config recorded (restored by detach-lambda/destroy): ${(r.previousVpcConfig.SubnetIds ?? []).join(", ")}`));
  lines.push(r.egressIps.length ? `Egress IP(s) of ${r.functionName}: ${c.bold(r.egressIps.join(", "))}` : c.yellow(`${r.functionName} has no internet egress from these subnets (no NAT route).`));
  return lines.join("\n");
}
