// Pure monthly cost estimate for what egress-cli provisions: NAT gateways (hour + GB processed),
// public IPv4 addresses (Elastic IPs included), interface VPC endpoints (AZ-hour + GB), and the S2
// proxy: its instances (hours by type), Resource VPC endpoints (AZ-hour) and the resource gateway.
// Prices are a dated table, not live: the estimate says when they were taken and what it leaves out.

import { UsageError } from "../errors.js";
import { byText } from "../order.js";

/** When the table below was last checked against AWS's public pricing pages. */
export const PRICES_AS_OF = "2026-11-01";

export const PRICE_SOURCES = [
  "AWS public pricing pages: https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4)",
  "https://aws.amazon.com/privatelink/pricing/ (interface and resource endpoints)",
  "https://aws.amazon.com/ec2/pricing/on-demand/ (instances, Linux, us-east-1)",
] as const;

/**
 * On-demand Linux price per hour in us-east-1 of the instance types a proxy is likely to use. Other
 * regions are priced with these (the estimate says so); a type not listed is left out and named.
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
  interfaceEndpointAzHour: number;
  /** First-PB tier; volumes above 1 PB/month are cheaper, not modelled. */
  interfaceEndpointGb: number;
  /** A VPC endpoint of type Resource, per AZ it is placed in (PrivateLink pricing, like an interface endpoint). */
  resourceEndpointAzHour: number;
  /**
   * "published": confirmed against AWS's pages or the project's scenario facts.
   * "estimate": from secondary sources / regional pattern; the estimate says so.
   */
  confidence: "published" | "estimate";
}

export const DEFAULT_PRICE_REGION = "us-east-1";

export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": { natGatewayHour: 0.045, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.01, confidence: "published" },
  "us-east-2": { natGatewayHour: 0.045, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.01, confidence: "published" },
  "us-west-2": { natGatewayHour: 0.045, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.01, confidence: "estimate" },
  "eu-west-1": { natGatewayHour: 0.048, natGatewayGb: 0.048, interfaceEndpointAzHour: 0.011, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.011, confidence: "estimate" },
  "eu-central-1": { natGatewayHour: 0.052, natGatewayGb: 0.052, interfaceEndpointAzHour: 0.012, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.012, confidence: "estimate" },
  "ap-southeast-1": { natGatewayHour: 0.059, natGatewayGb: 0.059, interfaceEndpointAzHour: 0.013, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.013, confidence: "estimate" },
  "ap-northeast-2": { natGatewayHour: 0.059, natGatewayGb: 0.059, interfaceEndpointAzHour: 0.013, interfaceEndpointGb: 0.01, resourceEndpointAzHour: 0.013, confidence: "estimate" },
};

export interface CostInput {
  region: string;
  natGateways: number;
  /** Public IPv4 addresses, including each NAT gateway's Elastic IP. */
  publicIpv4Addresses: number;
  /** Sum over interface endpoints of the AZs each is placed in. */
  interfaceEndpointAzs?: number;
  /** GB per month processed by the NAT gateways. Omitted: data processing is not estimated. */
  gbProcessed?: number;
  /** GB per month processed by interface endpoints. */
  endpointGbProcessed?: number;
  /** Running instances by type (the egress proxies). */
  instances?: Record<string, number>;
  /** Sum over Resource VPC endpoints of the AZs each is placed in. */
  resourceEndpointAzs?: number;
  /** VPC Lattice resource gateways (no hourly charge of their own; named in the assumptions). */
  resourceGateways?: number;
}

export interface CostLine {
  item: string;
  quantity: number;
  unit: "hour" | "GB";
  unitPrice: number;
  monthly: number;
}

export interface CostEstimate {
  lines: CostLine[];
  totalMonthly: number;
  currency: "USD";
  hoursPerMonth: typeof HOURS_PER_MONTH;
  assumptions: string[];
  pricesAsOf: string;
  /** Region whose prices were used (us-east-1 when the requested one is not in the table). */
  priceRegion: string;
}

