// Typed EC2 reads used by steps, commands and destroy, over the EC2 interface (src/aws/ec2-api.ts:
// every page through the SDK's paginators): "not found" turned into undefined, lookups by id.
import { defaultRouteOf, effectiveRouteTable as effectiveRouteTableOf, routeTableLookup, type RouteTableLookup } from "../net/routes.js";
import type { Address, Filter, InternetGateway, RouteTable, Subnet, Vpc, VpcEndpoint } from "@aws-sdk/client-ec2";
import { isNotFound } from "./errors.js";
import type { Ec2Api } from "./ec2-api.js";


export async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export const listVpcs = (ec2: Ec2Api, Filters?: Filter[], VpcIds?: string[]) => ec2.describeVpcs({ Filters, VpcIds, ...(VpcIds ? {} : { MaxResults: 1000 }) });
export const listSubnets = (ec2: Ec2Api, Filters?: Filter[], SubnetIds?: string[]) => ec2.describeSubnets({ Filters, SubnetIds, ...(SubnetIds ? {} : { MaxResults: 1000 }) });
export const listInternetGateways = (ec2: Ec2Api, Filters?: Filter[], InternetGatewayIds?: string[]) =>
  ec2.describeInternetGateways({ Filters, InternetGatewayIds, ...(InternetGatewayIds ? {} : { MaxResults: 1000 }) });
export const listRouteTables = (ec2: Ec2Api, Filters?: Filter[], RouteTableIds?: string[]) => ec2.describeRouteTables({ Filters, RouteTableIds, ...(RouteTableIds ? {} : { MaxResults: 100 }) });
export const listNatGateways = (ec2: Ec2Api, Filter?: Filter[], NatGatewayIds?: string[]) => ec2.describeNatGateways({ Filter, NatGatewayIds, ...(NatGatewayIds ? {} : { MaxResults: 1000 }) });
export const listSecurityGroups = (ec2: Ec2Api, Filters?: Filter[], GroupIds?: string[]) => ec2.describeSecurityGroups({ Filters, GroupIds, ...(GroupIds ? {} : { MaxResults: 1000 }) });
export const listVpcEndpoints = (ec2: Ec2Api, Filters?: Filter[], VpcEndpointIds?: string[]) => ec2.describeVpcEndpoints({ Filters, VpcEndpointIds });

export async function listAddresses(ec2: Ec2Api, Filters?: Filter[], AllocationIds?: string[]): Promise<Address[]> {
  const r = await ec2.describeAddresses({ Filters, AllocationIds });
  return r.Addresses ?? [];
}

export async function availabilityZones(ec2: Ec2Api): Promise<string[]> {
  const r = await ec2.describeAvailabilityZones({ Filters: [{ Name: "zone-type", Values: ["availability-zone"] }, { Name: "state", Values: ["available"] }] });
  return (r.AvailabilityZones ?? []).map((z) => z.ZoneName!).filter(Boolean).sort();
}


export const getVpc = async (ec2: Ec2Api, id: string) => (await orUndefined(listVpcs(ec2, undefined, [id])))?.[0];
export const getSubnet = async (ec2: Ec2Api, id: string) => (await orUndefined(listSubnets(ec2, undefined, [id])))?.[0];
export const getInternetGateway = async (ec2: Ec2Api, id: string) => (await orUndefined(listInternetGateways(ec2, undefined, [id])))?.[0];
export const getRouteTable = async (ec2: Ec2Api, id: string) => (await orUndefined(listRouteTables(ec2, undefined, [id])))?.[0];
export const getNatGateway = async (ec2: Ec2Api, id: string) => (await orUndefined(listNatGateways(ec2, undefined, [id])))?.[0];
export const getAddress = async (ec2: Ec2Api, allocationId: string) => (await orUndefined(listAddresses(ec2, undefined, [allocationId])))?.[0];

/** The tags of an EC2 resource named by id: undefined when it does not exist, null when there is no lookup here for its kind. */
export async function tagsOfId(ec2: Ec2Api, id: string): Promise<{ Key?: string; Value?: string }[] | undefined | null> {
  const prefix = id.split("-")[0];
  const one = async <T extends { Tags?: { Key?: string; Value?: string }[] }>(p: Promise<T[]>) => {
    const found = (await orUndefined(p))?.[0];
    return found ? (found.Tags ?? []) : undefined;
  };
  switch (prefix) {
    case "vpc":
      return one(listVpcs(ec2, undefined, [id]));
    case "subnet":
      return one(listSubnets(ec2, undefined, [id]));
    case "rtb":
      return one(listRouteTables(ec2, undefined, [id]));
    case "igw":
      return one(listInternetGateways(ec2, undefined, [id]));
    case "sg":
      return one(listSecurityGroups(ec2, undefined, [id]));
    case "nat":
      return one(listNatGateways(ec2, undefined, [id]));
    default:
      return null;
  }
}

/** An endpoint's state in lower case ("pendingacceptance", "available", …; "" when unknown). */
export function endpointState(e: Pick<VpcEndpoint, "State"> | undefined): string {
  return String(e?.State ?? "").toLowerCase();
}

/** Is the endpoint there and usable or on its way (pending, pendingAcceptance, available)? */
export function isLiveEndpoint(e: Pick<VpcEndpoint, "State"> | undefined): boolean {
  return Boolean(e) && ["pending", "pendingacceptance", "available"].includes(endpointState(e));
}

/** Is the endpoint going or gone (deleting, deleted)? A failed or rejected one still has to be deleted. */
export function isGoneEndpoint(e: Pick<VpcEndpoint, "State"> | undefined): boolean {
  return !e || ["deleting", "deleted"].includes(endpointState(e));
}

/** Is the internet gateway attached to this VPC? (EC2 reports an attached IGW as "available".) */
export function isAttachedTo(igw: InternetGateway, vpcId: string): boolean {
  return Boolean(igw.Attachments?.some((a) => a.VpcId === vpcId && ((a.State as string) === "available" || a.State === "attached")));
}

/** The route table that decides a subnet's routes (the one rule: src/net/routes.ts). */
export function effectiveRouteTable(subnet: Subnet, tables: RouteTable[] | RouteTableLookup<RouteTable>): RouteTable | undefined {
  return effectiveRouteTableOf(subnet, Array.isArray(tables) ? routeTableLookup(tables) : tables)?.table;
}

/** Default route (0.0.0.0/0) of a table, if any. */
export function defaultRoute(table: RouteTable | undefined) {
  return defaultRouteOf(table?.Routes);
}

/**
 * A new plan's name must not be one a VPC of this region already carries (another plan file,
 * another person): names are what people read in the console and in `status`.
 */
export async function assertPlanNameFree(ec2: Ec2Api, name: string, region: string, vpcs?: Vpc[]): Promise<void> {
  const { TAG_PLAN } = await import("./tags.js");
  const all = vpcs ?? (await listVpcs(ec2, [{ Name: `tag:${TAG_PLAN}`, Values: [name] }]));
  const taken = all.find((v) => v.Tags?.some((t) => t.Key === TAG_PLAN && t.Value === name));
  if (taken) {
    const { UsageError } = await import("../errors.js");
    throw new UsageError(`A plan named "${name}" already exists in ${region}: ${taken.VpcId} carries ${TAG_PLAN}=${name}.`, "Choose another --name, or point --plan at that plan's file.");
  }
}
