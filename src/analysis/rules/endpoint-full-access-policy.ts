// Interface/gateway endpoints with the default full-access policy, only for services that support
// endpoint policies (Prowler flags every endpoint, including services where no policy can be set).
import { ComponentType } from "../analyzer.js";
import type { RawFinding, Rule } from "./types.js";
import { endpointLive, manualFix, serviceShortName } from "./util.js";

/** Services whose VPC endpoints accept a custom policy (AWS PrivateLink "AWS services that integrate" table, the common ones). */
export const POLICY_SERVICES = new Set([
  "s3", "dynamodb", "sts", "secretsmanager", "kms", "ssm", "ssmmessages", "ec2messages", "lambda", "logs", "ecr.api", "ecr.dkr",
  "sqs", "sns", "kinesis-streams", "kinesis-firehose", "events", "states", "execute-api", "monitoring", "ec2", "elasticloadbalancing",
  "autoscaling", "cloudformation", "codebuild", "codecommit", "athena", "glue", "sagemaker.api", "sagemaker.runtime", "rds", "ecs",
  "elasticfilesystem", "backup", "servicecatalog", "cloudtrail", "airflow.api", "appconfig", "kafka",
]);

function fullAccess(doc: string | undefined): boolean {
  if (doc === undefined) return true; // no policy document = the default full-access policy
  let p: { Statement?: unknown };
  try {
    p = JSON.parse(doc);
  } catch {
    return false;
  }
  const list = (x: unknown) => (Array.isArray(x) ? x : x === undefined ? [] : [x]);
  return list(p.Statement).some((s: any) => {
    if (s?.Effect !== "Allow" || s.Condition) return false;
    const principal = s.Principal === "*" || list(s.Principal?.AWS).includes("*");
    return principal && list(s.Action).includes("*") && list(s.Resource).includes("*");
  });
}

export const endpointFullAccessPolicy: Rule = {
  id: "endpoint-full-access-policy",
  severity: "low",
  title: "VPC endpoint with a full-access policy",
  rationale: "The default endpoint policy allows any principal any action on any resource of the service, so the endpoint does not limit what leaves the VPC through it (data exfiltration to another account's bucket or secret). Only reported for services that support endpoint policies.",
  help: "Use a least-privilege policy: `egress-cli add-endpoint SERVICE --policy least-privilege|FILE` (templates for secretsmanager and the msk-esm preset).",
  equivalents: { prowler: "vpc_endpoint_connections_trust_boundaries" },
  needs: ["vpcEndpoints"],
  check({ ix, region, accountId }) {
    const out: RawFinding[] = [];
    for (const ep of ix.vpcEndpoints.values()) {
      const type = (ep.VpcEndpointType ?? "Interface").toLowerCase();
      if ((type !== "interface" && type !== "gateway") || !endpointLive(ep)) continue;
      const svc = serviceShortName(ep.ServiceName, region);
      if (!POLICY_SERVICES.has(svc) || !fullAccess(ep.PolicyDocument)) continue;
      out.push({
        resourceId: ep.VpcEndpointId,
        resourceType: ComponentType.vpcEndpoint,
        vpcId: ep.VpcId,
        message: `${ep.VpcEndpointId} (${svc}) allows every principal every action on every resource.`,
        evidence: { facts: { serviceName: ep.ServiceName ?? "", policy: ep.PolicyDocument ? "full access" : "default (full access)" } },
        fix: accountBoundaryFix(ep.VpcEndpointId, svc, accountId),
      });
    }
    return out;
  },
};

/**
 * The account's trust boundary: every action, but only for principals of this account (what
 * Prowler's check asks). Not for S3: anonymous reads through the gateway endpoint (OS package
 * repositories on S3) have no principal account and would be refused — the owner names the buckets.
 */
function accountBoundaryFix(endpointId: string, service: string, accountId: string): string {
  if (service === "s3" || !/^\d{12}$/.test(accountId)) {
    return manualFix(`write a policy naming what ${endpointId} (${service}) may reach — for S3 the buckets, including the package repositories your instances read anonymously — and set it: aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpointId} --policy-document file://policy.json`);
  }
  const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": accountId } } }] };
  return `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${endpointId} --policy-document '${JSON.stringify(policy)}'`;
}