// Sub-cent precision so sums of lines equal the total; renderers round to cents.
function money(x: number): number {
  return Math.round(x * 1e6) / 1e6;
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

export function estimateMonthlyCost(input: CostInput): CostEstimate {
  const natGateways = count("natGateways", input.natGateways, true);
  const ips = count("publicIpv4Addresses", input.publicIpv4Addresses, true);
  const endpointAzs = count("interfaceEndpointAzs", input.interfaceEndpointAzs, true);
  const natGb = count("gbProcessed", input.gbProcessed, false);
  const endpointGb = count("endpointGbProcessed", input.endpointGbProcessed, false);
  const { prices, priceRegion, known } = pricesFor(input.region);

  const assumptions: string[] = [
    `${HOURS_PER_MONTH} hours per month, resources running all month`,
    `Prices in USD as of ${PRICES_AS_OF}, from ${PRICE_SOURCES.join("; ")}; check them before committing to a design`,
  ];
  if (!known) {
    assumptions.push(`No prices on file for region "${input.region}": us-east-1 prices used; the real figure is likely higher`);
  } else if (prices.confidence === "estimate") {
    assumptions.push(`Prices for ${priceRegion} are estimates from secondary sources, not confirmed against AWS's page`);
  }

  const lines: CostLine[] = [];
  const add = (item: string, quantity: number, unit: CostLine["unit"], unitPrice: number): void => {
    if (quantity > 0) lines.push({ item, quantity, unit, unitPrice, monthly: money(quantity * unitPrice) });
  };
  add(`NAT gateway (${natGateways} x ${HOURS_PER_MONTH} h)`, natGateways * HOURS_PER_MONTH, "hour", prices.natGatewayHour);
  if (natGateways > 0) {
    if (input.gbProcessed === undefined) {
      assumptions.push(`NAT data processing not included: pass the expected GB/month (${prices.natGatewayGb} USD per GB)`);
    } else {
      add("NAT gateway data processed", natGb, "GB", prices.natGatewayGb);
    }
  }
  add(`Public IPv4 address (${ips} x ${HOURS_PER_MONTH} h)`, ips * HOURS_PER_MONTH, "hour", PUBLIC_IPV4_PER_HOUR);
  add(`Interface VPC endpoint (${endpointAzs} AZ x ${HOURS_PER_MONTH} h)`, endpointAzs * HOURS_PER_MONTH, "hour", prices.interfaceEndpointAzHour);
  add("Interface VPC endpoint data processed", endpointGb, "GB", prices.interfaceEndpointGb);
  const unpriced: string[] = [];
  for (const [type, n] of Object.entries(input.instances ?? {}).sort(([a], [b]) => byText(a, b))) {
    const k = count(`instances[${type}]`, n, true);
    const price = INSTANCE_HOUR_US_EAST_1[type];
    if (price === undefined) unpriced.push(type);
    else add(`EC2 instance ${type} (${k} x ${HOURS_PER_MONTH} h)`, k * HOURS_PER_MONTH, "hour", price);
  }
  if (Object.keys(input.instances ?? {}).length) {
    if (priceRegion !== "us-east-1" || !known) assumptions.push(`EC2 instance hours priced at us-east-1's on-demand Linux rates; ${input.region}'s are usually a little higher`);
    if (unpriced.length) assumptions.push(`No price on file for instance type(s) ${unpriced.join(", ")}: not included`);
    assumptions.push("EC2: the instances' EBS root volumes (8 GB gp3 each) and data transfer are not included");
  }
  const resourceAzs = count("resourceEndpointAzs", input.resourceEndpointAzs, true);
  add(`Resource VPC endpoint (${resourceAzs} AZ x ${HOURS_PER_MONTH} h)`, resourceAzs * HOURS_PER_MONTH, "hour", prices.resourceEndpointAzHour);
  if (resourceAzs > 0 || count("resourceGateways", input.resourceGateways, true) > 0) {
    assumptions.push("VPC Lattice resource gateway: no hourly charge of its own; data processed through Resource endpoints (0.01 USD per GB, first PB) not included");
  }
  assumptions.push(
    "Not included: data transfer out to the internet, cross-AZ transfer, Lambda/EC2 compute; gateway endpoints (S3, DynamoDB) are free",
  );

  return {
    lines,
    totalMonthly: money(lines.reduce((sum, l) => sum + l.monthly, 0)),
    currency: "USD",
    hoursPerMonth: HOURS_PER_MONTH,
    assumptions,
    pricesAsOf: PRICES_AS_OF,
    priceRegion,
  };
}

// ---------------------------------------------------------------------------------------------
// The account's egress bill from a snapshot (the `cost` command and the audit's cost rules use this
// and the table above; `status` uses estimateMonthlyCost for its plan — one price table).

/** Transit Gateway VPC attachment, per hour (us-east-1; the shared-egress comparison's connection cost). */
export const TRANSIT_GATEWAY_ATTACHMENT_PER_HOUR = 0.05;

export interface BillInput {
  region: string;
  vpcs: { vpcId: string; natGateways: number; publicIpv4Addresses: number; interfaceEndpointAzs: number }[];
  /** Public IPv4 addresses associated with nothing in a VPC (idle Elastic IPs). */
  idlePublicIpv4: number;
}

export interface VpcBill {
  vpcId: string;
  estimate: CostEstimate;
}

export interface EgressBill {
  region: string;
  vpcs: VpcBill[];
  idleAddresses: CostEstimate;
  totalMonthly: number;
  currency: "USD";
  pricesAsOf: string;
}

export function egressBill(input: BillInput): EgressBill {
  const vpcs = input.vpcs.map((v) => ({ vpcId: v.vpcId, estimate: estimateMonthlyCost({ region: input.region, natGateways: v.natGateways, publicIpv4Addresses: v.publicIpv4Addresses, interfaceEndpointAzs: v.interfaceEndpointAzs }) }));
  const idleAddresses = estimateMonthlyCost({ region: input.region, natGateways: 0, publicIpv4Addresses: input.idlePublicIpv4 });
  return {
    region: input.region,
    vpcs,
    idleAddresses,
    totalMonthly: money(vpcs.reduce((s, v) => s + v.estimate.totalMonthly, 0) + idleAddresses.totalMonthly),
    currency: "USD",
    pricesAsOf: PRICES_AS_OF,
  };
}

/** Monthly price of one NAT gateway's hours in a region. */
export function natGatewayMonthly(region: string): number {
  return money(pricesFor(region).prices.natGatewayHour * HOURS_PER_MONTH);
}

/**
 * S2's reason to exist: what one NAT gateway per consumer VPC would cost (its hours and its Elastic IP)
 * against the shared proxy (its instances and the consumers' Resource endpoints), per month.
 */
export function proxySaving(region: string, o: { consumerVpcs: number; proxy: CostEstimate }): { consumerVpcs: number; natPerVpcMonthly: number; natAlternativeMonthly: number; proxyMonthly: number; savingMonthly: number } {
  const consumerVpcs = count("consumerVpcs", o.consumerVpcs, true);
  const natPerVpcMonthly = money(natGatewayMonthly(region) + PUBLIC_IPV4_PER_HOUR * HOURS_PER_MONTH);
  const natAlternativeMonthly = money(consumerVpcs * natPerVpcMonthly);
  const proxyMonthly = o.proxy.totalMonthly;
  return { consumerVpcs, natPerVpcMonthly, natAlternativeMonthly, proxyMonthly, savingMonthly: money(natAlternativeMonthly - proxyMonthly) };
}
