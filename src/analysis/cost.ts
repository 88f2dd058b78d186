// The one cost model. estimateMonthlyCost prices one VPC's egress (NAT gateways: hour + GB processed;
// public IPv4 addresses, Elastic IPs included; interface and Resource VPC endpoints: AZ-hour + GB; the
// egress instances by type: the S2 proxies, NAT instances, and the proxies' gp3 root volumes; resource
// gateways; transit gateway attachments) from one dated price table. `status`, `cost` and the audit's cost rules all call it;
// what it cannot price is listed in `unpriced`, never counted as 0. Pure: callers map live data
// (src/analysis/rules/bill.ts for a snapshot, status for a plan offline) to its input.

import { UsageError } from "../errors.js";
import { byText } from "../order.js";

/** When the table below was last checked against AWS's public pricing pages. */
export const PRICES_AS_OF = "2026-11-01";

export const PRICE_SOURCES = [
  "AWS public pricing pages: https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4)",
  "https://aws.amazon.com/privatelink/pricing/ (interface and resource endpoints)",
  "https://aws.amazon.com/ec2/pricing/on-demand/ (instances, Linux, us-east-1)",
  "https://aws.amazon.com/ebs/pricing/ (gp3 storage)",
] as const;

/**
 * On-demand Linux price per hour in us-east-1 of the instance types a proxy is likely to use. Other
 * regions are priced with these (the estimate says so); a type not listed is unpriced, and named.
 */
export const INSTANCE_HOUR_US_EAST_1: Readonly<Record<string, number>> = {
  "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832,
  "t3a.micro": 0.0094, "t3a.small": 0.0188, "t3a.medium": 0.0376,
  "t4g.nano": 0.0042, "t4g.micro": 0.0084, "t4g.small": 0.0168, "t4g.medium": 0.0336, "t4g.large": 0.0672,
  "m5.large": 0.096, "m6i.large": 0.096, "m7i.large": 0.1008, "m6g.medium": 0.0385, "m6g.large": 0.077, "m7g.medium": 0.0408, "m7g.large": 0.0816,
  "c5.large": 0.085, "c6i.large": 0.085, "c6g.large": 0.068, "c7g.medium": 0.0363, "c7g.large": 0.0725,
};

/** AWS bills and quotes monthly figures on 730 hours (365 * 24 / 12). */
export const HOURS_PER_MONTH = 730;

/** Every public IPv4 address, in use or idle, Elastic IPs included, in every commercial region (since 2024-02-01). */
export const PUBLIC_IPV4_PER_HOUR = 0.005;

export interface RegionPrices {
  natGatewayHour: number;
  natGatewayGb: number;
  /**
   * A regional NAT gateway, per hour in each AZ it is active in (data processed: natGatewayGb). See
   * REGIONAL_NAT_PRICE: the rate is the zonal NAT gateway's, an estimate.
   */
  regionalNatGatewayAzHour: number;
  /** Data crossing AZs inside the region, per GB in each direction (a zonal NAT gateway used from another AZ). */
  interAzGb: number;
  interfaceEndpointAzHour: number;
  /** First-PB tier; volumes above 1 PB/month are cheaper, not modelled. */
  interfaceEndpointGb: number;
  /** A VPC endpoint of type Resource, per AZ it is placed in (PrivateLink pricing, like an interface endpoint). */
  resourceEndpointAzHour: number;
  /** Data processed through Resource endpoints, first-PB tier. */
  resourceEndpointGb: number;
  /** A transit gateway VPC attachment, per hour. */
  transitGatewayAttachmentHour: number;
  /** EBS gp3 storage, per GB-month (the proxies' root volumes). */
  ebsGp3GbMonth: number;
  /**
   * "published": confirmed against AWS's pages or the project's scenario facts.
   * "estimate": from secondary sources / regional pattern; the estimate says so.
   */
  confidence: "published" | "estimate";
}

export const DEFAULT_PRICE_REGION = "us-east-1";

/**
 * Regional NAT gateways (AvailabilityMode "regional", since November 2025), as read on 2026-12-07:
 * billed per hour in each AZ where the gateway is active, plus per GB processed, at the zonal NAT
 * gateway's rates; its Elastic IPs as every public IPv4 address. AWS's VPC pricing page could not be
 * checked row by row for this mode (only AWS's documentation and secondary sources were at hand), so
 * every figure that includes a regional NAT gateway is marked an estimate.
 */
