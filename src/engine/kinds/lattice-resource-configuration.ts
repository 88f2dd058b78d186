// Kind "lattice-resource-configuration": a VPC Lattice resource configuration (type SINGLE) on a
// plan resource gateway: one IP or DNS name and its TCP ports, what a Resource endpoint connects to.
// Plan-scoped name + tags; deleted before its gateway (it depends on it).
import type { GetResourceConfigurationResponse } from "@aws-sdk/client-vpc-lattice";
import * as z from "zod";
import { orUndefined } from "../../aws/ec2.js";
import type { Context } from "../../context.js";
import type { StepDef, StepRun } from "../engine.js";
import { latticeOf } from "./common.js";
import { defineKind } from "./kind.js";
import { isLiveLattice, latticeKindParts, latticeName, latticeTags, tagMap, type LatticeApi } from "./lattice-common.js";
import { taggedStep } from "./tagged.js";

type Configuration = GetResourceConfigurationResponse;

const getConfiguration = async (c: Context | { ctx: Context }, id: string): Promise<Configuration | undefined> =>
  orUndefined((await latticeOf(c)).getResourceConfiguration({ resourceConfigurationIdentifier: id }));

const listConfigurations = async (c: Context | { ctx: Context }): Promise<Configuration[]> => (await latticeOf(c)).listResourceConfigurations({});

const api: LatticeApi<Configuration> = {
  kind: "lattice-resource-configuration",
  what: "resource configuration",
  get: getConfiguration,
  list: listConfigurations,
  remove: async (ctx, id) => (await latticeOf(ctx)).deleteResourceConfiguration({ resourceConfigurationIdentifier: id }),
  refs: (c) => (c.resourceGatewayId ? [c.resourceGatewayId] : []),
};

export const resourceConfigurationKind = defineKind({
  kind: api.kind,
  attrs: z.looseObject({ arn: z.string().optional(), name: z.string().optional(), resourceGatewayId: z.string().optional(), status: z.string().optional(), ipAddress: z.string().optional(), customDomainName: z.string().optional() }),
  ...latticeKindParts(api),
});
export default resourceConfigurationKind;

const attrsOf = (c: Configuration) => ({ arn: c.arn, name: c.name, resourceGatewayId: c.resourceGatewayId, status: c.status, ...(c.customDomainName ? { customDomainName: c.customDomainName } : {}) });

export function resourceConfigurationStep(o: {
  id: string;
  gatewayStep: string;
  target: { ipAddress: string } | { domainName: string };
  ports: number[];
  /** A custom domain for consumers' private DNS, verified by the domain verification recorded at that step. */
  customDomain?: { name: string; verificationStep: string };
}): StepDef {
  const name = (run: StepRun) => latticeName(run.session.plan, run.stepId);
  return taggedStep<Configuration>({
    id: o.id,
    kind: api.kind,
    label: `VPC Lattice resource configuration for ${"ipAddress" in o.target ? o.target.ipAddress : o.target.domainName}`,
    dependsOn: [o.gatewayStep, ...(o.customDomain ? [o.customDomain.verificationStep] : [])],
    get: (run, id) => getConfiguration(run, id),
    find: async (run) => {
      const c = (await listConfigurations(run)).find((x) => x.name === name(run));
      const tags = c?.arn ? await latticeTags(run, c.arn) : undefined;
      return c && tags?.some((t) => t.Key === "egress-cli:plan-id" && t.Value === run.session.plan.planId) ? [c] : [];
    },
    live: (c) => isLiveLattice(c.status),
    result: (c) => ({ id: c.id!, attrs: attrsOf(c) }),
    create: async (run) =>
      (await latticeOf(run)).createResourceConfiguration({
          name: name(run),
          type: "SINGLE",
          resourceGatewayIdentifier: run.ref(o.gatewayStep),
          protocol: "TCP",
          portRanges: o.ports.map(String),
          resourceConfigurationDefinition: "ipAddress" in o.target ? { ipResource: { ipAddress: o.target.ipAddress } } : { dnsResource: { domainName: o.target.domainName, ipAddressType: "IPV4" } },
          ...(o.customDomain ? { customDomainName: o.customDomain.name, domainVerificationIdentifier: run.ref(o.customDomain.verificationStep) } : {}),
          clientToken: run.clientToken.slice(0, 64),
          tags: tagMap(run.tags),
        }),
    // Converge: a re-run whose target or ports changed (a proxy replaced with a new address) updates
    // the live configuration in place, so the consumers' endpoints keep working.
    async settle(run, result) {
      const live = await getConfiguration(run, result.id!);
      if (!live) return;
      const def = live.resourceConfigurationDefinition;
      const target = "ipAddress" in o.target ? def?.ipResource?.ipAddress === o.target.ipAddress : def?.dnsResource?.domainName === o.target.domainName;
      const ports = JSON.stringify([...(live.portRanges ?? [])].sort()) === JSON.stringify(o.ports.map(String).sort());
      if (target && ports) return;
      const updated = await (await latticeOf(run)).updateResourceConfiguration({
        resourceConfigurationIdentifier: result.id!,
        ...(target ? {} : { resourceConfigurationDefinition: "ipAddress" in o.target ? { ipResource: { ipAddress: o.target.ipAddress } } : { dnsResource: { domainName: o.target.domainName, ipAddressType: "IPV4" } } }),
        ...(ports ? {} : { portRanges: o.ports.map(String) }),
      });
      run.ctx.log.info(`Resource configuration ${result.id}: updated ${[!target && "its target", !ports && "its ports"].filter(Boolean).join(" and ")}.`);
      return { id: result.id, attrs: { ...attrsOf({ ...live, ...updated } as Configuration), updated: true } };
    },
  });
}
