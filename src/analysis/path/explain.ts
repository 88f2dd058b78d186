// Saying why (S5): a private address with no NAT gateway on its way out.
import { hostText, type Ctx, type Sender, type Target } from "./internal.js";
import { ComponentType } from "./model.js";

/**
 * The internet is out of reach because the sender has no public IPv4 and its path meets no NAT
 * gateway: whether the table lacks the route or sends it straight to the internet gateway, the IGW
 * would have no public address to translate the source to, so replies could never come back. Adds
 * that to the explanation and returns the fix (a NAT gateway, outbound only) as a hint.
 */
export function explainNoEgress(ctx: Ctx, sender: Sender, target: Target): string | undefined {
  const e = ctx.explanations[0];
  if (!e || target.family !== 4 || (target.kind !== "igw" && target.kind !== "internet") || sender.publicIp || sender.natGatewayId) return undefined;
  if (ctx.hops.some((h) => h.component.type === ComponentType.natGateway || h.component.type === ComponentType.transitGateway || h.component.type === ComponentType.transitGatewayAttachment)) return undefined;
  const vpcId = sender.subnet.VpcId;
  const ownTable = e.code === "NO_ROUTE_TO_DESTINATION" && e.component.type === ComponentType.routeTable && ctx.ix.routeTables.get(e.component.id)?.table.VpcId === vpcId;
  if (!ownTable && e.code !== "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS") return undefined;
  if (ownTable) {
    e.detail += ` — and ${sender.label} has no public IPv4 address and no NAT gateway on its way out, so even a route to an internet gateway would fail: the internet gateway has no public address to translate ${sender.addr4 ? hostText(sender.addr4) : "it"} to, and replies could never come back`;
  }
  return `give ${sender.subnet.SubnetId} a NAT gateway (outbound only; an Elastic IP would also expose ${sender.label} to inbound traffic): egress-cli import --vpc ${vpcId} --name NAME, then egress-cli add-nat --mode single (if a plan already holds ${vpcId}: egress-cli add-nat)`;
}