export const REGIONAL_NAT_PRICE = {
  asOf: "2026-12-07",
  confidence: "estimate" as const,
  basis: "per AZ-hour in each AZ the regional NAT gateway is active in, at the zonal NAT gateway's hourly rate; GB processed at the zonal rate",
};

export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": { natGatewayHour: 0.045, regionalNatGatewayAzHour: 0.045, interAzGb: 0.01, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.01, resourceEndpointGb: 0.01, transitGatewayAttachmentHour: 0.05, ebsGp3GbMonth: 0.08, confidence: "published" },
  "us-east-2": { natGatewayHour: 0.045, regionalNatGatewayAzHour: 0.045, interAzGb: 0.01, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.01, resourceEndpointGb: 0.01, transitGatewayAttachmentHour: 0.05, ebsGp3GbMonth: 0.08, confidence: "published" },
  "us-west-2": { natGatewayHour: 0.045, regionalNatGatewayAzHour: 0.045, interAzGb: 0.01, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.01, resourceEndpointGb: 0.01, transitGatewayAttachmentHour: 0.05, ebsGp3GbMonth: 0.08, confidence: "estimate" },
  "eu-west-1": { natGatewayHour: 0.048, regionalNatGatewayAzHour: 0.048, interAzGb: 0.01, natGatewayGb: 0.048, interfaceEndpointAzHour: 0.011, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.011, resourceEndpointGb: 0.01, transitGatewayAttachmentHour: 0.05, ebsGp3GbMonth: 0.088, confidence: "estimate" },
  "eu-central-1": { natGatewayHour: 0.052, regionalNatGatewayAzHour: 0.052, interAzGb: 0.01, natGatewayGb: 0.052, interfaceEndpointAzHour: 0.012, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.012, resourceEndpointGb: 0.01, transitGatewayAttachmentHour: 0.05, ebsGp3GbMonth: 0.0952, confidence: "estimate" },
  "ap-southeast-1": { natGatewayHour: 0.059, regionalNatGatewayAzHour: 0.059, interAzGb: 0.01, natGatewayGb: 0.059, interfaceEndpointAzHour: 0.013, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.013, resourceEndpointGb: 0.01, transitGatewayAttachmentHour: 0.05, ebsGp3GbMonth: 0.096, confidence: "estimate" },
  "ap-northeast-2": { natGatewayHour: 0.059, regionalNatGatewayAzHour: 0.059, interAzGb: 0.01, natGatewayGb: 0.059, interfaceEndpointAzHour: 0.013, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.013, resourceEndpointGb: 0.01, transitGatewayAttachmentHour: 0.05, ebsGp3GbMonth: 0.0912, confidence: "estimate" },
};

/** What one VPC runs that costs money: the model's input. Counts are whole numbers >= 0. */
export interface CostInput {
  region: string;
  /** Zonal NAT gateways. */
  natGateways?: number;
  /** Sum over regional NAT gateways of the AZs each is active in (what it is billed by). */
  regionalNatGatewayAzs?: number;
  /** Public IPv4 addresses, including each NAT gateway's Elastic IP. */
  publicIpv4Addresses?: number;
  /** Sum over interface endpoints of the AZs each is placed in. */
  interfaceEndpointAzs?: number;
  /** GB per month processed by the NAT gateways (zonal and regional). Omitted: data processing is not estimated (said so). */
  gbProcessed?: number;
  /** GB per month processed by interface endpoints. */
  endpointGbProcessed?: number;
  /** Running instances by type (the egress proxies, NAT instances). */
  instances?: Record<string, number>;
  /** Sum over Resource VPC endpoints of the AZs each is placed in. */
  resourceEndpointAzs?: number;
  /** GB per month processed by Resource endpoints. */
  resourceEndpointGbProcessed?: number;
  /** VPC Lattice resource gateways (no hourly charge of their own: named in the assumptions). */
  resourceGateways?: number;
  /** Transit gateway VPC attachments. */
  transitGatewayAttachments?: number;
  /** Egress-only internet gateways (IPv6): no hourly charge, named in the assumptions. */
  egressOnlyInternetGateways?: number;
  /** NAT gateways that also translate 64:ff9b::/96 (NAT64): the same hours and per-GB as any NAT traffic. */
  nat64NatGateways?: number;
  /** GB of EBS gp3 volumes provisioned (the proxies' root volumes; billed whether the instance runs or not). */
  ebsGp3Gb?: number;
  /** What the caller could not read or count (a resource type not collected): carried into `unpriced`. */
  unpriced?: Unpriced[];
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: "hour" | "GB" | "GB-month";
  unitPrice: number;
  monthly: number;
}

