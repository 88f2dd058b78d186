// Every emulated operation, registered once per service+operation (a second registration throws).
import { registerService } from "./registry.js";
import { networkOps } from "./ec2-network.js";
import { egressOps } from "./ec2-egress.js";
import { stsOps } from "./sts.js";
import { iamOps } from "./iam.js";
import { lambdaOps } from "./lambda.js";
import { endpointOps } from "./ec2-endpoints.js";
import { insightsOps } from "./insights.js";
import { transitOps } from "./ec2-transit.js";
import { peeringOps } from "./ec2-peering.js";
import { bpaOps } from "./ec2-bpa.js";
import { ipv6Ops } from "./ec2-ipv6.js";
import { latticeOps } from "./lattice.js";
import { latticeTagOps } from "./lattice-tags.js";
import { iamRoleOps } from "./iam-roles.js";
import { instanceOps } from "./ec2-instances.js";
import { instanceProfileOps } from "./iam-profiles.js";
import { ssmOps } from "./ssm.js";
import { ramOps } from "./ram.js";

registerService("ec2", networkOps);
registerService("ec2", egressOps);
registerService("sts", stsOps);
// Lambda, IAM and VPC endpoints (attach-lambda, add-endpoint).
registerService("ec2", endpointOps);
registerService("iam", iamOps);
registerService("lambda", lambdaOps);
// Reachability Analyzer and the read-only operations for imported-only resource types (analyze-path, snapshot).
registerService("ec2", insightsOps);
registerService("ec2", transitOps);
registerService("ec2", peeringOps);
// VPC Block Public Access (options and exclusions), enforced by the emulated Reachability Analyzer.
registerService("ec2", bpaOps);
// IPv6: VPC and subnet blocks, egress-only internet gateways (created, and those of a loaded snapshot).
registerService("ec2", ipv6Ops);
// VPC Lattice resource gateways and configurations (PrivateLink Resource endpoints, S2).
registerService("vpc-lattice", latticeOps);
// The egress proxy (S2): EC2 instances and the AL2023 images, IAM instance profiles, SSM parameters and Run Command, RAM shares.
registerService("ec2", instanceOps);
registerService("iam", instanceProfileOps);
// Role tags and ListRoles by path (the iam-role kind's sweep and ownership check).
registerService("iam", iamRoleOps);
// ListTagsForResource for Lattice gateways and configurations (the Lattice kinds' sweep).
registerService("vpc-lattice", latticeTagOps);
registerService("ssm", ssmOps);
registerService("ram", ramOps);
