// Every audit rule, in report order. A rule is one module: metadata + a pure check (types.ts).
import { costGatewayEndpoint } from "./cost-gateway-endpoint.js";
import { costNatMode } from "./cost-nat-mode.js";
import { costNatIpv4Ipv6Capable } from "./cost-nat-ipv4-ipv6-capable.js";
import { costSharedEgress } from "./cost-shared-egress.js";
import { bpaBlocksEgress } from "./bpa-blocks-egress.js";
import { dns64NoNat64Route } from "./dns64-no-nat64-route.js";
import { ipv6PrivateSubnetIgwRoute } from "./ipv6-private-subnet-igw-route.js";
import { eipUnassociated } from "./eip-unassociated.js";
import { endpointFullAccessPolicy } from "./endpoint-full-access-policy.js";
import { endpointNoPrivateDns } from "./endpoint-no-private-dns.js";
import { endpointSgAdmitsNothing } from "./endpoint-sg-admits-nothing.js";
import { endpointSgPublicRange } from "./endpoint-sg-public-range.js";
import { imdsv1OnForwarder } from "./imdsv1-on-forwarder.js";
import { lambdaNoEgress } from "./lambda-no-egress.js";
import { lambdaPublicSubnet } from "./lambda-public-subnet.js";
import { lambdaSingleAz } from "./lambda-single-az.js";
import { mskClusterSgPorts } from "./msk-cluster-sg-ports.js";
import { mskEsmNoEgress } from "./msk-esm-no-egress.js";
import { naclBlocksReturn } from "./nacl-blocks-return.js";
import { natCrossAz } from "./nat-cross-az.js";
import { natNoEip } from "./nat-no-eip.js";
import { natSubnetNoIgwRoute } from "./nat-subnet-no-igw-route.js";
import { regionalNatAzUncovered } from "./regional-nat-az-uncovered.js";
import { routeToDeadNat } from "./route-to-dead-nat.js";
import { sgDefaultHasRules } from "./sg-default-has-rules.js";
import { sgEgressWiderThanNeeded } from "./sg-egress-wider-than-needed.js";
import { sgOpenAdminPorts } from "./sg-open-admin-ports.js";
import { sgOpenAllPorts } from "./sg-open-all-ports.js";
import { subnetPublicIpPrivate } from "./subnet-public-ip-private.js";
import type { Rule } from "./types.js";
import { vpcCidrOverlap } from "./vpc-cidr-overlap.js";
import { vpcNoFlowLogs } from "./vpc-no-flow-logs.js";
import { workloadNoEgress } from "./workload-no-egress.js";

export const RULES: readonly Rule[] = [
  workloadNoEgress,
  natSubnetNoIgwRoute,
  natNoEip,
  routeToDeadNat,
  natCrossAz,
  regionalNatAzUncovered,
  dns64NoNat64Route,
  ipv6PrivateSubnetIgwRoute,
  bpaBlocksEgress,
  lambdaPublicSubnet,
  lambdaNoEgress,
  lambdaSingleAz,
  mskEsmNoEgress,
  mskClusterSgPorts,
  endpointNoPrivateDns,
  endpointSgAdmitsNothing,
  endpointSgPublicRange,
  endpointFullAccessPolicy,
  sgOpenAllPorts,
  sgOpenAdminPorts,
  sgDefaultHasRules,
  sgEgressWiderThanNeeded,
  naclBlocksReturn,
  vpcCidrOverlap,
  subnetPublicIpPrivate,
  eipUnassociated,
  vpcNoFlowLogs,
  imdsv1OnForwarder,
  costSharedEgress,
  costGatewayEndpoint,
  costNatMode,
  costNatIpv4Ipv6Capable,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));