/** Something that costs money but is not in the total: no price on file, or not collected. */
export interface Unpriced {
  item: string;
  reason: string;
}

export interface CostEstimate {
  lines: CostLine[];
  totalMonthly: number;
  /** Not in the total (an unknown instance type, a resource type that could not be read). */
  unpriced: Unpriced[];
  /** false when something is unpriced or the region's prices are not on file: the total is a lower bound. */
  complete: boolean;
  currency: "USD";
  hoursPerMonth: typeof HOURS_PER_MONTH;
  assumptions: string[];
  pricesAsOf: string;
  /** Region whose prices were used (us-east-1 when the requested one is not in the table). */
  priceRegion: string;
  /** true when a price in it is an estimate (a regional NAT gateway: REGIONAL_NAT_PRICE). */
  estimate?: boolean;
}

// Sub-cent precision so sums of lines equal the total; renderers round to cents.
function money(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Cents, as printed: comparisons are made on these so that printed figures add up. */
export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}

function count(name: string, v: number | undefined, integer: boolean): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${name} must be a ${integer ? "whole " : ""}number >= 0 (got ${String(v)})`, undefined, "InvalidInput");
  }
  return v;
}

export function pricesFor(region: string): { prices: RegionPrices; priceRegion: string; known: boolean } {
  const known = Object.prototype.hasOwnProperty.call(PRICES, region);
  const priceRegion = known ? region : DEFAULT_PRICE_REGION;
  return { prices: PRICES[priceRegion], priceRegion, known };
}

/** The one pricing function: a VPC's (or any set of resources') monthly cost, line by line. */
export function estimateMonthlyCost(input: CostInput): CostEstimate {
  const natGateways = count("natGateways", input.natGateways, true);
  const regionalAzs = count("regionalNatGatewayAzs", input.regionalNatGatewayAzs, true);
  const ips = count("publicIpv4Addresses", input.publicIpv4Addresses, true);
  const endpointAzs = count("interfaceEndpointAzs", input.interfaceEndpointAzs, true);
  const natGb = count("gbProcessed", input.gbProcessed, false);
  const endpointGb = count("endpointGbProcessed", input.endpointGbProcessed, false);
  const resourceAzs = count("resourceEndpointAzs", input.resourceEndpointAzs, true);
  const resourceGb = count("resourceEndpointGbProcessed", input.resourceEndpointGbProcessed, false);
  const gateways = count("resourceGateways", input.resourceGateways, true);
  const attachments = count("transitGatewayAttachments", input.transitGatewayAttachments, true);
  const ebsGb = count("ebsGp3Gb", input.ebsGp3Gb, false);
  const { prices, priceRegion, known } = pricesFor(input.region);

  const assumptions: string[] = [
    `${HOURS_PER_MONTH} hours per month, resources running all month`,
    `Prices in USD as of ${PRICES_AS_OF}, from ${PRICE_SOURCES.join("; ")}; check them before committing to a design`,
  ];
  if (!known) {
    assumptions.push(`No prices on file for region "${input.region}": us-east-1 prices used, so the figure is approximate (likely low)`);
  } else if (prices.confidence === "estimate") {
    assumptions.push(`Prices for ${priceRegion} are estimates from secondary sources, not confirmed against AWS's page`);
  }

  const lines: CostLine[] = [];
  const unpriced: Unpriced[] = [...(input.unpriced ?? [])];
  const add = (item: string, quantity: number, unit: CostLine["unit"], unitPrice: number): void => {
    if (quantity > 0) lines.push({ item, quantity, unit, unitPrice, monthly: money(quantity * unitPrice) });
  };
  add(`NAT gateway (${natGateways} x ${HOURS_PER_MONTH} h)`, natGateways * HOURS_PER_MONTH, "hour", prices.natGatewayHour);
  add(`Regional NAT gateway (${regionalAzs} AZ x ${HOURS_PER_MONTH} h, estimate)`, regionalAzs * HOURS_PER_MONTH, "hour", prices.regionalNatGatewayAzHour);
  if (regionalAzs > 0) {
    assumptions.push(`Regional NAT gateway priced ${REGIONAL_NAT_PRICE.basis} (as of ${REGIONAL_NAT_PRICE.asOf}): an estimate, not confirmed against AWS's pricing page`);
  }
  if (natGateways + regionalAzs > 0) {
    if (input.gbProcessed === undefined) {
      assumptions.push(`NAT data processing not included: pass the expected GB/month (${prices.natGatewayGb} USD per GB)`);
    } else {
      add("NAT gateway data processed", natGb, "GB", prices.natGatewayGb);
    }
  }
  add(`Public IPv4 address (${ips} x ${HOURS_PER_MONTH} h)`, ips * HOURS_PER_MONTH, "hour", PUBLIC_IPV4_PER_HOUR);
  add(`Interface VPC endpoint (${endpointAzs} AZ x ${HOURS_PER_MONTH} h)`, endpointAzs * HOURS_PER_MONTH, "hour", prices.interfaceEndpointAzHour);
  add("Interface VPC endpoint data processed", endpointGb, "GB", prices.interfaceEndpointGb);
  const types = Object.entries(input.instances ?? {}).sort(([a], [b]) => byText(a, b));
  for (const [type, n] of types) {
    const k = count(`instances[${type}]`, n, true);
    const price = INSTANCE_HOUR_US_EAST_1[type];
    if (price === undefined) {
      if (k > 0) unpriced.push({ item: `EC2 instance ${type} (${k} x ${HOURS_PER_MONTH} h)`, reason: `no price on file for instance type ${type}` });
    } else add(`EC2 instance ${type} (${k} x ${HOURS_PER_MONTH} h)`, k * HOURS_PER_MONTH, "hour", price);
  }
  if (types.length) {
    if (priceRegion !== "us-east-1" || !known) assumptions.push(`EC2 instance hours priced at us-east-1's on-demand Linux rates; ${input.region}'s are usually a little higher`);
    assumptions.push("EC2: data transfer is not included");
  }
  add(`EBS gp3 volume (${ebsGb} GB x 1 month)`, ebsGb, "GB-month", prices.ebsGp3GbMonth);
  add(`Resource VPC endpoint (${resourceAzs} AZ x ${HOURS_PER_MONTH} h)`, resourceAzs * HOURS_PER_MONTH, "hour", prices.resourceEndpointAzHour);
  if (resourceAzs > 0) {
    if (input.resourceEndpointGbProcessed === undefined) assumptions.push(`Resource endpoint data processing not included (${prices.resourceEndpointGb} USD per GB, first PB)`);
    else add("Resource VPC endpoint data processed", resourceGb, "GB", prices.resourceEndpointGb);
  }
  // AWS charges nothing per hour for a resource gateway (its traffic is billed at the Resource endpoints).
  if (gateways > 0) assumptions.push(`VPC Lattice resource gateway (${gateways}): no hourly charge of its own; its traffic is billed at the Resource endpoints`);
  add(`Transit gateway attachment (${attachments} x ${HOURS_PER_MONTH} h)`, attachments * HOURS_PER_MONTH, "hour", prices.transitGatewayAttachmentHour);
  // IPv6: an egress-only internet gateway has no hourly or processing charge (only data transfer out, as
  // through an internet gateway); NAT64 is ordinary NAT gateway processing, billed per GB like IPv4 through it.
  const eigws = count("egressOnlyInternetGateways", input.egressOnlyInternetGateways, true);
  if (eigws > 0) assumptions.push(`Egress-only internet gateway (${eigws}): no hourly or per-GB processing charge; IPv6 data out to the internet is data transfer, as through an internet gateway`);
  const nat64 = count("nat64NatGateways", input.nat64NatGateways, true);
  if (nat64 > 0) assumptions.push(`NAT64 (64:ff9b::/96 routed to ${nat64} NAT gateway(s)): IPv6-only workloads' IPv4 traffic is NAT gateway data processing (${prices.natGatewayGb} USD per GB), included in the NAT lines`);
  assumptions.push(
    "Not included: data transfer out to the internet, cross-AZ transfer, transit gateway data processing, Lambda/EC2 compute other than egress instances; gateway endpoints (S3, DynamoDB) are free",
  );

  return {
    lines,
    totalMonthly: money(lines.reduce((sum, l) => sum + l.monthly, 0)),
    unpriced,
    complete: unpriced.length === 0 && known,
    ...(regionalAzs > 0 ? { estimate: true } : {}),
    currency: "USD",
    hoursPerMonth: HOURS_PER_MONTH,
    assumptions,
    pricesAsOf: PRICES_AS_OF,
    priceRegion,
  };
}

