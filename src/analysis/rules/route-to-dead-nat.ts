// Routes to NAT gateways that failed or were deleted (AWS marks them `blackhole`): the subnets
// behind them silently lost their egress.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { manualFix, natUsable } from "./util.js";

export const routeToDeadNat: Rule = {
  id: "route-to-dead-nat",
  severity: "high",
  title: "Route to a failed or deleted NAT gateway (blackhole)",
  rationale: "When a NAT gateway fails or is deleted, routes to it stay in the table in state `blackhole` and drop every packet; the subnets using that table have no egress until the route is replaced.",
  help: "Point the route at a working NAT gateway (`egress-cli add-nat` replaces the default route of the plan's private route tables) or delete it.",
  equivalents: { steampipe: "aws_compliance.control.vpc_route_table_restrict_blackhole_routes" },
  needs: ["routeTables", "natGateways"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const { table } of ix.routeTables.values()) {
      for (const r of table.Routes) {
        if (!r.NatGatewayId) continue;
        const nat = ix.natGateways.get(r.NatGatewayId);
        const state = nat?.State ?? "deleted";
        if (r.State !== "blackhole" && (state === "available" || state === "pending")) continue;
        const dest = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? "?";
        const subnets = table.Associations.map((a) => a.SubnetId).filter((x): x is string => !!x);
        out.push({
          resourceId: `${table.RouteTableId}/${dest}`,
          resourceType: ComponentType.routeTable,
          vpcId: table.VpcId,
          message: `Route ${dest} → ${r.NatGatewayId} in ${table.RouteTableId} is a blackhole: the NAT gateway is ${nat ? state : "gone"}${subnets.length ? ` (subnets ${subnets.join(", ")})` : table.Associations.some((a) => a.Main) ? " (the main table)" : ""}.`,
          evidence: { blocking: { id: table.RouteTableId, type: ComponentType.routeTable, code: "BAD_STATE_ROUTE", detail: `${dest} → ${r.NatGatewayId} (${r.State ?? "?"}; NAT ${state})` }, facts: { routeTableId: table.RouteTableId, natGatewayId: r.NatGatewayId, natState: state, subnets } },
          fix: replacement(ix, table.VpcId, subnets, table.RouteTableId, r),
        });
      }
    }
    return out;
  },
};

/**
 * The route pointed at a working public NAT gateway of the same VPC (one in the AZ of the table's
 * subnets first). Without one, or for a prefix-list destination, the owner chooses: said so.
 */
function replacement(ix: Parameters<Rule["check"]>[0]["ix"], vpcId: string, subnets: string[], routeTableId: string, r: { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string; NatGatewayId?: string }): string {
  const azs = new Set(subnets.map((s) => ix.subnets.get(s)?.AvailabilityZone));
  const working = [...ix.natGateways.values()]
    .filter((n) => n.VpcId === vpcId && natUsable(n) && (n.ConnectivityType ?? "public") === "public" && n.NatGatewayId !== r.NatGatewayId)
    .sort((a, b) => Number(azs.has(ix.subnets.get(b.SubnetId ?? "")?.AvailabilityZone)) - Number(azs.has(ix.subnets.get(a.SubnetId ?? "")?.AvailabilityZone)) || (a.NatGatewayId < b.NatGatewayId ? -1 : 1));
  const dest = r.DestinationCidrBlock ? `--destination-cidr-block ${r.DestinationCidrBlock}` : r.DestinationIpv6CidrBlock ? `--destination-ipv6-cidr-block ${r.DestinationIpv6CidrBlock}` : undefined;
  if (working[0] && dest) return `aws ec2 replace-route --route-table-id ${routeTableId} ${dest} --nat-gateway-id ${working[0].NatGatewayId}`;
  return manualFix(`${vpcId} has no working NAT gateway to point the route at: add one (egress-cli add-nat, which also replaces the default route of the plan's private route tables), or delete the route if those subnets need no egress.`);
}
