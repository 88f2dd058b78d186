// The step of a Resource VPC endpoint (kind "vpc-endpoint", VpcEndpointType Resource): PrivateLink to
// a VPC Lattice resource configuration from a consumer VPC (S2's connect-proxy). Tagged with a client
// token; waited until available; its record keeps the configuration and, per subnet, the private IP
// consumers send to. Deleted and swept by the vpc-endpoint kind like any endpoint.
import type { VpcEndpoint } from "@aws-sdk/client-ec2";
import type { Ec2Api } from "../../aws/ec2-api.js";
import { endpointState, isLiveEndpoint, listVpcEndpoints, orUndefined } from "../../aws/ec2.js";
import { tagSpec } from "../../aws/tags.js";
import { waitEndpointAvailable } from "./vpc-endpoint.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { recordedArn } from "./kind.js";
import { ec2Step, type Ec2Type } from "./tagged.js";
import { byText } from "../../order.js";

const getEndpoint = async (ec2: Ec2Api, id: string) => (await orUndefined(listVpcEndpoints(ec2, undefined, [id])))?.[0];

const type: Ec2Type<VpcEndpoint> = {
  kind: "vpc-endpoint",
  get: getEndpoint,
  list: (ec2, f) => listVpcEndpoints(ec2, f),
  idOf: (e) => e.VpcEndpointId!,
  refs: (e) => [e.VpcId, ...(e.SubnetIds ?? []), ...(e.Groups ?? []).map((g) => g.GroupId)],
};

export interface EndpointAddress {
  subnetId: string;
  az: string;
  privateIp: string;
}

/** Its network interfaces' addresses, one per subnet (what HTTPS_PROXY points at). */
async function addressesOf(ec2: Ec2Api, e: VpcEndpoint): Promise<EndpointAddress[]> {
  if (!e.NetworkInterfaceIds?.length) return [];
  return (await ec2.describeNetworkInterfaces({ NetworkInterfaceIds: e.NetworkInterfaceIds }))
    .map((n) => ({ subnetId: n.SubnetId!, az: n.AvailabilityZone!, privateIp: n.PrivateIpAddress! }))
    .sort((a, b) => byText(a.az, b.az) || byText(a.subnetId, b.subnetId));
}

const attrsOf = (e: VpcEndpoint, addresses: EndpointAddress[]) => ({
  type: e.VpcEndpointType,
  vpcEndpointType: e.VpcEndpointType,
  resourceConfigurationArn: e.ResourceConfigurationArn,
  state: e.State,
  vpcId: e.VpcId,
  subnetIds: e.SubnetIds ?? [],
  securityGroupIds: (e.Groups ?? []).map((g) => g.GroupId),
  dnsNames: (e.DnsEntries ?? []).map((d) => d.DnsName),
  networkInterfaceIds: e.NetworkInterfaceIds ?? [],
  ...(addresses.length ? { addresses } : {}),
});

/** A Resource endpoint in a (consumer) VPC for the configuration recorded at `configurationStep` (its attrs.arn). */
export function resourceEndpointStep(o: {
  id: string;
  vpcId: string;
  subnetIds: string[];
  /** plan groups (by step) and given groups (by id) */
  securityGroupSteps: string[];
  securityGroupIds?: string[];
  configurationStep: string;
  label: string;
  privateDns?: boolean;
}): StepDef {
  const arnOf = (run: StepRun) => {
    const arn = recordedArn(run.record(o.configurationStep));
    if (!arn) throw new Error(`internal: ${o.id} needs the ARN of ${o.configurationStep}`);
    return arn;
  };
  return ec2Step<VpcEndpoint>(type, {
    id: o.id,
    label: o.label,
    dependsOn: [...o.securityGroupSteps, o.configurationStep],
    live: isLiveEndpoint,
    result: (e) => ({ id: e.VpcEndpointId!, attrs: attrsOf(e, []) }),
    create: async (run) =>
      (
        await (await ec2Of(run)).createVpcEndpoint({
            VpcEndpointType: "Resource",
            VpcId: o.vpcId,
            ResourceConfigurationArn: arnOf(run),
            SubnetIds: o.subnetIds,
            SecurityGroupIds: [...o.securityGroupSteps.map((s) => run.ref(s)), ...(o.securityGroupIds ?? [])],
            PrivateDnsEnabled: o.privateDns ?? false,
            ClientToken: run.clientToken,
            TagSpecifications: tagSpec("vpc-endpoint", run.tags),
          })
      ).VpcEndpoint!,
    async settle(run, result) {
      const ec2 = await ec2Of(run);
      const e = await waitEndpointAvailable(run.ctx, ec2, result.id!, `Resource endpoint ${result.id}`);
      return { id: result.id, attrs: attrsOf(e, await addressesOf(ec2, e)) };
    },
  });
}