// ---------------------------------------------------------------------------------------------
// S2's reason to exist, compared like with like: the whole shared design (the egress VPC as it runs:
// its NAT gateways and Elastic IPs, the proxies, the resource gateway, anything else in it; plus the
// consumers' Resource endpoints to it) against one NAT gateway + Elastic IP in each consumer VPC, both
// at the same GB of NAT traffic. Every figure is cents, as printed, so the saving printed equals the
// difference of the two totals printed beside it.

export interface SharedEgressInput {
  region: string;
  /** The egress VPC as it runs (priced with `gbPerMonth` as its NAT data processed). */
  egressVpc: Omit<CostInput, "region" | "gbProcessed">;
  /** Per consumer VPC: the AZs its Resource endpoints to this proxy are placed in (summed over endpoints). */
  consumerEndpointAzs: number[];
  /** Resource endpoint AZs a further consumer VPC would add (break-even): defaults to today's mean. */
  endpointAzsPerNewConsumer?: number;
  /** Why that number (printed in the assumptions) when it is given. */
  endpointAzsBasis?: string;
  /** NAT traffic of all consumers together, GB/month: the same on both sides. Omitted: 0, said so. */
  gbPerMonth?: number;
}

export interface SharedEgressComparison {
  consumerVpcs: number;
  gbPerMonth: number;
  /** true when no --gb-per-month was given and 0 GB was used on both sides. */
  gbAssumed: boolean;
  shared: {
    /** The egress VPC's total at gbPerMonth (equals status's cost for it with that GB). */
    egressVpcMonthly: number;
    /** The consumers' Resource endpoint AZ-hours (and their GB at gbPerMonth). */
    consumerEndpointsMonthly: number;
    totalMonthly: number;
  };
  perConsumerNat: {
    /** One NAT gateway's hours and its Elastic IP's. */
    perVpcMonthly: number;
    /** NAT data processed at gbPerMonth, however many NAT gateways carry it. */
    gbMonthly: number;
    /** consumerVpcs x perVpcMonthly + gbMonthly */
    totalMonthly: number;
  };
  /** perConsumerNat.totalMonthly - shared.totalMonthly (negative: the shared design costs more). */
  savingMonthly: number;
  /** The smallest number of consumer VPCs at which the shared design costs less; null: never (breakEvenReason). */
  breakEvenConsumerVpcs: number | null;
  breakEvenReason: string;
  /** Resource endpoint AZs each further consumer VPC is assumed to add (break-even). */
  endpointAzsPerConsumer: number;
  /** false when the egress VPC or the consumers' endpoints have unpriced items: the shared side is a lower bound. */
  complete: boolean;
  assumptions: string[];
}

