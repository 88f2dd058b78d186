// Shared by the Lambda placement rules (lambda-public-subnet, lambda-single-az, lambda-no-egress):
// the fix that moves a function to private subnets with egress in at least two AZs — or, when the
// VPC has no such subnets, what to do instead (attaching to one AZ's private subnet would trade one
// finding for lambda-single-az, whose fix would be the same command). Pure.
import type { SnapshotIndex } from "../snapshot-index.js";
import { defaultRoute, manualFix, natUsable, planNameOf, planPrivateSubnets, privateAzs, tierOf, vpcPlanFix } from "./util.js";

export function lambdaPlacementFix(ix: SnapshotIndex, vpcId: string | undefined, functionName: string, securityGroupIds: string[] = []): string {
  if (!vpcId) return manualFix(`attach ${functionName} to private subnets in two AZs.`);
  const azs = privateAzs(ix, vpcId);
  if (azs.length < 2) {
    const name = planNameOf(ix, vpcId) === vpcId ? functionName : `${functionName}-vpc`;
    return manualFix(
      `${vpcId} has ${azs.length ? `private subnets only in ${azs.join(", ")}` : "no private subnets"}: attached to private subnets, ${functionName} would need them in two AZs. Create private subnets in two AZs of ${vpcId}, or move the function to a VPC built for it: egress-cli --plan egress-plan-${name}.json create-vpc --name ${name} && egress-cli --plan egress-plan-${name}.json add-nat --mode single && egress-cli --plan egress-plan-${name}.json attach-lambda --function ${functionName} (check first that it needs nothing else in ${vpcId}).`,
    );
  }
  // attach-lambda --subnets private takes every private subnet of the plan: each needs a route out.
  const priv = planPrivateSubnets(ix, vpcId);
  const routed = priv.every((s) => natUsable(ix.natGateways.get(defaultRoute(ix, s)?.route.NatGatewayId ?? "")));
  const hasPublic = [...ix.subnets.values()].some((s) => s.VpcId === vpcId && tierOf(ix, s) === "public");
  if (!routed && !hasPublic) return manualFix(`${vpcId}'s private subnets have no NAT route and it has no public subnet for a NAT gateway: add interface endpoints for the services ${functionName} calls (egress-cli add-endpoint SERVICE… --allow-from lambda:${functionName}), then attach it to private subnets in two AZs.`);
  // A function an egress-cli plan attached (its group carries the plan's tag) is detached first:
  // attach-lambda refuses to move an attachment it recorded.
  const byPlan = securityGroupIds.some((g) => ix.securityGroups.get(g)?.group.Tags?.some((t) => t.Key === "egress-cli:plan"));
  return vpcPlanFix(ix, vpcId, [...(routed ? [] : ["add-nat --mode single"]), ...(byPlan ? [`detach-lambda --function ${functionName}`] : []), `attach-lambda --function ${functionName} --subnets private`]);
}
