// A VPC Lambda (in private subnets) with no route to the internet and no interface endpoint in its
// VPC: every AWS SDK call it makes times out. Public-subnet placement is lambda-public-subnet's finding.
import { ComponentType } from "../analyzer.js";
import { pathEvidence, unknownEgress, type Rule } from "./types.js";
import { addNatFix, endpointsOfVpc, interfaceEndpoints, manualFix, tierOf } from "./util.js";

export const lambdaNoEgress: Rule = {
  id: "lambda-no-egress",
  severity: "high",
  title: "VPC Lambda function with no egress and no VPC endpoints",
  rationale: "In a VPC, a function reaches AWS services and the internet only through a NAT route or VPC endpoints. With neither, every call outside the VPC (Secrets Manager, STS, S3, a vendor API) hangs until the function times out (S3 in the scenarios).",
  help: "Add a NAT gateway (`egress-cli add-nat`) or interface endpoints for the services the function calls (`egress-cli add-endpoint secretsmanager sts --allow-from lambda:NAME`).",
  equivalents: {},
  needs: ["lambdaFunctions", "routeTables"],
  // a generator: each finding is taken (and its path result let go) before the next path is analyzed
  *check(ctx) {
    const { ix } = ctx;
    for (const fn of ix.snapshot.lambdaFunctions) {
      const cfg = fn.VpcConfig;
      if (!cfg?.SubnetIds.length) continue;
      const subnets = cfg.SubnetIds.map((id) => ix.subnets.get(id)).filter((s) => !!s);
      if (!subnets.length || subnets.some((s) => tierOf(ix, s) === "public")) continue;
      const vpcId = cfg.VpcId ?? subnets[0]!.VpcId;
      const src = `lambda:${fn.FunctionName}`;
      const v = ctx.egress(`lambda|${[...cfg.SubnetIds].sort().join(",")}|${[...cfg.SecurityGroupIds].sort().join(",")}`, src, "igw");
      if (v.reachable) continue;
      const endpoints = [...interfaceEndpoints(ix, vpcId, ctx.region).keys()].sort();
      const gatewayEndpoints = endpointsOfVpc(ix, vpcId).filter((e) => e.VpcEndpointType === "Gateway").length;
      if (endpoints.length || gatewayEndpoints) continue; // reaches what its endpoints serve; we cannot know what else it calls
      if (v.verdict === "unknown") {
        yield unknownEgress(v, { resourceId: fn.FunctionArn ?? fn.FunctionName, resourceType: ComponentType.lambdaFunction, vpcId, label: `Lambda ${fn.FunctionName}`, from: src, to: "igw", facts: { subnets: cfg.SubnetIds, securityGroups: cfg.SecurityGroupIds } });
        continue;
      }
      const nat = addNatFix(ix, vpcId, subnets);
      yield {
        resourceId: fn.FunctionArn ?? fn.FunctionName,
        resourceType: ComponentType.lambdaFunction,
        vpcId,
        message: `Lambda ${fn.FunctionName} has no path to the internet from ${v.result.paths?.filter((p) => p.verdict === "unreachable").map((p) => p.source.id).join(", ") || cfg.SubnetIds.join(", ")} and its VPC has no endpoints: calls to AWS APIs and the internet time out.`,
        evidence: pathEvidence(v.result, src, "igw", 443, { subnets: cfg.SubnetIds, securityGroups: cfg.SecurityGroupIds }),
        fix: nat
          ? `${nat}   # or VPC endpoints: egress-cli add-endpoint SERVICE… --allow-from lambda:${fn.FunctionName}`
          : manualFix(`give ${fn.FunctionName}'s subnets a route out (a NAT gateway in a public subnet of ${vpcId}) or interface endpoints for the services it calls: egress-cli add-endpoint SERVICE… --allow-from lambda:${fn.FunctionName}.`),
        pathResult: v.result,
        pathFrom: src,
      };
    }
  },
};