export function sharedEgressComparison(input: SharedEgressInput): SharedEgressComparison {
  const region = input.region;
  const gbAssumed = input.gbPerMonth === undefined;
  const gb = count("gbPerMonth", input.gbPerMonth, false);
  const consumerAzs = input.consumerEndpointAzs.map((n, i) => count(`consumerEndpointAzs[${i}]`, n, true));
  const consumers = consumerAzs.length;
  const egress = estimateMonthlyCost({ ...input.egressVpc, region, gbProcessed: gb });
  const endpoints = estimateMonthlyCost({ region, resourceEndpointAzs: consumerAzs.reduce((s, n) => s + n, 0), resourceEndpointGbProcessed: gb });
  const sharedTotal = cents(cents(egress.totalMonthly) + cents(endpoints.totalMonthly));
  const one = cents(estimateMonthlyCost({ region, natGateways: 1, publicIpv4Addresses: 1 }).totalMonthly);
  const natGb = cents(estimateMonthlyCost({ region, gbProcessed: gb, natGateways: 1 }).lines.find((l) => l.unit === "GB")?.monthly ?? 0);
  const perConsumerTotal = cents(consumers * one + natGb);

  // Break-even: each further consumer adds `one` on the NAT side and its endpoints' AZ-hours on the
  // shared side; the egress VPC and the GB charges do not grow with the count.
  const perNewAzs = count("endpointAzsPerNewConsumer", input.endpointAzsPerNewConsumer ?? (consumers ? Math.round(consumerAzs.reduce((s, n) => s + n, 0) / consumers) : 0), true);
  const perNew = cents(estimateMonthlyCost({ region, resourceEndpointAzs: perNewAzs }).totalMonthly);
  const endpointGb = cents(estimateMonthlyCost({ region, resourceEndpointAzs: 1, resourceEndpointGbProcessed: gb }).lines.find((l) => l.unit === "GB")?.monthly ?? 0);
  const fixed = cents(cents(egress.totalMonthly) + endpointGb - natGb);
  let breakEven: number | null = null;
  let reason: string;
  if (one <= perNew) {
    reason = `never: each consumer VPC's Resource endpoints (${perNewAzs} AZ, ${perNew.toFixed(2)} USD/month) cost as much as its own NAT gateway and Elastic IP (${one.toFixed(2)}), so the egress VPC is never paid back`;
  } else {
    // smallest n >= 1 with n * (one - perNew) > fixed, checked in cents as printed
    const margin = cents(one - perNew);
    let n = Math.max(1, Math.floor(fixed / margin) + 1);
    while (n > 1 && cents((n - 1) * margin) > fixed) n--;
    while (!(cents(n * margin) > fixed)) n++;
    breakEven = n;
    reason = `${n} consumer VPC(s): each saves ${one.toFixed(2)} (NAT gateway + Elastic IP) - ${perNew.toFixed(2)} (its Resource endpoints, ${perNewAzs} AZ) = ${margin.toFixed(2)} USD/month against the shared design's fixed ${fixed.toFixed(2)}`;
  }
  const assumptions = [
    gbAssumed
      ? "NAT data processed: 0 GB/month on both sides (pass --gb-per-month for the consumers' traffic; the shared side also pays Resource endpoint GB)"
      : `NAT data processed: ${gb} GB/month on both sides (the shared side also pays it through the Resource endpoints)`,
    "One NAT gateway and one Elastic IP per consumer VPC on the other side (a single AZ each); the egress VPC priced as it runs",
    `Break-even: each further consumer VPC adds ${perNewAzs} Resource endpoint AZ(s) (${input.endpointAzsPerNewConsumer !== undefined ? input.endpointAzsBasis ?? "as given" : "today's mean per consumer VPC"})`,
  ];
  return {
    consumerVpcs: consumers,
    gbPerMonth: gb,
    gbAssumed,
    shared: { egressVpcMonthly: cents(egress.totalMonthly), consumerEndpointsMonthly: cents(endpoints.totalMonthly), totalMonthly: sharedTotal },
    perConsumerNat: { perVpcMonthly: one, gbMonthly: natGb, totalMonthly: perConsumerTotal },
    savingMonthly: cents(perConsumerTotal - sharedTotal),
    breakEvenConsumerVpcs: breakEven,
    breakEvenReason: reason,
    endpointAzsPerConsumer: perNewAzs,
    complete: egress.complete && endpoints.complete,
    assumptions,
  };
}

