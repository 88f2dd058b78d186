// A VPC Lambda placed in public subnets: Lambda's network interfaces never get a public IP, so the
// internet gateway route gives it no egress at all.
import { ComponentType } from "../analyzer.js";
import type { Rule } from "./types.js";
import { lambdaPlacementFix } from "./lambda-placement.js";
import { tierOf } from "./util.js";

export const lambdaPublicSubnet: Rule = {
  id: "lambda-public-subnet",
  severity: "high",
  title: "VPC Lambda function in a public subnet",
  rationale: "A Lambda function's hyperplane ENIs never receive a public IPv4 address, so in a subnet whose default route is an internet gateway the function cannot reach the internet (or AWS APIs without endpoints). It looks right — the subnet is 'public' — and fails with timeouts.",
  help: "Attach the function to private subnets that route through a NAT gateway: `egress-cli attach-lambda --function NAME` (after create-vpc/import + add-nat).",
  equivalents: {},
  needs: ["lambdaFunctions", "routeTables"],
  // a generator: each finding is taken (and its path result let go) before the next path is analyzed
  *check(ctx) {
    const { ix } = ctx;
    for (const fn of ix.snapshot.lambdaFunctions) {
      const cfg = fn.VpcConfig;
      if (!cfg?.SubnetIds.length) continue;
      const publicSubnets = cfg.SubnetIds.filter((id) => {
        const s = ix.subnets.get(id);
        return s && tierOf(ix, s) === "public";
      });
      if (!publicSubnets.length) continue;
      const vpcId = cfg.VpcId ?? ix.subnets.get(publicSubnets[0]!)?.VpcId;
      const src = `lambda:${fn.FunctionName}`;
      const v = ctx.egress(`lambda|${[...cfg.SubnetIds].sort().join(",")}|${[...cfg.SecurityGroupIds].sort().join(",")}`, src, "igw");
      const failing = v.result.paths?.find((p) => p.verdict === "unreachable") ?? v.result.paths?.find((p) => !p.reachable) ?? v.result;
      const e = failing.explanations[0];
      yield {
        resourceId: fn.FunctionArn ?? fn.FunctionName,
        resourceType: ComponentType.lambdaFunction,
        vpcId,
        message: `Lambda ${fn.FunctionName} runs in public subnet(s) ${publicSubnets.join(", ")}: its network interfaces get no public IP, so it has no internet access there.`,
        evidence: {
          path: { from: src, to: "igw", port: 443, reachable: v.reachable, verdict: v.verdict },
          hops: failing.hops.map((h) => ({ id: h.component.id, type: h.component.type, action: h.action })),
          ...(e ? { blocking: { id: e.component.id, type: e.component.type, code: e.code, detail: e.detail } } : {}),
          facts: { publicSubnets, securityGroups: cfg.SecurityGroupIds },
        },
        fix: lambdaPlacementFix(ix, vpcId, fn.FunctionName, cfg.SecurityGroupIds),
        pathResult: v.result,
        pathFrom: src,
      };
    }
  },
};
