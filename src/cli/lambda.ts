// Shared by attach-lambda, detach-lambda, add-endpoint and status: parsing a function reference,
// the error for a function that is not there, the plan's subnets by tier, and what a set of subnets
// can reach (NAT egress IPs, endpoints).
import { byText, editDistance } from "../order.js";
import { listOption } from "./options.js";
import type { Ec2Api } from "../aws/ec2-api.js";
import type { LambdaApi } from "../aws/lambda-api.js";
import { UsageError } from "../errors.js";
import { isAwsId } from "../aws/names.js";
import { defaultRoute, effectiveRouteTable, listNatGateways, listRouteTables, listSubnets } from "../aws/ec2.js";
import type { Plan } from "../plans/schema.js";
import { planSubnets, planVpc, type PlanSubnet } from "../engine/kinds/views.js";
import { routesToInternetGateway } from "../net/routes.js";

export interface FunctionRef {
  name: string;
  arn?: string;
  region?: string;
  accountId?: string;
}

const ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})$/;

/** A function name or unqualified function ARN, checked against the plan's region and account. */
export function parseFunctionRef(raw: string | undefined, plan?: Pick<Plan, "region" | "accountId">): FunctionRef {
  if (!raw) throw new UsageError("--function is required (a function name or ARN).", "e.g. --function sms-sender");
  const m = ARN.exec(raw);
  if (m) {
    const ref = { name: m[3], arn: raw, region: m[1], accountId: m[2] };
    if (plan && ref.region !== plan.region) {
      throw new UsageError(`Function ${raw} is in ${ref.region}, but the plan's VPC is in ${plan.region}: a Lambda function can only attach to a VPC in its own region.`, `Use --region ${ref.region} with a plan there, or deploy the function in ${plan.region}.`, "CrossRegion");
    }
    if (plan && ref.accountId !== plan.accountId) {
      throw new UsageError(`Function ${raw} belongs to account ${ref.accountId}, not the plan's account ${plan.accountId}.`, undefined, "CrossAccount");
    }
    return ref;
  }
  if (/^arn:/.test(raw)) throw new UsageError(`${JSON.stringify(raw)} is not an unqualified Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME).`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw new UsageError(`${JSON.stringify(raw)} is not a Lambda function name (1-64 letters, digits, - and _).`);
  return { name: raw };
}

/** The names among `names` that look like `name` (close spelling, or one containing the other), closest first. */
export function similarNames(name: string, names: string[], max = 5): string[] {
  const n = name.toLowerCase();
  return names
    .map((x) => ({ x, d: editDistance(n, x.toLowerCase()), sub: x.toLowerCase().includes(n) || n.includes(x.toLowerCase()) }))
    .filter((c) => c.sub || c.d <= Math.max(2, Math.floor(n.length / 3)))
    .sort((a, b) => a.d - b.d || byText(a.x, b.x))
    .slice(0, max)
    .map((c) => c.x);
}

/**
 * The error for a Lambda function that does not exist in the region: how to get one, and the
 * similar names that are there (ListFunctions; when it is not allowed, the error says less).
 */
export async function functionNotFound(lambda: LambdaApi, name: string, o: { region: string; accountId?: string; flag?: string; sandbox: boolean }): Promise<UsageError> {
  let names: string[] | undefined;
  try {
    names = (await lambda.listFunctions({})).map((f) => f.FunctionName ?? "").filter(Boolean).sort();
  } catch {
    names = undefined; // no lambda:ListFunctions: the message still says how to get one
  }
  const near = names ? similarNames(name, names) : [];
  const present = !names ? "" : near.length ? ` Did you mean ${near.join(", ")}?` : names.length ? ` Functions there: ${names.slice(0, 8).join(", ")}${names.length > 8 ? `, … (${names.length})` : ""}.` : " There are no functions there.";
  const hint = [
    `Deploy it first (aws lambda create-function --function-name ${name} --region ${o.region} …) or name an existing one; it must be in the plan's region.`,
    ...(o.sandbox
      ? [`The sandbox's example account has the scenarios' functions (sms-sender, rotate-db-secret, msk-consumer): egress-cli --sandbox sandbox init --examples, or on an existing sandbox sandbox reset --examples (it starts the account over).`]
      : []),
  ].join(" ");
  return new UsageError(`${o.flag ? `${o.flag}: no` : "No"} Lambda function named "${name}" in ${o.region}${o.accountId ? ` (account ${o.accountId})` : ""}.${present}`, hint, "FunctionNotFound");
}

/** Picks subnets from `--subnets private|ID,...`; every id must be a subnet of the plan. */
export function chooseSubnets(plan: Plan, raw: string | undefined): PlanSubnet[] {
  const spec = raw ?? "private";
  if (spec === "private") {
    const s = planSubnets(plan, "private");
    if (!s.length) throw new UsageError(`Plan "${plan.name}" has no private subnets.`, "Create the VPC with --private-subnets 1, or pass --subnets subnet-…,subnet-….");
    return s;
  }
  if (spec === "") throw new UsageError("--subnets needs `private` or a comma-separated list of subnet ids.");
  // A subnet named twice would reach AWS as given and the recorded config would never match the
  // live one; listOption refuses it (and a stray comma) before the first change.
  const ids = listOption("subnets", spec);
  const all = planSubnets(plan);
  return ids.map((id) => {
    if (!isAwsId("subnet", id)) throw new UsageError(`--subnets: ${JSON.stringify(id)} is not a subnet id.`);
    const s = all.find((x) => x.subnetId === id);
    if (!s) throw new UsageError(`--subnets: ${id} is not a subnet of plan "${plan.name}" (VPC ${planVpc(plan)?.id}).`, `The plan's subnets: ${all.map((x) => x.subnetId).join(", ")}`);
    return s;
  });
}

export interface SubnetEgress {
  subnetId: string;
  routeTableId?: string;
  public: boolean;
  natGatewayId?: string;
  egressIp?: string;
}

/** For each subnet: its effective route table, whether it is public (0.0.0.0/0 → igw) and its NAT egress IP. */
export async function subnetEgress(ec2: Ec2Api, vpcId: string, subnetIds: string[]): Promise<SubnetEgress[]> {
  const [subnets, tables] = await Promise.all([listSubnets(ec2, [{ Name: "vpc-id", Values: [vpcId] }]), listRouteTables(ec2, [{ Name: "vpc-id", Values: [vpcId] }])]);
  const natIds = new Set<string>();
  const rows = subnetIds.map((id) => {
    const s = subnets.find((x) => x.SubnetId === id);
    const t = s ? effectiveRouteTable(s, tables) : undefined;
    const d = defaultRoute(t);
    const active = d && d.State !== "blackhole";
    if (active && d.NatGatewayId) natIds.add(d.NatGatewayId);
    return { subnetId: id, routeTableId: t?.RouteTableId, public: routesToInternetGateway(d), natGatewayId: active ? d.NatGatewayId : undefined } as SubnetEgress;
  });
  if (natIds.size) {
    const nats = await listNatGateways(ec2, undefined, [...natIds]);
    for (const r of rows) {
      const n = nats.find((x) => x.NatGatewayId === r.natGatewayId);
      r.egressIp = n?.NatGatewayAddresses?.[0]?.PublicIp;
    }
  }
  return rows;
}