// ---------------------------------------------------------------------------------------------
// `cost --compare-nat-modes` and the audit's cost-nat-mode: the three NAT designs for the AZs a VPC's
// workloads egress from, priced by the one model. single: one zonal NAT gateway and its Elastic IP,
// the other AZs' traffic crossing AZs both ways; per-az: a zonal NAT gateway and Elastic IP per AZ;
// regional: one regional NAT gateway active in each AZ, an Elastic IP per AZ (automatic mode: more
// where AutoScalingIps adds some). Figures are cents as printed.

export type NatMode = "single" | "per-az" | "regional";

export interface NatModeCost {
  mode: NatMode;
  natGateways: number;
  regionalNatGatewayAzs: number;
  publicIpv4Addresses: number;
  lines: CostLine[];
  /** Cross-AZ transfer of the NAT traffic (single only, and only when GB is given). */
  interAzMonthly: number;
  totalMonthly: number;
  /** A regional NAT gateway's price is an estimate (REGIONAL_NAT_PRICE). */
  estimate: boolean;
  /** What the mode gives up or needs. */
  note: string;
}

export interface NatModesComparison {
  azs: number;
  gbPerMonth: number;
  gbAssumed: boolean;
  modes: NatModeCost[];
  cheapest: NatMode;
  assumptions: string[];
  pricesAsOf: string;
}

