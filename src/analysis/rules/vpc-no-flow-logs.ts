// VPCs without an active flow log: nothing records what left the VPC.
import { ComponentType } from "../analyzer.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";
import { manualFix } from "./util.js";

export const vpcNoFlowLogs: Rule = {
  id: "vpc-no-flow-logs",
  severity: "low",
  title: "VPC without flow logs",
  rationale: "Without a flow log there is no record of which addresses the workloads talked to — the first question after an incident or an unexpected NAT bill.",
  help: "`aws ec2 create-flow-logs --resource-type VPC --resource-ids vpc-… --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::BUCKET`.",
  equivalents: { prowler: "vpc_flow_logs_enabled", steampipe: "aws_compliance.control.vpc_flow_logs_enabled", checkov: "CKV2_AWS_11" },
  needs: ["flowLogs"],
  check({ ix }) {
    const out: RawFinding[] = [];
    const logged = new Set(ix.snapshot.flowLogs.filter((f) => (f.FlowLogStatus ?? "ACTIVE") === "ACTIVE").map((f) => f.ResourceId));
    for (const vpc of ix.vpcs.values()) {
      if (logged.has(vpc.VpcId)) continue;
      out.push({
        resourceId: vpc.VpcId,
        resourceType: ComponentType.vpc,
        vpcId: vpc.VpcId,
        message: `${vpc.VpcId}${nameTag(vpc.Tags) ? ` (${nameTag(vpc.Tags)})` : ""} has no active flow log.`,
        evidence: {},
        // Where the records go (a bucket, a log group and its delivery role) is the owner's choice.
        fix: manualFix(`choose where the records go, then: aws ec2 create-flow-logs --resource-type VPC --resource-ids ${vpc.VpcId} --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::YOUR-BUCKET`),
      });
    }
    return out;
  },
};
