// Cost: private subnets that reach S3/DynamoDB through a NAT gateway (0.045 USD/GB processed) where a
// gateway endpoint (free) on their route table would carry the same traffic.
import { ComponentType } from "../analyzer.js";
import { pricesFor } from "../cost.js";
import type { RawFinding, Rule } from "./types.js";
import { defaultRoute, endpointsOfVpc, serviceShortName, vpcPlanFix } from "./util.js";

export const costGatewayEndpoint: Rule = {
  id: "cost-gateway-endpoint",
  severity: "info",
  title: "S3/DynamoDB traffic through a NAT gateway where a free gateway endpoint would do",
  rationale: "Traffic to S3 and DynamoDB from private subnets goes through the NAT gateway and pays its per-GB processing charge. A gateway endpoint on the subnets' route tables carries it for free (and keeps it on the AWS network).",
  help: "`egress-cli add-endpoint s3 dynamodb` (gateway endpoints on the plan's private route tables).",
  equivalents: { prowler: "vpc_endpoint_for_s3_enabled" },
  needs: ["vpcEndpoints", "natGateways", "routeTables"],
  check({ ix, region }) {
    const out: RawFinding[] = [];
    const byVpc = new Map<string, { tables: Set<string>; subnets: string[] }>();
    for (const s of ix.subnets.values()) {
      const d = defaultRoute(ix, s);
      const nat = d?.route.NatGatewayId ? ix.natGateways.get(d.route.NatGatewayId) : undefined;
      if (!nat || nat.State !== "available") continue;
      const e = byVpc.get(s.VpcId) ?? { tables: new Set<string>(), subnets: [] };
      e.tables.add(d!.routeTableId);
      e.subnets.push(s.SubnetId);
      byVpc.set(s.VpcId, e);
    }
    const gb = pricesFor(region).prices.natGatewayGb;
    for (const [vpcId, v] of [...byVpc].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const missing: string[] = [];
      for (const svc of ["s3", "dynamodb"]) {
        const eps = endpointsOfVpc(ix, vpcId).filter((ep) => ep.VpcEndpointType === "Gateway" && serviceShortName(ep.ServiceName, region) === svc);
        const covered = [...v.tables].every((t) => eps.some((ep) => ep.RouteTableIds.includes(t)));
        if (!covered) missing.push(svc);
      }
      if (!missing.length) continue;
      out.push({
        resourceId: vpcId,
        resourceType: ComponentType.vpc,
        vpcId,
        message: `${vpcId}: ${v.subnets.length} private subnet(s) reach ${missing.join(" and ")} through a NAT gateway (${gb} USD per GB) with no gateway endpoint on route table(s) ${[...v.tables].sort().join(", ")}.`,
        evidence: { facts: { subnets: v.subnets.sort(), routeTables: [...v.tables].sort(), missing, natUsdPerGb: gb } },
        fix: vpcPlanFix(ix, vpcId, [`add-endpoint ${missing.join(" ")}`]),
      });
    }
    return out;
  },
};
