// The AWS service names `service:NAME` may use (the short names of com.amazonaws.REGION.NAME VPC
// endpoint services), and the closest known names for a typo. Pure. A full name
// (com.amazonaws.…, or an endpoint service's vpce-svc-…) is taken as given.
import { byText, editDistance } from "../order.js";
export const KNOWN_SERVICES: readonly string[] = [
  "access-analyzer", "acm-pca", "airflow.api", "airflow.env", "apigateway", "appconfig", "appconfigdata", "application-autoscaling",
  "appmesh-envoy-management", "apprunner", "appstream.api", "athena", "autoscaling", "backup", "batch", "bedrock", "bedrock-agent",
  "bedrock-agent-runtime", "bedrock-runtime", "cloudcontrolapi", "cloudformation", "cloudtrail", "codeartifact.api",
  "codeartifact.repositories", "codebuild", "codecommit", "codedeploy", "codepipeline", "cognito-idp", "comprehend", "config",
  "datasync", "dms", "dynamodb", "ebs", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "eks",
  "eks-auth", "elasticache", "elasticbeanstalk", "elasticfilesystem", "elasticloadbalancing", "elasticmapreduce", "email-smtp",
  "es", "events", "execute-api", "firehose", "glue", "guardduty-data", "iam", "imagebuilder", "inspector2", "kafka", "kendra",
  "kinesis-firehose", "kinesis-streams", "kms", "lakeformation", "lambda", "logs", "monitoring", "notebook", "organizations",
  "pipes", "qldb.session", "rds", "rds-data", "redshift", "redshift-data", "rekognition", "s3", "s3-outposts", "sagemaker.api",
  "sagemaker.runtime", "scheduler", "secretsmanager", "securityhub", "servicecatalog", "servicediscovery", "sns", "sqs", "ssm",
  "ssm-contacts", "ssm-incidents", "ssmmessages", "states", "storagegateway", "sts", "sync-states", "synthetics", "textract",
  "transcribe", "transfer", "transfer.server", "translate", "vpc-lattice", "xray",
];

const KNOWN = new Set(KNOWN_SERVICES);

/** Is NAME a service `service:NAME` can analyze without a snapshot to check it against? */
export function isKnownService(name: string): boolean {
  return KNOWN.has(name) || name.startsWith("com.amazonaws.") || name.includes("vpce-svc-");
}

/** Up to `n` known names closest to NAME (edit distance; a shared prefix breaks ties). */
export function closestServices(name: string, n = 3, extra: readonly string[] = []): string[] {
  const all = [...new Set([...KNOWN_SERVICES, ...extra])];
  return all
    .map((s) => ({ s, d: editDistance(name, s) - (s.startsWith(name.slice(0, 3)) ? 0.5 : 0) }))
    .sort((x, y) => x.d - y.d || byText(x.s, y.s))
    .slice(0, n)
    .map((x) => x.s);
}
