// Kind "route": `destination → target` in a route table (a relation). Everything destroy needs to
// undo it (the table, the destination, the target it overwrote) is recorded before the call.
import type { Route, RouteTable } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { classifyError, errorCode } from "../../aws/errors.js";
import { getNatGateway, getRouteTable } from "../../aws/ec2.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of, ignoreNotFound } from "./common.js";
import { byRelation, defineKind, ownedStepOf, recordedIds, refuseOtherPlan } from "./kind.js";


const TargetSchema = z.looseObject({ GatewayId: z.string().optional(), NatGatewayId: z.string().optional(), EgressOnlyInternetGatewayId: z.string().optional() });
export type Target = z.infer<typeof TargetSchema>;

export const targetOf = (r: Route): Target | undefined =>
  r.NatGatewayId
    ? { NatGatewayId: r.NatGatewayId }
    : r.EgressOnlyInternetGatewayId
      ? { EgressOnlyInternetGatewayId: r.EgressOnlyInternetGatewayId }
      : r.GatewayId && r.GatewayId !== "local"
        ? { GatewayId: r.GatewayId }
        : undefined;
export const targetId = (t: Target | undefined) => t?.NatGatewayId ?? t?.EgressOnlyInternetGatewayId ?? t?.GatewayId;

/** A route's destination, IPv4 or IPv6 ("0.0.0.0/0", "::/0", "64:ff9b::/96"): how EC2 names it in a call and in a table. */
const destinationInput = (destination: string) => (destination.includes(":") ? { DestinationIpv6CidrBlock: destination } : { DestinationCidrBlock: destination });
const isDestination = (r: Route, destination: string) => (destination.includes(":") ? r.DestinationIpv6CidrBlock : r.DestinationCidrBlock) === destination;

export const routeKind = defineKind({
  kind: "route",
  attrs: z.looseObject({
    routeTableId: z.string().optional(),
    destination: z.string().optional(),
    target: TargetSchema.optional(),
    previousTarget: TargetSchema.optional(),
    /** A target switch under way (add-nat changing NAT mode): the route may still point here, and that is ours too. */
    switchFrom: TargetSchema.optional(),
    /** Set by destroy on a pending record: the interrupted run may never have made the call. */
    maybeNotApplied: z.boolean().optional(),
  }),
  undoableWhenPending: (a) => Boolean(a.routeTableId && a.destination && a.target),
  // A route in a table the same run deletes goes with the table (no DeleteRoute, no read of the table).
  goesWith: (rec, resources) => ownedStepOf(resources, "route-table", rec.attrs.routeTableId),
  owner: async (ctx, rec, plan) => byRelation(ctx, plan, [rec.attrs.routeTableId]),
  async delete(ctx, rec) {
    const a = rec.attrs;
    if (!a.routeTableId || !a.destination) return;
    const ec2 = await ec2Of(ctx);
    const table = await getRouteTable(ec2, a.routeTableId);
    const current = table?.Routes?.find((r) => isDestination(r, a.destination!));
    if (!current) return;
    if (targetId(targetOf(current)) !== targetId(a.target) && !(a.switchFrom && targetId(targetOf(current)) === targetId(a.switchFrom))) {
      if (a.maybeNotApplied) return; // the interrupted run never got to change it
      ctx.log.warn(`Route ${a.destination} in ${a.routeTableId} now points to ${targetId(targetOf(current))}, not to what egress-cli set; leaving it.`);
      return;
    }
    if (a.previousTarget) {
      try {
        await ec2.replaceRoute({ RouteTableId: a.routeTableId, ...destinationInput(a.destination), ...a.previousTarget });
        return;
      } catch (err) {
        if (classifyError(err) !== "not-found") throw err;
        ctx.log.warn(`The route ${a.destination} in ${a.routeTableId} pointed to ${targetId(a.previousTarget)} before, which no longer exists; removing the route instead.`);
      }
    }
    await ignoreNotFound(ec2.deleteRoute({ RouteTableId: a.routeTableId, ...destinationInput(a.destination) }));
  },
});

