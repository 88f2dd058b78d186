// A VPC Lambda whose subnets are all in one AZ: an AZ outage stops it.
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { lambdaPlacementFix } from "./lambda-placement.js";

export const lambdaSingleAz: Rule = {
  id: "lambda-single-az",
  severity: "medium",
  title: "VPC Lambda function in a single Availability Zone",
  rationale: "Lambda runs a VPC function only in the AZs of its subnets. With one AZ, an AZ impairment stops the function, although Lambda itself is multi-AZ.",
  help: "Give the function subnets in at least two AZs: `egress-cli attach-lambda --function NAME --subnets private` (the plan's private subnet in every AZ).",
  equivalents: { prowler: "awslambda_function_vpc_multi_az", steampipe: "aws_compliance.control.lambda_function_multiple_az_configured" },
  needs: ["lambdaFunctions"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const fn of ix.snapshot.lambdaFunctions) {
      const cfg = fn.VpcConfig;
      if (!cfg?.SubnetIds.length) continue;
      const azs = [...new Set(cfg.SubnetIds.map((id) => ix.subnets.get(id)?.AvailabilityZone).filter((x): x is string => !!x))];
      if (azs.length !== 1) continue;
      out.push({
        resourceId: fn.FunctionArn ?? fn.FunctionName,
        resourceType: ComponentType.lambdaFunction,
        vpcId: cfg.VpcId ?? ix.subnets.get(cfg.SubnetIds[0]!)?.VpcId,
        message: `Lambda ${fn.FunctionName} runs only in ${azs[0]} (subnets ${cfg.SubnetIds.join(", ")}).`,
        evidence: { facts: { availabilityZones: azs, subnets: cfg.SubnetIds } },
        fix: lambdaPlacementFix(ix, cfg.VpcId ?? ix.subnets.get(cfg.SubnetIds[0]!)?.VpcId, fn.FunctionName, cfg.SecurityGroupIds),
      });
    }
    return out;
  },
};
