// Kind "lattice-resource-gateway": a VPC Lattice resource gateway in the plan's VPC (the PrivateLink
// provider side of S2: a Resource endpoint reaches a resource configuration through it).
// Plan-scoped name + tags; waits ACTIVE after create and gone after delete.
import type { GetResourceGatewayResponse } from "@aws-sdk/client-vpc-lattice";
import * as z from "zod";
import { CliError } from "../../errors.js";
import { orUndefined } from "../../aws/ec2.js";
import { waitBatched } from "../../aws/wait.js";
import type { Context } from "../../context.js";
import type { StepDef, StepRun } from "../engine.js";
import { latticeOf } from "./common.js";
import { defineKind } from "./kind.js";
import { isLiveLattice, latticeBatch, latticeKindParts, latticeName, latticeTags, tagMap, type LatticeApi } from "./lattice-common.js";
import { taggedStep } from "./tagged.js";

/** Get answers vpcId, List (a summary) vpcIdentifier. */
type Gateway = GetResourceGatewayResponse & { vpcIdentifier?: string };

const getGateway = async (c: Context | { ctx: Context }, id: string): Promise<Gateway | undefined> =>
  orUndefined((await latticeOf(c)).getResourceGateway({ resourceGatewayIdentifier: id }));

const listGateways = async (c: Context | { ctx: Context }): Promise<Gateway[]> => (await latticeOf(c)).listResourceGateways({});

const api: LatticeApi<Gateway> = {
  kind: "lattice-resource-gateway",
  what: "resource gateway",
  get: getGateway,
  list: listGateways,
  remove: async (ctx, id) => (await latticeOf(ctx)).deleteResourceGateway({ resourceGatewayIdentifier: id }),
  refs: (g) => [g.vpcId ?? g.vpcIdentifier, ...(g.subnetIds ?? []), ...(g.securityGroupIds ?? [])].filter((x): x is string => Boolean(x)),
};

export const resourceGatewayKind = defineKind({
  kind: api.kind,
  attrs: z.lazy(() => z.looseObject({ arn: z.string().optional(), name: z.string().optional(), vpcId: z.string().optional(), status: z.string().optional() })),
  ...latticeKindParts(api),
});
export default resourceGatewayKind;

const attrsOf = (g: Gateway) => ({ arn: g.arn, name: g.name, vpcId: g.vpcId, status: g.status });

export function resourceGatewayStep(o: { id: string; subnetSteps: string[]; securityGroupSteps: string[]; vpcStep?: string }): StepDef {
  const vpcStep = o.vpcStep ?? "vpc";
  const name = (run: StepRun) => latticeName(run.session.plan, run.stepId);
  return taggedStep<Gateway>({
    id: o.id,
    kind: api.kind,
    label: "VPC Lattice resource gateway",
    dependsOn: [vpcStep, ...o.subnetSteps, ...o.securityGroupSteps],
    get: (run, id) => getGateway(run, id),
    find: async (run) => {
      const g = (await listGateways(run)).find((x) => x.name === name(run));
      const tags = g?.arn ? await latticeTags(run, g.arn) : undefined;
      return g && tags?.some((t) => t.Key === "egress-cli:plan-id" && t.Value === run.session.plan.planId) ? [g] : [];
    },
    live: (g) => isLiveLattice(g.status),
    result: (g) => ({ id: g.id!, attrs: attrsOf(g) }),
    create: async (run) =>
      (await latticeOf(run)).createResourceGateway({
          name: name(run),
          vpcIdentifier: run.ref(vpcStep),
          subnetIds: o.subnetSteps.map((s) => run.ref(s)),
          securityGroupIds: o.securityGroupSteps.map((s) => run.ref(s)),
          ipAddressType: "IPV4",
          clientToken: run.clientToken.slice(0, 64),
          tags: tagMap(run.tags),
        }),
    async settle(run, result) {
      await waitBatched(
        run.ctx,
        `resource gateway ${result.id} to become ACTIVE`,
        await latticeBatch(run, api),
        result.id!,
        (cur) => {
          if (!cur) return { done: false, status: "not visible yet" };
          if (cur.status === "ACTIVE") return { done: true, value: cur };
          if (!isLiveLattice(cur.status)) return { done: false, failure: `is ${cur.status}` };
          return { done: false, status: String(cur.status) };
        },
        () => `Resource gateway ${result.id} is ACTIVE`,
      );
      // the List summary has no vpcId: the full record once, for the plan
      const g = await getGateway(run, result.id!);
      if (!g) throw new CliError(`Resource gateway ${result.id} disappeared.`);
      return { id: result.id, attrs: attrsOf(g) };
    },
  });
}