/** Ensures `destination → target` in a route table; remembers (before replacing) what it overwrote. */
export function routeStep(o: {
  id: string;
  label: string;
  routeTableStep: string;
  destination: string;
  target: (run: StepRun) => Target;
  dependsOn: string[];
  /** The table as the command just read it (its pre-flight checks): the step's first look, not a Describe of its own. */
  seen?: RouteTable;
}): StepDef {
  let first = true;
  // One DescribeRouteTables per run of the step: discover, intent and create share it. The first look is
  // none when the table was just seen: `seen`, or CreateRouteTable's answer when this run made the table
  // (a new table holds its local route only). A route made meanwhile is met by RouteAlreadyExists below.
  const table = (run: StepRun) =>
    run.memo("route-table", async () => {
      const id = run.ref(o.routeTableStep);
      const answered = run.session.made.get(o.routeTableStep) as RouteTable | undefined;
      const t = !first ? undefined : o.seen?.RouteTableId === id ? o.seen : answered?.RouteTableId === id ? answered : undefined;
      first = false;
      return t ?? getRouteTable(await ec2Of(run), id);
    });
  const existing = async (run: StepRun) => (await table(run))?.Routes?.find((r) => isDestination(r, o.destination));
  const holds = async (run: StepRun) => {
    const r = await existing(run);
    const want = o.target(run);
    if (r && targetId(targetOf(r)) === targetId(want) && r.State !== "blackhole") {
      return { id: `${run.ref(o.routeTableStep)}|${o.destination}`, attrs: { routeTableId: run.ref(o.routeTableStep), destination: o.destination, target: want } };
    }
    return undefined;
  };
  return {
    id: o.id,
    kind: routeKind.kind,
    label: o.label,
    dependsOn: [o.routeTableStep, ...o.dependsOn],
    changes: [o.routeTableStep],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async intent(run) {
      const plan = run.session.plan;
      const t = await table(run);
      refuseOtherPlan(run.stepId, `route table ${run.ref(o.routeTableStep)}`, t?.Tags, plan);
      const r = await existing(run);
      const prev = r && targetOf(r);
      // Replacing a route that points at another plan's NAT gateway would break that plan.
      if (prev?.NatGatewayId && !recordedIds(plan).has(prev.NatGatewayId)) {
        const nat = await getNatGateway(await ec2Of(run), prev.NatGatewayId);
        refuseOtherPlan(run.stepId, `the route ${o.destination} → ${prev.NatGatewayId} it would replace`, nat?.Tags, plan);
      }
      return {
        routeTableId: run.ref(o.routeTableStep),
        destination: o.destination,
        target: o.target(run),
        ...(prev && r?.State !== "blackhole" ? { previousTarget: prev } : {}),
      };
    },
    async create(run) {
      const ec2 = await ec2Of(run);
      const routeTableId = run.ref(o.routeTableStep);
      const want = o.target(run);
      const input = { RouteTableId: routeTableId, ...destinationInput(o.destination), ...want };
      if (await existing(run)) await ec2.replaceRoute(input);
      else {
        try {
          await ec2.createRoute(input);
        } catch (err) {
          if (errorCode(err) !== "RouteAlreadyExists") throw err;
          // Made since the table was read: what it pointed to is recorded before it is replaced.
          const now = (await getRouteTable(ec2, routeTableId))?.Routes?.find((r) => isDestination(r, o.destination));
          const prev = now && now.State !== "blackhole" ? targetOf(now) : undefined;
          if (prev?.NatGatewayId && !recordedIds(run.session.plan).has(prev.NatGatewayId)) {
            refuseOtherPlan(run.stepId, `the route ${o.destination} → ${prev.NatGatewayId} it would replace`, (await getNatGateway(ec2, prev.NatGatewayId))?.Tags, run.session.plan);
          }
          const rec = run.record(run.stepId);
          if (prev && rec) {
            run.session.upsert(run.stepId, { ...rec, attrs: { ...rec.attrs, previousTarget: prev } });
            await run.session.save();
          }
          await ec2.replaceRoute(input);
          return { id: `${routeTableId}|${o.destination}`, attrs: { routeTableId, destination: o.destination, target: want, ...(prev ? { previousTarget: prev } : {}) } };
        }
      }
      return { id: `${routeTableId}|${o.destination}`, attrs: { routeTableId, destination: o.destination, target: want } };
    },
  };
}

export default routeKind;
