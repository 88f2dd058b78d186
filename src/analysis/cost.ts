// Pure monthly cost estimate for what egress-cli provisions: NAT gateways (hour + GB processed),
// public IPv4 addresses (Elastic IPs included) and interface VPC endpoints (AZ-hour + GB).
// Prices are a dated table, not live: the estimate says when they were taken and what it leaves out.

import { UsageError } from "../errors.js";

/** When the table below was last checked against AWS's public pricing pages. */
export const PRICES_AS_OF = "2026-11-01";

export const PRICE_SOURCES = [
  "AWS public pricing pages: https://aws.amazon.com/vpc/pricing/ (NAT gateway, public IPv4)",
  "https://aws.amazon.com/privatelink/pricing/ (interface endpoints)",
] as const;

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
  /**
   * "published": confirmed against AWS's pages or the project's scenario facts.
   * "estimate": from secondary sources / regional pattern; the estimate says so.
   */
  confidence: "published" | "estimate";
}

export const DEFAULT_PRICE_REGION = "us-east-1";

export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": { natGatewayHour: 0.045, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, confidence: "published" },
  "us-east-2": { natGatewayHour: 0.045, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, confidence: "published" },
  "us-west-2": { natGatewayHour: 0.045, natGatewayGb: 0.045, interfaceEndpointAzHour: 0.01, interfaceEndpointGb: 0.01, confidence: "estimate" },
  "eu-west-1": { natGatewayHour: 0.048, natGatewayGb: 0.048, interfaceEndpointAzHour: 0.011, interfaceEndpointGb: 0.01, confidence: "estimate" },
  "eu-central-1": { natGatewayHour: 0.052, natGatewayGb: 0.052, interfaceEndpointAzHour: 0.012, interfaceEndpointGb: 0.01, confidence: "estimate" },
  "ap-southeast-1": { natGatewayHour: 0.059, natGatewayGb: 0.059, interfaceEndpointAzHour: 0.013, interfaceEndpointGb: 0.01, confidence: "estimate" },
  "ap-northeast-2": { natGatewayHour: 0.059, natGatewayGb: 0.059, interfaceEndpointAzHour: 0.013, interfaceEndpointGb: 0.01, confidence: "estimate" },
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