export function natModesComparison(input: { region: string; azs: number; gbPerMonth?: number }): NatModesComparison {
  const azs = Math.max(1, count("azs", input.azs, true));
  const gbAssumed = input.gbPerMonth === undefined;
  const gb = count("gbPerMonth", input.gbPerMonth, false);
  const { prices } = pricesFor(input.region);
  const mode = (m: NatMode, natGateways: number, regionalNatGatewayAzs: number, ips: number, note: string): NatModeCost => {
    const e = estimateMonthlyCost({ region: input.region, natGateways, regionalNatGatewayAzs, publicIpv4Addresses: ips, ...(gbAssumed ? {} : { gbProcessed: gb }) });
    // single: the AZs other than the NAT's send their share across AZs, and the replies come back across.
    const crossing = m === "single" && azs > 1 ? (gb * (azs - 1)) / azs : 0;
    const interAz = cents(crossing * prices.interAzGb * 2);
    const lines = [...e.lines];
    if (interAz > 0) lines.push({ item: `Cross-AZ data transfer (${cents(crossing)} GB each way)`, quantity: cents(crossing * 2), unit: "GB", unitPrice: prices.interAzGb, monthly: interAz });
    return { mode: m, natGateways, regionalNatGatewayAzs, publicIpv4Addresses: ips, lines, interAzMonthly: interAz, totalMonthly: cents(cents(e.totalMonthly) + interAz), estimate: regionalNatGatewayAzs > 0, note };
  };
  const modes = [
    mode("single", 1, 0, 1, azs > 1 ? `one AZ's outage stops every AZ's egress; ${azs - 1} of ${azs} AZs cross AZs` : "one AZ: nothing crosses AZs"),
    mode("per-az", azs, 0, azs, "a public subnet and a route table per AZ; an Elastic IP per AZ"),
    mode("regional", 0, azs, azs, "no public subnet; one route target for every AZ; an Elastic IP per AZ (more in automatic mode when AutoScalingIps adds them)"),
  ];
  const cheapest = [...modes].sort((a, b) => a.totalMonthly - b.totalMonthly || ["single", "per-az", "regional"].indexOf(a.mode) - ["single", "per-az", "regional"].indexOf(b.mode))[0]!.mode;
  return {
    azs,
    gbPerMonth: gb,
    gbAssumed,
    modes,
    cheapest,
    assumptions: [
      `${azs} AZ(s): the AZs where a subnet that is not public holds a workload (else those whose subnets send 0.0.0.0/0 to a NAT gateway, else the VPC's private subnets' AZs)`,
      gbAssumed ? "No --gb-per-month: data processing and cross-AZ transfer not included (the same GB costs the same in every mode, except single's cross-AZ transfer)" : `${gb} GB/month through the NAT, spread evenly over the AZs; single's cross-AZ share at ${prices.interAzGb} USD/GB each way`,
      `Regional NAT gateway: ${REGIONAL_NAT_PRICE.basis} (as of ${REGIONAL_NAT_PRICE.asOf}, an estimate)`,
    ],
    pricesAsOf: PRICES_AS_OF,
  };
}
